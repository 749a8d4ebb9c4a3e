#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The role module against the emulator (default seed; the playbook adds its own roles through
# /_emulator/seed and a Basic User credential through /_emulator/credentials).
set -eux

# shellcheck source=SCRIPTDIR/../setup_emulator/emulator.sh
. ../setup_emulator/emulator.sh
emulator_start
ansible-playbook -i "$INVENTORY_PATH" role.yml "$@"
