# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HttpTransport: retry policy, Retry-After, backoff, error shape."""

from __future__ import annotations

import email.utils
import json
import re
import socket
import ssl

import pytest
import requests

from ansible_collections.conductorone.iam.plugins.module_utils import _http
from ansible_collections.conductorone.iam.plugins.module_utils._errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._version import USER_AGENT
from ansible_collections.conductorone.iam.tests.support.fakes import FakeSession

BASE = "https://acme.conductor.one"
ROLES_URL = BASE + "/api/v1/iam/roles"
ROLES_OPERATION = "Roles.List (GET /api/v1/iam/roles)"
NOW = 1760000000.0


def make_response(status, body=None, headers=None, text=None, reason=None):
    """A real requests.Response, as the session would return it."""
    response = requests.Response()
    response.status_code = status
    response.reason = reason or {200: "OK", 401: "Unauthorized", 429: "Too Many Requests", 502: "Bad Gateway",
                                 503: "Service Unavailable"}.get(status, "Status")
    response.encoding = "utf-8"
    response.url = ROLES_URL
    if body is not None:
        response._content = json.dumps(body).encode("utf-8")
        response.headers["Content-Type"] = "application/json"
    elif text is not None:
        response._content = text.encode("utf-8")
    else:
        response._content = b""
    response.headers.update(headers or {})
    return response


def gateway_error(status, code, message, headers=None):
    return make_response(status, {"code": code, "message": message, "details": []}, headers=headers)


class Harness:
    def __init__(self, monkeypatch, outcomes, **kwargs):
        self.sleeps = []
        self.warnings = []
        self.transport = _http.HttpTransport(warn=self.warnings.append, sleep=self.sleeps.append, **kwargs)
        self.session = FakeSession(outcomes)
        monkeypatch.setattr(self.transport.session, "request", self.session)

    def send(self, method="GET", url=ROLES_URL, operation="Roles.List", **kwargs):
        return self.transport.send(method, url, operation, **kwargs)


# --- Retry-After ---------------------------------------------------------------------------------

def test_429_with_retry_after_seconds_is_retried_after_that_delay(monkeypatch):
    harness = Harness(monkeypatch, [
        gateway_error(429, 8, "rate limited", headers={"Retry-After": "7"}),
        make_response(200, {"list": [{"id": "r1"}]}),
    ])
    assert harness.send() == {"list": [{"id": "r1"}]}
    assert harness.sleeps == [7.0]
    assert len(harness.session.calls) == 2
    assert len(harness.warnings) == 1
    assert "HTTP 429" in harness.warnings[0]
    assert "retry 1 of 4 in 7.0s" in harness.warnings[0]
    assert ROLES_OPERATION in harness.warnings[0]


def test_429_with_retry_after_http_date(monkeypatch):
    class Clock:
        @staticmethod
        def time():
            return NOW

    monkeypatch.setattr(_http, "time", Clock)
    harness = Harness(monkeypatch, [
        gateway_error(429, 8, "rate limited", headers={"Retry-After": email.utils.formatdate(NOW + 12, usegmt=True)}),
        make_response(200, {}),
    ])
    harness.send()
    assert harness.sleeps == [12.0]


def test_retry_after_is_capped(monkeypatch):
    harness = Harness(monkeypatch, [
        gateway_error(429, 8, "rate limited", headers={"Retry-After": "3600"}),
        make_response(200, {}),
    ])
    harness.send()
    assert harness.sleeps == [_http.RETRY_AFTER_CAP_SECONDS]
    assert _http.RETRY_AFTER_CAP_SECONDS == 60.0


def test_429_on_post_is_retried(monkeypatch):
    harness = Harness(monkeypatch, [
        gateway_error(429, 8, "rate limited", headers={"Retry-After": "1"}),
        make_response(200, {"role": {"id": "r1"}}),
    ])
    body = harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={"role": {}, "updateMask": "displayName"})
    assert body == {"role": {"id": "r1"}}
    assert [call["method"] for call in harness.session.calls] == ["POST", "POST"]
    assert harness.sleeps == [1.0]


# --- 5xx and idempotency -------------------------------------------------------------------------

