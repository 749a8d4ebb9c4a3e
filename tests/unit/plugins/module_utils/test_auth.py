# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client id / secret parsing, the EdDSA assertion and the token source."""

from __future__ import annotations

import json
import re

import pytest

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ansible_collections.conductorone.iam.plugins.module_utils._client import auth as _auth
from ansible_collections.conductorone.iam.plugins.module_utils._client import url as _url
from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import parse_client_id, tenant_host
from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.tests.support import fakes
from ansible_collections.conductorone.iam.tests.support.secrets import (
    DOCS_D, DOCS_SECRET_JWK, DOCS_X, b64url, b64url_decode, make_secret)

# The keypair of the ConductorOne docs' example secret (API-NOTES section 7.3).
DOC_X, DOC_D, DOC_JWK = DOCS_X, DOCS_D, DOCS_SECRET_JWK
CLIENT_ID = "strange-hydra-68836@acme.conductor.one/pcc"
NOW = 1760000000
DOC_SECRET = make_secret(DOC_JWK)
DOC_KEY_PART = DOC_SECRET.rsplit(":", 1)[1]


def verify_jws(jws, x=DOC_X):
    """Verify a compact JWS with the public key ``x``; return (header, claims)."""
    header_b64, claims_b64, signature_b64 = jws.split(".")
    public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(x))
    # Raises InvalidSignature when the signature does not match.
    public_key.verify(b64url_decode(signature_b64), (header_b64 + "." + claims_b64).encode("ascii"))
    return json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(claims_b64))


class Clock:
    """Stands in for the time module inside _auth."""

    def __init__(self, now):
        self.now = float(now)

    def time(self):
        return self.now


# --- the secret and the assertion ----------------------------------------------------------------

def test_doc_secret_parses_to_the_doc_keypair():
    key = _auth.parse_client_secret(DOC_SECRET)
    raw_public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert b64url(raw_public) == DOC_X


def test_secret_with_surrounding_whitespace_is_accepted():
    key = _auth.parse_client_secret("  " + DOC_SECRET + "\n")
    assert b64url(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)) == DOC_X


def test_secret_without_x_is_accepted():
    key = _auth.parse_client_secret(make_secret({"kty": "OKP", "crv": "Ed25519", "d": DOC_D}))
    assert b64url(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)) == DOC_X


def test_assertion_is_signed_by_the_secret_and_verifies_with_the_public_key():
    key = _auth.parse_client_secret(DOC_SECRET)
    jws = _auth.build_assertion(CLIENT_ID, "acme.conductor.one", key, now=NOW)
    header, claims = verify_jws(jws)
    assert header["alg"] == "EdDSA"
    assert claims["iss"] == CLIENT_ID
    assert claims["sub"] == CLIENT_ID
    assert claims["aud"] == "acme.conductor.one"
    assert claims["iat"] == NOW
    assert claims["nbf"] == NOW - 120
    assert claims["exp"] == NOW + 120
    assert "jti" not in claims
    # No padding anywhere in the compact serialisation.
    assert "=" not in jws


def test_assertion_does_not_verify_with_another_public_key():
    key = _auth.parse_client_secret(DOC_SECRET)
    jws = _auth.build_assertion(CLIENT_ID, "acme.conductor.one", key, now=NOW)
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(InvalidSignature):
        verify_jws(jws, x=b64url(other))


def test_assertion_nonce_differs_per_call():
    key = _auth.parse_client_secret(DOC_SECRET)
    first = verify_jws(_auth.build_assertion(CLIENT_ID, "acme.conductor.one", key, now=NOW))[0]
    second = verify_jws(_auth.build_assertion(CLIENT_ID, "acme.conductor.one", key, now=NOW))[0]
    assert first["nonce"] != second["nonce"]


def test_assertion_uses_the_clock_when_now_is_omitted(monkeypatch):
    monkeypatch.setattr(_auth, "time", Clock(NOW + 0.75))
    key = _auth.parse_client_secret(DOC_SECRET)
    claims = verify_jws(_auth.build_assertion(CLIENT_ID, "acme.conductor.one", key))[1]
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (NOW, NOW - 120, NOW + 120)


