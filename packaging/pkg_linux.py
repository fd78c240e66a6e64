"""Linux artefacts from the PyInstaller bundle: a .tar.gz and a .deb, and the check of its Depends.

The .deb installs the bundle in /opt/verifydesk, links /usr/bin/verifydesk to it, and adds the
.desktop entry and hicolor icons (dpkg triggers refresh the menu and icon caches). `Depends` lists
what the bundle does not carry: the C library, the GL/EGL/xcb libraries PyInstaller never bundles,
and data the bundled libraries read from the system (fontconfig's configuration, a font, XKB).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "verifydesk"
# `.invalid` is reserved for names that must not resolve: set a real address before publishing.
MAINTAINER = "VerifyDesk maintainers <maintainers@verifydesk.invalid>"
# Alternatives separated by " | "; libc6 gets a minimum version from the binaries' symbols.
DEPENDS = [
    "libc6",
    "libgl1",
    "libegl1",
    "libxcb1",
    "fontconfig-config",
    "fonts-dejavu-core | fonts-liberation2 | fonts-noto-core",
    "xkb-data",
]
SUGGESTS = ["gnome-keyring"]
DESCRIPTION = """Workbench for Amazon Cognito attribute verification codes
 VerifyDesk signs in to a Cognito user pool as a user, sends
 GetUserAttributeVerificationCode with editable ClientMetadata, shows where the
 code went, verifies it, and keeps a searchable history of every attempt.
 It includes a local sandbox user pool, so no AWS account is needed to try it."""


@dataclass(frozen=True)
class DebFacts:
    path: Path
    version: str
    architecture: str
    installed_size_kib: int
    depends: str


def deb_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
    return info


def make_tarball(bundle: Path, out: Path, top: str) -> Path:
    """`bundle` as `top/…` in a gzip tarball, entries sorted, owners and times reset."""
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = sorted(bundle.rglob("*"))
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, recursive=False, filter=_reset)
        for path in paths:
            tar.add(path, arcname=f"{top}/{path.relative_to(bundle).as_posix()}", recursive=False,
                    filter=_reset)
    return out


def _output(command: list[str]) -> str:
    return subprocess.run(command, check=False, capture_output=True, text=True).stdout


def elf_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_libraries(root: Path) -> dict[str, list[str]]:
    """Shared libraries the bundle's ELF files link to but do not carry: soname -> users."""
    carried = {p.name for p in root.rglob("*.so*")}
    missing: dict[str, list[str]] = {}
    for path in elf_files(root):
        dynamic = _output(["readelf", "-d", str(path)])
        for soname in re.findall(r"\(NEEDED\).*\[(.+?)\]", dynamic):
            if soname not in carried:
                missing.setdefault(soname, []).append(str(path.relative_to(root)))
    return missing


def min_glibc(root: Path) -> str:
    """The newest GLIBC_x.y symbol version any bundled binary needs."""
    best = (2, 0)
    for path in elf_files(root):
        symbols = _output(["objdump", "-T", str(path)])
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", symbols):
            best = max(best, (int(major), int(minor)))
    return f"{best[0]}.{best[1]}"


def owning_package(soname: str) -> str | None:
    """The Debian package that ships `soname` on this machine (usrmerge-aware), or None."""
    listing = _output(["ldconfig", "-p"])
    match = re.search(rf"^\s*{re.escape(soname)} \(.*?\) => (\S+)$", listing, re.M)
    if not match:
        return None
    real = os.path.realpath(match.group(1))
    candidates = [real, match.group(1)]
    if real.startswith("/usr/"):
        candidates.append(real[len("/usr"):])
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], check=False, capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].strip()
    return None


def depends_problems(root: Path, depends: list[str] = DEPENDS) -> list[str]:
    """Libraries the bundle needs from the system whose package is not in `depends`."""
    declared = {alt.split()[0] for entry in depends for alt in entry.split(" | ")}
    problems = []
    for soname, users in sorted(needed_libraries(root).items()):
        package = owning_package(soname)
        if package is None:
            problems.append(f"{soname} (needed by {users[0]}) is not installed here: cannot tell its package")
        elif package.split(":")[0] not in declared:
            problems.append(f"{soname} (needed by {users[0]}) comes from {package}, not in Depends")
    return problems


def depends_field(root: Path) -> str:
    entries = [f"libc6 (>= {min_glibc(root)})" if d == "libc6" else d for d in DEPENDS]
    return ", ".join(entries)


def _install_tree(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, symlinks=True)
    for path in [dest, *dest.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or os.access(path, os.X_OK):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _copy(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def make_deb(
    bundle: Path, *, icons: Path, resources: Path, licence: Path, out_dir: Path, stage: Path, version: str
) -> DebFacts:
    """Stage the file tree, write DEBIAN/control, build with `dpkg-deb --build --root-owner-group`."""
    if stage.exists():
        shutil.rmtree(stage)
    root = stage / "root"
    _install_tree(bundle, root / "opt" / PACKAGE)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / PACKAGE).symlink_to(f"/opt/{PACKAGE}/{PACKAGE}")
    _copy(resources / "verifydesk.desktop", root / "usr/share/applications/verifydesk.desktop")
    for png in sorted(icons.glob("verifydesk-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        _copy(png, root / f"usr/share/icons/hicolor/{size}x{size}/apps/verifydesk.png")
    _copy(resources / "verifydesk.svg", root / "usr/share/icons/hicolor/scalable/apps/verifydesk.svg")
    copyright_text = (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: VerifyDesk\n\nFiles: *\nCopyright: The VerifyDesk authors\nLicense: MIT\n"
        + "".join(f" {line}".rstrip() + "\n" if line.strip() else " .\n"
                  for line in licence.read_text(encoding="utf-8").splitlines())
        + "\nThe bundled third-party components are listed, with their licences, in\n"
        f"/opt/{PACKAGE}/_internal/THIRD-PARTY-NOTICES.txt\n"
    )
    doc = root / f"usr/share/doc/{PACKAGE}/copyright"
    doc.parent.mkdir(parents=True)
    doc.write_text(copyright_text, encoding="utf-8")
    for directory in [root, *root.rglob("*")]:
        if directory.is_dir() and not directory.is_symlink():
            directory.chmod(0o755)

    arch = deb_architecture()
    size_kib = sum(
        (p.lstat().st_size + 1023) // 1024 for p in root.rglob("*") if not p.is_dir() or p.is_symlink()
    )
    depends = depends_field(bundle)
    control = (
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kib}\nDepends: {depends}\nSuggests: {', '.join(SUGGESTS)}\n"
        f"Section: devel\nPriority: optional\nDescription: {DESCRIPTION}\n"
    )
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(control, encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "-Zgzip", "--build", "--root-owner-group", str(root), str(deb)],
        check=True, capture_output=True, text=True,
    )
    return DebFacts(deb, version, arch, size_kib, depends)
