# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge engine: the pure planners, the per-item paths of the set modules, exclusive mode, the 429 gate."""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import os
import re
import threading
import time

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._client.http import RetryGate
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_set import (
    PersonalClientSet, parse_items, plan_items)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import DesiredClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_plan import CREATE, DELETE, ROTATE, UNCHANGED, UPDATE, plan_client
from ansible_collections.conductorone.iam.plugins.module_utils._resources.role_set import RoleSet
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_set import PERSONAL_CLIENT_SET_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.role_set import ROLE_SET_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.tests.support import fakes

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
VIEWER = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ46", "name": "system:viewer", "displayName": "Read-Only Administrator",
          "permissions": [], "serviceRoles": [], "systemBuiltin": True}
AUDITOR = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ45", "name": "custom:auditor", "displayName": "Auditor",
           "permissions": ["permission/a"], "serviceRoles": [], "systemBuiltin": False}
OWN = "own-client-00001"
# The real client holds the full OAuth client id the run logged in with, never the short id (issue 23).
OWN_CLIENT_ID, OWN_SECRET = fakes.client_credentials(OWN)


def client(cid, name, **fields):
    out = {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "displayName": name, "allowSourceCidr": [],
           "scopedRoles": [], "expiresTime": None, "createdAt": "2026-01-01T00:00:00Z", "deletedAt": None}
    out.update(fields)
    return out


class FakeClient:
    base_url = "https://acme.conductor.one"

    def __init__(self, authenticated_client_id):
        self.authenticated_client_id = authenticated_client_id
        self.transport = type("T", (), {"timeout": 0.0})()


class FakeApi:
    """The IamApi calls the engine uses, thread-safe; ``fail`` maps (operation, display name or id) to an error."""

    def __init__(self, clients=(), roles=(VIEWER, AUDITOR), authenticated=OWN_CLIENT_ID, fail=None):
        self.clients = [copy.deepcopy(c) for c in clients]
        self.roles = [copy.deepcopy(r) for r in roles]
        self.client = FakeClient(authenticated)
        self.fail = fail or {}
        self.calls = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def _record(self, *call):
        with self._lock:
            self.calls.append(call)
        error = self.fail.get(call[:2])
        if error:
            raise error

    def list_personal_clients(self):
        self._record("list")
        return copy.deepcopy([c for c in self.clients if not c.get("deletedAt")])

    def get_personal_client(self, cid):
        raise AssertionError("the set engine reads the listing, never one client")

    def create_personal_client(self, request):
        self._record("create", request["displayName"])
        with self._lock:
            new = client("new-client-%05d" % next(self._ids), request["displayName"],
                         allowSourceCidr=request.get("allowSourceCidr") or [], scopedRoles=request.get("scopedRoles") or [])
            self.clients.append(new)
        return copy.deepcopy(new), "secret-token:conductorone.com:v1:" + new["id"]

    def update_personal_client(self, cid, fields, mask):
        self._record("update", cid)
        stored = next(c for c in self.clients if c["id"] == cid)
        stored.update(copy.deepcopy(fields))
        return copy.deepcopy(stored)

    def delete_personal_client(self, cid):
        self._record("delete", cid)
        next(c for c in self.clients if c["id"] == cid)["deletedAt"] = "2026-06-01T00:00:00Z"
        return True

    def list_roles(self):
        self._record("list_roles")
        return copy.deepcopy(self.roles)

    def update_role(self, role_id, role, mask):
        self._record("update_role", role_id)
        stored = next(r for r in self.roles if r["id"] == role_id)
        stored.update(copy.deepcopy(role))
        return copy.deepcopy(stored)

    def writes(self):
        return [call for call in self.calls if call[0] in ("create", "update", "delete", "update_role")]


Runner = fakes.FakeRunner


