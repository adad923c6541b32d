"""Where Dues keeps its data: a private instance folder, its key, and its SQLite file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url


def private_folder(path: str) -> None:
    """The instance folder, readable by this user alone: it holds the key and the data."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def refuse_memory_database(url: str) -> None:
    """Stop at start on an in-memory SQLite database, which Dues cannot run on.

    Its one connection would be shared by every thread, so one request's rollback
    could undo another's writes, and everything would be gone at the next start.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError(
            f"DUES_DATABASE_URL={url} is an in-memory database, lost when Dues stops."
            " Give a file instead, such as sqlite:////var/lib/dues/dues.sqlite3."
        )


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite does; its -wal and -shm follow.

    SQLite gives the journal files the database file's permissions, so creating
    the file ourselves is what keeps all three private whatever the umask.
    """
    database = make_url(url).database
    if not url.startswith("sqlite") or not database or database == ":memory:":
        return
    path = Path(database)
    if path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if file.exists():
                os.chmod(file, 0o600)


def secret_key(instance_path: str) -> str:
    """The key from the instance folder, generated on first start and kept private."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
