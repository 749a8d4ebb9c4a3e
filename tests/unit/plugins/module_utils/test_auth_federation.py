# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workload identity federation (oidc_token with a /wfe client id) and tenant_domain; no traffic leaves the test."""

from __future__ import annotations

import base64
import json
import os
import time as real_time

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils import _auth
from ansible_collections.conductorone.iam.plugins.module_utils._api import ApiClient
from ansible_collections.conductorone.iam.plugins.module_utils._errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._token_cache import TokenCache, cache_key
from ansible_collections.conductorone.iam.tests.support.fakes import FakeTransport

NOW = 1760000000
WFE_ID = "clever-fox-42195@acme.conductor.one/wfe"
PCC_ID = "strange-hydra-68836@acme.conductor.one/pcc"
SECRET = "secret-token:conductorone.com:v1:" + base64.urlsafe_b64encode(json.dumps(
    {"kty": "OKP", "crv": "Ed25519", "x": "C2HLycGzyH_d40r2oz6h6JjvwoEQAgASEW6x0zzhzcc",
     "d": "-83VLWQU-eXPcFBYXCociSoWVhkbtWRosvFTgrjqsUo"}, separators=(",", ":")).encode()).rstrip(b"=").decode()
BASE = "https://acme.conductor.one"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt(**claims):
    """An unsigned-looking JWT: the collection never verifies it (only the server can)."""
    body = {"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/infra:ref:refs/heads/main",
            "aud": "https://github.com/acme", "iat": NOW - 10, "exp": NOW + 300}
    body.update(claims)
    body = dict((key, value) for key, value in body.items() if value is not None)
    return ".".join([b64(b'{"alg":"RS256","kid":"k"}'), b64(json.dumps(body).encode()), b64(b"signature-bytes-0123456789")])


OIDC = jwt()


class Clock:
    def __init__(self, now):
        self.now = float(now)

    def time(self):
        return self.now

    strftime = staticmethod(real_time.strftime)
    gmtime = staticmethod(real_time.gmtime)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(NOW)
    monkeypatch.setattr(_auth, "time", fake)
    return fake


def source(transport, cache=None, **kwargs):
    options = {"client_id": WFE_ID, "oidc_token": OIDC}
    options.update(kwargs)
    return _auth.TokenSource(transport, BASE, "acme.conductor.one", cache=cache, **options)


def refused(message="invalid_request: subject_token was already exchanged", status=400):
    return ConductorOneError(message, operation="Token exchange (POST /auth/v1/token)", status=status)


# --- tenant_domain -------------------------------------------------------------------------------

@pytest.mark.parametrize("tenant_domain, url", [
    ("acme", "https://acme.conductor.one"),
    ("ACME ", "https://acme.conductor.one"),
    ("acme.conductor.one", "https://acme.conductor.one"),
    ("c1.example.com", "https://c1.example.com"),
    ("c1.example.com:8443", "https://c1.example.com:8443"),
    ("localhost:8443", "https://localhost.conductor.one:8443"),
])
def test_tenant_domain_becomes_a_url(tenant_domain, url):
    assert _auth.tenant_domain_url(tenant_domain) == url


@pytest.mark.parametrize("tenant_domain", ["https://acme.conductor.one", "acme.conductor.one/api", "user@acme",
                                           "a b", "", ".acme.one", "acme..one", "acme.one?x", "acme\\x.one"])
def test_tenant_domain_refuses_urls_and_garbage(tenant_domain):
    with pytest.raises(InputError, match="tenant_domain .* use server_url"):
        _auth.tenant_domain_url(tenant_domain)


@pytest.mark.parametrize("tenant_domain", ["acme.one:port", "acme.one:99999", "\u0430cme.one"])
def test_tenant_domain_goes_through_the_one_url_parser(tenant_domain):
    with pytest.raises(InputError, match="^tenant_domain"):
        _auth.resolve_endpoint(None, None, tenant_domain=tenant_domain)


def test_tenant_domain_wins_over_the_client_id_host_and_gives_the_audience():
    endpoint = _auth.resolve_endpoint(None, "x@other.example.com/pcc", tenant_domain="acme")
    assert (endpoint.base_url, endpoint.audience) == (BASE, "acme.conductor.one")
    endpoint = _auth.resolve_endpoint(None, None, tenant_domain="c1.example.com:8443")
    assert (endpoint.base_url, endpoint.audience) == ("https://c1.example.com:8443", "c1.example.com")


