# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins with oidc_token and tenant_domain: explicit settings never mix with ambient ones, and the
OIDC token is masked like every other credential."""

from __future__ import annotations

import json

import pytest

from ansible_collections.conductorone.iam.tests.unit.plugins.plugin_utils.test_action import (
    ACCESS_TOKEN, SECRET, Recorder, RecorderAction, run_action)

OIDC = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvaW5mcmEiLCJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJlLWJ5dGVz"
WFE_ID = "clever-fox-42195@acme.conductor.one/wfe"
PCC_ID = "strange-hydra-68836@acme.conductor.one/pcc"


@pytest.fixture(autouse=True)
def no_ambient_federation(monkeypatch):
    for name in ("CONDUCTORONE_OIDC_TOKEN", "CONDUCTORONE_TENANT_DOMAIN"):
        monkeypatch.delenv(name, raising=False)


def test_oidc_token_and_tenant_domain_come_from_the_task_environment():
    run_action(RecorderAction, {"name": "x"}, environment=[{
        "CONDUCTORONE_CLIENT_ID": WFE_ID, "CONDUCTORONE_OIDC_TOKEN": OIDC, "CONDUCTORONE_TENANT_DOMAIN": "acme"}])
    params = Recorder.seen.params
    assert (params["client_id"], params["oidc_token"], params["tenant_domain"]) == (WFE_ID, OIDC, "acme")


def test_explicit_oidc_token_hides_ambient_credentials():
    run_action(RecorderAction, {"name": "x", "client_id": WFE_ID, "oidc_token": OIDC}, environment=[{
        "CONDUCTORONE_CLIENT_SECRET": SECRET, "CONDUCTORONE_ACCESS_TOKEN": ACCESS_TOKEN}])
    params = Recorder.seen.params
    assert params["oidc_token"] == OIDC and params["client_secret"] is None and params["access_token"] is None


def test_explicit_client_secret_hides_an_ambient_oidc_token():
    run_action(RecorderAction, {"name": "x", "client_id": PCC_ID, "client_secret": SECRET},
               environment=[{"CONDUCTORONE_OIDC_TOKEN": OIDC, "CONDUCTORONE_CLIENT_ID": WFE_ID}])
    params = Recorder.seen.params
    assert params["oidc_token"] is None and params["client_id"] == PCC_ID


def test_explicit_tenant_domain_hides_an_ambient_server_url_and_back():
    run_action(RecorderAction, {"name": "x", "tenant_domain": "acme"},
               environment=[{"CONDUCTORONE_SERVER_URL": "https://env.example"}])
    assert Recorder.seen.params["server_url"] is None and Recorder.seen.params["tenant_domain"] == "acme"
    run_action(RecorderAction, {"name": "x", "server_url": "https://arg.example"},
               environment=[{"CONDUCTORONE_TENANT_DOMAIN": "acme"}])
    assert Recorder.seen.params["tenant_domain"] is None and Recorder.seen.params["server_url"] == "https://arg.example"


def test_oidc_token_is_masked_in_results_warnings_and_invocation(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": False, "echo": "got " + OIDC})
    monkeypatch.setattr(Recorder, "warnings", ("exchanging " + OIDC,))
    result, dummy = run_action(RecorderAction, {"name": "x"}, environment=[{"CONDUCTORONE_OIDC_TOKEN": OIDC}])
    assert Recorder.seen.params["oidc_token"] == OIDC
    assert OIDC not in json.dumps(result)
    assert result["invocation"]["module_args"]["oidc_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_oidc_token_is_masked_in_validation_failures():
    result, dummy = run_action(RecorderAction, {"oidc_token": OIDC, "count": OIDC})
    assert result["failed"] is True and OIDC not in json.dumps(result)
