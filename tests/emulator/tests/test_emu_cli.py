# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""serve.py: env file, signals, --tls, --state, --seed, --token-ttl."""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys

import pytest
import requests

import c1client
from harness import SERVE, Api, Emulator, read_env_file


def test_env_file_and_printed_url(emulator):
    env = read_env_file(emulator.env_path)
    assert set(env) == {'CONDUCTORONE_SERVER_URL', 'CONDUCTORONE_CLIENT_ID', 'CONDUCTORONE_CLIENT_SECRET', 'CONDUCTORONE_WFE_CLIENT_ID'}
    assert re.fullmatch(r'http://127\.0\.0\.1:\d+', env['CONDUCTORONE_SERVER_URL'])
    assert emulator.stdout_line == env['CONDUCTORONE_SERVER_URL']
    host = env['CONDUCTORONE_SERVER_URL'].split('//')[1]
    assert re.fullmatch(r'[a-z]+-[a-z]+-\d{5}@%s/pcc' % re.escape(host), env['CONDUCTORONE_CLIENT_ID'])
    assert re.fullmatch(r'[a-z]+-[a-z]+-\d{5}@%s/wfe' % re.escape(host), env['CONDUCTORONE_WFE_CLIENT_ID'])
    assert env['CONDUCTORONE_CLIENT_SECRET'].startswith('secret-token:conductorone.com:v1:')
    assert stat.S_IMODE(os.stat(emulator.env_path).st_mode) == 0o600
    assert [p.name for p in emulator.workdir.iterdir() if p.name.startswith('.')] == []


def test_admin_is_a_super_administrator(emulator):
    api = Api(emulator, token=emulator.admin_token())
    me = api.get('/api/v1/auth/introspect').json()
    roles = {r['id']: r['name'] for r in api.roles()}
    state = emulator.control('GET', 'state')
    admin = next(u for u in state['users'] if u['id'] == me['userId'])
    assert [roles[r] for r in admin['roleIds']] == ['system:owner']


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signals_exit_zero(spawn, sig):
    emu = spawn()
    assert emu.stop(sig) == 0


def test_tls(spawn):
    emu = spawn('--tls')
    ca_path = emu.env['CONDUCTORONE_CA_PATH']
    assert os.path.exists(ca_path)
    assert re.fullmatch(r'https://localhost:\d+', emu.url)
    assert '@localhost:' in emu.client_id
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emu.url + '/api/v1/iam/roles', timeout=30)
    token = c1client.get_token(emu.url, emu.client_id, emu.client_secret, verify=ca_path)
    api = Api(emu, token=token)
    assert api.get('/api/v1/iam/roles').json()['list']
    # 127.0.0.1 is in the certificate too; the audience follows the host used
    port = emu.url.rsplit(':', 1)[1]
    response = c1client.token_response('https://127.0.0.1:%s' % port, emu.client_id, emu.client_secret, verify=ca_path)
    assert response.status_code == 200, response.text
    assert emu.stop() == 0
    assert not os.path.exists(ca_path)


def _port_taken(url):
    host, port = url.rsplit('//', 1)[1].rsplit(':', 1)
    with socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the emulator binds
        try:
            probe.bind((host.strip('[]'), int(port)))
        except OSError:
            return True
    return False


def test_state_survives_restart(tmp_path):
    state = tmp_path / 'state.json'
    first = Emulator(tmp_path / 'one', ['--state', str(state)]).start()
    try:
        api = Api(first, token=first.admin_token())
        created = api.create_client(displayName='persisted', allowSourceCidr=['10.0.0.0/8'])['client']
        auditor = api.role_id('custom:auditor')
        api.post('/api/v1/iam/roles/' + auditor, {'role': {'displayName': 'Persisted Auditor'}, 'updateMask': 'displayName'})
        old_token = api.token
    finally:
        assert first.stop() == 0
    text = state.read_text()
    assert first.client_secret not in text and '"d"' not in text and old_token not in text
    json.loads(text)
    secret_file = tmp_path / 'state.json.admin-secret'
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600

    second = Emulator(tmp_path / 'two', ['--state', str(state)]).start()
    try:
        assert second.client_id == first.client_id and second.client_secret == first.client_secret
        # the previous port is reused when it is free; another process (parallel suites) may take it in between
        assert second.url == first.url or _port_taken(first.url), (first.url, second.url)
        api = Api(second, token=old_token)  # access tokens survive too
        assert api.get('/api/v1/iam/personal_clients/' + created['id']).json()['client'] == created
        assert api.get('/api/v1/iam/roles/' + auditor).json()['role']['displayName'] == 'Persisted Auditor'
        assert second.admin_token()
    finally:
        assert second.stop() == 0


