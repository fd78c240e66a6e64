"""Measure how readable text is as drawn: WCAG contrast between a widget's glyphs and its background,
taken from a grab of the whole window (so parent frames' backgrounds count)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget


def _luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_contrast(window: QWidget, widget: QWidget, image: QImage | None = None) -> tuple[float, str, str]:
    """(ratio, text colour, background colour) of `widget` as drawn inside `window`.

    The background is the most common colour of the widget's area; the text colour is the pixel
    that differs most from it (glyph cores, not their anti-aliased edges).
    """
    shot = image if image is not None else window.grab().toImage()
    ratio = shot.devicePixelRatio()
    top_left = widget.mapTo(window, QPoint(0, 0))
    area = QRect(top_left, widget.size())
    crop = shot.copy(QRect(int(area.x() * ratio), int(area.y() * ratio),
                           int(area.width() * ratio), int(area.height() * ratio)))
    counts: Counter[int] = Counter()
    for y in range(crop.height()):
        for x in range(crop.width()):
            counts[crop.pixel(x, y)] += 1
    assert counts, f"{widget.objectName()} has no pixels"
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    text = max((QColor.fromRgb(rgb) for rgb in counts), key=lambda c: contrast_ratio(c, background))
    return contrast_ratio(text, background), text.name(), background.name()
