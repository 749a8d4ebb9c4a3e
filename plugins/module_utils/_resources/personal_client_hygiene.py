# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""personal_client_hygiene: check personal clients against a policy, report, optionally delete the caller's own.

The rules are in hygiene_rules.py. Enforcement only ever deletes clients of the calling user (List shows exactly
those), never the client the run authenticates as, and refuses to run when that client cannot be known (a bare
access token) unless ``protected`` names the clients to keep.

Private to this collection, with no compatibility promise: anything here may change or go in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ansible_collections.conductorone.iam.plugins.module_utils._resources import hygiene_rules as _hygiene
from ansible_collections.conductorone.iam.plugins.module_utils._client.arguments import argument_spec
from ansible_collections.conductorone.iam.plugins.module_utils._client.errors import ConductorOneError, InputError
from ansible_collections.conductorone.iam.plugins.module_utils._resources.normalize import format_timestamp, utcnow
from ansible_collections.conductorone.iam.plugins.module_utils._resources.personal_client_lookup import live_clients, protected_client_ids
from ansible_collections.conductorone.iam.plugins.module_utils._resources.resource import Resource

if TYPE_CHECKING:
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.hygiene_rules import Row
    from ansible_collections.conductorone.iam.plugins.module_utils._resources.types import JsonObject, Result

# The argument spec of conductorone.iam.personal_client_hygiene.
HYGIENE_ARGUMENT_SPEC = argument_spec(
    policy={"type": "dict", "default": {}, "options": {
        "expired": {"type": "bool", "default": True},
        "max_age": {"type": "str"},
        "max_lifetime": {"type": "str"},
        "stale_after": {"type": "str"},
        "never_used_grace": {"type": "str"},
        "require_source_cidr": {"type": "bool", "default": False},
        "allowed_cidrs": {"type": "list", "elements": "str"},
        "require_scoped_roles": {"type": "bool", "default": False},
    }},
    scope={"type": "str", "choices": ["caller", "tenant"], "default": "caller"},
    user_ids={"type": "list", "elements": "str"},
    enforce={"type": "bool", "default": False},
    delete_rules={"type": "list", "elements": "str", "choices": [name for name, _kind in _hygiene.POLICY_RULES],
                  "default": ["expired", "stale_after", "never_used_grace"]},
    protected={"type": "list", "elements": "str", "default": []},
)


