# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Carrying out one personal client's planned action (``ClientWriter``): the writes, the diff and the result.

The secret goes to the result or to ``secret_path`` (``personal_client_secret``), never into warnings, diffs or
the returned client object; rotation creates the replacement before deleting the old client; a client made
here whose secret has not reached its file is never lost with a failure (``partial_result``).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, NoReturn, Optional, Set, Tuple, Union

import contextlib
import os

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import cidr_set, sorted_set
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_create import ExactlyOnceCreate, PendingCreate, settle_race
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import client_result, relist
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_plan import CREATE, ROTATE
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_secret import (
    refuse_secret_path_of_another_client, store_client_secret)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import RoleCatalog
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Result, Runner

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_desired import DesiredClient
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup


class ClientWriter:
    """Carries out one item's planned action (the writes, none in check mode) and returns the module result.

    A client made here whose secret has not reached its secret_path is never lost with a failure: whatever
    exception ends the action afterwards carries ``partial_result`` (the client and its secret), which the
    module's failure result and the set's ``secrets`` return.
    """

    def __init__(self, runner: Runner, api: IamApi, lookup: PersonalClientLookup, desired: DesiredClient,
                 catalog: Optional[RoleCatalog] = None) -> None:
        self.runner = runner
        self.api = api
        self.lookup = lookup
        self.desired = desired
        self.params = desired.params
        self.catalog = catalog
        # (client, secret, written to secret_path) of the client this action made, once the create answered
        self.made: Optional[Tuple[JsonObject, Optional[str], bool]] = None

    def _diff(self, before: Optional[JsonObject], after: Optional[JsonObject]) -> Dict[str, Dict[str, Any]]:
        """The diff of one client, its scoped roles named as the user wrote them (or by name), with the id."""
        before = _diff_view(before) if before else {}
        after = _diff_view(after) if after else {}
        roles_changed = before.get("scoped_roles") != after.get("scoped_roles")
        if before != after and (roles_changed or (self.catalog is not None and self.catalog.loaded)):
            # Listing the roles only for the diff costs a request: done when the scoped roles change, else only
            # when the roles were listed anyway (role names to resolve).
            labels = self._role_labels(set(before.get("scoped_roles") or []) | set(after.get("scoped_roles") or []))
            for view in (before, after):
                if view.get("scoped_roles"):
                    view["scoped_roles"] = sorted(labels.get(role_id, role_id) for role_id in view["scoped_roles"])
        return {"before": before, "after": after}

    def _role_labels(self, role_ids: Set[str]) -> Dict[str, str]:
        """role id -> ``<what the user wrote or the role's name> (<id>)``; ids alone when the roles cannot be listed."""
        if not role_ids:
            return {}
        catalog = self.catalog or RoleCatalog(self.api)
        try:
            roles = dict((role_id, catalog.by_id(role_id)) for role_id in role_ids)
        except ConductorOneError as exc:
            self.runner.warn("the diff shows scoped roles by id: the roles could not be listed ({0})".format(exc))
            return {}
        written = [ref for ref in self.params.get("scoped_roles") or [] if isinstance(ref, str)]
        labels: Dict[str, str] = {}
        for role_id, role in roles.items():
            if role is None:
                continue
            mine = [ref for ref in written if ref != role_id and ref.strip().casefold() in (
                (role.get("name") or "").casefold(), (role.get("displayName") or "").casefold())]
            label = mine[0].strip() if mine else role.get("displayName") or role.get("name")
            if label:
                labels[role_id] = "{0} ({1})".format(label, role_id)
        return labels

    def execute(self, action: str, current: Optional[JsonObject], wanted: JsonObject) -> Result:
        """Carry the action out; a create is settled against one fresh listing right after it (``relist``)."""
        outcome = self.begin(action, current, wanted)
        if isinstance(outcome, PendingCreate):
            listing, error = relist(self.api)
            outcome = self.finish(outcome, listing, error)
        return outcome

    def begin(self, action: str, current: Optional[JsonObject], wanted: JsonObject) -> Union[Result, PendingCreate]:
        """The writes up to a create: the result, or a PendingCreate whose secret ``finish`` delivers (or discards).

        A set calls ``begin`` for every item, lists the caller's clients once, then calls ``finish`` for each create.
        """
        with self._partial_result_on_failure():
            if self.desired.state == "absent":
                return self._absent(current)
            if action == CREATE:
                return self._create(wanted)
            if action == ROTATE:
                return self._create(wanted, template=current)
            if current is None:  # the planner updates only a client it found
                raise AssertionError("an update without a current client")
            return self._update(current, wanted)

    @contextlib.contextmanager
    def _partial_result_on_failure(self) -> Iterator[None]:
        """Whatever ends the action after a create carries that client and its secret (``partial_result``)."""
        try:
            yield
        except Exception as exc:
            if self.made is not None:
                setattr(exc, "partial_result", self.partial_result())
            raise

    def partial_result(self) -> Result:
        """The result of a failed action that made a client: that client, and its secret unless it is in its file."""
        if self.made is None:  # only called once a create has answered
            raise AssertionError("partial_result without a client made")
        client, secret, written = self.made
        result = {"changed": True, "personal_client": client_result(client)}
        if secret and (not written or self.params.get("return_secret")):
            result["client_secret"] = secret
        return result

    def finish(self, pending: PendingCreate, listing: Optional[List[JsonObject]],
               list_error: Optional[ConductorOneError] = None) -> Result:
        """Settle a create against ``listing`` and deliver its secret (``_settle``); a failure on the way carries
        the new client and its secret (``partial_result``)."""
        with self._partial_result_on_failure():
            return self._settle(pending, listing, list_error)

    def _settle(self, pending: PendingCreate, listing: Optional[List[JsonObject]],
                list_error: Optional[ConductorOneError]) -> Result:
        """Settle a create against ``listing`` (the caller's clients, listed after the create), then deliver.

        The winner is the oldest client of that name that did not exist before (``settle_race``). When this run's
        client lost, it is deleted and the winner reported (no secret, changed=false). When the listing failed
        (``list_error``), the run cannot tell, so it keeps its client and delivers the secret, with a warning.
        """
        created, template = pending.created, pending.template
        if listing is None:
            self.runner.warn("created {0} ({1!r}) but could not list your clients afterwards to check whether another run "
                             "created {1!r} at the same time ({2}); kept it and delivered its secret. If two clients are "
                             "named {1!r} now, delete the one whose secret you do not hold".format(
                                 created["id"], pending.name, list_error))
            winner = created
        else:
            winner = settle_race(created, pending.known_ids, listing, pending.name)
        if winner["id"] != created["id"]:
            return self._lost_race(pending, winner)
        if pending.secret:
            try:
                self._store_secret(created, pending.secret)
            except OSError as exc:
                self._discard_unreceived(created, exc)
            self.made = (created, pending.secret, bool(self.params.get("secret_path")))
        result = {"changed": True, "personal_client": client_result(created)}
        if pending.secret and (not self.params.get("secret_path") or self.params.get("return_secret")):
            result["client_secret"] = pending.secret
        if self.runner.diff_mode:
            result["diff"] = self._diff(template, created)
        if template:
            self._retire(template, result)
        return result

    def _lost_race(self, pending: PendingCreate, winner: JsonObject) -> Result:
        """Another run's client of this name is older: delete the one this run made; report the winner, no secret."""
        created, template = pending.created, pending.template
        try:
            self.api.delete_personal_client(created["id"])
        except ConductorOneError as exc:
            raise ConductorOneError(
                "another run created {0!r} at the same time and its client {1} is kept (the oldest), but deleting this "
                "run's duplicate {2} failed ({3}): delete it (state=absent, id={2})".format(
                    pending.name, winner["id"], created["id"], exc), operation="PersonalClientService.Delete")
        self.made = None  # this run's client is gone: no secret of it to deliver
        note = "; secret_path was not written" if self.params.get("secret_path") else ""
        if template:
            note += "; the run that made {0} replaces {1}, which this run leaves alone".format(winner["id"], template["id"])
        self.runner.warn("another run {0} {1!r} at the same time and its client {2} is kept (the oldest): this run deleted "
                         "the client it had created ({3}) and holds no secret for {2}, which the run that created it "
                         "delivered{4}".format("rotated" if template else "created", pending.name, winner["id"],
                                               created["id"], note))
        result = {"changed": False, "personal_client": client_result(winner),
                  "lost_race": {"winner": winner["id"], "deleted": created["id"]}}
        if self.runner.diff_mode:
            result["diff"] = self._diff(winner, winner)
        return result

    def _absent(self, current: Optional[JsonObject]) -> Result:
        result = {"changed": current is not None, "personal_client": client_result(current) if current else {}}
        if current is not None and not self.runner.check_mode:
            self.api.delete_personal_client(current["id"])
        if self.runner.diff_mode:
            result["diff"] = self._diff(current, None)
        return result

    def _create(self, wanted: JsonObject, template: Optional[JsonObject] = None) -> Union[Result, PendingCreate]:
        """Create a client (a replacement when ``template`` is the client being rotated): a PendingCreate, or in
        check mode the predicted result."""
        request = self.desired.create_request(wanted, template)
        refuse_secret_path_of_another_client(self.params.get("secret_path"), template, request,
                                             self.api.client.base_url, self.lookup)
        if not self.runner.check_mode:
            once = ExactlyOnceCreate(self.api, self.runner.warn)
            known = once.existing_ids(self.lookup, request.get("displayName"), template)
            created, secret = once.create(request, known)
            self.made = (created, secret, False)
            self._check_scope(request, created)
            return PendingCreate(created, secret, template, known, request.get("displayName"))
        predicted = self.desired.predicted(request, template)
        result = {"changed": True, "personal_client": client_result(predicted)}
        if self.runner.diff_mode:
            result["diff"] = self._diff(template, predicted)
        if template:
            result["rotated_from"] = template["id"]
        return result

    def _update(self, current: JsonObject, wanted: JsonObject) -> Result:
        changes = self.desired.changes(current, wanted)
        after = dict(current, **changes)
        if changes and not self.runner.check_mode:
            after = self.api.update_personal_client(current["id"], changes, list(changes))
            self._check_scope(changes, after)
        if self.params.get("secret_path") and not os.path.exists(self.params["secret_path"]):
            self.runner.warn("secret_path {0} does not exist and the secret of {1} cannot be recovered (ConductorOne "
                             "returns it only at creation); set rotate=true to issue a new secret".format(
                                 self.params["secret_path"], current["id"]))
        result = {"changed": bool(changes), "personal_client": client_result(after)}
        if self.runner.diff_mode:
            result["diff"] = self._diff(current, after)
        return result

    def _retire(self, current: JsonObject, result: Result) -> Result:
        """Make before break: the replacement's secret is out (``finish``); now delete the old client."""
        result["rotated_from"] = current["id"]
        if self.params.get("keep_previous") or self.runner.check_mode:
            return result
        try:
            self.api.delete_personal_client(current["id"])
        except ConductorOneError as exc:
            # The new secret is already out; failing now would lose it. Report and leave the old one.
            self.runner.warn("rotated {0} to {1}, but deleting the old client failed: {2}; delete it yourself".format(
                current["id"], result["personal_client"]["id"], exc))
        return result

    def _check_scope(self, sent: JsonObject, client: JsonObject) -> None:
        if "scopedRoles" in sent and sorted_set(client.get("scopedRoles")) != sorted_set(sent["scopedRoles"]):
            self.runner.warn("ConductorOne narrowed the scoped roles of {0} to {1}: the owner may not hold every "
                             "requested role".format(client.get("id"), sorted_set(client.get("scopedRoles"))))

    def _discard_unreceived(self, client: JsonObject, write_error: OSError) -> NoReturn:
        """The secret could not be written, so nobody has it: delete the new client and fail naming secret_path.

        When that delete fails too, the client lives on and its secret is returned with the failure instead.
        """
        path = self.params["secret_path"]
        try:
            self.api.delete_personal_client(client["id"])
        except ConductorOneError as exc:
            raise ConductorOneError(
                "could not write the secret of the new client {0} to {1} ({2}), and deleting that client failed too "
                "({3}): its secret is returned in this failed result instead (client_secret, or secrets for a set); "
                "store it, or delete the client (state=absent, id={0})".format(client["id"], path, write_error, exc),
                operation="secret_path")
        self.made = None  # the client is gone: nothing to deliver
        raise ConductorOneError("could not write the secret of the new client {0} to {1} ({2}); the client was deleted "
                                "again because nobody has its secret".format(client["id"], path, write_error),
                                operation="secret_path")

    def _store_secret(self, client: JsonObject, secret: Optional[str]) -> None:
        if not self.params.get("secret_path") or not secret:
            return
        store_client_secret(self.params["secret_path"], client, secret, self.api.client.base_url)


def _diff_view(client: JsonObject) -> Dict[str, Any]:
    return {
        "id": client.get("id"),
        "display_name": client.get("displayName"),
        "allow_source_cidr": cidr_set(client.get("allowSourceCidr"), "allowSourceCidr"),
        "scoped_roles": sorted_set(client.get("scopedRoles")),
        "expires_time": client.get("expiresTime"),
    }
