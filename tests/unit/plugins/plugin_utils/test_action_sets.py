# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugins' input checks on the items of the set modules."""

from __future__ import annotations

from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_set import PERSONAL_CLIENT_SET_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._resources.role_set import ROLE_SET_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.plugin_utils._action import _not_strings


def test_a_nested_dict_for_a_string_option_of_an_item_is_refused():
    errors = _not_strings(PERSONAL_CLIENT_SET_ARGUMENT_SPEC, {"clients": [{"display_name": {"a": 1}}]})
    assert errors == ["argument 'clients[0].display_name' is of type dict and must be a string"]


def test_a_list_in_a_string_list_of_an_item_is_refused():
    errors = _not_strings(ROLE_SET_ARGUMENT_SPEC, {"roles": [{"name": "x"}, {"name": "y", "permissions": [["p"]]}]})
    assert errors == ["argument 'roles[1].permissions' must be a list of strings; an element is a dict or a list"]
