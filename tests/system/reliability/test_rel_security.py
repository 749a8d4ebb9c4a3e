# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""8. Security: each scenario is an attack, then what must hold (issue 11).

Hostile servers are small Python HTTP servers in this process, on other loopback addresses (127.0.0.2, 127.0.0.3)
or, for the plain-http scenario, on an address that is not loopback; each records every request it receives, so
every scenario asserts what the hostile side saw (usually: nothing at all) and what the emulator saw (its request
log, collected right after the scenario's tasks). Playbooks run at -vvv with ANSIBLE_LOG_PATH, and the outputs are
scanned for the values the scenario must not reveal.

Every scenario fails on the code before issue 11 (checked by running this file against a checkout of 296eb25 with
only the tests and the emulator updated) and passes after it.
"""

import base64
import json
import os
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import relkit

DEFAULTS = {'retries': 1, 'timeout': 5}
TOKEN_PATH = '/auth/v1/token'


# --------------------------------------------------------------------------------------------------------------
# hostile servers


class Hostile:
    """A recording HTTP server; ``respond(method, path, headers, body)`` -> (status, headers, body text)."""

    def __init__(self, host='127.0.0.2', respond=None):
        self.requests = []
        self._respond = respond or (lambda *args: (400, {}, '{"error": "invalid_request"}'))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length).decode('utf-8', 'replace') if length else ''
                outer.requests.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                       'body': body})
                status, headers, text = outer._respond(self.command, self.path, dict(self.headers), body)
                data = text.encode('utf-8')
                self.send_response(status)
                for name, value in dict({'Content-Type': 'application/json'}, **headers).items():
                    self.send_header(name, value)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.host = host
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_for(self, host=None):
        host = host or self.host
        return 'http://%s:%d' % ('[%s]' % host if ':' in host else host, self.port)

    @property
    def url(self):
        return self.url_for()

    def token_posts(self):
        return [entry for entry in self.requests if entry['method'] == 'POST' and entry['path'].endswith(TOKEN_PATH)]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _json(status, body, **headers):
    return status, headers, json.dumps(body)


def _non_loopback_address():
    """An address of this machine that is not loopback by the collection's rule (None if there is none)."""
    candidates = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(('192.0.2.1', 9))  # TEST-NET: nothing is sent, only a route is chosen
        candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    for address in candidates:
        if not address.startswith('127.'):
            return address
    return None


def fresh_secret():
    """A well-formed client secret nobody has registered (for attacks that must fail before any request)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat  # pylint: disable=import-outside-toplevel

    key = Ed25519PrivateKey.generate()

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b'=').decode()

    jwk = {'kty': 'OKP', 'crv': 'Ed25519',
           'd': b64(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())),
           'x': b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))}
    return relkit.SECRET_PREFIX + b64(json.dumps(jwk).encode())


def _outputs(run):
    try:
        log = (run.workdir / 'ansible.log').read_text(errors='replace')
    except OSError:
        log = ''
    return {'stdout': run.stdout, 'stderr': run.stderr, 'ANSIBLE_LOG_PATH': log}


def _leaks(run, forbidden):
    """'<label> in <output>' for every forbidden (label, value) found in stdout, stderr or the log file."""
    found = []
    for output, text in _outputs(run).items():
        for label, value in forbidden:
            if value and value in text:
                found.append('%s in %s' % (label, output))
    return found


def _msg(result):
    return str((result or {}).get('msg') or '')


def _refused(result, *words):
    """Problems unless the task failed cleanly with every word in its message."""
    if not relkit.failed(result):
        return ['not refused: %s' % relkit.summarize(result)]
    problems = ['crashed: %s' % _msg(result)[:200]] if relkit.crashed(result) else []
    problems += ['message lacks %r: %s' % (word, _msg(result)[:240]) for word in words if word not in _msg(result)]
    return problems


def _api_requests(log):
    return [entry for entry in log if entry['path'].startswith('/api/')]


def _writes(log):
    return [entry for entry in log if entry['method'] in ('POST', 'DELETE') and entry['path'] != TOKEN_PATH
            and not entry['path'].startswith('/api/v1/search/')]


def _saw(hostile):
    return 'hostile server saw %d request(s)%s' % (len(hostile.requests), (': ' + ', '.join(
        '%s %s' % (entry['method'], entry['path']) for entry in hostile.requests[:3])) if hostile.requests else '')


def _replay_problems(emu, hostile):
    """The attack's payoff: a token request captured by the hostile server, re-posted at the tenant."""
    problems = []
    for entry in hostile.token_posts():
        form = dict((key, values[0]) for key, values in urllib.parse.parse_qs(entry['body']).items())
        status, dummy, dummy2 = emu.http('POST', TOKEN_PATH, form=form)
        problems.append('the hostile server captured a token request%s' % (
            '; replayed at the tenant it returned HTTP %s%s' % (status, ' (an access token)' if status == 200 else '')
            if form.get('client_assertion') else ''))
    return problems


# --------------------------------------------------------------------------------------------------------------
# the main playbook: one emulator, one hostile server (or two) per attack, one task (or a few) each


class Attack:
    """One row: ``tasks(ctx)`` builds its tasks (names start with key), ``check(ctx)`` returns (problems, observed)."""

    def __init__(self, key, attack, expected, tasks, check):
        self.key, self.attack, self.expected, self.tasks, self.check = key, attack, expected, tasks, check


class MainCtx:
    def __init__(self, emu, workdir):
        self.emu, self.workdir = emu, Path(workdir)
        self.hostile = {}
        self.values = {}
        self.run = None

    def r(self, name):
        return self.run.result(name)

    def log(self, key):
        return self.r('%s collect' % key).get('requests') or []


def _connection(emu, **overrides):
    args = {'client_id': emu.client_id, 'client_secret': emu.client_secret, 'token_cache': False}
    args.update(overrides)
    return args


def _s_backslash():
    def tasks(ctx):
        evil = ctx.hostile['S1'] = Hostile('127.0.0.2')
        url = 'http://127.0.0.2:%d\\@127.0.0.1:%s' % (evil.port, ctx.emu.url.rsplit(':', 1)[1])
        return [relkit.mod('S1 run', 'personal_client_info', _connection(ctx.emu, server_url=url))]

    def check(ctx):
        evil, r, log = ctx.hostile['S1'], ctx.r('S1 run'), ctx.log('S1')
        problems = _replay_problems(ctx.emu, evil) + _refused(r, 'server_url', 'backslash')
        problems += ['the emulator saw %d request(s)' % len(log)] if log else []
        return problems, '%s; %s; emulator saw %d' % (relkit.summarize(r), _saw(evil), len(log))

    return Attack('S1', 'server_url `http://evil:PORT\\@tenant:PORT`: urlsplit names the tenant (the assertion aud), '
                  'requests connects to evil', 'refused before any request, naming the backslash; evil sees nothing; '
                  'no assertion to replay', tasks, check)


def _s_redirect():
    def tasks(ctx):
        collector = ctx.hostile['S3c'] = Hostile('127.0.0.3')
        front = ctx.hostile['S3'] = Hostile('127.0.0.2', respond=lambda *a: (
            307, {'Location': collector.url + TOKEN_PATH}, '{}'))
        return [relkit.mod('S3 run', 'personal_client_info', _connection(ctx.emu, server_url=front.url))]

    def check(ctx):
        front, collector, r = ctx.hostile['S3'], ctx.hostile['S3c'], ctx.r('S3 run')
        problems = ['the redirect target received %d request(s) (%s)' % (
            len(collector.requests), ', '.join(e['method'] + ' ' + e['path'] for e in collector.requests))] if collector.requests else []
        problems += _refused(r, 'HTTP 307', '127.0.0.3', 'redirect')
        if [(e['method'], e['path']) for e in front.requests] != [('POST', TOKEN_PATH)]:
            problems.append('the redirecting server saw %s, expected exactly one token POST' % [
                e['method'] + ' ' + e['path'] for e in front.requests])
        return problems, '%s; redirect target saw %d request(s)' % (relkit.summarize(r), len(collector.requests))

    return Attack('S3', 'the server answers the token request with 307 to another host (127.0.0.3)',
                  'not followed: the task fails naming HTTP 307 and the target host; the target sees nothing',
                  tasks, check)


def _s_token_newline():
    def tasks(ctx):
        token = ctx.values['S4'] = ctx.emu.access_token()
        inner = token[:12] + '\n' + token[12:]
        return [
            relkit.mod('S4 trailing', 'personal_client_info', {'access_token': token + '\n'}),
            relkit.mod('S4 inner', 'personal_client_info', {'access_token': inner}),
        ]

    def check(ctx):
        token, log = ctx.values['S4'], ctx.log('S4')
        trailing, inner = ctx.r('S4 trailing'), ctx.r('S4 inner')
        problems = [] if not relkit.failed(trailing) else ['trailing newline not stripped: %s' % _msg(trailing)[:200]]
        problems += _refused(inner, 'access_token')
        problems += _leaks(ctx.run, [('the access token', token), ('its first part', token[:12]), ('its rest', token[12:])])
        api = [(e['method'], e['path'], e['status']) for e in _api_requests(log)]
        if api != [('GET', '/api/v1/iam/personal_clients', 200)]:
            problems.append('API requests %s, expected exactly the listing of the stripped-token task' % api)
        return problems, 'trailing: %s; inner: %s; %d API request(s)' % (
            relkit.summarize(trailing), relkit.summarize(inner), len(api))

    return Attack('S4', 'access_token with a trailing newline (`echo $T | ansible-vault encrypt_string`), and one '
                  'with a newline inside', 'trailing whitespace stripped (the task works); an inner control character '
                  'refused before any request; the token appears nowhere in the -vvv output or log', tasks, check)


def _s_swapped():
    def tasks(ctx):
        secret = ctx.values['S5'] = fresh_secret()
        return [relkit.mod('S5 run', 'personal_client_info', {
            'client_id': secret, 'client_secret': 'rel-swap@127.0.0.1/pcc', 'token_cache': False})]

    def check(ctx):
        r, log = ctx.r('S5 run'), ctx.log('S5')
        problems = _refused(r, 'client_id', 'swapped')
        problems += _leaks(ctx.run, [('secret part %d' % i, part) for i, part in enumerate(relkit.secret_parts(ctx.values['S5']))])
        problems += ['the emulator saw %d request(s)' % len(log)] if log else []
        return problems, relkit.summarize(r)

    return Attack('S5', 'client_id and client_secret swapped: the private key is given as client_id',
                  'refused saying they may be swapped; no part of the secret in any output', tasks, check)


def _s_echoing_server():
    token = 'hostile-issued-access-token-' + os.urandom(8).hex()

    def respond(method, path, headers, body):
        if path == TOKEN_PATH:
            return _json(200, {'access_token': token, 'token_type': 'Bearer', 'expires_in': 600})
        return _json(403, {'code': 7, 'message': 'permission denied for %s; %s' % (
            headers.get('Authorization'), 'x' * 50000)})

    def respond_oauth(method, path, headers, body):
        return _json(401, {'error': 'invalid_client', 'error_description': 'cannot use the request ' + body})

    def tasks(ctx):
        api = ctx.hostile['S6'] = Hostile('127.0.0.2', respond=respond)
        oauth = ctx.hostile['S6o'] = Hostile('127.0.0.2', respond=respond_oauth)
        ctx.values['S6'] = token
        secret = fresh_secret()
        return [
            relkit.mod('S6 api', 'personal_client_info', {
                'server_url': api.url, 'client_id': 'rel-echo@127.0.0.2:%d/pcc' % api.port, 'client_secret': secret,
                'token_cache': False}),
            relkit.mod('S6 oauth', 'personal_client_info', {
                'server_url': oauth.url, 'client_id': 'rel-echo@127.0.0.2:%d/pcc' % oauth.port, 'client_secret': secret,
                'token_cache': False}),
        ]

    def check(ctx):
        api, oauth = ctx.r('S6 api'), ctx.r('S6 oauth')
        problems = _refused(api, 'HTTP 403', 'permission denied') + _refused(oauth, 'invalid_client')
        if len(_msg(api)) > 2500:
            problems.append('the server message was not truncated (%d characters)' % len(_msg(api)))
        problems += _leaks(ctx.run, [('the exchanged access token', ctx.values['S6'])])
        assertions = [entry['body'] for entry in ctx.hostile['S6o'].token_posts()]
        for output, text in _outputs(ctx.run).items():
            if relkit.JWT_RE.search(text):
                problems.append('a JWT (the client assertion) in %s' % output)
        if not assertions:
            problems.append('the OAuth server received no token request (scenario did not run)')
        observed = 'api: %s (msg %d chars); oauth: %s' % (relkit.summarize(api)[:90], len(_msg(api)), relkit.summarize(oauth)[:120])
        return problems, observed

    return Attack('S6', 'the server echoes the request in its errors: `permission denied for Bearer <token>` (+50 kB), '
                  'and an OAuth error_description quoting the form with the assertion',
                  'the exchanged token and the assertion are masked, the message truncated', tasks, check)


def _s_password_in_url():
    password = 'url-password-' + os.urandom(6).hex()

    def tasks(ctx):
        ctx.values['S7'] = password
        directory = ctx.workdir / 's7'
        directory.mkdir(mode=0o700)
        ctx.values['S7dir'] = directory
        url = 'http://rel-user:%s@127.0.0.1:%s' % (password, ctx.emu.url.rsplit(':', 1)[1])
        args = dict(_connection(ctx.emu, server_url=url), display_name='rel sec s7', secret_path=str(directory / 'secret.json'))
        # tenant_domain (issue 13) names the tenant too: the same password there must be refused and masked alike
        domain_args = dict(_connection(ctx.emu, tenant_domain='https://rel-user:%s@acme.conductor.one' % password),
                           display_name='rel sec s7 domain', secret_path=str(directory / 'secret.json'))
        return [relkit.mod('S7 run', 'personal_client', args),
                relkit.mod('S7 tenant_domain', 'personal_client', domain_args)]

    def check(ctx):
        r, log = ctx.r('S7 run'), ctx.log('S7')
        problems = _refused(r, 'server_url', 'user name or password')
        problems += ['tenant_domain: %s' % p for p in _refused(ctx.r('S7 tenant_domain'), 'tenant_domain', 'user name or password')]
        problems += _leaks(ctx.run, [('the URL password', password)])
        problems += ['the emulator saw %d request(s)' % len(log)] if log else []
        files = os.listdir(str(ctx.values['S7dir']))
        problems += ['secret_path written: %s' % files] if files else []
        return problems, '%s; emulator saw %d request(s)' % (relkit.summarize(r), len(log))

    return Attack('S7', 'a password in server_url (`http://user:pw@tenant`) or in tenant_domain '
                  '(`https://user:pw@acme.conductor.one`)', 'refused before any request without '
                  'repeating it; the password appears in no output (not even invocation) and in no secret file',
                  tasks, check)


def _s_plain_http():
    address = _non_loopback_address()

    def tasks(ctx):
        if address is None:
            return []
        recorder = ctx.hostile['S8'] = Hostile('0.0.0.0')
        return [relkit.mod('S8 run', 'personal_client_info', _connection(ctx.emu, server_url=recorder.url_for(address)))]

    def check(ctx):
        if address is None:
            return ['this machine has no non-loopback address to test with'], 'not run'
        recorder, r = ctx.hostile['S8'], ctx.r('S8 run')
        problems = [_saw(recorder)] if recorder.requests else []
        problems += _refused(r, 'https://', 'loopback')
        return problems, '%s; %s' % (relkit.summarize(r), _saw(recorder))

    return Attack('S8', 'plain `http://` to a host that is not loopback (this machine\'s own non-loopback address)',
                  'refused before connecting, saying to use https; the server sees nothing', tasks, check)


def _s_secret_path_reuse():
    def tasks(ctx):
        directory = ctx.workdir / 's9'
        directory.mkdir(mode=0o700)
        path = ctx.values['S9'] = directory / 'shared.json'
        return [
            relkit.mod('S9 first', 'personal_client', {'display_name': 'rel sec s9 first', 'secret_path': str(path)}),
            relkit.mod('S9 second', 'personal_client', {'display_name': 'rel sec s9 second', 'secret_path': str(path)}),
        ]

    def check(ctx):
        first, second, log = ctx.r('S9 first'), ctx.r('S9 second'), ctx.log('S9')
        problems = [] if not relkit.failed(first) else ['first create failed: %s' % _msg(first)[:200]]
        first_id = ((first.get('personal_client') or {}).get('id')) or '?'
        problems += _refused(second, 'secret_path', first_id)
        creates = [e for e in log if e['method'] == 'POST' and e['path'] == '/api/v1/iam/personal_clients']
        problems += ['%d create POSTs, expected 1' % len(creates)] if len(creates) != 1 else []
        try:
            content = json.loads(ctx.values['S9'].read_text())
        except (OSError, ValueError):
            content = {}
        if content.get('id') != first_id or not ctx.emu.secret_works(content.get('client_id'), content.get('client_secret')):
            problems.append('the file no longer holds a working secret of the first client (holds %s)' % content.get('id'))
        return problems, 'second: %s; %d create(s)' % (relkit.summarize(second)[:160], len(creates))

    return Attack('S9', 'two tasks create different clients with the same secret_path', 'the second is refused before '
                  'its create, naming the client the file holds; the file keeps a working secret of the first',
                  tasks, check)


def _s_dot_ids():
    cases = [('personal_client_info', {'id': '..'}), ('personal_client', {'id': '..', 'state': 'absent'}),
             ('personal_client', {'id': '../personal_clients', 'state': 'absent'}), ('role_info', {'id': '.'}),
             ('role', {'id': 'a/b', 'display_name': 'x'})]

    def tasks(ctx):
        return [relkit.mod('S11 %d' % index, module, args) for index, (module, args) in enumerate(cases)]

    def check(ctx):
        problems = []
        for index, (module, args) in enumerate(cases):
            problems += ['%s id %r: %s' % (module, args['id'], problem) for problem in _refused(ctx.r('S11 %d' % index), 'id')]
        api = _api_requests(ctx.log('S11'))
        problems += ['API requests reached the server: %s' % ', '.join(
            '%s %s' % (e['method'], e['path']) for e in api[:4])] if api else []
        return problems, '%d inputs; %d API request(s)' % (len(cases), len(api))

    return Attack('S11', "ids `..`, `.`, `../personal_clients`, `a/b` (resolve to the collection or another resource)",
                  'each refused naming id before any request', tasks, check)


def _s_new_secret_shown():
    def tasks(ctx):
        path = ctx.workdir / 's12-secret.txt'
        ctx.values['S12'] = path
        return [
            relkit.mod('S12 create', 'personal_client', {'display_name': 'rel sec s12'}),
            {'name': 'S12 keep', 'no_log': True, 'ansible.builtin.copy': {
                'content': "{{ {'client_id': r.personal_client.client_id, 'client_secret': r.client_secret} | to_json }}",
                'dest': str(path), 'mode': '0600'}},
        ]

    def check(ctx):
        try:
            kept = json.loads(ctx.values['S12'].read_text())
        except (OSError, ValueError):
            kept = {}
        client_id, secret = kept.get('client_id'), kept.get('client_secret') or ''
        problems = [] if ctx.emu.secret_works(client_id, secret) else ['register did not receive a working secret']
        problems += _leaks(ctx.run, [('the new secret', secret), ('its key part', secret[len(relkit.SECRET_PREFIX):])])
        return problems, 'register got a working secret: %s' % ctx.emu.secret_works(client_id, secret)

    return Attack('S12', 'a client created by a task without `no_log`, run at -vvv', 'Ansible hides the result (result-'
                  'level _ansible_no_log) so the secret is in no output, while `register` still receives it', tasks, check)


def _s_shared_secret_dir():
    def tasks(ctx):
        directory = ctx.workdir / 's15'
        directory.mkdir()
        os.chmod(str(directory), 0o777)
        return [relkit.mod('S15 run', 'personal_client', {'display_name': 'rel sec s15', 'secret_path': str(directory / 's.json')})]

    def check(ctx):
        r, writes = ctx.r('S15 run'), _writes(ctx.log('S15'))
        problems = _refused(r, 'secret_path', 'writable by other users')
        problems += ['writes reached the server: %s' % writes] if writes else []
        return problems, relkit.summarize(r)[:200]

    return Attack('S15', 'secret_path in a world-writable, non-sticky directory (another user could swap the file)',
                  'refused before any write', tasks, check)


def _s_display_names():
    names = ['rel sec\nINJECTED log line', 'rel sec \u202egpj.exe', 'rel sec \x00nul']

    def tasks(ctx):
        return [relkit.mod('S16 %d' % index, 'personal_client', {'display_name': name}) for index, name in enumerate(names)]

    def check(ctx):
        problems = []
        for index in range(len(names)):
            problems += _refused(ctx.r('S16 %d' % index), 'display_name')
        writes = _writes(ctx.log('S16'))
        problems += ['writes reached the server: %s' % writes] if writes else []
        return problems, '%d names; %d write(s)' % (len(names), len(writes))

    return Attack('S16', 'display names with a newline, a bidi override (U+202E) and NUL', 'refused before any write',
                  tasks, check)


def _s_retry_fresh_assertion():
    def tasks(ctx):
        return [
            relkit.ctl('S17 setup', clear=True, faults=[{'kind': 'lost_response', 'method': 'POST', 'path': '^/auth/v1/token$'}]),
            relkit.mod('S17 run', 'personal_client_info', _connection(ctx.emu)),
        ]

    def check(ctx):
        r, log = ctx.r('S17 run'), ctx.log('S17')
        tokens = [(e['status'], e.get('fault')) for e in log if e['path'] == TOKEN_PATH]
        problems = [] if not relkit.failed(r) else ['failed: %s' % _msg(r)[:240]]
        if len(tokens) != 2 or tokens[0][1] != 'lost_response' or tokens[1][0] != 200:
            problems.append('token requests %s, expected the lost one then one 200' % tokens)
        return problems, '%s; token requests %s' % (relkit.summarize(r), tokens)

    return Attack('S17', 'the token response is lost after the server accepted the assertion (it now refuses a replay)',
                  'the retry signs a fresh assertion and succeeds', tasks, check)


MAIN_ATTACKS = [_s_backslash(), _s_redirect(), _s_token_newline(), _s_swapped(), _s_echoing_server(),
                _s_password_in_url(), _s_plain_http(), _s_secret_path_reuse(), _s_dot_ids(), _s_new_secret_shown(),
                _s_shared_secret_dir(), _s_display_names(), _s_retry_fresh_assertion()]


@relkit.job('security-main', weight=4)
def _main_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('security-emulator')).start()
    workdir = ws.subdir('security-main')
    ctx = MainCtx(emu, workdir)
    try:
        tasks = []
        for attack in MAIN_ATTACKS:
            built = attack.tasks(ctx)
            if built:
                if built[0].get('c1emu') is None:
                    tasks.append(relkit.ctl('%s clear' % attack.key, clear=True))
                tasks += built + [relkit.ctl('%s collect' % attack.key, collect=True)]
        ctx.run = relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], emu, name='security-main', workdir=workdir,
                                      verbosity=3)
        return relkit.check_each(((attack.key, attack.check) for attack in MAIN_ATTACKS), ctx)
    finally:
        for hostile in ctx.hostile.values():
            hostile.stop()
        emu.stop()


