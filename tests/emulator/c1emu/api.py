# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The IAM operations: bearer authentication, permissions, personal clients, roles, introspect.

Each operation takes (store, caller, params, body) with store.lock held by the caller of
dispatch(); params holds path parameters and query values.
"""

from . import defaults, federation, keys, proto, validate
from .errors import ApiError, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, invalid, not_found
from .util import format_time, now, now_str

PC_WRITABLE = ('displayName', 'allowSourceCidr', 'scopedRoles', 'expiresTime')
PC_READONLY = ('id', 'clientId', 'userId', 'createdAt', 'updatedAt', 'lastUsedAt', 'deletedAt')
ROLE_WRITABLE = ('displayName', 'permissions', 'serviceRoles')
ROLE_READONLY = ('id', 'name', 'systemBuiltin', 'systemApiOnly', 'createdAt', 'updatedAt', 'deletedAt')


class Caller:
    """The authenticated principal of one API request."""

    def __init__(self, user, client, permissions, service_roles):
        self.user = user
        self.client = client
        self.permissions = permissions
        self.service_roles = service_roles

    def is_super_admin(self, store):
        owner = store.role_by_name(defaults.OWNER)
        if owner is None or owner['id'] not in self.user['roleIds']:
            return False
        return not self.client['scopedRoles'] or owner['id'] in self.client['scopedRoles']


def unauthenticated(detail):
    return ApiError(UNAUTHENTICATED, 'unauthenticated: %s' % detail)


def _grants(store, role_ids):
    permissions, service_roles = set(), set()
    for role_id in role_ids:
        role = store.data['roles'].get(role_id)
        if role is not None and role.get('deletedAt') is None:
            permissions.update(role['permissions'])
            service_roles.update(role['serviceRoles'])
    return permissions, service_roles


def effective_grants(store, user, client):
    """(permissions, serviceRoles) of a user acting through one of its personal clients."""
    permissions, service_roles = _grants(store, user['roleIds'])
    scoped = client['scopedRoles']
    if not scoped:
        return permissions, service_roles
    if store.config.get('scopeMode') == 'held_roles':
        return _grants(store, [role_id for role_id in scoped if role_id in user['roleIds']])
    scoped_permissions, scoped_service_roles = _grants(store, scoped)
    return permissions & scoped_permissions, service_roles & scoped_service_roles


def authenticate(store, authorization, source_ip):
    """Resolve the Authorization header to a Caller or raise 401 (code 16)."""
    if not authorization:
        raise unauthenticated('missing bearer token')
    parts = authorization.strip().split(None, 1)
    scheme = parts[0] if parts else ''
    token = parts[1].strip() if len(parts) == 2 else ''
    if scheme.lower() != 'bearer' or not token:
        raise unauthenticated('authorization header is not a bearer token')
    record = store.token_record(token)
    if record is None:
        raise unauthenticated('invalid or revoked access token')
    if record['exp'] <= now().timestamp():
        raise unauthenticated('access token expired')
    if record.get('trust'):
        client = federation.caller_client(store, record['trust'])
    else:
        client = store.data['clients'].get(record['client'])
        if client is None or client['deletedAt'] is not None:
            raise unauthenticated('the personal client of this token was deleted')
    if store.client_expired(client):
        raise unauthenticated('the personal client of this token has expired')
    user = store.data['users'].get(record['user'])
    if user is None or user.get('deletedAt') is not None:
        raise unauthenticated('the user of this token no longer exists')
    if not validate.address_allowed(source_ip, client['allowSourceCidr']):
        raise unauthenticated('source address %s is not allowed for this credential' % source_ip)
    permissions, service_roles = effective_grants(store, user, client)
    return Caller(user, client, permissions, service_roles)


def require(caller, permission):
    if permission and permission not in caller.permissions:
        raise ApiError(PERMISSION_DENIED, 'Permission denied, missing %s' % permission)


# ----------------------------------------------------------------- personal clients


def _owned_client(store, caller, client_id):
    client = store.data['clients'].get(client_id)
    if client is None or client['deletedAt'] is not None:
        raise not_found()
    if client['userId'] != caller.user['id']:
        if not (store.config.get('superAdminManagesAllClients') and caller.is_super_admin(store)):
            raise not_found()
    return client


def _cidrs(values):
    try:
        return validate.normalize_cidrs(values or [])
    except ValueError as exc:
        raise invalid('allowSourceCidr: %s' % exc) from exc


def _scoped(store, values):
    try:
        return validate.role_ids(values or [], store.data['roles'])
    except ValueError as exc:
        raise invalid('scopedRoles: %s' % exc) from exc


def _display_name(value):
    if value is None or not value.strip():
        raise invalid('displayName is required')
    return value


def _parsed(name, parse, value):
    """``parse(value)``, or None for None; a ValueError is a 400 naming the field."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise invalid('%s: %s' % (name, exc)) from exc


def _expires(store, value):
    """expires (a protobuf Duration string) -> absolute datetime, or None."""
    delta = _parsed('expires', validate.positive_duration, value)
    if delta is None:
        return None
    limit = store.config.get('maxExpiresSeconds')
    if limit is not None and delta.total_seconds() > limit:
        raise invalid('expires: %s exceeds the maximum of %ss' % (value, limit))
    return now() + delta


def pc_create(store, caller, _params, body):
    display_name = _display_name(proto.string_field(body, 'displayName'))
    cidrs = _cidrs(proto.string_list_field(body, 'allowSourceCidr'))
    scoped = _scoped(store, proto.string_list_field(body, 'scopedRoles'))
    expires = _expires(store, proto.field(body, 'expires'))
    secret, public_x = keys.mint_secret()
    client = store.add_client(caller.user['id'], display_name, cidrs, scoped, expires, public_x)
    store.save()
    return {'client': proto.render_client(client), 'clientSecret': secret}


