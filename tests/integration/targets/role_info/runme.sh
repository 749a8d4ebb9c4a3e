#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# role_info against the emulator: a multi-page listing and filters over HTTP, connection options from
# module_defaults only, then the TLS options against a second emulator run with --tls.
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
emulator_start() {
  eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
    "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start "$@")"
}

# 1. HTTP emulator with 250 extra roles; --verbose logs each request line with its query string
emulator_start --seed "$PWD/seed.yml" --verbose
ansible-playbook -i "$INVENTORY_PATH" listing.yml "$@"

# 2. The same emulator, with no CONDUCTORONE_* variable in the environment: module_defaults only
env -u CONDUCTORONE_SERVER_URL -u CONDUCTORONE_CLIENT_ID -u CONDUCTORONE_CLIENT_SECRET \
  -u CONDUCTORONE_CA_PATH -u CONDUCTORONE_ACCESS_TOKEN \
  ansible-playbook -i "$INVENTORY_PATH" module_defaults.yml "$@"
emulator_stop

# 3. HTTPS emulator with its own CA. The playbook runs without CONDUCTORONE_CA_PATH in its environment
#    and finds the CA file in EMULATOR_CA_PATH, so that each task controls where ca_path comes from.
emulator_start --tls --seed "$PWD/seed.yml"
EMULATOR_CA_PATH=$CONDUCTORONE_CA_PATH
export EMULATOR_CA_PATH
env -u CONDUCTORONE_CA_PATH ansible-playbook -i "$INVENTORY_PATH" tls.yml "$@"
