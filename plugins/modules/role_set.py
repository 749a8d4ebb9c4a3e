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
  parallel:
    description:
      - How many updates run at the same time; V(1) updates one role after the other.
    type: int
    default: 8
extends_documentation_fragment:
  - conductorone.iam.role.set_item
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
