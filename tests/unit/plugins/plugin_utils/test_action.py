# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_action.py: the modules' logic run controller-side, with the executor's stand-ins of executor.py."""

from __future__ import annotations

import json
import re

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.conductorone.iam.plugins.action import personal_client as personal_client_action
from ansible_collections.conductorone.iam.plugins.action import personal_client_info as personal_client_info_action
from ansible_collections.conductorone.iam.plugins.action import role as role_action
from ansible_collections.conductorone.iam.plugins.action import role_info as role_info_action
from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import (
    PERSONAL_CLIENT_ARGUMENT_SPEC, PERSONAL_CLIENT_RULES, PersonalClient)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import (
    PERSONAL_CLIENT_INFO_ARGUMENT_SPEC, PersonalClientInfo)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import (
    ROLE_ARGUMENT_SPEC, ROLE_INFO_ARGUMENT_SPEC, ROLE_INFO_RULES, ROLE_RULES, Role, RoleInfo)
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import CollectingRunner
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction
from ansible_collections.conductorone.iam.tests.unit.plugins.plugin_utils.executor import (
    StubConnection, StubPlayContext, StubTask, StubTemplar, run_action)

SECRET = "secret-token:conductorone.com:v1:c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbA"
ACCESS_TOKEN = "eyJhbGciOiJFZERTQSJ9.access-token-value.signature"
CLIENT_ID = "strange-hydra-68836@acme.conductor.one/pcc"
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


# --- a resource that records what it was given ------------------------------------------------------

class Recorder(Resource):
    """Raises ``Recorder.error`` or returns ``Recorder.outcome``, after warning; keeps the runner it ran with."""

    outcome = {"changed": False}
    error = None
    warnings = ()
    seen = None

    def run(self):
        Recorder.seen = self.runner
        for message in self.warnings:
            self.runner.warn(message)
        if self.error is not None:
            raise self.error
        return dict(self.outcome)


class RecorderAction(ResourceAction):
    ARGUMENT_SPEC = argument_spec(name={"type": "str", "required": True}, count={"type": "int", "default": 1},
                                  mode={"type": "str", "choices": ["a", "b"]}, first={"type": "str"}, second={"type": "str"})
    ARGUMENT_RULES = {"mutually_exclusive": [("first", "second")]}
    RESOURCE = Recorder


@pytest.fixture(autouse=True)
def fresh_recorder(monkeypatch):
    """A fresh Recorder (tests/unit/conftest.py's isolated keeps the environment and the network out)."""
    monkeypatch.setattr(Recorder, "outcome", {"changed": False})
    monkeypatch.setattr(Recorder, "error", None)
    monkeypatch.setattr(Recorder, "warnings", ())
    monkeypatch.setattr(Recorder, "seen", None)


# --- the plugins run the spec, rules and logic of module_utils ------------------------------------

@pytest.mark.parametrize("action, spec, rules, resource", [
    (personal_client_action, PERSONAL_CLIENT_ARGUMENT_SPEC, PERSONAL_CLIENT_RULES, PersonalClient),
    (personal_client_info_action, PERSONAL_CLIENT_INFO_ARGUMENT_SPEC, {}, PersonalClientInfo),
    (role_info_action, ROLE_INFO_ARGUMENT_SPEC, ROLE_INFO_RULES, RoleInfo),
    (role_action, ROLE_ARGUMENT_SPEC, ROLE_RULES, Role),
])
def test_action_plugins_use_the_spec_rules_and_logic_of_module_utils(action, spec, rules, resource):
    plugin = action.ActionModule
    assert issubclass(plugin, ResourceAction)
    assert plugin.ARGUMENT_SPEC is spec
    assert plugin.ARGUMENT_RULES == rules
    assert plugin.RESOURCE is resource


class ExplodingConnection(StubConnection):
    """A connection that fails on any use but the shell Ansible's ActionBase reads while constructing."""

    def __getattr__(self, name):
        raise AssertionError("the action used the connection: {0}".format(name))


