#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: personal_client_info
short_description: List ConductorOne personal clients (API credentials)
version_added: 0.1.0
description:
  - Lists the calling user's live personal clients, following every page, optionally filtered.
  - With O(all_users=true), lists every user's clients through the admin search. Only a Super Administrator may list
    other users' clients (ConductorOne documents that only Super Administrators can view API keys other than their
    own), and the credential must not be scoped to a role without that right (such as Read-Only Administrator);
    otherwise the search is refused with HTTP 403.
  - Filters combine with each other (a client is returned when it matches all of them), with O(all_users) and with
    O(user_ids). Each client comes with computed credential hygiene fields (age, days since last use, days until
    expiry, unscoped, unrestricted source); for a policy and a report, see M(conductorone.iam.personal_client_hygiene).
  - Never returns a secret; ConductorOne returns secrets only when a client is created.
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  id:
    description:
      - Only the client with this id or OAuth client id.
    type: str
  display_name:
    description:
      - Only clients with exactly this display name.
    type: str
  expires_within:
    description:
      - Only clients that expire within this duration from now, such as V(30d) (already expired ones included),
        for audits of soon-to-expire credentials. Clients that never expire are left out.
    type: str
  unused_for:
    description:
      - Only clients last used longer ago than this duration, such as V(90d); a client never used counts from
        its creation. For stale-credential reports.
    type: str
    version_added: 0.2.0
  never_used:
    description:
      - V(true) for only the clients that were never used, V(false) for only those that were.
    type: bool
    version_added: 0.2.0
  unscoped:
    description:
      - V(true) for only the clients without scoped roles (they hold every permission of their owner),
        V(false) for only scoped ones.
    type: bool
    version_added: 0.2.0
  unrestricted_source:
    description:
      - V(true) for only the clients without an allowed source CIDR (usable from any address),
        V(false) for only restricted ones.
    type: bool
    version_added: 0.2.0
  older_than:
    description:
      - Only clients created longer ago than this duration, such as V(180d).
    type: str
    version_added: 0.2.0
  all_users:
    description:
      - Search the clients of every user instead of the caller's own. Needs a Super Administrator's credential whose
        scope (if any) includes Super Administrator.
      - Combines with every filter; all filters must match.
    type: bool
    default: false
  query:
    description:
      - With O(all_users=true), a text to match in display names.
    type: str
  user_ids:
    description:
      - With O(all_users=true), only the clients of these users (user ids).
    type: list
    elements: str
extends_documentation_fragment:
  - conductorone.iam.connection
  - conductorone.iam.attributes.INFO_MODULE
seealso:
  - module: conductorone.iam.personal_client
"""

EXAMPLES = r"""
- name: My clients that expire within 30 days
  conductorone.iam.personal_client_info:
    expires_within: 30d
  register: expiring

- name: Every user's clients named like "ci" (Super Administrator)
  conductorone.iam.personal_client_info:
    all_users: true
    query: ci
  register: ci_clients

- name: Every user's clients unused for 90 days that hold their owner's full permissions (Super Administrator)
  conductorone.iam.personal_client_info:
    all_users: true
    unused_for: 90d
    unscoped: true
  register: stale_unscoped

- name: Print who owns them and for how long they have been idle
  ansible.builtin.debug:
    msg: "{{ item.user_id }} {{ item.display_name }}: {{ 'never used' if item.days_since_last_use is none else 'idle ' ~ item.days_since_last_use ~ ' days' }}"
  loop: "{{ stale_unscoped.personal_clients }}"
"""

RETURN = r"""
personal_clients:
  description:
    - The matching clients; empty when nothing matches.
    - Each has the keys of RV(conductorone.iam.personal_client#module:personal_client), plus the computed
      hygiene fields RV(personal_clients[].age_days), RV(personal_clients[].days_since_last_use),
      RV(personal_clients[].days_until_expiry), RV(personal_clients[].unscoped) and
      RV(personal_clients[].unrestricted_source).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The client's id.
      type: str
      sample: blue-whale-12345
    client_id:
      description: The OAuth client id.
      type: str
      sample: blue-whale-12345@acme.conductor.one/pcc
    user_id:
      description: The id of the user who owns the client.
      type: str
    display_name:
      description: The display name.
      type: str
    allow_source_cidr:
      description: The networks the client may be used from; empty means anywhere.
      type: list
      elements: str
    scoped_roles:
      description: The ids of the roles the client is limited to; empty means the owner's full permissions.
      type: list
      elements: str
    expires_time:
      description: When the client expires (RFC 3339), or null if never.
      type: str
    created_at:
      description: When the client was created (RFC 3339).
      type: str
    updated_at:
      description: When the client was last updated (RFC 3339).
      type: str
    last_used_at:
      description: When the client was last used (RFC 3339), or null.
      type: str
    deleted_at:
      description: When the client was deleted (RFC 3339), or null.
      type: str
    age_days:
      description: Whole days since the client was created, at the time of the task.
      type: int
      sample: 120
      version_added: 0.2.0
    days_since_last_use:
      description: Whole days since the client was last used; null when it was never used.
      type: int
      sample: 3
      version_added: 0.2.0
    days_until_expiry:
      description:
        - Whole days until the client expires (rounded down, so negative once it has expired); null when it never
          expires.
      type: int
      sample: 29
      version_added: 0.2.0
    unscoped:
      description: True when the client has no scoped roles, so it holds every permission of its owner.
      type: bool
      version_added: 0.2.0
    unrestricted_source:
      description: True when the client has no allowed source CIDR, so it can be used from any address.
      type: bool
      version_added: 0.2.0
"""
