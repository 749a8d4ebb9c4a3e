#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# personal_client against the emulator: the converge tests (main.yml), then a leak test that runs leak.yml
# at -vvvv, once with the client credentials and once with only an access token, and searches its output.
# The leak test runs without xtrace, so that the shell prints no secret either.
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start --seed "$PWD/seed.yml")"
export XDG_CACHE_HOME=$WORK_DIR/cache

ansible-playbook -i "$INVENTORY_PATH" main.yml -e "work_dir=$WORK_DIR" "$@"

# ---- leak test -------------------------------------------------------------------------------------
# From here on without xtrace: these lines handle the secrets the test searches for.

# Stop the test with a message.
fail() {
  echo "leak test: $*" >&2
  exit 1
}

# A JSON value from a file: json_value FILE KEY
json_value() {
  "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# assert_hidden_result OUTPUT TASK: the result of the task named TASK is hidden by Ansible (the module marks a
# result carrying a new secret no_log; register still gets it)
assert_hidden_result() {
  awk -v task="TASK [$2]" 'index($0, task) == 1 { inside = 1; next } /^TASK \[/ { inside = 0 }
    inside && /the output has been hidden/ { found = 1 } END { exit !found }' "$1" ||
    fail "the result of '$2' is not hidden"
}

# check_leaks NAME: search $WORK_DIR/NAME.log, the output of leak.yml run with -e leak_name=NAME
check_leaks() {
  local name=$1 output=$WORK_DIR/$1.log secrets=$WORK_DIR/$1-secrets.json file=$WORK_DIR/$1-file.json
  # the connection secret (whole, key part, private key), the access token, the created and the rotated
  # secret (secrets.json) and the one written to secret_path: none of them, nor a part, is in the output
  ACCESS_TOKEN=$ACCESS_TOKEN c1_support leaks "$output" --env CONDUCTORONE_CLIENT_SECRET --env ACCESS_TOKEN \
    --secrets-in "$secrets" --secrets-in "$file" --at-least 3 || fail "a secret is in $output"
  assert_hidden_result "$output" "Create a client, its secret in the result"
  assert_hidden_result "$output" "Rotate the client, with a diff"
  [ "$(json_value "$file" client_id)" = "$(json_value "$secrets" file_client_id)" ] || fail "$file holds another client"
  case $(json_value "$file" client_secret) in
    secret-token:conductorone.com:v1:?*) ;;
    *) fail "$file holds no client secret" ;;
  esac
  [ "$("$PYTHON" -c 'import os, sys; print(oct(os.stat(sys.argv[1]).st_mode & 0o777))' "$file")" = 0o600 ] ||
    fail "$file is not mode 0600"
  echo "leak test: $name: no secret in $(wc -l <"$output") lines of -vvvv output" >&2
}

# run_leak NAME: leak.yml at -vvvv with -e leak_name=NAME, its output in $WORK_DIR/NAME.log
run_leak() {
  local name=$1 rc=0
  echo "leak test: $name: ansible-playbook leak.yml -vvvv" >&2
  ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default \
    ANSIBLE_CALLBACK_RESULT_FORMAT=json \
    ansible-playbook -i "$INVENTORY_PATH" leak.yml -e "work_dir=$WORK_DIR" -e "leak_name=$name" -vvvv \
    >"$WORK_DIR/$name.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 100 "$WORK_DIR/$name.log" >&2
    fail "leak.yml failed for $name"
  fi
}

# An access token for the admin credential, taken before the runs
get_token() {
  "$PYTHON" -c '
import json, os, urllib.parse, urllib.request
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": os.environ["CONDUCTORONE_CLIENT_ID"],
                               "client_secret": os.environ["CONDUCTORONE_CLIENT_SECRET"]}).encode()
with urllib.request.urlopen(os.environ["CONDUCTORONE_SERVER_URL"] + "/auth/v1/token", form) as response:
    print(json.load(response)["access_token"])'
}

{ set +x; } 2>/dev/null
ACCESS_TOKEN=$(get_token)
[ -n "$ACCESS_TOKEN" ] || fail "no access token"

# (a) the client credentials from the environment
(
  unset CONDUCTORONE_ACCESS_TOKEN
  run_leak leak-credentials
)
check_leaks leak-credentials

# (b) only the access token and the server URL
(
  unset CONDUCTORONE_CLIENT_ID CONDUCTORONE_CLIENT_SECRET CONDUCTORONE_CA_PATH
  export CONDUCTORONE_ACCESS_TOKEN=$ACCESS_TOKEN
  run_leak leak-token
)
check_leaks leak-token
