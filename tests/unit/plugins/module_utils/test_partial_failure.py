# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Partial failure (issue 19, finding 2): one item's odd failure never loses another item's secret, a client made
before a failure is returned with its secret, a rotation deletes the old client only once the new secret is
delivered, and a 2xx answer without its object is an error naming the operation."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient, IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PersonalClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_writer import ClientWriter
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import run_resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PERSONAL_CLIENT_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.tests.support.fakes import FakeConductorOne, FakeRunner
from ansible_collections.conductorone.iam.tests.unit.plugins.module_utils.test_api import iam
from ansible_collections.conductorone.iam.tests.unit.plugins.module_utils.test_converge import (
    FakeApi, VIEWER, client, converge, run_roles)

CREATE = r"^/api/v1/iam/personal_clients$"
SHAPED = "secret-token:conductorone.com:v1:looks-like-a-secret"


# --- the API layer: a 2xx answer without its object --------------------------------------------------

@pytest.mark.parametrize("call, operation, field", [
    (lambda api: api.get_role("r1"), "Roles.Get", "role"),
    (lambda api: api.update_role("r1", {"displayName": "x"}, ["displayName"]), "Roles.Update", "role"),
    (lambda api: api.get_personal_client("c1"), "PersonalClientService.Get", "client"),
    (lambda api: api.update_personal_client("c1", {"displayName": "x"}, ["displayName"]),
     "PersonalClientService.Update", "client"),
    (lambda api: api.create_personal_client({"displayName": "x"}), "PersonalClientService.Create", "client"),
])
@pytest.mark.parametrize("answer", [{}, {"other": {}}, [], "text"])
def test_a_2xx_answer_without_its_object_is_an_error_naming_the_operation(call, operation, field, answer):
    api, dummy = iam([answer])
    with pytest.raises(ConductorOneError) as excinfo:
        call(api)
    assert excinfo.value.operation == operation
    assert str(excinfo.value).startswith("{0} failed: the server answered success without the {1!r} object".format(
        operation, field))
    assert excinfo.value.status is None  # unknown outcome: a create reconciles it like a lost response


def test_a_create_answered_without_its_secret_or_id_is_an_error():
    api, dummy = iam([{"client": {"id": "c1"}}, {"client": {"id": "c1"}, "clientSecret": " "},
                      {"client": {"displayName": "x"}, "clientSecret": "s"}])
    for expected in ("without the 'clientSecret' of the client it created (c1)", "'clientSecret'", "has no id"):
        with pytest.raises(ConductorOneError, match=r"^PersonalClientService.Create failed: .*" + re.escape(expected)):
            api.create_personal_client({"displayName": "x"})


@pytest.mark.parametrize("page", [[], {"list": {"id": "x"}}, {"list": ["x"]}])
def test_a_page_that_is_not_a_list_of_objects_is_an_error(page):
    api, dummy = iam([page])
    with pytest.raises(ConductorOneError, match=r"^Roles.List \(GET /api/v1/iam/roles\) failed: .*(not a list of objects|not an object)"):
        api.list_roles()


def test_a_page_without_list_is_empty():
    api, dummy = iam([{"nextPageToken": ""}])
    assert api.list_roles() == []


# --- the single module ------------------------------------------------------------------------------

def module_runner(**params):
    """A FakeRunner (tests/support/fakes.py) holding the module's defaults, a fake server URL and token, and params."""
    values = dict((name, option.get("default")) for name, option in PERSONAL_CLIENT_ARGUMENT_SPEC.items())
    values.update(server_url=FakeConductorOne.base_url, access_token="fake-access-token", token_cache=False)
    values.update(params)
    return FakeRunner(values)


def run_module(server, **params):
    _masking.new_run()
    runner = module_runner(**params)

    class Module(PersonalClient):
        def __init__(self, masking_runner):
            super().__init__(masking_runner, api=IamApi(ApiClient(runner.params, warn=runner.warn, transport=server)))

    run_resource(runner, Module)
    return runner.result, runner


