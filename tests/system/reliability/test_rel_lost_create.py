# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""2. Lost create responses: no duplicate client, no silent secret-less orphan.

A personal client's secret exists only in the create response. When that response is lost (the server applied
the create but the connection closed: ``lost_response``), dropped before the server saw it (``drop``), answered
with a 5xx, or timed out, the module documents: look for the client it may have created, delete it (nobody has
its secret) and create once more, or fail naming it. At the end of every scenario there must be exactly one live
client of that display name whose secret was handed over (and works), or a failure that names the orphan, and
clients that existed before the task (same display name, e.g. kept by ``keep_previous``) must be untouched.
"""

import json
import os
import re
import stat

import pytest

import relkit

CREATE = {'method': 'POST', 'path': r'^/api/v1/iam/personal_clients$'}
LIST = {'method': 'GET', 'path': r'^/api/v1/iam/personal_clients$'}
PCS = r'^/api/v1/iam/personal_clients$'
ONE = r'^/api/v1/iam/personal_clients/'
DEFAULTS = {'retries': 2, 'timeout': 5}


def _fault(base, **kw):
    return dict(base, **kw)


def _posts(log):
    return [e for e in log if e['method'] == 'POST' and e['path'] == '/api/v1/iam/personal_clients']


def _deletes(log):
    return [e for e in log if e['method'] == 'DELETE']


def _converged(ctx, name, result, must_keep=(), secret_path=None):
    """Problems with the end state: exactly one new live client of that name, its secret works."""
    problems = []
    live = ctx.emu.live_clients(name)
    live_ids = set(c['id'] for c in live)
    for keep in must_keep:
        if keep not in live_ids:
            problems.append('pre-existing client %s (same display name) was deleted' % keep)
    new = [c for c in live if c['id'] not in must_keep]
    if len(new) != 1:
        problems.append('expected exactly one new live client named %r, found %d: %s' % (name, len(new), [c['id'] for c in new]))
    client = result.get('personal_client') or {}
    if new and client.get('id') != new[0]['id']:
        problems.append('the returned client %s is not the live one %s' % (client.get('id'), [c['id'] for c in new]))
    secret = result.get('client_secret')
    if secret_path:
        try:
            content = json.loads(open(secret_path, encoding='utf-8').read())
            secret = content['client_secret']
            if stat.S_IMODE(os.stat(secret_path).st_mode) != 0o600:
                problems.append('secret file mode is %o' % stat.S_IMODE(os.stat(secret_path).st_mode))
            if content.get('id') != client.get('id'):
                problems.append('secret file holds %s, not the live client' % content.get('id'))
        except (OSError, ValueError, KeyError) as exc:
            problems.append('secret file unreadable: %s' % exc)
        leftovers = [f for f in os.listdir(os.path.dirname(secret_path)) if f.startswith('.conductorone-')]
        if leftovers:
            problems.append('temporary files left: %s' % leftovers)
    if not ctx.emu.secret_works(client.get('client_id'), secret):
        problems.append('the secret handed over does not authenticate the live client')
    return problems


def _scenarios(workdir):
    out = []

    def add(key, label, expected, faults, args, check, outcome, posts, deletes, task_extra=None, extra_requests=()):
        """posts / deletes: the statuses the request log must show for the creates and the deletes, in order."""
        tasks = [relkit.ctl(key + ' setup', clear=True, faults=faults),
                 relkit.mod(key + ' run', 'personal_client', args, **(task_extra or {})),
                 relkit.ctl(key + ' collect', collect=True, expect_faults=sum(f.get('count', 1) for f in faults))]
        requests = [('POST', PCS, posts), ('DELETE', ONE, deletes)] + list(extra_requests)
        out.append(relkit.Scenario(key, label, expected, tasks, check, outcome=outcome, requests=requests))

    # L1
    def check_lost(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'lost one', r)
        deleted = [c['id'] for c in ctx.emu.state()['personalClients'] if c['displayName'] == 'lost one' and c['deletedAt']]
        if len(_posts(log)) != 2 or len(_deletes(log)) != 1:
            problems.append('expected 2 POSTs and 1 DELETE, saw %d and %d' % (len(_posts(log)), len(_deletes(log))))
        if len(deleted) != 1 or deleted[0] not in ' '.join(r.get('warnings') or []):
            problems.append('the warning does not name the deleted orphan %s' % deleted)
        return problems, '%s; POST x%d, DELETE x%d' % (relkit.summarize(r), len(_posts(log)), len(_deletes(log)))
    add('L1', 'lost_response on create', 'orphan found and deleted, created once more: one live client, secret works',
        [_fault(CREATE, kind='lost_response')], {'display_name': 'lost one'}, check_lost, 'changed', [200, 200], [200])

    # L2
    def check_drop(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'dropped one', r)
        if len(_posts(log)) != 2 or _deletes(log):
            problems.append('expected 2 POSTs and no DELETE, saw %d and %d' % (len(_posts(log)), len(_deletes(log))))
        return problems, '%s; POST x%d' % (relkit.summarize(r), len(_posts(log)))
    add('L2', 'drop on create (request never applied)', 'nothing to clean up, created once more: one live client',
        [_fault(CREATE, kind='drop')], {'display_name': 'dropped one'}, check_drop, 'changed', [None, 200], [])

    # L3: 5xx on create with secret_path
    for status in (500, 502, 503, 504):
        key = 'L3-%d' % status
        path = str(workdir / ('secret-%d.json' % status))

        def check_5xx(ctx, name='5xx one %d' % status, path=path):
            r, log = ctx.r('run'), ctx.log()
            problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
            problems += _converged(ctx, name, r, secret_path=path)
            if len(_posts(log)) != 2:
                problems.append('expected 2 POSTs, saw %d' % len(_posts(log)))
            if 'client_secret' in r:
                problems.append('client_secret returned although secret_path is set')
            return problems, '%s; POST x%d' % (relkit.summarize(r), len(_posts(log)))
        add(key, 'HTTP %d on create, secret_path set' % status, 'one live client, its secret in secret_path (0600)',
            [_fault(CREATE, kind='status', status=status)], {'display_name': '5xx one %d' % status, 'secret_path': path}, check_5xx,
            'changed', [status, 200], [])

    # L4: the retry's response is lost too
    def check_twice(ctx):
        r = ctx.r('run')
        live = ctx.emu.live_clients('lost twice')
        problems = []
        if len(live) != 1 or live[0]['id'] not in (r.get('msg') or ''):
            problems.append('the failure must name the one remaining orphan %s: %s' % ([c['id'] for c in live], r.get('msg')))
        if 'client_secret' in r:
            problems.append('a failed task returned a client_secret')
        return problems, relkit.summarize(r)
    add('L4', 'lost_response on create and on the reconciliation\'s second create',
        'failure naming the remaining secret-less client (exactly one left)',
        [_fault(CREATE, kind='lost_response', count=2)], {'display_name': 'lost twice'}, check_twice, 'failed', [200, 200], [200])

    # L5: lost response, then the orphan's DELETE is dropped once (retried)
    def check_delete_drop(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'lost then drop', r)
        return problems, '%s; DELETE x%d' % (relkit.summarize(r), len(_deletes(log)))
    add('L5', 'lost_response on create, then the orphan DELETE dropped', 'DELETE retried, one live client',
        [_fault(CREATE, kind='lost_response'), {'method': 'DELETE', 'kind': 'drop'}], {'display_name': 'lost then drop'},
        check_delete_drop, 'changed', [200, 200], [None, 200])

    # L6: lost response and the orphan lookup fails: must say what to clean up
    def check_lookup_fails(ctx):
        r = ctx.r('run')
        msg = r.get('msg') or ''
        problems = []
        if not relkit.failed(r):
            problems.append('expected a failure (the orphan cannot be looked up)')
        elif 'lost lookup' not in msg or 'secret' not in msg:
            problems.append('the failure does not tell to look for the secret-less client named %r: %s' % ('lost lookup', msg))
        if len(ctx.emu.live_clients('lost lookup')) != 1:
            problems.append('expected the one orphan to remain for the user to delete')
        return problems, relkit.summarize(r)
    add('L6', 'lost_response on create, then the orphan lookup (GET list) fails 3 x 503',
        'failure naming the display name of the client created without a secret',
        [_fault(LIST, kind='delay', seconds=0), _fault(CREATE, kind='lost_response'),
         _fault(LIST, kind='status', status=503, count=3)], {'display_name': 'lost lookup'}, check_lookup_fails,
        'failed', [200], [], extra_requests=[('GET', PCS, [200, 503, 503, 503])])

    # L7: rotation (make before break) with the replacement's create response lost
    def check_rotate(ctx):
        r = ctx.r('run')
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'rotate lost', r)
        if r.get('rotated_from') != 'rel-rotate-old':
            problems.append('rotated_from is %r' % r.get('rotated_from'))
        return problems, relkit.summarize(r)
    add('L7', 'rotate=true, replacement create response lost', 'one live client (the new one), old one deleted',
        [_fault(CREATE, kind='lost_response')], {'display_name': 'rotate lost', 'rotate': True}, check_rotate, 'changed',
        [200, 200], [200, 200])

    # L8: keep_previous rotation while another client of the same name is live
    def check_keep(ctx):
        r = ctx.r('run')
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'keep sibling', r, must_keep=('rel-keep-a', 'rel-keep-b'))
        return problems, relkit.summarize(r)
    add('L8', 'rotate id=B keep_previous=true, response lost; client A of the same name also live',
        'A and B untouched, exactly one new client',
        [_fault(CREATE, kind='lost_response')], {'id': 'rel-keep-b', 'rotate': True, 'keep_previous': True}, check_keep, 'changed',
        [200, 200], [200])

    # L9: rotation by id (old one deleted) while a sibling of the same name is live
    def check_sibling(ctx):
        r = ctx.r('run')
        problems = [] if not relkit.failed(r) else ['failed: %s' % r.get('msg')]
        problems += _converged(ctx, 'rotate sibling', r, must_keep=('rel-sib-a',))
        if 'rel-sib-b' in [c['id'] for c in ctx.emu.live_clients('rotate sibling')]:
            problems.append('the rotated client was not deleted')
        return problems, relkit.summarize(r)
    add('L9', 'rotate id=B, response lost; client A of the same name also live', 'A untouched, B replaced by one new client',
        [_fault(CREATE, kind='lost_response')], {'id': 'rel-sib-b', 'rotate': True}, check_sibling, 'changed', [200, 200],
        [200, 200])

    # L10: create times out while the server is still working on it
    timeout_path = str(workdir / 'secret-timeout.json')

    def check_timeout(ctx):
        r = ctx.r('run')
        live = ctx.emu.live_clients('slow create')
        return _converged(ctx, 'slow create', r, secret_path=timeout_path), '%s; live clients named so: %d' % (
            relkit.summarize(r), len(live))
    add('L10', 'create answered after the timeout (delay 3 s, timeout 2 s), secret_path set',
        'the orphan appears while the module waits (timeout), is deleted, created once more: one live client, its secret in '
        'secret_path',
        [_fault(CREATE, kind='delay', seconds=3)], {'display_name': 'slow create', 'secret_path': timeout_path, 'timeout': 2},
        check_timeout, 'changed', [200, 200], [200])

    # L11-L13: lost responses on the other writes; a re-run must converge without a second change
    def rerun_check(name, op):
        def check(ctx):
            r1, r2, log = ctx.r('run'), ctx.r('rerun'), ctx.log()
            problems = []
            if not relkit.failed(r1) or 'not retried' not in str(r1.get('msg')) or op not in str(r1.get('msg')):
                problems.append('first run should fail once naming %s and saying it was not retried: %s' % (op, relkit.summarize(r1)))
            if relkit.failed(r2) or r2.get('changed'):
                problems.append('re-run should find the change applied (ok, unchanged): %s' % relkit.summarize(r2))
            posts = [e for e in log if e['method'] == 'POST' and e['path'] != '/auth/v1/token']
            if len(posts) != 1:
                problems.append('expected exactly one update POST over both runs, saw %d' % len(posts))
            return problems, 'run 1: %s; re-run: %s' % (relkit.summarize(r1), relkit.summarize(r2))
        return check
    for key, label, module, args, fault, op, write in (
            ('L11', 'lost_response on a personal client update, then the same task again', 'personal_client',
             {'id': 'rel-upd-lost', 'display_name': 'updated after loss'},
             {'method': 'POST', 'path': '^/api/v1/iam/personal_clients/rel-upd-lost$', 'kind': 'lost_response'},
             'PersonalClientService.Update', ('POST', '^/api/v1/iam/personal_clients/rel-upd-lost$', [200])),
            ('L12', 'lost_response on a role update, then the same task again', 'role',
             {'name': 'custom:rel-lost', 'display_name': 'Role updated after loss'},
             {'method': 'POST', 'path': '^/api/v1/iam/roles/', 'kind': 'lost_response'}, 'Roles.Update',
             ('POST', '^/api/v1/iam/roles/', [200]))):
        out.append(relkit.Scenario(key, label, 'one clear failure (not retried); the re-run finds the update applied: ok, no second write', [
            relkit.ctl(key + ' setup', clear=True, faults=[fault]),
            relkit.mod(key + ' run', module, args),
            relkit.mod(key + ' rerun', module, args),
            relkit.ctl(key + ' collect', collect=True, expect_faults=1)], rerun_check(key, op),
            outcome={'run': 'failed', 'rerun': 'ok'}, requests=[write, ('DELETE', ONE, 0)]))

    def check_delete(ctx):
        r, log = ctx.r('run'), ctx.log()
        problems = [] if not relkit.failed(r) and r.get('changed') else ['expected changed: %s' % relkit.summarize(r)]
        if ctx.emu.live_clients('delete lost'):
            problems.append('client still live')
        deletes = [e for e in log if e['method'] == 'DELETE']
        return problems, '%s; DELETE x%d (%s)' % (relkit.summarize(r), len(deletes), ', '.join(str(e['status']) for e in deletes))
    add('L13', 'lost_response on a personal client DELETE', 'DELETE retried (404 = already gone), converges in one run',
        [{'method': 'DELETE', 'kind': 'lost_response'}], {'id': 'rel-del-lost', 'state': 'absent'}, check_delete, 'changed',
        [], [200, 404])
    return out


SEED = {'roles': [{'name': 'custom:rel-lost', 'displayName': 'Role before loss', 'permissions': [], 'serviceRoles': []}],
        'personalClients': [
    {'user': 'admin@example.com', 'id': 'rel-upd-lost', 'displayName': 'update lost'},
    {'user': 'admin@example.com', 'id': 'rel-del-lost', 'displayName': 'delete lost'},
    {'user': 'admin@example.com', 'id': 'rel-rotate-old', 'displayName': 'rotate lost', 'expiresTime': '2030-01-01T00:00:00Z'},
    {'user': 'admin@example.com', 'id': 'rel-keep-a', 'displayName': 'keep sibling'},
    {'user': 'admin@example.com', 'id': 'rel-keep-b', 'displayName': 'keep sibling'},
    {'user': 'admin@example.com', 'id': 'rel-sib-a', 'displayName': 'rotate sibling'},
    {'user': 'admin@example.com', 'id': 'rel-sib-b', 'displayName': 'rotate sibling'},
]}
KEYS = ['L1', 'L2', 'L3-500', 'L3-502', 'L3-503', 'L3-504', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', 'L10', 'L11', 'L12', 'L13']
_BY_KEY = {}


@relkit.job('lost-create', weight=5)
def lost_create_job():
    workdir = relkit.workspace().subdir('lost-create-files')
    scenarios = _scenarios(workdir)
    return relkit.run_scenario_set('lost-create', scenarios, defaults=DEFAULTS, pre_tasks=[relkit.ctl('seed', seed=SEED)],
                                   index=_BY_KEY)


@pytest.mark.parametrize('key', KEYS)
def test_lost_create(key, report):
    out = relkit.job_result('lost-create')
    outcome = out[key]
    problems = relkit.report_scenario(report, 'lost', _BY_KEY[key], outcome)
    assert not problems, '\n'.join(problems) + '\n' + str(outcome.get('observed'))


def test_keys_cover_scenarios():
    assert sorted(KEYS) == sorted(s.key for s in _scenarios(relkit.workspace().root)), 'KEYS out of date'
    assert all(re.match(r'^L\d', key) for key in KEYS)
