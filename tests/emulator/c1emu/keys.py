# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Client secrets (Ed25519 JWK in a secret-token: URI) and EdDSA JWS verification/signing."""

import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .util import b64url_decode, b64url_encode

SECRET_PREFIX = 'secret-token:conductorone.com:v1:'


class SecretError(ValueError):
    """A secret, key or JWS that cannot be used."""


def _raw_public(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def mint_secret():
    """Return (secret string, public key x as base64url)."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    x = b64url_encode(_raw_public(private.public_key()))
    jwk = {'kty': 'OKP', 'crv': 'Ed25519', 'x': x, 'd': b64url_encode(seed)}
    blob = b64url_encode(json.dumps(jwk, separators=(',', ':')).encode('utf-8'))
    return SECRET_PREFIX + blob, x


def public_x_from_secret(secret):
    """Parse a client secret the way the official clients do and return the public key x it holds.

    The private key d must derive the public key; if the JWK also carries x, it must agree.
    """
    if not isinstance(secret, str):
        raise SecretError('client secret must be a string')
    parts = secret.split(':', 3)
    if len(parts) != 4 or parts[0] != 'secret-token' or parts[1] != 'conductorone.com' or parts[2] != 'v1':
        raise SecretError('client secret is not a secret-token:conductorone.com:v1: value')
    if '=' in parts[3]:
        raise SecretError('client secret payload must be base64url without padding')
    try:
        jwk = json.loads(b64url_decode(parts[3]).decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SecretError('client secret payload is not a base64url JSON web key') from exc
    if not isinstance(jwk, dict) or jwk.get('kty') != 'OKP' or jwk.get('crv') != 'Ed25519':
        raise SecretError('client secret is not an Ed25519 OKP JSON web key')
    if not isinstance(jwk.get('d'), str):
        raise SecretError('client secret JSON web key is not a private key')
    try:
        seed = b64url_decode(jwk['d'])
        private = Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError as exc:
        raise SecretError('client secret private key is invalid') from exc
    x = b64url_encode(_raw_public(private.public_key()))
    if 'x' in jwk and jwk['x'] != x:
        raise SecretError('client secret public key does not match its private key')
    return x


def _decode_segment(segment, what):
    try:
        return b64url_decode(segment)
    except ValueError as exc:
        raise SecretError('client_assertion %s is not base64url' % what) from exc


def verify_jws(token, public_x):
    """Verify a compact EdDSA JWS with the stored public key; return (header, claims)."""
    if not isinstance(token, str) or token.count('.') != 2:
        raise SecretError('client_assertion is not a compact JWS')
    head_b64, body_b64, sig_b64 = token.split('.')
    try:
        header = json.loads(_decode_segment(head_b64, 'header').decode('utf-8'))
        claims = json.loads(_decode_segment(body_b64, 'payload').decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, SecretError):
            raise
        raise SecretError('client_assertion header or payload is not JSON') from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SecretError('client_assertion header and payload must be JSON objects')
    if header.get('alg') != 'EdDSA':
        raise SecretError('client_assertion alg must be EdDSA, got %r' % header.get('alg'))
    signature = _decode_segment(sig_b64, 'signature')
    try:
        public = Ed25519PublicKey.from_public_bytes(b64url_decode(public_x))
        public.verify(signature, ('%s.%s' % (head_b64, body_b64)).encode('ascii'))
    except (InvalidSignature, ValueError) as exc:
        raise SecretError('client_assertion signature is invalid') from exc
    return header, claims


class Signer:
    """Signs the emulator's own access tokens (EdDSA JWTs, opaque to clients)."""

    def __init__(self):
        self._key = Ed25519PrivateKey.generate()

    def sign(self, claims):
        header = b64url_encode(json.dumps({'alg': 'EdDSA', 'typ': 'JWT'}, separators=(',', ':')).encode('utf-8'))
        body = b64url_encode(json.dumps(claims, separators=(',', ':'), sort_keys=True).encode('utf-8'))
        signing_input = '%s.%s' % (header, body)
        return '%s.%s' % (signing_input, b64url_encode(self._key.sign(signing_input.encode('ascii'))))
