# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validate a custom credential type and render its injectors the way AWX / Automation Controller does.

    python render_injectors.py CREDENTIAL_TYPE.yml PRIVATE_DATA_DIR < inputs.json > env

Reads the credential's input values (a JSON object) from standard input and writes the environment the
controller would give the job: NUL-terminated KEY=VALUE entries. Files of `file` injectors go to
PRIVATE_DATA_DIR/env, as on the controller.

It follows AWX (awx/main/models/credential/__init__.py, CredentialType.inject_credential, and
awx/main/fields.py, CredentialTypeInputField / CredentialTypeInjectorField.validate):
  * validation: the input field and injector schemas, env names allowed for credentials, and every
    injector template rendered in an ImmutableSandboxedEnvironment with StrictUndefined against the
    defined fields set to 'EXAMPLE' (and tower.filename set up as the file injectors define it);
  * rendering: only inputs with a non-empty value are in the namespace (others are undefined, so they
    render empty); each file template is rendered in an ImmutableSandboxedEnvironment, written to a new
    mkstemp file in PRIVATE_DATA_DIR/env with mode 0660, and its path is tower.filename (single file) or
    tower.filename.<name> (template.<name>); then each env template is rendered the same way.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import tempfile

import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIELD_KEYS = {"id", "label", "type", "help_text", "secret", "multiline", "format", "choices", "ask_at_runtime", "default"}
FIELD_TYPES = {"string", "boolean"}
FILE_KEY = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")
ENV_KEY = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
EXTRA_VAR_KEY = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
# AWX refuses these in credentials (awx/main/constants.py ENV_BLOCKLIST), besides every ANSIBLE_* name
ENV_BLOCKLIST = {"VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
                 "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE",
                 "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION",
                 "SUPERVISOR_WEB_CONFIG_PATH"}


class Namespace:
    """An attribute container, like AWX's TowerNamespace."""


def fail(message):
    sys.stderr.write("render_injectors: {0}\n".format(message))
    sys.exit(1)


def validate(definition):
    """The checks the controller makes when the credential type is created."""
    for key in ("name", "kind", "inputs", "injectors"):
        if key not in definition:
            fail("the credential type has no {0}".format(key))
    if definition["kind"] not in ("cloud", "net"):
        fail("custom credential types must be of kind cloud or net, not {0!r}".format(definition["kind"]))
    inputs, injectors = definition["inputs"], definition["injectors"]
    if set(inputs) - {"fields", "required", "dependencies"}:
        fail("unknown inputs keys: {0}".format(sorted(set(inputs) - {"fields", "required", "dependencies"})))
    ids = []
    for field in inputs.get("fields", []):
        if set(field) - FIELD_KEYS or not {"id", "label"} <= set(field):
            fail("input field {0!r} must have id and label, and no keys but {1}".format(field, sorted(FIELD_KEYS)))
        if field.get("type", "string") not in FIELD_TYPES:
            fail("input field {0}: type must be string or boolean".format(field["id"]))
        if field["id"] in ids:
            fail("field IDs must be unique ({0})".format(field["id"]))
        ids.append(field["id"])
    for name in inputs.get("required", []):
        if name not in ids:
            fail("required field {0} is not an input field".format(name))
    if set(injectors) - {"file", "env", "extra_vars"}:
        fail("unknown injectors keys: {0}".format(sorted(set(injectors) - {"file", "env", "extra_vars"})))
    for section, pattern in (("file", FILE_KEY), ("env", ENV_KEY), ("extra_vars", EXTRA_VAR_KEY)):
        for key, template in injectors.get(section, {}).items():
            if not pattern.match(key) or not isinstance(template, str):
                fail("injectors.{0}.{1}: invalid name or a value that is not a string".format(section, key))
    for key, template in injectors.get("env", {}).items():
        if key.startswith("ANSIBLE_") or key in ENV_BLOCKLIST:
            fail("environment variable {0} is not allowed in credentials".format(key))
        if not all(ord(char) < 128 for char in template):
            fail("environment variable {0}: the template must be ASCII".format(key))

    namespace = dict((field_id, "EXAMPLE") for field_id in ids)
    tower = Namespace()
    file_names = list(injectors.get("file", {}))
    if "template" in file_names:
        if len(file_names) > 1:
            fail("must use multi-file syntax when injecting multiple files")
        tower.filename = "EXAMPLE_FILENAME"
    elif file_names:
        tower.filename = Namespace()
        for name in file_names:
            setattr(tower.filename, name.split(".")[1], "EXAMPLE_FILENAME")
    namespace["tower"] = tower
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for section, templates in injectors.items():
        for key, template in templates.items():
            try:
                environment.from_string(template).render(namespace)
            except UndefinedError as exc:
                fail("{0} uses an undefined field ({1})".format(key, exc))
            except SecurityError as exc:
                fail("encountered unsafe code execution: {0}".format(exc))
            except TemplateSyntaxError as exc:
                fail("syntax error rendering template for {0} inside of {1} ({2})".format(key, section, exc))
    return ids


def inject(definition, inputs, private_data_dir):
    """The environment the controller adds for a job with a credential of this type."""
    fields = definition["inputs"].get("fields", [])
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = value
        elif len(value):
            namespace[name] = value
    for field in fields:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    tower = Namespace()
    namespace["tower"] = tower
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, "env")
    os.makedirs(env_dir, exist_ok=True)
    for label, template in definition["injectors"].get("file", {}).items():
        data = sandbox.from_string(template).render(**namespace)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as stream:
            stream.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
        if "." not in label:
            tower.filename = path
        else:
            if not hasattr(tower, "filename"):
                tower.filename = Namespace()
            setattr(tower.filename, label.split(".")[1], path)
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in definition["injectors"].get("env", {}).items())


def main():
    if len(sys.argv) != 3:
        fail("usage: render_injectors.py CREDENTIAL_TYPE.yml PRIVATE_DATA_DIR < inputs.json")
    with open(sys.argv[1]) as stream:
        definition = yaml.safe_load(stream)
    ids = validate(definition)
    inputs = json.load(sys.stdin)
    unknown = set(inputs) - set(ids)
    if unknown:
        fail("inputs that the credential type does not define: {0}".format(sorted(unknown)))
    missing = [name for name in definition["inputs"].get("required", []) if not inputs.get(name)]
    if missing:
        fail("required inputs missing: {0}".format(missing))
    for name, value in sorted(inject(definition, inputs, sys.argv[2]).items()):
        sys.stdout.write("{0}={1}\0".format(name, value))


if __name__ == "__main__":
    main()
