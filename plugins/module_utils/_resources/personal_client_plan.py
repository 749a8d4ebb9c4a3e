# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The pure planner of one personal client: desired state + the live client -> the action and the wanted fields.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import DesiredClient
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog


# What converging one item does; "unchanged" still runs the update path (it warns about a missing secret file).
CREATE, UPDATE, ROTATE, DELETE, UNCHANGED = "create", "update", "rotate", "delete", "unchanged"


def plan_client(desired: DesiredClient, current: Optional[JsonObject], catalog: RoleCatalog) -> Tuple[str, JsonObject]:
    """Pure planner for one item: ``(action, wanted fields)`` from the desired state and the live client (or None).

    Needs no API beyond ``catalog`` (a RoleCatalog, consulted only for scoped roles given by name).
    """
    if desired.state == "absent":
        return (DELETE if current is not None else UNCHANGED), {}
    if current is None and desired.id:
        raise InputError("id: no personal client {0!r} exists for the caller; ids are assigned by ConductorOne, "
                         "so to create one set display_name without id".format(desired.id))
    if current is None and not desired.display_name:
        raise InputError("display_name is required to create a personal client")
    wanted = desired.wanted_fields(current, catalog)
    if current is None:
        return CREATE, wanted
    if desired.rotation_due(current):
        return ROTATE, wanted
    return (UPDATE if desired.changes(current, wanted) else UNCHANGED), wanted
