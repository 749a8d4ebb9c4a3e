# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Security hardening outside the URL parser and the masking registry (issue 11): token cache entries, key and
directories; secret file directory and reuse; display names; results carrying a new secret."""

from __future__ import annotations

import base64
import json
import os
from types import SimpleNamespace

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import auth as _auth
from ansible_collections.conductorone.iam.plugins.module_utils._client import url as _url
from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._resources import runner as _runner
from ansible_collections.conductorone.iam.plugins.module_utils._client import token_cache as _token_cache
from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import check_display_text
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PersonalClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.secret_file import (
    check_secret_path, secret_file_record)

NOW = 1760000000.0
KEY = _token_cache.cache_key("https://acme.conductor.one", "c@acme.conductor.one/pcc", "secret-token:x")


# --- token cache (findings 7 and 10) -----------------------------------------------------------------

@pytest.mark.parametrize("entry", [
    {"access_token": 12345, "expires_at": NOW + 3600},
    {"access_token": "", "expires_at": NOW + 3600},
    {"access_token": "tok\n", "expires_at": NOW + 3600},
    {"access_token": "to k", "expires_at": NOW + 3600},
    {"access_token": ["t"], "expires_at": NOW + 3600},
    {"access_token": "tok", "expires_at": "tomorrow"},
    {"access_token": "tok", "expires_at": float("inf")},
    {"access_token": "tok", "expires_at": float("nan")},
    {"access_token": "tok", "expires_at": True},
    {"access_token": "tok"},
    {"expires_at": NOW + 3600},
    ["tok", NOW + 3600],
    "tok",
    None,
])
def test_a_malformed_cache_entry_means_no_cache(private_token_cache, entry):
    cache = _token_cache.TokenCache(KEY)
    cache.store("placeholder", NOW + 3600)  # creates the private directory
    with open(cache.path, "w", encoding="utf-8") as handle:
        json.dump(entry, handle)
    assert cache.load(now=NOW) is None


def test_a_wellformed_entry_is_used(private_token_cache):
    cache = _token_cache.TokenCache(KEY)
    cache.store("tok", NOW + 3600)
    assert cache.load(now=NOW) == ("tok", NOW + 3600)


def test_the_key_depends_on_the_tls_settings():
    args = ("https://acme.conductor.one", "c@acme.conductor.one/pcc", "secret-token:x")
    keys = {_token_cache.cache_key(*args), _token_cache.cache_key(*args, tls=(False, None)),
            _token_cache.cache_key(*args, tls=(True, "/etc/ca.pem"))}
    assert len(keys) == 3
    assert _token_cache.cache_key(*args) == _token_cache.cache_key(*args, tls=(True, None))


def test_every_directory_level_is_checked(tmp_path):
    base = tmp_path / "base"
    private = base / "conductorone.iam" / "tokens"
    _token_cache.make_private_directories(str(private))
    assert _token_cache.directory_is_safe(str(private))
    for level in (base / "conductorone.iam", base):
        os.chmod(str(level), 0o777)
        assert not _token_cache.directory_is_safe(str(private)), level
        os.chmod(str(level), 0o777 | 0o1000)  # sticky, like /tmp: nobody can swap another user's entry
        assert _token_cache.directory_is_safe(str(private)), level
        os.chmod(str(level), 0o700)


def test_a_cache_under_a_world_writable_level_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = _token_cache.TokenCache(KEY)
    cache.store("tok", NOW + 3600)
    assert cache.load(now=NOW) == ("tok", NOW + 3600)
    os.chmod(str(tmp_path / "xdg" / "conductorone.iam"), 0o777)
    assert cache.load(now=NOW) is None


def test_missing_levels_are_created_0700_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        _token_cache.make_private_directories(str(tmp_path / "a" / "b" / "c"))
    finally:
        os.umask(previous)
    for level in ("a", "a/b", "a/b/c"):
        assert os.stat(str(tmp_path / level)).st_mode & 0o777 == 0o700


# --- secret file (findings 6 and 10) -----------------------------------------------------------------

def test_a_group_or_world_writable_non_sticky_directory_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    with pytest.raises(InputError, match="writable by other users"):
        check_secret_path(str(shared / "secret.json"))
    os.chmod(str(shared), 0o1777)
    check_secret_path(str(shared / "secret.json"))
    os.chmod(str(shared), 0o770)
    with pytest.raises(InputError, match="writable by other users"):
        check_secret_path(str(shared / "secret.json"))
    os.chmod(str(shared), 0o700)
    check_secret_path(str(shared / "secret.json"))


@pytest.mark.parametrize("content, recorded", [
    ({"id": "blue-whale-1", "client_id": "blue-whale-1@acme/pcc"}, "blue-whale-1"),
    ({"client_id": "blue-whale-2@acme/pcc"}, "blue-whale-2"),
    ({"client_secret": "old"}, None),
    (["x"], None),
    ("not json", None),
])
def test_the_client_a_secret_file_records(tmp_path, content, recorded):
    path = tmp_path / "secret.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    record = secret_file_record(str(path))
    assert (record["id"] if record else None) == recorded
    assert secret_file_record(str(tmp_path / "missing.json")) is None


class Runner:
    check_mode = False
    diff_mode = False

    def __init__(self, **params):
        self.params = dict({"state": "present", "id": None, "display_name": None, "allow_source_cidr": None,
                            "scoped_roles": None, "expires_in": None, "expires_at": None, "rotate": False,
                            "rotate_if_expires_within": None, "keep_previous": False, "secret_path": None,
                            "return_secret": False}, **params)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


class FakeApi:
    """Personal clients in memory; records writes."""

    def __init__(self, *clients):
        self.clients = dict((client["id"], client) for client in clients)
        self.writes = []
        self.client = SimpleNamespace(base_url="https://acme.conductor.one", transport=SimpleNamespace(timeout=5))

    def get_personal_client(self, client_id):
        return self.clients.get(client_id)

    def list_personal_clients(self):
        return list(self.clients.values())

    def create_personal_client(self, request):
        self.writes.append(("create", request))
        client = dict(request, id="new-1", clientId="new-1@acme.conductor.one/pcc", userId="fake-user")
        self.clients["new-1"] = client
        return client, "secret-token:conductorone.com:v1:new"

    def delete_personal_client(self, client_id):
        self.writes.append(("delete", client_id))
        return self.clients.pop(client_id, None) is not None


def _secret_file(tmp_path, client_id, host="acme.conductor.one", **recorded):
    path = tmp_path / "secret.json"
    path.write_text(json.dumps(dict({"id": client_id, "client_id": "{0}@{1}/pcc".format(client_id, host),
                                     "client_secret": "secret-token:old"}, **recorded)))
    os.chmod(str(path), 0o600)
    return str(path)


def test_a_secret_path_holding_another_live_client_is_refused_before_any_create(tmp_path):
    api = FakeApi({"id": "first-1", "displayName": "first"})
    path = _secret_file(tmp_path, "first-1")
    with pytest.raises(InputError, match="first-1") as excinfo:
        PersonalClient(Runner(display_name="second", secret_path=path), api=api).run()
    assert "secret_path" in str(excinfo.value)
    assert api.writes == []
    assert json.loads(open(path, encoding="utf-8").read())["id"] == "first-1"


def test_a_secret_path_of_a_deleted_client_may_be_reused(tmp_path):
    api = FakeApi()
    path = _secret_file(tmp_path, "gone-1", display_name="second")
    result = PersonalClient(Runner(display_name="second", secret_path=path), api=api).run()
    assert result["changed"] and [write[0] for write in api.writes] == ["create"]
    assert json.loads(open(path, encoding="utf-8").read())["id"] == "new-1"


def test_rotating_the_client_in_the_secret_path_overwrites_it(tmp_path):
    api = FakeApi({"id": "first-1", "displayName": "first"})
    path = _secret_file(tmp_path, "first-1")
    result = PersonalClient(Runner(display_name="first", rotate=True, secret_path=path), api=api).run()
    assert result["rotated_from"] == "first-1"
    assert [write[0] for write in api.writes] == ["create", "delete"]
    assert json.loads(open(path, encoding="utf-8").read())["id"] == "new-1"


def test_rotating_another_client_into_that_path_is_refused(tmp_path):
    api = FakeApi({"id": "first-1", "displayName": "first"}, {"id": "other-1", "displayName": "other"})
    path = _secret_file(tmp_path, "first-1")
    with pytest.raises(InputError, match="first-1"):
        PersonalClient(Runner(display_name="other", rotate=True, secret_path=path), api=api).run()
    assert api.writes == []


def _refused_without_writes(api, path, runner, *words):
    before = open(path, encoding="utf-8").read()
    with pytest.raises(InputError) as excinfo:
        PersonalClient(runner, api=api).run()
    message = str(excinfo.value)
    assert message.startswith("secret_path: " + path) and "secret-token" not in message
    for word in words:
        assert word in message
    assert api.writes == [] and open(path, encoding="utf-8").read() == before
    return message


@pytest.mark.parametrize("host", ["beta.conductor.one", "acme.conductor.one:8443", "127.0.0.1:8080"])
def test_a_secret_path_holding_a_client_of_another_tenant_is_refused(tmp_path, host):
    """Issue 11 finding 6 across tenants: this run cannot see the other tenant's client, so it may be live."""
    path = _secret_file(tmp_path, "theirs-1", host=host, display_name="ci", user_id="fake-user")
    message = _refused_without_writes(FakeApi(), path, Runner(display_name="ci", secret_path=path),
                                      "theirs-1", "another tenant ({0})".format(host), "another secret_path", "remove")
    assert "@" not in message.replace(path, "")


