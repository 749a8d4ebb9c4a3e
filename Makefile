# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# conductorone.iam developer commands. Everything runs from the project's own files:
# `make setup` makes the venvs (.venv: ansible-core 2.19 + tools; .venv-2.16; .venv-2.21 on Python 3.13).
# ansible-test runs on a copy of the repository in .build/ansible_collections/conductorone/iam/.
#
#   make test                  everything CI runs (continues after a failure; last line: N passed, N failed)
#   make sanity|units|integration [CORES="2.19"]   ansible-test on each core (default: 2.19 2.16 2.21)
#   make lint                  action group check, shellcheck, ansible-lint, changelog lint, docs lint
#   make docs                  docs lint + the antsibull-docs Sphinx site (offline, -W): docs/site/build/html,
#                              + tests/system/docs (the documents' examples run as written, a broken reference fails)
#   make build                 ansible-galaxy collection build into dist/ (+ contents check, install, verify, galaxy-importer)
#   make awx-job               examples/site.yml as two ansible-runner jobs (AWX's job engine) against the emulator
#   make secret-stores         the OpenBao and AWS Secrets Manager hand-off examples against servers the test starts
#   make demo                  start the emulator, converge examples/ twice against it (changes, then none), stop it
#   make emulator-tests        the emulator's own pytest suite
#   make reliability           the fault-injection and leak suite in tests/system/reliability (also part of test)
#   make bench [BENCH_ARGS=]   the performance benchmark, tests/perf/bench.py (not part of test; ~10 min;
#                              BENCH_ARGS="--quick" for a 30 s smoke run, which `make test` runs)
#   make clean / distclean     remove build output / also the venvs
#
# Pass ansible-test arguments with SANITY_ARGS, UNITS_ARGS, INTEGRATION_ARGS, e.g.
#   make integration CORES=2.19 INTEGRATION_ARGS=role_info

CORES ?= 2.19 2.16 2.21
INTEGRATION_CORES ?= $(CORES)
export CORES INTEGRATION_CORES SANITY_ARGS UNITS_ARGS INTEGRATION_ARGS BENCH_ARGS

.PHONY: setup test sanity units integration lint docs build awx-job secret-stores demo emulator-tests reliability reliability-long mutate bench stage clean distclean

setup:
	@.ci/setup $(CORES)

test:
	@.ci/test all

sanity:
	@.ci/test setup sanity

units:
	@.ci/test setup units

integration:
	@.ci/test setup integration

lint:
	@.ci/test setup static

docs:
	@.ci/test setup docs

build:
	@.ci/test setup build galaxy-importer

awx-job:
	@.ci/test setup awx-job

secret-stores:
	@.ci/test setup secret-stores

emulator-tests:
	@.ci/test setup emulator-tests

reliability:
	@.ci/test setup reliability

bench:
	@.ci/test setup bench

reliability-long:  # the converge property test with a longer, freshly seeded search (~30 min); not part of test
	C1REL_PROPERTY_RANDOM=1 C1REL_PROPERTY_EXAMPLES=300 C1REL_PROPERTY_STEPS=40 .venv/bin/python -m pytest -p no:cacheprovider tests/system/reliability/test_rel_converge_property.py

demo:
	@.ci/demo

mutate:  # the mutation check of the reliability suite (~20 min on 2 cores); not part of test
	@.venv/bin/python tests/system/reliability/mutate.py $(MUTATE_ARGS)

stage:
	@.ci/stage-collection

clean:
	rm -rf .build dist tests/output tests/integration/inventory docs/site/build docs/site/rst/collections

distclean: clean
	rm -rf .venv .venv-2.16 .venv-2.21
