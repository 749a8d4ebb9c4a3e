# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The client layer: everything between a module's options and the ConductorOne API.

Private to this collection, with no compatibility promise: anything here may change or go in any release.

``arguments`` (connection options) -> ``url`` (where requests go, the tenant) and ``client_id`` -> ``auth``
(credentials, token exchange) with ``token_cache`` -> ``http`` (transport, retries) -> ``api`` (the typed calls).
``errors`` and ``masking`` are used by every layer. Nothing here knows a module or a resource.
"""
