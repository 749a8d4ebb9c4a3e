# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""6. Secrets never leak, secret files are private and atomic, TLS fails closed.

* Playbooks run at -vvvv (default stdout callback and ANSIBLE_LOG_PATH, which is what users and AWX keep), with
  faults injected, failures, retries, re-authentication, rotation, diff mode and check mode. Nothing of the
  connection secret (whole value, its JWK, its private key), no access token (including one obtained beforehand and
  passed as access_token), no JWT assertion and no created secret may appear, except a created secret as the
  documented ``client_secret`` result of the task that created it.
* Secret files are 0600 (also under umask 000), replaced atomically, and a failed create leaves no file; the token
  cache is 0700/0600 and holds no client secret.
* TLS is verified by default; a wrong CA fails closed, also when REQUESTS_CA_BUNDLE trusts the server.
"""

import datetime
import json
import os
import re
import shutil
import stat
import threading
import time

import pytest

import relkit

DEFAULTS = {'retries': 2, 'timeout': 5}
CREATE = {'method': 'POST', 'path': r'^/api/v1/iam/personal_clients$'}


# --------------------------------------------------------------------------------------------------------------
# helpers


def _secrets_from_results(run):
    found = []
    for hosts in run.tasks.values():
        for result in hosts.values():
            for item in [result] + list(result.get('results') or []):
                if isinstance(item, dict) and isinstance(item.get('client_secret'), str):
                    found.append(item['client_secret'])
    return found


def _secrets_from_files(directory):
    found = []
    for root, dummy, files in os.walk(str(directory)):
        for name in files:
            if name.endswith('.json') and 'secret' in name:
                try:
                    found.append(json.loads(open(os.path.join(root, name), encoding='utf-8').read())['client_secret'])
                except (OSError, ValueError, KeyError):
                    pass
    return found


def _outputs(run):
    texts = {'stdout': run.stdout, 'stderr': run.stderr}
    try:
        texts['ANSIBLE_LOG_PATH'] = (run.workdir / 'ansible.log').read_text(errors='replace')
    except OSError:
        texts['ANSIBLE_LOG_PATH'] = ''
    return texts


def _leak_check(run, forbidden, allowed_secrets, file_secrets=()):
    """(problems, number of checks) over stdout, stderr and the log file."""
    problems, checks = [], 0
    forbidden = list(forbidden)
    for secret in file_secrets:
        forbidden += [('secret written to secret_path', part) for part in relkit.secret_parts(secret)]
    for secret in allowed_secrets:
        forbidden += [('created secret (JWK/key part)', part) for part in relkit.secret_parts(secret)[1:]]
    for name, text in _outputs(run).items():
        checks += len(forbidden) + 2
        for leak in relkit.find_leaks(text, forbidden, allowed_secrets):
            problems.append('%s: %s' % (name, leak))
    return problems, checks


def _admin_forbidden(emu):
    return [('connection client_secret', part) for part in relkit.secret_parts(emu.client_secret)] + [
        ('access_token module parameter', 'bogus-token-value-c1rel')]


def _token_cache_problems(xdg, client_secrets):
    problems = []
    base = os.path.join(str(xdg), 'conductorone.iam', 'tokens')
    if not os.path.isdir(base):
        return ['no token cache directory at %s' % base]
    if stat.S_IMODE(os.stat(base).st_mode) != 0o700:
        problems.append('token cache directory mode %o' % stat.S_IMODE(os.stat(base).st_mode))
    for name in os.listdir(base):
        path = os.path.join(base, name)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode != 0o600:
            problems.append('token cache file %s mode %o' % (name, mode))
        content = open(path, encoding='utf-8', errors='replace').read()
        for secret in client_secrets:
            for part in relkit.secret_parts(secret):
                if part in content or part in name:
                    problems.append('token cache file %s holds client secret material' % name)
    return problems


def _other_ca(path):
    """A throwaway CA certificate that did not sign the emulator's certificate."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'c1rel other CA')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    with open(path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


# --------------------------------------------------------------------------------------------------------------
# verbose runs (client credentials; check mode; a pre-obtained access token)


