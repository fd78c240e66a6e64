"""History → Export: the records matching the filters to a CSV or JSON file, off the GUI thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from app.core.history import HistoryFilter, HistoryStore
from app.core.wording import plural
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.history.model import HistoryModel


class HistoryExport:
    """Asks where to write, writes in the worker pool, reports in the view's status line."""

    def __init__(
        self,
        parent: QWidget,
        store: HistoryStore,
        model: HistoryModel,
        button: QPushButton,
        status: Callable[..., None],
    ) -> None:
        self._parent, self._store, self._model = parent, store, model
        self._button, self._status = button, status
        self._tasks = TaskKeeper(on_error=self._failed)

    def open_dialog(self) -> None:
        dialog = QFileDialog(self._parent, "Export history", str(Path.home() / "verifydesk-history.csv"))
        dialog.setObjectName("historyExportDialog")
        dialog.setAccessibleName("Choose where to write the history export")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["CSV files (*.csv)", "JSON files (*.json)"])
        # Qt's own dialog reads what it lists: no symlink resolution or per-directory icons, so a
        # typed path under /proc or /sys (or a slow mount) does not block the window.
        dialog.setOption(QFileDialog.Option.DontResolveSymlinks, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self._chosen(Path(name), dialog.selectedNameFilter()))
        dialog.open()

    def _chosen(self, path: Path, name_filter: str) -> None:
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_name(path.name + (".json" if "json" in name_filter.lower() else ".csv"))
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Export the records matching the filters; in the worker pool when a loop is running."""
        filt = self._model.filter
        self._button.setEnabled(False)
        self._status(f"Exporting to {path.name}…")
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._export_done(path, self._export_now(path, filt))
            return
        self._tasks.spawn(self._export_async(path, filt), name="history-export")

    def _export_now(self, path: Path, filt: HistoryFilter) -> int | str:
        try:
            return self._store.export(path, filt)
        except (OSError, ValueError) as exc:
            return str(exc)

    async def _export_async(self, path: Path, filt: HistoryFilter) -> None:
        result = await run_blocking(self._export_now, path, filt)
        self._export_done(path, result)

    def _export_done(self, path: Path, result: int | str) -> None:
        self._button.setEnabled(True)
        if isinstance(result, str):
            self._status(f"Export failed: {result}", error=True)
        else:
            self._status(f"Exported {result:,} {plural(result, 'record')} to {path}.")

    def _failed(self, error: BaseException) -> None:
        self._button.setEnabled(True)
        self._status(f"Export failed: {error}", error=True)