def test_tenant_domain_is_always_https():
    assert _auth.resolve_endpoint(None, None, allow_http=True, tenant_domain="127.0.0.1:8080").scheme == "https"


def test_tenant_domain_and_server_url_are_mutually_exclusive():
    with pytest.raises(InputError, match="server_url and tenant_domain are both set"):
        _auth.resolve_endpoint(BASE, None, tenant_domain="acme")


def test_ambient_tenant_domain_cannot_redirect_an_explicit_client_id(monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_TENANT_DOMAIN", "evil")
    monkeypatch.delenv("CONDUCTORONE_CLIENT_ID", raising=False)
    with pytest.raises(InputError, match="CONDUCTORONE_TENANT_DOMAIN"):
        ApiClient({"client_id": WFE_ID, "oidc_token": OIDC, "tenant_domain": "evil"}, transport=FakeTransport())
    # the same tenant, or both from the environment, is fine
    monkeypatch.setenv("CONDUCTORONE_TENANT_DOMAIN", "acme")
    assert ApiClient({"client_id": WFE_ID, "oidc_token": OIDC, "tenant_domain": "acme"},
                     transport=FakeTransport()).base_url == BASE
    monkeypatch.setenv("CONDUCTORONE_TENANT_DOMAIN", "evil")
    monkeypatch.setenv("CONDUCTORONE_CLIENT_ID", WFE_ID)
    assert ApiClient({"client_id": WFE_ID, "oidc_token": OIDC, "tenant_domain": "evil"},
                     transport=FakeTransport()).base_url == "https://evil.conductor.one"


def test_api_client_takes_tenant_domain_with_an_access_token_and_sends_nothing_at_build():
    transport = FakeTransport(outcomes=[{"ok": True}])
    api = ApiClient({"tenant_domain": "acme", "access_token": "static"}, transport=transport)
    assert api.base_url == BASE
    assert api.call("GET", "/api/v1/iam/roles", "List roles") == {"ok": True}
    assert transport.calls[0]["url"] == BASE + "/api/v1/iam/roles"


def test_no_tenant_at_all_names_both_options():
    with pytest.raises(InputError, match="tenant_domain"):
        ApiClient({"access_token": "static"}, transport=FakeTransport())


# --- which credentials go together ---------------------------------------------------------------

@pytest.mark.parametrize("params, fragment", [
    ({"client_id": WFE_ID, "oidc_token": OIDC, "client_secret": SECRET}, "both set"),
    ({"client_id": PCC_ID, "oidc_token": OIDC, "client_secret": SECRET}, "both set"),
    ({"client_id": None, "oidc_token": OIDC}, "oidc_token needs client_id"),
    ({"client_id": PCC_ID, "oidc_token": OIDC}, "is a /pcc client"),
    ({"client_id": "x@acme.conductor.one/spc", "oidc_token": OIDC}, "is a /spc client"),
    ({"client_id": WFE_ID, "oidc_token": None, "client_secret": SECRET}, "has no secret"),
    ({"client_id": WFE_ID, "oidc_token": None}, "oidc_token missing: client_id"),
    ({"client_id": WFE_ID, "oidc_token": "not-a-jwt"}, "oidc_token is not a JWT"),
    ({"client_id": WFE_ID, "oidc_token": "a.bm90IGpzb24.c"}, "oidc_token is not a JWT"),
    ({"client_id": WFE_ID, "oidc_token": "a.WzFd.c"}, "oidc_token is not a JWT"),
])
def test_ambiguous_or_mismatched_credentials_are_refused_before_any_request(params, fragment):
    transport = FakeTransport()
    with pytest.raises(InputError) as excinfo:
        source(transport, **params)
    assert fragment in str(excinfo.value)
    assert transport.calls == []
    if params.get("oidc_token"):
        assert params["oidc_token"] not in str(excinfo.value)
    assert SECRET not in str(excinfo.value)


def test_oidc_token_expiry_is_read_without_verifying():
    assert _auth.oidc_token_expiry(OIDC) == NOW + 300
    assert _auth.oidc_token_expiry(jwt(exp=None)) is None
    assert _auth.oidc_token_expiry(jwt(exp="soon")) is None


# --- the exchange --------------------------------------------------------------------------------

def test_exchange_posts_the_rfc_8693_form(clock):
    transport = FakeTransport()
    assert source(transport).token() == "token-1"
    call = transport.calls[0]
    assert (call["method"], call["url"], call["idempotent"]) == ("POST", BASE + "/auth/v1/token", True)
    assert call["form"] == {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": OIDC,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "client_id": WFE_ID,
    }


def test_expired_oidc_token_is_not_sent(clock):
    transport = FakeTransport()
    clock.now = NOW + 301
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport).token()
    message = str(excinfo.value)
    assert "OIDC token (oidc_token / CONDUCTORONE_OIDC_TOKEN) expired at" in message and "fetch a new one" in message
    assert "1 s ago" in message and OIDC not in message
    assert transport.calls == []


