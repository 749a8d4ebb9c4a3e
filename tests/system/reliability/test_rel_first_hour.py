# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""5. First-hour errors and diffs (issue 22): each error a new user meets points at the fix, end to end.

Each scenario runs the real modules through ``ansible-playbook`` and asserts the message anchored to its key words:
a plain-HTTP server (the emulator) behind an ``https://`` URL, a refused port, a name that cannot resolve
(``.invalid``), unknown options (on the task, in a set item, in ``module_defaults``), a garbage secret, missing
credentials in each mode, plain http to a host that is not loopback; and the ``--diff`` output of the set modules
as the default callback prints it (one header per item, scoped roles by name with their id).
"""

import re
import socket

import pytest

import relkit

DEFAULTS = {'timeout': 10}
OPERATION = r'^[A-Za-z. ]+ \((?:GET|POST) /[^)]*\) failed: '
NO_CREDENTIAL_ENV = {'CONDUCTORONE_SERVER_URL': '', 'CONDUCTORONE_CLIENT_ID': '', 'CONDUCTORONE_CLIENT_SECRET': '', 'CONDUCTORONE_ACCESS_TOKEN': '',
                     'CONDUCTORONE_OIDC_TOKEN': ''}
SEED = {
    'roles': [
        {'name': 'custom:u8-alpha', 'displayName': 'U8 Alpha', 'permissions': [], 'serviceRoles': []},
        {'name': 'custom:u8-beta', 'displayName': 'U8 Beta', 'permissions': [], 'serviceRoles': []},
    ],
    'personalClients': [
        {'user': 'admin@example.com', 'id': 'rel-u8-one', 'displayName': 'rel u8 one', 'scopedRoles': ['custom:u8-alpha']},
        {'user': 'admin@example.com', 'id': 'rel-u8-two', 'displayName': 'rel u8 two'},
    ],
}
WRITES = ('POST', 'DELETE', 'PUT', 'PATCH')


def _msg(result):
    return str((result or {}).get('msg') or '')


def _anchored(result, *patterns, **absent):
    """Problems unless the task failed cleanly with a message matching every pattern (the first anchored with ^)."""
    msg = _msg(result)
    if not relkit.failed(result):
        return ['accepted: %s' % relkit.summarize(result)]
    if relkit.crashed(result):
        return ['crashed instead of a clear message: %s' % msg[:300]]
    problems = ['message does not match %s: %s' % (pattern, msg[:400]) for pattern in patterns if not re.search(pattern, msg)]
    problems += ['message mentions %r: %s' % (word, msg[:300]) for word in absent.get('without', ()) if word in msg]
    return problems


def _retry_warnings(result):
    return [w for w in (result or {}).get('warnings') or [] if re.search(r'retry \d+ of \d+', w)]


def _no_writes(ctx):
    writes = [e for e in ctx.full_log() if e['method'] in WRITES and e['path'] != '/auth/v1/token']
    return ['WRITE: %s' % ', '.join('%s %s' % (e['method'], e['path']) for e in writes)] if writes else []


def _task_output(run, name):
    """The default callback's output of one task (from its TASK banner to the next banner)."""
    match = re.search(r'TASK \[%s\][^\n]*\n(.*?)(?=\nTASK \[|\nPLAY RECAP)' % re.escape(name), run.stdout, re.S)
    return match.group(1) if match else ''


def _retried_at_most(ctx, most, pattern):
    """The run's message matches ``pattern`` (anchored), after at most ``most`` retry warnings (retries=4)."""
    r = ctx.r('run')
    problems = _anchored(r, pattern)
    retries = _retry_warnings(r)
    if len(retries) > most:
        problems.append('%d retry warnings with retries=4, expected at most %d: %s' % (len(retries), most, retries))
    return problems, '%s; %d retry warning(s)' % (relkit.summarize(r), len(retries))


def _info_run(key, title, expected, params, check, **flags):
    """A scenario of one personal_client_info run (step ``<key> run``) that fails, and the collect step."""
    return relkit.Scenario(key, title, expected, [relkit.mod(key + ' run', 'personal_client_info', params),
                                                  relkit.ctl(key + ' collect', collect=True)],
                           check, outcome='failed', **flags)