def validated(spec, args):
    result = ArgumentSpecValidator(spec).validate(args)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def converge(api, clients, check_mode=False, diff_mode=False, **options):
    """The set engine as the module runs it: logged in with the client credentials of the client the fake API
    reports (``authenticated``), or with an access token when it reports none, as IamApi does."""
    own = api.client.authenticated_client_id
    credentials = dict(client_id=own, client_secret=OWN_SECRET) if own else dict(access_token="token")
    args = dict(options, clients=clients, server_url="https://acme.conductor.one", **credentials)
    runner = Runner(validated(PERSONAL_CLIENT_SET_ARGUMENT_SPEC, args), check_mode, diff_mode)
    return PersonalClientSet(runner, api=api).run(), runner


def desired(**params):
    return DesiredClient(dict({"state": "present"}, **params), now=NOW)


def catalog():
    return RoleCatalog(None, roles=[VIEWER, AUDITOR])


# --- the pure planner ---------------------------------------------------------------------------------

@pytest.mark.parametrize("params, current, expected", [
    ({"display_name": "ci"}, None, CREATE),
    ({"display_name": "ci"}, client("a", "ci"), UNCHANGED),
    ({"display_name": "ci", "allow_source_cidr": ["10.0.0.0/8"]}, client("a", "ci"), UPDATE),
    ({"display_name": "ci", "allow_source_cidr": ["10.0.0.0/8"]}, client("a", "ci", allowSourceCidr=["10.0.0.0/8"]), UNCHANGED),
    ({"display_name": "ci", "rotate": True}, client("a", "ci"), ROTATE),
    ({"display_name": "ci", "rotate_if_expires_within": "14d"}, client("a", "ci", expiresTime="2026-06-10T00:00:00Z"), ROTATE),
    ({"display_name": "ci", "rotate_if_expires_within": "14d"}, client("a", "ci", expiresTime="2026-07-10T00:00:00Z"), UNCHANGED),
    ({"display_name": "ci", "state": "absent"}, client("a", "ci"), DELETE),
    ({"display_name": "ci", "state": "absent"}, None, UNCHANGED),
    # scoped roles by display name, case-insensitive: the role module's resolution
    ({"display_name": "ci", "scoped_roles": ["read-only administrator"]}, client("a", "ci", scopedRoles=[VIEWER["id"]]), UNCHANGED),
    ({"display_name": "ci", "scoped_roles": ["Auditor"]}, client("a", "ci", scopedRoles=[VIEWER["id"]]), UPDATE),
    # expires_at within the 60 s tolerance
    ({"display_name": "ci", "expires_at": "2027-01-01T00:00:30Z"}, client("a", "ci", expiresTime="2027-01-01T00:00:00Z"), UNCHANGED),
    ({"display_name": "ci", "expires_at": "2027-01-01T00:05:00Z"}, client("a", "ci", expiresTime="2027-01-01T00:00:00Z"), UPDATE),
])
def test_planner_decides_each_action(params, current, expected):
    action, dummy = plan_client(desired(**params), current, catalog())
    assert action == expected


# Boundaries at the exact value (NOW is 2026-06-01T00:00:00Z): a rotation window includes its end, the expiry
# tolerance is 60 s either way inclusive, and an expires_at of exactly now is already in the past.
@pytest.mark.parametrize("expires, expected", [
    ("2026-06-14T23:59:59Z", ROTATE),
    ("2026-06-15T00:00:00Z", ROTATE),       # expires exactly 14 days from now: inside the window
    ("2026-06-15T00:00:01Z", UNCHANGED),
    ("2026-05-31T23:59:59Z", ROTATE),       # already expired
])
def test_planner_rotation_window_boundary(expires, expected):
    action, dummy = plan_client(desired(display_name="ci", rotate_if_expires_within="14d"),
                                client("a", "ci", expiresTime=expires), catalog())
    assert action == expected