def _verbose_tasks(secret_dir):
    c = relkit.ctl
    m = relkit.mod
    return [
        c('seed', clear=True, seed={'roles': [{'name': 'custom:leak', 'displayName': 'Leak', 'permissions': [], 'serviceRoles': []}]}),
        m('role_info', 'role_info', {'name': 'custom:leak'}),
        m('create a', 'personal_client', {'display_name': 'leak a', 'expires_in': '30d'}),
        m('create b (secret_path)', 'personal_client', {'display_name': 'leak b', 'secret_path': '%s/leak-b-secret.json' % secret_dir}),
        m('rotate a', 'personal_client', {'display_name': 'leak a', 'rotate': True}),
        m('rotate b (secret_path)', 'personal_client', {'display_name': 'leak b', 'rotate': True,
                                                        'secret_path': '%s/leak-b-secret.json' % secret_dir}),
        m('update b', 'personal_client', {'display_name': 'leak b', 'allow_source_cidr': ['127.0.0.0/8', '10.9.0.0/16']}),
        m('role update', 'role', {'name': 'custom:leak', 'permissions': ['permission/c1.api.iam.v1.Roles.List']}),
        c('fault 503 on update', faults=[{'method': 'POST', 'path': '^/api/v1/iam/personal_clients/.', 'kind': 'status', 'status': 503}]),
        m('update b fails', 'personal_client', {'display_name': 'leak b', 'allow_source_cidr': ['127.0.0.0/8']}),
        c('fault lost create', faults=[dict(CREATE, kind='lost_response')]),
        m('create c (lost response)', 'personal_client', {'display_name': 'leak c'}),
        c('revoke tokens', revoke_tokens=True),
        m('role_info after revocation', 'role_info', {'name': 'custom:leak'}),
        c('fault html token', faults=[{'method': 'POST', 'path': '^/auth/v1/token$', 'kind': 'html', 'status': 502}]),
        m('role_info token retried', 'role_info', {'name': 'custom:leak', 'token_cache': False}),
        c('fault drop list', faults=[{'method': 'GET', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'drop'}]),
        m('info all users', 'personal_client_info', {'all_users': True}),
        c('fault 401 twice', faults=[{'method': 'GET', 'path': '^/api/v1/iam/roles', 'kind': 'status', 'status': 401, 'count': 2}]),
        m('role_info 401 failure', 'role_info', {'name': 'custom:leak'}),
        c('fault budget', faults=[{'method': 'GET', 'path': '^/api/v1/iam/roles', 'kind': 'status', 'status': 503, 'count': 3}]),
        m('role_info budget failure', 'role_info', {'name': 'custom:leak'}),
        m('malformed secret failure', 'role_info', {'name': 'custom:leak', 'client_secret': 'secret-token:conductorone.com:v1:bm90LWEtandr'}),
        m('bogus access_token then re-auth', 'role_info', {'name': 'custom:leak', 'access_token': 'bogus-token-value-c1rel',
                                                           'client_id': '{{ lookup("env", "CONDUCTORONE_CLIENT_ID") }}',
                                                           'client_secret': '{{ lookup("env", "CONDUCTORONE_CLIENT_SECRET") }}'}),
        m('delete c', 'personal_client', {'display_name': 'leak c', 'state': 'absent'}),
    ]


