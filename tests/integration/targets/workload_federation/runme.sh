#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Workload identity federation (oidc_token + a /wfe client id) against the emulator over TLS, with OIDC
# tokens from the emulator's test issuer:
#   1. "done means": only CONDUCTORONE_CLIENT_ID (the /wfe trust) and CONDUCTORONE_OIDC_TOKEN in the
#      environment; roles and personal clients managed, one token exchange for the play (cache hits after)
#   2. the same trust as options (module_defaults), no CONDUCTORONE_* variable; tenant_domain
#   3. a tampered, an expired and a replayed OIDC token fail with clear messages
#   4. the AWX credential type for federation (extensions/awx/conductorone_wfe_credential_type.yml),
#      rendered as the controller does, runs (1) again
# Every playbook runs at -vvvv; no OIDC token (nor the cached access token) may appear in the output.
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start --tls)"
WORK=$WORK_DIR
export XDG_CACHE_HOME=$WORK/cache

# Keep what the tests need aside, then drop every CONDUCTORONE_* variable. The CA goes to requests through
# REQUESTS_CA_BUNDLE, so that the connection is named by the two federation variables alone.
WFE_ID=$CONDUCTORONE_WFE_CLIENT_ID
export REQUESTS_CA_BUNDLE=$CONDUCTORONE_CA_PATH
{ set +x; } 2>/dev/null
unset CONDUCTORONE_SERVER_URL CONDUCTORONE_CLIENT_ID CONDUCTORONE_CLIENT_SECRET CONDUCTORONE_CA_PATH \
  CONDUCTORONE_ACCESS_TOKEN CONDUCTORONE_WFE_CLIENT_ID CONDUCTORONE_OIDC_TOKEN CONDUCTORONE_TENANT_DOMAIN
set -x
env | grep -q '^CONDUCTORONE_' && { echo "a CONDUCTORONE_* variable is still set" >&2; exit 1; }

