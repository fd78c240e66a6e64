"""ClientMetadata presets: named grids saved per profile (part of `MetadataEditor`)."""

from __future__ import annotations

import logging
from typing import Protocol, cast

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QComboBox, QInputDialog, QWidget

from app.core.validation import MetadataRow
from app.ui.request.metadata_model import MetadataModel

log = logging.getLogger(__name__)


class PresetStore(Protocol):
    """The preset half of `app.core.profiles.ProfileStore`."""

    def list_presets(self, profile_name: str) -> dict[str, list[tuple[str, str]]]: ...

    def save_preset(self, profile_name: str, preset_name: str, rows: list[tuple[str, str]]) -> object: ...

    def delete_preset(self, profile_name: str, preset_name: str) -> object: ...


class MetadataPresets:
    """Load, save and delete the current profile's presets."""

    # Provided by MetadataEditor (whose own definitions take precedence over these).
    _model: MetadataModel

    def _set_status(self, message: str | None, *, error: bool = False) -> None:
        raise NotImplementedError

    preset_combo: QComboBox
    changed: SignalInstance
    _preset_store: PresetStore | None
    _profile_name: str | None

    def _update_buttons(self) -> None:
        raise NotImplementedError

    def _reload_presets(self, select: str | None = None) -> None:
        self.preset_combo.clear()
        names: list[str] = []
        if self._preset_store is not None and self._profile_name is not None:
            try:
                names = sorted(self._preset_store.list_presets(self._profile_name))
            except Exception as exc:  # a broken profiles file must not break the editor
                log.warning("could not list metadata presets: %s", exc)
                self._set_status(f"Presets unavailable: {exc}", error=True)
        self.preset_combo.addItems(names)
        self.preset_combo.setCurrentIndex(names.index(select) if select in names else -1)
        self._update_buttons()

    def presets(self) -> dict[str, list[tuple[str, str]]]:
        if self._preset_store is None or self._profile_name is None:
            return {}
        return self._preset_store.list_presets(self._profile_name)

    def _preset_chosen(self, index: int) -> None:
        name = self.preset_combo.itemText(index)
        self.load_preset(name)

    def load_preset(self, name: str) -> bool:
        """Replace the grid with the preset's rows."""
        try:
            rows = self.presets().get(name)
        except Exception as exc:
            self._set_status(f"Cannot read preset {name!r}: {exc}", error=True)
            return False
        if rows is None:
            self._set_status(f"No preset named {name!r} in this profile.", error=True)
            return False
        self._model.set_rows(MetadataRow(str(key), str(value)) for key, value in rows)
        self._set_status(f"Loaded preset {name!r} ({len(rows)} rows).", error=False)
        self.changed.emit()
        self._update_buttons()
        return True

    def _ask_preset_name(self) -> None:
        if self._preset_store is None or self._profile_name is None:
            self._set_status("Choose a profile first: presets are saved per profile.", error=True)
            return
        dialog = QInputDialog(cast(QWidget, self))
        dialog.setObjectName("metadataPresetNameDialog")
        dialog.setWindowTitle("Save ClientMetadata preset")
        dialog.setLabelText(f"Preset name (profile {self._profile_name}):")
        dialog.setAccessibleName("Preset name")
        dialog.setTextValue(self.preset_combo.currentText())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.save_preset)
        dialog.open()

    def save_preset(self, name: str) -> bool:
        """Save the rows (blank rows dropped) as preset `name` of the current profile."""
        name = name.strip()
        if self._preset_store is None or self._profile_name is None:
            self._set_status("Choose a profile first: presets are saved per profile.", error=True)
            return False
        if not name:
            self._set_status("Preset not saved: give it a name.", error=True)
            return False
        if self._model.problems():
            first = self._model.problems()[0]
            self._set_status(f"Preset not saved: fix row {first.row + 1} first.", error=True)
            return False
        rows = [(row.key, row.value) for row in self._model.rows() if row.key or row.value]
        try:
            self._preset_store.save_preset(self._profile_name, name, rows)
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._set_status(f"Preset not saved: {message}", error=True)
            return False
        self._reload_presets(select=name)
        self._set_status(f"Saved preset {name!r} ({len(rows)} rows).", error=False)
        return True

    def _delete_preset(self) -> None:
        name = self.preset_combo.currentText()
        if not name or self._preset_store is None or self._profile_name is None:
            return
        try:
            self._preset_store.delete_preset(self._profile_name, name)
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._set_status(f"Preset not deleted: {message}", error=True)
            return
        self._reload_presets()
        self._set_status(f"Deleted preset {name!r}; the grid is unchanged.", error=False)
