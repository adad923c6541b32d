"""Subscription logos: uploads made small and safe, and initials when there is none.

Raster images (PNG, JPEG, WebP, and GIF as Wallos takes it) are decoded and
drawn again as a 128-pixel PNG, so nothing of the upload but its pixels
survives. SVG is kept only when every element and attribute is on an
allowlist of drawing ones: no script, no event handler, no link to anything,
no embedded document. Logos are never fetched
from the internet by the server.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ElementTree

from PIL import Image, UnidentifiedImageError

from translations import _

SIZE = 128
MAX_UPLOAD = 512 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded
_SVG = "{http://www.w3.org/2000/svg}"
_DRAWING = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "clippath",
}  # fmt: skip
_ATTRIBUTES = {
    "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
    "d", "points", "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "fill-rule", "clip-rule", "opacity", "fill-opacity", "stroke-opacity", "transform",
    "offset", "stop-color", "stop-opacity", "gradientunits", "gradienttransform", "id",
    "font-size", "font-family", "font-weight", "text-anchor", "version", "clip-path",
    "preserveaspectratio",
}  # fmt: skip
_URL_REFERENCE = re.compile(r"^url\(#[A-Za-z0-9_-]+\)$")


class LogoRefused(ValueError):
    """The upload is not an image Dues keeps; the text says why, for the form."""


def _local_name(tag: str) -> str:
    return tag.removeprefix(_SVG).lower()


def _sanitised_svg(data: bytes) -> bytes:
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data.upper():
        raise LogoRefused(_("SVG files with a DOCTYPE or entities are not accepted."))
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise LogoRefused(_("That SVG file cannot be read.")) from exc
    if _local_name(root.tag) != "svg":
        raise LogoRefused(_("That is not an SVG image."))
    for element in root.iter():
        if not isinstance(element.tag, str) or _local_name(element.tag) not in _DRAWING:
            raise LogoRefused(_("The SVG holds something other than drawing (a script, say)."))
        for name, value in element.attrib.items():
            local = name.split("}")[-1].lower()
            if local not in _ATTRIBUTES:
                raise LogoRefused(
                    _("The SVG has an attribute Dues does not keep: “%(name)s”.", name=local)
                )
            if "url(" in value and not _URL_REFERENCE.match(value.strip()):
                raise LogoRefused(_("The SVG refers to something outside itself."))
    ElementTree.register_namespace("", _SVG[1:-1])
    return ElementTree.tostring(root)


def _small_png(data: bytes) -> bytes:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "WEBP", "GIF"):
                raise LogoRefused(_("Use a PNG, JPEG, WebP, GIF or SVG image."))
            image.thumbnail((SIZE, SIZE))
            square = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
            converted = image.convert("RGBA")
            square.paste(converted, ((SIZE - converted.width) // 2, (SIZE - converted.height) // 2))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        raise LogoRefused(
            _("That file is not a PNG, JPEG, WebP, GIF or SVG image Dues can read.")
        ) from exc
    out = io.BytesIO()
    square.save(out, format="PNG", optimize=True)
    return out.getvalue()


def prepared(data: bytes) -> tuple[bytes, str]:
    """The logo to store and its content type; LogoRefused for anything else."""
    if len(data) > MAX_UPLOAD:
        raise LogoRefused(_("Use an image of at most %(size)d kB.", size=MAX_UPLOAD // 1024))
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or data.lstrip().startswith(b"<svg"):
        return _sanitised_svg(data), "image/svg+xml"
    return _small_png(data), "image/png"


def initials(name: str) -> str:
    """One or two letters for a tile: 'Disney Plus' → 'DP', 'netflix' → 'N'."""
    words = [word for word in re.split(r"[\s\-_.+]+", name) if word]
    letters = "".join(word[0] for word in words[:2]) or "?"
    return letters.upper()


def tile_colour(name: str) -> int:
    """Which of the stylesheet's eight series colours a name's tile gets, always the same."""
    return hashlib.sha256(name.casefold().encode()).digest()[0] % 8
