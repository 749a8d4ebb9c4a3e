# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test controls: faults of every kind, the request log, seed, reset, credentials, state."""

import concurrent.futures
import email.utils
import time

import pytest
import requests

import c1client
import openapi_check

ROLES = '/api/v1/iam/roles'
PC = '/api/v1/iam/personal_clients'
SEARCH = '/api/v1/search/iam/personal_clients'


def raw_get(api, path, **kwargs):
    response = requests.get(api.url + path, headers={'Authorization': 'Bearer ' + api.token}, timeout=30, **kwargs)
    openapi_check.validate(response)
    return response


def test_status_fault_with_retry_after_and_count(api, emu):
    emu.control('POST', 'faults', {'method': 'GET', 'path': '^/api/v1/iam/roles', 'count': 2, 'kind': 'status',
                                   'status': 503, 'retry_after': '1'})
    for _attempt in range(2):
        response = raw_get(api, ROLES)
        assert response.status_code == 503 and response.headers['Retry-After'] == '1'
        body = response.json()
        assert body['code'] == 14 and body['details'] == [] and response.headers['X-Request-Id'] in body['message']
    assert raw_get(api, ROLES).status_code == 200
    log = emu.control('GET', 'requests')['requests']
    assert [(e['method'], e['path'], e['status'], e['fault']) for e in log[-3:]] == [
        ('GET', ROLES, 503, 'status'), ('GET', ROLES, 503, 'status'), ('GET', ROLES, 200, None)]


def test_status_fault_429_with_http_date(api, emu):
    emu.control('POST', 'faults', {'kind': 'status', 'status': 429, 'retry_after': 'Wed, 21 Oct 2015 07:28:00 GMT'})
    response = raw_get(api, ROLES)
    assert response.status_code == 429 and response.json()['code'] == 8
    assert response.headers['Retry-After'] == 'Wed, 21 Oct 2015 07:28:00 GMT'


def test_status_fault_429_with_http_date_relative_to_when_it_fires(api, emu):
    # The date is computed when the fault answers, not when it is injected (a late client still gets N s).
    emu.control('POST', 'faults', {'kind': 'status', 'status': 429, 'retry_after_date_in': 3})
    time.sleep(1.5)
    response = raw_get(api, ROLES)
    ahead = email.utils.parsedate_to_datetime(response.headers['Retry-After']).timestamp() - time.time()
    assert response.status_code == 429 and 1.5 < ahead <= 3


def test_fault_filters_by_method_and_path(api, emu):
    emu.control('POST', 'faults', {'method': 'POST', 'path': '^/api/v1/iam/personal_clients$', 'kind': 'status', 'status': 500})
    assert raw_get(api, ROLES).status_code == 200
    assert raw_get(api, PC).status_code == 200
    assert api.call('POST', PC, json={'displayName': 'x'}, expect=500).json()['code'] == 13
    assert api.create_client()['client']
    assert emu.control('GET', 'faults')['faults'] == []


def test_html_fault(api, emu):
    emu.control('POST', 'faults', {'kind': 'html', 'status': 502})
    response = raw_get(api, ROLES)
    assert response.status_code == 502
    assert response.headers['Content-Type'].startswith('text/html')
    with pytest.raises(ValueError):
        response.json()


def test_delay_fault(api, emu):
    emu.control('POST', 'faults', {'kind': 'delay', 'seconds': 0.5, 'path': 'roles'})
    start = time.monotonic()
    assert raw_get(api, ROLES).status_code == 200
    assert time.monotonic() - start >= 0.5
    raw_get(api, ROLES)
    # used once: the log says so (a wall-clock bound on the second request would flip under load)
    assert [e['fault'] for e in emu.control('GET', 'requests')['requests'][-2:]] == ['delay', None]


def test_delay_fault_barrier_holds_until_all_arrived(api, emu):
    emu.control('POST', 'faults', {'kind': 'delay', 'seconds': 20, 'count': 2, 'barrier': 2, 'path': 'roles'})
    emu.control('DELETE', 'requests')
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(raw_get, api, ROLES)
        time.sleep(0.5)
        assert not first.done() and emu.control('GET', 'requests')['requests'] == []  # held: nobody else arrived
        start = time.monotonic()
        assert raw_get(api, ROLES).status_code == 200 and first.result(timeout=20).status_code == 200
    assert time.monotonic() - start < 15  # released by the second arrival, not by the 20 s timeout
    assert [e['fault'] for e in emu.control('GET', 'requests')['requests']] == ['delay', 'delay']


