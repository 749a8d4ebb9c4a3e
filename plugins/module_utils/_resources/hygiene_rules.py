# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Credential hygiene rules: pure functions over personal clients as the API returns them (camelCase) and ``now``.

Used by personal_client_info (computed fields, filters) and personal_client_hygiene (policy, report). No API
calls and no clock here: the caller passes ``now``, so every rule is testable with a fixed time. Durations and
timestamps are parsed by _normalize, like everywhere else in the collection.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import math
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import canonical_cidr, cidr_set, parse_duration, parse_timestamp

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Params

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
# A report row (report_row): owner, display_name, id, client_id, rules, created_at, last_used_at, expires_time,
# and the computed fields.
Row = Dict[str, Any]

DAY = 86400
# Filters of personal_client_info: name -> kind ("duration" or "bool")
FILTERS = (("unused_for", "duration"), ("never_used", "bool"), ("unscoped", "bool"),
           ("unrestricted_source", "bool"), ("older_than", "duration"))
# Policy rules, in report order: name -> kind. A rule's name is also what a violation is called.
POLICY_RULES = (("expired", "bool"), ("max_age", "duration"), ("max_lifetime", "duration"),
                ("stale_after", "duration"), ("never_used_grace", "duration"),
                ("require_source_cidr", "bool"), ("allowed_cidrs", "cidrs"), ("require_scoped_roles", "bool"))
POLICY_DEFAULTS = {"expired": True}
# What enforcement deletes by default: credentials nobody uses, or that no longer work.
DEFAULT_DELETE_RULES = ("expired", "stale_after", "never_used_grace")
_ANYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _whole_days(seconds: float) -> int:
    return int(math.floor(seconds / DAY))


def _elapsed_days(since: datetime, now: datetime) -> int:
    """Whole days from ``since`` to ``now``, never negative: the server's clock, or a use by this very run (the
    token exchange happens after ``now`` was taken), may put ``since`` a moment after ``now``."""
    return max(0, _whole_days((now - since).total_seconds()))


def _times(client: JsonObject) -> Tuple[Optional[datetime], Optional[datetime], Optional[datetime]]:
    return (parse_timestamp(client.get("createdAt")), parse_timestamp(client.get("lastUsedAt")),
            parse_timestamp(client.get("expiresTime")))


def is_unscoped(client: JsonObject) -> bool:
    """No scoped roles: the client has every permission of its owner."""
    return not client.get("scopedRoles")


def is_unrestricted_source(client: JsonObject) -> bool:
    """No source CIDR: the client works from any address."""
    return not client.get("allowSourceCidr")


def idle_seconds(client: JsonObject, now: datetime) -> Optional[float]:
    """Seconds since the client was last used, or since it was created if it never was; None if neither is known."""
    created, last_used, _expires = _times(client)
    since = last_used or created
    return None if since is None else (now - since).total_seconds()


def computed_fields(client: JsonObject, now: datetime) -> Dict[str, Any]:
    """The snake_case fields personal_client_info adds to every client it returns."""
    created, last_used, expires = _times(client)
    return {
        "age_days": _elapsed_days(created, now) if created else None,
        "days_since_last_use": _elapsed_days(last_used, now) if last_used else None,
        "days_until_expiry": _whole_days((expires - now).total_seconds()) if expires else None,
        "unscoped": is_unscoped(client),
        "unrestricted_source": is_unrestricted_source(client),
    }


# Filters (personal_client_info)

def parse_filters(params: Params) -> Dict[str, Any]:
    """The filters the user set, validated: durations in seconds, booleans as given; unset ones left out."""
    filters: Dict[str, Any] = {}
    for name, kind in FILTERS:
        value = params.get(name)
        if value is not None:
            filters[name] = parse_duration(value, name) if kind == "duration" else bool(value)
    return filters


def matches_filters(client: JsonObject, filters: Mapping[str, Any], now: datetime) -> bool:
    """True when the client passes every filter (filters as parse_filters returns them)."""
    created, last_used, _expires = _times(client)
    checks = {
        "unused_for": lambda limit: _longer_than(idle_seconds(client, now), limit),
        "never_used": lambda wanted: (last_used is None) == wanted,
        "unscoped": lambda wanted: is_unscoped(client) == wanted,
        "unrestricted_source": lambda wanted: is_unrestricted_source(client) == wanted,
        "older_than": lambda limit: created is not None and _longer_than((now - created).total_seconds(), limit),
    }
    return all(checks[name](value) for name, value in filters.items())


