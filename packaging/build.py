"""Build the frozen Waypoint folder with PyInstaller, then smoke-test what was built.

    .venv/bin/python packaging/build.py                 # build into build/ + dist/, then smoke-test dist/waypoint
    .venv/bin/python packaging/build.py --skip-build    # smoke-test an existing dist/waypoint again
    .venv/bin/python packaging/build.py --report r.json # also write the figures and steps as JSON

A build that was not run is not a release: the smoke test runs the frozen programs, not the source, in a
throw-away home with a clean environment (no PYTHONPATH, no venv), so a file the bundle forgot fails here.
Exit status 0 only if the build and every smoke step passed; each failure says which step and why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle

SPEC = Path(__file__).resolve().parent / "waypoint.spec"
STEP_TIMEOUT_S = 300  # the machine may be shared; a hung step must still end
# Synthetic: the smoke vault uses the fast test KDF and lives in a temp folder deleted afterwards.
SMOKE_PASSPHRASE = "smoke test passphrase, not a secret"
SMOKE_USER = "smoke-admin"
EXE_SUFFIX = ".exe" if sys.platform.startswith("win") else ""


class SmokeTestFailed(Exception):
    """A frozen program did not do what it must; the message names the step and shows its output."""


@dataclass
class Step:
    name: str
    seconds: float
    detail: str = ""


@dataclass
class Report:
    app_dir: str
    build_seconds: float | None = None
    dist_bytes: int | None = None
    passed: bool = False
    failure: str | None = None
    steps: list[Step] = field(default_factory=list)


def build(*, dist: Path, work: Path, clean: bool) -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("build: PyInstaller is not installed: .venv/bin/pip install -e '.[packaging]'") from None
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    print("build:", " ".join(command), flush=True)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=bundle.REPO)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed (exit {result.returncode}); see its output above")
    return elapsed


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def frozen_env(sandbox: Path) -> dict[str, str]:
    """The environment a fresh install sees: nothing from the venv, every folder it may write inside `sandbox`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "WAYPOINT_PASSPHRASE")}
    for sub in ("home", "xdg-data", "xdg-config", "xdg-cache", "xdg-runtime", "tmp", "waypoint"):
        (sandbox / sub).mkdir(mode=0o700)
    env.update(
        HOME=str(sandbox / "home"), USERPROFILE=str(sandbox / "home"), APPDATA=str(sandbox / "home"),
        LOCALAPPDATA=str(sandbox / "home"),
        XDG_DATA_HOME=str(sandbox / "xdg-data"), XDG_CONFIG_HOME=str(sandbox / "xdg-config"),
        XDG_CACHE_HOME=str(sandbox / "xdg-cache"), XDG_RUNTIME_DIR=str(sandbox / "xdg-runtime"),
        TMPDIR=str(sandbox / "tmp"), TEMP=str(sandbox / "tmp"), TMP=str(sandbox / "tmp"),
        WAYPOINT_HOME=str(sandbox / "waypoint"),
        WAYPOINT_ALLOW_TEST_KDF="1",  # the smoke vault uses the fast test KDF (docs/vault.md)
        WAYPOINT_PASSPHRASE=SMOKE_PASSPHRASE,
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def run_step(report: Report, name: str, command: list[str], *, env: dict[str, str], cwd: Path,
             expect_exit: int = 0, expect_stderr: str | None = None) -> str:
    """Run one frozen command; raise SmokeTestFailed with its output unless it exits as expected. Returns stdout."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                                errors="replace", timeout=STEP_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise SmokeTestFailed(f"{name}: no answer after {STEP_TIMEOUT_S} s: {' '.join(command)}") from error
    except OSError as error:
        raise SmokeTestFailed(f"{name}: cannot start {command[0]}: {error}") from error
    elapsed = time.perf_counter() - start
    if result.returncode != expect_exit or (expect_stderr is not None and expect_stderr not in result.stderr):
        wanted = f"exit {expect_exit}" + (f" and {expect_stderr!r} on stderr" if expect_stderr else "")
        raise SmokeTestFailed(f"{name}: exit {result.returncode}, wanted {wanted}\n--- stdout\n{result.stdout}\n--- stderr\n"
                              f"{result.stderr}")
    if "Traceback (most recent call last)" in result.stderr:
        raise SmokeTestFailed(f"{name}: exit 0 but a Python traceback on stderr:\n{result.stderr}")
    report.steps.append(Step(name, round(elapsed, 2), result.stderr.strip()[-500:]))
    print(f"  ok  {name} ({elapsed:.1f} s)", flush=True)
    return result.stdout


def check_contents(report: Report, app_dir: Path) -> None:
    """Every data file the spec lists is inside, and nothing we meant to leave out is."""
    internal = app_dir / "_internal"
    missing = [f"{dest}/{Path(src).name}" for src, dest in bundle.datas()
               if not (internal / dest / Path(src).name).is_file()]
    if missing:
        raise SmokeTestFailed("contents: missing from the bundle: " + ", ".join(missing))
    unwanted = [p.relative_to(app_dir).as_posix() for p in internal.rglob("*")
                if not bundle.binary_kept(p.relative_to(internal).as_posix())]
    unwanted += [p.relative_to(app_dir).as_posix() for p in internal.rglob("*")
                 if p.is_dir() and p.name in ("tests", "sync_server", "bench")]
    if unwanted:
        raise SmokeTestFailed("contents: left out on purpose but present: " + ", ".join(sorted(unwanted)[:20]))
    report.steps.append(Step("contents", 0.0, f"{len(bundle.datas())} data files present"))
    print("  ok  contents", flush=True)


def smoke_test(report: Report, app_dir: Path) -> None:
    cli = app_dir / f"{bundle.CLI_NAME}{EXE_SUFFIX}"
    gui = app_dir / f"{bundle.GUI_NAME}{EXE_SUFFIX}"
    for program in (cli, gui):
        if not program.is_file():
            raise SmokeTestFailed(f"executables: {program} was not built")
    check_contents(report, app_dir)
    with tempfile.TemporaryDirectory(prefix="waypoint-smoke-") as tmp:
        sandbox = Path(tmp)
        env = frozen_env(sandbox)
        user = ["--user", SMOKE_USER]
        run_step(report, "waypoint --help", [str(cli), "--help"], env=env, cwd=sandbox)
        out = run_step(report, "waypoint init", [str(cli), "init", "--kdf-profile", "test", *user], env=env, cwd=sandbox)
        if "Vault created" not in out:
            raise SmokeTestFailed(f"waypoint init: no 'Vault created' line:\n{out}")
        out = run_step(report, "waypoint forms list", [str(cli), "forms", "list", *user], env=env, cwd=sandbox)
        shipped = sorted(Path(src).name for src, dest in bundle.datas() if dest == "forms")
        rows = [line for line in out.splitlines()[1:] if line.strip()]
        if len(rows) != len(shipped):
            raise SmokeTestFailed(f"waypoint forms list: {len(rows)} forms installed, {len(shipped)} shipped "
                                  f"({', '.join(shipped)}): the frozen app did not find its forms\n{out}")
        out = run_step(report, "waypoint info", [str(cli), "info", *user], env=env, cwd=sandbox)
        info = json.loads(out)
        if info["schema_version"] != info["schema_version_supported"] or info["kdf_profile"] != "test":
            raise SmokeTestFailed(f"waypoint info: unexpected vault state:\n{out}")
        out = run_step(report, "waypoint verify", [str(cli), "verify", *user], env=env, cwd=sandbox)
        if not out.startswith("OK"):
            raise SmokeTestFailed(f"waypoint verify: no OK line:\n{out}")
        # The shipped app must refuse a fast-KDF test vault unless a test run allows it (docs/vault.md).
        production_env = {k: v for k, v in env.items() if k != "WAYPOINT_ALLOW_TEST_KDF"}
        run_step(report, "waypoint info refuses a test vault outside tests", [str(cli), "info", *user],
                 env=production_env, cwd=sandbox, expect_exit=2, expect_stderr="weaker than allowed")
        bundled_forms = [str(app_dir / "_internal" / "forms" / name) for name in shipped]
        run_step(report, "waypoint forms check", [str(cli), "forms", "check", *bundled_forms], env=env, cwd=sandbox)
        for lang in ("en", "fr"):
            out = run_step(report, f"waypoint-app --smoke-test --lang {lang} (offscreen)",
                           [str(gui), "--smoke-test", "--lang", lang], env=env, cwd=sandbox)
            if "smoke test passed" not in out:
                raise SmokeTestFailed(f"waypoint-app --lang {lang}: no 'smoke test passed' line:\n{out}")
        xvfb_run = shutil.which("xvfb-run")
        if sys.platform.startswith("linux") and xvfb_run:
            # The offscreen platform needs none of the xcb libraries; a real X server checks the ones we ship.
            out = run_step(report, "waypoint-app --smoke-test (xcb under Xvfb)",
                           [xvfb_run, "-a", str(gui), "--smoke-test"], env={**env, "QT_QPA_PLATFORM": "xcb"},
                           cwd=sandbox)
            if "smoke test passed" not in out:
                raise SmokeTestFailed(f"waypoint-app under Xvfb: no 'smoke test passed' line:\n{out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=bundle.REPO / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=bundle.REPO / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller)")
    parser.add_argument("--skip-build", action="store_true", help="smoke-test an existing build only")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first (slower)")
    parser.add_argument("--report", type=Path, help="write figures and smoke steps as JSON here")
    args = parser.parse_args(argv)
    app_dir = args.dist.resolve() / bundle.APP_FOLDER
    report = Report(app_dir=str(app_dir))
    try:
        bundle.datas()  # a missing form or catalogue stops here, before minutes of building
    except bundle.BundleError as error:
        raise SystemExit(f"build: {error}") from None
    if not args.skip_build:
        report.build_seconds = round(build(dist=args.dist.resolve(), work=args.work.resolve(), clean=args.clean), 1)
    if not app_dir.is_dir():
        raise SystemExit(f"build: {app_dir} does not exist; run without --skip-build first")
    report.dist_bytes = folder_size(app_dir)
    print(f"smoke test of {app_dir}", flush=True)
    try:
        smoke_test(report, app_dir)
        report.passed = True
    except SmokeTestFailed as error:
        report.failure = str(error)
    if args.report:
        args.report.write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    if report.build_seconds is not None:
        print(f"build time: {report.build_seconds:.0f} s")
    print(f"size of {app_dir}: {report.dist_bytes / 2**20:.0f} MiB")
    if not report.passed:
        print(f"SMOKE TEST FAILED: {report.failure}", file=sys.stderr)
        return 1
    print(f"SMOKE TEST PASSED ({len(report.steps)} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
