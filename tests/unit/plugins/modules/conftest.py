# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's real main() in-process with given module args and return what it printed.

Isolation (environment, token cache, no real HTTP) is tests/unit/conftest.py's ``isolated``.
"""

from __future__ import annotations

import contextlib
import importlib
import json

from unittest import mock

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
except ImportError:  # older ansible-core
    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield


@pytest.fixture
def run_module(capsys, monkeypatch):
    """run_module(module, args) -> (exit code, parsed JSON result, raw output)."""
    # A module runs on the target. Once a controller plugin was imported in this process (the action plugin tests),
    # ansible-core >= 2.19 sends module warnings to the controller's Display instead of the result: undo that here.
    try:
        internal = importlib.import_module("ansible.module_utils._internal")
    except ImportError:  # ansible-core < 2.19: warnings always go to the result
        internal = None
    if hasattr(internal, "is_controller"):
        monkeypatch.setattr(internal, "is_controller", False)

    def run(module, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit) as excinfo:
                module.main()
        out = capsys.readouterr().out
        return excinfo.value.code, json.loads(out), out

    return run
