# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""personal_client_hygiene through its action plugin (the run_task fixture is in conftest.py), the HTTP transport
replaced by the stateful fake API of tests/support/fakes.py."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import api as _api
from ansible_collections.conductorone.iam.plugins.action import personal_client_hygiene
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, client_credentials

CONNECTION = {"server_url": FakeConductorOne.base_url, "access_token": "static-token-1c5d8e", "token_cache": False}
EXPIRED = "2020-01-01T00:00:00Z"
# Logged in as c3 with its client credentials: the full client id, as ConductorOne issues it.
OWN_ID, OWN_SECRET = client_credentials("c3")
CREDENTIALS = {"server_url": FakeConductorOne.base_url, "client_id": OWN_ID, "client_secret": OWN_SECRET, "token_cache": False}


def seeded(cid, name, expires):
    return {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "userId": "u", "displayName": name,
            "allowSourceCidr": [], "scopedRoles": [], "createdAt": "2019-06-01T00:00:00Z", "lastUsedAt": None,
            "expiresTime": expires}


@pytest.fixture
def server(monkeypatch):
    # c3 is the client this run's access token belongs to: expired too, but protected
    fake = FakeConductorOne(clients=[seeded("c1", "stale-ci", EXPIRED), seeded("c2", "deploy", "2099-01-01T00:00:00Z"),
                                     seeded("c3", "this-play", EXPIRED)])
    monkeypatch.setattr(_api, "HttpTransport", lambda **options: fake)
    return fake


def enforce(run_task, **options):
    return run_task(personal_client_hygiene, dict(CONNECTION, enforce=True, protected=["c3"], **options))


def deletes(server):
    return [(method, path) for method, path, dummy in server.log if method != "GET"]


def test_deletes_the_expired_unprotected_client_then_is_idempotent(run_task, server):
    code, result, dummy = enforce(run_task)
    assert code == 0 and result["changed"] is True
    assert result["clients_checked"] == 3 and result["rule_counts"] == {"expired": 2}
    assert [(row["id"], row["rules"]) for row in result["violations"]] == [("c1", ["expired"]), ("c3", ["expired"])]
    assert [(row["id"], row["rules"]) for row in result["deleted"]] == [("c1", ["expired"])]
    assert [row["id"] for row in result["kept"]] == ["c3"]
    assert deletes(server) == [("DELETE", "/api/v1/iam/personal_clients/c1")]
    assert [c["id"] for c in server.live()] == ["c2", "c3"]

    code, result, dummy = enforce(run_task)
    assert code == 0 and result["changed"] is False and result["deleted"] == []
    assert [row["id"] for row in result["violations"]] == ["c3"]
    assert len(deletes(server)) == 1


def test_check_mode_lists_what_would_go_and_deletes_nothing(run_task, server):
    code, result, dummy = enforce(run_task, _ansible_check_mode=True)
    assert code == 0 and result["changed"] is True
    assert [row["id"] for row in result["deleted"]] == ["c1"]
    assert deletes(server) == []
    assert [c["id"] for c in server.live()] == ["c1", "c2", "c3"]


def test_refuses_enforcement_with_a_bare_access_token_before_any_request(run_task, server):
    code, result, dummy = run_task(personal_client_hygiene, dict(CONNECTION, enforce=True))
    assert code == 1 and result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("enforce: this run authenticates with an access token, "), result["msg"]
    assert "list that client's id in protected" in result["msg"]
    assert server.log == []


def test_with_client_credentials_never_deletes_the_client_the_run_logged_in_with(run_task, server):
    # No protected list: the run's own client (c3, expired too) is known from client_id and kept.
    code, result, out = run_task(personal_client_hygiene, dict(CREDENTIALS, enforce=True))
    assert code == 0 and result["changed"] is True, result
    assert server.token_requests and all(form.get("client_assertion") for form in server.token_requests)
    assert [(row["id"], row["rules"]) for row in result["deleted"]] == [("c1", ["expired"])]
    assert [row["id"] for row in result["kept"]] == ["c3"]
    assert deletes(server) == [("DELETE", "/api/v1/iam/personal_clients/c1")]
    assert [c["id"] for c in server.live()] == ["c2", "c3"]
    assert OWN_SECRET not in out


def test_with_client_credentials_check_mode_predicts_the_same_deletions(run_task, server):
    code, result, dummy = run_task(personal_client_hygiene, dict(CREDENTIALS, enforce=True, _ansible_check_mode=True))
    assert code == 0 and result["changed"] is True
    assert [row["id"] for row in result["deleted"]] == ["c1"] and [row["id"] for row in result["kept"]] == ["c3"]
    assert deletes(server) == []
