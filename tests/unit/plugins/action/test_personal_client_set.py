# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""personal_client_set through its action plugin (the run_task fixture is in conftest.py), the HTTP transport
replaced by the stateful fake API of tests/support/fakes.py."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import api as _api
from ansible_collections.conductorone.iam.plugins.action import personal_client_set
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, client_credentials

CONNECTION = {"server_url": FakeConductorOne.base_url, "access_token": "static-token-6a9e4f", "token_cache": False}
# The run logs in as one of the caller's own personal clients (seeded as "c9"), by its full id, as ConductorOne issues it.
OWN_ID, OWN_SECRET = client_credentials("c9")
CREDENTIALS = {"server_url": FakeConductorOne.base_url, "client_id": OWN_ID, "client_secret": OWN_SECRET, "token_cache": False}
WRITES = ("POST", "DELETE")


def seeded(cid, name, cidrs=()):
    return {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "userId": "u", "displayName": name,
            "allowSourceCidr": list(cidrs), "scopedRoles": [], "expiresTime": "2030-01-01T00:00:00Z"}


@pytest.fixture
def server(monkeypatch):
    fake = FakeConductorOne(clients=[seeded("c1", "deploy", ["10.0.0.0/8"]), seeded("c2", "old-key"), seeded("c9", "this-play")])
    monkeypatch.setattr(_api, "HttpTransport", lambda **options: fake)
    return fake


def writes(server):
    return sorted((method, path) for method, path, dummy in server.log if method in WRITES)


def converge(run_task, **options):
    items = [{"display_name": "ci", "allow_source_cidr": ["203.0.113.7"]},
             {"display_name": "deploy", "allow_source_cidr": ["192.0.2.0/24"]},
             {"display_name": "old-key", "state": "absent"}]
    return run_task(personal_client_set, dict(CONNECTION, clients=items, **options))


def test_creates_updates_deletes_then_is_idempotent(run_task, server):
    code, result, dummy = converge(run_task)
    assert code == 0 and result["changed"] is True
    assert [(r["index"], r["id"], r["action"], r["changed"]) for r in result["results"]] == [
        (0, "fake-client-1", "create", True), (1, "c1", "update", True), (2, "c2", "delete", True)]
    assert result["counts"] == {"created": 1, "updated": 1, "rotated": 0, "deleted": 1, "unchanged": 0, "failed": 0}
    assert result["secrets"]["ci"]["client_secret"] == server.secrets["fake-client-1"]
    assert writes(server) == [("DELETE", "/api/v1/iam/personal_clients/c2"), ("POST", "/api/v1/iam/personal_clients"),
                              ("POST", "/api/v1/iam/personal_clients/c1")]
    assert [(c["id"], c["displayName"], c["allowSourceCidr"]) for c in server.live()] == [
        ("c1", "deploy", ["192.0.2.0/24"]), ("c9", "this-play", []), ("fake-client-1", "ci", ["203.0.113.7/32"])]

    code, result, dummy = converge(run_task)
    assert code == 0 and result["changed"] is False and result["secrets"] == {}
    assert result["counts"] == {"created": 0, "updated": 0, "rotated": 0, "deleted": 0, "unchanged": 3, "failed": 0}
    assert len(writes(server)) == 3


def test_check_mode_predicts_the_changes_and_writes_nothing(run_task, server):
    code, result, dummy = converge(run_task, _ansible_check_mode=True)
    assert code == 0 and result["changed"] is True and result["secrets"] == {}
    assert [(r["id"], r["action"]) for r in result["results"]] == [(None, "create"), ("c1", "update"), ("c2", "delete")]
    assert writes(server) == []
    assert [c["id"] for c in server.live()] == ["c1", "c2", "c9"]


def test_refuses_a_display_name_declared_twice_before_any_request(run_task, server):
    items = [{"display_name": "ci"}, {"display_name": "ci", "expires_in": "30d"}]
    code, result, dummy = run_task(personal_client_set, dict(CONNECTION, clients=items))
    assert code == 1 and result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("clients[0] (ci) and clients[1] (ci) declare the same display name "), result["msg"]
    assert server.log == []


# --- logged in with client credentials (the full client id), and secret_dir ----------------------------------------

def test_with_client_credentials_converges_and_exclusive_spares_the_run_s_own_client(run_task, server):
    items = [{"display_name": "ci"}, {"display_name": "deploy", "allow_source_cidr": ["10.0.0.0/8"]}]
    code, result, dummy = run_task(personal_client_set, dict(CREDENTIALS, clients=items, exclusive=True))
    assert code == 0 and result["changed"] is True, result
    assert server.token_requests and all(form.get("client_assertion") for form in server.token_requests)
    assert OWN_SECRET not in dummy
    # c2 is undeclared and deleted; c9, undeclared too, is the client this run logged in with (by its full id)
    assert [c["id"] for c in server.live()] == ["c1", "c9", "fake-client-1"]
    assert writes(server) == [("DELETE", "/api/v1/iam/personal_clients/c2"), ("POST", "/api/v1/iam/personal_clients")]


@pytest.mark.parametrize("connection", [CONNECTION, CREDENTIALS], ids=["access_token", "client_credentials"])
def test_real_run_refuses_a_missing_secret_dir_before_any_request(run_task, server, tmp_path, connection):
    # A real run cannot write the secret there: creating the client first would only lead to deleting it again.
    missing = tmp_path / "not-created"
    items = [{"display_name": "ci", "secret_path": "ci.json"}]
    code, result, dummy = run_task(personal_client_set, dict(connection, clients=items, secret_dir=str(missing)))
    assert code == 1 and result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("clients[0] (ci): secret_path: the directory {0} does not exist".format(missing)), result["msg"]
    assert server.log == [] and server.token_requests == []
    assert [c["id"] for c in server.live()] == ["c1", "c2", "c9"] and not missing.exists()


def test_check_mode_treats_a_missing_secret_dir_as_pending(run_task, server, tmp_path):
    # The role creates secret_dir in a task that check mode skips: check mode predicts the create instead of failing.
    missing = tmp_path / "not-created"
    items = [{"display_name": "ci", "secret_path": "ci.json"}]
    code, result, dummy = run_task(personal_client_set, dict(CREDENTIALS, clients=items, secret_dir=str(missing),
                                                             _ansible_check_mode=True))
    assert code == 0 and result["changed"] is True, result
    assert [(r["id"], r["action"]) for r in result["results"]] == [(None, "create")]
    assert writes(server) == [] and not missing.exists()


def test_real_run_writes_the_secret_into_an_existing_secret_dir(run_task, server, tmp_path):
    items = [{"display_name": "ci", "secret_path": "ci.json"}]
    code, result, dummy = run_task(personal_client_set, dict(CREDENTIALS, clients=items, secret_dir=str(tmp_path)))
    assert code == 0 and result["changed"] is True, result
    assert server.secrets["fake-client-1"] in (tmp_path / "ci.json").read_text()
