"""Text shown as written where Qt would guess it is HTML (tooltips and item tooltips have no text
format of their own: text that looks like markup is drawn as markup)."""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def plain_tooltip(text: str | None) -> str | None:
    """`text` for a tooltip, drawn as written even when it looks like HTML (`<b>`, `<img …>`)."""
    if text and Qt.mightBeRichText(text):
        return f"<qt>{html.escape(text)}</qt>"
    return text
