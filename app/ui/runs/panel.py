"""The Runs tab: open a suite (recent ones kept), run all or one case with the progress and each
case's status filling in live, Cancel, a case's failure message and links to its history records,
and "Save as case" from the current request. An invalid suite shows its file:line:column problems."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.history import HistoryStore
from app.core.suites import Case, CaseResult, Problem, Suite, SuiteError, load_suite, save_case
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.request.context import RequestContext
from app.ui.runs.cases_model import MESSAGE_COLUMN, NAME_COLUMN, QUEUED, CasesModel
from app.ui.runs.job import RunJob
from app.ui.runs.new_case import NothingToSaveError, case_from_request
from app.ui.settings import RECENT_SUITES
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import Tone, set_tone

RECENT_LIMIT = 8
SUITE_FILTER = "VerifyDesk suites (*.yaml *.yml);;All files (*)"


def problems_text(problems: list[Problem]) -> str:
    """Each problem as `file:line:column: message`, one a line."""
    return "\n".join(str(problem) for problem in problems)


class RunsPanel(QWidget):
    """The suite, its cases and the run. `request` gives the window's current request (for "Save
    as case"), `show_record` selects a history record in the History tab, `profile_name` names the
    profile a new suite connects with."""

    run_finished = Signal(object)  # the `--json` object of a finished run (or of an invalid suite)
    history_ids = Signal(list)  # attempts a case wrote, for the History tab to show

    def __init__(
        self, history: HistoryStore, tasks: TaskKeeper, settings: QSettings, *,
        request: Callable[[], RequestContext], show_record: Callable[[int], object],
        profile_name: Callable[[], str | None], environ: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.history, self.tasks, self.settings = history, tasks, settings
        self._request, self._show_record, self._profile_name = request, show_record, profile_name
        self.environ = environ if environ is not None else os.environ
        self.path: Path | None = None
        self.suite: Suite | None = None
        self.problems: list[Problem] = []
        self.job: RunJob | None = None
        self.model = CasesModel()
        self.dialog: QFileDialog | None = None  # the last file dialog opened (open or save)
        self._build()
        self._fill_recent()
        self._update_buttons()

    # --- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        bar = QHBoxLayout()
        self.open_button = self._button("openSuiteButton", "Open suite…", "Open a suite file",
                                        self.choose_suite)
        self.recent_combo = QComboBox()
        self.recent_combo.setObjectName("recentSuitesCombo")
        self.recent_combo.setAccessibleName("Recently opened suites")
        self.recent_combo.setMinimumContentsLength(24)
        self.recent_combo.activated.connect(self._recent_chosen)
        self.run_all_button = self._button("runAllButton", "Ru&n all", "Run every case", self.run_all)
        self.run_case_button = self._button("runCaseButton", "Run case", "Run the selected case",
                                            self.run_selected)
        self.cancel_button = self._button("cancelRunButton", "Cancel", "Cancel the run", self.cancel)
        self.save_case_button = self._button(
            "saveCaseButton", "Save as case", "Save the current request as a case of this suite",
            self.save_current_request)
        self.save_case_in_button = self._button(
            "saveCaseInButton", "Save as case in…", "Save the current request as a case in a suite file",
            self.choose_save_target)
        for widget in (self.open_button, self.recent_combo, self.run_all_button, self.run_case_button,
                       self.cancel_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.save_case_button)
        bar.addWidget(self.save_case_in_button)
        layout.addLayout(bar)
        self._build_status(layout)
        self._build_table(layout)

    def _build_status(self, layout: QVBoxLayout) -> None:
        self.suite_label = QLabel("Open a suite file (YAML) to run its cases.")
        self.suite_label.setObjectName("suiteLabel")
        self.suite_label.setWordWrap(True)
        self.suite_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.suite_label)
        progress = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("runProgress")
        self.progress.setAccessibleName("Cases run")
        self.progress.setFormat("%v / %m cases")
        self.progress.setValue(0)
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("runSummaryLabel")
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.summary_label)
        layout.addLayout(progress)

    def _build_table(self, layout: QVBoxLayout) -> None:
        self.table = QTableView()
        self.table.setObjectName("runsCaseTable")
        self.table.setAccessibleName("Cases of the suite and their status")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(NAME_COLUMN, 280)
        self.table.selectionModel().currentRowChanged.connect(lambda *_args: self._show_selected())
        self.table.doubleClicked.connect(lambda _index: self.run_selected())
        self.model.dataChanged.connect(lambda *_args: self._show_selected())
        self.message = QPlainTextEdit()
        self.message.setObjectName("caseMessage")
        self.message.setAccessibleName("The selected case's message")
        self.message.setReadOnly(True)
        self.message.setMaximumHeight(70)
        self.records_label = QLabel("")
        self.records_label.setObjectName("caseHistoryLinks")
        self.records_label.setTextFormat(Qt.TextFormat.RichText)
        self.records_label.linkActivated.connect(self._link)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.records_label)

    def _button(self, name: str, text: str, accessible: str, slot: Callable[[], object]) -> Any:
        return make_button(name, text, accessible, slot=slot, parent=self, auto_default=False)

    def _update_buttons(self) -> None:
        running = self.job is not None
        runnable = self.path is not None and not self.problems and not running
        self.run_all_button.setEnabled(runnable)
        self.run_case_button.setEnabled(runnable and self.table.currentIndex().isValid())
        self.cancel_button.setEnabled(running and not (self.job and self.job.cancelled))
        self.open_button.setEnabled(not running)
        self.recent_combo.setEnabled(not running and self.recent_combo.count() > 0)
        self.save_case_button.setEnabled(self.path is not None and not running)

    # --- opening -----------------------------------------------------------------------------
    def choose_suite(self) -> None:
        """A file dialog (not modal to the event loop) to pick a suite to open."""
        self._file_dialog("Open suite", QFileDialog.AcceptMode.AcceptOpen, self.open_suite)

    def choose_save_target(self) -> None:
        """A file dialog to pick (or name a new) suite file to save the current request in."""
        self._file_dialog("Save as case in suite", QFileDialog.AcceptMode.AcceptSave, self.save_case_to)

    def _file_dialog(self, title: str, mode: QFileDialog.AcceptMode, then: Callable[[Path], object]) -> None:
        dialog = QFileDialog(self, title, str(self.path.parent) if self.path else "", SUITE_FILTER)
        dialog.setObjectName("suiteFileDialog")
        dialog.setAcceptMode(mode)
        if mode is QFileDialog.AcceptMode.AcceptSave:
            dialog.setDefaultSuffix("yaml")
            dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)  # appended to, never replaced
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: then(Path(name)))
        self.dialog = dialog
        dialog.open()

    def open_suite(self, path: Path) -> None:
        """Load `path` (off the GUI thread) and show its cases, or where it is invalid."""
        self.tasks.spawn(self._open(Path(path)), name="open-suite")

    async def _open(self, path: Path) -> None:
        self.suite_label.setText(f"Opening {path}…")
        try:
            suite = await run_blocking(load_suite, path, environ=self.environ)
        except SuiteError as error:
            self._show_suite(path, None, error.problems)
            return
        except OSError as error:
            self._show_suite(path, None, [])
            self._say(f"Cannot read {path}: {error.strerror or error}", Tone.ERROR)
            return
        self._show_suite(path, suite, [])

    def _show_suite(self, path: Path, suite: Suite | None, problems: list[Problem]) -> None:
        self.path, self.suite, self.problems = path, suite, problems
        self.model.set_suite(suite)
        self._remember(path)
        self.progress.setRange(0, len(suite.cases) if suite else 1)
        self.progress.setValue(0)
        self.summary_label.setText("")
        self.message.setPlainText("")
        self.records_label.setText("")
        if problems:
            self._say(f"The suite is invalid (nothing can run until it is fixed):\n{problems_text(problems)}",
                      Tone.ERROR)
        elif suite is not None:
            self._say(f"{suite.name} — {len(suite.cases)} cases — {path}", Tone.MUTED)
        self._update_buttons()

    def _say(self, text: str, tone: Tone) -> None:
        self.suite_label.setText(text)
        set_tone(self.suite_label, tone)

    def _recent(self) -> list[str]:
        return RECENT_SUITES.read(self.settings)

    def _remember(self, path: Path) -> None:
        name = str(path.resolve())
        recent = [name, *[p for p in self._recent() if p != name]][:RECENT_LIMIT]
        RECENT_SUITES.write(self.settings, recent)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_combo.blockSignals(True)
        self.recent_combo.clear()
        for name in self._recent():
            self.recent_combo.addItem(Path(name).name, name)
            self.recent_combo.setItemData(self.recent_combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.recent_combo.blockSignals(False)

    def _recent_chosen(self, index: int) -> None:
        name = self.recent_combo.itemData(index)
        if name and not self.job:
            self.open_suite(Path(str(name)))

    # --- running -----------------------------------------------------------------------------
    def run_all(self) -> None:
        self._start(None)

    def run_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._start(self.model.rows[index.row()].case.name)

    def _start(self, only: str | None) -> None:
        if self.path is None or self.job is not None or self.problems:
            return
        names = [row.case.name for row in self.model.rows if only is None or row.case.name == only]
        self.model.mark(names, QUEUED)
        self.progress.setRange(0, max(len(names), 1))
        self.progress.setValue(0)
        self.summary_label.setText("Running…")
        job = self.job = RunJob(self.path, self.history, only=only, environ=self.environ, parent=self)
        job.case_started.connect(self._case_started)
        job.case_finished.connect(self._case_finished)
        job.finished.connect(self._run_done)
        job.failed.connect(self._run_failed)
        job.start()
        self.tasks.spawn(self._watch(job), name="suite-run")
        self._update_buttons()

    async def _watch(self, job: RunJob) -> None:
        """Counts the run among the window's tasks (the history stays open until it ends); a
        cancelled task cancels the run after its case in flight."""
        assert job.future is not None
        try:
            await asyncio.shield(job.future)
        except asyncio.CancelledError:
            job.cancel()
            raise
        except Exception:  # the job reports its own failure (its failed signal)
            return

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.summary_label.setText("Cancelling after the case in flight…")
            self._update_buttons()

    def _case_started(self, case: Case, index: int, count: int) -> None:
        self.model.set_running(case.name)
        self.progress.setRange(0, count)
        self.progress.setValue(index)

    def _case_finished(self, result: CaseResult, index: int, count: int) -> None:
        self.model.set_result(result)
        self.progress.setValue(index + 1)
        if result.history_ids:
            self.history_ids.emit(list(result.history_ids))

    def _run_done(self, _code: int, payload: dict[str, Any]) -> None:
        self._end_job()
        error = payload.get("error")
        if error:  # the file changed into an invalid suite since it was opened
            problems = [Problem(_position(p), str(p["message"])) for p in error["problems"]]
            self.problems = problems
            self._say(f"The suite is invalid:\n{problems_text(problems)}", Tone.ERROR)
            self.model.mark([row.case.name for row in self.model.rows], "")
            self.summary_label.setText("Nothing was sent.")
        else:
            for case in payload["cases"]:
                if case["status"] == "skipped":
                    self.model.set_result(_skipped(self.model, case))
            cancelled = ", cancelled" if payload.get("cancelled") else ""
            self.summary_label.setText(f"{payload['passed']} passed, {payload['failed']} failed, "
                                       f"{payload['errors']} errors{cancelled}")
            set_tone(self.summary_label, Tone.OK if payload.get("ok") else Tone.ERROR)
        self._update_buttons()
        self.run_finished.emit(payload)

    def _run_failed(self, message: str) -> None:
        self._end_job()
        self.summary_label.setText(message)
        set_tone(self.summary_label, Tone.ERROR)
        self._update_buttons()

    def _end_job(self) -> None:
        if self.job is not None:
            self.job.deleteLater()
        self.job = None

    # --- the selected case -------------------------------------------------------------------
    def _show_selected(self) -> None:
        index = self.table.currentIndex()
        row = self.model.rows[index.row()] if index.isValid() and index.row() < len(self.model.rows) else None
        result = row.result if row else None
        self.message.setPlainText(result.message if result else "")
        links = ", ".join(f'<a href="history:{i}">#{i}</a>' for i in (result.history_ids if result else []))
        self.records_label.setText(f"History: {links}" if links else "")
        self._update_buttons()

    def _link(self, href: str) -> None:
        if href.startswith("history:"):
            self._show_record(int(href.split(":", 1)[1]))

    # --- saving the current request ----------------------------------------------------------
    def save_current_request(self) -> None:
        """Append the current request to the opened suite (or ask for a file when none is open)."""
        if self.path is None:
            self.choose_save_target()
        else:
            self.save_case_to(self.path)

    def save_case_to(self, path: Path) -> None:
        try:
            case = case_from_request(self._request())
        except NothingToSaveError as why:
            self._say(str(why), Tone.WARNING)
            return
        profile = self._profile_name() or "default"
        self.tasks.spawn(self._save(Path(path), case, profile), name="save-case")

    async def _save(self, path: Path, case: Any, profile: str) -> None:
        try:
            name = await run_blocking(save_case, path, case, profile=profile)
        except SuiteError as error:
            self._say(f"Not saved: the suite would be invalid:\n{problems_text(error.problems)}", Tone.ERROR)
            return
        except OSError as error:
            self._say(f"Not saved: cannot write {path}: {error.strerror or error}", Tone.ERROR)
            return
        await self._open(path)
        row = self.model.row_of(name)
        if row is not None:
            self.table.selectRow(row)
        self._say(f"Saved case {name!r} in {path}.", Tone.OK)


def _position(problem: Mapping[str, Any]) -> Any:
    from app.core.suites.model import Position

    return Position(Path(str(problem["file"])), int(problem["line"]), int(problem["column"]))


def _skipped(model: CasesModel, case: Mapping[str, Any]) -> CaseResult:
    row = model.row_of(str(case["name"]))
    source = model.rows[row].case if row is not None else None
    assert source is not None
    return CaseResult(source, "skipped", str(case["message"]))
