"""Pick the attribute to verify: GetUser's attributes with value and verified badge, or any name
typed by hand (validated as the Cognito API documents it, with the message under the field)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.calls import UserAttribute, UserProfile
from app.core.errors import VERIFIABLE_ATTRIBUTES
from app.core.field_rules import attribute_name_problem, attribute_name_warning
from app.ui.widgets.style import Tone, selectable, set_tone

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def badge_text(attribute: UserAttribute) -> str:
    if attribute.verified is True:
        return "✓ verified"
    if attribute.verified is False:
        return "not verified"
    return "cannot be verified"


def _badge_tone(attribute: UserAttribute | None) -> Tone:
    if attribute is None or attribute.verified is None:
        return Tone.MUTED
    return Tone.OK if attribute.verified else Tone.WARNING


class AttributePicker(QWidget):
    """An editable combo over the user's attributes; `attribute_changed(str)` on every edit."""

    attribute_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributePicker")
        self._user: UserProfile | None = None
        self._pending: dict[str, str] = {}
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Attribute", "Value", "Status"])
        self.combo = self._build_combo()
        self.info = QLabel()
        self.info.setObjectName("attributeValueLabel")
        self.info.setWordWrap(True)
        selectable(self.info)
        self.badge = QLabel()
        self.badge.setObjectName("attributeBadgeLabel")
        self.badge.setProperty("badge", True)
        self.badge.hide()
        self.pending = QLabel()
        self.pending.setObjectName("attributePendingLabel")
        self.pending.setAccessibleName("Pending value, waiting for its code")
        self.pending.setWordWrap(True)
        selectable(self.pending)
        set_tone(self.pending, Tone.WARNING)
        self.pending.hide()
        self.problem = QLabel()
        self.problem.setObjectName("attributeProblemLabel")
        self.problem.setWordWrap(True)
        set_tone(self.problem, Tone.ERROR)
        self.problem.hide()

        label = QLabel("&Attribute")
        label.setBuddy(self.combo)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.combo, 1)
        top.addWidget(self.badge)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.pending)
        layout.addWidget(self.problem)
        self.combo.editTextChanged.connect(self._text_changed)
        self.combo.installEventFilter(self)
        self._text_changed(self.combo.currentText())

    def _build_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("attributeCombo")
        combo.setAccessibleName("Attribute name")
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setModel(self.model)
        combo.setModelColumn(0)
        combo.setMinimumContentsLength(18)
        combo.setToolTip("Pick one of your attributes or type any name (email and phone_number can be "
                         "verified)")
        view = QTableView()
        view.setObjectName("attributeListView")
        view.setAccessibleName("Your attributes with value and verified status")
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.setShowGrid(False)
        view.setMinimumWidth(420)
        combo.setView(view)
        line = combo.lineEdit()
        if line is not None:
            line.setObjectName("attributeNameEdit")
            line.setAccessibleName("Attribute name")
            line.setPlaceholderText("email")
        return combo

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Up/Down step from the attribute shown: a name filled in or typed leaves the combo's
        current item unset, and Down went to the first item (often the very same name)."""
        if (watched is self.combo and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
                and not event.modifiers() & Qt.KeyboardModifier.AltModifier):
            index = self.combo.findText(self.combo.currentText(), Qt.MatchFlag.MatchExactly)
            if index >= 0 and index != self.combo.currentIndex():
                self.combo.setCurrentIndex(index)
        return super().eventFilter(watched, event)

    # --- data -------------------------------------------------------------------------------
    def set_user(self, user: UserProfile | None) -> None:
        """Fill the list from GetUser (verifiable attributes first); keeps the typed name."""
        current = self.attribute_name()
        self._user = user
        self.combo.blockSignals(True)
        self.model.removeRows(0, self.model.rowCount())
        attributes = list(user.attributes) if user else []
        attributes.sort(key=lambda a: (a.name not in VERIFIABLE_ATTRIBUTES, a.name))
        for attribute in attributes:
            if attribute.name.endswith("_verified"):
                continue
            name_item = QStandardItem(attribute.name)
            name_item.setData(attribute.name, NAME_ROLE)
            value_item = QStandardItem(attribute.value)
            badge_item = QStandardItem(badge_text(attribute))
            for item in (name_item, value_item, badge_item):
                item.setEditable(False)
                item.setToolTip(f"{attribute.name} = {attribute.value} ({badge_text(attribute)})")
            self.model.appendRow([name_item, value_item, badge_item])
        self._fit_popup()
        self.combo.setCurrentIndex(-1)
        wanted = current or ("email" if user and user.attribute("email") else "")
        self.combo.setEditText(wanted)
        self.combo.blockSignals(False)
        self._text_changed(wanted)

    def _fit_popup(self) -> None:
        """The popup as wide as its columns' contents (the combo makes it only as wide as itself, so
        a long value pushed Status off its right edge); the screen's width caps it."""
        view = self.combo.view()
        if not isinstance(view, QTableView):
            return
        header = view.horizontalHeader()
        columns = sum(max(view.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in range(self.model.columnCount()))
        chrome = 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width()
        screen = self.screen().availableGeometry().width() if self.screen() is not None else columns
        view.setMinimumWidth(max(420, min(columns + chrome, screen)))

    def set_pending(self, values: Mapping[str, str]) -> None:
        """New values waiting for their code (the pool kept the original), by attribute name."""
        self._pending = dict(values)
        self._show_pending(self.attribute_name())

    def pending_value(self) -> str | None:
        return self._pending.get(self.attribute_name())

    def _show_pending(self, name: str) -> None:
        pending = self._pending.get(name)
        if pending is None:
            self.pending.hide()
            return
        attribute = self._user.attribute(name) if self._user else None
        active = attribute.value if attribute else None
        self.pending.setText(
            f"Pending: {pending} (the next code goes here; verifying it applies it). "
            f"Active: {active or '(none)'} (what GetUser returns and sign-in still uses).")
        self.pending.show()

    def attribute_name(self) -> str:
        """Exactly what will be sent (not stripped: a stray space is the tester's to see)."""
        return self.combo.currentText()

    def set_attribute_name(self, name: str) -> None:
        index = self.combo.findText(name, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        self.combo.setEditText(name)

    def current_attribute(self) -> UserAttribute | None:
        return self._user.attribute(self.attribute_name()) if self._user else None

    def problem_text(self) -> str | None:
        return attribute_name_problem(self.attribute_name())

    # --- display ------------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        problem = attribute_name_problem(text)
        # An empty field is not an error until the tester tries to send.
        self.problem.setVisible(bool(problem) and bool(text))
        self.problem.setText(problem or "")
        attribute = self.current_attribute()
        if attribute is not None:
            self.info.setText(attribute.value or "(empty value)")
            self.badge.setText(badge_text(attribute))
            set_tone(self.badge, _badge_tone(attribute))
            self.badge.show()
        else:
            self.badge.hide()
            if text and not problem and self._user is not None:
                self.info.setText("Not one of your attributes: Cognito will judge this name.")
            else:
                self.info.setText("")
        set_tone(self.info, Tone.NONE if attribute is not None else Tone.MUTED)
        if warning := (None if problem or not text else attribute_name_warning(text)):
            self.info.setText(warning)
            set_tone(self.info, Tone.WARNING)
        self._show_pending(text)
        self.attribute_changed.emit(text)

    def show_problem(self, message: str) -> None:
        """Show a problem found when sending (e.g. the empty name)."""
        self.problem.setText(message)
        self.problem.show()
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)
