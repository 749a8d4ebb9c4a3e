# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run an action plugin in-process as the task executor would, with stub Task, PlayContext and templar.

What the executor would hand the plugin is replaced by small stand-ins: the task (args, environment,
async, check mode), the play context (check mode, diff), a connection whose shell has no tmpdir, and a
templar that renders ``{{ name }}`` from a dict. Used by the plugin_utils tests and the action plugins' tests
(tests/unit/plugins/action).
"""

from __future__ import annotations

import re


# --- stand-ins for what the task executor passes ---------------------------------------------------

class StubShell:
    tmpdir = None


class StubConnection:
    _shell = StubShell()


class StubTask:
    def __init__(self, args, environment=None, async_val=0, check_mode=False, diff=False):
        self.args = args
        self.environment = environment
        self.async_val = async_val
        self.check_mode = check_mode
        self.diff = diff
        self.action = "conductorone.iam.test"
        self.no_log = False


class StubPlayContext:
    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self.diff = diff


class StubTemplar:
    """Renders ``{{ name }}`` in the strings of a (nested) value; records what it was asked to render."""

    def __init__(self, variables=None):
        self.variables = variables or {}
        self.rendered = []

    def template(self, value):
        self.rendered.append(value)
        return self._render(value)

    def _render(self, value):
        if isinstance(value, dict):
            return dict((key, self._render(item)) for key, item in value.items())
        if isinstance(value, list):
            return [self._render(item) for item in value]
        if isinstance(value, str):
            return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda match: str(self.variables[match.group(1)]), value)
        return value


def run_action(action_class, args, environment=None, check_mode=False, diff=False, variables=None, async_val=0, name=None):
    """Run the plugin as the executor would (``name``: the task's action, as written in a playbook); returns
    (result, templar)."""
    templar = StubTemplar(variables)
    task = StubTask(dict(args), environment, async_val, check_mode, diff)
    if name is not None:
        task.action = name
    action = action_class(task=task, connection=StubConnection(),
                          play_context=StubPlayContext(check_mode, diff), loader=None, templar=templar,
                          shared_loader_obj=None)
    return action.run(task_vars={}), templar