@pytest.mark.parametrize("offset, sent", [(299, True), (300, False)])  # exp is NOW + 300: at exp it is expired
def test_oidc_token_expiry_boundary(clock, offset, sent):
    transport = FakeTransport()
    clock.now = NOW + offset
    if sent:
        source(transport).token()
        assert len(transport.token_calls) == 1
        return
    with pytest.raises(ConductorOneError, match="expired at"):
        source(transport).token()
    assert transport.calls == []


def test_401_reexchanges_while_the_oidc_token_is_valid_then_says_it_expired(clock):
    transport = FakeTransport(outcomes=[refused("unauthenticated", 401), {"ok": 1}, refused("unauthenticated", 401)])
    api = ApiClient({"client_id": WFE_ID, "oidc_token": OIDC, "server_url": BASE, "token_cache": False}, transport=transport)
    assert api.call("GET", "/api/v1/iam/roles", "List roles") == {"ok": 1}
    assert len(transport.token_calls) == 2 and transport.token_calls[1]["form"]["subject_token"] == OIDC
    clock.now = NOW + 400  # the OIDC token has expired since
    with pytest.raises(ConductorOneError, match="expired at") as excinfo:
        api.call("GET", "/api/v1/iam/roles", "List roles")
    assert len(transport.token_calls) == 2 and OIDC not in str(excinfo.value)


def test_refused_reexchange_names_the_replay_and_the_fix(clock):
    transport = FakeTransport()
    tokens = source(transport, cache=None)
    tokens.token()
    transport.token_errors.append(refused())
    assert tokens.invalidate() is True
    with pytest.raises(ConductorOneError) as excinfo:
        tokens.token()
    message = str(excinfo.value)
    assert "already exchanged in this run" in message and "fetch a new OIDC token" in message
    assert OIDC not in message


# what the emulator's token endpoint says (tests/emulator/c1emu/federation.py, oidc.py), as _http.py words an OAuth error
REPLAYED = "invalid_request: subject_token was already exchanged; each OIDC token is accepted once (replay refused)"
NOT_REPLAYED = [
    "invalid_request: subject_token signature is invalid",
    "invalid_request: subject_token audience 'https://github.com/acme' does not include 'acme.conductor.one'",
    "invalid_request: subject_token issuer 'https://token.actions.githubusercontent.com' is not the issuer of this trust",
    "invalid_request: subject_token has expired",
    "invalid_request: subject_token is not valid yet (nbf)",
    "invalid_request: subject_token claim sub does not meet the condition of this trust",
    "invalid_request: subject_token is not a compact JWS (three base64url parts)",
    "invalid_client: unknown client",
]
CHECKLIST = "check that client_id is the trust's (.../wfe)"


def test_first_refusal_without_the_cache_points_at_token_cache(clock):
    transport = FakeTransport(token_errors=[refused(REPLAYED)])
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport, cache=None).token()
    message = str(excinfo.value)
    assert "token_cache=false" in message and "keep token_cache enabled" in message
    assert CHECKLIST not in message and OIDC not in message


@pytest.mark.parametrize("server_message", NOT_REPLAYED)
@pytest.mark.parametrize("status", [400, 401])
def test_a_refusal_that_is_no_replay_gets_the_checklist_not_the_cache_advice(clock, server_message, status):
    transport = FakeTransport(token_errors=[refused(server_message, status)])
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport, cache=None).token()
    message = str(excinfo.value)
    assert server_message in message and CHECKLIST in message
    assert "token_cache" not in message and "only once" not in message and OIDC not in message


