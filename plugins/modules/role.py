#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: role
short_description: Converge a ConductorOne role's display name, permissions and service roles
version_added: 0.1.0
description:
  - Updates an existing ConductorOne role so that the fields you set match. Fields you do not set are left alone.
  - Roles can only be read and updated; they cannot be created or deleted. Built-in roles
    (RV(role.system_builtin)) cannot be edited at all; a task that would change one fails before any write.
  - Lists are compared as sets. One update is sent, naming exactly the changed fields.
  - With O(append=true), O(remove_permissions) or O(remove_service_roles), the role is read again after the update;
    when another run's update undid this task's entries, they are re-applied onto that version (at most 3 times).
    An exact list is last-writer-wins. See the
    R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  id:
    description:
      - The role's id. One of O(id) and O(name) is required.
    type: str
  name:
    description:
      - The role's internal name (such as V(custom:auditor)) or its display name, which must match exactly one role.
        Names are matched exactly, or ignoring case when nothing matches exactly.
      - An ambiguous name fails and lists the candidates; use the id or internal name then.
    type: str
  display_name:
    description:
      - The desired display name.
    type: str
  permissions:
    description:
      - The desired permissions, such as V(permission/c1.api.iam.v1.Roles.List).
      - The role ends up with exactly these, unless O(append=true).
    type: list
    elements: str
  service_roles:
    description:
      - The desired service roles, such as V(role/c1.api.app.v1.Apps:viewer).
      - The role ends up with exactly these, unless O(append=true).
    type: list
    elements: str
  append:
    description:
      - If V(true), add the entries of O(permissions) and O(service_roles) to what the role already has
        instead of replacing the lists.
    type: bool
    default: false
  remove_permissions:
    description:
      - Permissions to take away from the role, leaving the others as they are.
      - Use it alone or with O(append=true); an exact O(permissions) list already says what to drop.
    type: list
    elements: str
  remove_service_roles:
    description:
      - Service roles to take away from the role, leaving the others as they are.
      - Use it alone or with O(append=true); an exact O(service_roles) list already says what to drop.
    type: list
    elements: str
extends_documentation_fragment:
  - conductorone.iam.connection
  - conductorone.iam.attributes
"""

EXAMPLES = r"""
- name: Make the Auditor role exactly read-only on apps
  conductorone.iam.role:
    name: custom:auditor
    display_name: Auditor
    service_roles:
      - role/c1.api.app.v1.Apps:viewer

- name: Add one permission, keeping the others
  conductorone.iam.role:
    name: Auditor
    permissions:
      - permission/c1.api.iam.v1.Roles.List
    append: true

- name: Take a service role away, keeping the others
  conductorone.iam.role:
    id: 2fCjgK8tYJxV9u8d1wupBMeXZ45
    remove_service_roles:
      - role/c1.api.app.v1.Apps:editor
"""

RETURN = r"""
role:
  description:
    - The role after the change (in check mode, as it would be).
    - Same keys as the elements of RV(conductorone.iam.role_info#module:roles).
  returned: success
  type: dict
  contains:
    id:
      description: The role's id.
      type: str
      sample: 2fCjgK8tYJxV9u8d1wupBMeXZ45
    name:
      description: The role's internal name.
      type: str
      sample: custom:auditor
    display_name:
      description: The name shown in the ConductorOne UI.
      type: str
      sample: Auditor
    permissions:
      description: The permissions the role grants.
      type: list
      elements: str
    service_roles:
      description: The service roles the role grants.
      type: list
      elements: str
    system_builtin:
      description: Whether the role is built in (not editable).
      type: bool
    system_api_only:
      description: Whether the role is meant for API keys only.
      type: bool
    created_at:
      description: When the role was created (RFC 3339).
      type: str
    updated_at:
      description: When the role was last updated (RFC 3339).
      type: str
    deleted_at:
      description: When the role was deleted (RFC 3339), or null.
      type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import ROLE_OPTIONS, ROLE_RULES, Role
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import ModuleRunner, run_resource

ARGUMENT_SPEC = argument_spec(**ROLE_OPTIONS)
ARGUMENT_RULES = ROLE_RULES


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **ARGUMENT_RULES)
    run_resource(ModuleRunner(module), Role)


if __name__ == "__main__":
    main()
