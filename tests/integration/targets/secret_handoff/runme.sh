#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The secret hand-off of examples/secret-handoff, end to end against the emulator: create a client and store
# its secret in an ansible-vault encrypted vars file; a later play (with no other credential) decrypts it and
# authenticates; rotate and store again; the new file authenticates and the old one is refused. Then the same
# with the conductorone.iam.personal_clients role's output (store-role-secrets-in-vault.yml): two clients, one
# vars file each; rotating one rewrites only its file. And the failure paths: each precondition (missing vault
# password file, a directory others can write to, a file the password does not open, two display names for one
# file) refuses before any create; a re-run that finds a client whose secret was never stored says so with the fix,
# and the fix works; a vars file that cannot be written after a rotation's create leaves the old client and file
# working and deletes the new client; an old client that cannot be deleted is named with the command that deletes
# it, which works as given. Relative paths are taken from the current directory.
set -euxo pipefail

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start)"
WORK=$WORK_DIR
COLLECTION=$C1_COLLECTION
EXAMPLES=$COLLECTION/examples/secret-handoff
"$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$WORK/vault-pass"
chmod 0600 "$WORK/vault-pass"
# the user's directory: relative paths on the command lines below are taken from here, not from the playbook's
HERE=$WORK/here
mkdir "$HERE"
VARS=$HERE/vault/deploy-bot.vault.yml

store() {
  (cd "$HERE" && ansible-playbook "$EXAMPLES/store-in-vault.yml" -e handoff_vault_password_file=../vault-pass \
    -e handoff_vars_file=vault/deploy-bot.vault.yml "$@")
}

# the ids of the live clients with this display name, from the emulator's state
live_ids() {
  "$PYTHON" - "$EMULATOR_URL" "$1" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + '/_emulator/state') as answer:
    state = json.load(answer)
print(' '.join(sorted(c['id'] for c in state['personalClients'] if c['displayName'] == sys.argv[2] and not c.get('deletedAt'))))
EOF
}

# expect_failure LOG PATTERN COMMAND...: the command fails and its output matches the (grep -E) pattern
expect_failure() {
  local log=$1 pattern=$2
  shift 2
  if "$@" >"$log" 2>&1; then
    echo "expected a failure: $*" >&2
    exit 1
  fi
  grep -qE "$pattern" "$log" || { cat "$log" >&2; echo "the failure does not say: $pattern" >&2; exit 1; }
}

