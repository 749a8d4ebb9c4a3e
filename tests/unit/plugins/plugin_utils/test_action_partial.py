# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins' failure path keeps what a failed run made: the new secrets of a set, and the client and
secret a failure carries (issue 19, finding 2)."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.tests.unit.plugins.plugin_utils.test_action import (Recorder, RecorderAction,
                                                                                              run_action)

NEW_SECRET = "secret-token:conductorone.com:v1:brand-new"


def test_a_failed_set_result_keeps_its_secrets(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": True, "failed": True, "msg": "1 of 2 items failed: x",
                                              "secrets": {"ci": {"id": "c1", "client_secret": NEW_SECRET}}})
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["failed"] is True and result["msg"] == "1 of 2 items failed: x"
    assert result["secrets"]["ci"]["client_secret"] == NEW_SECRET
    assert result["_ansible_no_log"] is True


def test_a_failure_carrying_a_partial_result_returns_the_client_and_its_secret(monkeypatch):
    error = ConductorOneError("could not write", operation="secret_path")
    error.partial_result = {"changed": True, "personal_client": {"id": "c1"}, "client_secret": NEW_SECRET}
    monkeypatch.setattr(Recorder, "error", error)
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["failed"] is True and result["msg"] == "secret_path failed: could not write"
    assert result["changed"] is True and result["personal_client"] == {"id": "c1"}
    assert result["client_secret"] == NEW_SECRET and result["_ansible_no_log"] is True
    assert result["api_error"]["operation"] == "secret_path"


def test_an_unexpected_error_carrying_a_partial_result_returns_it_masked_message_and_all(monkeypatch):
    error = KeyError("client " + "secret-token:conductorone.com:v1:in-the-message")
    error.partial_result = {"changed": True, "personal_client": {"id": "c1"}, "client_secret": NEW_SECRET}
    monkeypatch.setattr(Recorder, "error", error)
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["msg"].startswith("unexpected error (KeyError)") and "in-the-message" not in result["msg"]
    assert result["client_secret"] == NEW_SECRET
