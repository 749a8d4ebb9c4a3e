# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Where requests go and whom the assertion is for: ONE parse of the server URL.

The connection target and the JWT ``aud`` must come from the same parse, or a URL such as
``http://evil:8080\\@tenant`` sends an assertion made out for ``tenant`` to ``evil``, who can replay it.
The parser is urllib3's ``parse_url``, the one requests itself uses to decide where to connect, and the
transport only ever builds request URLs from the ``Endpoint`` returned here. Anything a parser could read
two ways (userinfo, backslash, query, fragment, a path, control or space characters) is refused before any
request. Plain ``http://`` is allowed only for loopback hosts (the emulator) unless explicitly opted in.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import ipaddress
import traceback
import unicodedata
from typing import NamedTuple, Optional

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError, MissingLibraryError

URLLIB3_IMPORT_ERROR: str | None
try:
    from urllib3.util import parse_url
    from urllib3.exceptions import LocationParseError
except ImportError:  # urllib3 comes with requests; without it there is no transport either
    parse_url = None  # type: ignore[assignment]
    LocationParseError = ValueError  # type: ignore[misc,assignment]
    URLLIB3_IMPORT_ERROR = traceback.format_exc()
else:
    URLLIB3_IMPORT_ERROR = None

HTTPS_HINT = "use https://, e.g. https://acme.conductor.one"
LOOPBACK_NAMES = frozenset(("localhost",))


# tenant_domain: a bare tenant name is a host under this domain (acme -> acme.conductor.one)
TENANT_DOMAIN_SUFFIX = ".conductor.one"


class Endpoint(NamedTuple):
    """The one answer to "where does a request go": base URL for the transport, ``aud`` for the assertion.

    ``host`` is as urllib3 normalises it (lower case, IDNA, IPv6 in brackets); ``audience`` is the host without
    port or brackets, as ConductorOne's own clients put it in the assertion.
    """

    scheme: str  # "http" or "https"
    host: str
    port: Optional[int]  # None: the scheme's default port
    base_url: str  # scheme://host[:port], no trailing slash
    audience: str

    def url(self, path: str) -> str:
        """The request URL for an API path; the only way request URLs are built."""
        if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path \
                or "?" in path or "#" in path or has_control(path):
            raise ValueError("not an API path: {0!r}".format(path))
        return self.base_url + path

    def same_origin(self, url: str | None) -> bool:
        """True when ``url`` (e.g. a prepared request's) connects to this endpoint's scheme, host and port."""
        try:
            parts = parse_url(url or "")  # a prepared request's url may be None: no origin
        except (LocationParseError, ValueError, TypeError):
            return False
        return (parts.scheme, parts.host, parts.port or _default_port(parts.scheme), parts.auth) == \
            (self.scheme, self.host, self.port or _default_port(self.scheme), None)


def require_urllib3() -> None:
    if parse_url is None:
        raise MissingLibraryError("requests", URLLIB3_IMPORT_ERROR)


def _default_port(scheme: str | None) -> int | None:
    return {"http": 80, "https": 443}.get(scheme or "")


def has_control(text: str) -> bool:
    """Any whitespace, control, or invisible formatting character (bidi overrides, zero-width spaces)."""
    return any(ord(char) < 0x21 or 0x7f <= ord(char) < 0xa0 or char.isspace() or _is_format(char) for char in text)


