"""The ClientMetadata grid in its own offscreen process: paste `rows` lines with Ctrl+V, edit far
down, scroll to the bottom, refuse a huge import; ms each, every step until repainted.

`python -m bench.grid_child grid JSON_ARGS` prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView, QWidget

EDITS = 5


def timed_ms(action: Callable[[], object], view: QWidget) -> float:
    """Milliseconds for `action` and the synchronous repaint of `view` after it."""
    started = time.perf_counter()
    action()
    view.repaint()
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def paste_ms(editor: Any, lines: int) -> float:
    """Ctrl+V of `lines` key=value lines into the grid, until the preview is built and repainted."""
    QApplication.clipboard().setText("\n".join(f"key{i:05d}=value {i} ✓" for i in range(lines)))
    view = editor.findChild(QTableView, "metadataTable")
    view.setFocus()

    def paste() -> None:
        QTest.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        editor.flush_preview()

    took = timed_ms(paste, editor)
    if len(editor.rows()) != lines:
        raise RuntimeError(f"pasting {lines} lines left {len(editor.rows())} rows")
    return took


def new_editor() -> Any:
    from app.ui.request.metadata_editor import MetadataEditor

    editor = MetadataEditor()
    editor.resize(640, 480)
    editor.show()
    editor.repaint()
    return editor


def grid(args: dict[str, Any]) -> dict[str, Any]:
    from app.ui.request.metadata_files import MAX_IMPORT_BYTES
    from app.ui.request.metadata_model import KEY_COLUMN, VALUE_COLUMN

    rows = args["rows"]
    warm = new_editor()  # Qt's first table, fonts and clipboard: paid once, not the grid's cost
    small_ms = paste_ms(warm, 10)
    warm.close()
    editor = new_editor()
    pasted_ms = paste_ms(editor, rows)

    view = editor.findChild(QTableView, "metadataTable")
    model = view.model()
    edit_ms = []
    for step in range(EDITS):
        row = rows // 2 + step * (rows // (2 * EDITS))
        column = KEY_COLUMN if step % 2 else VALUE_COLUMN
        text = "key00001" if column == KEY_COLUMN else f"edited {step}"  # a key edit makes a duplicate

        def edit(row: int = row, column: int = column, text: str = text) -> None:
            model.setData(model.index(row, column), text)
            view.scrollTo(model.index(row, column))

        edit_ms.append(timed_ms(edit, editor))
    if not editor.problems():
        raise RuntimeError("the duplicate key far down the grid was not reported")
    scroll_ms = timed_ms(view.scrollToBottom, editor)
    bar = view.verticalScrollBar()
    if bar.value() != bar.maximum():
        raise RuntimeError("scrollToBottom did not reach the bottom")

    with tempfile.TemporaryDirectory() as folder:
        huge = Path(folder) / "huge.json"
        with huge.open("wb") as handle:
            handle.truncate(MAX_IMPORT_BYTES * 3)
        started = time.perf_counter()
        accepted = editor.import_file(huge)
        editor.repaint()
        refuse_ms = (time.perf_counter() - started) * 1000
    if accepted:
        raise RuntimeError("a file three times the import limit was accepted")
    return {"rows": rows, "small_paste_ms": small_ms, "paste_ms": pasted_ms, "edit_ms": edit_ms,
            "scroll_ms": scroll_ms, "refuse_ms": refuse_ms}


def main(argv: list[str]) -> int:
    if argv[0] != "grid":
        raise SystemExit(f"unknown scenario {argv[0]!r} (this module has grid)")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    result = grid(json.loads(argv[1]))
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip Qt's teardown: measured work is done


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