def test_a_create_answered_without_its_object_is_reconciled_like_a_lost_response():
    server = FakeConductorOne()
    server.fault("POST", CREATE, "strip")
    result, runner = run_module(server, display_name="ci")
    assert not result.get("failed"), result
    live = server.live("ci")
    assert [c["id"] for c in live] == [result["personal_client"]["id"]] == ["fake-client-2"]
    assert result["client_secret"] == server.secrets["fake-client-2"]
    assert server.clients["fake-client-1"]["deletedAt"]  # the secret-less one is gone
    assert "fake-client-1" in " ".join(runner.warnings)


def test_an_unexpected_error_after_a_create_returns_the_client_and_its_secret(monkeypatch):
    def explode(self, sent, created):
        raise KeyError("scopedRoles " + SHAPED)
    monkeypatch.setattr(ClientWriter, "_check_scope", explode)
    server = FakeConductorOne()
    result, dummy = run_module(server, display_name="ci")
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("unexpected error (KeyError)") and SHAPED not in result["msg"]
    assert result["personal_client"]["id"] == "fake-client-1"
    assert result["client_secret"] == server.secrets["fake-client-1"]
    assert result["_ansible_no_log"] is True


def test_a_rotation_that_fails_after_its_create_keeps_the_old_client_and_returns_the_new_secret(monkeypatch):
    def explode(self, sent, created):
        raise KeyError("scopedRoles")
    monkeypatch.setattr(ClientWriter, "_check_scope", explode)
    server = FakeConductorOne()
    server.clients["old-1"] = dict(client("old-1", "ci"), userId="fake-user")
    result, dummy = run_module(server, display_name="ci", rotate=True)
    assert result["failed"] is True and result["client_secret"] == server.secrets["fake-client-1"]
    assert [c["id"] for c in server.live("ci")] == ["fake-client-1", "old-1"]
    assert server.requests("DELETE") == []


def test_a_secret_written_to_its_file_is_not_returned_with_a_later_failure(tmp_path, monkeypatch):
    server = FakeConductorOne()
    server.clients["old-1"] = dict(client("old-1", "ci"), userId="fake-user")

    def explode(self, client_id):
        raise RuntimeError("boom")
    monkeypatch.setattr(IamApi, "delete_personal_client", explode)
    path = tmp_path / "ci.json"
    result, dummy = run_module(server, display_name="ci", rotate=True, secret_path=str(path))
    assert result["failed"] is True and "client_secret" not in result
    assert result["personal_client"]["id"] == "fake-client-1"
    assert json.loads(path.read_text())["client_secret"] == server.secrets["fake-client-1"]


# --- the set module -----------------------------------------------------------------------------------

def test_an_item_raising_anything_fails_alone_and_every_new_secret_is_still_returned():
    api = FakeApi([client("b-1", "rotated"), client("c-1", "odd")], fail={("update", "c-1"): KeyError("client")})
    result, dummy = converge(api, [{"display_name": "new"}, {"display_name": "rotated", "rotate": True},
                                   {"display_name": "odd", "allow_source_cidr": ["10.0.0.0/8"]}], parallel=3)
    assert result["failed"] is True and result["summary"]["failed"] == ["odd"]
    assert "clients[2] (odd): unexpected error (KeyError): 'client'" in result["msg"]
    assert sorted(result["secrets"]) == ["new", "rotated"]
    for name, secret in result["secrets"].items():
        assert secret["client_secret"].endswith(secret["id"])
    assert result["_ansible_no_log"] is True
    # the rotation handed its new secret to the result (returned, failed task or not) before deleting the old client
    assert [call[0] for call in api.writes() if call[1] in ("rotated", "b-1")] == ["create", "delete"]
    assert result["results"][1]["rotated_from"] == "b-1" and result["results"][1]["changed"] is True


