"""What an uploaded file is: a Wallos backup zip, a Wallos database, or a JSON document.

The zip is read in memory, member by member, never extracted: declared and real
sizes are both bounded, and a member whose path climbs out of the archive
refuses the whole file, as a restore that honoured it would write anywhere.
"""

from __future__ import annotations

import enum
import json
import posixpath
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import logos
from importers.errors import ImportRefused
from translations import N_, _

MAX_UPLOAD = 32 * 1024 * 1024
MAX_UNPACKED = 128 * 1024 * 1024
MAX_MEMBERS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"


class SourceKind(enum.Enum):
    """The kinds of file the import page accepts."""

    WALLOS_BACKUP = N_("Wallos backup (zip)")
    WALLOS_DATABASE = N_("Wallos database (wallos.db)")
    WALLOS_JSON = N_("Wallos JSON export")
    DUES_JSON = N_("Dues export")


@dataclass(frozen=True)
class Upload:
    """An uploaded file, read: the database or document it holds, and any logos."""

    kind: SourceKind
    database: bytes = b""
    document: Any = None
    logos: dict[str, bytes] = field(default_factory=dict)


def read_upload(data: bytes) -> Upload:
    """Recognise and unpack an upload; ImportRefused for anything else."""
    if not data:
        raise ImportRefused(_("The file is empty."))
    if data.startswith(b"PK"):
        return _read_backup(data)
    if data.startswith(_SQLITE_MAGIC):
        return Upload(SourceKind.WALLOS_DATABASE, database=data)
    document = _json_document(data)
    if isinstance(document, dict) and document.get("format") == "dues":
        return Upload(SourceKind.DUES_JSON, document=document)
    return Upload(SourceKind.WALLOS_JSON, document=document)


def _json_document(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ImportRefused(
            _(
                "This is not a file Dues can import: choose Wallos's backup zip, its wallos.db,"
                " its JSON export, or a Dues export. (A JSON file cut short also ends up here.)"
            )
        ) from exc


def _safe_name(name: str) -> str:
    """The member's path inside the archive; ImportRefused if it leads outside it."""
    normalised = posixpath.normpath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or normalised == ".." or normalised.startswith("../"):
        raise ImportRefused(
            _(
                "The archive holds a path that leads outside it (“%(path)s”); it is refused.",
                path=name[:80],
            )
        )
    if len(name) > 1 and name[1] == ":":
        raise ImportRefused(
            _("The archive holds an absolute path (“%(path)s”); it is refused.", path=name[:80])
        )
    return normalised


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    # The declared size can lie; what is decompressed is counted as it comes.
    with archive.open(info) as member:
        data = member.read(budget[0] + 1)
    budget[0] -= len(data)
    if budget[0] < 0:
        raise ImportRefused(
            _(
                "The archive unpacks to more than %(size)d MB; it is refused.",
                size=MAX_UNPACKED // 2**20,
            )
        )
    return data


def _read_backup(data: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ImportRefused(_("The zip file is damaged or cut short.")) from exc
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(
            _("The archive holds more than %(num)d files; it is refused.", num=MAX_MEMBERS)
        )
    if sum(info.file_size for info in members) > MAX_UNPACKED:
        raise ImportRefused(
            _(
                "The archive unpacks to more than %(size)d MB; it is refused.",
                size=MAX_UNPACKED // 2**20,
            )
        )
    names = {_safe_name(info.filename): info for info in members}
    database_info = names.get("wallos.db") or names.get("db/wallos.db")
    if database_info is None:
        raise ImportRefused(
            _("The zip holds no wallos.db: choose the file Wallos's Admin → Backup gave you.")
        )
    budget = [MAX_UNPACKED]
    try:
        database = _read_member(archive, database_info, budget)
        found_logos = {
            posixpath.basename(name): _read_member(archive, info, budget)
            for name, info in names.items()
            if posixpath.dirname(name) == "logos" and not info.is_dir()
            and info.file_size <= logos.MAX_UPLOAD
        }  # fmt: skip
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise ImportRefused(_("The zip file is damaged or cut short.")) from exc
    return Upload(SourceKind.WALLOS_BACKUP, database=database, logos=found_logos)
