"""The reference for the page benchmark: a bare Flask page, served like Dues."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def page() -> str:
    """A small HTML page."""
    return "<!doctype html><title>minimal</title><p>Hello</p>"
