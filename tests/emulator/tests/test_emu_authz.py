# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Bearer authentication (401), permissions (403), scoped keys and introspect."""

import time

import pytest

import c1client
from harness import Api

PC = '/api/v1/iam/personal_clients'
SEARCH = '/api/v1/search/iam/personal_clients'
SEARCH_PERMISSION = 'permission/c1.api.iam.v1.PersonalClientSearchService.Search'
ROLES = '/api/v1/iam/roles'
INTROSPECT = '/api/v1/auth/introspect'


def assert_unauthenticated(response):
    body = response.json()
    assert response.status_code == 401 and body['code'] == 16, body
    assert body['message'].startswith('unauthenticated')


@pytest.mark.parametrize('header', [None, 'Bearer', 'Bearer    ', 'Basic dXNlcjpwYXNz', 'Bearer not-a-token', 'token abc'])
def test_missing_or_bad_bearer_is_401(api, header):
    headers = {'Authorization': header} if header is not None else {}
    for method, path in (('GET', ROLES), ('GET', PC), ('POST', SEARCH), ('GET', INTROSPECT), ('DELETE', PC + '/x')):
        assert_unauthenticated(api.call(method, path, token='', headers=dict(headers), expect=401))


def test_bearer_scheme_is_case_insensitive(api):
    api.get(ROLES, token='', headers={'Authorization': 'bearer ' + api.token})


def test_revoked_tokens_are_401(api, emu):
    api.get(ROLES)
    assert emu.control('POST', 'revoke_tokens')['revoked'] >= 1
    assert_unauthenticated(api.get(ROLES, expect=401))
    api.get(ROLES, token=emu.admin_token())


def test_expired_tokens_are_401(spawn):
    emu = spawn('--token-ttl', '2')
    token_body = c1client.token_response(emu.url, emu.client_id, emu.client_secret).json()
    assert token_body['expires_in'] == 2
    api = Api(emu, token=token_body['access_token'])
    api.get(ROLES)
    time.sleep(2.1)
    assert_unauthenticated(api.get(ROLES, expect=401))


def test_token_of_a_deleted_or_narrowed_client_stops_working(api):
    basic = api.credentials(roles=['system:user'])
    api.get(ROLES, token=basic['token'])
    api.delete(PC + '/' + basic['id'], token=basic['token'])
    assert_unauthenticated(api.get(ROLES, token=basic['token'], expect=401))


