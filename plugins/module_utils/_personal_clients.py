# Copyright (c) 2026 conductorone.iam contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Personal clients: lookup, the converge logic (create, update, rotate, delete) and the info listing.

One item's converge is three units: ``DesiredClient`` (the options, checked and parsed once),
``plan_client`` (pure: desired + current -> action) and ``ClientWriter`` (carries the action out), with the
exactly-once create in ``ExactlyOnceCreate`` and the settling of overlapping creates in ``settle_race``.
``PersonalClient`` (the module) and ``PersonalClientSet`` (``_personal_client_set.py``) both go through them.

The secret exists only in the create response. Hence: a create is never retried blindly; a create whose
response was lost is reconciled (the secret-less client it may have made is deleted, then one more create);
rotation creates the replacement before deleting the old client; and the secret goes to the result or to
``secret_path``, never into warnings, diffs or the returned client object.

Overlapping runs (other controllers included: they share nothing but the tenant) may create the same display
name at once; the API has no uniqueness and no conditional create. So a create is a two-step protocol: create,
then re-list the caller's clients (once per set) and keep the oldest client of that name that did not exist
before (``createdAt``, then the smallest id); a run whose own client lost deletes it, keeps no secret and reports
the winner. The secret is delivered only after that (docs/docsite/rst/guide_concurrency.rst).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time

from . import _hygiene
from ._arguments import argument_spec
from ._errors import ConductorOneError, InputError
from ._normalize import (_TIMESTAMP, api_view, check_display_text, cidr_set, format_duration, format_timestamp,
                         parse_duration, parse_timestamp, sorted_set, utcnow)
from ._resource import Resource
from ._roles import RoleCatalog
from ._secret_file import check_secret_path, secret_file_record, write_secret_file
from ._url import tenant_authority

CLIENT_KEYS = ("id", "client_id", "user_id", "display_name", "allow_source_cidr", "scoped_roles", "expires_time",
               "created_at", "updated_at", "last_used_at", "deleted_at")
# expires_at and the server's expiresTime are equal when within this many seconds (clock skew, rounding).
EXPIRY_TOLERANCE_SECONDS = 60

# The options of one personal client (conductorone.iam.personal_client, and each item of personal_client_set).
PERSONAL_CLIENT_OPTIONS = {
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "id": {"type": "str"},
    "display_name": {"type": "str"},
    "allow_source_cidr": {"type": "list", "elements": "str"},
    "scoped_roles": {"type": "list", "elements": "str"},
    "expires_in": {"type": "str"},
    "expires_at": {"type": "str"},
    "rotate": {"type": "bool", "default": False},
    "rotate_if_expires_within": {"type": "str"},
    "keep_previous": {"type": "bool", "default": False},
    "secret_path": {"type": "path"},
    "return_secret": {"type": "bool", "default": False},
}
PERSONAL_CLIENT_RULES = {
    "required_one_of": [("id", "display_name")],
    "mutually_exclusive": [("expires_in", "expires_at"), ("rotate", "rotate_if_expires_within")],
}
# The argument specs of conductorone.iam.personal_client and conductorone.iam.personal_client_info.
PERSONAL_CLIENT_ARGUMENT_SPEC = argument_spec(**PERSONAL_CLIENT_OPTIONS)
PERSONAL_CLIENT_INFO_ARGUMENT_SPEC = argument_spec(
    id={"type": "str"},
    display_name={"type": "str"},
    expires_within={"type": "str"},
    unused_for={"type": "str"},
    never_used={"type": "bool"},
    unscoped={"type": "bool"},
    unrestricted_source={"type": "bool"},
    older_than={"type": "str"},
    all_users={"type": "bool", "default": False},
    query={"type": "str"},
    user_ids={"type": "list", "elements": "str"},
)


def client_result(client):
    """A personal client as the modules return it: snake_case keys, lists never null, never a secret."""
    return api_view(client, CLIENT_KEYS, ("allow_source_cidr", "scoped_roles"))


def cutename(ref):
    """``blue-whale-12345`` from either the id or the OAuth client id ``blue-whale-12345@host/pcc``."""
    return ref.split("@", 1)[0].strip()


