# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""protojson-like request decoding, response rendering, update masks and page tokens."""

import hashlib
import hmac
import json
import re

from .errors import invalid
from .util import b64url_decode, b64url_encode

INT32_MAX = 2 ** 31 - 1
PAGE_MIN, PAGE_MAX, PAGE_DEFAULT = 10, 100, 25

PERSONAL_CLIENT_FIELDS = ('id', 'clientId', 'userId', 'displayName', 'allowSourceCidr', 'scopedRoles', 'expiresTime',
                          'createdAt', 'updatedAt', 'lastUsedAt', 'deletedAt')
ROLE_FIELDS = ('id', 'name', 'displayName', 'permissions', 'serviceRoles', 'systemBuiltin', 'systemApiOnly',
               'createdAt', 'updatedAt', 'deletedAt')


def snake(name):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def parse_body(raw):
    """The JSON request body as a dict ({} when empty)."""
    if not raw or not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid('invalid request body: %s' % exc) from exc
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise invalid('invalid request body: expected a JSON object')
    return body


def field(message, name):
    """A field by its JSON (lowerCamel) or proto (snake_case) name; None when absent or null."""
    alt = snake(name)
    if alt != name and name in message and alt in message:
        raise invalid('duplicate field %r (given as %s and %s)' % (alt, name, alt))
    value = message.get(name)
    if value is None and alt != name:
        value = message.get(alt)
    return value


def _typed_field(message, name, kind, valid):
    """A field (None when absent) that ``valid(value)`` accepts; any other value is a 400 naming ``kind``."""
    value = field(message, name)
    if value is not None and not valid(value):
        raise invalid('invalid value for %s field %s: %s' % (kind, name, json.dumps(value)))
    return value


def string_field(message, name):
    return _typed_field(message, name, 'string', lambda value: isinstance(value, str))


def string_list_field(message, name):
    value = _typed_field(message, name, 'repeated string',
                         lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value))
    return None if value is None else list(value)


def message_field(message, name):
    return _typed_field(message, name, 'message', lambda value: isinstance(value, dict))


def int32_value(value, name):
    """An int32 as protojson accepts it: a JSON number with an integral value or a decimal string."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        raise invalid('invalid value for int32 field %s: %s' % (name, json.dumps(value)))
    if isinstance(value, str):
        if not re.match(r'^-?\d+$', value.strip()):
            raise invalid('invalid value for int32 field %s: %s' % (name, json.dumps(value)))
        value = int(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise invalid('invalid value for int32 field %s: %s' % (name, json.dumps(value)))
        value = int(value)
    elif not isinstance(value, int):
        raise invalid('invalid value for int32 field %s: %s' % (name, json.dumps(value)))
    if not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise invalid('int32 field %s out of range: %s' % (name, value))
    return value


def update_mask(message, writable, readonly):
    """Parse updateMask (a comma-separated string of lowerCamel paths); None when absent or empty."""
    value = field(message, 'updateMask')
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid('invalid value for google.protobuf.FieldMask field updateMask: %s' % json.dumps(value))
    if value == '':
        return None
    paths = value.split(',')
    for path in paths:
        if '_' in path:
            raise invalid('invalid update mask: path %r must be lowerCamelCase (protojson FieldMask)' % path)
        if path in readonly:
            raise invalid('invalid update mask: field %r is read-only' % path)
        if path not in writable:
            raise invalid('invalid update mask: unknown field %r (writable: %s)' % (path, ', '.join(writable)))
    return list(dict.fromkeys(paths))


def render(record, fields):
    """A stored record as protojson with unpopulated fields emitted."""
    out = {}
    for name in fields:
        value = record.get(name)
        if isinstance(value, list):
            value = list(value)
        out[name] = value
    return out


def render_client(client):
    return render(client, PERSONAL_CLIENT_FIELDS)


def render_role(role):
    return render(role, ROLE_FIELDS)


# ----------------------------------------------------------------- pagination


def page_size(value):
    size = int32_value(value, 'pageSize')
    if size is None or size <= 0:
        return PAGE_DEFAULT
    return max(PAGE_MIN, min(PAGE_MAX, size))


def _mac(key, scope, offset):
    return hmac.new(key.encode('ascii'), ('%s|%d' % (scope, offset)).encode('utf-8'), hashlib.sha256).hexdigest()[:16]


def encode_page_token(key, scope, offset):
    return b64url_encode(('%d.%s' % (offset, _mac(key, scope, offset))).encode('ascii'))


def decode_page_token(key, scope, token):
    """The offset in an opaque page token; a token from another listing or a forged one is a 400."""
    if token is None or token == '':
        return 0
    if not isinstance(token, str):
        raise invalid('invalid page token')
    try:
        offset_text, mac = b64url_decode(token).decode('ascii').split('.', 1)
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid('invalid page token') from exc
    if offset < 0 or not hmac.compare_digest(mac, _mac(key, scope, offset)):
        raise invalid('invalid page token')
    return offset


def paginate(items, key, scope, size_value, token_value):
    """One page of items: (page, nextPageToken)."""
    size = page_size(size_value)
    offset = decode_page_token(key, scope, token_value)
    chunk = items[offset:offset + size]
    end = offset + size
    return chunk, (encode_page_token(key, scope, end) if end < len(items) else '')
