# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ApiClient and IamApi over a fake transport: re-auth on 401, pagination, 404 handling, request bodies."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._api import ApiClient, IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.tests.support.fakes import FakeTransport

CLIENT_ID = "strange-hydra-68836@acme.conductor.one/pcc"
JWK = {"kty": "OKP", "crv": "Ed25519", "x": "C2HLycGzyH_d40r2oz6h6JjvwoEQAgASEW6x0zzhzcc",
       "d": "-83VLWQU-eXPcFBYXCociSoWVhkbtWRosvFTgrjqsUo"}
SECRET = "secret-token:conductorone.com:v1:" + base64.urlsafe_b64encode(
    json.dumps(JWK, separators=(",", ":")).encode("utf-8")).rstrip(b"=").decode("ascii")
BASE = "https://acme.conductor.one"
TOKEN_URL = BASE + "/auth/v1/token"
CREDENTIAL_HINT = "the credential was refused"


def api_error(status, code=None, message="error"):
    return ConductorOneError(message, operation="op", status=status, code=code)


def client(outcomes=(), **params):
    options = {"client_id": CLIENT_ID, "client_secret": SECRET}
    options.update(params)
    transport = FakeTransport(outcomes)
    return ApiClient(options, transport=transport), transport


def iam(outcomes=(), **params):
    api_client, transport = client(outcomes, **params)
    return IamApi(api_client), transport


# --- authentication ------------------------------------------------------------------------------

def test_base_url_and_bearer_token_from_exchange():
    api_client, transport = client([{"ok": True}])
    assert api_client.base_url == BASE
    assert api_client.call("GET", "/api/v1/auth/introspect", "Auth.Introspect") == {"ok": True}
    assert len(transport.token_calls) == 1
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/auth/introspect"
    assert transport.api_calls[0]["headers"]["Authorization"] == "Bearer token-1"


