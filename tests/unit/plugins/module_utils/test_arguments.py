# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared connection options."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._client import arguments as _arguments


def test_secrets_are_no_log():
    spec = _arguments.CONNECTION_ARGUMENT_SPEC
    assert spec["client_secret"]["no_log"] is True
    assert spec["access_token"]["no_log"] is True
    assert spec["oidc_token"]["no_log"] is True
    assert not spec["tenant_domain"].get("no_log")
    assert not spec["client_id"].get("no_log")


def test_env_fallbacks_use_conductorone_names():
    # ConductorOne's own names (CONDUCTORONE_ + the option), never ANSIBLE_* (AWX refuses to inject those)
    assert sorted(_arguments.ENV_FALLBACKS) == sorted([
        "client_id", "client_secret", "access_token", "oidc_token", "server_url", "tenant_domain", "ca_path",
        "token_cache", "allow_plain_http"])
    for option, variable in _arguments.ENV_FALLBACKS.items():
        assert variable == "CONDUCTORONE_" + option.upper()
    for spec in _arguments.CONNECTION_ARGUMENT_SPEC.values():
        assert "fallback" not in spec  # one implementation of the fallbacks: apply_env_fallbacks


def test_argument_spec_merges_and_copies():
    spec = _arguments.argument_spec(id={"type": "str"})
    assert set(spec) == set(_arguments.CONNECTION_ARGUMENT_SPEC) | {"id"}
    spec["timeout"]["default"] = 1.0
    assert _arguments.CONNECTION_ARGUMENT_SPEC["timeout"]["default"] == 30.0
    assert _arguments.argument_spec()["retries"] == {"type": "int", "default": 4}