def test_the_action_runs_on_the_controller_without_using_the_connection():
    action = RecorderAction(task=StubTask({"name": "x"}), connection=ExplodingConnection(), play_context=StubPlayContext(),
                            loader=None, templar=StubTemplar(), shared_loader_obj=None)
    result = action.run(task_vars={})
    assert result.get("failed") is not True, result
    assert Recorder.seen is not None and Recorder.seen.params["name"] == "x"


def test_async_is_refused():
    with pytest.raises(AnsibleActionFail):
        run_action(RecorderAction, {"name": "x"}, async_val=30)


# --- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({}, "missing required arguments: name"),
    ({"name": "x", "count": "many"}, "count"),
    ({"name": "x", "mode": "c"}, "mode"),
    ({"name": "x", "first": "1", "second": "2"}, "mutually exclusive"),
    ({"name": "x", "bogus": 1}, "Unsupported parameters for (conductorone.iam.test) module: bogus. Supported parameters"),
])
def test_validation_errors_fail_with_a_message_and_run_nothing(args, message):
    result, dummy = run_action(RecorderAction, args)
    assert result["failed"] is True
    assert result["changed"] is False
    assert message in result["msg"]
    assert Recorder.seen is None


def _task_action(action_class, args, action_name, resolved=None):
    task = StubTask(dict(args))
    task.action = action_name
    task.resolved_action = resolved
    plugin = action_class(task=task, connection=StubConnection(), play_context=StubPlayContext(), loader=None,
                          templar=StubTemplar(), shared_loader_obj=None)
    return plugin.run(task_vars={})


@pytest.mark.parametrize("action_name, resolved", [
    ("conductorone.iam.personal_client", "conductorone.iam.personal_client"),
    ("personal_client", "conductorone.iam.personal_client"),  # under ``collections:``
    ("personal_client", None),
])
def test_unknown_option_gets_ansibles_own_unsupported_parameters_message(action_name, resolved):
    """Issue 22: AnsibleModule's "Unsupported parameters for (<fqcn>) module: ..." (the action plugins had lost the
    prefix), with a close match suggested for a typo; nothing runs."""
    result = _task_action(personal_client_action.ActionModule, {"display_name": "ci", "expires_inn": "3d"}, action_name, resolved)
    assert result["failed"] is True and result["changed"] is False
    assert re.match(r"^Unsupported parameters for \(conductorone\.iam\.personal_client\) module: expires_inn \(did you mean "
                    r"expires_in\?\)\. Supported parameters include: access_token, allow_plain_http, .*expires_in, ", result["msg"])


def test_unknown_options_of_set_items_are_named_by_index_with_the_items_options():
    from ansible_collections.conductorone.iam.plugins.action import personal_client_set as set_action  # pylint: disable=import-outside-toplevel

    result = _task_action(set_action.ActionModule, {"clients": [{"display_name": "a"}, {"display_name": "b", "expires_inn": "3d"}],
                                                    "retriess": 1}, "conductorone.iam.personal_client_set")
    msg = result["msg"]
    assert msg.startswith("Unsupported parameters for (conductorone.iam.personal_client_set) module: retriess (did you mean "
                          "retries?). Supported parameters include: access_token, "), msg
    assert " clients[1].expires_inn (did you mean expires_in?). Supported parameters of clients items include: " \
           "allow_source_cidr, display_name, expires_at, expires_in, " in msg
    # the item's options are not offered for the top level, nor the top level's for the item
    top, dummy, items = msg.partition(" clients[1].")
    assert "display_name" not in top and "retries" not in items


def test_the_same_typo_in_two_items_is_named_at_both():
    from ansible_collections.conductorone.iam.plugins.action import role_set as set_action  # pylint: disable=import-outside-toplevel

    result = _task_action(set_action.ActionModule, {"roles": [{"name": "a", "permisions": []}, {"name": "b"},
                                                              {"name": "c", "permisions": ["p"]}]}, "conductorone.iam.role_set")
    assert result["msg"].startswith("Unsupported parameters for (conductorone.iam.role_set) module: roles[0].permisions (did you "
                                    "mean permissions?), roles[2].permisions (did you mean permissions?). Supported parameters "
                                    "of roles items include: append, display_name, id, name, permissions, "), result["msg"]


