# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""HTTP layer: routing in the manner of grpc-gateway, request ids, faults, the request log."""

import email.utils
import json
import re
import socket
import ssl
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import api, controls, defaults, oauth, proto
from .errors import ApiError, INTERNAL, NOT_FOUND, OAuthError, UNIMPLEMENTED, code_for_http
from .util import ksuid

TOKEN_PATH = '/auth/v1/token'
CONTROL_PREFIX = '/_emulator/'


def _route(method, template, operation, permission):
    pattern = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template)
    return method, re.compile('^%s$' % pattern), operation, permission


ROUTES = [
    _route('GET', '/api/v1/auth/introspect', api.introspect, defaults.INTROSPECT),
    _route('GET', '/api/v1/iam/personal_clients', api.pc_list, defaults.PC_LIST),
    _route('POST', '/api/v1/iam/personal_clients', api.pc_create, defaults.PC_CREATE),
    _route('GET', '/api/v1/iam/personal_clients/{id}', api.pc_get, defaults.PC_GET),
    _route('POST', '/api/v1/iam/personal_clients/{id}', api.pc_update, defaults.PC_UPDATE),
    _route('DELETE', '/api/v1/iam/personal_clients/{id}', api.pc_delete, defaults.PC_DELETE),
    _route('POST', '/api/v1/search/iam/personal_clients', api.pc_search, defaults.PC_SEARCH),
    _route('GET', '/api/v1/iam/roles', api.roles_list, defaults.ROLES_LIST),
    _route('GET', '/api/v1/iam/roles/{role_id}', api.roles_get, defaults.ROLES_GET),
    _route('POST', '/api/v1/iam/roles/{role_id}', api.roles_update, defaults.ROLES_UPDATE),
]

QUERY_ALIASES = {'page_size': 'pageSize', 'pageSize': 'pageSize', 'page_token': 'pageToken', 'pageToken': 'pageToken'}


