# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run examples/site.yml as an AWX job would: through ansible-runner, twice (changes, then none).

    runner_job.py --artifact dist/conductorone-iam-X.tar.gz --work .build/awx-job

Run with the Python of a venv that has ansible-runner (tests/requirements-ansible-runner.txt); `make awx-job`
does. For each job, as AWX / Automation Controller prepares one:

* a new private data directory: ``project/`` (the project checkout: the installed collection's ``examples/``),
  ``requirements_collections/`` (the collection installed from the built artifact, as AWX installs a project's
  ``collections/requirements.yml``), ``env/envvars`` and ``env/extravars``;
* ``env/envvars`` holds the credential's environment, rendered from the injectors of
  ``extensions/awx/conductorone_credential_type.yml`` the way the controller renders them (sandboxed Jinja,
  ``file`` injectors written to ``env/`` and referenced as ``tower.filename``; the renderer is the
  awx_credential_type target's ``render_injectors.py``). The inputs are found generically from the file: an
  ``env`` injector ``VAR: "{{ field }}"`` takes the emulator's value of VAR, and a ``file`` injector whose path
  an env variable receives takes the content of the emulator's file named by that variable. Inputs the emulator
  has no value for are left empty, as a user leaves optional fields empty.
* the job's token cache and Ansible home live in the private data directory and vanish with it, as they do with
  the job's container; new secret files go to a directory that outlives the jobs (a mounted volume).

The emulator (TLS, seeded with examples/emulator-seed.yml) is the tenant. The first job must change both
environments, the second nothing; neither may show a secret in its output.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import ansible_runner
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tests"))

from support import leaks  # noqa: E402  pylint: disable=wrong-import-position
from support.emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

RENDERER = os.path.join(REPO, "tests", "integration", "targets", "awx_credential_type", "render_injectors.py")
CREDENTIAL_TYPE = os.path.join(REPO, "extensions", "awx", "conductorone_credential_type.yml")
SEED = os.path.join(REPO, "examples", "emulator-seed.yml")
HOSTS = ("conductorone-staging", "conductorone-production")
DIRECT_FIELD = re.compile(r"^\{\{\s*(\w+)\s*\}\}$")
FILE_REFERENCE = re.compile(r"tower\.filename(?:\.(\w+))?")


def fail(message):
    sys.exit("runner_job: FAILED: {0}".format(message))


def load_renderer():
    spec = importlib.util.spec_from_file_location("render_injectors", RENDERER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_emulator(work):
    """The emulator (TLS, examples/emulator-seed.yml) through the one emulator wrapper, tests/support/emulator.py."""
    emulator = Emulator(work, ["--host", "127.0.0.1", "--tls", "--seed", SEED])
    try:
        emulator.start(timeout=60)
    except RuntimeError as exc:
        fail("the emulator did not start ({0}; see {1})".format(exc, emulator.log_path))
    return emulator, emulator.env


def credential_inputs(definition, emulator_env):
    """The credential's input values, read back from the injectors: which field feeds which variable."""
    injectors = definition["injectors"]
    inputs = {}
    for variable, template in injectors.get("env", {}).items():
        direct = DIRECT_FIELD.match(template)
        if direct and emulator_env.get(variable):
            inputs[direct.group(1)] = emulator_env[variable]
        for name in FILE_REFERENCE.findall(template):
            file_template = injectors.get("file", {}).get("template." + name if name else "template", "")
            field = DIRECT_FIELD.match(file_template)
            if field and emulator_env.get(variable):
                with open(emulator_env[variable]) as stream:
                    inputs[field.group(1)] = stream.read()
    return inputs


def render_environment(renderer, definition, emulator_env, private_data_dir):
    renderer.validate(definition)
    inputs = credential_inputs(definition, emulator_env)
    missing = [name for name in definition["inputs"].get("required", []) if not inputs.get(name)]
    if missing:
        fail("no emulator value for the required inputs {0}".format(missing))
    environment = renderer.inject(definition, inputs, private_data_dir)
    # the job sees what the emulator handed out: same values, and a CA file with the same certificate
    for variable, value in emulator_env.items():
        if variable not in environment:
            continue
        if variable.endswith("_PATH"):
            if open(environment[variable]).read() != open(value).read():
                fail("{0} does not point at the emulator's file content".format(variable))
        elif environment[variable] != value:
            fail("{0} renders to another value than the emulator's".format(variable))
    return inputs, environment


def install_artifact(artifact, destination):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"), "collection", "install", "--force",
                    "-p", destination, artifact], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=destination))
    return os.path.join(destination, "ansible_collections", "conductorone", "iam")


