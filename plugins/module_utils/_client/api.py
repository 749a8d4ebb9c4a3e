# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The ConductorOne IAM API as typed calls: authentication on each request, one re-auth on 401, pagination.

Paths, wrappers and field names are the official spec's (c1.api.iam.v1 PersonalClientService,
PersonalClientSearchService, Roles). Every call returns protojson dicts as the server sent them.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import quote

from ansible_collections.conductorone.iam.plugins.module_utils._client.auth import TokenSource, check_credentials, require_credentials
from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import tenant_host
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._client.http import DEFAULT_MAX_RESPONSE_BYTES, JSON, HttpTransport, connection_default
from ansible_collections.conductorone.iam.plugins.module_utils._client.token_cache import TokenCache, cache_key
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import (
    AMBIENT_TENANT_OPTIONS, Endpoint, check_ambient_tenant, is_loopback, resolve_endpoint)

# A task's connection options (client_id, server_url, timeout, ...), as the module or action plugin holds them.
Params = Mapping[str, Any]

PAGE_SIZE = 100
# A listing stops with an error past this many items (max_list_items) or past twice as many pages as full pages
# would need (a server may send short pages, never endless ones): far above any real tenant, low enough that a
# server issuing new page tokens forever cannot hold a task or fill the controller's memory.
DEFAULT_MAX_LIST_ITEMS = 100000
NOT_FOUND = 404
UNAUTHENTICATED = 401


