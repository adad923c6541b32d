""" "Send test email": the page's POST against a raw smtplib send to the same server."""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from email.message import EmailMessage

from bench.common import bench_app, median, smtp_sink, table

ROUNDS = 40
ACCOUNT = {"username": "bench", "email": "bench@example.test", "password": "bench-password"}


def _raw_send(port: int, starttls: bool) -> float:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "d@example.test", "u@example.test", "t"
    message.set_content("Dues test email")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        if starttls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            smtp.starttls(context=context)
        smtp.send_message(message)
    return time.perf_counter() - started


def _page_send(client: object, port: int, starttls: bool) -> float:
    form = {
        "host": "127.0.0.1",
        "port": str(port),
        "security": "tls" if starttls else "none",
        "ignore_verification": "y",
        "from_email": "dues@example.test",
        "from_name": "Dues",
        "timeout": "10",
        "test_recipient": "bench@example.test",
        "default_offsets": "1",
        "send_hour": "9",
        "timezone": "UTC",
    }
    started = time.perf_counter()
    response = client.post("/settings/notifications/test", data=form)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    if not re.search(r"<strong>Test email sent</strong>", page):
        raise RuntimeError("the test email was not sent")
    return elapsed


def run(large: bool) -> str:
    """Median of ROUNDS sends each way, plain and STARTTLS."""
    rows = []
    with bench_app(WTF_CSRF_ENABLED=False) as app:
        client = app.test_client()
        client.post("/setup", data=ACCOUNT)
        for label, starttls in (("plain", False), ("STARTTLS", True)):
            with smtp_sink(starttls=starttls) as port:
                _raw_send(port, starttls), _page_send(client, port, starttls)  # warm up
                raw = median([_raw_send(port, starttls) for _ in range(ROUNDS)])
                page = median([_page_send(client, port, starttls) for _ in range(ROUNDS)])
            rows.append((label, f"{raw * 1000:.1f}", f"{page * 1000:.1f}", f"{page / raw:.2f}"))
    title = f"Test email latency, median of {ROUNDS} (target: page ≤ 1.3× raw send)"
    return table(
        title, ["connection", "raw smtplib (ms)", "Send test email POST (ms)", "ratio"], rows
    )
