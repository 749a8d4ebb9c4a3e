# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The official Python SDK (conductorone-sdk 0.17.2), unmodified, against the emulator.

The SDK has no client-credential code: it takes a bearer token and server_url.
"""

import pytest

import openapi_check

sdk_module = pytest.importorskip('conductorone_sdk', reason='conductorone-sdk is not installed (pip install conductorone-sdk==0.17.2)')


def make_sdk(url, token):
    """The SDK with its default transport (httpx), plus a response hook that validates with the spec."""
    import httpx  # pylint: disable=import-outside-toplevel
    from conductorone_sdk.models import shared  # pylint: disable=import-outside-toplevel
    client = httpx.Client(follow_redirects=True, event_hooks={'response': [openapi_check.validate_httpx]})
    return sdk_module.SDK(security=shared.Security(bearer_auth=token, oauth=token), server_url=url, client=client)


def test_all_nine_operations_and_introspect_via_sdk(api, emu):
    sdk = make_sdk(emu.url, api.token)
    before = dict(openapi_check.VALIDATED)

    me = sdk.auth.introspect().introspect_response
    assert me.user_id and 'permission/c1.api.iam.v1.Roles.Update' in me.permissions

    roles, token = [], None
    while True:
        page = sdk.roles.list(request={'page_size': 10, 'page_token': token}).list_roles_response
        roles.extend(page.list)
        token = page.next_page_token
        if not token:
            break
    assert {'system:owner', 'system:viewer', 'custom:auditor'} <= {r.name for r in roles}
    viewer = next(r for r in roles if r.name == 'system:viewer')
    auditor = next(r for r in roles if r.name == 'custom:auditor')

    got = sdk.roles.get(request={'role_id': auditor.id}).get_roles_response.role
    assert got.display_name == 'Auditor' and got.system_builtin is False

    updated = sdk.roles.update(request={
        'role_id': auditor.id,
        'update_role_request': {'role': {'display_name': 'SDK Auditor'}, 'update_mask': 'displayName'},
    }).update_roles_response.role
    assert updated.display_name == 'SDK Auditor' and updated.permissions == auditor.permissions

    created = sdk.personal_client.create(request={
        'display_name': 'sdk client', 'expires': '3600s', 'allow_source_cidr': ['10.0.0.0/8'], 'scoped_roles': [viewer.id],
    }).personal_client_service_create_response
    client = created.personal_client
    assert created.client_secret.startswith('secret-token:conductorone.com:v1:')
    assert client.display_name == 'sdk client' and client.scoped_roles == [viewer.id] and client.expires_time is not None
    assert client.last_used_at is None and client.deleted_at is None

    listed = sdk.personal_client.list().personal_client_service_list_response
    assert client.id in [c.id for c in listed.list] and listed.next_page_token == ''

    fetched = sdk.personal_client.get(request={'id': client.id}).personal_client_service_get_response.personal_client
    assert fetched.client_id == client.client_id

    renamed = sdk.personal_client.update(request={
        'id': client.id,
        'personal_client_service_update_request': {'personal_client': {'display_name': 'sdk renamed'}, 'update_mask': 'displayName'},
    }).personal_client_service_update_response.personal_client
    assert renamed.display_name == 'sdk renamed' and renamed.allow_source_cidr == ['10.0.0.0/8']

    found = sdk.personal_client_search.search(request={'query': 'sdk renamed', 'page_size': 10}).personal_client_search_service_search_response
    assert [c.id for c in found.list] == [client.id]

    deleted = sdk.personal_client.delete(request={'id': client.id})
    assert deleted.status_code == 200

    from conductorone_sdk.models import errors  # pylint: disable=import-outside-toplevel
    with pytest.raises(errors.SDKError) as info:
        sdk.personal_client.get(request={'id': client.id})
    assert info.value.status_code == 404

    if openapi_check.unavailable_reason() is None:
        grown = {op for op, count in openapi_check.VALIDATED.items() if count > before.get(op, 0)}
        assert grown == set(openapi_check.OPERATIONS.values())


def test_sdk_sees_errors(api, emu):
    basic = api.credentials(roles=['system:user'])
    sdk = make_sdk(emu.url, basic['token'])
    from conductorone_sdk.models import errors  # pylint: disable=import-outside-toplevel
    with pytest.raises(errors.SDKError) as info:
        sdk.personal_client_search.search(request={})
    assert info.value.status_code == 403
    with pytest.raises(errors.SDKError) as info:
        make_sdk(emu.url, 'not-a-token').roles.list()
    assert info.value.status_code == 401
