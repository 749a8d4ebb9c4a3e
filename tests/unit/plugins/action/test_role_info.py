# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role_info module through its action plugin in-process (the run_task fixture is in conftest.py), with IamApi patched."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.action import role_info

TOKEN = "static-token-4f1c9a"
CONNECTION = {"server_url": "https://acme.conductor.one", "access_token": TOKEN}
ROLES = [
    {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ45", "name": "custom:auditor", "displayName": "Auditor",
     "permissions": ["permission/c1.api.iam.v1.Roles.List"], "serviceRoles": None, "systemBuiltin": False},
    {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ46", "name": "system:viewer", "displayName": "Read-Only Administrator",
     "permissions": [], "serviceRoles": ["role/c1.api.app.v1.Apps:viewer"], "systemBuiltin": True},
]


@pytest.fixture
def api_calls(monkeypatch):
    calls = []

    def list_roles(self):
        calls.append(("list_roles", self.client.base_url))
        return copy.deepcopy(ROLES)

    def get_role(self, role_id):
        calls.append(("get_role", role_id))
        return next((copy.deepcopy(role) for role in ROLES if role["id"] == role_id), None)

    monkeypatch.setattr(IamApi, "list_roles", list_roles)
    monkeypatch.setattr(IamApi, "get_role", get_role)
    return calls


def test_lists_every_role(run_task, api_calls):
    code, result, out = run_task(role_info, dict(CONNECTION))
    assert code == 0
    assert result["changed"] is False
    assert "failed" not in result
    assert [role["name"] for role in result["roles"]] == ["custom:auditor", "system:viewer"]
    auditor = result["roles"][0]
    assert auditor["display_name"] == "Auditor"
    assert auditor["service_roles"] == []
    assert auditor["system_builtin"] is False
    assert api_calls == [("list_roles", "https://acme.conductor.one")]
    assert TOKEN not in out


def test_by_display_name(run_task, api_calls):
    code, result, dummy = run_task(role_info, dict(CONNECTION, name="Read-Only Administrator"))
    assert code == 0
    assert [role["id"] for role in result["roles"]] == ["2fCjgK8tYJxV9u8d1wupBMeXZ46"]


def test_by_id(run_task, api_calls):
    code, result, dummy = run_task(role_info, dict(CONNECTION, id="2fCjgK8tYJxV9u8d1wupBMeXZ45"))
    assert code == 0
    assert [role["name"] for role in result["roles"]] == ["custom:auditor"]
    assert api_calls == [("get_role", "2fCjgK8tYJxV9u8d1wupBMeXZ45")]


def test_unknown_id_is_an_empty_list(run_task, api_calls):
    code, result, dummy = run_task(role_info, dict(CONNECTION, id="missing"))
    assert code == 0
    assert result["roles"] == []


def test_check_mode_still_reads(run_task, api_calls):
    code, result, dummy = run_task(role_info, dict(CONNECTION, name="system:viewer", _ansible_check_mode=True))
    assert code == 0
    assert len(result["roles"]) == 1


def test_connection_options_from_environment(run_task, api_calls, monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_SERVER_URL", "https://env.example:8443")
    monkeypatch.setenv("CONDUCTORONE_ACCESS_TOKEN", TOKEN)
    code, result, dummy = run_task(role_info, {})
    assert code == 0
    assert len(result["roles"]) == 2
    assert api_calls == [("list_roles", "https://env.example:8443")]


def test_id_and_name_are_mutually_exclusive(run_task, api_calls):
    code, result, dummy = run_task(role_info, dict(CONNECTION, id="2fCjgK8tYJxV9u8d1wupBMeXZ45", name="Auditor"))
    assert code == 1
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]
    assert "id" in result["msg"] and "name" in result["msg"]
    assert api_calls == []


def test_missing_connection_settings_fail_cleanly(run_task, api_calls):
    code, result, dummy = run_task(role_info, {"access_token": TOKEN})
    assert code == 1
    assert result["failed"] is True
    assert "server_url" in result["msg"]
    assert result["changed"] is False
    assert "api_error" not in result
    assert api_calls == []


def test_api_error_becomes_a_failure_with_api_error(run_task, monkeypatch):
    def list_roles(self):
        raise ConductorOneError("Permission denied, missing permission/c1.api.iam.v1.Roles.List (request-id: req-42)",
                                operation="Roles.List (GET /api/v1/iam/roles)", status=403, code=7, request_id="req-42")

    monkeypatch.setattr(IamApi, "list_roles", list_roles)
    code, result, out = run_task(role_info, dict(CONNECTION))
    assert code == 1
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["api_error"] == {
        "operation": "Roles.List (GET /api/v1/iam/roles)",
        "status": 403,
        "code": 7,
        "message": "Permission denied, missing permission/c1.api.iam.v1.Roles.List (request-id: req-42)",
        "request_id": "req-42",
    }
    assert result["msg"].startswith("Roles.List (GET /api/v1/iam/roles) failed [HTTP 403, code 7 (PERMISSION_DENIED)]: ")
    assert "req-42" in result["msg"]
    assert TOKEN not in out
