"""The profile form offers exactly the connection settings' own ranges: each end of every spin box
saves, and a value beyond it cannot be typed, so the form, the file and the CLI agree."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from app.core.connection import ATTEMPTS_RANGE, CONNECT_TIMEOUT_RANGE, READ_TIMEOUT_RANGE
from app.core.paths import app_paths
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore
from app.ui.signin.profile_dialog import ProfileDialog

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("end", [0, 1], ids=["lowest", "highest"])
def test_each_end_of_every_spin_box_is_a_value_that_saves(qtbot: QtBot, end: int) -> None:
    store = ProfileStore(app_paths().profiles_file)
    dialog = ProfileDialog(store, MemorySecretStore())
    qtbot.addWidget(dialog)
    spins: dict[str, tuple[QDoubleSpinBox | QSpinBox, tuple[float, float]]] = {
        "read_timeout_s": (dialog.read_timeout_spin, READ_TIMEOUT_RANGE),
        "connect_timeout_s": (dialog.connect_timeout_spin, CONNECT_TIMEOUT_RANGE),
        "max_attempts": (dialog.attempts_spin, ATTEMPTS_RANGE),
    }
    for spin, limits in spins.values():
        assert (spin.minimum(), spin.maximum()) == limits
        spin.setValue(limits[end] + (1 if end else -1))  # type: ignore[arg-type]  # beyond the end: clamped
    dialog.name_edit.setText("edges")
    dialog.region_edit.setText("eu-west-1")
    dialog.client_id_edit.setText("1example23456789")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    saved = store.get("edges")
    assert saved is not None, "a value the form offers was refused"
    assert {field: getattr(saved, field) for field in spins} == {
        field: limits[end] for field, (_, limits) in spins.items()}