@relkit.job('leaks-verbose', weight=6)
def leaks_verbose_job():
    with relkit.job_emulator('leaks') as (ws, emu):
        secret_dir = ws.subdir('leaks-secrets')
        xdg = ws.subdir('leaks-xdg')
        tasks = _verbose_tasks(secret_dir)
        # check mode first, on a fresh tenant, so that every create and rotation is a predicted change
        check_secret_dir = ws.subdir('leaks-check-secrets')
        emu.control('POST', 'seed', {'personalClients': [{'user': 'admin@example.com', 'displayName': 'leak a'}]})
        check = relkit.run_playbook([relkit.play(_verbose_tasks(check_secret_dir), defaults=DEFAULTS)], emu, name='leaks-check',
                                    verbosity=4, diff=True, check=True, xdg=xdg)
        check_log = emu.requests_log()
        emu.control('POST', 'reset', {})
        full = relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], emu, name='leaks-vvvv', verbosity=4, diff=True, xdg=xdg)
        file_secrets = _secrets_from_files(secret_dir)
        # access token variant: obtained beforehand, no client credentials anywhere
        token = emu.access_token()
        token_tasks = [
            relkit.mod('token role_info', 'role_info', {'name': 'custom:leak'}),
            relkit.mod('token create', 'personal_client', {'display_name': 'leak token client'}),
            relkit.mod('token as module param', 'role_info', {'name': 'custom:leak', 'access_token': '{{ lookup("env", "C1REL_TOKEN") }}'}),
            relkit.ctl('token fault', faults=[{'method': 'GET', 'path': '^/api/v1/iam/roles', 'kind': 'status', 'status': 503, 'count': 3}]),
            relkit.mod('token budget failure', 'role_info', {'name': 'custom:leak'}),
            relkit.ctl('token revoke', revoke_tokens=True),
            relkit.mod('token refused', 'role_info', {'name': 'custom:leak'}),
        ]
        tok = relkit.run_playbook([relkit.play(token_tasks, defaults=DEFAULTS)], emu, name='leaks-token', verbosity=4, diff=True,
                                  emulator_env=False, extra_env={'CONDUCTORONE_SERVER_URL': emu.url, 'CONDUCTORONE_ACCESS_TOKEN': token,
                                                                 'C1REL_TOKEN': token})
        # canary: a playbook that does print the secrets, so that a blind scanner cannot pass
        canary = relkit.run_playbook([relkit.play([
            {'name': 'print the connection secret', 'ansible.builtin.debug': {'msg': '{{ lookup("env", "CONDUCTORONE_CLIENT_SECRET") }}'}},
            {'name': 'print the token', 'ansible.builtin.debug': {'msg': '{{ lookup("env", "C1REL_TOKEN") }}'}},
        ])], emu, name='leaks-canary', verbosity=4, extra_env={'C1REL_TOKEN': token})
        admin_secret = emu.client_secret
        return {'canary': canary, 'emu_secret': admin_secret, 'forbidden': _admin_forbidden(emu), 'full': full, 'check': check, 'check_log': check_log,
                'token': token, 'tok': tok, 'file_secrets': file_secrets, 'xdg': xdg, 'secret_dir': secret_dir,
                'check_secret_dir': check_secret_dir,
                'file_secret_works': [emu.secret_works(json.loads(open(os.path.join(str(secret_dir), 'leak-b-secret.json')).read())['client_id'], s)
                                      for s in file_secrets]}


def _report(report, label, expected, problems, checks, observed=''):
    leaks = sum(1 for p in problems if 'found in output' in p or 'outside client_secret' in p or 'JWT' in p or 'secret material' in p)
    report.add('leaks', label, expected, (observed + ' -- ' if observed else '') + ('; '.join(problems) if problems else 'no leak'),
               not problems, leak_checks=checks, leaks=leaks)


def test_verbose_run_with_failures(report):
    out = relkit.job_result('leaks-verbose')
    run = out['full']
    created = _secrets_from_results(run)
    problems, checks = _leak_check(run, out['forbidden'], created, out['file_secrets'])
    expected_failures = ['update b fails', 'role_info 401 failure', 'role_info budget failure', 'malformed secret failure']
    for name in expected_failures:
        if not relkit.failed(run.result(name)):
            problems.append('scenario set-up: %r did not fail' % name)
    for name in ('create a', 'rotate a', 'create c (lost response)', 'role_info after revocation', 'role_info token retried',
                 'info all users', 'bogus access_token then re-auth', 'update b', 'role update'):
        if relkit.failed(run.result(name)):
            problems.append('scenario set-up: %r failed: %s' % (name, run.result(name).get('msg')))
    if len(created) != 3:
        problems.append('expected 3 client_secret results (create a, rotate a, create c), saw %d' % len(created))
    _report(report, '-vvvv --diff run, client credentials: creates, rotations, update/role diffs, 503, lost response, revoked '
            'token, HTML token error, dropped list, 401 x2, budget exhausted, malformed secret, bogus access_token',
            'no connection secret, JWK or key, access token, assertion or created secret outside the documented client_secret',
            problems, checks, '%d created secrets returned, %d written to files' % (len(created), len(out['file_secrets'])))
    assert not problems, '\n'.join(problems)


