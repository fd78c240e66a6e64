"""Linux artefacts from the PyInstaller bundle: a .tar.gz and a .deb, and the check of its Depends.

The .tar.gz carries every library PyInstaller collected, so it runs on other distributions too.
The .deb installs the same bundle in /opt/verifydesk, links /usr/bin/verifydesk to it, and adds the
.desktop entry and hicolor icons (dpkg triggers refresh the menu and icon caches). Its `Depends`
lists what the bundle does not carry (the C library, GL/EGL and libxcb, which PyInstaller never
bundles), the X11/xcb libraries Qt's xcb platform plugin loads, fontconfig and FreeType, and data
read from the system (fontconfig's configuration, a font, XKB); the bundle's own copies of libraries
from those packages are left out of the .deb, so apt's copies (with their security updates) are used.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterable
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
    # Qt's xcb platform plugin and what it loads (see ../shared/NOTES.md, measured with QT_DEBUG_PLUGINS)
    "libx11-6", "libx11-xcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render0", "libxcb-render-util0", "libxcb-shape0", "libxcb-shm0",
    "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0", "libxcb-xkb1", "libxkbcommon0", "libxkbcommon-x11-0",
    "libfontconfig1",
    "libfreetype6",
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
    unbundled: list[str]


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


def owning_packages(sonames: Iterable[str]) -> dict[str, str | None]:
    """The Debian package that ships each soname on this machine (usrmerge-aware), or None."""
    listing = _output(["ldconfig", "-p"])
    candidates: dict[str, list[str]] = {}
    for soname in sonames:
        match = re.search(rf"^\s*{re.escape(soname)} \(.*?\) => (\S+)$", listing, re.M)
        if match:
            real = os.path.realpath(match.group(1))
            paths = [real, match.group(1)]
            if real.startswith("/usr/"):
                paths.append(real[len("/usr"):])
            candidates[soname] = paths
    everything = sorted({path for paths in candidates.values() for path in paths})
    owners: dict[str, str] = {}
    if everything:
        for line in _output(["dpkg", "-S", *everything]).splitlines():
            package, _, path = line.partition(": ")
            owners[path.strip()] = package.split(":")[0].strip()
    return {
        soname: next((owners[p] for p in candidates.get(soname, []) if p in owners), None)
        for soname in sonames
    }


def declared_packages(depends: Iterable[str] = DEPENDS) -> set[str]:
    return {alt.split()[0] for entry in depends for alt in entry.split(" | ")}


def depends_problems(root: Path, depends: list[str] = DEPENDS) -> list[str]:
    """Libraries the bundle needs from the system whose package is not in `depends`."""
    declared = declared_packages(depends)
    needed = needed_libraries(root)
    owners = owning_packages(needed)
    problems = []
    for soname, users in sorted(needed.items()):
        package = owners[soname]
        if package is None:
            problems.append(f"{soname} (needed by {users[0]}) is not installed here: cannot tell its package")
        elif package not in declared:
            problems.append(f"{soname} (needed by {users[0]}) comes from {package}, not in Depends")
    return problems


def unbundle_declared(root: Path, depends: list[str] = DEPENDS) -> list[str]:
    """Delete the bundled copies of libraries whose Debian package is in `depends`; their names."""
    declared = declared_packages(depends)
    bundled = {p.name: p for p in (root / "_internal").glob("*.so*") if p.is_file()}
    owners = owning_packages(bundled)
    removed = sorted(name for name, package in owners.items() if package in declared)
    for name in removed:
        bundled[name].unlink()
    return removed


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


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(root).parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    return "".join(lines)


def make_deb(
    bundle: Path, *, icons: Path, resources: Path, licence: Path, out_dir: Path, stage: Path, version: str
) -> DebFacts:
    """Stage the file tree, write DEBIAN/control, build with `dpkg-deb --build --root-owner-group`."""
    if stage.exists():
        shutil.rmtree(stage)
    root = stage / "root"
    opt = root / "opt" / PACKAGE
    _install_tree(bundle, opt)
    unbundled = unbundle_declared(opt)
    problems = depends_problems(opt)
    if problems:
        raise RuntimeError(
            "the .deb's Depends misses libraries the bundle needs:\n  " + "\n  ".join(problems)
        )
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
    depends = depends_field(opt)
    control = (
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kib}\nDepends: {depends}\nSuggests: {', '.join(SUGGESTS)}\n"
        f"Section: devel\nPriority: optional\nDescription: {DESCRIPTION}\n"
    )
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(control, encoding="utf-8")
    (debian / "md5sums").write_text(md5sums(root), encoding="utf-8")  # for `dpkg --verify`
    for name in ("control", "md5sums"):
        (debian / name).chmod(0o644)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "-Zgzip", "--build", "--root-owner-group", str(root), str(deb)],
        check=True, capture_output=True, text=True,
    )
    return DebFacts(deb, version, arch, size_kib, depends, unbundled)


# --- checking a built .deb (a lintian-style pass of our own: lintian is not installed here) --------

ICON_SIZES = ("16x16", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512", "scalable")
REQUIRED_PATHS = (
    f"./opt/{PACKAGE}/{PACKAGE}",
    f"./opt/{PACKAGE}/_internal/LICENSE",
    f"./opt/{PACKAGE}/_internal/THIRD-PARTY-NOTICES.txt",
    f"./usr/bin/{PACKAGE}",
    f"./usr/share/applications/{PACKAGE}.desktop",
    f"./usr/share/doc/{PACKAGE}/copyright",
    *(f"./usr/share/icons/hicolor/{size}/apps/{PACKAGE}.{'svg' if size == 'scalable' else 'png'}"
      for size in ICON_SIZES),
)
ALLOWED_PREFIXES = (
    f"./opt/{PACKAGE}/", "./usr/bin/", "./usr/share/applications/", "./usr/share/icons/hicolor/",
    f"./usr/share/doc/{PACKAGE}/",
)
REQUIRED_DEPENDS = ("libc6", "libgl1", "libegl1", "libxcb1", "libxcb-cursor0", "libxkbcommon-x11-0",
                    "libfontconfig1", "fontconfig-config", "fonts-dejavu-core")


@dataclass(frozen=True)
class DebEntry:
    mode: str  # e.g. "-rwxr-xr-x", "lrwxrwxrwx", "drwxr-xr-x"
    owner: str  # "root/root"
    path: str  # "./opt/verifydesk/verifydesk"
    target: str | None  # symlink target


def deb_fields(deb: Path) -> dict[str, str]:
    """`dpkg-deb -f`: the control fields (continuation lines joined with newlines)."""
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True).stdout
    fields: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and name:
            fields[name] += "\n" + line
        elif ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
    return fields


def deb_contents(deb: Path) -> list[DebEntry]:
    """`dpkg-deb -c`: the file list with modes, owners and symlink targets."""
    text = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    entries = []
    for line in text.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries.append(DebEntry(mode, owner, path, target or None))
    return entries


def _field_problems(fields: dict[str, str], version: str, arch: str) -> list[str]:
    problems = []
    expected = {"Package": PACKAGE, "Version": version, "Architecture": arch}
    problems += [f"{k}: {fields.get(k)!r}, expected {v!r}" for k, v in expected.items() if fields.get(k) != v]
    if not re.fullmatch(r"[^<>]+ <[^@\s<>]+@[^@\s<>]+>", fields.get("Maintainer", "")):
        problems.append(f"Maintainer is not 'Name <address>': {fields.get('Maintainer')!r}")
    synopsis, *extended = fields.get("Description", "").split("\n")
    if not synopsis or len(synopsis) > 80 or synopsis.endswith("."):
        problems.append(f"Description synopsis must be one short line without a full stop: {synopsis!r}")
    if not extended:
        problems.append("Description has no extended description")
    if not fields.get("Installed-Size", "").isdigit():
        problems.append(f"Installed-Size is not a number: {fields.get('Installed-Size')!r}")
    declared = {alt.strip().split()[0] for entry in fields.get("Depends", "").split(",")
                for alt in entry.split("|") if alt.strip()}
    problems += [f"Depends lacks {name}" for name in REQUIRED_DEPENDS if name not in declared]
    return problems


def _entry_problems(entries: list[DebEntry]) -> list[str]:
    problems = []
    paths = {e.path.rstrip("/") if e.path != "./" else e.path for e in entries}
    problems += [f"missing {path}" for path in REQUIRED_PATHS if path not in paths]
    for e in entries:
        path = e.path
        if e.owner != "root/root":
            problems.append(f"{path} is owned by {e.owner}, not root/root")
        if path != "./" and not any(path.startswith(p) or p.startswith(path) for p in ALLOWED_PREFIXES):
            problems.append(f"{path} is outside the package's folders")
        if e.mode[0] == "l":
            continue
        if e.mode[8] == "w":
            problems.append(f"{path} is world-writable ({e.mode})")
        if "s" in e.mode[1:7].lower():
            problems.append(f"{path} is setuid/setgid ({e.mode})")
        if e.mode[0] == "d" and e.mode != "drwxr-xr-x":
            problems.append(f"directory {path} is {e.mode}, not drwxr-xr-x")
        if e.mode[0] == "-" and e.mode not in {"-rw-r--r--", "-rwxr-xr-x"}:
            problems.append(f"{path} is {e.mode}, not 0644 or 0755")
        if e.mode[0] == "-" and e.mode[3] == "x" and path.startswith("./usr/share/"):
            problems.append(f"{path} is executable under /usr/share")
    by_path = {e.path: e for e in entries}
    launcher = by_path.get(f"./opt/{PACKAGE}/{PACKAGE}")
    if launcher is not None and launcher.mode != "-rwxr-xr-x":
        problems.append(f"/opt/{PACKAGE}/{PACKAGE} is {launcher.mode}, not executable")
    link = by_path.get(f"./usr/bin/{PACKAGE}")
    if link is not None and (link.mode[0] != "l" or link.target != f"/opt/{PACKAGE}/{PACKAGE}"):
        problems.append(
            f"/usr/bin/{PACKAGE} is not a link to /opt/{PACKAGE}/{PACKAGE} ({link.mode} {link.target})"
        )
    return problems


def _desktop_problems(root: Path) -> list[str]:
    """The extracted .desktop entry: valid, runs our command, names an icon the package installs."""
    desktop = root / f"usr/share/applications/{PACKAGE}.desktop"
    if not desktop.is_file():
        return []  # reported as missing already
    problems = []
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(desktop)], check=False, capture_output=True, text=True)
        if result.returncode != 0 or "error:" in result.stdout:
            problems.append(f"desktop-file-validate: {result.stdout.strip()}")
    keys = dict(
        line.split("=", 1) for line in desktop.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    command = keys.get("Exec", "").split()[0] if keys.get("Exec") else ""
    if command not in {PACKAGE, f"/usr/bin/{PACKAGE}"}:
        problems.append(f".desktop Exec runs {command!r}, not {PACKAGE}")
    icon = keys.get("Icon", "")
    if not list((root / "usr/share/icons/hicolor").glob(f"*/apps/{icon}.*")):
        problems.append(f".desktop Icon {icon!r} is not among the installed hicolor icons")
    return problems


@dataclass(frozen=True)
class DebCheck:
    problems: list[str]
    fields: dict[str, str]
    entries: list[DebEntry]
    root: Path  # the `dpkg -x` extraction
    launcher: Path  # the extracted /opt/verifydesk/verifydesk that /usr/bin/verifydesk points to


def check_deb(deb: Path, *, version: str, extract_to: Path) -> DebCheck:
    """Control fields, file list, permissions, and the package extracted with `dpkg -x` (the /usr/bin
    link resolves inside it to an executable; the .desktop entry is valid)."""
    fields, entries = deb_fields(deb), deb_contents(deb)
    problems = _field_problems(fields, version, deb_architecture()) + _entry_problems(entries)
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], check=True, capture_output=True, text=True).stdout
    if not re.search(r"^\s+\d+ bytes,\s+\d+ lines\s+md5sums\s*$", info, re.M):
        problems.append("no md5sums control file (dpkg --verify could not check the installed files)")
    if extract_to.exists():
        shutil.rmtree(extract_to)
    subprocess.run(["dpkg", "-x", str(deb), str(extract_to)], check=True, capture_output=True)
    link = extract_to / "usr" / "bin" / PACKAGE
    launcher = extract_to / os.readlink(link).lstrip("/") if link.is_symlink() else link
    if not (launcher.is_file() and os.access(launcher, os.X_OK)):
        problems.append(f"/usr/bin/{PACKAGE} does not resolve to an executable file in the package")
    problems += _desktop_problems(extract_to)
    return DebCheck(problems, fields, entries, extract_to, launcher)
