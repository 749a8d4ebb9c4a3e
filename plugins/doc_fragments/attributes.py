# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import textwrap


class ModuleDocFragment:
    # What every module shares: it runs on the controller, not asynchronously, and is in the action group.
    SHARED = r"""
action:
  description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
  support: full
  details: The whole module runs on the controller; nothing is executed on the target host.
async:
  description: Supports being used with the C(async) keyword.
  support: none
action_group:
  description: Use C(group/conductorone.iam.all) in C(module_defaults) to set defaults for this module.
  support: full
  membership:
    - conductorone.iam.all
"""

    # Computed (annotated: ansible-test's yamllint reads only plain string assignments in a fragment class).
    # Check mode and diff mode, as every module of this collection supports them.
    DOCUMENTATION: str = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
""" + textwrap.indent(SHARED.lstrip("\n"), "  ")

    # For read-only modules: diff mode does not apply.
    INFO_MODULE: str = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: This module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details: This module never changes anything.
""" + textwrap.indent(SHARED.lstrip("\n"), "  ")
