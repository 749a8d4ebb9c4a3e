# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""ConductorOne authentication: client id and secret formats, the EdDSA JWT assertion, the token exchange.

Formats and claims follow ConductorOne's own clients (conductorone-sdk-go token_source.go, cone, c1i):
client id ``<name>@<host>/<use-case>``; secret ``secret-token:conductorone.com:v1:<base64url JWK>``
holding an Ed25519 private key; assertion with iss = sub = client id, aud = host without port,
nbf = now - 120 s, exp = now + 120 s. Workload federation (conductorone-sdk-go token_exchange.go):
an OIDC token of a CI system exchanged (RFC 8693) with the client id of a ``/wfe`` trust.
Error messages never include the secret nor the OIDC token.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError, MissingLibraryError
from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import parse_client_id
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import has_control

if TYPE_CHECKING:  # annotations only: cryptography is imported when a secret is used; transport and cache are handed in
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ansible_collections.conductorone.iam.plugins.module_utils._client.http import JSON, HttpTransport
    from ansible_collections.conductorone.iam.plugins.module_utils._client.token_cache import TokenCache

# The private JWK inside a client secret (kty OKP, crv Ed25519, d, optionally x), as json.loads gave it.
Jwk = Dict[str, Any]
# A token request's form fields.
Form = Dict[str, Optional[str]]

TOKEN_PATH = "/auth/v1/token"
SECRET_PREFIX = ("secret-token", "conductorone.com", "v1")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
FEDERATION_USE_CASE = "wfe"
ASSERTION_SKEW_SECONDS = 120
# Refresh a cached token this long before the server says it expires.
TOKEN_EXPIRY_MARGIN_SECONDS = 30
# How a token endpoint says that a subject token was used before (the emulator: "subject_token was already exchanged
# ... (replay refused)"). The real service's wording is not documented, so a refusal that says nothing of the kind gets
# the general checklist, which names a replay as one possible cause among the others.
REPLAY_WORDS = re.compile(r"already (?:been )?(?:exchanged|used|redeemed|consumed)|replay|re-?used", re.IGNORECASE)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bearer_token_ok(token: str) -> bool:
    """The one rule for a bearer token's characters: printable ASCII only (no space, control, non-ASCII or invisible
    character), which is all an ``Authorization`` header can carry (the access_token option, the token endpoint's
    answer and a cached token alike)."""
    return not has_control(token) and all(ord(char) <= 0x7e for char in token)


def clean_access_token(token: str | None) -> str | None:
    """A bearer token without surrounding whitespace (``echo $T | ansible-vault encrypt_string`` adds a newline).

    A control or space character inside it cannot be sent in a header: refused, without echoing the token.
    """
    if token is None:
        return None
    _masking.add(token)
    token = token.strip()
    if not token:
        return None
    if not bearer_token_ok(token):
        raise InputError("access_token contains a space, control or non-ASCII character inside it, so it cannot "
                         "be sent as a bearer token; copy it again (the token itself is not shown)")
    return token


def _load_ed25519() -> type[Ed25519PrivateKey]:
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        raise MissingLibraryError("cryptography", traceback.format_exc())
    return Ed25519PrivateKey


def decode_client_secret(secret: str) -> Jwk:
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


def parse_client_secret(secret: str) -> Ed25519PrivateKey:
    """Turn a ``secret-token:conductorone.com:v1:<JWK>`` string into an Ed25519 private key."""
    jwk = decode_client_secret(secret)
    key = _load_ed25519().from_private_bytes(b64url_decode(jwk["d"]))
    if "x" in jwk and _public_x(key) != jwk["x"]:
        raise InputError("client_secret is malformed: its public and private key parts do not match")
    return key


