#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: personal_client
short_description: Create, update, rotate and delete ConductorOne personal clients (API credentials)
version_added: 0.1.0
description:
  - Manages a personal client of the calling user, the OAuth client credentials ConductorOne calls an API key.
  - ConductorOne returns a client's secret only once, when the client is created. This module hands it over
    exactly once, in RV(client_secret) or in the file O(secret_path), and never in diffs, warnings or
    RV(personal_client).
  - Only the options you set are managed. A second identical run reports no change and makes no write.
  - A create is never retried blindly. If its response is lost, the module looks for the client it may have
    created, deletes it (nobody has its secret) and creates once more, or fails naming it. After a timeout, when
    the server may still be creating the client, it keeps looking for up to O(timeout) seconds and fails rather
    than create a second client if none appears.
author:
  - ConductorOne IAM collection maintainers (@conductorone-community)
extends_documentation_fragment:
  - conductorone.iam.personal_client
  - conductorone.iam.connection
  - conductorone.iam.attributes
notes:
  - Check mode writes nothing, no secret file either, and predicts the same change as a real run.
  - With O(state=absent) on a client that does not exist, nothing changes.
  - Overlapping runs (on other controllers too) create a display name once. After a create the module lists your
    clients again and keeps the oldest client of that name; a run whose client lost deletes it, returns
    RV(lost_race) and no secret, and does not fail. The secret is delivered only after that check. See the
    R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
seealso:
  - module: conductorone.iam.personal_client_info
  - module: conductorone.iam.role_info
"""

EXAMPLES = r"""
- name: Create (once) a CI credential limited to the build network, secret written to a file
  conductorone.iam.personal_client:
    display_name: ansible-ci
    allow_source_cidr:
      - 203.0.113.0/24
    scoped_roles:
      - Read-Only Administrator
    expires_in: 90d
    secret_path: /etc/conductorone/ansible-ci.json
  no_log: true

- name: Rotate it when it gets within two weeks of expiry (idempotent in a scheduled job)
  conductorone.iam.personal_client:
    display_name: ansible-ci
    rotate_if_expires_within: 14d
    expires_in: 90d
    secret_path: /etc/conductorone/ansible-ci.json
  no_log: true

- name: Create a credential and use its secret right away
  conductorone.iam.personal_client:
    display_name: provisioning
    expires_at: "2027-06-30T00:00:00Z"
  register: provisioning
  no_log: true

- name: Delete it
  conductorone.iam.personal_client:
    id: "{{ provisioning.personal_client.id }}"
    state: absent
"""

RETURN = r"""
personal_client:
  description:
    - The client after the task (in check mode, as it would be; a client that check mode would create has no
      id yet). Empty after deleting nothing. Never contains the secret.
    - The keys of the elements of RV(conductorone.iam.personal_client_info#module:personal_clients), without the
      computed ones (RV(conductorone.iam.personal_client_info#module:personal_clients[].age_days) and those after it).
  returned: success
  type: dict
client_secret:
  description:
    - The new client's secret. ConductorOne never returns it again.
    - Use O(ignore:no_log=true) on the task, or O(secret_path).
  returned: >-
    when a client was created or rotated (not in check mode), and O(secret_path) is not set or O(return_secret=true);
    also when the task fails after the client was created and before its secret reached O(secret_path)
  type: str
  sample: "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1Ai..."
rotated_from:
  description: The id of the client that was replaced.
  returned: when the client was rotated (also in check mode)
  type: str
  sample: strange-hydra-68836
lost_race:
  description:
    - Another run created (or rotated) a client of this display name at the same time, and its client was
      created first, so it is kept (RV(personal_client) is that client). This run deleted the client it had
      created, holds no secret for the winner and reports C(changed=false). See the
      R(overlapping runs guide,ansible_collections.conductorone.iam.docsite.guide_concurrency).
  returned: when this run lost a race to create or rotate the client
  type: dict
  contains:
    winner:
      description: The id of the client that is kept (created by the other run).
      type: str
    deleted:
      description: The id of the client this run created and deleted again.
      type: str
"""
