"""Logos: uploads made small and safe, hostile files refused, initials otherwise."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from models import Subscription, db
from tests.test_subscriptions_page import subscription_values

NEW = "/subscriptions/new"


def image(format: str, size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(out, format=format)
    return out.getvalue()


def upload(client: FlaskClient, data: bytes, filename: str, **values: Any) -> Any:
    form = {**subscription_values(**values), "logo": (io.BytesIO(data), filename)}
    return client.post(NEW, data=form, content_type="multipart/form-data")


def stored(app: Flask) -> tuple[bytes | None, str]:
    with app.app_context():
        subscription = db.session.scalar(select(Subscription))
        assert subscription is not None
        return subscription.logo, subscription.logo_type


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_a_raster_logo_is_kept_as_a_small_square_png(
    app: Flask, logged_in: FlaskClient, kind: str
) -> None:
    assert upload(logged_in, image(kind), f"logo.{kind.lower()}").status_code == 302
    logo, kind_stored = stored(app)
    assert kind_stored == "image/png" and logo is not None
    with Image.open(io.BytesIO(logo)) as kept:
        assert kept.size == (128, 128) and kept.format == "PNG"
    served = logged_in.get("/subscriptions/1/logo")
    assert served.data == logo and served.headers["Content-Type"] == "image/png"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    page = logged_in.get("/subscriptions").get_data(as_text=True)
    assert 'src="/subscriptions/1/logo"' in page


CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#e50914"/></svg>'
)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="http://127.0.0.1/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(http://x/y)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    ],
)
def test_an_svg_with_anything_but_drawing_is_refused(
    app: Flask, logged_in: FlaskClient, svg: bytes
) -> None:
    response = upload(logged_in, svg, "logo.svg")
    assert response.status_code == 422
    assert 'id="logo-error">' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Subscription)) is None, "nothing half-saved"


def test_a_clean_svg_is_kept(app: Flask, logged_in: FlaskClient) -> None:
    assert upload(logged_in, CLEAN_SVG, "logo.svg").status_code == 302
    logo, kind = stored(app)
    assert kind == "image/svg+xml" and logo is not None and b"<rect" in logo


def test_a_decompression_bomb_and_a_non_image_are_refused(
    app: Flask, logged_in: FlaskClient
) -> None:
    bomb = image("PNG", (9000, 9000), mode="1")  # 81 million pixels in a few kilobytes
    assert len(bomb) < 512 * 1024
    for data, name in ((bomb, "bomb.png"), (b"%PDF-1.4 not an image", "x.png")):
        response = upload(logged_in, data, name)
        assert response.status_code == 422
        assert "not a PNG, JPEG, WebP, GIF or SVG image" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_a_page(logged_in: FlaskClient) -> None:
    # A raw body: the test client would spool a dict of files to a temporary file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="logo"; filename="huge.png"\r\n\r\n'
        + b"x" * (2 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    response = logged_in.post(NEW, data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "That was too large" in response.get_data(as_text=True)


def test_without_a_logo_a_tile_shows_the_initials(logged_in: FlaskClient) -> None:
    logged_in.post(NEW, data=subscription_values(name="Disney Plus"))
    page = logged_in.get("/subscriptions").get_data(as_text=True)
    assert 'aria-hidden="true">DP</span>Disney Plus' in page


def test_another_account_cannot_see_a_logo(app: Flask, logged_in: FlaskClient) -> None:
    upload(logged_in, image("PNG"), "logo.png")
    logged_in.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob pass 1"},
    )
    bob = app.test_client()
    bob.post("/login", data={"username": "bob", "password": "bob pass 1"})
    assert bob.get("/subscriptions/1/logo").status_code == 404