def live(client):
    return client is not None and not client.get("deletedAt")


def expires_within(client, seconds, now=None):
    expiry = parse_timestamp(client.get("expiresTime"))
    return expiry is not None and (expiry - (now or utcnow())).total_seconds() <= seconds


def _may_have_been_applied(exc):
    """A POST that timed out, lost its connection or got a 5xx may still have been carried out."""
    return exc.status is None or exc.status >= 500


class PersonalClientLookup:
    """Find the caller's personal clients by id or by display name.

    With ``listing`` (the caller's clients, listed once for a whole set), lookups read it instead of the API.
    """

    def __init__(self, api, listing=None):
        self.api = api
        self.listing = None if listing is None else [client for client in listing if live(client)]
        # indexes of the listing, so that a set of N items costs N lookups, not N scans
        self._by_id, self._by_name = {}, {}
        # the caller's user id, once a listing of the caller's own clients has shown it (None until then)
        self.user_id = None
        for client in self.listing or []:
            self._by_id[client.get("id")] = client
            self._by_name.setdefault(client.get("displayName"), []).append(client)
            self.user_id = self.user_id or client.get("userId")
        # display name -> ids of the live clients so named, as listed by find() in this run
        self.named_ids = {}

    def by_id(self, ref):
        if self.listing is not None:
            return self._by_id.get(cutename(ref))
        client = self.api.get_personal_client(cutename(ref))
        return client if live(client) else None

    def all_named(self, display_name):
        if self.listing is not None:
            return list(self._by_name.get(display_name, []))
        listing = [client for client in self.api.list_personal_clients() if live(client)]
        self.user_id = self.user_id or next((client.get("userId") for client in listing if client.get("userId")), None)
        return [client for client in listing if client.get("displayName") == display_name]

    def find(self, ref=None, display_name=None, claimed=()):
        """The live client with id ``ref``, else the one named ``display_name`` that is not in ``claimed``.

        ``claimed``: ids that other items of a set manage by id (renaming them, say), never matched by name.
        """
        if ref:
            return self.by_id(ref)
        named = self.all_named(display_name)
        # Every client of that name existed before this run's create, claimed ones included: a lost create
        # response must not make any of them look like the orphan.
        self.named_ids[display_name] = set(client["id"] for client in named)
        found = [client for client in named if client["id"] not in claimed]
        if len(found) > 1:
            raise InputError("display_name: {0} personal clients are named {1!r} ({2}); set id to choose one".format(
                len(found), display_name, ", ".join(sorted(client["id"] for client in found))))
        return found[0] if found else None


