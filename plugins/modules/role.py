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
    (RV(conductorone.iam.role_info#module:roles[].system_builtin)) cannot be edited at all; a task that would change one fails before any write.
  - Lists are compared as sets. One update is sent, naming exactly the changed fields.
  - With O(append=true), O(remove_permissions) or O(remove_service_roles), the role is read again after the update;
    when another run's update undid this task's entries, they are re-applied onto that version (at most 3 times).
    An exact list is last-writer-wins. See the
    R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
extends_documentation_fragment:
  - conductorone.iam.role
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
"""
