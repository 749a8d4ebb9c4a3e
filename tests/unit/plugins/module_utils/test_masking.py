# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_masking: the per-run registry of values that can authenticate."""

from __future__ import annotations

import pytest

from ansible_collections.conductorone.iam.plugins.module_utils._client import masking as _masking

TOKEN = "tok_4f9a8b7c6d5e"


def test_registered_values_are_masked_in_text_and_structures_keys_included():
    registry = _masking.SecretRegistry()
    registry.add(TOKEN)
    masked = registry.mask({"msg": "denied for " + TOKEN, TOKEN: [TOKEN, ("x" + TOKEN,)], "n": 3, "none": None})
    assert masked == {"msg": "denied for ********", "********": ["********", ("x********",)], "n": 3, "none": None}


def test_encoded_and_stripped_forms_are_masked_too():
    registry = _masking.SecretRegistry()
    registry.add(TOKEN + "+/=\n")
    assert TOKEN not in registry.mask("form: " + "tok_4f9a8b7c6d5e%2B%2F%3D%0A")
    assert TOKEN not in registry.mask(repr(("Bearer " + TOKEN + "+/=\n").encode()))
    assert registry.mask("Bearer " + TOKEN + "+/=") == "Bearer ********"


def test_longest_value_is_masked_first():
    registry = _masking.SecretRegistry()
    registry.add("abcd")
    registry.add("abcdefgh")
    assert registry.mask("abcdefgh") == "********"


def test_short_and_non_string_values_are_ignored():
    registry = _masking.SecretRegistry()
    for value in (None, "", "   ", "abc", 12345, True):
        registry.add(value)
    assert registry.mask("abc 12345 True") == "abc 12345 True"


def test_mask_message_hides_anything_shaped_like_a_credential_and_truncates():
    registry = _masking.SecretRegistry()
    text = ("permission denied for Bearer unregistered-token-9 with secret-token:conductorone.com:v1:eyJrdHkiOiJPS1Ai "
            "client_assertion=eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl&x=1 " + "y" * 3000)
    masked = registry.mask_message(text)
    assert "unregistered-token-9" not in masked
    assert "eyJrdHkiOiJPS1Ai" not in masked
    assert "eyJpc3MiOiJ4In0" not in masked
    assert "secret-token:********" in masked
    assert len(masked) < 2100
    assert masked.endswith("more characters)")


def test_the_documented_secret_format_stays_readable_in_a_hint():
    """Issue 22: the public prefix every secret starts with is the fix a message points at; only values are masked."""
    registry = _masking.SecretRegistry()
    for garbage in ("garbage", "conductorone", "com:v1", "secret-token:conductorone.com:v2:abc"):
        registry.add(garbage)
    hint = "it must start with 'secret-token:conductorone.com:v1:' (copy the whole value)"
    assert registry.mask_message(hint) == hint
    assert registry.mask_message("at the end secret-token:conductorone.com:v1:") == "at the end secret-token:conductorone.com:v1:"
    # a value after the prefix is still a secret, registered or not, and a registered garbage value is still masked
    assert registry.mask_message("got secret-token:conductorone.com:v1:eyJrIjoiMSJ9 and garbage") == \
        "got secret-token:******** and ********"
    assert registry.mask_message("'secret-token:conductorone.com:v1:\x000\x00'") == "'secret-token:********'"


def test_a_garbage_secret_gets_the_documented_prefix_in_its_message():
    from ansible_collections.conductorone.iam.plugins.module_utils._client import auth as _auth  # pylint: disable=import-outside-toplevel
    from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import InputError  # pylint: disable=import-outside-toplevel

    _masking.new_run()
    with pytest.raises(InputError) as caught:
        _auth.decode_client_secret("conductorone")
    message = _masking.mask_message(str(caught.value))
    assert message.startswith("client_secret is not a ConductorOne client secret: it must start with "
                              "'secret-token:conductorone.com:v1:' (copy the whole value"), message


def test_mask_leaves_results_alone_except_registered_values():
    registry = _masking.SecretRegistry()
    created = "secret-token:conductorone.com:v1:eyJuZXciOiJzZWNyZXQifQ"
    assert registry.mask({"client_secret": created}) == {"client_secret": created}


def test_new_run_starts_empty_and_module_functions_use_it():
    _masking.new_run()
    _masking.add(TOKEN)
    assert _masking.mask(TOKEN) == "********"
    assert TOKEN in _masking.registry()
    _masking.new_run()
    assert _masking.mask(TOKEN) == TOKEN


# --- a secret placed across or past the truncation limit: masked first, then cut ------------------------------------
# Cutting first would leave the head of a secret that straddles the limit, which no longer matches its whole value.

REGISTERED = "tok_Zq81mRv03kLpW7"
JWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize("secret", [REGISTERED, JWT], ids=["registered", "jwt-shaped"])
@pytest.mark.parametrize("limit", [_masking.MAX_MESSAGE_CHARS, 300, 50])
@pytest.mark.parametrize("visible", [4, 8, 20, 30])
def test_a_secret_cut_by_the_truncation_limit_shows_no_head(secret, limit, visible):
    registry = _masking.SecretRegistry()
    registry.add(REGISTERED)
    visible = min(visible, len(secret) - 1)
    text = "x" * (limit - visible) + secret + " and more text after it"
    masked = registry.mask_message(text, limit)
    assert masked.endswith("more characters)")  # the cut happened
    assert secret[:visible] not in masked, masked[-80:]
    assert secret[:4] not in masked


@pytest.mark.parametrize("secret", [REGISTERED, JWT], ids=["registered", "jwt-shaped"])
def test_a_secret_wholly_past_the_limit_is_not_shown_and_one_before_it_is_masked(secret):
    registry = _masking.SecretRegistry()
    registry.add(REGISTERED)
    masked = registry.mask_message(secret + "x" * 100 + secret, 60)
    assert masked.startswith(_masking.MASK) and secret[:4] not in masked


def test_a_message_exactly_at_the_limit_is_not_cut_and_one_more_character_is():
    registry = _masking.SecretRegistry()
    assert registry.mask_message("y" * 50, 50) == "y" * 50
    assert registry.mask_message("y" * 51, 50) == "y" * 50 + "... (1 more characters)"
    assert _masking.truncate("y" * _masking.MAX_MESSAGE_CHARS) == "y" * _masking.MAX_MESSAGE_CHARS


def test_values_of_exactly_the_minimum_length_are_masked_shorter_ones_are_not():
    registry = _masking.SecretRegistry()
    registry.add("k" * _masking.MIN_MASKED_LENGTH)
    registry.add("q" * (_masking.MIN_MASKED_LENGTH - 1))
    assert registry.mask("k" * _masking.MIN_MASKED_LENGTH) == _masking.MASK
    assert registry.mask("q" * (_masking.MIN_MASKED_LENGTH - 1)) == "q" * (_masking.MIN_MASKED_LENGTH - 1)
