# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""ConductorOne client ids (``<name>@<tenant host>/<use case>``): the one place that takes them apart.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations


def cutename(ref: str) -> str:
    """``blue-whale-12345`` from either the id or the OAuth client id ``blue-whale-12345@host/pcc``."""
    return ref.split("@", 1)[0].strip()