def test_delay_fault_hold_until_released(api, emu):
    emu.control('POST', 'faults', {'kind': 'delay', 'seconds': 20, 'hold': True, 'path': 'roles'})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        held = pool.submit(raw_get, api, ROLES)
        deadline = time.monotonic() + 15
        while emu.control('GET', 'faults')['held'] != 1:
            assert time.monotonic() < deadline and not held.done(), 'the request was never held'
            time.sleep(0.02)
        assert emu.control('POST', 'release') == {'released': 1}
        start = time.monotonic()
        assert held.result(timeout=20).status_code == 200
    assert time.monotonic() - start < 15  # released, not the 20 s cap
    assert emu.control('GET', 'faults') == {'faults': [], 'held': 0}


def test_drop_fault_closes_without_effect(api, emu):
    emu.control('POST', 'faults', {'kind': 'drop', 'method': 'POST', 'path': 'personal_clients'})
    with pytest.raises(requests.ConnectionError):
        requests.post(api.url + PC, json={'displayName': 'dropped'}, headers={'Authorization': 'Bearer ' + api.token}, timeout=30)
    names = [c['displayName'] for c in api.get(PC).json()['list']]
    assert 'dropped' not in names
    entry = emu.control('GET', 'requests')['requests'][-2]
    assert entry == {'method': 'POST', 'path': PC, 'query': '', 'status': None, 'fault': 'drop'}


def test_lost_response_applies_the_effect(api, emu):
    emu.control('POST', 'faults', {'kind': 'lost_response', 'method': 'POST', 'path': '^/api/v1/iam/personal_clients$'})
    with pytest.raises(requests.ConnectionError):
        requests.post(api.url + PC, json={'displayName': 'ghost'}, headers={'Authorization': 'Bearer ' + api.token}, timeout=30)
    names = [c['displayName'] for c in api.get(PC).json()['list']]
    assert names.count('ghost') == 1
    entry = emu.control('GET', 'requests')['requests'][-2]
    assert entry == {'method': 'POST', 'path': PC, 'query': '', 'status': 200, 'fault': 'lost_response'}


def test_faults_on_token_endpoint(emu):
    emu.control('POST', 'faults', [{'path': '^/auth/v1/token$', 'kind': 'status', 'status': 503},
                                   {'path': '^/auth/v1/token$', 'kind': 'drop'}])
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).status_code == 503
    with pytest.raises(requests.ConnectionError):
        c1client.token_response(emu.url, emu.client_id, emu.client_secret)
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).status_code == 200
    log = emu.control('GET', 'requests')['requests']
    assert [e['path'] for e in log] == ['/auth/v1/token'] * 3
    assert [e['fault'] for e in log] == ['status', 'drop', None]


def test_clear_faults_and_requests(api, emu):
    pending = emu.control('POST', 'faults', {'faults': [{'kind': 'status', 'count': 5}]})['faults']
    assert pending[0]['count'] == 5 and pending[0]['status'] == 503
    emu.control('DELETE', 'faults')
    assert raw_get(api, ROLES).status_code == 200
    assert emu.control('GET', 'requests')['requests']
    emu.control('DELETE', 'requests')
    assert emu.control('GET', 'requests')['requests'] == []
    # control calls themselves are neither faulted nor logged
    emu.control('POST', 'faults', {'kind': 'status'})
    emu.control('GET', 'state')
    assert emu.control('GET', 'requests')['requests'] == []


def test_request_log_keeps_query_apart_and_records_status(api, emu):
    emu.control('DELETE', 'requests')
    api.get(ROLES, params={'page_size': 10, 'page_token': ''})
    api.get('/nope', expect=404)
    log = emu.control('GET', 'requests')['requests']
    assert log == [{'method': 'GET', 'path': ROLES, 'query': 'page_size=10&page_token=', 'status': 200, 'fault': None},
                   {'method': 'GET', 'path': '/nope', 'query': '', 'status': 404, 'fault': None}]


