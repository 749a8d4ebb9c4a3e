# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Runner-neutral execution of a resource's logic.

Resource logic (``Resource`` subclasses in ``roles.py``, ``personal_client.py``, ...) sees only a runner:
``params``, ``check_mode``, ``diff_mode``, ``warn(msg)``. ``run_resource`` turns its result or its exception into
``exit``/``fail`` on that runner, with one failure shape for every module. The one runner is ``CollectingRunner``
below, which the action plugins (plugin_utils/_action.py) use: the collection's modules run only on the controller.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import traceback
import typing as t

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError, MissingLibraryError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import Result

if t.TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import ReportingRunner

# Options whose values authenticate: masked in everything the run reports (see _client/masking.py).
SECRET_OPTIONS = ("client_secret", "access_token", "oidc_token")
# Result keys that hold a newly created secret: such a result is marked for Ansible to hide in its output.
NEW_SECRET_KEYS = ("client_secret", "secrets")


class CollectingRunner:
    """The runner the action plugins use (and the unit tests' fakes): the outcome collected in ``result``, warnings
    in ``warnings``. Plain Python, so module_utils tests can use it too."""

    def __init__(self, params: t.Dict[str, t.Any], check_mode: bool, diff_mode: bool) -> None:
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.warnings: t.List[str] = []
        self.result: Result = {}

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def fail(self, msg: str, **result: t.Any) -> None:
        self.result = dict(result, failed=True, msg=msg)

    def exit(self, **result: t.Any) -> None:
        self.result = result


class MaskingRunner:
    """The runner as the resource logic sees it: warnings pass through the masking first."""

    def __init__(self, runner: ReportingRunner) -> None:
        self._runner = runner
        self.params = runner.params
        self.check_mode = runner.check_mode
        self.diff_mode = runner.diff_mode

    def warn(self, message: str) -> None:
        self._runner.warn(_masking.mask_message(message))

    def fail(self, msg: str, **result: t.Any) -> None:
        self._runner.fail(msg, **result)

    def exit(self, **result: t.Any) -> None:
        self._runner.exit(**result)


def hide_new_secrets(result: Result) -> Result:
    """Mark a result that carries a new secret so that Ansible hides it in its output (what ``no_log: true``
    on the task does: callbacks print "the output has been hidden"), while ``register`` still gets it."""
    if any(result.get(key) for key in NEW_SECRET_KEYS) or any(
            isinstance(item, dict) and any(item.get(key) for key in NEW_SECRET_KEYS) for item in result.get("results") or []):
        result["_ansible_no_log"] = True
    return result


def run_resource(runner: ReportingRunner, resource_class: t.Type[Resource]) -> None:
    """Run the resource logic and report through the runner, with one failure shape for every module.

    Every exit path (result, each failure type, an unexpected exception) passes through the masking.
    """
    for option in SECRET_OPTIONS:
        _masking.add(runner.params.get(option))
    _masking.add_secret_looking(runner.params)
    try:
        result = resource_class(MaskingRunner(runner)).run()
    except InputError as exc:
        return _fail(runner, exc, _masking.mask_message(str(exc)), changed=False)
    except MissingLibraryError as exc:
        return runner.fail(missing_required_lib(exc.library), exception=_masking.mask_message(exc.traceback, None),
                           changed=False)
    except ConductorOneError as exc:
        return _fail(runner, exc, _masking.mask_message(str(exc)), api_error=_masking.mask_message(exc.as_result()),
                     changed=getattr(exc, "changed", False))
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # requests, for one, quotes a whole Authorization header in some errors: nothing leaves unmasked.
        return _fail(runner, exc, unexpected_error_message(exc),
                     exception=_masking.mask_message(traceback.format_exc(), None), changed=False)
    result = hide_new_secrets(_masking.mask(result))
    if result.get("failed"):
        # A set module whose items partly failed: the whole result, failed, with its per-item message.
        result = dict(result)
        result.pop("failed")
        return runner.fail(result.pop("msg"), **result)
    return runner.exit(**result)


def _fail(runner: ReportingRunner, exc: BaseException, msg: str, **result: t.Any) -> None:
    """Fail with ``msg``; an exception carrying ``partial_result`` (a client made before the failure, with the
    secret that reached no file) returns that too, marked like any result holding a new secret."""
    partial = getattr(exc, "partial_result", None)
    if partial:
        result = hide_new_secrets(dict(_masking.mask(partial), **dict(result, changed=True)))
    return runner.fail(msg, **result)


def unexpected_error_message(exc: BaseException) -> str:
    return _masking.mask_message("unexpected error ({0}): {1}".format(type(exc).__name__, exc))
