# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""A per-user cache of access tokens, so a play exchanges its credential once, not once per task.

Each task runs in its own process, so a token can only be shared through the file system. The cache is kept
as tight as the credential files next to it: a directory of the user's own with mode 0700, one file per
(server, client id, secret) with mode 0600, written atomically, keyed by a hash that reveals neither the
client id nor the secret. Entries are used only until shortly before the token expires and are dropped as
soon as the server refuses the token. Anything unexpected (wrong owner or mode of the file or of any
directory above it, an unreadable file, an entry that is not a non-empty string token with a finite expiry)
means the cache is simply not used. The key includes the TLS settings, so a token obtained with
``validate_certs: false`` is never reused by a run that verifies certificates.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import stat
import tempfile
import time
from typing import Iterator, Optional, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._client.auth import bearer_token_ok

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process lock, at worst one exchange per concurrent task
    fcntl = None  # type: ignore[assignment]
try:
    import pwd
except ImportError:  # not POSIX: owners are named by uid
    pwd = None  # type: ignore[assignment]

# Do not hand out a cached token that expires within this many seconds.
MIN_REMAINING_SECONDS = 60
# How long a task waits for another one that is exchanging the same credential.
LOCK_WAIT_SECONDS = 30.0

# A usable cache entry: (access token, the server's expiry as a Unix time).
CachedToken = Tuple[str, float]
# Where the path to a directory is unsafe: (path, its os.stat or None when unreadable, reason).
UnsafeLevel = Tuple[str, Optional[os.stat_result], str]


def default_directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "conductorone.iam", "tokens")


def cache_key(server_url: str, client_id: str, client_secret: str,
              tls: tuple[bool, str | None] = (True, None)) -> str:
    """``tls`` is (validate_certs, ca_path): a token got over unverified TLS is not one to trust later."""
    secret_digest = hashlib.sha256(client_secret.encode("utf-8")).hexdigest()
    parts = [server_url, client_id, secret_digest, list(tls)]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def valid_entry(entry: object, now: float) -> CachedToken | None:
    """(token, expires_at) of a cache entry that is usable now, else None: never an exception."""
    if not isinstance(entry, dict):
        return None
    token, expires_at = entry.get("access_token"), entry.get("expires_at")
    if not isinstance(token, str) or not token.strip() or token != token.strip() or not bearer_token_ok(token):
        return None
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)) or not math.isfinite(expires_at):
        return None
    if expires_at - now < MIN_REMAINING_SECONDS:
        return None
    return token, float(expires_at)


def make_private_directories(directory: str) -> None:
    """Create the missing levels of ``directory``, each 0700 whatever the umask (os.makedirs would leave the
    intermediate ones 0777 under umask 000, which directory_is_safe then rightly refuses)."""
    missing = []
    path = os.path.abspath(directory)
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # a concurrent task made it; directory_is_safe judges it
        os.chmod(path, 0o700)


def directory_is_safe(directory: str, uid: int | None = None) -> bool:
    """The directory and every one above it: owned by this user or root, and not writable by others unless
    sticky (like /tmp), so nobody else can swap a file or directory on the path. The last level must be private."""
    return unsafe_level(directory, uid, private=True) is None


def unsafe_level(directory: str, uid: int | None = None, private: bool = False) -> UnsafeLevel | None:
    """The first level of ``directory`` (itself, then each one above) where another user could swap what it holds:
    ``(path, os.stat of it or None, reason)``, else None. The one rule for the token cache and secret files.

    Every level must be owned by this user or root (``reason`` ``"owner"``) and not writable by others unless sticky
    (``"writable"``). With ``private`` the directory itself must also be this user's own and closed to others
    (``"private"``). A level that cannot be examined is ``"unreadable"``.
    """
    uid = os.getuid() if uid is None else uid
    path = os.path.abspath(directory)
    first = True
    while True:
        try:
            info = os.stat(path)
        except OSError:
            return path, None, "unreadable"
        if first and private and (info.st_uid != uid or stat.S_IMODE(info.st_mode) & 0o077):
            return path, info, "private"
        if info.st_uid not in (uid, 0):
            return path, info, "owner"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
            return path, info, "writable"
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path, first = parent, False


def user_name(uid: int) -> str:
    """``name (uid N)`` for messages; the bare uid when the account is unknown."""
    try:
        return "{0} (uid {1})".format(pwd.getpwuid(uid).pw_name, uid)
    except (AttributeError, KeyError):  # no pwd module, or no such account
        return "uid {0}".format(uid)


class TokenCache:
    def __init__(self, key: str, directory: str | None = None) -> None:
        self.directory = directory or default_directory()
        self.path = os.path.join(self.directory, key + ".json")

    def load(self, now: float | None = None) -> CachedToken | None:
        """A cached, still-valid token, or None."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        unowned: int | None = fd  # closed here unless the file object took it over
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077 or not self._directory_is_private():
                return None
            with os.fdopen(fd, "r") as handle:
                unowned = None
                entry = json.load(handle)
            return valid_entry(entry, time.time() if now is None else now)
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        finally:
            if unowned is not None:
                os.close(unowned)

    def store(self, token: str, expires_at: float) -> None:
        try:
            make_private_directories(self.directory)
            if not self._directory_is_private():
                return
            fd, temp_path = tempfile.mkstemp(prefix=".token-", dir=self.directory)  # created 0600
            try:
                with os.fdopen(fd, "w") as handle:
                    json.dump({"access_token": token, "expires_at": expires_at}, handle)
                os.replace(temp_path, self.path)
            except BaseException:
                os.unlink(temp_path)
                raise
        except OSError:
            pass  # caching is an optimisation; never fail a task over it

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the credential's lock file while loading or exchanging, so that concurrent tasks (forks > 1)
        wait for the first exchange and reuse its token. Best effort: without the lock, it just runs."""
        fd = None
        if fcntl is not None:
            try:
                make_private_directories(self.directory)
                if self._directory_is_private():
                    fd = os.open(self.path[:-len(".json")] + ".lock",
                                 os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    deadline = time.time() + LOCK_WAIT_SECONDS
                    while True:
                        try:
                            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                            break
                        except OSError:
                            if time.time() >= deadline:
                                break  # go on without the lock
                            time.sleep(0.05)
            except OSError:
                pass
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the lock

    def discard(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _directory_is_private(self) -> bool:
        return directory_is_safe(self.directory)
