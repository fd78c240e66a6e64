"""The profile dialog warns, without refusing, when the pool id or endpoint names another region."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore
from app.core.validation import region_mismatch_warning
from app.ui.signin.profile_dialog import ProfileDialog

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("region", "pool", "endpoint", "names"),
    [
        ("us-east-1", "eu-west-1_AbCdEf123", None, ["eu-west-1"]),
        ("us-east-1", "us-east-1_AbCdEf123", "https://cognito-idp.eu-central-1.amazonaws.com", ["eu-central-1"]),
        ("us-east-1", "eu-west-1_AbC", "https://cognito-idp.eu-central-1.amazonaws.com/", ["eu-west-1", "eu-central-1"]),
    ],
)
def test_a_pool_or_endpoint_in_another_region_is_named(
    region: str, pool: str, endpoint: str | None, names: list[str]
) -> None:
    warning = region_mismatch_warning(region, pool, endpoint)
    assert warning is not None and region in warning
    assert all(name in warning for name in names)


@pytest.mark.parametrize(
    ("region", "pool", "endpoint"),
    [
        ("eu-west-1", "eu-west-1_AbCdEf123", None),
        ("eu-west-1", "eu-west-1_AbCdEf123", "https://cognito-idp.eu-west-1.amazonaws.com"),
        ("us-east-1", "us-east-1_x", "http://127.0.0.1:9229"),  # a local endpoint names no region
        ("us-east-1", "local_5zQrkCyD", None),  # cognito-local's pool ids carry no region
        ("us-gov-west-1", "us-gov-west-1_AbC", None),
        ("eu-west-1", None, None),
    ],
)
def test_matching_or_regionless_settings_give_no_warning(region: str, pool: str | None, endpoint: str | None) -> None:
    assert region_mismatch_warning(region, pool, endpoint) is None


def test_the_dialog_warns_about_the_pool_region_and_still_saves(qtbot: QtBot) -> None:
    store = ProfileStore(app_paths().profiles_file)
    dialog = ProfileDialog(store, MemorySecretStore())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("mixed")
    dialog.region_edit.setText("us-east-1")
    dialog.client_id_edit.setText("1example23456789")
    assert not dialog.region_warning.isVisible()
    dialog.pool_edit.setText("eu-west-1_AbCdEf123")
    assert dialog.region_warning.isVisible()
    assert "eu-west-1" in dialog.region_warning.text() and "us-east-1" in dialog.region_warning.text()
    dialog.region_edit.setText("eu-west-1")
    assert not dialog.region_warning.isVisible()
    dialog.region_edit.setText("us-east-1")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert store.get("mixed") is not None, "a warning must not refuse the profile"
