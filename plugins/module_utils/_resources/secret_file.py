# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Writing a new client secret to a file: atomically, readable by the owner only.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from typing import Any, Mapping, Optional, TypedDict

from ansible_collections.conductorone.iam.plugins.module_utils._client.client_id import cutename
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._client.token_cache import unsafe_level, user_name
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import tenant_authority


class SecretFileRecord(TypedDict):
    """Whose secret a secret file holds (see secret_file_record); never the secret."""

    id: str
    tenant: Optional[str]
    user_id: Optional[str]
    display_name: Optional[str]


def check_secret_path(path: str, option: str = "secret_path") -> None:
    """Refuse, before anything is created, a path whose secret could not be written afterwards."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise InputError("{0}: {1} is a directory; give the path of the file to write".format(option, path))
    if not os.path.isdir(directory):
        raise InputError("{0}: the directory {1} does not exist; create it first (mode 0700)".format(option, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError("{0}: the directory {1} is not writable by this user".format(option, directory))
    # The token cache's rule (one implementation): whoever else owns, or may write to, the directory or one above
    # it can rename the secret file away or swap in their own between runs, sticky bit or not.
    problem = unsafe_level(directory)
    if problem is not None:
        raise InputError(_unsafe_message(option, directory, *problem))
    try:
        info = os.lstat(path)
    except OSError:
        return
    if info.st_uid != os.getuid():
        raise InputError("{0}: {1} is owned by {2}, not by you: another user placed it there and could read or "
                         "replace it; remove it (or chown it to yourself), or choose another path".format(
                             option, path, user_name(info.st_uid)))


def _unsafe_message(option: str, directory: str, level: str, info: Optional[os.stat_result], reason: str) -> str:
    where = "the directory {0}".format(directory) if level == directory else \
        "the directory {0} (above {1})".format(level, directory)
    # info is None only when the level cannot be examined ("unreadable")
    if reason == "owner" and info is not None:
        return ("{0}: {1} is owned by {2}, not by you or root, so its owner could replace the secret file; use a "
                "directory you own (mkdir -m 0700), or chown it to yourself".format(option, where, user_name(info.st_uid)))
    if reason == "writable" and info is not None:
        return ("{0}: {1} is writable by other users (mode {2:04o}) and not sticky, so they could replace the secret "
                "file; use a private directory (chmod 0700)".format(option, where, stat.S_IMODE(info.st_mode)))
    return "{0}: {1} cannot be examined, so whether another user could replace the secret file is unknown".format(
        option, where)


def secret_file_record(path: str) -> Optional[SecretFileRecord]:
    """Whose secret an existing secret file holds, or None (no file, or not one of ours).

    A dict of ``id`` (the cutename), ``tenant`` (the tenant host[:port] of its client id, else of its
    ``server_url``; None if neither says), ``user_id`` and ``display_name`` (None when not recorded). Never the secret.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            content = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict):
        return None
    client_id = _text(content.get("client_id")) or ""
    recorded = _text(content.get("id")) or cutename(client_id)
    if not recorded:
        return None
    client_host = client_id.partition("@")[2].partition("/")[0]
    server_url = _text(content.get("server_url"))
    tenant = tenant_authority("https://" + client_host) if client_host else (
        tenant_authority(server_url) if server_url and "://" in server_url else None)
    return {"id": recorded, "tenant": tenant,
            "user_id": _text(content.get("user_id")), "display_name": _text(content.get("display_name"))}


def _text(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def write_secret_file(path: str, content: Mapping[str, Any]) -> None:
    """Write JSON ``content`` to ``path`` with mode 0600 via a temporary file and an atomic rename.

    A crash or error leaves either the old file or the new one, never a partial file.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    fd, temp_path = tempfile.mkstemp(prefix=".conductorone-", suffix=".tmp", dir=directory)  # created 0600
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_path, 0o600)
        os.replace(temp_path, path)
    except BaseException:
        try:
            os.unlink(temp_path)
        except OSError:
            pass
        raise
