# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""ConductorOne authentication: client id and secret formats, the EdDSA JWT assertion, the token exchange.

Formats and claims follow ConductorOne's own clients (conductorone-sdk-go token_source.go, cone, c1i):
client id ``<name>@<host>/<use-case>``; secret ``secret-token:conductorone.com:v1:<base64url JWK>``
holding an Ed25519 private key; assertion with iss = sub = client id, aud = host without port,
nbf = now - 120 s, exp = now + 120 s. Error messages never include the secret.
"""

from __future__ import annotations

import base64
import json
import math
import os
import time
import traceback

from . import _masking
from ._errors import ConductorOneError, InputError, MissingLibraryError
from ._url import has_control, resolve_endpoint as _resolve_endpoint

TOKEN_PATH = "/auth/v1/token"
SECRET_PREFIX = ("secret-token", "conductorone.com", "v1")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SKEW_SECONDS = 120
# Refresh a cached token this long before the server says it expires.
TOKEN_EXPIRY_MARGIN_SECONDS = 30


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_client_id(client_id):
    """Split ``<name>@<host>/<use-case>`` into its parts; the host may carry a port.

    A malformed value is never echoed: it may be a secret given in the wrong option. At most its name part
    (the cutename) is shown.
    """
    if not isinstance(client_id, str):
        raise InputError("client_id must be a string such as blue-whale-12345@acme.conductor.one/pcc")
    if "secret-token:" in client_id:
        raise InputError("client_id looks like a client secret (it contains 'secret-token:'): client_id and "
                         "client_secret may be swapped; client_id has the form <name>@<tenant host>/pcc")
    client_id = client_id.strip()
    name, at, rest = client_id.partition("@")
    host, slash, use_case = rest.partition("/")
    if not (at and slash and name and host and use_case) or "/" in use_case or "@" in rest or has_control(client_id) \
            or "\\" in client_id or "/" in name:
        shown = " (name part {0!r})".format(name) if at and name and not has_control(name) and len(name) <= 64 else ""
        raise InputError(
            "client_id is not a ConductorOne client id{0}: expected <name>@<tenant host>/pcc, "
            "e.g. blue-whale-12345@acme.conductor.one/pcc".format(shown))
    return name, host.lower(), use_case


def resolve_endpoint(server_url, client_id, allow_http=False):
    """The Endpoint (see _url.py): server_url wins over the host in the client id."""
    host = parse_client_id(client_id)[1] if client_id else None
    return _resolve_endpoint(server_url, host, allow_http=allow_http)


def clean_access_token(token):
    """A bearer token without surrounding whitespace (``echo $T | ansible-vault encrypt_string`` adds a newline).

    A control or space character inside it cannot be sent in a header: refused, without echoing the token.
    """
    if token is None:
        return None
    _masking.add(token)
    token = token.strip()
    if not token:
        return None
    if has_control(token) or any(ord(char) > 0x7e for char in token):
        raise InputError("access_token contains a space, control or non-ASCII character inside it, so it cannot "
                         "be sent as a bearer token; copy it again (the token itself is not shown)")
    return token


def _load_ed25519():
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        raise MissingLibraryError("cryptography", traceback.format_exc())
    return Ed25519PrivateKey


def decode_client_secret(secret):
    """The private JWK inside a ``secret-token:conductorone.com:v1:<JWK>`` string, checked for shape only."""
    _masking.add(secret)
    parts = secret.strip().split(":", 3)
    if len(parts) == 4:
        _masking.add(parts[3])
    if len(parts) != 4 or tuple(parts[:3]) != SECRET_PREFIX:
        raise InputError(
            "client_secret is not a ConductorOne client secret: it must start with "
            "'secret-token:conductorone.com:v1:' (copy the whole value shown when the client was created)")
    try:
        jwk = json.loads(b64url_decode(parts[3]).decode("utf-8"))
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" not in jwk:
            raise ValueError("not an Ed25519 private JWK")
        _masking.add(jwk["d"])
        if len(b64url_decode(jwk["d"])) != 32:
            raise ValueError("wrong key length")
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        # Deliberately no detail: any part of the text could be key material.
        raise InputError("client_secret is malformed: its key part is not a base64url Ed25519 private JWK")
    return jwk


def parse_client_secret(secret):
    """Turn a ``secret-token:conductorone.com:v1:<JWK>`` string into an Ed25519 private key."""
    jwk = decode_client_secret(secret)
    key = _load_ed25519().from_private_bytes(b64url_decode(jwk["d"]))
    if "x" in jwk and _public_x(key) != jwk["x"]:
        raise InputError("client_secret is malformed: its public and private key parts do not match")
    return key


def _public_x(private_key):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return b64url_encode(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def build_assertion(client_id, audience, private_key, now=None):
    """A compact EdDSA JWS proving possession of the client's key, valid for a few minutes."""
    now = int(time.time() if now is None else now)
    header = {"alg": "EdDSA", "typ": "JWT", "nonce": b64url_encode(os.urandom(16))}
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "nbf": now - ASSERTION_SKEW_SECONDS,
        "exp": now + ASSERTION_SKEW_SECONDS,
    }
    signing_input = ".".join(b64url_encode(json.dumps(part, separators=(",", ":")).encode("utf-8")) for part in (header, claims))
    signature = private_key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


