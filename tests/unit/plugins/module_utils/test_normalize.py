# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value normalisation: CIDRs, durations, timestamps, key case."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._resources import normalize as _normalize
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError

UTC = datetime.timezone.utc


def _refusal(parse, value, option):
    """The InputError text ``parse(value, option)`` raises; it must start with the option's name."""
    with pytest.raises(InputError) as excinfo:
        parse(value, option)
    text = str(excinfo.value)
    assert text.startswith(option + ": ")
    return text


# --- CIDRs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("10.1.2.0/24", "10.1.2.0/24"),
    ("10.0.0.1", "10.0.0.1/32"),
    (" 192.0.2.7 ", "192.0.2.7/32"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("2001:db8::1", "2001:db8::1/128"),
    ("2001:DB8:0:0::/32", "2001:db8::/32"),
    ("::/0", "::/0"),
])
def test_canonical_cidr(value, expected):
    assert _normalize.canonical_cidr(value, "allow_source_cidr") == expected


def test_cidr_with_host_bits_names_the_probable_network():
    text = _refusal(_normalize.canonical_cidr, "10.0.0.5/24", "allow_source_cidr")
    assert "'10.0.0.5/24'" in text
    assert "host bits" in text
    assert "10.0.0.0/24" in text


def test_ipv6_cidr_with_host_bits():
    with pytest.raises(InputError, match="2001:db8::/32"):
        _normalize.canonical_cidr("2001:db8::1/32", "allow_source_cidr")


@pytest.mark.parametrize("value", ["garbage", "10.0.0.256", "10.0.0.0/33", "", "10.0.0.0/", "2001:db8::/129"])
def test_garbage_cidr_names_the_option(value):
    text = _refusal(_normalize.canonical_cidr, value, "allow_source_cidr")
    assert repr(value) in text
    assert "not an IPv4/IPv6 address or CIDR" in text


def test_cidr_set_dedups_and_sorts_ipv4_first():
    values = ["2001:db8::/32", "10.0.0.2", "10.0.0.1/32", "192.168.0.0/16", "10.0.0.1", "10.0.0.0/8", "2001:db8::1",
              "9.9.9.9"]
    assert _normalize.cidr_set(values, "allow_source_cidr") == [
        "9.9.9.9/32", "10.0.0.0/8", "10.0.0.1/32", "10.0.0.2/32", "192.168.0.0/16", "2001:db8::/32", "2001:db8::1/128",
    ]


def test_cidr_set_sorts_numerically_not_textually():
    assert _normalize.cidr_set(["10.0.0.10", "10.0.0.9"], "o") == ["10.0.0.9/32", "10.0.0.10/32"]


def test_cidr_set_same_address_shorter_prefix_first():
    assert _normalize.cidr_set(["10.0.0.0/24", "10.0.0.0/8", "10.0.0.0/16"], "o") == ["10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24"]


@pytest.mark.parametrize("values", [None, []])
def test_cidr_set_empty(values):
    assert _normalize.cidr_set(values, "o") == []


def test_cidr_set_propagates_errors_with_the_option():
    with pytest.raises(InputError, match="^allow_source_cidr: .*did you mean 10.0.0.0/24"):
        _normalize.cidr_set(["10.0.0.1", "10.0.0.5/24"], "allow_source_cidr")


def test_sorted_set():
    assert _normalize.sorted_set(["b", "a", "b"]) == ["a", "b"]
    assert _normalize.sorted_set(None) == []


# --- durations -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("90d", 90 * 86400),
    ("12h", 12 * 3600),
    ("30m", 1800),
    ("3600s", 3600),
    ("1d12h", 36 * 3600),
    ("2w", 14 * 86400),
    ("1w2d3h4m5s", 7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5),
    ("1H", 3600),
    (" 1d 12h ", 36 * 3600),
    (3600, 3600),
    ("3600", 3600),
    ("1.5s", 1.5),
    ("1.5", 1.5),
    (0.25, 0.25),
])
def test_parse_duration(value, expected):
    seconds = _normalize.parse_duration(value, "expires")
    assert seconds == expected
    assert type(seconds) is type(expected)


@pytest.mark.parametrize("value", ["", None, "abc", "1h30", "h", "1.5m", "1x", "d1", "1s1h", True, False])
def test_parse_duration_refuses_non_durations(value):
    text = _refusal(_normalize.parse_duration, value, "expires")
    assert "not a duration" in text


@pytest.mark.parametrize("value", [0, -5, "0", "0s", 0.0, "0d0h"])
def test_parse_duration_refuses_non_positive(value):
    assert "positive" in _refusal(_normalize.parse_duration, value, "expires")