class DesiredClient:
    """One personal client's declared state: the options, checked and parsed once (InputError names the option)."""

    def __init__(self, params, now=None, check_path=True):
        self.params = params
        self.now = now or utcnow()
        self.state = params.get("state") or "present"
        self.id = params.get("id")
        self.display_name = params.get("display_name")
        self.secret_path = params.get("secret_path")
        self._check_identity()
        present = self.state != "absent"
        self.cidrs = None
        if present and params.get("allow_source_cidr") is not None:
            self.cidrs = cidr_set(params["allow_source_cidr"], "allow_source_cidr")
        self.lifetime = self._duration("expires_in") if present else None
        self.expires_at = parse_timestamp(params.get("expires_at"), "expires_at") if present else None
        if self.expires_at is not None and self.expires_at <= self.now:
            raise InputError("expires_at: {0} is in the past; give a future RFC 3339 time".format(params["expires_at"]))
        self.rotate_window = self._duration("rotate_if_expires_within") if present else None
        if present and params.get("keep_previous") and not (params.get("rotate") or self.rotate_window):
            raise InputError("keep_previous only applies with rotate or rotate_if_expires_within")
        if present and self.secret_path and check_path:
            check_secret_path(self.secret_path)

    def _check_identity(self):
        params = self.params
        for option in ("id", "display_name"):
            if params.get(option) is not None and not params[option].strip():
                raise InputError("{0} must not be empty".format(option))
        check_display_text(params.get("display_name"), "display_name")
        if not params.get("id") and not params.get("display_name"):
            raise InputError("set id or display_name to identify the personal client")
        if self.state == "absent":
            return
        for option in ("expires_in", "expires_at", "rotate_if_expires_within", "secret_path"):
            if params.get(option) is not None and not str(params[option]).strip():
                raise InputError("{0} must not be empty; leave it out instead".format(option))

    def _duration(self, option):
        value = self.params.get(option)
        return parse_duration(value, option) if value is not None else None

    @property
    def label(self):
        """How results and messages name the item."""
        return self.display_name if self.display_name is not None else cutename(self.id)

    def wanted_fields(self, current, catalog):
        """The writable API fields the user set, normalised (role names resolved to ids with ``catalog``)."""
        wanted = {}
        if self.display_name is not None:
            wanted["displayName"] = self.display_name
        if self.cidrs is not None:
            wanted["allowSourceCidr"] = self.cidrs
        if self.params.get("scoped_roles") is not None:
            wanted["scopedRoles"] = _role_ids(self.params["scoped_roles"], current, catalog)
        if self.expires_at is not None:
            wanted["expiresTime"] = format_timestamp(self.expires_at)
        return wanted

    def rotation_due(self, current):
        if self.params.get("rotate"):
            return True
        return self.rotate_window is not None and expires_within(current, self.rotate_window, self.now)

    def changes(self, current, wanted):
        """The fields whose desired value differs from the server's, compared normalised."""
        changes = {}
        for field, value in wanted.items():
            have = current.get(field)
            if field == "allowSourceCidr":
                differs = cidr_set(have, field) != value
            elif field == "scopedRoles":
                differs = sorted_set(have) != value
            elif field == "expiresTime":
                have = parse_timestamp(have)
                differs = have is None or abs((have - self.expires_at).total_seconds()) > EXPIRY_TOLERANCE_SECONDS
            else:
                differs = have != value
            if differs:
                changes[field] = value
        return changes

    def create_request(self, wanted, template):
        """The create body: the template's settings (on rotation) overlaid with what the user set."""
        request = {}
        if template:
            request = {"displayName": template.get("displayName"), "allowSourceCidr": list(template.get("allowSourceCidr") or []),
                       "scopedRoles": list(template.get("scopedRoles") or [])}
        request.update((field, value) for field, value in wanted.items() if field != "expiresTime")
        lifetime = self.lifetime
        if self.expires_at is not None:
            lifetime = (self.expires_at - self.now).total_seconds()
        elif lifetime is None and template:
            lifetime = _lifetime(template)
        if lifetime is not None:
            request["expires"] = format_duration(int(lifetime))
        return request

    def predicted(self, request, template):
        """What check mode reports for a create: the request's settings; server-assigned fields unknown."""
        expires = None
        if "expires" in request:
            expires = format_timestamp(self.now + datetime.timedelta(seconds=float(request["expires"][:-1])))
        return {"id": None, "clientId": None, "userId": (template or {}).get("userId"),
                "displayName": request.get("displayName"), "allowSourceCidr": request.get("allowSourceCidr") or [],
                "scopedRoles": request.get("scopedRoles") or [], "expiresTime": expires}


def _role_ids(refs, current, catalog):
    """Role ids for ``refs``; ids the client already has need no lookup, anything else is resolved in the catalog."""
    have = set((current or {}).get("scopedRoles") or [])
    if all(ref in have for ref in refs):
        return sorted_set(refs)
    return sorted_set(catalog.resolve(ref, "scoped_roles")["id"] for ref in refs)


# What converging one item does; "unchanged" still runs the update path (it warns about a missing secret file).
CREATE, UPDATE, ROTATE, DELETE, UNCHANGED = "create", "update", "rotate", "delete", "unchanged"


def plan_client(desired, current, catalog):
    """Pure planner for one item: ``(action, wanted fields)`` from the desired state and the live client (or None).

    Needs no API beyond ``catalog`` (a RoleCatalog, consulted only for scoped roles given by name).
    """
    if desired.state == "absent":
        return (DELETE if current is not None else UNCHANGED), {}
    if current is None and desired.id:
        raise InputError("id: no personal client {0!r} exists for the caller; ids are assigned by ConductorOne, "
                         "so to create one set display_name without id".format(desired.id))
    if current is None and not desired.display_name:
        raise InputError("display_name is required to create a personal client")
    wanted = desired.wanted_fields(current, catalog)
    if current is None:
        return CREATE, wanted
    if desired.rotation_due(current):
        return ROTATE, wanted
    return (UPDATE if desired.changes(current, wanted) else UNCHANGED), wanted


