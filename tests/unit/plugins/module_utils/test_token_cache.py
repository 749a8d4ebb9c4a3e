# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The per-user access token cache: file and directory modes, expiry, keys, and its use by TokenSource/ApiClient.

tests/unit/conftest.py points XDG_CACHE_HOME at a temporary directory for every test; its fixture
``private_token_cache`` is the tokens directory inside it.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import time

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils import _token_cache
from ansible_collections.conductorone.iam.plugins.module_utils._api import ApiClient
from ansible_collections.conductorone.iam.plugins.module_utils._auth import TokenSource
from ansible_collections.conductorone.iam.plugins.module_utils._errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._token_cache import (
    MIN_REMAINING_SECONDS, TokenCache, cache_key, default_directory)
from ansible_collections.conductorone.iam.tests.support.fakes import FakeTransport

BASE = "https://acme.conductor.one"
CLIENT_ID = "strange-hydra-68836@acme.conductor.one/pcc"
# The keypair of the ConductorOne docs' example secret (API-NOTES section 7.3).
JWK = {"kty": "OKP", "crv": "Ed25519", "x": "C2HLycGzyH_d40r2oz6h6JjvwoEQAgASEW6x0zzhzcc",
       "d": "-83VLWQU-eXPcFBYXCociSoWVhkbtWRosvFTgrjqsUo"}
SECRET = "secret-token:conductorone.com:v1:" + base64.urlsafe_b64encode(
    json.dumps(JWK, separators=(",", ":")).encode("utf-8")).rstrip(b"=").decode("ascii")
KEY = cache_key(BASE, CLIENT_ID, SECRET)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def in_an_hour():
    return time.time() + 3600


def token_source(transport, cache=True, **kwargs):
    options = {"client_id": CLIENT_ID, "client_secret": SECRET}
    options.update(kwargs)
    return TokenSource(transport, BASE, "acme.conductor.one", cache=TokenCache(KEY) if cache else None, **options)


def api_client(transport, **params):
    options = {"client_id": CLIENT_ID, "client_secret": SECRET}
    options.update(params)
    return ApiClient(options, transport=transport)


def files_in(directory):
    """The token files in ``directory`` (a lock file or the like next to them does not count)."""
    if not os.path.isdir(str(directory)):
        return []
    return sorted(name for name in os.listdir(str(directory)) if name.endswith(".json"))


def leftovers_in(directory):
    """Temporary files of an atomic write that were not renamed into place."""
    return [name for name in os.listdir(str(directory)) if name.startswith(".token-")]


# --- the cache on its own ------------------------------------------------------------------------

def test_default_directory_follows_xdg_cache_home(private_token_cache):
    assert default_directory() == str(private_token_cache)


def test_default_directory_without_xdg_cache_home_is_under_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_directory() == str(tmp_path / "home" / ".cache" / "conductorone.iam" / "tokens")


def test_store_then_load_round_trip(private_token_cache):
    expires_at = in_an_hour()
    cache = TokenCache(KEY)
    assert cache.load() is None
    cache.store("token-abc", expires_at)
    assert cache.load() == ("token-abc", expires_at)
    assert files_in(private_token_cache) == [KEY + ".json"]
    with open(cache.path) as handle:
        assert json.load(handle) == {"access_token": "token-abc", "expires_at": expires_at}


def test_store_replaces_the_previous_token(private_token_cache):
    cache = TokenCache(KEY)
    cache.store("old", in_an_hour())
    cache.store("new", in_an_hour())
    assert cache.load()[0] == "new"
    assert files_in(private_token_cache) == [KEY + ".json"]
    assert leftovers_in(private_token_cache) == []


def test_file_is_0600_and_directory_0700_whatever_the_umask(private_token_cache):
    previous = os.umask(0o000)
    try:
        TokenCache(KEY).store("token-abc", in_an_hour())
    finally:
        os.umask(previous)
    assert mode(private_token_cache) == 0o700
    assert mode(private_token_cache / (KEY + ".json")) == 0o600


