"""A record of one SMTP attempt: its steps, and what client and server said, secrets hidden."""

from __future__ import annotations

import base64
import binascii
import enum
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from translations import _

HIDDEN = "[hidden]"
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{6,}={0,2}")


def _decodings(token: str) -> Iterable[bytes]:
    """What token may encode: base64 or its URL-safe kind, read from each of four offsets."""
    core = token.rstrip("=")
    for start in range(4):
        part = core[start:]
        padded = part + "=" * (-len(part) % 4)
        for altchars in (None, b"-_"):
            try:
                yield base64.b64decode(padded, altchars=altchars)
            except (binascii.Error, ValueError):
                continue


def scrub(text: str, secrets: Iterable[str]) -> str:
    """text with every secret hidden: as written, as Python shows bytes, and base64-encoded."""
    needles = [secret for secret in secrets if secret]
    if not needles:
        return text
    for secret in needles:
        for form in (secret, repr(secret.encode())[2:-1]):
            text = text.replace(form, HIDDEN)
    encoded = [secret.encode() for secret in needles]

    def hide(match: re.Match[str]) -> str:
        token = match.group()
        if any(needle in decoded for decoded in _decodings(token) for needle in encoded):
            return HIDDEN
        return token

    return _BASE64_TOKEN.sub(hide, text)


class Stage(enum.Enum):
    """The steps of an SMTP attempt, in the order they happen; the values are English names."""

    RESOLVE = "resolve"
    CONNECT = "connect"
    TLS = "TLS handshake"
    GREETING = "greeting"
    EHLO = "EHLO"
    STARTTLS = "STARTTLS"
    AUTH = "log-in"
    MAIL_FROM = "sender (MAIL FROM)"
    RCPT_TO = "recipients (RCPT TO)"
    DATA = "message (DATA)"
    QUIT = "QUIT"

    @property
    def label(self) -> str:
        """The step's name in the current language."""
        labels = {
            "resolve": lambda: _("resolve"),
            "connect": lambda: _("connect"),
            "TLS handshake": lambda: _("TLS handshake"),
            "greeting": lambda: _("greeting"),
            "log-in": lambda: _("log-in"),
            "sender (MAIL FROM)": lambda: _("sender (MAIL FROM)"),
            "recipients (RCPT TO)": lambda: _("recipients (RCPT TO)"),
            "message (DATA)": lambda: _("message (DATA)"),
        }
        label = labels.get(self.value)
        return label() if label else self.value


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation, seconds after the attempt began."""

    at: float
    speaker: Literal["client", "server", "note"]
    text: str


@dataclass
class Step:
    """One step of the attempt: how long it took, whether it worked, what it found."""

    stage: Stage
    started: float
    elapsed: float | None = None
    ok: bool | None = None
    detail: str = ""


@dataclass
class Transcript:
    """The steps and lines of one SMTP attempt."""

    lines: list[TranscriptLine] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    secrets: tuple[str, ...] = ()

    @property
    def stage(self) -> Stage:
        """The step under way (or the last one)."""
        return self.steps[-1].stage if self.steps else Stage.RESOLVE

    def begin(self, stage: Stage) -> None:
        """Start a step; the one under way, if any, ended well."""
        self.end(ok=True)
        self.steps.append(Step(stage, time.monotonic()))

    def end(self, *, ok: bool) -> None:
        """End the step under way."""
        if self.steps and self.steps[-1].ok is None:
            step = self.steps[-1]
            step.ok = ok
            step.elapsed = time.monotonic() - step.started

    def describe(self, detail: str) -> None:
        """Say what the step under way found, e.g. the TLS version."""
        if self.steps:
            self.steps[-1].detail = self.scrub(detail)
        self.add("note", detail)

    def add(self, speaker: Literal["client", "server", "note"], text: str) -> None:
        """Append a line, with any known secret replaced."""
        line = TranscriptLine(time.monotonic() - self.started, speaker, self.scrub(text))
        self.lines.append(line)

    def scrub(self, text: str) -> str:
        """Text with every known secret hidden, encoded or not."""
        return scrub(text, self.secrets)

    def render(self) -> str:
        """The conversation as text, one line per exchange."""
        prefix = {"client": "C:", "server": "S:", "note": "--"}
        return "\n".join(
            f"{line.at:7.3f}s {prefix[line.speaker]} {line.text}" for line in self.lines
        )
