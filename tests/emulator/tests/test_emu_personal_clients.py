# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Personal clients: create/get/update/list/delete and search."""

import datetime
import re

import pytest

import c1client

PC = '/api/v1/iam/personal_clients'
SEARCH = '/api/v1/search/iam/personal_clients'
FIELDS = {'id', 'clientId', 'userId', 'displayName', 'allowSourceCidr', 'scopedRoles', 'expiresTime', 'createdAt',
          'updatedAt', 'lastUsedAt', 'deletedAt'}
RFC3339_Z = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?Z$')


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace('Z', '+00:00'))


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def code_of(response):
    return response.json()['code']


def test_create_returns_client_and_secret(api, emu):
    me = api.get('/api/v1/auth/introspect').json()
    body = api.create_client(displayName='ansible-ci')
    assert set(body) == {'client', 'clientSecret'}
    client = body['client']
    assert set(client) == FIELDS
    assert re.fullmatch(r'[a-z]+-[a-z]+-\d{5}', client['id'])
    host = emu.url.split('//', 1)[1]
    assert client['clientId'] == '%s@%s/pcc' % (client['id'], host)
    assert client['userId'] == me['userId']
    assert client['displayName'] == 'ansible-ci'
    assert client['allowSourceCidr'] == [] and client['scopedRoles'] == []
    assert client['expiresTime'] is None and client['lastUsedAt'] is None and client['deletedAt'] is None
    assert RFC3339_Z.match(client['createdAt']) and client['createdAt'] == client['updatedAt']
    assert body['clientSecret'].startswith('secret-token:conductorone.com:v1:')
    assert '=' not in body['clientSecret']
    token = c1client.get_token(emu.url, client['clientId'], body['clientSecret'])
    assert api.get(PC + '/' + client['id'], token=token).json()['client']['lastUsedAt'] is not None


def test_create_accepts_snake_case_and_ignores_unknown_fields(api):
    client = api.post(PC, {'display_name': 'snake', 'allow_source_cidr': ['10.0.0.0/8'], 'whatever': 1,
                           'scoped_roles': [api.role_id('system:viewer')]}).json()['client']
    assert client['displayName'] == 'snake' and client['allowSourceCidr'] == ['10.0.0.0/8']
    assert len(client['scopedRoles']) == 1


def test_create_refuses_both_spellings_of_a_field(api):
    response = api.post(PC, {'displayName': 'a', 'display_name': 'b'}, expect=400)
    assert code_of(response) == 3


@pytest.mark.parametrize('body', [
    {}, {'displayName': ''}, {'displayName': '   '}, {'displayName': 5}, {'displayName': 'x', 'allowSourceCidr': '10.0.0.0/8'},
    {'displayName': 'x', 'allowSourceCidr': [1]}, {'displayName': 'x', 'scopedRoles': 'abc'},
])
def test_create_validates_types(api, body):
    assert code_of(api.post(PC, body, expect=400)) == 3


def test_create_rejects_non_object_body(api):
    response = api.call('POST', PC, data='[1, 2]', headers={'Content-Type': 'application/json'}, expect=400)
    assert code_of(response) == 3
    response = api.call('POST', PC, data='{not json', headers={'Content-Type': 'application/json'}, expect=400)
    assert code_of(response) == 3


@pytest.mark.parametrize('expires, seconds', [('3600s', 3600), ('2592000s', 2592000), ('1.5s', 1.5), ('90.000000001s', 90)])
def test_expires_durations(api, expires, seconds):
    before = utcnow()
    client = api.create_client(expires=expires)['client']
    after = utcnow()
    expires_time = parse(client['expiresTime'])
    assert RFC3339_Z.match(client['expiresTime'])
    # the server's now lies between before and after, however long the request took under load
    assert seconds - 1 <= (expires_time - before).total_seconds()
    assert (expires_time - after).total_seconds() <= seconds + 1


@pytest.mark.parametrize('expires', ['1h', '30m', '3600', '0s', '-5s', 's', '1e3s', 3600, ' 3600s', '3600S'])
def test_bad_expires_is_400(api, expires):
    assert code_of(api.post(PC, {'displayName': 'x', 'expires': expires}, expect=400)) == 3


