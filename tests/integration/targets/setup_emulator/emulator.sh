# shellcheck shell=bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Start and stop the local ConductorOne API emulator (tests/emulator/serve.py) around a test.
# Sourced by integration targets whose aliases hold `needs/target/setup_emulator`:
#
#   . ../setup_emulator/emulator.sh
#   emulator_start            # extra arguments go to serve.py, e.g. --tls or --seed FILE
#   ansible-playbook -i "$INVENTORY_PATH" playbook.yml "$@"
#
# emulator_start runs serve.py on a free port, waits for its env file and exports
# CONDUCTORONE_SERVER_URL, CONDUCTORONE_CLIENT_ID, CONDUCTORONE_CLIENT_SECRET (and
# CONDUCTORONE_CA_PATH with --tls), plus EMULATOR_URL (same as the server URL), EMULATOR_PID and
# EMULATOR_ENV_FILE. The emulator is stopped on exit (trap on EXIT; a target that sets its own EXIT
# trap calls emulator_stop in it). Also used by `make demo` outside ansible-test.
#
# serve.py is looked up in: $EMULATOR_SERVE, the collection in each ANSIBLE_COLLECTIONS_PATH entry
# (set by ansible-test), then the source tree around this file. The interpreter is
# $EMULATOR_PYTHON, else ansible-test's $ANSIBLE_TEST_PYTHON_INTERPRETER, else python3.

EMULATOR_START_TIMEOUT=${EMULATOR_START_TIMEOUT:-60}

# A target must fail when nothing ran. Every ansible-playbook run while the emulator is up records
# (callback_plugins/c1_ran_tasks.py, in C1_RAN_TASKS_LOG) whether each play matched a host and whether any
# host ran a task; emulator_stop (also on exit) fails the target when a run did not, or when no run got to
# its end. ansible-playbook itself, given an inventory without testhost, prints "no hosts matched" and exits 0.
ANSIBLE_CALLBACK_PLUGINS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/callback_plugins${ANSIBLE_CALLBACK_PLUGINS:+:$ANSIBLE_CALLBACK_PLUGINS}
ANSIBLE_CALLBACKS_ENABLED=c1_ran_tasks${ANSIBLE_CALLBACKS_ENABLED:+,$ANSIBLE_CALLBACKS_ENABLED}
export ANSIBLE_CALLBACK_PLUGINS ANSIBLE_CALLBACKS_ENABLED

# Under ansible-test (OUTPUT_DIR is the target's own directory), keep what the tests write there, not in
# HOME: ansible-test passes HOME through and drops every other variable, and with HOME pointing elsewhere
# than the user's passwd home, `async` jobs write to $HOME/.ansible_async while async_status (which
# expands ~ to the connection user's home, ~root) looks in /root/.ansible_async: "could not find job".
# An absolute async dir is the same path for both. A target may still set XDG_CACHE_HOME of its own.
if [ -n "${OUTPUT_DIR:-}" ]; then
  export ANSIBLE_ASYNC_DIR=$OUTPUT_DIR/.ansible_async
  export ANSIBLE_LOCAL_TEMP=$OUTPUT_DIR/.ansible_tmp
  export XDG_CACHE_HOME=$OUTPUT_DIR/.cache
fi

emulator_find_serve() {
  local p dir
  if [ -n "${EMULATOR_SERVE:-}" ]; then
    echo "$EMULATOR_SERVE"
    return 0
  fi
  local IFS=:
  for p in ${ANSIBLE_COLLECTIONS_PATH:-} ${ANSIBLE_COLLECTIONS_PATHS:-}; do
    for dir in "$p/ansible_collections/conductorone/iam" "$p/conductorone/iam"; do
      if [ -f "$dir/tests/emulator/serve.py" ]; then
        echo "$dir/tests/emulator/serve.py"
        return 0
      fi
    done
  done
  # tests/integration/targets/setup_emulator/ -> tests/emulator/serve.py in a source tree
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." 2>/dev/null && pwd)
  if [ -f "$dir/emulator/serve.py" ]; then
    echo "$dir/emulator/serve.py"
    return 0
  fi
  echo "emulator.sh: cannot find tests/emulator/serve.py (set EMULATOR_SERVE)" >&2
  return 1
}

