# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Roles: lookup by id or name, the role_info listing, and the role converge logic.

Roles can only be read and updated (there is no create or delete), and built-in roles
(``systemBuiltin``) cannot be edited at all. The API has no conditional update: an exact list is
last-writer-wins; the append and remove modes verify their update and re-apply it when another writer undid it.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import api_view, check_display_text
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Params, Result, Runner

ROLE_KEYS = ("id", "name", "display_name", "permissions", "service_roles", "system_builtin", "system_api_only",
             "created_at", "updated_at", "deleted_at")
# Writable fields: option name -> API field (also the updateMask path).
ROLE_FIELDS = (("display_name", "displayName"), ("permissions", "permissions"), ("service_roles", "serviceRoles"))
OPTION_OF_FIELD = dict((field, option) for option, field in ROLE_FIELDS)
LIST_FIELDS = (("permissions", "permissions", "remove_permissions"), ("service_roles", "serviceRoles", "remove_service_roles"))
# append/remove: how many times an update undone by another writer is re-applied before the task fails
REAPPLY_ATTEMPTS = 3

# The options of one role (conductorone.iam.role, and each item of conductorone.iam.role_set).
ROLE_OPTIONS: Dict[str, Dict[str, Any]] = {
    "id": {"type": "str"},
    "name": {"type": "str"},
    "display_name": {"type": "str"},
    "permissions": {"type": "list", "elements": "str"},
    "service_roles": {"type": "list", "elements": "str"},
    "append": {"type": "bool", "default": False},
    "remove_permissions": {"type": "list", "elements": "str"},
    "remove_service_roles": {"type": "list", "elements": "str"},
}
ROLE_RULES: Dict[str, List[Tuple[str, str]]] = {
    "required_one_of": [("id", "name")],
    "mutually_exclusive": [("id", "name")],
}
# The argument specs and rules of conductorone.iam.role and conductorone.iam.role_info (their action plugins use them).
ROLE_ARGUMENT_SPEC = argument_spec(**ROLE_OPTIONS)
ROLE_INFO_ARGUMENT_SPEC = argument_spec(id={"type": "str"}, name={"type": "str"})
ROLE_INFO_RULES = {"mutually_exclusive": [("id", "name")]}


def role_result(role: JsonObject) -> Dict[str, Any]:
    """A role as the modules return it: snake_case keys, lists never null."""
    return api_view(role, ROLE_KEYS, ("permissions", "service_roles"))


def _describe(role: JsonObject) -> str:
    return "{0} ({1!r}, id {2})".format(role.get("name"), role.get("displayName"), role.get("id"))


class RoleCatalog:
    """The tenant's role list, fetched once per run (and at most once across threads), for resolving ids and names."""

    def __init__(self, api: IamApi, roles: Optional[List[JsonObject]] = None) -> None:
        self._api = api
        self._roles = roles
        self._lock = threading.Lock()

    @property
    def roles(self) -> List[JsonObject]:
        with self._lock:
            if self._roles is None:
                self._roles = self._api.list_roles()
        return self._roles

    @property
    def loaded(self) -> bool:
        """True once the list was fetched (looking an id up then costs no request)."""
        return self._roles is not None

    def load(self) -> List[JsonObject]:
        """Fetch the list now (before threads share the catalog); returns it."""
        return self.roles

    def by_id(self, role_id: str) -> Optional[JsonObject]:
        return next((role for role in self.roles if role.get("id") == role_id), None)

    def matching(self, ref: str) -> List[JsonObject]:
        """Roles whose id, internal name or display name is ``ref``: exact first, then case-insensitive."""
        for role in self.roles:
            if role.get("id") == ref:
                return [role]
        for exact in (True, False):
            def same(value: Optional[str]) -> bool:
                return value == ref if exact else (value or "").casefold() == ref.casefold()
            found = [role for role in self.roles if same(role.get("name"))]
            found = found or [role for role in self.roles if same(role.get("displayName"))]
            if found:
                return found
        return []

    def resolve(self, ref: str, option: str) -> JsonObject:
        found = self.matching(ref)
        if not found:
            raise InputError("{0}: no role has the id, name or display name {1!r} (roles cannot be created; "
                             "list them with conductorone.iam.role_info)".format(option, ref))
        if len(found) > 1:
            raise InputError("{0}: {1!r} matches {2} roles: {3}; use the role id or internal name".format(
                option, ref, len(found), "; ".join(_describe(role) for role in found)))
        return found[0]


class RoleInfo(Resource):
    """List roles, or those matching an id or a name."""

    def run(self) -> Result:
        role_id, name = self.params.get("id"), self.params.get("name")
        if role_id is not None:
            role = self.api.get_role(role_id) if role_id.strip() else None
            roles = [role] if role else []
        else:
            roles = self.api.list_roles()
            if name is not None:
                roles = [role for role in roles if name in (role.get("name"), role.get("displayName"))]
        return {"changed": False, "roles": [role_result(role) for role in roles]}


