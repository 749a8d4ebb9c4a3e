# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Value checks shared by the API handlers and the seed loader (raise ValueError with a readable message)."""

import ipaddress

from .util import is_ksuid, parse_duration, parse_time


def normalize_cidr(value):
    """Canonical network form; a bare address becomes /32 or /128; host bits set is an error."""
    if not isinstance(value, str) or not value or value.strip() != value or '%' in value:
        raise ValueError('invalid CIDR %r' % (value,))
    try:
        if '/' in value:
            network = ipaddress.ip_network(value, strict=True)
        else:
            network = ipaddress.ip_network(ipaddress.ip_address(value))
    except ValueError as exc:
        raise ValueError('invalid CIDR %r: %s' % (value, exc)) from exc
    return network.with_prefixlen


def normalize_cidrs(values):
    return [normalize_cidr(value) for value in values]


def address_allowed(address, cidrs):
    """True when cidrs is empty or the source address is inside one of them."""
    if not cidrs:
        return True
    try:
        ip = ipaddress.ip_address(address.split('%', 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=False)
        if ip.version == network.version and ip in network:
            return True
    return False


def positive_duration(value):
    delta = parse_duration(value)
    if delta.total_seconds() <= 0:
        raise ValueError('duration %r must be positive' % value)
    return delta


def timestamp(value):
    return parse_time(value)


def role_ids(values, roles, allow_names=False):
    """Check a list of role references against the catalog (dict id -> role); return ids.

    With allow_names (emulator controls and seeds only) a role may be given by its name.
    """
    by_name = {role['name']: role['id'] for role in roles.values() if role.get('deletedAt') is None}
    out = []
    for value in values:
        if not isinstance(value, str) or not value:
            raise ValueError('invalid role reference %r' % (value,))
        role = roles.get(value)
        if role is not None and role.get('deletedAt') is None:
            out.append(value)
        elif allow_names and value in by_name:
            out.append(by_name[value])
        elif not allow_names and not is_ksuid(value):
            raise ValueError('scoped role %r is not a role id: scopedRoles takes role ids (27 alphanumerics), not names' % value)
        else:
            raise ValueError('role %r not found' % value)
    return out
