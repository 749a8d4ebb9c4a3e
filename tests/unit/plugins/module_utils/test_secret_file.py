# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secret files: checked before anything is created, written atomically with mode 0600."""

from __future__ import annotations

import errno
import json
import re
import os
import stat
import tempfile

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._resources import secret_file as _secret_file
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.secret_file import check_secret_path, write_secret_file

CONTENT = {"id": "c1", "client_secret": "secret-token:conductorone.com:v1:unit-test-value"}


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def leftovers(directory):
    return [name for name in os.listdir(str(directory)) if name.startswith(".conductorone-")]


@pytest.fixture
def open_umask():
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_written_file_is_0600_even_with_an_open_umask(tmp_path, open_umask):
    path = tmp_path / "secret.json"
    write_secret_file(str(path), CONTENT)
    assert json.loads(path.read_text()) == CONTENT
    assert mode(path) == 0o600
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_and_loses_its_wider_mode(tmp_path):
    path = tmp_path / "secret.json"
    path.write_text("old")
    os.chmod(str(path), 0o644)
    write_secret_file(str(path), CONTENT)
    assert json.loads(path.read_text()) == CONTENT
    assert mode(path) == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "secret.json"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_secret_file(str(path), {"not json": object()})
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(_secret_file.os, "replace", refuse)
    with pytest.raises(OSError, match="disk on fire"):
        write_secret_file(str(tmp_path / "secret.json"), CONTENT)
    assert os.listdir(str(tmp_path)) == []


def test_check_accepts_a_new_file_in_a_writable_directory(tmp_path):
    check_secret_path(str(tmp_path / "new.json"))


def test_check_refuses_a_directory(tmp_path):
    with pytest.raises(InputError, match=r"^secret_path: .* is a directory; give the path of the file to write$"):
        check_secret_path(str(tmp_path))


def test_check_refuses_a_missing_directory(tmp_path):
    with pytest.raises(InputError, match=r"^secret_path: the directory .*/missing does not exist"):
        check_secret_path(str(tmp_path / "missing" / "secret.json"))


def test_check_names_the_option_it_is_given(tmp_path):
    with pytest.raises(InputError, match=r"^other_path: "):
        check_secret_path(str(tmp_path), option="other_path")


def test_check_refuses_a_directory_this_user_cannot_write(tmp_path, monkeypatch):
    # os.access is the check itself; as root every directory is writable, so the refusal is simulated there.
    monkeypatch.setattr(_secret_file.os, "access", lambda path, flags: False)
    with pytest.raises(InputError, match=r"^secret_path: the directory .* is not writable by this user$"):
        check_secret_path(str(tmp_path / "secret.json"))


# --- the temporary file lives beside the target: a rename never crosses file systems ------------------------------

def test_the_write_works_when_the_system_temp_directory_is_unusable(tmp_path, monkeypatch):
    # $TMPDIR pointing nowhere (or to a full / read-only file system) must not matter: nothing is written there.
    nowhere = tmp_path / "no-such-tmp"
    monkeypatch.setenv("TMPDIR", str(nowhere))
    monkeypatch.setattr(tempfile, "tempdir", str(nowhere))
    target = tmp_path / "secrets" / "ci.json"
    target.parent.mkdir()
    write_secret_file(str(target), CONTENT)
    assert json.loads(target.read_text()) == CONTENT and mode(target) == 0o600
    assert leftovers(target.parent) == [] and not nowhere.exists()


def test_the_write_works_when_the_temp_directory_is_another_file_system(tmp_path, monkeypatch):
    # As on a host where /tmp is a tmpfs and the secrets live on disk: a rename between two directories fails
    # with EXDEV. The temp directory exists and is writable here, so only where the temp file is created decides.
    elsewhere = tmp_path / "tmpfs"
    elsewhere.mkdir()
    monkeypatch.setenv("TMPDIR", str(elsewhere))
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    real_replace, renamed = os.replace, []

    def replace_on_one_file_system(src, dst):
        renamed.append((os.path.dirname(os.path.abspath(src)), os.path.dirname(os.path.abspath(dst))))
        if renamed[-1][0] != renamed[-1][1]:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(_secret_file.os, "replace", replace_on_one_file_system)
    target = tmp_path / "secrets" / "ci.json"
    target.parent.mkdir()
    write_secret_file(str(target), CONTENT)
    assert json.loads(target.read_text()) == CONTENT and mode(target) == 0o600
    assert renamed == [(str(target.parent), str(target.parent))]
    assert os.listdir(str(elsewhere)) == [] and leftovers(target.parent) == []


# --- ownership: the token cache's rule (issue 19, finding 4) ---------------------------------------------

OTHER_UID = 65534


@pytest.fixture
def another_user(monkeypatch):
    """Make ``chown(path)`` leave ``path`` owned by someone other than the running user: as root, a real chown to
    uid 65534; otherwise the running user appears under another uid (every real owner is then someone else)."""
    if os.getuid() == 0:
        return lambda path: os.chown(str(path), OTHER_UID, -1)
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)
    return lambda path: None


def test_check_refuses_a_sticky_world_writable_directory_owned_by_another_user(tmp_path, another_user):
    directory = tmp_path / "shared"
    directory.mkdir()
    os.chmod(str(directory), 0o1777)
    another_user(directory)
    with pytest.raises(InputError, match=r"^secret_path: the directory {0} is owned by .*uid \d+\), not by you "
                                         r"or root, so its owner could replace the secret file; use a directory you "
                                         r"own \(mkdir -m 0700\), or chown it to yourself$".format(re.escape(str(directory)))):
        check_secret_path(str(directory / "s.json"))


def test_check_refuses_a_directory_below_one_owned_by_another_user(tmp_path):
    if os.getuid() != 0:
        pytest.skip("giving a directory to another user needs root")
    above = tmp_path / "theirs"
    (above / "mine").mkdir(parents=True)
    os.chown(str(above), OTHER_UID, -1)
    with pytest.raises(InputError, match=r"^secret_path: the directory .* \(above .*\) is owned by "):
        check_secret_path(str(above / "mine" / "s.json"))


def test_check_refuses_a_file_owned_by_another_user(tmp_path):
    if os.getuid() != 0:
        pytest.skip("placing a file of another user needs root")
    path = tmp_path / "s.json"
    path.write_text("{}")
    os.chown(str(path), OTHER_UID, -1)
    with pytest.raises(InputError, match=r"^secret_path: {0} is owned by .*uid 65534\), not by you: another user placed "
                                         r"it there".format(re.escape(str(path)))):
        check_secret_path(str(path))


def test_check_refuses_a_world_writable_directory_above_the_secret_directory(tmp_path):
    above = tmp_path / "open"
    (above / "mine").mkdir(parents=True)
    os.chmod(str(above), 0o777)
    with pytest.raises(InputError, match=r"^secret_path: the directory .*open \(above .*mine\) is writable by other users "
                                         r"\(mode 0777\) and not sticky"):
        check_secret_path(str(above / "mine" / "s.json"))


def test_check_accepts_a_sticky_directory_of_root_or_of_this_user(tmp_path):
    directory = tmp_path / "sticky"
    directory.mkdir()
    os.chmod(str(directory), 0o1777)
    check_secret_path(str(directory / "s.json"))
    (directory / "s.json").write_text("{}")  # an existing file of this user
    check_secret_path(str(directory / "s.json"))
