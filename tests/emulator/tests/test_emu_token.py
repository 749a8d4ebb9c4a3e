# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""POST /auth/v1/token: client assertions, client secrets, and every refusal."""

import datetime
import json
import time

import pytest
import requests

import c1client
from c1client import JWT_BEARER, assertion, token_response

AUD = '127.0.0.1'


def form_post(emu, form, **kwargs):
    return requests.post(emu.url + '/auth/v1/token', data=form, timeout=30, **kwargs)


def assertion_form(emu, client_id=None, secret=None, **claims):
    client_id = client_id or emu.client_id
    return {'grant_type': 'client_credentials', 'client_id': client_id, 'client_assertion_type': JWT_BEARER,
            'client_assertion': assertion(client_id, secret or emu.client_secret, AUD, **claims)}


def expect_oauth_error(response, status, error):
    assert response.status_code == status, response.text
    body = response.json()
    assert body['error'] == error, body
    assert isinstance(body.get('error_description'), str)
    assert response.headers.get('X-Request-Id')
    return body


def test_assertion_grants_bearer_token(emu):
    response = token_response(emu.url, emu.client_id, emu.client_secret)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {'access_token', 'token_type', 'expires_in'}
    assert body['token_type'] == 'Bearer' and body['expires_in'] == 600 and body['access_token']
    assert response.headers['Cache-Control'] == 'no-store'
    api = requests.get(emu.url + '/api/v1/auth/introspect', headers={'Authorization': 'Bearer ' + body['access_token']}, timeout=30)
    assert api.status_code == 200


def test_client_secret_post_grants_token(emu):
    response = token_response(emu.url, emu.client_id, emu.client_secret, mode='secret')
    assert response.status_code == 200, response.text
    assert response.json()['token_type'] == 'Bearer'


@pytest.mark.parametrize('where', ['header', 'claims', 'none'])
def test_nonce_in_header_or_claims_or_absent(emu, where):
    header = {'alg': 'EdDSA'}
    claims = {}
    if where == 'header':
        header.update({'nonce': 'abc', 'typ': 'JWT', 'kid': 'whatever'})
    elif where == 'claims':
        claims['nonce'] = 'abc'
    response = form_post(emu, assertion_form(emu, header=header, **claims))
    assert response.status_code == 200, response.text


def test_audience_may_be_a_list(emu):
    response = form_post(emu, assertion_form(emu, aud=['other.example.com', AUD]))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize('claims, fragment', [
    ({'aud': '127.0.0.1:%(port)s'}, 'aud'),
    ({'aud': 'acme.conductor.one'}, 'aud'),
    ({'aud': None}, 'aud'),
    ({'iss': 'someone-else@127.0.0.1/pcc'}, 'iss'),
    ({'sub': 'someone-else@127.0.0.1/pcc'}, 'sub'),
    ({'exp': -30}, 'expired'),
    ({'exp': 600}, '5 minutes'),
    ({'exp': None}, 'exp'),
    ({'exp': 'tomorrow'}, 'exp'),
    ({'nbf': 120}, 'nbf'),
    ({'iat': None}, 'iat'),
    ({'iat': 300}, 'iat'),
])
def test_bad_claims_are_invalid_client(emu, claims, fragment):
    now = int(time.time())
    port = emu.url.rsplit(':', 1)[1]
    fixed = {}
    for name, value in claims.items():
        if name in ('exp', 'nbf', 'iat') and isinstance(value, int):
            value = now + value
        if isinstance(value, str) and '%(port)s' in value:
            value = value % {'port': port}
        fixed[name] = value
    body = expect_oauth_error(form_post(emu, assertion_form(emu, now=now, **fixed)), 401, 'invalid_client')
    assert fragment in body['error_description']


def test_exp_at_the_five_minute_limit_is_accepted(emu):
    now = int(time.time())
    response = form_post(emu, assertion_form(emu, now=now, exp=now + 300))
    assert response.status_code == 200, response.text


def test_signature_must_match_stored_public_key(emu):
    other = c1client.random_secret()
    form = assertion_form(emu, secret=other)
    expect_oauth_error(form_post(emu, form), 401, 'invalid_client')
    # tampered payload, original signature
    good = assertion_form(emu)['client_assertion']
    head, _payload, sig = good.split('.')
    forged_claims = c1client.b64url(b'{"iss":"x"}')
    form = assertion_form(emu)
    form['client_assertion'] = '%s.%s.%s' % (head, forged_claims, sig)
    expect_oauth_error(form_post(emu, form), 401, 'invalid_client')