class ApiClient:
    """One authenticated session against one tenant."""

    def __init__(self, params: Params, warn: Callable[[str], object] | None = None,
                 transport: HttpTransport | None = None) -> None:
        """Every step checks its options before anything is sent: a bad value fails here, naming its option."""
        _check_credential_options(params)
        self.endpoint = endpoint = resolve_tenant(params)
        self.base_url = endpoint.base_url
        # The OAuth client id this run authenticates as (the one exchanged for its token); None with a bare
        # access token, whose owner cannot be known here. Modes that delete clients must never delete it.
        self.authenticated_client_id: str | None = None if params.get("access_token") else params.get("client_id")
        timeout, retries = _timeout_and_retries(params)
        ca_path = _checked_ca_path(params, endpoint)
        self.max_list_items = _positive_int(params, "max_list_items", DEFAULT_MAX_LIST_ITEMS)
        self.max_pages = 2 * int(math.ceil(self.max_list_items / float(PAGE_SIZE)))
        self.max_response_bytes = _positive_int(params, "max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES)
        self.transport = transport or HttpTransport(
            validate_certs=params.get("validate_certs", True),
            ca_path=ca_path,
            timeout=timeout,
            retries=retries,
            warn=warn,
            endpoint=endpoint,
            pool_size=max(10, int(params.get("parallel") or 1)),
            max_response_bytes=self.max_response_bytes,
        )
        _warn_plain_http(params, endpoint, warn)
        self.tokens = TokenSource(
            self.transport, self.base_url, endpoint.audience,
            client_id=params.get("client_id"),
            client_secret=params.get("client_secret"),
            access_token=params.get("access_token"),
            cache=_token_cache(params, self.base_url, ca_path),
            oidc_token=params.get("oidc_token"),
        )
        # Set modules call from several threads: one token exchange (or re-exchange after a 401) at a time.
        self._token_lock = threading.Lock()

    def _token(self) -> str:
        with self._token_lock:
            return self.tokens.token()

    def _invalidate(self, refused: str) -> bool:
        """After a 401 with ``refused``: True when a fresh token is worth one more try."""
        with self._token_lock:
            if self.tokens.token() != refused:
                return True  # another thread already replaced it
            return self.tokens.invalidate()

    def call(self, method: str, path: str, operation: str, body: JSON | None = None,
             params: Mapping[str, Any] | None = None) -> JSON:
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

    def get_or_none(self, path: str, operation: str) -> JSON | None:
        """GET that maps 404 to None (the object does not exist, or is not visible to the caller)."""
        try:
            return self.call("GET", path, operation)
        except ConductorOneError as exc:
            if exc.status == NOT_FOUND:
                return None
            raise

    def paginate(self, path: str, operation: str) -> Iterator[JSON]:
        """Every item of a GET list endpoint, following nextPageToken (within the listing limits)."""
        return self._listing("GET", path, operation, {}, ("page_size", "page_token"))

    def search(self, path: str, operation: str, body: JSON) -> Iterator[JSON]:
        """Every item of a POST search endpoint (page fields travel in the body; within the listing limits)."""
        return self._listing("POST", path, operation, body, ("pageSize", "pageToken"))

    def _listing(self, method: str, path: str, operation: str, fields: Mapping[str, Any],
                 names: tuple[str, str]) -> Iterator[JSON]:
        """The one page loop: a GET sends the page fields as query parameters, a POST in the body
        (``names``: the page-size and page-token field names of that endpoint)."""
        limits = _ListingLimits(self, "{0} ({1} {2})".format(operation, method, path))
        size_name, token_name = names
        sent: dict[str, Any] = dict(fields, **{size_name: PAGE_SIZE})
        while True:
            in_body = method != "GET"
            page = limits.page(self.call(method, path, operation, body=sent if in_body else None,
                                         params=None if in_body else sent))
            yield from limits.items(page)
            token = _next_token(page, sent.get(token_name), operation)
            if not token:
                return
            sent = dict(sent, **{token_name: token})


class _ListingLimits:
    """Counts one listing's pages and items; past a limit, an error naming the endpoint and the count (raised
    before the offending page's items are handed on, so a listing never holds more than the limit)."""

    def __init__(self, client: ApiClient, operation: str) -> None:
        self.max_items, self.max_pages = client.max_list_items, client.max_pages
        self.operation = operation
        self.pages = 0
        self.count = 0

    def page(self, page: object) -> JSON:
        self.pages += 1
        if not isinstance(page, dict):
            raise ConductorOneError("the server answered page {0} with a JSON {1}, not an object".format(
                self.pages, type(page).__name__), operation=self.operation)
        if self.pages > self.max_pages:
            raise ConductorOneError(
                "stopped after {0} pages ({1} items so far): the server keeps sending new page tokens; the limit is "
                "{0} pages for max_list_items={2}. Raise max_list_items if the tenant really has that many".format(
                    self.max_pages, self.count, self.max_items), operation=self.operation)
        return page

    def items(self, page: JSON) -> list[JSON]:
        items = page_items(page, self.operation)
        self.count += len(items)
        if self.count > self.max_items:
            raise ConductorOneError(
                "the listing has more than {0} items (max_list_items), {1} so far after {2} pages; stopped. Raise "
                "max_list_items if the tenant really has that many".format(self.max_items, self.count, self.pages),
                operation=self.operation)
        return items


def _check_credential_options(params: Params) -> None:
    """Which credential is missing comes first: a missing tenant is only the consequence of it when nothing is set."""
    check_credentials(params.get("client_id"), params.get("client_secret"), params.get("oidc_token"))
    require_credentials(params.get("client_id"), params.get("client_secret"), params.get("access_token"),
                        params.get("oidc_token"))


def resolve_tenant(params: Params) -> Endpoint:
    """Where requests go (server_url, tenant_domain or the client id's host), refusing an ambient tenant that would
    redirect explicit credentials (``url.check_ambient_tenant``).

    An option equal to its CONDUCTORONE_* variable is taken as coming from it (the action plugins and
    AnsibleModule fill unset options from there), so an explicit option equal to that variable is too.
    """
    client_id = params.get("client_id")
    client_host = tenant_host(client_id)
    endpoint = resolve_endpoint(params.get("server_url"), client_host, allow_http=bool(params.get("allow_plain_http")),
                                tenant_domain=params.get("tenant_domain"))
    for option in ("tenant_domain", "server_url"):
        if client_id and params.get(option):
            check_ambient_tenant(
                endpoint, client_host, option,
                option_from_environment=params[option] == os.environ.get(AMBIENT_TENANT_OPTIONS[option][1]),
                client_id_from_environment=client_id == os.environ.get("CONDUCTORONE_CLIENT_ID"))
    return endpoint


def _timeout_and_retries(params: Params) -> tuple[float, int]:
    timeout = params.get("timeout")
    timeout = connection_default("timeout") if timeout is None else timeout
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError("timeout must be a positive number of seconds, got {0!r}".format(timeout))
    retries = params.get("retries")
    retries = connection_default("retries") if retries is None else retries
    if retries < 0:
        raise InputError("retries must be 0 or more, got {0!r}".format(retries))
    return timeout, retries


def _checked_ca_path(params: Params, endpoint: Endpoint) -> str | None:
    ca_path: str | None = params.get("ca_path")
    if ca_path and params.get("validate_certs", True) and endpoint.scheme == "https" and not os.path.exists(ca_path):
        raise InputError("ca_path: {0} does not exist; give the PEM file of the CA certificates that signed the "
                         "server certificate".format(ca_path))
    return ca_path


def _warn_plain_http(params: Params, endpoint: Endpoint, warn: Callable[[str], object] | None) -> None:
    if endpoint.scheme == "http" and params.get("allow_plain_http") and warn and not is_loopback(endpoint.host):
        warn("allow_plain_http is set: the credential and every response travel unencrypted to {0}; use it only "
             "for an emulator on a private network".format(endpoint.base_url))


def _token_cache(params: Params, base_url: str, ca_path: str | None) -> TokenCache | None:
    """The per-user token cache of this credential, or None (cache off, or a bare access token: nothing to cache).

    The cache key holds a digest of the credential: the client secret, or the OIDC token of a /wfe trust.
    """
    credential = params.get("client_secret") or params.get("oidc_token")
    if not (params.get("token_cache", True) and params.get("client_id") and credential):
        return None
    return TokenCache(cache_key(base_url, params["client_id"], credential,
                                tls=(bool(params.get("validate_certs", True)), ca_path or None)))


def _positive_int(params: Params, name: str, default: int) -> int:
    value = params.get(name)
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("{0} must be a positive whole number, got {1!r}".format(name, value))
    return value


def answered_object(body: object, field: str, operation: str) -> JSON:
    """The ``field`` object of a success answer. A 2xx answer without it (a gateway or proxy mangling the body, a
    server bug) is a ConductorOneError naming the operation, never a KeyError that would fail the whole run.

    The status is left unknown (None): the request was carried out, so a create reconciles it like a lost response.
    """
    value = body.get(field) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise ConductorOneError(
            "the server answered success without the {0!r} object this call returns, so its outcome is unknown "
            "(the change may have been made): check the object, then run again".format(field), operation=operation)
    return value


def page_items(page: object, operation: str) -> list[JSON]:
    """The items of one page of a list or search answer (an empty list may be left out, as protojson does)."""
    items = page.get("list") if isinstance(page, dict) else None
    if not isinstance(page, dict) or not isinstance(items or [], list) or \
            not all(isinstance(item, dict) for item in items or []):
        raise ConductorOneError("the server answered success with a page that is not a list of objects", operation=operation)
    return items or []


def _next_token(page: JSON, previous: str | None, operation: str) -> str | None:
    """The next page's token; a server repeating the token it was given would loop forever."""
    token = page.get("nextPageToken")
    if token and token == previous:
        raise ConductorOneError("the server returned the same page token twice; stopping", operation=operation)
    return token


def valid_id(value: object, option: str = "id") -> str:
    """An id or cutename that is safe as one URL path segment, or InputError before any request.

    ``..`` or ``.`` would be resolved by the server (or a proxy) to the collection URL; a slash, backslash,
    control character or empty value to another resource. ConductorOne ids are letters, digits, ``-`` and ``_``.
    """
    if not isinstance(value, str) or not value.strip():
        raise InputError("{0} must not be empty".format(option))
    if value in (".", "..") or any(char in value for char in "/\\?#%") or any(ord(char) < 0x21 or ord(char) == 0x7f for char in value):
        raise InputError("{0}: {1!r} is not a ConductorOne id (ids are letters, digits, '-' and '_'; no '/', '.' or '..' "
                         "alone, spaces or control characters)".format(option, value[:64]))
    return value


def _segment(value: str) -> str:
    """An id as one path segment; an empty or dot id would hit the collection instead (a 301 upstream)."""
    return quote(valid_id(value), safe="")


class IamApi:
    """The nine IAM operations the modules use."""

    ROLES = "/api/v1/iam/roles"
    CLIENTS = "/api/v1/iam/personal_clients"
    CLIENT_SEARCH = "/api/v1/search/iam/personal_clients"

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # Roles
    def list_roles(self) -> list[JSON]:
        return list(self.client.paginate(self.ROLES, "Roles.List"))

    def get_role(self, role_id: str) -> JSON | None:
        body = self.client.get_or_none(self.ROLES + "/" + _segment(role_id), "Roles.Get")
        return None if body is None else answered_object(body, "role", "Roles.Get")

    def update_role(self, role_id: str, role: JSON, update_mask: Iterable[str]) -> JSON:
        body = {"role": role, "updateMask": ",".join(update_mask)}
        return answered_object(self.client.call("POST", self.ROLES + "/" + _segment(role_id), "Roles.Update", body=body),
                               "role", "Roles.Update")

    # Personal clients
    def list_personal_clients(self) -> list[JSON]:
        return list(self.client.paginate(self.CLIENTS, "PersonalClientService.List"))

    def get_personal_client(self, client_id: str) -> JSON | None:
        body = self.client.get_or_none(self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Get")
        return None if body is None else answered_object(body, "client", "PersonalClientService.Get")

    def create_personal_client(self, request: JSON) -> tuple[JSON, str]:
        """Returns (client, secret). The secret is only ever returned here.

        A success answer without the client or its secret raises (status None, like a lost response): the client
        was made, and nobody has its secret.
        """
        operation = "PersonalClientService.Create"
        body = self.client.call("POST", self.CLIENTS, operation, body=request)
        client = answered_object(body, "client", operation)
        if not client.get("id"):
            raise ConductorOneError("the server answered success with a client that has no id", operation=operation)
        secret = body.get("clientSecret")
        if not isinstance(secret, str) or not secret.strip():
            raise ConductorOneError("the server answered success without the 'clientSecret' of the client it created "
                                    "({0}), and the secret is returned only once".format(client.get("id")), operation=operation)
        return client, secret

    def update_personal_client(self, client_id: str, fields: JSON, update_mask: Iterable[str]) -> JSON:
        body = {"client": fields, "updateMask": ",".join(update_mask)}
        answer = self.client.call("POST", self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Update", body=body)
        return answered_object(answer, "client", "PersonalClientService.Update")

    def delete_personal_client(self, client_id: str) -> bool:
        """True when deleted, False when it was already gone."""
        try:
            self.client.call("DELETE", self.CLIENTS + "/" + _segment(client_id), "PersonalClientService.Delete")
        except ConductorOneError as exc:
            if exc.status == NOT_FOUND:
                return False
            raise
        return True

    def search_personal_clients(self, query: str | None = None, user_ids: Iterable[str] | None = None) -> list[JSON]:
        body: JSON = {}
        if query:
            body["query"] = query
        if user_ids:
            body["users"] = [{"id": user_id} for user_id in user_ids]
        return list(self.client.search(self.CLIENT_SEARCH, "PersonalClientSearchService.Search", body))
