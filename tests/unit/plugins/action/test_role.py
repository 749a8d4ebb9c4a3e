# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role module through its action plugin in-process (the run_task fixture is in conftest.py), with IamApi patched."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
from ansible_collections.conductorone.iam.plugins.action import role
from ansible_collections.conductorone.iam.tests.support.fakes import AUDITOR, P_GET, P_LIST

CONNECTION = {"server_url": "https://acme.conductor.one", "access_token": "static-token-4f1c9a"}
VIEWER = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ46", "name": "system:viewer", "displayName": "Read-Only Administrator",
          "permissions": [P_LIST], "serviceRoles": [], "systemBuiltin": True}


@pytest.fixture
def updates(monkeypatch):
    calls = []
    stored = copy.deepcopy([AUDITOR, VIEWER])  # the server keeps what was written (append mode re-reads it)

    def list_roles(self):
        return copy.deepcopy(stored)

    def get_role(self, role_id):
        return next((copy.deepcopy(item) for item in stored if item["id"] == role_id), None)

    def update_role(self, role_id, fields, update_mask):
        calls.append((role_id, fields, update_mask))
        current = next(item for item in stored if item["id"] == role_id)
        current.update(copy.deepcopy(fields))
        return copy.deepcopy(current)

    monkeypatch.setattr(IamApi, "list_roles", list_roles)
    monkeypatch.setattr(IamApi, "get_role", get_role)
    monkeypatch.setattr(IamApi, "update_role", update_role)
    return calls


def test_update(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, name="Auditor", permissions=[P_GET], append=True))
    assert code == 0
    assert result["changed"] is True
    assert result["role"]["permissions"] == [P_LIST, P_GET]
    assert updates == [(AUDITOR["id"], {"permissions": [P_LIST, P_GET]}, ["permissions"])]


def test_check_and_diff_mode(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, id=AUDITOR["id"], display_name="Auditors",
                                              _ansible_check_mode=True, _ansible_diff=True))
    assert code == 0
    assert result["changed"] is True
    assert result["role"]["display_name"] == "Auditors"
    assert result["diff"]["before"]["display_name"] == "Auditor"
    assert result["diff"]["after"]["display_name"] == "Auditors"
    assert updates == []


def test_no_change(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, name="custom:auditor", permissions=[P_LIST]))
    assert code == 0
    assert result["changed"] is False
    assert updates == []


def test_builtin_change_fails_without_update(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, name="system:viewer", permissions=[P_GET]))
    assert code == 1
    assert result["failed"] is True
    assert result["changed"] is False
    assert "built-in" in result["msg"]
    assert updates == []


def test_id_or_name_is_required(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, display_name="X"))
    assert code == 1
    assert "one of the following is required: id, name" in result["msg"]
    assert updates == []


def test_id_and_name_are_mutually_exclusive(run_task, updates):
    code, result, dummy = run_task(role, dict(CONNECTION, id=AUDITOR["id"], name="Auditor", display_name="X"))
    assert code == 1
    assert "mutually exclusive" in result["msg"]
    assert updates == []
