# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Mutation check of the reliability suite: remove one guarded code path or fault at a time, see scenarios fail.

Each mutation replaces one exact snippet (a validator, the emulator's fault injector, a retry or reconciliation
path) in a temporary copy of the repository (git ls-files, tracked and untracked; never the worktree), runs the
scenarios that claim to prove that path against that copy, and counts the failures. A mutation that no scenario
notices is a hole in the suite; a snippet that is no longer in its file stops the script (the mutation is stale).

    .venv/bin/python tests/reliability/mutate.py                # every mutation, a Markdown table on stdout
    .venv/bin/python tests/reliability/mutate.py --list         # names only
    .venv/bin/python tests/reliability/mutate.py --only retries-off --only token-cache-off
    make mutate [MUTATE_ARGS="--only retries-off"]

Exit status 1 when a mutation is survived (no selected scenario failed) or the unmutated baseline fails.
Not part of `make test`: about 10 minutes on 2 shared cores (the unmutated baseline runs take a third; --no-baseline).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import relkit  # noqa: E402  pylint: disable=wrong-import-position

LOST = 'tests/reliability/test_rel_lost_create.py'
BAD = 'tests/reliability/test_rel_bad_input.py'
PAGED = 'tests/reliability/test_rel_transient_faults.py::test_fault_on_a_later_page'
AUTH = 'tests/reliability/test_rel_auth.py::test_auth'
RESTART = 'tests/reliability/test_rel_restart.py'
FILES = ('tests/reliability/test_rel_leaks.py::test_secret_dir_vanishes_during_create',
         'tests/reliability/test_rel_leaks.py::test_failed_create_leaves_no_file')
FORKS = ('tests/reliability/test_rel_concurrency.py::test_ten_forks_fifty_clients',)
GRID = 'tests/reliability/test_rel_transient_faults.py::test_transient_fault'
NOT_SCENARIOS = ('test_keys_cover_scenarios', 'test_expired_token_really_expired')  # guards, not report rows
GRID_DELETE = ('tests/reliability/test_rel_transient_faults.py::test_transient_fault', '-k', 'pc_delete or pc_get or role_get')

