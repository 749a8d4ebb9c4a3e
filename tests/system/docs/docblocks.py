# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Extract the runnable code blocks of README.md and the guides, and turn a scenario into a shell script.

A block is runnable when a marker comment stands right before it (blank lines between are fine):

    RST:       .. docs-test: SCENARIO ACTION
    Markdown:  <!-- docs-test: SCENARIO ACTION -->

Several markers may stand before one block (one action each). ACTION is one of:

    file=NAME    write the block to NAME (relative to the scenario's working directory)
    tasks=NAME   the block is a list of tasks: append them to the play `hosts: localhost` in NAME;
                 each such playbook is run with `ansible-playbook NAME` after the scenario's other blocks
    playbook=NAME  write the block to NAME and run `ansible-playbook NAME` there (with `-i inventory` when the
                 working directory has an `inventory`, as the guides run playbooks)
    run          run the block: a `console` block's `$ ` commands (with their continuation lines) are
                 typed into the scenario's one shell session, in order; a `bash`/`sh` block with a
                 `#!` line runs as a script of its own, without one it is typed into the session

The blocks of a scenario run in the order of DOCUMENTS, then of their position in a document.
"""

import os
import re
import shlex

DOCUMENTS = ['README.md'] + ['docs/docsite/rst/%s' % name for name in (
    'guide_authentication.rst',
    'guide_secrets.rst',
    'guide_secret_handoff.rst',
    'guide_inventory_state.rst',
    'guide_credential_hygiene.rst',
    'guide_awx.rst',
    'guide_testing.rst',
)]

RST_MARK = re.compile(r'^\.\. docs-test:\s*(?P<spec>.+?)\s*$')
MD_MARK = re.compile(r'^<!--\s*docs-test:\s*(?P<spec>.+?)\s*-->\s*$')
RST_BLOCK = re.compile(r'^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\S*)\s*$')
MD_FENCE = re.compile(r'^(?P<fence>```+)\s*(?P<lang>\S*)\s*$')
ACTION = re.compile(r'^(?P<kind>file|tasks|playbook)=(?P<name>[A-Za-z0-9_./-]+)$|^run$')


class DocError(Exception):
    """A marker that does not stand before a code block, or names an unknown action."""


class Block:
    def __init__(self, doc, line, lang, text, scenario, action):
        self.doc = doc
        self.line = line          # 1-based line of the block's first content line
        self.lang = lang
        self.text = text
        self.scenario = scenario
        kind, _sep, name = action.partition('=')
        self.kind = kind
        self.name = name

    @property
    def where(self):
        return '%s:%d' % (self.doc, self.line)

    def __repr__(self):
        return '<Block %s %s %s>' % (self.scenario, self.where, self.kind)


def _parse_spec(spec, where):
    parts = spec.split()
    if len(parts) != 2 or not ACTION.match(parts[1]):
        raise DocError('%s: a docs-test marker is "SCENARIO ACTION" with ACTION one of file=NAME, '
                       'tasks=NAME, playbook=NAME, run; got %r' % (where, spec))
    name = parts[1].partition('=')[2]
    if name.startswith('/') or '..' in name.split('/'):
        raise DocError('%s: %r must be a relative path inside the working directory' % (where, name))
    return parts[0], parts[1]


def _block_start(lines, i, pattern, where, what):
    """The match of ``pattern`` on the first non-blank line at or after lines[i], and that line's index; a DocError
    when the marker does not stand right before such a line (``what``: the block's opening, for the message)."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    match = pattern.match(lines[i]) if i < len(lines) else None
    if not match:
        raise DocError('%s: a docs-test marker must stand right before %s' % (where, what))
    return match, i


def _rst_block(lines, i, where):
    """The code block whose directive is at or after lines[i] (after blank lines): (lang, first line, text)."""
    match, i = _block_start(lines, i, RST_BLOCK, where, 'a ".. code-block::"')
    indent = len(match.group('indent'))
    i += 1
    while i < len(lines) and lines[i].strip().startswith(':'):   # directive options
        i += 1
    body = []
    start = None
    while i < len(lines):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if start is None and line.strip():
            start = i + 1
        body.append(line)
        i += 1
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    width = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    text = '\n'.join(line[width:] for line in body) + '\n'
    return match.group('lang'), start, text


def _md_block(lines, i, where):
    match, i = _block_start(lines, i, MD_FENCE, where, 'a ``` code block')
    fence = match.group('fence')
    body = []
    j = i + 1
    while j < len(lines) and lines[j].strip() != fence:
        body.append(lines[j])
        j += 1
    if j == len(lines):
        raise DocError('%s: the code block is not closed' % where)
    return match.group('lang'), i + 2, '\n'.join(body) + '\n'


def blocks_of(root, doc):
    """The marked blocks of one document, in order."""
    with open(os.path.join(root, doc)) as f:
        lines = f.read().splitlines()
    mark, block = (MD_MARK, _md_block) if doc.endswith('.md') else (RST_MARK, _rst_block)
    found = []
    i = 0
    while i < len(lines):
        specs = []
        while i < len(lines) and mark.match(lines[i]):
            specs.append(_parse_spec(mark.match(lines[i]).group('spec'), '%s:%d' % (doc, i + 1)))
            i += 1
        if specs:
            lang, start, text = block(lines, i, '%s:%d' % (doc, i))
            for scenario, action in specs:
                found.append(Block(doc, start, lang, text, scenario, action))
        else:
            i += 1
    return found


def scenarios(root, documents=None):
    """{scenario: [Block, ...]} over all documents, in document order."""
    result = {}
    for doc in documents or DOCUMENTS:
        for b in blocks_of(root, doc):
            result.setdefault(b.scenario, []).append(b)
    return result


def console_commands(text):
    """The commands of a console transcript: `$ ` lines and their `\\` continuation lines."""
    commands = []
    current = None
    for line in text.splitlines():
        if current is not None:
            current.append(line)
            if not line.rstrip().endswith('\\'):
                commands.append('\n'.join(current))
                current = None
        elif line.startswith('$ '):
            if line.rstrip().endswith('\\'):
                current = [line[2:]]
            else:
                commands.append(line[2:])
    if current is not None:
        commands.append('\n'.join(current))
    return commands


def _heredoc(name, text):
    tag = 'DOCS_TEST_EOF'
    assert tag not in text
    directory = os.path.dirname(name)
    mkdir = 'mkdir -p %s && ' % shlex.quote(directory) if directory else ''
    return "%scat > %s <<'%s'\n%s%s\n" % (mkdir, shlex.quote(name), tag, text, tag)


def _indent(text, spaces):
    pad = ' ' * spaces
    return ''.join(pad + line if line.strip() else line for line in text.splitlines(True))


def script(blocks):
    """The bash session that runs a scenario's blocks, as a user following the documents would."""
    out = ['set -eo pipefail', 'cd "$DOCS_TEST_WORK"']
    plays = {}   # name -> tasks text, in order of first appearance
    for n, b in enumerate(blocks):
        out.append('echo "::: docs-test: %s (%s%s)"' % (b.where, b.kind, '=' + b.name if b.name else ''))
        if b.kind == 'file':
            out.append(_heredoc(b.name, b.text))
        elif b.kind == 'playbook':
            out.append(_heredoc(b.name, b.text))
            out.append('ansible-playbook $([ -f inventory ] && echo "-i inventory") %s' % shlex.quote(b.name))
        elif b.kind == 'tasks':
            plays[b.name] = plays.get(b.name, '') + ('\n' if b.name in plays else '') + b.text
        elif b.lang == 'console':
            out.extend(console_commands(b.text))
        elif b.lang in ('bash', 'sh', 'shell') and b.text.startswith('#!'):
            path = '.docs-test-script-%d.sh' % n
            out.append(_heredoc(path, b.text))
            out.append('bash %s' % path)
        elif b.lang in ('bash', 'sh', 'shell'):
            out.append(b.text)
        else:
            raise DocError('%s: cannot run a %r block (console, bash or sh)' % (b.where, b.lang))
    if plays:
        out.append('cd "$DOCS_TEST_WORK"')
    for name, tasks in plays.items():
        play = ('- name: %s (from the documentation)\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s'
                % (name, _indent(tasks, 4)))
        out.append('echo "::: docs-test: ansible-playbook %s"' % name)
        out.append(_heredoc(name, play))
        out.append('ansible-playbook %s' % shlex.quote(name))
    out.append('echo "::: docs-test: done"')
    return '\n'.join(out) + '\n'
