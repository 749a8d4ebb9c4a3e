# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Mutation check of the reliability suite: remove one guarded code path or fault at a time, see scenarios fail.

Each mutation replaces one exact snippet (a validator, an argument-spec entry, a security defence, the emulator's
fault injector, a retry or reconciliation path) in a temporary copy of the repository (git ls-files, tracked and
untracked; never the worktree), runs the scenarios that claim to prove that path against that copy, and counts the
failures. A mutation that no scenario notices is a hole in the suite; a snippet that is no longer in its file stops
the script (the mutation is stale; tests/system/reliability/test_rel_contract.py checks every snippet still applies).

A bad-input validator's mutation runs only the rows about its option (``-k B012 or ...``; the bad-input job then
builds only those rows), so each row is shown failing under the mutation of the check that refuses it, not under
one "all validation off" switch. The table ends with the coverage of the suite: how many report rows (of every row
pytest collects in tests/system/reliability, the harness's own contract tests aside) fail under at least one mutation,
which rows no mutation runs, and which run under some mutation but fail under none.

A mutation may also target unit test files (``tests/unit/...``, e.g. a boundary that only a fixed clock can hit): they
run against the same copy, staged as ``ansible_collections/conductorone/iam`` (a symlink) on PYTHONPATH. Their rows
count in the mutation's own line of the table, not in the coverage lines (those count report rows only).

    .venv/bin/python tests/system/reliability/mutate.py                # every mutation, a Markdown table on stdout
    .venv/bin/python tests/system/reliability/mutate.py --list         # names only
    .venv/bin/python tests/system/reliability/mutate.py --only retries-off --only token-cache-off
    make mutate [MUTATE_ARGS="--only retries-off"]

Exit status 1 when a mutation is survived (no selected scenario failed) or the unmutated baseline fails.
Not part of `make test` (it runs the targeted scenarios once per mutation). --jobs N runs N mutations side by
side, each in its own copy; the unmutated baseline (one run of every targeted file) runs first (--no-baseline
skips it).
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

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import relkit  # noqa: E402  pylint: disable=wrong-import-position
import test_rel_bad_input as bad_input  # noqa: E402  pylint: disable=wrong-import-position

LOST = 'tests/system/reliability/test_rel_lost_create.py'
BAD = 'tests/system/reliability/test_rel_bad_input.py'
PAGED = 'tests/system/reliability/test_rel_transient_faults.py::test_fault_on_a_later_page'
AUTH = 'tests/system/reliability/test_rel_auth.py::test_auth'
RESTART = 'tests/system/reliability/test_rel_restart.py'
SEC = 'tests/system/reliability/test_rel_security.py'
SEC_MAIN = SEC + '::test_attack'  # S1, S3-S9, S11, S12, S15-S17: one playbook (conftest starts only the jobs a test names)
SEC_AMBIENT = SEC + '::test_ambient_server_url'  # S2
SEC_CACHE = SEC + '::test_token_cache'  # S10, S13, S14
CONVERGE = 'tests/system/reliability/test_rel_converge.py'
LEAKS = 'tests/system/reliability/test_rel_leaks.py'
PARTIAL = 'tests/system/reliability/test_rel_partial_failure.py::test_partial_failure'
TLS = 'tests/system/reliability/test_rel_leaks.py::test_tls'
VERBOSE_TESTS = ('test_verbose_run_with_failures', 'test_check_mode_run', 'test_access_token_variant', 'test_leak_detector_canary',
                 'test_secret_files_and_token_cache')
VERBOSE = tuple(LEAKS + '::' + name for name in VERBOSE_TESTS)
FILES = ('tests/system/reliability/test_rel_leaks.py::test_secret_dir_vanishes_during_create',
         'tests/system/reliability/test_rel_leaks.py::test_failed_create_leaves_no_file')
FORKS = ('tests/system/reliability/test_rel_concurrency.py::test_ten_forks_fifty_clients',)
RACES = 'tests/system/reliability/test_rel_concurrency.py::test_overlapping_runs'
GRID = 'tests/system/reliability/test_rel_transient_faults.py::test_transient_fault'
# every file whose scenarios inject a fault through the emulator (the transient grid, the paged listing, ...)
FAULTED = ('tests/system/reliability/test_rel_transient_faults.py', LOST, 'tests/system/reliability/test_rel_auth.py', LEAKS,
           'tests/system/reliability/test_rel_concurrency.py', RESTART)
SCENARIO_ROOT = 'tests/system/reliability'
UNIT_ROOT = 'tests/unit'  # a mutation may name unit test files or node ids as its targets (run_pytest)
UNIT_UTILS, UNIT_MODULES = UNIT_ROOT + '/plugins/module_utils/', UNIT_ROOT + '/plugins/action/'
NOT_SCENARIO_FILES = ('test_rel_contract.py',)  # the harness's own checks, not report rows
NOT_SCENARIOS = ('test_keys_cover_scenarios', 'test_expired_token_really_expired')  # guards, not report rows
AUDIT = 'tests/system/reliability/test_rel_audit.py'  # issue 23: M rows
GRID_DELETE = ('tests/system/reliability/test_rel_transient_faults.py::test_transient_fault', '-k', 'pc_delete or pc_get or role_get')


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
ARGS, PCS, ROLES = 'plugins/module_utils/_client/arguments.py', 'plugins/module_utils/_resources/personal_client.py', 'plugins/module_utils/_resources/roles.py'
PCI_FILE = 'plugins/module_utils/_resources/personal_client_info.py'
# the parts of one personal client's converge (plugins/module_utils/_resources/personal_client_*.py)
PC_DESIRED, PC_PLAN, PC_WRITER, PC_CREATE, PC_INFO, PC_LOOKUP, PC_SECRET = (
    'plugins/module_utils/_resources/personal_client_%s.py' % part
    for part in ('desired', 'plan', 'writer', 'create', 'info', 'lookup', 'secret'))
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
    loosened('argspec-all_users', 'all_users', PCI_FILE, 'all_users={"type": "bool"',
             'all_users={"type": "raw"', bad_rows('all_users')),
    loosened('argspec-user_ids', 'user_ids', PCI_FILE, 'user_ids={"type": "list", "elements": "str"}',
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
     ROLES, 'ROLE_INFO_RULES = {"mutually_exclusive": [("id", "name")]}', 'ROLE_INFO_RULES = {}',
     bad_rows(label='id and name together', modules=(ROLE_INFO,))),
    refusal('timeout-unchecked', 'a negative timeout', 'plugins/module_utils/_client/api.py', 'timeout must be a positive', bad_rows('timeout')),
    refusal('retries-unchecked', 'a negative retries', 'plugins/module_utils/_client/api.py', 'retries must be 0 or more', bad_rows('retries')),
    refusal('id-empty-allowed', 'an empty id (valid_id)', 'plugins/module_utils/_client/api.py', '{0} must not be empty', bad_rows('id')),
    refusal('url-scheme-unchecked', 'a server_url that is not http(s)', 'plugins/module_utils/_client/url.py', '{0} must start with https://',
            bad_rows('server_url')),
    refusal('url-spaces-allowed', 'a server_url with spaces or control characters', 'plugins/module_utils/_client/url.py',
            '{0} contains a space, control', bad_rows('server_url')),
    refusal('no-credentials-unexplained', 'no usable credential at all (empty client_id or client_secret)', 'plugins/module_utils/_client/auth.py',
            '\n        missing_credentials_message(', bad_rows('client_id', 'client_secret')),
    refusal('expires-at-past-allowed', 'an expires_at in the past', PC_DESIRED, 'expires_at: {0} is in the past', bad_rows('expires_at')),
    refusal('pc-identity-empty-allowed', 'an empty id or display_name', PC_DESIRED, '{0} must not be empty".format(option))',
            bad_rows('id', 'display_name', modules=(PC,))),
    refusal('pc-option-empty-allowed', 'an empty expires_in, expires_at, rotate_if_expires_within or secret_path', PC_DESIRED,
            '{0} must not be empty; leave it out', bad_rows('expires_in', 'expires_at', 'rotate_if_expires_within', 'secret_path')),
    refusal('pc-unknown-id-allowed', 'an id of no personal client', PC_PLAN, 'id: no personal client', bad_rows('id', modules=(PC,))),
    refusal('all-users-filters-allowed', 'query or user_ids without all_users', PC_INFO, '{0} only applies with all_users',
            bad_rows('query', 'user_ids')),
    refusal('cidr-unparsed', 'an allow_source_cidr that is not an address', 'plugins/module_utils/_resources/normalize.py',
            '{0}: {1!r} is not an IPv4/IPv6', bad_rows('allow_source_cidr')),
    refusal('duration-infinite-allowed', 'an infinite duration', 'plugins/module_utils/_resources/normalize.py', '{0}: {1!r} is not a finite duration',
            bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    refusal('duration-nonpositive-allowed', 'a zero or negative duration', 'plugins/module_utils/_resources/normalize.py',
            '{0}: the duration must be positive', bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    refusal('time-unparsed', 'a time that is not RFC 3339', 'plugins/module_utils/_resources/normalize.py', '{0}: {1!r} is not an RFC 3339',
            bad_rows('expires_at')),
    refusal('time-impossible-allowed', 'an impossible date (2030-02-30)', 'plugins/module_utils/_resources/normalize.py',
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
    refusal('secret-path-directory-allowed', 'a secret_path that is a directory', 'plugins/module_utils/_resources/secret_file.py',
            '{0}: {1} is a directory', bad_rows('secret_path')),
    refusal('secret-path-missing-dir-allowed', 'a secret_path in a missing directory', 'plugins/module_utils/_resources/secret_file.py',
            '{0}: the directory {1} does not exist', bad_rows('secret_path')),
]

# name -> (what is removed, file, exact snippet, replacement, pytest arguments)
MUTATIONS = [
    ('client-id-unchecked', 'validator: parse_client_id accepts anything', 'plugins/module_utils/_client/client_id.py',
     '    name, at, rest = client_id.partition("@")\n',
     '    return client_id, "localhost", "pcc"\n    name, at, rest = client_id.partition("@")\n', bad_rows('client_id')),
    ('client-secret-unchecked', 'validator: decode_client_secret accepts anything', 'plugins/module_utils/_client/auth.py',
     '    parts = secret.strip().split(":", 3)\n',
     '    return {"kty": "OKP", "crv": "Ed25519", "d": "A" * 43}\n    parts = secret.strip().split(":", 3)\n', bad_rows('client_secret')),
    ('cidr-host-bits', 'validator: a CIDR with host bits set is silently fixed', 'plugins/module_utils/_resources/normalize.py',
     '    raise InputError("{0}: {1!r} has host bits set; did you mean {2}?".format(option, value, loose))\n',
     '    return str(loose)\n', bad_rows('allow_source_cidr')),
    ('duration-unchecked', 'validator: a bad duration is read as one hour', 'plugins/module_utils/_resources/normalize.py',
     '                raise InputError("{0}: {1!r} is not a duration; use e.g. 90d, 12h, 30m, 3600s or a number of seconds".format(option, value))\n',
     '                return 3600.0\n', bad_rows('expires_in', 'expires_within', 'rotate_if_expires_within')),
    ('keep-previous-unchecked', 'validator: keep_previous without a rotation', PC_DESIRED,
     '            raise InputError("keep_previous only applies with rotate or rotate_if_expires_within")\n',
     '            pass\n', bad_rows('keep_previous')),
    ('faults-never-fire', 'fault injector: the emulator never injects a fault', 'tests/emulator/c1emu/faults.py',
     '        """Consume one use of the first pending fault matching this request, or None."""\n',
     '        """Consume one use of the first pending fault matching this request, or None."""\n        return None\n',
     FAULTED),
    ('lost-response-answered', 'fault injector: lost_response answers normally (the fault is still logged)',
     'tests/emulator/c1emu/server.py', "        if kind == 'lost_response':\n            self._drop()\n",
     "        if False:\n            self._drop()\n", (LOST,)),
    ('retries-off', 'retry: no request is ever retried (retries forced to 0)', 'plugins/module_utils/_client/http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', (LOST, PAGED, AUTH)),
    ('retries-off-grid', 'retry: the same, on the fault grid of three operations', 'plugins/module_utils/_client/http.py',
     '        self.retries = max(0, int(retries))\n', '        self.retries = 0\n', GRID_DELETE),
    ('no-reconciliation', 'reconciliation: a create error is raised as is (no lookup, no second create)',
     PC_CREATE, '            first_error = exc\n', '            raise\n', (LOST,)),
    ('no-reconciliation-grid', 'reconciliation: the same, on the fault grid of the create', PC_CREATE,
     '            first_error = exc\n', '            raise\n', (GRID, '-k', 'pc_create')),
    ('posts-retried', 'retry: every POST is retried like a GET (5xx, timeout, drop)', 'plugins/module_utils/_client/http.py',
     '            idempotent = method in IDEMPOTENT_METHODS\n', '            idempotent = True\n',
     (GRID, '-k', 'pc_update or role_update or pci_search')),
    ('orphans-kept', 'reconciliation: the secret-less orphan is not deleted', PC_CREATE,
     '        for orphan in orphans:\n            self.api.delete_personal_client(orphan["id"])\n',
     '        for orphan in []:\n            self.api.delete_personal_client(orphan["id"])\n', (LOST,)),
    ('siblings-unprotected', 'reconciliation: clients that existed before the create are not protected',
     PC_CREATE, '        return known | set([template["id"]] if template else [])\n',
     '        return set()\n', (LOST,)),
    ('no-settle', 'reconciliation: no wait for a timed-out create to appear', PC_CREATE,
     '        return float(self.api.client.transport.timeout) if error.timed_out else 0.0\n', '        return 0.0\n', (LOST,)),
    ('delete-404-is-error', 'delete: 404 on a retried DELETE is an error, not "already gone"', 'plugins/module_utils/_client/api.py',
     '            if exc.status == NOT_FOUND:\n                return False\n', '            if False:\n                return False\n',
     (LOST,)),
    ('rotation-keeps-old', 'rotation: the old client is never deleted', PC_WRITER,
     '        if self.params.get("keep_previous") or self.runner.check_mode:\n            return result\n',
     '        if True:\n            return result\n', (LOST,)),
    ('secret-discard-off', 'secret_path: a client whose secret could not be written is kept (not deleted)',
     PC_WRITER, '                self._discard_unreceived(created, exc)\n',
     '                pass\n', FILES),
    ('429-not-retried', 'retry: 429 is not retried (also not on POST)', 'plugins/module_utils/_client/http.py',
     'RETRY_ALWAYS_STATUSES = frozenset((429,))\n', 'RETRY_ALWAYS_STATUSES = frozenset(())\n', FORKS),
    ('token-cache-off', 'token cache: never used', 'plugins/module_utils/_client/api.py',
     '    if not (params.get("token_cache", True) and params.get("client_id") and credential):\n        return None\n',
     '    if True:\n        return None\n', (RESTART, AUTH)),
    # security defences (tests/system/reliability/test_rel_security.py S1-S17): one mutation per defence
    ('url-backslash-allowed', 'server_url: a backslash is not refused (urlsplit and requests disagree on the host)',
     'plugins/module_utils/_client/url.py', '    if "\\\\" in url:\n', '    if False:\n', (SEC_MAIN,)),
    ('url-userinfo-allowed', 'server_url: user:password@ is not refused', 'plugins/module_utils/_client/url.py',
     '    if parts.auth is not None or "@" in url:\n', '    if False:\n', (SEC_MAIN,)),
    ('plain-http-anywhere', 'server_url: plain http:// allowed to any host', 'plugins/module_utils/_client/url.py',
     '    if parts.scheme == "http" and not is_loopback(parts.host) and not allow_http:\n', '    if False:\n', (SEC_MAIN,)),
    ('ambient-server-url-trusted', 'server_url: an ambient CONDUCTORONE_SERVER_URL may redirect explicit credentials',
     'plugins/module_utils/_client/url.py',
     '    if not (client_host and option_from_environment) or client_id_from_environment:\n        return\n',
     '    if True:\n        return\n', (SEC_AMBIENT,)),
    ('redirects-followed', 'transport: redirects are followed', 'plugins/module_utils/_client/http.py',
     'allow_redirects=False)', 'allow_redirects=True)', (SEC_MAIN,)),
    ('token-not-stripped', 'access_token: a trailing newline is not stripped', 'plugins/module_utils/_client/auth.py',
     '    _masking.add(token)\n    token = token.strip()\n    if not token:\n', '    _masking.add(token)\n    if not token:\n', (SEC_MAIN,)),
    ('token-controls-allowed', 'access_token: a control character inside it is not refused', 'plugins/module_utils/_client/auth.py',
     '    if not token:\n        return None\n    if not bearer_token_ok(token):\n',
     '    if not token:\n        return None\n    if False:\n', (SEC_MAIN,)),
    ('swap-unchecked', 'client_id: a client secret given as client_id is not recognised', 'plugins/module_utils/_client/client_id.py',
     '    if "secret-token:" in client_id:\n', '    if False:\n', (SEC_MAIN,)),
    ('masking-off', 'masking: registered secrets are not masked', 'plugins/module_utils/_client/masking.py',
     '        return _walk(data, lambda text: pattern.sub(MASK, text))\n', '        return data\n', (SEC, LEAKS)),
    ('truncation-off', 'masking: server messages are not truncated', 'plugins/module_utils/_client/masking.py',
     '    if limit is None or len(text) <= limit:\n        return text\n', '    if True:\n        return text\n', (SEC_MAIN,)),
    ('secret-path-reuse-allowed', 'secret_path: a file holding another live client\'s secret is overwritten',
     PC_SECRET,
     ('        if recorded is None or (template and recorded == template.get("id")):\n            return\n',
      '    if lookup.by_id(record["id"]) is not None:\n'),
     ('        if True:\n            return\n', '    if False:\n'), (SEC_MAIN,)),
    ('secret-path-other-tenant-allowed', 'secret_path: a file holding another tenant\'s client is not refused',
     PC_SECRET,
     '    if record["tenant"] and record["tenant"] != tenant:\n',
     '    if False:\n', (SEC + '::test_secret_path_on_another_tenant',)),
    ('tenant-domain-userinfo-unmasked', 'tenant_domain: a password in the value is not masked (refused, but echoed)',
     'plugins/module_utils/_client/url.py',
     '        for value in (userinfo, userinfo.partition(":")[2]):\n            _masking.add(value or None)\n',
     '        for value in (userinfo, userinfo.partition(":")[2]):\n            pass\n', (SEC_MAIN,)),
    ('cache-entry-unchecked', 'token cache: a malformed entry is used as is', 'plugins/module_utils/_client/token_cache.py',
     '    token, expires_at = entry.get("access_token"), entry.get("expires_at")\n',
     '    token, expires_at = entry.get("access_token"), entry.get("expires_at")\n    return token, float(expires_at)\n', (SEC_CACHE,)),
    ('id-unchecked', 'id: `..`, `.`, `/` are not refused (a path segment)', 'plugins/module_utils/_client/api.py',
     '        raise InputError("{0}: {1!r} is not a ConductorOne id (ids',
     '        return value\n        raise InputError("{0}: {1!r} is not a ConductorOne id (ids', (SEC_MAIN,)),
    ('result-not-hidden', 'no_log: a result carrying a new secret is not hidden (_ansible_no_log)', 'plugins/module_utils/_resources/runner.py',
     '        result["_ansible_no_log"] = True\n', '        pass\n', (SEC_MAIN,)),
    ('cache-ignores-tls', 'token cache: the key ignores validate_certs/ca_path', 'plugins/module_utils/_client/token_cache.py',
     '    parts = [server_url, client_id, secret_digest, list(tls)]\n', '    parts = [server_url, client_id, secret_digest]\n', (SEC_CACHE,)),
    ('cache-parents-unchecked', 'token cache: a world-writable directory above the cache is not refused',
     'plugins/module_utils/_client/token_cache.py',
     '        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:\n            return path, info, "writable"\n',
     '        if False:\n            return path, info, "writable"\n', (SEC_CACHE,)),
    ('secret-dir-mode-unchecked', 'secret_path: a world-writable, non-sticky directory is not refused',
     'plugins/module_utils/_resources/secret_file.py',
     '    if problem is not None:\n', '    if problem is not None and problem[2] != "writable":\n', (SEC_MAIN,)),
    ('display-name-controls-allowed', 'display_name: control and bidi characters are not refused', 'plugins/module_utils/_resources/normalize.py',
     '    if isinstance(value, str) and any(char in _UNSAFE_IN_NAMES for char in value):\n', '    if False:\n', (SEC_MAIN,)),
    ('assertion-replayed', 'token exchange: a retry resends the first (already used) assertion', 'plugins/module_utils/_client/auth.py',
     '        return dict(self) if attempt == 0 else self._build()\n', '        return dict(self)\n', (SEC_MAIN,)),
    ('api-error-unmasked', 'masking: the API error path returns the message and api_error unmasked', 'plugins/module_utils/_resources/runner.py',
     '        return _fail(runner, exc, _masking.mask_message(str(exc)), api_error=_masking.mask_message(exc.as_result()),\n',
     '        return _fail(runner, exc, str(exc), api_error=exc.as_result(),\n', (SEC_MAIN, LEAKS)),
    # secret files and the leak scan itself (tests/system/reliability/test_rel_leaks.py)
    ('secret-file-not-atomic', 'secret_path: written in place (mode of an existing file kept, umask applies, temp file left)',
     'plugins/module_utils/_resources/secret_file.py', '        os.replace(temp_path, path)\n',
     '        open(path, "w").write(open(temp_path).read())\n',
     (LEAKS + '::test_secret_file_replaced_atomically_under_umask_000', LEAKS + '::test_secret_files_and_token_cache')),
    ('leak-scan-blind', 'the one leak scanner (tests/support): forbidden strings are not looked for (the canary row must notice)',
     'tests/support/leaks.py', "        if value and value in scrubbed:\n            leaks.append('%s found in output' % label)\n",
     "        if False:\n            leaks.append('%s found in output' % label)\n", VERBOSE),
    # authentication (tests/system/reliability/test_rel_auth.py A1-A9)
    ('no-reauth-on-401', 'auth: a 401 is never answered by a fresh token exchange', 'plugins/module_utils/_client/api.py',
     '                reauthenticated = True\n', '                raise\n', (AUTH,)),
    ('static-token-no-fallback', 'auth: an expired access_token does not fall back to the client credentials', 'plugins/module_utils/_client/auth.py',
     '        if self._static_token and self.can_reauthenticate:\n', '        if False:\n', (AUTH,)),
    ('refusal-unexplained', 'auth: a final 401 does not explain that the credential was refused', 'plugins/module_utils/_client/api.py',
     '                    if exc.status == UNAUTHENTICATED:\n', '                    if False:\n', (AUTH,)),
    ('401-retried', 'retry: a 401 is retried like a 429 (also at the token endpoint)', 'plugins/module_utils/_client/http.py',
     'RETRY_ALWAYS_STATUSES = frozenset((429,))\n', 'RETRY_ALWAYS_STATUSES = frozenset((429, 401))\n', (AUTH,)),
    ('cache-expiry-ignored', 'token cache: an expired cached token is used', 'plugins/module_utils/_client/token_cache.py',
     '    if expires_at - now < MIN_REMAINING_SECONDS:\n        return None\n', '    if False:\n        return None\n', (AUTH,)),
    # state across restarts (tests/system/reliability/test_rel_restart.py R1-R4)
    ('state-not-saved', 'emulator: --state is never written (what the restart scenarios rely on)', 'tests/emulator/c1emu/store.py',
     "        write_atomic(self.state_path, json.dumps(self.data, indent=1, sort_keys=False))\n", '        pass\n', (RESTART,)),
    ('create-reports-unchanged', 'personal_client: a create reports changed=false', PC_WRITER,
     '        result = {"changed": True, "personal_client": client_result(created)}\n',
     '        result = {"changed": False, "personal_client": client_result(created)}\n', (RESTART,)),
    # declared state (tests/system/reliability/test_rel_converge.py X1-X4)
    ('exclusive-trusts-access-token', 'exclusive: an access token\'s unknown client is not protected (no refusal)',
     PC_LOOKUP,
     '    if not protected or not protected & set(caller_client_ids()):\n', '    if False:\n', (CONVERGE,)),
    ('own-client-unprotected', 'exclusive: the client the run authenticated with may be deleted', PC_LOOKUP,
     '        return protected | set([cutename(own_client_id)])\n', '        return protected\n', (CONVERGE,)),
    ('secret-paths-not-unique', 'declared items: two with one secret_path are not refused', 'plugins/module_utils/_resources/personal_client_set.py',
     ('    unique_or_fail(OPTION, [(os.path.normpath(', '    unique_or_fail(OPTION, by_file, "secret_path (one file'),
     ('    (lambda *args: None)(OPTION, [(os.path.normpath(', '    (lambda *args: None)(OPTION, by_file, "secret_path (one file'),
     (CONVERGE,)),
    ('exclusive-despite-failure', 'exclusive: undeclared clients are deleted although an item failed', 'plugins/module_utils/_resources/personal_client_set.py',
     '        if extras and report.failures:\n', '        if False:\n', (CONVERGE,)),
    # TLS (tests/system/reliability/test_rel_leaks.py T1-T7)
    ('tls-unverified', 'TLS: certificates are never verified', 'plugins/module_utils/_client/http.py',
     '        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)\n', '        self.verify = False\n', (TLS,)),
    ('ca-path-ignored', 'TLS: ca_path is not used (the environment bundle is)', 'plugins/module_utils/_client/http.py',
     '        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)\n',
     '        self.verify = bool(validate_certs)\n', (TLS,)),
    refusal('ca-path-missing-allowed', 'a ca_path that does not exist', 'plugins/module_utils/_client/api.py', 'ca_path: {0} does not exist', (TLS,)),
    ('unverified-tls-silent', 'TLS: validate_certs=false gives no warning', 'plugins/module_utils/_client/http.py',
     '            self._warn("validate_certs is false: the server\'s TLS certificate is not verified")\n', '            pass\n', (TLS,)),
    # issue 20: hostile tenant (tests/system/reliability/test_rel_hostile.py H1-H5)
    ('hostile-no-deadline', 'timeout bounds each socket read only: the whole-request watchdog never starts',
     'plugins/module_utils/_client/http.py', '        self._timer.start()\n', '        pass\n',
     ('tests/system/reliability/test_rel_hostile.py::test_hostile[H1]',)),
    ('hostile-no-page-limit', 'listing: endless new page tokens are followed (no page limit)', 'plugins/module_utils/_client/api.py',
     '        if self.pages > self.max_pages:\n', '        if False:\n', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H2]',)),
    ('hostile-no-item-limit', 'listing: any number of items is collected (max_list_items ignored)', 'plugins/module_utils/_client/api.py',
     '        if self.count > self.max_items:\n', '        if False:\n', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H2]',)),
    ('hostile-no-body-limit', 'response bodies of any size are read (max_response_bytes ignored)', 'plugins/module_utils/_client/http.py',
     'def _read_body(response: requests.Response, limit: int, operation: str) -> None:\n',
     'def _read_body(response: requests.Response, limit: int, operation: str) -> None:\n    limit = float("inf")\n',
     ('tests/system/reliability/test_rel_hostile.py::test_hostile[H2]',)),
    ('hostile-controls-raw', 'sanitiser: control characters pass through raw (ESC, BEL, CR, U+202E)', 'plugins/module_utils/_client/masking.py',
     '    return "\\\\x{0:02x}".format(ord(char)) if ord(char) < 0x100 else "\\\\u{0:04x}".format(ord(char))\n',
     '    return char\n', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H3]',)),
    ('hostile-csv-old-guard', 'hygiene CSV: the formula guard covers only a first character of = + - @',
     'plugins/module_utils/_resources/hygiene_rules.py',
     '_FORMULA_START = re.compile("^(?:[\\\\t\\\\r\\\\n]|[\\\\s\\\\u3000]*[=+\\\\-@\\\\uff1d\\\\uff0b\\\\uff0d\\\\uff20])")\n',
     '_FORMULA_START = re.compile("^[=+\\\\-@]")\n', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H4]',)),
    ('hostile-markdown-raw', 'hygiene Markdown and printed table: names and ids unescaped (HTML, links, images, CR)',
     'plugins/module_utils/_resources/hygiene_rules.py', '    text = _masking.visible_controls(text, keep_newlines=False)\n    return _MARKDOWN',
     '    return text\n    return _MARKDOWN', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H4]',)),
    ('hostile-report-follows-symlink', 'hygiene report: the CSV is written through a symlink planted at its path',
     'roles/credential_hygiene/tasks/main.yml',
     '    dest: "{{ conductorone_credential_hygiene_report_csv }}"\n    follow: false\n',
     '    dest: "{{ conductorone_credential_hygiene_report_csv }}"\n    follow: true\n', ('tests/system/reliability/test_rel_hostile.py::test_hostile[H4]',)),
    ('hostile-json-shape-unchecked', 'a 2xx JSON list or scalar is used as an object (and crashes)', 'plugins/module_utils/_client/http.py',
     '    if not isinstance(body, dict):\n        # every answer', '    if False:\n        # every answer',
     ('tests/system/reliability/test_rel_hostile.py::test_hostile[H5]',)),
    ('hostile-deep-json-crash', 'JSON nested too deeply escapes as an unexpected RecursionError', 'plugins/module_utils/_client/http.py',
     '    except RecursionError:\n        raise ConductorOneError(', '    except ZeroDivisionError:\n        raise ConductorOneError(',
     ('tests/system/reliability/test_rel_hostile.py::test_hostile[H5]',)),
    # issue 23: audit survivors (each killed by a unit test that asserts the behaviour; run_pytest runs tests/unit targets)
    ('audit-secret-dir-pending-in-real-run', 'secret_dir: a missing one is treated as pending in real runs too (the client is '
     'created, its secret cannot be written, it is deleted again)', 'plugins/module_utils/_resources/personal_client_set.py',
     '    pending_dir = bool(check_mode and secret_dir and not os.path.isdir(secret_dir))\n',
     '    pending_dir = bool(secret_dir and not os.path.isdir(secret_dir))\n', (UNIT_MODULES + 'test_personal_client_set.py', AUDIT)),
    ('audit-never-used-grace-inclusive', 'hygiene: never_used_grace deletes at exactly the grace (>= instead of >)',
     'plugins/module_utils/_resources/hygiene_rules.py', 'and (now - created).total_seconds() > grace),',
     'and (now - created).total_seconds() >= grace),', (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-max-age-inclusive', 'hygiene: max_age fires at exactly the maximum age (>= instead of >)', 'plugins/module_utils/_resources/hygiene_rules.py',
     '"max_age": lambda limit: created is not None and (now - created).total_seconds() > limit,',
     '"max_age": lambda limit: created is not None and (now - created).total_seconds() >= limit,', (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-max-lifetime-inclusive', 'hygiene: max_lifetime fires at exactly the maximum lifetime (>= instead of >)',
     'plugins/module_utils/_resources/hygiene_rules.py', '    return created is not None and (expires - created).total_seconds() > limit\n',
     '    return created is not None and (expires - created).total_seconds() >= limit\n', (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-stale-after-inclusive', 'hygiene: stale_after, unused_for and older_than fire at exactly the limit (>= instead of >)',
     'plugins/module_utils/_resources/hygiene_rules.py', '    return seconds is not None and seconds > limit\n',
     '    return seconds is not None and seconds >= limit\n', (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-expired-exclusive', 'hygiene: a client expiring at exactly now is not expired (< instead of <=)',
     'plugins/module_utils/_resources/hygiene_rules.py', '"expired": lambda _on: expires is not None and expires <= now,',
     '"expired": lambda _on: expires is not None and expires < now,', (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-whole-days-truncated', 'hygiene: whole days truncated toward zero (expired 12 h ago reads "in 0 days")',
     'plugins/module_utils/_resources/hygiene_rules.py', '    return int(math.floor(seconds / DAY))\n', '    return int(seconds / DAY)\n',
     (UNIT_UTILS + 'test_hygiene.py',)),
    ('audit-rotation-window-exclusive', 'rotate_if_expires_within: a client expiring at exactly the window\'s end is not rotated',
     PC_DESIRED, '(expiry - (now or utcnow())).total_seconds() <= seconds\n',
     '(expiry - (now or utcnow())).total_seconds() < seconds\n', (UNIT_UTILS + 'test_converge.py',)),
    ('audit-truncate-before-mask', 'masking: messages cut before they are masked (the head of a secret at the cut shows)',
     'plugins/module_utils/_client/masking.py',
     '            text = self.mask(text)\n            for shape, replacement in _SHAPED_LIKE_SECRETS:\n'
     '                text = shape.sub(replacement, text)\n'
     '            if kept:\n                text = _PLACEHOLDERS.sub(lambda match: kept[int(match.group(1))], text)\n'
     '            return truncate(visible_controls(text, keep_newlines=limit is None), limit)\n',
     '            text = self.mask(truncate(visible_controls(text, keep_newlines=limit is None), limit))\n'
     '            for shape, replacement in _SHAPED_LIKE_SECRETS:\n'
     '                text = shape.sub(replacement, text)\n'
     '            if kept:\n                text = _PLACEHOLDERS.sub(lambda match: kept[int(match.group(1))], text)\n'
     '            return text\n',
     (UNIT_UTILS + 'test_masking.py', UNIT_UTILS + 'test_http.py')),
    ('audit-retry-after-429-only', 'retry: Retry-After honoured only on 429 (a 503\'s is ignored)', 'plugins/module_utils/_client/http.py',
     '                retry_after = parse_retry_after(response.headers.get("Retry-After"))\n',
     '                retry_after = parse_retry_after(response.headers.get("Retry-After")) if status == 429 else None\n',
     (UNIT_UTILS + 'test_http.py',) + tuple('%s[%s-503_ra_seconds]' % (GRID, op) for op in (
         'pc_list', 'pc_get', 'pc_delete', 'pci_list', 'role_list', 'role_get', 'ri_list', 'ri_get', 'token'))),
    ('audit-temp-file-in-tmpdir', 'secret_path: the temporary file is created in $TMPDIR, not beside the target (the rename '
     'fails across file systems)', 'plugins/module_utils/_resources/secret_file.py',
     'tempfile.mkstemp(prefix=".conductorone-", suffix=".tmp", dir=directory)',
     'tempfile.mkstemp(prefix=".conductorone-", suffix=".tmp")', (UNIT_UTILS + 'test_secret_file.py',)),
    ('audit-own-client-id-not-cut', 'exclusive: the run\'s own client compared by its full client id (name@host/pcc), '
     'so it is not recognised in the listing and is deleted', PC_LOOKUP,
     '        return protected | set([cutename(own_client_id)])\n', '        return protected | set([own_client_id])\n',
     (UNIT_UTILS + 'test_converge.py', UNIT_MODULES + 'test_personal_client_set.py')),
    ('audit-hygiene-own-client-id-not-cut', 'hygiene: the run\'s own client compared by its full client id, so enforcement '
     'may delete it (the rule it shares with exclusive mode)', PC_LOOKUP,
     '        return protected | set([cutename(own_client_id)])\n', '        return protected | set([own_client_id])\n',
     (UNIT_UTILS + 'test_credential_hygiene.py', UNIT_MODULES + 'test_personal_client_hygiene.py')),
    ('audit-html-snippet-cut-before-mask', 'error shape: a non-JSON body cut to its 200-character snippet before masking (the head '
     'of a token across the cut shows)', 'plugins/module_utils/_client/http.py',
     '        snippet = _masking.mask_message(" ".join(snippet.split()), None)[:200]  # masked before the cut\n',
     '        snippet = " ".join(snippet.split())[:200]\n', (UNIT_UTILS + 'test_http.py',)),
    ('audit-5xx-create-boundary', 'create: a 500 answer is taken as never applied (> 500 instead of >= 500), so no orphan is '
     'looked for', PC_CREATE, '    return exc.status is None or exc.status >= 500\n',
     '    return exc.status is None or exc.status > 500\n', (UNIT_UTILS + 'test_personal_clients.py',)),
    ('audit-oidc-expiry-exclusive', 'workload federation: an OIDC token at exactly its exp is still sent (< instead of <=)',
     'plugins/module_utils/_client/auth.py', '        if expires is not None and expires <= now:\n',
     '        if expires is not None and expires < now:\n', (UNIT_UTILS + 'test_auth_federation.py',)),
    ('audit-token-used-at-expiry', 'token source: the in-memory token is still used at exactly its expiry (> instead of >=)',
     'plugins/module_utils/_client/auth.py', '        if self._token is None or time.time() >= self._expires_at:\n',
     '        if self._token is None or time.time() > self._expires_at:\n', (UNIT_UTILS + 'test_auth.py',)),
    ('audit-invocation-unmasked', 'action plugin: the result with the echoed task arguments (invocation) not masked (a client '
     'secret given as id, a password in server_url or tenant_domain show)', 'plugins/plugin_utils/_action.py',
     '                return _masking.mask(self._run(result))\n', '                return self._run(result)\n',
     (UNIT_MODULES + 'test_personal_client.py',)),
    ('audit-url-path-cut-before-mask', 'server_url: the refused path quoted cut to 40 characters before masking (the head of a '
     'token across the cut shows)', 'plugins/module_utils/_client/url.py',
     '"are fixed".format(option, _masking.mask_message(parts.path, None)[:40]))', '"are fixed".format(option, parts.path[:40]))',
     (UNIT_MODULES + 'test_personal_client.py',)),
    # issue 22: first-hour errors and diffs (tests/system/reliability/test_rel_first_hour.py U1-U8)
    ('ux-not-tls-unrecognised', 'TLS: a server that does not speak TLS is reported as another handshake failure',
     'plugins/module_utils/_client/http.py', '    if NOT_TLS.search(text):\n', '    if False:\n',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U1]',)),
    ('ux-refused-retried-fully', 'retry: a refused connection is retried the whole budget', 'plugins/module_utils/_client/http.py',
     'CONNECT_FAILURE_RETRIES = {"refused": 1,', 'CONNECT_FAILURE_RETRIES = {"refused": 99,',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U2]',)),
    ('ux-refused-unexplained', 'errors: a refused connection is a bare "connection failed"', 'plugins/module_utils/_client/http.py',
     '    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):\n', '    if False:\n',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U2]',)),
    ('ux-dns-retried', 'retry: a name that does not resolve is retried', 'plugins/module_utils/_client/http.py',
     '"dns": 0}', '"dns": 99}', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U3]',)),
    ('ux-dns-unexplained', 'errors: a name that does not resolve is a bare "connection failed"', 'plugins/module_utils/_client/http.py',
     '    if resolution:\n', '    if False:\n', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U3]',)),
    ('ux-unsupported-prefix-dropped', "errors: unknown options lose Ansible's `Unsupported parameters for (module)` prefix",
     'plugins/plugin_utils/_action.py',
     '    return "Unsupported parameters for ({0}) module: {1}".format(module_name, " ".join(parts))\n',
     '    return " ".join(parts)\n', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U4]',)),
    ('ux-public-prefix-masked', 'masking: the documented secret prefix is masked in the hint that names it',
     'plugins/module_utils/_client/masking.py', 'PUBLIC_FORMATS = ("secret-token:conductorone.com:v1:",)\n',
     'PUBLIC_FORMATS = ("c1rel-no-such-format",)\n', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U5]',)),
    ('ux-credentials-one-message', 'errors: a client_id without its secret gets the generic "no credentials" message',
     'plugins/module_utils/_client/auth.py', '    if client_id:\n        name, dummy, use_case = parse_client_id(client_id)\n',
     '    if False:\n        name, dummy, use_case = parse_client_id(client_id)\n',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U6]',)),
    ('ux-tenant-before-credentials', 'errors: with nothing set, the missing tenant ("with access_token alone") is reported first',
     'plugins/module_utils/_client/api.py', '    require_credentials(params.get("client_id"), params.get("client_secret"), '
     'params.get("access_token"),\n                        params.get("oidc_token"))\n', '',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U6]',)),
    ('ux-allow-plain-http-unnamed', 'errors: the refusal of plain http does not name allow_plain_http', 'plugins/module_utils/_client/url.py',
     ', or set allow_plain_http "', ', or set the opt-in "', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U7]',)),
    ('ux-set-diff-headerless', 'diff: set module diffs carry no per-item header', 'plugins/module_utils/_resources/set_converge.py',
     '                "before_header": where, "after_header": where,\n', '', ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U8]',)),
    ('ux-role-ids-in-diff', 'diff: scoped roles shown as bare ids', PC_WRITER,
     '                    view["scoped_roles"] = sorted(labels.get(role_id, role_id) for role_id in view["scoped_roles"])\n',
     '                    view["scoped_roles"] = sorted(view["scoped_roles"])\n',
     ('tests/system/reliability/test_rel_first_hour.py::test_first_hour[U8]',)),
    # issue 19: concurrency (overlapping runs, tests/system/reliability/test_rel_concurrency.py CC1-CC5)
    ('race-no-settling', 'create race: every run keeps the client it created (no tie-break)', PC_CREATE,
     '    return min([own] + rivals, key=created_order)\n', '    return own\n', (RACES, '-k', 'CC1 or CC2 or CC3')),
    ('race-loser-keeps-duplicate', 'create race: the loser does not delete the client it created', PC_WRITER,
     '            self.api.delete_personal_client(created["id"])\n', '            pass\n', (RACES, '-k', 'CC1 or CC2 or CC3')),
    ('race-single-unsettled', 'create race: personal_client does not re-list after its create (as if the listing failed)', PC_WRITER,
     '            listing, error = relist(self.api)\n', '            listing, error = None, "mutated"\n', (RACES, '-k', 'CC2 or CC3')),
    ('race-set-unsettled', 'create race: personal_client_set does not re-list after its creates (as if the listing failed)',
     'plugins/module_utils/_resources/personal_client_set.py', '        listing, list_error = relist(self.api)\n',
     '        listing, list_error = None, "mutated"\n', (RACES, '-k', 'CC1')),
    ('race-role-unverified', 'role append/remove: the update is not re-read nor re-applied (lost update)', ROLES,
     '            if merges(self.params):\n', '            if False:\n', (RACES, '-k', 'CC4 or CC5')),
    # issue 19: partial failure and secret_path ownership (tests/system/reliability/test_rel_partial_failure.py PF1-PF8)
    ('partial-strip-fault-inert', 'fault injector: the strip fault answers the whole object (the fault is still logged)',
     'tests/emulator/c1emu/server.py', "        if kind == 'strip':\n            response = strip_fields(",
     "        if False:\n            response = strip_fields(", (PARTIAL,)),
    ('partial-update-object-unchecked', 'a personal client update answered 2xx without `client` raises KeyError',
     'plugins/module_utils/_client/api.py', '        return answered_object(answer, "client", "PersonalClientService.Update")\n',
     '        return answer["client"]\n', (PARTIAL,)),
    ('partial-create-object-unchecked', 'a create answered 2xx without `client` raises KeyError', 'plugins/module_utils/_client/api.py',
     '        client = answered_object(body, "client", operation)\n', '        client = body["client"]\n', (PARTIAL,)),
    ('partial-create-secret-unchecked', 'a create answered 2xx without `clientSecret` passes as a client without secret',
     'plugins/module_utils/_client/api.py', '        if not isinstance(secret, str) or not secret.strip():\n', '        if False:\n',
     (PARTIAL,)),
    ('partial-role-object-unchecked', 'a role update answered 2xx without `role` raises KeyError', 'plugins/module_utils/_client/api.py',
     '        return answered_object(self.client.call("POST", self.ROLES + "/" + _segment(role_id), "Roles.Update", body=body),\n'
     '                               "role", "Roles.Update")\n',
     '        return self.client.call("POST", self.ROLES + "/" + _segment(role_id), "Roles.Update", body=body)["role"]\n',
     (PARTIAL,)),
    ('partial-made-client-forgotten', 'a failure after a create carries no partial result (client and secret dropped)',
     PC_WRITER, '                setattr(exc, "partial_result", self.partial_result())\n',
     '                pass\n', (PARTIAL,)),
    ('partial-set-item-result-dropped', 'set: a failed item\'s partial result (its new secret) is not collected',
     'plugins/module_utils/_resources/personal_client_set.py',
     '            result = result if error is None else getattr(error, "partial_result", None)\n',
     '            result = result if error is None else None\n', (PARTIAL,)),
    ('partial-module-failure-drops-result', 'single module: a failure returns no partial result (no client_secret)',
     'plugins/module_utils/_resources/runner.py', '    partial = getattr(exc, "partial_result", None)\n', '    partial = None\n',
     (PARTIAL,)),
    ('partial-failed-set-drops-secrets', 'a set whose items partly failed returns only its message (no `secrets`)',
     'plugins/module_utils/_resources/runner.py', '        return runner.fail(result.pop("msg"), **result)\n',
     '        return runner.fail(result.pop("msg"))\n', (PARTIAL,)),
    ('partial-directory-owner-unchecked', 'secret_path: a directory (or one above) owned by another user is accepted',
     'plugins/module_utils/_client/token_cache.py', '        if info.st_uid not in (uid, 0):\n            return path, info, "owner"\n',
     '        if False:\n            return path, info, "owner"\n', (PARTIAL,)),
    ('partial-file-owner-unchecked', 'secret_path: a file owned by another user is replaced', 'plugins/module_utils/_resources/secret_file.py',
     '    if info.st_uid != os.getuid():\n', '    if False:\n', (PARTIAL,)),
    # issue 19: secret hand-off examples (tests/system/reliability/test_rel_examples.py E1-E4)
    ('handoff-rotation-drops-old', 'store-in-vault.yml: a rotation deletes the old client before the new secret is stored',
     'examples/secret-handoff/store-in-vault.yml', '        keep_previous: "{{ handoff_rotate | bool }}"\n', '',
     ('tests/system/reliability/test_rel_examples.py',)),
    ('handoff-lost-store-silent', 'store-in-vault.yml: a re-run does not notice a client whose secret was never stored',
     'examples/secret-handoff/store-in-vault.yml',
     "        - handoff_stored_client_id | default('') != handoff_credential.personal_client.client_id\n", '        - false\n',
     ('tests/system/reliability/test_rel_examples.py',)),
    ('handoff-open-dir-accepted', 'store-in-vault.yml: a vars directory other users can write to is accepted',
     'examples/secret-handoff/store-in-vault.yml',
     '          - not handoff_paths.results[1].stat.wgrp\n          - not handoff_paths.results[1].stat.woth\n', '',
     ('tests/system/reliability/test_rel_examples.py',)),
    ('handoff-collision-unchecked', 'store-role-secrets-in-vault.yml: two display names for one vars file are accepted',
     'examples/secret-handoff/store-role-secrets-in-vault.yml',
     '          - handoff_stems | unique | length == handoff_stems | length\n', '          - true\n', ('tests/system/reliability/test_rel_examples.py',)),
    # issue 21: docs vs spec (the module files are docs-only, so validate-modules no longer compares them with the
    # argument specs; tests/unit/plugins/action/test_docs_match_spec.py does, through the computed fragments too)
    ('docs-spec-wrong-default', 'docs: the personal_client fragment documents rotate with default true (the spec has false)',
     'plugins/doc_fragments/personal_client.py',
     '    - Always reports a change. Mutually exclusive with O(rotate_if_expires_within).\n  type: bool\n  default: false\n',
     '    - Always reports a change. Mutually exclusive with O(rotate_if_expires_within).\n  type: bool\n  default: true\n',
     (UNIT_ROOT + '/plugins/action/test_docs_match_spec.py',)),
    ('docs-spec-missing-option', 'docs: role_set documents no parallel option (the spec has one)', 'plugins/modules/role_set.py',
     '  parallel:\n    description:\n      - How many updates run at the same time; V(1) updates one role after the other.\n'
     '    type: int\n    default: 8\n', '', (UNIT_ROOT + '/plugins/action/test_docs_match_spec.py',)),
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


def collection_root(copy, workdir):
    """``copy`` as ``ansible_collections/conductorone/iam`` under ``workdir`` (a symlink): (the directory to run pytest
    in, the PYTHONPATH entry). The unit tests import the collection by that name, as ansible-test stages it."""
    link = workdir / 'collections' / 'ansible_collections' / 'conductorone' / 'iam'
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(copy.resolve(), target_is_directory=True)
    return link, workdir / 'collections'


def run_pytest(copy, args, workdir):
    """(rows run, rows failed, seconds); a row is ``file::test[param]``, as row_key names it. Unit test targets
    (``tests/unit/...``) run with the copy importable as ``ansible_collections.conductorone.iam``."""
    junit = workdir / 'junit.xml'
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, C1REL_REPORT=str(workdir / 'report.md'), PYTHONDONTWRITEBYTECODE='1')
    env.setdefault('C1REL_WORKERS', '3')  # mutations run side by side (--jobs): keep the machine's load sane
    cwd = copy
    if any(str(arg).startswith(UNIT_ROOT + '/') for arg in args):
        cwd, path = collection_root(copy, workdir)
        env['PYTHONPATH'] = os.pathsep.join([str(path)] + [p for p in [env.get('PYTHONPATH')] if p])
    started = time.time()
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml', str(junit)] + list(args),
                          cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
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
