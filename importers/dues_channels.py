"""Push channels in Dues' own export: their settings in the document, their secrets sealed.

Without the passphrase a channel comes back without its secrets, and one that
cannot send without them comes back switched off, with a warning naming it.
"""

from __future__ import annotations

import json
from typing import Any

from channels import KINDS
from importers.columns import columns, row_from_json, row_to_json
from importers.errors import unreadable_export
from importers.plan import PlannedChannel
from models import Channel
from models.channel import TRUST_VALUES
from translations import _

_CHANNEL_COLUMNS = columns(
    Channel, {"id", "user_id", "settings", "secrets_encrypted", "created_at", "updated_at"}
)


def _secrets_key(number: int) -> str:
    return f"channel {number}"


def exported_channels(user_id: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The account's channels as the document holds them, and their secrets to seal."""
    records, secrets = [], {}
    for number, channel in enumerate(Channel.for_user(user_id), 1):
        record = row_to_json(channel, _CHANNEL_COLUMNS)
        record["settings"] = channel.values()
        record["categories"] = [category.name for category in channel.categories]
        records.append(record)
        if values := channel.secret_values():
            secrets[_secrets_key(number)] = json.dumps(values, sort_keys=True)
    return records, secrets


def _text_map(value: Any, allowed: set[str], where: str) -> dict[str, str]:
    """value as a mapping of text to text whose keys are among allowed."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k in allowed and isinstance(v, str) for k, v in value.items()
    ):
        raise unreadable_export(f"{where} are not this kind's")
    return dict(value)


def _planned(record: Any, number: int, sealed: dict[str, str] | None,
             warnings: list[str]) -> PlannedChannel:  # fmt: skip
    where = f"channel {number}'s"
    values = row_from_json(record, _CHANNEL_COLUMNS, where)
    kind = KINDS.get(str(values.get("kind")))
    name = values.get("name")
    if kind is None or not name:
        raise unreadable_export(f"{where} kind or name is missing or unknown")
    if values.get("trust", "verify") not in TRUST_VALUES:
        raise unreadable_export(f"{where} trust is unknown")
    secret_names = {field.name for field in kind.secret_fields}
    plain_names = {field.name for field in kind.fields} - secret_names
    categories = record.get("categories") or []
    if not isinstance(categories, list) or not all(
        isinstance(c, str) and 0 < len(c) <= 50 for c in categories
    ):
        raise unreadable_export(f"{where} categories should be names of at most 50 characters")
    try:
        unsealed = json.loads((sealed or {}).get(_secrets_key(number), "{}"))
    except json.JSONDecodeError as exc:
        raise unreadable_export(f"{where} secrets are damaged") from exc
    secrets = _text_map(unsealed, secret_names, where + " secrets")
    enabled = bool(values.get("enabled", True))
    missing = [f for f in kind.secret_fields if f.required and not secrets.get(f.name)]
    if enabled and missing:
        enabled = False
        warnings.append(
            _(
                "The channel “%(name)s” comes back switched off: the export does not give its"
                " %(field)s (secrets travel only sealed with a passphrase). Enter it under"
                " Notifications, then switch the channel on.",
                name=name,
                field=_(missing[0].label),
            )
        )
    return PlannedChannel(
        kind=kind.key,
        name=name,
        enabled=enabled,
        values=_text_map(record.get("settings", {}), plain_names, where + " settings"),
        secrets=secrets,
        trust=values.get("trust", "verify"),
        ca_certificates=values.get("ca_certificates", ""),
        categories=categories if values.get("only_categories") else None,
    )


def planned_channels(records: Any, sealed: dict[str, str] | None,
                     warnings: list[str]) -> list[PlannedChannel]:  # fmt: skip
    """The channels an export's records bring; sealed holds its unsealed secrets, if any."""
    if not isinstance(records, list):
        raise unreadable_export('"channels" should be a list')
    return [_planned(record, number, sealed, warnings) for number, record in
            enumerate(records, 1)]  # fmt: skip
