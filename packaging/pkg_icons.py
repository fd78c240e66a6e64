"""Render resources/verifydesk.svg into the rasters each platform needs: PNG sizes, .ico, .icns.

Run alone (`python packaging/pkg_icons.py OUT_DIR`) or from build.py. Qt's own SVG renderer does the
drawing, so nothing beyond PySide6 is needed; the .ico and .icns containers are written here.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "verifydesk.svg"

# hicolor theme sizes (Linux) and the sources of the .ico/.icns entries.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# macOS icon types: each a PNG of the given pixel size (the @2x types reuse the larger rasters).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def _ensure_gui() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication([])


def render(size: int, svg: Path = SVG) -> object:
    """The icon as a QImage (ARGB32, not premultiplied) of size x size pixels."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: object) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage

    assert isinstance(image, QImage)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs say bytes; PySide6 wants str
        raise RuntimeError("Qt could not encode a PNG (imageformats missing?)")
    buffer.close()
    return bytes(data.data())


def _dib_bytes(image: object) -> bytes:
    """A 32-bit BMP entry for .ico: header, bottom-up BGRA rows, an all-clear AND mask."""
    from PySide6.QtGui import QImage

    assert isinstance(image, QImage)
    size = image.width()
    rows = []
    for y in range(size - 1, -1, -1):
        line: Any = image.constScanLine(y)  # a memoryview (typed `object`)
        rows.append(bytes(line)[: size * 4])  # ARGB32 in memory on little-endian is B, G, R, A
    mask_row = ((size + 31) // 32) * 4
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, size * size * 4, 0, 0, 0, 0)
    return header + b"".join(rows) + bytes(mask_row * size)


def ico_bytes(images: dict[int, object]) -> bytes:
    """A Windows .ico: BMP entries below 256 px (read by every Windows tool), PNG at 256."""
    entries = []
    for size in sorted(images):
        payload = png_bytes(images[size]) if size >= 256 else _dib_bytes(images[size])
        entries.append((size, payload))
    offset = 6 + 16 * len(entries)
    directory = struct.pack("<HHH", 0, 1, len(entries))
    blobs = b""
    for size, payload in entries:
        edge = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(payload), offset + len(blobs))
        blobs += payload
    return directory + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns: a header, then one PNG per icon type."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def generate(out_dir: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write `verifydesk-<N>.png` for each size, `verifydesk.ico`, `verifydesk.icns`; return the paths."""
    _app = _ensure_gui()
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(s for _, s in ICNS_TYPES)})
    images = {size: render(size, svg) for size in sizes}
    pngs = {size: png_bytes(images[size]) for size in sizes}
    written: dict[str, Path] = {}
    for size in PNG_SIZES:
        path = out_dir / f"verifydesk-{size}.png"
        path.write_bytes(pngs[size])
        written[f"png{size}"] = path
    written["ico"] = out_dir / "verifydesk.ico"
    written["ico"].write_bytes(ico_bytes({s: images[s] for s in ICO_SIZES}))
    written["icns"] = out_dir / "verifydesk.icns"
    written["icns"].write_bytes(icns_bytes(pngs))
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "build" / "icons"
    for name, path in generate(out).items():
        print(f"{name:7} {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