def test_503_on_get_is_retried_then_succeeds(monkeypatch):
    harness = Harness(monkeypatch, [
        gateway_error(503, 14, "unavailable"),
        gateway_error(503, 14, "unavailable"),
        make_response(200, {"list": []}),
    ])
    assert harness.send() == {"list": []}
    assert len(harness.session.calls) == 3
    assert len(harness.sleeps) == 2
    # No Retry-After: full jitter below the exponential bound of each attempt.
    assert 0.0 <= harness.sleeps[0] <= 0.5
    assert 0.0 <= harness.sleeps[1] <= 1.0
    assert len(harness.warnings) == 2
    assert "retry 1 of 4" in harness.warnings[0]
    assert "retry 2 of 4" in harness.warnings[1]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_5xx_on_delete_are_retried(monkeypatch, status):
    harness = Harness(monkeypatch, [gateway_error(status, 13, "boom"), make_response(200, {})])
    assert harness.send("DELETE", BASE + "/api/v1/iam/personal_clients/c1", "PersonalClientService.Delete") == {}
    assert len(harness.session.calls) == 2


def test_503_on_post_is_not_retried(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(503, 14, "unavailable"), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
    assert excinfo.value.status == 503
    assert excinfo.value.code == 14
    assert excinfo.value.operation == "Roles.Update (POST /api/v1/iam/roles/r1)"
    assert "gave up" not in excinfo.value.message
    assert len(harness.session.calls) == 1
    assert harness.sleeps == []
    assert harness.warnings == []


def test_post_marked_idempotent_is_retried_on_503(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(503, 14, "unavailable"), make_response(200, {"access_token": "t"})])
    assert harness.send("POST", BASE + "/auth/v1/token", "Token exchange", form={"a": "b"}, idempotent=True) == {"access_token": "t"}
    assert len(harness.session.calls) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 501])
