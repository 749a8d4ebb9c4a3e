# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Value normalisation, so that equal intent compares equal: CIDRs, durations, timestamps, sets, key case.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from typing import Any, Iterable, Mapping, TypeVar, Union

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError

T = TypeVar("T")
# A duration in seconds: whole seconds as an int, otherwise a float.
Seconds = Union[int, float]

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")
_DURATION_UNITS = (7 * 86400, 86400, 3600, 60, 1)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$")
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def canonical_cidr(value: object, option: str) -> str:
    """``10.1.2.0/24`` as is, a bare address as /32 or /128; a CIDR with host bits set is refused."""
    text = str(value).strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InputError("{0}: {1!r} is not an IPv4/IPv6 address or CIDR".format(option, value))
    raise InputError("{0}: {1!r} has host bits set; did you mean {2}?".format(option, value, loose))


def cidr_set(values: Iterable[object] | None, option: str) -> list[str]:
    """Canonical, deduplicated, sorted (IPv4 first, then by address) list of networks."""
    networks = set(ipaddress.ip_network(canonical_cidr(value, option)) for value in values or [])
    return [str(network) for network in sorted(networks, key=lambda n: (n.version, n.network_address, n.prefixlen))]


def sorted_set(values: Iterable[str] | None) -> list[str]:
    return sorted(set(values or []))


def parse_duration(value: object, option: str) -> Seconds:
    """Seconds from ``90d``, ``12h``, ``30m``, ``3600s``, ``1d12h``, ``2w`` or a plain number of seconds."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value or "").strip().lower().replace(" ", "")
        if text.replace(".", "", 1).isdigit():
            seconds = float(text)
        else:
            match = _DURATION.match(text)
            if not text or not match:
                raise InputError("{0}: {1!r} is not a duration; use e.g. 90d, 12h, 30m, 3600s or a number of seconds".format(option, value))
            seconds = sum(float(part) * unit for part, unit in zip(match.groups(), _DURATION_UNITS) if part)
    if not math.isfinite(seconds):
        raise InputError("{0}: {1!r} is not a finite duration".format(option, value))
    if seconds <= 0:
        raise InputError("{0}: the duration must be positive, got {1!r}".format(option, value))
    return int(seconds) if seconds == int(seconds) else seconds


def format_duration(seconds: float) -> str:
    """Protobuf JSON duration: ``"<seconds>s"``; the server refuses Go-style ``1h``."""
    if seconds == int(seconds):
        return "{0}s".format(int(seconds))
    return "{0:.9f}".format(seconds).rstrip("0") + "s"


def parse_timestamp(value: object, option: str | None = None) -> datetime.datetime | None:
    """An aware datetime from RFC 3339 (``Z`` or offset, up to nanoseconds); None for None/empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    match = _TIMESTAMP.match(str(value).strip())
    if not match:
        raise InputError("{0}: {1!r} is not an RFC 3339 time such as 2027-01-31T00:00:00Z".format(option or "time", value))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("Z", "z"):
        tz = datetime.timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                   int((fraction or "0").ljust(6, "0")[:6]), tzinfo=tz)
    except ValueError as exc:
        raise InputError("{0}: {1!r} is not a valid time ({2})".format(option or "time", value, exc))
    return moment.astimezone(datetime.timezone.utc)


def format_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def snake_case(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def snake_case_keys(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    """Top-level camelCase keys of an API object as Ansible-style snake_case keys."""
    return dict((snake_case(key), value) for key, value in (obj or {}).items())


# Characters that make a name display as something else, or break a log line: C0/C1 controls (NUL, newline...),
# DEL, bidirectional overrides and isolates, and the Unicode line and paragraph separators.
_UNSAFE_IN_NAMES = frozenset([chr(code) for code in range(0x20)] + [chr(code) for code in range(0x7f, 0xa0)] +
                             list("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"))


def check_display_text(value: T, option: str) -> T:
    """Refuse a display name with control, bidi-override or line-separator characters (spaces are fine)."""
    if isinstance(value, str) and any(char in _UNSAFE_IN_NAMES for char in value):
        raise InputError("{0} contains a control character (NUL, newline, tab...) or a bidirectional override, which "
                         "would make it display as something else; use printable text only".format(option))
    return value


def api_view(obj: Mapping[str, Any] | None, keys: Iterable[str], list_keys: Iterable[str]) -> dict[str, Any]:
    """An API object as the modules return it: exactly ``keys`` in snake_case, ``list_keys`` never null."""
    result = snake_case_keys(obj)
    for key in list_keys:
        result[key] = list(result.get(key) or [])
    return dict((key, result.get(key)) for key in keys)
