# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Workload federation: trusts, and the RFC 8693 token exchange at /auth/v1/token.

A trust has a client id ``<cutename>@<host>/wfe``, the issuer and audience its OIDC tokens must carry,
``conditions`` (claim name -> glob that the claim must match, all of them) and the user it acts as. The
exchange is strict: signature, issuer, audience, exp/nbf/iat, conditions, and each subject token is
accepted once (``refuseReplayedSubjectTokens`` in config; whether the real service refuses replays is
not documented, so the stricter choice is the default).
"""

import fnmatch
import hashlib
import json
import time

from . import oidc
from .errors import check_token_times, invalid_client, invalid_request
from .util import now_str

GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange'
JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
DEFAULT_TRUST_NAME = 'emulator-federation'
LEEWAY = 5


class TrustError(ValueError):
    """A trust declaration that cannot be applied."""


def default_audience(store):
    """The audience the default trust expects (and the test issuer puts in tokens by default)."""
    return store.public_url


def _trusts(store):
    return store.data.setdefault('trusts', {})


def add_trust(store, user_id, display_name='', issuer=None, audience=None, conditions=None, trust_id=None):
    """Create or replace a trust; issuer/audience None mean the emulator's issuer and default audience."""
    name = trust_id or store.new_cutename()
    trust = {
        'id': name,
        'clientId': '%s@%s/wfe' % (name, store.tenant_host),
        'displayName': display_name,
        'issuer': issuer,
        'audience': audience,
        'conditions': dict(conditions or {}),
        'userId': user_id,
        'createdAt': now_str(),
        'deletedAt': None,
    }
    _trusts(store)[name] = trust
    return trust


def ensure_default(store, admin_user_id):
    """The trust of the env file's CONDUCTORONE_WFE_CLIENT_ID: emulator issuer, default audience, any subject."""
    trusts = _trusts(store)
    trust = trusts.get(store.data['admin'].get('trustId') or '')
    if trust is None:
        trust = add_trust(store, admin_user_id, DEFAULT_TRUST_NAME)
        store.data['admin']['trustId'] = trust['id']
    # the env-file trust always works: undo anything a test did to it
    trust.update({'clientId': '%s@%s/wfe' % (trust['id'], store.tenant_host), 'issuer': None, 'audience': None,
                  'conditions': {}, 'userId': admin_user_id, 'deletedAt': None})
    return trust


def seed_trust(store, spec, find_user):
    """Apply one ``workloadFederationTrusts`` entry of a seed document; returns the trust."""
    user = find_user(spec.get('user'))
    if user is None:
        raise TrustError('workloadFederationTrusts: unknown user %r' % (spec.get('user'),))
    trust_id = spec.get('id')
    if trust_id is not None and (not isinstance(trust_id, str) or not trust_id or '/' in trust_id or '@' in trust_id):
        raise TrustError('workloadFederationTrusts: id must be a cutename such as clever-fox-42195')
    for key in ('issuer', 'audience', 'displayName'):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise TrustError('workloadFederationTrusts: %s must be a string' % key)
    conditions = spec.get('conditions') or {}
    if not isinstance(conditions, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in conditions.items()):
        raise TrustError('workloadFederationTrusts: conditions must map claim names to glob strings')
    return add_trust(store, user['id'], spec.get('displayName', ''), spec.get('issuer'), spec.get('audience'),
                     conditions, trust_id)


def trust_by_client_id(store, client_id):
    for trust in _trusts(store).values():
        if trust['clientId'] == client_id and trust['deletedAt'] is None:
            return trust
    return None


