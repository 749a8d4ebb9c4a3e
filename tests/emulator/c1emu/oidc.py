# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""A test OIDC issuer: signs the JWTs a CI system would give its jobs, for workload federation tests.

Issuer ``<base URL>/_emulator/oidc``; discovery document and JWKS under it. The one Ed25519 key is made
per process (tokens do not outlive a restart). It signs for any ``iss`` a test asks for, so the emulator
stands in for every identity provider a trust can name (GitHub Actions, GitLab CI, ...).
"""

import json
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .util import b64url_decode, b64url_encode

PATH = '/_emulator/oidc'
DEFAULT_TTL = 300
DEFAULT_SUB = 'repo:example/infra:ref:refs/heads/main'


class TokenError(ValueError):
    """A subject token that cannot be verified."""


class Issuer:
    def __init__(self):
        self._key = Ed25519PrivateKey.generate()
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_x = b64url_encode(raw)
        self.kid = 'c1emu-' + self.public_x[:8]

    def jwks(self):
        return {'keys': [{'kty': 'OKP', 'crv': 'Ed25519', 'x': self.public_x, 'kid': self.kid, 'alg': 'EdDSA', 'use': 'sig'}]}

    def mint(self, issuer, audience, sub=DEFAULT_SUB, ttl=DEFAULT_TTL, claims=None):
        """A signed JWT; ``claims`` are applied last, so a test can set any claim (iss, nbf, exp...)."""
        now = int(time.time())
        body = {'iss': issuer, 'sub': sub, 'aud': audience, 'iat': now, 'nbf': now, 'exp': now + ttl,
                'jti': secrets.token_hex(12)}
        for name, value in (claims or {}).items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        header = {'alg': 'EdDSA', 'typ': 'JWT', 'kid': self.kid}
        signing_input = '.'.join(b64url_encode(json.dumps(part, separators=(',', ':')).encode('utf-8')) for part in (header, body))
        return signing_input + '.' + b64url_encode(self._key.sign(signing_input.encode('ascii')))

    def verify(self, token):
        """(header, claims) of a token this issuer signed; raises TokenError. Never echoes the token."""
        if not isinstance(token, str) or token.count('.') != 2:
            raise TokenError('subject_token is not a compact JWS (three base64url parts)')
        head, body, signature = token.split('.')
        try:
            header = json.loads(b64url_decode(head).decode('utf-8'))
            claims = json.loads(b64url_decode(body).decode('utf-8'))
            signature = b64url_decode(signature)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenError('subject_token header or payload is not base64url JSON') from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise TokenError('subject_token header and payload must be JSON objects')
        if header.get('alg') != 'EdDSA':
            raise TokenError('subject_token alg %r is not accepted (EdDSA)' % (header.get('alg'),))
        try:
            self._key.public_key().verify(signature, ('%s.%s' % (head, body)).encode('ascii'))
        except InvalidSignature as exc:
            raise TokenError('subject_token signature is invalid') from exc
        return header, claims


def issuer_url(store):
    return store.public_url + PATH


def discovery(store):
    issuer = issuer_url(store)
    return {
        'issuer': issuer,
        'jwks_uri': issuer + '/jwks',
        'token_endpoint': issuer + '/token',
        'response_types_supported': ['id_token'],
        'subject_types_supported': ['public'],
        'id_token_signing_alg_values_supported': ['EdDSA'],
        'claims_supported': ['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'],
    }


def _mint_request(store, body):
    """POST /_emulator/oidc/token {"sub", "aud", "ttl", "claims"} -> {"token"}; raises ValueError."""
    from . import federation  # pylint: disable=import-outside-toplevel

    body = body if body is not None else {}
    if not isinstance(body, dict):
        raise ValueError('expected a JSON object')
    sub = body.get('sub', DEFAULT_SUB)
    aud = body.get('aud', federation.default_audience(store))
    ttl = body.get('ttl', DEFAULT_TTL)
    claims = body.get('claims')
    claims = {} if claims is None else claims
    if not isinstance(sub, str):
        raise ValueError('sub must be a string')
    if not (isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(item, str) for item in aud))):
        raise ValueError('aud must be a string or a list of strings')
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise ValueError('ttl must be an integer number of seconds (negative: already expired)')
    if not isinstance(claims, dict):
        raise ValueError('claims must be an object')
    return {'token': store.oidc.mint(issuer_url(store), aud, sub=sub, ttl=ttl, claims=claims)}


def handle(store, method, path, body):
    """The issuer's control routes; (status, body) or None when the path is not one of them."""
    route = (method, path.rstrip('/'))
    if route == ('GET', PATH + '/.well-known/openid-configuration'):
        return 200, discovery(store)
    if route == ('GET', PATH + '/jwks'):
        return 200, store.oidc.jwks()
    if route == ('POST', PATH + '/token'):
        return 200, _mint_request(store, body)
    return None
