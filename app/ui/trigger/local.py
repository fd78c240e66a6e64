"""Local trigger runs (sandbox): choose the sandbox's Custom Message trigger — a handler file
`path.py:handler` or a Lambda-Invoke endpoint such as `sam local start-lambda` — and, after a send,
read the event it was sent, what it returned, the message rendered with the code, or the error
Cognito maps its failure to, with what was wrong."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.trigger_insight import TriggerRun, event_differences, event_json
from app.core.visible import shown
from app.sandbox.control import DEFAULT_TRIGGER_FUNCTION, SandboxControlError
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.widgets.style import Tone, mono_font, selectable, set_tone

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl

_log = logging.getLogger(__name__)
DEMO_SPEC = "demo"  # app.sandbox.trigger.DEMO, without importing the trigger runner here
NOT_SANDBOX = ("Local trigger runs use the sandbox pool: Sandbox → Start sandbox pool, or choose a "
               "sandbox profile.")


def _text_view(name: str, accessible: str, placeholder: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setReadOnly(True)
    view.setFont(mono_font())
    view.setPlaceholderText(placeholder)
    return view


def _label(name: str, tone: Tone = Tone.MUTED) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # the trigger's text is never read as HTML
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setMinimumWidth(60)
    selectable(label)
    set_tone(label, tone)
    return label


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    caption = QLabel(title)
    caption.setProperty("heading", True)
    caption.setBuddy(widget)
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return box


def _returned_text(run: TriggerRun) -> str:
    if run.returned is None and not run.ok:
        return "(nothing: the trigger failed before answering)"
    raised = isinstance(run.returned, dict) and "errorMessage" in run.returned
    if not run.ok and raised:
        return "// The function raised; Lambda's error object:\n" + event_json(run.returned)
    return event_json(run.returned)


def _trigger_text(spec: str | None, function: str) -> str:
    """What the sandbox does with its trigger `spec` (None: no trigger)."""
    if not spec:
        return "No trigger: the sandbox uses the pool's own message template."
    what = "the demo trigger (app/sandbox/demo_trigger.py)" if spec == DEMO_SPEC else spec
    return (f"The sandbox calls {what} as {function} for every code it sends; its log goes to "
            f"/aws/lambda/{function}.")


class LocalTriggerPanel(QWidget):
    """`trigger_changed(str | None, str)` after the sandbox accepted a trigger (spec, function)."""

    trigger_changed = Signal(object, str)

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("localTriggerPanel")
        self._tasks = tasks
        self.run: TriggerRun | None = None  # the run shown, if any
        self.control: SandboxControl | None = None
        self.active_spec: str | None = None
        self.active_function: str | None = None
        self.dialog: QFileDialog | None = None
        self._build_controls()
        self._build_run_views()
        self._build_layout()
        self.apply_button.clicked.connect(self.apply)
        self.spec_edit.returnPressed.connect(self.apply)
        self.remove_button.clicked.connect(self.remove)
        self.demo_button.clicked.connect(self.use_demo)
        self.browse_button.clicked.connect(self.browse)
        self.set_control(None)

    def _build_controls(self) -> None:
        self.spec_edit = QLineEdit()
        self.spec_edit.setObjectName("triggerSpecEdit")
        self.spec_edit.setAccessibleName("Trigger: handler file or Lambda-Invoke endpoint")
        self.spec_edit.setPlaceholderText("path/to/handler.py:handler   or   http://127.0.0.1:3001")
        self.spec_edit.setToolTip("A Python handler file and function, or a Lambda-Invoke endpoint "
                                  "(e.g. `sam local start-lambda`)")
        self.function_edit = QLineEdit(DEFAULT_TRIGGER_FUNCTION)
        self.function_edit.setObjectName("triggerFunctionEdit")
        self.function_edit.setAccessibleName("Trigger function name")
        self.function_edit.setToolTip("The function name: its log group is /aws/lambda/<name>")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName("browseTriggerButton")
        self.browse_button.setAccessibleName("Choose a Python handler file")
        self.apply_button = QPushButton("Use trigger")
        self.apply_button.setObjectName("applyTriggerButton")
        self.apply_button.setAccessibleName("Use this trigger in the sandbox")
        self.demo_button = QPushButton("Demo trigger")
        self.demo_button.setObjectName("demoTriggerButton")
        self.demo_button.setAccessibleName("Use the sandbox's demo trigger again")
        self.demo_button.setToolTip("Back to the demo trigger the sandbox starts with "
                                    "(app/sandbox/demo_trigger.py)")
        self.remove_button = QPushButton("No trigger")
        self.remove_button.setObjectName("removeTriggerButton")
        self.remove_button.setAccessibleName("Remove the sandbox's trigger")
        self.problem = _label("triggerSpecProblemLabel", Tone.ERROR)
        self.problem.hide()
        self.status = _label("localTriggerStatusLabel")

    def _build_run_views(self) -> None:
        self.summary = _label("triggerRunSummaryLabel")
        self.summary.setText("After a send, the trigger's run for it appears here.")
        self.problems = _label("triggerRunProblemsLabel", Tone.ERROR)
        self.problems.hide()
        self.match = _label("previewMatchLabel")
        self.match.hide()
        self.sent_view = _text_view("sentEventView", "The event the trigger was sent", "Event sent")
        self.returned_view = _text_view(
            "returnedEventView", "What the trigger returned", "Response returned")
        self.rendered_view = _text_view(
            "renderedMessageView", "The message rendered with the code", "Rendered message")
        for view in (self.sent_view, self.returned_view):
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

    def _build_layout(self) -> None:
        form = QGridLayout()
        spec_label = QLabel("Tri&gger")
        spec_label.setBuddy(self.spec_edit)
        function_label = QLabel("Functio&n")
        function_label.setBuddy(self.function_edit)
        form.addWidget(spec_label, 0, 0)
        form.addWidget(self.spec_edit, 0, 1)
        form.addWidget(self.browse_button, 0, 2)
        form.addWidget(function_label, 0, 3)
        form.addWidget(self.function_edit, 0, 4)
        form.addWidget(self.apply_button, 0, 5)
        form.addWidget(self.demo_button, 0, 6)
        form.addWidget(self.remove_button, 0, 7)
        form.setColumnStretch(1, 3)
        form.setColumnStretch(4, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("triggerRunSplitter")
        split.addWidget(_titled("Event sent", self.sent_view))
        split.addWidget(_titled("Response returned", self.returned_view))
        split.addWidget(_titled("Message with the code", self.rendered_view))
        split.setChildrenCollapsible(False)
        notes = QHBoxLayout()
        notes.addWidget(self.summary, 3)
        notes.addWidget(self.match, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addLayout(notes)
        layout.addWidget(self.problems)
        layout.addWidget(split, 1)

    # --- the sandbox's trigger ----------------------------------------------------------------
    def set_control(self, control: SandboxControl | None) -> None:
        """The sandbox's control API (None: not in sandbox mode)."""
        self.control = control
        for widget in (self.spec_edit, self.function_edit, self.browse_button, self.apply_button,
                       self.remove_button, self.demo_button):
            widget.setEnabled(control is not None)
        if control is None:
            self._status(NOT_SANDBOX, Tone.MUTED)
        else:
            self._status("Reading the sandbox's trigger…", Tone.MUTED)
            self._tasks.spawn(self._read_trigger(control), name="read-sandbox-trigger")

    async def _read_trigger(self, control: SandboxControl) -> None:
        """Show the trigger the sandbox actually uses (its control API), e.g. the demo trigger."""
        try:
            answer = await run_blocking(control.trigger)
        except SandboxControlError as error:
            if control is self.control:
                self._status(f"Could not read the sandbox's trigger: {shown(error)}", Tone.WARNING)
            return
        if control is not self.control:
            return
        spec = answer.get("trigger")
        function = str(answer.get("function_name") or DEFAULT_TRIGGER_FUNCTION)
        self.active_spec, self.active_function = (spec, function) if spec else (None, None)
        if spec:
            self.function_edit.setText(function)
        self._status(_trigger_text(spec, function), Tone.OK if spec else Tone.MUTED)

    def browse(self) -> None:
        dialog = QFileDialog(self, "Choose the trigger's handler file")
        dialog.setObjectName("triggerFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Python files (*.py)", "All files (*)"])
        dialog.fileSelected.connect(self._file_chosen)
        self.dialog = dialog
        dialog.open()

    def _file_chosen(self, path: str) -> None:
        if path:
            self.spec_edit.setText(f"{path}:handler")
            self.spec_edit.setFocus()
            self.spec_edit.setCursorPosition(len(self.spec_edit.text()))

    def apply(self) -> None:
        spec = self.spec_edit.text().strip()
        if not spec:
            self._show_problem("Enter a handler file (path.py:handler) or a Lambda-Invoke URL, or press "
                               "No trigger.")
            return
        self._tasks.spawn(self._set(spec), name="set-sandbox-trigger")

    def use_demo(self) -> None:
        """The demo trigger the embedded sandbox starts with, under the default function name."""
        self.function_edit.setText(DEFAULT_TRIGGER_FUNCTION)
        self._tasks.spawn(self._set(DEMO_SPEC), name="demo-sandbox-trigger")

    def remove(self) -> None:
        self._tasks.spawn(self._set(None), name="remove-sandbox-trigger")

    async def _set(self, spec: str | None) -> None:
        control = self.control
        if control is None:
            self._show_problem(NOT_SANDBOX)
            return
        function = self.function_edit.text().strip() or DEFAULT_TRIGGER_FUNCTION
        self._show_problem("")
        self._status("Checking the trigger…" if spec else "Removing the trigger…", Tone.MUTED)
        self.apply_button.setEnabled(False)
        try:
            await run_blocking(control.set_trigger, spec, function)
        except SandboxControlError as error:
            self._status("", Tone.MUTED)
            self._show_problem(shown(str(error).removeprefix("spec: ")))
            self.spec_edit.setFocus()
            return
        finally:
            self.apply_button.setEnabled(self.control is not None)
        self.active_spec, self.active_function = spec, function if spec else None
        self._status(_trigger_text(spec, function), Tone.OK if spec else Tone.MUTED)
        self.trigger_changed.emit(spec, function)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _status(self, text: str, tone: Tone) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)
        self.status.setVisible(bool(text))

    # --- the last run --------------------------------------------------------------------------
    def clear_run(self, text: str) -> None:
        self.run = None
        self.summary.setText(text)
        set_tone(self.summary, Tone.MUTED)
        for view in (self.sent_view, self.returned_view, self.rendered_view):
            if not view.document().isEmpty():
                view.clear()
        self.problems.hide()
        self.match.hide()

    def show_run(self, run: TriggerRun, preview: Mapping[str, Any] | None) -> None:
        self.run = run
        self.sent_view.setPlainText(event_json(run.event))
        self.returned_view.setPlainText(_returned_text(run))
        timing = "" if run.duration_ms is None else (
            f" in {run.duration_ms:.0f} ms" if run.duration_ms >= 1 else " in under 1 ms")
        if run.ok:
            if run.rendered is not None:
                self.summary.setText(f"✓ The trigger answered{timing}; Cognito sends its {run.medium} "
                                     "message, code filled in.")
                subject = f"Subject: {run.rendered.subject}\n\n" if run.rendered.subject else ""
                self.rendered_view.setPlainText(subject + (run.rendered.body or ""))
            else:
                self.summary.setText(f"✓ The trigger answered{timing} but left the {run.medium} message "
                                     "empty: Cognito sends the pool's own template.")
                self.rendered_view.setPlainText("(the pool's template)")
            set_tone(self.summary, Tone.OK)
        else:
            self.summary.setText(f"✗ {shown(run.error_code)}: {shown(run.error_message or '')}".rstrip())
            set_tone(self.summary, Tone.ERROR)
            self.rendered_view.setPlainText("(no message: the send failed)")
        self.problems.setText("\n".join(f"• {shown(problem)}" for problem in run.problems))
        self.problems.setVisible(bool(run.problems))
        self._show_match(run, preview)

    def _show_match(self, run: TriggerRun, preview: Mapping[str, Any] | None) -> None:
        if preview is None:
            self.match.hide()
            return
        differences = event_differences(dict(preview), dict(run.event))
        if differences:
            shown = ", ".join(differences[:4]) + ("…" if len(differences) > 4 else "")
            self.match.setText(f"Differs from the preview at: {shown}")
            set_tone(self.match, Tone.WARNING)
        else:
            self.match.setText("✓ Same event as the preview.")
            set_tone(self.match, Tone.OK)
        self.match.show()
