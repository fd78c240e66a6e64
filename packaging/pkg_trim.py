"""What the bundle leaves out: unused botocore models, Qt modules, plugins and translations.

PyInstaller's hooks collect generously (all of botocore/data, every Qt plugin a module might load);
the spec passes its TOCs through `keep()` here. Everything kept is exercised by the bundle's
self-test: the botocore models it loads and the Qt plugins it uses offscreen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Python modules never needed at run time (excluded from analysis, so their imports are not followed).
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "unittest", "pydoc", "doctest", "lib2to3", "pdb", "test",
    "IPython", "matplotlib", "numpy", "pandas", "PIL", "pytest", "_pytest", "hypothesis",
    "mypy", "ruff", "setuptools", "pkg_resources", "pip",
    "PyQt5", "PyQt6", "PySide2",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtDBus", "PySide6.QtConcurrent",
    "PySide6.QtPrintSupport", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools",
    "PySide6.QtStateMachine", "PySide6.QtSvgWidgets",
]

# Qt plugins kept, by folder (everything in other folders is dropped): the desktop platform of each
# OS plus offscreen for the self-test; SVG and ICO images and icons; input methods (compose, ibus)
# for typing accented text; the portal theme for native file dialogs; the native widget styles.
_KEEP_PLUGINS: dict[str, re.Pattern[str]] = {
    "platforms": re.compile(r"^(lib)?q(xcb|offscreen|windows|cocoa)\.(so|dll|dylib)$"),
    "imageformats": re.compile(r"^(lib)?q(svg|ico)\.(so|dll|dylib)$"),
    "iconengines": re.compile(r"^(lib)?qsvgicon\.(so|dll|dylib)$"),
    "platforminputcontexts": re.compile(r"^(lib)?(compose|ibus)platforminputcontextplugin\.(so|dll|dylib)$"),
    "platformthemes": re.compile(r"^(lib)?qxdgdesktopportal\.(so|dll|dylib)$"),
    "styles": re.compile(r".*"),
}

# Qt shared libraries that only dropped plugins or excluded modules need.
_DROP_QT_LIBS = re.compile(
    r"(^|/)(lib)?Qt6(Wayland\w*|Wl\w*|EglFS\w*|EglFsKms\w*|Network|Qml\w*|Quick\w*|Labs\w*|Lottie\w*"
    r"|Pdf\w*|OpenGL\w*|Sql|Test|Xml|VirtualKeyboard\w*|Designer\w*|ShaderTools|SvgWidgets|PrintSupport"
    r"|Concurrent|Help|UiTools)(\.so[.\d]*|\.dll|\.dylib)?$"
)


def _botocore_keep(dest: str, services: frozenset[str]) -> bool:
    parts = dest.replace("\\", "/").split("/")
    if parts[:2] == ["boto3", "data"]:
        return False  # resource models: only `boto3.resource(...)` reads them
    if parts[:2] != ["botocore", "data"] or len(parts) <= 3:
        return True  # endpoints.json, partitions.json, _retry.json, sdk-default-configuration.json
    return parts[2] in services


def _qt_keep(dest: str) -> bool:
    path = dest.replace("\\", "/")
    if "/Qt/translations/" in path or path.endswith(".qm"):
        return False
    match = re.search(r"/plugins/([^/]+)/([^/]+)$", path)
    if match:
        pattern = _KEEP_PLUGINS.get(match.group(1))
        return bool(pattern and pattern.match(match.group(2)))
    return not _DROP_QT_LIBS.search(path)


def keep(dest: str, services: frozenset[str]) -> bool:
    """True when the bundle needs the file that would be installed at `dest`."""
    return _botocore_keep(dest, services) and _qt_keep(dest)


def filter_toc(toc: Iterable[tuple[str, str, str]], services: frozenset[str]) -> list[tuple[str, str, str]]:
    return [entry for entry in toc if keep(entry[0], services)]


# The embedded sandbox: moto finds its service backends by name at run time (importlib), which
# PyInstaller cannot see; only the services the sandbox serves are bundled.
SANDBOX_MOTO_SERVICES = ("cognitoidp", "logs")
SANDBOX_HIDDEN_IMPORTS = [
    "moto.backends", "moto.backend_index", "moto.moto_server.threaded_moto_server",
    "moto.moto_server.werkzeug_app", "moto.moto_api", "moto.moto_api._internal",
    *(f"moto.{service}" for service in SANDBOX_MOTO_SERVICES),
    *(f"moto.{service}.{part}" for service in SANDBOX_MOTO_SERVICES
      for part in ("models", "responses", "urls", "exceptions")),
]


def sandbox_datas() -> list[tuple[str, str]]:
    """moto's data files for the bundled services (e.g. the keys that sign sandbox JWTs)."""
    import moto

    root = Path(moto.__file__).parent
    found = []
    for service in SANDBOX_MOTO_SERVICES:
        for path in sorted((root / service).rglob("*")):
            if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts:
                found.append((str(path), str(path.parent.relative_to(root.parent))))
    return found
