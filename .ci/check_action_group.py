# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that every module in plugins/modules is in meta/runtime.yml action_groups.all.

Every module shares the connection options, so `module_defaults: group/conductorone.iam.all`
must reach all of them. Also fails on group entries that name no module.
Usage: check_action_group.py [COLLECTION_ROOT]   (default: the repository root)
"""
import os
import sys

import yaml


def main():
    """Compare the module files with the action group; print what is missing."""
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    modules_dir = os.path.join(root, 'plugins', 'modules')
    modules = set()
    if os.path.isdir(modules_dir):
        for name in os.listdir(modules_dir):
            base, ext = os.path.splitext(name)
            if ext == '.py' and base != '__init__' and not base.startswith('_'):
                modules.add(base)

    with open(os.path.join(root, 'meta', 'runtime.yml'), encoding='utf-8') as f:
        runtime = yaml.safe_load(f) or {}
    group = (runtime.get('action_groups') or {}).get('all') or []
    # entries are short names, FQCNs of this collection, or {metadata: ...} dicts
    members = set()
    for entry in group:
        if isinstance(entry, str):
            members.add(entry[len('conductorone.iam.'):] if entry.startswith('conductorone.iam.') else entry)

    errors = []
    for name in sorted(modules - members):
        errors.append('meta/runtime.yml: module %s is missing from action_groups.all' % name)
    for name in sorted(members - modules):
        errors.append('meta/runtime.yml: action_groups.all lists %s, which is not a module in plugins/modules' % name)
    for error in errors:
        print(error)
    if not errors:
        print('action_groups.all holds all %d modules: %s' % (len(modules), ', '.join(sorted(modules))))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