def _other_x():
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64url(other)


MALFORMED_SECRETS = {
    "wrong prefix": "secret-token:example.com:v1:" + DOC_KEY_PART,
    "wrong version": "secret-token:conductorone.com:v2:" + DOC_KEY_PART,
    "too few parts": "secret-token:conductorone.com:" + DOC_KEY_PART,
    "bad base64": "secret-token:conductorone.com:v1:" + DOC_KEY_PART[:-1] + "~" + DOC_KEY_PART[:1],
    "impossible base64 length": "secret-token:conductorone.com:v1:" + DOC_KEY_PART + "A",
    "not json": "secret-token:conductorone.com:v1:" + b64url(b"this is " + DOC_D.encode("ascii")),
    "json list": "secret-token:conductorone.com:v1:" + b64url(json.dumps([DOC_D]).encode("ascii")),
    "not utf-8": "secret-token:conductorone.com:v1:" + b64url(b"\xff\xfe" + DOC_D.encode("ascii")),
    "wrong kty": make_secret(dict(DOC_JWK, kty="RSA")),
    "wrong crv": make_secret(dict(DOC_JWK, crv="X25519")),
    "public only": make_secret({"kty": "OKP", "crv": "Ed25519", "x": DOC_X}),
    "short d": make_secret(dict(DOC_JWK, d=DOC_D[:20])),
    "d not a string": make_secret(dict(DOC_JWK, d=12345)),
    "x not matching d": make_secret(dict(DOC_JWK, x=_other_x())),
}


@pytest.mark.parametrize("secret", list(MALFORMED_SECRETS.values()), ids=list(MALFORMED_SECRETS))
def test_malformed_secret_is_refused_without_echoing_it(secret):
    with pytest.raises(InputError) as excinfo:
        _auth.parse_client_secret(secret)
    text = str(excinfo.value)
    assert "client_secret" in text
    key_part = secret.split(":", 3)[-1]
    assert key_part not in text
    assert DOC_D not in text
    assert DOC_D[:12] not in text


def test_mismatched_keypair_says_so():
    with pytest.raises(InputError, match="do not match"):
        _auth.parse_client_secret(MALFORMED_SECRETS["x not matching d"])


# --- client id and endpoint ----------------------------------------------------------------------

@pytest.mark.parametrize("client_id, expected", [
    ("x@acme.conductor.one/pcc", ("x", "acme.conductor.one", "pcc")),
    ("strange-hydra-68836@ACME.Conductor.One/pcc", ("strange-hydra-68836", "acme.conductor.one", "pcc")),
    ("clever-fox@127.0.0.1:8443/spc", ("clever-fox", "127.0.0.1:8443", "spc")),
    ("clever-fox@localhost:8443/wfe", ("clever-fox", "localhost:8443", "wfe")),
])
def test_parse_client_id(client_id, expected):
    assert parse_client_id(client_id) == expected


@pytest.mark.parametrize("client_id", [
    "xacme.conductor.one/pcc",  # no @
    "x@acme.conductor.one",  # no /
    "@acme.conductor.one/pcc",  # empty name
    "x@/pcc",  # empty host
    "x@acme.conductor.one/",  # empty use case
    "x@acme.conductor.one/pcc/extra",  # extra path
    "x@y@acme.conductor.one/pcc",  # two @
    "",
])
def test_parse_client_id_refuses_malformed(client_id):
    with pytest.raises(InputError) as excinfo:
        parse_client_id(client_id)
    assert "client_id" in str(excinfo.value)
    # Never the value itself (it may be a secret given in the wrong option); at most its name part.
    assert not client_id or repr(client_id) not in str(excinfo.value)


def test_parse_client_id_never_echoes_a_swapped_secret():
    with pytest.raises(InputError, match="swapped") as excinfo:
        parse_client_id(DOC_SECRET)
    assert DOC_KEY_PART not in str(excinfo.value)


def test_resolve_endpoint_server_url_wins_and_audience_has_no_port():
    endpoint = _url.resolve_endpoint("https://127.0.0.1:8443/", tenant_host("x@acme.conductor.one/pcc"))
    assert endpoint.base_url == "https://127.0.0.1:8443"
    assert endpoint.audience == "127.0.0.1"


