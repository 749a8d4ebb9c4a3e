# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""One personal client's declared state (``DesiredClient``): the options, checked and parsed once.

Everything the planner and the writer need from the options: the wanted API fields, whether a rotation is
due, the differences from the server's client, the create request and check mode's predicted client.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Mapping, Optional

import datetime

from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import cutename
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import (
    check_display_text, cidr_set, format_duration, format_timestamp, parse_duration, parse_timestamp, sorted_set, utcnow)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.secret_file import check_secret_path
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Params

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog


# expires_at and the server's expiresTime are equal when within this many seconds (clock skew, rounding).
EXPIRY_TOLERANCE_SECONDS = 60


def expires_within(client: Mapping[str, Any], seconds: float, now: Optional[datetime.datetime] = None) -> bool:
    expiry = parse_timestamp(client.get("expiresTime"))
    return expiry is not None and (expiry - (now or utcnow())).total_seconds() <= seconds


class DesiredClient:
    """One personal client's declared state: the options, checked and parsed once (InputError names the option)."""

    def __init__(self, params: Params, now: Optional[datetime.datetime] = None, check_path: bool = True) -> None:
        self.params = params
        self.now = now or utcnow()
        self.state = params.get("state") or "present"
        self.id: Optional[str] = params.get("id")
        self.display_name = params.get("display_name")
        self.secret_path = params.get("secret_path")
        self._check_identity()
        present = self.state != "absent"
        self.cidrs: Optional[List[str]] = None
        if present and params.get("allow_source_cidr") is not None:
            self.cidrs = cidr_set(params["allow_source_cidr"], "allow_source_cidr")
        self.lifetime = self._duration("expires_in") if present else None
        self.expires_at = parse_timestamp(params.get("expires_at"), "expires_at") if present else None
        if self.expires_at is not None and self.expires_at <= self.now:
            raise InputError("expires_at: {0} is in the past; give a future RFC 3339 time".format(params["expires_at"]))
        self.rotate_window = self._duration("rotate_if_expires_within") if present else None
        if present and params.get("keep_previous") and not (params.get("rotate") or self.rotate_window):
            raise InputError("keep_previous only applies with rotate or rotate_if_expires_within")
        if present and self.secret_path and check_path:
            check_secret_path(self.secret_path)

    def _check_identity(self) -> None:
        params = self.params
        for option in ("id", "display_name"):
            if params.get(option) is not None and not params[option].strip():
                raise InputError("{0} must not be empty".format(option))
        check_display_text(params.get("display_name"), "display_name")
        if not params.get("id") and not params.get("display_name"):
            raise InputError("set id or display_name to identify the personal client")
        if self.state == "absent":
            return
        for option in ("expires_in", "expires_at", "rotate_if_expires_within", "secret_path"):
            if params.get(option) is not None and not str(params[option]).strip():
                raise InputError("{0} must not be empty; leave it out instead".format(option))

    def _duration(self, option: str) -> Optional[float]:
        value = self.params.get(option)
        return parse_duration(value, option) if value is not None else None

    @property
    def label(self) -> str:
        """How results and messages name the item."""
        return self.display_name if self.display_name is not None else cutename(self.id or "")

    def wanted_fields(self, current: Optional[JsonObject], catalog: RoleCatalog) -> JsonObject:
        """The writable API fields the user set, normalised (role names resolved to ids with ``catalog``)."""
        wanted: JsonObject = {}
        if self.display_name is not None:
            wanted["displayName"] = self.display_name
        if self.cidrs is not None:
            wanted["allowSourceCidr"] = self.cidrs
        if self.params.get("scoped_roles") is not None:
            wanted["scopedRoles"] = _role_ids(self.params["scoped_roles"], current, catalog)
        if self.expires_at is not None:
            wanted["expiresTime"] = format_timestamp(self.expires_at)
        return wanted

    def rotation_due(self, current: JsonObject) -> bool:
        if self.params.get("rotate"):
            return True
        return self.rotate_window is not None and expires_within(current, self.rotate_window, self.now)

    def changes(self, current: JsonObject, wanted: JsonObject) -> JsonObject:
        """The fields whose desired value differs from the server's, compared normalised."""
        changes: JsonObject = {}
        for field, value in wanted.items():
            have = current.get(field)
            if field == "allowSourceCidr":
                differs = cidr_set(have, field) != value
            elif field == "scopedRoles":
                differs = sorted_set(have) != value
            elif field == "expiresTime":
                have = parse_timestamp(have)
                differs = have is None or self.expires_at is None or \
                    abs((have - self.expires_at).total_seconds()) > EXPIRY_TOLERANCE_SECONDS
            else:
                differs = have != value
            if differs:
                changes[field] = value
        return changes

    def create_request(self, wanted: JsonObject, template: Optional[JsonObject]) -> JsonObject:
        """The create body: the template's settings (on rotation) overlaid with what the user set."""
        request: JsonObject = {}
        if template:
            request = {"displayName": template.get("displayName"), "allowSourceCidr": list(template.get("allowSourceCidr") or []),
                       "scopedRoles": list(template.get("scopedRoles") or [])}
        request.update((field, value) for field, value in wanted.items() if field != "expiresTime")
        lifetime = self.lifetime
        if self.expires_at is not None:
            lifetime = (self.expires_at - self.now).total_seconds()
        elif lifetime is None and template:
            lifetime = _lifetime(template)
        if lifetime is not None:
            request["expires"] = format_duration(int(lifetime))
        return request

    def predicted(self, request: JsonObject, template: Optional[JsonObject]) -> JsonObject:
        """What check mode reports for a create: the request's settings; server-assigned fields unknown."""
        expires = None
        if "expires" in request:
            expires = format_timestamp(self.now + datetime.timedelta(seconds=float(request["expires"][:-1])))
        return {"id": None, "clientId": None, "userId": (template or {}).get("userId"),
                "displayName": request.get("displayName"), "allowSourceCidr": request.get("allowSourceCidr") or [],
                "scopedRoles": request.get("scopedRoles") or [], "expiresTime": expires}


def _role_ids(refs: List[str], current: Optional[JsonObject], catalog: RoleCatalog) -> List[str]:
    """Role ids for ``refs``; ids the client already has need no lookup, anything else is resolved in the catalog."""
    have = set((current or {}).get("scopedRoles") or [])
    if all(ref in have for ref in refs):
        return sorted_set(refs)
    return sorted_set(catalog.resolve(ref, "scoped_roles")["id"] for ref in refs)


def _lifetime(client: JsonObject) -> Optional[float]:
    """The old client's lifetime, so a rotated replacement gets a fresh one of the same length."""
    created, expires = parse_timestamp(client.get("createdAt")), parse_timestamp(client.get("expiresTime"))
    if created is None or expires is None:
        return None
    return max((expires - created).total_seconds(), 1)
