"""The Windows version resource of verifydesk.exe (Explorer's Properties → Details), as the text file
PyInstaller's `EXE(version=...)` reads. Only the Windows build uses it (CI's windows job)."""

from __future__ import annotations

import re
from pathlib import Path

_TEMPLATE = """# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(filevers={tuple}, prodvers={tuple}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'VerifyDesk'),
      StringStruct('FileDescription', 'VerifyDesk'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', 'verifydesk'),
      StringStruct('LegalCopyright', 'MIT License'),
      StringStruct('OriginalFilename', 'VerifyDesk.exe'),
      StringStruct('ProductName', 'VerifyDesk'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """`0.1.0`, `1.2.3rc1` -> four integers (Windows wants exactly four, pre-release tags dropped)."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if match is None:
        raise ValueError(f"not a version: {version!r}")
    major, minor, micro = (int(part or 0) for part in match.groups())
    return major, minor, micro, 0


def write(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        _TEMPLATE.replace("{tuple}", repr(version_tuple(version))).replace("{version}", version),
        encoding="utf-8",
    )
    return path