class PersonalClient(Resource):
    """Converge one personal client of the caller (the personal_client module)."""

    def __init__(self, runner, api=None, catalog=None):
        super().__init__(runner, api)
        self.catalog = catalog

    def run(self):
        desired = DesiredClient(self.params)
        lookup = PersonalClientLookup(self.api)
        current = lookup.find(desired.id, desired.display_name)
        catalog = self.catalog or RoleCatalog(self.api)
        action, wanted = plan_client(desired, current, catalog)
        return ClientWriter(self.runner, self.api, lookup, desired, catalog).execute(action, current, wanted)


class ClientWriter:
    """Carries out one item's planned action (the writes, none in check mode) and returns the module result.

    A client made here whose secret has not reached its secret_path is never lost with a failure: whatever
    exception ends the action afterwards carries ``partial_result`` (the client and its secret), which the
    module's failure result and the set's ``secrets`` return.
    """

    def __init__(self, runner, api, lookup, desired, catalog=None):
        self.runner = runner
        self.api = api
        self.lookup = lookup
        self.desired = desired
        self.params = desired.params
        self.catalog = catalog
        # (client, secret, written to secret_path) of the client this action made, once the create answered
        self.made = None

    def _diff(self, before, after):
        """The diff of one client, its scoped roles named as the user wrote them (or by name), with the id."""
        before = _diff_view(before) if before else {}
        after = _diff_view(after) if after else {}
        roles_changed = before.get("scoped_roles") != after.get("scoped_roles")
        if before != after and (roles_changed or (self.catalog is not None and self.catalog.loaded)):
            # Listing the roles only for the diff costs a request: done when the scoped roles change, else only
            # when the roles were listed anyway (role names to resolve).
            labels = self._role_labels(set(before.get("scoped_roles") or []) | set(after.get("scoped_roles") or []))
            for view in (before, after):
                if view.get("scoped_roles"):
                    view["scoped_roles"] = sorted(labels.get(role_id, role_id) for role_id in view["scoped_roles"])
        return {"before": before, "after": after}

    def _role_labels(self, role_ids):
        """role id -> ``<what the user wrote or the role's name> (<id>)``; ids alone when the roles cannot be listed."""
        if not role_ids:
            return {}
        catalog = self.catalog or RoleCatalog(self.api)
        try:
            roles = dict((role_id, catalog.by_id(role_id)) for role_id in role_ids)
        except ConductorOneError as exc:
            self.runner.warn("the diff shows scoped roles by id: the roles could not be listed ({0})".format(exc))
            return {}
        written = [ref for ref in self.params.get("scoped_roles") or [] if isinstance(ref, str)]
        labels = {}
        for role_id, role in roles.items():
            if role is None:
                continue
            mine = [ref for ref in written if ref != role_id and ref.strip().casefold() in (
                (role.get("name") or "").casefold(), (role.get("displayName") or "").casefold())]
            label = mine[0].strip() if mine else role.get("displayName") or role.get("name")
            if label:
                labels[role_id] = "{0} ({1})".format(label, role_id)
        return labels

    def execute(self, action, current, wanted):
        """Carry the action out; a create is settled against one fresh listing right after it (``relist``)."""
        outcome = self.begin(action, current, wanted)
        if isinstance(outcome, PendingCreate):
            listing, error = relist(self.api)
            outcome = self.finish(outcome, listing, error)
        return outcome

    def begin(self, action, current, wanted):
        """The writes up to a create: the result, or a PendingCreate whose secret ``finish`` delivers (or discards).

        A set calls ``begin`` for every item, lists the caller's clients once, then calls ``finish`` for each create.
        """
        with self._partial_result_on_failure():
            if self.desired.state == "absent":
                return self._absent(current)
            if action == CREATE:
                return self._create(wanted)
            if action == ROTATE:
                return self._create(wanted, template=current)
            return self._update(current, wanted)

    @contextlib.contextmanager
    def _partial_result_on_failure(self):
        """Whatever ends the action after a create carries that client and its secret (``partial_result``)."""
        try:
            yield
        except Exception as exc:
            if self.made is not None:
                exc.partial_result = self.partial_result()
            raise

    def partial_result(self):
        """The result of a failed action that made a client: that client, and its secret unless it is in its file."""
        client, secret, written = self.made
        result = {"changed": True, "personal_client": client_result(client)}
        if secret and (not written or self.params.get("return_secret")):
            result["client_secret"] = secret
        return result

    def finish(self, pending, listing, list_error=None):
        """Settle a create against ``listing`` and deliver its secret (``_settle``); a failure on the way carries
        the new client and its secret (``partial_result``)."""
        with self._partial_result_on_failure():
            return self._settle(pending, listing, list_error)

    def _settle(self, pending, listing, list_error):
        """Settle a create against ``listing`` (the caller's clients, listed after the create), then deliver.

        The winner is the oldest client of that name that did not exist before (``settle_race``). When this run's
        client lost, it is deleted and the winner reported (no secret, changed=false). When the listing failed
        (``list_error``), the run cannot tell, so it keeps its client and delivers the secret, with a warning.
        """
        created, template = pending.created, pending.template
        if listing is None:
            self.runner.warn("created {0} ({1!r}) but could not list your clients afterwards to check whether another run "
                             "created {1!r} at the same time ({2}); kept it and delivered its secret. If two clients are "
                             "named {1!r} now, delete the one whose secret you do not hold".format(
                                 created["id"], pending.name, list_error))
            winner = created
        else:
            winner = settle_race(created, pending.known_ids, listing, pending.name)
        if winner["id"] != created["id"]:
            return self._lost_race(pending, winner)
        if pending.secret:
            try:
                self._store_secret(created, pending.secret)
            except OSError as exc:
                self._discard_unreceived(created, exc)
            self.made = (created, pending.secret, bool(self.params.get("secret_path")))
        result = {"changed": True, "personal_client": client_result(created)}
        if pending.secret and (not self.params.get("secret_path") or self.params.get("return_secret")):
            result["client_secret"] = pending.secret
        if self.runner.diff_mode:
            result["diff"] = self._diff(template, created)
        if template:
            self._retire(template, result)
        return result

    def _lost_race(self, pending, winner):
        """Another run's client of this name is older: delete the one this run made; report the winner, no secret."""
        created, template = pending.created, pending.template
        try:
            self.api.delete_personal_client(created["id"])
        except ConductorOneError as exc:
            raise ConductorOneError(
                "another run created {0!r} at the same time and its client {1} is kept (the oldest), but deleting this "
                "run's duplicate {2} failed ({3}): delete it (state=absent, id={2})".format(
                    pending.name, winner["id"], created["id"], exc), operation="PersonalClientService.Delete")
        self.made = None  # this run's client is gone: no secret of it to deliver
        note = "; secret_path was not written" if self.params.get("secret_path") else ""
        if template:
            note += "; the run that made {0} replaces {1}, which this run leaves alone".format(winner["id"], template["id"])
        self.runner.warn("another run {0} {1!r} at the same time and its client {2} is kept (the oldest): this run deleted "
                         "the client it had created ({3}) and holds no secret for {2}, which the run that created it "
                         "delivered{4}".format("rotated" if template else "created", pending.name, winner["id"],
                                               created["id"], note))
        result = {"changed": False, "personal_client": client_result(winner),
                  "lost_race": {"winner": winner["id"], "deleted": created["id"]}}
        if self.runner.diff_mode:
            result["diff"] = self._diff(winner, winner)
        return result

    def _absent(self, current):
        result = {"changed": current is not None, "personal_client": client_result(current) if current else {}}
        if current is not None and not self.runner.check_mode:
            self.api.delete_personal_client(current["id"])
        if self.runner.diff_mode:
            result["diff"] = self._diff(current, None)
        return result

    def _create(self, wanted, template=None):
        """Create a client (a replacement when ``template`` is the client being rotated): a PendingCreate, or in
        check mode the predicted result."""
        request = self.desired.create_request(wanted, template)
        self._refuse_secret_path_of_another_client(template, request)
        if not self.runner.check_mode:
            once = ExactlyOnceCreate(self.api, self.runner.warn)
            known = once.existing_ids(self.lookup, request.get("displayName"), template)
            created, secret = once.create(request, known)
            self.made = (created, secret, False)
            self._check_scope(request, created)
            return PendingCreate(created, secret, template, known, request.get("displayName"))
        predicted = self.desired.predicted(request, template)
        result = {"changed": True, "personal_client": client_result(predicted)}
        if self.runner.diff_mode:
            result["diff"] = self._diff(template, predicted)
        if template:
            result["rotated_from"] = template["id"]
        return result

    def _update(self, current, wanted):
        changes = self.desired.changes(current, wanted)
        after = dict(current, **changes)
        if changes and not self.runner.check_mode:
            after = self.api.update_personal_client(current["id"], changes, list(changes))
            self._check_scope(changes, after)
        if self.params.get("secret_path") and not os.path.exists(self.params["secret_path"]):
            self.runner.warn("secret_path {0} does not exist and the secret of {1} cannot be recovered (ConductorOne "
                             "returns it only at creation); set rotate=true to issue a new secret".format(
                                 self.params["secret_path"], current["id"]))
        result = {"changed": bool(changes), "personal_client": client_result(after)}
        if self.runner.diff_mode:
            result["diff"] = self._diff(current, after)
        return result

    def _retire(self, current, result):
        """Make before break: the replacement's secret is out (``finish``); now delete the old client."""
        result["rotated_from"] = current["id"]
        if self.params.get("keep_previous") or self.runner.check_mode:
            return result
        try:
            self.api.delete_personal_client(current["id"])
        except ConductorOneError as exc:
            # The new secret is already out; failing now would lose it. Report and leave the old one.
            self.runner.warn("rotated {0} to {1}, but deleting the old client failed: {2}; delete it yourself".format(
                current["id"], result["personal_client"]["id"], exc))
        return result

    def _check_scope(self, sent, client):
        if "scopedRoles" in sent and sorted_set(client.get("scopedRoles")) != sorted_set(sent["scopedRoles"]):
            self.runner.warn("ConductorOne narrowed the scoped roles of {0} to {1}: the owner may not hold every "
                             "requested role".format(client.get("id"), sorted_set(client.get("scopedRoles"))))

    def _discard_unreceived(self, client, write_error):
        """The secret could not be written, so nobody has it: delete the new client and fail naming secret_path.

        When that delete fails too, the client lives on and its secret is returned with the failure instead.
        """
        path = self.params["secret_path"]
        try:
            self.api.delete_personal_client(client["id"])
        except ConductorOneError as exc:
            raise ConductorOneError(
                "could not write the secret of the new client {0} to {1} ({2}), and deleting that client failed too "
                "({3}): its secret is returned in this failed result instead (client_secret, or secrets for a set); "
                "store it, or delete the client (state=absent, id={0})".format(client["id"], path, write_error, exc),
                operation="secret_path")
        self.made = None  # the client is gone: nothing to deliver
        raise ConductorOneError("could not write the secret of the new client {0} to {1} ({2}); the client was deleted "
                                "again because nobody has its secret".format(client["id"], path, write_error),
                                operation="secret_path")

    def _refuse_secret_path_of_another_client(self, template, request):
        """Before any create: refuse a secret_path whose file holds a secret someone may still need.

        Overwritten: the file of the client being rotated, and a stale file (its client gone) of this tenant whose
        owner is this caller (recorded user id), or, when either user id is unknown, of a client created under the
        same display name (a previous run of this declared client). Refused: a client of another tenant (its host
        is not this endpoint's; this run cannot see whether it is gone), a client that is still live, and one of
        another user or of unknown owner.
        """
        path = self.params.get("secret_path")
        record = secret_file_record(path) if path else None
        if record is None or (template and record["id"] == template.get("id")):
            return
        tenant = tenant_authority(self.api.client.base_url)
        if record["tenant"] and record["tenant"] != tenant:
            raise _held_by(path, record, "a client of another tenant ({0}), whose secret may still be in use".format(
                record["tenant"]))
        if self.lookup.by_id(record["id"]) is not None:
            raise _held_by(path, record, "another personal client, which still exists")
        caller = (template or {}).get("userId") or self.lookup.user_id
        if record["user_id"] and caller:
            if record["user_id"] != caller:
                raise _held_by(path, record, "a client of another user")
            return
        if record["display_name"] is None or record["display_name"] != request.get("displayName"):
            raise _held_by(path, record, "a client that is none of your live clients, was not created as {0!r} and "
                                         "records no owner this run can compare, so whose it is and whether it is gone "
                                         "cannot be told".format(request.get("displayName")))

    def _store_secret(self, client, secret):
        if not self.params.get("secret_path") or not secret:
            return
        write_secret_file(self.params["secret_path"], {
            "id": client.get("id"),
            "client_id": client.get("clientId"),
            "client_secret": secret,
            "server_url": self.api.client.base_url,
            "display_name": client.get("displayName"),
            "user_id": client.get("userId"),
            "expires_time": client.get("expiresTime"),
            "created_at": client.get("createdAt"),
        })


