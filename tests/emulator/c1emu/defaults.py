# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026 conductorone.iam contributors
"""Permission strings, the built-in role catalog and the default seed."""

_IAM = 'permission/c1.api.iam.v1.'

PC_CREATE = _IAM + 'PersonalClientService.Create'
PC_GET = _IAM + 'PersonalClientService.Get'
PC_LIST = _IAM + 'PersonalClientService.List'
PC_UPDATE = _IAM + 'PersonalClientService.Update'
PC_DELETE = _IAM + 'PersonalClientService.Delete'
PC_SEARCH = _IAM + 'PersonalClientSearchService.Search'
ROLES_LIST = _IAM + 'Roles.List'
ROLES_GET = _IAM + 'Roles.Get'
ROLES_UPDATE = _IAM + 'Roles.Update'
INTROSPECT = 'permission/c1.api.auth.v1.Auth.Introspect'

OWN_CLIENTS = [PC_CREATE, PC_GET, PC_LIST, PC_UPDATE, PC_DELETE]
ROLES_READ = [ROLES_LIST, ROLES_GET]

# Permissions of services the emulator does not serve; they only make the catalog look real.
APPS_READ = ['permission/c1.api.app.v1.Apps.List', 'permission/c1.api.app.v1.Apps.Get']
APPS_WRITE = ['permission/c1.api.app.v1.Apps.Create', 'permission/c1.api.app.v1.Apps.Update', 'permission/c1.api.app.v1.Apps.Delete']
CAMPAIGNS = ['permission/c1.api.accessreview.v1.AccessReviewService.List', 'permission/c1.api.accessreview.v1.AccessReviewService.Create',
             'permission/c1.api.accessreview.v1.AccessReviewService.Update']
REQUESTS = ['permission/c1.api.request_catalog.v1.RequestCatalogManagementService.List',
            'permission/c1.api.task.v1.TaskService.Get', 'permission/c1.api.task.v1.TaskActionsService.Approve']
CONNECTORS = ['permission/c1.api.app.v1.ConnectorService.List', 'permission/c1.api.app.v1.ConnectorService.Create',
              'permission/c1.api.app.v1.ConnectorService.Update']
SYSTEM_LOGS = ['permission/c1.api.systemlog.v1.SystemLogService.ListEvents']

OWNER_PERMISSIONS = (OWN_CLIENTS + [PC_SEARCH] + ROLES_READ + [ROLES_UPDATE, INTROSPECT] + APPS_READ + APPS_WRITE + CAMPAIGNS
                     + REQUESTS + CONNECTORS + SYSTEM_LOGS)
# Search lists every user's personal clients: ConductorOne's docs (API-NOTES 3.4, 3.7) say only Super
# Administrators may view API keys other than their own, so no other built-in role holds it.
VIEWER_PERMISSIONS = [PC_GET, PC_LIST] + ROLES_READ + [INTROSPECT] + APPS_READ + SYSTEM_LOGS
BASIC_PERMISSIONS = OWN_CLIENTS + ROLES_READ + [INTROSPECT]


def _builtin(name, display_name, permissions, service_roles, api_only=False):
    return {
        'name': name,
        'displayName': display_name,
        'permissions': list(permissions),
        'serviceRoles': list(service_roles),
        'systemBuiltin': True,
        'systemApiOnly': api_only,
    }


def _custom(name, display_name, permissions, service_roles):
    return {'name': name, 'displayName': display_name, 'permissions': list(permissions), 'serviceRoles': list(service_roles)}


OWNER = 'system:owner'
VIEWER = 'system:viewer'
BASIC = 'system:user'

ADMIN_EMAIL = 'admin@example.com'
ADMIN_CLIENT_NAME = 'emulator-admin'


def default_seed():
    """The seed every fresh (or reset) state starts from, in the --seed document format."""
    return {
        'roles': [
            _builtin(OWNER, 'Super Administrator', OWNER_PERMISSIONS,
                     ['role/c1.api.tenant.v1.Tenant:owner', 'role/c1.api.auth.v1.Auth:owner', 'role/c1.api.app.v1.Apps:owner',
                      'role/c1.api.iam.v1.Roles:owner', 'role/c1.api.iam.v1.PersonalClientService:owner']),
            _builtin(VIEWER, 'Read-Only Administrator', VIEWER_PERMISSIONS,
                     ['role/c1.api.tenant.v1.Tenant:viewer', 'role/c1.api.app.v1.Apps:viewer', 'role/c1.api.iam.v1.Roles:viewer']),
            _builtin(BASIC, 'Basic User', BASIC_PERMISSIONS,
                     ['role/c1.api.auth.v1.Auth:reflection', 'role/c1.api.iam.v1.PersonalClientService:owner']),
            _builtin('system:application-admin', 'Application Administrator', APPS_READ + APPS_WRITE + CONNECTORS + ROLES_READ + [INTROSPECT],
                     ['role/c1.api.app.v1.Apps:editor', 'role/c1.api.app.v1.AppEntitlements:owner']),
            _builtin('system:campaign-admin', 'Campaign Administrator', CAMPAIGNS + APPS_READ + ROLES_READ + [INTROSPECT],
                     ['role/c1.api.accessreview.v1.AccessReviewService:owner']),
            _builtin('system:access-request-helpdesk', 'Access Request Helpdesk', REQUESTS[1:] + [INTROSPECT],
                     ['role/c1.api.task.v1.TaskService:helpdesk']),
            _builtin('system:access-request-admin', 'Access Request Administrator', REQUESTS + APPS_READ + [INTROSPECT],
                     ['role/c1.api.request_catalog.v1.RequestCatalogManagementService:owner']),
            _builtin('system:connector-admin', 'Connector Administrator', CONNECTORS + APPS_READ + [INTROSPECT],
                     ['role/c1.api.app.v1.ConnectorService:owner']),
            _builtin('system:system-logs-reader', 'Read-Only to System Logs', SYSTEM_LOGS + [INTROSPECT],
                     ['role/c1.api.systemlog.v1.SystemLogService:viewer'], api_only=True),
            _custom('custom:auditor', 'Auditor', ROLES_READ + [INTROSPECT] + APPS_READ, ['role/c1.api.app.v1.Apps:viewer']),
            _custom('custom:app-reviewer', 'App Reviewer', APPS_READ + CAMPAIGNS[:1] + [INTROSPECT], ['role/c1.api.app.v1.Apps:viewer']),
        ],
        'users': [
            {'email': ADMIN_EMAIL, 'displayName': 'Emulator Admin', 'roles': [OWNER]},
        ],
    }
