# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_controller_side.py: delegate_to, ansible_python_interpreter and async on a controller-side module.

The action plugin runs with a stand-in task (delegate_to, async), templar and the task vars the executor would
pass; the resource records that it ran, so a refusal is seen to happen before any of its work.
"""

from __future__ import annotations

import sys

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction
from ansible_collections.conductorone.iam.plugins.plugin_utils._controller_side import ControllerSideChecks
from ansible_collections.conductorone.iam.tests.unit.plugins.plugin_utils.executor import StubConnection, StubPlayContext, StubTask, StubTemplar

ACTION = "conductorone.iam.role_info"


class Task(StubTask):
    """The executor's stand-in task, with ``delegate_to``."""

    def __init__(self, delegate_to=None, async_val=0):
        super().__init__({"name": "x"}, async_val=async_val)
        self.delegate_to = delegate_to
        self.action = ACTION


class Ran(Resource):
    count = 0

    def run(self):
        Ran.count += 1
        self.runner.warn("the resource's own warning")
        return {"changed": False}


class Action(ResourceAction):
    ARGUMENT_SPEC = argument_spec(name={"type": "str", "required": True})
    RESOURCE = Ran


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(Ran, "count", 0)
    for name in ("CONDUCTORONE_CLIENT_ID", "CONDUCTORONE_CLIENT_SECRET", "CONDUCTORONE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def run(task_vars=None, **task):
    variables = dict({"ansible_playbook_python": sys.executable}, **(task_vars or {}))
    action = Action(task=Task(**task), connection=StubConnection(), play_context=StubPlayContext(), loader=None,
                    templar=StubTemplar(variables), shared_loader_obj=None)
    return action.run(task_vars=variables)


def controller_side(result):
    return [w for w in result.get("warnings", []) if "has no effect on" in w or "is not used by" in w]


def test_resource_action_is_built_on_the_checks():
    assert issubclass(ResourceAction, ControllerSideChecks)


def test_a_plain_task_has_no_warning_but_the_resources():
    result = run()
    assert result["warnings"] == ["the resource's own warning"]
    assert Ran.count == 1


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
def test_delegating_to_the_controller_is_fine(host):
    assert controller_side(run(delegate_to=host)) == []


def test_delegating_to_an_inventory_host_with_a_local_connection_is_fine():
    task_vars = {"ansible_delegated_vars": {"controller": {"ansible_connection": "local"}}}
    assert controller_side(run(task_vars, delegate_to="controller")) == []


def test_delegating_to_another_host_warns_and_still_runs_here():
    task_vars = {"ansible_delegated_vars": {"bastion": {"ansible_connection": "ssh"}}}
    result = run(task_vars, delegate_to="bastion")
    assert result["warnings"][0] == (
        "delegate_to: bastion has no effect on conductorone.iam.role_info: it runs on the Ansible controller, which "
        "makes the API calls and reads and writes files (ca_path, secret_path) on its own filesystem; remove delegate_to")
    assert result["warnings"][-1] == "the resource's own warning"
    assert Ran.count == 1


def test_delegate_to_is_templated():
    result = run({"jump": "bastion"}, delegate_to="{{ jump }}")
    assert "delegate_to: bastion has no effect" in controller_side(result)[0]


def test_another_interpreter_warns():
    result = run({"ansible_python_interpreter": "/opt/venv/bin/python3"})
    assert controller_side(result) == [
        "ansible_python_interpreter (/opt/venv/bin/python3) is not used by conductorone.iam.role_info: it runs in "
        "the Python of the Ansible controller ({0}), which needs the collection's requirements (requests, "
        "cryptography)".format(sys.executable)]
    assert Ran.count == 1


@pytest.mark.parametrize("interpreter", ["{{ ansible_playbook_python }}", sys.executable, "auto", "auto_silent"])
def test_the_controllers_own_python_or_discovery_is_fine(interpreter):
    assert controller_side(run({"ansible_python_interpreter": interpreter})) == []


def test_both_warnings_together():
    task_vars = {"ansible_python_interpreter": "/usr/bin/python3.6"}
    warnings = controller_side(run(task_vars, delegate_to="db1"))
    assert [w.split(" ")[0] for w in warnings] == ["delegate_to:", "ansible_python_interpreter"]


def test_warnings_survive_a_validation_failure():
    action = Action(task=Task(delegate_to="db1"), connection=StubConnection(), play_context=StubPlayContext(), loader=None,
                    templar=StubTemplar({}), shared_loader_obj=None)
    action._task.args = {}
    result = action.run(task_vars={})
    assert result["failed"] is True
    assert "delegate_to: db1 has no effect" in result["warnings"][0]


def test_async_is_refused_with_the_reason_before_anything_runs():
    with pytest.raises(AnsibleActionFail) as failure:
        run(async_val=60)
    assert str(failure.value).startswith(
        "async is not supported by conductorone.iam.role_info: it runs on the Ansible controller inside the "
        "task's worker")
    assert "remove async and poll" in str(failure.value)
    assert Ran.count == 0
