# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options of one role, written once (plugin_utils/_doc_fragments.py computes both shapes).

``conductorone.iam.role`` takes them as its options (DOCUMENTATION), ``conductorone.iam.role_set`` as the suboptions
of its ``roles`` list (SET_ITEM, referenced as ``conductorone.iam.role.set_item``). The argument spec they document
is ROLE_OPTIONS in plugins/module_utils/_resources/roles.py.
"""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.plugin_utils._doc_fragments import set_item, top_level


class ModuleDocFragment:
    # The source text (YAML, as yamllint checks it): the options of one role.
    OPTIONS = r"""
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
"""

    ROLES = r"""
- The roles to converge, each identified by O(roles[].id) or O(roles[].name).
"""

    # Computed (annotated: ansible-test's yamllint reads only plain string assignments in a fragment class).
    DOCUMENTATION: str = top_level(OPTIONS)
    SET_ITEM: str = set_item("roles", ROLES, OPTIONS)
