"""Uploads waiting between their preview and their import, in a private folder.

The file is kept, not the parsed plan: the import reads it again with the
choices made on the preview, so both run the same code. An hour later it goes.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

KEPT_FOR_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _folder(instance_path: str) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _path(instance_path: str, user_id: int, token: str) -> Path | None:
    if not _TOKEN.match(token):
        return None
    return _folder(instance_path) / f"{user_id}-{token}"


def keep_upload(instance_path: str, user_id: int, data: bytes) -> str:
    """Keep the upload for this account; the token that finds it again."""
    folder = _folder(instance_path)
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - KEPT_FOR_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    path = folder / f"{user_id}-{token}"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return token


def kept_upload(instance_path: str, user_id: int, token: str) -> bytes | None:
    """The account's kept upload, unless it is gone or too old."""
    path = _path(instance_path, user_id, token)
    if path is None or not path.is_file():
        return None
    if path.stat().st_mtime < time.time() - KEPT_FOR_SECONDS:
        path.unlink(missing_ok=True)
        return None
    return path.read_bytes()


def drop_upload(instance_path: str, user_id: int, token: str) -> None:
    """Forget the kept upload."""
    path = _path(instance_path, user_id, token)
    if path is not None:
        path.unlink(missing_ok=True)
