# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Mutation check of the reliability suite: remove one guarded code path or fault at a time, see scenarios fail.

Each mutation replaces one exact snippet (a validator, an argument-spec entry, a security defence, the emulator's
fault injector, a retry or reconciliation path) in a temporary copy of the repository (git ls-files, tracked and
untracked; never the worktree), runs the scenarios that claim to prove that path against that copy, and counts the
failures. A mutation that no scenario notices is a hole in the suite; a snippet that is no longer in its file stops
the script (the mutation is stale; tests/reliability/test_rel_contract.py checks every snippet still applies).

A bad-input validator's mutation runs only the rows about its option (``-k B012 or ...``; the bad-input job then
builds only those rows), so each row is shown failing under the mutation of the check that refuses it, not under
one "all validation off" switch. The table ends with the coverage of the suite: how many report rows (of every row
pytest collects in tests/reliability, the harness's own contract tests aside) fail under at least one mutation,
which rows no mutation runs, and which run under some mutation but fail under none.

    .venv/bin/python tests/reliability/mutate.py                # every mutation, a Markdown table on stdout
    .venv/bin/python tests/reliability/mutate.py --list         # names only
    .venv/bin/python tests/reliability/mutate.py --only retries-off --only token-cache-off
    make mutate [MUTATE_ARGS="--only retries-off"]

Exit status 1 when a mutation is survived (no selected scenario failed) or the unmutated baseline fails.
Not part of `make test`: 19 minutes for 113 mutations on 2 shared, loaded cores with --jobs 3 (three mutations side
by side, each in its own copy); the unmutated baseline (one run of every targeted file) takes about 3 of them
(--no-baseline skips it).
"""

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import relkit  # noqa: E402  pylint: disable=wrong-import-position
import test_rel_bad_input as bad_input  # noqa: E402  pylint: disable=wrong-import-position

LOST = 'tests/reliability/test_rel_lost_create.py'
BAD = 'tests/reliability/test_rel_bad_input.py'
PAGED = 'tests/reliability/test_rel_transient_faults.py::test_fault_on_a_later_page'
AUTH = 'tests/reliability/test_rel_auth.py::test_auth'
RESTART = 'tests/reliability/test_rel_restart.py'
SEC = 'tests/reliability/test_rel_security.py'
SEC_MAIN = SEC + '::test_attack'  # S1, S3-S9, S11, S12, S15-S17: one playbook (conftest starts only the jobs a test names)
SEC_AMBIENT = SEC + '::test_ambient_server_url'  # S2
SEC_CACHE = SEC + '::test_token_cache'  # S10, S13, S14
CONVERGE = 'tests/reliability/test_rel_converge.py'
LEAKS = 'tests/reliability/test_rel_leaks.py'
TLS = 'tests/reliability/test_rel_leaks.py::test_tls'
VERBOSE_TESTS = ('test_verbose_run_with_failures', 'test_check_mode_run', 'test_access_token_variant', 'test_leak_detector_canary',
                 'test_secret_files_and_token_cache')
VERBOSE = tuple(LEAKS + '::' + name for name in VERBOSE_TESTS)
FILES = ('tests/reliability/test_rel_leaks.py::test_secret_dir_vanishes_during_create',
         'tests/reliability/test_rel_leaks.py::test_failed_create_leaves_no_file')
FORKS = ('tests/reliability/test_rel_concurrency.py::test_ten_forks_fifty_clients',)
GRID = 'tests/reliability/test_rel_transient_faults.py::test_transient_fault'
# every file whose scenarios inject a fault through the emulator (the transient grid, the paged listing, ...)
FAULTED = ('tests/reliability/test_rel_transient_faults.py', LOST, 'tests/reliability/test_rel_auth.py', LEAKS,
           'tests/reliability/test_rel_concurrency.py', RESTART)
SCENARIO_ROOT = 'tests/reliability'
NOT_SCENARIO_FILES = ('test_rel_contract.py',)  # the harness's own checks, not report rows
NOT_SCENARIOS = ('test_keys_cover_scenarios', 'test_expired_token_really_expired')  # guards, not report rows
GRID_DELETE = ('tests/reliability/test_rel_transient_faults.py::test_transient_fault', '-k', 'pc_delete or pc_get or role_get')


def bad_rows(*options, **only):
    """pytest arguments running the bad-input rows about ``options`` (the row sets the option and its expected message
    names it), or whose label contains ``label=``; ``modules=`` narrows to some modules. A validator's mutation runs
    its own rows, so each row is shown failing under the mutation of the check that refuses it."""
    modules, label = only.get('modules'), only.get('label')
    keys = [key for key, module, text, extra, names in bad_input.MATRIX if (modules is None or module in modules) and (
        any(extra.get(option) is not None and option in names[0] for option in options) or (label and label in text))]
    if not keys:
        raise SystemExit('no bad-input row about %s' % (options or label,))
    return (BAD, '-k', ' or '.join(keys))


def refusal(name, what, path, message, rows):
    """A validator that no longer refuses: its ``raise InputError("<message>...`` becomes a bare expression (the
    error is built and dropped), so the code goes on as if the input were valid."""
    opening = message if message.startswith('\n') else '"' + message  # the message may start on the next line
    return (name, 'validator: ' + what, path, 'raise InputError(' + opening, 'InputError(' + opening, rows)


def loosened(name, option, path, spec, loose, rows):
    """An argument spec entry that no longer refuses a wrong type or value (Ansible's own check, relied upon)."""
    what = 'choices dropped' if 'choices' in spec else 'type raw'
    return (name, 'argspec: %s accepts any value (%s)' % (option, what), path, spec, loose, rows)


PC, PCI, ROLE, ROLE_INFO = 'personal_client', 'personal_client_info', 'role', 'role_info'
ARGS, PCS, ROLES = 'plugins/module_utils/_arguments.py', 'plugins/module_utils/_personal_clients.py', 'plugins/module_utils/_roles.py'
BAD_INPUT_MUTATIONS = [
    loosened('argspec-client_id', 'client_id', ARGS, '"client_id": {"type": "str"', '"client_id": {"type": "raw"', bad_rows('client_id')),
    loosened('argspec-client_secret', 'client_secret', ARGS, '"client_secret": {"type": "str"', '"client_secret": {"type": "raw"',
             bad_rows('client_secret')),
    loosened('argspec-access_token', 'access_token', ARGS, '"access_token": {"type": "str"', '"access_token": {"type": "raw"',
             bad_rows('access_token')),
    loosened('argspec-validate_certs', 'validate_certs', ARGS, '"validate_certs": {"type": "bool"', '"validate_certs": {"type": "raw"',
             bad_rows('validate_certs')),
    loosened('argspec-ca_path', 'ca_path', ARGS, '"ca_path": {"type": "path"', '"ca_path": {"type": "raw"', bad_rows('ca_path')),
    loosened('argspec-timeout', 'timeout', ARGS, '"timeout": {"type": "float"', '"timeout": {"type": "raw"', bad_rows('timeout')),
    loosened('argspec-retries', 'retries', ARGS, '"retries": {"type": "int"', '"retries": {"type": "raw"', bad_rows('retries')),
    loosened('argspec-token_cache', 'token_cache', ARGS, '"token_cache": {"type": "bool"', '"token_cache": {"type": "raw"',
             bad_rows('token_cache')),
    loosened('argspec-state-choices', 'state', PCS, '"state": {"type": "str", "choices": ["present", "absent"], ',
             '"state": {"type": "str", ', bad_rows('state', modules=(PC,))),
    loosened('argspec-pc-id', 'id', PCS, '    "id": {"type": "str"},\n    "display_name": {"type": "str"},\n    "allow',
             '    "id": {"type": "raw"},\n    "display_name": {"type": "str"},\n    "allow', bad_rows('id', modules=(PC,))),
    loosened('argspec-pc-display_name', 'display_name', PCS, '    "display_name": {"type": "str"},\n    "allow',
             '    "display_name": {"type": "raw"},\n    "allow', bad_rows('display_name', modules=(PC,))),
    loosened('argspec-allow_source_cidr', 'allow_source_cidr', PCS, '"allow_source_cidr": {"type": "list", "elements": "str"}',
             '"allow_source_cidr": {"type": "raw"}', bad_rows('allow_source_cidr')),
    loosened('argspec-scoped_roles', 'scoped_roles', PCS, '"scoped_roles": {"type": "list", "elements": "str"}',
             '"scoped_roles": {"type": "raw"}', bad_rows('scoped_roles')),
    loosened('argspec-rotate', 'rotate', PCS, '"rotate": {"type": "bool"', '"rotate": {"type": "raw"', bad_rows('rotate')),
    loosened('argspec-keep_previous', 'keep_previous', PCS, '"keep_previous": {"type": "bool"', '"keep_previous": {"type": "raw"',
             bad_rows('keep_previous')),
    loosened('argspec-secret_path', 'secret_path', PCS, '"secret_path": {"type": "path"}', '"secret_path": {"type": "raw"}',
             bad_rows('secret_path')),
    loosened('argspec-return_secret', 'return_secret', PCS, '"return_secret": {"type": "bool"', '"return_secret": {"type": "raw"',
             bad_rows('return_secret')),
    loosened('argspec-all_users', 'all_users', 'plugins/modules/personal_client_info.py', 'all_users={"type": "bool"',
             'all_users={"type": "raw"', bad_rows('all_users')),
    loosened('argspec-user_ids', 'user_ids', 'plugins/modules/personal_client_info.py', 'user_ids={"type": "list", "elements": "str"}',
             'user_ids={"type": "raw"}', bad_rows('user_ids')),
    loosened('argspec-role-name', 'name', ROLES, '    "name": {"type": "str"},', '    "name": {"type": "raw"},', bad_rows('name', modules=(ROLE,))),
    loosened('argspec-role-display_name', 'display_name', ROLES, '    "display_name": {"type": "str"},',
             '    "display_name": {"type": "raw"},', bad_rows('display_name', modules=(ROLE,))),
    loosened('argspec-permissions', 'permissions', ROLES, '"permissions": {"type": "list", "elements": "str"}',
             '"permissions": {"type": "raw"}', bad_rows('permissions')),
    loosened('argspec-service_roles', 'service_roles', ROLES, '"service_roles": {"type": "list", "elements": "str"}',
             '"service_roles": {"type": "raw"}', bad_rows('service_roles')),
    loosened('argspec-append', 'append', ROLES, '"append": {"type": "bool"', '"append": {"type": "raw"', bad_rows('append')),
    ('rule-pc-required-one-of', 'argspec: personal_client needs neither id nor display_name (required_one_of dropped)', PCS,
     '    "required_one_of": [("id", "display_name")],\n', '', bad_rows(label='neither id nor display_name')),
    ('rule-expires-exclusive', 'argspec: expires_in and expires_at together (mutually_exclusive dropped)', PCS,
     '("expires_in", "expires_at"), ', '', bad_rows(label='both expires_in and expires_at')),
    ('rule-rotate-exclusive', 'argspec: rotate with rotate_if_expires_within (mutually_exclusive dropped)', PCS,
     ', ("rotate", "rotate_if_expires_within")', '', bad_rows(label='rotate with rotate_if_expires_within')),
    ('rule-role-required-one-of', 'argspec: role needs neither id nor name (required_one_of dropped)', ROLES,
     '    "required_one_of": [("id", "name")],\n', '', bad_rows(label='neither id nor name', modules=(ROLE,))),
    ('rule-role-exclusive', 'argspec: role takes id and name together (mutually_exclusive dropped)', ROLES,
     '    "mutually_exclusive": [("id", "name")],\n}', '}', bad_rows(label='id and name together', modules=(ROLE,))),
    ('rule-role_info-exclusive', 'argspec: role_info takes id and name together (mutually_exclusive dropped)',
     'plugins/modules/role_info.py', '    "mutually_exclusive": [("id", "name")],\n', '',
     bad_rows(label='id and name together', modules=(ROLE_INFO,))),
    refusal('timeout-unchecked', 'a negative timeout', 'plugins/module_utils/_api.py', 'timeout must be a positive', bad_rows('timeout')),
    refusal('retries-unchecked', 'a negative retries', 'plugins/module_utils/_api.py', 'retries must be 0 or more', bad_rows('retries')),
    refusal('id-empty-allowed', 'an empty id (valid_id)', 'plugins/module_utils/_api.py', '{0} must not be empty', bad_rows('id')),
    refusal('url-scheme-unchecked', 'a server_url that is not http(s)', 'plugins/module_utils/_url.py', '{0} must start with https://',
            bad_rows('server_url')),
    refusal('url-spaces-allowed', 'a server_url with spaces or control characters', 'plugins/module_utils/_url.py',
            '{0} contains a space, control', bad_rows('server_url')),
    refusal('no-credentials-unexplained', 'no usable credential at all (empty client_id or client_secret)', 'plugins/module_utils/_auth.py',
            '\n                "no ConductorOne credentials', bad_rows('client_id', 'client_secret')),
    refusal('expires-at-past-allowed', 'an expires_at in the past', PCS, 'expires_at: {0} is in the past', bad_rows('expires_at')),
    refusal('pc-identity-empty-allowed', 'an empty id or display_name', PCS, '{0} must not be empty".format(option))',
            bad_rows('id', 'display_name', modules=(PC,))),
    refusal('pc-option-empty-allowed', 'an empty expires_in, expires_at, rotate_if_expires_within or secret_path', PCS,
            '{0} must not be empty; leave it out', bad_rows('expires_in', 'expires_at', 'rotate_if_expires_within', 'secret_path')),
    refusal('pc-unknown-id-allowed', 'an id of no personal client', PCS, 'id: no personal client', bad_rows('id', modules=(PC,))),
    refusal('all-users-filters-allowed', 'query or user_ids without all_users', PCS, '{0} only applies with all_users',
            bad_rows('query', 'user_ids')),
    refusal('cidr-unparsed', 'an allow_source_cidr that is not an address', 'plugins/module_utils/_normalize.py',
            '{0}: {1!r} is not an IPv4/IPv6', bad_rows('allow_source_cidr')),
    refusal('duration-infinite-allowed', 'an infinite duration', 'plugins/module_utils/_normalize.py', '{0}: {1!r} is not a finite duration',
            bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    refusal('duration-nonpositive-allowed', 'a zero or negative duration', 'plugins/module_utils/_normalize.py',
            '{0}: the duration must be positive', bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    refusal('time-unparsed', 'a time that is not RFC 3339', 'plugins/module_utils/_normalize.py', '{0}: {1!r} is not an RFC 3339',
            bad_rows('expires_at')),
    refusal('time-impossible-allowed', 'an impossible date (2030-02-30)', 'plugins/module_utils/_normalize.py',
            '{0}: {1!r} is not a valid time', bad_rows('expires_at')),
    refusal('role-unknown-allowed', 'a role reference that matches no role', ROLES, '{0}: no role has the id, name',
            bad_rows('scoped_roles', 'name')),
    refusal('role-ambiguous-allowed', 'a role reference that matches several roles', ROLES, '{0}: {1!r} matches {2} roles',
            bad_rows('scoped_roles', 'name')),
    refusal('role-unknown-id-allowed', 'a role id of no role', ROLES, 'id: no role with id', bad_rows('id', modules=(ROLE,))),
    refusal('add-and-remove-allowed', 'an entry in both permissions and remove_permissions', ROLES, '{0} and {1} both list',
            bad_rows('permissions', 'remove_permissions')),
    refusal('remove-with-exact-allowed', 'remove_permissions with an exact permissions list', ROLES, '{0} with an exact {1} list',
            bad_rows('remove_permissions')),
    refusal('list-entries-unchecked', 'an empty or blank list entry', ROLES, '{0}: entries must be non-empty',
            bad_rows('permissions', 'service_roles', 'remove_service_roles', 'scoped_roles')),
    refusal('role-option-empty-allowed', 'an empty role name or display_name', ROLES, '{0} must not be empty".format(name))',
            bad_rows('name', 'display_name', modules=(ROLE,))),
    refusal('builtin-role-editable', 'an edit of a built-in (systemBuiltin) role', ROLES, 'role {0} is built-in',
            bad_rows(label='built-in role edit')),
    refusal('secret-path-directory-allowed', 'a secret_path that is a directory', 'plugins/module_utils/_secret_file.py',
            '{0}: {1} is a directory', bad_rows('secret_path')),
    refusal('secret-path-missing-dir-allowed', 'a secret_path in a missing directory', 'plugins/module_utils/_secret_file.py',
            '{0}: the directory {1} does not exist', bad_rows('secret_path')),
]

# name -> (what is removed, file, exact snippet, replacement, pytest arguments)
MUTATIONS = [
    ('client-id-unchecked', 'validator: parse_client_id accepts anything', 'plugins/module_utils/_auth.py',
     '    name, at, rest = client_id.partition("@")\n',
     '    return client_id, "localhost", "pcc"\n    name, at, rest = client_id.partition("@")\n', bad_rows('client_id')),
    ('client-secret-unchecked', 'validator: decode_client_secret accepts anything', 'plugins/module_utils/_auth.py',
     '    parts = secret.strip().split(":", 3)\n',
     '    return {"kty": "OKP", "crv": "Ed25519", "d": "A" * 43}\n    parts = secret.strip().split(":", 3)\n', bad_rows('client_secret')),
    ('cidr-host-bits', 'validator: a CIDR with host bits set is silently fixed', 'plugins/module_utils/_normalize.py',
     '    raise InputError("{0}: {1!r} has host bits set; did you mean {2}?".format(option, value, loose))\n',
     '    return str(loose)\n', bad_rows('allow_source_cidr')),
    ('duration-unchecked', 'validator: a bad duration is read as one hour', 'plugins/module_utils/_normalize.py',
     '                raise InputError("{0}: {1!r} is not a duration; use e.g. 90d, 12h, 30m, 3600s or a number of seconds".format(option, value))\n',
     '                return 3600.0\n', bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    ('keep-previous-unchecked', 'validator: keep_previous without a rotation', 'plugins/module_utils/_personal_clients.py',
     '            raise InputError("keep_previous only applies with rotate or rotate_if_expires_within")\n',
     '            pass\n', bad_rows('keep_previous')),
    ('faults-never-fire', 'fault injector: the emulator never injects a fault', 'tests/emulator/c1emu/faults.py',
     '        """Consume one use of the first pending fault matching this request, or None."""\n',
     '        """Consume one use of the first pending fault matching this request, or None."""\n        return None\n',
     FAULTED),
    ('lost-response-answered', 'fault injector: lost_response answers normally (the fault is still logged)',
     'tests/emulator/c1emu/server.py', "        if kind == 'lost_response':\n            self._drop()\n",
     "        if False:\n            self._drop()\n", (LOST,)),
    ('retries-off', 'retry: no request is ever retried (retries forced to 0)', 'plugins/module_utils/_http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', (LOST, PAGED, AUTH)),
    ('retries-off-grid', 'retry: the same, on the fault grid of three operations', 'plugins/module_utils/_http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', GRID_DELETE),
    ('no-reconciliation', 'reconciliation: a create error is raised as is (no lookup, no second create)',
     'plugins/module_utils/_personal_clients.py', '            first_error = exc\n', '            raise\n', (LOST,)),
    ('no-reconciliation-grid', 'reconciliation: the same, on the fault grid of the create', 'plugins/module_utils/_personal_clients.py',
     '            first_error = exc\n', '            raise\n', (GRID, '-k', 'pc_create')),
    ('posts-retried', 'retry: every POST is retried like a GET (5xx, timeout, drop)', 'plugins/module_utils/_http.py',
     '            idempotent = method in IDEMPOTENT_METHODS\n', '            idempotent = True\n',
     (GRID, '-k', 'pc_update or role_update or pci_search')),
    ('orphans-kept', 'reconciliation: the secret-less orphan is not deleted', 'plugins/module_utils/_personal_clients.py',
     '        for orphan in orphans:\n            self.api.delete_personal_client(orphan["id"])\n',
     '        for orphan in []:\n            self.api.delete_personal_client(orphan["id"])\n', (LOST,)),
    ('siblings-unprotected', 'reconciliation: clients that existed before the create are not protected',
     'plugins/module_utils/_personal_clients.py', '        return known | set([template["id"]] if template else [])\n',
     '        return set()\n', (LOST,)),
    ('no-settle', 'reconciliation: no wait for a timed-out create to appear', 'plugins/module_utils/_personal_clients.py',
     '        return float(self.api.client.transport.timeout) if error.timed_out else 0.0\n', '        return 0.0\n', (LOST,)),
    ('delete-404-is-error', 'delete: 404 on a retried DELETE is an error, not "already gone"', 'plugins/module_utils/_api.py',
     '            if exc.status == NOT_FOUND:\n                return False\n', '            if False:\n                return False\n',
     (LOST,)),
    ('rotation-keeps-old', 'rotation: the old client is never deleted', 'plugins/module_utils/_personal_clients.py',
     '        if self.params.get("keep_previous") or self.runner.check_mode:\n            return result\n',
     '        if True:\n            return result\n', (LOST,)),
    ('secret-discard-off', 'secret_path: a client whose secret could not be written is kept (not deleted)',
     'plugins/module_utils/_personal_clients.py', '                self._discard_unreceived(created, exc)\n',
     '                pass\n', FILES),
    ('429-not-retried', 'retry: 429 is not retried (also not on POST)', 'plugins/module_utils/_http.py',
     'RETRY_ALWAYS_STATUSES = frozenset((429,))\n', 'RETRY_ALWAYS_STATUSES = frozenset(())\n', FORKS),
    ('token-cache-off', 'token cache: never used', 'plugins/module_utils/_api.py',
     '        if params.get("token_cache", True) and params.get("client_id") and credential:\n',
     '        if False:\n', (RESTART, AUTH)),
    # security defences (tests/reliability/test_rel_security.py S1-S17): one mutation per defence
    ('url-backslash-allowed', 'server_url: a backslash is not refused (urlsplit and requests disagree on the host)',
     'plugins/module_utils/_url.py', '    if "\\\\" in url:\n', '    if False:\n', (SEC_MAIN,)),
    ('url-userinfo-allowed', 'server_url: user:password@ is not refused', 'plugins/module_utils/_url.py',
     '    if parts.auth is not None or "@" in url:\n', '    if False:\n', (SEC_MAIN,)),
    ('plain-http-anywhere', 'server_url: plain http:// allowed to any host', 'plugins/module_utils/_url.py',
     '    if parts.scheme == "http" and not is_loopback(parts.host) and not allow_http:\n', '    if False:\n', (SEC_MAIN,)),
    ('ambient-server-url-trusted', 'server_url: an ambient CONDUCTORONE_SERVER_URL may redirect explicit credentials',
     'plugins/module_utils/_url.py',
     '    if not (client_host and server_url_from_environment) or client_id_from_environment:\n        return\n',
     '    if True:\n        return\n', (SEC_AMBIENT,)),
    ('redirects-followed', 'transport: redirects are followed', 'plugins/module_utils/_http.py',
     'allow_redirects=False)', 'allow_redirects=True)', (SEC_MAIN,)),
    ('token-not-stripped', 'access_token: a trailing newline is not stripped', 'plugins/module_utils/_auth.py',
     '    _masking.add(token)\n    token = token.strip()\n    if not token:\n', '    _masking.add(token)\n    if not token:\n', (SEC_MAIN,)),
    ('token-controls-allowed', 'access_token: a control character inside it is not refused', 'plugins/module_utils/_auth.py',
     '    if not token:\n        return None\n    if has_control(token) or any(ord(char) > 0x7e for char in token):\n',
     '    if not token:\n        return None\n    if False:\n', (SEC_MAIN,)),
    ('swap-unchecked', 'client_id: a client secret given as client_id is not recognised', 'plugins/module_utils/_auth.py',
     '    if "secret-token:" in client_id:\n', '    if False:\n', (SEC_MAIN,)),
    ('masking-off', 'masking: registered secrets are not masked', 'plugins/module_utils/_masking.py',
     '        return _walk(data, lambda text: pattern.sub(MASK, text))\n', '        return data\n', (SEC, LEAKS)),
    ('truncation-off', 'masking: server messages are not truncated', 'plugins/module_utils/_masking.py',
     '    if limit is None or len(text) <= limit:\n        return text\n', '    if True:\n        return text\n', (SEC_MAIN,)),
    ('secret-path-reuse-allowed', 'secret_path: a file holding another live client\'s secret is overwritten',
     'plugins/module_utils/_personal_clients.py',
     ('        if recorded is None or (template and recorded == template.get("id")):\n            return\n',
      '        if self.lookup.by_id(record["id"]) is not None:\n'),
     ('        if True:\n            return\n', '        if False:\n'), (SEC_MAIN,)),
    ('secret-path-other-tenant-allowed', 'secret_path: a file holding another tenant\'s client is not refused',
     'plugins/module_utils/_personal_clients.py',
     '        if record["tenant"] and record["tenant"] != tenant:\n',
     '        if False:\n', (SEC + '::test_secret_path_on_another_tenant',)),
    ('tenant-domain-userinfo-unmasked', 'tenant_domain: a password in the value is not masked (refused, but echoed)',
     'plugins/module_utils/_auth.py',
     '            _masking.add(value or None)\n',
     '            pass\n', (SEC_MAIN,)),
    ('cache-entry-unchecked', 'token cache: a malformed entry is used as is', 'plugins/module_utils/_token_cache.py',
     '    token, expires_at = entry.get("access_token"), entry.get("expires_at")\n',
     '    token, expires_at = entry.get("access_token"), entry.get("expires_at")\n    return token, float(expires_at)\n', (SEC_CACHE,)),
    ('id-unchecked', 'id: `..`, `.`, `/` are not refused (a path segment)', 'plugins/module_utils/_api.py',
     '        raise InputError("{0}: {1!r} is not a ConductorOne id (ids',
     '        return value\n        raise InputError("{0}: {1!r} is not a ConductorOne id (ids', (SEC_MAIN,)),
    ('result-not-hidden', 'no_log: a result carrying a new secret is not hidden (_ansible_no_log)', 'plugins/module_utils/_runner.py',
     '        result["_ansible_no_log"] = True\n', '        pass\n', (SEC_MAIN,)),
    ('cache-ignores-tls', 'token cache: the key ignores validate_certs/ca_path', 'plugins/module_utils/_token_cache.py',
     '    parts = [server_url, client_id, secret_digest, list(tls)]\n', '    parts = [server_url, client_id, secret_digest]\n', (SEC_CACHE,)),
    ('cache-parents-unchecked', 'token cache: a world-writable directory above the cache is not refused',
     'plugins/module_utils/_token_cache.py',
     '            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:\n                return False\n',
     '            if False:\n                return False\n', (SEC_CACHE,)),
    ('secret-dir-mode-unchecked', 'secret_path: a world-writable, non-sticky directory is not refused',
     'plugins/module_utils/_secret_file.py',
     '    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:\n', '    if False:\n', (SEC_MAIN,)),
    ('display-name-controls-allowed', 'display_name: control and bidi characters are not refused', 'plugins/module_utils/_normalize.py',
     '    if isinstance(value, str) and any(char in _UNSAFE_IN_NAMES for char in value):\n', '    if False:\n', (SEC_MAIN,)),
    ('assertion-replayed', 'token exchange: a retry resends the first (already used) assertion', 'plugins/module_utils/_auth.py',
     '        return dict(self) if attempt == 0 else self._build()\n', '        return dict(self)\n', (SEC_MAIN,)),
    ('api-error-unmasked', 'masking: the API error path returns the message and api_error unmasked', 'plugins/module_utils/_runner.py',
     '        return runner.fail(_masking.mask_message(str(exc)), api_error=_masking.mask_message(exc.as_result()),\n',
     '        return runner.fail(str(exc), api_error=exc.as_result(),\n', (SEC_MAIN, LEAKS)),
    # secret files and the leak scan itself (tests/reliability/test_rel_leaks.py)
    ('secret-file-not-atomic', 'secret_path: written in place (mode of an existing file kept, umask applies, temp file left)',
     'plugins/module_utils/_secret_file.py', '        os.replace(temp_path, path)\n',
     '        open(path, "w").write(open(temp_path).read())\n',
     (LEAKS + '::test_secret_file_replaced_atomically_under_umask_000', LEAKS + '::test_secret_files_and_token_cache')),
    ('leak-scan-blind', 'the suite\'s leak scanner: forbidden strings are not looked for (the canary row must notice)',
     'tests/reliability/relkit.py', "        if value and value in scrubbed:\n            leaks.append('%s found in output' % label)\n",
     "        if False:\n            leaks.append('%s found in output' % label)\n", VERBOSE),
    # authentication (tests/reliability/test_rel_auth.py A1-A9)
    ('no-reauth-on-401', 'auth: a 401 is never answered by a fresh token exchange', 'plugins/module_utils/_api.py',
     '                reauthenticated = True\n', '                raise\n', (AUTH,)),
    ('static-token-no-fallback', 'auth: an expired access_token does not fall back to the client credentials', 'plugins/module_utils/_auth.py',
     '        if self._static_token and self.can_reauthenticate:\n', '        if False:\n', (AUTH,)),
    ('refusal-unexplained', 'auth: a final 401 does not explain that the credential was refused', 'plugins/module_utils/_api.py',
     '                    if exc.status == UNAUTHENTICATED:\n', '                    if False:\n', (AUTH,)),
    ('401-retried', 'retry: a 401 is retried like a 429 (also at the token endpoint)', 'plugins/module_utils/_http.py',
     'RETRY_ALWAYS_STATUSES = frozenset((429,))\n', 'RETRY_ALWAYS_STATUSES = frozenset((429, 401))\n', (AUTH,)),
    ('cache-expiry-ignored', 'token cache: an expired cached token is used', 'plugins/module_utils/_token_cache.py',
     '    if expires_at - now < MIN_REMAINING_SECONDS:\n        return None\n', '    if False:\n        return None\n', (AUTH,)),
    # state across restarts (tests/reliability/test_rel_restart.py R1-R4)
    ('state-not-saved', 'emulator: --state is never written (what the restart scenarios rely on)', 'tests/emulator/c1emu/store.py',
     "        write_atomic(self.state_path, json.dumps(self.data, indent=1, sort_keys=False))\n", '        pass\n', (RESTART,)),
    ('create-reports-unchanged', 'personal_client: a create reports changed=false', 'plugins/module_utils/_personal_clients.py',
     '        result = {"changed": True, "personal_client": client_result(created)}\n',
     '        result = {"changed": False, "personal_client": client_result(created)}\n', (RESTART,)),
    # declared state (tests/reliability/test_rel_converge.py X1-X4)
    ('exclusive-trusts-access-token', 'exclusive: an access token\'s unknown client is not protected (no refusal)',
     'plugins/module_utils/_personal_client_set.py',
     '        if not protected & set(client["id"] for client in listing):\n', '        if False:\n', (CONVERGE,)),
    ('own-client-unprotected', 'exclusive: the client the run authenticated with may be deleted', 'plugins/module_utils/_personal_client_set.py',
     '            return protected | set([cutename(own)])\n', '            return protected\n', (CONVERGE,)),
    ('secret-paths-not-unique', 'declared items: two with one secret_path are not refused', 'plugins/module_utils/_personal_client_set.py',
     ('    unique_or_fail(OPTION, [(os.path.normpath(', '    unique_or_fail(OPTION, by_file, "secret_path (one file'),
     ('    (lambda *args: None)(OPTION, [(os.path.normpath(', '    (lambda *args: None)(OPTION, by_file, "secret_path (one file'),
     (CONVERGE,)),
    ('exclusive-despite-failure', 'exclusive: undeclared clients are deleted although an item failed', 'plugins/module_utils/_personal_client_set.py',
     '        if extras and report.failures:\n', '        if False:\n', (CONVERGE,)),
    # TLS (tests/reliability/test_rel_leaks.py T1-T7)
    ('tls-unverified', 'TLS: certificates are never verified', 'plugins/module_utils/_http.py',
     '        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)\n', '        self.verify = False\n', (TLS,)),
    ('ca-path-ignored', 'TLS: ca_path is not used (the environment bundle is)', 'plugins/module_utils/_http.py',
     '        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)\n',
     '        self.verify = bool(validate_certs)\n', (TLS,)),
    refusal('ca-path-missing-allowed', 'a ca_path that does not exist', 'plugins/module_utils/_api.py', 'ca_path: {0} does not exist', (TLS,)),
    ('unverified-tls-silent', 'TLS: validate_certs=false gives no warning', 'plugins/module_utils/_http.py',
     '            self._warn("validate_certs is false: the server\'s TLS certificate is not verified")\n', '            pass\n', (TLS,)),
    # issue 19: secret hand-off examples (tests/reliability/test_rel_examples.py E1-E4)
    ('handoff-rotation-drops-old', 'store-in-vault.yml: a rotation deletes the old client before the new secret is stored',
     'examples/secret-handoff/store-in-vault.yml', '        keep_previous: "{{ handoff_rotate | bool }}"\n', '', ('tests/reliability/test_rel_examples.py',)),
    ('handoff-lost-store-silent', 'store-in-vault.yml: a re-run does not notice a client whose secret was never stored',
     'examples/secret-handoff/store-in-vault.yml',
     "        - handoff_stored_client_id | default('') != handoff_credential.personal_client.client_id\n", '        - false\n',
     ('tests/reliability/test_rel_examples.py',)),
    ('handoff-open-dir-accepted', 'store-in-vault.yml: a vars directory other users can write to is accepted',
     'examples/secret-handoff/store-in-vault.yml',
     '          - not handoff_paths.results[1].stat.wgrp\n          - not handoff_paths.results[1].stat.woth\n', '',
     ('tests/reliability/test_rel_examples.py',)),
    ('handoff-collision-unchecked', 'store-role-secrets-in-vault.yml: two display names for one vars file are accepted',
     'examples/secret-handoff/store-role-secrets-in-vault.yml',
     '          - handoff_stems | unique | length == handoff_stems | length\n', '          - true\n', ('tests/reliability/test_rel_examples.py',)),
] + BAD_INPUT_MUTATIONS


def copy_repository(target):
    """Tracked and untracked (not ignored) files of the worktree, as they are now."""
    listed = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=str(REPO), check=True,
                            stdout=subprocess.PIPE).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(source), str(target / name))


def run_pytest(copy, args, workdir):
    """(rows run, rows failed, seconds); a row is ``file::test[param]``, as row_key names it."""
    junit = workdir / 'junit.xml'
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, C1REL_REPORT=str(workdir / 'report.md'), PYTHONDONTWRITEBYTECODE='1')
    env.setdefault('C1REL_WORKERS', '3')  # mutations run side by side (--jobs): keep the machine's load sane
    started = time.time()
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml', str(junit)] + list(args),
                          cwd=str(copy), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    (workdir / 'pytest.out').write_text(proc.stdout)
    ran, failed = [], []
    try:
        for case in ET.parse(str(junit)).getroot().iter('testcase'):
            if case.find('skipped') is not None or case.get('name', '').split('[')[0] in NOT_SCENARIOS:
                continue  # only the scenario tests (report rows), not the suite's own consistency checks
            key = row_key(case.get('classname', ''), case.get('name', ''))
            ran.append(key)
            if case.find('failure') is not None or case.find('error') is not None:
                failed.append(key)
    except (OSError, ET.ParseError):
        failed.append('pytest did not run: %s' % proc.stdout[-500:])
    return ran, failed, time.time() - started


def row_key(module, name):
    """``test_rel_auth::test_auth[A1]`` from a junit classname (dotted module) or a node id's file, and a test name."""
    module = module.rsplit('/', 1)[-1].rsplit('.', 1)[-1] if not module.endswith('.py') else Path(module).stem
    return '%s::%s' % (module, name)


def all_rows(copy):
    """Every report row of the suite (collected, not run): the denominator of the coverage line."""
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--collect-only', SCENARIO_ROOT],
                          cwd=str(copy), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    rows = []
    for line in proc.stdout.splitlines():
        path, sep, name = line.strip().partition('::')
        if not sep or Path(path).name in NOT_SCENARIO_FILES or name.split('[')[0] in NOT_SCENARIOS:
            continue
        rows.append(row_key(path, name))
    if not rows:
        raise SystemExit('could not collect the scenario rows:\n%s' % proc.stdout[-2000:])
    return rows


def label(key):
    """The short name of a row: its parameter (B-rows: their number), else its test function."""
    name = key.split('::', 1)[1]
    if '[' not in name:
        return name
    param = name.split('[', 1)[1].rstrip(']')
    return param.split('-', 1)[0] if len(param) > 4 and param[0] == 'B' and param[1:4].isdigit() else param


def snippet_in(text, old, new):
    """(snippet, replacement) that applies to ``text``: ``old`` occurs exactly once. ``old`` and ``new`` may be
    tuples of alternatives (the code before and after a refactor on another branch): exactly one must apply."""
    pairs = list(zip(old, new)) if isinstance(old, tuple) else [(old, new)]
    found = [pair for pair in pairs if text.count(pair[0]) == 1]
    if len(found) != 1 or any(text.count(snippet) > 1 for snippet, dummy in pairs):
        raise ValueError('the snippet occurs %s times:\n%s' % ([text.count(s) for s, dummy in pairs], pairs[0][0]))
    return found[0]


def mutate(copy, path, old, new):
    target = copy / path
    text = target.read_text()
    try:
        snippet, replacement = snippet_in(text, old, new)
    except ValueError as exc:
        raise SystemExit('stale mutation in %s: %s' % (path, exc))
    target.write_text(text.replace(snippet, replacement))
    return text


def short(names, limit=12):
    labels = sorted(set(label(name) for name in names))
    return ', '.join(labels[:limit]) + (' (+%d)' % (len(labels) - limit) if len(labels) > limit else '')


def coverage(rows, universe):
    """Lines stating which rows some mutation kills, per file, and which no mutation runs or kills."""
    killed = set(key for row in rows for key in row[4])
    targeted = set(key for row in rows for key in row[3])
    files = sorted(set(key.split('::')[0] for key in universe))
    lines = ['', '**Rows killed by at least one mutation: %d/%d**; rows no mutation targets (%d): %s; rows run under a mutation '
             'but failing under none (%d): %s.' % (
                 len(killed & set(universe)), len(universe), len(set(universe) - targeted),
                 short(set(universe) - targeted, 400) or 'none', len((targeted - killed) & set(universe)),
                 short((targeted - killed) & set(universe), 400) or 'none'),
             '', '| file | rows | killed | not targeted | targeted, not killed |', '|---|---|---|---|---|']
    for name in files:
        mine = set(key for key in universe if key.split('::')[0] == name)
        cells = (name, len(mine), len(mine & killed), short(mine - targeted, 60) or '-', short((mine & targeted) - killed, 60) or '-')
        lines.append('| `%s` | %d | %d | %s | %s |' % cells)
    return lines


def render(rows, seconds, universe):
    lines = ['| mutation | removed | file | scenarios run | failed | failing scenarios |', '|---|---|---|---|---|---|']
    for name, what, path, ran, failed, dummy in rows:
        cells = (name, what.replace('|', '\\|'), path, len(ran), len(failed), short(failed) or '**none: survived**')
        lines.append('| `%s` | %s | `%s` | %d | **%d** | %s |' % cells)
    lines += ['', '%d mutations, %d survived; %.0f s in all (%s, %d CPUs).' % (
        len(rows), sum(1 for r in rows if not r[4]), seconds, time.strftime('%Y-%m-%d'), os.cpu_count())]
    return lines + coverage(rows, universe)


def write_docs(table):
    begin, end = relkit.MUTATIONS_BEGIN, relkit.MUTATIONS_END
    path = REPO / 'docs' / 'reliability.md'
    text = path.read_text()
    if begin not in text or end not in text:
        raise SystemExit('%s has no mutation table markers; run the reliability suite once first' % path)
    head, rest = text.split(begin, 1)
    path.write_text(head + '\n'.join([begin] + table + [end]) + rest.split(end, 1)[1])


def baseline_args(chosen):
    """One unmutated run covering every selected scenario: the files and node ids of the mutations, without -k."""
    targets = []
    for tests in (m[5] for m in chosen):
        skip = False
        for arg in tests:
            if skip or arg == '-k':
                skip = arg == '-k'
                continue
            targets.append(arg)
    files = set(arg for arg in targets if '::' not in arg)
    return sorted(set(arg for arg in targets if arg.split('::')[0] not in files or '::' not in arg))


def run_mutations(chosen, copies, root):
    """Each mutation in one of ``copies`` (a worker owns one copy at a time), results in the order of ``chosen``."""
    free = queue.Queue()
    for copy in copies:
        free.put(copy)

    def one(index, mutation):
        name, what, path, old, new, tests = mutation
        copy = free.get()
        try:
            original = mutate(copy, path, old, new)
            try:
                ran, failed, seconds = run_pytest(copy, tests, root / ('%03d-%s' % (index, name)))
            finally:
                (copy / path).write_text(original)
        finally:
            free.put(copy)
        sys.stderr.write('%s: %d of %d failed (%.0f s)\n' % (name, len(failed), len(ran), seconds))
        return (name, what, path, ran, failed, seconds)

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        return list(pool.map(lambda pair: one(*pair), list(enumerate(chosen))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--list', action='store_true', help='list the mutations and exit')
    parser.add_argument('--only', action='append', default=[], help='run only this mutation (repeatable)')
    parser.add_argument('--no-baseline', action='store_true', help='skip the unmutated run of the selected scenarios')
    parser.add_argument('--jobs', type=int, default=3, help='mutations run side by side, each in its own copy (default 3)')
    parser.add_argument('--write-docs', action='store_true', help='also replace the mutation table in docs/reliability.md')
    args = parser.parse_args(argv)
    if args.list:
        for name, what, path, dummy, dummy2, tests in MUTATIONS:
            print('%-32s %s (%s) -> %s' % (name, what, path, ' '.join(tests)[:160]))
        return 0
    chosen = [m for m in MUTATIONS if not args.only or m[0] in args.only]
    unknown = set(args.only) - set(m[0] for m in MUTATIONS)
    if unknown:
        parser.error('unknown mutation(s): %s' % ', '.join(sorted(unknown)))
    started = time.time()
    root = Path(tempfile.mkdtemp(prefix='c1mutate-'))
    status = 0
    try:
        copies = [root / ('repo-%d' % index) for index in range(max(1, args.jobs))]
        for copy in copies:
            copy_repository(copy)
        universe = all_rows(copies[0])
        if not args.no_baseline:
            ran, failed, seconds = run_pytest(copies[0], baseline_args(chosen), root / 'baseline')
            sys.stderr.write('baseline: %d scenarios, %d failed (%.0f s)\n' % (len(ran), len(failed), seconds))
            if failed:
                sys.stderr.write('the unmutated suite fails: %s\n' % short(failed, 40))
                status = 1
        rows = run_mutations(chosen, copies, root)
        status = status or int(any(not row[4] for row in rows))
        table = render(rows, time.time() - started, universe)
        print('\n'.join(table))
        if args.write_docs:
            write_docs(table)
    finally:
        if os.environ.get('C1REL_KEEP') == '1':
            sys.stderr.write('kept %s\n' % root)
        else:
            shutil.rmtree(str(root), ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
