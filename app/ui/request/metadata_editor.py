"""The ClientMetadata editor: a key/value grid, paste/import/export, presets and a live preview.

Everything a tester types is checked by `app.core.validation`; problems show in the key cell (tint,
icon, tooltip) and on a message line under the grid naming the row. Dialogs open with `open()`
(never `exec()`), so the editor is safe inside a qasync window.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.atomic import atomic_write_text
from app.core.validation import (
    METADATA_FILE_MAX_BYTES,
    MetadataImportError,
    MetadataRow,
    RowProblem,
    metadata_from_rows,
    parse_metadata_bytes,
    parse_metadata_text,
)
from app.ui.request.metadata_model import KEY_COLUMN, MetadataModel

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = METADATA_FILE_MAX_BYTES
"""Largest JSON file (or pasted text) accepted; bigger ones are refused with their size named (the
CLI's --metadata-file has the same limit)."""
NO_METADATA_TEXT = "(no ClientMetadata: the parameter is omitted)"
_MESSAGE_MAX = 240
_PROBLEMS_SHOWN = 3
_PREVIEW_DELAY_MS = 30
PREVIEW_MAX_KEYS = 1000
"""Keys shown in the preview; a bigger map is summarised after these so typing stays fluid."""
PREVIEW_MAX_CHARS = 2000
"""Characters of one key or value shown in the preview."""
_ERROR_STYLE = "color: palette(text); background: rgba(220, 50, 47, 40); padding: 3px; border-radius: 3px;"
_INFO_STYLE = "color: palette(text); padding: 3px;"


class PresetStore(Protocol):
    """The preset half of `app.core.profiles.ProfileStore` (contract C)."""

    def list_presets(self, profile_name: str) -> dict[str, list[tuple[str, str]]]: ...

    def save_preset(self, profile_name: str, preset_name: str, rows: list[tuple[str, str]]) -> object: ...

    def delete_preset(self, profile_name: str, preset_name: str) -> object: ...


def _short(text: str, limit: int = _MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _preview_string(text: str, limit: int) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if len(quoted) <= limit:
        return quoted
    return f"{quoted[:limit]}… (+{len(quoted) - limit:,} characters, sent in full)"


def preview_json(
    metadata: dict[str, str], max_keys: int = PREVIEW_MAX_KEYS, max_chars: int = PREVIEW_MAX_CHARS
) -> str:
    """The map as indented JSON (as `json.dumps(indent=2)` writes it). Past `max_keys` keys, or
    `max_chars` characters in one key or value, the rest is summarised, so typing stays fluid."""
    lines = [
        f"  {_preview_string(key, max_chars)}: {_preview_string(value, max_chars)}"
        for key, value in itertools.islice(metadata.items(), max_keys)
    ]
    hidden = len(metadata) - max_keys
    if hidden > 0:
        lines.append(f"  … {hidden:,} more keys, sent in full but not shown here")
    return "{\n" + ",\n".join(lines) + "\n}"


class MetadataTableView(QTableView):
    """The grid, with the editor's keyboard commands (Ins, Del, Ctrl+D, Ctrl+V, Ctrl+C)."""

    add_requested = Signal()
    remove_requested = Signal()
    duplicate_requested = Signal()
    paste_requested = Signal()
    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_requested.emit()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_requested.emit()
                return
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() == Qt.Key.Key_Insert and modifiers == Qt.KeyboardModifier.NoModifier:
                self.add_requested.emit()
                return
            if event.key() == Qt.Key.Key_Delete and modifiers == Qt.KeyboardModifier.NoModifier:
                self.remove_requested.emit()
                return
            if event.key() == Qt.Key.Key_D and modifiers == Qt.KeyboardModifier.ControlModifier:
                self.duplicate_requested.emit()
                return
        super().keyPressEvent(event)


class MetadataEditor(QWidget):
    """Edits the ClientMetadata sent with GetUserAttributeVerificationCode (contract D)."""

    changed = Signal()
    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metadataEditor")
        self._model = MetadataModel(self)
        self._valid = True
        self._status: tuple[str, bool] | None = None  # last action's message, is it an error
        self._preset_store: PresetStore | None = None
        self._profile_name: str | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(_PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._update_preview)
        self._build()
        self._model.rows_changed.connect(self._rows_changed)
        self._model.problems_changed.connect(self._show_messages)
        self._update_preview()
        self._update_buttons()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self._build_table()
        presets = self._build_presets()
        buttons = self._build_buttons()
        self._build_feedback()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(presets)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview)
        order: list[QWidget] = [
            self.preset_combo, self.save_preset_button, self.delete_preset_button, self.table,
            self.add_button, self.remove_button, self.duplicate_button, self.paste_button,
            self.import_button, self.export_button, self.preview,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

    def _build_table(self) -> None:
        self.table = MetadataTableView(self)
        self.table.setObjectName("metadataTable")
        self.table.setAccessibleName("ClientMetadata keys and values")
        self.table.setAccessibleDescription(
            "Insert adds a row, Delete removes the selected rows, Ctrl+D duplicates them, "
            "Ctrl+V pastes a JSON object or key=value lines, F2 edits a cell."
        )
        self.table.setModel(self._model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the grid; arrows move between cells
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.setCornerButtonEnabled(False)
        rows_header = self.table.verticalHeader()
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        rows_header.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows_header.setMinimumWidth(self.fontMetrics().horizontalAdvance("00000") + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(KEY_COLUMN, self.fontMetrics().horizontalAdvance("M" * 14))
        self.table.setMinimumHeight(140)
        self.table.add_requested.connect(self.add_row)
        self.table.remove_requested.connect(self.remove_selected_rows)
        self.table.duplicate_requested.connect(self.duplicate_selected_rows)
        self.table.paste_requested.connect(self.paste_from_clipboard)
        self.table.copy_requested.connect(self.copy_selection)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.selectionModel().currentChanged.connect(self._update_buttons)

    def _build_presets(self) -> QHBoxLayout:
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("metadataPresetCombo")
        self.preset_combo.setAccessibleName("ClientMetadata preset")
        self.preset_combo.setPlaceholderText("Presets")
        self.preset_combo.setToolTip("Load a saved set of keys and values (replaces the grid)")
        self.preset_combo.setMinimumContentsLength(16)
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.activated.connect(self._preset_chosen)
        self.preset_combo.currentIndexChanged.connect(self._update_buttons)
        self.save_preset_button = self._button(
            "saveMetadataPresetButton", "Save preset…", "Save ClientMetadata preset",
            "Save these rows as a named preset of this profile", self._ask_preset_name,
        )
        self.delete_preset_button = self._button(
            "deleteMetadataPresetButton", "Delete preset", "Delete ClientMetadata preset",
            "Delete the preset shown in the list", self._delete_preset,
        )
        presets = QHBoxLayout()
        presets.setContentsMargins(0, 0, 0, 0)
        presets.addWidget(self.preset_combo, 1)
        presets.addWidget(self.save_preset_button)
        presets.addWidget(self.delete_preset_button)
        return presets

    def _build_buttons(self) -> QHBoxLayout:
        # Alt+letter is unique in the main window: Add row, Duplicate and Paste have none (every
        # letter of theirs is taken: Attribute, Username, Profile, …); Insert, Ctrl+D and Ctrl+V
        # in the grid do the same, as their tooltips say.
        self.add_button = self._button(
            "addMetadataRowButton", "Add row", "Add metadata row",
            "Add a row below the current one (Insert)", self.add_row,
        )
        self.remove_button = self._button(
            "removeMetadataRowButton", "Re&move", "Remove selected metadata rows",
            "Remove the selected rows (Delete)", self.remove_selected_rows,
        )
        self.duplicate_button = self._button(
            "duplicateMetadataRowButton", "Duplicate", "Duplicate selected metadata rows",
            "Copy the selected rows below them (Ctrl+D)", self.duplicate_selected_rows,
        )
        self.paste_button = self._button(
            "pasteMetadataButton", "Paste", "Paste metadata from the clipboard",
            "Paste a JSON object or key=value lines from the clipboard (Ctrl+V in the grid)",
            self.paste_from_clipboard,
        )
        self.import_button = self._button(
            "importMetadataButton", "&Import…", "Import metadata from a JSON file",
            "Read a JSON object of string values from a file", self._open_import_dialog,
        )
        self.export_button = self._button(
            "exportMetadataButton", "E&xport…", "Export metadata to a JSON file",
            "Write these rows to a JSON file", self._open_export_dialog,
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.remove_button, self.duplicate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.paste_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        return buttons

    def _build_feedback(self) -> None:
        self.message_label = QLabel(self)
        self.message_label.setObjectName("metadataMessageLabel")
        self.message_label.setAccessibleName("ClientMetadata problems")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.message_label.linkActivated.connect(self._go_to_link)
        self.message_label.setVisible(False)

        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("metadataPreviewLabel")
        self.preview_label.setAccessibleName("ClientMetadata size")
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("metadataPreview")
        self.preview.setAccessibleName("ClientMetadata JSON preview")
        self.preview.setAccessibleDescription("The exact ClientMetadata that will be sent (read-only)")
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setMinimumHeight(self.fontMetrics().height() * 4)
        self.preview.setMaximumHeight(self.fontMetrics().height() * 9)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.preview_label.setBuddy(self.preview)

    def _button(self, name: str, text: str, accessible: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # --- contract API ------------------------------------------------------------------------
    @property
    def model(self) -> MetadataModel:
        return self._model

    def rows(self) -> list[MetadataRow]:
        return self._model.rows()

    def set_rows(self, rows: list[MetadataRow]) -> None:
        self._set_status(None)
        self._model.set_rows(rows)

    def set_metadata(self, metadata: dict[str, str] | None) -> None:
        self.set_rows([MetadataRow(key, value) for key, value in (metadata or {}).items()])

    def problems(self) -> list[RowProblem]:
        return self._model.problems()

    def metadata(self) -> dict[str, str] | None:
        """The ClientMetadata to send ({} for none), or None while the grid has problems."""
        if self._model.problems():
            return None
        return self._model.metadata()

    def set_presets(self, store: PresetStore | None, profile_name: str | None) -> None:
        """Use `store`'s presets of `profile_name` (None disables presets)."""
        self._preset_store = store
        self._profile_name = profile_name
        self._reload_presets()

    # --- rows ----------------------------------------------------------------------------------
    def add_row(self) -> None:
        """Insert an empty row below the current one and start editing its key."""
        current = self.table.currentIndex()
        position = current.row() + 1 if current.isValid() else self._model.rowCount()
        self._model.insert_rows(position, [MetadataRow("", "")])
        index = self._model.index(position, KEY_COLUMN)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.edit(index)

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

    def remove_selected_rows(self) -> None:
        rows = self._selected_rows()
        if not rows:
            return
        column = max(self.table.currentIndex().column(), 0)
        self._model.remove_rows(rows)
        self._set_status(f"Removed {len(rows)} row{'s' if len(rows) != 1 else ''}.", error=False)
        if self._model.rowCount():
            target = self._model.index(min(rows[0], self._model.rowCount() - 1), column)
            self.table.setCurrentIndex(target)

    def duplicate_selected_rows(self) -> None:
        rows = self._selected_rows()
        if not rows:
            return
        copies = [self._model.row_at(row) for row in rows]
        position = rows[-1] + 1
        self._model.insert_rows(position, copies)
        selection = self.table.selectionModel()
        selection.clearSelection()
        for offset in range(len(copies)):
            selection.select(
                self._model.index(position + offset, KEY_COLUMN),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.table.setCurrentIndex(self._model.index(position, KEY_COLUMN))
        selection.select(
            self._model.index(position, KEY_COLUMN),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._set_status(
            f"Duplicated {len(copies)} row{'s' if len(copies) != 1 else ''}: change the copied keys.",
            error=False,
        )

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

    # --- paste ---------------------------------------------------------------------------------
    def paste_from_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Merge a JSON object or key=value lines into the grid; on refusal nothing changes."""
        if len(text) > MAX_IMPORT_BYTES:
            self._set_status(
                f"Paste refused: the clipboard holds {_megabytes(len(text))} of text; "
                f"up to {_megabytes(MAX_IMPORT_BYTES)} can be pasted.",
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
        self._set_status(f"{verb} {count} key{'s' if count != 1 else ''}: {', '.join(parts)}.", error=False)

    # --- import / export -----------------------------------------------------------------------
    def _open_import_dialog(self) -> None:
        dialog = QFileDialog(
            self, "Import ClientMetadata", str(Path.home()), "JSON files (*.json);;All files (*)"
        )
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
        dialog = QFileDialog(self, "Export ClientMetadata", str(Path.home() / "client-metadata.json"),
                             "JSON files (*.json)")
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
                    f"Import refused: {name} is {_megabytes(size)}; "
                    f"metadata files up to {_megabytes(MAX_IMPORT_BYTES)} can be imported.",
                    error=True,
                )
                return False
            with path.open("rb") as handle:
                raw = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            self._set_status(f"Import refused: cannot read {name}: {exc.strerror or exc}.", error=True)
            return False
        if len(raw) > MAX_IMPORT_BYTES:
            limit = _megabytes(MAX_IMPORT_BYTES)
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
                f"Export refused: fix row {first.row + 1} first ({_short(first.message, 120)}).", error=True
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
        self._set_status(f"Exported {count} key{'s' if count != 1 else ''} to {path}.", error=False)
        return True

    # --- presets -------------------------------------------------------------------------------
    def _reload_presets(self, select: str | None = None) -> None:
        self.preset_combo.clear()
        names: list[str] = []
        if self._preset_store is not None and self._profile_name is not None:
            try:
                names = sorted(self._preset_store.list_presets(self._profile_name))
            except Exception as exc:  # a broken profiles file must not break the editor
                log.warning("could not list metadata presets: %s", exc)
                self._set_status(f"Presets unavailable: {exc}", error=True)
        self.preset_combo.addItems(names)
        self.preset_combo.setCurrentIndex(names.index(select) if select in names else -1)
        self._update_buttons()

    def presets(self) -> dict[str, list[tuple[str, str]]]:
        if self._preset_store is None or self._profile_name is None:
            return {}
        return self._preset_store.list_presets(self._profile_name)

    def _preset_chosen(self, index: int) -> None:
        name = self.preset_combo.itemText(index)
        self.load_preset(name)

    def load_preset(self, name: str) -> bool:
        """Replace the grid with the preset's rows."""
        try:
            rows = self.presets().get(name)
        except Exception as exc:
            self._set_status(f"Cannot read preset {name!r}: {exc}", error=True)
            return False
        if rows is None:
            self._set_status(f"No preset named {name!r} in this profile.", error=True)
            return False
        self._model.set_rows(MetadataRow(str(key), str(value)) for key, value in rows)
        self._set_status(f"Loaded preset {name!r} ({len(rows)} rows).", error=False)
        self.changed.emit()
        self._update_buttons()
        return True

    def _ask_preset_name(self) -> None:
        if self._preset_store is None or self._profile_name is None:
            self._set_status("Choose a profile first: presets are saved per profile.", error=True)
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("metadataPresetNameDialog")
        dialog.setWindowTitle("Save ClientMetadata preset")
        dialog.setLabelText(f"Preset name (profile {self._profile_name}):")
        dialog.setAccessibleName("Preset name")
        dialog.setTextValue(self.preset_combo.currentText())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.save_preset)
        dialog.open()

    def save_preset(self, name: str) -> bool:
        """Save the rows (blank rows dropped) as preset `name` of the current profile."""
        name = name.strip()
        if self._preset_store is None or self._profile_name is None:
            self._set_status("Choose a profile first: presets are saved per profile.", error=True)
            return False
        if not name:
            self._set_status("Preset not saved: give it a name.", error=True)
            return False
        if self._model.problems():
            first = self._model.problems()[0]
            self._set_status(f"Preset not saved: fix row {first.row + 1} first.", error=True)
            return False
        rows = [(row.key, row.value) for row in self._model.rows() if row.key or row.value]
        try:
            self._preset_store.save_preset(self._profile_name, name, rows)
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._set_status(f"Preset not saved: {message}", error=True)
            return False
        self._reload_presets(select=name)
        self._set_status(f"Saved preset {name!r} ({len(rows)} rows).", error=False)
        return True

    def _delete_preset(self) -> None:
        name = self.preset_combo.currentText()
        if not name or self._preset_store is None or self._profile_name is None:
            return
        try:
            self._preset_store.delete_preset(self._profile_name, name)
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._set_status(f"Preset not deleted: {message}", error=True)
            return
        self._reload_presets()
        self._set_status(f"Deleted preset {name!r}; the grid is unchanged.", error=False)

    # --- feedback ------------------------------------------------------------------------------
    def _rows_changed(self) -> None:
        if self._status is not None and self._status[1]:
            # A refusal ("Import refused, the grid is unchanged…") describes the grid before this edit.
            self._set_status(None)
        valid = not self._model.problems()
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self._preview_timer.start()
        self._update_buttons()
        self.changed.emit()

    def _set_status(self, message: str | None, *, error: bool = False) -> None:
        self._status = None if message is None else (message, error)
        self._show_messages()

    def _show_messages(self) -> None:
        problems = self._model.problems()
        lines: list[str] = []
        style = _INFO_STYLE
        if problems:
            for problem in problems[:_PROBLEMS_SHOWN]:
                link = f'<a href="row:{problem.row}">Row {problem.row + 1}</a>'
                lines.append(f"{link}: {html.escape(_short(problem.message))}")
            hidden = len(problems) - _PROBLEMS_SHOWN
            if hidden > 0:
                lines.append(f"… and {hidden} more problem{'s' if hidden != 1 else ''} (marked in the grid)")
            style = _ERROR_STYLE
        if self._status is not None:
            message, error = self._status
            lines.append(html.escape(_short(message, 400)))
            if error:
                style = _ERROR_STYLE
        self.message_label.setText("<br>".join(lines))
        self.message_label.setStyleSheet(style)
        self.message_label.setVisible(bool(lines))

    def message_text(self) -> str:
        """The message line as plain text (what a screen reader reads)."""
        doc = self.message_label.text().replace("<br>", "\n")
        return html.unescape(re.sub(r"<[^>]+>", "", doc))

    def _go_to_link(self, link: str) -> None:
        if link.startswith("row:"):
            row = int(link[4:])
            if 0 <= row < self._model.rowCount():
                index = self._model.index(row, KEY_COLUMN)
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_preview(self) -> None:
        self._preview_timer.stop()
        problems = self._model.problems()
        if problems:
            self.preview_label.setText("ClientMetadata: not sendable until the marked rows are fixed")
            self.preview.setPlainText("(fix the rows marked in the grid to see what will be sent)")
            return
        metadata = self._model.metadata()
        if not metadata:
            self.preview_label.setText("ClientMetadata sent with the request")
            self.preview.setPlainText(NO_METADATA_TEXT)
            return
        compact = json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))
        size = len(compact.encode("utf-8", "surrogatepass"))
        keys = len(metadata)
        self.preview_label.setText(
            f"ClientMetadata sent with the request: {keys:,} key{'s' if keys != 1 else ''}, {size:,} bytes"
        )
        self.preview.setPlainText(preview_json(metadata))

    def flush_preview(self) -> None:
        """Bring the preview up to date now instead of after the short coalescing delay."""
        if self._preview_timer.isActive():
            self._update_preview()

    def _update_buttons(self) -> None:
        has_rows = self._model.rowCount() > 0
        has_target = has_rows and (
            self.table.selectionModel().hasSelection() or self.table.currentIndex().isValid()
        )
        self.remove_button.setEnabled(has_target)
        self.duplicate_button.setEnabled(has_target)
        has_presets = self._preset_store is not None and self._profile_name is not None
        self.preset_combo.setEnabled(has_presets and self.preset_combo.count() > 0)
        self.save_preset_button.setEnabled(has_presets)
        self.delete_preset_button.setEnabled(has_presets and self.preset_combo.currentIndex() >= 0)
