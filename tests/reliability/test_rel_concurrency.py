# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""4. Concurrency: 10 forks converging 50 distinct clients (under rate limiting), and the role module converging
the same declaration from two ansible-playbook processes at once. The final state must equal the declared state,
with no duplicate, and a second run must change nothing."""

import sys
import time

import pytest

import relkit

HOSTS = ['h%02d' % i for i in range(10)]
PER_HOST = 5
DEFAULTS = {'retries': 4, 'timeout': 10}
PREFIX = 'conc-'
P = 'permission/c1.api.iam.v1.'
ROLE_DECL = {
    'custom:conc-exact': {'display_name': 'Concurrent exact', 'permissions': [P + 'Roles.List', P + 'Roles.Get', P + 'Roles.Update'],
                          'service_roles': ['role/c1.api.iam.v1.Roles:viewer']},
    'custom:conc-append': {'permissions': [P + 'Roles.Get'], 'append': True},
    'custom:conc-remove': {'remove_permissions': [P + 'Roles.Update'], 'remove_service_roles': ['role/c1.api.app.v1.Apps:editor']},
}
ROLE_SEED = [
    {'name': 'custom:conc-exact', 'displayName': 'Old name', 'permissions': [P + 'Roles.List'], 'serviceRoles': []},
    {'name': 'custom:conc-append', 'displayName': 'Append', 'permissions': [P + 'Roles.List'], 'serviceRoles': []},
    {'name': 'custom:conc-remove', 'displayName': 'Remove', 'permissions': [P + 'Roles.List', P + 'Roles.Update'],
     'serviceRoles': ['role/c1.api.app.v1.Apps:viewer', 'role/c1.api.app.v1.Apps:editor']},
]
ROLE_FINAL = {
    'custom:conc-exact': ('Concurrent exact', [P + 'Roles.List', P + 'Roles.Get', P + 'Roles.Update'], ['role/c1.api.iam.v1.Roles:viewer']),
    'custom:conc-append': ('Append', [P + 'Roles.List', P + 'Roles.Get'], []),
    'custom:conc-remove': ('Remove', [P + 'Roles.List'], ['role/c1.api.app.v1.Apps:viewer']),
}


def _declared(host, index):
    n = HOSTS.index(host)
    return {'display_name': '%s%s-%d' % (PREFIX, host, index), 'allow_source_cidr': ['10.%d.%d.0/24' % (n, index), '127.0.0.0/8'],
            'scoped_roles': ['Read-Only Administrator'], 'expires_in': '30d'}


def _client_play():
    task = {'name': 'converge', 'conductorone.iam.personal_client': {
        'display_name': PREFIX + '{{ inventory_hostname }}-{{ item }}',
        'allow_source_cidr': ['10.{{ n }}.{{ item }}.0/24', '127.0.0.0/8'],
        'scoped_roles': ['Read-Only Administrator'], 'expires_in': '30d'},
        'loop': list(range(PER_HOST)), 'register': 'r', 'ignore_errors': True}
    return [relkit.play([task], hosts='rel', defaults=DEFAULTS)]


def _inventory():
    lines = ['%s n=%d ansible_connection=local ansible_python_interpreter=%s' % (h, i, sys.executable) for i, h in enumerate(HOSTS)]
    return '[rel]\n' + '\n'.join(lines) + '\n'


@relkit.job('concurrency-clients', weight=8)
def clients_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('concurrency-clients-emulator')).start()
    try:
        xdg = ws.subdir('concurrency-xdg')
        emu.control('POST', 'faults', [
            {'method': 'POST', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'status', 'status': 429, 'retry_after': '1', 'count': 10},
            {'method': 'GET', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'status', 'status': 503, 'count': 5},
            {'method': 'GET', 'path': '^/api/v1/iam/roles$', 'kind': 'status', 'status': 502, 'count': 3},
        ])
        first = relkit.run_playbook(_client_play(), emu, name='concurrency-run1', inventory=_inventory(), forks=10, xdg=xdg)
        log1 = emu.requests_log()
        pending = emu.control('GET', 'faults')['faults']
        emu.control('DELETE', 'requests')
        second = relkit.run_playbook(_client_play(), emu, name='concurrency-run2', inventory=_inventory(), forks=10, xdg=xdg)
        log2 = emu.requests_log()
        live = emu.live_clients(prefix=PREFIX)
        secrets = {}
        for host in HOSTS:
            for item in first.result('converge', host).get('results') or []:
                client = item.get('personal_client') or {}
                secrets[client.get('display_name')] = emu.secret_works(client.get('client_id'), item.get('client_secret'))
        viewer = emu.role('system:viewer')['id']
        return {'first': first, 'second': second, 'log1': log1, 'log2': log2, 'live': live, 'secrets': secrets,
                'pending': pending, 'viewer': viewer}
    finally:
        emu.stop()


def _items(run, host):
    return (run.result('converge', host) or {}).get('results') or []


def test_ten_forks_fifty_clients(report):
    out = relkit.job_result('concurrency-clients')
    first, second, live = out['first'], out['second'], out['live']
    problems = []
    items1 = [item for host in HOSTS for item in _items(first, host)]
    items2 = [item for host in HOSTS for item in _items(second, host)]
    failed1 = [item.get('msg') for item in items1 if relkit.failed(item)]
    failed2 = [item.get('msg') for item in items2 if relkit.failed(item)]
    if len(items1) != 50 or failed1:
        problems.append('first run: %d results, failures: %s' % (len(items1), failed1[:3]))
    if sum(1 for item in items1 if item.get('changed')) != 50:
        problems.append('first run changed %d of 50' % sum(1 for item in items1 if item.get('changed')))
    if len(items2) != 50 or failed2 or any(item.get('changed') for item in items2):
        problems.append('second run not a no-op: %d changed, failures %s' % (sum(1 for i in items2 if i.get('changed')), failed2[:3]))
    names = [c['displayName'] for c in live]
    if len(live) != 50 or len(set(names)) != 50:
        problems.append('expected 50 distinct live clients, found %d (%d distinct names)' % (len(live), len(set(names))))
    for client in live:
        host, index = client['displayName'][len(PREFIX):].rsplit('-', 1)
        want = _declared(host, int(index))
        if client['allowSourceCidr'] != want['allow_source_cidr'] or client['scopedRoles'] != [out['viewer']] or not client['expiresTime']:
            problems.append('%s differs from its declaration: %s' % (client['displayName'], client))
            break
    bad_secrets = [name for name, ok in out['secrets'].items() if not ok]
    if len(out['secrets']) != 50 or bad_secrets:
        problems.append('%d secrets do not authenticate: %s... (of %d)' % (len(bad_secrets), bad_secrets[:5], len(out['secrets'])))
    faults = sum(1 for e in out['log1'] if e.get('fault'))
    if out['pending'] or faults != 18:
        problems.append('faults not all consumed: %d logged, pending %s' % (faults, out['pending']))
    creates = [e for e in out['log1'] if e['method'] == 'POST' and e['path'] == '/api/v1/iam/personal_clients' and e['status'] == 200]
    if len(creates) != 50:
        problems.append('%d successful creates for 50 clients' % len(creates))
    writes2 = [e for e in out['log2'] if e['method'] in ('POST', 'DELETE') and e['path'] != '/auth/v1/token']
    if writes2:
        problems.append('second run wrote: %s' % writes2[:3])
    observed = 'run 1: %d changed in %.1f s under %d injected 429/503/502; run 2: %d changed; %d live, %d distinct' % (
        sum(1 for i in items1 if i.get('changed')), first.duration, faults, sum(1 for i in items2 if i.get('changed')),
        len(live), len(set(names)))
    report.add('concurrency', '10 forks (10 local hosts x 5 clients), 10 x 429 Retry-After 1 on create, 5 x 503 and 3 x 502 on lists',
               '50 distinct live clients as declared, every secret works, no duplicate; second run changed=0 and no write',
               observed + ('' if not problems else ' -- ' + '; '.join(problems)), not problems, faults=faults)
    assert not problems, '\n'.join(problems) + '\n' + first.describe()


def _role_play(start=None):
    tasks = [relkit.mod('role %s' % name, 'role', dict(decl, name=name)) for name, decl in ROLE_DECL.items()]
    if start:
        tasks.insert(0, relkit.ctl('start line', sleep_until=start))
    return [relkit.play(tasks, defaults=DEFAULTS)]


@relkit.job('concurrency-roles', weight=3)
def roles_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('concurrency-roles-emulator')).start()
    try:
        seeded = emu.control('POST', 'seed', {'roles': ROLE_SEED})
        # Both processes start their role tasks at the same instant, and each update is held until the other
        # process's update of that role arrived (a barrier, 8 s at most: below the 10 s timeout), so both read the
        # old role before either write lands: a real race, forced. A fixed 1 s hold left it to scheduling: under
        # load the processes drift apart, the later one reads the new role and sends nothing.
        emu.control('POST', 'faults', [{'method': 'POST', 'path': '^/api/v1/iam/roles/%s$' % role['id'], 'kind': 'delay',
                                        'seconds': 8, 'count': 2, 'barrier': 2} for role in seeded['roles']])
        start = time.time() + 8
        procs = [relkit.run_playbook(_role_play(start), emu, name='concurrency-roles-%d' % i, background=True) for i in (1, 2)]
        runs = [proc.wait() for proc in procs]
        log = emu.requests_log()
        pending = emu.control('GET', 'faults')['faults']
        emu.control('DELETE', 'requests')
        third = relkit.run_playbook(_role_play(), emu, name='concurrency-roles-3')
        log3 = emu.requests_log()
        roles = dict((name, emu.role(name)) for name in ROLE_DECL)
        return {'runs': runs, 'third': third, 'log': log, 'log3': log3, 'roles': roles, 'pending': pending}
    finally:
        emu.stop()


@pytest.mark.parametrize('name', sorted(ROLE_DECL))
def test_role_converged_twice_in_parallel(name, report):
    out = relkit.job_result('concurrency-roles')
    problems = []
    results = [run.result('role %s' % name) for run in out['runs']]
    for index, result in enumerate(results):
        if relkit.failed(result):
            problems.append('process %d failed: %s' % (index + 1, result.get('msg')))
    if not all(result.get('changed') for result in results):
        problems.append('the two processes did not race (both should have read the old role and sent an update): %s' % (
            [relkit.summarize(result) for result in results]))
    role = out['roles'][name]
    display, permissions, service_roles = ROLE_FINAL[name]
    if role['displayName'] != display or sorted(role['permissions']) != sorted(permissions) or \
            sorted(role['serviceRoles']) != sorted(service_roles):
        problems.append('final role differs from the declaration: %s %s %s' % (role['displayName'], role['permissions'], role['serviceRoles']))
    for field in ('permissions', 'serviceRoles'):
        if len(role[field]) != len(set(role[field])):
            problems.append('duplicate entries in %s: %s' % (field, role[field]))
    third = out['third'].result('role %s' % name)
    if relkit.failed(third) or third.get('changed'):
        problems.append('third (sequential) run not a no-op: %s' % relkit.summarize(third))
    writes3 = [e for e in out['log3'] if e['method'] == 'POST' and e['path'] != '/auth/v1/token']
    if writes3:
        problems.append('third run wrote: %s' % writes3)
    delays = sum(1 for e in out['log'] if e.get('fault') and e['path'].endswith(role['id']))
    if delays != 2:  # one held update per process: otherwise the two runs did not race on this role
        problems.append('expected both updates of this role to be held by the delay fault, %d were' % delays)
    left = [f for f in out['pending'] if f.get('path', '').endswith(role['id'] + '$')]
    if left:
        problems.append('delay fault not consumed: %s' % left)
    observed = 'process 1: %s, process 2: %s; final %s; third run: %s' % (
        relkit.summarize(results[0]), relkit.summarize(results[1]),
        'as declared' if not problems else 'see problems', relkit.summarize(third))
    report.add('concurrency', 'role %s (%s) converged by two ansible-playbook processes at once' % (
        name, ', '.join(sorted(ROLE_DECL[name]))), 'final role equals the declaration, no duplicate entries; a third run changes nothing',
        observed + ('' if not problems else ' -- ' + '; '.join(problems)), not problems, faults=delays)
    assert not problems, '\n'.join(problems)
