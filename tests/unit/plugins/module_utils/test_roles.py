# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role lookup, the role converge logic and role_info, with a fake runner and a fake IamApi."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import CONNECTION_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import ROLE_KEYS, Role, RoleCatalog, RoleInfo, role_result
from ansible_collections.conductorone.iam.tests.support import fakes

AUDITOR = {
    "id": "2fCjgK8tYJxV9u8d1wupBMeXZ45",
    "name": "custom:auditor",
    "displayName": "Auditor",
    "permissions": ["permission/c1.api.iam.v1.Roles.List", "permission/c1.api.iam.v1.Roles.Get"],
    "serviceRoles": ["role/c1.api.app.v1.Apps:viewer"],
    "systemBuiltin": False,
    "systemApiOnly": False,
    "createdAt": "2025-01-01T00:00:00Z",
    "updatedAt": "2025-02-01T00:00:00Z",
}
VIEWER = {
    "id": "2fCjgK8tYJxV9u8d1wupBMeXZ46",
    "name": "system:viewer",
    "displayName": "Read-Only Administrator",
    "permissions": ["permission/c1.api.iam.v1.Roles.List"],
    "serviceRoles": None,
    "systemBuiltin": True,
}
OPS = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ47", "name": "custom:ops", "displayName": "Ops", "permissions": []}
OPS2 = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ48", "name": "custom:ops2", "displayName": "Ops", "permissions": []}
ADMINS_UPPER = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ49", "name": "custom:admins-a", "displayName": "Admins"}
ADMINS_LOWER = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ50", "name": "custom:admins-b", "displayName": "admins"}
# Its display name is another role's internal name: the internal name must win.
TRICKY = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ51", "name": "custom:tricky", "displayName": "custom:auditor"}
# What the modules return for AUDITOR, written out (not computed by role_result, the code under test).
AUDITOR_RESULT = {
    "id": "2fCjgK8tYJxV9u8d1wupBMeXZ45", "name": "custom:auditor", "display_name": "Auditor",
    "permissions": ["permission/c1.api.iam.v1.Roles.List", "permission/c1.api.iam.v1.Roles.Get"],
    "service_roles": ["role/c1.api.app.v1.Apps:viewer"], "system_builtin": False, "system_api_only": False,
    "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-02-01T00:00:00Z", "deleted_at": None,
}
ALL_ROLES = [AUDITOR, VIEWER, OPS, OPS2, ADMINS_UPPER, ADMINS_LOWER, TRICKY]

P_LIST = "permission/c1.api.iam.v1.Roles.List"
P_GET = "permission/c1.api.iam.v1.Roles.Get"
P_UPDATE = "permission/c1.api.iam.v1.Roles.Update"
SR_VIEWER = "role/c1.api.app.v1.Apps:viewer"
SR_EDITOR = "role/c1.api.app.v1.Apps:editor"


class FakeApi(fakes.FakeRoleApi):
    """tests/support/fakes.py's role API, holding ALL_ROLES unless given others."""

    def __init__(self, roles=None):
        super().__init__(ALL_ROLES if roles is None else roles)


FakeRunner = fakes.FakeRunner


role_params = fakes.role_params


def run_role(api=None, check_mode=False, diff_mode=False, **options):
    api = FakeApi() if api is None else api
    runner = FakeRunner(role_params(**options), check_mode=check_mode, diff_mode=diff_mode)
    return Role(runner, api=api).run(), api


# --- RoleCatalog ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ref, expected", [
    (AUDITOR["id"], AUDITOR),
    ("custom:auditor", AUDITOR),
    ("Auditor", AUDITOR),
    ("Read-Only Administrator", VIEWER),
    ("CUSTOM:AUDITOR", AUDITOR),
    ("auditor", AUDITOR),
    ("read-only administrator", VIEWER),
    ("Admins", ADMINS_UPPER),
    ("admins", ADMINS_LOWER),
    ("custom:tricky", TRICKY),
])
def test_catalog_resolve(ref, expected):
    assert RoleCatalog(FakeApi()).resolve(ref, "name") == expected


def test_catalog_internal_name_wins_over_display_name():
    # TRICKY's display name is AUDITOR's internal name.
    assert RoleCatalog(FakeApi()).resolve("custom:auditor", "name")["id"] == AUDITOR["id"]


