# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The one wrapper of tests/emulator/serve.py: start, stop, URL, and a client of its /_emulator/ controls.

From Python (the system suites, the benchmarks, the emulator's own tests), with ``<collection>/tests`` on sys.path:

    from support.emulator import Emulator
    emu = Emulator(workdir, ['--token-ttl', '2']).start()   # waits until serve.py wrote its env file
    emu.url, emu.client_id, emu.client_secret, emu.ca_path, emu.env
    emu.control('POST', 'faults', {...}); emu.state(); emu.requests_log(); emu.access_token()
    emu.stop()                                                # SIGTERM, then the exit status

``output``: a file for stdout and stderr (default ``<workdir>/emulator.log``), or ``'pipe'`` (``proc.stdout`` /
``proc.stderr``, text). ``env``: the child's environment (default: this process's); ``new_session``: its own
process group; ``on_start(proc)``: called with the Popen object as soon as it exists.

From a shell (the integration targets' runme.sh files; ``make demo``), the emulator outlives this process:

    eval "$(PYTHONPATH=<collection>/tests python -m support.emulator start [serve.py arguments])"

prints shell code that exports CONDUCTORONE_SERVER_URL, _CLIENT_ID, _CLIENT_SECRET, _WFE_CLIENT_ID (and
_CA_PATH with --tls), EMULATOR_URL, EMULATOR_CA_PATH, EMULATOR_PID, EMULATOR_DIR, C1_COLLECTION (the collection
the entry ran from), sets WORK_DIR (an empty directory for the target's files, removed with the emulator) and
PYTHON (the interpreter of this entry, ansible-test's), enables the c1_ran_tasks callback, sets per-target ANSIBLE_ASYNC_DIR, ANSIBLE_LOCAL_TEMP and
XDG_CACHE_HOME under ansible-test (OUTPUT_DIR), and defines three shell functions:

    emulator_stop                 stop it (also on EXIT); fails the script when no ansible-playbook run got to
                                  its end while it was up, or when one ran nothing (callback c1_ran_tasks)
    emulator_control M NAME [JSON]  one /_emulator/ control, its answer on stdout
    c1_support MODULE ARGS...     python -m support.MODULE (e.g. c1_support leaks LOG --env NAME)

The credentials never appear in the printed code (it sources a 0600 file with xtrace off), so a runme.sh under
``set -x`` prints no secret.
"""

import argparse
import json
import os
import shlex
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SERVE = TESTS / 'emulator' / 'serve.py'
CALLBACK_PLUGINS = Path(__file__).resolve().parent / 'callback_plugins'
READY_KEYS = ('CONDUCTORONE_SERVER_URL', 'CONDUCTORONE_CLIENT_ID', 'CONDUCTORONE_CLIENT_SECRET')


def read_env_file(path):
    values = {}
    with open(str(path), encoding='utf-8') as stream:
        for line in stream:
            line = line.strip()
            if line and not line.startswith('#') and '=' in line:
                key, value = line.split('=', 1)
                values[key] = value
    return values


def request(url, method='GET', body=None, form=None, headers=None, ca_path=None, timeout=30):
    """(status, decoded JSON or text, headers) of one HTTP request, error statuses included."""
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    elif body is not None:
        data = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    context = ssl.create_default_context(cafile=ca_path) if url.startswith('https:') else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as response:
            status, raw, rheaders = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, raw, rheaders = exc.code, exc.read(), dict(exc.headers)
    try:
        decoded = json.loads(raw.decode()) if raw else {}
    except ValueError:
        decoded = raw.decode(errors='replace')
    return status, decoded, rheaders


class Emulator:
    """One serve.py child process: start (wait until its env file is written), stop, its env file, its controls."""

    def __init__(self, workdir, args=(), env=None, output=None, new_session=False, on_start=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env_path = self.workdir / 'emulator.env'
        self.args = [str(arg) for arg in args]
        self.child_env = env
        self.output = output
        self.new_session = new_session
        self.on_start = on_start
        self.proc = None
        self.env = {}
        self._log = None

    @property
    def log_path(self):
        return None if self.output == 'pipe' else Path(self.output or self.workdir / 'emulator.log')

    def start(self, timeout=30):
        if self.env_path.exists():
            self.env_path.unlink()
        cmd = [sys.executable, str(SERVE), '--port', '0', '--env-file', str(self.env_path)] + self.args
        if self.output == 'pipe':
            streams = {'stdout': subprocess.PIPE, 'stderr': subprocess.PIPE, 'text': True}
        else:
            self._log = open(str(self.log_path), 'ab')  # pylint: disable=consider-using-with
            streams = {'stdout': self._log, 'stderr': subprocess.STDOUT}
        self.proc = subprocess.Popen(cmd, cwd=str(self.workdir), env=self.child_env,  # pylint: disable=consider-using-with
                                     start_new_session=self.new_session, stdin=subprocess.DEVNULL, **streams)
        if self.on_start:
            self.on_start(self.proc)
        deadline = time.time() + timeout
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError('serve.py exited %s: %s' % (self.proc.returncode, self.output_text()))
            if time.time() > deadline:
                self.stop()
                raise RuntimeError('serve.py did not write its env file within %s s: %s' % (timeout, self.output_text()))
            time.sleep(0.02)
        self.env = read_env_file(self.env_path)
        return self

    def _ready(self):
        try:
            return all(key in read_env_file(self.env_path) for key in READY_KEYS)
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal the process and return its exit status (None if it never started); killed after ``timeout``."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr, self._log):
            if stream is not None and not stream.closed:
                stream.close()
        return self.proc.returncode

    def output_text(self, limit=4000):
        """The tail of what the process wrote (with ``output='pipe'``: what is left to read, once it has exited)."""
        if self.output == 'pipe':
            if self.proc is None or self.proc.poll() is None:
                return ''
            return (self.proc.stderr.read() or '')[-limit:]
        try:
            return self.log_path.read_text(errors='replace')[-limit:]
        except OSError:
            return ''

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return self.env['CONDUCTORONE_SERVER_URL']

    @property
    def client_id(self):
        return self.env['CONDUCTORONE_CLIENT_ID']

    @property
    def client_secret(self):
        return self.env['CONDUCTORONE_CLIENT_SECRET']

    @property
    def ca_path(self):
        return self.env.get('CONDUCTORONE_CA_PATH')

    # ---- the HTTP side: /_emulator/ controls, token exchanges --------------------------------------------------

    def http(self, method, path, body=None, form=None, headers=None, timeout=30):
        """(status, decoded JSON or text, headers) of one request to the emulator, errors included."""
        return request(self.url + path, method, body=body, form=form, headers=headers, ca_path=self.ca_path,
                       timeout=timeout)

    def control(self, method, name, body=None, timeout=30):
        """One /_emulator/ control (config, seed, faults, requests, state, reset ...); raises unless 200."""
        status, decoded, dummy = self.http(method, '/_emulator/' + name, body=body, timeout=timeout)
        if status != 200:
            raise RuntimeError('control %s %s -> %s %s' % (method, name, status, decoded))
        return decoded

    def token(self, client_id=None, client_secret=None):
        """(status, body) of a token exchange with a whole client secret (the emulator accepts that form)."""
        status, body, dummy = self.http('POST', '/auth/v1/token', form={
            'grant_type': 'client_credentials', 'client_id': client_id or self.client_id,
            'client_secret': client_secret or self.client_secret})
        return status, body

    def access_token(self, client_id=None, client_secret=None):
        status, body = self.token(client_id, client_secret)
        if status != 200:
            raise RuntimeError('token exchange failed: %s %s' % (status, body))
        return body['access_token']

    def state(self):
        return self.control('GET', 'state')

    def requests_log(self):
        return self.control('GET', 'requests')['requests']

    def live_clients(self, display_name=None, prefix=None):
        clients = [c for c in self.state()['personalClients'] if not c.get('deletedAt')]
        if display_name is not None:
            clients = [c for c in clients if c.get('displayName') == display_name]
        if prefix is not None:
            clients = [c for c in clients if (c.get('displayName') or '').startswith(prefix)]
        return clients


# ---- the shell entry point ----------------------------------------------------------------------------------

def _shell_start(serve_args, python):
    """Start a detached serve.py, wait until it is ready, and print the shell code described above."""
    workdir = Path(tempfile.mkdtemp(prefix='c1-emulator.', dir=os.environ.get('TMPDIR') or None))
    emu = Emulator(workdir, ['--host', '127.0.0.1'] + list(serve_args), new_session=True)
    try:
        emu.start(timeout=float(os.environ.get('EMULATOR_START_TIMEOUT', '60')))
    except RuntimeError as exc:
        sys.stderr.write('support.emulator: the emulator did not start: %s\n' % exc)
        subprocess.run(['rm', '-rf', str(workdir)], check=False)
        return 1
    exports = dict(emu.env, EMULATOR_URL=emu.url, EMULATOR_CA_PATH=emu.ca_path or '', EMULATOR_PID=str(emu.proc.pid),
                   EMULATOR_DIR=str(workdir), EMULATOR_ENV_FILE=str(emu.env_path), EMULATOR_LOG=str(emu.log_path),
                   C1_RAN_TASKS_LOG=str(workdir / 'ran-tasks.log'), C1_COLLECTION=str(TESTS.parent))
    shell_env = workdir / 'shell.env'
    with open(os.open(str(shell_env), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w', encoding='utf-8') as stream:
        stream.write(''.join('export %s=%s\n' % (key, shlex.quote(value)) for key, value in sorted(exports.items())))
    (workdir / 'pid').write_text(str(emu.proc.pid))
    (workdir / 'work').mkdir(mode=0o700)
    support = 'PYTHONPATH=%s %s -m support' % (shlex.quote(str(TESTS)), shlex.quote(python))
    print('\n'.join([
        # no xtrace while the credentials are read (the code eval prints holds none of them)
        'case $- in *x*) c1_xtrace=1; { set +x; } 2>/dev/null ;; *) c1_xtrace= ;; esac',
        '. %s' % shlex.quote(str(shell_env)),
        'WORK_DIR=%s PYTHON=%s' % (shlex.quote(str(workdir / 'work')), shlex.quote(python)),
        'case ":${ANSIBLE_CALLBACK_PLUGINS:-}:" in *:%s:*) ;; *) export ANSIBLE_CALLBACK_PLUGINS=%s'
        '${ANSIBLE_CALLBACK_PLUGINS:+:$ANSIBLE_CALLBACK_PLUGINS} ANSIBLE_CALLBACKS_ENABLED=c1_ran_tasks'
        '${ANSIBLE_CALLBACKS_ENABLED:+,$ANSIBLE_CALLBACKS_ENABLED} ;; esac' % ((shlex.quote(str(CALLBACK_PLUGINS)),) * 2),
        # under ansible-test (OUTPUT_DIR: the target's directory) what the tests write stays there: ansible-test
        # passes HOME through, and async jobs under another HOME than the passwd one are not found by async_status
        'if [ -n "${OUTPUT_DIR:-}" ]; then export ANSIBLE_ASYNC_DIR=$OUTPUT_DIR/.ansible_async'
        ' ANSIBLE_LOCAL_TEMP=$OUTPUT_DIR/.ansible_tmp XDG_CACHE_HOME=$OUTPUT_DIR/.cache; fi',
        'c1_support() { %s."$@"; }' % support,
        'emulator_control() { c1_support emulator control "$@"; }',
        'emulator_stop() { if [ -n "${EMULATOR_DIR:-}" ]; then set -- "$EMULATOR_DIR"; EMULATOR_DIR=;'
        ' c1_support emulator stop "$1" || exit 1; fi; }',
        'trap emulator_stop EXIT',
        'echo "support.emulator: emulator (pid $EMULATOR_PID) ready at $EMULATOR_URL" >&2',
        'if [ -n "$c1_xtrace" ]; then set -x; fi',
    ]))
    return 0


def check_runs(log_path):
    """The problems of the runs c1_ran_tasks recorded: none got to its end, or one ran nothing."""
    try:
        lines = Path(log_path).read_text(encoding='utf-8').splitlines()
    except OSError:
        lines = []
    if not lines:
        return ['no ansible-playbook run got to its end while the emulator was up: nothing ran']
    problems = [line for line in lines if not line.startswith('ok ')]
    if problems:
        return ['a playbook ran nothing (is testhost in the inventory?):'] + problems
    return []


def _shell_stop(workdir):
    """Check the recorded runs, stop the emulator, remove its directory; status 1 when a run ran nothing."""
    workdir = Path(workdir)
    problems = check_runs(workdir / 'ran-tasks.log')
    try:
        pid = int((workdir / 'pid').read_text())
    except (OSError, ValueError):
        pid = None
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
            for dummy in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # gone
    subprocess.run(['rm', '-rf', str(workdir)], check=False)
    for line in problems:
        sys.stderr.write('support.emulator: %s\n' % line)
    return 1 if problems else 0


def _shell_control(method, name, body):
    url = os.environ['EMULATOR_URL']
    ca_path = os.environ.get('EMULATOR_CA_PATH') or None
    status, decoded, dummy = request('%s/_emulator/%s' % (url, name), method,
                                     body=json.loads(body) if body else None, ca_path=ca_path)
    print(decoded if isinstance(decoded, str) else json.dumps(decoded))
    if status != 200:
        sys.stderr.write('support.emulator: control %s %s -> %s\n' % (method, name, status))
        return 1
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['start']:  # everything after it goes to serve.py
        status = _shell_start(argv[1:], sys.executable)
        if status:
            print('exit %d' % status)  # the eval that runs this output stops the script
        return status
    parser = argparse.ArgumentParser(prog='python -m support.emulator', description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('start', help='start a detached emulator (the arguments after it go to serve.py); prints shell code')
    stop = sub.add_parser('stop', help='check the recorded runs and stop the emulator of DIR')
    stop.add_argument('dir')
    control = sub.add_parser('control', help='one /_emulator/ control of $EMULATOR_URL')
    control.add_argument('method')
    control.add_argument('name')
    control.add_argument('body', nargs='?', default='')
    args = parser.parse_args(argv)
    if args.command == 'stop':
        return _shell_stop(args.dir)
    return _shell_control(args.method.upper(), args.name, args.body)


if __name__ == '__main__':
    sys.exit(main())
