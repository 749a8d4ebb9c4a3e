# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Reliability & security suite: background jobs start after collection; the report is written at the end.

Run: python -m pytest -p no:cacheprovider tests/system/reliability   (from the repository root, in the venv with
ansible-core, requests, cryptography and pytest). C1REL_WORKERS sets the number of parallel jobs (default 4),
C1REL_KEEP=1 keeps the temporary directory (playbooks, outputs, emulator logs), C1REL_REPORT overrides the
report path (default docs/reliability.md; a partial run writes $TMPDIR/reliability.partial.md instead).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import relkit  # noqa: E402  pylint: disable=wrong-import-position

_STARTED = time.time()
_STATE = {'deselected': 0}


def pytest_deselected(items):
    _STATE['deselected'] += len(items)


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    jobs = set()
    for item in session.items:
        module = getattr(item, 'module', None)
        if module is None:
            continue
        chooser = getattr(module, 'c1rel_jobs_for', None)  # a module may say which of its jobs an item needs
        named = relkit.jobs_named_in(getattr(item, 'function', None))  # else the jobs its test asks for by name
        jobs.update(chooser(item) if chooser else named or relkit.jobs_of_module(module.__name__))
    relkit.select(session.items)
    relkit.workspace()
    relkit.start_jobs(jobs, int(os.environ.get('C1REL_WORKERS', '4')))


@pytest.fixture(scope='session')
def report():
    return relkit.REPORT


def pytest_sessionfinish(session, exitstatus):
    relkit.stop_jobs()
    relkit.kill_children()
    rows = relkit.REPORT.rows
    if rows:
        partial = []
        if _STATE['deselected'] or session.config.option.keyword or session.config.option.markexpr:
            partial.append('tests were deselected')
        if session.config.args and any(Path(arg).resolve() != Path(__file__).resolve().parent
                                       for arg in session.config.args):
            partial.append('run on %s' % ' '.join(session.config.args))
        if session.shouldfail or session.shouldstop:
            partial.append('stopped early')
        meta = {
            'generated': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
            'command': 'python -m pytest -p no:cacheprovider tests/system/reliability',
            'ansible': _ansible_version(),
            'python': sys.version.split()[0],
            'runtime': time.time() - _STARTED,
            'partial': '; '.join(partial),
            'mutations': relkit.published_mutations(relkit.REPORT_PATH),
        }
        target = Path(os.environ.get('C1REL_REPORT') or relkit.REPORT_PATH)
        if partial and not os.environ.get('C1REL_REPORT'):
            target = Path(tempfile.gettempdir()) / 'reliability.partial.md'
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(relkit.REPORT.render(meta))
        counters = relkit.REPORT.counters
        passed = sum(1 for row in rows if row['passed'])
        sys.stdout.write('\nreliability report: %s (%d scenarios, %d passed; faults %d/%d survived; bad inputs %d/%d '
                         'refused before any write, %d/%d to read-only modules refused; leaks found %d)\n' % (
                             target, len(rows), passed, counters['faults_survived'], counters['faults_injected'],
                             counters['refused_before_write'], counters['bad_inputs'], counters['refused_read_only'],
                             counters['bad_inputs_read_only'], counters['leaks_found']))
    if relkit.JOB_TIMES:
        first = min(start for start, dummy in relkit.JOB_TIMES.values())
        sys.stdout.write('reliability jobs (start..end s): %s\n' % ', '.join(
            '%s %.0f..%.0f' % (name, start - first, end - first)
            for name, (start, end) in sorted(relkit.JOB_TIMES.items(), key=lambda item: item[1][0])))
    if relkit._WORKSPACE is not None:  # pylint: disable=protected-access
        relkit._WORKSPACE.cleanup()  # pylint: disable=protected-access


def _ansible_version():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    return __version__