def test_check_mode_run(report):
    out = relkit.job_result('leaks-verbose')
    run = out['check']
    created = _secrets_from_results(run)
    problems, checks = _leak_check(run, out['forbidden'], [])
    if created:
        problems.append('check mode returned %d client_secret values' % len(created))
    writes = [e for e in out['check_log'] if e['method'] in ('POST', 'DELETE') and e['path'] not in (
        '/auth/v1/token', '/api/v1/search/iam/personal_clients')]
    if writes:
        problems.append('check mode wrote: %s' % writes[:3])
    if os.listdir(str(out['check_secret_dir'])):
        problems.append('check mode wrote secret files: %s' % os.listdir(str(out['check_secret_dir'])))
    for name in ('create b (secret_path)', 'rotate a'):
        if not run.result(name).get('changed'):
            problems.append('check mode did not predict the change of %r' % name)
    _report(report, '-vvvv --check --diff run of the same playbook (faults injected again)',
            'no secret of any kind in the output, no write, no secret file, changes predicted', problems, checks)
    assert not problems, '\n'.join(problems)


def test_access_token_variant(report):
    out = relkit.job_result('leaks-verbose')
    run = out['tok']
    created = _secrets_from_results(run)
    forbidden = out['forbidden'] + [('access_token obtained beforehand', out['token'])]
    problems, checks = _leak_check(run, forbidden, created)
    if relkit.failed(run.result('token role_info')) or relkit.failed(run.result('token create')):
        problems.append('scenario set-up: the access token was not usable: %s' % run.result('token role_info').get('msg'))
    if not relkit.failed(run.result('token refused')) or not relkit.failed(run.result('token budget failure')):
        problems.append('scenario set-up: the failures did not happen')
    _report(report, '-vvvv run with an access_token obtained beforehand (env and module parameter), 503 budget, token revoked',
            'the access token never appears; nor does the created secret outside client_secret', problems, checks)
    assert not problems, '\n'.join(problems)


def test_leak_detector_canary(report):
    """The scanner finds a secret and a token that a playbook deliberately prints (guards against a blind scan)."""
    out = relkit.job_result('leaks-verbose')
    forbidden = out['forbidden'] + [('access_token obtained beforehand', out['token'])]
    found, dummy = _leak_check(out['canary'], forbidden, [])
    problems = []
    if not any('connection client_secret' in leak for leak in found):
        problems.append('the printed connection secret was not detected')
    if not any('access_token obtained beforehand' in leak or 'JWT' in leak for leak in found):
        problems.append('the printed access token was not detected')
    report.add('leaks', 'leak detector canary: a debug task prints the connection secret and an access token at -vvvv',
               'both detected (the scan is not blind)', '%d detections' % len(found) + ('' if not problems else ' -- ' + '; '.join(problems)),
               not problems)
    assert not problems, '\n'.join(problems)


def test_secret_files_and_token_cache(report):
    out = relkit.job_result('leaks-verbose')
    problems = []
    path = os.path.join(str(out['secret_dir']), 'leak-b-secret.json')
    checks = 0
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        content = json.loads(open(path, encoding='utf-8').read())
        if mode != 0o600:
            problems.append('secret file mode %o' % mode)
        keys = {'id', 'client_id', 'client_secret', 'server_url', 'display_name', 'user_id', 'expires_time', 'created_at'}
        if set(content) != keys:
            problems.append('secret file keys %s' % sorted(content))
    except (OSError, ValueError) as exc:
        problems.append('secret file unreadable: %s' % exc)
    if not out['file_secret_works'] or not all(out['file_secret_works']):
        problems.append('the secret in the file does not authenticate')
    leftovers = [f for f in os.listdir(str(out['secret_dir'])) if f != 'leak-b-secret.json']
    if leftovers:
        problems.append('stray files next to the secret file: %s' % leftovers)
    cache_problems = _token_cache_problems(out['xdg'], [out['emu_secret']] + out['file_secrets'])
    checks += 1 + len(out['file_secrets'])
    problems += cache_problems
    _report(report, 'secret_path file after create + rotation; token cache after the run',
            'secret file 0600 with the documented keys and a working secret, no temp file left; cache dir 0700, files 0600, '
            'no client secret in the cache', problems, checks)
    assert not problems, '\n'.join(problems)