# name -> (what is removed, file, exact snippet, replacement, pytest arguments)
MUTATIONS = [
    ('client-id-unchecked', 'validator: parse_client_id accepts anything', 'plugins/module_utils/_auth.py',
     '    name, at, rest = client_id.partition("@")\n',
     '    return client_id, "localhost", "pcc"\n    name, at, rest = client_id.partition("@")\n', (BAD,)),
    ('client-secret-unchecked', 'validator: decode_client_secret accepts anything', 'plugins/module_utils/_auth.py',
     '    parts = secret.strip().split(":", 3)\n',
     '    return {"kty": "OKP", "crv": "Ed25519", "d": "A" * 43}\n    parts = secret.strip().split(":", 3)\n', (BAD,)),
    ('cidr-host-bits', 'validator: a CIDR with host bits set is silently fixed', 'plugins/module_utils/_normalize.py',
     '    raise InputError("{0}: {1!r} has host bits set; did you mean {2}?".format(option, value, loose))\n',
     '    return str(loose)\n', (BAD,)),
    ('duration-unchecked', 'validator: a bad duration is read as one hour', 'plugins/module_utils/_normalize.py',
     '                raise InputError("{0}: {1!r} is not a duration; use e.g. 90d, 12h, 30m, 3600s or a number of seconds".format(option, value))\n',
     '                return 3600.0\n', (BAD,)),
    ('keep-previous-unchecked', 'validator: keep_previous without a rotation', 'plugins/module_utils/_personal_clients.py',
     '            raise InputError("keep_previous only applies with rotate or rotate_if_expires_within")\n',
     '            pass\n', (BAD,)),
    ('faults-never-fire', 'fault injector: the emulator never injects a fault', 'tests/emulator/c1emu/faults.py',
     '        """Consume one use of the first pending fault matching this request, or None."""\n',
     '        """Consume one use of the first pending fault matching this request, or None."""\n        return None\n',
     (LOST, PAGED, AUTH)),
    ('lost-response-answered', 'fault injector: lost_response answers normally (the fault is still logged)',
     'tests/emulator/c1emu/server.py', "        if kind == 'lost_response':\n            self._drop()\n",
     "        if False:\n            self._drop()\n", (LOST,)),
    ('retries-off', 'retry: no request is ever retried (retries forced to 0)', 'plugins/module_utils/_http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', (LOST, PAGED, AUTH)),
    ('retries-off-grid', 'retry: the same, on the fault grid of three operations', 'plugins/module_utils/_http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', GRID_DELETE),
    ('no-reconciliation', 'reconciliation: a create error is raised as is (no lookup, no second create)',
     'plugins/module_utils/_personal_clients.py', '            first_error = exc\n', '            raise\n', (LOST,)),
    ('no-reconciliation-grid', 'reconciliation: the same, on the fault grid of the create', 'plugins/module_utils/_personal_clients.py',
     '            first_error = exc\n', '            raise\n', (GRID, '-k', 'pc_create')),
    ('posts-retried', 'retry: every POST is retried like a GET (5xx, timeout, drop)', 'plugins/module_utils/_http.py',
     '            idempotent = method in IDEMPOTENT_METHODS\n', '            idempotent = True\n',
     (GRID, '-k', 'pc_update or role_update or pci_search')),
    ('orphans-kept', 'reconciliation: the secret-less orphan is not deleted', 'plugins/module_utils/_personal_clients.py',
     '        for orphan in orphans:\n            self.api.delete_personal_client(orphan["id"])\n',
     '        for orphan in []:\n            self.api.delete_personal_client(orphan["id"])\n', (LOST,)),
    ('siblings-unprotected', 'reconciliation: clients that existed before the create are not protected',
     'plugins/module_utils/_personal_clients.py', '        return known | set([template["id"]] if template else [])\n',
     '        return set()\n', (LOST,)),
    ('no-settle', 'reconciliation: no wait for a timed-out create to appear', 'plugins/module_utils/_personal_clients.py',
     '        return float(self.api.client.transport.timeout) if error.timed_out else 0.0\n', '        return 0.0\n', (LOST,)),
    ('delete-404-is-error', 'delete: 404 on a retried DELETE is an error, not "already gone"', 'plugins/module_utils/_api.py',
     '            if exc.status == NOT_FOUND:\n                return False\n', '            if False:\n                return False\n',
     (LOST,)),
    ('rotation-keeps-old', 'rotation: the old client is never deleted', 'plugins/module_utils/_personal_clients.py',
     '        if self.params.get("keep_previous") or self.runner.check_mode:\n            return result\n',
     '        if True:\n            return result\n', (LOST,)),
    ('secret-discard-off', 'secret_path: a client whose secret could not be written is kept (not deleted)',
     'plugins/module_utils/_personal_clients.py', '                self._discard_unreceived(created, exc)\n',
     '                pass\n', FILES),
    ('429-not-retried', 'retry: 429 is not retried (also not on POST)', 'plugins/module_utils/_http.py',
     'RETRY_ALWAYS_STATUSES = frozenset((429,))\n', 'RETRY_ALWAYS_STATUSES = frozenset(())\n', FORKS),
    ('token-cache-off', 'token cache: never used', 'plugins/module_utils/_api.py',
     '        if params.get("token_cache", True) and params.get("client_id") and credential:\n',
     '        if False:\n', (RESTART, AUTH)),
]


def copy_repository(target):
    """Tracked and untracked (not ignored) files of the worktree, as they are now."""
    listed = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=str(REPO), check=True,
                            stdout=subprocess.PIPE).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(source), str(target / name))


def run_pytest(copy, args, workdir):
    junit = workdir / 'junit.xml'
    env = dict(os.environ, C1REL_REPORT=str(workdir / 'report.md'), PYTHONDONTWRITEBYTECODE='1')
    started = time.time()
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml', str(junit)] + list(args),
                          cwd=str(copy), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    (workdir / 'pytest.out').write_text(proc.stdout)
    failed, total = [], 0
    try:
        for case in ET.parse(str(junit)).getroot().iter('testcase'):
            if case.find('skipped') is not None or case.get('name', '').split('[')[0] in NOT_SCENARIOS:
                continue  # only the scenario tests (report rows), not the suite's own consistency checks
            total += 1
            if case.find('failure') is not None or case.find('error') is not None:
                failed.append(case.get('name'))
    except (OSError, ET.ParseError):
        failed.append('pytest did not run: %s' % proc.stdout[-500:])
    return total, failed, time.time() - started