def prepare_job(work, run, artifact, renderer, definition, emulator_env):
    private_data_dir = os.path.join(work, "job{0}".format(run))
    shutil.rmtree(private_data_dir, ignore_errors=True)
    os.makedirs(os.path.join(private_data_dir, "env"))
    collection = install_artifact(artifact, os.path.join(private_data_dir, "requirements_collections"))
    shutil.copytree(os.path.join(collection, "examples"), os.path.join(private_data_dir, "project"))
    inputs, environment = render_environment(renderer, definition, emulator_env, private_data_dir)
    environment.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(private_data_dir, "requirements_collections"),
                       ANSIBLE_HOME=os.path.join(private_data_dir, ".ansible"),
                       XDG_CACHE_HOME=os.path.join(private_data_dir, ".cache"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    with open(os.path.join(private_data_dir, "env", "envvars"), "w") as stream:
        yaml.safe_dump(environment, stream)
    # new secret files go to a directory that outlives the job, as a volume mounted into the execution
    # environment does (AWX guide); inside the job's directory, the role would re-create it in every job
    with open(os.path.join(private_data_dir, "env", "extravars"), "w") as stream:
        yaml.safe_dump({"conductorone_secret_root": os.path.join(work, "volume", "secrets")}, stream)
    return private_data_dir, inputs


def run_job(private_data_dir):
    runner = ansible_runner.run(private_data_dir=private_data_dir, playbook="site.yml",
                                inventory=os.path.join(private_data_dir, "project", "inventory"), quiet=True)
    with open(runner.stdout.name) as stream:
        stdout = stream.read()
    return runner, stdout


def secrets_of(work):
    """The new secrets the jobs wrote to files (they must not be in a job's output either)."""
    found = []
    for root, _dirs, files in os.walk(os.path.join(work, "volume", "secrets")):
        for name in files:
            with open(os.path.join(root, name)) as stream:
                found.extend(leaks.secrets_in(stream.read()))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        os.environ.pop(name, None)  # only the collection installed in the job's directory may be found
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    with open(CREDENTIAL_TYPE) as stream:
        definition = yaml.safe_load(stream)
    renderer = load_renderer()
    emulator, emulator_env = start_emulator(args.work)
    try:
        for run, expect_changes in ((1, True), (2, False)):
            private_data_dir, inputs = prepare_job(args.work, run, os.path.abspath(args.artifact), renderer, definition,
                                                   emulator_env)
            runner, stdout = run_job(private_data_dir)
            stats = runner.stats or {}
            changed = dict((host, (stats.get("changed") or {}).get(host, 0)) for host in HOSTS)
            print("runner_job: job {0}: status {1}, rc {2}, inputs {3}, changed {4}".format(
                run, runner.status, runner.rc, sorted(inputs), changed))
            if runner.status != "successful" or runner.rc != 0:
                print(stdout[-4000:])
                fail("job {0} ended {1} (rc {2})".format(run, runner.status, runner.rc))
            if sorted((stats.get("ok") or {})) != sorted(HOSTS):
                fail("job {0} did not run on {1}: {2}".format(run, HOSTS, stats))
            if expect_changes and not all(changed.values()):
                fail("job 1 should change both environments: {0}".format(changed))
            if not expect_changes and any(changed.values()):
                fail("job 2 should change nothing: {0}".format(changed))
            if not secrets_of(args.work):
                fail("no secret file after job {0}: the leak check below would check nothing".format(run))
            forbidden = [("the credential's secret", inputs.get("client_secret"))] + [
                ("a new secret", secret) for secret in secrets_of(args.work)]
            leaked = leaks.find_leaks(stdout, forbidden, patterns=False)
            if leaked:
                fail("job {0} output shows {1}".format(run, ", ".join(leaked)))
        print("runner_job: examples/site.yml ran as two ansible-runner jobs: changes, then none")
    finally:
        emulator.stop(timeout=30)


if __name__ == "__main__":
    main()
