# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Workload federation: the test OIDC issuer, trusts, and the RFC 8693 exchange at /auth/v1/token.

The exchange requests are built here with plain ``requests`` and the issuer's signatures are checked with
``cryptography`` against the published JWKS, independently of the emulator's code.
"""

import base64
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from harness import Api

GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
GITHUB = 'https://token.actions.githubusercontent.com'


def unb64(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def wfe_id(emu):
    return emu.env['CONDUCTORONE_WFE_CLIENT_ID']


def oidc_token(emu, **body):
    return emu.control('POST', 'oidc/token', body)['token']


def exchange(emu, subject_token, client_id=None, **extra):
    form = {'grant_type': GRANT, 'subject_token': subject_token, 'subject_token_type': JWT_TYPE,
            'client_id': wfe_id(emu) if client_id is None else client_id}
    form.update(extra)
    return requests.post(emu.url + '/auth/v1/token', data={k: v for k, v in form.items() if v is not None}, timeout=30)


def refused(response, status, error, subject_token=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body['error'] == error and isinstance(body['error_description'], str), body
    if subject_token:
        # the answer never echoes the token, nor any of its parts
        assert all(part not in response.text for part in subject_token.split('.') if part)
    return body['error_description']


def introspect(emu, access_token):
    return requests.get(emu.url + '/api/v1/auth/introspect', headers={'Authorization': 'Bearer ' + access_token}, timeout=30)


def test_discovery_and_jwks_verify_the_issued_token(emu):
    issuer = emu.url + '/_emulator/oidc'
    config = requests.get(issuer + '/.well-known/openid-configuration', timeout=30).json()
    assert config['issuer'] == issuer and config['jwks_uri'] == issuer + '/jwks'
    assert config['id_token_signing_alg_values_supported'] == ['EdDSA']
    keys = requests.get(config['jwks_uri'], timeout=30).json()['keys']
    token = oidc_token(emu)
    head, body, signature = token.split('.')
    header, claims = json.loads(unb64(head)), json.loads(unb64(body))
    key = next(k for k in keys if k['kid'] == header['kid'])
    assert (header['alg'], key['kty'], key['crv']) == ('EdDSA', 'OKP', 'Ed25519')
    Ed25519PublicKey.from_public_bytes(unb64(key['x'])).verify(unb64(signature), ('%s.%s' % (head, body)).encode())
    assert claims['iss'] == issuer and claims['aud'] == emu.url and claims['sub']
    assert claims['exp'] - claims['iat'] == 300 and claims['nbf'] <= time.time() and claims['jti']


def test_issuer_takes_sub_aud_ttl_and_claims(emu):
    token = oidc_token(emu, sub='project_path:acme/infra', aud=['a', 'b'], ttl=60, claims={'ref': 'main', 'jti': None})
    claims = json.loads(unb64(token.split('.')[1]))
    assert (claims['sub'], claims['aud'], claims['ref'], claims['exp'] - claims['iat']) == ('project_path:acme/infra', ['a', 'b'], 'main', 60)
    assert 'jti' not in claims


@pytest.mark.parametrize('body', [{'ttl': '60'}, {'ttl': True}, {'aud': 3}, {'sub': ['x']}, {'claims': []}, []])
def test_issuer_refuses_bad_requests(emu, body):
    assert 'error' in emu.control('POST', 'oidc/token', body, expect=400)


def test_exchange_gives_an_access_token_acting_as_the_admin(emu):
    response = exchange(emu, oidc_token(emu))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {'access_token', 'token_type', 'expires_in', 'issued_token_type'}
    assert body['token_type'] == 'Bearer' and body['expires_in'] == 600
    assert body['issued_token_type'] == 'urn:ietf:params:oauth:token-type:access_token'
    assert response.headers['Cache-Control'] == 'no-store'
    admin = introspect(emu, emu.admin_token()).json()
    me = introspect(emu, body['access_token'])
    assert me.status_code == 200 and me.json()['userId'] == admin['userId']
    # and it manages personal clients and roles like the admin's own key
    api = Api(emu, token=body['access_token'])
    created = api.create_client(displayName='made through federation')['client']
    assert created['userId'] == admin['userId'] and created['clientId'].endswith('/pcc')
    assert len(api.roles()) > 5
    log = emu.control('GET', 'requests')['requests']
    assert {'method': 'POST', 'path': '/auth/v1/token', 'query': '', 'status': 200, 'fault': None} in log


@pytest.mark.parametrize('body, fragment', [
    ({'ttl': -60}, 'expired'),
    ({'claims': {'nbf': int(time.time()) + 3600}}, 'not valid yet'),
    ({'claims': {'iat': int(time.time()) + 3600}}, 'iat'),
    ({'claims': {'exp': None}}, 'exp'),
    ({'claims': {'exp': 'later'}}, 'exp'),
    ({'claims': {'iss': 'https://evil.example'}}, 'issuer'),
    ({'aud': 'https://someone-else.example'}, 'audience'),
    ({'aud': ['x', 'y']}, 'audience'),
])
def test_exchange_refuses_bad_claims(emu, body, fragment):
    token = oidc_token(emu, **body)
    assert fragment in refused(exchange(emu, token), 400, 'invalid_request', token)


def test_exchange_refuses_a_bad_signature(emu):
    token = oidc_token(emu)
    head, body, signature = token.split('.')
    claims = json.loads(unb64(body))
    claims['sub'] = 'repo:attacker/repo:ref:refs/heads/main'
    tampered = '%s.%s.%s' % (head, b64(json.dumps(claims).encode()), signature)
    assert 'signature' in refused(exchange(emu, tampered), 400, 'invalid_request', tampered)
    # signed by another key, with the emulator's kid
    other = Ed25519PrivateKey.generate()
    signing_input = '%s.%s' % (head, body)
    forged = signing_input + '.' + b64(other.sign(signing_input.encode()))
    assert 'signature' in refused(exchange(emu, forged), 400, 'invalid_request', forged)
    unsigned = b64(json.dumps({'alg': 'none'}).encode()) + '.' + body + '.'
    assert 'alg' in refused(exchange(emu, unsigned), 400, 'invalid_request', unsigned)
    assert 'compact' in refused(exchange(emu, 'not-a-jwt'), 400, 'invalid_request')


def test_exchange_refuses_a_replayed_subject_token(emu):
    token = oidc_token(emu)
    assert exchange(emu, token).status_code == 200
    assert 'already exchanged' in refused(exchange(emu, token), 400, 'invalid_request', token)
    # without a jti the whole token is the key
    plain = oidc_token(emu, claims={'jti': None})
    assert exchange(emu, plain).status_code == 200
    assert 'already exchanged' in refused(exchange(emu, plain), 400, 'invalid_request', plain)


def test_replay_refusal_can_be_switched_off(emu):
    emu.control('POST', 'config', {'refuseReplayedSubjectTokens': False})
    token = oidc_token(emu)
    assert exchange(emu, token).status_code == 200
    assert exchange(emu, token).status_code == 200
    emu.control('POST', 'config', {'refuseReplayedSubjectTokens': 'no'}, expect=400)


def test_a_refused_exchange_does_not_use_up_the_token(emu):
    token = oidc_token(emu)
    refused(exchange(emu, token, client_id=wfe_id(emu).replace('/wfe', '/pcc')), 401, 'invalid_client', token)
    assert exchange(emu, token).status_code == 200


def test_exchange_needs_a_wfe_client_id(emu):
    token = oidc_token(emu)
    assert '/pcc' in refused(exchange(emu, token, client_id=emu.client_id), 401, 'invalid_client', token)
    assert 'unknown' in refused(exchange(emu, token, client_id='no-such-trust-12345@127.0.0.1/wfe'), 401, 'invalid_client', token)


@pytest.mark.parametrize('changes, fragment', [
    ({'subject_token_type': 'urn:ietf:params:oauth:token-type:access_token'}, 'subject_token_type'),
    ({'subject_token_type': None}, 'subject_token_type'),
    ({'subject_token': None}, 'subject_token'),
    ({'client_id': ''}, 'client_id'),
    ({'client_secret': 'x'}, 'client_secret'),
    ({'actor_token': 'x'}, 'actor_token'),
])
def test_exchange_refuses_malformed_requests(emu, changes, fragment):
    changes = dict(changes)
    subject_token = changes.pop('subject_token') if 'subject_token' in changes else oidc_token(emu)
    assert fragment in refused(exchange(emu, subject_token, **changes), 400, 'invalid_request')


def test_seeded_trust_with_conditions_acts_as_its_user(emu):
    seeded = emu.control('POST', 'seed', {
        'users': [{'email': 'ci@example.com', 'roles': ['system:user']}],
        'workloadFederationTrusts': [{
            'user': 'ci@example.com', 'displayName': 'infra main', 'issuer': GITHUB, 'audience': 'https://github.com/acme',
            'conditions': {'sub': 'repo:acme/infra:ref:refs/heads/*', 'repository_owner': 'acme'}}],
    })
    trust = seeded['workloadFederationTrusts'][0]
    assert trust['clientId'].endswith('/wfe') and trust['userId'] == seeded['users'][0]['id']

    def github(sub='repo:acme/infra:ref:refs/heads/main', **claims):
        claims.setdefault('iss', GITHUB)
        claims.setdefault('repository_owner', 'acme')
        return oidc_token(emu, sub=sub, aud='https://github.com/acme', claims=claims)

    response = exchange(emu, github(), client_id=trust['clientId'])
    assert response.status_code == 200, response.text
    access = response.json()['access_token']
    assert introspect(emu, access).json()['userId'] == trust['userId']
    api = Api(emu, token=access)
    viewer = api.role_id('system:viewer')
    api.post('/api/v1/iam/roles/%s' % viewer, {'role': {'displayName': 'x'}, 'updateMask': 'displayName'}, expect=403)

    for token, fragment in [
            (github(sub='repo:acme/infra:pull_request'), 'claim sub'),
            (github(repository_owner='mallory'), 'claim repository_owner'),
            (github(repository_owner=None), 'claim repository_owner'),
            (github(iss=emu.url + '/_emulator/oidc'), 'issuer'),
            (oidc_token(emu, sub='repo:acme/infra:ref:refs/heads/main', claims={'iss': GITHUB, 'repository_owner': 'acme'}), 'audience')]:
        assert fragment in refused(exchange(emu, token, client_id=trust['clientId']), 400, 'invalid_request', token)
    # the default trust does not accept this trust's tokens either
    token = github()
    refused(exchange(emu, token), 400, 'invalid_request', token)


@pytest.mark.parametrize('trust', [{'user': 'nobody@example.com'}, {'user': 'admin@example.com', 'conditions': {'sub': 3}},
                                   {'user': 'admin@example.com', 'issuer': 1}, {'user': 'admin@example.com', 'id': 'a/b'}])
def test_invalid_trust_seed_is_refused(emu, trust):
    emu.control('POST', 'seed', {'workloadFederationTrusts': [trust]}, expect=400)


def test_deleting_the_trust_user_stops_exchanges_and_tokens(emu):
    seeded = emu.control('POST', 'seed', {'users': [{'email': 'gone@example.com', 'roles': ['system:user']}],
                                          'workloadFederationTrusts': [{'user': 'gone@example.com', 'id': 'brave-otter-11111'}]})
    client_id = seeded['workloadFederationTrusts'][0]['clientId']
    access = exchange(emu, oidc_token(emu), client_id=client_id).json()['access_token']
    assert introspect(emu, access).status_code == 200
    state = emu.control('GET', 'state')
    assert any(t['id'] == 'brave-otter-11111' for t in state['workloadFederationTrusts'])
    emu.control('POST', 'seed', {'workloadFederationTrusts': []})
    emu.control('POST', 'reset')  # seeded trusts are gone after a reset: their tokens and exchanges too
    assert introspect(emu, access).status_code == 401
    refused(exchange(emu, oidc_token(emu), client_id=client_id), 401, 'invalid_client')


def test_reset_keeps_the_default_trust_and_its_tokens(emu):
    before = wfe_id(emu)
    access = exchange(emu, oidc_token(emu)).json()['access_token']
    emu.control('POST', 'reset')
    assert introspect(emu, access).status_code == 200
    assert exchange(emu, oidc_token(emu), client_id=before).status_code == 200


def test_default_trust_survives_a_restart_with_state(spawn, tmp_path):
    state = tmp_path / 'state.json'
    first = spawn('--state', str(state))
    trust_id = wfe_id(first).split('@')[0]
    first.stop()
    second = spawn('--state', str(state))
    assert wfe_id(second).split('@')[0] == trust_id
    assert exchange(second, oidc_token(second)).status_code == 200
