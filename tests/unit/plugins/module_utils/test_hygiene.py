# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Credential hygiene rules, each at a fixed ``now``: computed fields, filters, policy rules, report rows."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._resources import hygiene_rules as _hygiene
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError

NOW = datetime.datetime(2026, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
DAY = 86400


def ago(days):
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ahead(days):
    return (NOW + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def client(created=10, used=None, expires=None, cidrs=None, scoped=None, **extra):
    """An API client dict created ``created`` days ago, last used ``used`` days ago, expiring in ``expires`` days."""
    body = {"id": "blue-whale-1", "clientId": "blue-whale-1@t/pcc", "userId": "u1", "displayName": "ci",
            "createdAt": ago(created) if created is not None else None,
            "lastUsedAt": ago(used) if used is not None else None,
            "expiresTime": ahead(expires) if expires is not None else None,
            "allowSourceCidr": cidrs, "scopedRoles": scoped}
    body.update(extra)
    return body


# --- computed fields -----------------------------------------------------------------------------

def test_computed_fields_of_a_used_scoped_restricted_client():
    fields = _hygiene.computed_fields(client(created=120, used=3, expires=29, cidrs=["10.0.0.0/8"], scoped=["r"]), NOW)
    assert fields == {"age_days": 120, "days_since_last_use": 3, "days_until_expiry": 29,
                      "unscoped": False, "unrestricted_source": False}


def test_computed_fields_null_when_never_used_or_never_expiring():
    fields = _hygiene.computed_fields(client(created=5), NOW)
    assert fields["days_since_last_use"] is None
    assert fields["days_until_expiry"] is None
    assert fields["unscoped"] is True and fields["unrestricted_source"] is True


def test_days_are_whole_days_rounded_down_and_negative_once_expired():
    half_day_left = dict(client(), expiresTime=(NOW + datetime.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert _hygiene.computed_fields(half_day_left, NOW)["days_until_expiry"] == 0
    assert _hygiene.computed_fields(client(expires=-2), NOW)["days_until_expiry"] == -2
    created_23h_ago = dict(client(), createdAt=(NOW - datetime.timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert _hygiene.computed_fields(created_23h_ago, NOW)["age_days"] == 0


def test_a_use_just_after_now_counts_as_zero_days_not_minus_one():
    # the run's own token exchange happens after the module took ``now``
    moment = (NOW + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = _hygiene.computed_fields(dict(client(), lastUsedAt=moment, createdAt=moment), NOW)
    assert fields["days_since_last_use"] == 0 and fields["age_days"] == 0


def test_empty_lists_and_nulls_mean_unscoped_and_unrestricted():
    assert _hygiene.is_unscoped(client(scoped=[])) and _hygiene.is_unscoped(client(scoped=None))
    assert not _hygiene.is_unscoped(client(scoped=["r"]))
    assert _hygiene.is_unrestricted_source(client(cidrs=[]))
    assert not _hygiene.is_unrestricted_source(client(cidrs=["192.0.2.0/24"]))


def test_idle_counts_from_creation_when_never_used():
    assert _hygiene.idle_seconds(client(created=40), NOW) == 40 * DAY
    assert _hygiene.idle_seconds(client(created=40, used=2), NOW) == 2 * DAY
    assert _hygiene.idle_seconds(client(created=None), NOW) is None


# --- filters -------------------------------------------------------------------------------------

def filtered(clients, **params):
    filters = _hygiene.parse_filters(params)
    return [c["displayName"] for c in clients if _hygiene.matches_filters(c, filters, NOW)]


FLEET = [
    client(displayName="fresh", created=2, used=0, expires=28, cidrs=["10.0.0.0/8"], scoped=["r"]),
    client(displayName="stale", created=200, used=120, expires=60, cidrs=["10.0.0.0/8"], scoped=["r"]),
    client(displayName="never-old", created=100, scoped=["r"], cidrs=["10.0.0.0/8"]),
    client(displayName="never-new", created=1, scoped=["r"], cidrs=["10.0.0.0/8"]),
    client(displayName="unscoped", created=10, used=1, cidrs=["10.0.0.0/8"]),
    client(displayName="open", created=10, used=1, scoped=["r"]),
]


def test_no_filter_keeps_everything():
    assert len(filtered(FLEET)) == len(FLEET)


def test_unused_for_uses_last_use_else_creation():
    assert filtered(FLEET, unused_for="90d") == ["stale", "never-old"]


def test_unused_for_is_strictly_longer_than():
    exact = client(displayName="exact", created=90)
    assert filtered([exact], unused_for="90d") == []
    assert filtered([exact], unused_for="89d") == ["exact"]


def test_never_used_true_and_false():
    assert filtered(FLEET, never_used=True) == ["never-old", "never-new"]
    assert filtered(FLEET, never_used=False) == ["fresh", "stale", "unscoped", "open"]


def test_unscoped_and_unrestricted_source_both_ways():
    assert filtered(FLEET, unscoped=True) == ["unscoped"]
    assert "unscoped" not in filtered(FLEET, unscoped=False)
    assert filtered(FLEET, unrestricted_source=True) == ["open"]
    assert "open" not in filtered(FLEET, unrestricted_source=False)


def test_older_than_uses_creation():
    assert filtered(FLEET, older_than="30d") == ["stale", "never-old"]
    assert filtered([client(created=None, displayName="unknown")], older_than="1s") == []


def test_filters_compose_as_and():
    assert filtered(FLEET, older_than="30d", never_used=True) == ["never-old"]
    assert filtered(FLEET, unused_for="90d", never_used=False) == ["stale"]
    assert filtered(FLEET, unscoped=True, unrestricted_source=True) == []


def test_bad_duration_filter_names_the_option():
    with pytest.raises(InputError, match="^unused_for: 'soon' is not a duration"):
        _hygiene.parse_filters({"unused_for": "soon"})
    with pytest.raises(InputError, match="^older_than: "):
        _hygiene.parse_filters({"older_than": "-3d"})


# --- policy rules --------------------------------------------------------------------------------

def broken(c, **policy):
    return _hygiene.violations(c, _hygiene.parse_policy(policy), NOW)


def test_expired_is_on_by_default_and_can_be_turned_off():
    assert broken(client(expires=-1)) == ["expired"]
    assert broken(client(expires=1)) == []
    assert broken(client(expires=-1), expired=False) == []


def test_max_age():
    assert broken(client(created=91), max_age="90d") == ["max_age"]
    assert broken(client(created=89), max_age="90d") == []


def test_max_lifetime_counts_never_expiring_clients_as_unlimited():
    assert broken(client(created=0, expires=None), max_lifetime="90d") == ["max_lifetime"]
    assert broken(client(created=10, expires=100), max_lifetime="90d") == ["max_lifetime"]
    assert broken(client(created=10, expires=80), max_lifetime="90d") == []


def test_stale_after_counts_from_creation_for_never_used_clients():
    assert broken(client(created=100, used=31), stale_after="30d") == ["stale_after"]
    assert broken(client(created=100, used=29), stale_after="30d") == []
    assert broken(client(created=31), stale_after="30d") == ["stale_after"]


def test_never_used_grace():
    assert broken(client(created=8), never_used_grace="7d") == ["never_used_grace"]
    assert broken(client(created=6), never_used_grace="7d") == []
    assert broken(client(created=100, used=99), never_used_grace="7d") == []


def test_require_source_cidr_and_scoped_roles():
    assert broken(client(), require_source_cidr=True, require_scoped_roles=True) == [
        "require_source_cidr", "require_scoped_roles"]
    assert broken(client(cidrs=["10.0.0.0/8"], scoped=["r"]), require_source_cidr=True, require_scoped_roles=True) == []
    assert broken(client(), require_source_cidr=False, require_scoped_roles="no") == []


@pytest.mark.parametrize("cidrs, ok", [
    (["10.1.0.0/16"], True),
    (["10.0.0.0/8"], True),
    (["10.1.0.0/16", "192.0.2.0/24"], False),
    (["0.0.0.0/0"], False),
    (["2001:db8:1::/48"], True),
    (["2001:db9::/32"], False),
    ([], False),
])
def test_allowed_cidrs_must_contain_every_client_network(cidrs, ok):
    rules = broken(client(cidrs=cidrs), allowed_cidrs=["10.0.0.0/8", "2001:db8::/32"])
    assert rules == ([] if ok else ["allowed_cidrs"])


def test_an_empty_allowed_cidrs_list_turns_the_rule_off():
    assert "allowed_cidrs" not in _hygiene.parse_policy({"allowed_cidrs": []})
    assert broken(client(), allowed_cidrs=[]) == []


def test_violations_are_listed_in_rule_order():
    c = client(created=400, expires=-1)
    assert broken(c, require_scoped_roles=True, stale_after="30d", max_age="1d", max_lifetime="1d") == [
        "expired", "max_age", "max_lifetime", "stale_after", "require_scoped_roles"]


@pytest.mark.parametrize("policy, message", [
    ({"max_lifetme": "90d"}, "^policy: unknown rule.*max_lifetme.*the rules are expired, max_age"),
    ({"stale_after": "a while"}, "^policy.stale_after: 'a while' is not a duration"),
    ({"allowed_cidrs": "10.0.0.0/8"}, "^policy.allowed_cidrs must be a list of networks"),
    ({"allowed_cidrs": ["10.0.0.1/8"]}, "^policy.allowed_cidrs: '10.0.0.1/8' has host bits set"),
    ({"require_source_cidr": "maybe"}, "^policy.require_source_cidr must be true or false"),
])
def test_bad_policy_names_the_rule(policy, message):
    with pytest.raises(InputError, match=message):
        _hygiene.parse_policy(policy)


def test_report_row_names_owner_rules_last_use_and_expiry():
    c = client(created=100, used=50, expires=5)
    row = _hygiene.report_row(c, ["stale_after"], NOW)
    assert row["owner"] == "u1" and row["display_name"] == "ci" and row["id"] == "blue-whale-1"
    assert row["rules"] == ["stale_after"]
    assert row["last_used_at"] == ago(50) and row["expires_time"] == ago(-5)
    assert row["days_since_last_use"] == 50 and row["days_until_expiry"] == 5


# --- boundaries: every threshold at its exact value and one second either side -------------------------------
# A rule that decides a deletion must not fire a second early: ``> limit`` (strictly older), never ``>= limit``.

def at(delta):
    return (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


SECOND = datetime.timedelta(seconds=1)


@pytest.mark.parametrize("option, days", [("never_used_grace", 7), ("max_age", 90)])
@pytest.mark.parametrize("offset, expect_broken", [
    (-SECOND, False),
    (datetime.timedelta(0), False),                       # exactly the grace / the maximum age: still inside it
    (SECOND, True),
])
def test_age_boundary(option, days, offset, expect_broken):
    created = datetime.timedelta(days=days) + offset
    expected = [option] if expect_broken else []
    assert broken(dict(client(), createdAt=at(-created)), **{option: "%dd" % days}) == expected


@pytest.mark.parametrize("lifetime, expected", [
    (datetime.timedelta(days=90) - SECOND, []),
    (datetime.timedelta(days=90), []),                    # exactly the maximum lifetime: allowed
    (datetime.timedelta(days=90) + SECOND, ["max_lifetime"]),
])
def test_max_lifetime_boundary(lifetime, expected):
    created = datetime.timedelta(days=10)
    c = dict(client(), createdAt=at(-created), expiresTime=at(lifetime - created))
    assert broken(c, max_lifetime="90d") == expected


@pytest.mark.parametrize("idle, expected", [
    (datetime.timedelta(days=30) - SECOND, []),
    (datetime.timedelta(days=30), []),                    # idle exactly the limit: not yet stale
    (datetime.timedelta(days=30) + SECOND, ["stale_after"]),
])
def test_stale_after_boundary_from_last_use_and_from_creation(idle, expected):
    assert broken(dict(client(created=100), lastUsedAt=at(-idle)), stale_after="30d") == expected
    assert broken(dict(client(), createdAt=at(-idle)), stale_after="30d") == expected


@pytest.mark.parametrize("left, expected", [
    (SECOND, []),
    (datetime.timedelta(0), ["expired"]),                 # expiring at this very second: no longer valid
    (-SECOND, ["expired"]),
])
def test_expired_boundary(left, expected):
    assert broken(dict(client(), expiresTime=at(left))) == expected


@pytest.mark.parametrize("option, field", [("unused_for", "createdAt"), ("unused_for", "lastUsedAt"),
                                           ("older_than", "createdAt")])
def test_filter_boundaries_are_strictly_longer_than(option, field):
    limit = datetime.timedelta(days=30)
    base = client(created=100) if field == "lastUsedAt" else client()
    for offset, kept in ((-SECOND, False), (datetime.timedelta(0), False), (SECOND, True)):
        named = dict(base, displayName="x", **{field: at(-(limit + offset))})
        assert filtered([named], **{option: "30d"}) == (["x"] if kept else []), (option, field, offset)


# --- whole days are floored, not truncated toward zero ----------------------------------------------------------

@pytest.mark.parametrize("hours, days", [
    (-12, -1),      # expired 12 h ago: "expired", never "in 0 days"
    (-1, -1),
    (-24, -1),
    (-25, -2),
    (-36, -2),
    (0, 0),
    (12, 0),
    (24, 1),
    (36, 1),
])
def test_days_until_expiry_is_floored_for_past_and_future_times(hours, days):
    expiring = dict(client(), expiresTime=at(datetime.timedelta(hours=hours)))
    assert _hygiene.computed_fields(expiring, NOW)["days_until_expiry"] == days


def test_a_client_expired_hours_ago_is_reported_expired_in_the_report_row():
    row = _hygiene.report_row(dict(client(), expiresTime=at(-datetime.timedelta(hours=12))), ["expired"], NOW)
    assert row["days_until_expiry"] == -1 and row["rules"] == ["expired"]


@pytest.mark.parametrize("hours, days", [(23, 0), (24, 1), (36, 1), (47, 1), (48, 2)])
def test_age_and_days_since_last_use_are_floored(hours, days):
    moment = at(-datetime.timedelta(hours=hours))
    fields = _hygiene.computed_fields(dict(client(), createdAt=moment, lastUsedAt=moment), NOW)
    assert fields["age_days"] == days and fields["days_since_last_use"] == days
