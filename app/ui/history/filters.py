"""The history tab's choice filters: by outcome (with the outcome icons) and by operation."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from app.core.models import SEND_OPERATION, UPDATE_OPERATION, VERIFY_OPERATION, Outcome
from app.ui.history.cells import draw_outcome_icon

_OUTCOME_CHOICES: tuple[tuple[str, Outcome | None, str | None], ...] = (
    ("All outcomes", None, None),
    ("Success", Outcome.SUCCESS, "success"),
    ("Error", Outcome.ERROR, "error"),
    ("Pending", Outcome.PENDING, "pending"),
    ("Interrupted", Outcome.INTERRUPTED, "interrupted"),
    ("Cancelled", None, "cancelled"),
)
OPERATION_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("All calls", None),
    ("Send", SEND_OPERATION),
    ("Verify", VERIFY_OPERATION),
    ("Update", UPDATE_OPERATION),
)


def outcome_combo(parent: QWidget) -> QComboBox:
    """All outcomes, each with its icon; the data is the outcome's value, or "cancelled"."""
    combo = QComboBox(parent)
    combo.setObjectName("historyOutcomeCombo")
    combo.setAccessibleName("Filter by outcome")
    for label, outcome, state in _OUTCOME_CHOICES:
        value = state if outcome is None else outcome.value  # Qt keeps plain strings, not enums
        if state is None:
            combo.addItem(label, value)
        else:
            combo.addItem(draw_outcome_icon(state), label, value)
    return combo


def operation_combo(parent: QWidget) -> QComboBox:
    """All calls, or one of send / verify / update; the data is the API operation's name."""
    combo = QComboBox(parent)
    combo.setObjectName("historyOperationCombo")
    combo.setAccessibleName("Filter by call")
    for label, operation in OPERATION_CHOICES:
        combo.addItem(label, operation)
    return combo


def chosen_operation(combo: QComboBox) -> str | None:
    value = combo.currentData()
    return value if isinstance(value, str) else None
