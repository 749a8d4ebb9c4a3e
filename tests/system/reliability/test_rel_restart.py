# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""7. State across emulator restarts (--state FILE): converge, restart on the same state file, converge again.

The admin credential must survive the restart (same client id and secret in the new env file); nothing may be lost
or duplicated; the second and third runs (cached token, then a fresh cache) must report changed=false and write
nothing; the secrets written by the first run must still authenticate.
"""

import json
import os
import stat

import pytest

import relkit

DEFAULTS = {'retries': 2, 'timeout': 10}


def _tasks(secret_dir):
    return [
        relkit.mod('client ci', 'personal_client', {'display_name': 'restart ci', 'allow_source_cidr': ['127.0.0.0/8', '10.1.0.0/16'],
                                                    'scoped_roles': ['Read-Only Administrator'], 'expires_in': '90d',
                                                    'secret_path': '%s/ci-secret.json' % secret_dir}),
        relkit.mod('client deploy', 'personal_client', {'display_name': 'restart deploy', 'expires_at': '2031-06-30T00:00:00Z',
                                                        'secret_path': '%s/deploy-secret.json' % secret_dir}),
        relkit.mod('client plain', 'personal_client', {'display_name': 'restart plain'}),
        relkit.mod('role', 'role', {'name': 'custom:restart', 'display_name': 'Restarted', 'permissions': [
            'permission/c1.api.iam.v1.Roles.List', 'permission/c1.api.iam.v1.Roles.Get'], 'service_roles': ['role/c1.api.iam.v1.Roles:viewer']}),
        relkit.mod('info', 'personal_client_info', {'display_name': 'restart ci'}),
    ]


MODULE_TASKS = ['client ci', 'client deploy', 'client plain', 'role', 'info']
SNAPSHOT_KEYS = ('id', 'clientId', 'displayName', 'allowSourceCidr', 'scopedRoles', 'expiresTime', 'deletedAt', 'publicKey')


def _snapshot(emu):
    state = emu.state()
    clients = sorted((dict((k, c.get(k)) for k in SNAPSHOT_KEYS) for c in state['personalClients']), key=lambda c: c['id'])
    roles = sorted(({'id': r['id'], 'name': r['name'], 'displayName': r['displayName'], 'permissions': sorted(r['permissions']),
                     'serviceRoles': sorted(r['serviceRoles'])} for r in state['roles']), key=lambda r: r['id'])
    return {'clients': clients, 'roles': roles}


@relkit.job('restart', weight=4)
def restart_job():
    ws = relkit.workspace()
    home = ws.subdir('restart-emulator')
    state_file = home / 'state.json'
    secret_dir = ws.subdir('restart-secrets')
    xdg = ws.subdir('restart-xdg')
    plays = [relkit.play(_tasks(secret_dir), defaults=DEFAULTS)]
    emu = relkit.Emulator(home, ['--state', str(state_file)]).start()
    out = {}
    try:
        out['env1'] = dict(emu.env)
        emu.control('POST', 'seed', {'roles': [{'name': 'custom:restart', 'displayName': 'Restart', 'permissions': [], 'serviceRoles': []}]})
        out['run1'] = relkit.run_playbook(plays, emu, name='restart-run1', xdg=xdg)
        out['before'] = _snapshot(emu)
    finally:
        out['rc1'] = emu.stop()
    out['admin_secret_mode'] = stat.S_IMODE(os.stat(str(state_file) + '.admin-secret').st_mode)
    state_text = state_file.read_text()
    out['secret_in_state'] = any(part in state_text for part in relkit.secret_parts(out['env1']['CONDUCTORONE_CLIENT_SECRET']))
    emu = relkit.Emulator(home, ['--state', str(state_file)]).start()
    try:
        out['env2'] = dict(emu.env)
        out['after_restart'] = _snapshot(emu)
        emu.control('DELETE', 'requests')
        out['run2'] = relkit.run_playbook(plays, emu, name='restart-run2', xdg=xdg)
        out['log2'] = emu.requests_log()
        emu.control('DELETE', 'requests')
        out['run3'] = relkit.run_playbook(plays, emu, name='restart-run3')
        out['log3'] = emu.requests_log()
        out['after'] = _snapshot(emu)
        out['secrets_work'] = {}
        for name in ('ci-secret.json', 'deploy-secret.json'):
            try:
                content = json.loads((secret_dir / name).read_text())
                out['secrets_work'][name] = emu.secret_works(content['client_id'], content['client_secret'])
            except (OSError, ValueError, KeyError):
                out['secrets_work'][name] = False
    finally:
        out['rc2'] = emu.stop()
    return out


CHECKS = {
    'R1': ('first run on a new --state file converges', 'every task changed (info ok), no failure'),
    'R2': ('emulator restarted on the same state file',
           'admin credential survives (same client id and secret), state identical, admin secret file 0600 and not in the state'),
    'R3': ('second run after the restart (token cache kept)',
           'changed=false everywhere, no write, nothing lost or duplicated; no token exchange (the cached token survived)'),
    'R4': ('third run after the restart (fresh token cache: a new exchange with the surviving admin credential)',
           'changed=false everywhere, no write, exactly one token exchange; the secrets written by the first run still authenticate'),
}


def _writes(log):
    return [e for e in log if e['method'] in ('POST', 'DELETE') and e['path'] not in ('/auth/v1/token', '/api/v1/search/iam/personal_clients')]


def _check(key, out):
    problems = []
    if key == 'R1':
        for name in MODULE_TASKS:
            r = out['run1'].result(name)
            if relkit.failed(r):
                problems.append('%s failed: %s' % (name, r.get('msg')))
            elif name != 'info' and not r.get('changed'):
                problems.append('%s did not change' % name)
        live = [c for c in out['before']['clients'] if not c['deletedAt'] and c['displayName'].startswith('restart ')]
        if sorted(c['displayName'] for c in live) != ['restart ci', 'restart deploy', 'restart plain']:
            problems.append('unexpected clients after run 1: %s' % [c['displayName'] for c in live])
        return problems, 'rc %s, %s' % (out['run1'].rc, ', '.join('%s: %s' % (n, relkit.summarize(out['run1'].result(n))) for n in MODULE_TASKS))
    if key == 'R2':
        for var in ('CONDUCTORONE_CLIENT_ID', 'CONDUCTORONE_CLIENT_SECRET'):
            if out['env1'].get(var) != out['env2'].get(var):
                problems.append('%s changed across the restart' % var)
        if out['after_restart'] != out['before']:
            problems.append('state differs after the restart')
        if out['admin_secret_mode'] != 0o600:
            problems.append('admin secret file mode %o' % out['admin_secret_mode'])
        if out['secret_in_state']:
            problems.append('the admin secret is stored in the state file')
        if out['rc1'] != 0 or out['rc2'] != 0:
            problems.append('emulator exit codes %s/%s' % (out['rc1'], out['rc2']))
        return problems, 'port %s -> %s, admin client id kept: %s' % (
            out['env1']['CONDUCTORONE_SERVER_URL'].rsplit(':', 1)[-1], out['env2']['CONDUCTORONE_SERVER_URL'].rsplit(':', 1)[-1],
            out['env1']['CONDUCTORONE_CLIENT_ID'] == out['env2']['CONDUCTORONE_CLIENT_ID'])
    run, log = (out['run2'], out['log2']) if key == 'R3' else (out['run3'], out['log3'])
    for name in MODULE_TASKS:
        r = run.result(name)
        if relkit.failed(r) or r.get('changed'):
            problems.append('%s: %s' % (name, relkit.summarize(r)))
    if _writes(log):
        problems.append('wrote: %s' % _writes(log))
    if out['after'] != out['before']:
        problems.append('state after the re-runs differs from the state after the first run')
    if key == 'R4' and not all(out['secrets_work'].values()):
        problems.append('secrets from the first run no longer work: %s' % out['secrets_work'])
    tokens = sum(1 for e in log if e['path'] == '/auth/v1/token')
    want_tokens = 0 if key == 'R3' else 1  # R3 reuses the cached token (it survives the restart); R4 exchanges once
    if tokens != want_tokens:
        problems.append('expected %d token exchange(s), saw %d' % (want_tokens, tokens))
    return problems, 'all ok/unchanged; %d token exchange(s), %d requests' % (tokens, len(log)) if not problems else ''


@pytest.mark.parametrize('key', sorted(CHECKS))
def test_restart(key, report):
    out = relkit.job_result('restart')
    problems, observed = _check(key, out)
    label, expected = CHECKS[key]
    report.add('restart', label, expected, (observed or '') + ('' if not problems else ' -- ' + '; '.join(problems)), not problems)
    assert not problems, '\n'.join(problems)
