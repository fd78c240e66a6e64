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
    "tkinter", "_tkinter", "pydoc", "doctest", "lib2to3", "test",
    "IPython", "matplotlib", "numpy", "pandas", "PIL", "pytest", "_pytest", "hypothesis",
    "mypy", "ruff", "setuptools", "pkg_resources", "pip",
    "PyQt5", "PyQt6", "PySide2",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtDBus", "PySide6.QtConcurrent",
    "PySide6.QtPrintSupport", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools",
    "PySide6.QtStateMachine", "PySide6.QtSvgWidgets",
    # type stubs imported under TYPE_CHECKING
    "mypy_boto3_cognito_idp", "mypy_boto3_logs", "mypy_boto3_lambda", "botocore-stubs", "boto3-stubs",
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
# moto's own machinery, and the services its core imports on every request (IAM's account
# bookkeeping pulls in sts, s3, events and cloudwatch). Every other moto package is excluded:
# moto.backends names them all under TYPE_CHECKING, which PyInstaller would follow.
# tests/packaging/test_bundle_recipe.py checks this list against what a sandbox run loads.
SANDBOX_MOTO_SUPPORT = ("core", "moto_server", "moto_api", "utilities", "iam", "sts", "s3", "events",
                        "cloudwatch")
# Files app.sandbox.lambda_invoke runs by path with a Python from PATH (handler files are not imported).
SANDBOX_SCRIPT_FILES = ("handler_host.py", "demo_trigger.py")
SANDBOX_HIDDEN_IMPORTS = [
    "moto.backends", "moto.backend_index", "moto.moto_server.threaded_moto_server",
    "moto.moto_server.werkzeug_app", "moto.moto_api", "moto.moto_api._internal",
    *(f"moto.{service}" for service in SANDBOX_MOTO_SERVICES),
    *(f"moto.{service}.{part}" for service in SANDBOX_MOTO_SERVICES
      for part in ("models", "responses", "urls", "exceptions")),
]


def sandbox_datas() -> list[tuple[str, str]]:
    """moto's data files for the bundled packages (e.g. the keys that sign sandbox JWTs)."""
    import moto

    root = Path(moto.__file__).parent
    found = []
    for package in (*SANDBOX_MOTO_SERVICES, *SANDBOX_MOTO_SUPPORT):
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts:
                found.append((str(path), str(path.parent.relative_to(root.parent))))
    return found


def _is_root(dest: str) -> bool:
    """Binaries loaded by Python or Qt themselves: extension modules, Qt plugins, libpython."""
    path = dest.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    return (
        "/plugins/" in path
        or "lib-dynload/" in path
        or name.startswith("libpython")
        or bool(re.search(r"\.(cpython-[^.]+|abi3)\.so$|\.pyd$", name))
    )


def prune_unreachable(toc: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop shared libraries that no kept extension module or plugin links to (directly or not).

    PyInstaller resolves the dependencies of every plugin before the spec can drop the plugin, so
    e.g. GTK stays behind after the GTK theme plugin is gone. Linux only: the link graph comes from
    `ldd`, and the other platforms are not built here to prove the result.
    """
    from PyInstaller.depend.bindepend import get_imports  # type: ignore[import-untyped]

    by_name = {entry[0].replace("\\", "/").rsplit("/", 1)[-1]: entry for entry in toc}
    todo = [entry for entry in toc if _is_root(entry[0])]
    seen = {entry[0] for entry in todo}
    while todo:
        entry = todo.pop()
        for name, _path in get_imports(entry[1]):
            dep = by_name.get(name.rsplit("/", 1)[-1])
            if dep is not None and dep[0] not in seen:
                seen.add(dep[0])
                todo.append(dep)
    return [entry for entry in toc if entry[0] in seen]


def moto_excludes(keep: Iterable[str]) -> list[str]:
    """Every moto service package except `keep`: moto.backends names them all under TYPE_CHECKING,
    which PyInstaller follows."""
    import moto

    root = Path(moto.__file__).parent
    return sorted(
        f"moto.{path.name}" for path in root.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in set(keep)
    )
