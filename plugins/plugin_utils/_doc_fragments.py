# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Computed doc fragments: one YAML text of a module's options, documented twice.

ansible-core merges doc fragments only at the top level of ``options``, so a set module (``personal_client_set``,
``role_set``) cannot pull the single module's options in under ``suboptions`` by reference. A fragment is a Python
class, though: ``top_level`` gives the single module's ``options`` from the text, ``set_item`` the set module's list
option with the same text as its ``suboptions``, the references rewritten for that place (``O(id)`` becomes
``O(clients[].id)``). Both are plain YAML strings, so ansible-doc, validate-modules and antsibull-docs read them as
any other fragment. tests/unit/plugins/action/test_docs_match_spec.py checks both shapes against the argument specs.
"""

from __future__ import annotations

import re
import textwrap
import typing as t


def _block(text: str, spaces: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * spaces) + "\n"


def option_names(options: str) -> t.List[str]:
    """The option names of an options text (its unindented keys)."""
    return re.findall(r"^(\w+):\s*$", textwrap.dedent(options), re.M)


def top_level(options: str) -> str:
    """The fragment of the single module: its ``options``."""
    return "options:\n" + _block(options, 2)


def set_item(list_option: str, description: str, options: str, replacements: t.Optional[t.Mapping[str, str]] = None,
             additions: t.Optional[t.Mapping[str, t.Sequence[str]]] = None) -> str:
    """The fragment of the set module: its ``list_option`` (a required list of dicts, described by the YAML list
    ``description``) whose ``suboptions`` are ``options``. References to those options become ``O(<list_option>[].<name>...)``; ``replacements`` rewrites
    other text (a return value of the single module that is named otherwise in the set module); ``additions`` adds
    description lines that hold only for the items of a set, by option name."""
    text = textwrap.dedent(options).strip("\n") + "\n"
    names = option_names(text)
    text = re.sub(r"\bO\(({0})([=)])".format("|".join(names)),
                  lambda match: "O({0}[].{1}{2}".format(list_option, match.group(1), match.group(2)), text)
    for old, new in (replacements or {}).items():
        text = text.replace(old, new)
    for name, lines in (additions or {}).items():
        text = _add_description_lines(text, name, lines)
    return ("options:\n  {0}:\n    description:\n".format(list_option) + _block(description, 6)
            + "    type: list\n    elements: dict\n    required: true\n    suboptions:\n" + _block(text, 6))


def _add_description_lines(text: str, name: str, lines: t.Sequence[str]) -> str:
    """``lines`` appended to the description list of option ``name`` (before its next key)."""
    match = re.search(r"^{0}:\n  description:\n(?:    .*\n)+".format(re.escape(name)), text, re.M)
    if match is None:
        raise ValueError("no option {0} with a description list".format(name))
    added = "".join("    - {0}\n".format(line) for line in lines)
    return text[:match.end()] + added + text[match.end():]