# expect_unchanged LOG FILE COMMAND...: the command reports changed=0 and leaves FILE as it was
expect_unchanged() {
  local log=$1 file=$2
  shift 2
  cp "$file" "$log.before"
  "$@" | tee "$log"
  grep -qE 'localhost +: ok=[0-9]+ +changed=0 ' "$log"
  cmp "$file" "$log.before"
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

# every precondition is checked before any create
expect_failure "$WORK/no-pass.log" 'handoff_vault_password_file: .*/missing-pass is not a readable, non-empty file.*Nothing was created' \
  store -e handoff_vault_password_file=missing-pass
mkdir "$WORK/open" && chmod 0777 "$WORK/open"
expect_failure "$WORK/open.log" 'the directory .*/open is writable by other users.*Nothing was created' \
  store -e handoff_vars_file=../open/deploy-bot.vault.yml
[ -z "$(live_ids deploy-bot)" ]
[ ! -e "$WORK/open/deploy-bot.vault.yml" ]

store
[ "$(stat -c %a "$HERE/vault")" = 700 ]  # created by the play, 0700
check_vault_file
use "$VARS"
first_id=$(live_ids deploy-bot)

# a vars file the given password does not open: refused, nothing created
"$PYTHON" -c 'print("another password")' >"$WORK/other-pass"
expect_failure "$WORK/wrong-pass.log" 'does not decrypt with the password in .*/other-pass.*Nothing was created' \
  store -e handoff_vault_password_file=../other-pass -e handoff_rotate=true
[ "$(live_ids deploy-bot)" = "$first_id" ]
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
expect_unchanged "$WORK/third.log" "$VARS" store

# a store that was lost (the file is gone, the client exists): the re-run says so and names the fix, which works
mv "$VARS" "$WORK/lost.vault.yml"
before_ids=$(live_ids deploy-bot)
expect_failure "$WORK/lost.log" 'deploy-bot exists .* but .*/here/vault/deploy-bot.vault.yml does not exist: its secret was never stored.*re-run with -e handoff_rotate=true' \
  store
[ "$(live_ids deploy-bot)" = "$before_ids" ]
store -e handoff_rotate=true
check_vault_file
use "$VARS"
[ "$(live_ids deploy-bot)" != "$before_ids" ]
[ "$(live_ids deploy-bot | wc -w)" = 1 ]

# the vars file cannot be written after the rotation created its new client (the directory is swapped for a file
# while the emulator holds the create): the new client is deleted, the old client and its file keep working
cp "$VARS" "$WORK/kept.vault.yml"
before_ids=$(live_ids deploy-bot)
emulator_control POST faults '{"method": "POST", "path": "^/api/v1/iam/personal_clients$", "kind": "delay", "hold": true, "seconds": 120}'
store -e handoff_rotate=true >"$WORK/unwritable.log" 2>&1 &
store_pid=$!
until emulator_control GET faults | grep -q '"held": 1'; do
  kill -0 "$store_pid"
  sleep 0.2
done
mv "$HERE/vault" "$HERE/vault.away" && touch "$HERE/vault"
emulator_control POST release
if wait "$store_pid"; then echo "the store succeeded although its directory was gone" >&2; exit 1; fi
rm "$HERE/vault" && mv "$HERE/vault.away" "$HERE/vault"
grep -qE 'Write the new secret .* failed: .*The new client [a-z0-9-]+ was deleted again; the old client and .*deploy-bot.vault.yml still work' \
  "$WORK/unwritable.log"
[ "$(live_ids deploy-bot)" = "$before_ids" ]
cmp "$VARS" "$WORK/kept.vault.yml"
use "$VARS"

# the old client cannot be deleted after the new secret was stored (every DELETE answered 500): the message gives the
# command that deletes it; until then the next run fails naming both clients and the one the vars file holds; the
# command, run as given, ends it
emulator_control POST faults '{"method": "DELETE", "path": "^/api/v1/iam/personal_clients/", "kind": "status", "status": 500, "count": 5}'
expect_failure "$WORK/undeleted.log" "The new secret is stored in .*/deploy-bot.vault.yml; delete the old client by hand: ansible localhost" \
  store -e handoff_rotate=true
emulator_control DELETE faults
use "$VARS"
[ "$(live_ids deploy-bot | wc -w)" = 2 ]
expect_failure "$WORK/two.log" "2 personal clients are named 'deploy-bot'.*deploy-bot.vault.yml holds client id .*keep that one and delete the other" \
  store
fix=$(grep -o "ansible localhost -m conductorone.iam.personal_client -a 'id=[a-z0-9-]* state=absent'" "$WORK/undeleted.log" | head -n 1)
eval "$fix"
[ "$(live_ids deploy-bot | wc -w)" = 1 ]
store | tee "$WORK/after-fix.log"
grep -qE 'localhost +: ok=[0-9]+ +changed=0 ' "$WORK/after-fix.log"
use "$VARS"

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

# two display names for one file (and one variable prefix), or no vault password file: refused before any create
cat >"$WORK/role-collide.yml" <<'EOF'
conductorone_personal_clients:
  - display_name: ci bot
  - display_name: ci_bot
  - display_name: ci-other
EOF
expect_failure "$WORK/role-collide.log" '\\?"ci bot\\?" and \\?"ci_bot\\?" would share one vars file or the variables ci_bot_\*.*Nothing was created' \
  store_role -e "@$WORK/role-collide.yml"
expect_failure "$WORK/role-no-pass.log" 'handoff_vault_password_file: .*/missing-pass is not a readable, non-empty file' \
  store_role -e "handoff_vault_password_file=$WORK/missing-pass"
[ -z "$(live_ids 'ci bot')$(live_ids ci_bot)$(live_ids ci-other)$(live_ids ci-deploy)" ]
[ ! -e "$ROLE_DIR" ]

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
expect_unchanged "$WORK/role-third.log" "$DEPLOY" store_role
cmp "$REPORT" "$WORK/report-before-rotation.vault.yml"

# a lost store: the re-run names the client and the fix; the fix creates it anew and stores its secret
mv "$REPORT" "$WORK/report-lost.vault.yml"
report_id=$(live_ids ci-report)
expect_failure "$WORK/role-lost.log" "ci-report exists .* but .*/ci-report.vault.yml does not exist; .*re-run with -e '[{]\\\\?\"handoff_reissue\\\\?\": [[]\\\\?\"ci-report\\\\?\"[]][}]'" \
  store_role
[ "$(live_ids ci-report)" = "$report_id" ]
store_role -e '{"handoff_reissue": ["ci-report"]}' | tee "$WORK/role-reissue.log"
grep -q 'created 1 (ci-report)' "$WORK/role-reissue.log"
check_vault_file "$REPORT"
use "$REPORT" -e handoff_name=ci_report
[ "$(live_ids ci-report | wc -w)" = 1 ]
[ "$(live_ids ci-report)" != "$report_id" ]
store_role | tee "$WORK/role-fourth.log"
grep -qE 'localhost +: ok=[0-9]+ +changed=0 ' "$WORK/role-fourth.log"

# one item fails (its create answered 400), the other is created: its secret is still stored, then the play fails
cat >"$WORK/role-partial.yml" <<'EOF'
conductorone_personal_clients:
  - display_name: partial-a
    expires_in: 90d
  - display_name: partial-b
    expires_in: 90d
EOF
emulator_control POST faults '{"method": "POST", "path": "^/api/v1/iam/personal_clients$", "kind": "status", "status": 400, "count": 1}'
expect_failure "$WORK/role-partial.log" 'failed 1 \(partial-[ab]\)' \
  store_role -e "@$WORK/role-partial.yml" -e "handoff_vars_dir=$WORK/partial"
created=$(live_ids partial-a | wc -w)
if [ "$created" = 1 ]; then made=partial-a; else made=partial-b; fi
[ "$(($(live_ids partial-a | wc -w) + $(live_ids partial-b | wc -w)))" = 1 ]
[ "$(ls "$WORK/partial")" = "$made.vault.yml" ]
check_vault_file "$WORK/partial/$made.vault.yml"
use "$WORK/partial/$made.vault.yml" -e "handoff_name=${made/-/_}"

# the guide's command sequence (docs/docsite/rst/guide_secret_handoff.rst, the console block of the ansible-vault
# section), run exactly as written: from a new directory, with a new HOME where the collection is installed
emulator_control POST reset '{}'
GUIDE_HOME=$WORK/guide-home
mkdir -p "$GUIDE_HOME/.ansible/collections" "$WORK/guide"
ln -s "$(dirname "$(dirname "$COLLECTION")")" "$GUIDE_HOME/.ansible/collections/ansible_collections"
"$PYTHON" - "$COLLECTION/docs/docsite/rst/guide_secret_handoff.rst" >"$WORK/guide.sh" <<'EOF'
import sys
with open(sys.argv[1]) as guide:
    section = guide.read().split('An ansible-vault encrypted vars file (tested)\n', 1)[1]
lines = []
for line in section.split('.. code-block:: console\n', 1)[1].split('\n')[1:]:
    if line and not line.startswith('    '):
        break
    if line.startswith('    $ '):
        lines.append(line[6:])
    elif line.startswith('        '):  # the continuation of a command ending in a backslash
        lines.append(line[8:])
print('\n'.join(lines))
EOF
grep -q 'store-role-secrets-in-vault.yml' "$WORK/guide.sh"
(cd "$WORK/guide" && HOME=$GUIDE_HOME bash -eux "$WORK/guide.sh") | tee "$WORK/guide.log"
[ "$(grep -c 'failed=0' "$WORK/guide.log")" = 5 ]
grep -q 'authenticated as .*; [0-9]* roles' "$WORK/guide.log"
[ "$(stat -c %a "$WORK/guide/vault")" = 700 ]