# --------------------------------------------------------------------------------------------------------------
# secret file failures and umask


@relkit.job('leaks-files', weight=3)
def files_job():
    with relkit.job_emulator('files') as (ws, emu):
        d = ws.subdir('files')
        out = {}
        # F2: an existing world-readable file is replaced by a private one on rotation; run under umask 000
        (d / 'f2').mkdir()
        old = d / 'f2' / 'secret.json'
        old.write_text('{"client_secret": "old"}\n')
        os.chmod(str(old), 0o644)
        # F3: create fails for good (503 on both creates): no file
        (d / 'f3').mkdir()
        # F4: the directory disappears while the create is in flight (held by the emulator until then)
        (d / 'f4').mkdir()
        tasks = [
            relkit.mod('F2 create', 'personal_client', {'display_name': 'file f2', 'secret_path': str(d / 'f2' / 'first.json')}),
            relkit.mod('F2 rotate', 'personal_client', {'display_name': 'file f2', 'rotate': True, 'secret_path': str(old)}),
            relkit.ctl('F3 setup', clear=True, faults=[dict(CREATE, kind='status', status=503, count=2)]),
            relkit.mod('F3 run', 'personal_client', {'display_name': 'file f3', 'secret_path': str(d / 'f3' / 'secret.json')}),
            relkit.ctl('F3 collect', collect=True, expect_faults=2),
            # held until the watcher has removed the directory (4 s at most, below the 5 s timeout)
            relkit.ctl('F4 setup', clear=True, faults=[dict(CREATE, kind='delay', seconds=4, hold=True)]),
            relkit.mod('F4 run', 'personal_client', {'display_name': 'file f4', 'secret_path': str(d / 'f4' / 'secret.json')}),
            relkit.ctl('F4 collect', collect=True, expect_faults=1),
        ]

        def remove_dir_during_create():
            """Once F4's create POST is held by the emulator, remove the secret_path directory, then let it go on.

            (Sleeping 0.3 s into a 1.5 s delay left 1.2 s for this thread's polls on a loaded machine.)"""
            deadline = time.time() + 120
            while time.time() < deadline:
                if emu.control('GET', 'faults').get('held'):
                    shutil.rmtree(str(d / 'f4'), ignore_errors=True)
                    emu.control('POST', 'release')
                    return
                time.sleep(0.05)
        watcher = threading.Thread(target=remove_dir_during_create, daemon=True)
        watcher.start()
        run = relkit.run_playbook([relkit.play(tasks, defaults=DEFAULTS)], emu, name='files', umask=0)
        watcher.join(5)
        out['run'] = run
        out['dir'] = d
        out['f2_mode'] = stat.S_IMODE(os.stat(str(old)).st_mode) if old.exists() else None
        out['f2_first_mode'] = stat.S_IMODE(os.stat(str(d / 'f2' / 'first.json')).st_mode) if (d / 'f2' / 'first.json').exists() else None
        out['f2_content'] = json.loads(old.read_text()) if old.exists() else None
        out['f2_works'] = bool(out['f2_content']) and emu.secret_works(out['f2_content'].get('client_id'), out['f2_content'].get('client_secret'))
        out['f2_files'] = sorted(os.listdir(str(d / 'f2')))
        out['f3_files'] = sorted(os.listdir(str(d / 'f3')))
        out['f3_live'] = emu.live_clients('file f3')
        out['f4_exists'] = (d / 'f4').exists()
        out['f4_files'] = sorted(os.listdir(str(d / 'f4'))) if (d / 'f4').exists() else []
        out['f4_live'] = emu.live_clients('file f4')
        return out