def test_an_unknown_option_comes_before_the_errors_it_explains():
    result, dummy = run_action(RecorderAction, {"nmae": "x"})
    assert result["msg"].startswith("Unsupported parameters for (conductorone.iam.test) module: nmae (did you mean name?)")
    assert "missing required arguments: name" in result["msg"]


def test_several_validation_errors_are_all_reported():
    result, dummy = run_action(RecorderAction, {"count": "many", "first": "1", "second": "2"})
    assert "name" in result["msg"] and "count" in result["msg"]


def test_real_module_spec_validation_error_on_personal_client():
    result, dummy = run_action(personal_client_action.ActionModule, {
        "display_name": "ci", "expires_in": "90d", "expires_at": "2030-01-01T00:00:00Z", "client_secret": SECRET})
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]
    assert SECRET not in json.dumps(result)


def test_real_module_input_error_fails_before_any_request():
    # personal_client's own checks (not the spec's) run before the API client is built: no request
    result, dummy = run_action(personal_client_action.ActionModule, {
        "display_name": "ci", "allow_source_cidr": ["10.1.2.3/24"], "client_id": CLIENT_ID, "client_secret": SECRET})
    assert result["failed"] is True
    assert "10.1.2.0/24" in result["msg"]
    assert result["changed"] is False


def test_valid_parameters_with_defaults_reach_the_resource():
    result, dummy = run_action(RecorderAction, {"name": "x", "count": "3"})
    assert "failed" not in result
    assert Recorder.seen.params["name"] == "x"
    assert Recorder.seen.params["count"] == 3  # converted to the spec's type
    assert Recorder.seen.params["validate_certs"] is True
    assert Recorder.seen.params["token_cache"] is True
    assert result["invocation"]["module_args"]["count"] == 3


# --- outcome ---------------------------------------------------------------------------------------

