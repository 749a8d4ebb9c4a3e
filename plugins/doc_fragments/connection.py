# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every module (plugins/module_utils/_client/arguments.py).
    DOCUMENTATION = r"""
options:
  client_id:
    description:
      - The OAuth client id of a ConductorOne personal client or service principal credential,
        in the form C(<name>@<tenant host>/pcc), used with O(client_secret); or of a workload federation
        trust, C(<name>@<tenant host>/wfe), used with O(oidc_token).
      - The tenant host in it gives the API URL unless O(server_url) or O(tenant_domain) is set.
      - If not set, the value of the E(CONDUCTORONE_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The client secret that belongs to O(client_id), in the form C(secret-token:conductorone.com:v1:...).
      - It is used to sign a short-lived EdDSA JWT assertion; the secret itself is never sent.
      - If not set, the value of the E(CONDUCTORONE_CLIENT_SECRET) environment variable is used.
    type: str
  access_token:
    description:
      - A bearer access token to use instead of exchanging O(client_id) and O(client_secret) or O(oidc_token).
      - Takes precedence over the client credentials and the OIDC token, as in ConductorOne's own tools. When the
        server refuses it and client credentials or an OIDC token are also set, the module exchanges them for a new
        token once.
      - If not set, the value of the E(CONDUCTORONE_ACCESS_TOKEN) environment variable is used.
    type: str
  oidc_token:
    description:
      - An OIDC identity token (a JWT) of the CI system running the play, such as the ID token of a GitHub Actions job
        or a GitLab CI C(id_tokens) entry, for workload identity federation with no long-lived secret.
      - Exchanged (RFC 8693 token exchange) for an access token with O(client_id), which must be the client id of a
        ConductorOne workload federation trust (C(<name>@<tenant host>/wfe)) whose issuer, audience and conditions
        the token meets.
      - Mutually exclusive with O(client_secret). O(access_token), if also set, is tried first.
      - The token is never sent anywhere else, and neither it nor the access token appears in results or errors. When
        it has expired (its C(exp) claim, read without verifying it), the module says so without sending it.
      - ConductorOne may accept each OIDC token only once. Keep O(token_cache) enabled, so that the tasks of a run
        share one exchange, and give each run a new OIDC token.
      - If not set, the value of the E(CONDUCTORONE_OIDC_TOKEN) environment variable is used.
    type: str
    version_added: 0.2.0
  server_url:
    description:
      - The base URL of the ConductorOne tenant, for example V(https://acme.conductor.one).
      - Required with O(access_token) alone (or O(tenant_domain)); otherwise derived from O(client_id).
      - Mutually exclusive with O(tenant_domain).
      - Only C(https://host[:port]); a user name or password, a path, a query or a fragment is refused.
        Plain C(http://) only to a loopback host (V(127.0.0.1), V(::1), V(localhost)) unless O(allow_plain_http).
      - When O(client_id) is set on the task (or by C(module_defaults)) and the server URL comes from
        E(CONDUCTORONE_SERVER_URL), both must name the same host, or the task fails before any request.
      - If not set, the value of the E(CONDUCTORONE_SERVER_URL) environment variable is used.
    type: str
  tenant_domain:
    description:
      - The ConductorOne tenant, as ConductorOne's Terraform provider and Go SDK take it - a tenant name such as
        V(acme), which stands for V(https://acme.conductor.one), or a domain such as V(acme.conductor.one), which is
        used as is with C(https://).
      - Mutually exclusive with O(server_url); like it, it wins over the tenant host in O(client_id).
      - A value with a user name or password (C(user:password@)) is refused without being repeated, and the password is
        masked in the task's output.
      - If not set, the value of the E(CONDUCTORONE_TENANT_DOMAIN) environment variable is used.
    type: str
    version_added: 0.2.0
  allow_plain_http:
    description:
      - Allow an C(http://) O(server_url) to a host that is not loopback, such as an emulator in a CI service
        container. The credential then travels unencrypted; a warning says so. Never use it for a real tenant.
      - If not set, the value of the E(CONDUCTORONE_ALLOW_PLAIN_HTTP) environment variable is used.
    type: bool
    default: false
    version_added: 0.2.0
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on a trusted network for testing.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server's TLS certificate with, instead of the system's.
      - If not set, the value of the E(CONDUCTORONE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds each request may take as a whole, from connecting through sending it to the last byte of the
        complete response. A server that answers slowly, or trickles its answer a byte at a time, cannot hold a
        task longer. Must be positive.
      - A task's time on one API call is therefore at most O(timeout) times (O(retries) + 1), plus the backoff
        between attempts (each at most 30 seconds, or the server's C(Retry-After) up to 60 seconds).
    type: float
    default: 30
  retries:
    description:
      - How many times to retry a request that failed transiently, with jittered exponential backoff
        and honouring C(Retry-After).
      - HTTP 429 is retried for any request; HTTP 500, 502, 503, 504, timeouts and connection errors only for
        reads and deletes. Creates and updates are never retried blindly.
      - A refused connection or a temporary failure of the name resolver is retried at most once (for any request,
        since nothing was sent); a host name that does not resolve is not retried. The error names the host and port.
    type: int
    default: 4
  max_list_items:
    description:
      - The most items one listing (all pages of roles, personal clients or a search) may return. Past it, or past
        twice as many pages as full pages of 100 would need (2000 pages by default), the task fails naming the
        endpoint and the count, instead of following a server that sends new page tokens forever.
      - The default is far above any real tenant; raise it only if a tenant really has more.
    type: int
    default: 100000
  max_response_bytes:
    description:
      - The largest response body, in bytes after decompression, that is read. A larger answer fails the task,
        naming the endpoint, without reading the rest. The default is 16 MiB, over a hundred times a full page.
    type: int
    default: 16777216
  token_cache:
    description:
      - Reuse the access token exchanged for O(client_id) and O(client_secret) (or O(oidc_token)) across tasks, until
        shortly before it expires, so that a play makes one token exchange instead of one per task.
      - The token is kept in a file readable only by the user (mode V(0600)) in a private directory (mode
        V(0700)), C($XDG_CACHE_HOME/conductorone.iam/tokens) or C(~/.cache/conductorone.iam/tokens), named by a
        hash that reveals neither the client id nor the secret or OIDC token, and deleted as soon as the server
        refuses it. The cache is not used when a directory above it is writable by other users (and not sticky) or
        owned by another user than root, nor across different TLS settings.
      - Set to V(false) to exchange a new token in every task and write nothing.
      - If not set, the value of the E(CONDUCTORONE_TOKEN_CACHE) environment variable is used.
    type: bool
    default: true
notes:
  - This module runs on the Ansible controller (as an action plugin), whatever host the task targets, so
    C(delegate_to) is not needed. Files it reads or writes, such as O(ca_path), are paths on the controller.
    The E(CONDUCTORONE_*) variables are read from the controller's environment and from the task's
    C(environment) keyword.
  - The connection options can be set once for every module with C(module_defaults) and the
    C(group/conductorone.iam.all) action group.
  - When a task (or C(module_defaults)) sets any of O(client_id), O(client_secret), O(oidc_token) or
    O(access_token), the E(CONDUCTORONE_*) variables of all four are ignored, so that an ambient credential
    never mixes with an explicit one. Likewise for O(server_url) and O(tenant_domain).
requirements:
  - requests
  - cryptography (only to authenticate with O(client_id) and O(client_secret))
"""
