# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Start the local ConductorOne API emulator.

python3 tests/emulator/serve.py [--host 127.0.0.1] [--port 0] [--tls] [--state FILE] [--env-file FILE]
                                [--seed FILE] [--token-ttl SECONDS] [--verbose]

See tests/emulator/README.md.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading

try:  # the emulator signs and verifies Ed25519 keys (and makes its TLS certificates) with cryptography
    import cryptography  # noqa: F401  pylint: disable=unused-import
except ImportError:
    sys.stderr.write(
        'serve.py: the emulator needs the Python package cryptography, which this Python (%s) cannot import.\n'
        'Install it for this interpreter: %s -m pip install cryptography\n'
        '(or run serve.py with the Python of your Ansible controller, which has it: it is the collection\'s '
        'requirement too)\n' % (sys.executable, sys.executable))
    sys.exit(2)

from c1emu import seed as seeding  # noqa: E402  pylint: disable=wrong-import-position
from c1emu import tls  # noqa: E402  pylint: disable=wrong-import-position
from c1emu.faults import Faults  # noqa: E402  pylint: disable=wrong-import-position
from c1emu.server import App, Server  # noqa: E402  pylint: disable=wrong-import-position
from c1emu.store import Store, write_atomic  # noqa: E402  pylint: disable=wrong-import-position


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Local ConductorOne IAM API emulator (for tests, CI and demos).')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port; 0 picks a free one (default 0)')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a generated CA (written as CONDUCTORONE_CA_PATH)')
    parser.add_argument('--state', metavar='FILE', help='persist the state in FILE (reloaded on start; default: in memory)')
    parser.add_argument('--env-file', metavar='FILE', help='write CONDUCTORONE_* KEY=value lines here once ready')
    parser.add_argument('--seed', metavar='FILE', help='YAML or JSON seed document applied to a new state')
    parser.add_argument('--token-ttl', metavar='SECONDS', type=int, default=600, help='access token lifetime (default 600)')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    args = parser.parse_args(argv)
    if args.token_ttl < 1:
        parser.error('--token-ttl must be a positive number of seconds')
    if not 0 <= args.port <= 65535:
        parser.error('--port must be between 0 and 65535')
    return args


def public_host(bind_host, use_tls):
    if use_tls:
        return 'localhost'
    if bind_host in ('', '0.0.0.0'):
        return '127.0.0.1'
    if bind_host == '::':
        return '[::1]'
    if ':' in bind_host:
        return '[%s]' % bind_host
    return bind_host


def bind(args, app, context):
    """Bind the server; with --port 0 and a persisted state, first try the port it was served on before."""
    candidates = [args.port]
    if args.port == 0 and args.state:
        previous = Store.previous_port(args.state)
        if previous:
            candidates.insert(0, previous)
    for index, port in enumerate(candidates):
        try:
            return Server((args.host, port), app, context)
        except OSError:
            if index == len(candidates) - 1:
                raise
    raise OSError('could not bind')


def write_env_file(path, store, url, ca_path):
    lines = [
        'CONDUCTORONE_SERVER_URL=%s' % url,
        'CONDUCTORONE_CLIENT_ID=%s' % store.data['clients'][store.data['admin']['clientId']]['clientId'],
        'CONDUCTORONE_CLIENT_SECRET=%s' % store.admin_secret,
        'CONDUCTORONE_WFE_CLIENT_ID=%s' % store.data['trusts'][store.data['admin']['trustId']]['clientId'],
    ]
    if ca_path:
        lines.append('CONDUCTORONE_CA_PATH=%s' % ca_path)
    write_atomic(path, '\n'.join(lines) + '\n')


def main(argv=None):
    args = parse_args(argv)
    try:
        startup_seed = seeding.load_seed_file(args.seed) if args.seed else None
    except (OSError, ValueError) as exc:
        sys.stderr.write('serve.py: cannot read seed %s: %s\n' % (args.seed, exc))
        return 2
    if args.env_file and os.path.exists(args.env_file):
        os.unlink(args.env_file)

    tls_dir, ca_path, context = None, None, None
    if args.tls:
        tls_dir = tempfile.mkdtemp(prefix='c1emu-tls-')
        ca_path, cert_path, key_path = tls.generate(tls_dir)
        context = tls.server_context(cert_path, key_path)

    store = Store(state_path=args.state, token_ttl=args.token_ttl, startup_seed=startup_seed)
    app = App(store, Faults(), verbose=args.verbose)
    server = None
    try:
        server = bind(args, app, context)
        port = server.server_address[1]
        host = public_host(args.host, args.tls)
        url = '%s://%s:%d' % ('https' if args.tls else 'http', host, port)
        app.url = url
        store.public_url = url
        store.open('%s:%d' % (host, port))
    except (OSError, ValueError) as exc:
        kind = 'invalid seed: ' if isinstance(exc, seeding.SeedError) else ''
        sys.stderr.write('serve.py: %s%s\n' % (kind, exc))
        if server is not None:
            server.server_close()
        if tls_dir:
            shutil.rmtree(tls_dir, ignore_errors=True)
        return 2

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.env_file:
        write_env_file(args.env_file, store, url, ca_path)
    print(url, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        if tls_dir:
            shutil.rmtree(tls_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
