# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Fixtures: a shared emulator reset before each test, an admin API helper, and extra emulators."""

import pytest

from harness import Api, Emulator


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    emu = Emulator(tmp_path_factory.mktemp('emulator')).start()
    yield emu
    emu.stop()


@pytest.fixture
def emu(emulator):
    """The shared emulator, reset to its default seed."""
    emulator.control('POST', 'reset')
    return emulator


@pytest.fixture
def api(emu):
    return Api(emu, token=emu.admin_token())


@pytest.fixture
def spawn(tmp_path):
    """Start extra emulators with custom arguments; they are stopped at teardown."""
    started = []

    def _spawn(*args, name='extra'):
        emu = Emulator(tmp_path / ('%s-%d' % (name, len(started))), args).start()
        started.append(emu)
        return emu

    yield _spawn
    for emu in started:
        emu.stop()
