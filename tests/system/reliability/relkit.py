# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Helpers of the reliability suite: ansible-playbook runs, background jobs, the report (the emulator wrapper and
the leak scanner are tests/support's).

Everything is located from this file's path, so the suite works on a fresh clone: the collection is the
repository root, staged for Ansible as ``<tmp>/ansible_collections/conductorone/iam`` (a symlink).
"""

import atexit
import contextlib
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / 'tests'))

from support import emulator as support_emulator  # noqa: E402  pylint: disable=wrong-import-position
from support.leaks import JWT_RE, SECRET_PREFIX, SECRET_RE, find_leaks, secret_parts  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

SERVE = support_emulator.SERVE
read_env_file = support_emulator.read_env_file
ACTION_PLUGINS = HERE / 'action_plugins'
CALLBACK_PLUGINS = HERE / 'callback_plugins'
REPORT_PATH = REPO / 'docs' / 'reliability.md'

# Environment variables that would make a run depend on the machine rather than on the suite.
_STRIPPED_ENV_PREFIXES = ('ANSIBLE_', 'CONDUCTORONE_', 'C1REL_')

# Every subprocess the suite starts (emulators, ansible-playbook), so that an interrupted run leaves none behind.
_CHILDREN = set()
_CHILDREN_LOCK = threading.Lock()


def _track(proc):
    with _CHILDREN_LOCK:
        _CHILDREN.add(proc)
    return proc


def kill_children():
    """Terminate the suite's own subprocesses that are still running (by pid / process group)."""
    with _CHILDREN_LOCK:
        procs = list(_CHILDREN)
        _CHILDREN.clear()
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass
    for proc in procs:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass


atexit.register(kill_children)


# --------------------------------------------------------------------------------------------------------------
# Temporary space and the staged collection


