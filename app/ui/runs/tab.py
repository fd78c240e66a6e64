"""Puts the Runs tab in the window: beside History at the bottom, its attempts shown in History,
its history links selecting the record there. The panel (and the suite modules behind it) is built
when the tester first opens the tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget, QWidget

from app.ui.history.view import HistoryView
from app.ui.request.hub import RequestHub
from app.ui.widgets.lazy import LazyPanel
from app.ui.workbench import Workbench

if TYPE_CHECKING:
    from app.ui.runs.panel import RunsPanel

RUNS_DOCK = "runsDock"


def install_runs_tab(
    bench: Workbench, hub: RequestHub, history_view: HistoryView, settings: QSettings, *,
    add_tab: Callable[[QWidget, str, str], QDockWidget], show_history: Callable[[], None],
) -> tuple[LazyPanel, QDockWidget]:
    """Add the Runs tab with `add_tab(widget, title, name)`; its holder (whose `panel()` is the
    `RunsPanel`, built on the tab's first show) and its dock."""

    def show_record(row_id: int) -> None:
        show_history()
        if not history_view.select_record(row_id):
            history_view.refresh()  # written by the runner, not yet on the loaded page
            history_view.select_record(row_id)

    def show_attempts(ids: list[int]) -> None:
        for row_id in ids:
            history_view.record_changed(row_id)

    def build() -> RunsPanel:
        from app.ui.runs.panel import RunsPanel

        panel = RunsPanel(
            bench.history_store, bench.tasks, settings, request=hub.context, show_record=show_record,
            profile_name=lambda: bench.profile.name if bench.profile else None)
        panel.history_ids.connect(show_attempts)
        return panel

    holder = LazyPanel(build, "runsHolder")
    dock = add_tab(holder, "Runs", RUNS_DOCK)
    holder.follow(dock)
    return holder, dock