def test_resolve_endpoint_server_url_alone():
    endpoint = _url.resolve_endpoint("http://127.0.0.1:9000", None)
    assert (endpoint.base_url, endpoint.audience) == ("http://127.0.0.1:9000", "127.0.0.1")


def test_resolve_endpoint_derived_from_client_id():
    endpoint = _url.resolve_endpoint(None, tenant_host("x@Acme.conductor.one/pcc"))
    assert (endpoint.base_url, endpoint.audience) == ("https://acme.conductor.one", "acme.conductor.one")


def test_resolve_endpoint_derived_from_client_id_with_port():
    endpoint = _url.resolve_endpoint("", tenant_host("x@acme.example:8443/pcc"))
    assert (endpoint.base_url, endpoint.audience) == ("https://acme.example:8443", "acme.example")


def test_resolve_endpoint_needs_server_url_or_client_id():
    with pytest.raises(InputError, match="server_url"):
        _url.resolve_endpoint(None, None)


@pytest.mark.parametrize("server_url", ["ftp://acme.conductor.one", "acme.conductor.one", "https://"])
def test_resolve_endpoint_refuses_non_http_server_url(server_url):
    with pytest.raises(InputError, match="server_url"):
        _url.resolve_endpoint(server_url, tenant_host("x@acme.conductor.one/pcc"))


# --- token source --------------------------------------------------------------------------------

def FakeTransport(expires_in=600, body=None):  # pylint: disable=invalid-name
    """Token answers that expire in 600 s unless told otherwise."""
    return fakes.FakeTransport(expires_in=expires_in, body=body)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(NOW)
    monkeypatch.setattr(_auth, "time", fake)
    return fake


def token_source(transport, **kwargs):
    options = {"client_id": CLIENT_ID, "client_secret": DOC_SECRET}
    options.update(kwargs)
    return _auth.TokenSource(transport, "https://acme.conductor.one", "acme.conductor.one", **options)


@pytest.mark.parametrize("kwargs, message", [
    # nothing set: every way of authenticating, none of them spoken of as if it were set
    ({"client_id": None, "client_secret": None}, r"^no ConductorOne credentials: set client_id and client_secret \("),
    # a personal client's id without its secret: the secret is what is missing
    ({"client_secret": None}, r"^client_secret missing: client_id 'strange-hydra-68836' is set \(a /pcc client\), but not "
                              r"its client_secret: set client_secret \(CONDUCTORONE_CLIENT_SECRET\)"),
    ({"client_secret": None, "client_id": "svc@acme.conductor.one/spc"}, r"^client_secret missing: client_id 'svc' .*/spc"),
    ({"client_secret": None, "client_id": "trust@acme.conductor.one/wfe"},
     r"^oidc_token missing: client_id 'trust' is a workload federation trust \(/wfe\).* set oidc_token \(CONDUCTORONE_OIDC_TOKEN\)"),
    ({"client_secret": None, "client_id": "x@acme.conductor.one/other"}, r"^client_secret \(or oidc_token\) missing: client_id 'x'"),
    # a secret without its client id
    ({"client_id": None}, r"^client_id missing: client_secret is set, but not the client id it belongs to: set client_id "
                          r"\(CONDUCTORONE_CLIENT_ID\)"),
])
def test_token_source_requires_credentials(kwargs, message):
    transport = FakeTransport()
    with pytest.raises(InputError) as caught:
        token_source(transport, **kwargs)
    assert re.search(message, str(caught.value)), str(caught.value)
    assert "access_token" not in str(caught.value) or message.startswith("^no ")
    assert "CONDUCTORONE_" not in str(caught.value).partition("is set in the environment")[2]
    assert transport.calls == []


def test_nothing_set_does_not_speak_of_access_token_as_set():
    """Issue 22: with no option at all, the message is about credentials, not "access_token alone" needing a tenant."""
    with pytest.raises(InputError) as caught:
        ApiClient({}, transport=FakeTransport())
    message = str(caught.value)
    assert message.startswith("no ConductorOne credentials: set client_id and client_secret")
    assert "alone" not in message and "no ConductorOne tenant" not in message