def _report(report, attack, problems, observed):
    report.add('security', attack.attack, attack.expected,
               (observed + ' -- ' if observed else '') + ('; '.join(problems) if problems else 'as expected'), not problems)
    assert not problems, '%s: %s' % (attack.key, problems)


@pytest.mark.parametrize('key', [attack.key for attack in MAIN_ATTACKS])
def test_attack(key, report):
    out = relkit.job_result('security-main')
    attack = next(a for a in MAIN_ATTACKS if a.key == key)
    if key == 'S8' and out[key][1] == 'not run':
        pytest.skip('no non-loopback address on this machine')
    _report(report, attack, *out[key])


# --------------------------------------------------------------------------------------------------------------
# ambient CONDUCTORONE_SERVER_URL with explicit credentials


AMBIENT = Attack('S2', 'explicit client_id/client_secret (task, and module_defaults) while the environment\'s '
                 'CONDUCTORONE_SERVER_URL names another host', 'refused before any request, naming '
                 'CONDUCTORONE_SERVER_URL; that host sees nothing', None, None)


@relkit.job('security-ambient', weight=2)
def _ambient_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('security-ambient-emulator')).start()
    evil = Hostile('127.0.0.2')
    try:
        explicit = {'client_id': emu.client_id, 'client_secret': emu.client_secret, 'token_cache': False}
        plays = [
            relkit.play([relkit.mod('S2 task', 'personal_client_info', dict(explicit))], defaults=DEFAULTS),
            relkit.play([relkit.mod('S2 defaults', 'personal_client_info', {})], defaults=dict(DEFAULTS, **explicit)),
        ]
        run = relkit.run_playbook(plays, emu, name='security-ambient', extra_env={
            'CONDUCTORONE_SERVER_URL': evil.url, 'CONDUCTORONE_CLIENT_ID': None, 'CONDUCTORONE_CLIENT_SECRET': None})
        problems = [_saw(evil)] if evil.requests else []
        problems += _replay_problems(emu, evil)
        for name in ('S2 task', 'S2 defaults'):
            problems += ['%s: %s' % (name, p) for p in _refused(run.result(name), 'CONDUCTORONE_SERVER_URL')]
        return problems, '%s; %s' % (relkit.summarize(run.result('S2 task'))[:160], _saw(evil))
    finally:
        evil.stop()
        emu.stop()


