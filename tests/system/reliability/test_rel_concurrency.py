# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""4. Concurrency: 10 forks converging 50 distinct clients (under rate limiting), and the role module converging
the same declaration from two ansible-playbook processes at once. The final state must equal the declared state,
with no duplicate, and a second run must change nothing."""

import json
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
    with relkit.job_emulator('concurrency-clients') as (ws, emu):
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


# --------------------------------------------------------------------------------------------------------------
# Issue 19 (findings 1 and 5): overlapping runs, forced. Two ansible-playbook processes that share nothing but the
# tenant (own HOME, TMPDIR, ANSIBLE_HOME, token cache and secret directory) converge the same declarations; the
# emulator holds each contended request until the other process's arrived (a barrier), so both plan from the same
# state before either writes. Then a third, sequential run must change nothing and write nothing.

RACE_SET = ['race-set-%d' % i for i in range(5)]
RACE_SINGLE = 'race-single'
RACE_ROTATED = 'race-rotated'
RACE_ROLE = 'custom:race-append'
RACE_ROLE_SET = 'custom:race-remove'
RACE_ROLE_SEED = [
    {'name': RACE_ROLE, 'displayName': 'Race append', 'permissions': [P + 'Roles.List'], 'serviceRoles': []},
    {'name': RACE_ROLE_SET, 'displayName': 'Race remove', 'permissions': [P + 'Roles.List', P + 'Roles.Get', P + 'Roles.Update'],
     'serviceRoles': []},
]
APPENDED = {1: P + 'Roles.Get', 2: P + 'Roles.Update'}  # what each process appends to RACE_ROLE
REMOVED = {1: P + 'Roles.Get', 2: P + 'Roles.Update'}  # what each process removes from RACE_ROLE_SET
RACE_DEFAULTS = {'retries': 4, 'timeout': 40}
HOLD = 30  # seconds a held request waits for its partner at most (below the timeout)
CREATE_PATH = '^/api/v1/iam/personal_clients$'
# key -> (label, guarantee)
RACES = {
    'CC1': ('CC1 personal_client_set: two processes create the same 5 declared clients at once (10 creates held '
            'until all arrived)',
            'one live client per name; its secret delivered by exactly one process (its secret file), the other '
            'process deleted its own duplicate and reports the winner (changed=false, no secret file); a third run '
            'changes nothing'),
    'CC2': ('CC2 personal_client: two processes create one client at once',
            'one live client; secret delivered by exactly one process; the other reports the winner; a third run '
            'changes nothing'),
    'CC3': ('CC3 personal_client rotate=true: two processes rotate the same client at once',
            'one replacement (not two), the old client deleted, the new secret delivered by exactly one process; a '
            'third run changes nothing'),
    'CC4': ('CC4 role append=true: two processes append different permissions to one role at once',
            'both permissions on the role (the update another writer undid is re-applied); a third run changes '
            'nothing'),
    'CC5': ('CC5 role_set remove_permissions: two processes remove different permissions from one role at once',
            'both permissions removed, the rest kept; a third run changes nothing'),
}


def _race_play(index, secret_dir, rotate=True):
    other = 3 - index
    tasks = [
        relkit.mod('CC1 set', 'personal_client_set', {
            'clients': [{'display_name': name, 'secret_path': name + '.json'} for name in RACE_SET],
            'secret_dir': str(secret_dir)}),
        relkit.mod('CC2 single', 'personal_client', {'display_name': RACE_SINGLE,
                                                     'secret_path': str(secret_dir / (RACE_SINGLE + '.json'))}),
        relkit.mod('CC3 rotate', 'personal_client', dict({'display_name': RACE_ROTATED,
                                                          'secret_path': str(secret_dir / (RACE_ROTATED + '.json'))},
                                                         **({'rotate': True} if rotate else {}))),
        relkit.mod('CC4 append', 'role', {'name': RACE_ROLE, 'permissions': [APPENDED[index]] if rotate else list(APPENDED.values()),
                                          'append': True}),
        relkit.mod('CC5 remove', 'role_set', {'roles': [{'name': RACE_ROLE_SET, 'remove_permissions':
                                                         [REMOVED[index]] if rotate else [REMOVED[index], REMOVED[other]]}]}),
    ]
    return [relkit.play(tasks, defaults=RACE_DEFAULTS)]


def _held(method, path, count):
    return {'method': method, 'path': path, 'kind': 'delay', 'seconds': HOLD, 'count': count, 'barrier': count}


def _controller(ws, index):
    """A controller of its own: HOME, TMPDIR, ANSIBLE_HOME, token cache and secret directory."""
    root = ws.subdir('race-controller-%d' % index)
    for name in ('home', 'tmp', 'ansible-home', 'cache', 'secrets'):
        (root / name).mkdir(mode=0o700)
    env = {'HOME': str(root / 'home'), 'TMPDIR': str(root / 'tmp'), 'ANSIBLE_HOME': str(root / 'ansible-home')}
    return env, root / 'cache', root / 'secrets'


def _secret_files(secret_dir):
    out = {}
    for path in sorted(secret_dir.glob('*.json')):
        out[path.stem] = json.loads(path.read_text())
    return out


@relkit.job('concurrency-races', weight=6)
def races_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('concurrency-races-emulator')).start()
    try:
        admin = emu.client_id.split('@')[0]
        user = next(c['userId'] for c in emu.state()['personalClients'] if c['id'] == admin)
        seeded = emu.control('POST', 'seed', {'roles': RACE_ROLE_SEED,
                                              'personalClients': [{'user': user, 'displayName': RACE_ROTATED}]})
        roles = dict((role['name'], role['id']) for role in seeded['roles'])
        rotated_id = seeded['personalClients'][0]['id']
        # the creates of each task, both processes' at once (CC1: 5 each, CC2 and CC3: 1 each, in task order: the
        # first pending fault that matches is used); the role updates and the append/remove modes' re-reads
        emu.control('POST', 'faults', [
            _held('POST', CREATE_PATH, 2 * len(RACE_SET)), _held('POST', CREATE_PATH, 2), _held('POST', CREATE_PATH, 2),
            _held('POST', '^/api/v1/iam/roles/%s$' % roles[RACE_ROLE], 2),
            _held('GET', '^/api/v1/iam/roles/%s$' % roles[RACE_ROLE], 2),
            _held('POST', '^/api/v1/iam/roles/%s$' % roles[RACE_ROLE_SET], 2),
            _held('GET', '^/api/v1/iam/roles/%s$' % roles[RACE_ROLE_SET], 2),
        ])
        controllers = dict((index, _controller(ws, index)) for index in (1, 2))
        procs = [relkit.run_playbook(_race_play(index, controllers[index][2]), emu, name='race-process-%d' % index,
                                     extra_env=controllers[index][0], xdg=controllers[index][1], background=True)
                 for index in (1, 2)]
        runs = dict(zip((1, 2), [proc.wait() for proc in procs]))
        log = emu.requests_log()
        pending = emu.control('GET', 'faults')['faults']
        files = dict((index, _secret_files(controllers[index][2])) for index in (1, 2))
        works = {}
        for index, found in files.items():
            for name, record in found.items():
                works[(index, name)] = emu.secret_works(record.get('client_id'), record.get('client_secret'))
        live = dict((name, emu.live_clients(name)) for name in RACE_SET + [RACE_SINGLE, RACE_ROTATED])
        role_state = dict((name, emu.role(name)) for name in (RACE_ROLE, RACE_ROLE_SET))
        emu.control('DELETE', 'requests')
        env, cache, secrets = controllers[1]
        third = relkit.run_playbook(_race_play(1, secrets, rotate=False), emu, name='race-process-3', extra_env=env, xdg=cache)
        log3 = emu.requests_log()
        return {'runs': runs, 'log': log, 'pending': pending, 'files': files, 'works': works, 'live': live,
                'roles': role_state, 'third': third, 'log3': log3, 'rotated_id': rotated_id, 'role_ids': roles}
    finally:
        emu.stop()


def _set_item(result, name):
    return next((item for item in (result or {}).get('results') or [] if item.get('display_name') == name), {})


def _client_outcomes(out, name, task):
    """Problems of one declared name: one live client, delivered by exactly one process, the other reports it."""
    problems = []
    live = out['live'][name]
    if len(live) != 1:
        return ['%d live clients named %s: %s' % (len(live), name, [c['id'] for c in live])]
    winner = live[0]['id']
    holders = [index for index in (1, 2) if out['files'][index].get(name, {}).get('id') == winner]
    stale = [(index, out['files'][index][name]['id']) for index in (1, 2)
             if name in out['files'][index] and out['files'][index][name]['id'] != winner]
    if len(holders) != 1:
        problems.append('the secret of %s is in %d secret files (want exactly 1)' % (name, len(holders)))
    elif not out['works'][(holders[0], name)]:
        problems.append('the delivered secret of %s does not authenticate' % name)
    if stale:
        problems.append('secret files of clients that no longer exist: %s' % stale)
    reports = []
    for index in (1, 2):
        result = out['runs'][index].result(task)
        item = _set_item(result, name) if task.startswith('CC1') else result
        if relkit.failed(result):
            problems.append('process %d failed: %s' % (index, str(result.get('msg'))[:300]))
        reports.append((index, item.get('lost_race'), item.get('changed')))
    losers = [(index, lost) for index, lost, dummy in reports if lost]
    if len(losers) != 1:
        problems.append('want exactly one process to report the lost race for %s (the race forced), got %s' % (name, reports))
    else:
        index, lost = losers[0]
        if lost.get('winner') != winner or index in holders:
            problems.append('the loser (process %d) reports %s, but %s is live and process %s holds it' % (index, lost, winner, holders))
        if [changed for i, dummy, changed in reports if i == index] != [False]:
            problems.append('the loser reports changed: %s' % reports)
        if 'holds no secret for %s' % winner not in out['runs'][index].text():
            problems.append('the loser does not say plainly that it holds no secret for %s' % winner)
    return problems


def _third_problems(out, task, names=()):
    problems = []
    result = out['third'].result(task)
    if relkit.failed(result) or result.get('changed'):
        problems.append('third run not a no-op: %s' % relkit.summarize(result))
    return problems


@pytest.mark.parametrize('key', sorted(RACES))
def test_overlapping_runs(key, report):
    out = relkit.job_result('concurrency-races')
    label, guarantee = RACES[key]
    problems = []
    if key == 'CC1':
        for name in RACE_SET:
            problems += _client_outcomes(out, name, 'CC1 set')
        held = [e for e in out['log'] if e.get('fault') and e['path'] == '/api/v1/iam/personal_clients' and e['method'] == 'POST']
        if len(held) != 2 * len(RACE_SET) + 4:
            problems.append('%d creates held by the barriers (want %d)' % (len(held), 2 * len(RACE_SET) + 4))
        problems += _third_problems(out, 'CC1 set')
    elif key == 'CC2':
        problems += _client_outcomes(out, RACE_SINGLE, 'CC2 single') + _third_problems(out, 'CC2 single')
    elif key == 'CC3':
        problems += _client_outcomes(out, RACE_ROTATED, 'CC3 rotate') + _third_problems(out, 'CC3 rotate')
        if any(c['id'] == out['rotated_id'] for c in out['live'][RACE_ROTATED]):
            problems.append('the rotated client %s is still live' % out['rotated_id'])
    else:
        name, changed = (RACE_ROLE, APPENDED) if key == 'CC4' else (RACE_ROLE_SET, REMOVED)
        task = 'CC4 append' if key == 'CC4' else 'CC5 remove'
        role = out['roles'][name]
        have = set(role['permissions'])
        if key == 'CC4':
            missing = set(APPENDED.values()) - have
            if missing or P + 'Roles.List' not in have:
                problems.append('lost update: %s missing from %s' % (sorted(missing), sorted(have)))
        else:
            kept = set(REMOVED.values()) & have
            if kept or P + 'Roles.List' not in have:
                problems.append('lost update: %s still on the role (%s)' % (sorted(kept), sorted(have)))
        for index in (1, 2):
            result = out['runs'][index].result(task)
            if relkit.failed(result) or not result.get('changed'):
                problems.append('process %d: %s' % (index, relkit.summarize(result)))
        role_id = out['role_ids'][name]
        held = [e for e in out['log'] if e.get('fault') and e['path'].endswith(role_id)]
        if len(held) != 4:
            problems.append('%d requests on the role held by the barriers (want 2 updates + 2 re-reads)' % len(held))
        problems += _third_problems(out, task)
    # this row's requests: the personal clients (CC1-CC3) or its role (CC4, CC5)
    mine = (lambda path: 'personal_clients' in path) if key in ('CC1', 'CC2', 'CC3') else (
        lambda path: out['role_ids'][RACE_ROLE if key == 'CC4' else RACE_ROLE_SET] in path)
    left = [(f['method'], f['path'], f['count']) for f in out['pending'] if mine(f['path'])]
    if left:  # a request the race needs was never sent (a re-read, say), or the processes did not overlap
        problems.append('barrier faults never consumed: %s' % left)
    writes3 = [e for e in out['log3'] if e['method'] in ('POST', 'DELETE') and mine(e['path'])]
    if writes3:
        problems.append('third run wrote: %s' % writes3[:5])
    observed = 'process 1: %s; process 2: %s; third run: %s' % (
        _summary(out['runs'][1], key), _summary(out['runs'][2], key), _summary(out['third'], key))
    report.add('partial', label, guarantee, observed + ('' if not problems else ' -- ' + '; '.join(problems)), not problems,
               faults=len([e for e in out['log'] if e.get('fault')]) if key == 'CC1' else 0)
    assert not problems, '\n'.join(problems) + '\n' + out['runs'][1].describe()[-2000:] + out['runs'][2].describe()[-2000:]


def _summary(run, key):
    task = {'CC1': 'CC1 set', 'CC2': 'CC2 single', 'CC3': 'CC3 rotate', 'CC4': 'CC4 append', 'CC5': 'CC5 remove'}[key]
    try:
        result = run.result(task)
    except KeyError:
        return 'no result'
    if key == 'CC1' and not relkit.failed(result):
        lost = sum(1 for item in result.get('results') or [] if item.get('lost_race'))
        return 'created %d, lost the race for %d' % (len((result.get('summary') or {}).get('created') or []), lost)
    if result.get('lost_race'):
        return 'lost the race to %s (changed=%s)' % (result['lost_race']['winner'], result.get('changed'))
    return relkit.summarize(result)