def test_missing_partner_in_the_environment_is_named_as_not_read(monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_CLIENT_SECRET", "secret-token:conductorone.com:v1:abc")
    with pytest.raises(InputError, match=r"^client_secret missing: .*\. CONDUCTORONE_CLIENT_SECRET is set in the environment "
                                         r"but was not read"):
        token_source(FakeTransport(), client_secret=None)


def test_token_source_refuses_malformed_secret_before_any_request():
    transport = FakeTransport()
    with pytest.raises(InputError, match="client_secret"):
        token_source(transport, client_secret="secret-token:conductorone.com:v1:AAAA")
    assert transport.calls == []


def test_token_source_refuses_malformed_client_id():
    with pytest.raises(InputError, match="client_id"):
        token_source(FakeTransport(), client_id="no-at-sign/pcc")


def test_static_token_is_used_as_is():
    transport = FakeTransport()
    source = token_source(transport, client_id=None, client_secret=None, access_token="static-abc")
    assert source.token() == "static-abc"
    assert source.token() == "static-abc"
    assert transport.calls == []
    assert not source.can_reauthenticate


def test_exchange_posts_a_verifiable_assertion(clock):
    transport = FakeTransport()
    source = token_source(transport)
    assert source.token() == "token-1"
    assert len(transport.calls) == 1
    call = transport.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == "https://acme.conductor.one/auth/v1/token"
    assert call["idempotent"] is True
    assert call["json_body"] is None
    form = call["form"]
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in form
    header, claims = verify_jws(form["client_assertion"])
    assert header["alg"] == "EdDSA"
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == "acme.conductor.one"
    assert claims["nbf"] == NOW - 120
    assert claims["exp"] == NOW + 120


def test_exchanged_token_is_cached_until_shortly_before_expiry(clock):
    transport = FakeTransport(expires_in=600)
    source = token_source(transport)
    assert source.token() == "token-1"
    clock.now += 569  # expires_in minus the 30 s margin, minus one second
    assert source.token() == "token-1"
    assert len(transport.calls) == 1
    clock.now += 1
    assert source.token() == "token-2"
    assert len(transport.calls) == 2


def test_exchange_without_expires_in_assumes_ten_minutes(clock):
    transport = FakeTransport(body={"access_token": "t"})
    source = token_source(transport)
    source.token()
    clock.now += 569
    source.token()
    assert len(transport.calls) == 1
    clock.now += 1
    source.token()
    assert len(transport.calls) == 2


@pytest.mark.parametrize("expires_in, kept_for", [(0, 570), (-1, 570), (1, 1), (31, 1), (32, 2), (600, 570)])
def test_expires_in_boundaries(clock, expires_in, kept_for):
    # A positive expires_in is the server's word, less the 30 s margin but kept at least 1 s; zero or less is not
    # an answer, so ten minutes. The token is used until exactly that moment, then exchanged again.
    transport = FakeTransport(body={"access_token": "t", "expires_in": expires_in})
    source = token_source(transport)
    source.token()
    clock.now += kept_for - 1
    source.token()
    assert len(transport.calls) == 1
    clock.now += 1
    source.token()
    assert len(transport.calls) == 2


@pytest.mark.parametrize("body", [{}, {"access_token": ""}, {"token_type": "Bearer"}, []])
def test_exchange_without_access_token_is_an_api_error(body):
    source = token_source(FakeTransport(body=body))
    with pytest.raises(ConductorOneError) as excinfo:
        source.token()
    assert excinfo.value.operation == "Token exchange"
    assert "access_token" in excinfo.value.message


def test_invalidate_exchanged_token_forces_a_new_exchange(clock):
    transport = FakeTransport()
    source = token_source(transport)
    assert source.token() == "token-1"
    assert source.invalidate() is True
    assert source.token() == "token-2"
    assert len(transport.calls) == 2


def test_invalidate_static_token_with_credentials_falls_back_to_exchange(clock):
    transport = FakeTransport()
    source = token_source(transport, access_token="static-abc")
    assert source.token() == "static-abc"
    assert transport.calls == []
    assert source.invalidate() is True
    assert source.token() == "token-1"
    assert len(transport.calls) == 1
    # From now on it behaves like a pure credential source.
    assert source.invalidate() is True
    assert source.token() == "token-2"


def test_invalidate_static_token_alone_has_no_fallback():
    transport = FakeTransport()
    source = token_source(transport, client_id=None, client_secret=None, access_token="static-abc")
    assert source.invalidate() is False
    assert source.token() == "static-abc"
    assert transport.calls == []


# --- secrets join the masked values; odd tokens ----------------------------------------------------

def test_access_token_surrounding_whitespace_is_stripped():
    assert token_source(FakeTransport(), access_token="abc.def-123\n", client_id=None, client_secret=None).token() == "abc.def-123"


@pytest.mark.parametrize("token", ["abc\ndef-1234", "abc def-1234", "abc\x00def-1234", "abc\u202edef-1234"])
def test_access_token_with_inner_control_characters_is_refused_without_echo(token):
    with pytest.raises(InputError, match="access_token") as excinfo:
        token_source(FakeTransport(), access_token=token, client_id=None, client_secret=None)
    assert "def-1234" not in str(excinfo.value)


def test_exchanged_token_assertion_and_secret_parts_are_registered_for_masking():
    registry = _masking.new_run()
    transport = FakeTransport()
    source = token_source(transport)
    token = source.token()
    assertion = transport.calls[0]["form"]["client_assertion"]
    assert registry.mask("x {0} {1} {2} {3}".format(token, assertion, DOC_SECRET, DOC_D)) == "x ******** ******** ******** ********"


def test_each_retry_of_the_exchange_signs_a_new_assertion():
    form = None

    class Capturing(fakes.FakeTransport):
        def send(self, method, url, operation, **kwargs):
            nonlocal form
            form = kwargs["form"]
            return super().send(method, url, operation, **kwargs)

    token_source(Capturing()).token()
    first, retry = form.for_attempt(0)["client_assertion"], form.for_attempt(1)["client_assertion"]
    assert first == form["client_assertion"]
    assert retry != first
    assert verify_jws(retry)[1]["aud"] == "acme.conductor.one"


@pytest.mark.parametrize("body", [{"access_token": 12345}, {"access_token": "a b"}, {"access_token": ""},
                                  {"access_token": "ok-token", "expires_in": "nan"}])
def test_odd_token_responses(body):
    transport = FakeTransport(body=body)
    if body["access_token"] == "ok-token":
        source = token_source(transport)
        assert source.token() == "ok-token"
        return
    with pytest.raises(ConductorOneError, match="access_token"):
        token_source(transport).token()


# --- one rule for a bearer token's characters (the option, the token endpoint's answer, the token cache) -----------

@pytest.mark.parametrize("token, sendable", [
    ("eyJhbGciOi.J9-_~+/=", True),
    ("tok en", False),            # a space inside
    ("tok\tx", False),            # a control character
    ("tok\x7fx", False),          # DEL
    ("tok\u200bx", False),        # an invisible (zero-width) character
    ("t\u00f6k", False),          # non-ASCII
])
def test_the_option_the_token_endpoint_and_the_cache_accept_the_same_tokens(token, sendable):
    from ansible_collections.conductorone.iam.plugins.module_utils._client import token_cache as _token_cache  # pylint: disable=import-outside-toplevel
    assert _auth.bearer_token_ok(token) is sendable
    if sendable:
        assert _auth.clean_access_token(token) == token
        assert _auth.token_from_response({"access_token": token, "expires_in": 600})[0] == token
    else:
        with pytest.raises(InputError, match="cannot be sent as a bearer token"):
            _auth.clean_access_token(token)
        with pytest.raises(ConductorOneError, match="characters a bearer token cannot have"):
            _auth.token_from_response({"access_token": token, "expires_in": 600})
    entry = {"access_token": token, "expires_at": 4102444800.0}  # 2100
    assert (_token_cache.valid_entry(entry, now=1000.0) is not None) is sendable
