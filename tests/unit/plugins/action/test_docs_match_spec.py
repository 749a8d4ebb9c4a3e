# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module's documentation matches the argument spec its action plugin validates with.

The files in plugins/modules hold documentation only (the action plugins are the only runtime path), so
ansible-test's validate-modules no longer compares the docs with the argument spec: this test does. For every
option, recursively through suboptions, in both directions: the same names, type, default, choices, elements,
required and aliases; an option that looks like a secret is no_log (validate-modules' no-log-needed rule); and
the environment variables a description names (E(CONDUCTORONE_...)) are exactly its fallback in _arguments.py.
The documentation is read with its fragments merged by ansible-core's own ``add_fragments``, as ansible-doc does.
"""

from __future__ import annotations

import importlib
import os
import re

import pytest
import yaml

from ansible.utils.plugin_docs import add_fragments

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import ENV_FALLBACKS

COLLECTION = "conductorone.iam"
PACKAGE = "ansible_collections.conductorone.iam.plugins"
MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and not name.startswith("_"))
# validate-modules' no-log-needed rule (ansible-test's is_potential_secret_option): such an option must say
# whether it is no_log, unless it is a path, a flag or a choice
NO_LOG_REGEX = re.compile(r"(?:pass(?!ive)|secret|token|key)", re.I)
NOT_SECRET_SUFFIXES = ("_count", "_type", "_alg", "_algorithm", "_timeout", "_name", "_comment", "_bits", "_id", "_identifier",
                       "_period", "_file", "_filename")
NOT_SECRET_PARTS = ("publickey", "public_key", "keyusage", "key_usage", "keyserver", "key_server", "keysize", "key_size",
                    "keyservice", "key_service", "pub_key", "pubkey", "keyboard", "secretary")
ENV_REFERENCE = re.compile(r"E\((CONDUCTORONE_[A-Z_]+)\)")


class FragmentLoader:
    """ansible-core's doc fragment loader, for this collection's fragments only (``add_fragments`` asks it)."""

    def get(self, name):
        prefix = COLLECTION + "."
        short = name[len(prefix):] if name.startswith(prefix) else ""
        if not short or "." in short:
            return None
        try:
            module = importlib.import_module("{0}.doc_fragments.{1}".format(PACKAGE, short))
        except ImportError:
            return None
        return type("ModuleDocFragment", (module.ModuleDocFragment,), {"ansible_name": name})


def documented_options(name):
    """The module's options as ansible-doc shows them (its fragments merged)."""
    module = importlib.import_module("{0}.modules.{1}".format(PACKAGE, name))
    doc = yaml.safe_load(module.DOCUMENTATION)
    add_fragments(doc, os.path.abspath(module.__file__), FragmentLoader(), is_module=True)
    return doc.get("options") or {}


def argument_spec(name):
    return importlib.import_module("{0}.action.{1}".format(PACKAGE, name)).ActionModule.ARGUMENT_SPEC


def differences(docs, spec, path=""):
    """What differs between documented options and an argument spec, as readable lines."""
    found = []
    for option in sorted(set(docs) - set(spec)):
        found.append("{0}{1}: documented, not in the argument spec".format(path, option))
    for option in sorted(set(spec) - set(docs)):
        found.append("{0}{1}: in the argument spec, not documented".format(path, option))
    for option in sorted(set(docs) & set(spec)):
        doc, arg, where = docs[option] or {}, spec[option], path + option
        compared = {
            "type": (doc.get("type", "str"), arg.get("type", "str")),
            "default": (doc.get("default"), arg.get("default")),
            "choices": (doc.get("choices"), arg.get("choices")),
            "elements": (doc.get("elements"), arg.get("elements")),
            "required": (bool(doc.get("required", False)), bool(arg.get("required", False))),
            "aliases": (sorted(doc.get("aliases") or []), sorted(arg.get("aliases") or [])),
        }
        for key, (documented, specified) in compared.items():
            if documented != specified or isinstance(documented, bool) != isinstance(specified, bool):
                found.append("{0}: {1} documented as {2!r}, the argument spec has {3!r}".format(where, key, documented, specified))
        if _could_be_a_secret(option, arg) and arg.get("no_log") is None:
            found.append("{0}: looks like a secret, but the argument spec does not say no_log".format(where))
        description = " ".join(doc.get("description") if isinstance(doc.get("description"), list) else [doc.get("description") or ""])
        named = sorted(set(ENV_REFERENCE.findall(description)))
        fallback = [ENV_FALLBACKS[option]] if not path and option in ENV_FALLBACKS else []
        if named != fallback:
            found.append("{0}: the description names {1}, the environment fallback is {2}".format(where, named, fallback))
        found.extend(differences(doc.get("suboptions") or {}, arg.get("options") or {}, where + "."))
    return found


def _could_be_a_secret(name, option):
    return bool(NO_LOG_REGEX.search(name)) and not name.endswith(NOT_SECRET_SUFFIXES) and not any(
        part in name for part in NOT_SECRET_PARTS) and option.get("type") not in ("path", "bool") and option.get("choices") is None


def test_every_module_has_an_action_plugin_and_docs():
    plugins_dir = os.path.join(MODULES_DIR, "..", "action")
    actions = sorted(name[:-3] for name in os.listdir(plugins_dir) if name.endswith(".py") and not name.startswith("_"))
    assert MODULES and MODULES == actions


@pytest.mark.parametrize("name", MODULES)
def test_the_docs_match_the_argument_spec(name):
    assert differences(documented_options(name), argument_spec(name)) == []


def test_a_wrong_default_a_missing_option_and_a_wrong_suboption_are_found():
    spec = {"a": {"type": "int", "default": 4}, "b": {"type": "list", "elements": "dict", "options": {
        "c": {"type": "str", "choices": ["x", "y"]}}}, "api_token": {"type": "str"}}
    docs = {"a": {"type": "int", "default": 5}, "b": {"type": "list", "elements": "dict", "suboptions": {
        "c": {"type": "str", "choices": ["x"]}, "d": {"type": "bool"}}}, "api_token": {"type": "str"}, "e": {}}
    assert differences(docs, spec) == [
        "e: documented, not in the argument spec",
        "a: default documented as 5, the argument spec has 4",
        "api_token: looks like a secret, but the argument spec does not say no_log",
        "b.d: documented, not in the argument spec",
        "b.c: choices documented as ['x'], the argument spec has ['x', 'y']",
    ]
    # 30 in YAML documents a float default of 30.0 (validate-modules accepts it too); a bool is never a number
    assert differences({"t": {"type": "float", "default": 30}}, {"t": {"type": "float", "default": 30.0}}) == []
    assert differences({"t": {"type": "bool", "default": 1}}, {"t": {"type": "bool", "default": True}}) != []
