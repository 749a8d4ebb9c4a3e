# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Converge existing roles to a declared list (the role_set module).

One role catalog for the whole set; each item is checked, found and planned with the role module's own
``check_role_params``, ``RoleCatalog`` and ``plan_role``, and written with ``Role.write``.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.set_converge import (
    DEFAULT_PARALLEL, ItemRunner, SetReport, bind, check_parallel, item_name, run_parallel, unique_or_fail)
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import (
    ROLE_OPTIONS, ROLE_RULES, Role, RoleCatalog, check_role_params, plan_role)

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.set_converge import ItemEntry
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Params, Result, Runner

    # One item's plan: (index, label, role object, current, desired, mask, error); either the role was found and
    # planned (error None) or it was not (current, desired and mask None, error says why).
    RolePlan = Tuple[int, Optional[str], Role, Optional[JsonObject], Optional[JsonObject], Optional[List[str]],
                     Optional[InputError]]

OPTION = "roles"
# The argument spec of conductorone.iam.role_set: each item takes role's options and rules.
ROLE_SET_ARGUMENT_SPEC = argument_spec(
    roles=dict({"type": "list", "elements": "dict", "required": True, "options": ROLE_OPTIONS}, **ROLE_RULES),
    parallel={"type": "int", "default": DEFAULT_PARALLEL},
)
ACTIONS = ("updated", "unchanged")


def _kind(entry: ItemEntry) -> str:
    return "updated" if entry["changed"] else "unchanged"


def _label(params: Params) -> Optional[str]:
    """The item's name, else its id (the argument spec requires one of them)."""
    return params.get("name") if params.get("name") is not None else params.get("id")


def check_items(items: List[Params]) -> None:
    """The role module's input checks on every item, and no role declared twice, before any request."""
    for index, params in enumerate(items):
        try:
            check_role_params(params)
        except InputError as exc:
            raise InputError("{0}: {1}".format(item_name(OPTION, index, _label(params)), exc))
    labels = [_label(params) for params in items]
    keyed = [(None if label is None else label.strip(), index, label) for index, label in enumerate(labels)]
    unique_or_fail(OPTION, keyed, "role")


def plan_items(items: List[Params], catalog: RoleCatalog, runner: Runner, api: IamApi) -> List[RolePlan]:
    """Pure given the catalog: [(index, label, role object, current, desired, mask, error)] per item."""
    plans: List[RolePlan] = []
    for index, params in enumerate(items):
        role = Role(ItemRunner(params, runner, item_name(OPTION, index, _label(params))), api=api, catalog=catalog)
        try:
            current = role.find()
            desired, mask = plan_role(params, current)
            # an item by id is named by the role's internal name, as in the role's summary before 0.2.0
            label = params.get("name") if params.get("name") is not None else current.get("name") or params["id"]
            plans.append((index, label, role, current, desired, mask, None))
        except InputError as exc:
            plans.append((index, _label(params), role, None, None, None, exc))
    unique_or_fail(OPTION, [((plan[3] or {}).get("id"), plan[0], plan[1]) for plan in plans], "role id")
    return plans


class RoleSet(Resource):
    """The role_set module: converge existing roles' display names, permissions and service roles."""

    def run(self) -> Result:
        items = self.params.get(OPTION) or []
        parallel = check_parallel(self.params.get("parallel"))
        check_items(items)
        catalog = RoleCatalog(self.api)
        if items:
            catalog.load()
        plans = plan_items(items, catalog, self.runner, self.api)
        report = SetReport(OPTION, ACTIONS, self.runner.check_mode)
        jobs, pending = [], []
        for index, label, role, current, desired, mask, error in plans:
            if error is not None or current is None or desired is None or mask is None:  # not planned: error says why
                report.add(index, label, "update", error=error)
                continue
            jobs.append(bind(role.write, current, desired, mask))
            pending.append((index, label, current, mask))
        for (index, label, current, mask), (result, failure) in zip(pending, run_parallel(jobs, parallel)):
            report.add(index, label, "update" if mask else "unchanged", result, failure, object_id=current["id"])
        return report.result(_kind, self.runner.diff_mode)
