# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""HTTP transport: one requests.Session per run, TLS settings, timeouts, retries and error parsing.

Retry policy (as ConductorOne's c1i client does it): 429 is retried for every method; 500/502/503/504,
timeouts and connection errors only for idempotent requests (GET, DELETE, the token exchange), because
create and update are POSTs here and a blind retry could create twice. Backoff is full jitter, and a
``Retry-After`` header (seconds or HTTP date) is honoured up to a cap.

Where requests go is decided once, by the ``Endpoint`` of ``url.py``: request URLs are built only from it,
the session's adapters refuse a prepared request for any other origin, and redirects are never followed
(a 3xx is an error naming the target host): a redirected token request would hand the assertion to whoever
the server names.

Bounds against a slow, broken or hostile server (documented in doc_fragments/connection.py):

- ``timeout`` bounds each whole attempt (connect, send, the status line, the headers and the complete body), not
  each socket read: a watchdog shuts the attempt's socket down when its deadline passes, so a server trickling
  one byte a second cannot hold a task. A task's time is therefore at most ``timeout x (retries + 1)`` plus the
  backoff between attempts (each at most 30 s, or a ``Retry-After`` of at most 60 s).
- A response body larger than ``max_response_bytes`` (after decompression) is refused, unread beyond that.
- Every text the server chose (message, request id) passes through ``_masking.inert`` before it is shown.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import email.utils
import random
import re
import socket
import threading
import time
import traceback
from typing import Any, Callable, Dict, Mapping, TYPE_CHECKING, TypeVar, cast
from urllib.parse import urljoin, urlsplit

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import CONNECTION_ARGUMENT_SPEC
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, MissingLibraryError
from ansible_collections.conductorone.iam.plugins.module_utils._client.url import Endpoint, safe_origin
from ansible_collections.conductorone.iam.plugins.module_utils._client.version import USER_AGENT

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:
    requests = None  # type: ignore[assignment]
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object  # type: ignore[misc,assignment]
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

if TYPE_CHECKING:
    from urllib3 import PoolManager

# A JSON object as the API sends and takes it (protojson: camelCase keys, arbitrary JSON values).
JSON = Dict[str, Any]

IDEMPOTENT_METHODS = frozenset(("GET", "DELETE", "HEAD"))
RETRY_ALWAYS_STATUSES = frozenset((429,))
RETRY_IDEMPOTENT_STATUSES = frozenset((500, 502, 503, 504))
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
RETRY_AFTER_CAP_SECONDS = 60.0
# A urllib3 pool manager (or proxy manager), handed back as it came.
_Manager = TypeVar("_Manager", bound="PoolManager")
_REQUEST_ID_IN_MESSAGE = re.compile(r"\(request-id: ([^)\s]+)\)")
# What OpenSSL says when the other side answers the TLS handshake with something that is not TLS (plain HTTP, usually).
NOT_TLS = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|RECORD_LAYER_FAILURE|record layer failure|"
                     r"PACKET_LENGTH_TOO_LONG|packet length too long|UNKNOWN_PROTOCOL|unknown protocol")
CERTIFICATE_FAILURE = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|hostname mismatch|"
                                 r"doesn't match|self[- ]signed|unable to get local issuer", re.IGNORECASE)
# A connection that was never made (nothing listens, the name does not resolve) is retried at most this many times:
# it is rarely transient the way a 503 is, and the request was never sent, so any method may be retried.
CONNECT_FAILURE_RETRIES = {"refused": 1, "dns-temporary": 1, "dns": 0}
# A server's own error text is quoted up to this length: it may echo the request back (tokens, the form).
MAX_SERVER_MESSAGE_CHARS = 300
# The largest response body read (decompressed), unless max_response_bytes says otherwise: a page of 100
# personal clients is about 100 KiB, so this is over a hundred times any real answer.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def require_requests() -> None:
    if requests is None:
        raise MissingLibraryError("requests", REQUESTS_IMPORT_ERROR)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff; an explicit Retry-After wins, capped."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP_SECONDS)
    return rand() * min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** attempt))