def test_ambient_server_url(report):
    _report(report, AMBIENT, *relkit.job_result('security-ambient'))


# --------------------------------------------------------------------------------------------------------------
# one secret_path reused on two tenants (two emulators)


TENANTS = Attack('S18', 'one secret_path reused on another tenant: a create on emulator A, then one on emulator B '
                 '(its own server_url and credentials) with the same secret_path, as the single module and in a set',
                 'the second is refused before any create on B, naming secret_path and the client the file holds; the '
                 'file keeps a working secret of the client on A', None, None)


@relkit.job('security-tenants', weight=2)
def _tenants_job():
    ws = relkit.workspace()
    first, second = relkit.Emulator(ws.subdir('security-tenant-a')).start(), None
    try:
        second = relkit.Emulator(ws.subdir('security-tenant-b')).start()
        directory = ws.subdir('security-tenants') / 'secrets'
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = str(directory / 'ci.json')
        on_b = _connection(second, server_url=second.url)
        tasks = [
            relkit.mod('S18 on A', 'personal_client', dict(_connection(first, server_url=first.url),
                                                           display_name='rel sec s18', secret_path=path)),
            relkit.mod('S18 on B', 'personal_client', dict(on_b, display_name='rel sec s18', secret_path=path)),
            relkit.mod('S18 set on B', 'personal_client_set', dict(on_b, clients=[
                {'display_name': 'rel sec s18', 'secret_path': path}])),
        ]
        run = relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], None, name='security-tenants',
                                  emulator_env=False, verbosity=3)
        on_a = run.result('S18 on A')
        problems = ['create on A failed: %s' % _msg(on_a)[:200]] if relkit.failed(on_a) else []
        first_id = (on_a.get('personal_client') or {}).get('id') or '?'
        problems += ['single module: %s' % p for p in _refused(run.result('S18 on B'), 'secret_path', first_id, 'another tenant')]
        problems += ['set: %s' % p for p in _refused(run.result('S18 set on B'), 'secret_path', first_id)]
        creates = [e for e in second.requests_log() if e['method'] == 'POST' and e['path'] == '/api/v1/iam/personal_clients']
        problems += ['emulator B saw %d create(s)' % len(creates)] if creates else []
        try:
            content = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            content = {}
        if content.get('id') != first_id or not first.secret_works(content.get('client_id'), content.get('client_secret')):
            problems.append('the file no longer holds a working secret of the client on A (holds %s)' % content.get('id'))
        return problems, 'on B: %s; B saw %d create(s)' % (relkit.summarize(run.result('S18 on B'))[:160], len(creates))
    finally:
        for emu in (first, second):
            if emu is not None:
                emu.stop()