def test_the_tenant_of_a_file_without_a_client_id_comes_from_its_server_url_without_userinfo(tmp_path):
    path = _secret_file(tmp_path, "theirs-1", display_name="ci")
    content = json.loads(open(path, encoding="utf-8").read())
    del content["client_id"]
    content["server_url"] = "https://bob:Hunter3pw@beta.conductor.one"
    open(path, "w", encoding="utf-8").write(json.dumps(content))
    message = _refused_without_writes(FakeApi(), path, Runner(display_name="ci", secret_path=path), "beta.conductor.one")
    assert "Hunter3pw" not in message and "bob" not in message


@pytest.mark.parametrize("host", ["ACME.conductor.one", "acme.conductor.one:443", "acme.conductor.one."])
def test_the_same_tenant_spelled_differently_is_the_same_tenant(tmp_path, host):
    path = _secret_file(tmp_path, "gone-1", host=host, display_name="ci")
    assert PersonalClient(Runner(display_name="ci", secret_path=path), api=FakeApi()).run()["changed"]
    assert json.loads(open(path, encoding="utf-8").read())["id"] == "new-1"


def test_a_secret_path_holding_a_gone_client_of_another_user_is_refused(tmp_path):
    api = FakeApi({"id": "mine-1", "displayName": "other", "userId": "me"})
    path = _secret_file(tmp_path, "theirs-1", user_id="someone-else", display_name="ci")
    _refused_without_writes(api, path, Runner(display_name="ci", secret_path=path), "another user", "theirs-1")