@pytest.mark.parametrize("value", [float("inf"), float("nan"), "9" * 400])
def test_parse_duration_refuses_non_finite(value):
    with pytest.raises(InputError, match="^expires: "):
        _normalize.parse_duration(value, "expires")


@pytest.mark.parametrize("seconds, expected", [
    (3600, "3600s"),
    (3600.0, "3600s"),
    (1, "1s"),
    (1.5, "1.5s"),
    (0.000000001, "0.000000001s"),
    (7776000, "7776000s"),
])
def test_format_duration(seconds, expected):
    assert _normalize.format_duration(seconds) == expected


@pytest.mark.parametrize("text, seconds, formatted", [
    ("90d", 7776000, "7776000s"), ("1d12h", 129600, "129600s"), ("30m", 1800, "1800s"), ("1.5s", 1.5, "1.5s"),
    ("3600", 3600, "3600s"),
])
def test_duration_round_trip(text, seconds, formatted):
    assert _normalize.parse_duration(text, "expires") == seconds
    assert _normalize.format_duration(_normalize.parse_duration(text, "expires")) == formatted
    assert _normalize.parse_duration(formatted, "expires") == seconds


# --- timestamps ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2027-01-31T00:00:00Z", datetime.datetime(2027, 1, 31, tzinfo=UTC)),
    ("2027-01-31t00:00:00z", datetime.datetime(2027, 1, 31, tzinfo=UTC)),
    ("2027-01-31 00:00:00Z", datetime.datetime(2027, 1, 31, tzinfo=UTC)),
    ("2027-01-31T02:30:00+02:30", datetime.datetime(2027, 1, 31, tzinfo=UTC)),
    ("2027-01-30T19:00:00-05:00", datetime.datetime(2027, 1, 31, tzinfo=UTC)),
    ("2027-01-31T00:00:00.123456789Z", datetime.datetime(2027, 1, 31, 0, 0, 0, 123456, tzinfo=UTC)),
    ("2027-01-31T00:00:00.5Z", datetime.datetime(2027, 1, 31, 0, 0, 0, 500000, tzinfo=UTC)),
])
def test_parse_timestamp(value, expected):
    moment = _normalize.parse_timestamp(value, "expires_at")
    assert moment == expected
    assert moment.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("value", [None, ""])
def test_parse_timestamp_empty_is_none(value):
    assert _normalize.parse_timestamp(value, "expires_at") is None


def test_parse_timestamp_naive_datetime_is_utc():
    assert _normalize.parse_timestamp(datetime.datetime(2027, 1, 31)) == datetime.datetime(2027, 1, 31, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "2027-01-31",
    "2027-01-31T00:00:00",  # no zone
    "2027-01-31T00:00:00.1234567890Z",  # ten fraction digits
    "tomorrow",
    "2027-1-31T00:00:00Z",
])
def test_parse_timestamp_refuses_non_rfc3339(value):
    text = _refusal(_normalize.parse_timestamp, value, "expires_at")
    assert "RFC 3339" in text


@pytest.mark.parametrize("value", ["2027-02-30T00:00:00Z", "2027-01-31T25:00:00Z", "2027-13-01T00:00:00Z"])
def test_parse_timestamp_refuses_impossible_dates(value):
    with pytest.raises(InputError, match="^expires_at: .*not a valid time"):
        _normalize.parse_timestamp(value, "expires_at")


def test_parse_timestamp_default_option_name():
    with pytest.raises(InputError, match="^time: "):
        _normalize.parse_timestamp("nope")


def test_format_timestamp():
    tz = datetime.timezone(datetime.timedelta(hours=2))
    assert _normalize.format_timestamp(datetime.datetime(2027, 1, 31, 2, 0, 0, 999999, tzinfo=tz)) == "2027-01-31T00:00:00Z"
    assert _normalize.format_timestamp(_normalize.parse_timestamp("2027-01-31T00:00:00.123456789Z")) == "2027-01-31T00:00:00Z"


def test_utcnow_is_aware_utc():
    assert _normalize.utcnow().utcoffset() == datetime.timedelta(0)


# --- key case ------------------------------------------------------------------------------------

def test_snake_case_keys():
    role = {"id": "r1", "displayName": "Auditor", "systemBuiltin": False, "serviceRoles": [], "createdAt": "x",
            "systemApiOnly": True}
    assert _normalize.snake_case_keys(role) == {"id": "r1", "display_name": "Auditor", "system_builtin": False,
                                                "service_roles": [], "created_at": "x", "system_api_only": True}


def test_snake_case_keys_is_top_level_only():
    assert _normalize.snake_case_keys({"scopedRoles": [{"roleId": "r"}]}) == {"scoped_roles": [{"roleId": "r"}]}


@pytest.mark.parametrize("obj", [None, {}])
def test_snake_case_keys_empty(obj):
    assert _normalize.snake_case_keys(obj) == {}