def test_explicit_directory_is_used(tmp_path):
    directory = tmp_path / "elsewhere"
    cache = TokenCache(KEY, directory=str(directory))
    cache.store("t", in_an_hour())
    assert cache.path == str(directory / (KEY + ".json"))
    assert TokenCache(KEY, directory=str(directory)).load()[0] == "t"


@pytest.mark.parametrize("remaining, usable", [
    (-3600, False),                         # long expired
    (-1, False),                            # just expired
    (0, False),
    (MIN_REMAINING_SECONDS - 1, False),     # inside the margin: would expire during the task
    (MIN_REMAINING_SECONDS, True),          # exactly the margin left
    (MIN_REMAINING_SECONDS + 1, True),
    (3600, True),
])
def test_expired_or_nearly_expired_entries_are_ignored(remaining, usable):
    now = 1760000000.0
    cache = TokenCache(KEY)
    cache.store("t", now + remaining)
    assert (cache.load(now=now) is not None) is usable


def test_nearly_expired_entry_is_ignored_against_the_real_clock():
    cache = TokenCache(KEY)
    cache.store("t", time.time() + MIN_REMAINING_SECONDS / 2)
    assert cache.load() is None


@pytest.mark.parametrize("file_mode", [0o640, 0o604, 0o660, 0o644, 0o666, 0o610])
def test_file_with_group_or_world_bits_is_ignored(file_mode):
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    os.chmod(cache.path, file_mode)
    assert cache.load() is None


@pytest.mark.parametrize("dir_mode", [0o750, 0o705, 0o755, 0o777, 0o710])
def test_directory_with_loose_mode_is_ignored(private_token_cache, dir_mode):
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    os.chmod(str(private_token_cache), dir_mode)
    try:
        assert cache.load() is None
    finally:
        os.chmod(str(private_token_cache), 0o700)


def test_nothing_is_written_into_a_directory_with_loose_mode(private_token_cache):
    os.makedirs(str(private_token_cache))
    os.chmod(str(private_token_cache), 0o755)
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    assert files_in(private_token_cache) == []
    assert mode(private_token_cache) == 0o755  # the cache does not "repair" a directory it did not make


def test_file_owned_by_someone_else_is_ignored(monkeypatch):
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    real_uid = os.getuid()
    monkeypatch.setattr(_token_cache.os, "getuid", lambda: real_uid + 4242)
    assert cache.load() is None


def test_symlinked_cache_file_is_not_followed(private_token_cache, tmp_path):
    other = TokenCache("other-key", directory=str(tmp_path / "other"))
    other.store("planted", in_an_hour())
    os.makedirs(str(private_token_cache), mode=0o700)
    os.symlink(other.path, str(private_token_cache / (KEY + ".json")))
    assert TokenCache(KEY).load() is None


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"access_token": "t"}', '{"expires_at": 9999999999}',
                                     '{"access_token": "t", "expires_at": "soon"}'])
def test_unreadable_or_malformed_entries_are_ignored(private_token_cache, content):
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    with open(cache.path, "w") as handle:
        handle.write(content)
    assert cache.load() is None


def test_discard_removes_the_file_and_tolerates_its_absence(private_token_cache):
    cache = TokenCache(KEY)
    cache.store("t", in_an_hour())
    cache.discard()
    assert files_in(private_token_cache) == []
    assert cache.load() is None
    cache.discard()  # nothing to remove: no error


