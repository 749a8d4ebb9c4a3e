# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""role_set through its action plugin (the run_task fixture is in conftest.py), the HTTP transport
replaced by the stateful fake API of tests/support/fakes.py with role reads and updates added here."""

from __future__ import annotations

import copy
import re

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import api as _api
from ansible_collections.conductorone.iam.plugins.action import role_set
from ansible_collections.conductorone.iam.tests.support.fakes import AUDITOR, P_GET, P_LIST, FakeConductorOne

CONNECTION = {"server_url": FakeConductorOne.base_url, "access_token": "static-token-3b7c2d", "token_cache": False}
DEPLOYER = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ47", "name": "custom:deployer", "displayName": "Deployer",
            "permissions": [P_GET], "serviceRoles": [], "systemBuiltin": False}
ONE_ROLE = re.compile(r"^/api/v1/iam/roles/([^/]+)$")
UPDATE = r"^/api/v1/iam/roles/[^/]+$"


class FakeRoles(FakeConductorOne):
    """FakeConductorOne whose role catalog also answers Roles.Get and Roles.Update (updateMask fields only)."""

    def _handle(self, method, path, body, operation):
        match = ONE_ROLE.match(path)
        if not match:
            return FakeConductorOne._handle(self, method, path, body, operation)
        role = next((r for r in self.roles if r["id"] == match.group(1)), None)
        if role is None:
            raise AssertionError("the fake has no role {0}".format(match.group(1)))
        if method == "POST":
            for field in body["updateMask"].split(","):
                role[field] = copy.deepcopy(body["role"][field])
        return {"role": copy.deepcopy(role)}


@pytest.fixture
def server(monkeypatch):
    fake = FakeRoles(roles=[AUDITOR, DEPLOYER])
    monkeypatch.setattr(_api, "HttpTransport", lambda **options: fake)
    return fake


def converge(run_task, **options):
    items = [{"name": "custom:auditor", "permissions": [P_GET], "append": True},
             {"name": "custom:deployer", "display_name": "Deployers"}]
    return run_task(role_set, dict(CONNECTION, roles=items, **options))


def test_updates_each_role_once_then_is_idempotent(run_task, server):
    code, result, dummy = converge(run_task)
    assert code == 0 and result["changed"] is True
    assert [(r["index"], r["id"], r["action"], r["changed"]) for r in result["results"]] == [
        (0, AUDITOR["id"], "update", True), (1, DEPLOYER["id"], "update", True)]
    assert result["counts"] == {"updated": 2, "unchanged": 0, "failed": 0}
    assert result["summary"]["updated"] == ["custom:auditor", "custom:deployer"]
    assert sorted(p for dummy, p, outcome in server.requests("POST", UPDATE)) == [  # writes run in parallel
        "/api/v1/iam/roles/" + AUDITOR["id"], "/api/v1/iam/roles/" + DEPLOYER["id"]]
    assert server.roles[0]["permissions"] == [P_LIST, P_GET] and server.roles[1]["displayName"] == "Deployers"

    code, result, dummy = converge(run_task)
    assert code == 0 and result["changed"] is False
    assert result["counts"] == {"updated": 0, "unchanged": 2, "failed": 0}
    assert len(server.requests("POST", UPDATE)) == 2


def test_check_mode_predicts_the_updates_and_writes_nothing(run_task, server):
    code, result, dummy = converge(run_task, _ansible_check_mode=True)
    assert code == 0 and result["changed"] is True and result["summary"]["check_mode"] is True
    assert result["counts"] == {"updated": 2, "unchanged": 0, "failed": 0}
    assert server.requests("POST") == []
    assert server.roles[0]["permissions"] == [P_LIST] and server.roles[1]["displayName"] == "Deployer"


def test_refuses_a_role_declared_twice_before_any_request(run_task, server):
    items = [{"name": "custom:auditor", "display_name": "A"}, {"name": "custom:auditor", "display_name": "B"}]
    code, result, dummy = run_task(role_set, dict(CONNECTION, roles=items))
    assert code == 1 and result["failed"] is True and result["changed"] is False
    assert re.match(r"^roles\[0\] \(custom:auditor\) and roles\[1\] \(custom:auditor\) declare the same role ",
                    result["msg"]), result["msg"]
    assert server.log == []
