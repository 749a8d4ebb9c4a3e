# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Response validation against the official (trimmed) IAM OpenAPI spec with openapi-core.

The spec is not part of the repository: it is read from $CONDUCTORONE_OPENAPI_SPEC, defaulting to
<repo>/../shared/reference/conductorone-iam-openapi.yaml.
"""

import os
import re
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[3]
SPEC_PATH = os.environ.get('CONDUCTORONE_OPENAPI_SPEC') or str(REPO.parent / 'shared' / 'reference' / 'conductorone-iam-openapi.yaml')

# The nine operations of the spec: (method, path regex) -> operationId
OPERATIONS = {
    ('POST', r'/api/v1/iam/personal_clients'): 'c1.api.iam.v1.PersonalClientService.Create',
    ('GET', r'/api/v1/iam/personal_clients'): 'c1.api.iam.v1.PersonalClientService.List',
    ('GET', r'/api/v1/iam/personal_clients/[^/]+'): 'c1.api.iam.v1.PersonalClientService.Get',
    ('POST', r'/api/v1/iam/personal_clients/[^/]+'): 'c1.api.iam.v1.PersonalClientService.Update',
    ('DELETE', r'/api/v1/iam/personal_clients/[^/]+'): 'c1.api.iam.v1.PersonalClientService.Delete',
    ('POST', r'/api/v1/search/iam/personal_clients'): 'c1.api.iam.v1.PersonalClientSearchService.Search',
    ('GET', r'/api/v1/iam/roles'): 'c1.api.iam.v1.Roles.List',
    ('GET', r'/api/v1/iam/roles/[^/]+'): 'c1.api.iam.v1.Roles.Get',
    ('POST', r'/api/v1/iam/roles/[^/]+'): 'c1.api.iam.v1.Roles.Update',
}

_LOCK = threading.Lock()
_STATE = {'loaded': False, 'openapi': None, 'reason': None}
VALIDATED = {}
SPEC_HOST = 'https://example.conductor.one'  # the spec's server, https://{tenantDomain}.conductor.one


def operation_id(method, path):
    for (op_method, pattern), op_id in OPERATIONS.items():
        if op_method == method.upper() and re.fullmatch(pattern, path):
            return op_id
    return None


def _load():
    with _LOCK:
        if _STATE['loaded']:
            return
        _STATE['loaded'] = True
        if not os.path.exists(SPEC_PATH):
            _STATE['reason'] = 'OpenAPI spec not found at %s (set CONDUCTORONE_OPENAPI_SPEC)' % SPEC_PATH
            return
        try:
            from openapi_core import OpenAPI  # pylint: disable=import-outside-toplevel
        except ImportError as exc:
            _STATE['reason'] = 'openapi-core is not installed (%s)' % exc
            return
        _STATE['openapi'] = OpenAPI.from_file_path(SPEC_PATH)


def unavailable_reason():
    _load()
    return _STATE['reason']


def validate_exchange(method, url, status, body, content_type):
    """Validate one request/response pair of the nine operations with openapi-core's response
    validation; returns the operationId, or None when not applicable (other path, non-200, no spec)."""
    _load()
    if _STATE['openapi'] is None or status != 200:
        return None
    split = urlsplit(url)
    op_id = operation_id(method, split.path)
    if op_id is None:
        return None
    from openapi_core.testing import MockRequest, MockResponse  # pylint: disable=import-outside-toplevel
    request = MockRequest(SPEC_HOST, method, split.path, args=dict(parse_qsl(split.query)))
    response = MockResponse(body, status_code=status, content_type=content_type.split(';')[0].strip())
    with _LOCK:  # one validation at a time: the spec object is shared between test threads
        _STATE['openapi'].validate_response(request, response)
        VALIDATED[op_id] = VALIDATED.get(op_id, 0) + 1
    return op_id


def validate(response):
    """Validate a requests.Response (see validate_exchange)."""
    return validate_exchange(response.request.method, response.request.url, response.status_code, response.content,
                             response.headers.get('Content-Type', ''))


def validate_httpx(response):
    """An httpx response event hook (for the official SDK's client)."""
    response.read()
    validate_exchange(response.request.method, str(response.request.url), response.status_code, response.content,
                      response.headers.get('Content-Type', ''))