def pc_get(store, caller, params, _body):
    return {'client': proto.render_client(_owned_client(store, caller, params['id']))}


def pc_list(store, caller, params, _body):
    own = [c for c in store.data['clients'].values() if c['userId'] == caller.user['id'] and c['deletedAt'] is None]
    chunk, token = proto.paginate(own, store.data['pageKey'], 'pc-list:' + caller.user['id'], params.get('pageSize'), params.get('pageToken'))
    return {'list': [proto.render_client(c) for c in chunk], 'nextPageToken': token}


def _new_expires_time(value):
    when = _parsed('expiresTime', validate.timestamp, value)
    if when is None:
        return None
    if when <= now():
        raise invalid('expiresTime %s is in the past' % value)
    return format_time(when)


def _update_request(body, name, writable, readonly, decoders):
    """An update's field mask (every writable field when it has none) and its message's writable fields, each
    decoded first: a type error is a 400 whether or not the field is masked."""
    message = proto.message_field(body, name) or {}
    mask = proto.update_mask(body, writable, readonly) or list(writable)
    return mask, {field: decode(message, field) for field, decode in decoders.items()}


def _apply_update(store, obj, mask, values, checks):
    """Check every masked field (in the order of ``checks``) before writing any, then stamp updatedAt and save."""
    obj.update({field: check(values[field]) for field, check in checks.items() if field in mask})
    obj['updatedAt'] = now_str()
    store.save()


def pc_update(store, caller, params, body):
    mask, values = _update_request(body, 'client', PC_WRITABLE, PC_READONLY, {
        'displayName': proto.string_field,
        'allowSourceCidr': proto.string_list_field,
        'scopedRoles': proto.string_list_field,
        'expiresTime': proto.field,
    })
    if values['expiresTime'] is not None and not isinstance(values['expiresTime'], str):
        raise invalid('invalid value for google.protobuf.Timestamp field expiresTime')
    client = _owned_client(store, caller, params['id'])
    _apply_update(store, client, mask, values, {
        'displayName': _display_name,
        'allowSourceCidr': _cidrs,
        'scopedRoles': lambda roles: _scoped(store, roles),
        'expiresTime': _new_expires_time,
    })
    return {'client': proto.render_client(client)}


def pc_delete(store, caller, params, _body):
    client = _owned_client(store, caller, params['id'])
    client['deletedAt'] = now_str()
    store.data['tokens'] = {k: v for k, v in store.data['tokens'].items() if v['client'] != client['id']}
    store.save()
    return {}


def pc_search(store, _caller, _params, body):
    query = proto.string_field(body, 'query') or ''
    users = proto.field(body, 'users')
    if users is not None and (not isinstance(users, list) or not all(isinstance(u, dict) for u in users)):
        raise invalid('invalid value for repeated message field users')
    user_ids = set()
    for ref in users or []:
        user_id = proto.string_field(ref, 'id')
        if user_id:
            user_ids.add(user_id)
    needle = query.strip().lower()
    found = [c for c in store.data['clients'].values()
             if c['deletedAt'] is None and (not needle or needle in c['displayName'].lower())
             and (not user_ids or c['userId'] in user_ids)]
    scope = 'pc-search:%s:%s' % (needle, ','.join(sorted(user_ids)))
    chunk, token = proto.paginate(found, store.data['pageKey'], scope, proto.field(body, 'pageSize'), proto.field(body, 'pageToken'))
    return {'list': [proto.render_client(c) for c in chunk], 'nextPageToken': token}


# ----------------------------------------------------------------- roles


def roles_list(store, _caller, params, _body):
    chunk, token = proto.paginate(store.live_roles(), store.data['pageKey'], 'roles', params.get('pageSize'), params.get('pageToken'))
    return {'list': [proto.render_role(r) for r in chunk], 'nextPageToken': token}


def _role(store, role_id):
    role = store.data['roles'].get(role_id)
    if role is None or role.get('deletedAt') is not None:
        raise not_found()
    return role


def roles_get(store, _caller, params, _body):
    return {'role': proto.render_role(_role(store, params['role_id']))}


def _permission_strings(values, name, prefix):
    for value in values:
        if not value.startswith(prefix) or len(value) <= len(prefix) or value.strip() != value:
            raise invalid('%s: %r is not a %s... string' % (name, value, prefix))
    return values


def roles_update(store, _caller, params, body):
    mask, values = _update_request(body, 'role', ROLE_WRITABLE, ROLE_READONLY, {
        'displayName': proto.string_field,
        'permissions': proto.string_list_field,
        'serviceRoles': proto.string_list_field,
    })
    role = _role(store, params['role_id'])
    if role['systemBuiltin']:
        text = 'role %s is system built-in and cannot be edited' % role['name']
        if store.config.get('builtinRoleUpdateError') == 'permission_denied':
            raise ApiError(PERMISSION_DENIED, text)
        raise ApiError(FAILED_PRECONDITION, text)
    _apply_update(store, role, mask, values, {
        'displayName': _display_name,
        'permissions': lambda granted: _permission_strings(granted or [], 'permissions', 'permission/'),
        'serviceRoles': lambda granted: _permission_strings(granted or [], 'serviceRoles', 'role/'),
    })
    return {'role': proto.render_role(role)}


# ----------------------------------------------------------------- auth


def introspect(_store, caller, _params, _body):
    return {
        'userId': caller.user['id'],
        'principleId': caller.user['id'],
        'roles': sorted(caller.service_roles),
        'permissions': sorted(caller.permissions),
        'features': [],
    }
