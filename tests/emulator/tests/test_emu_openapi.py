# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Every one of the nine operations answers what the official OpenAPI spec describes.

(The harness validates every 200 answer of every test; this module makes sure all nine are covered,
including empty and edge-case bodies, and fails loudly if the validator itself is broken.)
"""

import copy
import json

import pytest

import openapi_check

REASON = openapi_check.unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or '')

PC = '/api/v1/iam/personal_clients'


def validated(response):
    op_id = openapi_check.validate(response)
    assert op_id is not None, 'not one of the nine operations: %s' % response.request.url
    return op_id


def test_all_nine_operations_validate(api):
    seen = set()
    viewer = api.role_id('system:viewer')
    created = api.post(PC, {'displayName': 'spec', 'expires': '60s', 'allowSourceCidr': ['10.0.0.0/8'], 'scopedRoles': [viewer]})
    seen.add(validated(created))
    client = created.json()['client']
    seen.add(validated(api.get(PC)))
    seen.add(validated(api.get(PC + '/' + client['id'])))
    seen.add(validated(api.post(PC + '/' + client['id'], {'client': {'displayName': 'spec2'}, 'updateMask': 'displayName'})))
    seen.add(validated(api.post('/api/v1/search/iam/personal_clients', {'query': 'spec'})))
    seen.add(validated(api.delete(PC + '/' + client['id'])))
    roles = api.get('/api/v1/iam/roles', params={'page_size': 10})
    seen.add(validated(roles))
    role = next(r for r in api.roles() if not r['systemBuiltin'])
    seen.add(validated(api.get('/api/v1/iam/roles/' + role['id'])))
    seen.add(validated(api.post('/api/v1/iam/roles/' + role['id'], {'role': {'displayName': 'Spec'}, 'updateMask': 'displayName'})))
    assert seen == set(openapi_check.OPERATIONS.values())


def test_empty_list_validates(api):
    nothing = api.post('/api/v1/search/iam/personal_clients', {'query': 'no such client anywhere'})
    validated(nothing)
    assert nothing.json() == {'list': [], 'nextPageToken': ''}


def test_validator_catches_a_wrong_body(api):
    response = api.get('/api/v1/iam/roles')
    broken = copy.deepcopy(response.json())
    broken['list'][0]['createdAt'] = 'yesterday'
    response._content = json.dumps(broken).encode('utf-8')  # pylint: disable=protected-access
    with pytest.raises(Exception):  # openapi-core's InvalidData
        openapi_check.validate(response)