def test_catalog_lists_roles_once():
    api = FakeApi()
    catalog = RoleCatalog(api)
    catalog.resolve("Auditor", "name")
    catalog.resolve("system:viewer", "name")
    catalog.matching("nothing")
    assert api.calls == [("list_roles",)]


def test_catalog_unknown_role_mentions_role_info():
    with pytest.raises(InputError) as excinfo:
        RoleCatalog(FakeApi()).resolve("custom:nope", "name")
    text = str(excinfo.value)
    assert text.startswith("name: ")
    assert "'custom:nope'" in text
    assert "conductorone.iam.role_info" in text


def test_catalog_ambiguous_display_name_lists_candidates():
    with pytest.raises(InputError) as excinfo:
        RoleCatalog(FakeApi()).resolve("Ops", "name")
    text = str(excinfo.value)
    assert "matches 2 roles" in text
    for role in (OPS, OPS2):
        assert role["name"] in text
        assert role["id"] in text
    assert "use the role id or internal name" in text


def test_catalog_ambiguous_case_insensitive_match():
    roles = [dict(OPS, displayName="Ops Team"), dict(OPS2, displayName="OPS TEAM")]
    with pytest.raises(InputError, match="matches 2 roles"):
        RoleCatalog(FakeApi(roles)).resolve("ops team", "name")


def test_role_result_shape():
    result = role_result(VIEWER)
    assert list(result) == list(ROLE_KEYS)
    assert result["service_roles"] == []
    assert result["display_name"] == "Read-Only Administrator"
    assert result["system_builtin"] is True
    assert result["deleted_at"] is None


# --- Role: list semantics ------------------------------------------------------------------------

def test_exact_permissions_list_replaces():
    result, api = run_role(name="custom:auditor", permissions=[P_LIST, P_UPDATE])
    assert result["changed"] is True
    assert api.updates == [("update_role", AUDITOR["id"], {"permissions": [P_LIST, P_UPDATE]}, ["permissions"])]
    assert result["role"]["permissions"] == [P_LIST, P_UPDATE]
    assert result["role"]["service_roles"] == [SR_VIEWER]
    assert result["role"]["updated_at"] == "2026-01-01T00:00:00Z"


def test_exact_empty_list_clears():
    result, api = run_role(id=AUDITOR["id"], service_roles=[])
    assert result["changed"] is True
    assert api.updates == [("update_role", AUDITOR["id"], {"serviceRoles": []}, ["serviceRoles"])]


def test_append_adds_missing_entries_only():
    result, api = run_role(name="Auditor", permissions=[P_UPDATE, P_LIST, P_UPDATE], append=True)
    assert result["changed"] is True
    assert api.updates == [("update_role", AUDITOR["id"], {"permissions": [P_LIST, P_GET, P_UPDATE]}, ["permissions"])]


def test_append_of_present_entries_is_no_change():
    result, api = run_role(name="Auditor", permissions=[P_GET], append=True)
    assert result["changed"] is False
    assert api.updates == []


def test_remove_permissions_alone():
    result, api = run_role(name="Auditor", remove_permissions=[P_GET])
    assert result["changed"] is True
    assert api.updates == [("update_role", AUDITOR["id"], {"permissions": [P_LIST]}, ["permissions"])]


def test_remove_of_absent_entry_is_no_change():
    result, api = run_role(name="Auditor", remove_permissions=[P_UPDATE], remove_service_roles=[SR_EDITOR])
    assert result["changed"] is False
    assert api.updates == []


def test_append_and_remove_together():
    result, api = run_role(name="Auditor", permissions=[P_UPDATE], append=True, remove_permissions=[P_LIST])
    assert api.updates == [("update_role", AUDITOR["id"], {"permissions": [P_GET, P_UPDATE]}, ["permissions"])]
    assert result["changed"] is True


def test_same_entries_in_another_order_is_no_change():
    result, api = run_role(id=AUDITOR["id"], display_name="Auditor", permissions=[P_GET, P_LIST, P_GET],
                           service_roles=[SR_VIEWER])
    assert result["changed"] is False
    assert api.updates == []
    assert result["role"] == AUDITOR_RESULT


def test_unset_options_are_left_alone():
    result, api = run_role(name="Auditor")
    assert result["changed"] is False
    assert api.updates == []


