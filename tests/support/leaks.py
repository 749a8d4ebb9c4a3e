# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The one leak scanner: which secrets, tokens, or parts of them, occur in a text.

Python callers: ``find_leaks(text, forbidden, allowed_secrets)``, ``forms(value)``, ``secrets_in(text)``.
Shell callers (values by variable name or by file, never on the command line, so that xtrace and ps show none):

    python -m support.leaks LOG... [--env NAME]... [--secrets-in FILE]... [--at-least N]

exits 1 naming what was found where. ``--env NAME``: the values (whitespace-separated) of the environment variable
NAME, each searched in all its forms (a client secret: whole, its key part and the private key in it; a JWT:
whole, payload and signature); an empty variable, or a value of 40 characters or fewer, is an error, so that a
scan cannot pass by looking for nothing. ``--secrets-in FILE``: every client secret written in FILE;
``--at-least N``: fail unless that found N or more.
"""

import argparse
import base64
import json
import os
import re
import sys

SECRET_PREFIX = 'secret-token:conductorone.com:v1:'
JWT_RE = re.compile(r'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}')
SECRET_RE = re.compile(re.escape(SECRET_PREFIX) + r'[A-Za-z0-9_=-]+')


def secret_parts(secret):
    """The strings that must never leak for one client secret: the whole value, its JWK part and the key d."""
    parts = [secret]
    if secret.startswith(SECRET_PREFIX):
        jwk_b64 = secret[len(SECRET_PREFIX):]
        parts.append(jwk_b64)
        try:
            jwk = json.loads(base64.urlsafe_b64decode(jwk_b64 + '=' * (-len(jwk_b64) % 4)))
            parts.append(jwk['d'])
        except (ValueError, KeyError, TypeError):
            pass
    return [part for part in parts if len(part) >= 16]


def forms(value):
    """Every form of ``value`` to look for: a client secret's parts, a JWT's payload and signature, or itself."""
    if value.startswith(SECRET_PREFIX):
        parts = secret_parts(value)
        if len(parts) != 3:
            raise ValueError('a client secret that does not decode (no key inside)')
        return parts
    pieces = value.split('.')
    if len(pieces) == 3 and all(pieces):
        return [value, pieces[1], pieces[2]]
    return [value]


def secrets_in(text):
    return SECRET_RE.findall(text)


def find_leaks(text, forbidden, allowed_secrets=(), patterns=True):
    """Leaks in ``text``: forbidden strings, any JWT (assertion or access token), secrets not in their result key.

    A created client's secret may appear only as the documented ``"client_secret": "<secret>"`` result.
    ``patterns=False``: the forbidden strings only (for output that may hold other, unrelated tokens).
    """
    leaks = []
    scrubbed = text
    for secret in allowed_secrets:
        scrubbed = re.sub(r'"client_secret":\s*"%s"' % re.escape(secret), '"client_secret": "<documented>"', scrubbed)
    for label, value in forbidden:
        if value and value in scrubbed:
            leaks.append('%s found in output' % label)
    if not patterns:
        return sorted(set(leaks))
    for match in SECRET_RE.finditer(scrubbed):
        value = match.group(0)
        if value.endswith('...') or len(value) < len(SECRET_PREFIX) + 20:
            continue  # the documentation sample / a prefix only
        leaks.append('client secret outside client_secret: %s...' % value[:len(SECRET_PREFIX) + 6])
    for match in JWT_RE.finditer(scrubbed):
        leaks.append('JWT (assertion or access token) in output: %s...' % match.group(0)[:16])
    return sorted(set(leaks))


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m support.leaks', description=__doc__.splitlines()[0])
    parser.add_argument('logs', nargs='+', metavar='LOG')
    parser.add_argument('--env', action='append', default=[], metavar='NAME')
    parser.add_argument('--secrets-in', action='append', default=[], metavar='FILE')
    parser.add_argument('--at-least', type=int, default=0, metavar='N')
    args = parser.parse_args(argv)
    forbidden = []
    for name in args.env:
        values = os.environ.get(name, '').split()
        if not values or any(len(value) <= 40 for value in values):
            sys.stderr.write('leaks: $%s holds no secret or token to look for\n' % name)
            return 1
        try:
            forbidden += [('a secret of $%s (or part of one)' % name, form) for value in values for form in forms(value)]
        except ValueError as exc:
            sys.stderr.write('leaks: $%s: %s\n' % (name, exc))
            return 1
    found = []
    for path in args.secrets_in:
        with open(path, encoding='utf-8') as stream:
            found += secrets_in(stream.read())
    if len(set(found)) < args.at_least:
        sys.stderr.write('leaks: %d client secrets in %s, fewer than %d to look for\n'
                         % (len(set(found)), ' '.join(args.secrets_in), args.at_least))
        return 1
    forbidden += [('a client secret of %s (or part of one)' % ' '.join(args.secrets_in), form)
                  for value in sorted(set(found)) for form in forms(value)]
    problems = []
    for path in args.logs:
        with open(path, encoding='utf-8', errors='replace') as stream:
            text = stream.read()
        problems += ['%s is in %s' % (label, path) for label, value in forbidden if value in text]
    for problem in sorted(set(problems)):
        sys.stderr.write('leaks: %s\n' % problem)
    if not problems:
        sys.stderr.write('leaks: none of %d strings in %s\n' % (len(forbidden), ' '.join(args.logs)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