def error_from_response(response: requests.Response, operation: str) -> ConductorOneError:
    """One ConductorOneError from a non-2xx response: gateway {code, message}, OAuth {error, ...} or not JSON."""
    request_id = response.headers.get("X-Request-Id") or response.headers.get("Grpc-Metadata-X-Request-Id")
    code = None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and ("message" in body or "code" in body):
        code = body.get("code") if isinstance(body.get("code"), int) else None
        message = str(body.get("message") or "").strip() or response.reason or "error"
    elif isinstance(body, dict) and "error" in body:
        message = "{0}: {1}".format(body.get("error"), body.get("error_description") or "").rstrip(": ")
    else:
        snippet = re.sub(r"<[^>]+>", " ", response.text or "")
        snippet = _masking.mask_message(" ".join(snippet.split()), None)[:200]  # masked before the cut
        message = "non-JSON {0} response{1}".format(
            response.headers.get("Content-Type", "").split(";")[0] or "error",
            ": " + snippet if snippet else "")
    match = _REQUEST_ID_IN_MESSAGE.search(message)
    if match and not request_id:
        request_id = match.group(1)
    # masked whole first, then made inert and cut (a cut must not split a secret into an unmasked part)
    message = _masking.inert(_masking.mask_message(message, None), MAX_SERVER_MESSAGE_CHARS)
    if request_id is not None:
        request_id = _masking.inert(_masking.mask_message(str(request_id), None), 100)
    return ConductorOneError(message, operation=operation, status=response.status_code, code=code, request_id=request_id)


def response_too_large(limit: int, operation: str, status: int | None = None) -> ConductorOneError:
    return ConductorOneError(
        "the server's response body is larger than {0} bytes (max_response_bytes); stopped reading it. Raise "
        "max_response_bytes if the tenant really answers with more".format(limit), operation=operation, status=status)


def redirect_error(response: requests.Response, operation: str) -> ConductorOneError:
    """A 3xx is never followed: the request carries a credential, and the target is the server's choice."""
    target = response.headers.get("Location") or ""
    where = safe_origin(urljoin(response.url or "", target)) if target else "(no Location header)"
    return ConductorOneError(
        "the server answered HTTP {0} redirecting to {1}; redirects are never followed, because the request carries "
        "a credential: set server_url to the tenant's own https:// URL".format(response.status_code, where),
        operation=operation, status=response.status_code)


if TYPE_CHECKING:
    _DeadlineBase = requests.exceptions.ReadTimeout
else:
    _DeadlineBase = requests.exceptions.ReadTimeout if requests else Exception


class DeadlineExceeded(_DeadlineBase):
    """The attempt's whole-request deadline passed (a ReadTimeout: the request may have reached the server)."""


_current = threading.local()


class _Deadline:
    """One attempt's wall-clock budget. While it runs, every urllib3 connection the attempt's thread uses
    registers itself (``attach``); when the budget is spent a timer shuts that connection's socket down, which
    ends a blocked connect, send or read at once, whatever the server trickles."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.finished = False
        self._connection: object | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _current.deadline = None
        with self._lock:
            self._connection = None

    def attach(self, connection: object) -> None:
        with self._lock:
            self._connection = connection
            if self.expired:
                _shut(connection)

    def finish(self) -> None:
        """The complete response is in: from now on the timer leaves the (pooled, reusable) connection alone."""
        with self._lock:
            self.finished = True
            self._connection = None

    def _expire(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.expired = True
            if self._connection is not None:
                _shut(self._connection)

    def error(self) -> DeadlineExceeded:
        return DeadlineExceeded("no complete response in time (timeout bounds the whole request: connect, send "
                                "and the complete response)")


def _shut(connection: object) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        # the plain socket's shutdown, also under TLS: the reading thread gets end-of-file at once
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


def _attach(connection: object) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.attach(connection)


if TYPE_CHECKING:
    _ConnectionBase = HTTPConnection
else:
    _ConnectionBase = object  # the mixin goes before the urllib3 connection class it extends


class _DeadlineConnectionMixin(_ConnectionBase):
    """urllib3 connections that put themselves under the current attempt's deadline."""

    def connect(self) -> None:
        _attach(self)
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> Any:
        _attach(self)
        return super().request(*args, **kwargs)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _attach(self)
        return super().getresponse(*args, **kwargs)