def test_non_retryable_statuses_fail_at_once(monkeypatch, status):
    harness = Harness(monkeypatch, [gateway_error(status, 3, "nope"), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.status == status
    assert len(harness.session.calls) == 1
    assert harness.sleeps == []


# --- network errors ------------------------------------------------------------------------------

def test_connection_error_on_get_is_retried(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.ConnectionError("connection reset"), make_response(200, {"ok": True})])
    assert harness.send() == {"ok": True}
    assert len(harness.session.calls) == 2
    assert len(harness.sleeps) == 1
    assert len(harness.warnings) == 1
    assert "connection failed" in harness.warnings[0]


def test_connection_error_on_post_is_not_retried(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.ConnectionError("connection reset"), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", BASE + "/api/v1/iam/personal_clients", "PersonalClientService.Create", json_body={})
    assert len(harness.session.calls) == 1
    assert harness.sleeps == []
    message = excinfo.value.message
    assert "connection failed" in message
    assert "connection reset" in message
    assert "not retried" in message
    assert excinfo.value.status is None


def test_timeout_on_get_is_retried_until_the_budget_is_spent(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.ReadTimeout("read timed out")] * 3, retries=2, timeout=5.0)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert len(harness.session.calls) == 3
    assert len(harness.sleeps) == 2
    assert len(harness.warnings) == 2
    assert "timed out after 5.0s" in excinfo.value.message
    assert "not retried" not in excinfo.value.message
    assert excinfo.value.operation == ROLES_OPERATION


def test_timeout_on_post_is_not_retried(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.Timeout("slow"), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
    assert len(harness.session.calls) == 1
    assert "timed out" in excinfo.value.message
    assert "not retried" in excinfo.value.message


def test_ssl_error_mentions_ca_path_and_is_not_retried(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.SSLError("certificate verify failed"), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send(params={"page_size": 100})
    message = excinfo.value.message
    assert "ca_path" in message
    assert "CONDUCTORONE_CA_PATH" in message
    assert "certificate verify failed" in message
    assert BASE in message
    assert "page_size" not in message
    assert len(harness.session.calls) == 1
    assert harness.sleeps == []


def test_truncated_response_body_is_an_api_error(monkeypatch):
    harness = Harness(monkeypatch, [requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
                                    make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
    assert "not retried" in excinfo.value.message
    assert len(harness.session.calls) == 1


def test_retries_zero_means_a_single_attempt(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(429, 8, "slow down"), make_response(200, {})], retries=0)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert len(harness.session.calls) == 1
    assert "gave up after 0 retries" in excinfo.value.message


# --- error shape ---------------------------------------------------------------------------------

def test_budget_exhausted_error_carries_everything_from_the_message_request_id(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(503, 14, "upstream unavailable (request-id: abc123)")] * 3, retries=2)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    error = excinfo.value
    assert error.status == 503
    assert error.code == 14
    assert error.code_name == "UNAVAILABLE"
    assert error.request_id == "abc123"
    assert error.operation == ROLES_OPERATION
    assert error.message.startswith("upstream unavailable (request-id: abc123)")
    assert "gave up after 2 retries" in error.message
    text = str(error)
    for part in (ROLES_OPERATION, "HTTP 503", "code 14 (UNAVAILABLE)", "upstream unavailable", "abc123", "gave up after 2 retries"):
        assert part in text
    # The request id is already in the message: not repeated.
    assert text.count("abc123") == 1
    assert len(harness.session.calls) == 3
    assert len(harness.sleeps) == 2
    assert len(harness.warnings) == 2
    assert all("request-id: abc123" in warning for warning in harness.warnings)
    assert error.as_result() == {"operation": ROLES_OPERATION, "status": 503, "code": 14, "message": error.message,
                                 "request_id": "abc123"}


def test_budget_exhausted_error_takes_request_id_from_header(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(429, 8, "too many requests", headers={"X-Request-Id": "hdr-77"})] * 2,
                      retries=1)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    error = excinfo.value
    assert error.request_id == "hdr-77"
    assert error.status == 429
    assert error.code == 8
    text = str(error)
    assert text.startswith(ROLES_OPERATION + " failed [HTTP 429, code 8 (RESOURCE_EXHAUSTED)]: too many requests")
    assert text.endswith("(request-id: hdr-77)")
    assert len(harness.warnings) == 1
    assert "(request-id: hdr-77)" in harness.warnings[0]


def test_grpc_metadata_request_id_header(monkeypatch):
    harness = Harness(monkeypatch, [gateway_error(404, 5, "not found", headers={"Grpc-Metadata-X-Request-Id": "g-1"})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.request_id == "g-1"


def test_html_502_body_becomes_a_readable_message(monkeypatch):
    html = ("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n"
            "<hr><center>nginx</center>\n</body>\n</html>\n")
    harness = Harness(monkeypatch, [make_response(502, text=html, headers={"Content-Type": "text/html; charset=utf-8"})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
    message = excinfo.value.message
    assert "<" not in message and ">" not in message
    assert message.startswith("non-JSON text/html response: 502 Bad Gateway")
    assert "nginx" in message
    assert "\n" not in message
    assert excinfo.value.status == 502
    assert excinfo.value.code is None


def test_empty_error_body_still_gives_a_message(monkeypatch):
    harness = Harness(monkeypatch, [make_response(500, text="")])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
    assert excinfo.value.message == "non-JSON error response"


def test_gateway_body_without_message_falls_back_to_reason(monkeypatch):
    harness = Harness(monkeypatch, [make_response(403, {"code": 7}, reason="Forbidden")])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.message == "Forbidden"
    assert excinfo.value.code == 7


def test_oauth_error_body(monkeypatch):
    harness = Harness(monkeypatch, [make_response(401, {"error": "invalid_client", "error_description": "bad assertion signature"})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", BASE + "/auth/v1/token", "Token exchange", form={}, idempotent=True)
    error = excinfo.value
    assert error.message == "invalid_client: bad assertion signature"
    assert error.status == 401
    assert error.code is None
    assert error.operation == "Token exchange (POST /auth/v1/token)"
    assert len(harness.session.calls) == 1


def test_oauth_error_without_description(monkeypatch):
    harness = Harness(monkeypatch, [make_response(400, {"error": "unsupported_grant_type"})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", BASE + "/auth/v1/token", "Token exchange", form={}, idempotent=True)
    assert excinfo.value.message == "unsupported_grant_type"


# --- successful responses and request shape ------------------------------------------------------

def test_request_shape(monkeypatch):
    harness = Harness(monkeypatch, [make_response(200, {"ok": 1})], timeout=12.5)
    harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={"a": 1}, params={"p": "q"},
                 headers={"Authorization": "Bearer t"})
    call = harness.session.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == ROLES_URL + "/r1"
    assert call["json"] == {"a": 1}
    assert call["data"] is None
    assert call["params"] == {"p": "q"}
    assert call["headers"] == {"Authorization": "Bearer t"}
    assert call["timeout"] == 12.5
    assert harness.transport.session.headers["User-Agent"] == USER_AGENT
    assert harness.transport.session.headers["Accept"] == "application/json"


def test_empty_success_body_is_an_empty_dict(monkeypatch):
    harness = Harness(monkeypatch, [make_response(200)])
    assert harness.send("DELETE", ROLES_URL + "/x", "Delete") == {}


def test_non_json_success_body_is_an_error(monkeypatch):
    harness = Harness(monkeypatch, [make_response(200, text="<html>login</html>")])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.status == 200
    assert "not JSON" in excinfo.value.message


def test_tls_settings():
    warnings = []
    assert _http.HttpTransport(warn=warnings.append).verify is True
    assert _http.HttpTransport(ca_path="/etc/ca.pem", warn=warnings.append).verify == "/etc/ca.pem"
    assert warnings == []
    unverified = _http.HttpTransport(validate_certs=False, ca_path="/etc/ca.pem", warn=warnings.append)
    assert unverified.verify is False
    assert len(warnings) == 1
    assert "validate_certs" in warnings[0]


def test_verify_is_passed_per_request_so_requests_ca_bundle_cannot_override_it(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE win over a session-level verify; a per-request verify wins over it.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/somewhere/else.pem")
    transport = _http.HttpTransport(ca_path="/etc/ca.pem", warn=lambda message: None)
    seen = {}

    def fake_request(method, url, **kwargs):
        seen.update(kwargs)
        return make_response(200, body={})

    monkeypatch.setattr(transport.session, "request", fake_request)
    transport.send("GET", "https://acme.conductor.one/api/v1/iam/roles", "Roles.List")
    assert seen["verify"] == "/etc/ca.pem"


def test_negative_retries_mean_none():
    assert _http.HttpTransport(retries=-3).retries == 0


# --- helpers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("attempt, bound", [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (20, 30.0)])
def test_backoff_delay_full_jitter_bounds(attempt, bound):
    assert _http.backoff_delay(attempt, rand=lambda: 0.0) == 0.0
    assert _http.backoff_delay(attempt, rand=lambda: 1.0) == bound
    assert _http.backoff_delay(attempt, rand=lambda: 0.5) == bound / 2
    for dummy in range(50):
        assert 0.0 <= _http.backoff_delay(attempt) <= bound


@pytest.mark.parametrize("retry_after, expected", [(0.0, 0.0), (5.0, 5.0), (60.0, 60.0), (61.0, 60.0), (1e9, 60.0)])
def test_backoff_delay_retry_after_wins_capped(retry_after, expected):
    assert _http.backoff_delay(0, retry_after, rand=lambda: 1.0) == expected
    assert _http.backoff_delay(10, retry_after, rand=lambda: 1.0) == expected


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("", None),
    ("0", 0.0),
    ("120", 120.0),
    (" 5 ", 5.0),
    (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
    ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),  # in the past: no wait
    ("soon", None),
    ("-5", None),
    ("1.5", None),
    ("Mon, 99 Foo 2025 99:99:99 GMT", None),
])
def test_parse_retry_after(value, expected):
    assert _http.parse_retry_after(value, now=NOW) == expected


# --- where requests go (security) ------------------------------------------------------------------

def test_redirects_are_never_followed_and_name_the_target_host(monkeypatch):
    redirect = make_response(307, headers={"Location": "https://u:pw@evil.example:8443/steal?x=1"})
    harness = Harness(monkeypatch, [redirect])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send("POST", BASE + "/auth/v1/token", "Token exchange", form={"a": "b"}, idempotent=True)
    message = str(excinfo.value)
    assert "HTTP 307" in message
    assert "https://evil.example:8443" in message
    assert "pw" not in message.replace("https", "")
    assert harness.session.calls[0]["allow_redirects"] is False
    assert len(harness.session.calls) == 1


def test_a_url_for_another_origin_is_refused_before_sending(monkeypatch):
    harness = Harness(monkeypatch, [make_response(200, {})])
    harness.send()  # pins the endpoint to BASE
    for url in ("https://evil.example/api/v1/iam/roles", "https://acme.conductor.one.evil.example/x",
                "http://acme.conductor.one/x", BASE + "@evil.example/x"):
        with pytest.raises(ConductorOneError, match="refusing to send"):
            harness.send(url=url)
    assert len(harness.session.calls) == 1


def test_paths_are_joined_to_the_endpoint(monkeypatch):
    from ansible_collections.conductorone.iam.plugins.module_utils._url import parse_server_url

    sleeps = []
    transport = _http.HttpTransport(endpoint=parse_server_url(BASE), sleep=sleeps.append)
    session = FakeSession([make_response(200, {})])
    monkeypatch.setattr(transport.session, "request", session)
    transport.send("GET", "/api/v1/iam/roles", "Roles.List")
    assert session.calls[0]["url"] == ROLES_URL


def test_the_pinned_adapter_refuses_a_prepared_request_for_another_host():
    from ansible_collections.conductorone.iam.plugins.module_utils._url import parse_server_url

    transport = _http.HttpTransport(endpoint=parse_server_url(BASE))
    adapter = transport.session.get_adapter("https://evil.example/")
    prepared = requests.Request("GET", "https://evil.example/x").prepare()
    with pytest.raises(ConductorOneError, match="refusing to send a request to https://evil.example"):
        adapter.send(prepared)


def test_a_fresh_form_is_rebuilt_for_every_retry(monkeypatch):
    from ansible_collections.conductorone.iam.plugins.module_utils._auth import FreshForm

    built = []

    def build():
        built.append({"client_assertion": "assertion-{0}".format(len(built))})
        return built[-1]

    harness = Harness(monkeypatch, [requests.exceptions.ConnectionError("reset"), make_response(200, {"access_token": "t"})])
    harness.send("POST", BASE + "/auth/v1/token", "Token exchange", form=FreshForm(build), idempotent=True)
    sent = [call["data"]["client_assertion"] for call in harness.session.calls]
    assert sent == ["assertion-0", "assertion-1"]


def test_a_server_message_is_truncated_and_masked():
    from ansible_collections.conductorone.iam.plugins.module_utils import _masking

    _masking.new_run().add("exchanged-token-123456")
    response = make_response(403, {"code": 7, "message": "permission denied for Bearer exchanged-token-123456 " + "x" * 1000})
    error = _http.error_from_response(response, "Roles.List")
    assert "exchanged-token-123456" not in error.message
    assert len(error.message) < 400
    oauth = make_response(401, {"error": "invalid_client",
                                "error_description": "bad client_assertion=eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"})
    assert "eyJpc3MiOiJ4In0" not in _http.error_from_response(oauth, "Token exchange").message


@pytest.mark.parametrize("visible", [4, 10, 20])
def test_a_token_cut_by_the_server_message_limit_shows_no_head(visible):
    # The server's message is quoted up to MAX_SERVER_MESSAGE_CHARS: a token straddling that limit is masked whole.
    from ansible_collections.conductorone.iam.plugins.module_utils import _masking

    token = "exchanged-Zq81mRv03kLpW7tok"
    _masking.new_run().add(token)
    padding = "x" * (_http.MAX_SERVER_MESSAGE_CHARS - visible)
    response = make_response(403, {"code": 7, "message": padding + token + " tail" * 20})
    message = _http.error_from_response(response, "Roles.List").message
    assert "more characters" in message
    assert token[:visible] not in message and token[:4] not in message


# --- every retryable status, with and without Retry-After -----------------------------------------------------------
# A server may send Retry-After with any of them (RFC 9110 names 503 first); it is honoured for each one retried.

RETRYABLE = sorted(_http.RETRY_ALWAYS_STATUSES | _http.RETRY_IDEMPOTENT_STATUSES)
IDEMPOTENT_CALLS = {
    "GET": dict(method="GET"),
    "DELETE": dict(method="DELETE", url=BASE + "/api/v1/iam/personal_clients/c1", operation="PersonalClientService.Delete"),
    "token": dict(method="POST", url=BASE + "/auth/v1/token", operation="Token exchange", form={"a": "b"}, idempotent=True),
}


def test_the_retryable_statuses_are_429_and_the_transient_5xx():
    assert RETRYABLE == [429, 500, 502, 503, 504]


@pytest.mark.parametrize("call", sorted(IDEMPOTENT_CALLS))
@pytest.mark.parametrize("status", RETRYABLE)
def test_retry_after_seconds_is_honoured_on_every_retryable_status(monkeypatch, status, call):
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers={"Retry-After": "7"}), make_response(200, {})])
    assert harness.send(**IDEMPOTENT_CALLS[call]) == {}
    assert harness.sleeps == [7.0]
    assert len(harness.session.calls) == 2
    assert "HTTP {0}".format(status) in harness.warnings[0] and "retry 1 of 4 in 7.0s" in harness.warnings[0]


@pytest.mark.parametrize("status", RETRYABLE)
def test_retry_after_http_date_is_honoured_on_every_retryable_status(monkeypatch, status):
    class Clock:
        @staticmethod
        def time():
            return NOW

    monkeypatch.setattr(_http, "time", Clock)
    when = email.utils.formatdate(NOW + 12, usegmt=True)
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers={"Retry-After": when}), make_response(200, {})])
    harness.send()
    assert harness.sleeps == [12.0]


@pytest.mark.parametrize("status", RETRYABLE)
def test_retry_after_above_the_cap_is_capped_on_every_retryable_status(monkeypatch, status):
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers={"Retry-After": "3600"}), make_response(200, {})])
    harness.send()
    assert harness.sleeps == [_http.RETRY_AFTER_CAP_SECONDS]