@pytest.mark.parametrize('alg', ['none', 'HS256', 'ES256', None])
def test_only_eddsa_is_accepted(emu, alg):
    header = {'typ': 'JWT'} if alg is None else {'alg': alg}
    body = expect_oauth_error(form_post(emu, assertion_form(emu, header=header)), 401, 'invalid_client')
    assert 'EdDSA' in body['error_description']


@pytest.mark.parametrize('garbage', ['', 'abc', 'a.b.c', 'e30.e30.', '!!!.???.***'])
def test_malformed_assertion(emu, garbage):
    form = assertion_form(emu)
    form['client_assertion'] = garbage
    expect_oauth_error(form_post(emu, form), 401, 'invalid_client')


def test_wrong_or_malformed_client_secret(emu):
    for secret in (c1client.random_secret(), 'hunter2', 'secret-token:conductorone.com:v2:abc',
                   'secret-token:conductorone.com:v1:!!!', c1client.make_secret({'kty': 'OKP', 'crv': 'Ed25519', 'x': 'AAAA'})):
        form = {'grant_type': 'client_credentials', 'client_id': emu.client_id, 'client_secret': secret}
        expect_oauth_error(form_post(emu, form), 401, 'invalid_client')


def test_client_secret_whose_x_disagrees_with_d_is_refused(emu):
    jwk = c1client.unb64url(emu.client_secret.split(':', 3)[3])
    parsed = json.loads(jwk)
    parsed['x'] = c1client.DOCS_SECRET_JWK['x']
    form = {'grant_type': 'client_credentials', 'client_id': emu.client_id, 'client_secret': c1client.make_secret(parsed)}
    expect_oauth_error(form_post(emu, form), 401, 'invalid_client')


def test_unknown_client(emu):
    client_id = 'blue-whale-12345@%s/pcc' % emu.url.split('//')[1]
    expect_oauth_error(form_post(emu, assertion_form(emu, client_id=client_id)), 401, 'invalid_client')


@pytest.mark.parametrize('form, status, error', [
    ({'client_id': 'x'}, 400, 'invalid_request'),
    ({'grant_type': 'password', 'client_id': 'x'}, 400, 'unsupported_grant_type'),
    ({'grant_type': 'urn:ietf:params:oauth:grant-type:device_code', 'client_id': 'x'}, 400, 'unsupported_grant_type'),
    ({'grant_type': 'client_credentials'}, 400, 'invalid_request'),
    ({'grant_type': 'client_credentials', 'client_id': 'x'}, 401, 'invalid_client'),
])
def test_malformed_requests(emu, form, status, error):
    expect_oauth_error(form_post(emu, form), status, error)


def test_wrong_assertion_type_and_both_methods(emu):
    form = assertion_form(emu)
    form['client_assertion_type'] = 'urn:something:else'
    expect_oauth_error(form_post(emu, form), 400, 'invalid_request')
    form = assertion_form(emu)
    form['client_secret'] = emu.client_secret
    expect_oauth_error(form_post(emu, form), 400, 'invalid_request')


def test_json_body_is_not_a_form(emu):
    response = requests.post(emu.url + '/auth/v1/token', json={'grant_type': 'client_credentials'}, timeout=30)
    expect_oauth_error(response, 400, 'invalid_request')


def test_token_endpoint_only_takes_post(emu):
    response = requests.get(emu.url + '/auth/v1/token', timeout=30)
    assert response.status_code == 405


def test_docs_example_secret_can_be_seeded_and_used(emu):
    created = emu.control('POST', 'seed', {'personalClients': [
        {'user': 'admin@example.com', 'id': 'strange-hydra-68836', 'displayName': 'docs example', 'secret': c1client.DOCS_SECRET}]})
    client_id = created['personalClients'][0]['clientId']
    assert client_id.startswith('strange-hydra-68836@127.0.0.1:')
    for mode in ('assertion', 'secret'):
        response = token_response(emu.url, client_id, c1client.DOCS_SECRET, mode=mode)
        assert response.status_code == 200, response.text
    state = emu.control('GET', 'state')
    assert c1client.DOCS_SECRET_JWK['d'] not in str(state)
    client = next(c for c in state['personalClients'] if c['id'] == 'strange-hydra-68836')
    assert client['publicKey'] == c1client.DOCS_SECRET_JWK['x']


