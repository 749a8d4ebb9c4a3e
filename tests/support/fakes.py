# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fakes shared by the unit tests, at the transport boundary (what HttpTransport.send returns or raises).

``FakeSession`` stands in for a requests session (scripted responses or exceptions, in order).
``FakeTransport`` answers token requests with numbered tokens and API requests with scripted outcomes.
``FakeConductorOne`` is a small stateful personal-client API behind the same ``send``, with faults (a lost
response, a dropped request, a 5xx, a timeout after which the create still happens), so the converge logic is
tested through its entry points (``PersonalClient(runner, api).run()``) rather than through its private methods.
``FakeRunner`` is the action plugins' runner (the runner interface of module_utils/_resources/runner.py).
"""

from __future__ import annotations

import copy
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import CONNECTION_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import CollectingRunner
from ansible_collections.conductorone.iam.tests.support.secrets import b64url, make_secret

TOKEN_PATH = "/auth/v1/token"


def client_credentials(name, host="acme.conductor.one"):
    """(client_id, client_secret) of a personal client as ConductorOne hands them out: the full
    ``<name>@<host>/pcc`` id and a ``secret-token:conductorone.com:v1:`` secret holding a fresh Ed25519 JWK."""
    key = Ed25519PrivateKey.generate()
    raw_private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    raw_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    secret = make_secret({"kty": "OKP", "crv": "Ed25519", "x": b64url(raw_public), "d": b64url(raw_private)})
    return "{0}@{1}/pcc".format(name, host), secret


def next_outcome(outcomes, method, url):
    """The next scripted outcome (raised when it is an exception); a request beyond the script fails the test."""
    if not outcomes:
        raise AssertionError("unexpected request {0} {1}".format(method, url))
    outcome = outcomes.pop(0)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


class FakeSession:
    """Replaces a requests session's ``request``: hands out the scripted outcomes in order, raising exceptions."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def __call__(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        return next_outcome(self.outcomes, method, url)


class FakeTransport:
    """Numbered tokens (``expires_in`` s; or ``body`` as the token answer), or ``token_errors`` raised in turn first;
    API requests get ``outcomes`` in order."""

    def __init__(self, outcomes=(), expires_in=3600, body=None, timeout=30.0, token_errors=()):
        self.outcomes = list(outcomes)
        self.token_errors = list(token_errors)
        self.expires_in = expires_in
        self.body = body
        self.timeout = timeout
        self.calls = []

    def send(self, method, url, operation, json_body=None, form=None, params=None, headers=None, idempotent=None):
        self.calls.append({"method": method, "url": url, "operation": operation, "json_body": copy.deepcopy(json_body),
                           "form": dict(form) if form is not None else None, "params": copy.deepcopy(params),
                           "headers": dict(headers or {}), "idempotent": idempotent})
        if url.endswith(TOKEN_PATH):
            if self.token_errors:
                raise self.token_errors.pop(0)
            if self.body is not None:
                return self.body
            return {"access_token": "token-{0}".format(len(self.token_calls)), "token_type": "Bearer",
                    "expires_in": self.expires_in}
        return next_outcome(self.outcomes, method, url)

    @property
    def token_calls(self):
        return [call for call in self.calls if call["url"].endswith(TOKEN_PATH)]

    @property
    def api_calls(self):
        return [call for call in self.calls if not call["url"].endswith(TOKEN_PATH)]

    @property
    def bearers(self):
        return [call["headers"].get("Authorization") for call in self.api_calls]


class FakeRunner(CollectingRunner):
    """The action plugins' own runner (plugin_utils/_action.py: params, check_mode, diff_mode, warn collected,
    fail / exit into ``result``), with check and diff mode off unless asked."""

    def __init__(self, params, check_mode=False, diff_mode=False):
        super().__init__(params, check_mode, diff_mode)


CLIENTS = "/api/v1/iam/personal_clients"
ONE_CLIENT = re.compile(r"^/api/v1/iam/personal_clients/([^/]+)$")