def _is_format(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Zl", "Zp", "Zs")


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and the name localhost: the only hosts plain http may go to by default."""
    host = (host or "").strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def safe_origin(url: str | None) -> str:
    """``scheme://host[:port]`` of a URL for messages: never userinfo, path, query or fragment."""
    try:
        parts = parse_url(url or "")
    except (LocationParseError, ValueError, TypeError):
        return "(unparsable URL)"
    if not parts.host:
        return "(no host)"
    origin = "{0}://{1}".format(parts.scheme or "?", parts.host)
    return origin + (":{0}".format(parts.port) if parts.port else "")


def tenant_authority(url: str) -> str | None:
    """``host[:port]`` naming the tenant of a URL, to compare two URLs' tenants: lower case, a trailing dot and a
    default port (80, 443) dropped, never userinfo; None when the URL does not parse or has no host."""
    try:
        parts = parse_url(url)
    except (LocationParseError, ValueError, TypeError):
        return None
    if not parts.host:
        return None
    host = parts.host.rstrip(".")
    return host if parts.port in (None, 80, 443) else "{0}:{1}".format(host, parts.port)


def parse_server_url(url: object, option: str = "server_url", allow_http: bool = False) -> Endpoint:
    """The Endpoint of a tenant URL such as ``https://acme.conductor.one``; InputError for anything else.

    Messages never repeat the URL itself, which might hold a password; at most its scheme, host and port.
    """
    require_urllib3()
    if not isinstance(url, str) or not url:
        raise InputError("{0} must be a URL such as https://acme.conductor.one".format(option))
    if "\\" in url:
        raise InputError("{0} contains a backslash, which URL parsers read differently; give only "
                         "https://host[:port]".format(option))
    if has_control(url):
        raise InputError("{0} contains a space, control or invisible formatting character; give only "
                         "https://host[:port]".format(option))
    try:
        url.encode("ascii")
    except UnicodeEncodeError:
        raise InputError("{0} contains non-ASCII characters; give the host in its ASCII (punycode) form".format(option))
    try:
        parts = parse_url(url)
    except (LocationParseError, ValueError):
        raise InputError("{0} is not a valid URL; give https://host[:port]".format(option))
    if parts.auth is not None or "@" in url:
        # The URL itself is shown elsewhere (invocation.module_args); its password must be masked there too.
        userinfo = url.partition("://")[2].rpartition("@")[0]
        for value in (parts.auth, userinfo, userinfo.partition(":")[2]):
            _masking.add(value or None)
        raise InputError("{0} must not contain a user name or password (user:password@host): credentials go in "
                         "client_id/client_secret or access_token; give only https://host[:port]".format(option))
    if parts.scheme not in ("http", "https") or not url.lower().startswith(parts.scheme + "://"):
        raise InputError("{0} must start with https:// (or http:// for a local emulator), e.g. "
                         "https://acme.conductor.one".format(option))
    if not parts.host:
        raise InputError("{0} has no host; give https://host[:port]".format(option))
    if parts.query is not None or parts.fragment is not None or "?" in url or "#" in url:
        raise InputError("{0} must not have a query or fragment (?... or #...); give only https://host[:port]".format(option))
    if parts.path not in (None, "", "/"):
        raise InputError("{0} must not have a path ({1} was given); give only https://host[:port], the API paths "
                         "are fixed".format(option, _masking.mask_message(parts.path, None)[:40]))  # masked, then cut
    if parts.scheme == "http" and not is_loopback(parts.host) and not allow_http:
        raise InputError("{0}: plain http:// is only allowed to a loopback host (127.0.0.1, ::1, localhost: the "
                         "emulator); {1} would see the credential unencrypted: {2}, or set allow_plain_http "
                         "(CONDUCTORONE_ALLOW_PLAIN_HTTP) to send it unencrypted anyway (only for an emulator on a "
                         "private network)".format(option, parts.host, HTTPS_HINT))
    base_url = "{0}://{1}".format(parts.scheme, parts.host) + (":{0}".format(parts.port) if parts.port else "")
    return Endpoint(parts.scheme, parts.host, parts.port, base_url, parts.host.strip("[]").rstrip("."))


def tenant_domain_url(tenant_domain: str) -> str:
    """``acme`` -> ``https://acme.conductor.one``; a domain (``acme.example.com[:port]``) is kept as is.

    A refused value is never repeated: it may carry a password (``https://user:pw@acme...``), which joins the
    masked values so that the task's invocation does not show it either.
    """
    if "@" in tenant_domain:
        userinfo = tenant_domain.strip().rpartition("@")[0]
        userinfo = userinfo.partition("://")[2] or userinfo
        for value in (userinfo, userinfo.partition(":")[2]):
            _masking.add(value or None)
        raise InputError(
            "tenant_domain must not contain a user name or password (user:password@host): credentials go in "
            "client_id/client_secret or access_token; give only a tenant name such as acme or a domain such as "
            "acme.conductor.one; use server_url for a full URL")
    host, colon, port = tenant_domain.strip().lower().partition(":")
    if "." not in host:
        host += TENANT_DOMAIN_SUFFIX
    domain = host + colon + port
    if not host or host.startswith(".") or ".." in host or any(char in domain for char in "/?#\\") or has_control(domain):
        raise InputError(
            "tenant_domain must be a tenant name such as acme (for acme.conductor.one) or a domain such as "
            "acme.conductor.one, without https:// or a path (the value is not repeated here); use server_url for a "
            "full URL")
    return "https://" + domain


def resolve_endpoint(server_url: str | None, client_host: str | None, allow_http: bool = False,
                     tenant_domain: str | None = None) -> Endpoint:
    """The Endpoint: server_url or tenant_domain win over ``client_host`` (the tenant host of the client id)."""
    if server_url and tenant_domain:
        raise InputError(
            "server_url and tenant_domain are both set (options or CONDUCTORONE_SERVER_URL / CONDUCTORONE_TENANT_DOMAIN): "
            "they name the same thing, so set only one of them")
    if tenant_domain:
        # The one URL parser, so that the connection target and the audience come from one parse.
        return parse_server_url(tenant_domain_url(tenant_domain), option="tenant_domain")
    if server_url:
        return parse_server_url(server_url, allow_http=allow_http)
    if client_host:
        return parse_server_url("https://" + client_host, option="client_id (its tenant host)")
    raise InputError(
        "no ConductorOne tenant: set client_id (CONDUCTORONE_CLIENT_ID), whose tenant host gives the API URL, "
        "or server_url (CONDUCTORONE_SERVER_URL) or tenant_domain (CONDUCTORONE_TENANT_DOMAIN); one of those two "
        "is required with access_token alone")


# option -> (what the message calls it, its CONDUCTORONE_* variable, what to set on the task instead)
AMBIENT_TENANT_OPTIONS = {
    "server_url": ("server URL", "CONDUCTORONE_SERVER_URL", "server_url"),
    "tenant_domain": ("tenant", "CONDUCTORONE_TENANT_DOMAIN", "tenant_domain (or server_url)"),
}


def check_ambient_tenant(endpoint: Endpoint, client_host: str | None, option: str, option_from_environment: bool,
                         client_id_from_environment: bool) -> None:
    """Refuse an explicit client id paired with an ambient CONDUCTORONE_SERVER_URL or CONDUCTORONE_TENANT_DOMAIN
    (``option``) for another host.

    Credentials set on the task (or by module_defaults) form one identity whose tenant is the client id's host;
    a server URL or tenant left in the environment by another job must not silently redirect its credential
    (client assertion or OIDC token) elsewhere. An explicit option, or both from the environment, is the user's own
    pairing and is kept.
    """
    if not (client_host and option_from_environment) or client_id_from_environment:
        return
    what, variable, instead = AMBIENT_TENANT_OPTIONS[option]
    wanted = parse_server_url("https://" + client_host, option="client_id (its tenant host)")
    if wanted.audience != endpoint.audience:
        raise InputError(
            "client_id is set on the task for tenant {0}, but the {1} comes from {2} and names another host ({3}): "
            "set {4} on the task too, or unset {2}".format(wanted.audience, what, variable, endpoint.audience, instead))
