# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Seed documents (YAML or JSON): extra users, roles and personal clients.

Format (all keys optional)::

    users: [{id?, email, displayName?, roles: [role names or ids]}]
    roles: [{id?, name, displayName?, permissions?, serviceRoles?, systemBuiltin?, systemApiOnly?}]
    generateRoles: {count: 250, namePrefix: "custom:bulk-", displayNamePrefix: "Bulk role ", permissions?, serviceRoles?}
    personalClients: [{user: email-or-id, id?, displayName, secret?, allowSourceCidr?, scopedRoles?, expiresTime?,
                       createdAt?, lastUsedAt?}]
    workloadFederationTrusts: [{user: email-or-id, id?, displayName?, issuer?, audience?, conditions?: {claim: glob}}]

expiresTime, createdAt and lastUsedAt are RFC 3339 times or times relative to when the seed is applied:
``now``, ``now-200d``, ``now+30d`` (units s, m, h, d, w), so a seed file keeps describing old, stale and
fresh clients whenever it is loaded. createdAt must not be in the future, nor lastUsedAt before it.

Objects are upserted (roles by id, then name; users by id, then email; personal clients by id), in
the order roles, generateRoles, users, personalClients, workloadFederationTrusts.
"""

import datetime
import json
import os
import re

from . import federation, keys, validate
from .util import format_time, is_ksuid, now, now_str

_RELATIVE_TIME = re.compile(r'^now(?:([+-])(\d+)([smhdw]))?$')
_UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


class SeedError(ValueError):
    """A seed document that cannot be applied."""


def load_seed_file(path):
    """Parse a seed file: JSON, or YAML (PyYAML is imported only here)."""
    with open(path, encoding='utf-8') as stream:
        text = stream.read()
    if path.endswith('.json'):
        doc = json.loads(text)
    else:
        try:
            doc = json.loads(text)
        except ValueError:
            try:
                import yaml  # pylint: disable=import-outside-toplevel
            except ImportError as exc:
                raise SeedError('%s is not JSON and PyYAML is not installed to read it as YAML (pip install pyyaml, or give a JSON seed)' % path) from exc
            doc = yaml.safe_load(text)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise SeedError('%s: a seed document must be a mapping' % os.path.basename(path))
    return doc


def _list(doc, key):
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SeedError('%s must be a list of mappings' % key)
    return value


def _strings(item, key, what):
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeedError('%s: %s must be a list of strings' % (what, key))
    return list(value)


def _upsert_role(store, spec, summary):
    name = spec.get('name')
    if not isinstance(name, str) or not name:
        raise SeedError('roles: every role needs a name')
    role_id = spec.get('id')
    if role_id is not None and not is_ksuid(role_id):
        raise SeedError('roles: id %r is not a 27-character alphanumeric KSUID' % (role_id,))
    roles = store.data['roles']
    role = roles.get(role_id) if role_id else store.role_by_name(name)
    stamp = now_str()
    if role is None:
        role = {'id': role_id or store.new_role_id(name), 'createdAt': stamp, 'deletedAt': None}
        roles[role['id']] = role
    display = spec.get('displayName', role.get('displayName') or name)
    if not isinstance(display, str):
        raise SeedError('roles: displayName of %s must be a string' % name)
    role.update({
        'name': name,
        'displayName': display,
        'permissions': _strings(spec, 'permissions', name),
        'serviceRoles': _strings(spec, 'serviceRoles', name),
        'systemBuiltin': bool(spec.get('systemBuiltin', False)),
        'systemApiOnly': bool(spec.get('systemApiOnly', False)),
        'updatedAt': stamp,
    })
    summary['roles'].append({'id': role['id'], 'name': name})


def _generate_roles(store, spec, summary):
    if not isinstance(spec, dict):
        raise SeedError('generateRoles must be a mapping')
    count = spec.get('count', 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0 or count > 100000:
        raise SeedError('generateRoles.count must be an integer between 0 and 100000')
    name_prefix = spec.get('namePrefix', 'custom:bulk-')
    display_prefix = spec.get('displayNamePrefix', 'Bulk role ')
    width = len(str(count))
    for index in range(1, count + 1):
        number = str(index).zfill(width)
        _upsert_role(store, {
            'name': '%s%s' % (name_prefix, number),
            'displayName': '%s%s' % (display_prefix, number),
            'permissions': spec.get('permissions') or [],
            'serviceRoles': spec.get('serviceRoles') or [],
        }, summary)


def _upsert_user(store, spec, summary):
    email = spec.get('email')
    if not isinstance(email, str) or not email:
        raise SeedError('users: every user needs an email')
    try:
        role_ids = validate.role_ids(_strings(spec, 'roles', email), store.data['roles'], allow_names=True)
    except ValueError as exc:
        raise SeedError('users: %s: %s' % (email, exc)) from exc
    user_id = spec.get('id')
    if user_id is not None and (not isinstance(user_id, str) or not user_id):
        raise SeedError('users: id of %s must be a non-empty string' % email)
    user = store.data['users'].get(user_id) if user_id else store.find_user(email)
    if user is None:
        user = store.add_user(email, spec.get('displayName'), role_ids, user_id=user_id)
    else:
        user.update({'email': email, 'roleIds': role_ids, 'deletedAt': None})
        if spec.get('displayName'):
            user['displayName'] = spec['displayName']
    summary['users'].append({'id': user['id'], 'email': email})


def _seed_time(value, base):
    """A datetime from an RFC 3339 time or ``now[+-]<n><unit>`` relative to base; None for None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('times must be strings (RFC 3339, or now-30d / now+1h)')
    match = _RELATIVE_TIME.match(value.strip())
    if not match:
        return validate.timestamp(value)
    sign, count, unit = match.groups()
    offset = datetime.timedelta(seconds=int(count or 0) * _UNIT_SECONDS.get(unit, 0))
    return base - offset if sign == '-' else base + offset


