# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Personal clients through their entry points (PersonalClient(runner, api).run(), PersonalClientInfo) against a
stateful fake API at the transport boundary (tests/support/fakes.py): lost, dropped, 5xx and timed-out creates,
rotation, keep_previous, and the secret that could not be written."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient, IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PersonalClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import PersonalClientInfo
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PERSONAL_CLIENT_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import PERSONAL_CLIENT_INFO_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, FakeRunner

CREATE = r"^/api/v1/iam/personal_clients$"
ONE = r"^/api/v1/iam/personal_clients/"


def params_of(spec, **options):
    """Every option of a module, as AnsibleModule would hand them over (static token against the fake)."""
    params = dict((name, option.get("default")) for name, option in spec.items())
    params.update(server_url=FakeConductorOne.base_url, access_token="fake-access-token", token_cache=False)
    params.update(options)
    return params


def converge(server, check_mode=False, **options):
    runner = FakeRunner(params_of(PERSONAL_CLIENT_ARGUMENT_SPEC, **options), check_mode=check_mode)
    api = IamApi(ApiClient(runner.params, warn=runner.warn, transport=server))
    return PersonalClient(runner, api=api).run(), runner


def info(server, **options):
    runner = FakeRunner(params_of(PERSONAL_CLIENT_INFO_ARGUMENT_SPEC, **options))
    return PersonalClientInfo(runner, api=IamApi(ApiClient(runner.params, transport=server))).run()


def existing(cid, name, **fields):
    client = {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "userId": "fake-user", "displayName": name,
              "allowSourceCidr": [], "scopedRoles": [], "expiresTime": "2030-01-01T00:00:00Z",
              "createdAt": "2026-01-01T00:00:00Z"}
    client.update(fields)
    return client


def statuses(server, method, path):
    return [outcome for dummy, dummy2, outcome in server.requests(method, path)]


def assert_one_live_with_its_secret(server, name, result):
    live = server.live(name)
    assert [c["id"] for c in live] == [result["personal_client"]["id"]]
    assert result["client_secret"] == server.secrets[live[0]["id"]]


# --- create ------------------------------------------------------------------------------------------

def test_create_returns_the_secret_once():
    server = FakeConductorOne()
    result, runner = converge(server, display_name="ci")
    assert result["changed"] is True
    assert_one_live_with_its_secret(server, "ci", result)
    assert statuses(server, "POST", CREATE) == [200]
    assert "client_secret" not in result["personal_client"]
    assert runner.warnings == []


def test_check_mode_predicts_a_create_and_writes_nothing():
    server = FakeConductorOne()
    result, dummy = converge(server, check_mode=True, display_name="ci")
    assert result["changed"] is True and "client_secret" not in result
    assert result["personal_client"]["display_name"] == "ci" and result["personal_client"]["id"] is None
    assert statuses(server, "POST", CREATE) == [] and server.live() == []


def test_lost_create_deletes_the_secretless_orphan_and_creates_once_more():
    server = FakeConductorOne()
    server.fault("POST", CREATE, "lost")
    result, runner = converge(server, display_name="ci")
    assert statuses(server, "POST", CREATE) == ["lost", 200]
    assert statuses(server, "DELETE", ONE) == [200]
    assert server.clients["fake-client-1"]["deletedAt"]
    assert_one_live_with_its_secret(server, "ci", result)
    assert len(runner.warnings) == 1 and "deleted fake-client-1, whose secret nobody received" in runner.warnings[0]


@pytest.mark.parametrize("kind, status", [("drop", None), ("status", 503)])
def test_create_that_never_reached_the_server_is_created_once_more_without_a_delete(kind, status):
    server = FakeConductorOne()
    server.fault("POST", CREATE, kind, status=status)
    result, runner = converge(server, display_name="ci")
    assert len(statuses(server, "POST", CREATE)) == 2 and statuses(server, "DELETE", ONE) == []
    assert_one_live_with_its_secret(server, "ci", result)
    assert "no client had been created" in runner.warnings[0]


@pytest.mark.parametrize("status, reconciled", [(499, False), (500, True), (504, True)])
def test_a_create_answered_with_5xx_may_have_been_applied_below_500_it_was_not(status, reconciled):
    # From 500 up the server may have created the client before failing: look for an orphan, then create again.
    server = FakeConductorOne()
    server.fault("POST", CREATE, "status", status=status)
    if reconciled:
        result, runner = converge(server, display_name="ci")
        assert statuses(server, "POST", CREATE) == [status, 200]
        assert_one_live_with_its_secret(server, "ci", result)
        return
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci")
    assert excinfo.value.status == status and statuses(server, "POST", CREATE) == [status]


def test_create_answered_with_400_is_not_reconciled():
    server = FakeConductorOne()
    server.fault("POST", CREATE, "status", status=400)
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci")
    assert excinfo.value.status == 400
    assert statuses(server, "POST", CREATE) == [400] and server.requests("GET") == [("GET", "/api/v1/iam/personal_clients", 200)]


