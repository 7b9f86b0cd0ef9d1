"""Draw the application icon (a shield with the Community Trigger initials) as PNG and ICO.

    .venv/bin/python scripts/make_icon.py
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    shield = QPainterPath()
    shield.moveTo(QPointF(128 * s, 12 * s))
    shield.lineTo(QPointF(228 * s, 48 * s))
    shield.cubicTo(QPointF(228 * s, 150 * s), QPointF(190 * s, 210 * s), QPointF(128 * s, 244 * s))
    shield.cubicTo(QPointF(66 * s, 210 * s), QPointF(28 * s, 150 * s), QPointF(28 * s, 48 * s))
    shield.closeSubpath()
    p.fillPath(shield, QColor("#1d70b8"))
    p.setPen(QColor("white"))
    font = QFont("DejaVu Sans", max(int(92 * s), 6))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, 40 * s, size, 150 * s), Qt.AlignmentFlag.AlignCenter, "CT")
    p.end()
    return image


def main() -> None:
    QGuiApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(OUT / "app.png"))
    draw(256).save(str(OUT / "app.ico"))  # Qt's ICO writer; Windows scales it for the taskbar
    print(f"Icons written to {OUT}")


if __name__ == "__main__":
    main()