def test_success_result_is_the_resources(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": True, "thing": {"id": "t1"}})
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["changed"] is True
    assert result["thing"] == {"id": "t1"}
    assert "failed" not in result and "warnings" not in result


@pytest.mark.parametrize("error, expected", [
    (InputError("name: bad"), {"msg": "name: bad", "changed": False}),
    (ConductorOneError("permission denied", operation="Roles.Get", status=403, code=7), {"changed": False}),
])
def test_resource_failures_become_failed_results(monkeypatch, error, expected):
    monkeypatch.setattr(Recorder, "error", error)
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["failed"] is True
    for key, value in expected.items():
        assert result[key] == value
    if isinstance(error, ConductorOneError):
        assert result["api_error"]["status"] == 403
        assert "permission denied" in result["msg"]
    assert "invocation" in result


# --- no_log ------------------------------------------------------------------------------------------

def test_no_log_values_are_masked_in_result_and_invocation(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": True, "echo": "token " + ACCESS_TOKEN, "raw": SECRET})
    monkeypatch.setattr(Recorder, "warnings", ("retrying with " + SECRET,))
    result, dummy = run_action(RecorderAction, {"name": "x", "client_id": CLIENT_ID, "client_secret": SECRET,
                                                "access_token": ACCESS_TOKEN})
    # the resource saw the real values
    assert Recorder.seen.params["client_secret"] == SECRET
    assert Recorder.seen.params["access_token"] == ACCESS_TOKEN
    text = json.dumps(result)
    assert SECRET not in text
    assert ACCESS_TOKEN not in text
    args = result["invocation"]["module_args"]
    assert args["client_secret"] == NO_LOG_PLACEHOLDER
    assert args["access_token"] == NO_LOG_PLACEHOLDER
    assert args["client_id"] == CLIENT_ID  # not a secret
    assert result["raw"] in (NO_LOG_PLACEHOLDER, "********")  # masked by the run's registry or by Ansible's
    assert "********" in result["echo"]
    assert "********" in result["warnings"][0]


def test_no_log_values_from_the_task_environment_are_masked_too(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": False, "raw": SECRET})
    result, dummy = run_action(RecorderAction, {"name": "x"}, environment=[{"CONDUCTORONE_CLIENT_SECRET": SECRET}])
    assert Recorder.seen.params["client_secret"] == SECRET
    assert SECRET not in json.dumps(result)


def test_no_log_values_are_masked_in_validation_failures():
    result, dummy = run_action(RecorderAction, {"client_secret": SECRET, "count": SECRET})
    assert result["failed"] is True
    assert SECRET not in json.dumps(result)


# --- check mode and diff ------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode, diff", [(False, False), (True, False), (False, True), (True, True)])
def test_check_mode_and_diff_are_passed_to_the_runner(check_mode, diff):
    run_action(RecorderAction, {"name": "x"}, check_mode=check_mode, diff=diff)
    assert Recorder.seen.check_mode is check_mode
    assert Recorder.seen.diff_mode is diff


# --- CONDUCTORONE_* from the task environment ------------------------------------------------------

def test_task_environment_feeds_the_connection_fallbacks():
    run_action(RecorderAction, {"name": "x"}, environment=[{
        "CONDUCTORONE_CLIENT_ID": CLIENT_ID, "CONDUCTORONE_SERVER_URL": "https://env.example",
        "CONDUCTORONE_CA_PATH": "/etc/ca.pem", "CONDUCTORONE_TOKEN_CACHE": "false", "UNRELATED": "1"}])
    params = Recorder.seen.params
    assert params["client_id"] == CLIENT_ID
    assert params["server_url"] == "https://env.example"
    assert params["ca_path"] == "/etc/ca.pem"
    assert params["token_cache"] is False
    assert "UNRELATED" not in params


def test_explicit_option_beats_the_task_environment():
    run_action(RecorderAction, {"name": "x", "server_url": "https://arg.example"},
               environment=[{"CONDUCTORONE_SERVER_URL": "https://env.example"}])
    assert Recorder.seen.params["server_url"] == "https://arg.example"


def test_task_environment_beats_the_controller_environment(monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_SERVER_URL", "https://controller.example")
    run_action(RecorderAction, {"name": "x"}, environment=[{"CONDUCTORONE_SERVER_URL": "https://task.example"}])
    assert Recorder.seen.params["server_url"] == "https://task.example"


def test_controller_environment_is_the_last_fallback(monkeypatch):
    monkeypatch.setenv("CONDUCTORONE_SERVER_URL", "https://controller.example")
    monkeypatch.setenv("CONDUCTORONE_CLIENT_ID", CLIENT_ID)
    run_action(RecorderAction, {"name": "x"}, environment=[{"OTHER": "1"}])
    assert Recorder.seen.params["server_url"] == "https://controller.example"
    assert Recorder.seen.params["client_id"] == CLIENT_ID


def test_inner_environment_layers_win_and_are_templated():
    # play, block, task order, as the executor stores them; each layer templated
    result, templar = run_action(RecorderAction, {"name": "x"}, variables={"tenant": "acme"}, environment=[
        {"CONDUCTORONE_SERVER_URL": "https://play.example", "CONDUCTORONE_CLIENT_ID": "play@x/pcc"},
        None,
        {},
        {"CONDUCTORONE_SERVER_URL": "https://{{ tenant }}.conductor.one"},
    ])
    assert "failed" not in result
    assert Recorder.seen.params["server_url"] == "https://acme.conductor.one"
    assert Recorder.seen.params["client_id"] == "play@x/pcc"
    assert {"CONDUCTORONE_SERVER_URL": "https://{{ tenant }}.conductor.one"} in templar.rendered


def test_environment_given_as_a_single_mapping():
    run_action(RecorderAction, {"name": "x"}, environment={"CONDUCTORONE_SERVER_URL": "https://single.example"})
    assert Recorder.seen.params["server_url"] == "https://single.example"


def test_no_environment_at_all():
    result, dummy = run_action(RecorderAction, {"name": "x"}, environment=None)
    assert "failed" not in result
    assert Recorder.seen.params["server_url"] is None


def test_task_args_are_not_modified():
    args = {"name": "x"}
    task = StubTask(args, [{"CONDUCTORONE_SERVER_URL": "https://env.example"}])
    RecorderAction(task=task, connection=StubConnection(), play_context=StubPlayContext(), loader=None,
                   templar=StubTemplar(), shared_loader_obj=None).run(task_vars={})
    assert task.args == {"name": "x"}


# --- warnings --------------------------------------------------------------------------------------

def test_warnings_are_collected_in_order(monkeypatch):
    monkeypatch.setattr(Recorder, "warnings", ("first", "second"))
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["warnings"] == ["first", "second"]


def test_warnings_are_kept_on_failure(monkeypatch):
    monkeypatch.setattr(Recorder, "warnings", ("before the failure",))
    monkeypatch.setattr(Recorder, "error", InputError("bad"))
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["failed"] is True
    assert result["warnings"] == ["before the failure"]


# --- the runner on its own -------------------------------------------------------------------------

def test_action_runner_records_exit_fail_and_warnings():
    runner = CollectingRunner({"a": 1}, True, False)
    assert (runner.params, runner.check_mode, runner.diff_mode) == ({"a": 1}, True, False)
    runner.warn("w")
    runner.exit(changed=True, x=1)
    assert runner.result == {"changed": True, "x": 1}
    runner.fail("boom", changed=False)
    assert runner.result == {"changed": False, "failed": True, "msg": "boom"}
    assert runner.warnings == ["w"]


def test_explicit_credentials_are_not_mixed_with_environment_ones():
    run_action(RecorderAction, {"name": "x", "client_id": CLIENT_ID, "client_secret": SECRET},
               environment=[{"CONDUCTORONE_ACCESS_TOKEN": ACCESS_TOKEN, "CONDUCTORONE_SERVER_URL": "https://env.example"}])
    assert Recorder.seen.params["access_token"] is None
    assert Recorder.seen.params["client_id"] == CLIENT_ID
    assert Recorder.seen.params["server_url"] == "https://env.example"  # not a credential: still a fallback


def test_task_environment_applies_while_the_logic_runs(monkeypatch):
    import os
    seen = {}

    class EnvRecorder(Recorder):
        def run(self):
            seen.update((name, os.environ.get(name)) for name in ("HTTPS_PROXY", "NO_PROXY", "KEEP"))
            return {"changed": False}

    class EnvAction(RecorderAction):
        RESOURCE = EnvRecorder

    monkeypatch.setenv("KEEP", "controller")
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    run_action(EnvAction, {"name": "x"}, environment=[{"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "{{ host }}"}],
               variables={"host": "localhost"})
    assert seen == {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost", "KEEP": "controller"}
    assert "HTTPS_PROXY" not in os.environ and os.environ["KEEP"] == "controller"


# --- every exit path is masked (issue 11) -------------------------------------------------------------

def test_an_unexpected_exception_in_the_resource_fails_masked(monkeypatch):
    monkeypatch.setattr(Recorder, "error", ValueError("Invalid header value b'Bearer " + ACCESS_TOKEN + "\\n'"))
    result, dummy = run_action(RecorderAction, {"name": "x", "access_token": ACCESS_TOKEN, "server_url": "https://acme.example"})
    assert result["failed"] is True
    assert "unexpected error (ValueError)" in result["msg"]
    assert ACCESS_TOKEN not in json.dumps(result)
    assert "access-token-value" not in json.dumps(result)


def test_an_exception_escaping_the_plugin_fails_masked(monkeypatch):
    def explode(self, result):
        raise RuntimeError("boom with " + SECRET)

    monkeypatch.setattr(ResourceAction, "_run", explode)
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["failed"] is True and result["changed"] is False
    assert "unexpected error (RuntimeError)" in result["msg"]
    assert "c3VwZXItc2VjcmV0" not in json.dumps(result)
    assert "Traceback" in result["exception"]


def test_a_secret_given_as_client_id_is_masked_everywhere():
    result, dummy = run_action(RecorderAction, {"name": "x", "client_id": SECRET, "client_secret": "x@acme.example/pcc"})
    assert "c3VwZXItc2VjcmV0" not in json.dumps(result)


def test_a_result_with_a_new_secret_is_marked_for_ansible_to_hide(monkeypatch):
    monkeypatch.setattr(Recorder, "outcome", {"changed": True, "client_secret": "secret-token:conductorone.com:v1:bmV3"})
    result, dummy = run_action(RecorderAction, {"name": "x"})
    assert result["_ansible_no_log"] is True
    assert result["client_secret"] == "secret-token:conductorone.com:v1:bmV3"  # register still gets it
