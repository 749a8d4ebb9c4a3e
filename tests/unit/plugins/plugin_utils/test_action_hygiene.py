# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The personal_client_hygiene action plugin reuses the module's argument spec and logic, like the others."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.action import personal_client_hygiene as action
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_hygiene import PersonalClientHygiene
from ansible_collections.conductorone.iam.plugins.modules import personal_client_hygiene as module
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction


def test_the_action_plugin_reuses_the_module_spec_rules_and_logic():
    assert issubclass(action.ActionModule, ResourceAction)
    assert action.ActionModule.ARGUMENT_SPEC is module.ARGUMENT_SPEC
    assert action.ActionModule.ARGUMENT_RULES is module.ARGUMENT_RULES
    assert action.ActionModule.RESOURCE is PersonalClientHygiene