class PendingCreate:
    """A client this run created whose secret is not delivered yet: ``ClientWriter.finish`` settles and delivers it."""

    def __init__(self, created, secret, template, known_ids, name):
        self.created = created
        self.secret = secret
        self.template = template  # the client being rotated, or None
        self.known_ids = set(known_ids)  # clients of that name that existed before the create (never competitors)
        self.name = name


def relist(api):
    """(the caller's live clients, None), or (None, the error) when the listing failed."""
    try:
        return [client for client in api.list_personal_clients() if live(client)], None
    except ConductorOneError as exc:
        return None, exc


def created_order(client):
    """The order that settles a race: ``createdAt`` (to the nanosecond; unknown sorts last), then the id."""
    value = client.get("createdAt")
    try:
        moment = parse_timestamp(value)
    except InputError:
        moment = None
    if moment is None:
        return (1, datetime.datetime.max.replace(tzinfo=datetime.timezone.utc), 0, client.get("id") or "")
    fraction = _TIMESTAMP.match(str(value).strip()).group(7) or ""
    return (0, moment, int(fraction.ljust(9, "0")[6:9]), client.get("id") or "")


def settle_race(own, known_ids, listing, name=None):
    """Pure: the client named ``name`` that wins, among ``own`` and the live ones in ``listing`` not in ``known_ids``.

    Every run that created a client of that name computes the same winner from any listing made after its own
    create: the oldest (``createdAt``, then the smallest id). A client of that name that existed before the create
    (``known_ids``: the one being rotated, those kept by keep_previous, those other items of a set claim) never
    competes.
    """
    name = own.get("displayName") if name is None else name
    rivals = [client for client in listing or [] if live(client) and client.get("displayName") == name
              and client.get("id") not in known_ids and client.get("id") != own.get("id")]
    return min([own] + rivals, key=created_order)


