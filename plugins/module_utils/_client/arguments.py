# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Connection options shared by every module (documented in doc_fragments/connection.py).

Environment fallbacks use the CONDUCTORONE_* names that ConductorOne's own tools use; never ANSIBLE_*
names, which AWX refuses to inject from a credential type.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

CONNECTION_ARGUMENT_SPEC = {
    "client_id": {"type": "str", "fallback": (env_fallback, ["CONDUCTORONE_CLIENT_ID"])},
    "client_secret": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CONDUCTORONE_CLIENT_SECRET"])},
    "access_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CONDUCTORONE_ACCESS_TOKEN"])},
    "oidc_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CONDUCTORONE_OIDC_TOKEN"])},
    "server_url": {"type": "str", "fallback": (env_fallback, ["CONDUCTORONE_SERVER_URL"])},
    "tenant_domain": {"type": "str", "fallback": (env_fallback, ["CONDUCTORONE_TENANT_DOMAIN"])},
    "allow_plain_http": {"type": "bool", "default": False, "fallback": (env_fallback, ["CONDUCTORONE_ALLOW_PLAIN_HTTP"])},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path", "fallback": (env_fallback, ["CONDUCTORONE_CA_PATH"])},
    "timeout": {"type": "float", "default": 30.0},
    "retries": {"type": "int", "default": 4},
    "max_list_items": {"type": "int", "default": 100000},
    "max_response_bytes": {"type": "int", "default": 16777216},
    "token_cache": {"type": "bool", "default": True, "fallback": (env_fallback, ["CONDUCTORONE_TOKEN_CACHE"])},
}


def argument_spec(**resource_options):
    """The module's full argument spec: the connection options plus its own."""
    spec = dict((name, dict(option)) for name, option in CONNECTION_ARGUMENT_SPEC.items())
    spec.update(resource_options)
    return spec
