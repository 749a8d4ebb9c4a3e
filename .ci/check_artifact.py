# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the contents of the built collection artifact (the nox session build).

    check_artifact.py dist/conductorone-iam-X.Y.Z.tar.gz

Every entry must fall under an allowed path (so a new development file is noticed when it is added, not
when a user finds it), the files users need must be there, README.md (Galaxy's page of the collection) links
only to absolute URLs, and the tests share of the tarball is printed.
"""

import re
import sys
import tarfile

# what users get: the collection, its docs, examples and AWX files, the emulator for their own CI (and its
# wrapper tests/support, which the integration targets start it with), and the
# unit and integration tests (ansible-test runs them from an installed collection too)
ALLOWED = (
    "MANIFEST.json", "FILES.json", "README.md", "CHANGELOG.rst", "CONTRIBUTING.md", "requirements.txt", ".ansible-lint",
    "LICENSES/", "REUSE.toml", "CHANGELOG.rst.license", "changelogs/changelog.yaml.license", "docs/reliability.md.license",
    "changelogs/changelog.yaml", "changelogs/config.yaml", "changelogs/fragments/",
    "docs/docsite/", "docs/performance.md", "docs/reliability.md",
    "examples/", "extensions/", "meta/", "plugins/", "roles/",
    "tests/config.yml", "tests/emulator/", "tests/support/", "tests/unit/", "tests/integration/targets/",
)
# the directories of those paths, which tar lists as entries of their own
ALLOWED_DIRS = ("changelogs", "docs", "tests", "tests/integration")
REQUIRED = (
    "MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "meta/execution-environment.yml",
    ".ansible-lint",  # galaxy-importer lints the artifact with it (mock_modules for examples/awx)
    "LICENSES/GPL-3.0-or-later.txt", "LICENSES/BSD-2-Clause.txt", "REUSE.toml", "requirements.txt",
    "changelogs/changelog.yaml", "tests/emulator/serve.py", "extensions/awx/conductorone_credential_type.yml",
    "plugins/modules/role.py", "plugins/action/role.py", "roles/personal_clients/tasks/main.yml",
)
# never, wherever they are
FORBIDDEN_PARTS = ("__pycache__", ".pyc", "/output/", ".plugin-cache.yaml", "importer_result.json")
# a Markdown link target; Galaxy renders README.md away from the repository, where relative ones do not resolve
LINK = re.compile(r"\]\(([^)\s]+)\)")


def allowed(name):
    if name in ALLOWED_DIRS or name.rstrip("/") + "/" in ALLOWED:
        return True
    return any(name == entry or (entry.endswith("/") and name.startswith(entry)) for entry in ALLOWED)


def relative_links(readme):
    return [target for target in LINK.findall(readme) if not target.startswith(("https://", "http://", "#", "mailto:"))]


def main(path):
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        readme = tar.extractfile("README.md").read().decode("utf-8") if "README.md" in tar.getnames() else ""
    names = [m.name[2:] if m.name.startswith("./") else m.name for m in members]
    problems = ["not allowed in the build: %s" % n for n in names if not allowed(n)]
    problems += ["should never be in the build: %s" % n for n in names if any(p in n for p in FORBIDDEN_PARTS)]
    problems += ["missing from the build: %s" % n for n in REQUIRED if n not in names]
    problems += ["README.md links to %s, which Galaxy cannot resolve: use an absolute URL" % t for t in relative_links(readme)]
    total = sum(m.size for m in members if m.isfile()) or 1
    tests = sum(m.size for m, n in zip(members, names) if m.isfile() and n.startswith("tests/"))
    print("%s: %d entries, %d bytes uncompressed, tests/ %.0f %%" % (path, len(names), total, 100.0 * tests / total))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_artifact.py ARTIFACT.tar.gz")
    sys.exit(main(sys.argv[1]))
