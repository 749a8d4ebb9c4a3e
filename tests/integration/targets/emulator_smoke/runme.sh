#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Smoke test of the emulator set-up shared by the integration targets.
set -eux

# shellcheck source=SCRIPTDIR/../setup_emulator/emulator.sh
. ../setup_emulator/emulator.sh
emulator_start

ansible-playbook -i "$INVENTORY_PATH" smoke.yml "$@"