class _DeadlineHTTPConnection(_DeadlineConnectionMixin, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineConnectionMixin, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


def _use_deadline_pools(manager: _Manager) -> _Manager:
    if hasattr(manager, "pool_classes_by_scheme") and not type(manager).__name__.startswith("SOCKS"):
        manager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}
    return manager


class _PinnedAdapter(HTTPAdapter):
    """Defence in depth: refuse to send a prepared request anywhere but the endpoint's origin.
    Its connections are under each attempt's deadline (``_Deadline``)."""

    def __init__(self, endpoint: Endpoint, pool_size: int = 10) -> None:
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size)
        self.endpoint = endpoint

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # pylint: disable=arguments-differ
        super().init_poolmanager(*args, **kwargs)
        _use_deadline_pools(self.poolmanager)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:  # pylint: disable=arguments-differ
        return _use_deadline_pools(super().proxy_manager_for(*args, **kwargs))

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:  # pylint: disable=signature-differs
        if not self.endpoint.same_origin(request.url):
            raise ConductorOneError("refusing to send a request to {0}: this run talks to {1} only".format(
                safe_origin(request.url), self.endpoint.base_url))
        return super().send(request, *args, **kwargs)


class RetryGate:
    """A shared "not before" time: a 429's Retry-After holds back every thread of the run, not only the one told."""

    def __init__(self, sleep: Callable[[float], object] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def hold(self, seconds: float) -> float:
        """Nobody sends before ``seconds`` from now; returns that time, which its caller sleeps out itself."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
            return self._not_before

    def wait(self, served: float = 0.0) -> None:
        """Sleep until the gate opens, unless this caller already slept out a hold until ``served``."""
        with self._lock:
            delay = 0.0 if self._not_before <= served else self._not_before - self._clock()
        if delay > 0:
            self._sleep(delay)


def connection_default(option: str) -> Any:
    """A connection option's default, read from the one argument spec (``_client.arguments``)."""
    spec = cast("Mapping[str, Mapping[str, Any]]", CONNECTION_ARGUMENT_SPEC)
    return spec[option]["default"]


class HttpTransport:
    """Sends JSON/form requests with the retry policy above; returns the decoded JSON body.

    ``endpoint`` (from ``_client.url``) is where every request goes, and the only origin the session will talk to.
    Safe to share between threads (``pool_size`` connections at most are kept open to the endpoint).
    """

    def __init__(self, endpoint: Endpoint, validate_certs: bool = True, ca_path: str | None = None,
                 timeout: float = connection_default("timeout"), retries: int = connection_default("retries"),
                 warn: Callable[[str], object] | None = None, sleep: Callable[[float], object] = time.sleep,
                 pool_size: int = 10, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        require_requests()
        self.session = requests.Session()
        self.pool_size = max(10, int(pool_size))  # requests' default pool holds 10 connections per host
        self.gate = RetryGate(sleep=sleep)
        self.endpoint = endpoint
        adapter = _PinnedAdapter(endpoint, self.pool_size)
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        # Passed on every request: a session-level verify loses to REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE in requests.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.max_response_bytes = int(max_response_bytes)
        self._warn: Callable[[str], object] = warn or (lambda message: None)
        self._sleep = sleep
        if not validate_certs:
            self._warn("validate_certs is false: the server's TLS certificate is not verified")
            try:
                requests.packages.urllib3.disable_warnings()  # type: ignore[attr-defined]
            except AttributeError:
                pass

    def _target(self, url_or_path: str) -> tuple[Endpoint, str]:
        """The endpoint and the request URL: an API path joined to the endpoint, or a full URL that is exactly that."""
        endpoint = self.endpoint
        path = url_or_path
        if not url_or_path.startswith("/"):
            if not url_or_path.startswith(endpoint.base_url + "/"):
                raise ConductorOneError("refusing to send a request to {0}: this run talks to {1} only".format(
                    safe_origin(url_or_path), endpoint.base_url))
            path = url_or_path[len(endpoint.base_url):]
        return endpoint, endpoint.url(path)

    def send(self, method: str, url: str, operation: str, json_body: JSON | None = None, form: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
             idempotent: bool | None = None) -> JSON:
        """``url`` is an API path (or the endpoint's full URL of one). A ``form`` with ``for_attempt(n)``
        (_auth.FreshForm) is rebuilt for each retry: a token request signs a fresh assertion every time."""
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        endpoint, url = self._target(url)
        operation = "{0} ({1} {2})".format(operation, method, urlsplit(url).path)
        attempt = 0
        served = 0.0
        while True:
            self.gate.wait(served)
            try:
                response = self._attempt(
                    operation, method, url, json=json_body, data=form.for_attempt(attempt) if form is not None and hasattr(form, "for_attempt") else form,
                    params=params, headers=headers)
            except requests.exceptions.SSLError as exc:
                raise tls_error(endpoint, exc, operation)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
                failure = connect_failure(exc)
                if failure is not None:
                    if attempt < min(self.retries, CONNECT_FAILURE_RETRIES[failure]):
                        attempt = self._pause(operation, "cannot connect ({0})".format(_FAILURE_REASON[failure]), attempt)
                        continue
                    raise ConductorOneError(connect_failure_message(endpoint, failure, exc), operation=operation)
                reason = "timed out after {0}s".format(self.timeout) if isinstance(exc, requests.exceptions.Timeout) else "connection failed"
                if idempotent and attempt < self.retries:
                    attempt = self._pause(operation, reason, attempt)
                    continue
                hint = "" if idempotent else " (not retried: the request may have been applied)"
                raise ConductorOneError("{0}: {1}{2}".format(reason, _short(exc), hint), operation=operation,
                                        timed_out=isinstance(exc, requests.exceptions.ReadTimeout))
            if 300 <= response.status_code < 400:
                raise redirect_error(response, operation)
            if response.status_code < 300:
                return _json_body(response, operation)
            status = response.status_code
            retryable = status in RETRY_ALWAYS_STATUSES or (idempotent and status in RETRY_IDEMPOTENT_STATUSES)
            if retryable and attempt < self.retries:
                error = error_from_response(response, operation)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None:
                    # The server said when to come back: every thread of this run waits, not only this one.
                    served = self.gate.hold(backoff_delay(attempt, retry_after))
                attempt = self._pause(operation, "HTTP {0}{1}".format(status, _request_id_note(error)), attempt, retry_after)
                continue
            error = error_from_response(response, operation)
            if retryable:
                error.message += " (gave up after {0} retries)".format(attempt)
            raise error

    def _attempt(self, operation: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request and its whole (bounded) body, within one ``timeout`` from connect to the last byte."""
        with _Deadline(self.timeout) as deadline:
            try:
                response = self.session.request(method, url, timeout=self.timeout, verify=self.verify, stream=True,
                                                **kwargs, allow_redirects=False)
                _read_body(response, self.max_response_bytes, operation)
                deadline.finish()
            except ConductorOneError:
                raise
            except Exception as exc:
                if deadline.expired:
                    raise deadline.error() from exc
                raise
        return response

    def _pause(self, operation: str, reason: str, attempt: int, retry_after: float | None = None) -> int:
        delay = backoff_delay(attempt, retry_after)
        self._warn("{0}: {1}; retry {2} of {3} in {4:.1f}s".format(operation, reason, attempt + 1, self.retries, delay))
        self._sleep(delay)
        return attempt + 1


def _read_body(response: requests.Response, limit: int, operation: str) -> None:
    """Read a streamed response's body into it (``response.content`` then works), refusing more than ``limit``
    bytes: a declared Content-Length over it is refused unread, a longer stream is cut at the limit."""
    raw = getattr(response, "raw", None)
    if raw is None or not hasattr(raw, "read"):
        return  # already read (test doubles)
    try:
        declared = int(response.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        response.close()
        raise response_too_large(limit, operation, response.status_code)
    chunks, size = [], 0
    for chunk in response.iter_content(_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            response.close()
            raise response_too_large(limit, operation, response.status_code)
        chunks.append(chunk)
    response._content = b"".join(chunks)  # pylint: disable=protected-access
    response._content_consumed = True  # type: ignore[attr-defined]  # pylint: disable=protected-access


def _causes(exc: BaseException, limit: int = 12) -> list[BaseException]:
    """``exc`` and what it wraps (requests -> urllib3 -> socket/ssl), breadth first, each once."""
    seen: list[BaseException] = []
    queue: list[object] = [exc]
    while queue and len(seen) < limit:
        current = queue.pop(0)
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        queue.extend(arg for arg in current.args if isinstance(arg, BaseException))
        queue.extend((getattr(current, "reason", None), current.__cause__, current.__context__))
    return seen


_FAILURE_REASON = {"refused": "connection refused", "dns": "the host name does not resolve",
                   "dns-temporary": "temporary failure in name resolution"}


def connect_failure(exc: BaseException) -> str | None:
    """``"refused"``, ``"dns"`` or ``"dns-temporary"`` when no connection was ever made to the server (so nothing
    was sent), else None. Through a proxy it is the proxy's business: None."""
    if requests is not None and isinstance(exc, (requests.exceptions.ProxyError, requests.exceptions.Timeout)):
        return None
    causes = _causes(exc)
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "refused"
    # urllib3 2 wraps the resolver's gaierror in a NameResolutionError; the gaierror (when chained) tells EAI_AGAIN
    resolution = [cause for cause in causes
                  if isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError"]
    if resolution:
        temporary = any(isinstance(cause, socket.gaierror) and cause.errno == getattr(socket, "EAI_AGAIN", None)
                        for cause in resolution)
        return "dns-temporary" if temporary else "dns"
    return None


def _host_and_port(endpoint: Endpoint) -> tuple[str, int | None]:
    port = endpoint.port or {"http": 80, "https": 443}.get(endpoint.scheme)
    return endpoint.host, port


def connect_failure_message(endpoint: Endpoint, failure: str, exc: BaseException) -> str:
    host, port = _host_and_port(endpoint)
    if failure == "refused":
        return ("cannot connect to {0} port {1}: connection refused, nothing is listening there (the request was not "
                "sent). Check the host and port of server_url (CONDUCTORONE_SERVER_URL) or tenant_domain, and that the "
                "server (or the emulator) is running".format(host, port))
    return ("cannot resolve the host name {0} (port {1}): {2} (the request was not sent). Check the host in server_url "
            "(CONDUCTORONE_SERVER_URL), tenant_domain or the tenant host of client_id for a typo, and this machine's DNS "
            "(or set HTTPS_PROXY when only a proxy can reach it)".format(host, port, _FAILURE_REASON[failure]))


def tls_error(endpoint: Endpoint, exc: BaseException, operation: str) -> ConductorOneError:
    """The TLS failure said as what it is: a server that does not speak TLS there, an unverifiable certificate, or
    another handshake failure."""
    host, port = _host_and_port(endpoint)
    text = " ".join(str(cause) for cause in _causes(exc))
    if NOT_TLS.search(text):
        return ConductorOneError(
            "the server at {0} port {1} does not speak TLS: it answered the TLS handshake with something else (plain "
            "HTTP?), so this is not a certificate problem. The URL says https://; if the server serves plain http "
            "(such as the emulator started without --tls), use http://{0}:{1} as server_url (plain http is allowed to "
            "loopback hosts, to others only with allow_plain_http); otherwise check the port".format(host, port),
            operation=operation)
    if CERTIFICATE_FAILURE.search(text):
        return ConductorOneError(
            "TLS verification failed for {0}: {1}. Set ca_path (CONDUCTORONE_CA_PATH) to the CA bundle that "
            "signed the server certificate".format(endpoint.base_url, _short(exc)), operation=operation)
    return ConductorOneError("the TLS handshake with {0} port {1} failed: {2}".format(host, port, _short(exc)),
                             operation=operation)


def _json_body(response: requests.Response, operation: str) -> JSON:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        raise ConductorOneError("the server answered HTTP {0} with a body that is not JSON".format(response.status_code),
                                operation=operation, status=response.status_code)
    except RecursionError:
        raise ConductorOneError("the server answered HTTP {0} with JSON nested too deeply to read".format(
            response.status_code), operation=operation, status=response.status_code)
    if not isinstance(body, dict):
        # every answer of this API is a JSON object; a list or a scalar is a broken or hostile server
        raise ConductorOneError("the server answered HTTP {0} with a JSON {1} where an object was expected".format(
            response.status_code, type(body).__name__), operation=operation, status=response.status_code)
    return body


def _request_id_note(error: ConductorOneError) -> str:
    return " (request-id: {0})".format(error.request_id) if error.request_id else ""


def _short(exc: BaseException) -> str:
    return _masking.mask_message(str(exc), MAX_SERVER_MESSAGE_CHARS)
