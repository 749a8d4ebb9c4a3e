# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""5. Bad input matrix: every option of every module with wrong types, empty strings and invalid values.

Each input must be refused before any write (the emulator's request log shows no POST or DELETE other than the token
exchange; personal client search is a read and is allowed), with a clear message (no crash) that names the
option. The base arguments of each module would write if the bad option were accepted (create a client, rename a
role), so an accepted bad input shows up as a write. The ``*_info`` modules never write, so for them only the
message is proven (reported apart: "refused before any write" cannot fail there).

Each malformed value comes with a valid partner (a malformed client_id with the emulator's valid client_secret and
vice versa), so the validator of that option is what refuses it. The message must match an anchored pattern: it
starts with the option name (``^option\b``, as the collection's messages do) or with Ansible's ``argument 'option'``;
a substring anywhere is not enough (``id`` is inside "invalid"). A message with ``********`` inside a word is no_log
masking a test value and counts as a failure; the test values are chosen so that they cannot collide with it.
"""

import re

import pytest

import relkit

DEFAULTS = {'retries': 0, 'timeout': 10}
DICT = {'c1rel_key': 'c1rel-value'}  # never a substring of a message, so no_log masking of it cannot garble one
VALID_ID = "{{ lookup('env', 'CONDUCTORONE_CLIENT_ID') }}"
VALID_SECRET = "{{ lookup('env', 'CONDUCTORONE_CLIENT_SECRET') }}"
# issue 22: the message names what is missing for the mode the options set point at
NO_CLIENT_ID = r'^client_id missing: client_secret is set, but not the client id it belongs to: set client_id'
NO_CLIENT_SECRET = r"^client_secret missing: client_id '[^']+' is set \(a /pcc client\), but not its client_secret"
UNSUPPORTED = r'^Unsupported parameters for \(conductorone\.iam\.%s\) module: bogus_option\. Supported parameters include: '
SECRET_FORMAT = r"^client_secret is not a ConductorOne client secret: it must start with 'secret-token:conductorone\.com:v1:'"
READ_ONLY = ('personal_client_info', 'role_info')
BUILTIN = r'^role system:%s \([^)]*\) is built-in \(systemBuiltin\) and cannot be edited; it would change %s\.'
BASE = {
    'personal_client': {'display_name': 'rel bad new'},
    'personal_client_info': {},
    'role': {'name': 'custom:bad-target', 'display_name': 'Changed by a bad input'},
    'role_info': {},
}
SEED = {
    'roles': [
        {'name': 'custom:bad-target', 'displayName': 'Bad target', 'permissions': [], 'serviceRoles': []},
        {'name': 'custom:dup-1', 'displayName': 'Dup Role', 'permissions': [], 'serviceRoles': []},
        {'name': 'custom:dup-2', 'displayName': 'Dup Role', 'permissions': [], 'serviceRoles': []},
    ],
    'personalClients': [{'user': 'admin@example.com', 'id': 'rel-bad-existing', 'displayName': 'rel bad existing'}],
}

# (label, args to merge into the module's base args, expected message: option names (the message starts with one,
# or with "argument 'name'") or anchored regular expressions (starting with ^))
CONNECTION = [
    ('client_id malformed (valid client_secret)', {'client_id': 'not-a-client-id', 'client_secret': VALID_SECRET},
     (r'^client_id is not a ConductorOne client id',)),
    ('client_id wrong type (dict; valid client_secret)', {'client_id': DICT, 'client_secret': VALID_SECRET}, ('client_id',)),
    ('client_id empty (valid client_secret): no credentials', {'client_id': '', 'client_secret': VALID_SECRET}, (NO_CLIENT_ID,)),
    ('client_secret malformed (no prefix; valid client_id)', {'client_id': VALID_ID, 'client_secret': 'not-a-secret-at-all'},
     (SECRET_FORMAT,)),
    ('client_secret malformed (prefix, no JWK; valid client_id)',
     {'client_id': VALID_ID, 'client_secret': 'secret-token:conductorone.com:v1:bm90LWEtandr'}, ('client_secret',)),
    ('client_secret malformed (JWK without d; valid client_id)',
     {'client_id': VALID_ID, 'client_secret': 'secret-token:conductorone.com:v1:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5In0'},
     ('client_secret',)),
    ('client_secret empty (valid client_id): no credentials', {'client_id': VALID_ID, 'client_secret': ''}, (NO_CLIENT_SECRET,)),
    ('client_secret wrong type (list; valid client_id)', {'client_id': VALID_ID, 'client_secret': ['c1rel-list-item']},
     ('client_secret',)),
    ('access_token wrong type (dict)', {'access_token': DICT}, ('access_token',)),
    ('server_url not http(s)', {'server_url': 'ftp://example.com'}, ('server_url',)),
    ('server_url not a URL', {'server_url': 'not a url'}, ('server_url',)),
    ('validate_certs not a boolean', {'validate_certs': 'maybe'}, ('validate_certs',)),
    ('ca_path wrong type (dict)', {'ca_path': DICT}, ('ca_path',)),
    ('timeout not a number', {'timeout': 'soon'}, ('timeout',)),
    ('timeout negative', {'timeout': -1}, ('timeout',)),
    ('retries not an integer', {'retries': 'many'}, ('retries',)),
    ('retries a float', {'retries': 1.5}, ('retries',)),
    ('retries negative', {'retries': -1}, ('retries',)),
    ('token_cache not a boolean', {'token_cache': 'maybe'}, ('token_cache',)),
]
MODULE_INPUTS = {
    'personal_client': [
        ('unknown option', {'bogus_option': 1}, (UNSUPPORTED % 'personal_client',)),
        ('state invalid', {'state': 'gone'}, (r'^value of state must be one of: present, absent, got: gone',)),
        ('neither id nor display_name', {'display_name': None}, (r'^one of the following is required: id, display_name$',)),
        ('id empty', {'id': '', 'display_name': None}, ('id',)),
        ('id blank', {'id': '   '}, ('id',)),
        ('id wrong type (dict)', {'id': DICT}, ('id',)),
        ('id of no client', {'id': 'rel-no-such-client'}, ('id',)),
        ('id malformed OAuth client id', {'id': 'bad@client@id/pcc/x'}, ('id',)),
        ('id empty with state=absent', {'id': '', 'display_name': None, 'state': 'absent'}, ('id',)),
        ('display_name empty', {'display_name': ''}, ('display_name',)),
        ('display_name blank', {'display_name': '   '}, ('display_name',)),
        ('display_name wrong type (dict)', {'display_name': DICT}, ('display_name',)),
        ('display_name wrong type (list)', {'display_name': ['a', 'b']}, ('display_name',)),
        ('allow_source_cidr host bits set', {'allow_source_cidr': ['10.0.0.1/8']}, ('allow_source_cidr',)),
        ('allow_source_cidr not an address', {'allow_source_cidr': ['not-a-cidr']}, ('allow_source_cidr',)),
        ('allow_source_cidr prefix too long', {'allow_source_cidr': ['10.0.0.0/33']}, ('allow_source_cidr',)),
        ('allow_source_cidr IPv6 host bits set', {'allow_source_cidr': ['2001:db8::1/32']}, ('allow_source_cidr',)),
        ('allow_source_cidr empty entry', {'allow_source_cidr': ['']}, ('allow_source_cidr',)),
        ('allow_source_cidr wrong type (dict)', {'allow_source_cidr': DICT}, ('allow_source_cidr',)),
        ('allow_source_cidr element wrong type (dict)', {'allow_source_cidr': [DICT]}, ('allow_source_cidr',)),
        ('allow_source_cidr bad, on update of an existing client',
         {'display_name': 'rel bad existing', 'allow_source_cidr': ['300.1.1.1']}, ('allow_source_cidr',)),
        ('scoped_roles unknown role', {'scoped_roles': ['No Such Role']}, ('scoped_roles',)),
        ('scoped_roles ambiguous role', {'scoped_roles': ['Dup Role']}, ('scoped_roles',)),
        ('scoped_roles empty entry', {'scoped_roles': ['']}, ('scoped_roles',)),
        ('scoped_roles wrong type (dict)', {'scoped_roles': DICT}, ('scoped_roles',)),
        ('scoped_roles element wrong type (list)', {'scoped_roles': [['Auditor']]}, ('scoped_roles',)),
        ('scoped_roles unknown, on update of an existing client',
         {'display_name': 'rel bad existing', 'scoped_roles': ['No Such Role']}, ('scoped_roles',)),
        ('expires_in not a duration', {'expires_in': 'soon'}, ('expires_in',)),
        ('expires_in zero', {'expires_in': '0'}, ('expires_in',)),
        ('expires_in negative', {'expires_in': '-5s'}, ('expires_in',)),
        ('expires_in empty', {'expires_in': ''}, ('expires_in',)),
        ('expires_in unknown unit', {'expires_in': '1y'}, ('expires_in',)),
        ('expires_in not finite', {'expires_in': 'inf'}, ('expires_in',)),
        ('expires_at not a time', {'expires_at': 'tomorrow'}, ('expires_at',)),
        ('expires_at in the past', {'expires_at': '2001-01-01T00:00:00Z'}, ('expires_at',)),
        ('expires_at impossible date', {'expires_at': '2030-02-30T00:00:00Z'}, ('expires_at',)),
        ('expires_at date without time', {'expires_at': '2030-01-01'}, ('expires_at',)),
        ('expires_at empty', {'expires_at': ''}, ('expires_at',)),
        ('expires_at past, on update of an existing client',
         {'display_name': 'rel bad existing', 'expires_at': '2001-01-01T00:00:00Z'}, ('expires_at',)),
        ('both expires_in and expires_at', {'expires_in': '30d', 'expires_at': '2030-01-01T00:00:00Z'},
         (r'^parameters are mutually exclusive: expires_in\|expires_at',)),
        ('rotate not a boolean', {'rotate': 'maybe'}, ('rotate',)),
        ('rotate with rotate_if_expires_within', {'rotate': True, 'rotate_if_expires_within': '14d'},
         (r'^parameters are mutually exclusive: rotate\|rotate_if_expires_within',)),
        ('rotate_if_expires_within not a duration', {'rotate_if_expires_within': 'soon'}, ('rotate_if_expires_within',)),
        ('rotate_if_expires_within empty', {'rotate_if_expires_within': ''}, ('rotate_if_expires_within',)),
        ('keep_previous without rotation', {'keep_previous': True}, ('keep_previous',)),
        ('keep_previous not a boolean', {'keep_previous': 'maybe'}, ('keep_previous',)),
        ('secret_path in a missing directory', {'secret_path': '/nonexistent-c1rel/secret.json'}, ('secret_path',)),
        ('secret_path is a directory', {'secret_path': '{{ playbook_dir }}'}, ('secret_path',)),
        ('secret_path empty', {'secret_path': ''}, ('secret_path',)),
        ('secret_path wrong type (dict)', {'secret_path': DICT}, ('secret_path',)),
        ('return_secret not a boolean', {'return_secret': 'maybe'}, ('return_secret',)),
    ],
    'personal_client_info': [
        ('unknown option', {'bogus_option': 1}, (UNSUPPORTED % 'personal_client_info',)),
        ('expires_within not a duration', {'expires_within': 'soon'}, ('expires_within',)),
        ('expires_within empty', {'expires_within': ''}, ('expires_within',)),
        ('expires_within zero', {'expires_within': '0'}, ('expires_within',)),
        ('all_users not a boolean', {'all_users': 'maybe'}, ('all_users',)),
        ('query without all_users', {'query': 'x'}, ('query',)),
        ('user_ids without all_users', {'user_ids': ['x']}, ('user_ids',)),
        ('user_ids wrong type (dict)', {'all_users': True, 'user_ids': DICT}, ('user_ids',)),
        ('user_ids element wrong type (dict)', {'all_users': True, 'user_ids': [DICT]}, ('user_ids',)),
    ],
    'role': [
        ('unknown option', {'bogus_option': 1}, (UNSUPPORTED % 'role',)),
        ('id and name together', {'id': 'x'}, (r'^parameters are mutually exclusive: id\|name',)),
        ('neither id nor name', {'name': None}, (r'^one of the following is required: id, name$',)),
        ('id empty', {'id': '', 'name': None}, ('id',)),
        ('id of no role', {'id': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA', 'name': None}, ('id',)),
        ('name empty', {'name': ''}, ('name',)),
        ('name of no role', {'name': 'No Such Role'}, ('name',)),
        ('name ambiguous (display name of two roles)', {'name': 'Dup Role'}, ('name',)),
        ('name wrong type (dict)', {'name': DICT}, ('name',)),
        ('display_name empty', {'display_name': ''}, ('display_name',)),
        ('display_name wrong type (dict)', {'display_name': DICT}, ('display_name',)),
        ('display_name wrong type (list)', {'display_name': ['a']}, ('display_name',)),
        ('permissions wrong type (dict)', {'permissions': DICT}, ('permissions',)),
        ('permissions empty entry', {'permissions': ['']}, ('permissions',)),
        ('permissions element wrong type (dict)', {'permissions': [DICT]}, ('permissions',)),
        ('permissions blank entry', {'permissions': ['  ']}, ('permissions',)),
        ('service_roles empty entry', {'service_roles': ['']}, ('service_roles',)),
        ('service_roles wrong type (dict)', {'service_roles': DICT}, ('service_roles',)),
        ('service_roles element wrong type (list)', {'service_roles': [['role/x']]}, ('service_roles',)),
        ('append not a boolean', {'append': 'maybe'}, ('append',)),
        ('remove_permissions with an exact permissions list', {'permissions': ['permission/x'], 'remove_permissions': ['permission/y']},
         ('remove_permissions',)),
        ('permissions and remove_permissions overlap', {'append': True, 'permissions': ['permission/x'],
                                                        'remove_permissions': ['permission/x']},
         (r'^permissions and remove_permissions both list permission/x;',)),
        ('remove_service_roles empty entry', {'remove_service_roles': ['']}, ('remove_service_roles',)),
        ('built-in role edit (display_name of system:viewer)', {'name': 'system:viewer'}, (BUILTIN % ('viewer', 'display_name'),)),
        ('built-in role edit (permissions of system:owner)', {'name': 'system:owner', 'display_name': None,
                                                              'permissions': ['permission/c1.api.iam.v1.Roles.List']},
         (BUILTIN % ('owner', 'permissions'),)),
        ('built-in role edit by id (append to system:user)', {'name': None, 'id': '{{ user_role_id }}', 'display_name': None,
                                                              'service_roles': ['role/c1.api.app.v1.Apps:viewer'], 'append': True},
         (BUILTIN % ('user', 'service_roles'),)),
    ],
    'role_info': [
        ('unknown option', {'bogus_option': 1}, (UNSUPPORTED % 'role_info',)),
        ('id and name together', {'id': 'x', 'name': 'y'}, (r'^parameters are mutually exclusive: id\|name',)),
    ],
}


def matrix():
    rows = []
    for module in BASE:
        for label, args, names in CONNECTION:
            rows.append((module, label, args, names))
        for label, args, names in MODULE_INPUTS[module]:
            rows.append((module, label, args, names))
    return [('B%03d' % i, module, label, args, names) for i, (module, label, args, names) in enumerate(rows)]


MATRIX = matrix()
WRITES = ('POST', 'DELETE', 'PUT', 'PATCH')
READ_ONLY_POSTS = ('/auth/v1/token', '/api/v1/search/iam/personal_clients')


def _args(module, extra):
    args = dict(BASE[module])
    for key, value in extra.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


MASKED = re.compile(r'\w\*{8}|\*{8}\w')


def message_patterns(names):
    """Anchored patterns for the expected message: an option name, or a regular expression starting with ^."""
    out = []
    for name in names:
        if name.startswith('^'):
            out.append(re.compile(name))
        else:
            out.append(re.compile(r'^(?:%s\b(?!_)|argument \'%s\')' % (re.escape(name), re.escape(name))))
    return out


def message_problems(msg, names):
    """Why ``msg`` is not the specific message for ``names`` (empty list: it is)."""
    problems = []
    if MASKED.search(msg):
        problems.append('no_log masking garbled the message (a test value collides with a secret): %s' % msg[:200])
    if not any(pattern.search(msg) for pattern in message_patterns(names)):
        problems.append('message does not start with %s: %s' % (' or '.join(names), msg[:200]))
    return problems


def _check(names, secret_values):
    def check(ctx):
        r, log = ctx.r('run'), ctx.log()
        msg = str(r.get('msg') or '')
        problems = []
        writes = [e for e in log if e['method'] in WRITES and e['path'] not in READ_ONLY_POSTS]
        if writes:
            problems.append('WRITE: %s' % ', '.join('%s %s %s' % (e['method'], e['path'], e['status']) for e in writes))
        if not relkit.failed(r):
            problems.append('accepted (%s)' % ('changed' if r.get('changed') else 'ok'))
        elif relkit.crashed(r):
            problems.append('crashed instead of a clear message')
        else:
            problems += message_problems(msg, names)
        for value in secret_values:
            if value in msg:
                problems.append('the message echoes a secret')
        return problems, (relkit.summarize(r) if relkit.failed(r) else 'accepted: %s' % relkit.summarize(r))[:260]
    return check


_BY_KEY = {}


@relkit.job('bad-input', weight=3)
def bad_input_job():
    with relkit.job_emulator('bad-input', seed=SEED) as (dummy, emu):
        scenarios = []
        wanted = relkit.selected_ids('test_bad_input')  # mutate.py runs a validator's own rows only (-k B012 or ...)
        for key, module, label, extra, names in MATRIX:
            if wanted is not None and not any(param.startswith(key + '-') for param in wanted):
                continue
            tasks = [relkit.mod(key + ' run', module, _args(module, extra)), relkit.ctl(key + ' collect', collect=True)]
            expected = '%s, message starts with %s' % (
                'refused (read-only module)' if module in READ_ONLY else 'refused before any write', ' or '.join(names))
            scenarios.append(relkit.Scenario(key, '%s: %s' % (module, label), expected, tasks, _check(names, [emu.client_secret]),
                                             bad_input=True, read_only=module in READ_ONLY, outcome='failed'))
        pre = [relkit.ctl('clear', clear=True)]
        return relkit.run_scenario_set('bad-input', scenarios, defaults=DEFAULTS, emulator=emu, pre_tasks=pre, index=_BY_KEY,
                                       extra_env={}, args=['-e', 'user_role_id=%s' % emu.role('system:user')['id']])


@pytest.mark.parametrize('key,module,label', [(k, m, l) for k, m, l, dummy, dummy2 in MATRIX],
                         ids=['%s-%s-%s' % (k, m, l.replace(' ', '_')) for k, m, l, dummy, dummy2 in MATRIX])
def test_bad_input(key, module, label, report):
    out = relkit.job_result('bad-input')
    problems = relkit.report_scenario(report, 'input', _BY_KEY[key], out[key])
    assert not problems, '%s: %s\n%s' % (module, label, '\n'.join(problems) + '\n' + str(out[key].get('observed')))
