# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Creating a personal client exactly once, and settling creates that overlapped with another run's.

The secret exists only in the create response. Hence a create is never retried blindly: a create whose
response was lost is reconciled (``ExactlyOnceCreate``: the secret-less client it may have made is deleted, then
one more create).

Overlapping runs (other controllers included: they share nothing but the tenant) may create the same display
name at once; the API has no uniqueness and no conditional create. So a create is a two-step protocol: create
(``PendingCreate``), then re-list the caller's clients (once per set) and keep the oldest client of that name
that did not exist before (``settle_race``: ``createdAt``, then the smallest id); a run whose own client lost
deletes it, keeps no secret and reports the winner. The secret is delivered only after that
(``ClientWriter.finish``; docs/docsite/rst/guide_concurrency.rst).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, List, Mapping, Optional, Set, Tuple

import datetime
import time

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import _TIMESTAMP, parse_timestamp
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup, live
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi


def _may_have_been_applied(exc: ConductorOneError) -> bool:
    """A POST that timed out, lost its connection or got a 5xx may still have been carried out."""
    return exc.status is None or exc.status >= 500


class PendingCreate:
    """A client this run created whose secret is not delivered yet: ``ClientWriter.finish`` settles and delivers it."""

    def __init__(self, created: JsonObject, secret: str, template: Optional[JsonObject], known_ids: Iterable[str],
                 name: Optional[str]) -> None:
        self.created = created
        self.secret = secret
        self.template = template  # the client being rotated, or None
        self.known_ids = set(known_ids)  # clients of that name that existed before the create (never competitors)
        self.name = name


def created_order(client: Mapping[str, Any]) -> Tuple[int, datetime.datetime, int, str]:
    """The order that settles a race: ``createdAt`` (to the nanosecond; unknown sorts last), then the id."""
    value = client.get("createdAt")
    try:
        moment = parse_timestamp(value)
    except InputError:
        moment = None
    if moment is None:
        return (1, datetime.datetime.max.replace(tzinfo=datetime.timezone.utc), 0, client.get("id") or "")
    match = _TIMESTAMP.match(str(value).strip())  # it parsed above, so it matches
    fraction = (match.group(7) if match else None) or ""
    return (0, moment, int(fraction.ljust(9, "0")[6:9]), client.get("id") or "")


def settle_race(own: JsonObject, known_ids: Collection[str], listing: Optional[List[JsonObject]],
                name: Optional[str] = None) -> JsonObject:
    """Pure: the client named ``name`` that wins, among ``own`` and the live ones in ``listing`` not in ``known_ids``.

    Every run that created a client of that name computes the same winner from any listing made after its own
    create: the oldest (``createdAt``, then the smallest id). A client of that name that existed before the create
    (``known_ids``: the one being rotated, those kept by keep_previous, those other items of a set claim) never
    competes.
    """
    name = own.get("displayName") if name is None else name
    rivals = [client for client in listing or [] if live(client) and client.get("displayName") == name
              and client.get("id") not in known_ids and client.get("id") != own.get("id")]
    return min([own] + rivals, key=created_order)


class ExactlyOnceCreate:
    """POST a create at most once blindly; a lost response is reconciled against a fresh client list.

    The secret exists only in the create response, so a client whose response was lost is useless: it is
    found (a client of that name the run did not know before), deleted, and the create is sent once more.
    """

    def __init__(self, api: IamApi, warn: Callable[[str], None]) -> None:
        self.api = api
        self.warn = warn

    def existing_ids(self, lookup: PersonalClientLookup, name: Optional[str], template: Optional[JsonObject]) -> Set[str]:
        """Ids of the clients named ``name`` before the create: a lost create response must not delete them.

        A client found by display name was looked up with a listing already; one found by id (a rotation, where
        clients kept with keep_previous share the name) needs one listing first (or the set's listing).
        """
        known = lookup.named_ids.get(name)
        if known is None:
            known = set(client["id"] for client in lookup.all_named(name))
        return known | set([template["id"]] if template else [])

    def create(self, request: JsonObject, known_ids: Set[str]) -> Tuple[JsonObject, str]:
        """Returns (client, secret)."""
        name = request.get("displayName")
        try:
            return self.api.create_personal_client(request)
        except ConductorOneError as exc:
            if not _may_have_been_applied(exc):
                raise
            first_error = exc
        orphans = self._orphans(name, known_ids, first_error, settle=self._settle_seconds(first_error))
        if not orphans and first_error.timed_out:
            # The server may still be working on it: creating again now could make a second client.
            first_error.message += ("; no client named {0!r} has appeared since, but the server may still create it "
                                    "without returning its secret: check with personal_client_info, delete any client "
                                    "of that name you have no secret for, and run again".format(name))
            raise first_error
        for orphan in orphans:
            self.api.delete_personal_client(orphan["id"])
        self.warn("the response to creating {0!r} was lost ({1}); {2}; creating it once more".format(
            name, first_error, "deleted {0}, whose secret nobody received".format(", ".join(o["id"] for o in orphans))
            if orphans else "no client had been created"))
        try:
            return self.api.create_personal_client(request)
        except ConductorOneError as exc:
            if _may_have_been_applied(exc):
                orphans = self._orphans(name, known_ids, exc, settle=self._settle_seconds(exc))
                if orphans:
                    exc.message += ("; the server may have created {0} without returning its secret: delete it "
                                    "(state=absent, id) and run again".format(", ".join(o["id"] for o in orphans)))
            raise

    def _settle_seconds(self, error: ConductorOneError) -> float:
        """After a timed-out create, how long to keep looking for the client the server may still be creating."""
        return float(self.api.client.transport.timeout) if error.timed_out else 0.0

    def _orphans(self, name: Optional[str], known_ids: Set[str], error: ConductorOneError,
                 settle: float = 0.0) -> List[JsonObject]:
        """Clients named ``name`` that did not exist before the create; polled (fresh listings) for up to ``settle`` s."""
        deadline = time.time() + settle
        while True:
            try:
                found = [client for client in PersonalClientLookup(self.api).all_named(name) if client["id"] not in known_ids]
            except ConductorOneError as exc:
                error.message += ("; checking whether a client named {0!r} was created anyway also failed ({1}): look for "
                                  "one without a secret and delete it".format(name, exc))
                raise error
            remaining = deadline - time.time()
            if found or remaining <= 0:
                return found
            time.sleep(min(1.0, remaining))
