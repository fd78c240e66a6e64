"""The packaging recipe without building a bundle: what the trimming keeps, the icons, the .deb checker,
the Windows/macOS recipes and the CI workflow (which cannot run here) are consistent with the code."""

from __future__ import annotations

import ast
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pkg_icons
import pkg_linux
import pkg_trim
import pkg_winver
import pytest
import yaml

from app.selftest import BOTOCORE_SERVICES, SANDBOX_BOTOCORE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = frozenset(BOTOCORE_SERVICES) | frozenset(SANDBOX_BOTOCORE_SERVICES)


def _client_services_in(source: str) -> set[str]:
    """Service names the code creates botocore clients for: `.client("x"`, `.create_client("x"`,
    `admin_client("x"`, and `Literal[...]` service parameters."""
    found = set(re.findall(r"""(?:\.client|\.create_client|admin_client)\(\s*["']([a-z0-9-]+)["']""", source))
    for literal in re.findall(r"service: Literal\[([^\]]+)\]", source):
        found |= set(re.findall(r"""["']([a-z0-9-]+)["']""", literal))
    return found


def test_every_service_the_app_makes_a_client_for_keeps_its_botocore_model() -> None:
    used: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        used |= _client_services_in(path.read_text(encoding="utf-8"))
    assert {"cognito-idp", "logs"} <= used  # the scan finds what we know is there
    assert used <= SERVICES, f"bundle would miss the botocore models of {sorted(used - SERVICES)}"


def test_client_scan_sees_new_services() -> None:
    assert _client_services_in('x = session.client("lambda", endpoint_url=u)') == {"lambda"}
    assert _client_services_in('x = session.create_client(\n    "sts", config=c)') == {"sts"}
    assert _client_services_in('service: Literal["cognito-idp", "logs"],') == {"cognito-idp", "logs"}


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("botocore/data/cognito-idp/2016-04-18/service-2.json.gz", True),
        ("botocore/data/sso-oidc/2019-06-10/service-2.json.gz", True),
        ("botocore/data/endpoints.json", True),
        ("botocore/data/ec2/2016-11-15/service-2.json.gz", False),
        ("botocore/data/lambda/2015-03-31/service-2.json.gz", True),
        ("botocore/data/dynamodb/2012-08-10/service-2.json.gz", False),
        ("boto3/data/s3/2006-03-01/resources-1.json", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt6Pdf.dll", False),
    ],
)
def test_trimming_keeps_what_the_app_uses_and_drops_the_rest(dest: str, kept: bool) -> None:
    assert pkg_trim.keep(dest, SERVICES) is kept


