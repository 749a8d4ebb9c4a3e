# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Routing, error shapes and request ids, in the manner of grpc-gateway."""

import pytest
import requests

from harness import check_error_shape


@pytest.mark.parametrize('path', ['/api/v1/nope', '/api/v1/iam/roles/a/b', '/', '/api/v2/iam/roles', '/auth/v1/tokens'])
def test_unknown_path_is_404_code_5(api, path):
    for token in (None, ''):
        response = api.get(path, token=token, expect=404)
        assert response.json()['code'] == 5


@pytest.mark.parametrize('method, path', [
    ('PUT', '/api/v1/iam/roles'), ('DELETE', '/api/v1/iam/roles'), ('POST', '/api/v1/iam/roles'),
    ('PATCH', '/api/v1/iam/personal_clients/blue-whale-12345'), ('GET', '/api/v1/search/iam/personal_clients'),
    ('DELETE', '/api/v1/iam/roles/2fCjgK8tYJxV9u8d1wupBMeXZ45'), ('POST', '/api/v1/auth/introspect'),
])
def test_wrong_method_is_501_code_12(api, method, path):
    response = api.call(method, path, expect=501)
    assert response.json()['code'] == 12
    assert response.json()['message'].startswith('Method Not Allowed')


def test_every_response_has_a_request_id(api, emu):
    seen = set()
    for response in (
        api.get('/api/v1/iam/roles'),
        api.get('/nope', expect=404),
        api.get('/api/v1/iam/roles', token='bad', expect=401),
        requests.post(emu.url + '/auth/v1/token', data={}, timeout=30),
        requests.get(emu.url + '/_emulator/state', timeout=30),
    ):
        request_id = response.headers['X-Request-Id']
        assert request_id not in seen
        seen.add(request_id)


def test_error_message_carries_the_request_id(api):
    response = api.get('/api/v1/iam/personal_clients/blue-whale-12345', expect=404)
    body = check_error_shape(response)
    assert body == {'code': 5, 'message': 'not found (request-id: %s)' % response.headers['X-Request-Id'], 'details': []}


def test_trailing_slash_redirects_to_collection(api):
    response = api.get('/api/v1/iam/roles/', allow_redirects=False, expect=301)
    assert response.headers['Location'] == '/api/v1/iam/roles'
    assert api.get('/api/v1/iam/roles/').json()['list']


def test_json_content_type_and_protojson_rendering(api):
    response = api.get('/api/v1/iam/personal_clients')
    assert response.headers['Content-Type'] == 'application/json'
    text = api.post('/api/v1/iam/personal_clients', {'displayName': 'x'}).text
    for fragment in ('"lastUsedAt": null', '"deletedAt": null', '"expiresTime": null', '"scopedRoles": []', '"allowSourceCidr": []'):
        assert fragment in text
    roles = api.get('/api/v1/iam/roles', params={'page_size': 100}).text
    assert '"nextPageToken": ""' in roles


def test_chunked_request_body(api):
    def gen():
        yield b'{"displayName":'
        yield b' "chunked"}'
    response = api.call('POST', '/api/v1/iam/personal_clients', data=gen(), headers={'Content-Type': 'application/json'})
    assert response.json()['client']['displayName'] == 'chunked'


def test_keep_alive_connection_is_reused(api):
    session = requests.Session()
    for _attempt in range(5):
        assert session.get(api.url + '/api/v1/iam/roles', headers={'Authorization': 'Bearer ' + api.token}, timeout=30).status_code == 200


def test_unknown_control_is_404(emu):
    response = requests.get(emu.url + '/_emulator/nope', timeout=30)
    assert response.status_code == 404 and 'error' in response.json()
