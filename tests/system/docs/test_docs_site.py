# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The docs site: every guide is listed, and the documented build (docs/site/build.sh) fails on a broken reference.

The `docs-build` session of noxfile.py builds the real site (offline, -W); this test builds a copy of the
checkout with one broken internal reference added to a guide and asserts that the build fails on it.
"""

import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BIN = os.path.dirname(sys.executable)   # the venv with antsibull-docs and Sphinx
GUIDES = os.path.join(REPO, 'docs', 'docsite', 'rst')


def guide_names():
    return sorted(n[:-4] for n in os.listdir(GUIDES) if n.endswith('.rst'))


def test_every_guide_is_in_extra_docs_and_the_readme():
    with open(os.path.join(REPO, 'docs', 'docsite', 'extra-docs.yml')) as f:
        listed = [name for section in yaml.safe_load(f)['sections'] for name in section['toctree']]
    assert sorted(listed) == guide_names()
    with open(os.path.join(REPO, 'README.md')) as f:
        readme = f.read()
    guides = readme[readme.index('## Guides'):readme.index('## Licensing')]
    assert sorted(set(re.findall(r'docs/docsite/rst/(\w+)\.rst', guides))) == guide_names()


def copy_checkout(dest):
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO,
                           stdout=subprocess.PIPE, check=True).stdout.decode().split('\0')
    files = [f for f in files if f and not f.startswith(('.venv', '.build/')) and os.path.exists(os.path.join(REPO, f))]
    packed = subprocess.run(['tar', '-C', REPO, '--null', '-T', '-', '-cf', '-'], input='\0'.join(files).encode(),
                            stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(['tar', '-C', dest, '-xf', '-'], input=packed, check=True)


def build(checkout):
    env = {'PATH': BIN + os.pathsep + '/usr/bin:/bin', 'HOME': os.path.join(checkout, '..', 'home'),
           'LANG': os.environ.get('LANG', 'C.UTF-8'), 'TMPDIR': os.path.join(checkout, '..')}
    return subprocess.run(['bash', 'docs/site/build.sh'], cwd=checkout, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=900, check=False)


def test_a_broken_internal_reference_fails_the_build(tmp_path):
    checkout = tmp_path / 'checkout'
    checkout.mkdir()
    (tmp_path / 'home').mkdir()
    copy_checkout(str(checkout))
    guide = checkout / 'docs' / 'docsite' / 'rst' / 'guide_testing.rst'
    text = guide.read_text()
    guide.write_text(text + '\nSee :ref:`ansible_collections.conductorone.iam.docsite.guide_no_such_guide`.\n')
    result = build(str(checkout))
    assert result.returncode != 0, result.stdout
    warnings = [line for line in result.stdout.splitlines() if 'WARNING' in line]
    assert len(warnings) == 1, result.stdout
    assert "undefined label: 'ansible_collections.conductorone.iam.docsite.guide_no_such_guide'" in warnings[0]
    assert 'guide_testing.rst' in warnings[0]
