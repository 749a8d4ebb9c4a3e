# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Every value that can authenticate, masked on every exit path.

Ansible's ``no_log`` only knows the option values it was given. A run learns more secrets on the way: each
access token it exchanges, each client assertion it signs, the parts of a client secret, a password found in
a URL. Whoever learns one calls ``add(value)``; ``run_resource`` and the action plugins' top-level handler pass
every message, warning and result through ``mask()`` / ``mask_message()`` before it leaves the run,
including unexpected exceptions (requests quoting a whole ``Authorization`` header, say).

The registry is per run: a module process runs one task; an action plugin calls ``new_run()`` first.
``mask_message`` also hides anything *shaped* like a credential (``secret-token:...``, a JWT, a ``Bearer``
value) even if nobody registered it, because a message must never be the place a secret turns up.

``inert(text, limit)`` is the one sanitiser for text a server chose (error messages, request ids, display
names quoted in errors): control characters, DEL, C1 controls and bidi overrides are rendered visibly
(``\\x1b``, ``\\u202e``), so a hostile tenant cannot colour, clear or retitle a terminal, forge a log line or
reorder what a reader sees; the result is cut to ``limit``. ``mask_message`` applies the same rendering to every
message and warning (a traceback keeps its line breaks), masking first and cutting last.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, TypeVar, overload
from urllib.parse import quote, quote_plus

# Masking keeps the shape of what it is given: text stays text, a dict a dict, a list a list.
T = TypeVar("T")

MASK = "********"
# Messages are cut to this many characters (server-provided parts much shorter, see http.py): enough to
# explain, too short to dump a request or a key back at the user.
MAX_MESSAGE_CHARS = 2000
# Values shorter than this are not masked inside other text: "a" would blank every message. Ansible's own
# no_log masking still hides such an option value where it appears whole.
MIN_MASKED_LENGTH = 4

# The documented, public format of a client secret (the prefix of every one): messages show it to say what a secret
# must look like. Only where it stands alone (nothing of a key after it) is it kept out of the masking, so that a
# hint stays readable even when a registered value (a garbage secret such as "conductorone") is part of it.
PUBLIC_FORMATS = ("secret-token:conductorone.com:v1:",)
_PUBLIC_FORMAT = re.compile("(?:{0})(?=[\\s'\"<>,;)\\]}}]|$)".format("|".join(re.escape(text) for text in PUBLIC_FORMATS)))
_PLACEHOLDER = "\x00{0}\x00"
_PLACEHOLDERS = re.compile("\x00([0-9]+)\x00")

_SHAPED_LIKE_SECRETS = (
    (re.compile(r"secret-token:[^\s'\"<>,;)\]}]*"), "secret-token:" + MASK),
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)(?<=bearer )[^\s'\"<>,;)\]}]+"), MASK),
    (re.compile(r"(?i)(?<=client_assertion=)[^\s&'\"]+"), MASK),
)


# C0 controls, DEL, C1 controls, and the bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069) and
# marks that reorder or hide text (U+200E, U+200F, U+061C); line and paragraph separators too.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same set minus the line break: a message may be multi-line, but not a CR overwriting it or an escape code.
_UNPRINTABLE_KEEP_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                                       "\u202a-\u202e\u2066-\u2069]")
# Server-supplied text is quoted up to this length unless the caller gives its own limit.
MAX_SERVER_TEXT_CHARS = 300


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    return "\\x{0:02x}".format(ord(char)) if ord(char) < 0x100 else "\\u{0:04x}".format(ord(char))


@overload
def inert(text: None, limit: int | None = ...) -> None:
    ...


@overload
def inert(text: object, limit: int | None = ...) -> str:
    ...


def inert(text: object, limit: int | None = MAX_SERVER_TEXT_CHARS) -> str | None:
    """Server-supplied ``text`` as inert, bounded text: every control or reordering character rendered visibly
    (``\\x1b``, ``\\n``-as-``\\x0a``, ``\\u202e``), then cut to ``limit`` characters. ``None`` stays ``None``."""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return truncate(_UNPRINTABLE.sub(_visible, str(text)), limit)