def test_request_log_keeps_a_search_body_page_token_and_nothing_else_of_the_body(api, emu):
    # the smallest page is 10 items, so 12 clients make a second page
    emu.control('POST', 'seed', {'personalClients': [{'user': 'admin@example.com', 'displayName': 'paged %d' % i}
                                                     for i in range(12)]})
    emu.control('DELETE', 'requests')
    token = api.post(SEARCH, {'pageSize': 10}).json()['nextPageToken']
    assert token
    api.post(SEARCH, {'pageSize': 10, 'pageToken': token})
    log = emu.control('GET', 'requests')['requests']
    assert log == [{'method': 'POST', 'path': SEARCH, 'query': '', 'status': 200, 'fault': None},
                   {'method': 'POST', 'path': SEARCH, 'query': '', 'status': 200, 'fault': None, 'page_token': token}]


@pytest.mark.parametrize('fault', [{'kind': 'explode'}, {'count': 0}, {'count': 'two'}, {'path': '('}, {'kind': 'status', 'status': 42},
                                   {'kind': 'delay', 'seconds': -1}, [1], {'retry_after': {'x': 1}},
                                   {'kind': 'status', 'retry_after_date_in': 'soon'},
                                   {'kind': 'delay', 'count': 2, 'barrier': 3},
                                   {'kind': 'delay', 'hold': 'yes'}])
def test_bad_fault_documents_are_400(emu, fault):
    assert 'error' in emu.control('POST', 'faults', fault, expect=400)


def test_reset_restores_default_state(api, emu):
    created = api.create_client(displayName='temporary')['client']
    emu.control('POST', 'seed', {'generateRoles': {'count': 20}})
    emu.control('POST', 'faults', {'kind': 'status'})
    emu.control('POST', 'reset')
    assert emu.control('GET', 'faults')['faults'] == []
    api.get(PC + '/' + created['id'], expect=404)
    assert not [r for r in api.roles() if r['name'].startswith('custom:bulk-')]
    # the env-file credential and tokens issued to it stay valid
    api.get(ROLES)
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).status_code == 200


def test_reset_repairs_the_admin_credential(api, emu):
    state = emu.control('GET', 'state')
    admin_client = state['admin']['clientId']
    api.delete(PC + '/' + admin_client)
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).status_code == 401
    emu.control('POST', 'reset')
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).status_code == 200


def test_seed_control(api, emu):
    summary = emu.control('POST', 'seed', {
        'roles': [{'name': 'custom:seeded', 'displayName': 'Seeded', 'permissions': ['permission/c1.api.iam.v1.Roles.List']}],
        'users': [{'email': 'carol@example.com', 'roles': ['custom:seeded', 'system:user']}],
        'personalClients': [{'user': 'carol@example.com', 'displayName': 'carol ci', 'allowSourceCidr': ['127.0.0.1'],
                             'scopedRoles': ['custom:seeded']}],
    })
    client = summary['personalClients'][0]
    assert summary['users'][0]['email'] == 'carol@example.com'
    token = c1client.get_token(emu.url, client['clientId'], client['clientSecret'])
    api.get(ROLES, token=token)
    api.get(PC, token=token, expect=403)
    got = api.get(PC + '/' + client['id'], token=token, expect=403)
    assert got.json()['code'] == 7
    # invalid seeds are refused as a whole
    assert 'error' in emu.control('POST', 'seed', {'roles': [{'name': 'custom:partial'}], 'users': [{'email': 'x@example.com', 'roles': ['nope']}]},
                                  expect=400)
    assert 'custom:partial' not in [r['name'] for r in api.roles()]
    for bad in ({'users': [{'roles': []}]}, {'personalClients': [{'user': 'nobody@example.com'}]},
                {'personalClients': [{'user': 'carol@example.com', 'secret': 'nope'}]}, {'roles': 'x'}, {'generateRoles': {'count': -1}}):
        emu.control('POST', 'seed', bad, expect=400)


