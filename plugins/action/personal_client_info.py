# -*- coding: utf-8 -*-
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs conductorone.iam.personal_client_info on the controller (see plugin_utils/_action.py).

Its documentation is plugins/modules/personal_client_info.py."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_info import (
    PERSONAL_CLIENT_INFO_ARGUMENT_SPEC, PersonalClientInfo,
)
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction


class ActionModule(ResourceAction):
    ARGUMENT_SPEC = PERSONAL_CLIENT_INFO_ARGUMENT_SPEC
    ARGUMENT_RULES = {}
    RESOURCE = PersonalClientInfo
