"""The channels page: add, test and keep channels, with real servers on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Channel, db
from tests.conftest import PushLab
from tests.push_servers import Broker
from tests.smtp_servers import wait_for

NEW = "/settings/channels/new"


def page_text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def channels(app: Flask) -> list[Channel]:
    with app.app_context():
        found = list(db.session.scalars(select(Channel).order_by(Channel.id)))
        for channel in found:
            db.session.expunge(channel)
        return found


def stored(app: Flask, channel_id: int) -> tuple[dict[str, str], dict[str, str]]:
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        assert channel is not None
        return channel.values(), channel.secret_values()


def webhook_form(url: str, **overrides: str) -> dict[str, str]:
    return {
        "name": "Home Assistant",
        "enabled": "y",
        "url": url,
        "method": "POST",
        "body": "",
        "trust": "verify",
        **overrides,
    }


def test_a_webhook_is_tested_before_it_is_added_and_the_body_arrives(
    app: Flask, logged_in: FlaskClient, push: PushLab
) -> None:
    sink = push.sink()
    template = '{"text": "{{ title }}", "payments": "{{ items }}", "count": "{{ count }}"}'
    form = webhook_form(f"{sink.url}/api/webhook/s3cr3t-hook-id", body=template, method="PUT")
    tested = logged_in.post(f"{NEW}/webhook/test", data=form)
    assert tested.status_code == 200
    assert "Test notification sent" in page_text(tested)
    [request] = sink.received
    assert (request.method, request.path) == ("PUT", "/api/webhook/s3cr3t-hook-id")
    body = request.json()
    assert body["text"].startswith("Test: 2 payments coming up")
    assert [item["name"] for item in body["payments"]] == ["Streaming service", "Cloud storage"]
    assert body["payments"][0]["price"] == "12.99" and body["count"] == 2
    assert channels(app) == [], "a test saves nothing"

    added = logged_in.post(f"{NEW}/webhook", data=form)
    assert added.status_code == 302
    [channel] = channels(app)
    values, secrets = stored(app, channel.id)
    assert values == {"method": "PUT", "body": template}
    assert secrets == {"url": f"{sink.url}/api/webhook/s3cr3t-hook-id"}
    assert "s3cr3t-hook-id" not in channel.settings
    edit = page_text(logged_in.get(added.headers["Location"]))
    assert "s3cr3t-hook-id" not in edit and "an address at 127.0.0.1" in edit


@pytest.mark.parametrize("kind", ["ntfy", "gotify"])
def test_a_self_signed_server_is_refused_then_reached_with_its_ca_or_without_checking(
    logged_in: FlaskClient, push: PushLab, kind: str
) -> None:
    sink = push.sink(tls=True)
    form = {"name": kind, "server": sink.url, "topic": "bills", "token": "tk_sEcReT123"}
    refused = page_text(logged_in.post(f"{NEW}/{kind}/test", data={**form, "trust": "verify"}))
    assert "Test notification failed" in refused and "certificate is not trusted" in refused
    assert "CERTIFICATE_VERIFY_FAILED" in refused, "the raw error is under Details"
    assert sink.received == []

    with_ca = {**form, "trust": "ca", "ca_certificates": push.ca_pem}
    assert "Test notification sent" in page_text(logged_in.post(f"{NEW}/{kind}/test", data=with_ca))
    ignoring = page_text(logged_in.post(f"{NEW}/{kind}/test", data={**form, "trust": "any"}))
    assert "Test notification sent" in ignoring and "Ignore SSL verification" in ignoring
    assert len(sink.received) == 2
    request = sink.received[0]
    if kind == "ntfy":
        assert request.path == "/" and request.json()["topic"] == "bills"
        assert request.headers["Authorization"] == "Bearer tk_sEcReT123"
    else:
        assert request.path == "/message" and request.headers["X-Gotify-Key"] == "tk_sEcReT123"
    assert request.json()["title"].startswith("Test: ")
    assert "**Streaming service**" in request.json()["message"], "Markdown, as both render it"


def test_a_blank_secret_is_kept_until_the_server_changes(
    app: Flask, logged_in: FlaskClient, push: PushLab
) -> None:
    form = {
        "name": "Phone",
        "server": "https://push.example.org",
        "token": "AbCdEf.123",
        "trust": "verify",
    }
    location = logged_in.post(f"{NEW}/gotify", data=form).headers["Location"]
    [channel] = channels(app)
    kept = logged_in.post(location, data={**form, "token": "", "name": "Phone 2"})
    assert kept.status_code == 302
    assert stored(app, channel.id)[1] == {"token": "AbCdEf.123"}
    moved = logged_in.post(location, data={**form, "token": "", "server": "https://other.example"})
    assert moved.status_code == 422
    assert "Enter “App token” again: the server changed." in page_text(moved)
    assert stored(app, channel.id) == (
        {"server": "https://push.example.org"},
        {"token": "AbCdEf.123"},
    )

    ntfy = {
        "name": "ntfy",
        "server": "https://ntfy.example.org",
        "topic": "t",
        "token": "tk_1",
        "trust": "verify",
    }
    ntfy_location = logged_in.post(f"{NEW}/ntfy", data=ntfy).headers["Location"]
    ntfy_id = int(ntfy_location.rsplit("/", 1)[1])
    logged_in.post(ntfy_location, data={**ntfy, "token": "", "server": "https://ntfy2.example.org"})
    assert stored(app, ntfy_id)[1] == {}, "an optional token is dropped with its server"


def test_bad_input_gets_field_errors_and_saves_nothing(app: Flask, logged_in: FlaskClient) -> None:
    cases = [
        ("webhook", webhook_form("http://127.0.0.1:9/x", body='{"a": '), "This is not JSON"),
        ("webhook", webhook_form("ftp://127.0.0.1/x"), "starting with https://"),
        ("webhook", webhook_form("http://127.0.0.1/x", name=""), "Give the channel a name."),
        ("telegram", {"name": "t", "bot_token": "nope", "chat_id": "1"}, "BotFather"),
        (
            "telegram",
            {"name": "t", "bot_token": "", "chat_id": "1"},
            "Enter a value for “Bot token”.",
        ),
        ("discord", {"name": "d", "webhook_url": "https://evil.example/x"}, "whole webhook URL"),
        ("apprise", {"name": "a", "url": "nosuch://x"}, "Apprise cannot send to this URL"),
        (
            "gotify",
            {"name": "g", "server": "https://g.example", "token": "t", "trust": "ca"},
            "Paste your CA",
        ),
        ("ntfy", {"name": "n", "server": "https://n.example", "topic": "t\r\nX: y"}, "Line breaks"),
    ]
    for kind, form, error in cases:
        response = logged_in.post(f"{NEW}/{kind}", data=form)
        assert response.status_code == 422, (kind, form)
        assert error in page_text(response), (kind, error)
    assert channels(app) == []
    assert logged_in.get(f"{NEW}/nosuchkind").status_code == 404
    assert logged_in.get("/settings/channels/999").status_code == 404


@pytest.fixture
def subscriber(mosquitto: Broker) -> Iterator[list[str]]:
    """Messages published to dues/# on the broker, as a phone app would receive them."""
    received: list[str] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, message: received.append(message.payload.decode())
    subscribed: list[bool] = []
    client.on_subscribe = lambda *_args: subscribed.append(True)
    client.connect("127.0.0.1", mosquitto.port)
    client.subscribe("dues/#")
    client.loop_start()
    wait_for(lambda: subscribed)
    yield received
    client.loop_stop()
    client.disconnect()


