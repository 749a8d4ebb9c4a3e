#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The conductorone.iam.personal_clients role against the emulator:
#   1. check mode (--check) predicts the creates and changes nothing
#   2. converge.yml: create, idempotent re-runs, update, rename, rotation, a failing item, input errors;
#      its -v output is kept and searched for the secrets afterwards
#   3. exclusive mode, in check mode and for real
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start --seed "$PWD/seed.yml")"
export XDG_CACHE_HOME=$WORK_DIR/cache

ansible-playbook -i "$INVENTORY_PATH" check.yml --check -e "work_dir=$WORK_DIR" "$@"

rc=0
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" converge.yml -e "work_dir=$WORK_DIR" -v "$@" \
  >"$WORK_DIR/converge.log" 2>&1 || rc=$?
cat "$WORK_DIR/converge.log"
[ "$rc" -eq 0 ]

# No secret in the output: neither those the role published in conductorone_personal_clients_secrets (saved
# by converge.yml to secrets.json) nor those it wrote to secret files.
"$PYTHON" -c 'import json, sys; assert all(e["client_secret"].startswith("secret-token:conductorone.com:v1:")
                                          for e in json.load(open(sys.argv[1]))), "not a secret"' "$WORK_DIR/secrets.json"
mapfile -t secret_files < <(find "$WORK_DIR/secrets" -name '*.json' -type f)
c1_support leaks "$WORK_DIR/converge.log" --secrets-in "$WORK_DIR/secrets.json" "${secret_files[@]/#/--secrets-in=}" \
  --at-least 3

ansible-playbook -i "$INVENTORY_PATH" exclusive.yml --check -e "work_dir=$WORK_DIR" "$@"
ansible-playbook -i "$INVENTORY_PATH" exclusive.yml -e "work_dir=$WORK_DIR" "$@"
