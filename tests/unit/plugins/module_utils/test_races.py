# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Overlapping runs (issue 19, findings 1 and 5): the tie-break that settles two creates of one display name, the
create / rotate protocol through the modules' entry points (another run's client appears at the server while this
run creates), one re-listing per set, and the role append/remove modes re-applying an update another writer undid."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient, IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_set import PersonalClientSet
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PersonalClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_create import created_order, settle_race
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import REAPPLY_ATTEMPTS, Role
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PERSONAL_CLIENT_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_set import PERSONAL_CLIENT_SET_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, FakeRoleApi, FakeRunner, role_params


LIST = r"^/api/v1/iam/personal_clients$"


def pc(cid, name="ci", created="2026-06-01T10:00:00Z", **fields):
    client = {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "userId": "fake-user", "displayName": name,
              "allowSourceCidr": [], "scopedRoles": [], "expiresTime": "2030-01-01T00:00:00Z", "createdAt": created,
              "deletedAt": None}
    client.update(fields)
    return client


# --- the tie-break (pure) ------------------------------------------------------------------------------------

def test_oldest_created_at_wins():
    own = pc("own-1", created="2026-06-01T10:00:00.200Z")
    rival = pc("rival-9", created="2026-06-01T10:00:00.100Z")
    assert settle_race(own, set(), [own, rival])["id"] == "rival-9"
    assert settle_race(rival, set(), [own, rival])["id"] == "rival-9"  # both runs name the same winner


def test_equal_created_at_smallest_id_wins():
    a, b = pc("aaa-1"), pc("bbb-2")
    assert settle_race(a, set(), [a, b])["id"] == "aaa-1"
    assert settle_race(b, set(), [b, a])["id"] == "aaa-1"


def test_nanoseconds_and_offsets_count():
    # equal to the microsecond, 1 ns apart: the nanoseconds decide, not the id
    early = pc("zzz-1", created="2026-06-01T10:00:00.123456001Z")
    late = pc("aaa-2", created="2026-06-01T10:00:00.123456002Z")
    assert settle_race(late, set(), [early, late])["id"] == "zzz-1"
    # an offset is a time zone, not a later time: 12:00+02:00 is 10:00Z, before 10:30Z
    zoned = pc("zzz-3", created="2026-06-01T12:00:00+02:00")
    utc = pc("aaa-4", created="2026-06-01T10:30:00Z")
    assert settle_race(utc, set(), [zoned, utc])["id"] == "zzz-3"


def test_unknown_created_at_never_beats_a_known_one():
    undated = pc("aaa-1", created=None)
    dated = pc("zzz-2", created="2030-01-01T00:00:00Z")
    assert settle_race(undated, set(), [undated, dated])["id"] == "zzz-2"
    assert created_order(pc("x", created="not a time")) > created_order(dated)


def test_known_clients_other_names_and_deleted_ones_never_compete():
    own = pc("own-5", created="2026-06-01T10:00:05Z")
    rotated = pc("old-1", created="2026-01-01T00:00:00Z")  # the client being rotated, or one kept by keep_previous
    other_name = pc("other-2", name="else", created="2026-01-01T00:00:00Z")
    gone = pc("gone-3", created="2026-01-01T00:00:00Z", deletedAt="2026-06-01T10:00:06Z")
    assert settle_race(own, {"old-1"}, [rotated, other_name, gone, own])["id"] == "own-5"


def test_a_listing_that_misses_a_newer_rival_names_the_same_winner():
    """The run whose listing came before the rival's create sees only its own client: it keeps it, and the rival's
    run (whose listing sees both) agrees."""
    first = pc("zzz-1", created="2026-06-01T10:00:00Z")
    second = pc("aaa-2", created="2026-06-01T10:00:01Z")
    assert settle_race(first, set(), [first])["id"] == "zzz-1"
    assert settle_race(second, set(), [first, second])["id"] == "zzz-1"


def test_own_client_missing_from_the_listing_still_competes():
    own = pc("own-1", created="2026-06-01T10:00:00Z")
    assert settle_race(own, set(), [])["id"] == "own-1"


# --- the protocol through PersonalClient (FakeConductorOne: another run's client appears at the server) ----------

def params_of(spec, **options):
    params = dict((name, option.get("default")) for name, option in spec.items())
    params.update(server_url=FakeConductorOne.base_url, access_token="fake-access-token", token_cache=False)
    params.update(options)
    return params


def converge(server, **options):
    runner = FakeRunner(params_of(PERSONAL_CLIENT_ARGUMENT_SPEC, **options))
    api = IamApi(ApiClient(runner.params, warn=runner.warn, transport=server))
    return PersonalClient(runner, api=api).run(), runner


