# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""POST /auth/v1/token: OAuth2 client_credentials with a JWT-bearer assertion or a client_secret."""

import hashlib
import time
from urllib.parse import parse_qs

from . import federation, keys, validate
from .errors import OAuthError, check_token_times, invalid_client, invalid_request
from .util import now_str

JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
LEEWAY = 5
MAX_LIFETIME = 300


def host_without_port(host):
    host = (host or '').strip().lower()
    if host.startswith('['):
        return host[1:host.find(']')] if ']' in host else host[1:]
    if host.count(':') == 1:
        return host.split(':', 1)[0]
    return host


def parse_form(content_type, raw):
    if (content_type or '').split(';', 1)[0].strip().lower() != 'application/x-www-form-urlencoded':
        raise invalid_request('the token request must be application/x-www-form-urlencoded')
    try:
        form = parse_qs(raw.decode('utf-8'), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise invalid_request('the token request body is not UTF-8') from exc
    for name, values in form.items():
        if len(values) > 1:
            raise invalid_request('parameter %s is repeated' % name)
    return {name: values[0] for name, values in form.items()}


def refuse_replay(store, assertion, exp):
    """A client assertion is good for one token request: a repeat within its lifetime is refused.

    Keyed by a hash of the signed part (header and claims), so neither a nonce nor a jti is required, and
    the same signed content is one assertion whatever its signature encoding. Entries are dropped once the
    assertion has expired (exp + leeway); the caller holds store.lock.
    """
    seen = store.__dict__.setdefault('seen_assertions', {})
    current = time.time()
    for digest in [digest for digest, until in seen.items() if until < current]:
        del seen[digest]
    digest = hashlib.sha256(assertion.rsplit('.', 1)[0].encode('utf-8', 'replace')).hexdigest()
    if digest in seen:
        raise invalid_client('client_assertion has already been used (replay refused)')
    seen[digest] = exp + LEEWAY


def check_assertion(assertion, client, audience, store=None):
    """Verify signature and claims of a client assertion against a stored client; with ``store``, each
    assertion is accepted once (refuse_replay)."""
    try:
        _header, claims = keys.verify_jws(assertion, client['publicKey'])
    except keys.SecretError as exc:
        raise invalid_client(str(exc)) from exc
    if claims.get('iss') != client['clientId'] or claims.get('sub') != client['clientId']:
        raise invalid_client('client_assertion iss and sub must both equal the client_id')
    aud = claims.get('aud')
    audiences = aud if isinstance(aud, list) else [aud]
    if not any(isinstance(item, str) and item.lower() == audience for item in audiences):
        raise invalid_client('client_assertion aud must be %r (the host without port), got %r' % (audience, aud))
    exp = check_token_times(claims, 'client_assertion', invalid_client, LEEWAY, MAX_LIFETIME)
    if store is not None:
        refuse_replay(store, assertion, exp)


def issue(store, content_type, raw, host_header, source_ip):
    """Handle one token request; returns the 200 JSON body or raises OAuthError."""
    form = parse_form(content_type, raw)
    grant_type = form.get('grant_type')
    if not grant_type:
        raise invalid_request('grant_type is required')
    if grant_type == federation.GRANT_TYPE:
        return federation.exchange(store, form, host_header)
    if grant_type != 'client_credentials':
        raise OAuthError(400, 'unsupported_grant_type', 'grant_type %s is not supported' % grant_type)
    client_id = form.get('client_id')
    if not client_id:
        raise invalid_request('client_id is required')
    assertion = form.get('client_assertion')
    secret = form.get('client_secret')
    if assertion is not None and secret is not None:
        raise invalid_request('use either client_assertion or client_secret, not both')
    if assertion is not None and form.get('client_assertion_type') != JWT_BEARER:
        raise invalid_request('client_assertion_type must be %s' % JWT_BEARER)
    if assertion is None and secret is None:
        raise invalid_client('no client authentication: send client_assertion or client_secret')
    with store.lock:
        client = store.client_by_client_id(client_id)
        if client is None:
            raise invalid_client('unknown client')
        if assertion is not None:
            check_assertion(assertion, client, host_without_port(host_header), store)
        else:
            try:
                matches = keys.public_x_from_secret(secret) == client['publicKey']
            except keys.SecretError as exc:
                raise invalid_client(str(exc)) from exc
            if not matches:
                raise invalid_client('client_secret does not match')
        if store.client_expired(client):
            raise invalid_client('client credential has expired')
        if not validate.address_allowed(source_ip, client['allowSourceCidr']):
            raise invalid_client('source address %s is not allowed for this client' % source_ip)
        user = store.data['users'].get(client['userId'])
        if user is None or user.get('deletedAt') is not None:
            raise invalid_client('the owner of this client no longer exists')
        token, ttl = store.issue_token(client, host_header or store.tenant_host)
        client['lastUsedAt'] = now_str()
        store.save()
    return {'access_token': token, 'token_type': 'Bearer', 'expires_in': ttl}