def test_a_secret_path_holding_a_gone_client_of_this_user_is_reused_under_any_name(tmp_path):
    api = FakeApi({"id": "mine-1", "displayName": "other", "userId": "me"})
    path = _secret_file(tmp_path, "gone-1", user_id="me", display_name="old name")
    assert PersonalClient(Runner(display_name="ci", secret_path=path), api=api).run()["changed"]
    assert json.loads(open(path, encoding="utf-8").read())["id"] == "new-1"


@pytest.mark.parametrize("recorded", [{}, {"display_name": "another name"}, {"user_id": "me", "display_name": "other"}])
def test_a_gone_client_whose_owner_cannot_be_told_is_refused_unless_it_had_this_name(tmp_path, recorded):
    """No listing shows the caller's user id (no live clients) and the file names another client: refused."""
    path = _secret_file(tmp_path, "gone-1", **recorded)
    _refused_without_writes(FakeApi(), path, Runner(display_name="ci", secret_path=path), "gone-1", "cannot be told")


def test_the_secret_file_records_the_owner_and_the_tenant(tmp_path):
    api = FakeApi()
    path = str(tmp_path / "new.json")
    PersonalClient(Runner(display_name="ci", secret_path=path), api=api).run()
    record = secret_file_record(path)
    assert record == {"id": "new-1", "tenant": "acme.conductor.one", "user_id": "fake-user", "display_name": "ci"}


# --- tenant_domain never echoes a password (finding 3, applied to issue 13's option) ---------------------

@pytest.mark.parametrize("value", ["https://bob:Hunter3pw@acme.conductor.one", "bob:Hunter3pw@acme",
                                   "https://bob:Hunter3pw@x@acme.conductor.one"])
def test_a_password_in_tenant_domain_is_refused_masked_and_never_echoed(value):
    _masking.new_run()
    with pytest.raises(InputError) as excinfo:
        _url.resolve_endpoint(None, None, tenant_domain=value)
    assert str(excinfo.value).startswith("tenant_domain must not contain a user name or password")
    assert "Hunter3pw" not in str(excinfo.value) and "bob" not in str(excinfo.value)
    # the invocation (module_args) goes through the same registry: the password must not survive there either
    assert "Hunter3pw" not in json.dumps(_masking.mask({"invocation": {"module_args": {"tenant_domain": value}}}))


