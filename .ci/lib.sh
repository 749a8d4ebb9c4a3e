# shellcheck shell=bash
# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Common settings for the .ci scripts (sourced, not run).
#
# The repository root is the collection root. ansible-test needs the tree under
# ansible_collections/conductorone/iam/, so the scripts work on a copy in .build/ (see
# .ci/stage-collection); the repository is never moved.

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$CI_DIR/.." && pwd)
BUILD_ROOT=$REPO/.build
STAGE=$BUILD_ROOT/ansible_collections/conductorone/iam
COLLECTION=conductorone.iam
export CI_DIR REPO BUILD_ROOT STAGE COLLECTION

# The ansible-core lines CI tests: 2.19 (newest for Python 3.11, the main toolchain in .venv),
# 2.16 (lowest supported), 2.21 (newest, Python >= 3.12).
ALL_CORES="2.19 2.16 2.21"
MAIN_CORE=2.19
export ALL_CORES MAIN_CORE

# Tools with a venv of their own (.venv-TOOL from tests/requirements-TOOL.txt, made by .ci/setup TOOL):
# galaxy-importer pins its own ansible-core/ansible-lint; ansible-runner is AWX's job engine; stores holds the
# secret stores (OpenBao, moto) and the collections that write to them (PyPI's `ansible` bundle).
ALL_TOOLS="galaxy-importer ansible-runner stores"
export ALL_TOOLS

# pyenv's root: $PYENV_ROOT, `pyenv root`, a .../shims directory on PATH, else ~/.pyenv
find_pyenv_root() {
  local d
  if [ -n "${PYENV_ROOT:-}" ] && [ -d "$PYENV_ROOT/versions" ]; then echo "$PYENV_ROOT"; return; fi
  d=$(pyenv root 2>/dev/null) && [ -d "$d/versions" ] && { echo "$d"; return; }
  local IFS=:
  for d in $PATH; do
    case $d in */shims) [ -d "${d%/shims}/versions" ] && { echo "${d%/shims}"; return; } ;; esac
  done
  echo "$HOME/.pyenv"
}
PYENV_DIR=$(find_pyenv_root)

log() { printf '%s\n' "$*" >&2; }

# venv directory for an ansible-core line
core_venv() {
  case $1 in
    "$MAIN_CORE") echo "$REPO/.venv" ;;
    *) echo "$REPO/.venv-$1" ;;
  esac
}

# pinned requirements for an ansible-core line
core_requirements() {
  case $1 in
    "$MAIN_CORE") echo "$REPO/requirements-dev.txt" ;;
    *) echo "$REPO/tests/requirements-core-$1.txt" ;;
  esac
}

tool_venv() { echo "$REPO/.venv-$1"; }
tool_requirements() { echo "$REPO/tests/requirements-$1.txt"; }

# true when the venv of that tool was set up completely
tool_ready() {
  local venv
  venv=$(tool_venv "$1")
  [ -x "$venv/bin/python" ] && cmp -s "$(tool_requirements "$1")" "$venv/.requirements.txt"
}

# A real Python 3.11 interpreter (not a pyenv shim): pyenv's build first, then PATH.
find_python311() {
  local p
  for p in "$PYENV_DIR"/versions/3.11*/bin/python3.11; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  for p in python3.11 python3; do
    if command -v "$p" >/dev/null 2>&1 &&
       "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; then
      command -v "$p"; return 0
    fi
  done
  return 1
}

# A Python >= 3.12 for ansible-core 2.21: pyenv's 3.13.0 when it exists, else another pyenv 3.12+.
find_python313() {
  local p
  for p in "$PYENV_DIR/versions/3.13.0/bin/python" "$PYENV_DIR"/versions/3.13*/bin/python "$PYENV_DIR"/versions/3.12*/bin/python; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

core_base_python() {
  case $1 in
    2.21) find_python313 ;;
    *) find_python311 ;;
  esac
}

# X.Y of a venv's interpreter (for ansible-test --python)
venv_pyver() {
  "$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# true when the venv of that core was set up completely
core_ready() {
  local venv
  venv=$(core_venv "$1")
  [ -x "$venv/bin/ansible-test" ] && cmp -s "$(core_requirements "$1")" "$venv/.requirements.txt"
}

# ansible-test bootstraps pip in its managed venvs with ~/.ansible/test/cache/get_pip_<ver>.py, which it
# downloads from a host this machine cannot reach: put the offline stand-in .ci/get_pip_shim.py there,
# under every pip version that core's ansible-test asks for. ansible-test reads it from $HOME (not
# configurable), so .ci/setup and every ansible-test stage call this for the HOME they run with.
install_get_pip_shim() {
  local venv=$1 at versions v
  at=$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))') || return 1
  # default_packages = dict(pip='24.2', ...) in ansible-test's python_requirements.py;
  # 2.16 asks for 23.1.2 (and older ones for Python 2.7/3.6), 2.19 for 24.2, 2.21 for 25.2.
  versions=$(grep -oE "pip='[0-9.]+'" "$at/_internal/python_requirements.py" | grep -oE "[0-9.]+" | sort -u)
  if [ -z "$versions" ]; then
    log "cannot find the pip version in $at/_internal/python_requirements.py"
    return 1
  fi
  mkdir -p "$HOME/.ansible/test/cache"
  for v in $versions; do
    cmp -s "$CI_DIR/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_${v//./_}.py" ||
      cp "$CI_DIR/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_${v//./_}.py"
  done
}

# Put a core's venv first on PATH (in the calling shell).
use_core() {
  local venv
  venv=$(core_venv "$1")
  export VIRTUAL_ENV=$venv
  export PATH="$venv/bin:$PATH"
}
