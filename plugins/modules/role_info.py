#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: role_info
short_description: List ConductorOne roles
version_added: 0.1.0
description:
  - Lists the roles of a ConductorOne tenant, following every page, or finds roles by id or name.
  - A filter that matches nothing returns an empty list, not an error.
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  id:
    description:
      - The id of one role. Mutually exclusive with O(name).
    type: str
  name:
    description:
      - Return the roles whose internal name (such as V(system:viewer)) or display name
        (such as V(Read-Only Administrator)) is exactly this. Mutually exclusive with O(id).
    type: str
extends_documentation_fragment:
  - conductorone.iam.connection
  - conductorone.iam.attributes.INFO_MODULE
"""

EXAMPLES = r"""
- name: List every role of the tenant
  conductorone.iam.role_info:
  register: all_roles

- name: Find the Read-Only Administrator role
  conductorone.iam.role_info:
    name: system:viewer
  register: viewer

- name: Show its id
  ansible.builtin.debug:
    msg: "{{ viewer.roles[0].id }}"
"""

RETURN = r"""
roles:
  description: The matching roles; empty when nothing matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The role's id (a 27-character KSUID).
      type: str
      sample: 2fCjgK8tYJxV9u8d1wupBMeXZ45
    name:
      description: The role's internal name.
      type: str
      sample: system:viewer
    display_name:
      description: The name shown in the ConductorOne UI.
      type: str
      sample: Read-Only Administrator
    permissions:
      description: The permissions the role grants.
      type: list
      elements: str
      sample: [permission/c1.api.iam.v1.Roles.List]
    service_roles:
      description: The service roles the role grants.
      type: list
      elements: str
      sample: [role/c1.api.app.v1.Apps:viewer]
    system_builtin:
      description: Whether the role is built in, and therefore cannot be edited.
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
