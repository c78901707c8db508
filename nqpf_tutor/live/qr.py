"""The join address as a QR code (segno), drawn with half blocks: two modules a character."""

from __future__ import annotations

import segno


def qr_lines(text: str, border: int = 2) -> list[str]:
    """Lines of ``▀ ▄ █`` and spaces, dark modules as ink: draw them dark on a light background.
    Each character is one module wide and two tall, so the code comes out about square."""
    qr = segno.make(text, error="m", micro=False)
    rows = [[bool(v) for v in row] for row in qr.matrix]
    size = len(rows[0])
    blank = [False] * (size + 2 * border)
    rows = [blank] * border + [[False] * border + r + [False] * border for r in rows] + [blank] * border
    if len(rows) % 2:
        rows.append(blank)
    chars = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return ["".join(chars[(a, b)] for a, b in zip(rows[i], rows[i + 1])) for i in range(0, len(rows), 2)]