def test_a_malformed_tenant_domain_is_not_repeated():
    with pytest.raises(InputError, match="^tenant_domain must be a tenant name") as excinfo:
        _url.tenant_domain_url("acme.conductor.one/token-abcdef")
    assert "token-abcdef" not in str(excinfo.value)


# --- a client id is shown at most as its cutename (finding 3) -------------------------------------------

@pytest.mark.parametrize("client_id, oidc_token, client_secret, fragment", [
    ("blue-whale-1@acme.conductor.one/pcc", "a.b.c", None, "is a /pcc client"),
    ("ci-trust-1@acme.conductor.one/wfe", None, "secret-token:conductorone.com:v1:x", "has no secret"),
])
def test_mismatched_credentials_name_the_client_by_its_cutename_only(client_id, oidc_token, client_secret, fragment):
    with pytest.raises(InputError) as excinfo:
        _auth.check_credentials(client_id, client_secret, oidc_token)
    message = str(excinfo.value)
    assert fragment in message and repr(client_id.split("@")[0]) in message
    assert client_id not in message and "acme.conductor.one/" not in message


# --- display names (finding 10) ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak", "tab\there", "evil\u202etxt.exe", "x\u2066y", "a\u2028b", "a\x7f"])
def test_display_names_with_controls_or_bidi_overrides_are_refused(name):
    with pytest.raises(InputError, match="display_name"):
        check_display_text(name, "display_name")


@pytest.mark.parametrize("name", ["Deploy bot (prod)", "Zoë's client", "CI \U0001F680", None])
def test_ordinary_display_names_are_fine(name):
    assert check_display_text(name, "display_name") == name


def test_a_bad_display_name_is_refused_before_any_request():
    api = FakeApi()
    with pytest.raises(InputError, match="display_name"):
        PersonalClient(Runner(display_name="ok\nINJECTED: line"), api=api).run()
    assert api.writes == []


# --- results carrying a new secret (finding 9) ---------------------------------------------------------

@pytest.mark.parametrize("result, hidden", [
    ({"changed": True, "client_secret": "secret-token:new"}, True),
    ({"changed": True, "results": [{"client_secret": "secret-token:new"}]}, True),
    ({"changed": True, "personal_client": {"id": "x"}}, False),
    ({"changed": False, "client_secret": None}, False),
])
def test_results_with_a_new_secret_are_marked_for_ansible_to_hide(result, hidden):
    assert bool(_runner.hide_new_secrets(dict(result)).get("_ansible_no_log")) is hidden


# --- ApiClient: the ambient server URL rule and the plain-http opt-in (finding 1, 4) -------------------

CLIENT_ID = "strange-hydra-68836@acme.conductor.one/pcc"
SECRET = "secret-token:conductorone.com:v1:" + base64.urlsafe_b64encode(json.dumps(
    {"kty": "OKP", "crv": "Ed25519", "x": "C2HLycGzyH_d40r2oz6h6JjvwoEQAgASEW6x0zzhzcc",
     "d": "-83VLWQU-eXPcFBYXCociSoWVhkbtWRosvFTgrjqsUo"}, separators=(",", ":")).encode("utf-8")).rstrip(b"=").decode("ascii")


def _api_params(**params):
    return dict({"client_id": CLIENT_ID, "client_secret": SECRET, "token_cache": False}, **params)


def test_explicit_client_id_with_an_ambient_server_url_for_another_host_is_refused(monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_SERVER_URL", "https://evil.example")
    monkeypatch.delenv("CONDUCTORONE_CLIENT_ID", raising=False)
    with pytest.raises(InputError, match="CONDUCTORONE_SERVER_URL"):
        ApiClient(_api_params(server_url="https://evil.example"))
    # the same pairing set on the task is the user's own choice
    monkeypatch.delenv("CONDUCTORONE_SERVER_URL")
    assert ApiClient(_api_params(server_url="https://evil.example")).base_url == "https://evil.example"


def test_plain_http_to_another_host_needs_the_opt_in_and_warns():
    with pytest.raises(InputError, match="https://"):
        ApiClient({"server_url": "http://emulator.ci:9000", "access_token": "tok-1234"})
    warnings = []
    client = ApiClient({"server_url": "http://emulator.ci:9000", "access_token": "tok-1234", "allow_plain_http": True},
                       warn=warnings.append)
    assert client.base_url == "http://emulator.ci:9000"
    assert len(warnings) == 1 and "unencrypted" in warnings[0]
    warnings = []
    ApiClient({"server_url": "http://127.0.0.1:9000", "access_token": "tok-1234", "allow_plain_http": True}, warn=warnings.append)
    assert warnings == []