def test_secret_path_on_another_tenant(report):
    _report(report, TENANTS, *relkit.job_result('security-tenants'))


# --------------------------------------------------------------------------------------------------------------
# the token cache: malformed entries, TLS settings, directory levels


CACHE_ATTACKS = {
    'S10': Attack('S10', 'a malformed token-cache entry (`{"access_token": 12345, ...}`)', 'no cache: the next task '
                  'exchanges a new token and works', None, None),
    'S14': Attack('S14', 'a cache directory level above the last one made world-writable (0777, not sticky)',
                  'the cache is not used (a new exchange)', None, None),
    'S13': Attack('S13', 'a token cached by a task with `validate_certs: false`, then a task that verifies TLS',
                  'the verifying task does not reuse it (a new exchange)', None, None),
}


def _token_requests(run, name):
    return [e for e in run.result(name).get('requests') or [] if e['path'] == TOKEN_PATH]


def _cache_play(emu, xdg, between, first=None, second=None):
    tasks = [relkit.ctl('clear', clear=True), relkit.mod('first', 'personal_client_info', first or {}),
             relkit.ctl('first collect', collect=True)]
    tasks += between + [relkit.mod('second', 'personal_client_info', second or {}), relkit.ctl('second collect', collect=True)]
    return relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], emu, name='security-cache', xdg=xdg)


