# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Converge the caller's personal clients to a declared list (the personal_client_set module).

One listing of the caller's clients (and at most one role catalog) for the whole set; each item is planned
with the same ``DesiredClient`` / ``plan_client`` and written with the same ``ClientWriter`` as the
personal_client module. Exclusive mode deletes the undeclared clients, never the one the run authenticated
with, and nothing at all when a listing or an item failed. Items that create a client are settled against one
more listing, made once after all the set's creates (overlapping runs; ``ClientWriter.finish``).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Sequence, Set, Tuple

import datetime
import os
from dataclasses import dataclass

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import cutename
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PERSONAL_CLIENT_OPTIONS, PERSONAL_CLIENT_RULES
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_create import PendingCreate
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import DesiredClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import (
    PersonalClientLookup, live_clients, protected_client_ids, relist)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_plan import (
    CREATE, DELETE, ROTATE, UNCHANGED, UPDATE, plan_client)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_writer import ClientWriter
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import hide_new_secrets
from ansible_collections.conductorone.iam.plugins.module_utils._resources.set_converge import (
    DEFAULT_PARALLEL, ItemEntry, ItemRunner, SetReport, bind, check_parallel, item_name, run_parallel, unique_or_fail)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Params, Result

OPTION = "clients"
# The argument spec of conductorone.iam.personal_client_set: each item takes personal_client's options and rules.
PERSONAL_CLIENT_SET_ARGUMENT_SPEC = argument_spec(
    clients=dict({"type": "list", "elements": "dict", "required": True, "options": PERSONAL_CLIENT_OPTIONS},
                 **PERSONAL_CLIENT_RULES),
    exclusive={"type": "bool", "default": False},
    protected={"type": "list", "elements": "str", "default": []},
    secret_dir={"type": "path"},
    parallel={"type": "int", "default": DEFAULT_PARALLEL},
)
# plan action -> summary key
KIND = {CREATE: "created", UPDATE: "updated", ROTATE: "rotated", DELETE: "deleted", UNCHANGED: "unchanged"}


def _kind(entry: ItemEntry) -> str:
    return KIND[entry["action"]] if entry["changed"] else "unchanged"


@dataclass(eq=False)
class Planned:
    """One declared item and what the planner decided for it."""

    index: int
    desired: DesiredClient
    current: Optional[JsonObject] = None
    action: Optional[str] = None
    wanted: Optional[JsonObject] = None
    error: Optional[Exception] = None

    @property
    def label(self) -> str:
        if self.desired.display_name is None and self.current:
            return self.current.get("displayName") or self.desired.label
        return self.desired.label


def parse_items(items: Sequence[Params], secret_dir: Optional[str] = None, check_mode: bool = False,
                now: Optional[datetime.datetime] = None) -> List[DesiredClient]:
    """Every item as a DesiredClient, or one InputError naming the item, before any request.

    A relative ``secret_path`` is relative to ``secret_dir`` (never to the working directory). In check mode a
    ``secret_dir`` that does not exist yet (a real run would have it created first) is not held against its files.
    """
    if secret_dir and not os.path.isabs(secret_dir):
        raise InputError("secret_dir: {0} is relative; give an absolute path".format(secret_dir))
    pending_dir = bool(check_mode and secret_dir and not os.path.isdir(secret_dir))
    parsed: List[DesiredClient] = []
    for index, params in enumerate(items):
        params = dict(params)
        label = params.get("display_name") or cutename(params.get("id") or "?")
        path = params.get("secret_path")
        try:
            if path and not os.path.isabs(path):
                if not secret_dir:
                    raise InputError("secret_path: {0} is relative; set secret_dir or give an absolute path".format(path))
                params["secret_path"] = path = os.path.join(secret_dir, path)
            deferred = bool(pending_dir and path and secret_dir and
                            os.path.dirname(os.path.normpath(path)) == os.path.normpath(secret_dir))
            parsed.append(DesiredClient(params, now=now, check_path=not deferred))
        except InputError as exc:
            raise InputError("{0}: {1}".format(item_name(OPTION, index, label), exc))
    _check_duplicates(parsed)
    return parsed


