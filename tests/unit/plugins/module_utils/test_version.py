# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_version.COLLECTION_VERSION must be galaxy.yml's version (the User-Agent reports it)."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.conductorone.iam.plugins.module_utils._client import version as _version

# tests/unit/plugins/module_utils/ -> collection root
COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
GALAXY_YML = os.path.join(COLLECTION_ROOT, "galaxy.yml")


def test_collection_version_matches_galaxy_yml():
    if not os.path.exists(GALAXY_YML):
        pytest.skip("galaxy.yml is not there yet")
    with open(GALAXY_YML, encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    assert galaxy["namespace"] == "conductorone"
    assert galaxy["name"] == "iam"
    assert _version.COLLECTION_VERSION == str(galaxy["version"])


def test_user_agent_names_the_collection_version():
    assert _version.USER_AGENT.startswith("conductorone.iam/{0} ".format(_version.COLLECTION_VERSION))