@pytest.mark.parametrize("status", RETRYABLE)
def test_retry_after_holds_back_every_thread_of_the_run_on_every_retryable_status(monkeypatch, status):
    # The next request (any thread) waits for the time the server named; without the header nobody else waits.
    for headers, held in (({"Retry-After": "7"}, True), ({}, False)):
        harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers=headers), make_response(200, {})])
        harness.send()
        slept = len(harness.sleeps)
        harness.transport.gate.wait()  # what another thread's next request does first
        other_thread = harness.sleeps[slept:]
        assert bool(other_thread) == held, headers
        assert all(6.0 < delay <= 7.0 for delay in other_thread)


@pytest.mark.parametrize("call", sorted(IDEMPOTENT_CALLS))
@pytest.mark.parametrize("status", RETRYABLE)
def test_without_retry_after_every_retryable_status_backs_off_with_jitter(monkeypatch, status, call):
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy"), gateway_error(status, 14, "busy"), make_response(200, {})])
    assert harness.send(**IDEMPOTENT_CALLS[call]) == {}
    assert len(harness.session.calls) == 3 and len(harness.sleeps) == 2
    assert 0.0 <= harness.sleeps[0] <= 0.5 and 0.0 <= harness.sleeps[1] <= 1.0


@pytest.mark.parametrize("retry_after", [None, "7"])
@pytest.mark.parametrize("status", RETRYABLE)
def test_a_post_is_retried_only_on_429_with_or_without_retry_after(monkeypatch, status, retry_after):
    headers = {"Retry-After": retry_after} if retry_after else {}
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers=headers), make_response(200, {"role": {}})])
    if status in _http.RETRY_ALWAYS_STATUSES:
        assert harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={}) == {"role": {}}
        assert len(harness.session.calls) == 2 and len(harness.sleeps) == 1
        assert (harness.sleeps[0] == 7.0) if retry_after else (0.0 <= harness.sleeps[0] <= 0.5)
    else:
        with pytest.raises(ConductorOneError) as excinfo:
            harness.send("POST", ROLES_URL + "/r1", "Roles.Update", json_body={})
        assert excinfo.value.status == status and "gave up" not in excinfo.value.message
        assert len(harness.session.calls) == 1 and harness.sleeps == []


