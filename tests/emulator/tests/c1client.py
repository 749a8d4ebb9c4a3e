# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""A minimal ConductorOne client for the emulator tests, written from API-NOTES section 7.

Deliberately independent of the emulator's code, so the tests check the wire behaviour.
"""

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for the shared support package
# the docs' example secret (d derives x), base64url and the secret format: shared with the unit tests
from support.secrets import DOCS_SECRET_JWK, b64url, make_secret  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from support.secrets import b64url_decode as unb64url  # noqa: E402  pylint: disable=wrong-import-position

JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

DOCS_SECRET = make_secret(DOCS_SECRET_JWK)


def private_key(secret):
    parts = secret.split(':', 3)
    jwk = json.loads(unb64url(parts[3]))
    return Ed25519PrivateKey.from_private_bytes(unb64url(jwk['d']))


def random_secret():
    key = Ed25519PrivateKey.generate()
    d = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    x = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return make_secret({'kty': 'OKP', 'crv': 'Ed25519', 'x': b64url(x), 'd': b64url(d)})


def sign(header, claims, key):
    signing_input = '%s.%s' % (b64url(json.dumps(header).encode('utf-8')), b64url(json.dumps(claims).encode('utf-8')))
    return '%s.%s' % (signing_input, b64url(key.sign(signing_input.encode('ascii'))))


def assertion(client_id, secret, host, now=None, header=None, **claims):
    """A client assertion like the Go clients build; keyword claims override (None removes)."""
    now = int(now if now is not None else time.time())
    body = {'iss': client_id, 'sub': client_id, 'aud': host, 'iat': now, 'nbf': now - 120, 'exp': now + 120}
    for name, value in claims.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    head = {'alg': 'EdDSA', 'nonce': b64url(os.urandom(16))} if header is None else header
    return sign(head, body, private_key(secret))


def audience(url):
    return urlsplit(url).hostname


def token_response(url, client_id, secret, mode='assertion', verify=True, **claims):
    if mode == 'assertion':
        form = {'grant_type': 'client_credentials', 'client_id': client_id, 'client_assertion_type': JWT_BEARER,
                'client_assertion': assertion(client_id, secret, audience(url), **claims)}
    else:
        form = {'grant_type': 'client_credentials', 'client_id': client_id, 'client_secret': secret}
    return requests.post(url + '/auth/v1/token', data=form, timeout=30, verify=verify)


def get_token(url, client_id, secret, mode='assertion', verify=True):
    response = token_response(url, client_id, secret, mode=mode, verify=verify)
    if response.status_code != 200:
        raise AssertionError('token request failed: %s %s' % (response.status_code, response.text))
    return response.json()['access_token']