@pytest.mark.parametrize("have, expected", [
    ("2027-01-01T00:01:00Z", UNCHANGED), ("2027-01-01T00:01:01Z", UPDATE),
    ("2026-12-31T23:59:00Z", UNCHANGED), ("2026-12-31T23:58:59Z", UPDATE),
])
def test_planner_expiry_tolerance_boundary(have, expected):
    action, dummy = plan_client(desired(display_name="ci", expires_at="2027-01-01T00:00:00Z"),
                                client("a", "ci", expiresTime=have), catalog())
    assert action == expected


def test_expires_at_of_exactly_now_is_refused_one_second_later_is_not():
    with pytest.raises(InputError, match="^expires_at: 2026-06-01T00:00:00Z is in the past"):
        desired(display_name="ci", expires_at="2026-06-01T00:00:00Z")
    assert desired(display_name="ci", expires_at="2026-06-01T00:00:01Z").expires_at is not None


def test_planner_refuses_an_unknown_id_and_an_unknown_role():
    with pytest.raises(InputError, match="^id: no personal client"):
        plan_client(desired(id="gone-1"), None, catalog())
    with pytest.raises(InputError, match="^scoped_roles: no role"):
        plan_client(desired(display_name="ci", scoped_roles=["nope"]), None, catalog())


def test_planner_needs_no_api():
    """A catalog with its roles and a lookup over a listing: planning makes no call at all."""
    lookup = PersonalClientLookup(api=None, listing=[client("a", "ci"), client("b", "bot", deletedAt="2026-01-01T00:00:00Z")])
    plans = plan_items(parse_items([{"display_name": "ci"}, {"display_name": "bot"}], now=NOW), lookup, catalog())
    assert [(plan.action, (plan.current or {}).get("id")) for plan in plans] == [(UNCHANGED, "a"), (CREATE, None)]


@pytest.mark.parametrize("items, message", [
    ([{"display_name": "x"}, {"display_name": "x"}], r"clients\[0\] \(x\) and clients\[1\] \(x\) declare the same display name"),
    ([{"id": "a-1"}, {"id": "a-1@acme.conductor.one/pcc"}], "declare the same id 'a-1'"),
    ([{"display_name": "x", "secret_path": "/tmp/s.json"}, {"display_name": "y", "secret_path": "/tmp/./s.json"}],
     "declare the same secret_path"),
    ([{"display_name": "x", "expires_in": "soon"}], r"^clients\[0\] \(x\): expires_in: 'soon' is not a duration"),
    ([{"display_name": "x", "secret_path": "rel.json"}], "secret_path: rel.json is relative; set secret_dir"),
])
def test_bad_sets_are_refused_before_any_request(items, message):
    api = FakeApi()
    with pytest.raises(InputError, match=message):
        converge(api, items)
    assert api.calls == []


def test_one_secret_file_reached_through_a_symlinked_directory_is_refused_before_any_request(tmp_path):
    """Issue 12 duplicates rule: dir/s.json and dir/alias/s.json (alias -> dir) are one file, and one secret would be
    lost; refused naming both items and the option. A different name in the aliased directory is another file."""
    directory = tmp_path / "dir"
    directory.mkdir(mode=0o700)
    os.symlink(str(directory), str(directory / "alias"))
    api = FakeApi()
    with pytest.raises(InputError, match=r"^clients\[0\] \(first\) and clients\[1\] \(second\) declare the same "
                                         r"secret_path .*'" + re.escape(str(directory / "s.json")) + "'"):
        converge(api, [{"display_name": "first", "secret_path": str(directory / "s.json")},
                       {"display_name": "second", "secret_path": str(directory / "alias" / "s.json")}])
    assert api.calls == [] and os.listdir(str(directory)) == ["alias"]
    parsed = parse_items([{"display_name": "first", "secret_path": str(directory / "s.json")},
                          {"display_name": "second", "secret_path": str(directory / "alias" / "t.json")}], now=NOW)
    assert len(parsed) == 2