@pytest.mark.slow
def test_the_sandbox_loads_only_moto_packages_the_bundle_keeps(tmp_path: Path) -> None:
    """A fresh interpreter runs the bundled sandbox's work (round trip, trigger logs) from source."""
    env = {**os.environ, "VERIFYDESK_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("sandbox_probe.py"))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"cognitoidp", "logs", "core"} <= loaded
    # Plain modules (settings.py, backends.py) are never excluded; only packages are.
    excluded = set(name.split(".", 1)[1] for name in pkg_trim.moto_excludes(
        pkg_trim.SANDBOX_MOTO_SERVICES + pkg_trim.SANDBOX_MOTO_SUPPORT))
    assert not loaded & excluded, f"the bundle would exclude moto.{sorted(loaded & excluded)}"


def test_sandbox_script_files_exist() -> None:
    for name in pkg_trim.SANDBOX_SCRIPT_FILES:
        assert (ROOT / "app" / "sandbox" / name).is_file()


def test_icons_hold_every_size_each_platform_needs(qapp: object, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    written = pkg_icons.generate(tmp_path)
    for size in pkg_icons.PNG_SIZES:
        image = QImage(str(written[f"png{size}"]))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(0, 0).alpha() == 0  # transparent corner: the icon is not a square
        assert image.pixelColor(size // 2, size // 2).alpha() == 255

    ico = written["ico"].read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(pkg_icons.ICO_SIZES))
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _planes, bits, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * i)
        sizes.append(width or 256)
        assert bits == 32
        assert offset + length <= len(ico)
    assert sorted(sizes) == sorted(pkg_icons.ICO_SIZES)

    icns = written["icns"].read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    kinds, pos = [], 8
    while pos < len(icns):
        kind, length = icns[pos:pos + 4], struct.unpack(">I", icns[pos + 4:pos + 8])[0]
        assert icns[pos + 8:pos + 12] == b"\x89PNG"
        kinds.append(kind)
        pos += length
    assert pos == len(icns)
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= set(kinds)


@pytest.mark.linux_only
def test_desktop_entry_is_valid() -> None:
    validator = "/usr/bin/desktop-file-validate"
    if not Path(validator).exists():
        pytest.skip("desktop-file-utils is not installed")
    result = subprocess.run([validator, str(ROOT / "resources" / "verifydesk.desktop")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def _stage_deb(tmp_path: Path, *, mode: int = 0o644, link: str = "/opt/verifydesk/verifydesk") -> Path:
    """A tiny .deb shaped like ours (a shell script stands in for the bundle)."""
    root = tmp_path / "root"
    opt = root / "opt" / "verifydesk"
    (opt / "_internal").mkdir(parents=True)
    launcher = opt / "verifydesk"
    launcher.write_text("#!/bin/sh\nexit 0\n")
    launcher.chmod(0o755)
    for name in ("LICENSE", "THIRD-PARTY-NOTICES.txt"):
        (opt / "_internal" / name).write_text("text\n")
        (opt / "_internal" / name).chmod(mode)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "verifydesk").symlink_to(link)
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    (apps / "verifydesk.desktop").write_bytes((ROOT / "resources" / "verifydesk.desktop").read_bytes())
    for size in pkg_linux.ICON_SIZES:
        folder = root / f"usr/share/icons/hicolor/{size}/apps"
        folder.mkdir(parents=True)
        (folder / f"verifydesk.{'svg' if size == 'scalable' else 'png'}").write_bytes(b"icon")
    doc = root / "usr/share/doc/verifydesk"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("MIT\n")
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
        elif not path.is_symlink() and path != launcher and path.parent.name != "_internal":
            path.chmod(0o644)
    (root / "DEBIAN").mkdir()
    arch = pkg_linux.deb_architecture()
    (root / "DEBIAN" / "control").write_text(
        f"Package: verifydesk\nVersion: 9.9.9\nArchitecture: {arch}\nMaintainer: {pkg_linux.MAINTAINER}\n"
        f"Installed-Size: 1\nDepends: {', '.join(pkg_linux.DEPENDS)}\nDescription: {pkg_linux.DESCRIPTION}\n"
    )
    (root / "DEBIAN" / "md5sums").write_text(pkg_linux.md5sums(root))
    deb = tmp_path / "test.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)],
                   check=True, capture_output=True)
    return deb


@pytest.mark.linux_only
def test_deb_check_passes_a_well_formed_package(tmp_path: Path) -> None:
    check = pkg_linux.check_deb(_stage_deb(tmp_path), version="9.9.9", extract_to=tmp_path / "x")
    assert check.problems == []
    assert check.launcher == tmp_path / "x" / "opt" / "verifydesk" / "verifydesk"


@pytest.mark.linux_only
def test_deb_check_reports_wrong_version_permissions_and_a_dangling_link(tmp_path: Path) -> None:
    deb = _stage_deb(tmp_path, mode=0o666, link="/opt/verifydesk/missing")
    problems = "\n".join(pkg_linux.check_deb(deb, version="1.0.0", extract_to=tmp_path / "x").problems)
    assert "Version: '9.9.9', expected '1.0.0'" in problems
    assert "LICENSE is world-writable" in problems
    assert "/usr/bin/verifydesk is not a link to /opt/verifydesk/verifydesk" in problems
    assert "does not resolve to an executable file" in problems


def _pyinstaller_version_classes() -> dict[str, list[str]]:
    """The constructors PyInstaller evaluates a version file with, and their parameters (read from its
    source: the module itself imports Windows-only packages)."""
    import PyInstaller

    source = Path(PyInstaller.__file__).parent / "utils" / "win32" / "versioninfo.py"
    classes = {}
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    classes[node.name] = [arg.arg for arg in item.args.args[1:]]
    return classes


def _recorder(name: str, params: list[str]) -> Any:
    def build(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if len(args) > len(params) or set(kwargs) - set(params):
            raise TypeError(f"{name}{args, kwargs} does not fit {name}({', '.join(params)})")
        return {"type": name, **dict(zip(params, args, strict=False)), **kwargs}

    return build


def test_windows_version_file_fits_pyinstallers_structures(tmp_path: Path) -> None:
    assert pkg_winver.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert pkg_winver.version_tuple("1.2rc1") == (1, 2, 0, 0)
    text = pkg_winver.write(tmp_path / "v.txt", "1.2.3").read_text(encoding="utf-8")
    namespace = {name: _recorder(name, params) for name, params in _pyinstaller_version_classes().items()}
    assert {"VSVersionInfo", "FixedFileInfo", "StringStruct"} <= set(namespace)
    info = eval(text, namespace)  # noqa: S307 (how PyInstaller reads it; our own generated text)
    assert info["type"] == "VSVersionInfo"
    assert info["ffi"]["type"] == "FixedFileInfo"
    assert info["ffi"]["filevers"] == info["ffi"]["prodvers"] == (1, 2, 3, 0)
    strings = {kid["name"]: kid["val"] for kid in info["kids"][0]["kids"][0]["kids"]}
    assert strings["ProductVersion"] == strings["FileVersion"] == "1.2.3"
    assert strings["OriginalFilename"] == "VerifyDesk.exe"


def test_inno_setup_script_reads_only_values_the_build_passes(tmp_path: Path) -> None:
    import build

    script = (ROOT / "packaging" / "windows" / "verifydesk.iss").read_text(encoding="utf-8")
    used = set(re.findall(r"\{#(\w+)\}", script)) | set(re.findall(r"#ifndef (\w+)", script))
    passed = set(build.inno_defines(tmp_path, tmp_path, tmp_path, "setup"))
    assert used == passed
    assert r"{app}\VerifyDesk.exe" in script  # the windowed executable the spec names APP_NAME


def test_macos_bundle_has_icon_and_version_in_the_spec() -> None:
    spec = (ROOT / "packaging" / "verifydesk.spec").read_text(encoding="utf-8")
    bundle = spec[spec.index("BUNDLE("):]
    assert 'icon=str(ICONS / "verifydesk.icns")' in bundle
    assert '"CFBundleShortVersionString": __version__' in bundle


def test_workflow_builds_on_three_oses_with_actions_pinned_by_commit() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "package.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["package"]
    oses = [entry["os"] for entry in job["strategy"]["matrix"]["include"]]
    assert [o.split("-")[0] for o in oses] == ["ubuntu", "windows", "macos"]
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action} is not pinned by SHA"
    assert any(step["uses"].startswith("actions/upload-artifact@") for step in job["steps"] if "uses" in step)
    scripts = " ".join(step.get("run", "") for step in job["steps"])
    assert "make package" in scripts
    assert scripts.count("packaging/build.py") + scripts.count("packaging\\build.py") == 2
