"""Lists typed into one field: items separated by commas, semicolons or line breaks."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[,;\r\n]")


def split_list(text: str) -> list[str]:
    """The items of text, trimmed, in order, each once; empty items dropped."""
    return list(dict.fromkeys(item.strip() for item in _SEPARATORS.split(text) if item.strip()))