def _client_times(spec, base):
    """(expiresTime, createdAt, lastUsedAt) of a seeded client, checked against each other."""
    expires, created, last_used = (_seed_time(spec.get(key), base) for key in ('expiresTime', 'createdAt', 'lastUsedAt'))
    if created is not None and created > base:
        raise ValueError('createdAt must not be in the future')
    if last_used is not None and (last_used > base or last_used < (created or base)):
        raise ValueError('lastUsedAt must lie between createdAt (default: now) and now; set createdAt too')
    return expires, created, last_used


def _upsert_client(store, spec, summary):
    user = store.find_user(spec.get('user'))
    if user is None:
        raise SeedError('personalClients: unknown user %r' % (spec.get('user'),))
    display = spec.get('displayName', '')
    if not isinstance(display, str):
        raise SeedError('personalClients: displayName must be a string')
    what = 'personalClients: %s' % (spec.get('id') or display)
    try:
        cidrs = validate.normalize_cidrs(_strings(spec, 'allowSourceCidr', what))
        scoped = validate.role_ids(_strings(spec, 'scopedRoles', what), store.data['roles'], allow_names=True)
        expires, created, last_used = _client_times(spec, now())
    except ValueError as exc:
        raise SeedError('%s: %s' % (what, exc)) from exc
    secret = spec.get('secret')
    if secret is None:
        secret, public_x = keys.mint_secret()
    else:
        try:
            public_x = keys.public_x_from_secret(secret)
        except keys.SecretError as exc:
            raise SeedError('%s: %s' % (what, exc)) from exc
    client_id = spec.get('id')
    if client_id is not None and (not isinstance(client_id, str) or not client_id or '/' in client_id or '@' in client_id):
        raise SeedError('%s: id must be a cutename such as blue-whale-12345' % what)
    if client_id in store.data['clients']:
        del store.data['clients'][client_id]
    client = store.add_client(user['id'], display, cidrs, scoped, expires, public_x, client_id=client_id)
    if created is not None:
        client['createdAt'] = client['updatedAt'] = format_time(created)
    client['lastUsedAt'] = format_time(last_used)
    summary['personalClients'].append({'id': client['id'], 'clientId': client['clientId'], 'userId': user['id'],
                                       'clientSecret': secret})


def apply_seed(store, doc):
    """Apply a seed document to store (caller holds store.lock); returns what was created/updated."""
    if not isinstance(doc, dict):
        raise SeedError('a seed document must be a mapping')
    summary = {'roles': [], 'users': [], 'personalClients': [], 'workloadFederationTrusts': []}
    for spec in _list(doc, 'roles'):
        _upsert_role(store, spec, summary)
    if doc.get('generateRoles') is not None:
        _generate_roles(store, doc['generateRoles'], summary)
    for spec in _list(doc, 'users'):
        _upsert_user(store, spec, summary)
    for spec in _list(doc, 'personalClients'):
        _upsert_client(store, spec, summary)
    for spec in _list(doc, 'workloadFederationTrusts'):
        try:
            trust = federation.seed_trust(store, spec, store.find_user)
        except federation.TrustError as exc:
            raise SeedError(str(exc)) from exc
        summary['workloadFederationTrusts'].append({'id': trust['id'], 'clientId': trust['clientId'], 'userId': trust['userId']})
    return summary
