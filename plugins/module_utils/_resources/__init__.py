# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The resources layer: each module's logic, on top of the client layer (``.._client``).

Private to this collection, with no compatibility promise: anything here may change or go in any release.

``resource`` (the base of a module's logic) and ``runner`` (running it under a module or an action plugin);
one file per module's logic (``roles``, ``role_set``, ``personal_client``, ``personal_client_info``,
``personal_client_set``, ``personal_client_hygiene``) and the parts they share (``personal_client_*``,
``secret_file``, ``hygiene_rules``, ``set_converge``, ``normalize``).
"""