# Export the KEY=VALUE lines of an env file (optional `export ` prefix and quotes; no evaluation).
emulator_load_env() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#export }
    case $line in '' | '#'*) continue ;; esac
    case $line in *=*) ;; *) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    case $value in
      \"*\") value=${value#\"}; value=${value%\"} ;;
      \'*\') value=${value#\'}; value=${value%\'} ;;
    esac
    case $key in
      *[!A-Za-z0-9_]* | [0-9]*) echo "emulator.sh: ignoring line with key '$key'" >&2; continue ;;
    esac
    export "$key=$value"
  done <"$1"
}

emulator_start() {
  # no xtrace in here: it would print the credentials from the env file
  local xtrace=0
  case $- in *x*) xtrace=1; set +x ;; esac
  _emulator_start "$@"
  local rc=$?
  [ "$xtrace" -eq 1 ] && set -x
  return "$rc"
}

_emulator_start() {
  local serve python waited=0
  serve=$(emulator_find_serve) || return 1
  python=${EMULATOR_PYTHON:-${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}}
  EMULATOR_DIR=$(mktemp -d "${TMPDIR:-/tmp}/c1-emulator.XXXXXX")
  EMULATOR_ENV_FILE=$EMULATOR_DIR/emulator.env
  EMULATOR_LOG=$EMULATOR_DIR/emulator.log
  C1_RAN_TASKS_LOG=$EMULATOR_DIR/ran-tasks.log
  export EMULATOR_DIR EMULATOR_ENV_FILE EMULATOR_LOG C1_RAN_TASKS_LOG
  "$python" "$serve" --host 127.0.0.1 --port 0 --env-file "$EMULATOR_ENV_FILE" "$@" >"$EMULATOR_LOG" 2>&1 &
  EMULATOR_PID=$!
  export EMULATOR_PID
  trap emulator_stop EXIT
  # the env file appears when the emulator is ready; it may be written in several steps, so wait
  # for its server URL line
  until [ -s "$EMULATOR_ENV_FILE" ] && grep -q 'CONDUCTORONE_SERVER_URL=' "$EMULATOR_ENV_FILE"; do
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      echo "emulator.sh: the emulator exited before it was ready; its output:" >&2
      cat "$EMULATOR_LOG" >&2
      return 1
    fi
    if [ "$waited" -ge $((EMULATOR_START_TIMEOUT * 10)) ]; then
      echo "emulator.sh: the emulator was not ready after ${EMULATOR_START_TIMEOUT}s; its output:" >&2
      cat "$EMULATOR_LOG" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  emulator_load_env "$EMULATOR_ENV_FILE"
  EMULATOR_URL=$CONDUCTORONE_SERVER_URL
  export EMULATOR_URL
  echo "emulator.sh: emulator (pid $EMULATOR_PID) ready at $EMULATOR_URL" >&2
}

# emulator_check_runs: status 1 (the problems on stderr) when no ansible-playbook run got to its end since
# emulator_start, or when one ran nothing (see C1_RAN_TASKS_LOG above).
emulator_check_runs() {
  local problems
  if [ ! -s "$C1_RAN_TASKS_LOG" ]; then
    echo "emulator.sh: no ansible-playbook run got to its end while the emulator was up: nothing ran" >&2
    return 1
  fi
  problems=$(grep -v '^ok ' "$C1_RAN_TASKS_LOG" || true)
  if [ -n "$problems" ]; then
    echo "emulator.sh: a playbook ran nothing (is testhost in the inventory?):" >&2
    echo "$problems" >&2
    return 1
  fi
}

emulator_stop() {
  local ran=0
  if [ -n "${EMULATOR_DIR:-}" ] && [ -n "${C1_RAN_TASKS_LOG:-}" ]; then
    emulator_check_runs || ran=1
  fi
  C1_RAN_TASKS_LOG=
  if [ -n "${EMULATOR_PID:-}" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
  EMULATOR_PID=
  if [ -n "${EMULATOR_DIR:-}" ] && [ -d "$EMULATOR_DIR" ]; then
    rm -rf "$EMULATOR_DIR"
  fi
  EMULATOR_DIR=
  if [ "$ran" -ne 0 ]; then
    exit 1
  fi
}
