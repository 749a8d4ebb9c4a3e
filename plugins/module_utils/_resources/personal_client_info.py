# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The personal_client_info module's logic: list personal clients (the caller's, or everyone's through the admin
search) with the hygiene rules' computed fields and filters.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import cutename
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources import hygiene_rules
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import parse_duration, utcnow
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import expires_within
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup, client_result, live_clients
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import Result

# The argument spec of conductorone.iam.personal_client_info (its action plugin uses it).
PERSONAL_CLIENT_INFO_ARGUMENT_SPEC = argument_spec(
    id={"type": "str"},
    display_name={"type": "str"},
    expires_within={"type": "str"},
    unused_for={"type": "str"},
    never_used={"type": "bool"},
    unscoped={"type": "bool"},
    unrestricted_source={"type": "bool"},
    older_than={"type": "str"},
    all_users={"type": "bool", "default": False},
    query={"type": "str"},
    user_ids={"type": "list", "elements": "str"},
)


class PersonalClientInfo(Resource):
    """List personal clients: the caller's, or everyone's through the admin search."""

    def run(self) -> Result:
        params = self.params
        if not params.get("all_users"):
            for option in ("query", "user_ids"):
                if params.get(option) is not None:
                    raise InputError("{0} only applies with all_users=true".format(option))
        window = parse_duration(params["expires_within"], "expires_within") if params.get("expires_within") is not None else None
        filters, now = hygiene_rules.parse_filters(params), utcnow()
        if params.get("all_users"):
            clients = self.api.search_personal_clients(params.get("query"), params.get("user_ids"))
            if params.get("id"):
                clients = [client for client in clients if client.get("id") == cutename(params["id"])]
        elif params.get("id"):
            client = PersonalClientLookup(self.api).by_id(params["id"])
            clients = [client] if client else []
        else:
            clients = self.api.list_personal_clients()
        clients = live_clients(clients)
        if params.get("display_name") is not None:
            clients = [client for client in clients if client.get("displayName") == params["display_name"]]
        if window is not None:
            clients = [client for client in clients if expires_within(client, window, now)]
        clients = [client for client in clients if hygiene_rules.matches_filters(client, filters, now)]
        return {"changed": False, "personal_clients": [dict(client_result(client), **hygiene_rules.computed_fields(client, now))
                                                       for client in clients]}