def test_timed_out_create_that_appears_while_waiting_is_deleted_and_created_once_more():
    server = FakeConductorOne(timeout=0.05)
    server.fault("POST", CREATE, "timeout", applied_after=1)  # the server finishes it after the first orphan lookup
    result, dummy = converge(server, display_name="ci")
    assert statuses(server, "POST", CREATE) == ["timeout", 200]
    assert statuses(server, "DELETE", ONE) == [200]
    assert_one_live_with_its_secret(server, "ci", result)


def test_timed_out_create_that_does_not_appear_fails_without_a_second_create():
    server = FakeConductorOne(timeout=0.05)
    server.fault("POST", CREATE, "timeout")
    with pytest.raises(ConductorOneError, match="the server may still create it without returning its secret"):
        converge(server, display_name="ci")
    assert statuses(server, "POST", CREATE) == ["timeout"] and server.live() == []


def test_second_lost_create_fails_naming_the_orphan_left_behind():
    server = FakeConductorOne()
    server.fault("POST", CREATE, "lost", count=2)
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci")
    assert [c["id"] for c in server.live("ci")] == ["fake-client-2"]
    assert "the server may have created fake-client-2 without returning its secret" in str(excinfo.value)


def test_lost_create_whose_orphan_lookup_fails_tells_what_to_clean_up():
    server = FakeConductorOne()
    server.fault("POST", CREATE, "lost")
    server.fault("GET", CREATE, "status", status=503, skip=1)  # the lookup by name succeeds, the orphan lookup fails
    with pytest.raises(ConductorOneError, match="checking whether a client named 'ci' was created anyway also failed"):
        converge(server, display_name="ci")
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1"]


def test_clients_of_the_same_name_from_before_are_never_taken_for_orphans():
    server = FakeConductorOne(clients=[existing("old-a", "shared"), existing("old-b", "shared")])
    server.fault("POST", CREATE, "lost")
    result, dummy = converge(server, id="old-b", rotate=True, keep_previous=True)
    assert [c["id"] for c in server.live("shared")] == ["fake-client-2", "old-a", "old-b"]
    assert statuses(server, "DELETE", ONE) == [200] and server.clients["fake-client-1"]["deletedAt"]
    assert result["rotated_from"] == "old-b"
    assert result["client_secret"] == server.secrets["fake-client-2"]


# --- rotation ----------------------------------------------------------------------------------------

def test_rotation_creates_the_replacement_then_deletes_the_old_client():
    server = FakeConductorOne(clients=[existing("old", "ci", allowSourceCidr=["10.0.0.0/8"])])
    result, dummy = converge(server, display_name="ci", rotate=True)
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1"]
    assert server.clients["fake-client-1"]["allowSourceCidr"] == ["10.0.0.0/8"]  # settings carried over
    assert [(m, p) for m, p, dummy2 in server.requests() if m != "GET"] == [
        ("POST", "/api/v1/iam/personal_clients"), ("DELETE", "/api/v1/iam/personal_clients/old")]
    assert result["rotated_from"] == "old" and result["client_secret"] == server.secrets["fake-client-1"]


def test_rotation_keep_previous_keeps_the_old_client():
    server = FakeConductorOne(clients=[existing("old", "ci")])
    result, dummy = converge(server, display_name="ci", rotate=True, keep_previous=True)
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1", "old"]
    assert statuses(server, "DELETE", ONE) == [] and result["rotated_from"] == "old"


def test_rotation_whose_old_client_cannot_be_deleted_keeps_the_new_secret_and_warns():
    server = FakeConductorOne(clients=[existing("old", "ci")])
    server.fault("DELETE", r"/old$", "status", status=503)
    result, runner = converge(server, display_name="ci", rotate=True)
    assert result["changed"] is True and result["client_secret"] == server.secrets["fake-client-1"]
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1", "old"]
    assert len(runner.warnings) == 1
    assert runner.warnings[0].startswith("rotated old to fake-client-1, but deleting the old client failed")


def test_rotation_with_the_replacement_create_lost():
    server = FakeConductorOne(clients=[existing("old", "ci")])
    server.fault("POST", CREATE, "lost")
    result, dummy = converge(server, display_name="ci", rotate=True)
    assert [c["id"] for c in server.live("ci")] == ["fake-client-2"]
    assert [p for dummy2, p, dummy3 in server.requests("DELETE")] == [
        "/api/v1/iam/personal_clients/fake-client-1", "/api/v1/iam/personal_clients/old"]
    assert result["client_secret"] == server.secrets["fake-client-2"]


# --- secret_path -------------------------------------------------------------------------------------

def test_secret_path_gets_the_secret_0600_and_the_result_does_not(tmp_path):
    path = tmp_path / "ci.json"
    server = FakeConductorOne()
    result, dummy = converge(server, display_name="ci", secret_path=str(path))
    assert "client_secret" not in result
    content = json.loads(path.read_text())
    assert content["client_secret"] == server.secrets["fake-client-1"] and content["id"] == "fake-client-1"
    assert content["server_url"] == FakeConductorOne.base_url
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600