def test_update_mask_lists_exactly_the_changed_fields():
    result, api = run_role(name="custom:auditor", display_name="Auditors", permissions=[P_LIST, P_GET],
                           service_roles=[SR_EDITOR])
    assert result["changed"] is True
    assert len(api.updates) == 1
    dummy, role_id, body, mask = api.updates[0]
    assert role_id == AUDITOR["id"]
    assert mask == ["displayName", "serviceRoles"]
    assert body == {"displayName": "Auditors", "serviceRoles": [SR_EDITOR]}
    assert result["role"]["display_name"] == "Auditors"


def test_update_mask_all_three_fields():
    dummy, api = run_role(name="custom:auditor", display_name="Auditors", permissions=[P_UPDATE], service_roles=[])
    assert api.updates[0][3] == ["displayName", "permissions", "serviceRoles"]


# --- Role: built-in, check mode, diff ------------------------------------------------------------

def test_builtin_role_change_is_refused_before_update():
    with pytest.raises(InputError) as excinfo:
        run_role(api=None, name="system:viewer", permissions=[P_LIST, P_UPDATE])
    text = str(excinfo.value)
    assert "built-in" in text
    assert "system:viewer" in text
    assert "permissions" in text


def test_builtin_role_change_makes_no_update_call():
    api = FakeApi()
    with pytest.raises(InputError):
        run_role(api=api, id=VIEWER["id"], display_name="Viewer")
    assert api.updates == []
    # Even in check mode the task fails: it could never be applied.
    with pytest.raises(InputError):
        run_role(api=api, check_mode=True, id=VIEWER["id"], display_name="Viewer")


def test_builtin_role_no_op_is_fine():
    result, api = run_role(name="system:viewer", display_name="Read-Only Administrator", permissions=[P_LIST],
                           remove_service_roles=[SR_EDITOR])
    assert result["changed"] is False
    assert api.updates == []
    assert result["role"]["system_builtin"] is True


def test_check_mode_predicts_and_does_not_update():
    result, api = run_role(check_mode=True, name="Auditor", display_name="Auditors", remove_permissions=[P_GET])
    assert result["changed"] is True
    assert api.updates == []
    assert result["role"]["display_name"] == "Auditors"
    assert result["role"]["permissions"] == [P_LIST]
    assert result["role"]["updated_at"] == AUDITOR["updatedAt"]
    # The stored role is untouched.
    assert api.get_role(AUDITOR["id"]) == AUDITOR


def test_check_mode_and_real_run_agree():
    options = {"name": "Auditor", "permissions": [P_UPDATE, P_GET], "service_roles": [SR_EDITOR, SR_VIEWER]}
    predicted, dummy = run_role(check_mode=True, **options)
    applied, dummy = run_role(**options)
    assert predicted["changed"] is True
    assert applied["changed"] is True
    for key in ("display_name", "permissions", "service_roles"):
        assert predicted["role"][key] == applied["role"][key]


def test_diff_before_after_sorted():
    result, dummy = run_role(diff_mode=True, name="Auditor", permissions=[P_UPDATE], append=True,
                             service_roles=[SR_VIEWER, SR_EDITOR])
    assert result["diff"] == {
        "before": {"display_name": "Auditor", "permissions": sorted([P_LIST, P_GET]), "service_roles": [SR_VIEWER]},
        "after": {"display_name": "Auditor", "permissions": sorted([P_LIST, P_GET, P_UPDATE]),
                  "service_roles": sorted([SR_VIEWER, SR_EDITOR])},
    }


def test_diff_without_change_is_identical_and_null_lists_are_empty():
    result, dummy = run_role(diff_mode=True, check_mode=True, name="system:viewer")
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["diff"]["before"]["service_roles"] == []


def test_no_diff_key_without_diff_mode():
    result, dummy = run_role(name="Auditor", display_name="X")
    assert "diff" not in result


# --- Role: lookup and validation -----------------------------------------------------------------

@pytest.mark.parametrize("lookup, message", [
    ({"id": "nope"}, "^id: no role with id 'nope'"),   # an unknown id
    ({"name": "Ops"}, "matches 2 roles"),               # an ambiguous name
    ({"id": ""}, "id"),                                 # an empty id
])
def test_lookup_errors_fail_without_update(lookup, message):
    api = FakeApi()
    with pytest.raises(InputError, match=message):
        run_role(api=api, display_name="X", **lookup)
    assert api.updates == []