def _longer_than(seconds: Optional[float], limit: float) -> bool:
    return seconds is not None and seconds > limit


# Policy (personal_client_hygiene)

def parse_policy(policy: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """A policy dictionary validated and normalised: durations in seconds, CIDRs as networks; None = rule off."""
    policy = dict(policy or {})
    known = [name for name, _kind in POLICY_RULES]
    unknown = sorted(set(policy) - set(known))
    if unknown:
        raise InputError("policy: unknown rule(s) {0}; the rules are {1}".format(", ".join(unknown), ", ".join(known)))
    parsed: Dict[str, Any] = {}
    for name, kind in POLICY_RULES:
        value = policy.get(name, POLICY_DEFAULTS.get(name))
        option = "policy." + name
        if value is None or (kind == "bool" and not _boolean(value, option)) or (kind == "cidrs" and value == []):
            continue
        if kind == "duration":
            parsed[name] = parse_duration(value, option)
        elif kind == "cidrs":
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise InputError("{0} must be a list of networks such as [10.0.0.0/8]".format(option))
            parsed[name] = [ipaddress.ip_network(cidr) for cidr in cidr_set(value, option)]
        else:
            parsed[name] = True
    return parsed


def _boolean(value: Any, option: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise InputError("{0} must be true or false, got {1!r}".format(option, value))


def violations(client: JsonObject, policy: Mapping[str, Any], now: datetime) -> List[str]:
    """The names of the rules of ``policy`` (as parse_policy returns it) that the client breaks, in rule order."""
    created, last_used, expires = _times(client)
    checks = {
        "expired": lambda _on: expires is not None and expires <= now,
        "max_age": lambda limit: created is not None and (now - created).total_seconds() > limit,
        "max_lifetime": lambda limit: _lifetime_exceeds(created, expires, limit),
        "stale_after": lambda limit: _longer_than(idle_seconds(client, now), limit),
        "never_used_grace": lambda grace: (last_used is None and created is not None
                                           and (now - created).total_seconds() > grace),
        "require_source_cidr": lambda _on: is_unrestricted_source(client),
        "allowed_cidrs": lambda allowed: not sources_within(client, allowed),
        "require_scoped_roles": lambda _on: is_unscoped(client),
    }
    return [name for name, _kind in POLICY_RULES if name in policy and checks[name](policy[name])]


def _lifetime_exceeds(created: Optional[datetime], expires: Optional[datetime], limit: float) -> bool:
    """A client that never expires has an unlimited lifetime; else expiry minus creation (when known)."""
    if expires is None:
        return True
    return created is not None and (expires - created).total_seconds() > limit


def sources_within(client: JsonObject, allowed: Sequence[Network]) -> bool:
    """True when every network the client may be used from lies inside one of ``allowed`` (no CIDR = anywhere)."""
    cidrs = client.get("allowSourceCidr") or []
    networks = [ipaddress.ip_network(canonical_cidr(cidr, "allowSourceCidr")) for cidr in cidrs] or list(_ANYWHERE)
    return all(any(_subnet_of(net, sup) for sup in allowed) for net in networks)


def _subnet_of(net: Network, sup: Network) -> bool:
    """``net`` lies inside ``sup``; networks of different IP versions never do (``subnet_of`` would raise)."""
    if isinstance(net, ipaddress.IPv4Network) and isinstance(sup, ipaddress.IPv4Network):
        return net.subnet_of(sup)
    if isinstance(net, ipaddress.IPv6Network) and isinstance(sup, ipaddress.IPv6Network):
        return net.subnet_of(sup)
    return False


def report_row(client: JsonObject, rules: Iterable[str], now: datetime) -> Row:
    """One line of the hygiene report: who owns the client, which rules it breaks, when it was used and expires."""
    row: Row = {
        "owner": client.get("userId"),
        "display_name": client.get("displayName"),
        "id": client.get("id"),
        "client_id": client.get("clientId"),
        "rules": list(rules),
        "created_at": client.get("createdAt"),
        "last_used_at": client.get("lastUsedAt"),
        "expires_time": client.get("expiresTime"),
    }
    row.update(computed_fields(client, now))
    return row


# The report as text: a Markdown table and CSV, rendered here (not in Jinja) so that every server-supplied value
# (display names, ids, owners, timestamps) goes through one escaping, tested with a real CSV parser.

CSV_COLUMNS = ("owner", "display_name", "id", "client_id", "rules", "created_at", "last_used_at", "expires_time")
# OWASP CSV injection: a cell a spreadsheet could read as a formula starts with = + - @ (also their full-width
# forms, and after leading blanks, which some spreadsheets trim), or with a tab, CR or LF.
_FORMULA_START = re.compile("^(?:[\\t\\r\\n]|[\\s\\u3000]*[=+\\-@\\uff1d\\uff0b\\uff0d\\uff20])")
# Markdown: HTML and every character that starts or ends inline syntax (links, images, emphasis, code, tables).
_MARKDOWN_SPECIAL = re.compile(r"[&<>\\`*_\[\]()!|~#{}]")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def csv_cell(value: object) -> str:
    """One CSV cell's text: a would-be formula prefixed with an apostrophe (the caller quotes every cell), control
    characters shown as ``\x1b`` (the file may well be read with ``cat`` in a terminal)."""
    text = "" if value is None else str(value)
    return ("'" if _FORMULA_START.match(text) else "") + _masking.visible_controls(text, keep_newlines=False)


def csv_report(rows: Iterable[Mapping[str, Any]]) -> str:
    """The CSV report: a header, one row per violating client; every cell quoted, formulas neutralised."""
    out = io.StringIO()
    out.write(",".join(CSV_COLUMNS) + "\n")  # the header as before: plain names, unquoted
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(" ".join(row.get("rules") or []) if name == "rules" else row.get(name))
                         for name in CSV_COLUMNS])
    return out.getvalue()