@pytest.mark.parametrize("retry_after", [None, "2"])
@pytest.mark.parametrize("status", RETRYABLE)
def test_every_retryable_status_gives_up_after_the_budget(monkeypatch, status, retry_after):
    headers = {"Retry-After": retry_after} if retry_after else {}
    harness = Harness(monkeypatch, [gateway_error(status, 14, "busy", headers=headers) for dummy in range(3)], retries=2)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.status == status
    assert excinfo.value.message.endswith("(gave up after 2 retries)")
    assert len(harness.session.calls) == 3 and len(harness.sleeps) == 2
    if retry_after:
        assert harness.sleeps == [2.0, 2.0]


@pytest.mark.parametrize("visible", [4, 9, 20])
def test_a_token_cut_by_the_html_snippet_limit_shows_no_head(visible):
    # A non-JSON body is quoted as a 200-character snippet: a token in the page across that cut is masked whole.
    from ansible_collections.conductorone.iam.plugins.module_utils import _masking

    token = "exchanged-Zq81mRv03kLpW7tok"
    _masking.new_run().add(token)
    page = "<html><body><p>" + "x" * (200 - visible) + token + " tail</p></body></html>"
    message = _http.error_from_response(make_response(502, text=page, headers={"Content-Type": "text/html"}), "Roles.List").message
    assert message.startswith("non-JSON text/html response: x")
    assert token[:visible] not in message and token[:4] not in message


