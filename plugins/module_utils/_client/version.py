# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The collection's version, kept in step with galaxy.yml (a unit test checks that).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

COLLECTION_VERSION = "0.2.0"
USER_AGENT = "conductorone.iam/{0} (Ansible collection; +https://galaxy.ansible.com/conductorone/iam)".format(COLLECTION_VERSION)