def markdown_text(value: object, empty: str = "") -> str:
    """``value`` as literal Markdown text (also safe in a table cell): control characters shown as ``\\x1b``,
    HTML entity-escaped, link/image/emphasis/code/table syntax backslash-escaped."""
    text = empty if value in (None, "") else str(value)
    text = _masking.visible_controls(text, keep_newlines=False)
    return _MARKDOWN_SPECIAL.sub(lambda match: _HTML_ENTITIES.get(match.group(0)) or "\\" + match.group(0), text)


def _days(count: Optional[int]) -> str:
    return "{0} day{1}".format(count, "" if count == 1 else "s")


def _last_used(row: Mapping[str, Any]) -> str:
    if not row.get("last_used_at"):
        return "never"
    return "{0} ({1} ago)".format(markdown_text(str(row["last_used_at"])[:10]), _days(row.get("days_since_last_use")))


def _expiry(row: Mapping[str, Any]) -> str:
    if not row.get("expires_time"):
        return "never"
    date = markdown_text(str(row["expires_time"])[:10])
    until = row.get("days_until_expiry")
    if isinstance(until, int) and until < 0:
        return "{0} (expired)".format(date)
    return "{0} (in {1})".format(date, _days(until))


def markdown_report(report: Mapping[str, Any], enforce: bool = False, check_mode: bool = False) -> str:
    """The Markdown report: a summary line, one table row per violating client, what enforcement did."""
    rows = report.get("violations") or []
    lines = ["# Credential hygiene report", "",
             "{0} of {1} personal clients break the policy (scope {2}, checked at {3}).".format(
                 len(rows), report.get("clients_checked"), markdown_text(report.get("scope")),
                 markdown_text(report.get("checked_at"))), ""]
    if rows:
        lines += ["| owner | display name | id | rules | last used | expires |", "|---|---|---|---|---|---|"]
        lines += ["| {0} | {1} | {2} | {3} | {4} | {5} |".format(
            markdown_text(row.get("owner")), markdown_text(row.get("display_name")), markdown_text(row.get("id")),
            ", ".join(row.get("rules") or []), _last_used(row), _expiry(row)) for row in rows]
    if enforce:
        # rule names and reasons are the collection's own words; everything else came from the server
        deleted = ["{0} ({1}: {2})".format(markdown_text(item.get("display_name")), markdown_text(item.get("id")),
                                           ", ".join(item.get("rules") or []))
                   for item in report.get("deleted") or []]
        lines += ["", "{0}: {1}.".format("Would delete (check mode)" if check_mode else "Deleted",
                                         "; ".join(deleted) or "nothing")]
        kept = ["{0} ({1}; {2})".format(markdown_text(item.get("display_name")), markdown_text(item.get("id")),
                                        item.get("reason")) for item in report.get("kept") or []]
        if kept:
            lines += ["Kept: {0}.".format("; ".join(kept)), ""]
    return "\n".join(lines) + "\n"
