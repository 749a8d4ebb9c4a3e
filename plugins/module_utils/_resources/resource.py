# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""``Resource``: the base of every module's logic, which sees only a runner (see ``runner.py``).

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import typing as t

from ansible_collections.conductorone.iam.plugins.module_utils._client.api import ApiClient, IamApi

if t.TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import Runner


class Resource:
    """Base of every module's logic: ``run()`` returns the result dict, or raises InputError/ConductorOneError.

    The API client is built on first use, so input validation that needs no API runs before any request.
    """

    def __init__(self, runner: Runner, api: t.Optional[IamApi] = None) -> None:
        self.runner = runner
        self.params: t.Dict[str, t.Any] = runner.params
        self._api = api

    @property
    def api(self) -> IamApi:
        if self._api is None:
            self._api = IamApi(ApiClient(self.params, warn=self.runner.warn))
        return self._api

    def run(self) -> t.Dict[str, t.Any]:
        raise NotImplementedError
