#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: role_set
short_description: Converge several ConductorOne roles to declared baselines in one task
version_added: 0.2.0
description:
  - Updates existing roles so that each matches its item of O(roles). Each item takes the options of
    M(conductorone.iam.role) and behaves exactly as that module would (same checks, same name resolution with its
    case-insensitive fallback, same change detection; built-in roles cannot be edited).
  - The role catalog is read once for the whole list; an item whose declared fields already match costs no request.
    The updates then run with at most O(parallel) at a time.
  - Every item is checked before any request; a role declared twice is refused.
  - One item's failure does not stop the others. The task fails at the end, listing each failed item.
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  roles:
    description:
      - The roles to converge, each identified by O(roles[].id) or O(roles[].name).
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description:
          - The role's id.
        type: str
      name:
        description:
          - The role's internal name or display name (exactly, or ignoring case when nothing matches exactly).
        type: str
      display_name:
        description:
          - The desired display name.
        type: str
      permissions:
        description:
          - The desired permissions; exactly these unless O(roles[].append=true).
        type: list
        elements: str
      service_roles:
        description:
          - The desired service roles; exactly these unless O(roles[].append=true).
        type: list
        elements: str
      append:
        description:
          - Add the listed entries to what the role has instead of replacing its lists.
        type: bool
        default: false
      remove_permissions:
        description:
          - Permissions to take away, leaving the others.
        type: list
        elements: str
      remove_service_roles:
        description:
          - Service roles to take away, leaving the others.
        type: list
        elements: str
  parallel:
    description:
      - How many updates run at the same time; V(1) updates one role after the other.
    type: int
    default: 8
extends_documentation_fragment:
  - conductorone.iam.connection
  - conductorone.iam.attributes
notes:
  - Check mode writes nothing and predicts the same changes as a real run.
  - Items with C(append=true) or C(remove_*) are read again after their update and re-applied when another run's
    update undid them (at most 3 times); exact lists are last-writer-wins. See the
    R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
seealso:
  - module: conductorone.iam.role
  - module: conductorone.iam.personal_client_set
"""

EXAMPLES = r"""
- name: Converge the custom roles' baselines
  conductorone.iam.role_set:
    roles:
      - name: custom:auditor
        display_name: Auditor
        service_roles: [role/c1.api.app.v1.Apps:viewer]
      - name: Operators
        permissions: [permission/c1.api.iam.v1.Roles.List]
        append: true
  register: roles
"""

RETURN = r"""
results:
  description: One entry per item of O(roles), in order.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: The item's index in O(roles).
      type: int
    display_name:
      description: The item's O(roles[].name) (or O(roles[].id)).
      type: str
    id:
      description: The role's id.
      type: str
    action:
      description: V(update) or V(unchanged).
      type: str
    changed:
      description: Whether the item changed the role (in check mode, would change).
      type: bool
    failed:
      description: True when the item failed.
      type: bool
      returned: when the item failed
    msg:
      description: Why the item failed.
      type: str
      returned: when the item failed
summary:
  description: The names per outcome, in declaration order, and the errors (what the custom_roles role publishes).
  returned: always
  type: dict
  contains:
    updated:
      description: Roles updated.
      type: list
      elements: str
    unchanged:
      description: Roles that needed nothing.
      type: list
      elements: str
    failed:
      description: Items that failed.
      type: list
      elements: str
    errors:
      description: 'One message per failure: C(roles[INDEX] (NAME\): MESSAGE).'
      type: list
      elements: str
    changed:
      description: Whether anything changed.
      type: bool
    check_mode:
      description: Whether this was check mode.
      type: bool
counts:
  description: How many roles were updated, unchanged and failed.
  returned: always
  type: dict
  sample: {updated: 1, unchanged: 9, failed: 0}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.set_converge import DEFAULT_PARALLEL
from ansible_collections.conductorone.iam.plugins.module_utils._resources.role_set import RoleSet
from ansible_collections.conductorone.iam.plugins.module_utils._resources.roles import ROLE_OPTIONS, ROLE_RULES
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import ModuleRunner, run_resource

ARGUMENT_SPEC = argument_spec(
    roles=dict({"type": "list", "elements": "dict", "required": True, "options": ROLE_OPTIONS}, **ROLE_RULES),
    parallel={"type": "int", "default": DEFAULT_PARALLEL},
)
ARGUMENT_RULES = {}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **ARGUMENT_RULES)
    run_resource(ModuleRunner(module), RoleSet)


if __name__ == "__main__":
    main()
