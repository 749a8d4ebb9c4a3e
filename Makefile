# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# conductorone.iam developer commands: each runs nox sessions (noxfile.py; `make list` lists them) from the
# bootstrap venv .venv-nox (tests/requirements-nox.txt); CONTRIBUTING.md ("Make targets") describes them.
# `make test` is CI; `make SESSION [ARGS=...]`, `make sanity|units|integration [CORES="2.19"] [ARGS=target]`.

CORES ?= 2.19 2.16 2.21
# the former SANITY_ARGS, UNITS_ARGS, INTEGRATION_ARGS, BENCH_ARGS still work
ARGS ?= $(strip $(SANITY_ARGS) $(UNITS_ARGS) $(INTEGRATION_ARGS) $(BENCH_ARGS))
NOX = .venv-nox/bin/nox
SESSIONS = setup emulator-tests fresh-home reliability bench bench-quick docs-build docs-tests galaxy-importer \
	awx-job secret-stores demo mypy changelog shellcheck ee-introspect ee-create docs-check license-check extra-checks build-import-check

.PHONY: test list lint docs build sanity units integration $(SESSIONS) reliability-long mutate clean distclean

.venv-nox/.requirements.txt: tests/requirements-nox.txt
	rm -rf .venv-nox && python3 -m venv .venv-nox && .venv-nox/bin/pip install -q -r $< && cp $< $@

test: .venv-nox/.requirements.txt
	@rm -f .build/nox-report.json; $(NOX) --report .build/nox-report.json; rc=$$?; \
	  .venv-nox/bin/python noxfile.py .build/nox-report.json || echo "0 passed, 1 failed"; exit $$rc

list: .venv-nox/.requirements.txt
	@$(NOX) -l

sanity units integration: .venv-nox/.requirements.txt
	@$(NOX) -s $(addprefix $@-,$(CORES)) -- $(ARGS)

lint: .venv-nox/.requirements.txt
	@$(NOX) -t static -- $(ARGS)

docs build: .venv-nox/.requirements.txt
	@$(NOX) -t $@ -- $(ARGS)

$(SESSIONS): .venv-nox/.requirements.txt
	@$(NOX) -s $@ -- $(ARGS)

reliability-long:  # the converge property test with a longer, freshly seeded search (~30 min); not part of test
	C1REL_PROPERTY_RANDOM=1 C1REL_PROPERTY_EXAMPLES=300 C1REL_PROPERTY_STEPS=40 .venv/bin/python -m pytest -p no:cacheprovider tests/system/reliability/test_rel_converge_property.py

mutate:  # the mutation check of the reliability suite (~20 min on 2 cores); not part of test
	@.venv/bin/python tests/system/reliability/mutate.py $(MUTATE_ARGS)

clean:
	rm -rf .build .nox dist tests/output tests/integration/inventory docs/site/build docs/site/rst/collections

distclean: clean
	rm -rf .venv .venv-*
