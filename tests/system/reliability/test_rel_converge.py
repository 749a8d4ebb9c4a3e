# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""8. Declared state: the personal_clients role on the converge engine, attacked as issue 11 found it.

Each scenario: the attack (how the play's identity or the declaration is set up), then what must hold.
Findings 5 and 6 of the security review: exclusive mode deleted the play's own credential when the identity
came from somewhere the role did not look (an access token in module_defaults, a play ``environment:``),
and two items with the same secret_path left a live client whose secret was overwritten.
"""

import json

import pytest

import relkit

ROLE = 'conductorone.iam.personal_clients'


def _client(emu, name):
    """A new personal client of the admin user: {'id', 'clientId', 'clientSecret'}."""
    return emu.control('POST', 'credentials', {'user': 'admin@example.com', 'displayName': name})


def _role_play(name, role_vars, defaults=None, environment=None):
    tasks = [
        {'name': name + ' role',
         'block': [{'name': name + ' include', 'ansible.builtin.include_role': {'name': ROLE}, 'vars': role_vars}],
         'rescue': [{'name': name + ' failed', 'ansible.builtin.set_fact': {'role_failed': True}}]},
        {'name': name + ' outcome', 'ansible.builtin.debug': {
            'msg': {'failed': '{{ role_failed | default(false) }}',
                    'result': '{{ conductorone_personal_clients_result | default({}) }}'}}},
    ]
    play = relkit.play(tasks, defaults=defaults)
    if environment:
        play['environment'] = environment
    return play


def _deletes(emu):
    return [e['path'].rsplit('/', 1)[1] for e in emu.requests_log() if e['method'] == 'DELETE']


def _posts(emu):
    return [e for e in emu.requests_log() if e['method'] == 'POST' and e['path'] == '/api/v1/iam/personal_clients']


def _live_ids(emu):
    return set(c['id'] for c in emu.live_clients())


def _fresh(emu, *names):
    emu.control('POST', 'reset')
    clients = dict((name, _client(emu, name)) for name in names)
    emu.control('DELETE', 'requests')
    return clients


def _run(emu, name, play, extra_env=None):
    run = relkit.run_playbook([play], emu, name=name, extra_env=extra_env)
    return run, run.result(name + ' outcome')['msg']


def scenario_token_in_module_defaults(emu):
    """5a: module_defaults access_token of B while the controller environment names A."""
    clients = _fresh(emu, 'client-a', 'client-b', 'stray')
    a, b, stray = clients['client-a'], clients['client-b'], clients['stray']
    token_b = emu.access_token(b['clientId'], b['clientSecret'])
    env = {'CONDUCTORONE_CLIENT_ID': a['clientId'], 'CONDUCTORONE_CLIENT_SECRET': a['clientSecret']}
    defaults = {'access_token': token_b, 'server_url': emu.url}
    dummy, out = _run(emu, 'X1', _role_play('X1', {'conductorone_personal_clients': [],
                                                   'conductorone_personal_clients_exclusive': True}, defaults), env)
    problems = []
    if out['failed'] in (False, 'False') or 'access token' not in ' '.join(out['result'].get('errors') or []):
        problems.append('the role did not refuse exclusive mode with a bare access token: %s' % out)
    if _deletes(emu):
        problems.append('deleted %s' % _deletes(emu))
    if not set([a['id'], b['id'], stray['id']]) <= _live_ids(emu):
        problems.append('a client is gone')
    # the same, with the token's owner listed in protected: B stays, the undeclared go
    dummy, out = _run(emu, 'X1b', _role_play('X1b', {'conductorone_personal_clients': [],
                                                     'conductorone_personal_clients_exclusive': True,
                                                     'conductorone_personal_clients_protected': [b['id']]}, defaults), env)
    if b['id'] not in _live_ids(emu):
        problems.append('B, whose token the play used and which protected names, was deleted')
    if stray['id'] in _live_ids(emu):
        problems.append('exclusive mode with B protected did not delete the undeclared stray client: %s' % out)
    return problems, 'refused without protected (no DELETE); with protected=[B]: deleted %d, B kept' % len(_deletes(emu))


def scenario_play_environment(emu):
    """5b: a play-level environment: with C's credentials while the controller environment names A."""
    clients = _fresh(emu, 'client-a', 'client-c', 'stray')
    a, c, stray = clients['client-a'], clients['client-c'], clients['stray']
    env = {'CONDUCTORONE_CLIENT_ID': a['clientId'], 'CONDUCTORONE_CLIENT_SECRET': a['clientSecret']}
    play_env = {'CONDUCTORONE_CLIENT_ID': c['clientId'], 'CONDUCTORONE_CLIENT_SECRET': c['clientSecret']}
    dummy, out = _run(emu, 'X2', _role_play('X2', {'conductorone_personal_clients': [],
                                                   'conductorone_personal_clients_exclusive': True},
                                            environment=play_env), env)
    problems = []
    if c['id'] not in _live_ids(emu):
        problems.append('C, the client the play authenticated with (play environment), was deleted')
    if stray['id'] in _live_ids(emu) or a['id'] in _live_ids(emu):
        problems.append('the undeclared clients were not deleted: %s' % out)
    if out['failed'] not in (False, 'False'):
        problems.append('the role failed: %s' % out)
    return problems, 'deleted %s; C kept' % len(_deletes(emu))


def scenario_shared_secret_path(emu, workdir):
    """6: two items with one secret_path (also spelled differently)."""
    _fresh(emu)
    problems = []
    for key, paths in (('X3', ['shared.json', 'shared.json']), ('X3b', ['shared.json', './sub/../shared.json'])):
        dummy, out = _run(emu, key, _role_play(key, {
            'conductorone_personal_clients': [{'display_name': 'first', 'secret_path': paths[0]},
                                              {'display_name': 'second', 'secret_path': paths[1]}],
            'conductorone_personal_clients_secret_dir': str(workdir)}))
        errors = ' '.join(out['result'].get('errors') or [])
        if 'same secret_path' not in errors:
            problems.append('%s: not refused: %s' % (key, out))
        if _posts(emu) or (workdir / 'shared.json').exists():
            problems.append('%s: a client or secret file was created' % key)
    return problems, 'refused before any create (no POST, no file)'


def scenario_failed_item_stops_exclusive(emu):
    """Exclusive with one failing item (ambiguous display name): nothing undeclared is deleted."""
    clients = _fresh(emu, 'twin', 'twin', 'stray')
    dummy, out = _run(emu, 'X4', _role_play('X4', {'conductorone_personal_clients': [{'display_name': 'twin'},
                                                                                     {'display_name': 'fine'}],
                                                   'conductorone_personal_clients_exclusive': True}))
    problems = []
    if clients['stray']['id'] not in _live_ids(emu) or _deletes(emu):
        problems.append('deleted %s although an item failed' % _deletes(emu))
    if out['result'].get('created') != ['fine'] or out['result'].get('failed') != ['twin']:
        problems.append('the other item did not converge, or the failure is not reported: %s' % out)
    return problems, 'created fine, failed twin, deleted nothing'


SCENARIOS = [
    ('X1', 'exclusive; module_defaults access_token of client B, controller environment names client A (finding 5a)',
     'refused before any write unless protected names B; with protected=[B], B is kept', scenario_token_in_module_defaults),
    ('X2', 'exclusive; play environment: with client C, controller environment names client A (finding 5b)',
     'C (the identity exchanged) is kept; the undeclared clients go', scenario_play_environment),
    ('X3', 'two declared items with one secret_path, also spelled differently (finding 6)',
     'refused before any create; no secret file written', None),
    ('X4', 'exclusive; one declared item fails (ambiguous display name)', 'the other items converge; nothing is deleted',
     scenario_failed_item_stops_exclusive),
]


@relkit.job('converge-security', weight=3)
def converge_job():
    ws = relkit.workspace()
    out = {}
    with relkit.Emulator(ws.subdir('converge-emulator')) as emu:
        for key, dummy, dummy2, func in SCENARIOS:
            try:
                if func is None:
                    problems, observed = scenario_shared_secret_path(emu, ws.subdir('converge-secrets'))
                else:
                    problems, observed = func(emu)
            except Exception as exc:  # pylint: disable=broad-except
                problems, observed = ['scenario crashed: %r' % exc], ''
            out[key] = {'problems': problems, 'observed': observed}
    return out


@pytest.mark.parametrize('key', [s[0] for s in SCENARIOS])
def test_converge_security(key, report):
    outcome = relkit.job_result('converge-security')[key]
    label, expected = next((s[1], s[2]) for s in SCENARIOS if s[0] == key)
    observed = outcome['observed'] or ''
    if outcome['problems']:
        observed += ' -- ' + '; '.join(outcome['problems'])
    report.add('converge', label, expected, observed, not outcome['problems'])
    assert not outcome['problems'], json.dumps(outcome, indent=1)