def test_store_never_fails_the_task(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = TokenCache(KEY, directory=str(blocker / "tokens"))
    cache.store("t", in_an_hour())  # cannot create the directory: silently not cached
    assert cache.load() is None


def test_key_reveals_neither_client_id_nor_secret():
    key = cache_key(BASE, CLIENT_ID, SECRET)
    assert len(key) == 64 and all(char in "0123456789abcdef" for char in key)
    for part in (CLIENT_ID, "strange-hydra-68836", SECRET, SECRET.rsplit(":", 1)[1], JWK["d"], JWK["x"]):
        assert part not in key


def test_key_differs_per_server_client_and_secret():
    other_secret = SECRET[:-2] + ("AA" if not SECRET.endswith("AA") else "BB")
    keys = set([
        cache_key(BASE, CLIENT_ID, SECRET),
        cache_key("https://other.conductor.one", CLIENT_ID, SECRET),
        cache_key(BASE, "blue-whale-12345@acme.conductor.one/pcc", SECRET),
        cache_key(BASE, CLIENT_ID, other_secret),
    ])
    assert len(keys) == 4
    assert cache_key(BASE, CLIENT_ID, SECRET) == KEY  # stable


def test_cache_file_content_holds_no_credential(private_token_cache):
    TokenSource(FakeTransport(), BASE, "acme.conductor.one", client_id=CLIENT_ID, client_secret=SECRET,
                cache=TokenCache(KEY)).token()
    (name,) = files_in(private_token_cache)
    with open(str(private_token_cache / name)) as handle:
        text = handle.read()
    for part in (CLIENT_ID, "strange-hydra-68836", SECRET, JWK["d"]):
        assert part not in text + name


# --- TokenSource with the cache -------------------------------------------------------------------

def test_second_token_source_with_the_same_credentials_makes_no_exchange():
    first = FakeTransport()
    assert token_source(first).token() == "token-1"
    assert len(first.token_calls) == 1
    second = FakeTransport()
    assert token_source(second).token() == "token-1"
    assert second.calls == []


def test_token_source_exchanges_when_the_cached_token_is_near_expiry():
    TokenCache(KEY).store("stale", time.time() + MIN_REMAINING_SECONDS - 5)
    transport = FakeTransport()
    assert token_source(transport).token() == "token-1"
    assert len(transport.token_calls) == 1
    assert TokenCache(KEY).load()[0] == "token-1"


def test_token_source_ignores_entries_of_other_credentials():
    TokenCache(cache_key(BASE, "blue-whale-12345@acme.conductor.one/pcc", SECRET)).store("someone-elses", in_an_hour())
    transport = FakeTransport()
    assert token_source(transport).token() == "token-1"


def test_invalidate_discards_the_cache_file(private_token_cache):
    source = token_source(FakeTransport())
    source.token()
    assert files_in(private_token_cache) == [KEY + ".json"]
    assert source.invalidate() is True
    assert files_in(private_token_cache) == []


def test_after_invalidate_the_next_token_is_exchanged_and_cached_again():
    transport = FakeTransport()
    source = token_source(transport)
    assert source.token() == "token-1"
    source.invalidate()
    assert source.token() == "token-2"
    assert TokenCache(KEY).load()[0] == "token-2"
    assert len(transport.token_calls) == 2


def test_static_access_token_is_never_cached(private_token_cache):
    transport = FakeTransport()
    source = TokenSource(transport, BASE, "acme.conductor.one", access_token="static", cache=TokenCache(KEY))
    assert source.token() == "static"
    assert files_in(private_token_cache) == []


def test_a_token_lifetime_below_the_margin_is_not_reused_across_processes():
    """A token that cannot outlive the margin is exchanged anew by every task (and so never served stale)."""
    first = FakeTransport(expires_in=MIN_REMAINING_SECONDS // 2)
    token_source(first).token()
    second = FakeTransport(expires_in=MIN_REMAINING_SECONDS // 2)
    assert token_source(second).token() == "token-1"
    assert len(second.token_calls) == 1


# --- ApiClient: the token_cache option ----------------------------------------------------------

def test_api_client_caches_by_default(private_token_cache):
    first = FakeTransport([{}])
    api_client(first).call("GET", "/x", "X")
    second = FakeTransport([{}])
    api_client(second).call("GET", "/x", "X")
    assert len(first.token_calls) == 1
    assert second.token_calls == []
    assert second.bearers == ["Bearer token-1"]
    assert files_in(private_token_cache) == [KEY + ".json"]
    assert mode(private_token_cache / (KEY + ".json")) == 0o600


def test_token_cache_false_writes_nothing_and_exchanges_every_time(private_token_cache):
    for dummy in range(2):
        transport = FakeTransport([{}])
        api_client(transport, token_cache=False).call("GET", "/x", "X")
        assert len(transport.token_calls) == 1
    assert not os.path.exists(str(private_token_cache))


def test_token_cache_false_does_not_read_an_existing_entry(private_token_cache):
    TokenCache(KEY).store("cached", in_an_hour())
    transport = FakeTransport([{}])
    api_client(transport, token_cache=False).call("GET", "/x", "X")
    assert transport.bearers == ["Bearer token-1"]
    assert TokenCache(KEY).load()[0] == "cached"  # left alone


def test_access_token_alone_writes_no_cache(private_token_cache):
    transport = FakeTransport([{}])
    ApiClient({"access_token": "static", "server_url": BASE}, transport=transport).call("GET", "/x", "X")
    assert transport.bearers == ["Bearer static"]
    assert not os.path.exists(str(private_token_cache))


def test_api_client_key_uses_the_server_url_it_talks_to(private_token_cache):
    api_client(FakeTransport([{}]), server_url="https://127.0.0.1:8443/").call("GET", "/x", "X")
    assert files_in(private_token_cache) == [cache_key("https://127.0.0.1:8443", CLIENT_ID, SECRET) + ".json"]


def test_refused_cached_token_is_discarded_and_replaced_with_one_exchange():
    TokenCache(KEY).store("revoked", in_an_hour())
    transport = FakeTransport([ConductorOneError("unauthenticated", operation="X", status=401, code=16), {"ok": True}])
    assert api_client(transport).call("GET", "/x", "X") == {"ok": True}
    assert transport.bearers == ["Bearer revoked", "Bearer token-1"]
    assert len(transport.token_calls) == 1
    assert TokenCache(KEY).load()[0] == "token-1"


def test_cached_token_refused_twice_fails_and_replaces_the_revoked_entry():
    TokenCache(KEY).store("revoked", in_an_hour())
    unauthenticated = [ConductorOneError("unauthenticated", operation="X", status=401, code=16) for dummy in range(2)]
    transport = FakeTransport(unauthenticated)
    with pytest.raises(ConductorOneError) as excinfo:
        api_client(transport).call("GET", "/x", "X")
    assert excinfo.value.status == 401
    assert transport.bearers == ["Bearer revoked", "Bearer token-1"]
    assert len(transport.token_calls) == 1
    # The fresh token was stored before the server refused it too: the revoked one is gone, the fresh one stays
    # (the next task pays at worst one more 401 + exchange).
    assert TokenCache(KEY).load()[0] == "token-1"


# --- with the proposed fixes (one 60 s margin for cached tokens; a lock between concurrent tasks) -------

def test_cache_keeps_the_server_expiry_so_a_70_s_token_is_shared_for_10_s():
    TokenSource(FakeTransport(expires_in=70), BASE, "acme.conductor.one", client_id=CLIENT_ID, client_secret=SECRET,
                cache=TokenCache(KEY)).token()
    second = FakeTransport(expires_in=70)
    assert token_source(second).token() == "token-1"
    assert second.calls == []


def test_concurrent_token_sources_make_one_exchange():
    import threading

    class SlowTransport(FakeTransport):
        def send(self, *args, **kwargs):
            time.sleep(0.3)
            return FakeTransport.send(self, *args, **kwargs)

    transports = [SlowTransport() for dummy in range(4)]
    tokens = []
    threads = [threading.Thread(target=lambda t=t: tokens.append(token_source(t).token())) for t in transports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(t.token_calls) for t in transports) == 1
    assert tokens == ["token-1"] * 4
