"""Finding a mail server's settings: what each usual port answers, and the best choice."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mailer.config import Security, SmtpConfig
from mailer.errors import CertificateRefused, MailError
from mailer.transport import SmtpConnection
from translations import _

# The ports worth trying, and whether each speaks TLS from the first byte.
USUAL_PORTS: tuple[tuple[int, bool], ...] = ((465, True), (587, False), (25, False))


@dataclass(frozen=True)
class PortReport:
    """What one port answered."""

    port: int
    implicit_tls: bool
    reachable: bool
    greeting: str = ""
    starttls: bool = False
    tls: str = ""
    verified: bool = False
    auth: tuple[str, ...] = ()
    problem: str = ""

    @property
    def security(self) -> Security | None:
        """The encryption to choose for this port, if it can carry mail at all."""
        if not self.reachable:
            return None
        if self.implicit_tls:
            return Security.SSL
        return Security.STARTTLS if self.starttls and self.tls else Security.NONE

    @property
    def rank(self) -> int:
        """Lower is better: verified TLS, then STARTTLS, then unverified, then plain."""
        order = {Security.SSL: 0, Security.STARTTLS: 1, Security.NONE: 4}
        security = self.security
        if security is None:
            return 99
        return order[security] + (0 if self.verified or security is Security.NONE else 2)


def _open(config: SmtpConfig, deadline: float) -> tuple[SmtpConnection | None, MailError | None]:
    connection = SmtpConnection(config)
    try:
        connection.open(deadline)
    except MailError as error:
        return None, error
    return connection, None


def _auth_of(connection: SmtpConnection) -> tuple[str, ...]:
    return tuple(connection.extensions.get("auth", "").split())


def probe_port(base: SmtpConfig, port: int, implicit_tls: bool, deadline: float) -> PortReport:
    """Connect to one port without logging in, by deadline, and report what it offers.

    base's trust settings (ignored verification, a trusted certificate, a CA) apply,
    as they do when sending.
    """
    security = Security.SSL if implicit_tls else Security.NONE
    config = dataclasses.replace(base, port=port, security=security, username="", password="")
    connection, error = _open(config, deadline)
    verified = implicit_tls and not isinstance(error, CertificateRefused)
    tls = _("verified") if verified else ""
    if isinstance(error, CertificateRefused):
        tls = _("certificate not trusted: %(reason)s", reason=error.reason)
        connection, _error = _open(dataclasses.replace(config, verify_certificate=False), deadline)
    if connection is None:
        problem = error.summary if error else ""
        return PortReport(port, implicit_tls, reachable=False, problem=problem)
    with contextlib.closing(connection):
        report = PortReport(
            port,
            implicit_tls,
            reachable=True,
            greeting=connection.greeting,
            starttls="starttls" in connection.extensions,
            tls=tls,
            verified=verified,
            auth=_auth_of(connection),
        )
    if implicit_tls or not report.starttls:
        return report
    starttls = dataclasses.replace(config, security=Security.STARTTLS)
    return _with_starttls(report, starttls, deadline)


def _with_starttls(report: PortReport, config: SmtpConfig, deadline: float) -> PortReport:
    connection, error = _open(config, deadline)
    if connection is not None:
        with contextlib.closing(connection):
            return dataclasses.replace(
                report, tls=_("verified"), verified=True, auth=_auth_of(connection) or report.auth
            )
    if isinstance(error, CertificateRefused):
        return dataclasses.replace(
            report, tls=_("certificate not trusted: %(reason)s", reason=error.reason)
        )
    return dataclasses.replace(report, problem=error.summary if error else "")


def detect(base: SmtpConfig, ports: Sequence[tuple[int, bool]] = USUAL_PORTS) -> list[PortReport]:
    """Probe the ports in parallel, all within base's timeout."""
    deadline = time.monotonic() + base.timeout
    with ThreadPoolExecutor(max_workers=len(ports)) as pool:
        futures = [
            pool.submit(probe_port, base, port, implicit, deadline) for port, implicit in ports
        ]
        return [future.result() for future in futures]


def best(reports: Sequence[PortReport]) -> PortReport | None:
    """The report to propose: verified TLS first, then STARTTLS, then plain."""
    usable = [report for report in reports if report.security is not None]
    return min(usable, key=lambda report: report.rank) if usable else None