def test_credentials_control(api, emu):
    created = emu.control('POST', 'credentials', {'roles': ['system:user'], 'displayName': 'basic', 'allowSourceCidr': [],
                                                  'scopedRoles': [], 'expires': '3600s'})
    assert {'userId', 'clientId', 'clientSecret', 'id'} <= set(created)
    token = c1client.get_token(emu.url, created['clientId'], created['clientSecret'])
    client = api.get(PC + '/' + created['id'], token=token).json()['client']
    assert client['displayName'] == 'basic' and client['expiresTime'] is not None and client['userId'] == created['userId']
    again = emu.control('POST', 'credentials', {'user': created['userId'], 'displayName': 'second'})
    assert again['userId'] == created['userId']
    for bad in ({'roles': ['nope']}, {'expires': '1h'}, {'allowSourceCidr': ['10.0.0.1/8']}, {'user': 'nobody'}):
        emu.control('POST', 'credentials', bad, expect=400)


def test_state_control_never_shows_secrets(api, emu):
    created = api.create_client(displayName='secretive')
    raw = requests.get(emu.url + '/_emulator/state', timeout=30).text
    secret_jwk = created['clientSecret'].split(':', 3)[3]
    d = c1client.unb64url(secret_jwk).decode()
    assert created['clientSecret'] not in raw and emu.client_secret not in raw
    assert d.split('"d":"')[1].split('"')[0] not in raw
    assert api.token not in raw
    state = requests.get(emu.url + '/_emulator/state', timeout=30).json()
    assert {'users', 'roles', 'personalClients', 'tokens'} <= set(state)


def test_config_control(emu):
    config = emu.control('GET', 'config')
    assert config['builtinRoleUpdateError'] == 'failed_precondition' and config['tokenTtl'] == 600
    emu.control('POST', 'config', {'scopeMode': 'nope'}, expect=400)
    emu.control('POST', 'config', {'unknown': 1}, expect=400)
    assert emu.control('POST', 'config', {'tokenTtl': 30})['tokenTtl'] == 30
    assert c1client.token_response(emu.url, emu.client_id, emu.client_secret).json()['expires_in'] == 30
    emu.control('POST', 'config', {'tokenTtl': 600})


def test_strip_fault_answers_2xx_without_the_object_and_keeps_the_effect(api, emu):
    emu.control('POST', 'faults', {'kind': 'strip', 'fields': ['client'], 'method': 'POST',
                                   'path': '^/api/v1/iam/personal_clients$'})
    response = requests.post(api.url + PC, json={'displayName': 'hollow'}, headers={'Authorization': 'Bearer ' + api.token},
                             timeout=30)
    body = response.json()
    assert response.status_code == 200
    assert 'client' not in body and body['clientSecret']  # only the named field is gone
    names = [c['displayName'] for c in api.get(PC).json()['list']]
    assert names.count('hollow') == 1  # the create was carried out
    entry = emu.control('GET', 'requests')['requests'][-2]
    assert entry == {'method': 'POST', 'path': PC, 'query': '', 'status': 200, 'fault': 'strip'}


def test_strip_fault_without_fields_answers_an_empty_object_and_leaves_errors_alone(api, emu):
    emu.control('POST', 'faults', {'kind': 'strip', 'count': 2, 'path': '^/api/v1/iam/roles/'})
    role_id = api.get(ROLES).json()['list'][0]['id']
    assert requests.get(api.url + ROLES + '/' + role_id, headers={'Authorization': 'Bearer ' + api.token},
                        timeout=30).json() == {}
    missing = requests.get(api.url + ROLES + '/nope', headers={'Authorization': 'Bearer ' + api.token}, timeout=30)
    assert missing.status_code == 404 and missing.json()['code'] == 5  # an error answer is not stripped
    assert raw_get(api, ROLES + '/' + role_id).json()['role']['id'] == role_id  # count used up


@pytest.mark.parametrize('fields', [[], 'client', [''], [1]])
def test_strip_fault_refuses_bad_fields(emu, fields):
    answer = emu.control('POST', 'faults', {'kind': 'strip', 'fields': fields}, expect=400)
    assert 'fields must be' in answer['error']
    assert emu.control('GET', 'faults')['faults'] == []
