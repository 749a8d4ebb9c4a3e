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
options:
  state:
    description:
      - V(present) creates the client or converges it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The client's id (such as V(blue-whale-12345)) or its OAuth client id (V(blue-whale-12345@acme.conductor.one/pcc)).
      - Without O(id), O(display_name) identifies the client.
    type: str
  display_name:
    description:
      - The client's display name. Required to create a client.
      - Without O(id) it identifies the client, which must then be the only live client of the caller with
        this name; when several match, the task fails listing their ids.
      - With O(id) it is the desired display name.
    type: str
  allow_source_cidr:
    description:
      - The IPv4 and IPv6 networks the client may be used from. An empty list means anywhere.
      - A bare address means that one address (V(/32) or V(/128)). A network with host bits set, such as
        V(10.1.2.3/24), is refused with the network it probably means.
      - Compared as a set with the server's.
    type: list
    elements: str
  scoped_roles:
    description:
      - Limit the client to these roles (the owner's permissions still apply on top). An empty list means the
        owner's full permissions.
      - Each entry is a role id, internal name (V(system:viewer)) or display name (V(Read-Only Administrator)).
        An unknown or ambiguous role fails before any change.
    type: list
    elements: str
  expires_in:
    description:
      - The lifetime of a new client, such as V(90d), V(12h), V(30m), V(3600s) or a number of seconds.
      - It does not move the expiry of an existing client; a rotated replacement gets it as a fresh lifetime.
      - Without O(expires_in) and O(expires_at) a new client never expires, and a replacement gets the lifetime
        of the client it replaces.
      - Mutually exclusive with O(expires_at).
    type: str
  expires_at:
    description:
      - The absolute expiry time, in RFC 3339 form such as V(2027-06-30T00:00:00Z). Must be in the future.
      - Compared with the server's expiry within 60 seconds, and updated when it differs.
      - Mutually exclusive with O(expires_in).
    type: str
  rotate:
    description:
      - Issue a new secret, make before break. Create a replacement client with the same settings (and a fresh
        lifetime), return its secret, then delete the old client unless O(keep_previous=true).
      - Always reports a change. Mutually exclusive with O(rotate_if_expires_within).
    type: bool
    default: false
  rotate_if_expires_within:
    description:
      - Rotate as with O(rotate), but only when the client expires within this duration (such as V(14d)), so a
        scheduled job is idempotent. A client that never expires is never rotated by this.
    type: str
  keep_previous:
    description:
      - When rotating, keep the old client instead of deleting it, for a gradual switch-over.
      - The old and new clients then share the display name; address them by O(id) afterwards.
    type: bool
    default: false
  secret_path:
    description:
      - A file on the controller to write the new secret to, whenever a client is created or
        rotated. Written atomically with mode V(0600), as JSON with the keys C(id), C(client_id),
        C(client_secret), C(server_url), C(display_name), C(user_id), C(expires_time) and C(created_at).
      - An existing file is overwritten only when it holds the client being rotated, or a client of this tenant that
        is gone and was the caller's (or, owner unknown, had the same display name). A file holding a client of another
        tenant, a live client, or another user's client is refused before any write (use another path, or remove the
        file if that client is gone).
      - Its directory must exist. When set, the secret is left out of the result unless O(return_secret=true).
      - The directory, every directory above it and an existing file must belong to you or root (the rule of the token
        cache), and no directory on the way may be writable by other users unless it is sticky (like C(/tmp)).
        Otherwise the task fails before any write, naming the owner.
      - If the file cannot be written, the new client is deleted again (nobody has its secret) and the task fails.
        If that delete fails too, the secret is returned with the failure in RV(client_secret).
      - If the client exists but the file does not, the module warns that the secret cannot be recovered.
    type: path
  return_secret:
    description:
      - Also return the secret in RV(client_secret) when O(secret_path) is set.
    type: bool
    default: false
extends_documentation_fragment:
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
  returned: success
  type: dict
  contains:
    id:
      description: The client's id.
      type: str
      sample: blue-whale-12345
    client_id:
      description: The OAuth client id to authenticate with.
      type: str
      sample: blue-whale-12345@acme.conductor.one/pcc
    user_id:
      description: The id of the user who owns the client.
      type: str
    display_name:
      description: The display name.
      type: str
      sample: ansible-ci
    allow_source_cidr:
      description: The networks the client may be used from; empty means anywhere.
      type: list
      elements: str
      sample: [203.0.113.0/24]
    scoped_roles:
      description: The ids of the roles the client is limited to; empty means the owner's full permissions.
      type: list
      elements: str
    expires_time:
      description: When the client expires (RFC 3339), or null if never.
      type: str
      sample: "2027-02-25T12:00:00Z"
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client import PERSONAL_CLIENT_OPTIONS, PERSONAL_CLIENT_RULES, PersonalClient
from ansible_collections.conductorone.iam.plugins.module_utils._resources.runner import ModuleRunner, run_resource

ARGUMENT_SPEC = argument_spec(**PERSONAL_CLIENT_OPTIONS)
ARGUMENT_RULES = PERSONAL_CLIENT_RULES


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **ARGUMENT_RULES)
    run_resource(ModuleRunner(module), PersonalClient)


if __name__ == "__main__":
    main()
