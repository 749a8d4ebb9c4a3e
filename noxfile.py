# Copyright (c) 2026 conductorone.iam contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""conductorone.iam's CI as nox sessions: `nox -l` lists them, `nox` runs them all in order (`make test`).

* Venvs: one per ansible-core line and per tool, pinned from the project's requirements files, built by the
  `setup` session (or by the first session that needs one) and shared by every session: .venv (2.19 and the
  tools, requirements-dev.txt), .venv-2.16, .venv-2.21 (Python 3.13 from pyenv; its sessions are skipped
  without it), .venv-TOOL (tests/requirements-TOOL.txt). A venv is rebuilt only when its pins changed.
* ansible-test needs the tree under ansible_collections/conductorone/iam/: sessions work on a copy made once
  per run in .build/ (the files git would commit). antsibull-nox's offline sessions come from antsibull-nox.toml.
* Each session's output is also kept in .build/logs/SESSION.log. Positional arguments (`nox -s
  integration-2.19 -- role_info`) go to ansible-test or bench.py, or replace pytest's test paths.
"""
import functools
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent
BUILD = REPO / ".build"
STAGE = BUILD / "ansible_collections/conductorone/iam"

if __name__ == "__main__":  # `python noxfile.py REPORT`: the closing line from nox's --report JSON
    results = [s["result"] for s in json.loads(Path(sys.argv[1]).read_text())["sessions"]]
    passed, skipped = results.count("success"), results.count("skipped")
    print(f"{passed} passed, {len(results) - passed - skipped} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(0)

import antsibull_nox  # noqa: E402
import nox  # noqa: E402

CORES, TOOLS = ("2.19", "2.16", "2.21"), ("galaxy-importer", "ansible-runner", "stores")
UV = shutil.which("uv", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}") or "uv"
nox.options.reuse_venv = "yes"  # antsibull-nox's venvs in .nox/, made with uv
nox.options.default_venv_backend = "uv|virtualenv"
os.environ.update(
    ANSIBLE_NOCOLOR="1", NO_COLOR="1", ANSIBLE_FORCE_COLOR="0", PY_COLORS="0", ANSIBLE_COLLECTIONS_PATH=str(BUILD),
    # the suite's own Ansible home, async dir and caches, whatever HOME is (the fresh-home session proves it);
    # ansible-test keeps its venv cache in ~/.ansible/test, which it does not let you move
    ANSIBLE_HOME=str(BUILD / "ansible-home"), ANSIBLE_ASYNC_DIR=str(BUILD / "ansible-home/async"),
    XDG_CACHE_HOME=str(BUILD / "cache"))


def _pyenv_root():
    """$PYENV_ROOT, `pyenv root`, a .../shims directory on PATH, else ~/.pyenv."""
    roots = [os.environ.get("PYENV_ROOT", "")]
    try:
        roots.append(subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip())
    except OSError:
        pass
    roots += [d[:-6] for d in os.environ["PATH"].split(":") if d.endswith("/shims")]
    return next((Path(r) for r in roots if r and Path(r, "versions").is_dir()), Path.home() / ".pyenv")


PYENV = _pyenv_root()


def base_python(name):
    """A real interpreter (not a pyenv shim): pyenv's 3.13.0 (else 3.13/3.12) for 2.21, else Python 3.11."""
    for pat in ["3.13.0/bin/python", "3.13*/bin/python", "3.12*/bin/python"] if name == "2.21" else ["3.11*/bin/python3.11"]:
        found = sorted(glob.glob(str(PYENV / "versions" / pat)))
        if found:
            return found[0]
    for exe in [] if name == "2.21" else filter(None, map(shutil.which, ("python3.11", "python3"))):
        if subprocess.run([exe, "-c", "import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))"], check=False).returncode == 0:
            return exe
    return None


# ansible-test's get-pip script, offline: ensurepip in a child process (in-process it sets PIP_CONFIG_FILE=/dev/null,
# hiding /etc/pip.conf), then the exact versions ansible-test asked for (get-pip.py --no-setuptools leaves setuptools out)
GET_PIP = """import subprocess, sys
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
rc = subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--force-reinstall'] + args)
if rc == 0 and '--no-setuptools' in sys.argv:
    subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '-q', '-y', 'setuptools'])
sys.exit(rc)
"""


def pins(path):
    return [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def venv(session, name="2.19", home=None):
    """The pinned venv NAME (built when missing or its pins changed); with an ansible-core, its get-pip stand-in."""
    path = REPO / (".venv" if name == "2.19" else f".venv-{name}")
    req = REPO / ("requirements-dev.txt" if name == "2.19" else f"tests/requirements-{'core-' * (name in CORES)}{name}.txt")
    if not ((path / ".requirements.txt").is_file() and pins(path / ".requirements.txt") == pins(req)):
        base = base_python(name)
        if base is None:
            (session.skip if name == "2.21" else session.error)(f"{name}: no Python {'>= 3.12' if name == '2.21' else '3.11'} found (pyenv: {PYENV})")
        session.log(f"{name}: creating {path} from {base} ({req.relative_to(REPO)})")
        path.unlink() if path.is_symlink() else shutil.rmtree(path, ignore_errors=True)
        # uv (pinned in tests/requirements-nox.txt) installs the same pins as pip, ~10 times faster; --seed: with pip,
        # which ansible-test's --requirements uses
        session.run(UV, "venv", "-q", "--seed", "-p", base, str(path), external=True)
        session.run(UV, "pip", "install", "-q", "-p", str(path / "bin/python"), "-r", str(req), external=True)
        shutil.copyfile(req, path / ".requirements.txt")
    if name in CORES:
        # ansible-test bootstraps pip in its venvs with ~/.ansible/test/cache/get_pip_<ver>.py, downloaded from a
        # host this machine cannot reach: put the offline stand-in there under every version it asks for
        cache = Path(home or Path.home(), ".ansible/test/cache")
        cache.mkdir(parents=True, exist_ok=True)
        at_reqs = next(path.glob("lib/python3*/site-packages/ansible_test/_internal/python_requirements.py"))
        for ver in set(re.findall(r"pip='([0-9.]+)'", at_reqs.read_text())):
            (cache / f"get_pip_{ver.replace('.', '_')}.py").write_text(GET_PIP)
    return path


def run(session, path, *cmd, cwd=REPO, env=None, **kwargs):
    """Run CMD with the venv PATH first on PATH (its programs by full path), in directory CWD."""
    exe = path / "bin" / cmd[0]
    session.chdir(cwd)
    return session.run(str(exe) if exe.exists() else cmd[0], *cmd[1:], external=True, **kwargs,
                       env={"PATH": f"{path}/bin:{os.environ['PATH']}", "VIRTUAL_ENV": str(path), **(env or {})})


@functools.cache
def stage():
    """Copy the files git would commit (tracked, and untracked but not ignored) to STAGE; keep its tests/output."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                           check=True, capture_output=True, text=True).stdout.split("\0")
    for old in [p for p in STAGE.glob("*") if p.name not in ("tests", ".git")] + [p for p in STAGE.glob("tests/*") if p.name != "output"]:
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    for name in files:
        src, dst = REPO / name, STAGE / name
        if name and not re.match(r"(\.build|\.venv|\.nox|dist|tests/output)(/|$)", name) and os.path.lexists(src):
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(src), dst) if src.is_symlink() else shutil.copy2(src, dst)
    # ansible-test looks for version control upwards: an empty repository makes it list the copy's files
    if not (STAGE / ".git").exists():
        subprocess.run(["git", "init", "-q", str(STAGE)], check=True)
    return STAGE


def ci(name=None, tags=("all",), **kwargs):
    """A session that runs in the pinned venvs (no venv of its own)."""
    return lambda func: nox.session(name=name or func.__name__.replace("_", "-"), tags=list(tags), venv_backend="none", **kwargs)(func)


@ci(tags=())
def setup(session):
    """Build every pinned venv (2.21's only with Python >= 3.12), and shellcheck (apt, as root)."""
    names = [n for n in CORES + TOOLS if n != "2.21" or base_python(n)]
    if "2.21" not in names:
        session.log(f"SKIP ansible-core 2.21: no Python >= 3.12 ({PYENV}/versions/3.13.0/bin/python is missing)")
    for name in names:
        venv(session, name)
    if not shutil.which("shellcheck") and os.geteuid() == 0 and shutil.which("apt-get"):
        session.run("bash", "-c", "apt-get install -y -q shellcheck || { apt-get update -q && apt-get install -y -q shellcheck; }",
                    external=True, env={"DEBIAN_FRONTEND": "noninteractive"})


@ci(tags=("all", "static"))
def no_ignores(session):
    """The project keeps no sanity ignore files: fix the code instead."""
    found = sorted(str(p.relative_to(REPO)) for p in REPO.glob("tests/sanity/ignore-*.txt"))
    if found:
        session.error(f"sanity ignore files are not allowed in this project: {found}")
    session.log("no tests/sanity/ignore-*.txt files")


@ci(tags=("all", "static"))
def shellcheck(session):
    """shellcheck on .ci/run, .ci/demo and every *.sh file git knows."""
    if not shutil.which("shellcheck"):
        session.skip("shellcheck is not installed (the setup session installs it with apt-get when run as root)")
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.sh", ".ci/run", ".ci/demo"],
                           cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    session.chdir(REPO)
    session.run("shellcheck", "-x", *files, external=True)


@ci(tags=("all", "static"))
def lint(session):
    """ansible-lint, production profile (.ansible-lint)."""
    run(session, venv(session), "ansible-lint", "--offline", "--nocolor", cwd=stage())


@ci(tags=("all", "static"))
def changelog(session):
    """antsibull-changelog lint (the fragments in changelogs/fragments)."""
    run(session, venv(session), "antsibull-changelog", "lint", cwd=stage())


@ci(tags=("all", "static", "docs"))
def docs_lint(session):
    """antsibull-docs lint-collection-docs --plugin-docs."""
    run(session, venv(session), "antsibull-docs", "lint-collection-docs", "--plugin-docs", ".", cwd=stage())


@ci(tags=("all", "static"))
def mypy(session):
    """mypy on plugins/ (.mypy.ini), on the staged copy: the package is ansible_collections.conductorone.iam.plugins."""
    stage()
    run(session, venv(session), "python", "-m", "mypy", "--config-file", str(REPO / ".mypy.ini"),
        "--cache-dir", str(BUILD / "mypy-cache"), "-p", "ansible_collections.conductorone.iam.plugins", cwd=BUILD)


@ci(tags=("all", "static"))
def ee_introspect(session):
    """ansible-builder reads meta/execution-environment.yml as an EE build does: requirements.txt's, no system packages."""
    tmp = Path(tempfile.mkdtemp())
    stage()
    run(session, venv(session), "ansible-builder", "introspect", "--sanitize", "--write-pip", str(tmp / "pip.txt"),
        "--write-bindep", str(tmp / "bindep.txt"), str(BUILD))
    found, wanted = ([re.sub(r"\s*#.*", "", line) for line in pins(f)] for f in (tmp / "pip.txt", REPO / "requirements.txt"))
    if found != wanted or (tmp / "bindep.txt").exists() and (tmp / "bindep.txt").read_text().strip():
        session.error(f"ansible-builder found {found} (and system packages? see above), requirements.txt says {wanted}")
    session.log("ansible-builder introspect: the Python requirements of requirements.txt, no system packages")


@ci(tags=("all", "static"))
def ee_create(session):
    """examples/execution-environment.yml is a valid ansible-builder v3 definition that installs conductorone.iam."""
    ctx = Path(tempfile.mkdtemp()) / "context"
    run(session, venv(session), "ansible-builder", "create", "-f", str(REPO / "examples/execution-environment.yml"),
        "-c", str(ctx), "--output-filename", "Containerfile")
    containerfile, collections = (ctx / "Containerfile").read_text(), (ctx / "_build/requirements.yml").read_text()
    missing = [n for n in ("ansible-core>=", "ansible-runner", "introspect.py introspect", "ansible-galaxy collection install")
               if n not in containerfile] + ([] if re.search(r"name: conductorone\.iam\b", collections) else ["conductorone.iam"])
    if missing:
        session.error(f"the build context lacks {missing}: {collections}")
    session.log(f"ansible-builder create: {containerfile.count(chr(10))}-line Containerfile installing {collections}")


antsibull_nox.load_antsibull_nox_toml()  # extra-checks (action group), license-check, docs-check, build-import-check


@ci(tags=("all", "emulator"))
def emulator_tests(session):
    """The emulator's own pytest suite (tests/emulator/tests)."""
    run(session, venv(session), "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *(session.posargs or ["tests/emulator/tests"]))


def ansible_test(session, core, *args, home=None):
    path = venv(session, core, home=home)
    pyver = run(session, path, "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])", silent=True).strip()
    run(session, path, "ansible-test", *args, "--python", pyver, "--color", "no", *session.posargs, cwd=stage(),
        env={"HOME": str(home)} if home else None)


# --continue-on-error: every integration target runs and every failure is reported
for _kind, _args in (("sanity", ()), ("units", ("--requirements",)), ("integration", ("--continue-on-error",))):
    for _core in CORES:
        ci(f"{_kind}-{_core}", tags=("all", _kind))(lambda session, c=_core, k=_kind, a=_args: ansible_test(session, c, k, *a))


@ci()
def fresh_home(session):
    """Integration targets (ARGS, default role token_cache) with HOME a new empty directory (a space in its path, not
    the passwd home): afterwards HOME may hold only ansible-test's own cache, nothing the suite wrote."""
    home = BUILD / "fresh-home/new user"
    shutil.rmtree(home.parent, ignore_errors=True)
    home.mkdir(parents=True)
    try:
        ansible_test(session, "2.19", "integration", "--continue-on-error", *([] if session.posargs else ["role", "token_cache"]), home=home)
    finally:  # ansible-test's own ansible runs leave an empty ~/.ansible/tmp
        stray = [str(p.relative_to(home)) for p in home.rglob("*") if not (p.relative_to(home).parts[:2] == (".ansible", "test") or p
                 == home / ".ansible" or p == home / ".ansible/tmp" and not any(p.iterdir()))]
        if stray:
            session.error(f"the suite wrote into HOME ({home}): {stray}")
    session.log(f"fresh HOME '{home}': empty at the start, holds nothing the suite wrote (only ~/.ansible/test)")


@ci()
def reliability(session):
    """The fault-injection and leak suite; its report goes to .build/reliability.md, not docs/reliability.md."""
    run(session, venv(session), "python", "-m", "pytest", "-p", "no:cacheprovider", *(session.posargs or ["tests/system/reliability"]),
        env={"C1REL_REPORT": os.environ.get("C1REL_REPORT", str(BUILD / "reliability.md"))})


@ci(name="bench-quick")
def bench_quick(session):
    """bench.py --quick: N=3, one round; fails when a count target is missed (the timings mean nothing)."""
    run(session, venv(session), "python", "tests/perf/bench.py", "--quick", "-q")


@ci(default=False, tags=())
def bench(session):
    """The performance benchmark (~10 min, docs/performance.md); not part of CI."""
    run(session, venv(session), "python", "tests/perf/bench.py", *session.posargs)


@ci(tags=("all", "docs"))
def docs_build(session):
    """The antsibull-docs Sphinx site, offline, -W: docs/site/build/html/index.html."""
    run(session, venv(session), str(REPO / "docs/site/build.sh"))


@ci(tags=("all", "docs"))
def docs_tests(session):
    """README's and the guides' marked examples, run as written with a new HOME (tests/system/docs/README.md)."""
    run(session, venv(session), "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *(session.posargs or ["tests/system/docs"]))


BUILT = []  # the artifact of this run's build session


def artifact(session, out):
    """The artifact of this run's build session, else ansible-galaxy collection build of the staged copy into OUT."""
    if BUILT:
        return BUILT[0]
    version = re.search(r"^version:\s*['\"]?([^'\"\s]+)", (REPO / "galaxy.yml").read_text(), re.M).group(1)
    out.mkdir(parents=True, exist_ok=True)
    run(session, venv(session), "ansible-galaxy", "collection", "build", "--force", "--output-path", str(out), cwd=stage())
    return out / f"conductorone-iam-{version}.tar.gz"


@ci(tags=("all", "build"))
def build(session):
    """Build into dist/, check the contents against the allowlist (.ci/check_artifact.py), install and verify offline."""
    path, tarball, tmp = venv(session), artifact(session, REPO / "dist"), tempfile.mkdtemp()
    run(session, path, "python", str(REPO / ".ci/check_artifact.py"), str(tarball))
    run(session, path, "ansible-galaxy", "collection", "install", "--force", "-p", tmp, str(tarball), env={"ANSIBLE_COLLECTIONS_PATH": tmp})
    run(session, path, "ansible-galaxy", "collection", "verify", "--offline", "-p", tmp, "conductorone.iam", env={"ANSIBLE_COLLECTIONS_PATH": tmp})
    BUILT.append(tarball)


@ci(name="galaxy-importer", tags=("all", "build"))
def galaxy_importer(session):
    """galaxy-importer (pinned, own venv) on the artifact, outside the repository as Galaxy runs it; warnings fail."""
    work, tmp = BUILD / "galaxy-importer", Path(tempfile.mkdtemp())
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tarball = artifact(session, work)
    out = run(session, venv(session, "galaxy-importer"), "python", "-m", "galaxy_importer.main", str(tarball), cwd=work, silent=True,
              env={"ANSIBLE_COLLECTIONS_PATH": None, "GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP": str(tmp / "ansible-tmp"),
                   "GALAXY_IMPORTER_TMP_ROOT_DIR": str(tmp)})
    print(out)
    if re.search(r"^(WARNING|ERROR)", out, re.M):
        session.error("galaxy-importer reported the warnings or errors above")


@ci(name="awx-job")
def awx_job(session):
    """examples/site.yml as two ansible-runner jobs (AWX's job engine) with the credential type's injectors."""
    tarball = artifact(session, BUILD / "awx-job")
    run(session, venv(session, "ansible-runner"), "python", "tests/system/awx/runner_job.py", "--artifact", str(tarball), "--work", str(BUILD / "awx-job/jobs"))


@ci(name="secret-stores")
def secret_stores(session):
    """The secret hand-off examples against OpenBao, moto_server and the emulator (tests/system/secret_stores)."""
    stage()
    run(session, venv(session, "stores"), "python", "-m", "pytest", "-p", "no:cacheprovider", "-v", *(session.posargs or ["tests/system/secret_stores"]))


@ci(default=False, tags=())
def demo(session):
    """The emulator, examples/site.yml converged twice against it (changes, then none): .ci/demo."""
    stage()
    run(session, venv(session), "bash", ".ci/demo", env={"EMULATOR_PYTHON": str(REPO / ".venv/bin/python")})


def _logged(name, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        """Also write the session's output (fds 1 and 2, its commands' too) to .build/logs/NAME.log."""
        (BUILD / "logs").mkdir(parents=True, exist_ok=True)
        sys.stdout.flush(), sys.stderr.flush()
        tee = subprocess.Popen(["tee", str(BUILD / "logs" / f"{name}.log")], stdin=subprocess.PIPE)
        saved = os.dup(1), os.dup(2)
        os.dup2(tee.stdin.fileno(), 1), os.dup2(tee.stdin.fileno(), 2)
        try:
            return func(*args, **kwargs)
        finally:
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(saved[0], 1), os.dup2(saved[1], 2), os.close(saved[0]), os.close(saved[1])
            tee.stdin.close(), tee.wait()
    return wrapper


for _name, _func in nox.registry.get().items():
    _func.func = _logged(_name, _func.func)
    if _name in ("extra-checks", "license-check", "docs-check", "build-import-check"):
        _func.tags = ["all", {"docs-check": "docs", "build-import-check": "build"}.get(_name, "static")]
