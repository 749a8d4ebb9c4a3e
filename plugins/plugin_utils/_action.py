# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's resource logic on the controller, as an action plugin, instead of in a module process.

These modules only talk HTTP, so there is nothing to do on a managed host; running the same logic in the
worker that already holds the task saves the Python process, AnsiballZ unpacking and imports of a module
run (about 280 ms a task here; see docs/performance.md). This is the only way the modules run: the files in
plugins/modules hold their documentation only (as ansible-core's own controller-side ``debug`` and ``set_fact``).
The argument spec and rules are imported from module_utils, next to the resource logic they belong to; the
validation, check mode, diff, no_log masking and failure shape are those of an AnsibleModule.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import os
import traceback
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible_collections.conductorone.iam.plugins.plugin_utils._controller_side import ControllerSideChecks

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import ArgumentSpec, apply_env_fallbacks
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import (
    CollectingRunner, Result, run_resource, unexpected_error_message)


def _not_strings(spec: ArgumentSpec, args: t.Dict[str, t.Any]) -> t.List[str]:
    """Dicts and lists given for string options (or as elements of string lists).

    The argument spec validator turns them into their Python repr (AnsibleModule at least warns): a display name,
    token or path of "{'a': 1}" is never what was meant, so they are refused like any other wrong type.
    """
    errors: t.List[str] = []
    for name, option in spec.items():
        value = args.get(name)
        kind = option.get("type", "str")
        if kind in ("str", "path") and isinstance(value, (dict, list)):
            errors.append("argument '{0}' is of type {1} and must be a string".format(name, type(value).__name__))
        elif kind == "list" and option.get("elements") in ("str", "path") and isinstance(value, list) and \
                any(isinstance(item, (dict, list)) for item in value):
            errors.append("argument '{0}' must be a list of strings; an element is a dict or a list".format(name))
        elif kind == "list" and option.get("options") and isinstance(value, list):
            # the items of a set module (personal_client_set, role_set): the same check, named by index
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    errors.extend(error.replace("argument '", "argument '{0}[{1}].".format(name, index), 1)
                                  for error in _not_strings(option["options"], item))
    return errors


def _located(args: t.Dict[str, t.Any], context: t.Sequence[str], name: str) -> t.List[str]:
    """``clients[2].expires_inn``: where an unknown option of a list item was given (by index), as far as it can be
    found; the validator itself reports only the path of option names (``clients.expires_inn``)."""
    found = [""]
    values: t.List[t.Any] = [args]
    for option in context:
        next_found: t.List[str] = []
        next_values: t.List[t.Any] = []
        for prefix, value in zip(found, values):
            value = value.get(option) if isinstance(value, dict) else None
            path = prefix + ("." if prefix else "") + option
            if isinstance(value, list):
                for index, item in enumerate(value):
                    next_found.append("{0}[{1}]".format(path, index))
                    next_values.append(item)
            else:
                next_found.append(path)
                next_values.append(value)
        found, values = next_found, next_values
    places = [(prefix + "." if prefix else "") + name for prefix, value in zip(found, values) if isinstance(value, dict) and name in value]
    return places or [".".join(tuple(context) + (name,))]


def unsupported_message(module_name: str, validation: t.Any, args: t.Dict[str, t.Any]) -> str:
    """Ansible's own message for unknown options (AnsibleModule's ``Unsupported parameters for (name) module: ...``),
    which the action plugins would otherwise lose: ArgumentSpecValidator gives only what follows the colon.

    Unknown options of list items (the set modules' ``clients`` / ``roles``) are named with their index, each group
    with the options supported where it was given, and a close match is suggested for a likely typo.
    """
    unsupported: t.Set[t.Any] = getattr(validation, "_unsupported_parameters", None) or set()
    supported: t.Dict[t.Any, t.Any] = getattr(validation, "_supported_parameters", None) or {}
    groups: t.Dict[t.Tuple[str, ...], t.Tuple[t.List[str], t.Set[str], t.Set[str]]] = {}
    for item in unsupported:
        context, name = (tuple(item[:-1]), item[-1]) if isinstance(item, tuple) else ((), item)
        names, options, aliases = groups.setdefault(context, ([], set(), set()))
        known: t.Tuple[t.Any, t.Any] = supported.get(item) or ((), {})
        options.update(known[0] or ())
        aliases.update(known[1] or ())
        match = difflib.get_close_matches(name, sorted(set(known[0] or ()) | set(known[1] or ())), n=1, cutoff=0.75)
        hint = " (did you mean {0}?)".format(match[0]) if match else ""
        names.extend(place + hint for place in _located(args, context, name))
    parts = []
    for context in sorted(groups, key=lambda context: (len(context), context)):
        names, options, aliases = groups[context]
        where = " of {0} items".format(".".join(context)) if context else ""
        include = ", ".join(sorted(options)) + (" ({0})".format(", ".join(sorted(aliases))) if aliases else "")
        parts.append("{0}. Supported parameters{1} include: {2}.".format(", ".join(sorted(names)), where, include))
    return "Unsupported parameters for ({0}) module: {1}".format(module_name, " ".join(parts))


@contextlib.contextmanager
def _environment(values: t.Mapping[str, t.Any]) -> t.Iterator[None]:
    """Apply the task's ``environment:`` to os.environ while the logic runs (HTTPS_PROXY, NO_PROXY,
    REQUESTS_CA_BUNDLE, HOME, XDG_CACHE_HOME... as a module process would see them), then restore it.
    This runs in the task's own worker process, so nothing leaks to other tasks even without the restore."""
    saved = dict((name, os.environ.get(name)) for name in values)
    try:
        for name, value in values.items():
            os.environ[str(name)] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ResourceAction(ControllerSideChecks):
    """Base for the collection's action plugins; subclasses set the three class attributes.

    ControllerSideChecks (an ActionBase) refuses ``async`` and warns about ``delegate_to`` and
    ``ansible_python_interpreter``, which cannot apply to a controller-side run."""

    ARGUMENT_SPEC: t.ClassVar[ArgumentSpec] = {}
    ARGUMENT_RULES: t.ClassVar[t.Dict[str, t.Any]] = {}
    RESOURCE: t.ClassVar[t.Type[Resource]] = Resource
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: t.Optional[str] = None, task_vars: t.Optional[t.Dict[str, t.Any]] = None) -> Result:
        result = super().run(tmp, task_vars)
        _masking.new_run()
        try:
            environment = self._task_environment()
            with _environment(environment):
                return _masking.mask(self._run(result))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Whatever escaped (templating, the environment, a bug): reported masked, never with a raw traceback.
            return dict(failed=True, changed=False, msg=unexpected_error_message(exc),
                        exception=_masking.mask_message(traceback.format_exc(), None))

    def _run(self, result: Result) -> Result:
        args = self._args_with_environment(dict(self._task.args))
        _masking.add_secret_looking(args)
        # A copy: the validator fills a dict option's suboption defaults into its default value ({}), in place.
        validator = ArgumentSpecValidator(copy.deepcopy(self.ARGUMENT_SPEC), **self.ARGUMENT_RULES)
        validation = validator.validate(args)
        no_log_values = validation._no_log_values
        for value in no_log_values:
            _masking.add(value)
        errors = [error.msg for error in validation.errors if not isinstance(error, UnsupportedError)]
        if any(isinstance(error, UnsupportedError) for error in validation.errors):
            # First, as AnsibleModule reports it: a typo in an option name often explains the other errors.
            errors.insert(0, unsupported_message(self._module_name(), validation, args))
        errors += _not_strings(self.ARGUMENT_SPEC, args)
        if errors:
            result.update(failed=True, msg="; ".join(errors), changed=False)
            return remove_values(result, no_log_values)
        runner = CollectingRunner(validation.validated_parameters, bool(self._play_context.check_mode), bool(self._play_context.diff))
        run_resource(runner, self.RESOURCE)
        result.update(runner.result)
        if runner.warnings:
            result["warnings"] = list(result.get("warnings") or []) + runner.warnings
        result["invocation"] = {"module_args": validation.validated_parameters}
        return remove_values(result, no_log_values)

    def _module_name(self) -> str:
        """The module's FQCN, as AnsibleModule names it in its messages."""
        name = getattr(self._task, "resolved_action", None) or self._task.action
        return name if "." in name else "conductorone.iam." + name

    def _task_environment(self) -> t.Dict[str, t.Any]:
        """``environment:`` of the play, block and task, templated, inner layers winning (as ActionBase does)."""
        environment: t.Dict[str, t.Any] = {}
        layers = self._task.environment or []
        for layer in layers if isinstance(layers, list) else [layers]:
            if layer:
                environment.update(self._templar.template(layer))
        return environment

    def _args_with_environment(self, args: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:
        """Fill unset connection options from the CONDUCTORONE_* variables (the one implementation of the fallbacks
        is module_utils/_client/arguments.py's ``apply_env_fallbacks``).

        Runs inside ``_environment``, so os.environ holds the task's ``environment:`` too.
        """
        return apply_env_fallbacks(args, os.environ)
