# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Error types and the grpc-gateway HTTP status <-> gRPC code mapping."""

import time

OK = 0
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
UNAUTHENTICATED = 16

# grpc-gateway runtime.HTTPStatusFromCode
CODE_TO_HTTP = {
    OK: 200,
    UNKNOWN: 500,
    INVALID_ARGUMENT: 400,
    DEADLINE_EXCEEDED: 504,
    NOT_FOUND: 404,
    ALREADY_EXISTS: 409,
    PERMISSION_DENIED: 403,
    RESOURCE_EXHAUSTED: 429,
    FAILED_PRECONDITION: 400,
    ABORTED: 409,
    OUT_OF_RANGE: 400,
    UNIMPLEMENTED: 501,
    INTERNAL: 500,
    UNAVAILABLE: 503,
    UNAUTHENTICATED: 401,
}

# the reverse, used for injected faults
HTTP_TO_CODE = {
    400: INVALID_ARGUMENT,
    401: UNAUTHENTICATED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    409: ABORTED,
    429: RESOURCE_EXHAUSTED,
    499: 1,
    500: INTERNAL,
    501: UNIMPLEMENTED,
    503: UNAVAILABLE,
    504: DEADLINE_EXCEEDED,
}


def code_for_http(status):
    return HTTP_TO_CODE.get(status, UNKNOWN)


class ApiError(Exception):
    """An error answered in the gateway shape {code, message, details}."""

    def __init__(self, code, message, http_status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status or CODE_TO_HTTP.get(code, 500)


def invalid(message):
    return ApiError(INVALID_ARGUMENT, message)


def not_found(message='not found'):
    return ApiError(NOT_FOUND, message)


class OAuthError(Exception):
    """A token endpoint error: {error, error_description}."""

    def __init__(self, http_status, error, description):
        super().__init__(description)
        self.http_status = http_status
        self.error = error
        self.description = description


def invalid_client(description):
    return OAuthError(401, 'invalid_client', description)


def invalid_request(description):
    return OAuthError(400, 'invalid_request', description)


def numeric_claim(claims, name, required, token, error):
    """A JWT NumericDate claim of ``token`` (a name for messages), or None; a bad one raises ``error(message)``."""
    value = claims.get(name)
    if value is None:
        if required:
            raise error('%s has no %s claim' % (token, name))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise error('%s %s claim must be a NumericDate' % (token, name))
    return value


def check_token_times(claims, token, error, leeway, max_lifetime=None):
    """The time claims of JWT ``token`` (a name for messages) against now, give or take ``leeway`` seconds: exp
    (required) not past and, with ``max_lifetime`` seconds, not further ahead; nbf (optional) reached; iat
    (required) not in the future. Returns exp; a bad claim raises ``error(message)``."""
    current = time.time()
    exp = numeric_claim(claims, 'exp', True, token, error)
    if exp <= current - leeway:
        raise error('%s has expired' % token)
    if max_lifetime is not None and exp > current + max_lifetime + leeway:
        raise error('%s exp must be within %d minutes from now' % (token, max_lifetime // 60))
    nbf = numeric_claim(claims, 'nbf', False, token, error)
    if nbf is not None and nbf > current + leeway:
        raise error('%s is not valid yet (nbf)' % token)
    iat = numeric_claim(claims, 'iat', True, token, error)
    if iat > current + leeway:
        raise error('%s iat is in the future' % token)
    return exp
