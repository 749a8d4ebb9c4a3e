# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the personal_clients role on the converge engine, side by side with the previous Jinja role.

    .venv/bin/python tests/perf/bench_converge.py [--creates 100] [--idempotent 1000] [--rounds 1] [--json FILE]
    .venv/bin/python tests/perf/bench_converge.py --quick     # 10 / 50 items, no old role: proves the script works

Scenarios, each at local latency and with the emulator's ``delay`` fault adding 100 ms to every API and token
request (a remote tenant):

* first converge of N declared clients (all created), and
* idempotent converge of M declared clients (all exist and match),

run by the ``personal_client_set`` task alone, by the current role (that task plus a few bookkeeping tasks) and by
the previous role, materialised from git (``git show 296eb25:roles/personal_clients/...``) into a temporary roles
path. Task time = the sum of the durations of the role's tasks (task start to result, recorded by the
tests/perf/callback_plugins/c1_task_times.py callback), so ansible-playbook's start-up is left out; the playbook's
wall time is shown too. Per-item cost is given as a ratio to one ``ansible.builtin.ping`` task, measured the same
way in the same run. HTTP requests come from the emulator's request log.

Measures and prints; exits non-zero only when a playbook fails or a run does not do what the scenario says
(e.g. an "idempotent" run changed something). Never a timed assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))

from support import emulator as support_emulator  # noqa: E402  pylint: disable=wrong-import-position
OLD_ROLE_COMMIT = "296eb25"
OLD_ROLE_PATH = "roles/personal_clients"
DELAY = {"kind": "delay", "seconds": 0.1, "path": "^/(api|auth)/", "count": 1000000}
PING_TASKS = 20
MODULE = "conductorone.iam.personal_client_set"
LABELS = {MODULE: "personal_client_set task alone", "conductorone.iam.personal_clients": "role on the engine (0.2.0)",
          "personal_clients_jinja": "previous Jinja role (296eb25)"}


class Emulator(support_emulator.Emulator):
    """The one emulator wrapper (tests/support/emulator.py), reset between scenarios."""

    def __init__(self, workdir):
        super().__init__(workdir)
        try:
            self.start(timeout=60)
        except RuntimeError as exc:
            raise SystemExit("the emulator did not start ({0}); see {1}".format(exc, self.log_path))

    def reset(self, clients=0, prefix="bench-"):
        self.control("POST", "reset", timeout=120)
        if clients:
            self.control("POST", "seed", {"personalClients": [
                {"user": "admin@example.com", "displayName": "%s%04d" % (prefix, i)} for i in range(clients)]}, timeout=120)
        self.control("DELETE", "faults")
        self.control("DELETE", "requests")


def materialise_old_role(roles_dir):
    """The Jinja role as it was before the converge engine, under the name personal_clients_jinja."""
    listing = subprocess.run(["git", "-C", REPO, "ls-tree", "-r", "--name-only", OLD_ROLE_COMMIT, OLD_ROLE_PATH],
                             check=True, capture_output=True, text=True).stdout.split()
    target = os.path.join(roles_dir, "personal_clients_jinja")
    for path in listing:
        content = subprocess.run(["git", "-C", REPO, "show", "%s:%s" % (OLD_ROLE_COMMIT, path)],
                                 check=True, capture_output=True).stdout
        dest = os.path.join(target, os.path.relpath(path, OLD_ROLE_PATH))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as handle:
            handle.write(content)
    return target


def make_collections(workdir):
    root = os.path.join(workdir, "collections", "ansible_collections", "conductorone")
    os.makedirs(root)
    os.symlink(REPO, os.path.join(root, "iam"))
    return os.path.join(workdir, "collections")


def write_play(workdir, key, tasks):
    path = os.path.join(workdir, key + ".json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump([{"name": key, "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}], handle)
    return path


def role_tasks(role, count, prefix, result_file):
    """The role, then its summary fact written to ``result_file`` (the same small cost for both roles)."""
    declared = [{"display_name": "%s%04d" % (prefix, i)} for i in range(count)]
    if role == MODULE:
        return [{"name": "converge", MODULE: {"clients": declared}, "register": "converged"},
                {"name": "result", "ansible.builtin.copy": {"content": "{{ converged.summary | to_json }}",
                                                            "dest": result_file, "mode": "0600"}}]
    return [{"name": "converge", "ansible.builtin.include_role": {"name": role},
             "vars": {"conductorone_personal_clients": declared}},
            {"name": "result", "ansible.builtin.copy": {"content": "{{ conductorone_personal_clients_result | to_json }}",
                                                        "dest": result_file, "mode": "0600"}}]


