"""Each friendly form makes the Apprise URL the service needs, and Apprise accepts it.

Parsing only: nothing here is sent anywhere.
"""

from __future__ import annotations

import pytest

from channels import KINDS, FieldProblem, NotUsable, check_template, plugin_for
from channels.transport import redact
from channels.webhook import render_body

TELEGRAM_TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-dw"
DISCORD = (
    "https://discord.com/api/webhooks/112233445566778899/AbC-dEf_ghIJKlmnoPQRstuVWxyz0123456789"
)
SLACK = "https://hooks.slack.com/services/T0ABCDEF1/B0GHIJKL2/xYz0123456789AbCdEfGhIjKl"
PUSHOVER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
PUSHOVER_APP = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
MATRIX_TOKEN = "syt_YWxpY2U_wFGEyQpXtCIiVmWAjQmz_1M2zYh"


def plugin(kind: str, **values: str) -> object:
    return plugin_for(KINDS[kind].build(values))


def test_telegram_gets_bot_token_and_chat() -> None:
    service = plugin("telegram", bot_token=TELEGRAM_TOKEN, chat_id="-1001234567890")
    assert type(service).__name__ == "NotifyTelegram"
    assert service.bot_token == TELEGRAM_TOKEN  # type: ignore[attr-defined]
    assert [chat for chat, _ in service.targets] == [-1001234567890]  # type: ignore[attr-defined]


def test_a_telegram_token_not_shaped_as_botfather_gives_it_is_named() -> None:
    with pytest.raises(FieldProblem) as problem:
        KINDS["telegram"].build({"bot_token": "not a token", "chat_id": "1"})
    assert problem.value.field == "bot_token" and "BotFather" in str(problem.value)


def test_discord_takes_the_webhook_url_as_discord_shows_it() -> None:
    service = plugin("discord", webhook_url=DISCORD)
    assert type(service).__name__ == "NotifyDiscord"
    assert service.webhook_id == "112233445566778899"  # type: ignore[attr-defined]
    assert service.webhook_token == DISCORD.rsplit("/", 1)[1]  # type: ignore[attr-defined]
    with pytest.raises(FieldProblem, match="whole webhook URL"):
        KINDS["discord"].build({"webhook_url": "https://example.com/api/webhooks/1/x"})


def test_matrix_with_an_access_token_and_with_a_password() -> None:
    server = "https://matrix.example.org"
    with_token = plugin("matrix", server=server, token=MATRIX_TOKEN, room="#bills:example.org")
    assert type(with_token).__name__ == "NotifyMatrix"
    assert with_token.host == "matrix.example.org" and with_token.secure  # type: ignore[attr-defined]
    assert with_token.password == MATRIX_TOKEN and not with_token.user  # type: ignore[attr-defined]
    assert with_token.rooms == ["#bills:example.org"]  # type: ignore[attr-defined]
    with_password = plugin(
        "matrix", server=server, user="alice", token="pass word", room="!abc:example.org"
    )
    assert with_password.user == "alice" and with_password.password == "pass word"  # type: ignore[attr-defined]
    with pytest.raises(FieldProblem, match="starts with #"):
        KINDS["matrix"].build({"server": server, "token": "t", "room": "bills"})


def test_pushover_gets_user_key_and_app_token() -> None:
    service = plugin("pushover", user_key=PUSHOVER_USER, app_token=PUSHOVER_APP)
    assert type(service).__name__ == "NotifyPushover"
    assert service.user_key == PUSHOVER_USER and service.token == PUSHOVER_APP  # type: ignore[attr-defined]


def test_slack_and_mattermost_take_their_webhook_urls() -> None:
    slack = plugin("slack", webhook_url=SLACK)
    assert type(slack).__name__ == "NotifySlack"
    assert slack.token_c == SLACK.rsplit("/", 1)[1]  # type: ignore[attr-defined]
    mattermost = plugin("mattermost", webhook_url="https://chat.example.org/team/hooks/k3y9abc")
    assert type(mattermost).__name__ == "NotifyMattermost"
    assert mattermost.host == "chat.example.org" and mattermost.secure  # type: ignore[attr-defined]
    assert mattermost.token == "k3y9abc" and mattermost.fullpath == "/team"  # type: ignore[attr-defined]


def test_ntfy_and_gotify_on_a_self_hosted_server_with_a_port_and_a_path() -> None:
    ntfy = plugin("ntfy", server="https://push.example.org:8443", topic="bills", token="tk_abc123")
    assert type(ntfy).__name__ == "NotifyNtfy"
    assert (ntfy.host, ntfy.port, ntfy.secure) == ("push.example.org", 8443, True)  # type: ignore[attr-defined]
    assert ntfy.topics == ["bills"] and ntfy.token == "tk_abc123"  # type: ignore[attr-defined]
    plain = plugin("ntfy", server="http://192.168.1.5", topic="bills")
    assert not plain.secure and plain.token is None  # type: ignore[attr-defined]
    gotify = plugin("gotify", server="https://home.example.org/gotify/", token="AbCdEf.123")
    assert type(gotify).__name__ == "NotifyGotify"
    assert gotify.fullpath == "/gotify/" and gotify.token == "AbCdEf.123"  # type: ignore[attr-defined]
    with pytest.raises(FieldProblem, match="https://"):
        KINDS["ntfy"].build({"server": "push.example.org", "topic": "bills"})


def test_other_takes_any_apprise_url_and_names_one_it_cannot_use() -> None:
    assert type(plugin("apprise", url="mqtt://127.0.0.1:1883/dues")).__name__ == "NotifyMQTT"
    with pytest.raises(NotUsable, match="nosuchservice"):
        plugin("apprise", url="nosuchservice://x/y")
    with pytest.raises(FieldProblem):
        KINDS["apprise"].build({"url": "just words"})


def test_every_secret_field_is_write_only_and_named_servers_guard_their_secrets() -> None:
    for kind in KINDS.values():
        assert kind.secret_fields, f"{kind.key} has nothing secret"
        if kind.server_field:
            assert not next(f for f in kind.fields if f.name == kind.server_field).secret


def test_the_webhook_body_template_is_checked_and_filled() -> None:
    check_template('{"text": "{{ title }}", "all": "{{ items }}"}')
    with pytest.raises(ValueError, match="not JSON"):
        check_template('{"text": ')
    with pytest.raises(ValueError, match="Unknown field"):
        check_template('{"text": "{{ price }}"}')
    body = render_body(
        '{"text": "{{ title }}: {{count}}", "all": "{{ items }}", "n": 1}',
        {"title": 'Say "hi"', "count": 2, "items": [{"name": "A"}]},
    )
    assert body == {"text": 'Say "hi": 2', "all": [{"name": "A"}], "n": 1}


def test_redact_removes_secrets_plain_encoded_and_as_pieces_of_a_url() -> None:
    text = f"failed {DISCORD} and /webhooks/112233445566778899/x and a%20b%2Fc"
    redacted = redact(text, [DISCORD, "a b/c"])
    assert "AbC-dEf" not in redacted and "112233445566778899" not in redacted
    assert "a%20b%2Fc" not in redacted and "••••" in redacted