def test_a_jwt_cut_by_the_html_snippet_limit_shows_no_head():
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
    page = "<pre>" + "x" * 180 + jwt + "</pre>"
    message = _http.error_from_response(make_response(502, text=page, headers={"Content-Type": "text/html"}), "Roles.List").message
    assert "eyJhbGciOiJF" not in message and "eyJpc3MiOiJ4In0" not in message


@pytest.mark.parametrize("status, outcome", [(299, "ok"), (300, "redirect"), (399, "redirect"), (400, "error")])
def test_status_class_boundaries(monkeypatch, status, outcome):
    harness = Harness(monkeypatch, [make_response(status, {"list": []}, headers={"Location": "https://elsewhere.example/x"})])
    if outcome == "ok":
        assert harness.send() == {"list": []}
        return
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.status == status
    assert ("redirects are never followed" in excinfo.value.message) == (outcome == "redirect")
    assert len(harness.session.calls) == 1


@pytest.mark.parametrize("visible", [4, 10])
def test_a_token_cut_by_the_request_id_limit_shows_no_head(visible):
    from ansible_collections.conductorone.iam.plugins.module_utils import _masking

    token = "exchanged-Zq81mRv03kLpW7tok"
    _masking.new_run().add(token)
    response = make_response(500, {"code": 13, "message": "boom"}, headers={"X-Request-Id": "r" * (100 - visible) + token})
    error = _http.error_from_response(response, "Roles.List")
    assert token[:visible] not in error.request_id and token[:4] not in error.request_id