@pytest.mark.parametrize("options, message", [
    ({"permissions": [P_LIST, P_GET], "append": True, "remove_permissions": [P_GET]},
     "permissions and remove_permissions both list " + P_GET),
    ({"service_roles": [SR_VIEWER], "append": True, "remove_service_roles": [SR_VIEWER]},
     "service_roles and remove_service_roles both list " + SR_VIEWER),
    ({"permissions": [P_LIST], "remove_permissions": [P_GET]}, "remove_permissions with an exact permissions list"),
    ({"permissions": [], "remove_permissions": [P_GET]}, "remove_permissions with an exact permissions list"),
    ({"service_roles": [SR_VIEWER], "remove_service_roles": [SR_EDITOR]},
     "remove_service_roles with an exact service_roles list"),
    ({"display_name": ""}, "display_name must not be empty"),
    ({"display_name": "   "}, "display_name must not be empty"),
    ({"permissions": [P_LIST, " "]}, "permissions: entries must be non-empty"),
    ({"remove_service_roles": [""]}, "entries must be non-empty"),
])
def test_validation_errors_before_any_api_call(options, message):
    api = FakeApi()
    with pytest.raises(InputError) as excinfo:
        run_role(api=api, name="Auditor", **options)
    assert message in str(excinfo.value)
    assert api.calls == []


@pytest.mark.parametrize("option", ["remove_permissions", "remove_service_roles"])
def test_empty_remove_entry_names_its_own_option(option):
    with pytest.raises(InputError, match="^{0}: entries must be non-empty".format(option)):
        run_role(name="Auditor", **{option: [" "]})


def test_validation_runs_before_the_api_client_is_built():
    # No credentials at all and no api= given: the validation error must come first, not a credential error.
    runner = FakeRunner(role_params(name="Auditor", display_name=""))
    with pytest.raises(InputError, match="display_name must not be empty"):
        Role(runner).run()


def test_api_errors_propagate():
    class FailingApi(FakeApi):
        def update_role(self, role_id, role, update_mask):
            raise ConductorOneError("permission denied", operation="Roles.Update", status=403, code=7)

    with pytest.raises(ConductorOneError) as excinfo:
        run_role(api=FailingApi(), name="Auditor", display_name="X")
    assert excinfo.value.status == 403


# --- RoleInfo ------------------------------------------------------------------------------------

def run_info(api=None, **options):
    api = FakeApi() if api is None else api
    params = dict((name, spec.get("default")) for name, spec in CONNECTION_ARGUMENT_SPEC.items())
    params.update({"id": None, "name": None})
    params.update(options)
    return RoleInfo(FakeRunner(params), api=api).run(), api


def test_role_info_by_id():
    result, api = run_info(id=AUDITOR["id"])
    assert result == {"changed": False, "roles": [AUDITOR_RESULT]}
    assert api.calls == [("get_role", AUDITOR["id"])]


def test_role_info_by_unknown_id_is_empty():
    result, dummy = run_info(id="missing")
    assert result == {"changed": False, "roles": []}


@pytest.mark.parametrize("name, expected", [
    ("system:viewer", [VIEWER]),
    ("Read-Only Administrator", [VIEWER]),
    ("Ops", [OPS, OPS2]),
    ("custom:auditor", [AUDITOR, TRICKY]),
    ("read-only administrator", []),
    ("nothing", []),
])
def test_role_info_by_name_matches_internal_or_display_name_exactly(name, expected):
    result, dummy = run_info(name=name)
    assert [role["id"] for role in result["roles"]] == [role["id"] for role in expected]
    assert [role["display_name"] for role in result["roles"]] == [role["displayName"] for role in expected]


@pytest.mark.parametrize("option", ["id", "name"])
def test_role_info_empty_filter_matches_nothing(option):
    result, dummy = run_info(**{option: ""})
    assert result["roles"] == []


def test_role_info_all():
    result, api = run_info()
    assert [role["id"] for role in result["roles"]] == [role["id"] for role in ALL_ROLES]
    assert all(list(role) == list(ROLE_KEYS) for role in result["roles"])
    assert api.calls == [("list_roles",)]
    assert result["changed"] is False
