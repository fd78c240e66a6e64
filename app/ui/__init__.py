"""The PySide6 window: widgets and Qt models over the Qt-free core."""