def test_lost_admin_secret_mints_a_new_admin_client(tmp_path):
    state = tmp_path / 'state.json'
    first = Emulator(tmp_path / 'one', ['--state', str(state)]).start()
    first.stop()
    os.unlink(str(state) + '.admin-secret')
    second = Emulator(tmp_path / 'two', ['--state', str(state)]).start()
    try:
        assert second.client_id != first.client_id
        assert second.admin_token()
        assert c1client.token_response(second.url, first.client_id, first.client_secret).status_code == 401
    finally:
        second.stop()


YAML_SEED = """
roles:
  - name: custom:yaml-role
    displayName: YAML role
    permissions: [permission/c1.api.iam.v1.Roles.List]
generateRoles: {count: 30, namePrefix: "custom:gen-", displayNamePrefix: "Generated "}
users:
  - email: dana@example.com
    roles: [system:user, custom:yaml-role]
personalClients:
  - user: dana@example.com
    id: strange-hydra-68836
    displayName: dana ci
    secret: %s
    scopedRoles: [custom:yaml-role]
"""


def test_yaml_seed_file(spawn, tmp_path):
    pytest.importorskip('yaml', reason='PyYAML is needed for YAML seeds')
    seed = tmp_path / 'seed.yml'
    seed.write_text(YAML_SEED % c1client.DOCS_SECRET)
    emu = spawn('--seed', str(seed))
    api = Api(emu, token=emu.admin_token())
    names = [r['name'] for r in api.roles()]
    assert 'custom:yaml-role' in names and 'custom:gen-30' in names and 'system:owner' in names
    client_id = 'strange-hydra-68836@%s/pcc' % emu.url.split('//')[1]
    token = c1client.get_token(emu.url, client_id, c1client.DOCS_SECRET)
    api.get('/api/v1/iam/roles', token=token)
    api.get('/api/v1/iam/personal_clients', token=token, expect=403)
    # reset goes back to the default seed plus the --seed document
    emu.control('POST', 'reset')
    assert 'custom:gen-30' in [r['name'] for r in api.roles()]
    emu.control('POST', 'reset', {'startupSeed': False})
    assert 'custom:gen-30' not in [r['name'] for r in api.roles()]


def test_json_seed_file(spawn, tmp_path):
    seed = tmp_path / 'seed.json'
    seed.write_text(json.dumps({'generateRoles': {'count': 250}}))
    emu = spawn('--seed', str(seed))
    api = Api(emu, token=emu.admin_token())
    assert len([r for r in api.roles() if r['name'].startswith('custom:bulk-')]) == 250


@pytest.mark.parametrize('content', ['[1, 2]', '{"users": [{"email": "x@example.com", "roles": ["missing"]}]}'])
def test_bad_seed_file_exits_non_zero(tmp_path, content):
    seed = tmp_path / 'seed.json'
    seed.write_text(content)
    result = subprocess.run([sys.executable, str(SERVE), '--port', '0', '--seed', str(seed)], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2 and 'seed' in result.stderr.lower()


def test_bad_arguments(tmp_path):
    result = subprocess.run([sys.executable, str(SERVE), '--token-ttl', '0'], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert not list(tmp_path.iterdir())


def test_a_python_without_cryptography_is_told_what_to_install(tmp_path):
    """The testing guide says `python3 serve.py`: with a Python that lacks cryptography, say what to install."""
    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], check=True)
    python = str(venv / 'bin' / 'python')
    assert subprocess.run([python, '-c', 'import cryptography'], stderr=subprocess.DEVNULL, check=False).returncode != 0
    env_file = tmp_path / 'c1.env'
    proc = subprocess.run([python, SERVE, '--env-file', str(env_file)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr and 'ModuleNotFoundError' not in proc.stderr
    assert '%s -m pip install cryptography' % python in proc.stderr
    assert not env_file.exists()
