# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_resource: one result/failure shape for every module; the lazily built API client."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._resources import runner as _runner
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._client.api import IamApi
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError, MissingLibraryError


class RecordingRunner:
    def __init__(self, params=None):
        self.params = params or {}
        self.check_mode = False
        self.diff_mode = False
        self.warnings = []
        self.outcome = None

    def warn(self, message):
        self.warnings.append(message)

    def fail(self, msg, **result):
        self.outcome = ("fail", msg, result)

    def exit(self, **result):
        self.outcome = ("exit", result)


def resource_raising(exc=None, result=None):
    class Thing(Resource):
        def run(self):
            if exc is not None:
                raise exc
            return result

    return Thing


def test_success_exits_with_the_result():
    runner = RecordingRunner()
    _runner.run_resource(runner, resource_raising(result={"changed": True, "role": {"id": "r"}}))
    assert runner.outcome == ("exit", {"changed": True, "role": {"id": "r"}})


def test_input_error_fails_unchanged():
    runner = RecordingRunner()
    _runner.run_resource(runner, resource_raising(InputError("name: bad")))
    assert runner.outcome == ("fail", "name: bad", {"changed": False})


def test_api_error_fails_with_api_error():
    error = ConductorOneError("permission denied", operation="Roles.Get (GET /api/v1/iam/roles/r)", status=403, code=7,
                              request_id="req-9")
    runner = RecordingRunner()
    _runner.run_resource(runner, resource_raising(error))
    kind, msg, result = runner.outcome
    assert kind == "fail"
    assert msg == str(error)
    assert "HTTP 403" in msg and "req-9" in msg
    assert result == {"changed": False, "api_error": {"operation": "Roles.Get (GET /api/v1/iam/roles/r)", "status": 403,
                                                      "code": 7, "message": "permission denied", "request_id": "req-9"}}


def test_api_error_after_a_write_reports_changed():
    error = ConductorOneError("boom", status=500)
    error.changed = True
    runner = RecordingRunner()
    _runner.run_resource(runner, resource_raising(error))
    assert runner.outcome[2]["changed"] is True


def test_missing_library_fails_with_the_traceback():
    runner = RecordingRunner()
    _runner.run_resource(runner, resource_raising(MissingLibraryError("requests", "Traceback: no module")))
    kind, msg, result = runner.outcome
    assert kind == "fail"
    assert "requests" in msg
    assert result == {"exception": "Traceback: no module", "changed": False}


def test_other_exceptions_fail_the_task_masked():
    runner = RecordingRunner({"access_token": "tok-secret-value"})
    _runner.run_resource(runner, resource_raising(ValueError("Invalid header value b'Bearer tok-secret-value\\n'")))
    kind, msg, result = runner.outcome
    assert kind == "fail"
    assert "tok-secret-value" not in str(runner.outcome)
    assert "unexpected error (ValueError)" in msg
    assert "Traceback" in result["exception"]


def test_resource_builds_the_api_client_on_first_use():
    runner = RecordingRunner({"server_url": "https://acme.example", "access_token": "static-abc", "validate_certs": False})
    resource = Resource(runner)
    api = resource.api
    assert isinstance(api, IamApi)
    assert resource.api is api
    assert api.client.base_url == "https://acme.example"
    assert api.client.tokens.token() == "static-abc"
    # The transport's warnings go to the runner.
    assert len(runner.warnings) == 1
    assert "validate_certs" in runner.warnings[0]


def test_resource_uses_a_given_api():
    sentinel = object()
    assert Resource(RecordingRunner(), api=sentinel).api is sentinel