def test_server_url_override_is_the_base_url():
    api_client, transport = client([{}], server_url="https://127.0.0.1:8443/")
    api_client.call("GET", "/x", "X")
    assert [call["url"] for call in transport.calls] == ["https://127.0.0.1:8443/auth/v1/token", "https://127.0.0.1:8443/x"]
    claims_b64 = transport.token_calls[0]["form"]["client_assertion"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=" * (-len(claims_b64) % 4)))
    assert claims["aud"] == "127.0.0.1"


def test_token_is_reused_across_calls():
    api_client, transport = client([{}, {}, {}])
    for dummy in range(3):
        api_client.call("GET", "/x", "X")
    assert len(transport.token_calls) == 1


def test_401_triggers_exactly_one_reauth_then_succeeds():
    api_client, transport = client([api_error(401, 16, "unauthenticated"), {"role": {"id": "r1"}}])
    assert api_client.call("GET", "/api/v1/iam/roles/r1", "Roles.Get") == {"role": {"id": "r1"}}
    role_url = BASE + "/api/v1/iam/roles/r1"
    assert [call["url"] for call in transport.calls] == [TOKEN_URL, role_url, TOKEN_URL, role_url]
    assert [call["headers"]["Authorization"] for call in transport.api_calls] == ["Bearer token-1", "Bearer token-2"]


def test_second_401_raises_with_the_credential_hint():
    api_client, transport = client([api_error(401, 16, "unauthenticated"), api_error(401, 16, "unauthenticated"), {}])
    with pytest.raises(ConductorOneError) as excinfo:
        api_client.call("GET", "/x", "X")
    assert excinfo.value.status == 401
    assert excinfo.value.message.startswith("unauthenticated")
    assert CREDENTIAL_HINT in excinfo.value.message
    assert CREDENTIAL_HINT in str(excinfo.value)
    assert len(transport.token_calls) == 2
    assert len(transport.api_calls) == 2


def test_static_token_only_401_raises_without_exchange():
    api_client, transport = client([api_error(401, 16, "unauthenticated"), {}], client_id=None, client_secret=None,
                                   access_token="static-abc", server_url=BASE)
    with pytest.raises(ConductorOneError) as excinfo:
        api_client.call("GET", "/x", "X")
    assert CREDENTIAL_HINT in excinfo.value.message
    assert transport.token_calls == []
    assert len(transport.api_calls) == 1
    assert transport.api_calls[0]["headers"]["Authorization"] == "Bearer static-abc"


def test_static_token_with_credentials_401_falls_back_to_exchange():
    api_client, transport = client([api_error(401, 16, "unauthenticated"), {"ok": 1}], access_token="static-abc")
    assert api_client.call("GET", "/x", "X") == {"ok": 1}
    assert [call["headers"]["Authorization"] for call in transport.api_calls] == ["Bearer static-abc", "Bearer token-1"]
    assert len(transport.token_calls) == 1


def test_static_token_needs_a_server_url():
    with pytest.raises(InputError, match="server_url"):
        client(client_id=None, client_secret=None, access_token="static-abc")


@pytest.mark.parametrize("status", [403, 404, 500])
def test_other_errors_are_raised_without_reauth_or_hint(status):
    api_client, transport = client([api_error(status, message="nope"), {}])
    with pytest.raises(ConductorOneError) as excinfo:
        api_client.call("GET", "/x", "X")
    assert excinfo.value.message == "nope"
    assert len(transport.token_calls) == 1
    assert len(transport.api_calls) == 1


def test_reauth_budget_is_per_call():
    api_client, transport = client([api_error(401), {"a": 1}, api_error(401), {"b": 2}])
    assert api_client.call("GET", "/a", "A") == {"a": 1}
    assert api_client.call("GET", "/b", "B") == {"b": 2}
    assert len(transport.token_calls) == 3


# --- pagination ----------------------------------------------------------------------------------

def test_list_roles_follows_next_page_token_across_three_pages():
    api, transport = iam([
        {"list": [{"id": "r1"}, {"id": "r2"}], "nextPageToken": "p2"},
        {"list": [{"id": "r3"}], "nextPageToken": "p3"},
        {"list": [{"id": "r4"}], "nextPageToken": ""},
    ])
    assert [role["id"] for role in api.list_roles()] == ["r1", "r2", "r3", "r4"]
    calls = transport.api_calls
    assert [call["method"] for call in calls] == ["GET"] * 3
    assert [call["url"] for call in calls] == [BASE + "/api/v1/iam/roles"] * 3
    assert [call["params"] for call in calls] == [
        {"page_size": 100},
        {"page_size": 100, "page_token": "p2"},
        {"page_size": 100, "page_token": "p3"},
    ]
    assert all(call["json_body"] is None for call in calls)


def test_pagination_tolerates_null_and_missing_lists():
    api, transport = iam([{"list": None, "nextPageToken": "p2"}, {}])
    assert api.list_personal_clients() == []
    assert len(transport.api_calls) == 2
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/iam/personal_clients"


def test_search_puts_page_fields_in_the_body():
    api, transport = iam([
        {"list": [{"id": "c1"}], "nextPageToken": "p2"},
        {"list": [{"id": "c2"}], "nextPageToken": "p3"},
        {"list": [{"id": "c3"}]},
    ])
    assert [item["id"] for item in api.search_personal_clients(query="ci", user_ids=["u1", "u2"])] == ["c1", "c2", "c3"]
    calls = transport.api_calls
    assert [call["method"] for call in calls] == ["POST"] * 3
    assert [call["url"] for call in calls] == [BASE + "/api/v1/search/iam/personal_clients"] * 3
    base_body = {"query": "ci", "users": [{"id": "u1"}, {"id": "u2"}], "pageSize": 100}
    assert [call["json_body"] for call in calls] == [
        base_body,
        dict(base_body, pageToken="p2"),
        dict(base_body, pageToken="p3"),
    ]
    assert all(call["params"] is None for call in calls)


def test_search_without_filters_sends_only_the_page_size():
    api, transport = iam([{"list": []}])
    assert api.search_personal_clients() == []
    assert transport.api_calls[0]["json_body"] == {"pageSize": 100}


# --- single objects ------------------------------------------------------------------------------

def test_get_role_unwraps_the_role():
    api, transport = iam([{"role": {"id": "r1", "name": "custom:auditor"}}])
    assert api.get_role("r1") == {"id": "r1", "name": "custom:auditor"}
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/iam/roles/r1"
    assert transport.api_calls[0]["method"] == "GET"


def test_get_or_none_maps_404_to_none():
    api, dummy = iam([api_error(404, 5, "not found")])
    assert api.get_role("missing") is None
    api, dummy = iam([api_error(404, 5, "not found")])
    assert api.get_personal_client("missing") is None


def test_get_or_none_raises_other_errors():
    api, dummy = iam([api_error(403, 7, "permission denied")])
    with pytest.raises(ConductorOneError) as excinfo:
        api.get_role("r1")
    assert excinfo.value.status == 403


def test_ids_are_one_escaped_path_segment():
    api, transport = iam([{"role": {}}])
    api.get_role("a:b+c")
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/iam/roles/a%3Ab%2Bc"


@pytest.mark.parametrize("role_id", ["", None, " ", ".", "..", "a/b", "../x", "a\\b", "a b", "a\nb", "a?b", "a#b", "%2e%2e"])
def test_empty_dot_slash_and_control_ids_are_refused_before_any_request(role_id):
    api, transport = iam()
    with pytest.raises(InputError, match="id"):
        api.get_role(role_id)
    with pytest.raises(InputError, match="id"):
        api.delete_personal_client(role_id)
    assert transport.calls == []


def test_update_role_sends_role_and_comma_separated_mask():
    api, transport = iam([{"role": {"id": "r1", "displayName": "Auditors"}}])
    role = api.update_role("r1", {"displayName": "Auditors", "permissions": ["p/a"]}, ["a", "b"])
    assert role == {"id": "r1", "displayName": "Auditors"}
    call = transport.api_calls[0]
    assert call["method"] == "POST"
    assert call["url"] == BASE + "/api/v1/iam/roles/r1"
    assert call["json_body"] == {"role": {"displayName": "Auditors", "permissions": ["p/a"]}, "updateMask": "a,b"}


def test_update_personal_client_sends_client_and_mask():
    api, transport = iam([{"client": {"id": "c1"}}])
    assert api.update_personal_client("c1", {"displayName": "x"}, ["displayName", "allowSourceCidr"]) == {"id": "c1"}
    assert transport.api_calls[0]["json_body"] == {"client": {"displayName": "x"}, "updateMask": "displayName,allowSourceCidr"}


def test_create_personal_client_returns_client_and_secret():
    api, transport = iam([{"client": {"id": "c1"}, "clientSecret": "secret-token:conductorone.com:v1:abc"}])
    assert api.create_personal_client({"displayName": "ci"}) == ({"id": "c1"}, "secret-token:conductorone.com:v1:abc")
    assert transport.api_calls[0]["method"] == "POST"
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/iam/personal_clients"


def test_delete_returns_true_then_false_on_404():
    api, transport = iam([{}, api_error(404, 5, "not found")])
    assert api.delete_personal_client("c1") is True
    assert api.delete_personal_client("c1") is False
    assert [call["method"] for call in transport.api_calls] == ["DELETE", "DELETE"]
    assert transport.api_calls[0]["url"] == BASE + "/api/v1/iam/personal_clients/c1"


def test_delete_raises_other_errors():
    api, dummy = iam([api_error(403, 7, "permission denied")])
    with pytest.raises(ConductorOneError):
        api.delete_personal_client("c1")