def rival_on_create(server, created):
    """While this run creates, another run's create of the same name lands ``created`` (earlier or later)."""
    counter = itertools.count(1)

    def hook(client):
        rid = "rival-client-%d" % next(counter)
        server.clients[rid] = pc(rid, name=client["displayName"], created=created)
        server.secrets[rid] = "secret-token:conductorone.com:v1:rival-secret"
        server.on_create = None
    server.on_create = hook


def test_loser_deletes_only_its_own_client_and_holds_no_secret(tmp_path):
    server = FakeConductorOne()
    rival_on_create(server, created="2020-01-01T00:00:00Z")  # older than anything the fake stamps
    path = tmp_path / "ci.json"
    result, runner = converge(server, display_name="ci", secret_path=str(path))
    assert [c["id"] for c in server.live("ci")] == ["rival-client-1"]
    assert result["changed"] is False and "client_secret" not in result
    assert result["personal_client"]["id"] == "rival-client-1"
    assert result["lost_race"] == {"winner": "rival-client-1", "deleted": "fake-client-1"}
    assert not path.exists()
    assert server.requests("DELETE") == [("DELETE", "/api/v1/iam/personal_clients/fake-client-1", 200)]
    assert len(runner.warnings) == 1
    assert "rival-client-1" in runner.warnings[0] and "holds no secret" in runner.warnings[0]
    assert "fake-client-1" in runner.warnings[0]
    # the next run converges without a change
    again, dummy = converge(server, display_name="ci", secret_path=str(path))
    assert again["changed"] is False and not server.requests("POST", LIST)[1:]


def test_winner_keeps_its_client_delivers_the_secret_and_leaves_the_rival_alone():
    server = FakeConductorOne()
    rival_on_create(server, created="2099-01-01T00:00:00Z")  # newer: its run will delete it
    result, runner = converge(server, display_name="ci")
    assert result["changed"] is True and result["client_secret"] == server.secrets["fake-client-1"]
    assert "lost_race" not in result and not runner.warnings
    assert sorted(c["id"] for c in server.live("ci")) == ["fake-client-1", "rival-client-1"]
    assert not server.requests("DELETE")
    # exactly one listing to plan and one after the create
    assert [entry[0] for entry in server.requests(path=LIST)] == ["GET", "POST", "GET"]


def test_failed_relisting_keeps_the_secret_and_warns(tmp_path):
    server = FakeConductorOne()
    server.fault("GET", LIST, "status", status=503, skip=1)  # the plan's listing works, the one after the create fails
    path = tmp_path / "ci.json"
    result, runner = converge(server, display_name="ci", secret_path=str(path))
    assert result["changed"] is True and "lost_race" not in result
    assert json.loads(path.read_text())["id"] == "fake-client-1"
    assert len(runner.warnings) == 1 and "could not list your clients afterwards" in runner.warnings[0]
    assert "delete the one whose secret you do not hold" in runner.warnings[0]


def test_two_runs_rotating_one_client_leave_one_replacement():
    old = pc("old-client-1", created="2026-01-01T00:00:00Z")
    server = FakeConductorOne(clients=[old])
    rival_on_create(server, created="2020-01-01T00:00:00Z")  # the other run's replacement landed first
    result, runner = converge(server, display_name="ci", rotate=True)
    assert result["changed"] is False and "client_secret" not in result and "rotated_from" not in result
    assert result["lost_race"] == {"winner": "rival-client-1", "deleted": "fake-client-1"}
    # this run deleted only its own replacement; the old client is the winning run's to delete
    assert server.requests("DELETE") == [("DELETE", "/api/v1/iam/personal_clients/fake-client-1", 200)]
    assert sorted(c["id"] for c in server.live("ci")) == ["old-client-1", "rival-client-1"]
    assert "rotated 'ci'" in runner.warnings[0] and "old-client-1" in runner.warnings[0]


def test_rotation_winner_deletes_the_old_client_after_delivering():
    old = pc("old-client-1", created="2026-01-01T00:00:00Z")
    server = FakeConductorOne(clients=[old])
    rival_on_create(server, created="2099-01-01T00:00:00Z")
    result, dummy = converge(server, display_name="ci", rotate=True)
    assert result["changed"] is True and result["rotated_from"] == "old-client-1" and result["client_secret"]
    assert server.requests("DELETE") == [("DELETE", "/api/v1/iam/personal_clients/old-client-1", 200)]


def test_loser_whose_delete_fails_fails_naming_its_duplicate():
    server = FakeConductorOne()
    rival_on_create(server, created="2020-01-01T00:00:00Z")
    server.fault("DELETE", r"fake-client-1$", "status", status=503)
    with pytest.raises(ConductorOneError) as excinfo:
        converge(server, display_name="ci")
    assert "rival-client-1" in str(excinfo.value) and "state=absent, id=fake-client-1" in str(excinfo.value)


# --- the set: at most one re-listing, the loser's item reported -------------------------------------------------

def converge_set(server, clients, **options):
    runner = FakeRunner(params_of(PERSONAL_CLIENT_SET_ARGUMENT_SPEC, clients=clients, **options))
    api = IamApi(ApiClient(runner.params, warn=runner.warn, transport=server))
    return PersonalClientSet(runner, api=api).run(), runner


