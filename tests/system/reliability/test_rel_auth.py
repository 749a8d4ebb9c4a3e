# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""3. Token expiry mid-run and revoked credentials: one re-auth, then a clear authentication error.

The emulator runs with --token-ttl 2. Tokens are cached per user and reused until 60 s before they expire, so with a
short TTL every task simply exchanges again (A4). To hit a real 401 on an expired or revoked token the scenarios use
a static access_token obtained beforehand (expired when used: A1, A2), or revoke every issued token between two
tasks while the cache holds a long-lived one (A3, TTL raised to 600 s through /_emulator/config), or delete the
client whose token is cached (A5).
"""

import time

import pytest

import relkit

DEFAULTS = {'retries': 2, 'timeout': 5}
ROLES = '/api/v1/iam/roles'


def _entries(log, method=None, path=None):
    return [e for e in log if (method is None or e['method'] == method) and (path is None or e['path'].startswith(path))]


def _tokens(log):
    return _entries(log, 'POST', '/auth/v1/token')


def _show(log):
    return ', '.join('%s %s %s' % (e['method'], e['path'].replace('/api/v1/iam', ''), e['status']) for e in log)


def _auth_failure_problems(r, token_status=None):
    problems = []
    msg = r.get('msg') or ''
    if not relkit.failed(r):
        return ['expected an authentication failure, got %s' % relkit.summarize(r)]
    if relkit.crashed(r):
        problems.append('crashed: %s' % msg[:200])
    if 'HTTP 401' not in msg:
        problems.append('message does not say HTTP 401: %s' % msg[:300])
    if token_status == 401 and 'invalid_client' not in msg:
        problems.append('message does not carry the token endpoint\'s invalid_client: %s' % msg[:300])
    if token_status is None and 'credential was refused' not in msg:
        problems.append('message does not explain that the credential was refused: %s' % msg[:300])
    return problems


def _scenarios(emu, expired_token, cred, wrong_secret, expired_cred, cidr_cred, ttl_cred):
    out = []

    def collect(key, name='collect'):
        return relkit.ctl('%s %s' % (key, name), collect=True, expect_faults=0)

    # A1
    def check_a1(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        want = [('GET', 401), ('POST', 200), ('GET', 200)]
        got = [(e['method'], e['status']) for e in log]
        if got != want:
            problems.append('expected GET 401, token 200, GET 200; saw %s' % _show(log))
        return problems, '%s; %s' % (relkit.summarize(r), _show(log))
    out.append(relkit.Scenario(
        'A1', 'static access_token expired (TTL 2 s, slept 3 s); client_id and client_secret also set on the task',
        'one 401, one token exchange with the credentials, converges',
        [relkit.ctl('A1 setup', clear=True, sleep=3),
         relkit.mod('A1 run', 'role_info', {'name': 'system:viewer', 'access_token': expired_token,
                                            'client_id': emu.client_id, 'client_secret': emu.client_secret}),
         collect('A1')], check_a1, outcome='ok'))

    # A3
    def check_a3(ctx):
        r1, r2, r3 = ctx.r('run1'), ctx.r('run2'), ctx.r('run3')
        log2, log3 = ctx.log('collect2'), ctx.log('collect3')
        problems = ['failed: %s' % r.get('msg') for r in (r1, r2, r3) if relkit.failed(r)]
        if [(e['method'], e['status']) for e in log2] != [('GET', 401), ('POST', 200), ('GET', 200)]:
            problems.append('after revocation expected GET 401, token 200, GET 200; saw %s' % _show(log2))
        if _tokens(log3):
            problems.append('the re-exchanged token was not cached for the next task: %s' % _show(log3))
        return problems, 'task after revocation: %s; next task: %s' % (_show(log2), _show(log3))
    out.append(relkit.Scenario(
        'A3', 'cached token revoked between tasks (revoke_tokens)', 'one 401, one re-exchange, converges; next task reuses the new token',
        [relkit.ctl('A3 setup', clear=True, config={'tokenTtl': 600}),  # long-lived tokens from here on, so they are cached
         relkit.mod('A3 run1', 'role_info', {'name': 'system:viewer'}),
         relkit.ctl('A3 revoke', collect=True, revoke_tokens=True),
         relkit.mod('A3 run2', 'role_info', {'name': 'system:viewer'}),
         collect('A3', 'collect2'),
         relkit.mod('A3 run3', 'role_info', {'name': 'system:viewer'}),
         collect('A3', 'collect3')], check_a3, outcome='ok'))

    # A4 (a credential of its own, so that no long-lived token of it is cached yet)
    ttl_creds = {'client_id': ttl_cred['clientId'], 'client_secret': ttl_cred['clientSecret']}

    def check_a4(ctx):
        r1, r2 = ctx.r('run1'), ctx.r('run2')
        log = ctx.log()
        problems = ['failed: %s' % r.get('msg') for r in (r1, r2) if relkit.failed(r)]
        if _entries(log, path=ROLES) and any(e['status'] == 401 for e in log):
            problems.append('a request was sent with an expired token: %s' % _show(log))
        if len(_tokens(log)) != 2:
            problems.append('expected one exchange per task (TTL below the 60 s reuse margin), saw %s' % _show(log))
        return problems, _show(log)
    out.append(relkit.Scenario(
        'A4', 'server token TTL 2 s again, 3 s between tasks (client credentials, cache on)',
        'no request with an expired token: each task exchanges afresh, converges',
        [relkit.ctl('A4 setup', clear=True, config={'tokenTtl': 2}),
         relkit.mod('A4 run1', 'role_info', dict(ttl_creds, name='system:viewer')),
         relkit.ctl('A4 sleep', sleep=3),
         relkit.mod('A4 run2', 'personal_client_info', ttl_creds),
         relkit.ctl('A4 collect', collect=True, config={'tokenTtl': 600})], check_a4, outcome='ok'))

    # A5
    def check_a5(ctx):
        r1, r2, r3 = ctx.r('run1'), ctx.r('delete'), ctx.r('run3')
        log = ctx.log('collect3')
        problems = ['step failed: %s' % r.get('msg') for r in (r1, r2) if relkit.failed(r)]
        problems += _auth_failure_problems(r3, token_status=401)
        if [(e['method'], e['status']) for e in log] != [('GET', 401), ('POST', 401)]:
            problems.append('expected exactly GET 401 then one token exchange refused; saw %s' % _show(log))
        return problems, '%s; %s' % (relkit.summarize(r3), _show(log))
    creds = {'client_id': cred['clientId'], 'client_secret': cred['clientSecret']}
    out.append(relkit.Scenario(
        'A5', 'credential revoked mid-run (the client deletes itself, then another task runs with its cached token)',
        'one 401, one re-auth attempt refused, then one clear authentication error',
        [relkit.ctl('A5 setup', clear=True),
         relkit.mod('A5 run1', 'role_info', dict(creds, name='system:viewer')),
         relkit.mod('A5 delete', 'personal_client', dict(creds, id=cred['id'], state='absent')),
         relkit.ctl('A5 collect', collect=True),
         relkit.mod('A5 run3', 'role_info', dict(creds, name='system:viewer')),
         collect('A5', 'collect3')], check_a5, outcome={'run1': 'ok', 'delete': 'changed', 'run3': 'failed'}))

    # A6-A8: a credential refused from the start
    refused = (
        ('A6', 'well-formed secret of another client', {'client_id': emu.client_id, 'client_secret': wrong_secret}),
        ('A7', 'expired client (expiresTime in the past)',
         {'client_id': expired_cred['clientId'], 'client_secret': expired_cred['clientSecret']}),
        ('A8', 'client restricted to a source CIDR this host is outside of',
         {'client_id': cidr_cred['clientId'], 'client_secret': cidr_cred['clientSecret']}),
    )
    for key, label, args in refused:
        def check_refused(ctx):
            r, log = ctx.r('run'), ctx.log()
            problems = _auth_failure_problems(r, token_status=401)
            if [(e['method'], e['status']) for e in log] != [('POST', 401)]:
                problems.append('expected exactly one refused token exchange (401 is not retried); saw %s' % _show(log))
            return problems, '%s; %s' % (relkit.summarize(r), _show(log))
        out.append(relkit.Scenario(
            key, 'credential refused at the token endpoint: %s' % label, 'one token request, one clear authentication error',
            [relkit.ctl(key + ' setup', clear=True),
             relkit.mod(key + ' run', 'role_info', dict(args, name='system:viewer', token_cache=False)),
             collect(key)], check_refused, outcome='failed'))

    # A9: the API keeps answering 401 after a fresh exchange
    def check_a9(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = _auth_failure_problems(r)
        if [(e['method'], e['status']) for e in log] != [('GET', 401), ('POST', 200), ('GET', 401)]:
            problems.append('expected GET 401, one re-exchange, GET 401 and stop; saw %s' % _show(log))
        return problems, '%s; %s' % (relkit.summarize(r), _show(log))
    out.append(relkit.Scenario(
        'A9', 'API answers 401 twice (token refused even after a fresh exchange)', 'exactly one re-auth, then one clear error',
        [relkit.ctl('A9 setup', clear=True, faults=[{'method': 'GET', 'path': '^/api/v1/iam/roles', 'kind': 'status',
                                                     'status': 401, 'count': 2}]),
         relkit.mod('A9 run', 'role_info', {'name': 'system:viewer'}),
         relkit.ctl('A9 collect', collect=True, expect_faults=2)], check_a9, outcome='failed',
        requests=[('GET', '^/api/v1/iam/roles', [401, 401]), ('POST', '^/auth/v1/token$', [200])]))
    return out


def _static_only(expired_token):
    def check_a2(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = _auth_failure_problems(r)
        if [(e['method'], e['status']) for e in log] != [('GET', 401)]:
            problems.append('expected exactly one GET 401 and no token exchange; saw %s' % _show(log))
        if expired_token in str(r):
            problems.append('the access token appears in the result')
        return problems, '%s; %s' % (relkit.summarize(r), _show(log))
    return [relkit.Scenario(
        'A2', 'static access_token expired, no client credentials', 'one 401, no exchange possible, one clear error',
        [relkit.ctl('A2 setup', clear=True),
         relkit.mod('A2 run', 'role_info', {'name': 'system:viewer', 'access_token': expired_token}),
         relkit.ctl('A2 collect', collect=True)], check_a2, outcome='failed')]


_BY_KEY = {}
KEYS = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9']


@relkit.job('auth', weight=4)
def auth_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('auth-emulator'), ['--token-ttl', '2']).start()
    try:
        expired_token = emu.access_token()  # 2 s TTL: expired by the time A1 and A2 use it
        cred = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'rel self-deleting'})
        other = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'rel other'})
        expired = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'rel expired',
                                                      'expiresTime': '2020-01-01T00:00:00Z'})
        cidr = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'rel cidr',
                                                   'allowSourceCidr': ['203.0.113.0/24']})
        ttl = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'rel short ttl'})
        scenarios = _scenarios(emu, expired_token, cred, other['clientSecret'], expired, cidr, ttl)
        out = relkit.run_scenario_set('auth', scenarios, defaults=DEFAULTS, emulator=emu)
        # A2 needs an environment without client credentials
        static = _static_only(expired_token)
        out.update(relkit.run_scenario_set('auth-static', static, defaults=DEFAULTS, emulator=emu, emulator_env=False,
                                           extra_env={'CONDUCTORONE_SERVER_URL': emu.url}))
        _BY_KEY.update((s.key, s) for s in scenarios + static)
        return out
    finally:
        emu.stop()


@pytest.mark.parametrize('key', KEYS)
def test_auth(key, report):
    out = relkit.job_result('auth')
    problems = relkit.report_scenario(report, 'auth', _BY_KEY[key], out[key])
    assert not problems, '\n'.join(problems) + '\n' + str(out[key].get('observed'))


def test_expired_token_really_expired():
    """Guard for A1/A2: a 2 s token is refused after 3 s (the scenarios rely on it)."""
    emu = relkit.Emulator(relkit.workspace().subdir('auth-guard'), ['--token-ttl', '1']).start()
    try:
        token = emu.access_token()
        time.sleep(2.2)
        status, dummy, dummy2 = emu.http('GET', '/api/v1/auth/introspect', headers={'Authorization': 'Bearer ' + token})
        assert status == 401
    finally:
        emu.stop()
