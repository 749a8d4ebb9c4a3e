# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The personal_client module's logic and options: converge one personal client of the caller.

One item's converge is three units: ``DesiredClient`` (``personal_client_desired``: the options, checked and
parsed once), ``plan_client`` (``personal_client_plan``: pure, desired + current -> action) and ``ClientWriter``
(``personal_client_writer``: carries the action out, with the exactly-once create and the settling of
overlapping creates of ``personal_client_create``). ``PersonalClient`` and ``PersonalClientSet``
(``personal_client_set``) both go through them.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import DesiredClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_plan import plan_client
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_writer import ClientWriter
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import Result, Runner

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi


# The options of one personal client (conductorone.iam.personal_client, and each item of personal_client_set).
PERSONAL_CLIENT_OPTIONS: Dict[str, Dict[str, Any]] = {
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "id": {"type": "str"},
    "display_name": {"type": "str"},
    "allow_source_cidr": {"type": "list", "elements": "str"},
    "scoped_roles": {"type": "list", "elements": "str"},
    "expires_in": {"type": "str"},
    "expires_at": {"type": "str"},
    "rotate": {"type": "bool", "default": False},
    "rotate_if_expires_within": {"type": "str"},
    "keep_previous": {"type": "bool", "default": False},
    "secret_path": {"type": "path"},
    "return_secret": {"type": "bool", "default": False},
}


PERSONAL_CLIENT_RULES: Dict[str, List[Tuple[str, str]]] = {
    "required_one_of": [("id", "display_name")],
    "mutually_exclusive": [("expires_in", "expires_at"), ("rotate", "rotate_if_expires_within")],
}
# The argument spec of conductorone.iam.personal_client (its action plugin uses it with PERSONAL_CLIENT_RULES).
PERSONAL_CLIENT_ARGUMENT_SPEC = argument_spec(**PERSONAL_CLIENT_OPTIONS)


class PersonalClient(Resource):
    """Converge one personal client of the caller (the personal_client module)."""

    def __init__(self, runner: Runner, api: Optional[IamApi] = None, catalog: Optional[RoleCatalog] = None) -> None:
        super().__init__(runner, api)
        self.catalog = catalog

    def run(self) -> Result:
        desired = DesiredClient(self.params)
        lookup = PersonalClientLookup(self.api)
        current = lookup.find(desired.id, desired.display_name)
        catalog = self.catalog or RoleCatalog(self.api)
        action, wanted = plan_client(desired, current, catalog)
        return ClientWriter(self.runner, self.api, lookup, desired, catalog).execute(action, current, wanted)
