# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The one launcher of tests/emulator/serve.py for every suite (emulator tests, reliability suite, benchmarks, AWX job test).

    sys.path.insert(0, '<repo>/tests/emulator'); from launcher import EmulatorProcess
    emu = EmulatorProcess(workdir, ['--token-ttl', '2']).start()   # waits for the env file
    emu.url, emu.client_id, emu.client_secret, emu.ca_path, emu.env
    emu.stop()                                                      # SIGTERM, then the exit status

``output``: a file path for stdout and stderr (default ``<workdir>/emulator.log``), or ``'pipe'`` to read them
from ``proc.stdout`` / ``proc.stderr`` (text). ``env`` is the child's environment (default: this process's);
``new_session`` puts it in its own process group (so that a suite can kill the group); ``on_start(proc)`` is called
with the Popen object as soon as it exists (e.g. to track children for clean-up).
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

SERVE = Path(__file__).resolve().parent / 'serve.py'
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


class EmulatorProcess:
    """One serve.py child process: start (wait until its env file is written), stop, and what the env file says."""

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
                                     start_new_session=self.new_session, **streams)
        if self.on_start:
            self.on_start(self.proc)
        deadline = time.time() + timeout
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError('serve.py exited %s: %s' % (self.proc.returncode, self.output_text()))
            if time.time() > deadline:
                self.stop()
                raise RuntimeError('serve.py did not write its env file within %s s' % timeout)
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