class Workspace:
    """One temporary directory for the whole session (removed at the end unless C1REL_KEEP=1)."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix='c1rel-'))
        self.collections = self.root / 'collections'
        target = self.collections / 'ansible_collections' / 'conductorone'
        target.mkdir(parents=True)
        os.symlink(str(REPO), str(target / 'iam'))
        self._lock = threading.Lock()
        self._counter = 0

    def subdir(self, name):
        with self._lock:
            self._counter += 1
            path = self.root / ('%03d-%s' % (self._counter, re.sub(r'[^A-Za-z0-9_.-]+', '_', name)[:60]))
        path.mkdir(parents=True)
        return path

    def cleanup(self):
        if os.environ.get('C1REL_KEEP') != '1':
            shutil.rmtree(str(self.root), ignore_errors=True)


_WORKSPACE = None


def workspace():
    global _WORKSPACE  # pylint: disable=global-statement
    if _WORKSPACE is None:
        _WORKSPACE = Workspace()
    return _WORKSPACE


# --------------------------------------------------------------------------------------------------------------
# Emulator


class Emulator(support_emulator.Emulator):
    """The one emulator wrapper (tests/support/emulator.py), as this suite runs it.

    Its environment is stripped of ANSIBLE_* / CONDUCTORONE_* / C1REL_*, it runs in its own process group and is
    tracked, so that an interrupted run leaves none behind; its output goes to ``<workdir>/emulator.stderr``.
    """

    def __init__(self, workdir, args=()):
        super().__init__(workdir, args, env=clean_env(), output=Path(workdir) / 'emulator.stderr', new_session=True,
                         on_start=_track)

    def stderr_text(self):
        return self.output_text()

    def secret_works(self, client_id, client_secret):
        """True when the secret authenticates its client (token exchange + an authenticated call)."""
        if not client_id or not client_secret:
            return False
        status, body = self.token(client_id, client_secret)
        if status != 200:
            return False
        status, dummy, dummy2 = self.http('GET', '/api/v1/auth/introspect',
                                          headers={'Authorization': 'Bearer ' + body['access_token']})
        return status == 200

    def role(self, name):
        return next(r for r in self.state()['roles'] if r['name'] == name)


# --------------------------------------------------------------------------------------------------------------
# ansible-playbook


def clean_env(**extra):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(_STRIPPED_ENV_PREFIXES))
    env.update((k, str(v)) for k, v in extra.items() if v is not None)
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
    return env


def ansible_playbook_command():
    candidate = Path(sys.executable).parent / 'ansible-playbook'
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which('ansible-playbook')
    if found:
        return [found]
    return [sys.executable, '-m', 'ansible.cli.playbook']


class PlaybookRun:
    """The outcome of one ansible-playbook process: rc, outputs, and every task result (c1rel_results callback)."""

    def __init__(self, rc, stdout, stderr, duration, workdir):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.workdir = Path(workdir)
        self.tasks = {}
        self.stats = {}
        try:
            data = json.loads((self.workdir / 'results.json').read_text())
        except (OSError, ValueError):
            data = {'tasks': [], 'stats': {}}
        self.stats = data['stats']
        for entry in data['tasks']:
            self.tasks.setdefault(entry['name'], {})[entry['host']] = entry['result']
        self._overlay_registered()

    def _overlay_registered(self):
        """Results Ansible censored for the callback (a new secret marks them no_log): what ``register`` got."""
        try:
            lines = (self.workdir / 'registered.jsonl').read_text().splitlines()
        except OSError:
            return
        for line in lines:
            entry = json.loads(line)
            seen = self.tasks.get(entry['name'], {}).get(entry['host'])
            if seen is not None and 'censored' in seen and isinstance(entry['result'], dict):
                self.tasks[entry['name']][entry['host']] = dict(entry['result'], _status=seen.get('_status'))

    def result(self, name, host='localhost'):
        """The result of the (last) task with this name on host."""
        if name not in self.tasks or host not in self.tasks[name]:
            raise KeyError('task %r has no result for %s (rc %s)' % (name, host, self.rc))
        return self.tasks[name][host]

    def text(self):
        return self.stdout + '\n' + self.stderr

    def describe(self):
        return 'rc=%s\nSTDERR:\n%s\nSTDOUT (tail):\n%s' % (self.rc, self.stderr[-3000:], self.stdout[-3000:])


def run_playbook(plays, emulator=None, name='play', inventory=None, extra_env=None, args=(), xdg=None, workdir=None,
                 check=False, diff=False, verbosity=0, forks=None, timeout=300, emulator_env=True, background=False,
                 umask=None):
    """Write ``plays`` (a list of dicts) as a playbook and run ansible-playbook on it.

    ``extra_env`` values of None remove a variable. The emulator's CONDUCTORONE_* variables are passed unless
    ``emulator_env`` is false; C1REL_EMU_URL always is (for the c1emu control action).
    """
    ws = workspace()
    workdir = Path(workdir) if workdir else ws.subdir(name)
    workdir.mkdir(parents=True, exist_ok=True)
    playbook = workdir / 'playbook.yml'
    playbook.write_text(json.dumps(_with_recorders(plays), indent=1))
    cmd = ansible_playbook_command() + [str(playbook)]
    if inventory is not None:
        inv = workdir / 'inventory.ini'
        inv.write_text(inventory)
        cmd += ['-i', str(inv)]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    if forks:
        cmd += ['--forks', str(forks)]
    cmd += list(args)
    env = clean_env(
        ANSIBLE_COLLECTIONS_PATH=str(ws.collections),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
        ANSIBLE_ACTION_PLUGINS=str(ACTION_PLUGINS),
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACK_PLUGINS),
        ANSIBLE_CALLBACKS_ENABLED='c1rel_results',
        C1REL_RESULTS_FILE=str(workdir / 'results.json'),
        C1REL_RECORDS_FILE=str(workdir / 'registered.jsonl'),
        ANSIBLE_HOME=str(ws.root / 'ansible-home'),
        ANSIBLE_LOCAL_TEMP=str(workdir / 'tmp'),
        ANSIBLE_LOG_PATH=str(workdir / 'ansible.log'),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_RETRY_FILES_ENABLED='false',
        ANSIBLE_LOCALHOST_WARNING='false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        ANSIBLE_DEPRECATION_WARNINGS='false',
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        XDG_CACHE_HOME=str(xdg or (workdir / 'xdg-cache')),
    )
    if emulator is not None:
        env['C1REL_EMU_URL'] = emulator.url
        if emulator.ca_path:
            env['C1REL_EMU_CA'] = emulator.ca_path
        if emulator_env:
            env.update((k, v) for k, v in emulator.env.items() if k.startswith('CONDUCTORONE_'))
    for key, value in (extra_env or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    started = time.time()
    proc = _track(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(workdir), env=env,  # pylint: disable=consider-using-with
                                   text=True, start_new_session=True, umask=-1 if umask is None else umask))
    if background:
        return _Background(proc, started, workdir)
    return _finish(proc, started, workdir, timeout)


def _with_recorders(plays):
    """After each conductorone.iam task that registers its result, a hidden c1rel_record task (see there)."""
    out = []
    for doc in plays:
        tasks = []
        for task in doc.get('tasks') or []:
            tasks.append(task)
            if isinstance(task, dict) and task.get('register') and any(key.startswith('conductorone.iam.') for key in task):
                tasks.append({'name': '%s (registered)' % task.get('name'), 'no_log': True, 'ignore_errors': True,
                              'c1rel_record': {'name': task.get('name'), 'result': '{{ %s }}' % task['register']}})
        out.append(dict(doc, tasks=tasks) if 'tasks' in doc else doc)
    return out


def _finish(proc, started, workdir, timeout=300):
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += '\n[reliability suite: killed after %ss]' % timeout
    (Path(workdir) / 'stdout.txt').write_text(stdout)
    (Path(workdir) / 'stderr.txt').write_text(stderr)
    return PlaybookRun(proc.returncode, stdout, stderr, time.time() - started, workdir)


class _Background:
    def __init__(self, proc, started, workdir):
        self.proc, self.started, self.workdir = proc, started, workdir

    def wait(self, timeout=300):
        return _finish(self.proc, self.started, self.workdir, timeout)


def failed(result):
    return bool(result) and (result.get('_status') == 'failed' or bool(result.get('failed')))


def crashed(result):
    """An unhandled exception in the plugin (Ansible's generic 'Task failed: <exception>'), not a clear message."""
    msg = str((result or {}).get('msg') or '')
    return msg.startswith('Task failed:') or 'Unexpected failure' in msg or 'Traceback (most recent call last)' in msg


def play(tasks, hosts='localhost', defaults=None, name='reliability', vars=None):  # pylint: disable=redefined-builtin
    """One play against the controller; ``defaults`` go to every conductorone.iam module."""
    doc = {'name': name, 'hosts': hosts, 'gather_facts': False, 'tasks': tasks}
    if hosts == 'localhost':
        doc['connection'] = 'local'
    if defaults:
        doc['module_defaults'] = {'group/conductorone.iam.all': defaults}
    if vars:
        doc['vars'] = vars
    return doc


def ctl(name, **args):
    """A task of the suite's controller-side ``c1emu`` action (tests/system/reliability/action_plugins/c1emu.py)."""
    return {'name': name, 'c1emu': args}


def mod(name, module, args, **keywords):
    task = {'name': name, 'conductorone.iam.' + module: args, 'register': 'r', 'ignore_errors': True}
    task.update(keywords)
    return task


# --------------------------------------------------------------------------------------------------------------
# Background jobs: the slow parts run in parallel; tests wait for the result they need.


_JOBS = {}
_SELECTED = {}  # test function name -> parametrize ids of its selected items (conftest fills it after collection)
_EXECUTOR = None
_FUTURES = {}
_FUTURES_LOCK = threading.Lock()


def job(name, weight=1):
    """Register a function as a background job, started as soon as collection finishes."""
    def register(func):
        _JOBS[name] = (func, weight, func.__module__)
        return func
    return register


def select(items):
    """Record which parametrized items were selected, so a job can build only their rows (``selected_ids``)."""
    _SELECTED.clear()
    for item in items:
        name, bracket, param = item.name.partition('[')
        if bracket:
            _SELECTED.setdefault(name, set()).add(param[:-1])


def selected_ids(function_name):
    """The selected parametrize ids of ``function_name`` (``-k`` or node ids may select a few rows), or None when
    nothing was recorded (a job run outside pytest builds every row)."""
    return _SELECTED.get(function_name)


def jobs_named_in(function):
    """The jobs a test function asks for by name (``job_result('name')`` in its own source): the only ones a run of
    just that test needs to start. Empty when it asks through a helper (then its module's jobs all start)."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return []
    return [name for name in re.findall(r"job_result\(['\"]([\w-]+)['\"]", source) if name in _JOBS]


def jobs_of_module(module_name):
    return [name for name, spec in _JOBS.items() if spec[2] == module_name]


def start_jobs(job_names, workers):
    """Start these jobs (heaviest first) on a pool of ``workers`` threads."""
    global _EXECUTOR  # pylint: disable=global-statement
    _EXECUTOR = ThreadPoolExecutor(max_workers=workers, thread_name_prefix='c1rel')
    wanted = [(name, spec) for name, spec in _JOBS.items() if name in job_names]
    for name, (func, dummy, dummy2) in sorted(wanted, key=lambda item: -item[1][1]):
        _submit(name, func)


JOB_TIMES = {}


def _timed(name, func):
    def run():
        started = time.time()
        try:
            return func()
        finally:
            JOB_TIMES[name] = (started, time.time())
    return run


def _submit(name, func):
    with _FUTURES_LOCK:
        if name not in _FUTURES:
            _FUTURES[name] = _EXECUTOR.submit(_timed(name, func)) if _EXECUTOR else None
            if _FUTURES[name] is None:
                raise RuntimeError('no executor')
        return _FUTURES[name]


def job_result(name, timeout=600):
    """Wait for a job (starting it now if it was not started) and return its value; re-raises its error."""
    if _EXECUTOR is None:
        start_jobs(set(), 2)
    return _submit(name, _JOBS[name][0]).result(timeout)


def stop_jobs():
    if _EXECUTOR is not None:
        _EXECUTOR.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------------------------------------------
# The report (docs/reliability.md)


class Report:
    """Rows of scenario -> outcome, and the counters of the summary."""

    CATEGORIES = [
        ('transient', '1. Transient faults on every API operation'),
        ('lost', '2. Lost create responses'),
        ('auth', '3. Token expiry and revoked credentials'),
        ('concurrency', '4. Concurrency'),
        ('input', '5. Bad input matrix'),
        ('leaks', '6. Secrets, files and TLS'),
        ('restart', '7. State across emulator restarts'),
        ('converge', '8. Declared state: exclusive mode and shared secret files (security findings 5, 6)'),
        ('security', '9. Security'),
        ('partial', '10. Concurrency and partial failure'),
        ('hostile', '11. Hostile tenant'),
    ]

    # the heading of the "expected" column, where a category states something else (a guarantee)
    EXPECTED_HEADING = {'partial': 'guarantee'}

    NOTES = {
        'security': [
            'Each row is an attack (scenario column) and the behaviour that must hold (expected column). Hostile servers',
            'on other loopback addresses record what they received; "nothing" means not one request reached them.',
            'Outputs of `ansible-playbook -vvv` and the log file are scanned for the values each attack tries to expose.',
            'Run against the code before issue 11 (296eb25, with only this file and the emulator updated:',
            '`git worktree add /tmp/sec-old 296eb25`, copy `tests/system/reliability/test_rel_security.py` and',
            '`tests/emulator/c1emu/oauth.py` there, run this file), all 17 rows fail.'
        ],
        'transient': [
            'Each cell is one scenario: the fault is injected on that operation only (method + path), `retries: 2`.',
            'GET, DELETE and the token exchange must retry every fault and converge; `budget spent` (3 x 503) must fail',
            'with one message naming the operation, HTTP status, gateway code and request id. POSTs retry only 429',
            '(`budget spent` = 3 x 429). Update and search POSTs must fail once on 5xx, timeout, drop or HTML, with exactly',
            'one POST in the request log; create must reconcile (look for the client it may have made, delete it, create',
            'once more) and end with exactly one live client whose returned secret works, or fail naming the orphan.',
        ],
        'input': ['Each malformed value comes with a valid partner (a bad client_id with a valid client_secret and vice versa),',
                  'so the validator of that option is what refuses it. The message must match an anchored pattern (it starts with',
                  'the option name or Ansible\'s `argument \'option\'`, or a row-specific `^...` expression); `********` inside a',
                  'word (no_log masking a test value) fails the row. For the writing modules the request log must show no POST',
                  'or DELETE but the token exchange (and the read-only search). The `*_info` modules never write: for them only',
                  'the message is proven, and they are counted apart.'],
        'lost': ['Every row declares its one outcome and the statuses of its creates (POST) and deletes (DELETE) in order; the',
                 'harness fails a row whose fault was not consumed or hit a different number of times than injected. The end',
                 'state is checked in the emulator: exactly one new live client of that name whose returned (or written) secret',
                 'authenticates, clients of the same name from before untouched; L4 and L6 must fail naming what to clean up.'],
        'leaks': ['Outputs scanned: stdout and stderr of `ansible-playbook -vvvv` (default callback) and the ANSIBLE_LOG_PATH',
                  'file. A created secret may appear only as the documented `"client_secret": "..."` result.'],
        'hostile': [
            'Limits in force (defaults): `timeout` bounds each whole request (connect, send, complete response), so a task',
            'spends at most timeout x (retries + 1) plus backoff (each pause <= 30 s, `Retry-After` <= 60 s) on one call;',
            'a listing stops past `max_list_items` (100,000) items or 2 x max_list_items / 100 (2,000) pages; a response',
            'body stops past `max_response_bytes` (16 MiB). Server text (messages, request ids, names in errors and',
            'reports) is masked first, then every control character, DEL, C1 and bidi control is shown as `\\x1b` /',
            '`\\u202e`, then cut (300 characters for a message, 100 for a request id, 2,000 for any message). The CSV',
            'report prefixes an apostrophe to cells starting with = + - @ (also full-width, also after blanks), TAB, CR or',
            'LF; Markdown escapes HTML, link/image/emphasis/code/table syntax and shows control characters as text.',
        ],
    }

    def __init__(self):
        self.rows = []
        self.lock = threading.Lock()
        self.counters = {'faults_injected': 0, 'faults_survived': 0, 'bad_inputs': 0, 'refused_before_write': 0,
                         'bad_inputs_read_only': 0, 'refused_read_only': 0,
                         'leak_checks': 0, 'leaks_found': 0}

    def add(self, category, scenario, expected, observed, passed, faults=0, bad_input=False, leak_checks=0, leaks=0, grid=None,
            read_only=False):
        """One row; ``grid`` = (row label, column label) also places it in the category's overview grid."""
        if _WORKSPACE is not None:  # temporary paths vary from run to run and mean nothing in the report
            observed = str(observed).replace(str(_WORKSPACE.root), '$TMP')
        with self.lock:
            self.rows.append({'category': category, 'scenario': scenario, 'expected': expected,
                              'observed': observed, 'passed': bool(passed), 'grid': grid})
            self.counters['faults_injected'] += faults
            if passed:
                self.counters['faults_survived'] += faults
            if bad_input and read_only:  # a read-only module: "before any write" cannot fail, so counted apart
                self.counters['bad_inputs_read_only'] += 1
                if passed:
                    self.counters['refused_read_only'] += 1
            elif bad_input:
                self.counters['bad_inputs'] += 1
                if passed:
                    self.counters['refused_before_write'] += 1
            self.counters['leak_checks'] += leak_checks
            self.counters['leaks_found'] += leaks

    def _proof_rows(self):
        out = []
        for key, title in self.CATEGORIES:
            rows = [row for row in self.rows if row['category'] == key]
            if rows:
                out.append('| %s | %d | %d | %s |' % (title, len(rows), sum(1 for row in rows if row['passed']),
                                                      PROOF.get(key, '')))
        return out

    def render(self, meta):
        passed = sum(1 for row in self.rows if row['passed'])
        lines = [
            '# Reliability and security test results',
            '',
            '<!-- Generated by tests/system/reliability (python -m pytest tests/system/reliability); do not edit by hand. -->',
            '',
            'The suite drives `ansible-playbook` against the local emulator (`tests/emulator`), injects faults with',
            '`/_emulator/faults` and checks the outcome in the task results and in the emulator\'s request log and',
            'state. Scenarios run with small `retries` (2) and `timeout` (2 s for the delay scenarios).',
            '',
            '| | |',
            '|---|---|',
            '| generated | %s |' % meta.get('generated'),
            '| command | `%s` |' % meta.get('command'),
            '| ansible-core / Python | %s / %s |' % (meta.get('ansible'), meta.get('python')),
            '| runtime | %.0f s |' % meta.get('runtime', 0),
            '| scenarios | %d run, **%d passed, %d failed** |' % (len(self.rows), passed, len(self.rows) - passed),
            '| faults injected / survived | %d / %d |' % (self.counters['faults_injected'], self.counters['faults_survived']),
            '| bad inputs to writing modules tried / refused before any write | %d / %d |' % (
                self.counters['bad_inputs'], self.counters['refused_before_write']),
            '| bad inputs to read-only modules (`*_info`) tried / refused with the specific message | %d / %d |' % (
                self.counters['bad_inputs_read_only'], self.counters['refused_read_only']),
            '| leak checks (secret or token x output or file) / leaks found | %d / **%d** |' % (
                self.counters['leak_checks'], self.counters['leaks_found']),
            '',
            '"Survived" means the scenario ended as the retry policy promises: converged, or (for a request that',
            'must not be retried blindly) one clear failure after exactly one attempt. Each row is one pytest test.',
            '',
            '## What the suite proves',
            '',
            'Every scenario run through `relkit.run_scenario_set` (categories 2, 3, 5 and the later-page rows of 1) is',
            'held to the harness contract of `tests/system/reliability/README.md`: its injected faults were all consumed and each',
            'hit exactly once per count, every module task ended with its one declared outcome, and the request log shows',
            'the declared requests (counts or statuses in order); the fault grid of category 1 checks the same (no pending',
            'fault, faulted requests = injected, the attempt count the policy implies) in its own code.',
            '',
            '| category | scenarios | passed | proven by |',
            '|---|---|---|---|',
        ] + self._proof_rows() + [
            '',
            '## Mutation check',
            '',
            '`tests/system/reliability/mutate.py` (`make mutate`, not part of `make test`) removes one guarded code path or fault',
            'at a time in a temporary copy of the repository and runs the scenarios that claim to prove it: each must make',
            'at least one scenario fail. A bad-input validator (or argument-spec entry) is run on its own rows only. The',
            'table ends with the coverage: rows failing under at least one mutation, rows no mutation runs, and rows run',
            'under a mutation but failing under none. Its last published table (`mutate.py --write-docs` replaces it; a',
            'run of this suite keeps it):',
            '',
        ] + (meta.get('mutations') or [MUTATIONS_BEGIN, '(not run yet)', MUTATIONS_END])
        if meta.get('partial'):
            lines += ['', '**Partial run** (%s): not every scenario ran.' % meta['partial']]
        for key, title in self.CATEGORIES:
            rows = [row for row in self.rows if row['category'] == key]
            if not rows:
                continue
            ok = sum(1 for row in rows if row['passed'])
            lines += ['', '## %s' % title, '']
            if self.NOTES.get(key):
                lines += self.NOTES[key] + ['']
            lines += ['%d scenarios, %d passed, %d failed.' % (len(rows), ok, len(rows) - ok)]
            lines += _grid([row for row in rows if row.get('grid')])
            lines += ['', '| scenario | %s | observed | result |' % self.EXPECTED_HEADING.get(key, 'expected'), '|---|---|---|---|']
            for row in rows:
                lines.append('| %s | %s | %s | %s |' % (_cell(row['scenario']), _cell(row['expected']),
                                                        _cell(row['observed']), 'pass' if row['passed'] else '**FAIL**'))
        return '\n'.join(lines) + '\n'


PROOF = {
    'transient': 'per cell: fault consumed, faulted requests = injected, attempts as the policy implies, converged or one '
                 'message naming operation, HTTP status, gateway code and request id; P1-P3 also: the retry resends the '
                 'same later page (its page token compared: a GET\'s query string, a search body\'s logged page_token)',
    'lost': 'harness contract (POST/DELETE statuses in order, one outcome) + one live client whose secret works',
    'auth': 'harness contract + the exact request sequence (401, token exchange, retry) of each row',
    'concurrency': 'end state in the emulator (no duplicate, every client usable) and changed counts',
    'input': 'anchored message, no masked text; writing modules: no write in the request log',
    'leaks': 'secrets and tokens searched in every output and file; file modes; TLS refusals',
    'restart': 'state identical across the restart, no write and exact token exchanges on the re-runs',
    'converge': 'end state in the emulator: the authenticated client alive, secrets on file, nothing deleted after a failed item',
    'security': 'what each hostile server and the emulator received (nothing, for refusals), and every output scanned for the secret',
    'partial': 'end state in the emulator after two processes forced to overlap (barriers): clients per name, who holds each '
               'secret, role entries; both processes\' results; a third run writes nothing',
}
MUTATIONS_BEGIN = '<!-- mutation-table:begin (tests/system/reliability/mutate.py --write-docs) -->'
MUTATIONS_END = '<!-- mutation-table:end -->'


def published_mutations(path):
    """The mutation table block of an existing report (kept when the suite rewrites it), or None."""
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    if MUTATIONS_BEGIN not in text or MUTATIONS_END not in text:
        return None
    block = text[text.index(MUTATIONS_BEGIN):text.index(MUTATIONS_END) + len(MUTATIONS_END)]
    return block.split('\n')


def _grid(rows):
    if not rows:
        return []
    row_labels, col_labels, cells = [], [], {}
    for row in rows:
        r, c = row['grid']
        if r not in row_labels:
            row_labels.append(r)
        if c not in col_labels:
            col_labels.append(c)
        cells[(r, c)] = 'pass' if row['passed'] else '**FAIL**'
    lines = ['', '| operation | %s |' % ' | '.join(col_labels), '|---|%s' % ('---|' * len(col_labels))]
    for r in row_labels:
        lines.append('| %s | %s |' % (r, ' | '.join(cells.get((r, c), '') for c in col_labels)))
    return lines


def _cell(text):
    text = ' '.join(str(text).split())
    if len(text) > 300:
        text = text[:297] + '...'
    return text.replace('|', '\\|')


REPORT = Report()


# --------------------------------------------------------------------------------------------------------------
# Leak scanning


# secret_parts and find_leaks: the one leak scanner, tests/support/leaks.py (imported above)


# --------------------------------------------------------------------------------------------------------------
# Scenario sets: many small scenarios batched into one playbook, checked in Python while the emulator is up.


class ContractError(ValueError):
    """A scenario that cannot prove its claim (see README.md, "The scenario contract"); refused before it runs."""


OUTCOMES = ('ok', 'changed', 'failed')


class Scenario:
    """One claim, proved by the harness and by ``check``.

    ``tasks`` are this scenario's tasks (every name starts with ``key``); ``check(ctx)`` returns problems (a list
    of strings; empty = pass) or (problems, observed). The harness adds its own problems (the contract in
    README.md): every fault injected by a ``c1emu: {faults: [...]}`` task was consumed (none pending) and hit
    exactly once per count; every module task ended with its declared ``outcome`` ('ok', 'changed' or 'failed':
    one value, or a dict task suffix -> value); the scenario's request log (all its ``collect`` tasks) matches
    ``requests``: a list of (method, path regex, expected) where expected is a count or the ordered list of
    statuses (None for a dropped request). A scenario that injects a fault must declare ``requests``.
    """

    def __init__(self, key, label, expected, tasks, check, bad_input=False, outcome=None, requests=None, read_only=False):
        self.key, self.label, self.expected, self.tasks, self.check = key, label, expected, tasks, check
        self.bad_input, self.read_only = bad_input, read_only
        self.outcome, self.requests = outcome, list(requests or [])

    def module_tasks(self):
        """Suffixes of this scenario's collection-module tasks."""
        return [_suffix(self.key, task['name']) for task in self.tasks
                if any(name.startswith('conductorone.iam.') for name in task)]

    def collect_tasks(self):
        return [_suffix(self.key, task['name']) for task in self.tasks if (task.get('c1emu') or {}).get('collect')]

    def injected_faults(self):
        return sum(int(fault.get('count', 1)) for task in self.tasks for fault in (task.get('c1emu') or {}).get('faults') or [])

    def outcomes(self):
        if isinstance(self.outcome, dict):
            return dict(self.outcome)
        return dict((suffix, self.outcome) for suffix in self.module_tasks())

    def validate(self):
        """Refuse (ContractError) a scenario whose declaration cannot prove anything."""
        where = 'scenario %s (%s)' % (self.key, self.label)
        for task in self.tasks:
            if not str(task.get('name', '')).startswith(self.key + ' '):
                raise ContractError('%s: task %r does not start with the key' % (where, task.get('name')))
        modules, collects = self.module_tasks(), self.collect_tasks()
        if not modules:
            raise ContractError('%s: no conductorone.iam module task' % where)
        if not collects:
            raise ContractError('%s: no c1emu collect task, so its request log and faults go unchecked' % where)
        last_module = max(i for i, task in enumerate(self.tasks) if _suffix(self.key, task['name']) in modules)
        last_collect = max(i for i, task in enumerate(self.tasks) if _suffix(self.key, task['name']) in collects)
        if last_collect < last_module:
            raise ContractError('%s: the last module task runs after the last collect task' % where)
        if self.outcome is None:
            raise ContractError('%s: declares no outcome; pass outcome=\'ok\'|\'changed\'|\'failed\' (or a dict per '
                                'module task): a scenario must assert its one documented outcome' % where)
        outcomes = self.outcomes()
        if sorted(outcomes) != sorted(modules) or any(value not in OUTCOMES for value in outcomes.values()):
            raise ContractError('%s: outcome %r must give one of %s for each module task %s' % (where, self.outcome, OUTCOMES, modules))
        if self.injected_faults() and not self.requests:
            raise ContractError('%s: injects %d fault(s) but declares no expected requests; pass requests=[(method, '
                                'path regex, count or [statuses])]' % (where, self.injected_faults()))
        for spec in self.requests:
            if len(spec) != 3 or not isinstance(spec[2], (int, list, tuple)) or isinstance(spec[2], bool):
                raise ContractError('%s: requests entry %r is not (method, path regex, count or [statuses])' % (where, spec))


def _suffix(key, name):
    return name[len(key) + 1:] if name.startswith(key + ' ') else name


def outcome_of(result):
    if failed(result):
        return 'failed'
    if not result or result.get('_status') not in ('ok', None):
        return 'no result (%s)' % (result or {}).get('_status')
    return 'changed' if result.get('changed') else 'ok'


class Ctx:
    def __init__(self, run, emu, key, workdir, scenario=None):
        self.run, self.emu, self.key, self.workdir = run, emu, key, Path(workdir)
        self.scenario = scenario

    def r(self, suffix, host='localhost'):
        return self.run.result('%s %s' % (self.key, suffix), host)

    def log(self, suffix='collect'):
        return self.r(suffix).get('requests') or []

    def full_log(self):
        """The request log of every collect task of this scenario, in order."""
        out = []
        for suffix in self.scenario.collect_tasks():
            out.extend(self.log(suffix))
        return out

    def pending(self):
        out = []
        for suffix in self.scenario.collect_tasks():
            out.extend(self.r(suffix).get('pending_faults') or [])
        return out


def count_faults(ctx):
    """Faulted requests in every collect task of this scenario."""
    return sum(1 for entry in ctx.full_log() if entry.get('fault'))


def contract_problems(scenario, ctx):
    """What the harness itself requires of every scenario (README.md, "The scenario contract")."""
    problems = []
    pending = ctx.pending()
    if pending:
        problems.append('contract: fault(s) never consumed: %s' % pending)
    injected, hits = scenario.injected_faults(), count_faults(ctx)
    if hits != injected:
        problems.append('contract: %d fault(s) injected, %d hit in the request log' % (injected, hits))
    for suffix, want in sorted(scenario.outcomes().items()):
        try:
            got = outcome_of(ctx.r(suffix))
        except KeyError:
            got = 'no result'
        if got != want:
            problems.append('contract: task %r ended %s, expected %s' % (suffix, got, want))
    log = ctx.full_log()
    for method, path, want in scenario.requests:
        pattern = re.compile(path)
        entries = [e for e in log if e['method'] == method and pattern.search(e['path'])]
        if isinstance(want, int):
            if len(entries) != want:
                problems.append('contract: expected %d x %s %s, saw %d (%s)' % (
                    want, method, path, len(entries), ', '.join(str(e['status']) for e in entries)))
        elif [e['status'] for e in entries] != list(want):
            problems.append('contract: expected %s %s statuses %s, saw %s' % (
                method, path, list(want), [e['status'] for e in entries]))
    return problems


@contextlib.contextmanager
def job_emulator(name, seed=None):
    """The job's workspace and an emulator started in its ``<name>-emulator`` folder (seeded with ``seed`` when
    given); the emulator stops when the block ends."""
    ws = workspace()
    emu = Emulator(ws.subdir(name + '-emulator')).start()
    try:
        if seed is not None:
            emu.control('POST', 'seed', seed)
        yield ws, emu
    finally:
        emu.stop()


def check_each(checks, ctx):
    """{key: check(ctx)} for every (key, check) pair; a check that raises is a problem of its key, shown with the
    end of the run's output."""
    out = {}
    for key, check in checks:
        try:
            out[key] = check(ctx)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            out[key] = (['could not check: %r' % (exc,)], ctx.run.describe()[-800:])
    return out


def run_scenario_set(name, scenarios, emulator_args=(), defaults=None, pre_tasks=(), emulator=None, index=None,
                     **playbook_kwargs):
    """Run every scenario's tasks in one playbook; returns {key: {'problems', 'observed', 'faults'}}.

    ``index``: a dict the scenarios are put in by key before anything runs (the tests look their scenario up there).

    Every scenario is validated first (ContractError: nothing runs), then checked by the contract and by its own
    ``check``; a scenario passes only when both find no problem.
    """
    if index is not None:
        index.update((scenario.key, scenario) for scenario in scenarios)
    for scenario in scenarios:
        scenario.validate()
    keys = [scenario.key for scenario in scenarios]
    if len(set(keys)) != len(keys):
        raise ContractError('duplicate scenario keys in %s' % name)
    ws = workspace()
    own = emulator is None
    emu = emulator or Emulator(ws.subdir(name + '-emulator'), emulator_args).start()
    try:
        workdir = ws.subdir(name)
        tasks = list(pre_tasks)
        for scenario in scenarios:
            tasks.extend(scenario.tasks)
        run = run_playbook([play(tasks, defaults=defaults)], emu, name=name, workdir=workdir, **playbook_kwargs)
        out = {'_run': run}
        for scenario in scenarios:
            ctx = Ctx(run, emu, scenario.key, workdir, scenario)
            try:
                checked = scenario.check(ctx)
                problems, observed = checked if isinstance(checked, tuple) else (checked, None)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                problems, observed = ['could not check: %r' % (exc,)], run.describe()[-1500:]
            try:
                problems = contract_problems(scenario, ctx) + list(problems)
                faults = count_faults(ctx)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                problems, faults = ['contract: could not check: %r' % (exc,)] + list(problems), 0
            out[scenario.key] = {'problems': list(problems), 'observed': observed, 'faults': faults}
        return out
    finally:
        if own:
            emu.stop()


def report_scenario(report, category, scenario, outcome):
    problems = outcome['problems']
    observed = outcome.get('observed') or ('as expected' if not problems else '')
    if problems:
        observed = (observed + ' -- ' if observed else '') + '; '.join(problems)
    report.add(category, scenario.label, scenario.expected, observed, not problems, faults=outcome.get('faults', 0),
               bad_input=scenario.bad_input, read_only=scenario.read_only)
    return problems


def summarize(result):
    """A short observation of one task result."""
    if not result:
        return 'no result'
    if failed(result):
        return 'failed: %s' % str(result.get('msg'))[:220]
    return 'changed' if result.get('changed') else 'ok'