class FakeConductorOne:
    """Personal clients of one user and a role catalog, behind ``send``; ``fault()`` queues transport faults.

    Faults are taken in the order queued. Kinds: ``lost`` (applied, then the connection fails), ``drop`` (not applied, connection fails),
    ``status`` (not applied, HTTP ``status``), ``strip`` (applied, answered 2xx with ``{}``), ``timeout`` (a read timeout; the request is applied only after
    ``applied_after`` further requests, or never when None: the server was still working on it).
    """

    base_url = "https://acme.conductor.one"

    def __init__(self, clients=(), roles=(), timeout=30.0):
        self.timeout = timeout
        self.clients = dict((c["id"], dict(c, deletedAt=None)) for c in copy.deepcopy(list(clients)))
        self.roles = copy.deepcopy(list(roles))
        self.secrets = {}
        self.faults = []
        self.log = []
        self.token_requests = []  # the forms of the token exchanges (not in ``log``: no fault applies to them)
        self.on_create = None  # called with the created client (a side effect at the server, e.g. on the file system)
        self._delayed = []
        self._created = 0

    # test side

    def fault(self, method, path, kind, status=None, applied_after=None, count=1, skip=0):
        """Queue ``count`` faults for the matching requests that come after the next ``skip`` matching ones."""
        for dummy in range(count):
            self.faults.append({"method": method, "path": re.compile(path), "kind": kind, "status": status,
                                "applied_after": applied_after, "skip": skip})

    def live(self, display_name=None):
        return sorted((c for c in self.clients.values() if not c["deletedAt"]
                       and (display_name is None or c["displayName"] == display_name)), key=lambda c: c["id"])

    def requests(self, method=None, path=None):
        return [(m, p, outcome) for m, p, outcome in self.log
                if (method is None or m == method) and (path is None or re.search(path, p))]

    # transport side

    def send(self, method, url, operation, json_body=None, form=None, params=None, headers=None, idempotent=None):
        path = urlsplit(url).path
        self._tick()
        if path == TOKEN_PATH:
            self.token_requests.append(dict(form or {}))
            return {"access_token": "fake-token", "token_type": "Bearer", "expires_in": 3600}
        fault = self._take(method, path)
        kind = fault["kind"] if fault else None
        if kind == "drop":
            self.log.append((method, path, "drop"))
            raise ConductorOneError("connection failed: dropped (not retried: the request may have been applied)", operation=operation)
        if kind == "status":
            self.log.append((method, path, fault["status"]))
            raise ConductorOneError("fault", operation=operation, status=fault["status"], code=14, request_id="fake-req")
        if kind == "timeout":
            self.log.append((method, path, "timeout"))
            if fault["applied_after"] is not None:
                self._delayed.append([fault["applied_after"], method, path, copy.deepcopy(json_body), operation])
            raise ConductorOneError("timed out after {0}s".format(self.timeout), operation=operation, timed_out=True)
        try:
            answer = self._handle(method, path, json_body, operation)
        except ConductorOneError as exc:
            self.log.append((method, path, exc.status))
            raise
        self.log.append((method, path, "lost" if kind == "lost" else 200))
        if kind == "lost":
            raise ConductorOneError("connection failed: lost (not retried: the request may have been applied)", operation=operation)
        if kind == "strip":  # applied, then a 2xx answer without its object
            return {}
        return answer

    def _take(self, method, path):
        found = None
        for fault in self.faults:
            if fault["method"] == method and fault["path"].search(path):
                if fault["skip"] > 0:
                    fault["skip"] -= 1
                elif found is None:
                    found = fault
        if found is not None:
            self.faults.remove(found)
        return found

    def _tick(self):
        for entry in list(self._delayed):
            entry[0] -= 1
            if entry[0] < 0:
                self._delayed.remove(entry)
                self._handle(entry[1], entry[2], entry[3], entry[4])

    def _handle(self, method, path, body, operation):
        match = ONE_CLIENT.match(path)
        if path == CLIENTS and method == "GET":
            return {"list": copy.deepcopy(self.live()), "nextPageToken": ""}
        if path == CLIENTS and method == "POST":
            return self._create(body)
        if path == "/api/v1/search/iam/personal_clients" and method == "POST":
            return {"list": copy.deepcopy(self.live()), "nextPageToken": ""}
        if path == "/api/v1/iam/roles" and method == "GET":
            return {"list": copy.deepcopy(self.roles), "nextPageToken": ""}
        if match:
            client = self.clients.get(match.group(1))
            if client is None or client["deletedAt"]:
                raise ConductorOneError("not found", operation=operation, status=404, code=5, request_id="fake-req")
            if method == "GET":
                return {"client": copy.deepcopy(client)}
            if method == "DELETE":
                client["deletedAt"] = "2026-01-01T00:00:00Z"
                return {}
            if method == "POST":
                for field in body["updateMask"].split(","):
                    client[field] = copy.deepcopy(body["client"][field])
                return {"client": copy.deepcopy(client)}
        raise AssertionError("the fake has no {0} {1}".format(method, path))

    def _create(self, body):
        self._created += 1
        cid = "fake-client-{0}".format(self._created)
        client = {"id": cid, "clientId": cid + "@acme.conductor.one/pcc", "userId": "fake-user",
                  "displayName": body.get("displayName"), "allowSourceCidr": list(body.get("allowSourceCidr") or []),
                  "scopedRoles": list(body.get("scopedRoles") or []), "expiresTime": "2030-01-01T00:00:00Z",
                  "createdAt": "2026-01-01T00:00:00Z", "deletedAt": None}
        self.clients[cid] = client
        self.secrets[cid] = "secret-token:conductorone.com:v1:fake-secret-{0}".format(self._created)
        if self.on_create:
            self.on_create(client)
        return {"client": copy.deepcopy(client), "clientSecret": self.secrets[cid]}


