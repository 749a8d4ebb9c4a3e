# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: what a conductorone.iam task costs, against ansible.builtin.ping and hand-written uri tasks.

    .venv/bin/python tests/perf/bench.py [--n 50] [--role-n 100] [--rounds 3] [--roles 1000] [--json FILE]
    .venv/bin/python tests/perf/bench.py --quick       # N=3, one round: proves the script works (CI)

Exit status: 1 when a timing-free target is missed (token exchanges per play <= 1, API requests per idempotent
task <= 2: counts from the emulator's request log, the same on any machine), when a playbook fails or when a
count is not what the scenario implies (e.g. an "idempotent" run reported a change). Timing targets (ratios of
wall times) are reported only, met or MISSED, and never fail the run. ``--env NAME=VALUE`` sets a variable for
every run; ``--env CONDUCTORONE_TOKEN_CACHE=false`` must make it exit 1 (a play then exchanges a token per task).

It starts the local emulator (tests/emulator/serve.py) with a seed of generated roles, creates N personal
clients of the admin user up front, and runs every scenario below as a whole ``ansible-playbook`` run on
the implicit localhost (gather_facts false), alternating scenarios within a round and repeating rounds;
each scenario's median wall time is kept. Every run gets an empty token cache (its own XDG_CACHE_HOME)
and a cleared emulator request log, read back afterwards for the token exchange and API request counts.

Per-task cost = (median wall time - median time of the same play with no task) / tasks. Ratios are taken
between scenarios of the same run, so they hold on another machine better than the absolute numbers.

The modules run only as action plugins (plugins/modules holds their documentation): there is no plain module
path left to compare with, so the scenarios measure the shipped path on the source tree.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from typing import Any, Dict, List, Optional

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))

from support import emulator as support_emulator  # noqa: E402  pylint: disable=wrong-import-position
ROLE_DIR = os.path.join(REPO, "roles", "personal_clients")
CIDR = "10.0.0.0/8"
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
TOKEN_PATH = "/auth/v1/token"
EMPTY_RUNS = 3  # empty plays per round: the start-up baseline


# --- emulator ------------------------------------------------------------------------------------