def test_a_client_renamed_by_id_is_not_matched_by_its_old_name():
    """Rename a-1 from ci to ci-old by id, and declare a new ci: the name item creates, it does not grab a-1."""
    api = FakeApi([client("a-1", "ci")])
    result, dummy = converge(api, [{"id": "a-1", "display_name": "ci-old"}, {"display_name": "ci"}])
    assert result["summary"]["updated"] == ["ci-old"] and result["summary"]["created"] == ["ci"]
    assert sorted(call[0] for call in api.writes()) == ["create", "update"]


# --- the set: one listing, per-item results, failures ----------------------------------------------------

def test_one_listing_and_per_item_results(tmp_path):
    api = FakeApi([client("a-1", "keep"), client("b-1", "edit")])
    result, dummy = converge(api, [
        {"display_name": "keep"},
        {"display_name": "edit", "allow_source_cidr": ["10.0.0.0/8"]},
        {"display_name": "new", "secret_path": str(tmp_path / "new.json")},
        {"display_name": "other-new"},
    ], parallel=4)
    # one listing to plan, and one more (for the whole set, after every create) to settle overlapping creates
    lists = [index for index, call in enumerate(api.calls) if call[0] == "list"]
    creates = [index for index, call in enumerate(api.calls) if call[0] == "create"]
    assert len(lists) == 2 and len(creates) == 2 and lists[0] < min(creates) and lists[1] > max(creates)
    assert [(r["index"], r["display_name"], r["action"], r["changed"]) for r in result["results"]] == [
        (0, "keep", UNCHANGED, False), (1, "edit", UPDATE, True), (2, "new", CREATE, True), (3, "other-new", CREATE, True)]
    assert result["counts"] == {"created": 2, "updated": 1, "rotated": 0, "deleted": 0, "unchanged": 1, "failed": 0}
    assert result["summary"]["created"] == ["new", "other-new"]
    # the secret with a secret_path goes to the file (0600), the other one to the returned mapping, hidden by Ansible
    written = json.loads((tmp_path / "new.json").read_text())
    assert written["client_secret"].endswith(written["id"])
    assert oct(os.stat(str(tmp_path / "new.json")).st_mode & 0o777) == "0o600"
    assert list(result["secrets"]) == ["other-new"]
    assert result["_ansible_no_log"] is True
    assert "secret-token" not in json.dumps(result["results"]) + json.dumps(result["summary"])


def test_no_secret_no_no_log():
    api = FakeApi([client("a-1", "keep")])
    result, dummy = converge(api, [{"display_name": "keep"}])
    assert result["secrets"] == {} and "_ansible_no_log" not in result and not result["changed"]
    assert [call for call in api.calls if call[0] == "list"] == [("list",)]  # nothing created: no second listing


def test_one_failing_item_does_not_stop_the_others_and_the_task_fails_listing_it():
    api = FakeApi(fail={("create", "bad"): ConductorOneError("boom", operation="PersonalClientService.Create", status=400)})
    result, dummy = converge(api, [{"display_name": "good-1"}, {"display_name": "bad"}, {"display_name": "good-2"}], parallel=2)
    assert result["failed"] is True
    assert result["counts"]["created"] == 2 and result["counts"]["failed"] == 1
    assert result["summary"]["failed"] == ["bad"]
    assert "clients[1] (bad): PersonalClientService.Create failed [HTTP 400]: boom" in result["msg"]
    assert result["results"][1]["failed"] and result["results"][1]["action"] == CREATE


def test_a_planning_error_fails_only_its_item():
    api = FakeApi([client("a-1", "dup"), client("a-2", "dup")])
    result, dummy = converge(api, [{"display_name": "dup", "allow_source_cidr": []}, {"display_name": "fine"}])
    assert result["summary"]["failed"] == ["dup"] and result["summary"]["created"] == ["fine"]
    assert "2 personal clients are named 'dup'" in result["msg"]


