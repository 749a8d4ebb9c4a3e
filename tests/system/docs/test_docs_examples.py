# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""README.md's example and the guides' command sequences, run as written (see tests/system/docs/README.md).

The blocks are extracted from the documents themselves (docblocks.py), never copied. Each scenario runs
in a new working directory with a new, empty HOME into which the collection is installed from the
artifact that `ansible-galaxy collection build` makes, with no ANSIBLE_* or CONDUCTORONE_* variable
set, against an emulator started as the testing guide says (`python3 .../serve.py --env-file FILE`),
unless the scenario starts its own.
"""

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import docblocks  # noqa: E402  pylint: disable=wrong-import-position

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BIN = os.path.dirname(sys.executable)   # the venv's bin: ansible-playbook, and a python3 with cryptography
FIXTURES = os.path.join(HERE, 'fixtures')
EMULATOR = '.ansible/collections/ansible_collections/conductorone/iam/tests/emulator/serve.py'

# scenarios whose blocks start and stop the emulator themselves
SELF_STARTING = {'testing'}

# every guide, and which scenarios run its blocks; a guide left out says why
GUIDES = {
    'README.md': {'readme'},
    'guide_authentication.rst': 'not run: its examples need a CI system\'s OIDC token or an AWX credential',
    'guide_secrets.rst': {'secrets', 'readme'},
    'guide_secret_handoff.rst': 'run elsewhere: its ansible-vault command sequence is extracted and run by the '
                                'secret_handoff integration target, its OpenBao and AWS Secrets Manager sections by '
                                'tests/system/secret_stores',
    'guide_concurrency.rst': 'no commands: the protocol and guarantees of overlapping runs (proven by '
                             'tests/system/reliability/test_rel_concurrency.py)',
    'guide_limits.rst': 'no commands: the time and size limits and the sanitising rules (proven by '
                        'tests/system/reliability/test_rel_hostile.py)',
    'guide_inventory_state.rst': {'inventory'},
    'guide_credential_hygiene.rst': {'hygiene'},
    'guide_awx.rst': 'not run here: tests/system/awx/runner_job.py runs examples/site.yml as AWX jobs',
    'guide_testing.rst': {'testing'},
}


def clean_env(home, tmp):
    env = {
        'HOME': home,
        'PATH': BIN + os.pathsep + '/usr/local/bin:/usr/bin:/bin',
        'TMPDIR': tmp,
        'LANG': os.environ.get('LANG', 'C.UTF-8'),
        'ANSIBLE_NOCOLOR': '1',   # output only: the tests read the play recaps
    }
    return env


def run(args, env, cwd, timeout=600):
    return subprocess.run(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout, check=False)


@pytest.fixture(scope='session')
def installed_home(tmp_path_factory):
    """A HOME with the collection installed from its artifact, as a new user has it (copied per scenario)."""
    base = tmp_path_factory.mktemp('artifact')
    home = str(base / 'home')
    os.mkdir(home)
    env = clean_env(home, str(base))
    built = run(['ansible-galaxy', 'collection', 'build', '--output-path', str(base), REPO], env, str(base))
    assert built.returncode == 0, built.stdout
    tarball = [n for n in os.listdir(str(base)) if n.endswith('.tar.gz')]
    assert len(tarball) == 1, built.stdout
    installed = run(['ansible-galaxy', 'collection', 'install', os.path.join(str(base), tarball[0])], env, home)
    assert installed.returncode == 0, installed.stdout
    assert os.path.isfile(os.path.join(home, EMULATOR)), installed.stdout
    return home


class Scenario:
    def __init__(self, name, root, template_home):
        self.home = os.path.join(root, 'home')
        self.work = os.path.join(root, 'work')
        self.tmp = os.path.join(root, 'tmp')
        shutil.copytree(template_home, self.home, symlinks=True)
        os.mkdir(self.work)
        os.mkdir(self.tmp)
        self.env = clean_env(self.home, self.tmp)
        self.env['DOCS_TEST_WORK'] = self.work
        fixtures = os.path.join(FIXTURES, name)
        if os.path.isdir(fixtures):   # what a guide takes as the user's own (an inventory, "your playbook")
            shutil.copytree(fixtures, self.work, dirs_exist_ok=True)
        self.emulator = None

    def start_emulator(self):
        """As the testing guide says: python3 serve.py --env-file FILE, then load FILE."""
        env_file = os.path.join(self.tmp, 'c1.env')
        self.emulator = subprocess.Popen(['python3', os.path.join(self.home, EMULATOR), '--env-file', env_file],
                                         env=self.env, cwd=self.work, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, universal_newlines=True)
        deadline = time.monotonic() + 30
        while not (os.path.exists(env_file) and os.path.getsize(env_file)):
            assert self.emulator.poll() is None, self.emulator.stderr.read()
            assert time.monotonic() < deadline, 'the emulator wrote no env file'
            time.sleep(0.1)
        with open(env_file) as f:
            for line in f:
                key, _sep, value = line.strip().partition('=')
                if key:
                    self.env[key] = value

    def run(self, blocks):
        path = os.path.join(self.tmp, 'session.sh')
        with open(path, 'w') as f:
            f.write(docblocks.script(blocks))
        log = os.path.join(self.tmp, 'session.log')
        # output to a file, not a pipe: a background job the documents start (an emulator) keeps it open
        with open(log, 'w') as out:
            proc = subprocess.Popen(['bash', path], env=self.env, cwd=self.work, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                proc.wait(timeout=900)
            finally:
                try:   # stop the background jobs the documents started
                    os.killpg(proc.pid, signal.SIGTERM)
                except OSError:
                    pass
        with open(log) as f:
            return proc.returncode, f.read()

    def stop(self):
        if self.emulator is not None:
            self.emulator.terminate()
            self.emulator.wait(timeout=30)


def recaps(out):
    """changed= counts of the PLAY RECAP host lines, in order."""
    return [int(m.group(1)) for m in re.finditer(r'^\S+\s+: ok=\d+\s+changed=(\d+)', out, re.M)]


def check_readme(s, out):
    # the two documented runs of ci-credential.yml: the first creates, the second changes nothing
    assert recaps(out)[:2] == [1, 0], out
    secret = os.path.join(s.home, '.config/conductorone/ansible-ci.json')
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    # and the secrets guide's next step used that credential from this controller
    assert 'ansible-playbook use-credential.yml' in out and out.rstrip().endswith('::: docs-test: done'), out


def check_secrets(s, out):
    assert os.path.isfile(os.path.join(s.home, '.config/conductorone/ansible-ci.json'))
    assert recaps(out) == [2, 0, 0], out   # create (dir + client); use; rotation not yet due


def check_testing(_s, out):
    assert 'CONDUCTORONE_CLIENT_ID=' in out   # the `cat` of the env file
    assert out.rstrip().endswith('::: docs-test: done'), out


def check_hygiene(s, out):
    # examples/hygiene.yml wrote its report under $TMPDIR, and the quick look ran after it
    assert os.path.isfile(os.path.join(s.tmp, 'conductorone-hygiene', 'report.json'))
    assert 'clients break the policy' in out and 'ansible-playbook quick-look.yml' in out, out


def check_inventory(s, out):
    # check mode predicts the real run's changes (roles, clients); the real run also creates the secret directory,
    # which check mode skips; the new secret went below conductorone_secret_root
    check, real = recaps(out)
    assert check > 0 and real == check + 1, out
    assert re.search(r'Create the secret directory on the controller\] \**\s*\nchanged:', out), out
    assert os.path.isfile(os.path.join(s.home, '.conductorone/secrets/production/production-deploy.json'))


CHECKS = {
    'inventory': check_inventory,
    'hygiene': check_hygiene,
    'readme': check_readme,
    'secrets': check_secrets,
    'testing': check_testing,
}

ALL = docblocks.scenarios(REPO)


def test_every_guide_is_run_or_says_why():
    guides = sorted(n for n in os.listdir(os.path.join(REPO, 'docs/docsite/rst')) if n.endswith('.rst'))
    assert sorted(n for n in GUIDES if n != 'README.md') == guides
    for doc in docblocks.DOCUMENTS:
        expected = GUIDES[os.path.basename(doc)]
        found = {b.scenario for b in docblocks.blocks_of(REPO, doc)}
        if isinstance(expected, set):
            assert found == expected, doc
        else:
            assert not found, '%s has docs-test markers but GUIDES says %r' % (doc, expected)


@pytest.mark.parametrize('name', sorted(ALL))
def test_documented_sequence_runs(name, installed_home, tmp_path):
    s = Scenario(name, str(tmp_path), installed_home)
    try:
        if name not in SELF_STARTING:
            s.start_emulator()
        rc, out = s.run(ALL[name])
    finally:
        s.stop()
    assert rc == 0, out
    assert '::: docs-test: done' in out, out
    if name in CHECKS:
        CHECKS[name](s, out)