def test_secret_file_replaced_atomically_under_umask_000(report):
    out = relkit.job_result('leaks-files')
    run = out['run']
    problems = []
    for name in ('F2 create', 'F2 rotate'):
        if relkit.failed(run.result(name)):
            problems.append('%s failed: %s' % (name, run.result(name).get('msg')))
    if out['f2_mode'] != 0o600 or out['f2_first_mode'] != 0o600:
        problems.append('secret file modes %s / %s (umask 000)' % (oct(out['f2_mode'] or 0), oct(out['f2_first_mode'] or 0)))
    if not out['f2_works']:
        problems.append('the replaced file does not hold a working secret')
    if out['f2_files'] != ['first.json', 'secret.json']:
        problems.append('stray files: %s' % out['f2_files'])
    _report(report, 'rotation onto an existing 0644 secret file, ansible-playbook under umask 000',
            'file replaced by a 0600 one holding the new, working secret; no temporary file left', problems, 0)
    assert not problems, '\n'.join(problems)


def _fault_problems(run, collect, injected):
    """The faults of a scenario were all consumed, each hit once (the same rule as relkit's scenario contract)."""
    result = run.result(collect)
    hits = sum(1 for entry in result.get('requests') or [] if entry.get('fault'))
    problems = ['fault(s) never consumed: %s' % result['pending_faults']] if result.get('pending_faults') else []
    if hits != injected:
        problems.append('%d fault(s) injected, %d hit' % (injected, hits))
    return problems


def test_failed_create_leaves_no_file(report):
    out = relkit.job_result('leaks-files')
    r = out['run'].result('F3 run')
    problems = _fault_problems(out['run'], 'F3 collect', 2)
    if not relkit.failed(r):
        problems.append('expected the create to fail')
    if out['f3_files']:
        problems.append('files left: %s' % out['f3_files'])
    if out['f3_live']:
        problems.append('a client was left: %s' % [c['id'] for c in out['f3_live']])
    _report(report, 'create fails (503 on the create and on the reconciliation\'s create), secret_path set',
            'one clear failure, no secret file, no temporary file, no client', problems, 0, relkit.summarize(r))
    assert not problems, '\n'.join(problems)


def test_secret_dir_vanishes_during_create(report):
    out = relkit.job_result('leaks-files')
    r = out['run'].result('F4 run')
    problems = _fault_problems(out['run'], 'F4 collect', 1)
    live = out['f4_live']
    if out['f4_files']:
        problems.append('partial/temporary files left: %s' % out['f4_files'])
    if relkit.crashed(r):
        problems.append('crashed instead of a clear message: %s' % str(r.get('msg'))[:200])
    if not relkit.failed(r):
        problems.append('expected one failure (the secret cannot be written): %s' % relkit.summarize(r))
    elif not re.match(r'^secret_path failed: could not write the secret of the new client \S+ to .*; the client was deleted '
                      r'again because nobody has its secret', str(r.get('msg'))):
        problems.append('the failure does not say the secret could not be written and the client was deleted: %s' % r.get('msg'))
    if live:
        problems.append('left client(s) %s whose secret nobody received' % [c['id'] for c in live])
    _report(report, 'secret_path directory removed while the create is in flight (create held until then)',
            'one failure naming secret_path; the new client deleted again (nobody has its secret); no partial file',
            problems, 0, '%s; live clients of that name: %s' % (relkit.summarize(r), [c['id'] for c in live]))
    assert not problems, '\n'.join(problems)


# --------------------------------------------------------------------------------------------------------------
# TLS