def _check_duplicates(parsed: List[DesiredClient]) -> None:
    """Two items for one client, one display name or one secret file are refused: they would race each other."""
    keyed = list(enumerate(parsed))
    unique_or_fail(OPTION, [(cutename(d.id) if d.id else None, i, d.label) for i, d in keyed], "id")
    unique_or_fail(OPTION, [(d.display_name, i, d.label) for i, d in keyed], "display name")
    locations: Dict[Hashable, str] = {}
    by_file: List[Tuple[Optional[str], int, Optional[str]]] = []
    for index, desired in keyed:
        where = None
        if desired.secret_path and desired.state == "present":
            identity, real = _secret_file_location(desired.secret_path)
            where = locations.setdefault(identity, real)
        by_file.append((where, index, desired.label))
    unique_or_fail(OPTION, by_file, "secret_path (one file, however spelled)")


def _secret_file_location(path: str) -> Tuple[Hashable, str]:
    """(identity, real path) of a secret file: two spellings of one file must not pass as two files.

    The directory counts by what it is (device and inode when it exists, else its path with symlinks resolved), so
    ``dir/s.json`` and ``dir/alias/s.json`` with ``alias`` a symlink (or bind mount) to ``dir`` are one file. The
    name itself is not resolved: the secret file is replaced by a rename, never written through a symlink.
    """
    directory, name = os.path.split(os.path.abspath(path))
    real = os.path.join(os.path.realpath(directory), name)
    try:
        info = os.stat(directory)
    except OSError:
        return real, real
    return (info.st_dev, info.st_ino, name), real


def plan_items(parsed: List[DesiredClient], lookup: PersonalClientLookup, catalog: RoleCatalog) -> List[Planned]:
    """Pure planner for the set: each item's current client (from the one listing) and action.

    An item that cannot be planned (ambiguous name, unknown id or role) carries its error; the others go on.
    """
    plans: List[Planned] = []
    # A client an item names by id belongs to that item (which may be renaming it away from its old name).
    claimed = set(cutename(desired.id) for desired in parsed if desired.id)
    for index, desired in enumerate(parsed):
        try:
            current = lookup.find(desired.id, desired.display_name, claimed)
            action, wanted = plan_client(desired, current, catalog)
            plans.append(Planned(index, desired, current, action, wanted))
        except ConductorOneError:
            raise  # an API call the whole set needs (the role catalog) failed: nothing was written yet
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # bad input, or anything unforeseen in this item's client: this item fails (masked), the others go on
            plans.append(Planned(index, desired, error=exc))
    _check_shared_clients(plans)
    return plans


def _check_shared_clients(plans: List[Planned]) -> None:
    """An item by id and another by display name may find the same client: refuse, they would race."""
    unique_or_fail(OPTION, [((plan.current or {}).get("id"), plan.index, plan.label) for plan in plans], "client")


def undeclared(listing: List[JsonObject], lookup: PersonalClientLookup, plans: List[Planned],
               protected: Set[str]) -> List[JsonObject]:
    """The live clients no item declares (by id, or by display name: every client of that name) nor protects."""
    declared = set(protected)
    for plan in plans:
        if plan.current:
            declared.add(plan.current["id"])
        if plan.desired.display_name is not None and not plan.desired.id:
            declared.update(client["id"] for client in lookup.all_named(plan.desired.display_name))
        if plan.desired.id:
            declared.add(cutename(plan.desired.id))
    return [client for client in listing if client["id"] not in declared]


