"""THIRD-PARTY-NOTICES.txt for a bundle: every distribution whose code PyInstaller collected.

Computed from the analysis itself (module names -> installed distributions -> licence metadata), so
the list follows what is really shipped, sandbox or not.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

_HEADER = """VerifyDesk is released under the MIT License (LICENSE beside this file).

This bundle also contains the following components, each under its own licence. Qt and PySide6 are
used under the GNU LGPL v3: their libraries are shipped as separate shared libraries in this folder
and can be replaced by compatible builds; their sources are at https://download.qt.io/ and
https://code.qt.io/. Licence texts of each component are in its source distribution.

"""


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get_all("License-Expression")
    if expression:
        return str(expression[0])
    classifiers = [
        c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    if classifiers:
        return "; ".join(classifiers)
    text = (meta.get_all("License") or [""])[0].strip()
    return text.splitlines()[0][:80] if text else "see the distribution"


def top_level_names(module_names: Iterable[str], binary_dests: Iterable[str]) -> set[str]:
    names = {name.split(".")[0] for name in module_names}
    for dest in binary_dests:
        first = dest.replace("\\", "/").split("/")[0]
        names.add(first.split(".")[0])
    return names


def notices(top_levels: Iterable[str]) -> str:
    mapping = metadata.packages_distributions()
    dists: dict[str, str] = {}
    for name in top_levels:
        for dist_name in mapping.get(name, []):
            if dist_name.lower() == "verifydesk":
                continue
            try:
                dist = metadata.distribution(dist_name)
            except metadata.PackageNotFoundError:
                continue
            dists[dist.metadata["Name"]] = f"{dist.version:<14} {_licence(dist)}"
    lines = [f"{'Python':<28} {platform.python_version():<14} PSF-2.0"]
    lines += [f"{name:<28} {detail}" for name, detail in sorted(dists.items(), key=lambda kv: kv[0].lower())]
    return _HEADER + "\n".join(lines) + "\n"


def write(path: Path, module_names: Iterable[str], binary_dests: Iterable[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notices(top_level_names(module_names, binary_dests)), encoding="utf-8")
    return path
