"""The Linux installers built by the real build script: the unpacked .tar.gz and the extracted .deb run
their self-test, and the .deb's control fields and file list are right (checked here with dpkg-deb
directly, independently of the build's own checker).

The build (≈1.5–3 min on two busy cores) is reused only when dist/build-report.json says a checked
build of exactly these inputs passed (same source fingerprint: our files, the recipe, installed
distributions) and the artefacts still hash as recorded; the tests below then run their own
self-tests on fresh unpacks of those artefacts, so a reused build cannot hide a broken one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pkg_checks
import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
REPORT = DIST / "build-report.json"
TOP = f"verifydesk-{__version__}"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # a fresh build on two busy cores
    pytest.mark.linux_only,  # the Linux installers
]


def _reusable() -> dict[str, Any] | None:
    if not REPORT.is_file():
        return None
    report: dict[str, Any] = json.loads(REPORT.read_text(encoding="utf-8"))
    if not (report.get("ok") and report.get("checked") and report.get("sandbox")):
        return None
    if report.get("fingerprint") != pkg_checks.source_fingerprint(ROOT):
        return None
    for key in ("tarball", "deb"):
        path = Path(report[key]["path"])
        if not path.is_file() or pkg_checks.file_sha256(path) != report[key]["sha256"]:
            return None
    return report


@pytest.fixture(scope="module")
def build() -> dict[str, Any]:
    """The report of a passing build of these sources: reused, or made now by packaging/build.py."""
    with pkg_checks.build_lock(ROOT / "build"):  # a build running elsewhere finishes first
        report = _reusable()
    if report is not None:
        print(f"reusing the build in {DIST} (same inputs, checks passed)")
        return report
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"packaging/build.py failed:\n{output[-6000:]}"
    assert "Budgets:" in output and "ok    .tar.gz size" in output and "ok    start to paint" in output
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    assert report["ok"] is True
    return report


@pytest.fixture(scope="module")
def unpacked(build: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("tarball")
    with tarfile.open(build["tarball"]["path"]) as tar:
        tar.extractall(target, filter="tar")
    yield target / TOP
    shutil.rmtree(target, ignore_errors=True)


def _self_test(command: list[str], endpoint_url: str | None, home: Path) -> subprocess.CompletedProcess[str]:
    env = pkg_checks.clean_env(VERIFYDESK_HOME=str(home))
    env.pop("VERIFYDESK_SELFTEST_ENDPOINT_URL", None)
    if endpoint_url:
        env["VERIFYDESK_SELFTEST_ENDPOINT_URL"] = endpoint_url
    return subprocess.run([*command, "self-test"], env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def test_build_ran_every_self_test_and_met_the_budgets(build: dict[str, Any]) -> None:
    runs = build["self_test"]
    assert {(r["artefact"].split()[0], r["sandbox"]) for r in runs} == {
        (".tar.gz", "source sandbox"), (".tar.gz", "embedded sandbox"), (".deb", "embedded sandbox"),
    }
    assert all(r["returncode"] == 0 for r in runs)
    assert build["tarball"]["bytes"] <= pkg_checks.TARBALL_BUDGET_MB * pkg_checks.MB
    assert build["startup"]["ratio"] <= pkg_checks.STARTUP_BUDGET_RATIO


def test_unpacked_tarball_passes_its_self_test_against_the_source_sandbox(
    unpacked: Path, sandbox_info: Any, tmp_path: Path
) -> None:
    result = _self_test([str(unpacked / "verifydesk")], sandbox_info.endpoint_url, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"VerifyDesk {__version__} self-test (bundle," in output
    assert f"{sandbox_info.endpoint_url} (given)" in output
    assert "ok    main window" in output
    assert "ok    boto3 client" in output
    assert "email_verified is now true" in output


def test_tarball_holds_a_trimmed_stripped_bundle(build: dict[str, Any], unpacked: Path) -> None:
    internal = unpacked / "_internal"
    models = {p.name for p in (internal / "botocore" / "data").iterdir() if p.is_dir()}
    assert models == {"cognito-idp", "logs", "s3", "sts", "sso", "sso-oidc", "ses", "sesv2", "sns", "lambda"}
    assert not (internal / "boto3" / "data").exists()
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    assert {p.name for p in (qt / "plugins" / "platforms").iterdir()} == {"libqxcb.so", "libqoffscreen.so"}
    libs = {p.name for p in (qt / "lib").iterdir()}
    assert not {n for n in libs if re.match(r"libQt6(Network|Qml|Quick|Pdf|Wayland|OpenGL|Sql)", n)}
    assert (internal / "LICENSE").is_file() and (internal / "THIRD-PARTY-NOTICES.txt").is_file()
    assert (internal / "resources" / "verifydesk.svg").is_file()
    # stripped: no symbol table left in the big Qt libraries
    sections = subprocess.run(["readelf", "-S", str(qt / "lib" / "libQt6Widgets.so.6")],
                              capture_output=True, text=True, check=True).stdout
    assert ".symtab" not in sections
    # the sandbox's trigger host and demo handler ship as files (they run in a child Python)
    assert (internal / "app" / "sandbox" / "handler_host.py").is_file()
    assert (internal / "app" / "sandbox" / "demo_trigger.py").is_file()


def test_deb_control_fields(build: dict[str, Any]) -> None:
    deb = build["deb"]["path"]

    def field(name: str) -> str:
        return subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True, text=True,
                              check=True).stdout.strip()

    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert field("Package") == "verifydesk"
    assert field("Version") == __version__
    assert field("Architecture") == arch
    assert re.fullmatch(r"[^<>]+ <[^@\s]+@[^@\s]+>", field("Maintainer"))
    synopsis, *extended = field("Description").splitlines()
    assert 0 < len(synopsis) <= 80 and extended
    assert int(field("Installed-Size")) > 50_000  # KiB: the whole bundle is in it
    depends = {alt.strip().split()[0] for entry in field("Depends").split(",") for alt in entry.split("|")}
    assert {"libc6", "libgl1", "libegl1", "libxcb1", "libxcb-cursor0", "libxkbcommon-x11-0",
            "libfontconfig1", "fontconfig-config", "fonts-dejavu-core", "xkb-data"} <= depends
    assert re.search(r"libc6 \(>= 2\.\d+\)", field("Depends"))


def test_deb_file_list_owners_and_modes(build: dict[str, Any]) -> None:
    listing = subprocess.run(["dpkg-deb", "-c", build["deb"]["path"]], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    entries = {}
    for line in listing:
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path.rstrip("/") or "."] = (mode, owner, target)
    assert {owner for _mode, owner, _t in entries.values()} == {"root/root"}
    assert entries["./opt/verifydesk/verifydesk"][0] == "-rwxr-xr-x"
    assert entries["./usr/bin/verifydesk"][0].startswith("l")
    assert entries["./usr/bin/verifydesk"][2] == "/opt/verifydesk/verifydesk"
    assert entries["./usr/share/applications/verifydesk.desktop"][0] == "-rw-r--r--"
    for size in ("16x16", "32x32", "48x48", "128x128", "256x256", "512x512"):
        assert entries[f"./usr/share/icons/hicolor/{size}/apps/verifydesk.png"][0] == "-rw-r--r--"
    assert "./usr/share/icons/hicolor/scalable/apps/verifydesk.svg" in entries
    assert "./usr/share/doc/verifydesk/copyright" in entries
    assert not [p for p in entries if not p.startswith(("./opt/verifydesk", "./usr/"))
                and p not in {".", "./opt", "./usr"}]
    assert not [p for p, (mode, _o, _t) in entries.items() if mode[0] != "l" and mode[8] == "w"]
    assert not [p for p, (mode, _o, _t) in entries.items() if mode[0] == "d" and mode != "drwxr-xr-x"]
    # the system's copies of the declared xcb libraries are used, not bundled ones
    assert not [p for p in entries if re.search(r"/_internal/libxcb-cursor\.so", p)]


def test_deb_extracted_with_dpkg_runs_its_self_test_through_the_usr_bin_link(
    build: dict[str, Any], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", build["deb"]["path"], str(root)], check=True)
    link = root / "usr" / "bin" / "verifydesk"
    target = root / os.readlink(link).lstrip("/")  # the absolute link, resolved inside the root
    assert target.is_file() and os.access(target, os.X_OK)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "verifydesk").symlink_to(target)
    result = _self_test([str(bin_dir / "verifydesk")], None, tmp_path / "home")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "(started in this process)" in output  # the embedded sandbox of the installed package
    assert "self-test passed" in output


def test_bundled_sandbox_starts_with_the_demo_trigger(unpacked: Path, tmp_path: Path) -> None:
    if shutil.which("python3") is None:
        pytest.skip("handler files need a Python 3 on PATH")
    env = pkg_checks.clean_env(VERIFYDESK_HOME=str(tmp_path))
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([str(unpacked / "verifydesk"), "sandbox", "--trigger-endpoint", "demo"],
                                env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            assert proc.stdout is not None
            line = pkg_checks.LineReader(proc.stdout).next(60)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert line, log.read_text()
    info = json.loads(line)
    assert info["endpoint_url"].startswith("http://127.0.0.1:")
    assert info["trigger_function"]