def visible_controls(text: str, keep_newlines: bool = True) -> str:
    """``text`` with control and reordering characters rendered visibly (line breaks kept unless told)."""
    return (_UNPRINTABLE_KEEP_NEWLINE if keep_newlines else _UNPRINTABLE).sub(_visible, text)


class SecretRegistry:
    """The secret values of one run and the masking of text and structures with them."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    @overload
    def add(self, value: bytes) -> str:
        ...

    @overload
    def add(self, value: T) -> T:
        ...

    def add(self, value: object) -> object:
        """Register a value that can authenticate (None and empty strings are ignored); returns it unchanged."""
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            return value
        forms: set[str] = set()
        for text in (value, value.strip()):
            if len(text) >= MIN_MASKED_LENGTH:
                # As it may show up: raw, URL- or form-encoded, or inside a repr() with escapes.
                forms.update((text, quote(text, safe=""), quote_plus(text), repr(text)[1:-1]))
        with self._lock:
            if not forms <= self._values:
                self._values |= forms
                self._pattern = None
        return value

    def add_secret_looking(self, data: object) -> None:
        """Register every string in ``data`` that is shaped like a client secret, whatever option it was given
        in (a secret pasted into client_id is still a secret, and client_id is not a no_log option)."""
        if isinstance(data, str):
            if "secret-token:" in data:
                self.add(data)
        elif isinstance(data, dict):
            for value in data.values():
                self.add_secret_looking(value)
        elif isinstance(data, (list, tuple)):
            for value in data:
                self.add_secret_looking(value)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                # Longest first, so a secret is masked whole before any registered part of it.
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
            return self._pattern

    def mask(self, data: T) -> T:
        """``data`` (text, or dicts/lists/tuples of them, keys included) with every registered value masked."""
        pattern = self._compiled()
        if pattern is None:
            return data
        return _walk(data, lambda text: pattern.sub(MASK, text))

    def mask_message(self, data: T, limit: int | None = MAX_MESSAGE_CHARS) -> T:
        """Like ``mask``, and anything shaped like a credential masked too; control characters rendered visibly
        (a message is one line: line breaks too, except in uncut text such as a traceback); strings cut to
        ``limit``. Masking comes first: a cut must never split a secret into a part that no longer matches."""
        def one(text: str) -> str:
            kept: list[str] = []

            def keep(match: re.Match[str]) -> str:
                kept.append(match.group(0))
                return _PLACEHOLDER.format(len(kept) - 1)

            text = _PUBLIC_FORMAT.sub(keep, text.replace("\x00", "")) if "secret-token:" in text else text
            text = self.mask(text)
            for shape, replacement in _SHAPED_LIKE_SECRETS:
                text = shape.sub(replacement, text)
            if kept:
                text = _PLACEHOLDERS.sub(lambda match: kept[int(match.group(1))], text)
            return truncate(visible_controls(text, keep_newlines=limit is None), limit)
        return _walk(data, one)


def _walk(data: Any, transform: Callable[[str], str]) -> Any:
    if isinstance(data, str):
        return transform(data)
    if isinstance(data, dict):
        return dict((_walk(key, transform), _walk(value, transform)) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return type(data)(_walk(item, transform) for item in data)
    return data


def truncate(text: str, limit: int | None = MAX_MESSAGE_CHARS) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + "... ({0} more characters)".format(len(text) - limit)


_current = SecretRegistry()


def new_run() -> SecretRegistry:
    """Start a run with an empty registry (action plugins: one per task). Returns it."""
    global _current  # pylint: disable=global-statement
    _current = SecretRegistry()
    return _current


def registry() -> SecretRegistry:
    return _current


@overload
def add(value: bytes) -> str:
    ...


@overload
def add(value: T) -> T:
    ...


def add(value: object) -> object:
    return _current.add(value)


def add_secret_looking(data: object) -> None:
    _current.add_secret_looking(data)


def mask(data: T) -> T:
    return _current.mask(data)


def mask_message(data: T, limit: int | None = MAX_MESSAGE_CHARS) -> T:
    return _current.mask_message(data, limit)
