# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every unit test is isolated: no connection settings from the environment, its own token cache, no real HTTP.

The fakes (FakeTransport, FakeConductorOne, FakeRunner) are in tests/support/fakes.py.
"""

from __future__ import annotations

import pytest
import requests

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import ENV_FALLBACKS

# Every CONDUCTORONE_* fallback of the connection options, so a new option is isolated too.
CONNECTION_ENV = tuple(ENV_FALLBACKS.values())


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No CONDUCTORONE_* settings, a private token cache (XDG_CACHE_HOME), and any real HTTP request fails."""
    for name in CONNECTION_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def no_network(self, method, url, **kwargs):
        raise AssertionError("unexpected real HTTP request {0} {1}".format(method, url))

    monkeypatch.setattr(requests.Session, "request", no_network)


@pytest.fixture
def private_token_cache(tmp_path):
    """The token cache directory of this test (see isolated)."""
    return tmp_path / "cache" / "conductorone.iam" / "tokens"
