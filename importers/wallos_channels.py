"""Wallos's push channels, one table per service, as Dues channels of the same kinds.

Wallos keeps one row per user and service (ntfy, Gotify, Telegram, Discord,
Pushover, Mattermost, webhook) and reads the first; its JSON endpoints store what
was typed, unescaped. A table an older Wallos lacks is simply not there.
"""

from __future__ import annotations

import json
import sqlite3

from channels import KINDS, FieldProblem, Kind
from importers.plan import ImportPlan, PlannedChannel
from importers.wallos_database import user_rows
from translations import _

# Wallos's table → Dues' kind, and which Wallos column fills each of its fields.
TABLES = {
    "ntfy_notifications": ("ntfy", {"server": "host", "topic": "topic"}),
    "gotify_notifications": ("gotify", {"server": "url", "token": "token"}),
    "telegram_notifications": ("telegram", {"bot_token": "bot_token", "chat_id": "chat_id"}),
    "discord_notifications": ("discord", {"webhook_url": "webhook_url"}),
    "pushover_notifications": ("pushover", {"user_key": "user_key", "app_token": "token"}),
    "mattermost_notifications": ("mattermost", {"webhook_url": "webhook_url"}),
    "webhook_notifications": ("webhook", {"url": "url", "method": "request_method"}),
}
# Wallos services Dues has no kind for.
NOT_BROUGHT = {"pushplus_notifications": "PushPlus", "serverchan_notifications": "ServerChan"}
WEBHOOK_METHODS = ("POST", "PUT")


def _first_row(connection: sqlite3.Connection, table: str, user_id: int) -> sqlite3.Row | None:
    """The row Wallos reads (and the email settings' reader takes): the first of the user's."""
    rows = user_rows(connection, table, user_id)
    return rows[0] if rows else None


def _text(row: sqlite3.Row, column: str) -> str:
    return str(row[column] or "").strip() if column in row.keys() else ""


def _ntfy_token(headers: str) -> tuple[str, bool]:
    """The access token in Wallos's ntfy headers (a JSON object), and whether others remain."""
    try:
        parsed = json.loads(headers) if headers else {}
    except json.JSONDecodeError:
        return "", True
    if not isinstance(parsed, dict):
        return "", True
    token, others = "", False
    for name, value in parsed.items():
        scheme, _space, credential = str(value).strip().partition(" ")
        if str(name).lower() == "authorization" and scheme.lower() == "bearer" and credential:
            token = credential.strip()
        else:
            others = True
    return token, others


def _adapt(key: str, fields: dict[str, str], row: sqlite3.Row) -> list[str]:
    """Fit this service's Wallos settings to Dues' fields; the settings that have none."""
    if key == "ntfy":
        # A protected topic's token is the one header Dues has a field for.
        fields["token"], others = _ntfy_token(_text(row, "headers"))
        return ["headers"] if others else []
    if key == "webhook":
        method = fields["method"].upper()
        fields["method"] = method if method in WEBHOOK_METHODS else "POST"
        left = [column for column in ("headers", "payload") if _text(row, column)]
        return left + (["request_method"] if method and method not in WEBHOOK_METHODS else [])
    return []


def _planned(
    kind: Kind, fields: dict[str, str], row: sqlite3.Row, warnings: list[str]
) -> PlannedChannel | None:
    """The channel these values make, or None with a warning saying why it cannot be."""
    service = _(kind.label)
    for field in kind.fields:
        if field.required and not fields.get(field.name) and not field.default:
            warnings.append(
                _(
                    "Wallos's %(service)s settings lack “%(field)s”; they are left out.",
                    service=service,
                    field=_(field.label),
                )
            )
            return None
        fields[field.name] = fields.get(field.name) or field.default
    try:
        kind.build(fields)
    except FieldProblem as problem:
        warnings.append(
            _(
                "Wallos's %(service)s settings cannot be used (%(reason)s); they are left out.",
                service=service,
                reason=problem,
            )
        )
        return None
    secret = {field.name for field in kind.secret_fields}
    ignores_certificate = "ignore_ssl" in row.keys() and bool(row["ignore_ssl"])
    return PlannedChannel(
        kind=kind.key,
        name=service,
        enabled=bool(row["enabled"]) if "enabled" in row.keys() else True,
        values={name: value for name, value in fields.items() if name not in secret},
        secrets={name: value for name, value in fields.items() if name in secret},
        trust="any" if ignores_certificate and kind.self_hosted else "verify",
    )


def plan_wallos_channels(connection: sqlite3.Connection, user_id: int, plan: ImportPlan) -> None:
    """Add to plan a channel for each service the Wallos user set up, or a warning why not."""
    tables = {str(name) for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    for table, (key, columns) in TABLES.items():
        row = _first_row(connection, table, user_id) if table in tables else None
        fields = {field: _text(row, column) for field, column in columns.items()} if row else {}
        if row is None or not any(fields.values()):
            continue  # never set up
        kind = KINDS[key]
        left = _adapt(key, fields, row)
        channel = _planned(kind, fields, row, plan.warnings)
        if channel is None:
            continue
        plan.channels.append(channel)
        if left:
            plan.warnings.append(
                _(
                    "Wallos's %(service)s %(settings)s are not brought: Dues sends its own"
                    " message. Check the channel under Notifications.",
                    service=channel.name,
                    settings=", ".join(left),
                )
            )
    for table, service in NOT_BROUGHT.items():
        row = _first_row(connection, table, user_id) if table in tables else None
        if row is not None and "enabled" in row.keys() and row["enabled"]:
            plan.warnings.append(
                _(
                    "Wallos's %(service)s notifications are not brought: Dues has no such"
                    " channel. Apprise may reach it as an “Other (Apprise URL)” channel.",
                    service=service,
                )
            )
