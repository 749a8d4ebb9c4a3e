# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test-only callback: write every task result (as callbacks see them, i.e. no_log-censored) to a JSON file.

Enabled by the reliability suite with ANSIBLE_CALLBACKS_ENABLED=c1rel_results and C1REL_RESULTS_FILE=<path>; the
stdout callback stays the default one, so the suite can also scan what a user would see.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


def _plain(value):
    """JSON-safe copy (results may hold tagged/unsafe strings and other odd types)."""
    return json.loads(json.dumps(value, default=str))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'c1rel_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.tasks = []

    def _record(self, result, status):
        entry = _plain(result._result)  # pylint: disable=protected-access
        entry['_status'] = status
        self.tasks.append({'name': result._task.get_name(), 'host': result._host.get_name(), 'result': entry})  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('C1REL_RESULTS_FILE')
        if not path:
            return
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        with open(path + '.tmp', 'w', encoding='utf-8') as handle:
            json.dump({'tasks': self.tasks, 'stats': summary}, handle)
        os.replace(path + '.tmp', path)
