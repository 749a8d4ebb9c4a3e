# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test-only action: append what ``register`` received for a task to $C1REL_RECORDS_FILE (one JSON line).

Callbacks only see results as Ansible censors them, and a result that carries a new client secret is censored
(it is marked ``_ansible_no_log``), so the suite reads such results from here: relkit.run_playbook adds one of these
tasks, with ``no_log: true``, after every conductorone.iam task that registers its result.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        line = json.dumps({'name': self._task.args['name'], 'host': (task_vars or {}).get('inventory_hostname'),
                           'result': self._task.args.get('result')}, default=str) + '\n'
        fd = os.open(os.environ['C1REL_RECORDS_FILE'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode('utf-8'))  # one write per line: concurrent forks do not interleave
        finally:
            os.close(fd)
        result['changed'] = False
        return result
