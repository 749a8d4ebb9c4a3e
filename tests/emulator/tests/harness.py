# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Test harness: serve.py subprocesses, and an HTTP helper that checks every answer it gets."""

import sys
from pathlib import Path

import requests

import c1client
import openapi_check

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from support import emulator as support_emulator  # noqa: E402  pylint: disable=wrong-import-position
from support.emulator import SERVE, read_env_file  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import


class Emulator(support_emulator.Emulator):
    """The one emulator wrapper (tests/support/emulator.py), its output on pipes; ``stdout_line`` = its first line.

    ``control`` here asserts the status (``expect``) and answers through requests, as the rest of these tests do.
    """

    def __init__(self, workdir, args=()):
        super().__init__(workdir, args, output='pipe')
        self.stdout_line = None

    def start(self, timeout=20):
        super().start(timeout)
        self.stdout_line = self.proc.stdout.readline().strip()
        return self

    @property
    def verify(self):
        return self.env.get('CONDUCTORONE_CA_PATH', True)

    def control(self, method, name, body=None, timeout=30, expect=200):
        response = requests.request(method, '%s/_emulator/%s' % (self.url, name), json=body, timeout=timeout, verify=self.verify)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response.json()

    def admin_token(self, mode='assertion'):
        return c1client.get_token(self.url, self.client_id, self.client_secret, mode=mode, verify=self.verify)


def check_error_shape(response):
    """Every API error is {code:int, message:"... (request-id: X)", details:[]} with X = X-Request-Id."""
    body = response.json()
    assert set(body) == {'code', 'message', 'details'}, body
    assert isinstance(body['code'], int) and body['details'] == []
    assert body['message'].endswith('(request-id: %s)' % response.headers['X-Request-Id']), body
    return body


class Api:
    """requests against one emulator; validates 200 answers with the OpenAPI spec and errors by shape."""

    def __init__(self, emulator, token=None):
        self.emulator = emulator
        self.url = emulator.url
        self.token = token
        self.session = requests.Session()

    def call(self, method, path, token=None, expect=200, **kwargs):
        headers = kwargs.pop('headers', {})
        use = self.token if token is None else token
        if use:
            headers.setdefault('Authorization', 'Bearer %s' % use)
        # verify per request: a session-level verify loses to $REQUESTS_CA_BUNDLE in requests
        kwargs.setdefault('verify', self.emulator.verify)
        response = self.session.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        assert response.headers.get('X-Request-Id'), 'missing X-Request-Id'
        if response.status_code == 200:
            openapi_check.validate(response)
        elif path.startswith('/api/') and response.headers.get('Content-Type', '').startswith('application/json'):
            check_error_shape(response)
        if expect is not None:
            assert response.status_code == expect, '%s %s -> %s %s' % (method, path, response.status_code, response.text)
        return response

    def get(self, path, **kwargs):
        return self.call('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call('POST', path, json=body if body is not None else {}, **kwargs)

    def delete(self, path, **kwargs):
        return self.call('DELETE', path, **kwargs)

    def credentials(self, **body):
        """A new user + personal client via the control API; returns the control answer plus a token."""
        created = self.emulator.control('POST', 'credentials', body)
        created['token'] = c1client.get_token(self.url, created['clientId'], created['clientSecret'], verify=self.emulator.verify)
        return created

    def roles(self):
        out, token = [], ''
        while True:
            page = self.get('/api/v1/iam/roles', params={'page_size': 100, 'page_token': token}).json()
            out.extend(page['list'])
            token = page['nextPageToken']
            if not token:
                return out

    def role_id(self, name):
        return next(role['id'] for role in self.roles() if role['name'] == name)

    def create_client(self, token=None, expect=200, **body):
        body.setdefault('displayName', 'test client')
        return self.post('/api/v1/iam/personal_clients', body, token=token, expect=expect).json()
