#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# personal_client_info against the emulator: the caller's clients and their filters, every user's clients
# (all_users) as Super Administrator, and as a Basic User, who may not search them.
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start)"
export XDG_CACHE_HOME=$WORK_DIR/cache  # the token cache goes with the emulator

ansible-playbook -i "$INVENTORY_PATH" info.yml "$@"
