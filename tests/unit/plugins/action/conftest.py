# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's action plugin (the only way the collection's modules run) in-process, as the task executor
would, with given task arguments, and return what a callback would receive.

The stand-ins for the executor are in tests/unit/plugins/plugin_utils/executor.py; isolation (environment, token
cache, no real HTTP) is tests/unit/conftest.py's ``isolated``.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.conductorone.iam.tests.unit.plugins.plugin_utils.executor import run_action

# task keywords given with the arguments, as a module run's _ansible_* arguments were
KEYWORDS = {"_ansible_check_mode": "check_mode", "_ansible_diff": "diff"}


@pytest.fixture
def run_task():
    """run_task(action plugin module, args) -> (exit code, result as JSON would carry it, the JSON text).

    The exit code is 1 for a failed result, as for a module process; the JSON text is everything the task reports
    (message, warnings, the echoed arguments in ``invocation``), for checks that a secret shows nowhere."""

    def run(plugin, args):
        args = dict(args)
        keywords = dict((KEYWORDS[key], bool(args.pop(key))) for key in list(args) if key in KEYWORDS)
        name = "conductorone.iam." + plugin.__name__.rsplit(".", 1)[-1]
        result, dummy = run_action(plugin.ActionModule, args, name=name, **keywords)
        out = json.dumps(result)
        return (1 if result.get("failed") else 0), json.loads(out), out

    return run
