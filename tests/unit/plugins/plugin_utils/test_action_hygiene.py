# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The personal_client_hygiene action plugin runs the spec, rules and logic of module_utils/_credential_hygiene.py."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.action import personal_client_hygiene as action
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_hygiene import HYGIENE_ARGUMENT_SPEC, PersonalClientHygiene
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import ResourceAction


def test_the_action_plugin_uses_the_spec_rules_and_logic_of_module_utils():
    assert issubclass(action.ActionModule, ResourceAction)
    assert action.ActionModule.ARGUMENT_SPEC is HYGIENE_ARGUMENT_SPEC
    assert action.ActionModule.ARGUMENT_RULES == {}
    assert action.ActionModule.RESOURCE is PersonalClientHygiene