class Role(Resource):
    """Converge one existing role's display name, permissions and service roles.

    ``catalog`` (a RoleCatalog) lets several roles share one listing: then an id is looked up there, not fetched.
    """

    def __init__(self, runner: Runner, api: Optional[IamApi] = None, catalog: Optional[RoleCatalog] = None) -> None:
        super().__init__(runner, api)
        self.catalog = catalog

    def run(self) -> Result:
        check_role_params(self.params)
        current = self.find()
        desired, mask = plan_role(self.params, current)
        return self.write(current, desired, mask)

    def write(self, current: JsonObject, desired: JsonObject, mask: List[str]) -> Result:
        """Send the planned update (none in check mode) and return the module result.

        In the append and remove modes the update is then verified (``_verify``): another writer's update may have
        overwritten it (the API has no conditional update). Exact lists are last-writer-wins and not re-read.
        """
        after = dict(current, **desired)
        if mask and not self.runner.check_mode:
            after = self.api.update_role(current["id"], desired, mask)
            if merges(self.params):
                after = self._verify(current["id"], after)
        result = {"changed": bool(mask), "role": role_result(after)}
        if self.runner.diff_mode:
            result["diff"] = {"before": _diff_view(current), "after": _diff_view(after)}
        return result

    def _verify(self, role_id: str, after: JsonObject) -> JsonObject:
        """Re-read the role after an append/remove update; while another writer's update has undone this task's
        entries, re-apply them onto what that writer left, at most REAPPLY_ATTEMPTS times."""
        for attempt in range(REAPPLY_ATTEMPTS + 1):
            seen = self.api.get_role(role_id)
            if seen is None:
                return after
            desired, mask = plan_role(self.params, seen)
            if not mask:
                return seen
            if attempt == REAPPLY_ATTEMPTS:
                break
            self.runner.warn("another writer updated role {0} at the same time and undid this task's change of {1}; "
                             "re-applied it onto that writer's version (attempt {2} of {3})".format(
                                 _describe(seen), ", ".join(OPTION_OF_FIELD[field] for field in mask), attempt + 1,
                                 REAPPLY_ATTEMPTS))
            after = self.api.update_role(role_id, desired, mask)
        if seen is None:  # the loop ran, and returned when the role was gone (for mypy: not narrowed here)
            raise AssertionError("no role was read")
        raise ConductorOneError("role {0}: other writers kept undoing this task's change of {1}; gave up after {2} "
                                "re-applications. Run the task again when the other writers are done".format(
                                    _describe(seen), ", ".join(OPTION_OF_FIELD[field] for field in mask), REAPPLY_ATTEMPTS),
                                operation="Roles.Update")

    def find(self) -> JsonObject:
        role_id = self.params.get("id")
        if role_id is not None:
            role = self.catalog.by_id(role_id) if self.catalog else self.api.get_role(role_id)
            if role is None:
                raise InputError("id: no role with id {0!r} (roles cannot be created)".format(role_id))
            return role
        return (self.catalog or RoleCatalog(self.api)).resolve(self.params["name"], "name")


def merges(params: Params) -> bool:
    """True in the append and remove modes: entries are added to or removed from what the role has, so another
    writer's entries must survive (and this task's must survive theirs). An exact list replaces, last writer wins."""
    appends = params.get("append") and any(params.get(option) is not None for option, dummy, dummy2 in LIST_FIELDS)
    return bool(appends or any(params.get(remove) for dummy, dummy2, remove in LIST_FIELDS))


def check_role_params(params: Params) -> None:
    """Input checks that need no API: raise InputError naming the option."""
    for option, dummy, remove_option in LIST_FIELDS:
        overlap = set(params.get(option) or []) & set(params.get(remove_option) or [])
        if overlap:
            raise InputError("{0} and {1} both list {2}; an entry cannot be added and removed at once".format(
                option, remove_option, ", ".join(sorted(overlap))))
        if params.get(remove_option) and params.get(option) is not None and not params.get("append"):
            raise InputError("{0} with an exact {1} list is redundant: set append=true, or leave the entries "
                             "out of {1}".format(remove_option, option))
        for name in (option, remove_option):
            for entry in params.get(name) or []:
                if not entry or not entry.strip():
                    raise InputError("{0}: entries must be non-empty strings".format(name))
    for name in ("id", "name", "display_name"):
        if params.get(name) is not None and not params[name].strip():
            raise InputError("{0} must not be empty".format(name))
    check_display_text(params.get("display_name"), "display_name")


def plan_role(params: Params, current: JsonObject) -> Tuple[JsonObject, List[str]]:
    """Pure: the changed writable fields and their updateMask paths; only fields the user set are managed.

    Raises InputError when the role is built-in and something would change.
    """
    desired: JsonObject = {}
    mask: List[str] = []
    display_name = params.get("display_name")
    if display_name is not None and display_name != current.get("displayName"):
        desired["displayName"], mask = display_name, ["displayName"]
    for option, field, remove_option in LIST_FIELDS:
        have = list(current.get(field) or [])
        want = have
        if params.get(option) is not None:
            listed = list(dict.fromkeys(params[option]))
            want = have + [entry for entry in listed if entry not in have] if params.get("append") else listed
        removed = set(params.get(remove_option) or [])
        want = [entry for entry in want if entry not in removed]
        if set(want) != set(have):
            desired[field] = want
            mask.append(field)
    if mask and current.get("systemBuiltin"):
        raise InputError("role {0} is built-in (systemBuiltin) and cannot be edited; it would change {1}. "
                         "Copy its permissions into a custom role instead".format(
                             _describe(current), ", ".join(OPTION_OF_FIELD[field] for field in mask)))
    return desired, mask


def _diff_view(role: JsonObject) -> Dict[str, Any]:
    """Managed fields with sorted lists, so a diff shows each added and removed entry on its own line."""
    return {
        "display_name": role.get("displayName"),
        "permissions": sorted(role.get("permissions") or []),
        "service_roles": sorted(role.get("serviceRoles") or []),
    }
