# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Seeded personal clients with createdAt / lastUsedAt (absolute or relative to now), and lastUsedAt on use."""

import datetime

import pytest

import c1client

SEARCH = '/api/v1/search/iam/personal_clients'
UTC = datetime.timezone.utc


def parse(text):
    return datetime.datetime.strptime(text[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=UTC)


def seeded(api, name):
    clients = api.post(SEARCH, {'query': name}).json()['list']
    return next(client for client in clients if client['displayName'] == name)


def test_seed_sets_created_and_last_used_absolute_and_relative(api, emu):
    emu.control('POST', 'seed', {'personalClients': [
        {'user': 'admin@example.com', 'displayName': 'old-stale', 'createdAt': '2020-01-02T03:04:05Z',
         'lastUsedAt': '2021-02-03T04:05:06Z'},
        {'user': 'admin@example.com', 'displayName': 'relative', 'createdAt': 'now-200d', 'lastUsedAt': 'now-100d',
         'expiresTime': 'now+30d'},
        {'user': 'admin@example.com', 'displayName': 'never-used', 'createdAt': 'now-2w'},
    ]})
    now = datetime.datetime.now(UTC)
    old = seeded(api, 'old-stale')
    assert old['createdAt'] == old['updatedAt'] == '2020-01-02T03:04:05Z'
    assert old['lastUsedAt'] == '2021-02-03T04:05:06Z'
    relative = seeded(api, 'relative')
    assert abs((now - parse(relative['createdAt'])).total_seconds() - 200 * 86400) < 60
    assert abs((now - parse(relative['lastUsedAt'])).total_seconds() - 100 * 86400) < 60
    assert abs((parse(relative['expiresTime']) - now).total_seconds() - 30 * 86400) < 60
    never = seeded(api, 'never-used')
    assert never['lastUsedAt'] is None
    assert abs((now - parse(never['createdAt'])).total_seconds() - 14 * 86400) < 60


def test_without_times_a_seeded_client_is_new_and_unused(api, emu):
    emu.control('POST', 'seed', {'personalClients': [{'user': 'admin@example.com', 'displayName': 'plain'}]})
    plain = seeded(api, 'plain')
    assert plain['lastUsedAt'] is None
    assert abs((datetime.datetime.now(UTC) - parse(plain['createdAt'])).total_seconds()) < 60


def test_token_issue_moves_last_used_of_a_seeded_stale_client(api, emu):
    summary = emu.control('POST', 'seed', {'personalClients': [
        {'user': 'admin@example.com', 'displayName': 'revived', 'createdAt': 'now-400d', 'lastUsedAt': 'now-300d'}]})
    client = summary['personalClients'][0]
    c1client.get_token(emu.url, client['clientId'], client['clientSecret'])
    revived = seeded(api, 'revived')
    assert abs((datetime.datetime.now(UTC) - parse(revived['lastUsedAt'])).total_seconds()) < 60
    assert abs((datetime.datetime.now(UTC) - parse(revived['createdAt'])).total_seconds() - 400 * 86400) < 60


@pytest.mark.parametrize('times', [
    {'createdAt': 'now+1d'},
    {'createdAt': 'yesterday'},
    {'createdAt': 12345},
    {'createdAt': 'now-10d', 'lastUsedAt': 'now-20d'},
    {'createdAt': 'now-10d', 'lastUsedAt': 'now+1h'},
    {'lastUsedAt': 'now-1d'},
    {'expiresTime': 'now+3x'},
])
def test_inconsistent_or_malformed_times_are_refused(api, emu, times):
    spec = dict({'user': 'admin@example.com', 'displayName': 'bad-times'}, **times)
    answer = emu.control('POST', 'seed', {'personalClients': [spec]}, expect=400)
    assert 'error' in answer
    assert not api.post(SEARCH, {'query': 'bad-times'}).json()['list']
