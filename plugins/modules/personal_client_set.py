#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: personal_client_set
short_description: Converge all of the caller's ConductorOne personal clients to a declared list
version_added: 0.2.0
description:
  - Creates, updates, rotates and deletes the calling user's personal clients so that they match O(clients), in one
    task. Each item takes the options of M(conductorone.iam.personal_client) and behaves exactly as that module
    would (same checks, same change detection, same exactly-once create and make-before-break rotation).
  - The caller's clients are listed once, and the role catalog is read at most once, for the whole list. An item
    whose declared fields already match costs no request. The writes then run with at most O(parallel) at a time.
  - Every item is checked before any request. Two items naming the same id, the same display name or the same
    O(clients[].secret_path) are refused before any write. Secret paths are compared by the file they name, however
    spelled (a directory reached through a symlink or a bind mount is the same directory).
  - One item's failure (whatever it raised; an unexpected error is reported masked) does not stop the others. The task
    fails at the end, listing each failed item (index, display name, message); RV(results), RV(summary) and
    RV(secrets) still describe what was done and hold every new secret.
  - With O(exclusive=true), the caller's clients that O(clients) does not declare are deleted, except the client
    this task authenticated with and those in O(protected). Nothing is deleted when an item failed.
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
options:
  exclusive:
    description:
      - Also delete the caller's live clients that O(clients) does not declare.
      - Never deletes the client this task authenticated with (the O(client_id) that was exchanged for the token,
        wherever it came from) nor those in O(protected).
      - With a bare O(access_token) the task cannot know which client it runs as; exclusive mode then fails before any
        write unless O(protected) names at least one of the caller's live clients (the one the token belongs to).
      - Nothing is deleted when an item failed.
    type: bool
    default: false
  protected:
    description:
      - Client ids (or OAuth client ids) that O(exclusive) never deletes.
    type: list
    elements: str
    default: []
  secret_dir:
    description:
      - The directory for relative O(clients[].secret_path) values. It must exist.
    type: path
  parallel:
    description:
      - How many writes (creates, updates, deletes) run at the same time. V(1) writes one item after the other.
      - The writes share one access token, one connection pool and the retry policy; a 429 answer with
        C(Retry-After) holds back every write of the task.
    type: int
    default: 8
extends_documentation_fragment:
  - conductorone.iam.personal_client.set_item
  - conductorone.iam.connection
  - conductorone.iam.attributes
notes:
  - Check mode writes nothing and predicts the same changes as a real run.
  - Overlapping runs (on other controllers too) create each display name once. A run that created clients lists
    your clients once more, after all its creates, and keeps the oldest client of each name; an item whose client
    lost deletes it and reports RV(results[].lost_race), without a secret and without failing. See the
    R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
  - Results that carry a new secret are hidden in Ansible's output (as with C(no_log)); O(ignore:register) still
    receives them.
seealso:
  - module: conductorone.iam.personal_client
  - module: conductorone.iam.role_set
"""

EXAMPLES = r"""
- name: Converge the CI credentials, deleting any other client of the caller
  conductorone.iam.personal_client_set:
    clients:
      - display_name: ansible-ci
        allow_source_cidr: [203.0.113.0/24]
        scoped_roles: [Read-Only Administrator]
        expires_in: 90d
        rotate_if_expires_within: 14d
        secret_path: ansible-ci.json
      - display_name: old-deploy-key
        state: absent
    secret_dir: /etc/conductorone
    exclusive: true
  register: converged

- name: Create a credential and keep its secret in a vault in the next task
  conductorone.iam.personal_client_set:
    clients:
      - display_name: provisioning
        expires_in: 30d
  register: provisioning
  no_log: true
"""

RETURN = r"""
results:
  description:
    - One entry per item of O(clients), in order, then one per undeclared client deleted by O(exclusive) (with
      RV(results[].index) null). Never contains a secret.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: The item's index in O(clients), or null for an undeclared client.
      type: int
    display_name:
      description: The item's display name (or id, when it has none and no client was found).
      type: str
    id:
      description: The client's id (null for a client that check mode would create).
      type: str
    action:
      description: What the item needed, V(create), V(update), V(rotate), V(delete) or V(unchanged).
      type: str
    changed:
      description: Whether the item changed something (in check mode, would change).
      type: bool
    rotated_from:
      description: The id of the client that a rotation replaced.
      type: str
      returned: when rotated
    lost_race:
      description:
        - Another run created (or rotated) this item's client at the same time and its client was created first;
          this run deleted its own, holds no secret for the winner, and the item is not changed. See the
          R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
        - The same keys as RV(conductorone.iam.personal_client#module:lost_race).
      type: dict
      returned: when this item lost a race to create or rotate its client
    failed:
      description: True when the item failed.
      type: bool
      returned: when the item failed
    msg:
      description: Why the item failed.
      type: str
      returned: when the item failed
summary:
  description:
    - The display names per outcome, in declaration order, and the errors (what the personal_clients role publishes).
  returned: always
  type: dict
  contains:
    created:
      description: Clients created.
      type: list
      elements: str
    updated:
      description: Clients updated.
      type: list
      elements: str
    rotated:
      description: Clients rotated.
      type: list
      elements: str
    deleted:
      description: Clients deleted (declared absent, or undeclared with O(exclusive)).
      type: list
      elements: str
    unchanged:
      description: Items that needed nothing.
      type: list
      elements: str
    failed:
      description: Items that failed.
      type: list
      elements: str
    errors:
      description: 'One message per failure: C(clients[INDEX] (NAME\): MESSAGE).'
      type: list
      elements: str
    changed:
      description: Whether anything changed.
      type: bool
    check_mode:
      description: Whether this was check mode (the lists then say what a real run would do).
      type: bool
counts:
  description: How many items were created, updated, rotated, deleted, unchanged and failed.
  returned: always
  type: dict
  sample: {created: 1, updated: 0, rotated: 0, deleted: 2, unchanged: 40, failed: 0}
secrets:
  description:
    - The new secrets of clients created or rotated by this task that have no O(clients[].secret_path) (or have
      O(clients[].return_secret=true)), keyed by display name, each with C(id), C(client_id), C(client_secret) and
      C(expires_time). When not empty, Ansible hides the whole result in its output.
    - Also returned when the task fails. A failed item that created a client whose secret reached no file has it
      here too, so a failed task loses no secret. Use C(register) with C(ignore_errors) (or C(failed_when))
      to keep it.
  returned: always
  type: dict
"""
