"""A record of what client and server said, with credentials hidden."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

HIDDEN = "[hidden]"


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation, seconds after the attempt began."""

    at: float
    speaker: Literal["client", "server", "note"]
    text: str


@dataclass
class Transcript:
    """The lines of one SMTP attempt."""

    lines: list[TranscriptLine] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    secrets: tuple[str, ...] = ()

    def add(self, speaker: Literal["client", "server", "note"], text: str) -> None:
        """Append a line, with any known secret replaced."""
        line = TranscriptLine(time.monotonic() - self.started, speaker, self.scrub(text))
        self.lines.append(line)

    def scrub(self, text: str) -> str:
        """Text with every known secret replaced."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, HIDDEN)
        return text

    def render(self) -> str:
        """The conversation as text, one line per exchange."""
        prefix = {"client": "C:", "server": "S:", "note": "--"}
        return "\n".join(
            f"{line.at:7.3f}s {prefix[line.speaker]} {line.text}" for line in self.lines
        )
