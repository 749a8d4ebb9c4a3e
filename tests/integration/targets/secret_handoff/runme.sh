#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The secret hand-off of examples/secret-handoff, end to end against the emulator: create a client and store
# its secret in an ansible-vault encrypted vars file; a later play (with no other credential) decrypts it and
# authenticates; rotate and store again; the new file authenticates and the old one is refused. Then the same
# with the conductorone.iam.personal_clients role's output (store-role-secrets-in-vault.yml): two clients, one
# vars file each; rotating one rewrites only its file.
set -euxo pipefail

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
    ansible-playbook "$EXAMPLES/use-from-vault.yml" --vault-password-file "$WORK/vault-pass" -e "handoff_vars_file=$1" \
    "${@:2}"
}

check_vault_file() {
  local file=${1:-$VARS}
  [ "$(head -c 14 "$file")" = "\$ANSIBLE_VAULT" ]
  [ "$(stat -c %a "$file")" = 600 ]
  { set +x; } 2>/dev/null
  if grep -q 'secret-token:' "$file"; then
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

# the role's output: conductorone_personal_clients_secrets, one encrypted vars file per new secret
ROLE_DIR=$WORK/role-vault
cat >"$WORK/role-clients.yml" <<'EOF'
conductorone_personal_clients:
  - display_name: ci-deploy
    expires_in: 90d
    rotate_if_expires_within: "{{ handoff_rotate_within }}"
  - display_name: ci-report
    expires_in: 90d
    rotate_if_expires_within: 14d
EOF
DEPLOY=$ROLE_DIR/ci-deploy.vault.yml
REPORT=$ROLE_DIR/ci-report.vault.yml

store_role() {
  ansible-playbook "$EXAMPLES/store-role-secrets-in-vault.yml" -e "handoff_vault_password_file=$WORK/vault-pass" \
    -e "handoff_vars_dir=$ROLE_DIR" -e "@$WORK/role-clients.yml" "$@"
}

# the names of the variables in an encrypted vars file (never their values)
vault_keys() {
  ansible-vault view --vault-password-file "$WORK/vault-pass" "$1" | sed -n 's/^\([a-z_]*\): .*/\1/p' | sort | tr '\n' ' '
}

store_role | tee "$WORK/role-first.log"
grep -q 'created 2 (ci-deploy, ci-report)' "$WORK/role-first.log"
[ "$(stat -c %a "$ROLE_DIR")" = 700 ]
check_vault_file "$DEPLOY"
check_vault_file "$REPORT"
[ "$(vault_keys "$REPORT")" = "ci_report_client_id ci_report_client_secret ci_report_expires_time " ]
use "$DEPLOY" -e handoff_name=ci_deploy
cp "$DEPLOY" "$WORK/role-before-rotation.vault.yml"
cp "$REPORT" "$WORK/report-before-rotation.vault.yml"

store_role -e handoff_rotate_within=3650d | tee "$WORK/role-rotate.log"
grep -q 'rotated 1 (ci-deploy)' "$WORK/role-rotate.log"
check_vault_file "$DEPLOY"
cmp -s "$DEPLOY" "$WORK/role-before-rotation.vault.yml" && { echo "rotation did not store a new secret" >&2; exit 1; }
cmp "$REPORT" "$WORK/report-before-rotation.vault.yml"
use "$DEPLOY" -e handoff_name=ci_deploy
if use "$WORK/role-before-rotation.vault.yml" -e handoff_name=ci_deploy >"$WORK/role-old.log" 2>&1; then
  echo "the role's secret from before the rotation still authenticates" >&2
  exit 1
fi
grep -qi 'unauthenticated\|401\|invalid_client\|refused' "$WORK/role-old.log"

# a re-run changes nothing and leaves both files alone
cp "$DEPLOY" "$WORK/role-after-rotation.vault.yml"
store_role | tee "$WORK/role-third.log"
grep -qE 'localhost +: ok=[0-9]+ +changed=0 ' "$WORK/role-third.log"
cmp "$DEPLOY" "$WORK/role-after-rotation.vault.yml"
cmp "$REPORT" "$WORK/report-before-rotation.vault.yml"
