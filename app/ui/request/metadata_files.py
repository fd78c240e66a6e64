"""Import, paste, copy and export of the ClientMetadata grid (part of `MetadataEditor`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QTableView, QWidget

from app.core.atomic import atomic_write_text
from app.core.validation import (
    METADATA_FILE_MAX_BYTES,
    MetadataImportError,
    metadata_from_rows,
    parse_metadata_bytes,
    parse_metadata_text,
)
from app.core.wording import plural
from app.ui.request.metadata_model import MetadataModel

MAX_IMPORT_BYTES = METADATA_FILE_MAX_BYTES
"""Largest JSON file (or pasted text) accepted; bigger ones are refused with their size named (the
CLI's --metadata-file has the same limit)."""
MESSAGE_MAX = 240


def short(text: str, limit: int = MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class MetadataFiles:
    """Import and paste (merged into the grid), copy, and export (atomic) of the grid's ClientMetadata."""

    # Provided by MetadataEditor (whose own definitions take precedence over these).
    _model: MetadataModel

    def _set_status(self, message: str | None, *, error: bool = False) -> None:
        raise NotImplementedError

    table: QTableView

    def _open_import_dialog(self) -> None:
        dialog = QFileDialog(cast(QWidget, self), "Import ClientMetadata", str(Path.home()),
                             "JSON files (*.json);;All files (*)")
        dialog.setObjectName("metadataImportDialog")
        dialog.setAccessibleName("Choose a JSON file to import")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.import_file(Path(name)))
        dialog.open()

    def _open_export_dialog(self) -> None:
        if not self._can_export():
            return
        dialog = QFileDialog(cast(QWidget, self), "Export ClientMetadata",
                             str(Path.home() / "client-metadata.json"), "JSON files (*.json)")
        dialog.setObjectName("metadataExportDialog")
        dialog.setAccessibleName("Choose where to write the JSON file")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_file(Path(name)))
        dialog.open()

    def import_file(self, path: Path) -> bool:
        """Merge a JSON file's object into the grid; a refused file changes nothing."""
        name = path.name
        try:
            size = path.stat().st_size
            if size > MAX_IMPORT_BYTES:
                self._set_status(
                    f"Import refused: {name} is {megabytes(size)}; "
                    f"metadata files up to {megabytes(MAX_IMPORT_BYTES)} can be imported.",
                    error=True,
                )
                return False
            with path.open("rb") as handle:
                raw = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            self._set_status(f"Import refused: cannot read {name}: {exc.strerror or exc}.", error=True)
            return False
        if len(raw) > MAX_IMPORT_BYTES:
            limit = megabytes(MAX_IMPORT_BYTES)
            self._set_status(f"Import refused: {name} is larger than {limit}.", error=True)
            return False
        try:
            metadata = parse_metadata_bytes(raw)
        except MetadataImportError as exc:
            self._set_status(f"Import refused, the grid is unchanged: {name}: {exc.message}", error=True)
            return False
        self._merge(metadata, f"Imported {name}:")
        return True

    def _can_export(self) -> bool:
        problems = self._model.problems()
        if problems:
            first = problems[0]
            self._set_status(
                f"Export refused: fix row {first.row + 1} first ({short(first.message, 120).rstrip('.')}).",
                error=True,
            )
            return False
        return True

    def export_file(self, path: Path) -> bool:
        """Write the grid's ClientMetadata to `path` as a JSON object (atomically)."""
        if not self._can_export():
            return False
        metadata = self._model.metadata()
        try:
            atomic_write_text(path, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", mode=0o644)
        except OSError as exc:
            self._set_status(f"Export failed: cannot write {path.name}: {exc.strerror or exc}.", error=True)
            return False
        count = len(metadata)
        self._set_status(f"Exported {count} {plural(count, 'key')} to {path}.", error=False)
        return True

    def _selected_rows(self) -> list[int]:
        rows: set[int] = set()
        selection = self.table.selectionModel().selection()
        for number in range(selection.count()):  # ranges, not indexes: cheap with 10,000 rows
            selected = selection.at(number)
            rows.update(range(selected.top(), selected.bottom() + 1))
        current = self.table.currentIndex()
        if not rows and current.isValid():
            rows.add(current.row())
        return sorted(rows)

    def copy_selection(self) -> None:
        """One cell: its text; several: the selected rows as a JSON object (pastes back)."""
        indexes = self.table.selectionModel().selectedIndexes()
        clipboard = QGuiApplication.clipboard()
        if len(indexes) == 1:
            clipboard.setText(str(self._model.data(indexes[0], Qt.ItemDataRole.EditRole)))
            return
        rows = [self._model.row_at(row) for row in self._selected_rows()]
        if rows:
            clipboard.setText(json.dumps(metadata_from_rows(rows), ensure_ascii=False, indent=2))

    def paste_from_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Merge a JSON object or key=value lines into the grid; on refusal nothing changes."""
        if len(text) > MAX_IMPORT_BYTES:
            self._set_status(
                f"Paste refused: the clipboard holds {megabytes(len(text))} of text; "
                f"up to {megabytes(MAX_IMPORT_BYTES)} can be pasted.",
                error=True,
            )
            return False
        try:
            metadata = parse_metadata_text(text)
        except MetadataImportError as exc:
            if self._paste_into_cell(text):
                return True
            self._set_status(f"Paste refused, the grid is unchanged: {exc.message}", error=True)
            return False
        self._merge(metadata, "Pasted")
        return True

    def _paste_into_cell(self, text: str) -> bool:
        """Plain single-line text (no `=`, not JSON) goes into the current cell, as in a sheet."""
        current = self.table.currentIndex()
        single = text.strip()
        if not current.isValid() or not single or "\n" in single or "=" in single or single[0] in "{[":
            return False
        return self._model.setData(current, text.rstrip("\r\n"))

    def _merge(self, metadata: dict[str, str], verb: str) -> None:
        added, updated = self._model.merge(metadata)
        parts = [f"{len(added)} added"]
        if updated:
            names = ", ".join(repr(key) for key in updated[:5]) + (" …" if len(updated) > 5 else "")
            parts.append(f"{len(updated)} updated ({names})")
        count = len(metadata)
        self._set_status(f"{verb} {count} {plural(count, 'key')}: {', '.join(parts)}.", error=False)