def test_deleted_and_expired_clients_are_refused(api, emu):
    created = api.credentials(roles=['system:user'], displayName='soon deleted')
    api.delete('/api/v1/iam/personal_clients/' + created['id'], token=created['token'])
    expect_oauth_error(token_response(emu.url, created['clientId'], created['clientSecret']), 401, 'invalid_client')
    expect_oauth_error(token_response(emu.url, created['clientId'], created['clientSecret'], mode='secret'), 401, 'invalid_client')

    seeded = emu.control('POST', 'seed', {'personalClients': [
        {'user': 'admin@example.com', 'displayName': 'expired', 'expiresTime': '2020-01-01T00:00:00Z'}]})['personalClients'][0]
    body = expect_oauth_error(token_response(emu.url, seeded['clientId'], seeded['clientSecret']), 401, 'invalid_client')
    assert 'expired' in body['error_description']


def test_short_lived_client_expires(api, emu):
    # 3 s of life for the first exchange (1.5 s was a tight margin on a loaded machine), then wait until the
    # expiry the emulator stored has passed, rather than a fixed sleep
    created = emu.control('POST', 'credentials', {'roles': ['system:user'], 'expires': '3s'})
    assert token_response(emu.url, created['clientId'], created['clientSecret']).status_code == 200
    stored = next(c for c in emu.control('GET', 'state')['personalClients'] if c['id'] == created['id'])
    expires = datetime.datetime.fromisoformat(stored['expiresTime'].replace('Z', '+00:00')).timestamp()
    time.sleep(max(0.0, expires - time.time()) + 0.1)
    expect_oauth_error(token_response(emu.url, created['clientId'], created['clientSecret']), 401, 'invalid_client')
    assert api.get('/api/v1/iam/roles').status_code == 200


def test_source_cidr_is_enforced(emu):
    outside = emu.control('POST', 'credentials', {'roles': ['system:user'], 'allowSourceCidr': ['10.0.0.0/8']})
    body = expect_oauth_error(token_response(emu.url, outside['clientId'], outside['clientSecret']), 401, 'invalid_client')
    assert '127.0.0.1' in body['error_description']
    expect_oauth_error(token_response(emu.url, outside['clientId'], outside['clientSecret'], mode='secret'), 401, 'invalid_client')
    inside = emu.control('POST', 'credentials', {'roles': ['system:user'], 'allowSourceCidr': ['10.0.0.0/8', '127.0.0.0/8']})
    assert token_response(emu.url, inside['clientId'], inside['clientSecret']).status_code == 200
    single = emu.control('POST', 'credentials', {'roles': ['system:user'], 'allowSourceCidr': ['127.0.0.1', '2001:db8::/32']})
    assert token_response(emu.url, single['clientId'], single['clientSecret']).status_code == 200


def test_last_used_at_is_set_by_token_issue(api, emu):
    created = emu.control('POST', 'credentials', {'roles': ['system:user']})
    token = c1client.get_token(emu.url, created['clientId'], created['clientSecret'])
    client = api.get('/api/v1/iam/personal_clients/' + created['id'], token=token).json()['client']
    assert client['lastUsedAt'] is not None


# --- replay ------------------------------------------------------------------------------------------------------

def test_a_replayed_assertion_is_refused_within_its_lifetime(emu):
    form = assertion_form(emu)
    first = form_post(emu, form)
    assert first.status_code == 200, first.text
    body = expect_oauth_error(form_post(emu, form), 401, 'invalid_client')
    assert 'already been used' in body['error_description']
    # a fresh assertion for the same client still works: the replay check is per assertion, not per client
    assert form_post(emu, assertion_form(emu)).status_code == 200


def test_replay_is_caught_without_any_nonce(emu):
    form = assertion_form(emu, header={'alg': 'EdDSA'})
    assert form_post(emu, form).status_code == 200
    expect_oauth_error(form_post(emu, form), 401, 'invalid_client')
