"""Detecting a server's settings by probing several ports at once."""

from __future__ import annotations

import time

from mailer import Security, SmtpConfig, best, detect
from tests.conftest import SmtpLab
from tests.smtp_servers import LOOPBACK, free_port


def base(**options: object) -> SmtpConfig:
    return SmtpConfig(
        host=LOOPBACK,
        port=25,
        sender="dues@example.test",
        timeout=1,
        **options,  # type: ignore[arg-type]
    )


def test_verified_implicit_tls_is_preferred(smtp: SmtpLab) -> None:
    ports = [
        (smtp.implicit_tls_trusted.port, True),
        (smtp.starttls_self_signed.port, False),
        (smtp.plain_no_starttls.port, False),
    ]
    reports = detect(base(ca_certificates=smtp.ca_pem), ports)
    ssl_port, starttls_port, plain_port = reports
    assert (ssl_port.tls, ssl_port.verified) == ("verified", True)
    assert (
        starttls_port.starttls and starttls_port.tls == "certificate not trusted: it is self-signed"
    )
    assert not plain_port.starttls and plain_port.security is Security.NONE
    assert all(r.greeting.startswith("220 ") for r in reports)
    proposal = best(reports)
    assert proposal is not None
    assert (proposal.port, proposal.security) == (smtp.implicit_tls_trusted.port, Security.SSL)


def test_starttls_beats_plain_and_a_closed_port_is_reported(smtp: SmtpLab) -> None:
    closed = free_port()
    ports = [
        (closed, True),
        (smtp.starttls_self_signed.port, False),
        (smtp.plain_no_starttls.port, False),
    ]
    reports = detect(base(), ports)
    assert not reports[0].reachable and "Connection refused" in reports[0].problem
    proposal = best(reports)
    assert proposal is not None
    assert (proposal.port, proposal.security) == (smtp.starttls_self_signed.port, Security.STARTTLS)
    assert not proposal.verified


def test_only_plain_is_proposed_as_none_and_auth_mechanisms_are_listed(smtp: SmtpLab) -> None:
    reports = detect(base(), [(smtp.with_auth.port, False), (free_port(), False)])
    proposal = best(reports)
    assert proposal is not None and proposal.security is Security.NONE
    assert set(proposal.auth) >= {"PLAIN", "LOGIN"}


def test_ports_are_probed_in_parallel_within_the_timeout(smtp: SmtpLab) -> None:
    started = time.monotonic()
    reports = detect(base(), [(smtp.silent.port, False), (smtp.trickling.port, False)])
    assert time.monotonic() - started < 2.5
    assert not any(r.reachable for r in reports)
    assert best(reports) is None
