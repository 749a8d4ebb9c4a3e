#!/usr/bin/env bash
# Copyright (c) Ansible Project
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Created with antsibull-docs 2.28.0
#
# Builds the docs site of the collection this script belongs to into docs/site/build/html, offline
# (conf.py downloads nothing) and with warnings as errors: an undefined reference fails the build.
# Needs antsibull-docs and Sphinx on PATH (the project's .venv: `PATH=$PWD/.venv/bin:$PATH docs/site/build.sh`,
# or `make docs`).

set -e

for tool in antsibull-docs sphinx-build; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH: run \`make setup\`, then PATH=\$PWD/.venv/bin:\$PATH $0" >&2; exit 1; }
done

pushd "$( cd -- "$( dirname -- "${BASH_SOURCE[0]}" )" &> /dev/null && pwd )"
# antsibull-docs finds the collection in a collections path: a temporary one that holds this checkout
collections=$(mktemp -d)
trap 'popd; rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/conductorone"
ln -s "$(cd ../.. && pwd)" "$collections/ansible_collections/conductorone/iam"
export ANSIBLE_COLLECTIONS_PATH=$collections

# Create collection documentation
mkdir -p rst
chmod og-w rst  # antsibull-docs wants that directory only readable by itself
antsibull-docs \
    --config-file antsibull-docs.cfg \
    collection \
    --cleanup everything \
    --use-current \
    --dest-dir rst \
    conductorone.iam

# Build Sphinx site (-E: read every page again, so that each build reports every warning)
sphinx-build -M html rst build -c . -W --keep-going -E
