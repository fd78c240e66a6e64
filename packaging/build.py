"""Build VerifyDesk's installers for this OS, run the built app's self-test, and check the budgets.

    python packaging/build.py            # from the repository root, with the venv's Python

Linux: dist/verifydesk-<v>-linux-<arch>.tar.gz and dist/verifydesk_<v>_<arch>.deb.
Windows: dist/VerifyDesk-<v>-windows-<arch>-setup.exe (Inno Setup's `iscc` must be on PATH).
macOS: dist/VerifyDesk-<v>-macos-<arch>.dmg holding VerifyDesk.app.
Then, on every OS: the bundle's `self-test` against a sandbox started from this source tree (and,
when the sandbox is bundled, against its own embedded one), and the start-to-first-paint time of
the bundle against the source tree's, measured in this run. Budgets (printed, and the build fails
when one is missed): Linux .tar.gz <= 60 MB; bundle start <= 1.5 x source start.
Run as a script, never `python -m packaging…`: a top-level `packaging` package would shadow PyPI's.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import pkg_checks  # noqa: E402  (siblings: this folder is sys.path[0] when run as a script)
import pkg_icons  # noqa: E402
import pkg_linux  # noqa: E402

from app import APP_NAME, __version__  # noqa: E402

TARBALL_BUDGET_MB = 60.0
STARTUP_BUDGET_RATIO = 1.5
MB = 1_000_000


class BuildError(RuntimeError):
    """A step failed; the message says which and why."""


def _step(name: str) -> float:
    print(f"==> {name}", flush=True)
    return time.perf_counter()


def _arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def run_pyinstaller(build: Path, dist: Path, icons: Path, with_sandbox: bool) -> Path:
    env = pkg_checks.clean_env(
        VERIFYDESK_ICON_DIR=str(icons), VERIFYDESK_BUNDLE_SANDBOX="1" if with_sandbox else "0"
    )
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(build / "pyinstaller"), str(HERE / "verifydesk.spec")],
        cwd=ROOT, env=env, check=True,
    )
    return dist / "verifydesk"


def bundle_command(bundle: Path, app_bundle: Path | None) -> list[str]:
    """The console executable of the bundle (on Windows the window one has no stdout)."""
    if sys.platform == "win32":
        return [str(bundle / "verifydesk-cli.exe")]
    if sys.platform == "darwin" and app_bundle is not None:
        return [str(app_bundle / "Contents" / "MacOS" / "verifydesk")]
    return [str(bundle / "verifydesk")]


def linux_artefacts(bundle: Path, build: Path, out: Path, icons: Path, report: dict[str, object]) -> Path:
    """The .tar.gz and .deb; returns the executable inside the unpacked tarball (what users run)."""
    top = f"verifydesk-{__version__}"
    tarball = pkg_linux.make_tarball(bundle, out / f"{top}-linux-{_arch()}.tar.gz", top)
    report["tarball"] = {"path": str(tarball), "bytes": tarball.stat().st_size}
    problems = pkg_linux.depends_problems(bundle)
    if problems:
        raise BuildError("the .deb's Depends misses libraries the bundle needs:\n  " + "\n  ".join(problems))
    deb = pkg_linux.make_deb(
        bundle, icons=icons, resources=ROOT / "resources", licence=ROOT / "LICENSE", out_dir=out,
        stage=build / "deb", version=__version__,
    )
    report["deb"] = {"path": str(deb.path), "bytes": deb.path.stat().st_size, "depends": deb.depends,
                     "installed_size_kib": deb.installed_size_kib}
    unpacked = build / "unpacked"
    if unpacked.exists():
        shutil.rmtree(unpacked)
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    return unpacked / top / "verifydesk"


def windows_artefacts(bundle: Path, out: Path, icons: Path, report: dict[str, object]) -> None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        raise BuildError("Inno Setup's iscc is not on PATH (choco install innosetup)")
    name = f"VerifyDesk-{__version__}-windows-{_arch()}-setup"
    defines = {"AppVersion": __version__, "BundleDir": bundle, "IconFile": icons / "verifydesk.ico",
               "LicenceFile": ROOT / "LICENSE", "OutputDir": out, "OutputName": name}
    subprocess.run(
        [iscc, *(f"/D{k}={v}" for k, v in defines.items()), str(HERE / "windows" / "verifydesk.iss")],
        check=True,
    )
    setup = out / f"{name}.exe"
    report["installer"] = {"path": str(setup), "bytes": setup.stat().st_size}


def macos_artefacts(app_bundle: Path, build: Path, out: Path, report: dict[str, object]) -> None:
    stage = build / "dmg"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    subprocess.run(["ditto", str(app_bundle), str(stage / app_bundle.name)], check=True)
    (stage / "Applications").symlink_to("/Applications")
    dmg = out / f"{APP_NAME}-{__version__}-macos-{_arch()}.dmg"
    subprocess.run(
        ["hdiutil", "create", "-volname", f"{APP_NAME} {__version__}", "-srcfolder", str(stage),
         "-ov", "-format", "UDZO", str(dmg)],
        check=True,
    )
    report["dmg"] = {"path": str(dmg), "bytes": dmg.stat().st_size}


def self_tests(command: list[str], with_sandbox: bool, build: Path, report: dict[str, object]) -> None:
    runs = []
    with pkg_checks.source_sandbox(ROOT, build / "sandbox.log") as info:
        print(f"    source sandbox at {info['endpoint_url']}", flush=True)
        runs.append(pkg_checks.run_self_test([*command, "self-test"], info["endpoint_url"], build))
    if with_sandbox:
        runs.append(pkg_checks.run_self_test([*command, "self-test"], None, build))
    report["self_test"] = [{"endpoint": "source sandbox" if i == 0 else "embedded sandbox",
                            "returncode": r.returncode} for i, r in enumerate(runs)]
    for run in runs:
        print("    " + run.output.rstrip().replace("\n", "\n    "), flush=True)
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        raise BuildError(f"the built app's self-test failed ({failed[0].returncode})")


def budgets(command: list[str], runs: int, report: dict[str, object]) -> list[str]:
    """Measure, print and return the missed budgets."""
    missed = []
    lines = []
    tarball = report.get("tarball")
    if isinstance(tarball, dict):
        size_mb = tarball["bytes"] / MB
        ok = size_mb <= TARBALL_BUDGET_MB
        lines.append(
            f"  {'ok  ' if ok else 'MISS'}  .tar.gz size     {size_mb:6.1f} MB  "
            f"(budget {TARBALL_BUDGET_MB:.0f} MB)"
        )
        if not ok:
            missed.append(".tar.gz size")
    timing = pkg_checks.compare_startup([sys.executable, "-m", "app"], command, ROOT, runs=runs)
    ok = timing.ratio <= STARTUP_BUDGET_RATIO
    lines.append(
        f"  {'ok  ' if ok else 'MISS'}  start to paint   bundle {timing.bundle_median * 1000:5.0f} ms "
        f"vs source {timing.source_median * 1000:5.0f} ms = {timing.ratio:.2f}x  "
        f"(budget {STARTUP_BUDGET_RATIO}x; medians of {runs})"
    )
    if not ok:
        missed.append("start-up")
    report["startup"] = {"source_s": timing.source_s, "bundle_s": timing.bundle_s, "ratio": timing.ratio}
    print("Budgets:\n" + "\n".join(lines), flush=True)
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--without-sandbox", action="store_true",
                        help="leave the embedded sandbox (moto) out of the bundle")
    parser.add_argument("--skip-checks", action="store_true", help="build only: no self-test, no budgets")
    parser.add_argument("--runs", type=int, default=5, help="start-up measurements per side (default 5)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the artefacts go")
    args = parser.parse_args(argv)
    with_sandbox = not args.without_sandbox
    build, out = ROOT / "build", args.dist.resolve()
    report: dict[str, object] = {"version": __version__, "platform": sys.platform, "sandbox": with_sandbox}
    started = time.perf_counter()
    try:
        _step("icons from resources/verifydesk.svg")
        icons = build / "icons"
        pkg_icons.generate(icons)
        t = _step(f"PyInstaller onedir bundle ({'with' if with_sandbox else 'without'} the sandbox)")
        bundle = run_pyinstaller(build, build / "bundle", icons, with_sandbox)
        report["bundle_seconds"] = round(time.perf_counter() - t, 1)
        report["bundle_bytes"] = sum(p.lstat().st_size for p in bundle.rglob("*") if not p.is_symlink())
        app_bundle = build / "bundle" / f"{APP_NAME}.app" if sys.platform == "darwin" else None
        _step("installers")
        command = bundle_command(bundle, app_bundle)
        if sys.platform.startswith("linux"):
            command = [str(linux_artefacts(bundle, build, out, icons, report))]
        elif sys.platform == "win32":
            windows_artefacts(bundle, out, icons, report)
        elif sys.platform == "darwin" and app_bundle is not None:
            macos_artefacts(app_bundle, build, out, report)
        missed: list[str] = []
        if not args.skip_checks:
            _step(f"self-test of the built app: {' '.join(command)} self-test")
            self_tests(command, with_sandbox, build, report)
            _step("budgets")
            missed = budgets(command, args.runs, report)
    except (BuildError, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"BUILD FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        out.mkdir(parents=True, exist_ok=True)
        (out / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for key in ("tarball", "deb", "installer", "dmg"):
        entry = report.get(key)
        if isinstance(entry, dict):
            print(f"artefact: {entry['path']} ({entry['bytes'] / MB:.1f} MB)")
    print(f"done in {time.perf_counter() - started:.0f} s; report in {out / 'build-report.json'}")
    if missed:
        print(f"BUDGETS MISSED: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
