#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The per-user access token cache (module_utils/_client/token_cache.py), end to end against the emulator:
#   1. a play of several tasks makes exactly one token exchange; the cache file is 0600 in a 0700 directory
#   2. the next play (another ansible-playbook run) makes none
#   3. after the server revoked every token: one 401, one new exchange, then the play goes on
#   4. a cached token within the 60 s margin of its expiry is not used: one new exchange
#   5. tokens that never outlive the margin (server TTL below it) are exchanged by every task
#   6. token_cache=false and CONDUCTORONE_TOKEN_CACHE=false: one exchange per task, nothing written
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start)"

PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/c1-token-cache.XXXXXX")
cleanup() {
  emulator_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

# The modules (and action plugins) look for the cache here: a private, empty directory for this test.
export XDG_CACHE_HOME=$WORK/cache
CACHE_DIR=$XDG_CACHE_HOME/conductorone.iam/tokens
unset CONDUCTORONE_TOKEN_CACHE

TASKS=4  # conductorone.iam tasks in tasks.yml

# control METHOD NAME [JSON]: call the emulator's /_emulator/NAME control
control() {
  "$PYTHON" - "$EMULATOR_URL/_emulator/$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
request = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                                 headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=30) as response:
    print(response.read().decode())
PY
}

play() {
  ansible-playbook -i "$INVENTORY_PATH" tasks.yml "$@"
}

# the token files (a lock file or the like next to them does not count)
cache_files() {
  find "$CACHE_DIR" -type f -name '*.json' 2>/dev/null | sort
}

# the one cache file's content (the token and its expiry)
cache_content() {
  local files
  files=$(cache_files)
  [ -n "$files" ] && [ "$(printf '%s\n' "$files" | wc -l)" -eq 1 ] || return 1
  cat "$files"
}

# 1. cold cache: one exchange for the whole play, stored 0600 in a 0700 directory
[ -z "$(cache_files)" ]
play -e expected_exchanges=1 "$@"
[ "$(cache_files | wc -l)" -eq 1 ]
[ "$(stat -c %a "$(cache_files)")" = 600 ]
[ "$(stat -c %a "$CACHE_DIR")" = 700 ]
# named by a hash: neither the client id nor the secret appears in the name or the content
name=$(basename "$(cache_files)")
[[ $name =~ ^[0-9a-f]{64}\.json$ ]]
set +x  # no credentials in the trace
for credential in "$CONDUCTORONE_CLIENT_ID" "$CONDUCTORONE_CLIENT_SECRET"; do
  if grep -qF "$credential" "$(cache_files)"; then
    echo "the cache file holds a credential" >&2
    exit 1
  fi
done
set -x
first=$(cache_content)

# 2. warm cache: the next play reuses the token
play -e expected_exchanges=0 "$@"
[ "$(cache_content)" = "$first" ]

# 3. the server revoked the cached token: refused once, discarded, one new exchange, the play succeeds
control POST revoke_tokens
play -e expected_exchanges=1 -e expected_refused=1 "$@"
second=$(cache_content)
[ "$second" != "$first" ]
[ "$(stat -c %a "$(cache_files)")" = 600 ]

# 4. a cached token within the 60 s margin of its expiry is not used (the server still accepts it)
"$PYTHON" - "$(cache_files)" <<'PY'
import json, sys, time
path = sys.argv[1]
with open(path) as handle:
    entry = json.load(handle)
entry["expires_at"] = time.time() + 30
with open(path, "w") as handle:  # rewriting keeps the file's 0600 mode
    json.dump(entry, handle)
PY
play -e expected_exchanges=1 "$@"
third=$(cache_content)
[ "$third" != "$second" ]
"$PYTHON" -c 'import json, sys, time; assert json.load(open(sys.argv[1]))["expires_at"] > time.time() + 300' "$(cache_files)"

# 5. tokens that live less than the margin are never reused across tasks: each task exchanges again
control POST config '{"tokenTtl": 45}'
rm -rf "$CACHE_DIR"
play -e expected_exchanges="$TASKS" "$@"
play -e expected_exchanges="$TASKS" "$@"
control POST config '{"tokenTtl": 600}'

# 6. opted out: one exchange per task and no file, with the option and with the environment variable
rm -rf "$XDG_CACHE_HOME"
play -e expected_exchanges="$TASKS" -e c1_token_cache=false "$@"
[ ! -e "$XDG_CACHE_HOME" ]
CONDUCTORONE_TOKEN_CACHE=false play -e expected_exchanges="$TASKS" "$@"
[ ! -e "$XDG_CACHE_HOME" ]
# ... and the option wins over the environment variable
CONDUCTORONE_TOKEN_CACHE=false play -e expected_exchanges=1 -e c1_token_cache=true "$@"
[ "$(cache_files | wc -l)" -eq 1 ]
