# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_url: one parse decides the connection target and the assertion audience; anything ambiguous is refused."""

from __future__ import annotations

import re

import pytest
from urllib3.util import parse_url

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client import url as _url
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError


@pytest.fixture(autouse=True)
def fresh_registry():
    return _masking.new_run()


@pytest.mark.parametrize("url, base, audience", [
    ("https://acme.conductor.one", "https://acme.conductor.one", "acme.conductor.one"),
    ("https://acme.conductor.one/", "https://acme.conductor.one", "acme.conductor.one"),
    ("HTTPS://ACME.Conductor.One:8443", "https://acme.conductor.one:8443", "acme.conductor.one"),
    ("http://127.0.0.1:40123", "http://127.0.0.1:40123", "127.0.0.1"),
    ("http://127.9.8.7:1", "http://127.9.8.7:1", "127.9.8.7"),
    ("http://localhost:8080/", "http://localhost:8080", "localhost"),
    ("http://[::1]:8080", "http://[::1]:8080", "::1"),
    ("https://[2001:db8::1]", "https://[2001:db8::1]", "2001:db8::1"),
])
def test_accepted_urls_give_base_and_audience_from_the_same_parse(url, base, audience):
    endpoint = _url.parse_server_url(url)
    assert (endpoint.base_url, endpoint.audience) == (base, audience)
    # the transport's parser agrees on where the base URL connects
    assert parse_url(endpoint.base_url).host.strip("[]") == audience


SECRETISH = "hunter2-password"


@pytest.mark.parametrize("url, words", [
    ("http://evil:8080\\@tenant.conductor.one", "backslash"),
    ("https://evil.example\\@tenant.conductor.one/", "backslash"),
    ("https://user:" + SECRETISH + "@acme.conductor.one", "user name or password"),
    ("https://" + SECRETISH + "@acme.conductor.one", "user name or password"),
    ("https://acme.conductor.one@evil.example", "user name or password"),
    ("https://acme.conductor.one/?x=1", "query or fragment"),
    ("https://acme.conductor.one?x", "query or fragment"),
    ("https://acme.conductor.one#frag", "query or fragment"),
    ("https://acme.conductor.one/api", "path"),
    ("https://acme.conductor.one/%2e%2e/", "path"),
    ("ftp://acme.conductor.one", "https://"),
    ("acme.conductor.one", "https://"),
    ("//acme.conductor.one", "https://"),
    ("https://", "host"),
    ("https://acme.conductor.one ", "space, control"),
    ("https://acme.conductor.one\n", "space, control"),
    ("https://acme.conductor.one\x00.evil", "space, control"),
    ("https://acme\u202e.conductor.one", "space, control"),
    ("https://bücher.example", "non-ASCII"),
    ("https://acme.conductor.one:99999", "not a valid URL"),
    ("http://acme.conductor.one", "use https://"),
    ("http://10.0.0.5:8080", "use https://"),
    ("http://128.0.0.1", "use https://"),
    ("http://localhost.evil.example", "use https://"),
    ("", "must be a URL"),
])
def test_ambiguous_or_unsafe_urls_are_refused_without_echoing_userinfo(url, words):
    with pytest.raises(InputError) as excinfo:
        _url.parse_server_url(url)
    message = str(excinfo.value)
    assert "server_url" in message
    assert words in message
    assert SECRETISH not in message
    assert "evil:8080" not in message


def test_a_password_in_the_url_joins_the_masked_values():
    with pytest.raises(InputError):
        _url.parse_server_url("https://user:" + SECRETISH + "@acme.conductor.one")
    assert _masking.mask("server_url: https://user:" + SECRETISH + "@acme") == "server_url: https://********@acme"
    with pytest.raises(InputError):
        _url.parse_server_url("https://" + SECRETISH + "@acme.conductor.one")
    assert SECRETISH not in _masking.mask("https://" + SECRETISH + "@acme.conductor.one")


