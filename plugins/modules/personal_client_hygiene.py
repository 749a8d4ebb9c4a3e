#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: personal_client_hygiene
short_description: Check ConductorOne personal clients against a credential hygiene policy, optionally retire them
version_added: 0.2.0
description:
  - Lists the caller's live personal clients (O(scope=caller)) or every user's (O(scope=tenant), through the admin
    search, which only a Super Administrator may use, with a credential not scoped to a lesser role), checks each against
    O(policy), and returns one RV(violations) row per client that breaks a rule.
  - With O(enforce=true), deletes the caller's own clients that break one of O(delete_rules), by default the expired,
    stale and never-used ones. It never deletes another user's client, the client the run authenticates with
    (O(client_id)), or a client in O(protected). With a bare O(access_token) the run's own client cannot be known,
    so enforcement then refuses to run unless O(protected) names the clients to keep.
  - In check mode nothing is deleted and RV(deleted) lists what a real run would delete.
  - Never returns a secret. The role P(conductorone.iam.credential_hygiene#role) wraps this module into a report
    (fact, JSON file, Markdown or CSV table).
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  policy:
    description:
      - The rules to check. Each key turns a rule on; a rule's key is also the name RV(violations[].rules) gives it.
      - Durations are written as V(90d), V(12h), V(30m), V(3600s), V(1d12h), V(2w) or a number of seconds.
    type: dict
    default: {}
    suboptions:
      expired:
        description:
          - Report clients past their expiry time.
        type: bool
        default: true
      max_age:
        description:
          - Report clients created longer ago than this duration (credentials due for rotation).
        type: str
      max_lifetime:
        description:
          - Report clients whose lifetime (expiry minus creation) is longer than this duration, and clients that
            never expire.
        type: str
      stale_after:
        description:
          - Report clients last used longer ago than this duration; a client never used counts from its creation.
        type: str
      never_used_grace:
        description:
          - Report clients never used and created longer ago than this duration.
        type: str
      require_source_cidr:
        description:
          - Report clients without an allowed source CIDR (usable from any address).
        type: bool
        default: false
      allowed_cidrs:
        description:
          - Report clients that may be used from a network outside these, that is whose allowed source CIDRs are not
            each inside one of these networks. A client without a source CIDR may be used from anywhere, so it breaks
            this rule unless V(0.0.0.0/0) and V(::/0) are listed. An empty list turns the rule off.
        type: list
        elements: str
      require_scoped_roles:
        description:
          - Report clients without scoped roles (they hold every permission of their owner).
        type: bool
        default: false
  scope:
    description:
      - V(caller) checks the calling user's clients; V(tenant) checks every user's through the admin search (Super
        Administrator only).
    type: str
    choices: [caller, tenant]
    default: caller
  user_ids:
    description:
      - With O(scope=tenant), only the clients of these users (user ids).
    type: list
    elements: str
  enforce:
    description:
      - Delete the caller's own clients that break one of O(delete_rules). Other users' clients are reported only.
    type: bool
    default: false
  delete_rules:
    description:
      - The rules whose violation makes O(enforce=true) delete a client. At least one of them must be set in O(policy).
    type: list
    elements: str
    choices: [expired, max_age, max_lifetime, stale_after, never_used_grace, require_source_cidr, allowed_cidrs,
              require_scoped_roles]
    default: [expired, stale_after, never_used_grace]
  protected:
    description:
      - Ids or OAuth client ids of clients O(enforce=true) never deletes, in addition to the client the run
        authenticates with.
      - Required for O(enforce=true) when the run authenticates with an O(access_token), and must then name at least
        one of the caller's own clients (the rule of O(conductorone.iam.personal_client_set#module:exclusive) too).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - conductorone.iam.connection
  - conductorone.iam.attributes
notes:
  - The times are those ConductorOne records; RV(violations[].last_used_at) is null for a client never used.
seealso:
  - module: conductorone.iam.personal_client_info
  - module: conductorone.iam.personal_client
"""

EXAMPLES = r"""
- name: Report every user's risky personal clients (Super Administrator)
  conductorone.iam.personal_client_hygiene:
    scope: tenant
    policy:
      max_lifetime: 90d
      stale_after: 30d
      never_used_grace: 7d
      require_scoped_roles: true
      allowed_cidrs: [10.0.0.0/8]
  register: hygiene

- name: Delete my expired, stale and never-used clients (never the one this play runs as)
  conductorone.iam.personal_client_hygiene:
    enforce: true
    policy:
      stale_after: 30d
      never_used_grace: 7d
"""

RETURN = r"""
checked_at:
  description: The time the policy was evaluated at (RFC 3339, UTC).
  returned: success
  type: str
  sample: "2026-12-01T19:30:00Z"
scope:
  description: The scope checked, O(scope).
  returned: success
  type: str
  sample: tenant
policy:
  description: The rules in force, durations in seconds; rules that are off are left out.
  returned: success
  type: dict
  sample: {"expired": true, "stale_after": 2592000}
clients_checked:
  description: How many live clients were checked.
  returned: success
  type: int
  sample: 12
rule_counts:
  description: For each rule in force, how many clients break it.
  returned: success
  type: dict
  sample: {"expired": 1, "stale_after": 3}
violations:
  description:
    - One row per client that breaks at least one rule, ordered by owner, display name and id.
  returned: success
  type: list
  elements: dict
  contains:
    owner:
      description: The user id of the client's owner.
      type: str
    display_name:
      description: The client's display name.
      type: str
    id:
      description: The client's id.
      type: str
      sample: blue-whale-12345
    client_id:
      description: The OAuth client id.
      type: str
    rules:
      description: The names of the rules the client breaks, in the order of O(policy)'s documentation.
      type: list
      elements: str
      sample: [stale_after, require_scoped_roles]
    created_at:
      description: When the client was created (RFC 3339).
      type: str
    last_used_at:
      description: When the client was last used (RFC 3339), or null if never.
      type: str
    expires_time:
      description: When the client expires (RFC 3339), or null if never.
      type: str
    age_days:
      description: Whole days since creation.
      type: int
    days_since_last_use:
      description: Whole days since the last use; null when never used.
      type: int
    days_until_expiry:
      description: Whole days until expiry, negative once expired; null when it never expires.
      type: int
    unscoped:
      description: True when the client has no scoped roles.
      type: bool
    unrestricted_source:
      description: True when the client has no allowed source CIDR.
      type: bool
deleted:
  description:
    - With O(enforce=true), the clients deleted (in check mode, those a real run would delete), each with C(id),
      C(display_name), C(owner) and the O(delete_rules) it broke as C(rules).
  returned: success
  type: list
  elements: dict
  sample: [{"id": "blue-whale-12345", "display_name": "old ci", "owner": "2RUd...", "rules": ["stale_after"]}]
kept:
  description:
    - With O(enforce=true), the clients that broke one of O(delete_rules) but were not deleted, each with C(id),
      C(display_name), C(owner) and a C(reason) (protected, or another user's).
  returned: success
  type: list
  elements: dict
report_markdown:
  description:
    - The report as Markdown, as the C(conductorone.iam.credential_hygiene) role writes and prints it. A summary
      line, one table row per violating client and, with O(enforce=true), what was deleted and kept.
    - Every value the server supplied (display names, ids, owners, dates) renders literally, whatever it holds
      (shown as text); HTML is entity-escaped, link, image, emphasis, code and table syntax backslash-escaped, and
      control characters shown as escapes such as C(\x1b).
  returned: success
  type: str
report_csv:
  description:
    - The report as CSV, one row per violating client (owner, display name, id, client id, rules, created, last
      used, expires). Every cell is quoted; a cell a spreadsheet could read as a formula (starting with C(=),
      C(+), C(-), C(@), their full-width forms, any of those after leading blanks, or a tab, CR or LF) is
      prefixed with an apostrophe, as OWASP recommends; control characters are shown as escapes such as C(\x1b).
  returned: success
  type: str
"""