def test_check_mode_writes_nothing_and_predicts_the_real_run():
    clients = [client("a-1", "edit"), client("b-1", "stray")]
    items = [{"display_name": "edit", "allow_source_cidr": ["10.0.0.0/8"]}, {"display_name": "new"}]
    api = FakeApi(clients)
    predicted, dummy = converge(api, items, check_mode=True, diff_mode=True, exclusive=True)
    assert api.writes() == []
    real, dummy = converge(FakeApi(clients), items, exclusive=True)
    assert predicted["summary"] == dict(real["summary"], check_mode=True)
    diffs = dict((diff["before_header"], diff) for diff in predicted["diff"])
    assert diffs["clients[0] (edit)"]["before"]["allow_source_cidr"] == []
    assert diffs["clients[0] (edit)"]["after"]["allow_source_cidr"] == ["10.0.0.0/8"]
    assert diffs["stray (undeclared, deleted)"]["after"] == {}


def test_set_diff_is_one_diff_per_changed_item_with_headers():
    """Issue 22: a list of {before_header, after_header, before, after}, one per item that changes (as
    ansible.builtin.template gives per file), in item order; unchanged items add nothing."""
    clients = [client("a-1", "edit"), client("c-1", "same")]
    items = [{"display_name": "new"}, {"display_name": "same"}, {"display_name": "edit", "allow_source_cidr": ["10.0.0.0/8"]}]
    result, dummy = converge(FakeApi(clients), items, diff_mode=True)
    assert [(d["before_header"], d["after_header"]) for d in result["diff"]] == [
        ("clients[0] (new)", "clients[0] (new)"), ("clients[2] (edit)", "clients[2] (edit)")]
    assert result["diff"][0]["before"] == {} and result["diff"][0]["after"]["display_name"] == "new"
    assert result["diff"][1]["before"]["id"] == result["diff"][1]["after"]["id"] == "a-1"
    unchanged, dummy = converge(FakeApi(clients), [{"display_name": "same"}], diff_mode=True)
    assert unchanged["diff"] == [] and not unchanged["changed"]


def test_diff_names_scoped_roles_as_written_with_their_ids():
    """Issue 22: scoped roles in a diff are what the user wrote (or the role's display name) with the id, not ids alone."""
    api = FakeApi([client("a-1", "edit", scopedRoles=[VIEWER["id"]])])
    result, dummy = converge(api, [{"display_name": "edit", "scoped_roles": ["custom:auditor"]}], diff_mode=True)
    diff = result["diff"][0]
    assert diff["before"]["scoped_roles"] == ["Read-Only Administrator (%s)" % VIEWER["id"]]
    assert diff["after"]["scoped_roles"] == ["custom:auditor (%s)" % AUDITOR["id"]]
    assert api.calls.count(("list_roles",)) == 1  # the catalog of the plan, not a second listing for the diff


def test_diff_of_role_ids_lists_roles_once_only_when_the_roles_change():
    api = FakeApi([client("a-1", "edit", scopedRoles=[VIEWER["id"]])])
    result, dummy = converge(api, [{"display_name": "edit", "scoped_roles": [VIEWER["id"], AUDITOR["id"]]}], diff_mode=True)
    labelled = ["Auditor (%s)" % AUDITOR["id"], "Read-Only Administrator (%s)" % VIEWER["id"]]
    assert result["diff"][0]["after"]["scoped_roles"] == labelled
    api = FakeApi([client("a-1", "edit", scopedRoles=[VIEWER["id"]])])
    result, dummy = converge(api, [{"display_name": "edit", "scoped_roles": [VIEWER["id"]], "allow_source_cidr": ["10.0.0.0/8"]}],
                             diff_mode=True)
    assert ("list_roles",) not in api.calls  # roles unchanged and never listed: no request only for the diff
    assert result["diff"][0]["after"]["scoped_roles"] == [VIEWER["id"]]


# --- exclusive mode ---------------------------------------------------------------------------------------

