# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""A personal client's secret file: what it holds, and whose file ``secret_path`` may overwrite (the ownership policy).

The file itself (checks of the path, the atomic 0600 write, reading back whose secret it holds) is
``secret_file``'s; this module decides, for a new client, whether the existing file may be replaced.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import tenant_authority
from ansible_collections.conductorone.iam.plugins.module_utils._resources.secret_file import secret_file_record, write_secret_file

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import PersonalClientLookup


def refuse_secret_path_of_another_client(path: Optional[str], template: Optional[Mapping[str, Any]],
                                         request: Mapping[str, Any], server_url: str,
                                         lookup: PersonalClientLookup) -> None:
    """Before any create: refuse a secret_path whose file holds a secret someone may still need.

    Overwritten: the file of the client being rotated (``template``), and a stale file (its client gone) of this
    tenant whose owner is this caller (recorded user id), or, when either user id is unknown, of a client created
    under the same display name (a previous run of this declared client). Refused: a client of another tenant (its
    host is not this endpoint's; this run cannot see whether it is gone), a client that is still live, and one of
    another user or of unknown owner.
    """
    record = secret_file_record(path) if path else None
    if path is None or record is None or (template and record["id"] == template.get("id")):
        return
    tenant = tenant_authority(server_url)
    if record["tenant"] and record["tenant"] != tenant:
        raise _held_by(path, record, "a client of another tenant ({0}), whose secret may still be in use".format(
            record["tenant"]))
    if lookup.by_id(record["id"]) is not None:
        raise _held_by(path, record, "another personal client, which still exists")
    caller = (template or {}).get("userId") or lookup.user_id
    if record["user_id"] and caller:
        if record["user_id"] != caller:
            raise _held_by(path, record, "a client of another user")
        return
    if record["display_name"] is None or record["display_name"] != request.get("displayName"):
        raise _held_by(path, record, "a client that is none of your live clients, was not created as {0!r} and "
                                     "records no owner this run can compare, so whose it is and whether it is gone "
                                     "cannot be told".format(request.get("displayName")))


def _held_by(path: str, record: Mapping[str, Any], whose: str) -> InputError:
    """The refusal of a secret_path whose file holds another client's secret (named by its cutename only)."""
    return InputError("secret_path: {0} holds the secret of {1} ({2}); writing this client's secret there would lose "
                      "it. Use another secret_path, or remove {0} if {2} is gone".format(path, whose, record["id"]))


def store_client_secret(path: str, client: Mapping[str, Any], secret: str, server_url: str) -> None:
    """Write a new client's secret file: its secret with what tells whose it is (id, tenant, owner, display name)."""
    write_secret_file(path, {
        "id": client.get("id"),
        "client_id": client.get("clientId"),
        "client_secret": secret,
        "server_url": server_url,
        "display_name": client.get("displayName"),
        "user_id": client.get("userId"),
        "expires_time": client.get("expiresTime"),
        "created_at": client.get("createdAt"),
    })
