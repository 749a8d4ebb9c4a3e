# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""1. Transient faults on every API operation of every module, GETs/DELETEs and POSTs separately.

Policy under test (plugins/module_utils/_client/http.py, the modules' DOCUMENTATION): 429 is retried for every request;
500/502/503/504, timeouts and dropped connections only for GET, DELETE and the token exchange; a POST is never
retried blindly (create reconciles a possibly lost response instead: see test_lost_create.py); when the retry
budget runs out the task fails with one message naming the operation, HTTP status, gateway code and request id.

Every (operation, fault) pair is one scenario: a setup task injects the fault, the module task runs, a collect task
returns the emulator's request log for that scenario. The operations are split over four playbooks that run in
parallel, each against its own emulator.
"""

import hashlib
import re
from urllib.parse import parse_qs

import pytest

import relkit

RETRIES = 2
TIMEOUT = 2
DEFAULTS = {'retries': RETRIES, 'timeout': TIMEOUT}

# op id -> (label, module, HTTP method, path regex template, class)
OPS = {
    'pc_list': ('personal_client: list (lookup by display_name)', 'personal_client', 'GET', r'^/api/v1/iam/personal_clients$', 'read'),
    'pc_get': ('personal_client: get (lookup by id)', 'personal_client', 'GET', r'^/api/v1/iam/personal_clients/{cid}$', 'read'),
    'pc_create': ('personal_client: create', 'personal_client', 'POST', r'^/api/v1/iam/personal_clients$', 'create'),
    'pc_update': ('personal_client: update', 'personal_client', 'POST', r'^/api/v1/iam/personal_clients/{cid}$', 'write'),
    'pc_delete': ('personal_client: delete', 'personal_client', 'DELETE', r'^/api/v1/iam/personal_clients/{cid}$', 'delete'),
    'pci_list': ('personal_client_info: list', 'personal_client_info', 'GET', r'^/api/v1/iam/personal_clients$', 'read'),
    'pci_search': ('personal_client_info: search (all_users)', 'personal_client_info', 'POST', r'^/api/v1/search/iam/personal_clients$', 'write'),
    'role_list': ('role: list (lookup by name)', 'role', 'GET', r'^/api/v1/iam/roles$', 'read'),
    'role_get': ('role: get (lookup by id)', 'role', 'GET', r'^/api/v1/iam/roles/{rid}$', 'read'),
    'role_update': ('role: update', 'role', 'POST', r'^/api/v1/iam/roles/{rid}$', 'write'),
    'ri_list': ('role_info: list', 'role_info', 'GET', r'^/api/v1/iam/roles$', 'read'),
    'ri_get': ('role_info: get', 'role_info', 'GET', r'^/api/v1/iam/roles/{rid}$', 'read'),
    'token': ('token exchange (role_info, token_cache=false)', 'role_info', 'POST', r'^/auth/v1/token$', 'token'),
}

# kind id -> (label, faults, HTTP status the fault answers or None)
KINDS = {
    '429': ('429 burst x2, no Retry-After', [{'kind': 'status', 'status': 429, 'count': 2}], 429),
    '429_ra_seconds': ('429 + Retry-After: 1', [{'kind': 'status', 'status': 429, 'retry_after': '1'}], 429),
    '429_ra_date': ('429 + Retry-After: HTTP date 3 s ahead', [{'kind': 'status', 'status': 429, 'retry_after_date_in': 3}], 429),
    '500': ('500', [{'kind': 'status', 'status': 500}], 500),
    '502': ('502', [{'kind': 'status', 'status': 502}], 502),
    '503': ('503', [{'kind': 'status', 'status': 503}], 503),
    '503_ra_seconds': ('503 + Retry-After: 1', [{'kind': 'status', 'status': 503, 'retry_after': '1'}], 503),
    '504': ('504', [{'kind': 'status', 'status': 504}], 504),
    'delay': ('delay 2.5 s, timeout 2 s', [{'kind': 'delay', 'seconds': 2.5}], None),
    'drop': ('connection dropped', [{'kind': 'drop'}], None),
    'html': ('HTML (non-JSON) 502 body', [{'kind': 'html', 'status': 502}], 502),
    'budget': ('retry budget exhausted (3 x 503 on GET/DELETE/token, 3 x 429 on POST)', None, None),
}
GRID_COLUMNS = {'429': '429 x2', '429_ra_seconds': '429 RA 1', '429_ra_date': '429 RA date', '500': '500', '502': '502',
                '503': '503', '503_ra_seconds': '503 RA 1', '504': '504', 'delay': 'timeout', 'drop': 'drop', 'html': 'HTML 502', 'budget': 'budget spent'}
GRPC = {429: (8, 'RESOURCE_EXHAUSTED'), 500: (13, 'INTERNAL'), 502: (2, 'UNKNOWN'), 503: (14, 'UNAVAILABLE'), 504: (4, 'DEADLINE_EXCEEDED')}
OPERATION_NAMES = {
    'pc_list': 'PersonalClientService.List', 'pc_get': 'PersonalClientService.Get', 'pc_create': 'PersonalClientService.Create',
    'pc_update': 'PersonalClientService.Update', 'pc_delete': 'PersonalClientService.Delete',
    'pci_list': 'PersonalClientService.List', 'pci_search': 'PersonalClientSearchService.Search',
    'role_list': 'Roles.List', 'role_get': 'Roles.Get', 'role_update': 'Roles.Update', 'ri_list': 'Roles.List',
    'ri_get': 'Roles.Get', 'token': 'Token exchange',
}
GROUPS = [
    ['pc_create', 'pc_list', 'ri_get'],
    ['pc_update', 'pc_delete', 'role_get'],
    ['pc_get', 'pci_list', 'pci_search', 'token'],
    ['role_list', 'role_update', 'ri_list'],
]
SCENARIOS = [(op, kind) for op in OPS for kind in KINDS]


def sid(op, kind):
    return '%s-%s' % (op, kind)


def names(op, kind):
    key = sid(op, kind)
    return {
        'cid': 'rel-%s' % key.replace('_', '-'),
        'dname': 'rel %s' % key,
        'cname': 'rel new %s' % key,
        'rid': hashlib.sha1(key.encode()).hexdigest()[:27],
        'rname': 'custom:rel-%s' % key,
        'rdisplay': 'Rel %s' % key,
    }


def faults_for(op, kind):
    cls = OPS[op][4]
    specs = KINDS[kind][1]
    if kind == 'budget':
        status = 429 if OPS[op][2] == 'POST' and cls != 'token' else 503
        specs = [{'kind': 'status', 'status': status, 'count': RETRIES + 1}]
    n = names(op, kind)
    path = OPS[op][3].format(cid=re.escape(n['cid']), rid=n['rid'])
    return [dict(spec, method=OPS[op][2], path=path) for spec in specs]


def budget_status(op):
    return 429 if OPS[op][2] == 'POST' and OPS[op][4] != 'token' else 503


def module_args(op, kind):
    n = names(op, kind)
    return {
        'pc_list': {'display_name': n['dname']},
        'pc_get': {'id': n['cid']},
        'pc_create': {'display_name': n['cname']},
        'pc_update': {'id': n['cid'], 'display_name': n['dname'] + ' renamed'},
        'pc_delete': {'id': n['cid'], 'state': 'absent'},
        'pci_list': {},
        'pci_search': {'all_users': True, 'query': n['dname']},
        'role_list': {'name': n['rname'], 'display_name': n['rdisplay']},
        'role_get': {'id': n['rid']},
        'role_update': {'id': n['rid'], 'display_name': n['rdisplay'] + ' renamed'},
        'ri_list': {},
        'ri_get': {'id': n['rid']},
        'token': {'id': n['rid'], 'token_cache': False},
    }[op]


def seed_for(ops):
    roles, clients = [], []
    for op in ops:
        for kind in KINDS:
            n = names(op, kind)
            roles.append({'id': n['rid'], 'name': n['rname'], 'displayName': n['rdisplay'],
                          'permissions': ['permission/c1.api.iam.v1.Roles.List'], 'serviceRoles': []})
            if op in ('pc_list', 'pc_get', 'pc_update', 'pc_delete', 'pci_search'):
                clients.append({'user': 'admin@example.com', 'id': n['cid'], 'displayName': n['dname']})
    return {'roles': roles, 'personalClients': clients}


def _group_job(index):
    ops = GROUPS[index]

    def run():
        ws = relkit.workspace()
        emu = relkit.Emulator(ws.subdir('transient-emulator-%d' % index))
        with emu:
            tasks = [relkit.ctl('seed', seed=seed_for(ops))]
            for op in ops:
                for kind in KINDS:
                    key = sid(op, kind)
                    n = names(op, kind)
                    faults = faults_for(op, kind)
                    tasks.append(relkit.ctl(key + ' setup', clear=True, faults=faults))
                    tasks.append(relkit.mod(key + ' run', OPS[op][1], module_args(op, kind)))
                    collect = {'collect': True, 'expect_faults': sum(f.get('count', 1) for f in faults)}
                    if op == 'pc_create':
                        collect['live_clients'] = n['cname']
                    elif op in ('pc_delete', 'pc_update'):
                        collect['live_clients'] = n['dname']
                    tasks.append(relkit.ctl(key + ' collect', **collect))
            run_ = relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], emu, name='transient-%d' % index)
            out = {'run': run_, 'scenarios': {}}
            for op in ops:
                for kind in KINDS:
                    key = sid(op, kind)
                    try:
                        result = run_.result(key + ' run')
                        collect = run_.result(key + ' collect')
                    except KeyError as exc:
                        out['scenarios'][key] = {'error': str(exc)}
                        continue
                    data = {'result': result, 'log': collect.get('requests') or [],
                            'pending': collect.get('pending_faults') or [], 'live': collect.get('live_clients')}
                    if op == 'pc_create':
                        # Every live client of that name must be usable by somebody: its secret was returned.
                        data['secret_ok'] = emu.secret_works((result.get('personal_client') or {}).get('client_id'),
                                                             result.get('client_secret'))
                    out['scenarios'][key] = data
            return out
    return run


for _index in range(len(GROUPS)):
    relkit.job('transient-%d' % _index, weight=10)(_group_job(_index))


def c1rel_jobs_for(item):
    """The background job a collected test needs (conftest starts only those)."""
    if item.originalname == 'test_transient_fault':
        return ['transient-%d' % _group_of(item.callspec.params['op'])]
    if item.originalname == 'test_fault_on_a_later_page':
        return ['transient-paged']
    return relkit.jobs_of_module(__name__)


def _group_of(op):
    return next(i for i, ops in enumerate(GROUPS) if op in ops)


def _op_entries(op, kind, log):
    n = names(op, kind)
    pattern = re.compile(OPS[op][3].format(cid=re.escape(n['cid']), rid=n['rid']))
    return [entry for entry in log if entry['method'] == OPS[op][2] and pattern.search(entry['path'])]


def _expected(op, kind):
    cls = OPS[op][4]
    if kind == 'budget':
        return 'fails once the budget (%d retries) is spent: message names operation, HTTP %d, gateway code, request id' % (
            RETRIES, budget_status(op))
    if kind.startswith('429') or cls in ('read', 'delete', 'token'):
        return 'retried within the budget, converges'
    if cls == 'create':
        return ('not retried blindly: reconciled (list; %s; create once more): exactly 2 create POSTs, one live client of '
                'that name whose returned secret works' % (
                    'the timed-out create appears while the module waits and is deleted' if kind == 'delay'
                    else 'nothing was created, nothing to delete'))
    return 'not retried: fails once with a clear message; exactly one POST in the request log'


def _check(op, kind, data):
    """Problems found in one scenario (empty list = pass) and a short observation."""
    problems = []
    result, log = data['result'] or {}, data['log']
    cls = OPS[op][4]
    status = KINDS[kind][2] if kind != 'budget' else budget_status(op)
    entries = _op_entries(op, kind, log)
    faulted = [e for e in log if e.get('fault')]
    injected = sum(f.get('count', 1) for f in faults_for(op, kind))
    msg = result.get('msg') or ''
    failed = relkit.failed(result)
    observed = '%s; %s %s x%d (%s)' % (
        'failed: ' + msg[:160] if failed else ('changed' if result.get('changed') else 'ok'),
        OPS[op][2], 'op', len(entries), ', '.join('%s%s' % (e['status'], '/' + e['fault'] if e['fault'] else '') for e in entries))
    if data['pending']:
        problems.append('fault not consumed: %s' % data['pending'])
    if len(faulted) != injected:
        problems.append('expected %d faulted requests in the log, saw %d' % (injected, len(faulted)))
    if relkit.crashed(result):
        problems.append('crashed instead of a clear message: %s' % msg[:300])

    must_fail = kind == 'budget' or (cls == 'write' and not kind.startswith('429'))
    if must_fail:
        if not failed:
            problems.append('expected a failure, got %s' % ('changed' if result.get('changed') else 'ok'))
        if OPERATION_NAMES[op] not in msg:
            problems.append('message does not name the operation %s' % OPERATION_NAMES[op])
        if status is not None:
            code, code_name = GRPC[status] if kind != 'html' else (None, None)
            if 'HTTP %d' % status not in msg:
                problems.append('message does not name HTTP %d' % status)
            if code is not None and 'code %d (%s)' % (code, code_name) not in msg:
                problems.append('message does not name the gateway code %d (%s)' % (code, code_name))
            if not re.search(r'request-id: [A-Za-z0-9]+', msg):
                problems.append('message has no request id')
            api_error = result.get('api_error') or {}
            if api_error.get('status') != status or not api_error.get('request_id'):
                problems.append('api_error lacks status/request_id: %s' % api_error)
        elif 'not retried' not in msg:
            problems.append('a POST whose outcome is unknown must say it was not retried')
        if kind == 'html' and 'non-JSON' not in msg:
            problems.append('an HTML error body should be reported as non-JSON')
        if kind == 'budget':
            if 'gave up after %d retries' % RETRIES not in msg:
                problems.append('message does not say the retry budget was spent')
            if len(entries) != RETRIES + 1:
                problems.append('expected %d attempts, saw %d' % (RETRIES + 1, len(entries)))
            if cls == 'create' and data.get('live'):
                problems.append('a failed create left live clients: %s' % [c['id'] for c in data['live']])
        elif OPS[op][2] == 'POST' and len(entries) != 1:
            problems.append('a POST that must not be retried was sent %d times' % len(entries))
        return problems, observed

    # must converge (possibly through the create reconciliation)
    if failed:
        problems.append('expected to converge, failed: %s' % msg[:300])
        return problems, observed
    served = [e for e in entries if not e['fault']]  # the log is in completion order; a delayed one may end last
    if cls == 'delete' and kind == 'delay':
        # The timed-out DELETE still runs on the server, racing the retry (backoff jitter decides who is first):
        # whichever order, the server deletes exactly once and the other attempt finds nothing to delete.
        if len(entries) != 2 or sorted(e['status'] for e in entries) != [200, 404]:
            problems.append('expected the delayed DELETE and one retry, one deleting (200), the other finding it '
                            'gone (404): %s' % entries)
    elif not served or served[-1]['status'] != 200:
        problems.append('no successful %s attempt after the fault: %s' % (OPS[op][2], entries))
    if kind.startswith('429') and len(entries) != injected + 1:
        problems.append('expected %d attempts (429s + 1), saw %d' % (injected + 1, len(entries)))
    warnings = ' '.join(result.get('warnings') or [])
    if kind == '429_ra_seconds' and 'in 1.0s' not in warnings:
        problems.append('Retry-After: 1 not honoured (warnings: %s)' % warnings[:200])
    if kind == '503_ra_seconds' and cls != 'create' and not re.search(r'HTTP 503\b[^;]*; retry 1 of \d+ in 1\.0s', warnings):
        problems.append('Retry-After: 1 on a 503 not honoured (warnings: %s)' % warnings[:200])  # jitter alone: < 0.5 s
    if kind == '429_ra_date':
        waits = [float(w) for w in re.findall(r'retry 1 of \d+ in ([0-9.]+)s', warnings)]
        if not waits or not 0.6 <= waits[0] <= 3.5:  # jitter alone would be < 0.5 s
            problems.append('HTTP-date Retry-After not honoured (warnings: %s)' % warnings[:200])
    n = names(op, kind)
    if op == 'pc_create':
        live = data.get('live') or []
        if len(live) != 1:
            problems.append('expected exactly one live client named %r, found %d: %s' % (
                n['cname'], len(live), [c['id'] for c in live]))
        elif (result.get('personal_client') or {}).get('id') != live[0]['id']:
            problems.append('the live client %s is not the one whose secret was returned' % live[0]['id'])
        if not data.get('secret_ok'):
            problems.append('the returned client_secret does not authenticate')
        if kind not in ('429', '429_ra_seconds', '429_ra_date'):
            if len(entries) != 2:
                problems.append('expected exactly 2 create POSTs (the faulted one, one more), saw %d' % len(entries))
            deletes = [e for e in log if e['method'] == 'DELETE']
            if len(deletes) != (1 if kind == 'delay' else 0):
                problems.append('expected %d DELETE (of the orphan), saw %d' % (1 if kind == 'delay' else 0, len(deletes)))
    elif op == 'pc_update':
        if (result.get('personal_client') or {}).get('display_name') != n['dname'] + ' renamed':
            problems.append('update not applied')
    elif op == 'pc_delete':
        if not result.get('changed') or data.get('live'):
            problems.append('delete did not converge')
    elif op in ('pc_list', 'pc_get'):
        if (result.get('personal_client') or {}).get('id') != n['cid'] or result.get('changed'):
            problems.append('lookup did not find the client unchanged')
    elif op == 'pci_list':
        if not result.get('personal_clients'):
            problems.append('list returned nothing')
    elif op == 'pci_search':
        if n['cid'] not in [c['id'] for c in result.get('personal_clients') or []]:
            problems.append('search did not return the client')
    elif op in ('role_list', 'role_get'):
        if (result.get('role') or {}).get('id') != n['rid'] or result.get('changed'):
            problems.append('role lookup did not find the role unchanged')
    elif op == 'role_update':
        if (result.get('role') or {}).get('display_name') != n['rdisplay'] + ' renamed':
            problems.append('role update not applied')
    elif op == 'ri_list':
        if len(result.get('roles') or []) < 11:
            problems.append('role list incomplete')
    elif op in ('ri_get', 'token'):
        if [r['id'] for r in result.get('roles') or []] != [n['rid']]:
            problems.append('role_info did not return the role')
    return problems, observed


@pytest.mark.parametrize('op,kind', SCENARIOS, ids=[sid(op, kind) for op, kind in SCENARIOS])
def test_transient_fault(op, kind, report):
    out = relkit.job_result('transient-%d' % _group_of(op))
    data = out['scenarios'].get(sid(op, kind))
    label = '%s / %s %s' % (OPS[op][0], OPS[op][2], KINDS[kind][0])
    if data is None or 'error' in data:
        report.add('transient', label, _expected(op, kind), 'playbook did not run: %s' % (data or {}).get('error'), False)
        pytest.fail('scenario did not run:\n%s' % out['run'].describe())
    problems, observed = _check(op, kind, data)
    faults = sum(1 for e in data['log'] if e.get('fault'))
    report.add('transient', label, _expected(op, kind), observed + ('' if not problems else ' -- ' + '; '.join(problems)),
               not problems, faults=faults, grid=('%s (%s)' % (OPS[op][0], OPS[op][2]), GRID_COLUMNS[kind]))
    assert not problems, '%s\nresult: %s\nlog: %s' % ('\n'.join(problems), data['result'], data['log'])


# --------------------------------------------------------------------------------------------------------------
# Faults on a later page of a paginated listing (the retry must resend the same page token)

# key -> (label, method, module, args, faults, path, statuses the request log must show in order)
PAGED = {
    'P1': ('role_info: list over 3 pages, 503 on page 2', 'GET', 'role_info', {},
           [{'method': 'GET', 'path': '^/api/v1/iam/roles$', 'kind': 'delay', 'seconds': 0},
            {'method': 'GET', 'path': '^/api/v1/iam/roles$', 'kind': 'status', 'status': 503}],
           '^/api/v1/iam/roles$', [200, 503, 200, 200]),
    'P2': ('personal_client_info: search over 2 pages (all_users), 429 on page 2', 'POST', 'personal_client_info',
           {'all_users': True, 'query': 'rel paged'},
           [{'method': 'POST', 'path': '^/api/v1/search/iam/personal_clients$', 'kind': 'delay', 'seconds': 0},
            {'method': 'POST', 'path': '^/api/v1/search/iam/personal_clients$', 'kind': 'status', 'status': 429, 'retry_after': '1'}],
           '^/api/v1/search/iam/personal_clients$', [200, 429, 200]),
    'P3': ('personal_client_info: list over 2 pages, connection dropped on page 2', 'GET', 'personal_client_info', {},
           [{'method': 'GET', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'delay', 'seconds': 0},
            {'method': 'GET', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'drop'}],
           '^/api/v1/iam/personal_clients$', [200, None, 200]),
}
PAGED_SEED = {
    'generateRoles': {'count': 250, 'namePrefix': 'custom:paged-', 'displayNamePrefix': 'Paged role '},
    'personalClients': [{'user': 'admin@example.com', 'displayName': 'rel paged %03d' % i} for i in range(130)],
}


@relkit.job('transient-paged', weight=2)
def paged_job():
    scenarios = []
    for key, (label, method, module, args, faults, path, statuses) in PAGED.items():
        def check(ctx, module=module, method=method, args=args):
            r, log = ctx.r('run'), ctx.log()
            problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
            state = ctx.emu.state()
            if module == 'role_info':
                want = len([x for x in state['roles'] if not x.get('deletedAt')])
                got = len(r.get('roles') or [])
            else:
                live = [c for c in state['personalClients'] if not c.get('deletedAt')]
                if args.get('all_users'):
                    want = len([c for c in live if 'rel paged' in c['displayName']])
                else:
                    want = len([c for c in live if c['userId'] == state['admin']['userId']])
                got = len(r.get('personal_clients') or [])
            if got != want:
                problems.append('listed %d of %d items' % (got, want))
            calls = [e for e in log if e['method'] == method and e['path'] != '/auth/v1/token']
            problems += _same_page_resent(calls, method)
            return problems, '%s; %d items; %s x%d (%s)' % (relkit.summarize(r), got, method, len(calls), ', '.join(
                '%s%s' % (e['status'], '/' + e['fault'] if e['fault'] else '') for e in calls))
        tasks = [relkit.ctl(key + ' setup', clear=True, faults=faults), relkit.mod(key + ' run', module, args),
                 relkit.ctl(key + ' collect', collect=True, expect_faults=2)]
        scenarios.append(relkit.Scenario(key, label, 'the retried request resends the same page token; every item listed once',
                                         tasks, check, outcome='ok', requests=[(method, path, statuses)]))
    return relkit.run_scenario_set('transient-paged', scenarios, defaults=DEFAULTS, pre_tasks=[relkit.ctl('seed', seed=PAGED_SEED)],
                                   index=_PAGED_BY_KEY)


_PAGED_BY_KEY = {}


def _page_token(entry):
    """The page token a logged request asked for: GET in its query string, a POST search in its body (the request
    log's ``page_token``); '' for a first page (no token, or an empty one)."""
    if entry['method'] == 'GET':
        return (parse_qs(entry['query'], keep_blank_values=True).get('page_token') or [''])[0]
    return entry.get('page_token') or ''


def _same_page_resent(calls, method):
    """The request after the faulted one asks for the same later page: the same page token (GET: the same query
    string too), not the first page's empty one."""
    faulted = [i for i, e in enumerate(calls) if e['fault'] and e['fault'] != 'delay']
    if len(faulted) != 1 or faulted[0] + 1 >= len(calls) or faulted[0] == 0:
        return ['expected one faulted later-page request followed by its retry: %s' % calls]
    first, fault, retry = calls[0], calls[faulted[0]], calls[faulted[0] + 1]
    if not _page_token(fault) or _page_token(fault) == _page_token(first):
        return ['the faulted request did not ask for a later page: page token %r, the first page\'s %r' % (
            _page_token(fault), _page_token(first))]
    if _page_token(retry) != _page_token(fault) or (method == 'GET' and fault['query'] != retry['query']):
        return ['the retry did not resend the faulted page request: page token %r then %r (query %r then %r)' % (
            _page_token(fault), _page_token(retry), fault['query'], retry['query'])]
    return []


def _search(status=200, fault=None, page_token=None):
    entry = {'method': 'POST', 'path': '/api/v1/search/iam/personal_clients', 'query': '', 'status': status, 'fault': fault}
    if page_token is not None:
        entry['page_token'] = page_token
    return entry


def _list(query, status=200, fault=None):
    return {'method': 'GET', 'path': '/api/v1/iam/roles', 'query': query, 'status': status, 'fault': fault}


@pytest.mark.parametrize('calls,method,problem', [
    ([_search(), _search(429, 'status', 'p2'), _search(page_token='p2')], 'POST', None),
    ([_search(), _search(429, 'status', 'p2'), _search(page_token='p3')], 'POST', 'the retry did not resend'),
    ([_search(), _search(429, 'status', 'p2'), _search()], 'POST', 'the retry did not resend'),
    ([_search(), _search(429, 'status'), _search()], 'POST', 'the faulted request did not ask for a later page'),
    ([_list('page_size=100'), _list('page_size=100&page_token=t2', 503, 'status'), _list('page_size=100&page_token=t2')],
     'GET', None),
    ([_list('page_size=100'), _list('page_size=100&page_token=t2', 503, 'status'), _list('page_size=100&page_token=t3')],
     'GET', 'the retry did not resend'),
    ([_list('page_size=100'), _list('page_size=100&page_token=', 503, 'status'), _list('page_size=100&page_token=')],
     'GET', 'the faulted request did not ask for a later page'),
], ids=['search-same', 'search-other-token', 'search-token-dropped', 'search-first-page', 'list-same', 'list-other-token',
        'list-empty-token'])
def test_the_same_page_check_refuses_another_page_token(calls, method, problem):
    """Pure: the P rows' page-token check on doctored request logs (no emulator)."""
    problems = _same_page_resent(calls, method)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem), problems


@pytest.mark.parametrize('key', sorted(PAGED))
def test_fault_on_a_later_page(key, report):
    out = relkit.job_result('transient-paged')
    problems = relkit.report_scenario(report, 'transient', _PAGED_BY_KEY[key], out[key])
    assert not problems, '\n'.join(problems) + '\n' + str(out[key].get('observed'))