# Roles as the API returns them (the unit tests of the role modules share them)
P_LIST = "permission/c1.api.iam.v1.Roles.List"
P_GET = "permission/c1.api.iam.v1.Roles.Get"
AUDITOR = {"id": "2fCjgK8tYJxV9u8d1wupBMeXZ45", "name": "custom:auditor", "displayName": "Auditor",
           "permissions": [P_LIST], "serviceRoles": [], "systemBuiltin": False}


def role_params(**options):
    """Every option of the role module, as AnsibleModule would hand them over."""
    params = dict((name, spec.get("default")) for name, spec in CONNECTION_ARGUMENT_SPEC.items())
    params.update({"id": None, "name": None, "display_name": None, "permissions": None, "service_roles": None,
                   "append": False, "remove_permissions": None, "remove_service_roles": None})
    params.update(options)
    return params


class FakeRoleApi:
    """The parts of IamApi the role logic uses; update_role answers like the server (merge the masked fields)."""

    def __init__(self, roles):
        self.roles = copy.deepcopy(list(roles))
        self.calls = []

    def list_roles(self):
        self.calls.append(("list_roles",))
        return copy.deepcopy(self.roles)

    def get_role(self, role_id):
        self.calls.append(("get_role", role_id))
        return next((copy.deepcopy(role) for role in self.roles if role["id"] == role_id), None)

    def update_role(self, role_id, role, update_mask):
        self.calls.append(("update_role", role_id, copy.deepcopy(role), list(update_mask)))
        stored = next(stored for stored in self.roles if stored["id"] == role_id)
        for field in update_mask:
            stored[field] = copy.deepcopy(role[field])
        stored["updatedAt"] = "2026-01-01T00:00:00Z"
        return copy.deepcopy(stored)

    @property
    def updates(self):
        return [call for call in self.calls if call[0] == "update_role"]