class Runner:
    def __init__(self, workdir, emulator, collections, roles_path):
        self.workdir = workdir
        self.emulator = emulator
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "CONDUCTORONE_")))
        self.env.update(emulator.env)
        self.env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_ROLES_PATH=roles_path, ANSIBLE_NOCOLOR="1",
                        ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback_plugins"),
                        ANSIBLE_CALLBACKS_ENABLED="c1_task_times",
                        ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        self.playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        self.count = 0

    def run(self, path):
        """(wall time, {task name: seconds}) of one ansible-playbook run."""
        self.count += 1
        times_file = os.path.join(self.workdir, "times-%d.json" % self.count)
        env = dict(self.env, XDG_CACHE_HOME=os.path.join(self.workdir, "cache-%d" % self.count), C1_TASK_TIMES_FILE=times_file)
        started = time.monotonic()
        proc = subprocess.run([self.playbook, path], env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit("playbook %s failed (rc %d):\n%s\n%s" % (path, proc.returncode, proc.stdout[-4000:], proc.stderr[-2000:]))
        with open(times_file, encoding="utf-8") as handle:
            return wall, json.load(handle)

    def requests(self):
        return [e for e in self.emulator.requests_log() if not e["path"].startswith("/_emulator/")]


def task_seconds(times, skip=("result",)):
    return sum(entry["seconds"] for entry in times if entry["name"] not in skip)


def median_wall(runner, path, rounds):
    return statistics.median(runner.run(path)[0] for dummy in range(rounds))


def bench(args):
    workdir = tempfile.mkdtemp(prefix="c1-bench-converge-")
    emulator = Emulator(workdir)
    try:
        roles_dir = os.path.join(workdir, "roles")
        roles = [MODULE, "conductorone.iam.personal_clients"]
        if not args.quick:
            materialise_old_role(roles_dir)
            roles.append("personal_clients_jinja")
        runner = Runner(workdir, emulator, make_collections(workdir), roles_dir)
        empty = write_play(workdir, "empty", [])
        ping = write_play(workdir, "ping", [{"name": "ping %d" % i, "ansible.builtin.ping": {}} for i in range(PING_TASKS)])
        emulator.reset()
        base = median_wall(runner, empty, max(3, args.rounds))
        ping_cost = statistics.median(task_seconds(runner.run(ping)[1]) / PING_TASKS for dummy in range(max(3, args.rounds)))
        rows = []
        for latency in ("local", "100 ms"):
            for role in roles:
                for kind, count in (("first converge (creates)", args.creates), ("idempotent converge", args.idempotent)):
                    rows.append(measure(runner, emulator, role, kind, count, latency, base, ping_cost, args.rounds))
                    print(format_row(rows[-1]), flush=True)
        return {"empty_play_s": base, "ping_task_s": ping_cost, "rows": rows}
    finally:
        emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def measure(runner, emulator, role, kind, count, latency, base, ping_cost, rounds):
    creates = kind.startswith("first")
    prefix = "bench-"
    key = "%s-%d" % (role.replace(".", "_"), count)
    result_file = os.path.join(runner.workdir, key + ".result.json")
    path = write_play(runner.workdir, key, role_tasks(role, count, prefix, result_file))
    walls, task_times, requests = [], [], []
    for dummy in range(rounds):
        emulator.reset(clients=0 if creates else count, prefix=prefix)
        if latency != "local":
            emulator.control("POST", "faults", DELAY)
        wall, times = runner.run(path)
        emulator.control("DELETE", "faults")
        with open(result_file, encoding="utf-8") as handle:
            summary = json.load(handle)
        expected = "created" if creates else "unchanged"
        if len(summary[expected]) != count or summary["failed"] or (not creates and summary["changed"]):
            counts = dict((k, len(v) if isinstance(v, list) else v) for k, v in summary.items())
            raise SystemExit("%s %s: unexpected result %s" % (role, kind, counts))
        walls.append(wall - base)
        task_times.append(task_seconds(times))
        requests.append(len(runner.requests()))
    task_time = statistics.median(task_times)
    return {"role": LABELS[role], "scenario": kind, "items": count, "latency": latency,
            "task_time_s": round(task_time, 2), "wall_minus_empty_play_s": round(statistics.median(walls), 2),
            "requests": int(statistics.median(requests)),
            "per_item_vs_ping": round(task_time / count / ping_cost, 3)}


def format_row(row):
    return ("| {role} | {scenario} | {items} | {latency} | {task_time_s:.2f} s | {wall_minus_empty_play_s:.2f} s | {requests} "
            "| {per_item_vs_ping:.3f} |".format(**row))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--idempotent", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10 creates, 50 idempotent, no old role")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.quick:
        args.creates, args.idempotent, args.rounds = 10, 50, 1
    print("| what runs | scenario | items | latency | task time | playbook - empty play | HTTP requests | per item / ping task |")
    print("|---|---|---|---|---|---|---|---|")
    results = bench(args)
    print("\nempty play %.2f s, one ansible.builtin.ping task %.3f s (task time)" % (results["empty_play_s"], results["ping_task_s"]))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
