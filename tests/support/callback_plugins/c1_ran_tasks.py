# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: record whether an ansible-playbook run ran anything, so a target cannot pass vacuously.

``python -m support.emulator start`` (tests/support/emulator.py) enables it (ANSIBLE_CALLBACKS_ENABLED) and names the
record file (C1_RAN_TASKS_LOG, in the running emulator's directory); its emulator_stop fails the target when a run's
line is not ``ok``, or when there is none. One line per run that got to its end:

    ok <playbook> <hosts>             every play matched a host, and <hosts> hosts ran at least one task
    no-hosts <playbook> <play>        that play matched no host (say, an inventory without testhost)
    no-tasks <playbook>               no host ran a single task (ok, changed, failed, skipped, unreachable)

A run that stops before its end (a syntax error, say) writes nothing: the target sees its exit status.
"""

from __future__ import annotations

import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'c1_ran_tasks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.playbook = '?'
        self.play = '?'
        self.without_hosts = []

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.basename(getattr(playbook, '_file_name', None) or '?')

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name().strip() or '(unnamed play)'

    def v2_playbook_on_no_hosts_matched(self):
        self.without_hosts.append(self.play)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('C1_RAN_TASKS_LOG')
        if not path or not os.path.isdir(os.path.dirname(path)):
            return  # not under support.emulator, or run while no emulator is up
        ran = [host for host in stats.processed if any(stats.summarize(host).values())]
        lines = ['no-hosts {0} {1}'.format(self.playbook, play) for play in self.without_hosts]
        if not ran:
            lines.append('no-tasks {0}'.format(self.playbook))
        if not lines:
            lines.append('ok {0} {1}'.format(self.playbook, len(ran)))
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(''.join(line + '\n' for line in lines))
