# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper: each task's duration (task start to its result on the host) to $C1_TASK_TIMES_FILE, as JSON."""

from __future__ import annotations

DOCUMENTATION = r"""
name: c1_task_times
type: aggregate
short_description: write task durations to a JSON file (tests/perf only)
description:
  - Used by tests/perf/bench_converge.py; not part of the collection.
requirements:
  - enabled in the benchmark's environment
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "c1_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._started = None
        self._name = None
        self.times = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started, self._name = time.monotonic(), task.get_name()

    def _done(self, result):
        if self._started is not None:
            self.times.append({"name": self._name, "seconds": time.monotonic() - self._started})

    def v2_runner_on_ok(self, result):
        self._done(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result)

    def v2_runner_on_skipped(self, result):
        self._done(result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["C1_TASK_TIMES_FILE"], "w", encoding="utf-8") as handle:
            json.dump(self.times, handle)