def scenarios(emu, refused_port):
    port = int(emu.url.rsplit(':', 1)[1])
    out = []

    def u1(ctx):
        r = ctx.r('run')
        problems = _anchored(r, OPERATION + r'the server at 127\.0\.0\.1 port %d does not speak TLS: ' % port,
                             r'The URL says https://; .*use http://127\.0\.0\.1:%d as server_url' % port,
                             without=('ca_path', 'CA_PATH'))
        return problems, relkit.summarize(r)
    out.append(_info_run(
        'U1', 'first hour: a plain-HTTP server (the emulator) behind an https:// server_url',
        'fails saying the server does not speak TLS at that address and to use its http:// URL; not ca_path',
        {'server_url': 'https://127.0.0.1:%d' % port, 'retries': 4}, u1))

    def u2(ctx):
        return _retried_at_most(ctx, 1, OPERATION + r'cannot connect to 127\.0\.0\.1 port %d: connection refused, nothing is '
                                r'listening there \(the request was not sent\)\. Check the host and port of server_url' % refused_port)
    out.append(_info_run(
        'U2', 'first hour: server_url names a port where nothing listens (connection refused), retries=4',
        'at most one retry, then a message naming host and port and what to check',
        {'server_url': 'http://127.0.0.1:%d' % refused_port, 'retries': 4}, u2))

    def u3(ctx):  # a name that does not resolve is not retried
        return _retried_at_most(ctx, 0, OPERATION + r'cannot resolve the host name nonexistent\.invalid \(port 443\): .* \(the '
                                r'request was not sent\)\. Check the host in server_url')
    out.append(_info_run(
        'U3', 'first hour: server_url names a host that does not resolve (nonexistent.invalid), retries=4',
        'fails at once (no retry) naming the host, the port and what to check',
        {'server_url': 'https://nonexistent.invalid', 'retries': 4}, u3))

    def u4(ctx):
        problems = ['task: %s' % p for p in _anchored(ctx.r('task'), (
            r'^Unsupported parameters for \(conductorone\.iam\.personal_client\) module: expires_inn \(did you mean '
            r'expires_in\?\)\. Supported parameters include: access_token, '))]
        problems += ['set item: %s' % p for p in _anchored(ctx.r('item'), (
            r'^Unsupported parameters for \(conductorone\.iam\.personal_client_set\) module: clients\[1\]\.expires_inn \(did '
            r'you mean expires_in\?\)\. Supported parameters of clients items include: allow_source_cidr, display_name, '))]
        problems += ['module_defaults: %s' % p for p in _anchored(ctx.r('defaults'), (
            r'^Unsupported parameters for \(conductorone\.iam\.personal_client_info\) module: retriess \(did you mean '
            r'retries\?\)\. Supported parameters include: '))]
        problems += _no_writes(ctx)
        return problems, relkit.summarize(ctx.r('item'))
    out.append(relkit.Scenario(
        'U4', 'first hour: a misspelt option (expires_inn) on the task, in a set item, and in module_defaults (retriess)',
        "Ansible's own `Unsupported parameters for (<module>) module: ...`, the item by index, a close match suggested; "
        'nothing written',
        [relkit.mod('U4 task', 'personal_client', {'display_name': 'rel u4', 'expires_inn': '3d'}),
         relkit.mod('U4 item', 'personal_client_set', {'clients': [{'display_name': 'rel u4 a'},
                                                                   {'display_name': 'rel u4 b', 'expires_inn': '3d'}]}),
         relkit.mod('U4 defaults', 'personal_client_info', {},
                    module_defaults={'group/conductorone.iam.all': {'retriess': 1}}),
         relkit.ctl('U4 collect', collect=True)], u4, bad_input=True, outcome='failed'))

    def u5(ctx):
        r = ctx.r('run')
        return _anchored(r, r"^client_secret is not a ConductorOne client secret: it must start with "
                            r"'secret-token:conductorone\.com:v1:' \(copy the whole value"), relkit.summarize(r)
    out.append(_info_run(
        'U5', 'first hour: a garbage client_secret (with a valid client_id)',
        'the message shows the documented prefix secret-token:conductorone.com:v1: (masking hides values, not the format)',
        {'client_id': emu.client_id, 'client_secret': 'not-a-secret-at-all'}, u5, bad_input=True, read_only=True))

    def u6(ctx):
        problems = ['nothing set: %s' % p for p in _anchored(
            ctx.r('nothing'), r'^no ConductorOne credentials: set client_id and client_secret \(CONDUCTORONE_CLIENT_ID and '
            r'CONDUCTORONE_CLIENT_SECRET\)', without=('alone', 'no ConductorOne tenant'))]
        problems += ['client_id only: %s' % p for p in _anchored(
            ctx.r('id only'), r"^client_secret missing: client_id '[^']+' is set \(a /pcc client\), but not its client_secret: "
            r'set client_secret \(CONDUCTORONE_CLIENT_SECRET\)', r'CONDUCTORONE_CLIENT_SECRET is set in the environment but '
            r'was not read', without=('no ConductorOne credentials',))]
        problems += ['client_secret only: %s' % p for p in _anchored(
            ctx.r('secret only'), r'^client_id missing: client_secret is set, but not the client id it belongs to: set '
            r'client_id \(CONDUCTORONE_CLIENT_ID\)', without=(emu.client_secret,))]
        return problems, relkit.summarize(ctx.r('id only'))
    out.append(relkit.Scenario(
        'U6', 'first hour: missing credentials (nothing set; client_id without its secret; a secret without client_id)',
        'each message names what is missing for that mode; nothing set does not speak of access_token as set',
        [relkit.mod('U6 nothing', 'personal_client_info', {}, environment=NO_CREDENTIAL_ENV),
         relkit.mod('U6 id only', 'personal_client_info', {'client_id': emu.client_id}),
         relkit.mod('U6 secret only', 'personal_client_info', {'client_secret': emu.client_secret}),
         relkit.ctl('U6 collect', collect=True)], u6, bad_input=True, read_only=True, outcome='failed'))

    def u7(ctx):
        r = ctx.r('run')
        return _anchored(r, r'^server_url: plain http:// is only allowed to a loopback host .*: use https://, e\.g\. '
                            r'https://acme\.conductor\.one, or set allow_plain_http \(CONDUCTORONE_ALLOW_PLAIN_HTTP\)'), \
            relkit.summarize(r)
    out.append(_info_run(
        'U7', 'first hour: plain http:// to a host that is not loopback',
        'refused before connecting, saying to use https:// and naming allow_plain_http',
        {'server_url': 'http://c1rel-u7.invalid:8080'}, u7, bad_input=True, read_only=True))

    alpha, beta = emu.role('custom:u8-alpha')['id'], emu.role('custom:u8-beta')['id']

    def u8(ctx):
        problems = []
        text = _task_output(ctx.run, 'U8 set')
        one, two = text.find('--- before: clients[0] (rel u8 one)'), text.find('--- before: clients[1] (rel u8 two)')
        if one < 0 or two < 0 or '+++ after: clients[0] (rel u8 one)' not in text or '+++ after: clients[1] (rel u8 two)' not in text:
            problems.append('no before/after header per item in the --diff output: %r' % text[:900])
        else:
            first, second = text[one:two], text[two:]
            if not re.search(r'\n-\s+"U8 Alpha \(%s\)"' % re.escape(alpha), first) or \
                    not re.search(r'\n\+\s+"custom:u8-beta \(%s\)"' % re.escape(beta), first):
                problems.append('clients[0]: scoped roles not shown by name with their id: %r' % first[:600])
            if '10.8.0.0/16' not in second or '10.8.0.0/16' in first:
                problems.append("clients[1]'s change is not under its own header: %r" % text[:900])
        roles = _task_output(ctx.run, 'U8 roles')
        one, two = roles.find('--- before: roles[0] (custom:u8-alpha)'), roles.find('--- before: roles[1] (custom:u8-beta)')
        if one < 0 or two < 0:
            problems.append('no header per role in the role_set --diff output: %r' % roles[:900])
        elif not re.search(r'\n\+\s+"permission/c1\.api\.iam\.v1\.Roles\.List"', roles[one:two]) or 'U8 Beta renamed' not in roles[two:]:
            problems.append("a role's change is not under its own header: %r" % roles[:900])
        again = _task_output(ctx.run, 'U8 set again') + _task_output(ctx.run, 'U8 roles again')
        if '--- before' in again:
            problems.append('the second run prints a diff: %r' % again[:400])
        return problems, 'headers: %d client(s), %d role(s)' % (text.count('--- before: '), roles.count('--- before: '))
    items = [{'display_name': 'rel u8 one', 'scoped_roles': ['custom:u8-beta']},
             {'display_name': 'rel u8 two', 'allow_source_cidr': ['10.8.0.0/16']}]
    roles = [{'name': 'custom:u8-alpha', 'permissions': ['permission/c1.api.iam.v1.Roles.List']},
             {'name': 'custom:u8-beta', 'display_name': 'U8 Beta renamed'}]
    out.append(relkit.Scenario(
        'U8', 'first hour: `--diff` of personal_client_set (a scoped role by name, a network) and role_set (a permission, '
        'a rename)', "one diff per item under a header naming it (`--- before: clients[0] (rel u8 one)`), scoped roles as "
        'written (or by display name) with the id; the second run prints none',
        [relkit.mod('U8 set', 'personal_client_set', {'clients': items}, diff=True),
         relkit.mod('U8 roles', 'role_set', {'roles': roles}, diff=True),
         relkit.mod('U8 set again', 'personal_client_set', {'clients': items}, diff=True),
         relkit.mod('U8 roles again', 'role_set', {'roles': roles}, diff=True),
         relkit.ctl('U8 collect', collect=True)], u8,
        outcome={'set': 'changed', 'roles': 'changed', 'set again': 'ok', 'roles again': 'ok'}))
    return out


_BY_KEY = {}


@relkit.job('first-hour', weight=2)
def first_hour_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('first-hour-emulator')).start()
    closed = socket.socket()
    try:
        closed.bind(('127.0.0.1', 0))  # bound, never listening: every connection to it is refused
        emu.control('POST', 'seed', SEED)
        built = scenarios(emu, closed.getsockname()[1])
        return relkit.run_scenario_set('first-hour', built, defaults=DEFAULTS, emulator=emu, index=_BY_KEY,
                                       pre_tasks=[relkit.ctl('clear', clear=True)])
    finally:
        closed.close()
        emu.stop()


KEYS = ['U%d' % n for n in range(1, 9)]


@pytest.mark.parametrize('key', KEYS)
def test_first_hour(key, report):
    out = relkit.job_result('first-hour')
    scenario = _BY_KEY[key]
    problems = relkit.report_scenario(report, 'input', scenario, out[key])
    assert not problems, '%s: %s\n%s' % (key, scenario.label, '\n'.join(problems) + '\n' + str(out[key].get('observed')))