# --- issue 22: errors that say what happened ------------------------------------------------------------------

def _chained(outer, *inner):
    """``outer`` raised while handling ``inner[0]``, itself raised from ``inner[1]``... (as requests wraps urllib3)."""
    cause = None
    for exc in reversed(inner):
        exc.__cause__ = cause
        cause = exc
    outer.__cause__ = cause
    return outer


def _not_tls():
    return _chained(requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='acme.conductor.one', port=443): Max retries exceeded with url: /api/v1/iam/roles"),
        ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"))


def test_plain_http_behind_an_https_url_is_said_to_not_speak_tls_without_ca_path_advice(monkeypatch):
    harness = Harness(monkeypatch, [_not_tls(), make_response(200, {})])
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    message = excinfo.value.message
    assert re.match(r"^the server at acme\.conductor\.one port 443 does not speak TLS: .* not a certificate problem\. "
                    r"The URL says https://; .* use http://acme\.conductor\.one:443 as server_url", message), message
    assert "allow_plain_http" in message
    assert "ca_path" not in message and "CA_PATH" not in message
    assert len(harness.session.calls) == 1


@pytest.mark.parametrize("text", ["[SSL: RECORD_LAYER_FAILURE] record layer failure (_ssl.c:1000)",
                                  "[SSL: PACKET_LENGTH_TOO_LONG] packet length too long", "[SSL: UNKNOWN_PROTOCOL] unknown protocol"])
def test_other_openssl_words_for_a_server_that_is_not_tls(text):
    endpoint = _http.parse_server_url("https://127.0.0.1:8443")
    error = _http.tls_error(endpoint, _chained(requests.exceptions.SSLError("wrapped"), ssl.SSLError(1, text)), "op")
    assert error.message.startswith("the server at 127.0.0.1 port 8443 does not speak TLS")