class PersonalClientHygiene(Resource):
    """Evaluate the policy over the caller's (or every user's) clients; delete the caller's violating ones on request."""

    # Ids of the caller's live clients, known after _clients() when it listed only them (scope=own); else None.
    own_ids: Optional[Set[str]]

    def run(self) -> Result:
        params, now = self.params, utcnow()
        policy = _hygiene.parse_policy(params.get("policy"))
        delete_rules = self._delete_rules(policy)
        protected = self._protected()
        clients = self._clients()
        rows: List[Row] = []
        for client in sorted(clients, key=lambda c: (c.get("userId") or "", c.get("displayName") or "", c.get("id"))):
            rules = _hygiene.violations(client, policy, now)
            if rules:
                rows.append(_hygiene.report_row(client, rules, now))
        deleted, kept = self._enforce(rows, delete_rules, protected)
        result: Result = {
            "changed": bool(deleted),
            "checked_at": format_timestamp(now),
            "scope": params["scope"],
            "policy": _policy_view(policy),
            "clients_checked": len(clients),
            "violations": rows,
            "rule_counts": dict((name, sum(1 for row in rows if name in row["rules"])) for name in policy),
            "deleted": deleted,
            "kept": kept,
        }
        # the report as text, every server-supplied value escaped (the role writes and prints these)
        result["report_markdown"] = _hygiene.markdown_report(result, enforce=bool(params.get("enforce")),
                                                             check_mode=bool(self.runner.check_mode))
        result["report_csv"] = _hygiene.csv_report(rows)
        if self.runner.diff_mode:
            result["diff"] = {"before": {"personal_clients": sorted(row["id"] for row in deleted)},
                              "after": {"personal_clients": []}}
        return result

    # Input

    def _delete_rules(self, policy: Dict[str, Any]) -> Set[str]:
        params = self.params
        if params.get("user_ids") and params["scope"] != "tenant":
            raise InputError("user_ids only applies with scope=tenant")
        rules = list(params.get("delete_rules") or [])
        unknown = [rule for rule in rules if rule not in dict(_hygiene.POLICY_RULES)]
        if unknown:
            raise InputError("delete_rules: unknown rule(s) {0}; choose from {1}".format(
                ", ".join(unknown), ", ".join(name for name, _kind in _hygiene.POLICY_RULES)))
        if params.get("enforce") and not any(rule in policy for rule in rules):
            raise InputError("enforce: none of delete_rules ({0}) is set in policy, so nothing could ever be deleted; "
                             "set one of them in policy".format(", ".join(rules) or "empty"))
        return set(rules)

    def _protected(self) -> Set[str]:
        """Cutenames enforcement never deletes: the client this run authenticates as, and ``protected``.

        The same rule as personal_client_set's exclusive mode (``protected_client_ids``): with an access token,
        ``protected`` must name one of the caller's clients. Only enforcement deletes, so only it needs the rule.
        """
        if not self.params.get("enforce"):
            return set()
        return protected_client_ids(self.params.get("protected"), self.api.client.authenticated_client_id,
                                    self._own_ids, "enforce")

    # Listing and enforcement

    def _clients(self) -> List[JsonObject]:
        self.own_ids = None
        if self.params["scope"] == "tenant":
            clients = self.api.search_personal_clients(None, self.params.get("user_ids"))
        else:
            clients = self.api.list_personal_clients()
        clients = live_clients(clients)
        if self.params["scope"] != "tenant":
            self.own_ids = set(client["id"] for client in clients)
        return clients

    def _enforce(self, rows: List[Row], delete_rules: Set[str],
                 protected: Set[str]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
        """(deleted, kept): the caller's violating clients deleted (in check mode: that would be), and those spared."""
        if not self.params.get("enforce"):
            return [], []
        candidates = [row for row in rows if delete_rules.intersection(row["rules"])]
        if not candidates:
            return [], []
        own = self.own_ids if self.own_ids is not None else self._own_ids()
        deleted: List[Dict[str, Any]] = []
        kept: List[Dict[str, Any]] = []
        for row in candidates:
            if row["id"] in protected:
                kept.append(dict(_brief(row), reason="protected: the run authenticates with it or protected lists it"))
            elif row["id"] not in own:
                kept.append(dict(_brief(row), reason="not the caller's: enforcement deletes the caller's own clients only"))
            else:
                if not self.runner.check_mode:
                    self._delete(row, deleted)
                deleted.append(dict(_brief(row), rules=sorted(delete_rules.intersection(row["rules"]))))
        return deleted, kept

    def _delete(self, row: Row, deleted: List[Dict[str, Any]]) -> None:
        """Delete one client; a failure says which clients this run had already deleted."""
        try:
            self.api.delete_personal_client(row["id"])
        except ConductorOneError as exc:
            if deleted:
                exc.message += "; {0} deleted before this failure: {1}".format(
                    len(deleted), ", ".join(done["id"] for done in deleted))
                # ConductorOneError declares no ``changed``: run_resource reads it with getattr (default False)
                setattr(exc, "changed", True)
            raise

    def _own_ids(self) -> Set[str]:
        """Ids of the caller's live clients (List shows the caller's only, whoever the caller is)."""
        return set(client["id"] for client in live_clients(self.api.list_personal_clients()))


def _brief(row: Row) -> Dict[str, Any]:
    return {"id": row["id"], "display_name": row["display_name"], "owner": row["owner"]}


def _policy_view(policy: Dict[str, Any]) -> Dict[str, Any]:
    """The policy in force, for the report: durations in seconds, networks as strings, switches as true."""
    return dict((name, [str(net) for net in value] if name == "allowed_cidrs" else value) for name, value in policy.items())
