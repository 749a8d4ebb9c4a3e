# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options of one personal client, written once (plugin_utils/_doc_fragments.py computes both shapes).

``conductorone.iam.personal_client`` takes them as its options (DOCUMENTATION), ``conductorone.iam.personal_client_set``
as the suboptions of its ``clients`` list (SET_ITEM, referenced as ``conductorone.iam.personal_client.set_item``).
The argument spec they document is PERSONAL_CLIENT_OPTIONS in plugins/module_utils/_resources/personal_client.py.
"""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.plugin_utils._doc_fragments import set_item, top_level


class ModuleDocFragment:
    # The source text (YAML, as yamllint checks it): the options of one personal client.
    OPTIONS = r"""
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
"""

    CLIENTS = r"""
- The personal clients of the caller that should exist (or, with O(clients[].state=absent), should not).
- Each item is identified by O(clients[].id), or else by O(clients[].display_name), which must then name at
  most one live client. An item by display name declares every live client of that name.
"""

    # Computed (annotated: ansible-test's yamllint reads only plain string assignments in a fragment class).
    DOCUMENTATION: str = top_level(OPTIONS)
    # personal_client_set returns the secrets of its items in RV(secrets), and resolves relative paths in secret_dir
    SET_ITEM: str = set_item("clients", CLIENTS, OPTIONS, replacements={"RV(client_secret)": "RV(secrets)"},
                             additions={"secret_path": ["A relative path is relative to O(secret_dir)."]})