def _held_by(path, record, whose):
    """The refusal of a secret_path whose file holds another client's secret (named by its cutename only)."""
    return InputError("secret_path: {0} holds the secret of {1} ({2}); writing this client's secret there would lose "
                      "it. Use another secret_path, or remove {0} if {2} is gone".format(path, whose, record["id"]))


class ExactlyOnceCreate:
    """POST a create at most once blindly; a lost response is reconciled against a fresh client list.

    The secret exists only in the create response, so a client whose response was lost is useless: it is
    found (a client of that name the run did not know before), deleted, and the create is sent once more.
    """

    def __init__(self, api, warn):
        self.api = api
        self.warn = warn

    def existing_ids(self, lookup, name, template):
        """Ids of the clients named ``name`` before the create: a lost create response must not delete them.

        A client found by display name was looked up with a listing already; one found by id (a rotation, where
        clients kept with keep_previous share the name) needs one listing first (or the set's listing).
        """
        known = lookup.named_ids.get(name)
        if known is None:
            known = set(client["id"] for client in lookup.all_named(name))
        return known | set([template["id"]] if template else [])

    def create(self, request, known_ids):
        """Returns (client, secret)."""
        name = request.get("displayName")
        try:
            return self.api.create_personal_client(request)
        except ConductorOneError as exc:
            if not _may_have_been_applied(exc):
                raise
            first_error = exc
        orphans = self._orphans(name, known_ids, first_error, settle=self._settle_seconds(first_error))
        if not orphans and first_error.timed_out:
            # The server may still be working on it: creating again now could make a second client.
            first_error.message += ("; no client named {0!r} has appeared since, but the server may still create it "
                                    "without returning its secret: check with personal_client_info, delete any client "
                                    "of that name you have no secret for, and run again".format(name))
            raise first_error
        for orphan in orphans:
            self.api.delete_personal_client(orphan["id"])
        self.warn("the response to creating {0!r} was lost ({1}); {2}; creating it once more".format(
            name, first_error, "deleted {0}, whose secret nobody received".format(", ".join(o["id"] for o in orphans))
            if orphans else "no client had been created"))
        try:
            return self.api.create_personal_client(request)
        except ConductorOneError as exc:
            if _may_have_been_applied(exc):
                orphans = self._orphans(name, known_ids, exc, settle=self._settle_seconds(exc))
                if orphans:
                    exc.message += ("; the server may have created {0} without returning its secret: delete it "
                                    "(state=absent, id) and run again".format(", ".join(o["id"] for o in orphans)))
            raise

    def _settle_seconds(self, error):
        """After a timed-out create, how long to keep looking for the client the server may still be creating."""
        return float(self.api.client.transport.timeout) if error.timed_out else 0.0

    def _orphans(self, name, known_ids, error, settle=0.0):
        """Clients named ``name`` that did not exist before the create; polled (fresh listings) for up to ``settle`` s."""
        deadline = time.time() + settle
        while True:
            try:
                found = [client for client in PersonalClientLookup(self.api).all_named(name) if client["id"] not in known_ids]
            except ConductorOneError as exc:
                error.message += ("; checking whether a client named {0!r} was created anyway also failed ({1}): look for "
                                  "one without a secret and delete it".format(name, exc))
                raise error
            remaining = deadline - time.time()
            if found or remaining <= 0:
                return found
            time.sleep(min(1.0, remaining))