@pytest.mark.parametrize('given, stored', [
    (['10.0.0.0/24'], ['10.0.0.0/24']),
    (['203.0.113.7'], ['203.0.113.7/32']),
    (['2001:DB8::/32'], ['2001:db8::/32']),
    (['2001:db8:0:0:0:0:0:1'], ['2001:db8::1/128']),
    (['0.0.0.0/0', '::/0'], ['0.0.0.0/0', '::/0']),
])
def test_cidrs_are_canonicalised(api, given, stored):
    assert api.create_client(allowSourceCidr=given)['client']['allowSourceCidr'] == stored


@pytest.mark.parametrize('cidr', ['10.0.0.1/8', '2001:db8::1/32', '10.0.0.0/33', 'not-a-cidr', '', ' 10.0.0.0/8', '10.0.0/8', 'fe80::1%eth0'])
def test_bad_cidrs_are_400(api, cidr):
    assert code_of(api.post(PC, {'displayName': 'x', 'allowSourceCidr': [cidr]}, expect=400)) == 3


def test_scoped_roles_must_be_existing_ids(api):
    viewer = api.role_id('system:viewer')
    assert api.create_client(scopedRoles=[viewer])['client']['scopedRoles'] == [viewer]
    response = api.post(PC, {'displayName': 'x', 'scopedRoles': ['system:viewer']}, expect=400)
    assert 'role id' in response.json()['message']
    api.post(PC, {'displayName': 'x', 'scopedRoles': ['Read-Only Administrator']}, expect=400)
    api.post(PC, {'displayName': 'x', 'scopedRoles': ['0' * 27]}, expect=400)


def test_get_list_and_not_found(api):
    created = api.create_client(displayName='one')['client']
    assert api.get(PC + '/' + created['id']).json() == {'client': created}
    listed = api.get(PC).json()
    assert listed['nextPageToken'] == ''
    assert created in listed['list']
    response = api.get(PC + '/blue-whale-12345', expect=404)
    assert code_of(response) == 5 and response.json()['message'].startswith('not found')


def test_list_paginates(api):
    for index in range(30):
        api.create_client(displayName='bulk %02d' % index)
    first = api.get(PC).json()
    assert len(first['list']) == 25 and first['nextPageToken']
    second = api.get(PC, params={'page_token': first['nextPageToken']}).json()
    assert len(second['list']) == 6 and second['nextPageToken'] == ''  # 30 + the admin's own env-file client
    ids = [c['id'] for c in first['list'] + second['list']]
    assert len(set(ids)) == 31
    small = api.get(PC, params={'pageSize': 10}).json()
    assert len(small['list']) == 10
    assert code_of(api.get(PC, params={'page_token': 'bogus'}, expect=400)) == 3


def test_update_with_mask_changes_only_masked_fields(api):
    created = api.create_client(displayName='before', allowSourceCidr=['10.0.0.0/8'], expires='3600s')['client']
    path = PC + '/' + created['id']
    updated = api.post(path, {'client': {'displayName': 'after', 'allowSourceCidr': ['192.168.0.0/16']},
                              'updateMask': 'displayName'}).json()['client']
    assert updated['displayName'] == 'after'
    assert updated['allowSourceCidr'] == ['10.0.0.0/8']
    assert updated['expiresTime'] == created['expiresTime']
    assert updated['updatedAt'] >= created['updatedAt'] and updated['createdAt'] == created['createdAt']
    viewer = api.role_id('system:viewer')
    updated = api.post(path, {'client': {'allowSourceCidr': ['192.168.1.9'], 'scopedRoles': [viewer]},
                              'update_mask': 'allowSourceCidr,scopedRoles'}).json()['client']
    assert updated['allowSourceCidr'] == ['192.168.1.9/32'] and updated['scopedRoles'] == [viewer]
    assert updated['displayName'] == 'after'
    # a masked field absent from the body is cleared
    updated = api.post(path, {'client': {}, 'updateMask': 'scopedRoles'}).json()['client']
    assert updated['scopedRoles'] == [] and updated['allowSourceCidr'] == ['192.168.1.9/32']
    assert api.get(path).json()['client'] == updated