def test_set_lists_once_more_for_all_creates_and_reports_the_lost_item():
    server = FakeConductorOne()
    rival_on_create(server, created="2020-01-01T00:00:00Z")  # lands during the first create of the set
    names = ["n%d" % i for i in range(6)]
    result, runner = converge_set(server, [{"display_name": name} for name in names], parallel=3)
    assert len(server.requests("GET", LIST)) == 2 and len(server.requests("POST", LIST)) == 6
    lost = [entry for entry in result["results"] if entry.get("lost_race")]
    assert len(lost) == 1 and lost[0]["lost_race"]["winner"] == "rival-client-1" and not lost[0]["changed"]
    assert lost[0]["display_name"] not in result["secrets"] and len(result["secrets"]) == 5
    for name in names:
        assert len(server.live(name)) == 1
    assert len(runner.warnings) == 1 and "holds no secret" in runner.warnings[0]
    # idempotent: one listing, no write
    before = len(server.log)
    again, dummy = converge_set(server, [{"display_name": name} for name in names])
    assert not again["changed"] and [entry[:2] for entry in server.log[before:]] == [("GET", "/api/v1/iam/personal_clients")]


# --- roles: append / remove re-apply what another writer undid -----------------------------------------------

P_LIST = "permission/c1.api.iam.v1.Roles.List"
P_GET = "permission/c1.api.iam.v1.Roles.Get"
P_UPDATE = "permission/c1.api.iam.v1.Roles.Update"
AUDITOR = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ45", "name": "custom:auditor", "displayName": "Auditor",
           "permissions": [P_LIST, P_GET], "serviceRoles": [], "systemBuiltin": False}


class RoleApi(FakeRoleApi):
    """tests/support/fakes.py's role API holding the auditor role; the server keeps what was written."""

    def __init__(self):
        super().__init__([AUDITOR])


class RacingRoleApi(RoleApi):
    """After each of this task's first ``overwrites`` updates, another writer's update (read before it) lands."""

    def __init__(self, overwrites=1):
        super().__init__()
        self.overwrites = overwrites

    def update_role(self, role_id, role, update_mask):
        before = copy.deepcopy(next(stored for stored in self.roles if stored["id"] == role_id))
        after = super().update_role(role_id, role, update_mask)
        if self.overwrites > 0:
            self.overwrites -= 1
            stored = next(stored for stored in self.roles if stored["id"] == role_id)
            stored["permissions"] = before["permissions"] + ["permission/other-writer-%d" % self.overwrites]
        return after


def run_racing(api, **options):
    runner = FakeRunner(role_params(**options))
    return Role(runner, api=api).run(), runner


def stored_role(api):
    return next(role for role in api.roles if role["id"] == AUDITOR["id"])


def test_append_reapplies_an_update_another_writer_undid():
    api = RacingRoleApi(overwrites=1)
    result, runner = run_racing(api, name="custom:auditor", permissions=[P_UPDATE], append=True)
    permissions = stored_role(api)["permissions"]
    assert P_UPDATE in permissions and "permission/other-writer-0" in permissions
    assert result["changed"] is True and P_UPDATE in result["role"]["permissions"]
    assert len(api.updates) == 2 and "re-applied" in runner.warnings[0]


def test_remove_reapplies_too():
    api = RacingRoleApi(overwrites=1)
    dummy, runner = run_racing(api, name="custom:auditor", remove_permissions=[P_GET])
    assert P_GET not in stored_role(api)["permissions"] and P_LIST in stored_role(api)["permissions"]
    assert len(api.updates) == 2


def test_reapplication_is_bounded():
    api = RacingRoleApi(overwrites=REAPPLY_ATTEMPTS + 5)
    with pytest.raises(ConductorOneError) as excinfo:
        run_racing(api, name="custom:auditor", permissions=[P_UPDATE], append=True)
    assert len(api.updates) == REAPPLY_ATTEMPTS + 1 and "gave up after" in str(excinfo.value)


def test_exact_list_is_last_writer_wins_and_not_reread():
    api = RacingRoleApi(overwrites=1)
    run_racing(api, name="custom:auditor", permissions=[P_UPDATE])
    assert len(api.updates) == 1 and not [call for call in api.calls if call[0] == "get_role"]


def test_append_without_race_costs_one_read_and_no_change_costs_nothing():
    api = RacingRoleApi(overwrites=0)
    run_racing(api, name="custom:auditor", permissions=[P_UPDATE], append=True)
    assert [call[0] for call in api.calls] == ["list_roles", "update_role", "get_role"]
    api.calls = []
    result, dummy = run_racing(api, name="custom:auditor", permissions=[P_UPDATE], append=True)
    assert not result["changed"] and [call[0] for call in api.calls] == ["list_roles"]