class PersonalClientSet(Resource):
    """The personal_client_set module: converge the caller's personal clients to ``clients``."""

    def run(self) -> Result:
        params = self.params
        parallel = check_parallel(params.get("parallel"))
        parsed = parse_items(params.get(OPTION) or [], params.get("secret_dir"), self.runner.check_mode)
        listing = live_clients(self.api.list_personal_clients())
        lookup = PersonalClientLookup(self.api, listing=listing)
        self.catalog = RoleCatalog(self.api)
        plans = plan_items(parsed, lookup, self.catalog)
        extras: List[JsonObject] = []
        if params.get("exclusive"):
            extras = undeclared(listing, lookup, plans, self._protected_ids(listing))
        report = SetReport(OPTION, tuple(KIND.values()), self.runner.check_mode)
        secrets: Dict[str, Dict[str, Any]] = {}
        self._converge(plans, lookup, parallel, report, secrets)
        notes: List[str] = []
        if extras and report.failures:
            notes.append("exclusive: {0} undeclared client(s) were not deleted because an item failed: {1}".format(
                len(extras), ", ".join(client["id"] for client in extras)))
        elif extras:
            self._delete_undeclared(extras, lookup, parallel, report)
        result = report.result(_kind, self.runner.diff_mode, notes)
        result["secrets"] = secrets
        # New secrets are in this result: Ansible prints it censored, while register still receives it.
        return hide_new_secrets(result)

    def _protected_ids(self, listing: List[JsonObject]) -> Set[str]:
        """Ids exclusive mode never deletes: the client this run authenticated with, and ``protected``."""
        return protected_client_ids(self.params.get("protected"), self.api.client.authenticated_client_id,
                                    lambda: [client["id"] for client in listing], "exclusive")

    def _converge(self, plans: List[Planned], lookup: PersonalClientLookup, parallel: int, report: SetReport,
                  secrets: Dict[str, Dict[str, Any]]) -> None:
        """Carry out every planned item; every new secret not in its file goes to ``secrets``, failed item or not."""
        jobs: List[Any] = []
        pending: List[Planned] = []
        writers: List[ClientWriter] = []
        for plan in plans:
            if plan.error is not None:
                report.add(plan.index, plan.label, plan.action or "unknown", error=plan.error,
                           object_id=(plan.current or {}).get("id"))
                continue
            writer = ClientWriter(ItemRunner(plan.desired.params, self.runner, item_name(OPTION, plan.index, plan.label)),
                                  self.api, lookup, plan.desired, self.catalog)
            jobs.append(bind(writer.begin, plan.action, plan.current, plan.wanted))
            pending.append(plan)
            writers.append(writer)
        outcomes = self._settle_creates(writers, run_parallel(jobs, parallel), parallel)
        for plan, (result, error) in zip(pending, outcomes):
            # A failed item that made a client still returns it and its secret (ClientWriter.partial_result).
            result = result if error is None else getattr(error, "partial_result", None)
            if result and "client_secret" in result:
                client = result["personal_client"]
                secrets[plan.label] = {"id": client["id"], "client_id": client["client_id"],
                                       "client_secret": result.pop("client_secret"), "expires_time": client["expires_time"]}
            entry = report.add(plan.index, plan.label, plan.action or "unknown", result, error,
                               object_id=((result or {}).get("personal_client") or plan.current or {}).get("id"))
            for key in ("rotated_from", "lost_race"):
                if result and result.get(key):
                    entry[key] = result[key]

    def _settle_creates(self, writers: List[ClientWriter], outcomes: List[Tuple[Any, Optional[Exception]]],
                        parallel: int) -> List[Tuple[Any, Optional[Exception]]]:
        """The items that created a client are settled against ONE listing made after every create of the set
        (overlapping runs, see ClientWriter.finish), then their secrets are delivered; no create, no listing."""
        created = [index for index, (result, dummy) in enumerate(outcomes) if isinstance(result, PendingCreate)]
        if not created:
            return outcomes
        listing, list_error = relist(self.api)
        jobs = [bind(writers[index].finish, outcomes[index][0], listing, list_error) for index in created]
        outcomes = list(outcomes)
        for index, outcome in zip(created, run_parallel(jobs, parallel)):
            outcomes[index] = outcome
        return outcomes

    def _delete_undeclared(self, extras: List[JsonObject], lookup: PersonalClientLookup, parallel: int,
                           report: SetReport) -> None:
        jobs: List[Any] = []
        for client in extras:
            desired = DesiredClient({"state": "absent", "id": client["id"]})
            label = client.get("displayName") or client["id"]
            writer = ClientWriter(ItemRunner(desired.params, self.runner, "undeclared " + label), self.api, lookup, desired,
                                  self.catalog)
            jobs.append(bind(writer.execute, DELETE, client, {}))
        for client, (result, error) in zip(extras, run_parallel(jobs, parallel)):
            report.add(None, client.get("displayName") or client["id"], DELETE, result, error, object_id=client["id"])