# oidc_token [JSON]: a token from the emulator's test OIDC issuer
oidc_token() {
  local body=${1:-}
  [ -n "$body" ] || body='{}'
  emulator_control POST oidc/token "$body" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# tamper TOKEN: the same token with another subject in its payload (its signature no longer matches)
tamper() {
  "$PYTHON" - "$1" <<'PY'
import base64, json, sys
head, body, signature = sys.argv[1].split(".")
claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
claims["sub"] = "repo:attacker/repo:ref:refs/heads/main"
body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
print(".".join([head, body, signature]))
PY
}

# no_leak LOG NAME...: none of the tokens in the variables NAME..., nor their payload or signature, is in
# the log (names, not values, so that the xtrace of this script does not print the tokens either)
no_leak() {
  local log=$1 name args=()
  shift
  for name in "$@"; do args+=(--env "$name"); done
  (export "${@?}"; c1_support leaks "$log" "${args[@]}")
}

# the access token in the (one) token cache file
cached_access_token() {
  find "$XDG_CACHE_HOME" -name '*.json' -type f -exec "$PYTHON" -c \
    'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' {} \;
}

# ---- 1: only CONDUCTORONE_CLIENT_ID and CONDUCTORONE_OIDC_TOKEN -----------------------------------------
{ set +x; } 2>/dev/null
TOKEN=$(oidc_token)
[ "$(env CONDUCTORONE_CLIENT_ID="$WFE_ID" CONDUCTORONE_OIDC_TOKEN="$TOKEN" env | grep -c '^CONDUCTORONE_')" -eq 2 ]
export CONDUCTORONE_CLIENT_ID=$WFE_ID CONDUCTORONE_OIDC_TOKEN=$TOKEN
set -x
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" done_means.yml -vvvv "$@" >"$WORK/done.log" 2>&1 ||
  { cat "$WORK/done.log"; exit 1; }
unset CONDUCTORONE_CLIENT_ID CONDUCTORONE_OIDC_TOKEN
tail -n 5 "$WORK/done.log"
{ set +x; } 2>/dev/null
# shellcheck disable=SC2034  # exported by no_leak, by name
ACCESS=$(cached_access_token)
set -x
no_leak "$WORK/done.log" TOKEN ACCESS
# the cache file holds the access token only, under a name that is a hash
no_leak "$(find "$XDG_CACHE_HOME" -name '*.json' -type f)" TOKEN

# ---- 2: options, tenant_domain ---------------------------------------------------------------------------
{ set +x; } 2>/dev/null
printf '{"wfe_client_id": "%s", "oidc_token": "%s", "second_oidc_token": "%s"}' "$WFE_ID" "$(oidc_token)" "$(oidc_token)" \
  >"$WORK/options.json"
# shellcheck disable=SC2034  # exported by no_leak, by name
OPTION_TOKENS=$("$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["oidc_token"], d["second_oidc_token"])' "$WORK/options.json")
set -x
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" options.yml -e "@$WORK/options.json" -vvvv "$@" \
  >"$WORK/options.log" 2>&1 || { cat "$WORK/options.log"; exit 1; }
tail -n 5 "$WORK/options.log"
no_leak "$WORK/options.log" OPTION_TOKENS

# ---- 3: tampered, expired, replayed ----------------------------------------------------------------------
{ set +x; } 2>/dev/null
ORIGINAL=$(oidc_token)
TAMPERED=$(tamper "$ORIGINAL")
EXPIRED=$(oidc_token '{"ttl": -60}')
REPLAY=$(oidc_token)
REVOKED=$(oidc_token)
printf '{"wfe_client_id": "%s", "tampered_token": "%s", "expired_token": "%s", "replay_token": "%s", "revoked_token": "%s"}' \
  "$WFE_ID" "$TAMPERED" "$EXPIRED" "$REPLAY" "$REVOKED" >"$WORK/failures.json"
set -x
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" failures.yml -e "@$WORK/failures.json" -vvvv "$@" \
  >"$WORK/failures.log" 2>&1 || { cat "$WORK/failures.log"; exit 1; }
tail -n 5 "$WORK/failures.log"
no_leak "$WORK/failures.log" ORIGINAL TAMPERED EXPIRED REPLAY REVOKED
# the messages (shown for the CI log) are in the log, so the search above looked at the failures
grep -E '^ +"msg": ' "$WORK/failures.log" | sort -u
grep -q 'subject_token signature is invalid' "$WORK/failures.log"
grep -q 'already exchanged in this run' "$WORK/failures.log"

# ---- 4: the AWX credential type for workload federation --------------------------------------------------
emulator_control POST reset
COLLECTION=$C1_COLLECTION
mkdir -p "$WORK/job"
{ set +x; } 2>/dev/null
AWX_TOKEN=$(oidc_token)
"$PYTHON" -c 'import json, sys; print(json.dumps({"client_id": sys.argv[1], "oidc_token": sys.argv[2], "ca_certificate": open(sys.argv[3]).read()}))' \
  "$WFE_ID" "$AWX_TOKEN" "$REQUESTS_CA_BUNDLE" >"$WORK/awx-inputs.json"
mapfile -d '' INJECTED < <("$PYTHON" ../awx_credential_type/render_injectors.py \
  "$COLLECTION/extensions/awx/conductorone_wfe_credential_type.yml" "$WORK/job" <"$WORK/awx-inputs.json")
[ "${#INJECTED[@]}" -eq 5 ] || { echo "expected 5 injected variables, got ${#INJECTED[@]}" >&2; exit 1; }
printf '%s\n' "${INJECTED[@]}" | grep -q "^CONDUCTORONE_OIDC_TOKEN=$AWX_TOKEN\$"
printf '%s\n' "${INJECTED[@]}" | grep -q "^CONDUCTORONE_CA_PATH=$WORK/job/env/"
export "${INJECTED[@]}"
set -x
rm -rf "$XDG_CACHE_HOME"
emulator_ca=$REQUESTS_CA_BUNDLE
unset REQUESTS_CA_BUNDLE  # the CA comes from the injected CONDUCTORONE_CA_PATH now
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" done_means.yml -e "emulator_ca=$emulator_ca" -vvvv "$@" \
  >"$WORK/awx.log" 2>&1 || { cat "$WORK/awx.log"; exit 1; }
tail -n 5 "$WORK/awx.log"
{ set +x; } 2>/dev/null
# shellcheck disable=SC2034  # exported by no_leak, by name
AWX_ACCESS=$(cached_access_token)
set -x
no_leak "$WORK/awx.log" AWX_TOKEN AWX_ACCESS
