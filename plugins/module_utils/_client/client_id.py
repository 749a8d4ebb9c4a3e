# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""ConductorOne client ids (``<name>@<tenant host>/<use case>``): the one place that takes them apart
(``parse_client_id``, ``tenant_host``, ``cutename``).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import has_control


def cutename(ref: str) -> str:
    """``blue-whale-12345`` from either the id or the OAuth client id ``blue-whale-12345@host/pcc``."""
    return ref.split("@", 1)[0].strip()


def parse_client_id(client_id: object) -> tuple[str, str, str]:
    """Split ``<name>@<host>/<use-case>`` into its parts; the host may carry a port.

    A malformed value is never echoed: it may be a secret given in the wrong option. At most its name part
    (the cutename) is shown.
    """
    if not isinstance(client_id, str):
        raise InputError("client_id must be a string such as blue-whale-12345@acme.conductor.one/pcc")
    if "secret-token:" in client_id:
        raise InputError("client_id looks like a client secret (it contains 'secret-token:'): client_id and "
                         "client_secret may be swapped; client_id has the form <name>@<tenant host>/pcc")
    client_id = client_id.strip()
    name, at, rest = client_id.partition("@")
    host, slash, use_case = rest.partition("/")
    if not (at and slash and name and host and use_case) or "/" in use_case or "@" in rest or has_control(client_id) \
            or "\\" in client_id or "/" in name:
        shown = " (name part {0!r})".format(name) if at and name and not has_control(name) and len(name) <= 64 else ""
        raise InputError(
            "client_id is not a ConductorOne client id{0}: expected <name>@<tenant host>/pcc, "
            "e.g. blue-whale-12345@acme.conductor.one/pcc".format(shown))
    return name, host.lower(), use_case


def tenant_host(client_id: str | None) -> str | None:
    """The tenant host[:port] of a client id (lower case), or None without one."""
    return parse_client_id(client_id)[1] if client_id else None
