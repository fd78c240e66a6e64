"""The ClientMetadata editor: a key/value grid, paste/import/export, presets and a live preview.

Everything a tester types is checked by `app.core.validation`; problems show in the key cell (tint,
icon, tooltip) and on a message line under the grid naming the row. Dialogs open with `open()`
(never `exec()`), so the editor is safe inside a qasync window.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.validation import MetadataRow, RowProblem, metadata_sent_anyway
from app.core.wording import plural
from app.ui.request.metadata_files import MetadataFiles, short
from app.ui.request.metadata_model import KEY_COLUMN, MetadataModel
from app.ui.request.metadata_presets import MetadataPresets, PresetStore
from app.ui.request.metadata_view import MetadataTableView, preview_json
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import set_style_sheet

NO_METADATA_TEXT = "(no ClientMetadata: the parameter is omitted)"
_PROBLEMS_SHOWN = 3
_PREVIEW_DELAY_MS = 30
_ERROR_STYLE = "color: palette(text); background: rgba(220, 50, 47, 40); padding: 3px; border-radius: 3px;"
_INFO_STYLE = "color: palette(text); padding: 3px;"


class MetadataEditor(MetadataFiles, MetadataPresets, QWidget):
    """Edits the ClientMetadata sent with GetUserAttributeVerificationCode ."""

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
        layout.addWidget(self.status_label)
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
        # Add row, Duplicate and Paste have no Alt+letter (every letter of theirs is taken in the
        # window); Insert, Ctrl+D and Ctrl+V in the grid do the same, as their tooltips say.
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
        self.message_label.setStyleSheet(_ERROR_STYLE)
        self.status_label = QLabel(self)  # the last edit/import/export message, in its own tone
        self.status_label.setObjectName("metadataStatusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)

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

    def _button(
        self, name: str, text: str, accessible: str, tip: str, slot: Callable[[], object]
    ) -> QPushButton:
        return make_button(name, text, accessible, tip=tip, slot=slot, parent=self, auto_default=False)

    # --- public API --------------------------------------------------------------------------
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
        """Use `store`'s presets of `profile_name` (None disables presets); the same profile again
        keeps the preset chosen."""
        same = store is not None and profile_name is not None and profile_name == self._profile_name
        chosen = self.preset_combo.currentText() if same else None
        self._preset_store = store
        self._profile_name = profile_name
        self._reload_presets(chosen or None)

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

    def remove_selected_rows(self) -> None:
        rows = self._selected_rows()
        if not rows:
            return
        column = max(self.table.currentIndex().column(), 0)
        self._model.remove_rows(rows)
        self._set_status(f"Removed {len(rows)} {plural(len(rows), 'row')}.", error=False)
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
            f"Duplicated {len(copies)} {plural(len(copies), 'row')}: change the copied keys.",
            error=False,
        )

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

    def clear_status(self) -> None:
        """Forget the last import/export/edit message (a later send made it stale); every send calls it."""
        if self._status is not None:
            self._set_status(None)

    def _set_status(self, message: str | None, *, error: bool = False) -> None:
        self._status = None if message is None else (message, error)
        self._show_messages()

    def _show_messages(self) -> None:
        """Grid problems in the error style; below them the last status, an error only if it is one."""
        problems = self._model.problems()
        lines = [f'<a href="row:{p.row}">Row {p.row + 1}</a>: {html.escape(short(p.message))}'
                 for p in problems[:_PROBLEMS_SHOWN]]
        if (hidden := len(problems) - _PROBLEMS_SHOWN) > 0:
            lines.append(f"… and {hidden} more {plural(hidden, 'problem')} (marked in the grid)")
        self.message_label.setText("<br>".join(lines))
        self.message_label.setVisible(bool(lines))
        message, error = self._status or ("", False)
        self.status_label.setText(short(message, 400))
        set_style_sheet(self.status_label, _ERROR_STYLE if error else _INFO_STYLE)
        self.status_label.setVisible(bool(message))

    def message_text(self) -> str:
        """The message lines as plain text (what a screen reader reads)."""
        doc = self.message_label.text().replace("<br>", "\n") if self.message_label.isVisibleTo(self) else ""
        status = self.status_label.text() if self.status_label.isVisibleTo(self) else ""
        return "\n".join(part for part in (html.unescape(re.sub(r"<[^>]+>", "", doc)), status) if part)

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
        if self._model.problems():  # what Send anyway would send, and what it cannot
            anyway, dropped = metadata_sent_anyway(self._model.rows())
            self.preview_label.setText("ClientMetadata has problems (marked rows); Send anyway sends:")
            shown = preview_json(anyway) if anyway else NO_METADATA_TEXT
            self.preview.setPlainText("\n".join([shown, *dropped]))
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
            f"ClientMetadata sent with the request: {keys:,} {plural(keys, 'key')}, {size:,} bytes"
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
