"""The app icon as a PNG, for phones that put no SVG on their home screen (iOS)."""

from __future__ import annotations

import functools
import io

from flask import Blueprint, Response
from PIL import Image, ImageDraw

bp = Blueprint("icons", __name__)

SIZE = 180  # what iOS asks for at /apple-touch-icon.png
BLUE = (36, 80, 181)  # the favicon's #2450b5
WHITE = (255, 255, 255)


@functools.cache
def touch_icon() -> bytes:
    """The favicon's clock, white on the full blue square (iOS rounds the corners)."""
    scale = 4  # drawn large and scaled down, for smooth edges
    side = SIZE * scale
    image = Image.new("RGB", (side, side), BLUE)
    draw = ImageDraw.Draw(image)
    unit = side / 32  # the favicon's 32-unit grid
    hands = [(16 * unit, 8 * unit), (16 * unit, 16 * unit), (22 * unit, 20 * unit)]
    width = round(3 * unit)
    draw.line(hands, fill=WHITE, width=width, joint="curve")
    for x, y in (hands[0], hands[-1]):  # round ends, as the favicon's stroke-linecap
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue()


@bp.get("/apple-touch-icon.png")
def apple_touch_icon() -> Response:
    """The home-screen icon; needs no log-in, as the browser fetches it without one."""
    return Response(
        touch_icon(),
        mimetype="image/png",
        headers={"Cache-Control": "public, max-age=604800"},
    )
