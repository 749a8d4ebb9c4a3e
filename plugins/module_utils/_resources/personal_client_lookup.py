# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Finding the caller's personal clients: the live ones (``live``, ``live_clients``), by id or display name
(``PersonalClientLookup``), the shape the modules return them in (``client_result``), and the one rule of which
clients a deleting run must spare (``protected_client_ids``: exclusive mode and hygiene enforcement).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import cutename
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import api_view
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi


CLIENT_KEYS = ("id", "client_id", "user_id", "display_name", "allow_source_cidr", "scoped_roles", "expires_time",
               "created_at", "updated_at", "last_used_at", "deleted_at")


def client_result(client: Mapping[str, Any]) -> Dict[str, Any]:
    """A personal client as the modules return it: snake_case keys, lists never null, never a secret."""
    return api_view(client, CLIENT_KEYS, ("allow_source_cidr", "scoped_roles"))


def live(client: Optional[Mapping[str, Any]]) -> bool:
    """A client that exists: the API still lists a deleted client for a while, with ``deletedAt`` set."""
    return client is not None and not client.get("deletedAt")


def live_clients(clients: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The live clients of a listing (the one filter of deleted clients, ``live``)."""
    return [client for client in clients if live(client)]


def protected_client_ids(refs: Optional[Iterable[Optional[str]]], own_client_id: Optional[str],
                         caller_client_ids: Callable[[], Iterable[str]], option: str) -> Set[str]:
    """Cutenames a run that deletes the caller's clients must never delete: the one it authenticated with and ``refs``.

    The rule "never delete the credential this run uses", for exclusive mode (personal_client_set) and hygiene
    enforcement alike. With an access token, the run's own client cannot be known: ``refs`` (the ``protected``
    option) must then name at least one of the caller's live clients (``caller_client_ids``, called only then), or
    the run refuses with an InputError naming ``option``, before it deletes anything.
    """
    protected = set(cutename(ref) for ref in refs or [] if ref and ref.strip())
    if own_client_id:
        return protected | set([cutename(own_client_id)])
    if not protected or not protected & set(caller_client_ids()):
        raise InputError("{0}: this run authenticates with an access token, whose personal client cannot be known, so "
                         "it could delete the credential the run itself uses; list that client's id in protected (it "
                         "must be one of the caller's clients) or authenticate with client_id and client_secret "
                         "(nothing was changed)".format(option))
    return protected


class PersonalClientLookup:
    """Find the caller's personal clients by id or by display name.

    With ``listing`` (the caller's clients, listed once for a whole set), lookups read it instead of the API.
    """

    def __init__(self, api: IamApi, listing: Optional[List[JsonObject]] = None) -> None:
        self.api = api
        self.listing = None if listing is None else live_clients(listing)
        # indexes of the listing, so that a set of N items costs N lookups, not N scans
        self._by_id: Dict[Optional[str], JsonObject] = {}
        self._by_name: Dict[Optional[str], List[JsonObject]] = {}
        # the caller's user id, once a listing of the caller's own clients has shown it (None until then)
        self.user_id: Optional[str] = None
        for client in self.listing or []:
            self._by_id[client.get("id")] = client
            self._by_name.setdefault(client.get("displayName"), []).append(client)
            self.user_id = self.user_id or client.get("userId")
        # display name -> ids of the live clients so named, as listed by find() in this run
        self.named_ids: Dict[Optional[str], Set[str]] = {}

    def by_id(self, ref: str) -> Optional[JsonObject]:
        if self.listing is not None:
            return self._by_id.get(cutename(ref))
        client = self.api.get_personal_client(cutename(ref))
        return client if live(client) else None

    def all_named(self, display_name: Optional[str]) -> List[JsonObject]:
        if self.listing is not None:
            return list(self._by_name.get(display_name, []))
        listing = live_clients(self.api.list_personal_clients())
        self.user_id = self.user_id or next((client.get("userId") for client in listing if client.get("userId")), None)
        return [client for client in listing if client.get("displayName") == display_name]

    def find(self, ref: Optional[str] = None, display_name: Optional[str] = None,
             claimed: Iterable[str] = ()) -> Optional[JsonObject]:
        """The live client with id ``ref``, else the one named ``display_name`` that is not in ``claimed``.

        ``claimed``: ids that other items of a set manage by id (renaming them, say), never matched by name.
        """
        if ref:
            return self.by_id(ref)
        named = self.all_named(display_name)
        # Every client of that name existed before this run's create, claimed ones included: a lost create
        # response must not make any of them look like the orphan.
        self.named_ids[display_name] = set(client["id"] for client in named)
        found = [client for client in named if client["id"] not in claimed]
        if len(found) > 1:
            raise InputError("display_name: {0} personal clients are named {1!r} ({2}); set id to choose one".format(
                len(found), display_name, ", ".join(sorted(client["id"] for client in found))))
        return found[0] if found else None


def relist(api: IamApi) -> Tuple[Optional[List[JsonObject]], Optional[ConductorOneError]]:
    """(the caller's live clients, None), or (None, the error) when the listing failed."""
    try:
        return live_clients(api.list_personal_clients()), None
    except ConductorOneError as exc:
        return None, exc
