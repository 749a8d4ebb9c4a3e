# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Runner-neutral execution of a resource's logic.

Resource logic (``Resource`` subclasses in ``_roles.py``, ``_personal_clients.py``) sees only a runner:
``params``, ``check_mode``, ``diff_mode``, ``warn(msg)``. ``run_resource`` turns its result or its
exception into ``exit``/``fail`` on that runner. ``ModuleRunner`` adapts an AnsibleModule; a controller-side
action plugin can provide the same four members and reuse every line of resource logic unchanged.
"""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from ._errors import ConductorOneError, InputError, MissingLibraryError
# Resource lives in _resource.py; re-exported here for code that imported it from this module.
from ._resource import Resource  # noqa: F401  pylint: disable=unused-import


class ModuleRunner:
    """The runner interface over an AnsibleModule."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_mode = module._diff

    def warn(self, message):
        self.module.warn(message)

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)

    def exit(self, **result):
        self.module.exit_json(**result)


def run_resource(runner, resource_class):
    """Run the resource logic and report through the runner, with one failure shape for every module."""
    try:
        result = resource_class(runner).run()
    except InputError as exc:
        return runner.fail(str(exc), changed=False)
    except MissingLibraryError as exc:
        return runner.fail(missing_required_lib(exc.library), exception=exc.traceback, changed=False)
    except ConductorOneError as exc:
        return runner.fail(str(exc), api_error=exc.as_result(), changed=getattr(exc, "changed", False))
    if result.get("failed"):
        # A set module whose items partly failed: the whole result, failed, with its per-item message.
        result = dict(result)
        result.pop("failed")
        return runner.fail(result.pop("msg"), **result)
    return runner.exit(**result)
