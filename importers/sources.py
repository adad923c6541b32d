"""From an upload and the choices on the preview to the ImportPlan it brings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from importers.dues_format import plan_from_dues
from importers.plan import ImportPlan
from importers.upload import SourceKind, Upload
from importers.wallos_database import WallosUser, opened_copy, wallos_users
from importers.wallos_json import currency_questions, plan_from_wallos_json
from importers.wallos_mapping import plan_from_wallos


@dataclass
class Choices:
    """What the user chose on the preview."""

    wallos_user: int | None = None
    currencies: dict[str, str] = field(default_factory=dict)
    passphrase: str = ""
    with_email: bool = True
    with_two_factor: bool = True


@dataclass
class Reading:
    """A plan, and what the preview offers to choose from."""

    plan: ImportPlan
    wallos_users: list[WallosUser] = field(default_factory=list)
    chosen_user: int | None = None
    currency_options: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    # Whether the file has two-factor sign-in to bring, chosen or not.
    offers_two_factor: bool = False


def read_plan(upload: Upload, choices: Choices, username: str, currency: str) -> Reading:
    """The plan for this upload with these choices; ImportRefused if it cannot be read."""
    if upload.kind is SourceKind.DUES_JSON:
        reading = Reading(plan_from_dues(upload.document, choices.passphrase))
    elif upload.kind is SourceKind.WALLOS_JSON:
        options = currency_questions(upload.document, currency)
        answers = {
            symbol: choices.currencies.get(symbol, default)
            for symbol, (codes, default) in options.items()
        }
        answers = {s: code for s, code in answers.items() if code in options[s][0]}
        plan = plan_from_wallos_json(upload.document, answers, me=username)
        reading = Reading(plan, currency_options=options)
    else:
        with opened_copy(upload.database) as connection:
            users = wallos_users(connection)
            ids = [user.id for user in users]
            chosen = choices.wallos_user if choices.wallos_user in ids else ids[0]
            logos = upload.logos if upload.kind is SourceKind.WALLOS_BACKUP else None
            plan = plan_from_wallos(connection, chosen, upload.kind.value, logos)
        reading = Reading(plan, wallos_users=users, chosen_user=chosen)
    if not choices.with_email:
        reading.plan.email, reading.plan.secrets, reading.plan.channels = None, {}, []
    reading.offers_two_factor = reading.plan.two_factor is not None
    if not choices.with_two_factor:
        reading.plan.two_factor = None
    return reading


def choices_from(form: Mapping[str, str]) -> Choices:
    """The preview's choices from its submitted fields (currency:<symbol> per symbol)."""
    user = form.get("wallos_user", "")
    return Choices(
        wallos_user=int(user) if user.isdigit() and len(user) < 10 else None,
        currencies={key[9:]: value for key, value in form.items() if key.startswith("currency:")},
        passphrase=form.get("passphrase", ""),
        with_email=form.get("with_email") == "on",
        with_two_factor=form.get("with_two_factor") == "on",
    )