@pytest.mark.parametrize('mask', [None, ''])
def test_update_without_mask_replaces_all_writable_fields(api, mask):
    created = api.create_client(displayName='full', allowSourceCidr=['10.0.0.0/8'], expires='3600s')['client']
    body = {'client': {'displayName': 'replaced'}}
    if mask is not None:
        body['updateMask'] = mask
    updated = api.post(PC + '/' + created['id'], body).json()['client']
    assert updated['displayName'] == 'replaced'
    assert updated['allowSourceCidr'] == [] and updated['scopedRoles'] == [] and updated['expiresTime'] is None
    # ... which makes displayName mandatory in the body
    assert code_of(api.post(PC + '/' + created['id'], {'client': {'allowSourceCidr': []}}, expect=400)) == 3


@pytest.mark.parametrize('mask', ['display_name', 'clientId', 'id', 'userId', 'createdAt', 'lastUsedAt', 'deletedAt',
                                  'client.displayName', 'displayName, allowSourceCidr', 'nope', 'displayName,,scopedRoles', 'expires'])
def test_update_mask_rejects_bad_paths(api, mask):
    created = api.create_client()['client']
    response = api.post(PC + '/' + created['id'], {'client': {'displayName': 'x'}, 'updateMask': mask}, expect=400)
    assert code_of(response) == 3


def test_update_mask_must_be_a_string(api):
    created = api.create_client()['client']
    api.post(PC + '/' + created['id'], {'client': {'displayName': 'x'}, 'updateMask': {'paths': ['displayName']}}, expect=400)
    api.post(PC + '/' + created['id'], {'client': {'displayName': 'x'}, 'updateMask': ['displayName']}, expect=400)


def test_update_validates_values(api):
    created = api.create_client()['client']
    path = PC + '/' + created['id']
    api.post(path, {'client': {'allowSourceCidr': ['10.0.0.1/8']}, 'updateMask': 'allowSourceCidr'}, expect=400)
    api.post(path, {'client': {'scopedRoles': ['system:viewer']}, 'updateMask': 'scopedRoles'}, expect=400)
    api.post(path, {'client': {'displayName': ''}, 'updateMask': 'displayName'}, expect=400)
    api.post(path, {'client': {'expiresTime': '2020-01-01T00:00:00Z'}, 'updateMask': 'expiresTime'}, expect=400)
    api.post(path, {'client': {'expiresTime': 'tomorrow'}, 'updateMask': 'expiresTime'}, expect=400)
    api.post(path, {'client': {'expiresTime': 1893456000}, 'updateMask': 'expiresTime'}, expect=400)
    assert api.get(path).json()['client'] == created


def test_update_expires_time(api):
    created = api.create_client()['client']
    path = PC + '/' + created['id']
    future = (utcnow() + datetime.timedelta(days=30)).replace(microsecond=0)
    stamp = future.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat()
    updated = api.post(path, {'client': {'expiresTime': stamp}, 'updateMask': 'expiresTime'}).json()['client']
    assert updated['expiresTime'] == future.strftime('%Y-%m-%dT%H:%M:%SZ')
    updated = api.post(path, {'client': {'expiresTime': None}, 'updateMask': 'expiresTime'}).json()['client']
    assert updated['expiresTime'] is None


def test_update_path_id_wins_and_unknown_id_is_404(api):
    one = api.create_client(displayName='one')['client']
    two = api.create_client(displayName='two')['client']
    api.post(PC + '/' + one['id'], {'client': {'id': two['id'], 'displayName': 'renamed'}, 'updateMask': 'displayName'})
    assert api.get(PC + '/' + one['id']).json()['client']['displayName'] == 'renamed'
    assert api.get(PC + '/' + two['id']).json()['client']['displayName'] == 'two'
    api.post(PC + '/blue-whale-12345', {'client': {'displayName': 'x'}, 'updateMask': 'displayName'}, expect=404)


