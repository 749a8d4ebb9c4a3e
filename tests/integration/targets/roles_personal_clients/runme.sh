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

# shellcheck source=SCRIPTDIR/../setup_emulator/emulator.sh
. ../setup_emulator/emulator.sh
emulator_start --seed "$PWD/seed.yml"

# secret files, the token cache and the captured output live here, and go with the emulator
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/roles_personal_clients.XXXXXX")
trap 'emulator_stop; rm -rf "$WORK_DIR"' EXIT
export XDG_CACHE_HOME=$WORK_DIR/cache
PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

ansible-playbook -i "$INVENTORY_PATH" check.yml --check -e "work_dir=$WORK_DIR" "$@"

rc=0
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" converge.yml -e "work_dir=$WORK_DIR" -v "$@" \
  >"$WORK_DIR/converge.log" 2>&1 || rc=$?
cat "$WORK_DIR/converge.log"
[ "$rc" -eq 0 ]

# No secret in the output: neither those the role published in conductorone_personal_clients_secrets (saved
# by converge.yml to secrets.json) nor those it wrote to secret files.
{ set +x; } 2>/dev/null
"$PYTHON" - "$WORK_DIR" <<'PY'
import glob, json, os, sys
work = sys.argv[1]
log = open(os.path.join(work, "converge.log")).read()
secrets = [entry["client_secret"] for entry in json.load(open(os.path.join(work, "secrets.json")))]
secrets += [json.load(open(path))["client_secret"] for path in glob.glob(os.path.join(work, "secrets", "*.json"))]
assert len(secrets) >= 3, "too few secrets to check: %d" % len(secrets)
for secret in secrets:
    assert secret.startswith("secret-token:conductorone.com:v1:"), "not a secret"
    assert secret not in log, "a client secret is in the output of converge.yml"
    assert secret.rsplit(":", 1)[1] not in log, "the key part of a client secret is in the output of converge.yml"
print("leak test: none of %d secrets in %d lines of -v output" % (len(secrets), log.count("\n")))
PY
set -x

ansible-playbook -i "$INVENTORY_PATH" exclusive.yml --check -e "work_dir=$WORK_DIR" "$@"
ansible-playbook -i "$INVENTORY_PATH" exclusive.yml -e "work_dir=$WORK_DIR" "$@"