def _claim_text(value):
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def check_subject_token(store, trust, token):
    """Verify an OIDC token against a trust; returns its claims or raises OAuthError (RFC 8693: invalid_request)."""
    try:
        _header, claims = store.oidc.verify(token)
    except oidc.TokenError as exc:
        raise invalid_request(str(exc)) from exc
    issuer = trust['issuer'] or oidc.issuer_url(store)
    if claims.get('iss') != issuer:
        raise invalid_request('subject_token issuer %r is not the issuer of this trust' % (claims.get('iss'),))
    audience = trust['audience'] or default_audience(store)
    aud = claims.get('aud')
    if audience not in (aud if isinstance(aud, list) else [aud]):
        raise invalid_request('subject_token audience %r does not include %r' % (aud, audience))
    check_token_times(claims, 'subject_token', invalid_request, LEEWAY)
    for name, pattern in sorted(trust['conditions'].items()):
        if name not in claims or not fnmatch.fnmatchcase(_claim_text(claims[name]), pattern):
            raise invalid_request('subject_token claim %s does not meet the condition of this trust' % name)
    return claims


def _replay_key(claims, token):
    if isinstance(claims.get('jti'), str) and claims['jti']:
        return 'jti:' + hashlib.sha256(('%s\0%s' % (claims.get('iss'), claims['jti'])).encode('utf-8')).hexdigest()
    return 'sha:' + hashlib.sha256(token.encode('utf-8')).hexdigest()


def _refuse_replay(store, claims, token):
    """Record the subject token as used (until it expires); a second use is refused."""
    used = store.data.setdefault('usedSubjectTokens', {})
    current = time.time()
    for key in [key for key, exp in used.items() if exp <= current - LEEWAY]:
        del used[key]
    key = _replay_key(claims, token)
    if store.config.get('refuseReplayedSubjectTokens', True) and key in used:
        raise invalid_request('subject_token was already exchanged; each OIDC token is accepted once (replay refused)')
    used[key] = claims['exp']


def exchange(store, form, host_header):
    """grant_type=token-exchange; returns the 200 JSON body or raises OAuthError."""
    for name in ('client_id', 'subject_token', 'subject_token_type'):
        if not form.get(name):
            raise invalid_request('%s is required for a token exchange' % name)
    if form['subject_token_type'] != JWT_TOKEN_TYPE:
        raise invalid_request('subject_token_type must be %s' % JWT_TOKEN_TYPE)
    for name in ('client_secret', 'client_assertion', 'actor_token'):
        if name in form:
            raise invalid_request('%s is not accepted in a token exchange' % name)
    client_id = form['client_id']
    use_case = client_id.rsplit('/', 1)[-1] if '/' in client_id else ''
    if use_case != 'wfe':
        raise invalid_client('client_id must be a workload federation trust (<name>@<host>/wfe), not a /%s client'
                             % use_case if use_case else 'client_id must be a workload federation trust (<name>@<host>/wfe)')
    with store.lock:
        trust = trust_by_client_id(store, client_id)
        if trust is None:
            raise invalid_client('unknown workload federation trust')
        claims = check_subject_token(store, trust, form['subject_token'])
        user = store.data['users'].get(trust['userId'])
        if user is None or user.get('deletedAt') is not None:
            raise invalid_client('the user this trust acts as no longer exists')
        _refuse_replay(store, claims, form['subject_token'])
        token, ttl = store.issue_token(trust, host_header or store.tenant_host, kind='trust')
        store.save()
    return {'access_token': token, 'token_type': 'Bearer', 'expires_in': ttl, 'issued_token_type': ACCESS_TOKEN_TYPE}


def caller_client(store, trust_id):
    """What api.authenticate needs of the credential behind a token, for a trust: no scope, no CIDRs."""
    from .api import unauthenticated  # pylint: disable=import-outside-toplevel

    trust = _trusts(store).get(trust_id)
    if trust is None or trust['deletedAt'] is not None:
        raise unauthenticated('the workload federation trust of this token was deleted')
    return {'id': trust['id'], 'clientId': trust['clientId'], 'userId': trust['userId'], 'scopedRoles': [],
            'allowSourceCidr': [], 'expiresTime': None, 'deletedAt': None}
