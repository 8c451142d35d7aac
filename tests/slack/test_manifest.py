"""The Slack app manifest asks for exactly what Ripple uses."""

from __future__ import annotations

from pathlib import Path

import yaml

import adapters.slack
from adapters.slack.events import EVENTS
from adapters.slack.platform import BOT_SCOPES

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yml"


def manifest() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_scopes_are_the_ones_ripple_asks_for_at_install():
    assert sorted(manifest()["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert "user" not in manifest()["oauth_config"]["scopes"]


def test_the_events_are_the_ones_ripple_listens_to():
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(EVENTS)


def test_one_command_and_every_request_goes_to_slack_events():
    data = manifest()
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == "/ripple"
    assert len(command["description"]) <= 100
    urls = [
        command["url"],
        data["settings"]["event_subscriptions"]["request_url"],
        data["settings"]["interactivity"]["request_url"],
    ]
    assert {url.rsplit("/", 2)[-2:] == ["slack", "events"] for url in urls} == {True}
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_the_descriptions_fit_slacks_limits():
    info = manifest()["display_information"]
    assert len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