class Emulator(support_emulator.Emulator):
    """The one emulator wrapper (tests/support/emulator.py) with a seed of generated roles, and an admin API client."""

    def __init__(self, workdir, roles, token_ttl=None):
        seed_file = os.path.join(workdir, "seed.json")
        with open(seed_file, "w", encoding="utf-8") as handle:
            json.dump({"generateRoles": {"count": roles, "namePrefix": "custom:bench-", "displayNamePrefix": "Bench role ",
                                         "permissions": [], "serviceRoles": []}}, handle)
        args = ["--host", "127.0.0.1", "--seed", seed_file] + (["--token-ttl", str(token_ttl)] if token_ttl else [])
        super().__init__(workdir, args)
        try:
            self.start(timeout=60)
        except RuntimeError as exc:
            raise SystemExit("the emulator did not start ({0}); see {1}".format(exc, self.log_path))
        self._token = None

    def request(self, method, path, body=None, form=None, token=None):
        status, decoded, dummy = self.http(method, path, body=body, form=form, timeout=60,
                                           headers={"Authorization": "Bearer " + token} if token else None)
        if status != 200:
            raise RuntimeError("{0} {1} -> {2} {3}".format(method, path, status, decoded))
        return decoded

    def requests(self):
        return self.requests_log()

    def clear_requests(self):
        self.control("DELETE", "requests")

    def count_roles(self):
        return len(self.state()["roles"])

    def admin_token(self):
        """A token of the admin client for the benchmark's own set-up calls (renewed a minute before expiry)."""
        if self._token is None or time.monotonic() >= self._token[1]:
            status, answer = self.token()
            if status != 200:
                raise RuntimeError("token exchange failed: {0} {1}".format(status, answer))
            self._token = (answer["access_token"], time.monotonic() + float(answer.get("expires_in") or 600) - 60)
        return self._token[0]

    def admin_clients(self):
        """The admin's live personal clients (API List, all pages)."""
        clients, page_token = [], None
        while True:
            query = "?page_size=100" + ("&page_token=" + urllib.parse.quote(page_token) if page_token else "")
            page = self.request("GET", "/api/v1/iam/personal_clients" + query, token=self.admin_token())
            clients.extend(page.get("list") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return clients

    def delete_clients(self, prefix):
        for client in self.admin_clients():
            if (client.get("displayName") or "").startswith(prefix):
                self.request("DELETE", "/api/v1/iam/personal_clients/" + client["id"], token=self.admin_token())


# --- playbooks -----------------------------------------------------------------------------------

def play(name, tasks, play_vars=None):
    document = {"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if play_vars:
        document["vars"] = play_vars
    return [document]


def client_task(client):
    return {"name": "Personal client " + client["displayName"],
            "conductorone.iam.personal_client": {"id": client["id"], "display_name": client["displayName"],
                                                 "allow_source_cidr": [CIDR]}}


URI_VARS = {
    "c1_url": "{{ lookup('ansible.builtin.env', 'CONDUCTORONE_SERVER_URL') }}",
    "c1_client_id": "{{ lookup('ansible.builtin.env', 'CONDUCTORONE_CLIENT_ID') }}",
    "c1_client_secret": "{{ lookup('ansible.builtin.env', 'CONDUCTORONE_CLIENT_SECRET') }}",
}


def uri_token_task(name):
    return {"name": name, "no_log": True, "register": "c1_token",
            "ansible.builtin.uri": {"url": "{{ c1_url }}/auth/v1/token", "method": "POST", "body_format": "form-urlencoded",
                                    "body": {"grant_type": "client_credentials", "client_id": "{{ c1_client_id }}",
                                             "client_secret": "{{ c1_client_secret }}"}}}


def uri_check_tasks(client):
    return [
        {"name": "Get " + client["displayName"], "register": "c1_client",
         "ansible.builtin.uri": {"url": "{{ c1_url }}/api/v1/iam/personal_clients/" + client["id"],
                                 "headers": {"Authorization": "Bearer {{ c1_token.json.access_token }}"}}},
        {"name": "Compare " + client["displayName"],
         "ansible.builtin.assert": {"quiet": True, "that": [
             "c1_client.json.client.displayName == {0!r}".format(client["displayName"]),
             "c1_client.json.client.allowSourceCidr | sort == [{0!r}]".format(CIDR)]}},
    ]


def declared(count):
    return [{"display_name": "role-bench-{0:03d}".format(index), "allow_source_cidr": [CIDR]} for index in range(count)]


def role_play(count, use_role):
    if use_role:
        # roles/personal_clients (meta/argument_specs.yml): the declared list is conductorone_personal_clients
        return play("personal_clients role", [{"name": "Converge the declared clients", "ansible.builtin.include_role": {
            "name": "conductorone.iam.personal_clients"}}], {"conductorone_personal_clients": declared(count)})
    return play("personal_clients role (emulated: one loop task)", [{
        "name": "Converge the declared clients",
        "no_log": True,
        "loop": "{{ declared_clients }}",
        "loop_control": {"label": "{{ item.display_name }}"},
        "conductorone.iam.personal_client": {"display_name": "{{ item.display_name }}",
                                             "allow_source_cidr": "{{ item.allow_source_cidr }}"},
    }], {"declared_clients": declared(count)})


# --- scenarios -------------------------------------------------------------------------------------

@dataclasses.dataclass
class Scenario:
    """One playbook run configuration. ``units`` divides the net time (tasks, or clients for uri)."""

    key: str
    label: str
    playbook: str
    units: int
    collections: str
    expect_changed: int = 0
    env: Dict[str, str] = dataclasses.field(default_factory=dict)
    before: Any = None
    idempotent_units: Optional[int] = None  # for "API requests per idempotent task"
    faults: Any = None  # emulator faults in place during the run (e.g. a delay on every request)
    times: List[float] = dataclasses.field(default_factory=list)
    counts: List[Any] = dataclasses.field(default_factory=list)
    loads: List[Any] = dataclasses.field(default_factory=list)


def make_collections(workdir):
    """The collection path: a symlink to the tree."""
    shipped = os.path.join(workdir, "shipped")
    os.makedirs(os.path.join(shipped, "ansible_collections", "conductorone"))
    os.symlink(REPO, os.path.join(shipped, "ansible_collections", "conductorone", "iam"))
    return shipped


def write_playbook(workdir, key, document):
    path = os.path.join(workdir, key + ".yml")
    with open(path, "w", encoding="utf-8") as handle:
        # YAML is a superset of JSON: no YAML library needed to write playbooks.
        json.dump(document, handle, indent=1)
    return path


def build_scenarios(args, workdir, emulator, clients, shipped, use_role):
    n = len(clients)
    uri_tasks = []
    for client in clients:
        uri_tasks.append(uri_token_task("Token for " + client["displayName"]))
        uri_tasks.extend(uri_check_tasks(client))
    uri_once = [uri_token_task("Token for the play")]
    for client in clients:
        uri_once.extend(uri_check_tasks(client))

    def clean_role_clients():
        emulator.delete_clients("role-bench-")

    role_label = "role personal_clients" if use_role else "role (emulated loop)"
    # a server that answers each request (token exchanges included) this much later, like a remote tenant
    latency = [{"kind": "delay", "seconds": args.latency_ms / 1000.0, "count": 100000}]
    pings = [{"name": "Ping {0}".format(i), "ansible.builtin.ping": {}} for i in range(n)]
    specs = [
        ("empty", "empty play (start-up)", play("empty", []), 1, shipped, {}),
        ("ping", "ansible.builtin.ping", play("ping", pings), n, shipped, {}),
        ("pc_action", "personal_client (action, shipped)", play("pc", [client_task(c) for c in clients]), n, shipped,
         {"idempotent_units": n}),
        ("pc_latency", "personal_client (action), +{0} ms/request".format(args.latency_ms),
         play("pc", [client_task(c) for c in clients]), n, shipped, {"idempotent_units": n, "faults": latency}),
        ("pc_nocache_latency", "... token_cache off, +{0} ms/request".format(args.latency_ms),
         play("pc", [client_task(c) for c in clients]), n, shipped,
         {"idempotent_units": n, "env": {"CONDUCTORONE_TOKEN_CACHE": "false"}, "faults": latency}),
        ("pc_nocache", "personal_client (action, token_cache off)", play("pc", [client_task(c) for c in clients]), n,
         shipped, {"idempotent_units": n, "env": {"CONDUCTORONE_TOKEN_CACHE": "false"}}),
        ("uri", "uri: token+GET+assert per client", play("uri", uri_tasks, URI_VARS), n, shipped, {}),
        ("uri_once", "uri: one token, GET+assert per client", play("uri", uri_once, URI_VARS), n, shipped, {}),
        ("role_first", role_label + ", first run", role_play(args.role_n, use_role), args.role_n, shipped,
         {"expect_changed": None if use_role else 1, "before": clean_role_clients}),
        ("role_idem", role_label + ", idempotent run", role_play(args.role_n, use_role), args.role_n, shipped,
         {"idempotent_units": args.role_n}),
        ("role_info", "role_info over all roles (action)", play("roles", [
            {"name": "All roles", "conductorone.iam.role_info": {}, "register": "c1_roles"},
            {"name": "Count", "ansible.builtin.assert": {"quiet": True, "that": ["c1_roles.roles | length >= {0}".format(args.roles)]}},
        ]), 1, shipped, {}),
    ]
    if args.quick:
        specs = [spec for spec in specs if spec[0] not in ("uri_once", "pc_nocache", "pc_latency",
                                                           "pc_nocache_latency")]
    scenarios = []
    for key, label, document, units, collections, extra in specs:
        scenarios.append(Scenario(key, label, write_playbook(workdir, key, document), units, collections, **extra))
    return scenarios


def ansible_playbook():
    candidate = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return candidate if os.path.exists(candidate) else shutil.which("ansible-playbook")


def run(scenario, emulator, workdir, base_env, verbose):
    if scenario.before:
        scenario.before()
    cache = tempfile.mkdtemp(prefix="cache-", dir=workdir)
    env = dict(base_env, ANSIBLE_COLLECTIONS_PATH=scenario.collections, XDG_CACHE_HOME=cache, **scenario.env)
    if scenario.faults:
        emulator.control("POST", "faults", {"faults": scenario.faults})
    emulator.clear_requests()
    scenario.loads.append(os.getloadavg()[0])
    started = time.perf_counter()
    proc = subprocess.run([ansible_playbook(), scenario.playbook], cwd=workdir, env=env, capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if scenario.faults:
        emulator.control("DELETE", "faults")
    log = emulator.requests()
    shutil.rmtree(cache, ignore_errors=True)
    recap = RECAP.search(proc.stdout)
    if proc.returncode != 0 or (scenario.key != "empty" and not recap):
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit("{0}: ansible-playbook failed (rc {1})".format(scenario.key, proc.returncode))
    changed = int(recap.group(2)) if recap else 0
    if (changed == 0) if scenario.expect_changed is None else (changed != scenario.expect_changed):
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit("{0}: {1} changed, expected {2}".format(scenario.key, changed, scenario.expect_changed or "some"))
    tokens = sum(1 for entry in log if entry["path"] == TOKEN_PATH)
    counts = {"tokens": tokens, "api": len(log) - tokens, "changed": changed,
              "errors": sum(1 for entry in log if (entry.get("status") or 0) >= 400)}
    scenario.times.append(elapsed)
    scenario.counts.append(counts)
    if verbose:
        print("  {0:<18} {1:7.2f} s  tokens={2} api={3} changed={4} 4xx/5xx={5}".format(
            scenario.key, elapsed, tokens, counts["api"], changed, counts["errors"]), flush=True)


# --- report ----------------------------------------------------------------------------------------

def summarize(scenarios, role_n):
    """Medians over rounds. Ratios are taken within each round (same load) and their median is kept."""
    by_key = dict((s.key, s) for s in scenarios)
    rounds = min(len(s.times) for s in scenarios if s.key != "empty")  # complete rounds only

    def baseline(index):
        return statistics.median(by_key["empty"].times[index * EMPTY_RUNS:(index + 1) * EMPTY_RUNS])

    def net(key, index):
        return max(by_key[key].times[index] - baseline(index), 0.0)

    def per_unit(key, index):
        return net(key, index) / by_key[key].units

    def speedup(key, index):
        own = per_unit(key, index)
        return per_unit("uri", index) / own if own > 0 else None

    def median_over_rounds(function):
        return statistics.median(function(index) for index in range(rounds))

    rows = {}
    for s in scenarios:
        api = max(c["api"] for c in s.counts)
        row = {
            "label": s.label, "units": s.units, "wall": statistics.median(s.times[:rounds]), "walls": s.times,
            "tokens": max(c["tokens"] for c in s.counts), "api": api,
            "api_per_task": api / float(s.idempotent_units) if s.idempotent_units else None,
            "changed": s.counts[-1]["changed"], "errors": max(c["errors"] for c in s.counts),
            "net": None, "per_unit_ms": None, "x_ping": None, "uri_speedup": None,
        }
        if s.key != "empty":
            key = s.key
            row["net"] = median_over_rounds(lambda i, key=key: net(key, i))
            row["per_unit_ms"] = median_over_rounds(lambda i, key=key: per_unit(key, i)) * 1000.0
            row["x_ping"] = median_over_rounds(lambda i, key=key: per_unit(key, i) / per_unit("ping", i))
            speedups = [speedup(key, i) for i in range(rounds)]
            row["uri_speedup"] = statistics.median(float("inf") if value is None else value for value in speedups)
        rows[s.key] = row
    rows["empty"]["wall"] = statistics.median(by_key["empty"].times[:rounds * EMPTY_RUNS])
    role = {
        "net_vs_pings": median_over_rounds(lambda i: net("role_idem", i) / (role_n * per_unit("ping", i))),
        "whole_vs_pings": median_over_rounds(lambda i: by_key["role_idem"].times[i] / (
            baseline(i) + role_n * per_unit("ping", i))),
        "net_vs_10_pings": median_over_rounds(lambda i: net("role_idem", i) / (10 * per_unit("ping", i))),
    }
    loads = [load for s in scenarios for load in s.loads]
    return rows, role, (min(loads), statistics.median(loads), max(loads))


def fmt(value, pattern):
    return "-" if value is None else pattern.format(value)


def report(rows, role, loads, args, meta, missed_gates=None):
    lines = []
    lines.append("conductorone.iam benchmark: N={n}, role N={rn}, {rounds} round(s), medians; {roles} roles in the tenant".format(
        n=args.n, rn=args.role_n, rounds=args.rounds, roles=meta["roles"]))
    lines.append("{0}; 1-min load average at run starts: min {1:.2f}, median {2:.2f}, max {3:.2f}".format(
        meta["machine"], loads[0], loads[1], loads[2]))
    lines.append("")
    header = "| {0:<44} | {1:>5} | {2:>8} | {3:>9} | {4:>6} | {5:>7} | {6:>6} | {7:>8} | {8:>7} |".format(
        "scenario", "units", "wall s", "ms/unit", "x ping", "uri / x", "tokens", "API/task", "changed")
    lines.append(header)
    lines.append("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in rows.values():
        lines.append("| {0:<44} | {1:>5} | {2:>8.2f} | {3:>9} | {4:>6} | {5:>7} | {6:>6} | {7:>8} | {8:>7} |".format(
            row["label"], row["units"], row["wall"], fmt(row["per_unit_ms"], "{0:.1f}"), fmt(row["x_ping"], "{0:.2f}"),
            fmt(row["uri_speedup"], "{0:.1f}"),
            row["tokens"], fmt(row["api_per_task"], "{0:.2f}"), row["changed"]))
    lines.append("")
    lines.append("units: tasks; uri: clients (3 tasks each: token, GET, assert); uri_once: clients (GET + assert each, "
                 "plus one token task); role: declared clients; role_info: one task (+ one assert task).")
    lines.append("empty: {0} runs per round (start, middle, end); ms/unit = (wall - median empty play of the same round) / units "
                 "(0 when within the noise of the empty play).".format(EMPTY_RUNS))
    lines.append("x ping = ms/unit over ping's ms/task, "
                 "uri / x = uri's ms per client over ms/unit (speed-up); both are per-round ratios, median over rounds.")
    lines.append("tokens = token exchanges in one run (one play, empty token cache). API/task = non-token API "
                 "requests per idempotent task.")
    lines.append("")
    if args.quick:
        lines.append("--quick: N=3 and one round: the ratios below are dominated by start-up noise; this mode only shows "
                     "that the benchmark works. Run without --quick for numbers.")
    lines.extend(targets(rows, role, args, missed_gates))
    return "\n".join(lines)


def targets(rows, role, args, missed_gates=None):
    """Report lines; the names of missed timing-free targets (gates: they fail the run) go to ``missed_gates``."""
    out = ["targets (gate = a count, fails the run when missed; the others are timings, reported only):"]

    def check(name, value, goal, ok, gate=False):
        out.append("  [{0}]{1} {2}: {3} (target {4})".format("met" if ok else "MISSED", " gate" if gate else "", name, value, goal))
        if gate and not ok and missed_gates is not None:
            missed_gates.append("{0}: {1} (target {2})".format(name, value, goal))

    action = rows["pc_action"]
    check("idempotent personal_client controller-side vs ping (stretch)", "{0:.2f}x".format(action["x_ping"]), "<= 0.3x",
          action["x_ping"] <= 0.3)
    check("uri per client vs personal_client controller-side (stretch)", "{0:.1f}x faster".format(action["uri_speedup"]),
          ">= 5x", action["uri_speedup"] >= 5)
    for key in ("pc_action", "role_first", "role_idem", "role_info"):
        check("token exchanges per play, " + key, rows[key]["tokens"], "<= 1", rows[key]["tokens"] <= 1, gate=True)
    for key in ("pc_action", "role_idem"):
        check("API requests per idempotent task, " + key, "{0:.2f}".format(rows[key]["api_per_task"]), "<= 2",
              rows[key]["api_per_task"] <= 2, gate=True)
    check("role idempotent run over {0} clients vs {0} ping tasks (net of start-up)".format(args.role_n),
          "{0:.2f}x".format(role["net_vs_pings"]), "<= 1.3x", role["net_vs_pings"] <= 1.3)
    check("role idempotent run over {0} clients vs a {0}-ping playbook (whole runs)".format(args.role_n),
          "{0:.2f}x".format(role["whole_vs_pings"]), "<= 1.3x", role["whole_vs_pings"] <= 1.3)
    check("role idempotent run vs 10 ping tasks (stretch, net of start-up)",
          "{0:.2f}x the cost of 10 pings".format(role["net_vs_10_pings"]), "<= 1x", role["net_vs_10_pings"] <= 1)
    return out


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    core = subprocess.run([ansible_playbook(), "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return "{0} CPU(s) ({1}), Python {2}, {3}, {4}".format(os.cpu_count(), cpu, platform.python_version(), core.strip(),
                                                           datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def run_rounds(args, scenarios, emulator, workdir, base_env):
    for number in range(args.rounds):
        if not args.quiet:
            print("round {0}/{1}".format(number + 1, args.rounds), flush=True)
        # alternate the order between rounds (the role runs stay in first-then-idempotent order)
        order = [s for s in (scenarios if number % 2 == 0 else reversed(scenarios)) if s.key not in ("empty", "role_idem")]
        empty = next(s for s in scenarios if s.key == "empty")
        order = [empty] + order[:len(order) // 2] + [empty] + order[len(order) // 2:] + [empty]
        for scenario in order:
            run(scenario, emulator, workdir, base_env, not args.quiet)
            if scenario.key == "role_first":
                run(next(s for s in scenarios if s.key == "role_idem"), emulator, workdir, base_env, not args.quiet)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--n", type=int, default=50, help="tasks (clients) per scenario (default 50)")
    parser.add_argument("--role-n", type=int, default=100, help="clients declared for the role scenario (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is kept (default 3)")
    parser.add_argument("--roles", type=int, default=1000, help="roles generated in the seed (default 1000)")
    parser.add_argument("--latency-ms", type=int, default=50,
                        help="server delay per request in the *latency scenarios (default 50)")
    parser.add_argument("--quick", action="store_true", help="N=3, role N=3, one round, fewer scenarios (CI smoke)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for every ansible-playbook run (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (playbooks, emulator log)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print each run")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.role_n, args.rounds = 3, 3, 1
    if args.n < 1 or args.role_n < 1 or args.rounds < 1:
        parser.error("--n, --role-n and --rounds must be positive")
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not ansible_playbook():
        raise SystemExit("ansible-playbook not found next to {0} nor on PATH".format(sys.executable))
    workdir = tempfile.mkdtemp(prefix="c1-bench-")
    use_role = os.path.isdir(ROLE_DIR)
    if not use_role:
        print("skipped: roles/personal_clients not present (emulated with a single loop task over the declared clients)")
    emulator = Emulator(workdir, args.roles)
    try:
        meta = {"machine": machine(), "roles": emulator.count_roles()}
        answer = emulator.control("POST", "seed", {"personalClients": [
            {"user": "admin@example.com", "displayName": "bench-{0:03d}".format(i), "allowSourceCidr": [CIDR]}
            for i in range(args.n)]})
        clients = [{"id": c["id"], "displayName": "bench-{0:03d}".format(i)} for i, c in enumerate(answer["personalClients"])]
        shipped = make_collections(workdir)
        base_env = dict(os.environ)
        for name in list(base_env):
            if name.startswith(("CONDUCTORONE_", "ANSIBLE_")):
                del base_env[name]
        base_env.update(emulator.env)
        base_env.update(ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1",
                        ANSIBLE_RETRY_FILES_ENABLED="false")
        base_env.update(item.split("=", 1) for item in args.env)
        scenarios = build_scenarios(args, workdir, emulator, clients, shipped, use_role)
        try:
            run_rounds(args, scenarios, emulator, workdir, base_env)
        except BaseException:  # also SystemExit from a failed run and KeyboardInterrupt: print, then re-raise
            if min(len(s.times) for s in scenarios) == 0:
                raise
            print("\nINTERRUPTED: the results below are those of the complete rounds only", flush=True)
            print(report(*summarize(scenarios, args.role_n), args=args, meta=meta))
            raise
        rows, role, loads = summarize(scenarios, args.role_n)
        missed_gates = []
        print()
        print(report(rows, role, loads, args, meta, missed_gates))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump({"meta": meta, "args": vars(args), "rows": rows, "role": role, "loads": loads}, handle, indent=1)
    finally:
        emulator.stop()
        if args.keep:
            print("work directory kept: " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if missed_gates:
        print("\nFAILED: {0} timing-free target(s) missed:\n  {1}".format(len(missed_gates), "\n  ".join(missed_gates)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