def test_a_handshake_failure_that_is_neither_is_not_blamed_on_ca_path():
    endpoint = _http.parse_server_url("https://127.0.0.1:8443")
    error = _http.tls_error(endpoint, requests.exceptions.SSLError("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] handshake failure"), "op")
    assert error.message.startswith("the TLS handshake with 127.0.0.1 port 8443 failed: ")
    assert "ca_path" not in error.message


def _refused():
    return _chained(requests.exceptions.ConnectionError("HTTPSConnectionPool(host='acme.conductor.one', port=443): Max "
                                                        "retries exceeded (Caused by NewConnectionError(...))"),
                    ConnectionRefusedError(111, "Connection refused"))


def _unresolvable(errno=socket.EAI_NONAME):
    return _chained(requests.exceptions.ConnectionError("HTTPSConnectionPool(host='acme.conductor.one', port=443): "
                                                        "Max retries exceeded (Caused by NameResolutionError(...))"),
                    socket.gaierror(errno, "Name or service not known"))


def test_connection_refused_is_retried_once_then_names_host_port_and_what_to_check(monkeypatch):
    harness = Harness(monkeypatch, [_refused(), _refused(), _refused(), make_response(200, {})], retries=4)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert len(harness.session.calls) == 2  # one retry, not four
    assert len(harness.warnings) == 1 and "cannot connect (connection refused); retry 1 of 4" in harness.warnings[0]
    assert re.match(r"^cannot connect to acme\.conductor\.one port 443: connection refused, nothing is listening there "
                    r"\(the request was not sent\)\. Check the host and port of server_url", excinfo.value.message)


def test_connection_refused_on_a_post_is_retried_once_too_since_nothing_was_sent(monkeypatch):
    harness = Harness(monkeypatch, [_refused(), make_response(200, {"ok": True})])
    assert harness.send("POST", BASE + "/api/v1/iam/personal_clients", "Create", json_body={}) == {"ok": True}
    assert len(harness.session.calls) == 2


def test_refused_with_retries_0_fails_at_once(monkeypatch):
    harness = Harness(monkeypatch, [_refused(), make_response(200, {})], retries=0)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.message.startswith("cannot connect to acme.conductor.one port 443: connection refused")
    assert len(harness.session.calls) == 1 and harness.warnings == []


def test_a_name_that_does_not_resolve_fails_fast_naming_the_host(monkeypatch):
    harness = Harness(monkeypatch, [_unresolvable(), make_response(200, {})], retries=4)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert len(harness.session.calls) == 1 and harness.sleeps == [] and harness.warnings == []
    assert re.match(r"^cannot resolve the host name acme\.conductor\.one \(port 443\): the host name does not resolve "
                    r"\(the request was not sent\)\. Check the host in server_url", excinfo.value.message)
    assert "tenant_domain" in excinfo.value.message


def test_a_temporary_resolver_failure_is_retried_once(monkeypatch):
    harness = Harness(monkeypatch, [_unresolvable(socket.EAI_AGAIN), _unresolvable(socket.EAI_AGAIN),
                                    make_response(200, {})], retries=4)
    with pytest.raises(ConductorOneError) as excinfo:
        harness.send()
    assert excinfo.value.message.startswith("cannot resolve the host name acme.conductor.one (port 443): temporary failure")
    assert len(harness.session.calls) == 2


def test_transient_connection_errors_keep_the_jittered_backoff(monkeypatch):
    """A reset connection (not refused, not DNS) is still retried up to the budget with growing, jittered delays."""
    monkeypatch.setattr(_http.backoff_delay, "__defaults__", (None, lambda: 1.0))
    harness = Harness(monkeypatch, [requests.exceptions.ConnectionError("connection reset")] * 4 + [make_response(200, {})],
                      retries=4)
    assert harness.send() == {}
    assert harness.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_real_refused_connection_is_classified():
    """The exception chain of a real refused connection (urllib3, not the session: no request reaches a server)."""
    import urllib3  # pylint: disable=import-outside-toplevel

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        try:
            urllib3.PoolManager(retries=False).request("GET", "http://127.0.0.1:%d/" % port)
        except urllib3.exceptions.HTTPError as exc:
            error = requests.exceptions.ConnectionError(exc)
            error.__context__ = exc
        else:
            raise AssertionError("the connection was not refused")
    assert _http.connect_failure(error) == "refused"