def test_delete_is_soft_and_final(api, emu):
    created = api.create_client(displayName='doomed')
    client = created['client']
    token = c1client.get_token(emu.url, client['clientId'], created['clientSecret'])
    assert api.delete(PC + '/' + client['id']).json() == {}
    assert code_of(api.get(PC + '/' + client['id'], expect=404)) == 5
    assert client['id'] not in [c['id'] for c in api.get(PC).json()['list']]
    assert client['id'] not in [c['id'] for c in api.post(SEARCH, {}).json()['list']]
    api.get('/api/v1/iam/roles', token=token, expect=401)
    assert c1client.token_response(emu.url, client['clientId'], created['clientSecret']).status_code == 401
    assert code_of(api.delete(PC + '/' + client['id'], expect=404)) == 5
    api.post(PC + '/' + client['id'], {'client': {'displayName': 'x'}, 'updateMask': 'displayName'}, expect=404)
    stored = next(c for c in emu.control('GET', 'state')['personalClients'] if c['id'] == client['id'])
    assert stored['deletedAt'] is not None


def test_delete_accepts_empty_object_body(api):
    client = api.create_client()['client']
    assert api.call('DELETE', PC + '/' + client['id'], json={}).json() == {}


def test_clients_are_private_to_their_owner(api):
    alice = api.credentials(roles=['system:user'], displayName='alice key')
    bob = api.credentials(roles=['system:user'], displayName='bob key')
    assert [c['id'] for c in api.get(PC, token=alice['token']).json()['list']] == [alice['id']]
    for token, other in ((alice['token'], bob['id']), (bob['token'], alice['id'])):
        api.get(PC + '/' + other, token=token, expect=404)
        api.post(PC + '/' + other, {'client': {'displayName': 'x'}, 'updateMask': 'displayName'}, token=token, expect=404)
        api.delete(PC + '/' + other, token=token, expect=404)
    # the Super Administrator sees them only through search
    api.get(PC + '/' + alice['id'], expect=404)
    assert alice['id'] not in [c['id'] for c in api.get(PC).json()['list']]
    found = [c['id'] for c in api.post(SEARCH, {}).json()['list']]
    assert alice['id'] in found and bob['id'] in found


def test_super_admin_may_manage_all_clients_when_configured(api, emu):
    alice = api.credentials(roles=['system:user'])
    emu.control('POST', 'config', {'superAdminManagesAllClients': True})
    assert api.get(PC + '/' + alice['id']).json()['client']['userId'] == alice['userId']
    api.delete(PC + '/' + alice['id'])
    basic = api.credentials(roles=['system:user'])
    api.get(PC + '/' + basic['id']).json()
    other = api.credentials(roles=['system:user'])
    api.get(PC + '/' + other['id'], token=basic['token'], expect=404)


def test_search_filters_and_paginates(api):
    alice = api.credentials(roles=['system:user'], displayName='Alice laptop')
    api.credentials(roles=['system:user'], displayName='bob laptop')
    for index in range(12):
        api.create_client(displayName='ci runner %d' % index)
    everything = api.post(SEARCH, {'pageSize': 100}).json()
    assert everything['nextPageToken'] == '' and len(everything['list']) == 15
    laptops = api.post(SEARCH, {'query': 'LAPTOP'}).json()['list']
    assert sorted(c['displayName'] for c in laptops) == ['Alice laptop', 'bob laptop']
    mine = api.post(SEARCH, {'users': [{'id': alice['userId']}]}).json()['list']
    assert [c['id'] for c in mine] == [alice['id']]
    assert api.post(SEARCH, {'query': 'laptop', 'users': [{'id': alice['userId']}]}).json()['list'] == mine
    page = api.post(SEARCH, {'pageSize': 10, 'query': 'ci runner'}).json()
    assert len(page['list']) == 10 and page['nextPageToken']
    rest = api.post(SEARCH, {'page_size': 10, 'page_token': page['nextPageToken'], 'query': 'ci runner'}).json()
    assert len(rest['list']) == 2 and rest['nextPageToken'] == ''
    # a token is bound to its query
    api.post(SEARCH, {'pageSize': 10, 'pageToken': page['nextPageToken'], 'query': 'laptop'}, expect=400)
    api.post(SEARCH, {'pageToken': 'garbage'}, expect=400)
    api.post(SEARCH, {'users': 'nobody'}, expect=400)
