"""What every response gets on its way out: the security headers, and a line in the log."""

from __future__ import annotations

import logging

from flask import Response, request

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

request_log = logging.getLogger("dues.requests")


def add_security_headers(response: Response) -> Response:
    """Set each security header the view did not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def log_request(response: Response) -> Response:
    """Write the request's line in the request log: client, method, URL and status."""
    request_log.info(
        "%s %s %s %s", request.remote_addr, request.method, loggable_url(), response.status_code
    )
    return response


def loggable_url() -> str:
    """The request's URL without its query string or a secret in its path.

    An OAuth callback's query holds the authorization code, and a calendar feed's
    path holds the token that is its only key.
    """
    url = request.base_url
    token = (request.view_args or {}).get("token")
    if isinstance(token, str) and token:
        url = url.replace(token, "…")
    return f"{url}?…" if request.query_string else url
