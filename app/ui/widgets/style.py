"""One stylesheet for the window, derived from the palette so dark and light themes both read well.

Widgets never hard-code colours: they set a `tone` property (error, warning, ok, info, muted) and
the application stylesheet, rebuilt whenever the palette changes, colours them.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget


class Theme(StrEnum):
    """The tester's choice; SYSTEM follows the platform's palette."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Tone(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OK = "ok"
    INFO = "info"
    MUTED = "muted"
    NONE = ""


# (foreground, background, border) per tone, for light and dark palettes.
_LIGHT = {
    Tone.ERROR: ("#8c1d18", "#fdecea", "#e8a39d"),
    Tone.WARNING: ("#6b4e00", "#fff4d6", "#e6c35c"),
    Tone.OK: ("#1d5e2e", "#e7f4ea", "#8fc79d"),
    Tone.INFO: ("#17457a", "#e8f0fb", "#9dbbe3"),
}
_DARK = {
    Tone.ERROR: ("#ffb4ab", "#3f1d1b", "#8c3b35"),
    Tone.WARNING: ("#ffd98a", "#3a3018", "#8a6d22"),
    Tone.OK: ("#9be3a8", "#1b3323", "#3f7a4e"),
    Tone.INFO: ("#a9c8ff", "#1b2a40", "#3d5f8f"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_colors(tone: Tone, palette: QPalette | None = None) -> tuple[str, str, str]:
    """(foreground, background, border) of a tone under the current palette."""
    table = _DARK if is_dark(palette) else _LIGHT
    return table.get(tone, table[Tone.INFO])


def muted_color(palette: QPalette, weight: float = 0.35) -> QColor:
    """Secondary text: the window text moved `weight` of the way to the window colour. Unlike the
    platform's placeholder colour it keeps WCAG AA contrast (≥ 4.5:1) in any light or dark palette."""
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)

    def mix(a: int, b: int) -> int:
        return round(a + (b - a) * weight)

    return QColor(mix(text.red(), back.red()), mix(text.green(), back.green()), mix(text.blue(), back.blue()))


def dark_palette() -> QPalette:
    """A dark Fusion palette with readable disabled text and links."""
    p = QPalette()
    window, base, text = QColor("#202124"), QColor("#17181a"), QColor("#e8eaed")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#26282b"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#303134"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#9aa0a6"))
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#2d2f31"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor("#8ab4f8"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3a6fd8"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#3c4043"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#111214"))
    p.setColor(QPalette.ColorRole.Light, QColor("#45484c"))
    disabled = QColor("#7c8086")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def light_palette() -> QPalette:
    p = QPalette(QColor("#f3f3f3"))
    p.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#f5f7fa"))
    p.setColor(QPalette.ColorRole.Text, QColor("#1f1f1f"))
    p.setColor(QPalette.ColorRole.WindowText, QColor("#1f1f1f"))
    p.setColor(QPalette.ColorRole.ButtonText, QColor("#1f1f1f"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#6b6f75"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2f6fde"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor("#1a56c4"))
    return p


_system_palette: QPalette | None = None


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Switch palettes; the stylesheet follows (see `stylesheet`)."""
    global _system_palette  # noqa: PLW0603 - the platform palette, captured once
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    if theme is Theme.SYSTEM:
        app.setPalette(_system_palette)
    else:
        app.setStyle("Fusion")
        app.setPalette(dark_palette() if theme is Theme.DARK else light_palette())
    app.setStyleSheet(stylesheet(app.palette()))


def stylesheet(palette: QPalette) -> str:
    """The application stylesheet for a palette: tone colours for labels, banners and badges."""
    rules: list[str] = []
    for tone in (Tone.ERROR, Tone.WARNING, Tone.OK, Tone.INFO):
        fg, bg, border = tone_colors(tone, palette)
        rules.append(f'QLabel[tone="{tone}"] {{ color: {fg}; }}')
        rules.append(
            f'QFrame[tone="{tone}"][banner="true"] {{ background: {bg}; border: 1px solid {border};'
            " border-radius: 6px; }"
        )
        rules.append(
            f'QFrame[tone="{tone}"][banner="true"] QLabel {{ color: {fg}; background: transparent; }}'
        )
        rules.append(
            f'QLabel[badge="true"][tone="{tone}"] {{ color: {fg}; background: {bg};'
            f" border: 1px solid {border}; border-radius: 8px; padding: 1px 8px; }}"
        )
    muted = muted_color(palette).name()
    rules.append(f'QLabel[tone="muted"] {{ color: {muted}; }}')
    rules.append('QLabel[heading="true"] { font-weight: 600; }')
    rules.append("QLabel#errorCodeLabel { font-weight: 700; }")  # its size is set to fit (FitLabel)
    rules.append("QGroupBox { font-weight: 600; }")
    rules.append("QGroupBox QLabel, QGroupBox QLineEdit, QGroupBox QPushButton, QGroupBox QComboBox,"
                 " QGroupBox QCheckBox, QGroupBox QRadioButton { font-weight: normal; }")
    return "\n".join(rules)


def set_tone(widget: QWidget, tone: Tone) -> None:
    """Colour a label or banner frame by meaning; re-polishes so the stylesheet applies now."""
    if widget.property("tone") == tone.value:
        return
    widget.setProperty("tone", tone.value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    for child in widget.findChildren(QWidget):
        style.unpolish(child)
        style.polish(child)


def set_style_sheet(widget: QWidget, sheet: str) -> None:
    """Give a widget its own style sheet, unless it has it already (setting one re-polishes it)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def mono_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


def selectable(label: QWidget) -> None:
    """Let the tester select and copy a label's text with the mouse (keeps it out of the tab order)."""
    from PySide6.QtWidgets import QLabel

    if isinstance(label, QLabel):
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