def test_refusing_plain_http_to_another_host_names_the_opt_in():
    """Issue 22: the refusal says https, and names allow_plain_http (and its variable) for the case it is meant for."""
    with pytest.raises(InputError) as caught:
        _url.parse_server_url("http://emulator.ci:9000")
    assert re.match(r"^server_url: plain http:// is only allowed to a loopback host .*: use https://, e\.g\. "
                    r"https://acme\.conductor\.one, or set allow_plain_http \(CONDUCTORONE_ALLOW_PLAIN_HTTP\)", str(caught.value))


def test_plain_http_to_another_host_needs_the_opt_in():
    endpoint = _url.parse_server_url("http://emulator.ci:9000", allow_http=True)
    assert (endpoint.base_url, endpoint.audience) == ("http://emulator.ci:9000", "emulator.ci")


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.255.255.254", True), ("[::1]", True), ("localhost", True), ("LOCALHOST.", True),
    ("128.0.0.1", False), ("10.0.0.1", False), ("localhost.example", False), ("::2", False), ("", False),
])
def test_is_loopback(host, loopback):
    assert _url.is_loopback(host) is loopback


def test_endpoint_url_builds_only_api_paths():
    endpoint = _url.parse_server_url("https://acme.conductor.one")
    assert endpoint.url("/api/v1/iam/roles") == "https://acme.conductor.one/api/v1/iam/roles"
    for path in ("api", "//evil.example/x", "/a\\b", "/a?b", "/a#b", "/a b", "https://evil.example/"):
        with pytest.raises(ValueError):
            endpoint.url(path)


@pytest.mark.parametrize("url, same", [
    ("https://acme.conductor.one/api/v1/iam/roles?page_size=1", True),
    ("https://acme.conductor.one:443/x", True),
    ("https://acme.conductor.one:8443/x", False),
    ("http://acme.conductor.one/x", False),
    ("https://evil.example/x", False),
    ("https://u:p@acme.conductor.one/x", False),
    ("not a url at all \\", False),
])
def test_same_origin(url, same):
    assert _url.parse_server_url("https://acme.conductor.one").same_origin(url) is same


def test_safe_origin_never_shows_userinfo_path_or_query():
    assert _url.safe_origin("https://u:pw@evil.example:8443/p?q=1#f") == "https://evil.example:8443"


def test_explicit_client_id_with_ambient_server_url_for_another_host_is_refused():
    endpoint = _url.parse_server_url("https://evil.example")
    with pytest.raises(InputError, match="CONDUCTORONE_SERVER_URL") as excinfo:
        _url.check_ambient_tenant(endpoint, "acme.conductor.one", "server_url", option_from_environment=True,
                                  client_id_from_environment=False)
    assert "acme.conductor.one" in str(excinfo.value)
    assert "set server_url on the task too" in str(excinfo.value)


def test_explicit_client_id_with_ambient_tenant_domain_for_another_host_is_refused_by_the_same_rule():
    endpoint = _url.parse_server_url(_url.tenant_domain_url("evil"))
    with pytest.raises(InputError, match="the tenant comes from CONDUCTORONE_TENANT_DOMAIN") as excinfo:
        _url.check_ambient_tenant(endpoint, "acme.conductor.one", "tenant_domain", option_from_environment=True,
                                  client_id_from_environment=False)
    assert "evil.conductor.one" in str(excinfo.value) and "set tenant_domain (or server_url) on the task too" in str(excinfo.value)


@pytest.mark.parametrize("server_env, client_env, server_url", [
    (True, False, "https://acme.conductor.one:8443"),  # same host: fine
    (False, False, "https://evil.example"),  # explicit server_url: the user's own pairing
    (True, True, "https://evil.example"),  # both from the environment: one identity
])
def test_other_pairings_are_kept(server_env, client_env, server_url):
    for option in ("server_url", "tenant_domain"):  # one rule for both ambient tenant options
        _url.check_ambient_tenant(_url.parse_server_url(server_url), "acme.conductor.one", option,
                                  option_from_environment=server_env, client_id_from_environment=client_env)