def _cache_check(run):
    first, second = run.result('first'), run.result('second')
    problems = ['first task failed: %s' % _msg(first)[:200]] if relkit.failed(first) else []
    problems += ['second task failed: %s' % _msg(second)[:200]] if relkit.failed(second) else []
    first_tokens, second_tokens = len(_token_requests(run, 'first collect')), len(_token_requests(run, 'second collect'))
    problems += ['first task made %d token exchanges, expected 1' % first_tokens] if first_tokens != 1 else []
    problems += ['second task made %d token exchanges, expected 1 (the cached token was reused)' % second_tokens] \
        if second_tokens != 1 else []
    return problems, 'second: %s; token exchanges %d then %d' % (relkit.summarize(second)[:120], first_tokens, second_tokens)


@relkit.job('security-cache', weight=3)
def _cache_job():
    ws = relkit.workspace()
    out = {}
    emu = relkit.Emulator(ws.subdir('security-cache-emulator')).start()
    try:
        xdg = ws.subdir('security-cache-s10')
        tokens = xdg / 'conductorone.iam' / 'tokens'
        corrupt = {'name': 'corrupt', 'ansible.builtin.shell': 'for f in %s/*.json; do printf \'%%s\' \'{"access_token": '
                   '12345, "expires_at": 9999999999}\' > "$f"; done' % tokens}
        out['S10'] = _cache_check(_cache_play(emu, xdg, [corrupt]))
        xdg = ws.subdir('security-cache-s14')
        loosen = {'name': 'loosen', 'ansible.builtin.file': {'path': str(xdg / 'conductorone.iam'), 'mode': '0777'}}
        out['S14'] = _cache_check(_cache_play(emu, xdg, [loosen]))
    finally:
        emu.stop()
    emu = relkit.Emulator(ws.subdir('security-tls-emulator'), ['--tls']).start()
    try:
        xdg = ws.subdir('security-cache-s13')
        out['S13'] = _cache_check(_cache_play(emu, xdg, [], first={'validate_certs': False},
                                              second={'validate_certs': True, 'ca_path': emu.ca_path}))
    finally:
        emu.stop()
    return out


@pytest.mark.parametrize('key', sorted(CACHE_ATTACKS))
def test_token_cache(key, report):
    _report(report, CACHE_ATTACKS[key], *relkit.job_result('security-cache')[key])
