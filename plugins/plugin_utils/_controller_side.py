# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Say so when a task asks for something that cannot apply to a module run on the controller.

The collection's modules run as action plugins in the controller's worker process (see _action.py):
``delegate_to`` another host, a host's ``ansible_python_interpreter`` and ``async`` mean nothing to them.
Silently ignoring the first two would let a playbook believe the API calls come from, or use the Python of,
another machine, so the task warns; ``async`` cannot be honoured (there is no job to poll), so the task fails
before any API call, with a message that says why instead of ansible-core's generic one.
"""

from __future__ import annotations

import os
import sys
import typing as t

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# names that always mean the controller itself
LOCAL_HOST_NAMES = frozenset(("localhost", "127.0.0.1", "::1"))


def _same_python(interpreter: str, controller_python: t.Optional[str]) -> bool:
    if not controller_python:
        return False
    if os.path.abspath(interpreter) == os.path.abspath(controller_python):
        return True
    return os.path.realpath(interpreter) == os.path.realpath(controller_python)


class ControllerSideChecks(ActionBase):
    """Base of ResourceAction: refuses ``async`` and adds the warnings of ``controller_side_warnings``."""

    def run(self, tmp: t.Optional[str] = None, task_vars: t.Optional[t.Dict[str, t.Any]] = None) -> t.Dict[str, t.Any]:
        if self._task.async_val:
            raise AnsibleActionFail(
                "async is not supported by {0}: it runs on the Ansible controller inside the task's worker, not as a "
                "job on a host, so there is nothing to poll; remove async and poll (the timeout and retries options "
                "bound the API calls)".format(self._task.action))
        result = super().run(tmp, task_vars)
        warnings = self.controller_side_warnings(task_vars or {})
        if warnings:
            result["warnings"] = warnings + list(result.get("warnings") or [])
        return result

    def controller_side_warnings(self, task_vars: t.Dict[str, t.Any]) -> t.List[str]:
        return [w for w in (self._delegation_warning(task_vars), self._interpreter_warning(task_vars)) if w]

    def _delegation_warning(self, task_vars: t.Dict[str, t.Any]) -> t.Optional[str]:
        delegate_to = getattr(self._task, "delegate_to", None)
        if not delegate_to:
            return None
        delegate_to = str(self._templar.template(delegate_to))
        delegated_vars = (task_vars.get("ansible_delegated_vars") or {}).get(delegate_to) or {}
        if delegate_to in LOCAL_HOST_NAMES or delegated_vars.get("ansible_connection") == "local":
            return None
        return ("delegate_to: {0} has no effect on {1}: it runs on the Ansible controller, which makes the API calls "
                "and reads and writes files (ca_path, secret_path) on its own filesystem; remove delegate_to"
                .format(delegate_to, self._task.action))

    def _interpreter_warning(self, task_vars: t.Dict[str, t.Any]) -> t.Optional[str]:
        interpreter = task_vars.get("ansible_python_interpreter")
        if not interpreter:
            return None
        interpreter = str(self._templar.template(interpreter))
        controller_python = task_vars.get("ansible_playbook_python") or sys.executable
        if interpreter.startswith("auto") or _same_python(interpreter, controller_python):
            return None
        return ("ansible_python_interpreter ({0}) is not used by {1}: it runs in the Python of the Ansible controller "
                "({2}), which needs the collection's requirements (requests, cryptography)"
                .format(interpreter, self._task.action, controller_python))