def test_basic_user_permissions(api):
    basic = api.credentials(roles=['system:user'])
    token = basic['token']
    api.get(ROLES, token=token)
    role = api.get(ROLES, token=token).json()['list'][0]
    api.get(ROLES + '/' + role['id'], token=token)
    api.get(INTROSPECT, token=token)
    created = api.create_client(token=token, displayName='mine')['client']
    api.get(PC + '/' + created['id'], token=token)
    api.post(PC + '/' + created['id'], {'client': {'displayName': 'still mine'}, 'updateMask': 'displayName'}, token=token)
    api.delete(PC + '/' + created['id'], token=token)
    response = api.post(SEARCH, {}, token=token, expect=403)
    body = response.json()
    assert body['code'] == 7
    assert body['message'].startswith('Permission denied, missing permission/c1.api.iam.v1.PersonalClientSearchService.Search (request-id: ')
    response = api.post(ROLES + '/' + role['id'], {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, token=token, expect=403)
    assert 'missing permission/c1.api.iam.v1.Roles.Update' in response.json()['message']


def test_viewer_reads_but_cannot_write_nor_search(api):
    viewer = api.credentials(roles=['system:viewer'])
    token = viewer['token']
    api.get(ROLES, token=token)
    api.get(PC, token=token)
    assert 'PersonalClientService.Create' in api.post(PC, {'displayName': 'x'}, token=token, expect=403).json()['message']
    auditor = api.role_id('custom:auditor')
    api.post(ROLES + '/' + auditor, {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, token=token, expect=403)


def test_role_without_iam_permissions(api):
    logs = api.credentials(roles=['system:system-logs-reader'])
    api.get(ROLES, token=logs['token'], expect=403)
    api.get(PC, token=logs['token'], expect=403)
    api.get(INTROSPECT, token=logs['token'])
    nobody = api.credentials(roles=[])
    response = api.get(INTROSPECT, token=nobody['token'], expect=403)
    assert 'missing permission/c1.api.auth.v1.Auth.Introspect' in response.json()['message']


def test_scoped_key_is_the_intersection(api):
    viewer_id = api.role_id('system:viewer')
    admin = api.credentials(roles=['system:owner'], scopedRoles=['system:viewer'])
    token = admin['token']
    api.get(ROLES, token=token)
    api.post(SEARCH, {}, token=token, expect=403)   # the viewer has no Search
    auditor = api.role_id('custom:auditor')
    api.post(ROLES + '/' + auditor, {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, token=token, expect=403)
    api.post(PC, {'displayName': 'x'}, token=token, expect=403)
    me = api.get(INTROSPECT, token=token).json()
    assert 'permission/c1.api.iam.v1.Roles.Update' not in me['permissions']
    assert 'permission/c1.api.iam.v1.Roles.List' in me['permissions']
    # a basic user cannot gain permissions by scoping a key to a bigger role
    basic = api.credentials(roles=['system:user'], scopedRoles=['system:owner'])
    api.post(SEARCH, {}, token=basic['token'], expect=403)
    api.get(ROLES, token=basic['token'])
    # scope changes apply to tokens already issued
    plain = api.credentials(roles=['system:owner'])
    api.post(SEARCH, {}, token=plain['token'])
    api.post(PC + '/' + plain['id'], {'client': {'scopedRoles': [api.role_id('system:user')]}, 'updateMask': 'scopedRoles'},
             token=plain['token'])
    api.post(SEARCH, {}, token=plain['token'], expect=403)
    assert viewer_id


def test_held_roles_scope_mode(api, emu):
    emu.control('POST', 'config', {'scopeMode': 'held_roles'})
    admin = api.credentials(roles=['system:owner'], scopedRoles=['system:viewer'])
    api.get(ROLES, token=admin['token'], expect=403)
    both = api.credentials(roles=['system:owner', 'system:viewer'], scopedRoles=['system:viewer'])
    api.get(ROLES, token=both['token'])
    api.post(PC, {'displayName': 'x'}, token=both['token'], expect=403)


def test_introspect(api, emu):
    me = api.get(INTROSPECT).json()
    assert set(me) == {'userId', 'principleId', 'roles', 'permissions', 'features'}
    state = emu.control('GET', 'state')
    assert me['userId'] == state['admin']['userId'] == me['principleId']
    assert me['features'] == []
    assert me['permissions'] == sorted(me['permissions'])
    assert 'permission/c1.api.iam.v1.Roles.Update' in me['permissions']
    assert 'role/c1.api.tenant.v1.Tenant:owner' in me['roles']
    basic = api.credentials(roles=['system:user'])
    theirs = api.get(INTROSPECT, token=basic['token']).json()
    assert theirs['userId'] == basic['userId']
    assert 'permission/c1.api.iam.v1.Roles.Update' not in theirs['permissions']


def test_role_edits_change_permissions(api):
    auditor = api.credentials(roles=['custom:auditor'])
    api.post(SEARCH, {}, token=auditor['token'], expect=403)
    role_id = api.role_id('custom:auditor')
    api.post(ROLES + '/' + role_id, {'role': {'permissions': [SEARCH_PERMISSION]}, 'updateMask': 'permissions'})
    api.post(SEARCH, {}, token=auditor['token'])
    api.post(ROLES + '/' + role_id, {'role': {'permissions': ['permission/c1.api.iam.v1.Roles.List']}, 'updateMask': 'permissions'})
    api.post(SEARCH, {}, token=auditor['token'], expect=403)
    api.get(ROLES, token=auditor['token'])


def test_only_a_super_administrator_lists_all_users_clients(api):
    """all_users (Search): ConductorOne's docs say only Super Administrators may view API keys other than their own."""
    holders = sorted(r['name'] for r in api.roles() if SEARCH_PERMISSION in (r['permissions'] or []))
    assert holders == ['system:owner']
    api.post(SEARCH, {}, token=api.credentials(roles=['system:owner'])['token'])
    for role in ('system:viewer', 'custom:auditor', 'system:user'):
        response = api.post(SEARCH, {}, token=api.credentials(roles=[role])['token'], expect=403)
        assert 'missing ' + SEARCH_PERMISSION in response.json()['message']