def test_an_mqtt_channel_through_apprise_reaches_a_real_mosquitto(
    logged_in: FlaskClient, mosquitto: Broker, subscriber: list[str]
) -> None:
    form = {
        "name": "Broker",
        "url": f"mqtt://127.0.0.1:{mosquitto.port}/dues/reminders",
        "trust": "verify",
    }
    response = logged_in.post(f"{NEW}/apprise/test", data=form)
    assert "Test notification sent" in page_text(response)
    wait_for(lambda: subscriber)
    assert "Streaming service" in subscriber[0] and "Cloud storage" in subscriber[0]


def test_a_service_that_says_no_is_explained_and_its_echo_redacted(
    logged_in: FlaskClient, push: PushLab
) -> None:
    sink = push.sink()
    sink.echo = True
    sink.statuses = [401]
    form = {"name": "g", "server": sink.url, "token": "GoTiFy-SeCrEt-42", "trust": "verify"}
    text = page_text(logged_in.post(f"{NEW}/gotify/test", data=form))
    assert "refused the credentials (HTTP 401)" in text and "Check the token" in text
    assert "X-Gotify-Key" in text, "the server's own answer is kept as evidence"
    assert "GoTiFy-SeCrEt-42" not in text and json.dumps("GoTiFy-SeCrEt-42")[1:-1] not in text
