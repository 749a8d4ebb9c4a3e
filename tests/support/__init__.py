# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The one test-support package of every suite (unit, integration, system, perf, the emulator's own tests).

    emulator.py   start/stop tests/emulator/serve.py, its /_emulator/ controls; ``python -m support.emulator``
                  for the integration targets' runme.sh files
    leaks.py      the one leak scanner; ``python -m support.leaks`` for shell callers
    fakes.py      in-process fakes of the unit tests (no process, no socket)
    secrets.py    base64url and the client-secret format, the docs' example key (standard library only)
    callback_plugins/c1_ran_tasks.py   "nothing ran is a failure" for runs under ``support.emulator start``

Import it with ``<collection>/tests`` on sys.path (``from support import emulator``); the unit tests import
``ansible_collections.conductorone.iam.tests.support.fakes``.
"""