def _lifetime(client):
    """The old client's lifetime, so a rotated replacement gets a fresh one of the same length."""
    created, expires = parse_timestamp(client.get("createdAt")), parse_timestamp(client.get("expiresTime"))
    if created is None or expires is None:
        return None
    return max((expires - created).total_seconds(), 1)


def _diff_view(client):
    return {
        "id": client.get("id"),
        "display_name": client.get("displayName"),
        "allow_source_cidr": cidr_set(client.get("allowSourceCidr"), "allowSourceCidr"),
        "scoped_roles": sorted_set(client.get("scopedRoles")),
        "expires_time": client.get("expiresTime"),
    }


class PersonalClientInfo(Resource):
    """List personal clients: the caller's, or everyone's through the admin search."""

    def run(self):
        params = self.params
        if not params.get("all_users"):
            for option in ("query", "user_ids"):
                if params.get(option) is not None:
                    raise InputError("{0} only applies with all_users=true".format(option))
        window = parse_duration(params["expires_within"], "expires_within") if params.get("expires_within") is not None else None
        filters, now = _hygiene.parse_filters(params), utcnow()
        if params.get("all_users"):
            clients = self.api.search_personal_clients(params.get("query"), params.get("user_ids"))
            if params.get("id"):
                clients = [client for client in clients if client.get("id") == cutename(params["id"])]
        elif params.get("id"):
            client = PersonalClientLookup(self.api).by_id(params["id"])
            clients = [client] if client else []
        else:
            clients = self.api.list_personal_clients()
        clients = [client for client in clients if live(client)]
        if params.get("display_name") is not None:
            clients = [client for client in clients if client.get("displayName") == params["display_name"]]
        if window is not None:
            clients = [client for client in clients if expires_within(client, window, now)]
        clients = [client for client in clients if _hygiene.matches_filters(client, filters, now)]
        return {"changed": False, "personal_clients": [dict(client_result(client), **_hygiene.computed_fields(client, now))
                                                       for client in clients]}
