# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The ConductorOne IAM API as typed calls: authentication on each request, one re-auth on 401, pagination.

Paths, wrappers and field names are the official spec's (c1.api.iam.v1 PersonalClientService,
PersonalClientSearchService, Roles). Every call returns protojson dicts as the server sent them.
"""

from __future__ import annotations

import math
import os
import threading
from urllib.parse import quote

from ._auth import TokenSource, resolve_endpoint
from ._errors import ConductorOneError, InputError
from ._http import HttpTransport
from ._token_cache import TokenCache, cache_key

PAGE_SIZE = 100
NOT_FOUND = 404
UNAUTHENTICATED = 401


class ApiClient:
    """One authenticated session against one tenant."""

    def __init__(self, params, warn=None, transport=None):
        base_url, audience = resolve_endpoint(params.get("server_url"), params.get("client_id"))
        self.base_url = base_url
        # The OAuth client id this run authenticates as (the one exchanged for its token); None with a bare
        # access token, whose owner cannot be known here. Modes that delete clients must never delete it.
        self.authenticated_client_id = None if params.get("access_token") else params.get("client_id")
        timeout = params.get("timeout")
        timeout = 30.0 if timeout is None else timeout
        if not (math.isfinite(timeout) and timeout > 0):
            raise InputError("timeout must be a positive number of seconds, got {0!r}".format(timeout))
        retries = params.get("retries")
        retries = 4 if retries is None else retries
        if retries < 0:
            raise InputError("retries must be 0 or more, got {0!r}".format(retries))
        ca_path = params.get("ca_path")
        if ca_path and params.get("validate_certs", True) and base_url.startswith("https:") and not os.path.exists(ca_path):
            raise InputError("ca_path: {0} does not exist; give the PEM file of the CA certificates that signed the "
                             "server certificate".format(ca_path))
        self.transport = transport or HttpTransport(
            validate_certs=params.get("validate_certs", True),
            ca_path=ca_path,
            timeout=timeout,
            retries=retries,
            warn=warn,
            pool_size=max(10, int(params.get("parallel") or 1)),
        )
        cache = None
        if params.get("token_cache", True) and params.get("client_id") and params.get("client_secret"):
            cache = TokenCache(cache_key(base_url, params["client_id"], params["client_secret"]))
        self.tokens = TokenSource(
            self.transport, base_url, audience,
            client_id=params.get("client_id"),
            client_secret=params.get("client_secret"),
            access_token=params.get("access_token"),
            cache=cache,
        )
        # Set modules call from several threads: one token exchange (or re-exchange after a 401) at a time.
        self._token_lock = threading.Lock()

    def _token(self):
        with self._token_lock:
            return self.tokens.token()

    def _invalidate(self, refused):
        """After a 401 with ``refused``: True when a fresh token is worth one more try."""
        with self._token_lock:
            if self.tokens.token() != refused:
                return True  # another thread already replaced it
            return self.tokens.invalidate()

    def call(self, method, path, operation, body=None, params=None):
        reauthenticated = False
        while True:
            token = self._token()
            headers = {"Authorization": "Bearer " + token}
            try:
                return self.transport.send(method, self.base_url + path, operation, json_body=body, params=params, headers=headers)
            except ConductorOneError as exc:
                if exc.status != UNAUTHENTICATED or reauthenticated or not self._invalidate(token):
                    if exc.status == UNAUTHENTICATED:
                        exc.message += (" - the credential was refused: check that the client exists, has not expired "
                                        "or been deleted, and that this host's address is in its allowed source CIDRs")
                    raise
                reauthenticated = True

    def get_or_none(self, path, operation):
        """GET that maps 404 to None (the object does not exist, or is not visible to the caller)."""
        try:
            return self.call("GET", path, operation)
        except ConductorOneError as exc:
            if exc.status == NOT_FOUND:
                return None
            raise

    def paginate(self, path, operation):
        """Every item of a GET list endpoint, following nextPageToken."""
        params = {"page_size": PAGE_SIZE}
        while True:
            page = self.call("GET", path, operation, params=params)
            yield from page.get("list") or []
            token = _next_token(page, params.get("page_token"), operation)
            if not token:
                return
            params = {"page_size": PAGE_SIZE, "page_token": token}

    def search(self, path, operation, body):
        """Every item of a POST search endpoint (page fields travel in the body)."""
        body = dict(body, pageSize=PAGE_SIZE)
        while True:
            page = self.call("POST", path, operation, body=body)
            yield from page.get("list") or []
            token = _next_token(page, body.get("pageToken"), operation)
            if not token:
                return
            body = dict(body, pageToken=token)


def _next_token(page, previous, operation):
    """The next page's token; a server repeating the token it was given would loop forever."""
    token = page.get("nextPageToken")
    if token and token == previous:
        raise ConductorOneError("the server returned the same page token twice; stopping", operation=operation)
    return token


def _segment(value):
    """An id as one path segment; an empty id would hit the collection instead (a 301 upstream)."""
    if not value:
        raise ValueError("empty id")
    return quote(value, safe="")


class IamApi:
    """The nine IAM operations plus introspect."""

    ROLES = "/api/v1/iam/roles"
    CLIENTS = "/api/v1/iam/personal_clients"
    CLIENT_SEARCH = "/api/v1/search/iam/personal_clients"

    def __init__(self, client):
        self.client = client

    # Roles
    def list_roles(self):
        return list(self.client.paginate(self.ROLES, "Roles.List"))

    def get_role(self, role_id):
        body = self.client.get_or_none(self.ROLES + "/" + _segment(role_id), "Roles.Get")
        return body.get("role") if body else None

    def update_role(self, role_id, role, update_mask):
        body = {"role": role, "updateMask": ",".join(update_mask)}
        return self.client.call("POST", self.ROLES + "/" + _segment(role_id), "Roles.Update", body=body)["role"]

    # Personal clients
    def list_personal_clients(self):
        return list(self.client.paginate(self.CLIENTS, "PersonalClientService.List"))

    def get_personal_client(self, client_id):
        body = self.client.get_or_none(self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Get")
        return body.get("client") if body else None

    def create_personal_client(self, request):
        """Returns (client, secret). The secret is only ever returned here."""
        body = self.client.call("POST", self.CLIENTS, "PersonalClientService.Create", body=request)
        return body["client"], body.get("clientSecret")

    def update_personal_client(self, client_id, fields, update_mask):
        body = {"client": fields, "updateMask": ",".join(update_mask)}
        return self.client.call("POST", self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Update", body=body)["client"]

    def delete_personal_client(self, client_id):
        """True when deleted, False when it was already gone."""
        try:
            self.client.call("DELETE", self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Delete")
        except ConductorOneError as exc:
            if exc.status == NOT_FOUND:
                return False
            raise
        return True

    def search_personal_clients(self, query=None, user_ids=None):
        body = {}
        if query:
            body["query"] = query
        if user_ids:
            body["users"] = [{"id": user_id} for user_id in user_ids]
        return list(self.client.search(self.CLIENT_SEARCH, "PersonalClientSearchService.Search", body))

    def introspect(self):
        return self.client.call("GET", "/api/v1/auth/introspect", "Auth.Introspect")
