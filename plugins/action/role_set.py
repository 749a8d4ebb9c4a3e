# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs conductorone.iam.role_set on the controller (see plugin_utils/_action.py); its docs are plugins/modules/role_set.py."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._resources.role_set import ROLE_SET_ARGUMENT_SPEC, RoleSet
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction


class ActionModule(ResourceAction):
    ARGUMENT_SPEC = ROLE_SET_ARGUMENT_SPEC
    ARGUMENT_RULES = {}
    RESOURCE = RoleSet
