# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""personal_client and personal_client_info through their real main() (AnsibleModule: argument spec, rules,
no_log, exit_json/fail_json), the HTTP transport replaced by the stateful fake API of tests/unit/fakes.py."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils import _api
from ansible_collections.conductorone.iam.plugins.modules import personal_client, personal_client_info
from ansible_collections.conductorone.iam.tests.unit.fakes import FakeConductorOne

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


def test_main_creates_and_returns_the_secret(run_module, server):
    code, result, dummy = run_module(personal_client, dict(CONNECTION, display_name="ci", allow_source_cidr=["10.0.0.1"]))
    assert code == 0 and result["changed"] is True
    assert result["client_secret"] == server.secrets["fake-client-1"]
    assert result["personal_client"]["allow_source_cidr"] == ["10.0.0.1/32"]
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1"]


def test_main_reconciles_a_lost_create_and_warns(run_module, server):
    server.fault("POST", CREATE, "lost")
    code, result, dummy = run_module(personal_client, dict(CONNECTION, display_name="ci"))
    assert code == 0 and [c["id"] for c in server.live("ci")] == ["fake-client-2"]
    assert any("deleted fake-client-1, whose secret nobody received" in text for text in warning_texts(result))


def test_main_refuses_bad_input_before_any_request(run_module, server):
    code, result, dummy = run_module(personal_client, dict(CONNECTION, display_name="ci", expires_in="30d",
                                                           expires_at="2030-01-01T00:00:00Z"))
    assert code == 1 and result["failed"] is True
    assert result["msg"] == "parameters are mutually exclusive: expires_in|expires_at"
    assert server.log == []


def test_main_api_failure_reports_the_api_error(run_module, server):
    server.fault("DELETE", r"/c1$", "status", status=503)
    code, result, dummy = run_module(personal_client, dict(CONNECTION, id="c1", state="absent"))
    assert code == 1
    assert result["msg"].startswith("PersonalClientService.Delete failed [HTTP 503, code 14 (UNAVAILABLE)]")
    assert result["api_error"]["status"] == 503
    assert "static-token-8d2e1b" not in str(result)


def test_main_check_mode_writes_nothing(run_module, server):
    code, result, dummy = run_module(personal_client, dict(CONNECTION, display_name="ci", _ansible_check_mode=True))
    assert code == 0 and result["changed"] is True and "client_secret" not in result
    assert server.requests("POST") == []


def test_info_main_lists(run_module, server):
    code, result, dummy = run_module(personal_client_info, dict(CONNECTION, display_name="existing"))
    assert code == 0 and result["changed"] is False
    assert [c["id"] for c in result["personal_clients"]] == ["c1"]


def test_info_main_refuses_query_without_all_users(run_module, server):
    code, result, dummy = run_module(personal_client_info, dict(CONNECTION, query="x"))
    assert code == 1 and result["msg"] == "query only applies with all_users=true"
    assert server.log == []
