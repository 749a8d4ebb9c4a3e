# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""personal_client and personal_client_info through their action plugins (argument spec, rules, no_log, the result
a callback receives), the HTTP transport replaced by the stateful fake API of tests/support/fakes.py."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import api as _api
from ansible_collections.conductorone.iam.plugins.action import personal_client, personal_client_info
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, client_credentials

CONNECTION = {"server_url": FakeConductorOne.base_url, "access_token": "static-token-8d2e1b", "token_cache": False}
CREATE = r"^/api/v1/iam/personal_clients$"


def warning_texts(result):
    """The warnings' texts: strings, or (ansible-core >= 2.19 after a controller import) WarningSummary dicts."""
    return [w if isinstance(w, str) else w["event"]["msg"] for w in result.get("warnings") or []]


@pytest.fixture
def server(monkeypatch):
    fake = FakeConductorOne(clients=[{"id": "c1", "clientId": "c1@acme.conductor.one/pcc", "userId": "u",
                                      "displayName": "existing", "allowSourceCidr": [], "scopedRoles": [],
                                      "expiresTime": "2030-01-01T00:00:00Z"}])
    monkeypatch.setattr(_api, "HttpTransport", lambda **options: fake)
    return fake


def test_creates_and_returns_the_secret(run_task, server):
    code, result, dummy = run_task(personal_client, dict(CONNECTION, display_name="ci", allow_source_cidr=["10.0.0.1"]))
    assert code == 0 and result["changed"] is True
    assert result["client_secret"] == server.secrets["fake-client-1"]
    assert result["personal_client"]["allow_source_cidr"] == ["10.0.0.1/32"]
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1"]


def test_reconciles_a_lost_create_and_warns(run_task, server):
    server.fault("POST", CREATE, "lost")
    code, result, dummy = run_task(personal_client, dict(CONNECTION, display_name="ci"))
    assert code == 0 and [c["id"] for c in server.live("ci")] == ["fake-client-2"]
    assert any("deleted fake-client-1, whose secret nobody received" in text for text in warning_texts(result))


def test_refuses_bad_input_before_any_request(run_task, server):
    code, result, dummy = run_task(personal_client, dict(CONNECTION, display_name="ci", expires_in="30d",
                                                         expires_at="2030-01-01T00:00:00Z"))
    assert code == 1 and result["failed"] is True
    assert result["msg"] == "parameters are mutually exclusive: expires_in|expires_at"
    assert server.log == []


def test_api_failure_reports_the_api_error(run_task, server):
    server.fault("DELETE", r"/c1$", "status", status=503)
    code, result, dummy = run_task(personal_client, dict(CONNECTION, id="c1", state="absent"))
    assert code == 1
    assert result["msg"].startswith("PersonalClientService.Delete failed [HTTP 503, code 14 (UNAVAILABLE)]")
    assert result["api_error"]["status"] == 503
    assert "static-token-8d2e1b" not in str(result)


def test_check_mode_writes_nothing(run_task, server):
    code, result, dummy = run_task(personal_client, dict(CONNECTION, display_name="ci", _ansible_check_mode=True))
    assert code == 0 and result["changed"] is True and "client_secret" not in result
    assert server.requests("POST") == []


def test_info_lists(run_task, server):
    code, result, dummy = run_task(personal_client_info, dict(CONNECTION, display_name="existing"))
    assert code == 0 and result["changed"] is False
    assert [c["id"] for c in result["personal_clients"]] == ["c1"]


def test_info_refuses_query_without_all_users(run_task, server):
    code, result, dummy = run_task(personal_client_info, dict(CONNECTION, query="x"))
    assert code == 1 and result["msg"] == "query only applies with all_users=true"
    assert server.log == []


@pytest.mark.parametrize("pasted, refused", [("{0}/x", True), ("pre fix {0}", True), ("{0}", False)])
def test_a_client_secret_pasted_as_id_never_shows(run_task, server, pasted, refused):
    # Refused, the value is quoted cut to 64 characters (the cut falls inside the secret); looked up, it is a path
    # segment of the request. Neither the message nor the echoed task arguments show any of it.
    _client_id, secret = client_credentials("pasted")
    code, result, out = run_task(personal_client, dict(CONNECTION, id=pasted.format(secret)))
    key = secret.rsplit(":", 1)[1]
    assert code == 1 and result["failed"] is True, result
    assert all(key[start:start + 8] not in out for start in range(0, len(key) - 8)), out
    if refused:
        assert result["msg"].startswith("id: "), result["msg"]
        assert server.log == []


@pytest.mark.parametrize("timeout, ok", [(0, False), (-1, False), (0.001, True)])
def test_timeout_boundary(run_task, server, timeout, ok):
    code, result, dummy = run_task(personal_client, dict(CONNECTION, id="c1", timeout=timeout))
    assert (code == 0) == ok, result
    if not ok:
        assert result["msg"].startswith("timeout must be a positive number of seconds"), result["msg"]
        assert server.log == []


@pytest.mark.parametrize("retries, ok", [(-1, False), (0, True)])
def test_retries_boundary(run_task, server, retries, ok):
    code, result, dummy = run_task(personal_client, dict(CONNECTION, id="c1", retries=retries))
    assert (code == 0) == ok, result
    if not ok:
        assert result["msg"].startswith("retries must be 0 or more"), result["msg"]
        assert server.log == []


@pytest.mark.parametrize("option, value, secret", [
    ("server_url", "https://ci:Hunter2-pw-77@acme.conductor.one", "Hunter2-pw-77"),
    ("tenant_domain", "ci:Hunter2-pw-77@acme", "Hunter2-pw-77"),
])
def test_a_password_in_a_url_option_is_not_echoed_in_the_invocation(run_task, server, option, value, secret):
    # The action plugin echoes the task's arguments in the result (invocation.module_args, as AnsibleModule does); only
    # no_log options are hidden there by Ansible itself, so a password the run learned about must be masked in them too.
    args = dict(CONNECTION, id="c1")
    args.pop("server_url")
    args[option] = value
    code, result, out = run_task(personal_client, args)
    assert code == 1 and secret not in out, result
    assert result["invocation"]["module_args"][option], result  # echoed, masked


@pytest.mark.parametrize("visible", [4, 10])
def test_a_token_in_a_server_url_path_cut_at_40_characters_shows_no_head(run_task, server, visible):
    # server_url's path is quoted up to 40 characters in the refusal: a token across that cut never shows.
    token = "tok-Zq81mRv03kLpW7c9XbN4"
    url = FakeConductorOne.base_url + "/" + "p" * (40 - 1 - visible) + token
    code, result, out = run_task(personal_client, dict(CONNECTION, server_url=url, access_token=token, id="c1"))
    assert code == 1 and result["msg"].startswith("server_url must not have a path"), result["msg"]
    assert token[:visible] not in out and token[:4] not in out, result["msg"]
    assert server.log == []


@pytest.mark.parametrize("length, shown", [(64, True), (65, False)])
def test_a_client_id_name_part_is_quoted_up_to_64_characters(run_task, server, length, shown):
    name = "n" * length
    code, result, dummy = run_task(personal_client, dict(CONNECTION, client_id=name + "@", client_secret="x" * 20,
                                                         access_token=None, id="c1"))
    assert code == 1 and result["msg"].startswith("client_id is not a ConductorOne client id"), result["msg"]
    assert ("(name part '{0}')".format(name) in result["msg"]) == shown
