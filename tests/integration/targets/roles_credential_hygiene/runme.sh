#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The conductorone.iam.credential_hygiene role (and personal_client_hygiene) against a seeded emulator tenant
# of fresh, stale, never-used, long-lived, unscoped and unrestricted clients of two users:
#   1. report.yml: report-only, tenant-wide, finds exactly the violations, writes the reports; info filters;
#      then the same in check mode
#   2. access_token.yml: enforcement refuses to run with a bare access token unless protected is set
#   3. enforce.yml: in check mode (deletes nothing), for real (deletes only the caller's violating clients,
#      never the play's own), and again (changes nothing)
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start --seed "$PWD/seed.yml")"
export XDG_CACHE_HOME=$WORK_DIR/cache

ansible-playbook -i "$INVENTORY_PATH" report.yml -e "work_dir=$WORK_DIR" "$@"
# check mode reports the same and still writes the report files (they change nothing in ConductorOne)
mkdir "$WORK_DIR/check"
ansible-playbook -i "$INVENTORY_PATH" report.yml --check -e "work_dir=$WORK_DIR/check" "$@"
ansible-playbook -i "$INVENTORY_PATH" access_token.yml "$@"
ansible-playbook -i "$INVENTORY_PATH" enforce.yml --check "$@"
ansible-playbook -i "$INVENTORY_PATH" enforce.yml -e enforce_run=first "$@"
ansible-playbook -i "$INVENTORY_PATH" enforce.yml -e enforce_run=again "$@"