def mutate(copy, path, old, new):
    target = copy / path
    text = target.read_text()
    if text.count(old) != 1:
        raise SystemExit('stale mutation: the snippet occurs %d times in %s:\n%s' % (text.count(old), path, old))
    target.write_text(text.replace(old, new))
    return text


def short(names, limit=12):
    labels = sorted(set(name.split('[', 1)[-1].rstrip(']') for name in names))
    return ', '.join(labels[:limit]) + (' (+%d)' % (len(labels) - limit) if len(labels) > limit else '')


def render(rows, seconds):
    lines = ['| mutation | removed | file | scenarios run | failed | failing scenarios |', '|---|---|---|---|---|---|']
    for name, what, path, total, failed, dummy in rows:
        cells = (name, what, path, total, len(failed), short(failed) or '**none: survived**')
        lines.append('| `%s` | %s | `%s` | %d | **%d** | %s |' % cells)
    lines += ['', '%d mutations, %d survived; %.0f s in all (%s, %d CPUs).' % (
        len(rows), sum(1 for r in rows if not r[4]), seconds, time.strftime('%Y-%m-%d'), os.cpu_count())]
    return lines


def write_docs(table):
    begin, end = relkit.MUTATIONS_BEGIN, relkit.MUTATIONS_END
    path = REPO / 'docs' / 'reliability.md'
    text = path.read_text()
    if begin not in text or end not in text:
        raise SystemExit('%s has no mutation table markers; run the reliability suite once first' % path)
    head, rest = text.split(begin, 1)
    path.write_text(head + '\n'.join([begin] + table + [end]) + rest.split(end, 1)[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--list', action='store_true', help='list the mutations and exit')
    parser.add_argument('--only', action='append', default=[], help='run only this mutation (repeatable)')
    parser.add_argument('--no-baseline', action='store_true', help='skip the unmutated run of the selected scenarios')
    parser.add_argument('--write-docs', action='store_true', help='also replace the mutation table in docs/reliability.md')
    args = parser.parse_args(argv)
    if args.list:
        for name, what, path, dummy, dummy2, tests in MUTATIONS:
            print('%-26s %s (%s) -> %s' % (name, what, path, ' '.join(tests)))
        return 0
    chosen = [m for m in MUTATIONS if not args.only or m[0] in args.only]
    unknown = set(args.only) - set(m[0] for m in MUTATIONS)
    if unknown:
        parser.error('unknown mutation(s): %s' % ', '.join(sorted(unknown)))
    started = time.time()
    root = Path(tempfile.mkdtemp(prefix='c1mutate-'))
    status = 0
    try:
        copy = root / 'repo'
        copy_repository(copy)
        rows = []
        if not args.no_baseline:
            for index, tests in enumerate(sorted(set(m[5] for m in chosen))):
                total, failed, seconds = run_pytest(copy, tests, root / ('baseline-%d' % index))
                sys.stderr.write('baseline %s: %d scenarios, %d failed (%.0f s)\n' % (' '.join(tests), total, len(failed), seconds))
                if failed:
                    sys.stderr.write('the unmutated suite fails: %s\n' % short(failed, 40))
                    status = 1
        for index, (name, what, path, old, new, tests) in enumerate(chosen):
            original = mutate(copy, path, old, new)
            try:
                total, failed, seconds = run_pytest(copy, tests, root / ('%02d-%s' % (index, name)))
            finally:
                (copy / path).write_text(original)
            rows.append((name, what, path, total, failed, seconds))
            sys.stderr.write('%s: %d of %d failed (%.0f s)\n' % (name, len(failed), total, seconds))
            if not failed:
                status = 1
        table = render(rows, time.time() - started)
        print('\n'.join(table))
        if args.write_docs:
            write_docs(table)
    finally:
        if os.environ.get('C1REL_KEEP') == '1':
            sys.stderr.write('kept %s\n' % root)
        else:
            shutil.rmtree(str(root), ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
