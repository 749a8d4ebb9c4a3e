# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Types the resource logic is written against: the runner it sees, and the JSON shapes it passes around.

Annotations only: nothing here runs logic. ``Runner`` is the structural type of every runner (the action
plugin's runner, ``MaskingRunner``, a set's ``ItemRunner``, a test's fake): any object
with these four members is one, nothing needs to inherit from it.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import Any, Dict, Protocol

# An object of the API as the server sent it (protojson: camelCase keys, arbitrary JSON values).
JsonObject = Dict[str, Any]
# The task's options after Ansible's argument validation (one item's options for an item of a set module).
Params = Dict[str, Any]
# What a resource's ``run()`` returns: the module result (``changed``, the resource, ``diff``...).
Result = Dict[str, Any]


class Runner(Protocol):
    """What resource logic sees of the run: the options, the two modes, and a way to warn.

    Read-only members: a plain attribute or a property satisfies each.
    """

    @property
    def params(self) -> Params:
        """The task's options."""

    @property
    def check_mode(self) -> bool:
        """True in check mode: predict, write nothing."""

    @property
    def diff_mode(self) -> bool:
        """True with ``--diff``: the result carries a ``diff``."""

    def warn(self, message: str) -> None:
        """Show ``message`` as a task warning."""


class ReportingRunner(Runner, Protocol):
    """A ``Runner`` that ``run_resource`` (runner.py) reports the outcome through: the action plugin's runner.

    The resource logic itself sees only the ``Runner`` members (``run_resource`` hands it a ``MaskingRunner``).
    """

    def fail(self, msg: str, **result: Any) -> None:
        """Report a failure with ``msg`` and the rest of the result."""

    def exit(self, **result: Any) -> None:
        """Report the result."""
