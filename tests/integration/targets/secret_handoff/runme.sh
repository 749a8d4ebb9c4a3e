#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The secret hand-off of examples/secret-handoff, end to end against the emulator: create a client and store
# its secret in an ansible-vault encrypted vars file; a later play (with no other credential) decrypts it and
# authenticates; rotate and store again; the new file authenticates and the old one is refused.
set -eux

# shellcheck source=SCRIPTDIR/../setup_emulator/emulator.sh
. ../setup_emulator/emulator.sh
emulator_start

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secret_handoff.XXXXXX")
trap 'emulator_stop; rm -rf "$WORK"' EXIT
COLLECTION=$(dirname "$(dirname "$(dirname "$(emulator_find_serve)")")")
EXAMPLES=$COLLECTION/examples/secret-handoff
PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
"$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$WORK/vault-pass"
chmod 0600 "$WORK/vault-pass"
VARS=$WORK/deploy-bot.vault.yml

store() {
  ansible-playbook "$EXAMPLES/store-in-vault.yml" -e "handoff_vault_password_file=$WORK/vault-pass" \
    -e "handoff_vars_file=$VARS" "$@"
}

# only the vault file may authenticate the later play: no CONDUCTORONE_* credential in its environment
use() {
  env -u CONDUCTORONE_CLIENT_ID -u CONDUCTORONE_CLIENT_SECRET -u CONDUCTORONE_ACCESS_TOKEN \
    CONDUCTORONE_TOKEN_CACHE=false \
    ansible-playbook "$EXAMPLES/use-from-vault.yml" --vault-password-file "$WORK/vault-pass" -e "handoff_vars_file=$1"
}

check_vault_file() {
  [ "$(head -c 14 "$VARS")" = "\$ANSIBLE_VAULT" ]
  [ "$(stat -c %a "$VARS")" = 600 ]
  { set +x; } 2>/dev/null
  if grep -q 'secret-token:' "$VARS"; then
    echo "the vars file holds a secret in clear text" >&2
    exit 1
  fi
  set -x
}

store
check_vault_file
use "$VARS"
cp "$VARS" "$WORK/before-rotation.vault.yml"

store -e handoff_rotate=true
check_vault_file
cmp -s "$VARS" "$WORK/before-rotation.vault.yml" && { echo "rotation did not store a new secret" >&2; exit 1; }
use "$VARS"
# the rotated-away secret no longer authenticates
if use "$WORK/before-rotation.vault.yml" >"$WORK/old.log" 2>&1; then
  echo "the secret from before the rotation still authenticates" >&2
  exit 1
fi
grep -qi 'unauthenticated\|401\|invalid_client\|refused' "$WORK/old.log"

# a second store without rotation changes nothing and leaves the file alone
cp "$VARS" "$WORK/after-rotation.vault.yml"
store | tee "$WORK/third.log"
grep -qE 'localhost +: ok=[0-9]+ +changed=0 ' "$WORK/third.log"
cmp "$VARS" "$WORK/after-rotation.vault.yml"