def test_exclusive_deletes_the_undeclared_but_never_the_authenticated_client():
    api = FakeApi([client(OWN, "the-play"), client("a-1", "keep"), client("b-1", "stray"), client("c-1", "protected")])
    result, dummy = converge(api, [{"display_name": "keep"}], exclusive=True, protected=["c-1@acme.conductor.one/pcc"])
    assert api.writes() == [("delete", "b-1")]
    assert result["summary"]["deleted"] == ["stray"]
    assert result["results"][-1] == {"index": None, "display_name": "stray", "id": "b-1", "action": DELETE, "changed": True}


def test_exclusive_deletes_nothing_when_an_item_failed():
    api = FakeApi([client(OWN, "the-play"), client("b-1", "stray")],
                  fail={("create", "bad"): ConductorOneError("boom", status=500)})
    result, dummy = converge(api, [{"display_name": "bad"}], exclusive=True)
    assert [call for call in api.writes() if call[0] == "delete"] == []
    assert result["failed"] and "were not deleted because an item failed: b-1" in result["msg"]


def test_exclusive_with_a_bare_token_refuses_unless_protected_names_a_caller_client():
    clients = [client("tok-owner-1", "the-play"), client("b-1", "stray")]
    api = FakeApi(clients, authenticated=None)
    with pytest.raises(InputError, match="access token, whose personal client cannot be known"):
        converge(api, [], exclusive=True)
    with pytest.raises(InputError, match="access token"):
        converge(api, [], exclusive=True, protected=["not-a-client-of-the-caller"])
    assert api.writes() == []
    result, dummy = converge(api, [], exclusive=True, protected=["tok-owner-1"])
    assert api.writes() == [("delete", "b-1")]


def test_a_listing_failure_fails_the_task_before_any_write():
    api = FakeApi()

    def broken():
        raise ConductorOneError("down", status=503)
    api.list_personal_clients = broken
    with pytest.raises(ConductorOneError):
        converge(api, [{"display_name": "x"}], exclusive=True)
    assert api.writes() == []


@pytest.mark.parametrize("parallel", [1, 3, 8])
def test_parallel_gives_the_same_result_as_sequential(parallel):
    items = [{"display_name": "c%02d" % i} for i in range(20)]
    result, dummy = converge(FakeApi(), items, parallel=parallel)
    assert result["summary"]["created"] == ["c%02d" % i for i in range(20)]


def test_parallel_must_be_positive():
    with pytest.raises(InputError, match="parallel must be 1"):
        converge(FakeApi(), [], parallel=0)


def test_the_items_are_validated_by_the_personal_client_spec():
    """An item with an unknown option or both expires_in and expires_at fails validation, as the module would."""
    for item in ({"display_name": "x", "nope": 1}, {"display_name": "x", "expires_in": "1d", "expires_at": "2030-01-01T00:00:00Z"}):
        outcome = ArgumentSpecValidator(PERSONAL_CLIENT_SET_ARGUMENT_SPEC).validate({"clients": [item]})
        assert outcome.error_messages


# --- role_set ---------------------------------------------------------------------------------------------

def run_roles(api, roles, check_mode=False):
    args = {"roles": roles, "access_token": "token", "server_url": "https://acme.conductor.one"}
    runner = Runner(validated(ROLE_SET_ARGUMENT_SPEC, args), check_mode)
    return RoleSet(runner, api=api).run()


def test_role_set_one_catalog_per_item_results_and_a_builtin_fails_only_its_item():
    api = FakeApi()
    result = run_roles(api, [{"name": "auditor", "permissions": ["permission/b"]},  # case-insensitive fallback
                             {"name": "system:viewer", "permissions": ["permission/x"]}])
    assert [call for call in api.calls if call[0] == "list_roles"] == [("list_roles",)]
    assert result["summary"]["updated"] == ["auditor"]
    assert result["summary"]["failed"] == ["system:viewer"]
    assert "built-in" in result["msg"]
    assert api.writes() == [("update_role", AUDITOR["id"])]


def test_role_set_refuses_a_role_declared_twice_before_any_request():
    api = FakeApi()
    with pytest.raises(InputError, match="declare the same role"):
        run_roles(api, [{"name": "Auditor"}, {"name": "Auditor"}])
    assert api.calls == []


