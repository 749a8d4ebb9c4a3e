# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""personal_client_hygiene's logic and personal_client_info's hygiene filters, with a fake runner and IamApi."""

from __future__ import annotations

import copy
import datetime

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._resources import hygiene_rules as _hygiene
from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import CONNECTION_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_hygiene import PersonalClientHygiene
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import PersonalClientInfo
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_hygiene import HYGIENE_ARGUMENT_SPEC as ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import PERSONAL_CLIENT_INFO_ARGUMENT_SPEC as INFO_SPEC


def ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ahead(days):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def pc(cid, user, created, used=None, expires=None, cidrs=None, scoped=None):
    return {"id": cid, "clientId": cid + "@t/pcc", "userId": user, "displayName": cid, "createdAt": ago(created),
            "lastUsedAt": ago(used) if used is not None else None, "expiresTime": ahead(expires) if expires is not None else None,
            "allowSourceCidr": cidrs or [], "scopedRoles": scoped or [], "deletedAt": None}


MINE = [
    pc("me-play", "me", 300, used=0),                       # the client the play runs as: stale-looking, never deleted
    pc("me-fresh", "me", 1, used=0, expires=20, cidrs=["10.0.0.0/8"], scoped=["r"]),
    pc("me-stale", "me", 200, used=100, expires=50, cidrs=["10.0.0.0/8"], scoped=["r"]),
    pc("me-never", "me", 40, cidrs=["10.0.0.0/8"], scoped=["r"]),
    pc("me-expired", "me", 40, used=35, expires=-1, cidrs=["10.0.0.0/8"], scoped=["r"]),
    pc("me-open", "me", 5, used=1, expires=20),
]
THEIRS = [pc("bob-stale", "bob", 200, used=150, expires=100, cidrs=["10.0.0.0/8"], scoped=["r"]),
          pc("bob-fresh", "bob", 2, used=1, expires=20, cidrs=["10.0.0.0/8"], scoped=["r"])]
POLICY = {"stale_after": "30d", "never_used_grace": "7d", "require_scoped_roles": True}


class FakeClient:
    def __init__(self, authenticated_client_id):
        self.authenticated_client_id = authenticated_client_id


class FakeApi:
    def __init__(self, authenticated="me-play@t/pcc"):
        self.mine, self.theirs = copy.deepcopy(MINE), copy.deepcopy(THEIRS)
        self.client = FakeClient(authenticated)
        self.calls = []

    def list_personal_clients(self):
        self.calls.append(("list",))
        return copy.deepcopy(self.mine)

    def search_personal_clients(self, query=None, user_ids=None):
        self.calls.append(("search", query, user_ids))
        clients = self.mine + self.theirs
        return copy.deepcopy([c for c in clients if not user_ids or c["userId"] in user_ids])

    def delete_personal_client(self, client_id):
        self.calls.append(("delete", client_id))
        self.mine = [c for c in self.mine if c["id"] != client_id]
        return True


class FakeRunner:
    def __init__(self, params, check_mode=False, diff_mode=False):
        self.params, self.check_mode, self.diff_mode, self.warnings = params, check_mode, diff_mode, []

    def warn(self, message):
        self.warnings.append(message)


def params_for(spec, **options):
    params = dict((name, value.get("default")) for name, value in CONNECTION_ARGUMENT_SPEC.items())
    params.update((name, value.get("default")) for name, value in spec.items() if name not in CONNECTION_ARGUMENT_SPEC)
    params.update(options)
    return params


def hygiene(api=None, check_mode=False, diff_mode=False, **options):
    api = api or FakeApi()
    options.setdefault("policy", POLICY)
    runner = FakeRunner(params_for(ARGUMENT_SPEC, **options), check_mode=check_mode, diff_mode=diff_mode)
    return PersonalClientHygiene(runner, api=api).run(), api


def rules_by_id(result):
    return dict((row["id"], row["rules"]) for row in result["violations"])


def test_report_only_tenant_wide_finds_exactly_the_violations():
    result, api = hygiene(scope="tenant")
    assert rules_by_id(result) == {
        "bob-stale": ["stale_after"],
        "me-play": ["require_scoped_roles"],
        "me-never": ["stale_after", "never_used_grace"],
        "me-expired": ["expired", "stale_after"],
        "me-open": ["require_scoped_roles"],
        "me-stale": ["stale_after"],
    }
    assert result["clients_checked"] == 8 and not result["changed"] and result["deleted"] == []
    assert result["rule_counts"] == {"expired": 1, "stale_after": 4, "never_used_grace": 1, "require_scoped_roles": 2}
    assert [call[0] for call in api.calls] == ["search"]
    assert [row["owner"] for row in result["violations"]] == ["bob"] + ["me"] * 5


def test_enforcement_deletes_only_the_callers_violating_clients_never_the_plays_own():
    result, api = hygiene(scope="tenant", enforce=True, delete_rules=["expired", "stale_after", "never_used_grace",
                                                                      "require_scoped_roles"])
    assert sorted(row["id"] for row in result["deleted"]) == ["me-expired", "me-never", "me-open", "me-stale"]
    assert result["changed"]
    kept = dict((row["id"], row["reason"]) for row in result["kept"])
    assert kept["me-play"].startswith("protected") and kept["bob-stale"].startswith("not the caller's")
    assert ("delete", "bob-stale") not in api.calls and ("delete", "me-play") not in api.calls
    mark = len(api.calls)
    again, api = hygiene(api=api, scope="tenant", enforce=True, delete_rules=["expired", "stale_after",
                                                                              "never_used_grace", "require_scoped_roles"])
    assert not again["changed"] and again["deleted"] == []
    assert [call[0] for call in api.calls[mark:]] == ["search", "list"]