def _public_x(private_key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return b64url_encode(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def build_assertion(client_id: str, audience: str, private_key: Ed25519PrivateKey, now: float | None = None) -> str:
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


def oidc_token_expiry(oidc_token: str) -> float | None:
    """The ``exp`` of an OIDC token (a JWT), read without verifying it (only the server can); None without one.

    Raises InputError, without any part of the token, when it is not a JWT at all.
    """
    parts = oidc_token.strip().split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        claims = json.loads(b64url_decode(parts[1]).decode("utf-8"))
        if not isinstance(claims, dict):
            raise ValueError("not a JSON object")
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InputError(
            "oidc_token is not a JWT (three base64url parts, the second a JSON object): give the identity token "
            "your CI system issued for this job, such as the one GitHub Actions returns for ACTIONS_ID_TOKEN_REQUEST_URL")
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


def check_credentials(client_id: str | None, client_secret: str | None, oidc_token: str | None) -> None:
    """Refuse combinations that name no identity or two: a secret goes with /pcc or /spc, an OIDC token with /wfe."""
    if client_secret and oidc_token:
        raise InputError(
            "client_secret and oidc_token are both set (as options or as CONDUCTORONE_CLIENT_SECRET and "
            "CONDUCTORONE_OIDC_TOKEN): a secret belongs to a personal client or service principal (client id .../pcc "
            "or .../spc), an OIDC token to a workload federation trust (.../wfe); set only the one that matches client_id")
    if not client_id:
        if oidc_token:
            raise InputError(
                "oidc_token needs client_id (CONDUCTORONE_CLIENT_ID): the client id of the workload federation trust, "
                "<name>@<tenant host>/wfe. Set it where oidc_token is set (both as options, or both in the environment)")
        return
    # A client id is shown at most as its cutename (issue 11): the name part, never the tenant host.
    name, dummy, use_case = parse_client_id(client_id)
    if oidc_token and use_case != FEDERATION_USE_CASE:
        raise InputError(
            "oidc_token is exchanged with the client id of a workload federation trust (<name>@<tenant host>/wfe), "
            "but client_id {0!r} is a /{1} client: use its client_secret instead, or the trust's client id".format(
                name, use_case))
    if client_secret and use_case == FEDERATION_USE_CASE:
        raise InputError(
            "client_id {0!r} is a workload federation trust (/wfe), which has no secret: authenticate with "
            "oidc_token (CONDUCTORONE_OIDC_TOKEN), the OIDC token of the CI job".format(name))


CREDENTIAL_VARIABLES = {"client_id": "CONDUCTORONE_CLIENT_ID", "client_secret": "CONDUCTORONE_CLIENT_SECRET",
                        "oidc_token": "CONDUCTORONE_OIDC_TOKEN", "access_token": "CONDUCTORONE_ACCESS_TOKEN"}


def _unread_variable(option: str) -> str:
    """A note when the missing option's CONDUCTORONE_* variable is set but was not read (the task or module_defaults
    set another credential option, and credentials set there form one identity)."""
    variable = CREDENTIAL_VARIABLES[option]
    if not os.environ.get(variable):
        return ""
    return (". {0} is set in the environment but was not read: a credential option set on the task or in "
            "module_defaults makes those options one identity, so set {1} there too".format(variable, option))


def missing_credentials_message(client_id: str | None, client_secret: str | None, oidc_token: str | None) -> str:
    """What is missing, for the way of authenticating the options set so far point at (issue 22). An oidc_token
    without client_id is check_credentials' refusal."""
    if client_id:
        name, dummy, use_case = parse_client_id(client_id)
        if use_case == FEDERATION_USE_CASE:
            return ("oidc_token missing: client_id {0!r} is a workload federation trust (/wfe), which authenticates with "
                    "the OIDC token of the CI job: set oidc_token (CONDUCTORONE_OIDC_TOKEN){1}".format(
                        name, _unread_variable("oidc_token")))
        if use_case in ("pcc", "spc"):
            return ("client_secret missing: client_id {0!r} is set (a /{1} client), but not its client_secret: set "
                    "client_secret (CONDUCTORONE_CLIENT_SECRET) to the secret shown when the client was created{2}".format(
                        name, use_case, _unread_variable("client_secret")))
        return ("client_secret (or oidc_token) missing: client_id {0!r} is set without a client_secret "
                "(CONDUCTORONE_CLIENT_SECRET) or, for a workload federation trust (/wfe), an oidc_token "
                "(CONDUCTORONE_OIDC_TOKEN){1}".format(name, _unread_variable("client_secret")))
    if client_secret:
        return ("client_id missing: client_secret is set, but not the client id it belongs to: set client_id "
                "(CONDUCTORONE_CLIENT_ID), <name>@<tenant host>/pcc as shown with the secret{0}".format(
                    _unread_variable("client_id")))
    return ("no ConductorOne credentials: set client_id and client_secret (CONDUCTORONE_CLIENT_ID and "
            "CONDUCTORONE_CLIENT_SECRET) of a personal client or service principal; or client_id and oidc_token "
            "(CONDUCTORONE_CLIENT_ID and CONDUCTORONE_OIDC_TOKEN) of a workload federation trust; or else "
            "access_token (CONDUCTORONE_ACCESS_TOKEN) together with server_url or tenant_domain")


def require_credentials(client_id: str | None, client_secret: str | None, access_token: str | None,
                        oidc_token: str | None) -> None:
    """Refuse, before any request, options that name no complete way of authenticating, saying what is missing."""
    if (access_token and access_token.strip()) or (client_id and (client_secret or oidc_token)):
        return
    raise InputError(
        missing_credentials_message(client_id, client_secret, oidc_token))


class FreshForm(Dict[str, Optional[str]]):
    """A form built anew for every attempt of a request: it is the first attempt's form (a plain dict to
    anything that reads it), and the transport calls ``for_attempt(n)`` for a retry."""

    def __init__(self, build: Callable[[], Form]) -> None:
        super().__init__(build())
        self._build = build

    def for_attempt(self, attempt: int) -> Form:
        return dict(self) if attempt == 0 else self._build()


class TokenSource:
    """Hands out a bearer token: the static access_token, or one exchanged with the client credentials or the
    OIDC token of a workload federation trust.

    ``invalidate()`` after a 401 makes the next ``token()`` exchange again (when credentials allow).
    """

    def __init__(self, transport: HttpTransport, base_url: str, audience: str, client_id: str | None = None,
                 client_secret: str | None = None, access_token: str | None = None, cache: TokenCache | None = None,
                 oidc_token: str | None = None) -> None:
        self._transport = transport
        self._cache = cache
        self._token_url = base_url + TOKEN_PATH
        self._audience = audience
        self._client_id = client_id
        self._client_secret = client_secret
        self._oidc_token = _masking.add(oidc_token.strip()) if oidc_token else None
        _masking.add(oidc_token)
        self._static_token = access_token = clean_access_token(access_token)
        self._token: str | None = None
        self._expires_at = 0.0
        # True once this run holds a token exchanged for the OIDC token (by it, or by another task via the cache)
        self._oidc_token_used = False
        check_credentials(client_id, client_secret, oidc_token)
        require_credentials(client_id, client_secret, access_token, oidc_token)
        if client_secret:
            # Fail on a malformed secret before any request; the key itself (and cryptography) only when signing.
            decode_client_secret(client_secret)
        if oidc_token:
            oidc_token_expiry(oidc_token)

    @property
    def can_reauthenticate(self) -> bool:
        return bool(self._client_id and (self._client_secret or self._oidc_token))

    def token(self) -> str:
        if self._static_token:
            return self._static_token
        if self._token is None or time.time() >= self._expires_at:
            if self._cache:
                with self._cache.exclusive():
                    return self._load_or_exchange(self._cache)
            return self._exchange()
        return self._token

    def _load_or_exchange(self, cache: TokenCache) -> str:
        """The cached token if still good (another process may just have stored it), else a new one."""
        cached = cache.load()
        if cached is not None:
            # The cache holds the server's expiry; in memory, keep the usual margin.
            self._token, self._expires_at = _masking.add(cached[0]), cached[1] - TOKEN_EXPIRY_MARGIN_SECONDS
            self._oidc_token_used = bool(self._oidc_token)
            return self._token
        return self._exchange()

    def invalidate(self) -> bool:
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

    def _assertion_form(self, client_id: str, key: Ed25519PrivateKey) -> Form:
        """A token request with a freshly signed assertion, registered for masking before it is sent."""
        return {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": _masking.add(build_assertion(client_id, self._audience, key)),
        }

    def _federation_form(self, oidc_token: str) -> Form:
        expires = oidc_token_expiry(oidc_token)
        now = time.time()
        if expires is not None and expires <= now:
            raise ConductorOneError(
                "the OIDC token (oidc_token / CONDUCTORONE_OIDC_TOKEN) expired at {0}, {1:.0f} s ago, so it was not "
                "sent: fetch a new one from the CI system for this run".format(
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)), now - expires),
                operation="Token exchange")
        return {
            "grant_type": TOKEN_EXCHANGE_GRANT,
            "subject_token": oidc_token,
            "subject_token_type": JWT_TOKEN_TYPE,
            "client_id": self._client_id,
        }

    def _federation_hint(self, server_message: str) -> str:
        """Why a server may refuse an OIDC token that looks valid here, and what to do; only a refusal that says the
        token was used before gets the replay advice (a bad signature, audience or issuer needs another fix)."""
        if not REPLAY_WORDS.search(server_message):
            return (" - check that client_id is the trust's (.../wfe), that the OIDC token is from the trust's issuer "
                    "with its audience, unexpired, meets the trust's conditions, and has not been exchanged before")
        if self._oidc_token_used:
            return (" - this OIDC token was already exchanged in this run and the access token it gave was refused or "
                    "has expired; ConductorOne may accept each OIDC token only once (the emulator does): fetch a new "
                    "OIDC token and run again")
        if self._cache is None:
            return (" - with token_cache=false every task exchanges the OIDC token again, and a server that accepts each "
                    "OIDC token only once refuses it after the first task: keep token_cache enabled so that the tasks "
                    "share one exchange, or give each task a new OIDC token")
        return (" - the server says this OIDC token was used before (by another run, job or process): give each run "
                "a new OIDC token")

    def _exchange(self) -> str:
        form: Form
        if self._oidc_token:
            form = self._federation_form(self._oidc_token)
        else:
            # require_credentials (in __init__): without an OIDC token, a client id and its secret are set
            if not (self._client_id and self._client_secret):
                raise AssertionError("require_credentials let a client id without its secret through")
            client_id, key = self._client_id, parse_client_secret(self._client_secret)
            # each attempt signs a new assertion (see FreshForm), since the server may refuse one it has already seen
            form = FreshForm(lambda: self._assertion_form(client_id, key))
        started = time.time()
        try:
            # A token exchange has no side effect, so it may be retried like a GET.
            body = self._transport.send("POST", self._token_url, operation="Token exchange", form=form, idempotent=True)
        except ConductorOneError as exc:
            if self._oidc_token and exc.status in (400, 401):
                exc.message += self._federation_hint(exc.message)
            raise
        token, expires_in = token_from_response(body)
        self._token = token
        self._oidc_token_used = bool(self._oidc_token)
        self._expires_at = started + max(expires_in - TOKEN_EXPIRY_MARGIN_SECONDS, 1.0)
        if self._cache:
            # The server's expiry: TokenCache.load applies its own margin (MIN_REMAINING_SECONDS) on top of it.
            self._cache.store(token, started + expires_in)
        return token


def token_from_response(body: JSON) -> tuple[str, float]:
    """(access token, expires_in seconds) of a token endpoint's answer; the token joins the masked values."""
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise ConductorOneError("the token endpoint returned no access_token", operation="Token exchange")
    _masking.add(token)
    token = token.strip()
    if not bearer_token_ok(token):
        raise ConductorOneError("the token endpoint returned an access_token with characters a bearer token cannot "
                                "have (not shown)", operation="Token exchange")
    try:
        expires_in = float(body.get("expires_in") or 600)
    except (TypeError, ValueError):
        expires_in = 600.0
    if not math.isfinite(expires_in) or expires_in <= 0:
        expires_in = 600.0
    return token, expires_in
