#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The AWX / Automation Controller credential type of extensions/awx, against the emulator over TLS:
#   1. render_injectors.py validates the type and renders its injectors as the controller does, with the
#      inputs a user would enter (the emulator's client id and secret, its URL, its CA certificate as PEM text)
#   2. with no CONDUCTORONE_* variable but those injected, and no connection option in any task,
#      env_only.yml checks the modules, then examples/site.yml converges the example inventory twice
#      (changes, then none), as a job template would run it
#   3. the same without a server URL (the client id gives it)
#   4. the module_defaults route: no CONDUCTORONE_* variable at all, the connection in variables that
#      examples/site.yml passes to the modules with module_defaults
set -euxo pipefail

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start --tls)"
export XDG_CACHE_HOME=$WORK_DIR/cache

COLLECTION=$C1_COLLECTION  # the collection under test, as support.emulator exported it
CREDENTIAL_TYPE=$COLLECTION/extensions/awx/conductorone_credential_type.yml

# The emulator's connection, kept aside; from here on the environment has no CONDUCTORONE_* variable.
{ set +x; } 2>/dev/null
C1_URL=$CONDUCTORONE_SERVER_URL C1_ID=$CONDUCTORONE_CLIENT_ID C1_SECRET=$CONDUCTORONE_CLIENT_SECRET C1_CA=$CONDUCTORONE_CA_PATH
unset CONDUCTORONE_SERVER_URL CONDUCTORONE_CLIENT_ID CONDUCTORONE_CLIENT_SECRET CONDUCTORONE_CA_PATH CONDUCTORONE_ACCESS_TOKEN \
  CONDUCTORONE_WFE_CLIENT_ID
set -x
env | grep -q '^CONDUCTORONE_' && { echo "a CONDUCTORONE_* variable is still set" >&2; exit 1; }

# render INPUTS_JSON PRIVATE_DATA_DIR: the injected environment, into the array INJECTED (KEY=VALUE)
render() {
  local private_data_dir=$2
  mkdir -p "$private_data_dir"
  mapfile -d '' INJECTED < <("$PYTHON" render_injectors.py "$CREDENTIAL_TYPE" "$private_data_dir" <<<"$1")
  [ "${#INJECTED[@]}" -eq 4 ] || { echo "expected 4 injected variables, got ${#INJECTED[@]}" >&2; exit 1; }
}

# inputs JSON built by Python, so that the PEM text is quoted right
inputs() {
  "$PYTHON" - "$@" <<'PY'
import json, sys
url, client_id, secret, ca = sys.argv[1:5]
inputs = {"client_id": client_id, "client_secret": secret}
if url:
    inputs["server_url"] = url
if ca:
    inputs["ca_certificate"] = open(ca).read()
print(json.dumps(inputs))
PY
}

# ---- 1 + 2: all four inputs -----------------------------------------------------------------------------
{ set +x; } 2>/dev/null
render "$(inputs "$C1_URL" "$C1_ID" "$C1_SECRET" "$C1_CA")" "$WORK_DIR/job1"
set -x
env "${INJECTED[@]}" ansible-playbook -i "$INVENTORY_PATH" env_only.yml \
  -e "expect_server_url=$C1_URL" -e "ca_source=$C1_CA" -e "private_data_dir=$WORK_DIR/job1" "$@"

EXAMPLES=$COLLECTION/examples
for run in first second; do
  env "${INJECTED[@]}" ANSIBLE_NOCOLOR=1 ansible-playbook -i "$EXAMPLES/inventory" "$EXAMPLES/site.yml" \
    -e "conductorone_secret_root=$WORK_DIR/secrets" "$@" | tee "$WORK_DIR/site-$run.log"
done
# the first run changed something on both environments, the second nothing
[ "$(grep -cE '^conductorone-(staging|production) +: ok=[0-9]+ +changed=[1-9]' "$WORK_DIR/site-first.log")" -eq 2 ]
[ "$(grep -cE '^conductorone-(staging|production) +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$WORK_DIR/site-second.log")" -eq 2 ]
ls -l "$WORK_DIR/secrets/staging" "$WORK_DIR/secrets/production"

# ---- 3: no server URL: the client id gives it -----------------------------------------------------------
{ set +x; } 2>/dev/null
render "$(inputs "" "$C1_ID" "$C1_SECRET" "$C1_CA")" "$WORK_DIR/job2"
set -x
env "${INJECTED[@]}" ansible-playbook -i "$INVENTORY_PATH" env_only.yml \
  -e "expect_server_url=" -e "ca_source=$C1_CA" -e "private_data_dir=$WORK_DIR/job2" "$@"

# ---- 4: module_defaults, from variables only ------------------------------------------------------------
{ set +x; } 2>/dev/null
printf '{"conductorone_client_id": "%s", "conductorone_client_secret": "%s", "conductorone_server_url": "%s", "conductorone_ca_path": "%s"}' \
  "$C1_ID" "$C1_SECRET" "$C1_URL" "$C1_CA" >"$WORK_DIR/connection.json"
set -x
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$EXAMPLES/inventory" "$EXAMPLES/site.yml" -e "@$WORK_DIR/connection.json" \
  -e "conductorone_secret_root=$WORK_DIR/secrets" "$@" | tee "$WORK_DIR/site-vars.log"
[ "$(grep -cE '^conductorone-(staging|production) +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$WORK_DIR/site-vars.log")" -eq 2 ]
ansible-playbook -i "$INVENTORY_PATH" module_defaults.yml --check -e "@$WORK_DIR/connection.json" "$@"