def test_check_mode_reports_what_would_go_and_deletes_nothing():
    result, api = hygiene(check_mode=True, diff_mode=True, enforce=True)
    assert result["changed"]
    assert sorted(row["id"] for row in result["deleted"]) == ["me-expired", "me-never", "me-stale"]
    assert result["diff"]["before"]["personal_clients"] == ["me-expired", "me-never", "me-stale"]
    assert not [call for call in api.calls if call[0] == "delete"]


def test_deleted_rows_name_the_delete_rules_broken():
    result, _api = hygiene(enforce=True)
    rules = dict((row["id"], row["rules"]) for row in result["deleted"])
    assert rules == {"me-expired": ["expired", "stale_after"], "me-never": ["never_used_grace", "stale_after"],
                     "me-stale": ["stale_after"]}


def test_a_failed_delete_names_the_clients_already_deleted_and_reports_a_change():
    class FailingApi(FakeApi):
        def delete_personal_client(self, client_id):
            if client_id == "me-never":
                raise ConductorOneError("boom", operation="PersonalClientService.Delete", status=503)
            return super().delete_personal_client(client_id)

    with pytest.raises(ConductorOneError) as excinfo:
        hygiene(api=FailingApi(), enforce=True)
    assert excinfo.value.changed is True
    assert "1 deleted before this failure: me-expired" in str(excinfo.value)


def test_bare_access_token_refuses_enforcement_before_listing():
    api = FakeApi(authenticated=None)
    with pytest.raises(InputError, match="^enforce: this run authenticates with an access token"):
        hygiene(api=api, enforce=True)
    assert api.calls == []


def test_bare_access_token_with_protected_list_enforces_and_spares_them():
    result, api = hygiene(api=FakeApi(authenticated=None), enforce=True, protected=["me-stale@t/pcc"])
    assert sorted(row["id"] for row in result["deleted"]) == ["me-expired", "me-never"]
    assert ("delete", "me-stale") not in api.calls


def test_bare_access_token_refuses_when_protected_names_none_of_the_callers_clients():
    """The rule of personal_client_set's exclusive mode (one home: personal_client_lookup.protected_client_ids):
    a protected list naming only someone else's client (or no client at all) leaves the run's own client unprotected."""
    for protected in (["bob-stale"], ["no-such-client"]):
        api = FakeApi(authenticated=None)
        with pytest.raises(InputError, match="^enforce: this run authenticates with an access token, whose personal "
                                             "client cannot be known.*one of the caller's clients"):
            hygiene(api=api, enforce=True, scope="tenant", protected=protected)
        assert [call for call in api.calls if call[0] != "list"] == []


def test_bare_access_token_may_report():
    result, _api = hygiene(api=FakeApi(authenticated=None))
    assert "me-stale" in rules_by_id(result)


def test_enforce_with_no_delete_rule_in_policy_fails_before_any_call():
    api = FakeApi()
    with pytest.raises(InputError, match="^enforce: none of delete_rules"):
        hygiene(api=api, enforce=True, policy={"require_scoped_roles": True, "expired": False})
    assert api.calls == []


def test_user_ids_need_tenant_scope():
    with pytest.raises(InputError, match="^user_ids only applies with scope=tenant"):
        hygiene(user_ids=["bob"])


def test_tenant_scope_user_ids_are_passed_to_the_search():
    result, api = hygiene(scope="tenant", user_ids=["bob"])
    assert api.calls == [("search", None, ["bob"])]
    assert list(rules_by_id(result)) == ["bob-stale"]


# --- personal_client_info: computed fields and filters -------------------------------------------

def info(**options):
    api = FakeApi()
    runner = FakeRunner(params_for(INFO_SPEC, **options))
    return PersonalClientInfo(runner, api=api).run()["personal_clients"]


def test_info_adds_the_computed_fields_to_every_client():
    clients = info()
    assert [c["id"] for c in clients] == [c["id"] for c in MINE]
    never = next(c for c in clients if c["id"] == "me-never")
    assert never["age_days"] == 40 and never["days_since_last_use"] is None and never["days_until_expiry"] is None
    assert never["unscoped"] is False and never["unrestricted_source"] is False
    opened = next(c for c in clients if c["id"] == "me-open")
    assert opened["unscoped"] is True and opened["unrestricted_source"] is True and opened["days_until_expiry"] == 19


def test_info_filters_compose_with_all_users():
    assert [c["id"] for c in info(all_users=True, unused_for="30d")] == ["me-stale", "me-never", "me-expired",
                                                                         "bob-stale"]
    assert [c["id"] for c in info(all_users=True, unused_for="30d", never_used=False, user_ids=["bob"])] == ["bob-stale"]
    assert [c["id"] for c in info(unscoped=True, unrestricted_source=True)] == ["me-play", "me-open"]
    assert [c["id"] for c in info(older_than="100d", never_used=False)] == ["me-play", "me-stale"]


def test_the_module_choices_are_the_policy_rules():
    rules = [name for name, _kind in _hygiene.POLICY_RULES]
    assert ARGUMENT_SPEC["delete_rules"]["choices"] == rules
    assert list(ARGUMENT_SPEC["policy"]["options"]) == rules
    assert ARGUMENT_SPEC["delete_rules"]["default"] == list(_hygiene.DEFAULT_DELETE_RULES)