@pytest.mark.parametrize("server_message", NOT_REPLAYED[:3])
def test_a_refused_reexchange_that_is_no_replay_gets_the_checklist(clock, server_message):
    transport = FakeTransport()
    tokens = source(transport, cache=None)
    tokens.token()
    transport.token_errors.append(refused(server_message))
    assert tokens.invalidate() is True
    with pytest.raises(ConductorOneError) as excinfo:
        tokens.token()
    message = str(excinfo.value)
    assert CHECKLIST in message and "already exchanged in this run" not in message and OIDC not in message


def test_a_replay_with_the_cache_on_says_the_token_was_used_elsewhere(clock, private_token_cache):
    transport = FakeTransport(token_errors=[refused(REPLAYED)])
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport, cache=TokenCache(cache_key(BASE, WFE_ID, OIDC))).token()
    message = str(excinfo.value)
    assert "was used before" in message and "token_cache" not in message and CHECKLIST not in message


def test_first_refusal_with_the_cache_lists_what_to_check(clock, private_token_cache):
    transport = FakeTransport(token_errors=[refused("invalid_request: subject_token audience 'x'", 400)])
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport, cache=TokenCache(cache_key(BASE, WFE_ID, OIDC))).token()
    assert "audience" in str(excinfo.value) and "trust's issuer" in str(excinfo.value)


def test_other_failures_get_no_hint(clock):
    transport = FakeTransport(token_errors=[refused("unavailable", 503)])
    with pytest.raises(ConductorOneError) as excinfo:
        source(transport).token()
    assert str(excinfo.value).endswith("unavailable")


def test_a_token_loaded_from_the_cache_counts_as_an_exchange_of_this_oidc_token(clock, private_token_cache):
    cache = TokenCache(cache_key(BASE, WFE_ID, OIDC))
    cache.store("cached-token", real_time.time() + 600)
    transport = FakeTransport(token_errors=[refused()])
    tokens = source(transport, cache=cache)
    assert tokens.token() == "cached-token" and transport.calls == []
    assert tokens.invalidate() is True
    with pytest.raises(ConductorOneError, match="already exchanged in this run"):
        tokens.token()


def test_access_token_comes_first_then_the_oidc_token(clock):
    transport = FakeTransport()
    tokens = source(transport, access_token="static")
    assert tokens.token() == "static" and transport.calls == []
    assert tokens.invalidate() is True
    assert tokens.token() == "token-1"
    assert transport.token_calls[0]["form"]["grant_type"].endswith("token-exchange")


# --- the token cache -----------------------------------------------------------------------------

def test_cache_key_holds_a_digest_of_the_oidc_token(private_token_cache):
    first = ApiClient({"client_id": WFE_ID, "oidc_token": OIDC}, transport=FakeTransport())
    same = ApiClient({"client_id": WFE_ID, "oidc_token": OIDC}, transport=FakeTransport())
    other = ApiClient({"client_id": WFE_ID, "oidc_token": jwt(sub="repo:acme/other")}, transport=FakeTransport())
    assert first.tokens._cache.path == same.tokens._cache.path != other.tokens._cache.path
    name = os.path.basename(first.tokens._cache.path)
    assert OIDC not in name and "clever-fox" not in name


def test_second_client_reuses_the_cached_exchange(private_token_cache):
    live = jwt(exp=int(real_time.time()) + 600)  # the cache runs on the real clock
    transport = FakeTransport(outcomes=[{"a": 1}, {"b": 2}])
    ApiClient({"client_id": WFE_ID, "oidc_token": live}, transport=transport).call("GET", "/x", "X")
    ApiClient({"client_id": WFE_ID, "oidc_token": live}, transport=transport).call("GET", "/y", "Y")
    assert len(transport.token_calls) == 1
    for name in os.listdir(str(private_token_cache)):
        with open(os.path.join(str(private_token_cache), name)) as handle:
            assert live not in handle.read()


# --- masking -------------------------------------------------------------------------------------

def test_the_oidc_token_and_the_exchanged_token_join_the_run_masking_registry(clock):
    from ansible_collections.conductorone.iam.plugins.module_utils import _masking
    _masking.new_run()
    tokens = source(FakeTransport())
    assert OIDC in _masking.registry()
    assert tokens.token() == "token-1"
    assert "token-1" in _masking.registry()
    assert _masking.mask("refused: " + OIDC + " / token-1") == "refused: ******** / ********"
