# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Roles: the catalog, pagination (with 250 seeded roles), get, update and the update mask."""

import re

import pytest

ROLES = '/api/v1/iam/roles'
FIELDS = {'id', 'name', 'displayName', 'permissions', 'serviceRoles', 'systemBuiltin', 'systemApiOnly', 'createdAt',
          'updatedAt', 'deletedAt'}
BUILTINS = {
    'system:owner': 'Super Administrator',
    'system:viewer': 'Read-Only Administrator',
    'system:user': 'Basic User',
    'system:application-admin': 'Application Administrator',
    'system:campaign-admin': 'Campaign Administrator',
    'system:system-logs-reader': 'Read-Only to System Logs',
}


def by_name(api):
    return {role['name']: role for role in api.roles()}


def test_default_catalog(api):
    roles = by_name(api)
    for name, display in BUILTINS.items():
        assert roles[name]['displayName'] == display
        assert roles[name]['systemBuiltin'] is True
    assert roles['system:system-logs-reader']['systemApiOnly'] is True
    assert roles['system:owner']['systemApiOnly'] is False
    assert roles['custom:auditor']['displayName'] == 'Auditor' and roles['custom:auditor']['systemBuiltin'] is False
    assert roles['custom:app-reviewer']['displayName'] == 'App Reviewer'
    for role in roles.values():
        assert set(role) == FIELDS
        assert re.fullmatch(r'[A-Za-z0-9]{27}', role['id'])
        assert role['deletedAt'] is None and role['createdAt'].endswith('Z')
    owner = roles['system:owner']['permissions']
    assert 'permission/c1.api.iam.v1.Roles.Update' in owner
    assert 'permission/c1.api.iam.v1.PersonalClientSearchService.Search' in owner
    assert 'permission/c1.api.iam.v1.Roles.Update' not in roles['system:viewer']['permissions']
    assert 'permission/c1.api.iam.v1.PersonalClientSearchService.Search' not in roles['system:viewer']['permissions']


def test_role_ids_survive_reset(api, emu):
    before = {r['name']: r['id'] for r in api.roles()}
    emu.control('POST', 'reset')
    assert {r['name']: r['id'] for r in api.roles()} == before


def test_pagination_over_250_seeded_roles(api, emu):
    defaults = len(api.roles())
    summary = emu.control('POST', 'seed', {'generateRoles': {'count': 250, 'namePrefix': 'custom:bulk-', 'displayNamePrefix': 'Bulk role '}})
    assert len(summary['roles']) == 250
    total = 250 + defaults
    pages, token, seen = 0, '', []
    while True:
        params = {'page_token': token} if token else {}
        page = api.get(ROLES, params=params).json()
        pages += 1
        assert len(page['list']) == (25 if page['nextPageToken'] else total - 25 * (pages - 1))
        seen.extend(r['name'] for r in page['list'])
        token = page['nextPageToken']
        if not token:
            break
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 25)
    assert 'custom:bulk-001' in seen and 'custom:bulk-250' in seen
    bulk = next(r for r in api.roles() if r['name'] == 'custom:bulk-042')
    assert bulk['displayName'] == 'Bulk role 042' and bulk['systemBuiltin'] is False

    sizes = []
    token = ''
    while True:
        page = api.get(ROLES, params={'pageSize': 100, 'pageToken': token}).json()
        sizes.append(len(page['list']))
        token = page['nextPageToken']
        if not token:
            break
    assert sizes == [100, 100, total - 200]


@pytest.mark.parametrize('size, expected', [(5, 10), (1, 10), (10, 10), (37, 37), (100, 100), (1000, 100), (0, 25), (-3, 25)])
def test_page_size_is_clamped(api, emu, size, expected):
    emu.control('POST', 'seed', {'generateRoles': {'count': 150}})
    assert len(api.get(ROLES, params={'page_size': size}).json()['list']) == expected


@pytest.mark.parametrize('params', [{'page_token': 'nonsense'}, {'page_token': 'MTAuYWJj'}, {'page_size': 'ten'}, {'pageSize': '1.5'}])
def test_bad_paging_parameters_are_400(api, params):
    assert api.get(ROLES, params=params, expect=400).json()['code'] == 3


def test_page_tokens_are_not_interchangeable(api):
    for index in range(30):
        api.create_client(displayName='pc %d' % index)
    token = api.get('/api/v1/iam/personal_clients').json()['nextPageToken']
    assert token
    api.get(ROLES, params={'page_token': token}, expect=400)


def test_unknown_query_parameters_are_ignored(api):
    assert api.get(ROLES, params={'foo': 'bar'}).json()['list']


