# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test controls under /_emulator/ (no auth, JSON in and out)."""

import copy
import json

from . import defaults, keys, oidc, seed as seeding, validate
from .faults import FaultError
from .store import DEFAULT_CONFIG
from .util import ksuid, now

CONFIG_CHOICES = {
    'builtinRoleUpdateError': ('failed_precondition', 'permission_denied'),
    'scopeMode': ('intersect_permissions', 'held_roles'),
}


class ControlError(ValueError):
    """A bad control request (400 with {"error": message})."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _json(raw, default):
    if not raw or not raw.strip():
        return default
    try:
        return json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ControlError('body is not JSON: %s' % exc) from exc


def _faults_post(app, body):
    specs = body.get('faults') if isinstance(body, dict) and 'faults' in body else body
    if isinstance(specs, dict):
        specs = [specs]
    if not isinstance(specs, list):
        raise ControlError('expected a fault object, a list of them, or {"faults": [...]}')
    try:
        return {'faults': app.faults.add(specs)}
    except FaultError as exc:
        raise ControlError(str(exc)) from exc


def _seed(app, body):
    if not isinstance(body, dict):
        raise ControlError('a seed document must be a JSON object')
    store = app.store
    with store.lock:
        backup = copy.deepcopy(store.data)
        try:
            summary = seeding.apply_seed(store, body)
        except seeding.SeedError as exc:
            store.data = backup
            raise ControlError(str(exc)) from exc
        store.save()
    return summary


def _reset(app, body):
    startup = True
    if isinstance(body, dict) and body.get('startupSeed') is False:
        startup = False
    app.store.reset(startup_seed=startup)
    app.faults.clear()
    app.faults.clear_requests()
    return {'reset': True}


def _strings(body, key, default):
    value = body.get(key, default)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ControlError('%s must be a list of strings' % key)
    return value


def _credentials(app, body):
    """Create (or reuse) a user holding the given roles plus a personal client for it."""
    if not isinstance(body, dict):
        raise ControlError('expected a JSON object')
    store = app.store
    with store.lock:
        roles = store.data['roles']
        try:
            role_ids = validate.role_ids(_strings(body, 'roles', [defaults.BASIC]), roles, allow_names=True)
            scoped = validate.role_ids(_strings(body, 'scopedRoles', []), roles, allow_names=True)
            cidrs = validate.normalize_cidrs(_strings(body, 'allowSourceCidr', []))
            expires_at = None
            if body.get('expires') is not None:
                expires_at = now() + validate.positive_duration(body['expires'])
            if body.get('expiresTime') is not None:
                expires_at = validate.timestamp(body['expiresTime'])
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        display = body.get('displayName', 'emulator credential')
        if not isinstance(display, str):
            raise ControlError('displayName must be a string')
        user = store.find_user(body['user']) if body.get('user') else None
        if body.get('user') and user is None:
            raise ControlError('unknown user %r' % body['user'])
        if user is None:
            email = body.get('email') or 'user-%s@example.com' % ksuid().lower()[-10:]
            user = store.find_user(email) or store.add_user(email, body.get('userDisplayName') or email, [], user_id=ksuid())
            user['roleIds'] = role_ids
        elif 'roles' in body:
            user['roleIds'] = role_ids
        secret, public_x = keys.mint_secret()
        client = store.add_client(user['id'], display, cidrs, scoped, expires_at, public_x)
        store.save()
        return {'userId': user['id'], 'clientId': client['clientId'], 'clientSecret': secret, 'id': client['id'],
                'email': user['email']}


def _config(app, body):
    store = app.store
    with store.lock:
        if body is not None:
            if not isinstance(body, dict):
                raise ControlError('expected a JSON object')
            for key, value in body.items():
                if key == 'tokenTtl':
                    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                        raise ControlError('tokenTtl must be a positive integer')
                    store.token_ttl = value
                    continue
                if key not in DEFAULT_CONFIG:
                    raise ControlError('unknown config key %r' % key)
                if key in CONFIG_CHOICES and value not in CONFIG_CHOICES[key]:
                    raise ControlError('%s must be one of %s' % (key, ', '.join(CONFIG_CHOICES[key])))
                if key in ('superAdminManagesAllClients', 'refuseReplayedSubjectTokens') and not isinstance(value, bool):
                    raise ControlError('%s must be a boolean' % key)
                if key == 'maxExpiresSeconds' and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                    raise ControlError('%s must be a number or null' % key)
                store.config[key] = value
            store.save()
        out = dict(store.config)
        out['tokenTtl'] = store.token_ttl
        return out


def handle(app, method, path, raw):
    """Dispatch a control call; returns (status, JSON-able body)."""
    route = (method, path.rstrip('/'))
    body = _json(raw, None)
    if route == ('POST', '/_emulator/faults'):
        return 200, _faults_post(app, body)
    if route == ('GET', '/_emulator/faults'):
        return 200, {'faults': app.faults.pending(), 'held': app.faults.held()}
    if route == ('POST', '/_emulator/release'):
        return 200, {'released': app.faults.release()}
    if route == ('DELETE', '/_emulator/faults'):
        return 200, {'cleared': app.faults.clear(), 'faults': []}
    if route == ('GET', '/_emulator/requests'):
        return 200, {'requests': app.faults.requests()}
    if route == ('DELETE', '/_emulator/requests'):
        return 200, {'cleared': app.faults.clear_requests(), 'requests': []}
    if route == ('POST', '/_emulator/seed'):
        return 200, _seed(app, body if body is not None else {})
    if route == ('POST', '/_emulator/reset'):
        return 200, _reset(app, body)
    if route == ('POST', '/_emulator/credentials'):
        return 200, _credentials(app, body if body is not None else {})
    if route == ('POST', '/_emulator/revoke_tokens'):
        with app.store.lock:
            count = app.store.revoke_tokens()
            app.store.save()
        return 200, {'revoked': count}
    if route == ('GET', '/_emulator/state'):
        with app.store.lock:
            return 200, app.store.snapshot()
    if route in (('GET', '/_emulator/config'), ('POST', '/_emulator/config')):
        return 200, _config(app, body if method == 'POST' else None)
    if path.startswith(oidc.PATH + '/'):
        try:
            answer = oidc.handle(app.store, method, path, body)
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        if answer is not None:
            return answer
    if route == ('GET', '/_emulator/health'):
        return 200, {'ok': True, 'url': app.url}
    raise ControlError('no control %s %s' % (method, path), status=404)
