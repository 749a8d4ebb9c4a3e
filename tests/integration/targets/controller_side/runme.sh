#!/usr/bin/env bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# delegate_to, ansible_python_interpreter and async on a conductorone.iam module: warnings (as the user sees
# them, on stdout) and the refusal of async, on every core.
set -eux

# the emulator of the collection under test (tests/support/emulator.py): its variables, WORK_DIR (removed with
# it), PYTHON; stopped on exit
eval "$(PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/conductorone/iam/tests \
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -m support.emulator start)"

LOG=$OUTPUT_DIR/controller_side.log
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$INVENTORY_PATH" -i hosts.yml controller_side.yml "$@" 2>&1 | tee "$LOG"
# the warnings reach the user (on stderr) once each: from the delegated task and from the interpreter task;
# none for the tasks that run where they say (ansible-core 2.16 wraps warnings: compare on one line)
count() {
  tr -s '\n ' '  ' <"$LOG" | grep -oF "$1" | wc -l
}
[ "$(count 'delegate_to: bastion has no effect on conductorone.iam.role_info')" -eq 1 ]
[ "$(count 'ansible_python_interpreter (/opt/elsewhere/bin/python3) is not used by conductorone.iam.role_info')" -eq 1 ]
[ "$(count 'has no effect on')" -eq 1 ]
[ "$(count 'is not used by')" -eq 1 ]
