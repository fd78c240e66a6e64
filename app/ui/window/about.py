"""Help → About: the icon, version, licence and the versions a bug report needs.

`show_about(parent)` opens one non-modal dialog per parent (a second call raises it). The icon and
licence come from the installed bundle or, from a source tree, from `resources/` and `LICENSE`.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__

_ICON_FILE = "verifydesk.svg"
NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"
_FALLBACK_LICENCE = "MIT License. The full text is in the LICENSE file of the VerifyDesk source."
_open_without_parent: list[AboutDialog] = []


def _base_dirs() -> list[Path]:
    """Where installed resources live: the PyInstaller bundle first, then the source tree."""
    dirs = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle))
    dirs.append(Path(__file__).resolve().parents[3])
    return dirs


def resource_path(*parts: str) -> Path | None:
    """A file under the bundle or source root (e.g. `resource_path("resources", "x.svg")`), or None."""
    for base in _base_dirs():
        candidate = base.joinpath(*parts)
        if candidate.is_file():
            return candidate
    return None


def app_icon() -> QIcon:
    """The VerifyDesk icon (scalable SVG); an empty icon when the file is missing."""
    path = resource_path("resources", _ICON_FILE)
    return QIcon(str(path)) if path else QIcon()


def licence_text() -> str:
    path = resource_path("LICENSE")
    if path:
        return path.read_text(encoding="utf-8")
    try:
        dist = metadata.distribution("verifydesk")
        text = dist.read_text("licenses/LICENSE") or dist.read_text("LICENSE")
    except metadata.PackageNotFoundError:
        text = None
    return text or _FALLBACK_LICENCE


def version_lines() -> list[str]:
    """The versions worth pasting into a bug report."""
    lines = [
        f"{APP_NAME} {__version__}",
        f"Qt {qVersion()} · PySide6 {pyside_version} · Python {platform.python_version()}",
    ]
    boto = [_dist_version(name) for name in ("boto3", "botocore")]
    if all(boto):
        lines.append(f"boto3 {boto[0]} · botocore {boto[1]}")
    build = "installed bundle" if getattr(sys, "frozen", False) else "from source"
    lines.append(f"{platform.system()} {platform.release()} {platform.machine()} ({build})")
    return lines


def _dist_version(name: str) -> str | None:
    """A package's version from its metadata, or from the module when already imported (a bundle
    keeps no metadata); None otherwise: the About box never imports boto3 just for this."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        module = sys.modules.get(name)
        return str(getattr(module, "__version__", "")) or None


class AboutDialog(QDialog):
    """Icon, name, version, licence; `Copy versions` puts the version lines on the clipboard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setModal(False)
        icon = app_icon()
        self.setWindowIcon(icon)

        icon_label = QLabel()
        icon_label.setObjectName("aboutIcon")
        if not icon.isNull():
            icon_label.setPixmap(icon.pixmap(96, 96))
        title = QLabel(f"<b style='font-size:16pt'>{APP_NAME}</b><br>version {__version__}")
        title.setObjectName("aboutVersion")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notices = resource_path(NOTICES_FILE)
        blurb = QLabel(
            "A workbench for Amazon Cognito's GetUserAttributeVerificationCode and "
            "VerifyUserAttribute.<br>Released under the MIT License. Third-party components keep "
            "their own licences" + (f" (listed in {notices})." if notices else ".")
        )
        blurb.setWordWrap(True)
        versions = QLabel("<br>".join(version_lines()[1:]))
        versions.setObjectName("aboutVersions")
        versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.licence_view = QPlainTextEdit(licence_text())
        self.licence_view.setObjectName("aboutLicence")
        self.licence_view.setReadOnly(True)
        self.licence_view.setMinimumHeight(180)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("aboutCloseButton")
        copy = QPushButton("Copy versions")
        copy.setObjectName("aboutCopyVersionsButton")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.close)

        header = QHBoxLayout()
        header.addWidget(icon_label, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(blurb)
        text.addWidget(versions)
        header.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.licence_view, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(version_lines()))


def build_about(parent: QWidget | None) -> AboutDialog:
    """A new About dialog (not shown)."""
    return AboutDialog(parent)


def show_about(parent: QWidget | None) -> AboutDialog:
    """Show the About dialog without blocking; one per parent, raised when already open."""
    existing = parent.findChild(AboutDialog) if parent is not None else None
    if existing is None and parent is None and _open_without_parent:
        existing = _open_without_parent[0]
    if existing is not None:
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    dialog = build_about(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _open_without_parent.append(dialog)
        dialog.destroyed.connect(lambda *_: _open_without_parent.clear())
    dialog.show()
    return dialog