class Response:
    """What a handler decided to answer."""

    def __init__(self, status, body, content_type='application/json', headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
        self.content_type = content_type
        self.headers = headers or []


def strip_fields(response, fields):
    """A 2xx JSON answer without the top-level ``fields`` (None: all of them, ``{}``); other answers unchanged."""
    if not 200 <= response.status < 300 or response.content_type != 'application/json':
        return response
    body = json.loads(response.body.decode('utf-8'))
    if isinstance(body, dict):
        body = {} if fields is None else {key: value for key, value in body.items() if key not in fields}
    return Response(response.status, body, headers=response.headers)


def gateway_error(code, message, request_id, http_status):
    body = {'code': code, 'message': '%s (request-id: %s)' % (message, request_id), 'details': []}
    return Response(http_status, body)


class App:
    """Everything a request handler needs: the store, faults and the public URL."""

    def __init__(self, store, faults, url='', verbose=False):
        self.store = store
        self.faults = faults
        self.url = url
        self.verbose = verbose

    def handle_api(self, method, target, headers, raw, source_ip, request_id):
        """Serve one non-control request and return a Response."""
        split = urlsplit(target)
        path = split.path
        if path.startswith('/api/') and len(path) > 1 and path.endswith('/'):
            location = path.rstrip('/') + ('?' + split.query if split.query else '')
            body = ('<a href="%s">Moved Permanently</a>.\n' % location).encode('utf-8')
            return Response(301, body, 'text/html; charset=utf-8', [('Location', location)])
        if path == TOKEN_PATH:
            return self._token(method, headers, raw, source_ip)
        matched, params, route = False, None, None
        for route_method, pattern, operation, permission in ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            matched = True
            if route_method == method:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                route = (operation, permission)
                break
        if not matched:
            return gateway_error(NOT_FOUND, 'Not Found', request_id, 404)
        if route is None:
            return gateway_error(UNIMPLEMENTED, 'Method Not Allowed', request_id, 501)
        for name, values in parse_qs(split.query, keep_blank_values=True).items():
            alias = QUERY_ALIASES.get(name)
            if alias and alias not in params:
                params[alias] = values[0]
        operation, permission = route
        try:
            with self.store.lock:
                caller = api.authenticate(self.store, headers.get('Authorization'), source_ip)
                api.require(caller, permission)
                body = proto.parse_body(raw) if method != 'GET' else {}
                return Response(200, operation(self.store, caller, params, body))
        except ApiError as exc:
            return gateway_error(exc.code, exc.message, request_id, exc.http_status)

    def _token(self, method, headers, raw, source_ip):
        if method != 'POST':
            return Response(405, {'error': 'invalid_request', 'error_description': 'use POST'}, headers=[('Allow', 'POST')])
        no_store = [('Cache-Control', 'no-store'), ('Pragma', 'no-cache')]
        try:
            result = oauth.issue(self.store, headers.get('Content-Type'), raw, headers.get('Host'), source_ip)
        except OAuthError as exc:
            return Response(exc.http_status, {'error': exc.error, 'error_description': exc.description}, headers=no_store)
        return Response(200, result, headers=no_store)


def fault_response(fault, request_id):
    status = fault['status']
    headers = [('Retry-After', fault['retry_after'])] if fault.get('retry_after') else []
    if fault.get('retry_after_date_in') is not None:  # HTTP date (whole seconds): (N - 1, N] s from now
        headers = [('Retry-After', email.utils.formatdate(time.time() + fault['retry_after_date_in'], usegmt=True))]
    if fault['kind'] == 'html':
        body = fault.get('body') or '<html><head><title>%d</title></head><body><h1>%d</h1><p>injected fault</p></body></html>' % (status, status)
        return Response(status, body.encode('utf-8'), 'text/html; charset=utf-8', headers)
    if fault.get('body') is not None:
        return Response(status, fault['body'], headers=headers)
    response = gateway_error(fault.get('code', code_for_http(status)), fault.get('message', 'injected fault'), request_id, status)
    response.headers = headers
    return response


class Handler(BaseHTTPRequestHandler):
    """One connection; keep-alive HTTP/1.1."""

    protocol_version = 'HTTP/1.1'
    server_version = 'c1-emulator/1.0'
    timeout = 120

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.app.verbose:
            super().log_message(format, *args)

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        if length < 0:
            raise ValueError('negative Content-Length')
        return self.rfile.read(length) if length else b''

    def _send(self, response, request_id):
        self.send_response(response.status)
        self.send_header('Content-Type', response.content_type)
        self.send_header('Content-Length', str(len(response.body)))
        self.send_header('X-Request-Id', request_id)
        for name, value in response.headers:
            self.send_header(name, value)
        # headers and body in one write: a separate small body write would wait for a delayed ACK
        self._headers_buffer.append(b'\r\n')
        if self.command != 'HEAD':
            self._headers_buffer.append(response.body)
        self.flush_headers()

    def _drop(self):
        self.close_connection = True

    def _serve(self):
        app = self.server.app
        request_id = ksuid()
        method = self.command.upper()
        split = urlsplit(self.path)
        path = split.path
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(gateway_error(3, 'invalid request body framing', request_id, 400), request_id)
            return
        source_ip = self.client_address[0]
        if path.startswith(CONTROL_PREFIX):
            try:
                status, body = controls.handle(app, method, path, raw)
                response = Response(status, body)
            except controls.ControlError as exc:
                response = Response(exc.status, {'error': str(exc)})
            self._send(response, request_id)
            return
        fault = app.faults.take(method, path)
        kind = fault['kind'] if fault else None
        page_token = body_page_token(raw)
        if kind == 'drop':
            app.faults.record(method, path, None, kind, split.query, page_token)
            self._drop()
            return
        if kind == 'delay' and fault.get('_gate'):
            fault['_gate'].wait(fault['seconds'])
        elif kind == 'delay':
            time.sleep(fault['seconds'])
        if kind in ('status', 'html'):
            response = fault_response(fault, request_id)
        else:
            try:
                response = app.handle_api(method, self.path, self.headers, raw, source_ip, request_id)
            except Exception:  # pylint: disable=broad-exception-caught
                traceback.print_exc(file=sys.stderr)
                response = gateway_error(INTERNAL, 'internal error', request_id, 500)
        if kind == 'strip':
            response = strip_fields(response, fault.get('fields'))
        app.faults.record(method, path, response.status, kind, split.query, page_token)
        if kind == 'lost_response':
            self._drop()
            return
        self._send(response, request_id)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve


def body_page_token(raw):
    """The ``pageToken`` of a JSON request body (a search's page), for the request log; None when it has none.

    A body can carry secrets, so the log keeps this one field and nothing else of it.
    """
    if b'pageToken' not in raw and b'page_token' not in raw:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    token = body.get('pageToken', body.get('page_token')) if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


class Server(ThreadingHTTPServer):
    """Threaded server; an optional TLS context wraps accepted connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, ssl_context=None):
        self.address_family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
        self.app = app
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def get_request(self):
        conn, addr = super().get_request()
        if self.ssl_context is not None:
            conn = self.ssl_context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)