def test_an_unexpected_item_error_is_masked():
    api = FakeApi(fail={("create", "odd"): RuntimeError("server said " + SHAPED)})
    result, dummy = converge(api, [{"display_name": "odd"}, {"display_name": "fine"}])
    assert SHAPED not in json.dumps(result["results"]) + result["msg"]
    assert "unexpected error (RuntimeError): server said secret-token:" + _masking.MASK in result["msg"]
    assert list(result["secrets"]) == ["fine"]


def test_a_set_rotation_with_secret_path_deletes_the_old_client_even_when_another_item_fails(tmp_path):
    api = FakeApi([client("b-1", "rotated")], fail={("create", "bad"): KeyError("client")})
    path = tmp_path / "rotated.json"
    result, dummy = converge(api, [{"display_name": "rotated", "rotate": True, "secret_path": str(path)},
                                   {"display_name": "bad"}])
    assert result["failed"] is True and ("delete", "b-1") in api.calls and result["secrets"] == {}
    assert json.loads(path.read_text())["id"] == result["results"][0]["id"]


def test_a_rotation_failing_oddly_after_its_create_still_returns_the_new_secret():
    api = FakeApi([client("b-1", "rotated")], fail={("delete", "b-1"): RuntimeError("gone wrong")})
    result, dummy = converge(api, [{"display_name": "rotated", "rotate": True}, {"display_name": "fine"}])
    assert result["failed"] is True and result["summary"]["failed"] == ["rotated"]
    assert "clients[0] (rotated): unexpected error (RuntimeError): gone wrong" in result["msg"]
    new = result["secrets"]["rotated"]
    assert new["id"] != "b-1" and new["client_secret"].endswith(new["id"])
    assert result["results"][0]["id"] == new["id"] and result["results"][0]["changed"] is True
    assert sorted(result["secrets"]) == ["fine", "rotated"]


def test_a_set_item_whose_secret_file_and_cleanup_both_fail_returns_its_secret(tmp_path):
    directory = tmp_path / "gone"
    directory.mkdir()
    api = FakeApi(fail={("delete", "new-client-00001"): ConductorOneError("unavailable", status=503)})
    real_create = api.create_personal_client

    def create_then_lose_the_directory(request):
        answer = real_create(request)
        directory.rmdir()
        return answer
    api.create_personal_client = create_then_lose_the_directory
    result, dummy = converge(api, [{"display_name": "filed", "secret_path": str(directory / "s.json")}])
    assert result["failed"] is True
    assert "its secret is returned in this failed result instead" in result["msg"]
    assert result["secrets"]["filed"]["client_secret"].endswith("new-client-00001")


def test_an_unexpected_planning_error_fails_only_its_item(monkeypatch):
    from ansible_collections.conductorone.iam.plugins.module_utils._resources import personal_client_set as _personal_client_set

    real = _personal_client_set.plan_client

    def plan(desired, current, catalog):
        if desired.display_name == "odd":
            raise TypeError("odd listing entry")
        return real(desired, current, catalog)
    monkeypatch.setattr(_personal_client_set, "plan_client", plan)
    result, dummy = converge(FakeApi(), [{"display_name": "odd"}, {"display_name": "fine"}])
    assert result["summary"]["failed"] == ["odd"] and list(result["secrets"]) == ["fine"]
    assert "unexpected error (TypeError): odd listing entry" in result["msg"]


def test_role_set_an_item_raising_anything_fails_alone():
    auditor = {"id": "r-aud", "name": "custom:auditor", "displayName": "Auditor", "permissions": [], "serviceRoles": []}
    other = {"id": "r-oth", "name": "custom:other", "displayName": "Other", "permissions": [], "serviceRoles": []}
    api = FakeApi(roles=(VIEWER, auditor, other), fail={("update_role", "r-aud"): KeyError("role")})
    result = run_roles(api, [{"name": "custom:auditor", "display_name": "A"}, {"name": "custom:other", "display_name": "O"}])
    assert result["failed"] is True and result["summary"]["failed"] == ["custom:auditor"]
    assert "unexpected error (KeyError): 'role'" in result["msg"]
    assert ("update_role", "r-oth") in api.calls
