"""The ClientMetadata editor driven as a tester would: typing, keys, clicks, the clipboard, dialogs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.validation import MetadataRow
from app.ui.request.metadata_editor import NO_METADATA_TEXT, MetadataEditor
from app.ui.request.metadata_files import MAX_IMPORT_BYTES
from app.ui.request.metadata_model import KEY_COLUMN, VALUE_COLUMN

pytestmark = pytest.mark.gui

CONTROL_NAMES = (
    "metadataTable", "addMetadataRowButton", "removeMetadataRowButton", "duplicateMetadataRowButton",
    "pasteMetadataButton", "importMetadataButton", "exportMetadataButton", "metadataPresetCombo",
    "saveMetadataPresetButton", "metadataPreview",
)


@pytest.fixture
def editor(qtbot: QtBot) -> MetadataEditor:
    widget = MetadataEditor()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def table(editor: MetadataEditor) -> QTableView:
    view = editor.findChild(QTableView, "metadataTable")
    assert view is not None
    return view


def button(editor: MetadataEditor, name: str) -> QPushButton:
    found = editor.findChild(QPushButton, name)
    assert found is not None, name
    return found


def preview_text(editor: MetadataEditor) -> str:
    preview = editor.findChild(QPlainTextEdit, "metadataPreview")
    assert preview is not None
    return preview.toPlainText()


def message(editor: MetadataEditor) -> str:
    return editor.message_text()


def cell_editor(qtbot: QtBot, view: QTableView) -> QLineEdit:
    """The line edit Qt opened over the grid's current cell (the delegate's editor)."""
    found: list[QLineEdit] = []

    def opened() -> bool:
        cell = view.visualRect(view.currentIndex())
        found[:] = [
            e for e in view.viewport().findChildren(QLineEdit)
            if e.isVisible() and cell.contains(e.geometry().center())
        ]
        return view.state() == QTableView.State.EditingState and bool(found)

    qtbot.waitUntil(opened)
    return found[0]


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type `text` key by key; characters QTest cannot map (non-ASCII) arrive as key events carrying
    the character, as a keyboard layout or input method delivers them."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def type_row(qtbot: QtBot, editor: MetadataEditor, key: str, value: str) -> None:
    """Click Add row, type the key, Tab to the value, type it, press Enter."""
    view = table(editor)
    qtbot.mouseClick(button(editor, "addMetadataRowButton"), Qt.MouseButton.LeftButton)
    key_edit = cell_editor(qtbot, view)
    type_text(qtbot, key_edit, key)
    qtbot.keyClick(key_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: view.currentIndex().column() == VALUE_COLUMN)
    value_edit = cell_editor(qtbot, view)
    type_text(qtbot, value_edit, value)
    qtbot.keyClick(value_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QTableView.State.EditingState)


def test_every_control_has_its_object_name_and_an_accessible_name(editor: MetadataEditor) -> None:
    for name in CONTROL_NAMES:
        widget = editor.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_typed_rows_reach_the_preview_with_unicode_intact(qtbot: QtBot, editor: MetadataEditor) -> None:
    assert preview_text(editor) == NO_METADATA_TEXT
    type_row(qtbot, editor, "grüße", "Ünïcödé ✓ 東京")
    type_row(qtbot, editor, "campaign", 'spring "24"')
    assert editor.rows() == [MetadataRow("grüße", "Ünïcödé ✓ 東京"), MetadataRow("campaign", 'spring "24"')]
    qtbot.waitUntil(lambda: preview_text(editor) != NO_METADATA_TEXT)
    assert json.loads(preview_text(editor)) == {"grüße": "Ünïcödé ✓ 東京", "campaign": 'spring "24"'}
    assert "Ünïcödé ✓ 東京" in preview_text(editor)  # shown as typed, not \u-escaped
    assert editor.metadata() == {"grüße": "Ünïcödé ✓ 東京", "campaign": 'spring "24"'}


def test_duplicate_key_is_blocked_with_a_message_naming_row_and_key(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    type_row(qtbot, editor, "campaign", "spring")
    with qtbot.waitSignal(editor.validity_changed) as blocker:
        type_row(qtbot, editor, "campaign", "autumn")
    assert blocker.args == [False]
    assert editor.metadata() is None
    assert "Row 2: Duplicate key 'campaign' (also row 1)." in message(editor)
    model = table(editor).model()
    key_cell = model.index(1, KEY_COLUMN)
    assert "Duplicate key 'campaign'" in model.data(key_cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(key_cell, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, KEY_COLUMN), Qt.ItemDataRole.BackgroundRole) is None
    qtbot.waitUntil(lambda: "Send anyway sends" in editor.preview_label.text())
    assert '"campaign": "spring"' in editor.preview.toPlainText()  # the first row; the second is named
    assert "row 2 dropped: duplicate key 'campaign' (row 1 is sent)" in editor.preview.toPlainText()

    # Fixing the key by typing over it makes the grid valid again.
    view = table(editor)
    view.setCurrentIndex(key_cell)
    with qtbot.waitSignal(editor.validity_changed) as fixed:
        qtbot.keyClick(view, Qt.Key.Key_F2)
        edit = cell_editor(qtbot, view)
        edit.selectAll()
        qtbot.keyClicks(edit, "season")
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert fixed.args == [True]
    assert editor.metadata() == {"campaign": "spring", "season": "autumn"}
    assert message(editor) == ""


def test_empty_key_with_a_value_is_named_and_blank_rows_are_ignored(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    editor.set_rows([MetadataRow("", ""), MetadataRow("", "orphan"), MetadataRow("a", "1")])
    assert editor.metadata() is None
    assert "Row 2: Key is empty" in message(editor)
    editor.set_rows([MetadataRow("", ""), MetadataRow("a", "1")])
    assert editor.metadata() == {"a": "1"}


def test_keyboard_only_insert_duplicate_and_delete_rows(qtbot: QtBot, editor: MetadataEditor) -> None:
    editor.set_metadata({"first": "1"})
    view = table(editor)
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, KEY_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert editor.rows() == [MetadataRow("first", "1"), MetadataRow("first", "1")]
    assert editor.problems()[0].row == 1  # the copy is flagged until its key changes
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert editor.rows() == [MetadataRow("first", "1")]
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    edit = cell_editor(qtbot, view)
    qtbot.keyClicks(edit, "second")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(cell_editor(qtbot, view), "2")
    qtbot.keyClick(cell_editor(qtbot, view), Qt.Key.Key_Return)  # Qt commits on the next loop pass
    qtbot.waitUntil(lambda: editor.metadata() == {"first": "1", "second": "2"})


def test_remove_button_removes_all_selected_rows(qtbot: QtBot, editor: MetadataEditor) -> None:
    editor.set_metadata({f"k{i}": str(i) for i in range(6)})
    view = table(editor)
    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (1, 3, 4):
        selection.select(view.model().index(row, 0), flags)
    qtbot.mouseClick(button(editor, "removeMetadataRowButton"), Qt.MouseButton.LeftButton)
    assert [row.key for row in editor.rows()] == ["k0", "k2", "k5"]


def test_ctrl_v_pastes_a_json_object_into_the_grid(qtbot: QtBot, editor: MetadataEditor) -> None:
    editor.set_metadata({"keep": "me", "campaign": "old"})
    QApplication.clipboard().setText('{"campaign": "spring", "emoji": "🎉", "quote": "it\'s"}')
    view = table(editor)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.metadata() == {"keep": "me", "campaign": "spring", "emoji": "🎉", "quote": "it's"}
    assert "2 added" in message(editor)
    assert "1 updated ('campaign')" in message(editor)


def test_paste_button_takes_key_value_lines(qtbot: QtBot, editor: MetadataEditor) -> None:
    QApplication.clipboard().setText("locale=de-DE\n\nnote=a=b\nempty=\n")
    qtbot.mouseClick(button(editor, "pasteMetadataButton"), Qt.MouseButton.LeftButton)
    assert editor.metadata() == {"locale": "de-DE", "note": "a=b", "empty": ""}


def test_json_with_non_string_values_is_refused_naming_keys_and_keeps_rows(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    editor.set_metadata({"keep": "me"})
    QApplication.clipboard().setText('{"count": 3, "ok": "yes", "nested": {"a": "b"}, "flag": true}')
    qtbot.mouseClick(button(editor, "pasteMetadataButton"), Qt.MouseButton.LeftButton)
    text = message(editor)
    assert "Paste refused, the grid is unchanged" in text
    assert "'count'" in text
    assert "'nested'" in text
    assert "'flag'" in text
    assert "'ok'" not in text
    assert editor.rows() == [MetadataRow("keep", "me")]


def test_a_refusal_goes_away_once_the_grid_is_edited(qtbot: QtBot, editor: MetadataEditor) -> None:
    editor.set_metadata({"keep": "me"})
    QApplication.clipboard().setText('{"count": 3}')
    qtbot.mouseClick(button(editor, "pasteMetadataButton"), Qt.MouseButton.LeftButton)
    assert "Paste refused, the grid is unchanged" in message(editor)
    type_row(qtbot, editor, "next", "row")
    assert "refused" not in message(editor)
    assert editor.metadata() == {"keep": "me", "next": "row"}


def test_text_that_is_neither_json_nor_key_value_is_refused_with_the_reason(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    QApplication.clipboard().setText("just some\nwords")
    qtbot.mouseClick(button(editor, "pasteMetadataButton"), Qt.MouseButton.LeftButton)
    assert "'just some' is not KEY=VALUE" in message(editor)
    assert editor.rows() == []


def test_plain_single_line_goes_into_the_current_cell(qtbot: QtBot, editor: MetadataEditor) -> None:
    editor.set_rows([MetadataRow("greeting", "")])
    view = table(editor)
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, VALUE_COLUMN))
    QApplication.clipboard().setText("hello there")
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.metadata() == {"greeting": "hello there"}


def accept_file_dialog(qtbot: QtBot, editor: MetadataEditor, name: str, path: Path) -> None:
    def dialog() -> QFileDialog | None:
        found = editor.findChild(QFileDialog, name)
        return found if found is not None and found.isVisible() else None

    qtbot.waitUntil(lambda: dialog() is not None)
    chosen = dialog()
    assert chosen is not None
    chosen.selectFile(str(path))
    chosen.accept()


def test_export_then_import_round_trips_through_the_file_dialogs(
    qtbot: QtBot, editor: MetadataEditor, tmp_path: Path
) -> None:
    original = {"grüße": "東京 ✓", "multi": "line 1\nline 2", "quote": '"x"'}
    editor.set_metadata(original)
    target = tmp_path / "metadata.json"
    qtbot.mouseClick(button(editor, "exportMetadataButton"), Qt.MouseButton.LeftButton)
    accept_file_dialog(qtbot, editor, "metadataExportDialog", target)
    qtbot.waitUntil(target.exists)
    assert json.loads(target.read_text(encoding="utf-8")) == original
    assert "Exported 3 keys" in message(editor)

    editor.set_rows([])
    qtbot.mouseClick(button(editor, "importMetadataButton"), Qt.MouseButton.LeftButton)
    accept_file_dialog(qtbot, editor, "metadataImportDialog", target)
    qtbot.waitUntil(lambda: editor.metadata() == original)
    assert "Imported metadata.json" in message(editor)


def test_export_is_refused_while_keys_are_duplicated(editor: MetadataEditor, tmp_path: Path) -> None:
    editor.set_rows([MetadataRow("a", "1"), MetadataRow("a", "2")])
    assert not editor.export_file(tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()
    assert "Export refused: fix row 2 first" in message(editor)
    assert "(also row 1))." in message(editor) and ".)" not in message(editor)  # one full stop


def test_invalid_utf8_import_is_named_and_changes_nothing(editor: MetadataEditor, tmp_path: Path) -> None:
    editor.set_metadata({"keep": "me"})
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"name": "Jos\xe9"}')
    assert not editor.import_file(bad)
    assert "latin1.json: Not UTF-8 text (byte 13 is invalid)" in message(editor)
    assert editor.rows() == [MetadataRow("keep", "me")]


def test_huge_import_is_refused_with_its_size(editor: MetadataEditor, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES * 3)
    assert not editor.import_file(huge)
    assert "huge.json is 15.0 MB" in message(editor)
    assert "up to 5.0 MB" in message(editor)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[1, 2]", "Expected a JSON object of string values, got list"),
        (b'{"a": "1", "a": "2"}', "Duplicate keys: 'a'"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a": ', "Not valid JSON"),
    ],
)
def test_unusable_json_files_are_refused_with_the_reason(
    editor: MetadataEditor, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert not editor.import_file(path)
    assert expected in message(editor)


def test_presets_are_saved_loaded_and_deleted_per_profile(
    qtbot: QtBot, editor: MetadataEditor, tmp_path: Path
) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(Profile(name="dev", region="eu-west-1", client_id="client1"))
    store.save(Profile(name="prod", region="eu-west-1", client_id="client2"))
    editor.set_presets(store, "dev")
    editor.set_metadata({"campaign": "spring", "locale": "fr-FR"})

    qtbot.mouseClick(button(editor, "saveMetadataPresetButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.findChild(QInputDialog, "metadataPresetNameDialog") is not None)
    dialog = editor.findChild(QInputDialog, "metadataPresetNameDialog")
    assert dialog is not None
    name_edit = dialog.findChild(QLineEdit)
    assert name_edit is not None
    qtbot.keyClicks(name_edit, "Spring FR")
    qtbot.keyClick(name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Saved preset 'Spring FR'" in message(editor))
    assert store.list_presets("dev") == {"Spring FR": [("campaign", "spring"), ("locale", "fr-FR")]}
    assert store.list_presets("prod") == {}

    editor.set_metadata({"other": "x"})
    combo = editor.findChild(QComboBox, "metadataPresetCombo")
    assert combo is not None
    assert [combo.itemText(i) for i in range(combo.count())] == ["Spring FR"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Space)  # opens the popup
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.metadata() == {"campaign": "spring", "locale": "fr-FR"}

    editor.set_presets(store, "prod")
    assert combo.count() == 0
    editor.set_presets(store, "dev")
    combo.setCurrentIndex(0)
    qtbot.mouseClick(button(editor, "deleteMetadataPresetButton"), Qt.MouseButton.LeftButton)
    assert store.list_presets("dev") == {}
    assert editor.metadata() == {"campaign": "spring", "locale": "fr-FR"}  # the grid is kept


def test_preset_refused_by_the_store_shows_its_reason(editor: MetadataEditor, tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    editor.set_presets(store, "never-saved")
    editor.set_metadata({"a": "1"})
    assert not editor.save_preset("p")
    assert "Save the profile 'never-saved' before adding presets" in message(editor)


def test_without_a_profile_presets_are_disabled(editor: MetadataEditor) -> None:
    editor.set_presets(None, None)
    assert not button(editor, "saveMetadataPresetButton").isEnabled()
    combo = editor.findChild(QComboBox, "metadataPresetCombo")
    assert combo is not None
    assert not combo.isEnabled()


def test_pasting_10000_rows_previews_them_and_an_edit_far_down_is_checked(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    lines = "\n".join(f"key{i:05d}=value {i} ✓" for i in range(10_000))
    QApplication.clipboard().setText(lines)
    view = table(editor)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    editor.flush_preview()
    editor.repaint()
    assert len(editor.rows()) == 10_000
    assert "10,000 keys" in editor.preview_label.text()
    assert '"key00999": "value 999 ✓"' in preview_text(editor)
    assert "9,000 more keys, sent in full" in preview_text(editor)

    model = view.model()
    model.setData(model.index(5_000, KEY_COLUMN), "key00001")  # a duplicate, far down the grid
    editor.repaint()
    assert editor.problems()[0].row == 5_000
    assert "Row 5001: Duplicate key 'key00001' (also row 2)." in message(editor)

    view.scrollToBottom()
    editor.repaint()
    assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum()


def test_an_information_beside_grid_problems_keeps_its_information_style(
    qtbot: QtBot, editor: MetadataEditor
) -> None:
    editor.set_metadata({"campaign": "spring", "extra": "x"})
    type_row(qtbot, editor, "campaign", "autumn")  # row 3 duplicates row 1: a grid problem
    view = table(editor)
    view.selectRow(1)
    qtbot.mouseClick(button(editor, "removeMetadataRowButton"), Qt.MouseButton.LeftButton)
    assert "Removed 1 row." in message(editor) and "Duplicate key 'campaign'" in message(editor)
    problems = editor.findChild(QLabel, "metadataMessageLabel")
    status = editor.findChild(QLabel, "metadataStatusLabel")
    assert problems is not None and status is not None
    assert "Duplicate key" in problems.text() and "Removed" not in problems.text()
    assert status.text() == "Removed 1 row." and "rgba(220, 50, 47" not in status.styleSheet()
    assert "rgba(220, 50, 47" in problems.styleSheet()
