# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""5. (bad input, M rows) Issue 23's audit survivors that an end-to-end run can show: secret_dir in real and check runs.

personal_client_set resolves a relative secret_path against secret_dir. In check mode a secret_dir that does not
exist yet is pending (the personal_clients role creates it in a task that check mode skips); a real run must
refuse it before any request, or it would create the client, fail to write its secret and delete it again.
"""

import os
import stat

import pytest

import relkit

DEFAULTS = {'retries': 2, 'timeout': 5}
CREATE = r'^/api/v1/iam/personal_clients$'
_BY_KEY = {}


def _api_requests(ctx):
    return [e for e in ctx.full_log() if e['path'] != '/auth/v1/token']


def _live_named(ctx, name):
    return [c['id'] for c in ctx.emu.live_clients() if c.get('displayName') == name]


def _scenarios(workdir):
    missing = str(workdir / 'secret-dir-not-created')
    present = workdir / 'secret-dir'
    present.mkdir(mode=0o700)
    out = []

    def item(name):
        return {'clients': [{'display_name': name, 'secret_path': name.replace(' ', '-') + '.json'}]}

    def check_m1(ctx):
        r = ctx.r('run')
        msg = str(r.get('msg') or '')
        problems = []
        want = 'clients[0] (audit m1): secret_path: the directory %s does not exist' % missing
        if not msg.startswith(want):
            problems.append('the refusal does not name the item, secret_path and the directory: %s' % msg[:300])
        if _api_requests(ctx):
            problems.append('API requests before the refusal: %s' % [(e['method'], e['path']) for e in _api_requests(ctx)])
        if _live_named(ctx, 'audit m1'):
            problems.append('a client was created: %s' % _live_named(ctx, 'audit m1'))
        if os.path.exists(missing):
            problems.append('secret_dir was created by the module')
        return problems, relkit.summarize(r)
    out.append(relkit.Scenario(
        'M1', 'personal_client_set, real run: secret_dir does not exist (relative secret_path)',
        'refused before any request, naming the item, secret_path and the directory; no client created',
        [relkit.ctl('M1 setup', clear=True),
         relkit.mod('M1 run', 'personal_client_set', dict(item('audit m1'), secret_dir=missing)),
         relkit.ctl('M1 collect', collect=True, expect_faults=0)],
        check_m1, bad_input=True, outcome='failed', requests=[('POST', CREATE, 0)]))

    def check_m2(ctx):
        r = ctx.r('run')
        problems = []
        actions = [(e.get('display_name'), e.get('action')) for e in r.get('results') or []]
        if actions != [('audit m2', 'create')]:
            problems.append('check mode did not predict the create: %s' % actions)
        if _live_named(ctx, 'audit m2') or os.path.exists(missing):
            problems.append('check mode changed something')
        return problems, '%s; %s' % (relkit.summarize(r), actions)
    out.append(relkit.Scenario(
        'M2', 'personal_client_set, check mode: the same missing secret_dir (the role creates it in a real run)',
        'pending, not refused: the create is predicted (changed), nothing is written',
        [relkit.ctl('M2 setup', clear=True),
         relkit.mod('M2 run', 'personal_client_set', dict(item('audit m2'), secret_dir=missing), check_mode=True),
         relkit.ctl('M2 collect', collect=True, expect_faults=0)],
        check_m2, outcome='changed', requests=[('POST', CREATE, 0)]))

    def check_m3(ctx):
        r = ctx.r('run')
        path = present / 'audit-m3.json'
        problems = []
        live = _live_named(ctx, 'audit m3')
        if len(live) != 1:
            problems.append('expected one live client, found %s' % live)
        if not path.is_file():
            problems.append('no secret file in secret_dir')
        elif stat.S_IMODE(path.stat().st_mode) != 0o600:
            problems.append('secret file mode %o' % stat.S_IMODE(path.stat().st_mode))
        leftovers = [p.name for p in present.iterdir() if p.name != 'audit-m3.json']
        if leftovers:
            problems.append('other files left in secret_dir: %s' % leftovers)
        return problems, relkit.summarize(r)
    out.append(relkit.Scenario(
        'M3', 'personal_client_set, real run: secret_dir exists (the valid partner of M1)',
        'the client is created once, its secret written to secret_dir/<secret_path> (0600), nothing else left there',
        [relkit.ctl('M3 setup', clear=True),
         relkit.mod('M3 run', 'personal_client_set', dict(item('audit m3'), secret_dir=str(present))),
         relkit.ctl('M3 collect', collect=True, expect_faults=0)],
        check_m3, outcome='changed', requests=[('POST', CREATE, 1)]))
    return out


@relkit.job('audit', weight=1)
def audit_job():
    ws = relkit.workspace()
    scenarios = _scenarios(ws.subdir('audit-files'))
    return relkit.run_scenario_set('audit', scenarios, defaults=DEFAULTS, index=_BY_KEY)


@pytest.mark.parametrize('key', ['M1', 'M2', 'M3'])
def test_audit(key, report):
    out = relkit.job_result('audit')
    problems = relkit.report_scenario(report, 'input', _BY_KEY[key], out[key])
    assert not problems, '\n'.join(problems) + '\n' + out['_run'].describe()[-3000:]
