"""Build VerifyDesk's installers for this OS, run the built artefacts' self-test, and check the budgets.

    python packaging/build.py            # from the repository root, with the venv's Python

Linux: dist/verifydesk-<v>-linux-<arch>.tar.gz and dist/verifydesk_<v>_<arch>.deb; the .deb is
checked (control fields, file list, permissions, the /usr/bin link) and extracted with `dpkg -x`.
Windows: dist/VerifyDesk-<v>-windows-<arch>-setup.exe (Inno Setup's iscc), installed silently.
macOS: dist/VerifyDesk-<v>-macos-<arch>.dmg holding VerifyDesk.app, copied out of the mounted image.
Then the installed/unpacked app's `self-test` runs against a sandbox started from this source tree
and against the bundle's own embedded one, and the start-to-first-paint time of the built app is
compared with the source tree's, measured in this run. Budgets (printed; the build fails when one
is missed): Linux .tar.gz <= 62 MB; built app start <= 1.5 x source start.
dist/build-report.json records the results and a fingerprint of the inputs (tests reuse a build
only when its fingerprint matches and every check passed).
Run as a script, never `python -m packaging…`: a top-level `packaging` package would shadow PyPI's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import pkg_checks  # noqa: E402  (siblings: this folder is sys.path[0] when run as a script)
import pkg_icons  # noqa: E402
import pkg_linux  # noqa: E402

from app import APP_NAME, __version__  # noqa: E402

TARBALL_BUDGET_MB = pkg_checks.TARBALL_BUDGET_MB
STARTUP_BUDGET_RATIO = pkg_checks.STARTUP_BUDGET_RATIO
MB = pkg_checks.MB
REPORT_NAME = "build-report.json"
# Where Chocolatey's (and the installer's default) Inno Setup 6 puts its compiler.
_INNO_DEFAULT = Path(
    os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"), "Inno Setup 6", "ISCC.exe"
)


class BuildError(RuntimeError):
    """A step failed; the message says which and why."""


def _step(name: str) -> float:
    print(f"==> {name}", flush=True)
    return time.perf_counter()


def _arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _artefact(path: Path) -> dict[str, Any]:
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": pkg_checks.file_sha256(path)}


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


# --- per-OS artefacts: each returns the (label, command) of the built app as users get it -----------


def linux_artefacts(
    bundle: Path, build: Path, out: Path, icons: Path, report: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    top = f"verifydesk-{__version__}"
    tarball = pkg_linux.make_tarball(bundle, out / f"{top}-linux-{_arch()}.tar.gz", top)
    report["tarball"] = _artefact(tarball)
    deb = pkg_linux.make_deb(
        bundle, icons=icons, resources=ROOT / "resources", licence=ROOT / "LICENSE", out_dir=out,
        stage=build / "deb", version=__version__,
    )
    report["deb"] = {**_artefact(deb.path), "depends": deb.depends,
                     "installed_size_kib": deb.installed_size_kib, "left_to_depends": deb.unbundled}

    _step(".deb check: dpkg-deb -f/-c, permissions, dpkg -x, /usr/bin link, .desktop")
    check = pkg_linux.check_deb(deb.path, version=__version__, extract_to=build / "deb-root")
    report["deb"]["problems"] = check.problems
    if check.problems:
        raise BuildError("the .deb has problems:\n  " + "\n  ".join(check.problems))
    print(f"    {len(check.entries)} entries, fields and permissions ok; Depends: {deb.depends}", flush=True)
    # Run it the way the menu does: through a /usr/bin-style link to the extracted launcher.
    link = _fresh(build / "deb-bin") / "verifydesk"
    link.symlink_to(check.launcher)

    unpacked = _fresh(build / "unpacked")
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    return [(".tar.gz (unpacked)", [str(unpacked / top / "verifydesk")]),
            (".deb (dpkg -x, via a bin/ link)", [str(link)])]


def _iscc() -> str:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    if _INNO_DEFAULT.is_file():
        return str(_INNO_DEFAULT)
    raise BuildError("Inno Setup's ISCC.exe is not on PATH (choco install innosetup)")


def inno_defines(bundle: Path, icons: Path, out: Path, name: str) -> dict[str, str]:
    """The /D values packaging/windows/verifydesk.iss reads."""
    return {"AppVersion": __version__, "BundleDir": str(bundle), "IconFile": str(icons / "verifydesk.ico"),
            "LicenceFile": str(ROOT / "LICENSE"), "OutputDir": str(out), "OutputName": name}


def windows_artefacts(
    bundle: Path, build: Path, out: Path, icons: Path, report: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    name = f"{APP_NAME}-{__version__}-windows-{_arch()}-setup"
    defines = inno_defines(bundle, icons, out, name)
    subprocess.run(
        [_iscc(), *(f"/D{k}={v}" for k, v in defines.items()), str(HERE / "windows" / "verifydesk.iss")],
        check=True,
    )
    setup = out / f"{name}.exe"
    report["installer"] = _artefact(setup)
    _step("silent install of the setup into build/installed")
    target = build / "installed"
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(
        [str(setup), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER", f"/DIR={target}",
         f"/LOG={build / 'setup.log'}"],
        check=True, timeout=600,
    )
    return [("setup.exe (installed)", [str(target / "verifydesk-cli.exe")])]


def macos_artefacts(
    app_bundle: Path, build: Path, out: Path, report: dict[str, Any]
) -> list[tuple[str, list[str]]]:
    stage = _fresh(build / "dmg")
    subprocess.run(["ditto", str(app_bundle), str(stage / app_bundle.name)], check=True)
    (stage / "Applications").symlink_to("/Applications")
    dmg = out / f"{APP_NAME}-{__version__}-macos-{_arch()}.dmg"
    subprocess.run(
        ["hdiutil", "create", "-volname", f"{APP_NAME} {__version__}", "-srcfolder", str(stage),
         "-ov", "-format", "UDZO", str(dmg)],
        check=True,
    )
    report["dmg"] = _artefact(dmg)
    _step("the .app copied out of the mounted .dmg into build/installed")
    mount, installed = build / "dmg-mount", _fresh(build / "installed")
    mount.mkdir(exist_ok=True)
    subprocess.run(["hdiutil", "attach", "-nobrowse", "-readonly", "-mountpoint", str(mount), str(dmg)],
                   check=True)
    try:
        subprocess.run(["ditto", str(mount / app_bundle.name), str(installed / app_bundle.name)], check=True)
    finally:
        subprocess.run(["hdiutil", "detach", str(mount)], check=False)
    executable = installed / app_bundle.name / "Contents" / "MacOS" / "verifydesk"
    return [(".dmg (VerifyDesk.app)", [str(executable)])]


# --- checks --------------------------------------------------------------------------------------


def self_tests(
    targets: list[tuple[str, list[str]]], with_sandbox: bool, build: Path, report: dict[str, Any]
) -> None:
    """The first artefact against a sandbox started from the source tree; every artefact against its
    embedded sandbox (or the source one when the bundle has none)."""
    plan: list[tuple[str, list[str], bool]] = [(targets[0][0], targets[0][1], True)]
    plan += [(label, command, not with_sandbox) for label, command in targets]
    results = []
    with pkg_checks.source_sandbox(ROOT, build / "sandbox.log") as info:
        print(f"    source sandbox at {info['endpoint_url']}", flush=True)
        for label, command, use_source in plan:
            where = "source sandbox" if use_source else "embedded sandbox"
            print(f"  -- {label} self-test, {where}: {' '.join(command)} self-test", flush=True)
            run = pkg_checks.run_self_test(
                [*command, "self-test"], info["endpoint_url"] if use_source else None, build
            )
            print("    " + run.output.rstrip().replace("\n", "\n    "), flush=True)
            results.append({"artefact": label, "sandbox": where, "returncode": run.returncode})
    report["self_test"] = results
    failed = [r for r in results if r["returncode"] != 0]
    if failed:
        raise BuildError(f"the built app's self-test failed: {failed}")


def budgets(command: list[str], runs: int, report: dict[str, Any]) -> list[str]:
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
        f"  {'ok  ' if ok else 'MISS'}  start to paint   built {min(timing.bundle_s) * 1000:5.0f} ms "
        f"vs source {min(timing.source_s) * 1000:5.0f} ms = {timing.ratio:.2f}x  "
        f"(budget {STARTUP_BUDGET_RATIO}x; best of {runs} alternating runs)\n"
        f"        medians          built {timing.bundle_median * 1000:5.0f} ms "
        f"vs source {timing.source_median * 1000:5.0f} ms = {timing.median_ratio:.2f}x"
    )
    built = timing.built
    if built is not None:
        lines.append(
            f"        window built     built {built[1] * 1000:5.0f} ms vs source {built[0] * 1000:5.0f} ms "
            f"= {built[1] / built[0]:.2f}x  (information: every panel built and painted, best of {runs})"
        )
    if not ok:
        missed.append("start-up")
    report["startup"] = {"source_s": timing.source_s, "built_s": timing.bundle_s, "ratio": timing.ratio,
                         "median_ratio": timing.median_ratio, "budget_ratio": STARTUP_BUDGET_RATIO,
                         "window_built_best_s": {"source": built[0], "built": built[1]} if built else None}
    print("Budgets:\n" + "\n".join(lines), flush=True)
    return missed


def build_all(args: argparse.Namespace, report: dict[str, Any]) -> list[str]:
    """Every step; returns the missed budgets, raises BuildError on a failed step."""
    with_sandbox = not args.without_sandbox
    build, out = ROOT / "build", args.dist
    out.mkdir(parents=True, exist_ok=True)
    _step("icons from resources/verifydesk.svg")
    icons = build / "icons"
    pkg_icons.generate(icons)
    t = _step(f"PyInstaller onedir bundle ({'with' if with_sandbox else 'without'} the sandbox)")
    bundle = run_pyinstaller(build, build / "bundle", icons, with_sandbox)
    report["bundle_seconds"] = round(time.perf_counter() - t, 1)
    report["bundle_bytes"] = sum(
        p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()
    )
    _step("installers")
    if sys.platform.startswith("linux"):
        targets = linux_artefacts(bundle, build, out, icons, report)
    elif sys.platform == "win32":
        targets = windows_artefacts(bundle, build, out, icons, report)
    elif sys.platform == "darwin":
        targets = macos_artefacts(build / "bundle" / f"{APP_NAME}.app", build, out, report)
    else:
        raise BuildError(f"no installer recipe for {sys.platform}")
    if args.skip_checks:
        return []
    _step("self-test of the built app")
    self_tests(targets, with_sandbox, build, report)
    _step("budgets")
    return budgets(targets[0][1], args.runs, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--without-sandbox", action="store_true",
                        help="leave the embedded sandbox (moto) out of the bundle")
    parser.add_argument("--skip-checks", action="store_true", help="build only: no self-test, no budgets")
    parser.add_argument("--runs", type=int, default=5, help="start-up measurements per side (default 5)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the artefacts go")
    args = parser.parse_args(argv)
    args.dist = args.dist.resolve()
    report: dict[str, Any] = {
        "version": __version__, "platform": sys.platform, "sandbox": not args.without_sandbox,
        "checked": not args.skip_checks, "ok": False,
    }
    with pkg_checks.build_lock(ROOT / "build"):
        report["fingerprint"] = pkg_checks.source_fingerprint(ROOT)
        return _locked_main(args, report)


def _locked_main(args: argparse.Namespace, report: dict[str, Any]) -> int:
    started = time.perf_counter()
    (args.dist / REPORT_NAME).unlink(missing_ok=True)  # no stale "ok" survives a crashed build
    missed: list[str] = []
    try:
        missed = build_all(args, report)
        if pkg_checks.source_fingerprint(ROOT) != report["fingerprint"]:
            print("note: the sources changed during the build; this report will not be reused", flush=True)
            report["fingerprint"] = None
        report["ok"] = not missed
    except (BuildError, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"BUILD FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        report["seconds"] = round(time.perf_counter() - started, 1)
        args.dist.mkdir(parents=True, exist_ok=True)
        (args.dist / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for key in ("tarball", "deb", "installer", "dmg"):
        entry = report.get(key)
        if isinstance(entry, dict):
            print(f"artefact: {entry['path']} ({entry['bytes'] / MB:.1f} MB)")
    print(f"done in {report['seconds']:.0f} s; report in {args.dist / REPORT_NAME}")
    if missed:
        print(f"BUDGETS MISSED: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
