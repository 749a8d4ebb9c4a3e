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
import os
import time
import traceback

from urllib.parse import urlsplit

from ._errors import ConductorOneError, InputError, MissingLibraryError

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
    """Split ``<name>@<host>/<use-case>`` into its parts; the host may carry a port."""
    name, at, rest = client_id.partition("@")
    host, slash, use_case = rest.partition("/")
    if not (at and slash and name and host and use_case) or "/" in use_case or "@" in rest:
        raise InputError(
            "client_id {0!r} is not a ConductorOne client id: expected <name>@<tenant host>/pcc, "
            "e.g. blue-whale-12345@acme.conductor.one/pcc".format(client_id))
    return name, host.lower(), use_case


def resolve_endpoint(server_url, client_id):
    """Return (base URL, token audience). server_url wins over the host in the client id."""
    if server_url:
        parts = urlsplit(server_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError("server_url {0!r} must be an http(s) URL such as https://acme.conductor.one".format(server_url))
        return server_url.rstrip("/"), parts.hostname
    if client_id:
        host = parse_client_id(client_id)[1]
        return "https://" + host, urlsplit("https://" + host).hostname
    raise InputError(
        "no ConductorOne tenant: set client_id (CONDUCTORONE_CLIENT_ID), whose tenant host gives the API URL, "
        "or server_url (CONDUCTORONE_SERVER_URL); server_url is required with access_token alone")


def _load_ed25519():
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        raise MissingLibraryError("cryptography", traceback.format_exc())
    return Ed25519PrivateKey


def decode_client_secret(secret):
    """The private JWK inside a ``secret-token:conductorone.com:v1:<JWK>`` string, checked for shape only."""
    parts = secret.strip().split(":", 3)
    if len(parts) != 4 or tuple(parts[:3]) != SECRET_PREFIX:
        raise InputError(
            "client_secret is not a ConductorOne client secret: it must start with "
            "'secret-token:conductorone.com:v1:' (copy the whole value shown when the client was created)")
    try:
        jwk = json.loads(b64url_decode(parts[3]).decode("utf-8"))
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" not in jwk:
            raise ValueError("not an Ed25519 private JWK")
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
        self._static_token = access_token
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
            self._token, self._expires_at = cached[0], cached[1] - TOKEN_EXPIRY_MARGIN_SECONDS
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

    def _exchange(self):
        key = parse_client_secret(self._client_secret)
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": build_assertion(self._client_id, self._audience, key),
        }
        started = time.time()
        # A token exchange has no side effect, so it may be retried like a GET.
        body = self._transport.send("POST", self._token_url, operation="Token exchange", form=form, idempotent=True)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ConductorOneError("the token endpoint returned no access_token", operation="Token exchange")
        expires_in = float(body.get("expires_in") or 600)
        self._token = token
        self._expires_at = started + max(expires_in - TOKEN_EXPIRY_MARGIN_SECONDS, 1.0)
        if self._cache:
            # The server's expiry: TokenCache.load applies its own margin (MIN_REMAINING_SECONDS) on top of it.
            self._cache.store(token, started + expires_in)
