"""The profile dialog when the tester gets fields wrong: every field's error at once, each on its own
row under its field, no field squeezed; and the delete prompt names only the secrets there are."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore, SecretKind
from app.ui.signin.connection_panel import ConnectionPanel
from app.ui.signin.profile_dialog import ProfileDialog

pytestmark = pytest.mark.gui

FIELDS = {"region": "profileRegionEdit", "endpoint_url": "profileEndpointEdit", "client_id": "profileClientIdEdit"}


def geometry_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def test_every_field_error_shows_at_once_under_its_field_without_squeezing_it(qtbot: QtBot) -> None:
    dialog = ProfileDialog(ProfileStore(app_paths().profiles_file), MemorySecretStore())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.name_edit.setText("bad")
    dialog.region_edit.setText("Mars West")
    dialog.endpoint_edit.setText("htp:/bad url")
    dialog.client_id_edit.setText("abc def")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible(), "saved a profile with invalid fields"

    shown = {}
    for field, edit_name in FIELDS.items():
        error = dialog.findChild(QLabel, f"profileError_{field}")
        assert error is not None
        qtbot.waitUntil(error.isVisible)
        shown[field] = (dialog.findChild(QLineEdit, edit_name), error)

    def problems() -> list[str]:
        found = []
        for field, (edit, error) in shown.items():
            assert edit is not None and error.text(), field
            field_rect, error_rect = geometry_in(edit, dialog), geometry_in(error, dialog)
            if edit.height() < edit.sizeHint().height() or edit.width() < 250:
                found.append(f"{field} squeezed to {edit.size().toTuple()}")
            if error_rect.top() < field_rect.bottom():
                found.append(f"{field}'s error is not below the field")
            if error.height() < error.heightForWidth(error.width()):
                found.append(f"{field}'s error is cut")
        rects = [geometry_in(w, dialog) for pair in shown.values() for w in pair]
        found += [f"{a} over {b}" for a, b in itertools.combinations(rects, 2) if a.intersects(b)]
        return found

    qtbot.waitUntil(lambda: not problems(), timeout=2000)  # once the layout has settled

    # Fixed, the errors go and the profile saves.
    dialog.region_edit.setText("eu-west-1")
    dialog.endpoint_edit.setText("http://127.0.0.1:9229")
    dialog.client_id_edit.setText("1example23456789")
    dialog.save_button.click()
    assert not dialog.isVisible()


@pytest.mark.parametrize(("with_secret", "expected"), [(False, "Delete the profile 'plain'?"),
                                                        (True, "and its stored client secret")])
def test_the_delete_prompt_names_the_client_secret_only_when_the_profile_has_one(
    qtbot: QtBot, with_secret: bool, expected: str
) -> None:
    store, secrets = ProfileStore(app_paths().profiles_file), MemorySecretStore()
    store.save(Profile(name="plain", region="eu-west-1", client_id="1example23456789",
                       has_client_secret=with_secret))
    if with_secret:
        secrets.set(SecretKind.CLIENT_SECRET, "plain", "s3cret")
    panel = ConnectionPanel(store, secrets)
    qtbot.addWidget(panel)
    panel.reload(select="plain")
    panel.delete_profile()
    box = panel.findChild(QMessageBox, "deleteProfileConfirm") or panel.window().findChild(
        QMessageBox, "deleteProfileConfirm")
    assert box is not None
    assert expected in box.text()
    assert ("secret" in box.text()) is with_secret
    box.reject()
