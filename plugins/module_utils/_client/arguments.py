# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Connection options shared by every module (documented in doc_fragments/connection.py), and their
environment fallbacks.

The environment fallbacks are implemented here and only here (``apply_env_fallbacks``, which the action plugins
call before validating; the argument specs carry no ``fallback``): an option the task leaves unset takes its
CONDUCTORONE_* variable, except that credentials (or the tenant) set on the task form one identity, so an ambient
variable of the same group never joins them. The names are those ConductorOne's own tools use; never ANSIBLE_*
names, which AWX refuses to inject from a credential type.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import typing as t

ArgumentSpec = t.Dict[str, t.Dict[str, t.Any]]

CONNECTION_ARGUMENT_SPEC: ArgumentSpec = {
    "client_id": {"type": "str"},
    "client_secret": {"type": "str", "no_log": True},
    "access_token": {"type": "str", "no_log": True},
    "oidc_token": {"type": "str", "no_log": True},
    "server_url": {"type": "str"},
    "tenant_domain": {"type": "str"},
    "allow_plain_http": {"type": "bool", "default": False},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "timeout": {"type": "float", "default": 30.0},
    "retries": {"type": "int", "default": 4},
    "max_list_items": {"type": "int", "default": 100000},
    "max_response_bytes": {"type": "int", "default": 16777216},
    "token_cache": {"type": "bool", "default": True},
}

# option -> the environment variable it falls back to when the task leaves it unset
ENV_FALLBACKS: t.Dict[str, str] = {
    "client_id": "CONDUCTORONE_CLIENT_ID",
    "client_secret": "CONDUCTORONE_CLIENT_SECRET",
    "access_token": "CONDUCTORONE_ACCESS_TOKEN",
    "oidc_token": "CONDUCTORONE_OIDC_TOKEN",
    "server_url": "CONDUCTORONE_SERVER_URL",
    "tenant_domain": "CONDUCTORONE_TENANT_DOMAIN",
    "allow_plain_http": "CONDUCTORONE_ALLOW_PLAIN_HTTP",
    "ca_path": "CONDUCTORONE_CA_PATH",
    "token_cache": "CONDUCTORONE_TOKEN_CACHE",
}
# Options that together name one identity, or one tenant: one of a group set on the task hides the ambient
# CONDUCTORONE_* values of the whole group.
CREDENTIAL_OPTIONS = ("client_id", "client_secret", "access_token", "oidc_token")
ENDPOINT_OPTIONS = ("server_url", "tenant_domain")


def argument_spec(**resource_options: t.Dict[str, t.Any]) -> ArgumentSpec:
    """The module's full argument spec: the connection options plus its own."""
    spec = dict((name, dict(option)) for name, option in CONNECTION_ARGUMENT_SPEC.items())
    spec.update(resource_options)
    return spec


def apply_env_fallbacks(args: t.Dict[str, t.Any], environ: t.Mapping[str, str]) -> t.Dict[str, t.Any]:
    """Fill the connection options the task leaves unset (absent or None) from ``environ``; returns ``args``.

    Credentials set on the task (or by module_defaults) form one identity: an ambient CONDUCTORONE_ACCESS_TOKEN
    must not quietly replace an explicit client id and secret. The same holds for the two ways to name the tenant.
    """
    explicit_groups = [group for group in (CREDENTIAL_OPTIONS, ENDPOINT_OPTIONS)
                       if any(args.get(name) is not None for name in group)]
    for name, variable in ENV_FALLBACKS.items():
        if args.get(name) is not None or any(name in group for group in explicit_groups):
            continue
        value = environ.get(variable)
        if value is not None:
            args[name] = value
    return args
