"""The PySide6 window: widgets and Qt models over the Qt-free core."""

from app.runtime.qt import stop_feature_source_scan

stop_feature_source_scan()