@relkit.job('leaks-tls', weight=3)
def tls_job():
    ws = relkit.workspace()
    emu = relkit.Emulator(ws.subdir('tls-emulator'), ['--tls']).start()
    try:
        d = ws.subdir('tls')
        other = _other_ca(d / 'other-ca.pem')
        good = emu.ca_path
        args = {'name': 'system:viewer', 'token_cache': False}
        stripped = {'REQUESTS_CA_BUNDLE': None, 'CURL_CA_BUNDLE': None, 'CONDUCTORONE_CA_PATH': None}
        runs = {}

        def scenario_tasks(key, extra):
            return [relkit.ctl(key + ' setup', clear=True), relkit.mod(key + ' run', 'role_info', dict(args, **extra)),
                    relkit.ctl(key + ' collect', collect=True)]
        plain = []
        plain += scenario_tasks('T1', {})
        plain += scenario_tasks('T2', {'ca_path': good})
        plain += scenario_tasks('T3', {'ca_path': other})
        plain += scenario_tasks('T6', {'ca_path': str(d / 'missing-ca.pem')})
        plain += scenario_tasks('T7', {'validate_certs': False})
        runs['plain'] = relkit.run_playbook([relkit.play(plain, defaults=DEFAULTS)], emu, name='tls-plain', extra_env=stripped)
        system = '/etc/ssl/certs/ca-certificates.crt'
        if os.path.exists(system):
            runs['system'] = relkit.run_playbook([relkit.play(scenario_tasks('T4', {'ca_path': good}), defaults=DEFAULTS)], emu,
                                                 name='tls-system-bundle', extra_env=dict(stripped, REQUESTS_CA_BUNDLE=system))
        runs['trusting'] = relkit.run_playbook([relkit.play(scenario_tasks('T5', {'ca_path': other}), defaults=DEFAULTS)], emu,
                                               name='tls-env-trusts', extra_env=dict(stripped, REQUESTS_CA_BUNDLE=good))
        return runs
    finally:
        emu.stop()


TLS_CASES = {
    'T1': ('--tls emulator, no ca_path, system trust only', 'fail', 'fails closed: TLS verification error, no request reaches the API'),
    'T2': ('--tls emulator, ca_path = the emulator CA', 'ok', 'works'),
    'T3': ('--tls emulator, ca_path = another CA', 'fail', 'fails closed: TLS verification error, no request reaches the API'),
    'T4': ('ca_path = the emulator CA while REQUESTS_CA_BUNDLE points at the system bundle', 'ok', 'works (ca_path wins)'),
    'T5': ('ca_path = another CA while REQUESTS_CA_BUNDLE trusts the emulator CA', 'fail', 'fails closed (ca_path wins over the environment)'),
    'T6': ('ca_path = a file that does not exist', 'fail', 'clear failure naming ca_path (no crash), no request reaches the API'),
    'T7': ('validate_certs=false', 'ok', 'works, with a warning that the certificate is not verified'),
}


@pytest.mark.parametrize('key', sorted(TLS_CASES))
def test_tls(key, report):
    runs = relkit.job_result('leaks-tls')
    label, want, expected = TLS_CASES[key]
    run = runs['system'] if key == 'T4' else runs['trusting'] if key == 'T5' else runs['plain']
    if key == 'T4' and 'system' not in runs:
        pytest.skip('no system CA bundle on this host')
    r = run.result(key + ' run')
    log = run.result(key + ' collect').get('requests') or []
    problems = []
    msg = str(r.get('msg') or '')
    if want == 'ok':
        if relkit.failed(r):
            problems.append('expected to work: %s' % msg[:300])
        if key == 'T7' and not any('validate_certs' in w for w in r.get('warnings') or []):
            problems.append('no warning about validate_certs=false')
    else:
        if not relkit.failed(r):
            problems.append('connected although the certificate cannot be verified with the configured CA')
        elif relkit.crashed(r):
            problems.append('crashed instead of a clear message: %s' % msg[:200])
        elif key == 'T6' and not msg.startswith('ca_path: '):
            problems.append('the message does not name ca_path: %s' % msg[:200])
        elif key != 'T6' and 'TLS verification failed' not in msg:
            problems.append('the message does not say TLS verification failed: %s' % msg[:200])
        if log:
            problems.append('requests reached the server: %s' % log)
    report.add('leaks', 'TLS: ' + label, expected, relkit.summarize(r) + ('' if not problems else ' -- ' + '; '.join(problems)),
               not problems)
    assert not problems, '\n'.join(problems)