def test_secret_path_with_return_secret_also_returns_it(tmp_path):
    server = FakeConductorOne()
    result, dummy = converge(server, display_name="ci", secret_path=str(tmp_path / "ci.json"), return_secret=True)
    assert result["client_secret"] == server.secrets["fake-client-1"]


def _path_turns_into_a_directory(path):
    """While the create runs, something puts a directory where the secret file goes: the write must fail."""
    def on_create(client):
        os.mkdir(str(path))
        (path / "keep").write_text("x")
    return on_create


def test_secret_that_cannot_be_written_is_discarded_with_its_client(tmp_path):
    path = tmp_path / "ci.json"
    server = FakeConductorOne()
    server.on_create = _path_turns_into_a_directory(path)
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci", secret_path=str(path))
    message = str(excinfo.value)
    assert "could not write the secret of the new client fake-client-1 to %s" % path in message
    assert "the client was deleted again because nobody has its secret" in message
    assert server.secrets["fake-client-1"] not in message
    assert server.live() == [] and statuses(server, "DELETE", ONE) == [200]
    assert [name for name in os.listdir(str(tmp_path)) if name.startswith(".conductorone-")] == []


def test_secret_that_cannot_be_written_and_client_that_cannot_be_deleted(tmp_path):
    path = tmp_path / "ci.json"
    server = FakeConductorOne()
    server.on_create = _path_turns_into_a_directory(path)
    server.fault("DELETE", ONE, "status", status=503)
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci", secret_path=str(path))
    assert "deleting that client failed too" in str(excinfo.value)
    assert "delete the client (state=absent, id=fake-client-1)" in str(excinfo.value)
    assert [c["id"] for c in server.live()] == ["fake-client-1"]
    # the client lives on, so its secret is returned with the failure, never in its message
    assert excinfo.value.partial_result["client_secret"] == server.secrets["fake-client-1"]
    assert excinfo.value.partial_result["personal_client"]["id"] == "fake-client-1"
    assert server.secrets["fake-client-1"] not in str(excinfo.value)


# --- update / absent / input -------------------------------------------------------------------------

def test_update_sends_only_the_changed_fields_and_converges():
    server = FakeConductorOne(clients=[existing("c1", "ci", allowSourceCidr=["10.0.0.0/8"])])
    result, dummy = converge(server, id="c1", display_name="ci", allow_source_cidr=["10.0.0.0/8", "192.168.1.0/24"])
    assert result["changed"] is True
    assert server.clients["c1"]["allowSourceCidr"] == ["10.0.0.0/8", "192.168.1.0/24"]
    again, dummy = converge(server, id="c1", display_name="ci", allow_source_cidr=["192.168.1.0/24", "10.0.0.0/8"])
    assert again["changed"] is False
    assert len(server.requests("POST", ONE)) == 1


def test_absent_deletes_and_then_is_unchanged():
    server = FakeConductorOne(clients=[existing("c1", "ci")])
    first, dummy = converge(server, id="c1", state="absent")
    second, dummy = converge(server, id="c1", state="absent")
    assert (first["changed"], second["changed"]) == (True, False)
    assert statuses(server, "DELETE", ONE) == [200]


def test_two_clients_of_one_display_name_need_an_id():
    server = FakeConductorOne(clients=[existing("a", "ci"), existing("b", "ci")])
    with pytest.raises(InputError, match=r"^display_name: 2 personal clients are named 'ci' \(a, b\); set id"):
        converge(server, display_name="ci")
    assert server.requests("POST") == [] and server.requests("DELETE") == []


def test_keep_previous_without_a_rotation_is_refused_before_any_request():
    server = FakeConductorOne()
    with pytest.raises(InputError, match=r"^keep_previous only applies with rotate"):
        converge(server, display_name="ci", keep_previous=True)
    assert server.log == []


# --- info --------------------------------------------------------------------------------------------

def test_info_lists_live_clients_filtered_by_display_name():
    server = FakeConductorOne(clients=[existing("a", "ci"), existing("b", "deploy")])
    assert [c["id"] for c in info(server)["personal_clients"]] == ["a", "b"]
    assert [c["id"] for c in info(server, display_name="deploy")["personal_clients"]] == ["b"]
    assert info(server, id="a")["personal_clients"][0]["display_name"] == "ci"


def test_info_all_users_searches():
    server = FakeConductorOne(clients=[existing("a", "ci")])
    assert [c["id"] for c in info(server, all_users=True, query="ci")["personal_clients"]] == ["a"]
    assert [p for m, p, dummy in server.requests("POST")] == ["/api/v1/search/iam/personal_clients"]


def test_info_query_without_all_users_is_refused():
    with pytest.raises(InputError, match=r"^query only applies with all_users=true"):
        info(FakeConductorOne(), query="x")