def test_role_set_refuses_one_role_reached_by_name_and_by_id_before_any_write():
    api = FakeApi()
    with pytest.raises(InputError, match="declare the same role id"):
        run_roles(api, [{"name": "Auditor", "permissions": []}, {"id": AUDITOR["id"]}])
    assert api.writes() == []


def test_role_set_check_mode_writes_nothing():
    api = FakeApi()
    result = run_roles(api, [{"name": "Auditor", "display_name": "Auditors"}], check_mode=True)
    assert result["summary"]["updated"] == ["Auditor"] and api.writes() == []


# --- the shared 429 gate ------------------------------------------------------------------------------------

def test_retry_gate_holds_every_caller_until_the_latest_not_before():
    slept = []
    clock = [100.0]
    gate = RetryGate(sleep=slept.append, clock=lambda: clock[0])
    gate.wait()
    gate.hold(2.0)
    gate.hold(1.0)  # a shorter hold does not shorten the gate
    gate.wait()
    clock[0] = 103.0
    gate.wait()
    assert slept == [2.0]


def test_a_hold_already_slept_out_by_its_caller_is_not_slept_again():
    slept = []
    gate = RetryGate(sleep=slept.append, clock=lambda: 100.0)
    served = gate.hold(3.0)
    gate.wait(served)
    assert slept == []
    gate.hold(5.0)  # a longer hold from another thread still applies
    gate.wait(served)
    assert slept == [5.0]


def test_rotation_in_a_set_is_make_before_break_and_returns_the_new_secret():
    api = FakeApi([client("old-1", "ci")])
    result, dummy = converge(api, [{"display_name": "ci", "rotate": True}])
    new_id = result["results"][0]["id"]
    assert result["summary"]["rotated"] == ["ci"] and result["results"][0]["rotated_from"] == "old-1"
    assert [call[0] for call in api.writes()] == ["create", "delete"] and api.writes()[1] == ("delete", "old-1")
    assert result["secrets"]["ci"]["id"] == new_id


def test_a_429_retry_after_holds_back_the_next_request_of_another_caller(monkeypatch):
    """One transport shared by the set's threads: after a 429 with Retry-After, the next send waits too."""
    import requests

    from ansible_collections.conductorone.iam.plugins.module_utils._client import http as _http
    from ansible_collections.conductorone.iam.plugins.module_utils._client import url as _url

    def response(status, headers=None):
        out = requests.Response()
        out.status_code, out._content, out.encoding = status, b"{}", "utf-8"  # pylint: disable=protected-access
        out.headers.update(headers or {})
        return out

    outcomes = [response(429, {"Retry-After": "30"}), response(200), response(200)]
    sleeps = []
    transport = _http.HttpTransport(_url.parse_server_url("https://acme.conductor.one"), sleep=sleeps.append)
    monkeypatch.setattr(transport.session, "request", lambda *args, **kwargs: outcomes.pop(0))
    started = time.monotonic()
    transport.send("GET", "https://acme.conductor.one/api/v1/iam/roles", "Roles.List")
    assert sleeps == [30.0]  # the caller that got the 429 sleeps it out once
    transport.send("GET", "https://acme.conductor.one/api/v1/iam/roles", "Roles.List")
    elapsed = time.monotonic() - started  # the gate runs on the real clock: bound by it, not by a fixed 1 s
    assert len(sleeps) == 2 and 30.0 - elapsed <= sleeps[1] <= 30.0  # another send waits for the same gate


def test_the_connection_pool_covers_parallel():
    from ansible_collections.conductorone.iam.plugins.module_utils._client import http as _http
    from ansible_collections.conductorone.iam.plugins.module_utils._client import url as _url
    transport = _http.HttpTransport(pool_size=16, endpoint=_url.parse_server_url("https://acme.conductor.one"))
    assert transport.session.get_adapter("https://acme.conductor.one")._pool_maxsize == 16  # pylint: disable=protected-access
