# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""The emulator state: users, roles, personal clients, access tokens; persistence; reset.

All access goes through Store.lock (an RLock). Mutating callers call save() before releasing it, so
the state file on disk is always a complete snapshot (written to a temporary file, then renamed).
"""

import copy
import json
import os
import secrets
import tempfile
import threading
import time

from . import defaults, federation, keys, oidc, seed as seeding
from .util import cutename, format_time, now, now_str, parse_time, sha256_hex, stable_ksuid

STATE_VERSION = 1
ADMIN_SECRET_SUFFIX = '.admin-secret'

DEFAULT_CONFIG = {
    # HTTP status/code for an update of a systemBuiltin role: failed_precondition (400, code 9) or
    # permission_denied (403, code 7).
    'builtinRoleUpdateError': 'failed_precondition',
    # How scopedRoles reduce a key's permissions: intersect_permissions (user's permissions AND the
    # scoped roles' permissions) or held_roles (only the permissions of scoped roles the user holds).
    'scopeMode': 'intersect_permissions',
    # When true, a caller holding Super Administrator (system:owner) may get/update/delete other
    # users' personal clients by id; otherwise they are 404 to everyone but their owner.
    'superAdminManagesAllClients': False,
    # Upper bound for a personal client's expires duration in seconds (null: no bound).
    'maxExpiresSeconds': None,
    # Refuse a token exchange whose OIDC subject token was already exchanged (workload federation).
    'refuseReplayedSubjectTokens': True,
}


def write_atomic(path, text, mode=0o600):
    """Write text to path through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Store:
    """State plus the operations on it that more than one caller needs."""

    def __init__(self, state_path=None, token_ttl=600, startup_seed=None):
        self.lock = threading.RLock()
        self.state_path = state_path
        self.startup_seed = startup_seed
        self.token_ttl = token_ttl
        self.default_token_ttl = token_ttl
        self.tenant_host = None
        self.admin_secret = None
        self.data = None
        self.signer = keys.Signer()
        self.oidc = oidc.Issuer()
        self.public_url = None

    # ----------------------------------------------------------------- lifecycle

    @staticmethod
    def previous_port(state_path):
        """The port a persisted state was last served on (to keep client ids stable), or None."""
        try:
            with open(state_path, encoding='utf-8') as stream:
                host = json.load(stream).get('tenantHost') or ''
            return int(host.rsplit(':', 1)[1])
        except (OSError, ValueError, IndexError, AttributeError, TypeError):
            return None

    def open(self, tenant_host):
        """Load or create the state for a server reachable as tenant_host (host:port)."""
        with self.lock:
            self.tenant_host = tenant_host
            self.public_url = self.public_url or 'http://%s' % tenant_host
            if not self._load():
                self.data = self._empty()
                self._populate()
            self.data['tenantHost'] = tenant_host
            self._ensure_admin()
            self.save()

    def _empty(self, keep=None):
        keep = keep or {}
        return {
            'version': STATE_VERSION,
            'salt': keep.get('salt') or secrets.token_hex(16),
            'epoch': keep.get('epoch') or int(time.time()),
            'pageKey': keep.get('pageKey') or secrets.token_hex(16),
            'tenantHost': self.tenant_host,
            'config': copy.deepcopy(DEFAULT_CONFIG),
            'admin': keep.get('admin') or {},
            'users': {},
            'roles': {},
            'clients': {},
            'tokens': {},
            'trusts': {},
            'usedSubjectTokens': {},
        }

    def _populate(self):
        seeding.apply_seed(self, defaults.default_seed())
        if self.startup_seed:
            seeding.apply_seed(self, self.startup_seed)

    def _load(self):
        if not self.state_path or not os.path.exists(self.state_path):
            return False
        with open(self.state_path, encoding='utf-8') as stream:
            data = json.load(stream)
        if data.get('version') != STATE_VERSION:
            raise ValueError('state file %s has an unsupported version' % self.state_path)
        for key, value in DEFAULT_CONFIG.items():
            data.setdefault('config', {}).setdefault(key, value)
        data.setdefault('trusts', {})
        data.setdefault('usedSubjectTokens', {})
        self.data = data
        if os.path.exists(self.state_path + ADMIN_SECRET_SUFFIX):
            with open(self.state_path + ADMIN_SECRET_SUFFIX, encoding='utf-8') as stream:
                self.admin_secret = stream.read().strip() or None
        return True

    def save(self):
        """Persist the state (never a private key) when --state was given."""
        if not self.state_path:
            return
        cutoff = time.time()
        self.data['tokens'] = {k: v for k, v in self.data['tokens'].items() if v['exp'] > cutoff}
        write_atomic(self.state_path, json.dumps(self.data, indent=1, sort_keys=False))

    def _ensure_admin(self):
        """Make sure the Super Administrator user and its personal client exist and the secret is known."""
        admin = self.data['admin']
        user = self.data['users'].get(admin.get('userId'))
        if user is None:
            user = self.find_user(defaults.ADMIN_EMAIL) or self.add_user(defaults.ADMIN_EMAIL, 'Emulator Admin', [])
            admin['userId'] = user['id']
        owner = self.role_by_name(defaults.OWNER)
        if owner is not None and owner['id'] not in user['roleIds']:
            user['roleIds'].append(owner['id'])
        client = self.data['clients'].get(admin.get('clientId') or '')
        usable = False
        if client is not None and self.admin_secret:
            try:
                usable = keys.public_x_from_secret(self.admin_secret) == client['publicKey']
            except keys.SecretError:
                usable = False
        if not usable:
            if client is not None and client['deletedAt'] is None:
                client['deletedAt'] = now_str()
            secret, public_x = keys.mint_secret()
            client = self.add_client(user['id'], defaults.ADMIN_CLIENT_NAME, [], [], None, public_x)
            admin['clientId'] = client['id']
            self.admin_secret = secret
            if self.state_path:
                write_atomic(self.state_path + ADMIN_SECRET_SUFFIX, secret + '\n')
        # the env-file credential always works: undo anything a test did to it
        client.update({'deletedAt': None, 'expiresTime': None, 'allowSourceCidr': [], 'scopedRoles': []})
        user['deletedAt'] = None
        federation.ensure_default(self, user['id'])

    def reset(self, startup_seed=True):
        """Back to the default seed (plus the --seed document unless startup_seed is false).

        The admin user and its personal client keep their ids and secret; so do the ids of seeded
        objects, which derive from a per-state salt.
        """
        with self.lock:
            old = self.data
            admin_user = copy.deepcopy(old['users'].get(old['admin'].get('userId')))
            admin_client = copy.deepcopy(old['clients'].get(old['admin'].get('clientId')))
            admin_trust = copy.deepcopy(old.get('trusts', {}).get(old['admin'].get('trustId') or ''))
            self.data = self._empty(keep=old)
            self.token_ttl = self.default_token_ttl
            seeding.apply_seed(self, defaults.default_seed())
            if admin_user is not None:
                user = self.find_user(admin_user['email'])
                if user is not None and user['id'] != admin_user['id']:
                    del self.data['users'][user['id']]
                admin_user['roleIds'] = [r['id'] for r in [self.role_by_name(defaults.OWNER)] if r is not None]
                self.data['users'][admin_user['id']] = admin_user
            if admin_client is not None:
                self.data['clients'][admin_client['id']] = admin_client
                self.data['tokens'] = {k: v for k, v in old['tokens'].items() if v['client'] == admin_client['id']}
            if admin_trust is not None:
                # like the admin client: the env file's trust and its tokens stay valid
                self.data['trusts'][admin_trust['id']] = admin_trust
                self.data['tokens'].update((k, v) for k, v in old['tokens'].items() if v.get('trust') == admin_trust['id'])
            if startup_seed and self.startup_seed:
                seeding.apply_seed(self, self.startup_seed)
            self._ensure_admin()
            self.save()

    # ----------------------------------------------------------------- config

    @property
    def config(self):
        return self.data['config']

    # ----------------------------------------------------------------- users and roles

    def find_user(self, ref):
        """A user by id or (case-insensitive) email, or None."""
        users = self.data['users']
        if ref in users:
            return users[ref]
        if isinstance(ref, str):
            lowered = ref.lower()
            for user in users.values():
                if user['email'].lower() == lowered:
                    return user
        return None

    def add_user(self, email, display_name, role_ids, user_id=None):
        user_id = user_id or stable_ksuid(self.data['salt'], 'user', email.lower(), self.data['epoch'])
        user = {'id': user_id, 'email': email, 'displayName': display_name or email, 'roleIds': list(role_ids),
                'createdAt': now_str(), 'deletedAt': None}
        self.data['users'][user_id] = user
        return user

    def role_by_name(self, name):
        for role in self.data['roles'].values():
            if role['name'] == name and role.get('deletedAt') is None:
                return role
        return None

    def live_roles(self):
        return [role for role in self.data['roles'].values() if role.get('deletedAt') is None]

    def new_role_id(self, name):
        return stable_ksuid(self.data['salt'], 'role', name, self.data['epoch'])

    # ----------------------------------------------------------------- personal clients

    def new_cutename(self):
        while True:
            name = cutename()
            if name not in self.data['clients']:
                return name

    def add_client(self, user_id, display_name, cidrs, scoped_roles, expires_time, public_x, client_id=None):
        """Create a personal client record; expires_time is a datetime or None."""
        name = client_id or self.new_cutename()
        stamp = now_str()
        client = {
            'id': name,
            'clientId': '%s@%s/pcc' % (name, self.tenant_host),
            'userId': user_id,
            'displayName': display_name,
            'allowSourceCidr': list(cidrs),
            'scopedRoles': list(scoped_roles),
            'expiresTime': format_time(expires_time),
            'createdAt': stamp,
            'updatedAt': stamp,
            'lastUsedAt': None,
            'deletedAt': None,
            'publicKey': public_x,
        }
        self.data['clients'][name] = client
        return client

    def client_by_client_id(self, client_id):
        for client in self.data['clients'].values():
            if client['clientId'] == client_id and client['deletedAt'] is None:
                return client
        return None

    @staticmethod
    def client_expired(client):
        return client['expiresTime'] is not None and parse_time(client['expiresTime']) <= now()

    # ----------------------------------------------------------------- access tokens

    def issue_token(self, client, host, kind='client'):
        """An access token for a personal client, or (kind='trust') for a workload federation trust."""
        issued = time.time()
        self.data['tokens'] = {k: v for k, v in self.data['tokens'].items() if v['exp'] > issued}
        ttl = int(self.token_ttl)
        token = self.signer.sign({
            'iss': 'https://%s' % host,
            'sub': client['userId'],
            'aud': host.rsplit(':', 1)[0].strip('[]'),
            'client_id': client['clientId'],
            'iat': int(issued),
            'exp': int(issued) + ttl + 1,
            'jti': secrets.token_hex(12),
        })
        record = {'client': client['id'], 'user': client['userId'], 'exp': round(issued + ttl, 3)}
        if kind == 'trust':
            record.update(client=None, trust=client['id'])
        self.data['tokens'][sha256_hex(token)] = record
        return token, ttl

    def token_record(self, token):
        return self.data['tokens'].get(sha256_hex(token))

    def revoke_tokens(self):
        count = len(self.data['tokens'])
        self.data['tokens'] = {}
        return count

    # ----------------------------------------------------------------- views

    def snapshot(self):
        """Everything but secrets (no token values, no private keys)."""
        return {
            'tenantHost': self.data['tenantHost'],
            'config': copy.deepcopy(self.data['config']),
            'admin': copy.deepcopy(self.data['admin']),
            'users': copy.deepcopy(list(self.data['users'].values())),
            'roles': copy.deepcopy(list(self.data['roles'].values())),
            'personalClients': copy.deepcopy(list(self.data['clients'].values())),
            'workloadFederationTrusts': copy.deepcopy(list(self.data['trusts'].values())),
            'tokens': {'count': len(self.data['tokens'])},
        }
