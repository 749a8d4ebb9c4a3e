# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""A per-user cache of access tokens, so a play exchanges its credential once, not once per task.

Each task runs in its own process, so a token can only be shared through the file system. The cache is kept
as tight as the credential files next to it: a directory of the user's own with mode 0700, one file per
(server, client id, secret) with mode 0600, written atomically, keyed by a hash that reveals neither the
client id nor the secret. Entries are used only until shortly before the token expires and are dropped as
soon as the server refuses the token. Anything unexpected (wrong owner or mode, unreadable file) means the
cache is simply not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process lock, at worst one exchange per concurrent task
    fcntl = None

# Do not hand out a cached token that expires within this many seconds.
MIN_REMAINING_SECONDS = 60
# How long a task waits for another one that is exchanging the same credential.
LOCK_WAIT_SECONDS = 30.0


def default_directory():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "conductorone.iam", "tokens")


def cache_key(server_url, client_id, client_secret):
    secret_digest = hashlib.sha256(client_secret.encode("utf-8")).hexdigest()
    return hashlib.sha256(json.dumps([server_url, client_id, secret_digest]).encode("utf-8")).hexdigest()


class TokenCache:
    def __init__(self, key, directory=None):
        self.directory = directory or default_directory()
        self.path = os.path.join(self.directory, key + ".json")

    def load(self, now=None):
        """A cached, still-valid token, or None."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077 or not self._directory_is_private():
                return None
            with os.fdopen(fd, "r") as handle:
                fd = None
                entry = json.load(handle)
            if entry["expires_at"] - (time.time() if now is None else now) < MIN_REMAINING_SECONDS:
                return None
            return entry["access_token"], float(entry["expires_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        finally:
            if fd is not None:
                os.close(fd)

    def store(self, token, expires_at):
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
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
    def exclusive(self):
        """Hold the credential's lock file while loading or exchanging, so that concurrent tasks (forks > 1)
        wait for the first exchange and reuse its token. Best effort: without the lock, it just runs."""
        fd = None
        if fcntl is not None:
            try:
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
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

    def discard(self):
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _directory_is_private(self):
        try:
            info = os.stat(self.directory)
        except OSError:
            return False
        return info.st_uid == os.getuid() and not stat.S_IMODE(info.st_mode) & 0o077
