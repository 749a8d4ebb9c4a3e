# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Small helpers shared by the emulator: ids, cutenames, base64url, times, durations."""

import base64
import datetime
import hashlib
import os
import re
import secrets
import time

KSUID_EPOCH = 1400000000
BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
KSUID_RE = re.compile(r'^[A-Za-z0-9]{27}$')

ADJECTIVES = (
    'blue', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crimson', 'curious', 'daring', 'eager',
    'fancy', 'fierce', 'gentle', 'golden', 'happy', 'hidden', 'jolly', 'kind', 'lively', 'lucky',
    'mighty', 'misty', 'noble', 'proud', 'quick', 'quiet', 'rapid', 'rusty', 'shiny', 'silent',
    'silver', 'sleepy', 'smooth', 'snowy', 'strange', 'sunny', 'swift', 'tidy', 'vivid', 'witty',
)
ANIMALS = (
    'badger', 'beaver', 'bison', 'camel', 'cobra', 'condor', 'coyote', 'crane', 'dingo', 'dolphin',
    'eagle', 'falcon', 'ferret', 'gecko', 'heron', 'hydra', 'ibis', 'jackal', 'koala', 'lemur',
    'lynx', 'marmot', 'moose', 'narwhal', 'otter', 'owl', 'panda', 'parrot', 'puffin', 'quokka',
    'raven', 'salmon', 'seal', 'sloth', 'tapir', 'tiger', 'toucan', 'walrus', 'whale', 'wombat',
)

DURATION_RE = re.compile(r'^(-)?(\d+)(?:\.(\d{1,9}))?s$')
TIMESTAMP_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$'
)
MAX_DURATION_SECONDS = 315576000000


def b64url_encode(data):
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def b64url_decode(text):
    """base64url with or without padding; raises ValueError on garbage."""
    if isinstance(text, str):
        text = text.encode('ascii')
    if not re.match(rb'^[A-Za-z0-9_-]*={0,2}$', text):
        raise ValueError('not base64url')
    text = text.rstrip(b'=')
    return base64.urlsafe_b64decode(text + b'=' * (-len(text) % 4))


def _base62(data):
    num = int.from_bytes(data, 'big')
    out = []
    while num:
        num, rem = divmod(num, 62)
        out.append(BASE62[rem])
    return ''.join(reversed(out)).rjust(27, '0')


def ksuid(timestamp=None, payload=None):
    """A 27-character KSUID (4-byte time + 16-byte payload, base62)."""
    if timestamp is None:
        timestamp = time.time()
    if payload is None:
        payload = os.urandom(16)
    stamp = max(0, int(timestamp) - KSUID_EPOCH) & 0xFFFFFFFF
    return _base62(stamp.to_bytes(4, 'big') + payload[:16])


def stable_ksuid(salt, kind, name, timestamp):
    """A KSUID derived from a per-state salt, so default objects keep their ids across resets."""
    digest = hashlib.sha256(('%s\0%s\0%s' % (salt, kind, name)).encode('utf-8')).digest()
    return ksuid(timestamp, digest)


def is_ksuid(value):
    return isinstance(value, str) and bool(KSUID_RE.match(value))


def cutename():
    """adjective-animal-NNNNN, like blue-whale-12345."""
    return '%s-%s-%05d' % (secrets.choice(ADJECTIVES), secrets.choice(ANIMALS), secrets.randbelow(90000) + 10000)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def format_time(value):
    """RFC 3339 UTC with Z, fractional seconds only when non-zero (protojson style, 3/6 digits)."""
    if value is None:
        return None
    value = value.astimezone(datetime.timezone.utc)
    base = value.strftime('%Y-%m-%dT%H:%M:%S')
    micro = value.microsecond
    if micro == 0:
        return base + 'Z'
    if micro % 1000 == 0:
        return '%s.%03dZ' % (base, micro // 1000)
    return '%s.%06dZ' % (base, micro)


def now_str():
    return format_time(now())


def _groups(pattern, text, not_a_string, no_match):
    """The groups of ``pattern`` matching string ``text``; ValueError(not_a_string) or ValueError(no_match % text)."""
    if not isinstance(text, str):
        raise ValueError(not_a_string)
    match = pattern.match(text)
    if not match:
        raise ValueError(no_match % text)
    return match.groups()


def _microseconds(frac):
    """The microseconds of a fraction's digits (up to 9, truncated), 0 without any."""
    return int((frac or '0').ljust(9, '0')[:6])


def parse_time(text):
    """Parse an RFC 3339 timestamp (protojson Timestamp); raises ValueError."""
    year, month, day, hour, minute, second, frac, zone = _groups(
        TIMESTAMP_RE, text, 'timestamp must be a string', 'invalid RFC 3339 timestamp %r')
    micro = _microseconds(frac)
    if zone in ('Z', 'z'):
        tzinfo = datetime.timezone.utc
    else:
        sign = 1 if zone[0] == '+' else -1
        tzinfo = datetime.timezone(sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    value = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo)
    return value.astimezone(datetime.timezone.utc)


def parse_duration(text):
    """Parse a protobuf Duration JSON string ("3600s", "1.5s"); returns a timedelta; raises ValueError."""
    negative, whole, frac = _groups(DURATION_RE, text, 'duration must be a string like "3600s"',
                                    'invalid duration %r: expected seconds with an "s" suffix, e.g. "3600s"')
    seconds = int(whole)
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError('duration %r out of range' % text)
    micro = _microseconds(frac)
    delta = datetime.timedelta(seconds=seconds, microseconds=micro)
    return -delta if negative else delta


def sha256_hex(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()