def test_get_role(api):
    auditor = by_name(api)['custom:auditor']
    assert api.get(ROLES + '/' + auditor['id']).json() == {'role': auditor}
    assert api.get(ROLES + '/2fCjgK8tYJxV9u8d1wupBMeXZ45', expect=404).json()['code'] == 5
    api.get(ROLES + '/custom:auditor', expect=404)


def test_update_custom_role_with_mask(api):
    auditor = by_name(api)['custom:auditor']
    path = ROLES + '/' + auditor['id']
    updated = api.post(path, {'role': {'displayName': 'Security Auditor', 'permissions': []}, 'updateMask': 'displayName'}).json()['role']
    assert updated['displayName'] == 'Security Auditor'
    assert updated['permissions'] == auditor['permissions'] and updated['serviceRoles'] == auditor['serviceRoles']
    assert updated['updatedAt'] >= auditor['updatedAt']
    perms = ['permission/c1.api.iam.v1.Roles.List', 'permission/c1.api.iam.v1.Roles.Get']
    updated = api.post(path, {'role': {'permissions': perms, 'serviceRoles': ['role/c1.api.app.v1.Apps:viewer']},
                              'update_mask': 'permissions,serviceRoles'}).json()['role']
    assert updated['permissions'] == perms and updated['displayName'] == 'Security Auditor'
    assert api.get(path).json()['role'] == updated


def test_update_role_without_mask_replaces_writable_fields(api):
    reviewer = by_name(api)['custom:app-reviewer']
    updated = api.post(ROLES + '/' + reviewer['id'], {'role': {'displayName': 'Reviewer', 'name': 'ignored', 'systemBuiltin': True}}).json()['role']
    assert updated['displayName'] == 'Reviewer' and updated['permissions'] == [] and updated['serviceRoles'] == []
    assert updated['name'] == 'custom:app-reviewer' and updated['systemBuiltin'] is False


@pytest.mark.parametrize('mask', ['display_name', 'service_roles', 'name', 'id', 'systemBuiltin', 'systemApiOnly',
                                  'createdAt', 'role.displayName', 'description', 'displayName,'])
def test_role_update_mask_rejects_bad_paths(api, mask):
    auditor = by_name(api)['custom:auditor']
    response = api.post(ROLES + '/' + auditor['id'], {'role': {'displayName': 'x'}, 'updateMask': mask}, expect=400)
    assert response.json()['code'] == 3


@pytest.mark.parametrize('role', [{'displayName': ''}, {'displayName': 7}, {'permissions': ['Roles.List']},
                                  {'permissions': 'permission/x'}, {'serviceRoles': ['viewer']}])
def test_role_update_validates_values(api, role):
    auditor = by_name(api)['custom:auditor']
    mask = ','.join(role)
    api.post(ROLES + '/' + auditor['id'], {'role': role, 'updateMask': mask}, expect=400)


@pytest.mark.parametrize('name', sorted(BUILTINS))
def test_builtin_roles_refuse_updates(api, name):
    role = by_name(api)[name]
    response = api.post(ROLES + '/' + role['id'], {'role': {'displayName': 'Mine now'}, 'updateMask': 'displayName'}, expect=400)
    assert response.json()['code'] == 9
    assert 'role %s is system built-in and cannot be edited' % name in response.json()['message']
    assert api.get(ROLES + '/' + role['id']).json()['role'] == role


def test_builtin_refusal_is_configurable(api, emu):
    emu.control('POST', 'config', {'builtinRoleUpdateError': 'permission_denied'})
    owner = by_name(api)['system:owner']
    response = api.post(ROLES + '/' + owner['id'], {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, expect=403)
    assert response.json()['code'] == 7


def test_update_unknown_role_is_404(api):
    api.post(ROLES + '/2fCjgK8tYJxV9u8d1wupBMeXZ45', {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, expect=404)


def test_seeded_roles_can_be_builtin_or_custom(api, emu):
    emu.control('POST', 'seed', {'roles': [
        {'name': 'system:ai-governance-admin', 'displayName': 'AI Governance Administrator', 'systemBuiltin': True},
        {'id': '2fCjgK8tYJxV9u8d1wupBMeXZ45', 'name': 'custom:fixed-id', 'displayName': 'Fixed',
         'permissions': ['permission/c1.api.iam.v1.Roles.List']},
    ]})
    roles = by_name(api)
    assert roles['system:ai-governance-admin']['systemBuiltin'] is True
    assert roles['custom:fixed-id']['id'] == '2fCjgK8tYJxV9u8d1wupBMeXZ45'
    emu.control('POST', 'seed', {'roles': [{'name': 'bad', 'id': 'short'}]}, expect=400)