class FreshForm(dict):
    """A form built anew for every attempt of a request: it is the first attempt's form (a plain dict to
    anything that reads it), and the transport calls ``for_attempt(n)`` for a retry."""

    def __init__(self, build):
        super().__init__(build())
        self._build = build

    def for_attempt(self, attempt):
        return dict(self) if attempt == 0 else self._build()


class TokenSource:
    """Hands out a bearer token: the static access_token, or one exchanged with the client credentials.

    ``invalidate()`` after a 401 makes the next ``token()`` exchange again (when credentials allow).
    """

    def __init__(self, transport, base_url, audience, client_id=None, client_secret=None, access_token=None, cache=None):
        self._transport = transport
        self._cache = cache
        self._token_url = base_url + TOKEN_PATH
        self._audience = audience
        self._client_id = client_id
        self._client_secret = client_secret
        self._static_token = access_token = clean_access_token(access_token)
        self._token = None
        self._expires_at = 0.0
        if not access_token:
            if not client_id or not client_secret:
                raise InputError(
                    "no ConductorOne credentials: set client_id and client_secret (or CONDUCTORONE_CLIENT_ID and "
                    "CONDUCTORONE_CLIENT_SECRET), or access_token (CONDUCTORONE_ACCESS_TOKEN)")
        if client_id:
            parse_client_id(client_id)
        if client_secret:
            # Fail on a malformed secret before any request; the key itself (and cryptography) only when signing.
            decode_client_secret(client_secret)

    @property
    def can_reauthenticate(self):
        return bool(self._client_id and self._client_secret)

    def token(self):
        if self._static_token:
            return self._static_token
        if self._token is None or time.time() >= self._expires_at:
            if self._cache:
                with self._cache.exclusive():
                    self._load_or_exchange()
            else:
                self._exchange()
        return self._token

    def _load_or_exchange(self):
        """The cached token if still good (another process may just have stored it), else a new one."""
        cached = self._cache.load()
        if cached is not None:
            # The cache holds the server's expiry; in memory, keep the usual margin.
            self._token, self._expires_at = _masking.add(cached[0]), cached[1] - TOKEN_EXPIRY_MARGIN_SECONDS
        else:
            self._exchange()

    def invalidate(self):
        """Forget the current token; False when there is nothing better to fall back on."""
        if self._static_token and self.can_reauthenticate:
            self._static_token = None
            return True
        if self._static_token or not self.can_reauthenticate:
            return False
        self._token = None
        if self._cache:
            self._cache.discard()
        return True

    def _assertion_form(self, key):
        """A token request with a freshly signed assertion, registered for masking before it is sent."""
        return {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": _masking.add(build_assertion(self._client_id, self._audience, key)),
        }

    def _exchange(self):
        key = parse_client_secret(self._client_secret)
        started = time.time()
        # A token exchange has no side effect, so it may be retried like a GET; each attempt signs a new
        # assertion (see FreshForm), since the server may refuse one it has already seen.
        body = self._transport.send("POST", self._token_url, operation="Token exchange",
                                    form=FreshForm(lambda: self._assertion_form(key)), idempotent=True)
        token, expires_in = token_from_response(body)
        self._token = token
        self._expires_at = started + max(expires_in - TOKEN_EXPIRY_MARGIN_SECONDS, 1.0)
        if self._cache:
            # The server's expiry: TokenCache.load applies its own margin (MIN_REMAINING_SECONDS) on top of it.
            self._cache.store(token, started + expires_in)


def token_from_response(body):
    """(access token, expires_in seconds) of a token endpoint's answer; the token joins the masked values."""
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise ConductorOneError("the token endpoint returned no access_token", operation="Token exchange")
    _masking.add(token)
    token = token.strip()
    if has_control(token) or any(ord(char) > 0x7e for char in token):
        raise ConductorOneError("the token endpoint returned an access_token with characters a bearer token cannot "
                                "have (not shown)", operation="Token exchange")
    try:
        expires_in = float(body.get("expires_in") or 600)
    except (TypeError, ValueError):
        expires_in = 600.0
    if not math.isfinite(expires_in) or expires_in <= 0:
        expires_in = 600.0
    return token, expires_in
