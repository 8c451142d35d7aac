"""The Slack app manifest Ripple ships, written out for one server's address."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

import adapters.slack

SHIPPED = Path(adapters.slack.__file__).parent / "manifest.yml"
HEADER = (
    "# Ripple's Slack app manifest for {url}. Create the app from it at\n"
    '# https://api.slack.com/apps ("Create New App" → "From an app manifest").\n'
)


class ManifestUrlError(ValueError):
    """The address can't serve Slack: Slack only calls https:// URLs on a real host."""


def check_url(url: str) -> str:
    """``url`` without a trailing slash; ManifestUrlError saying why it can't be used."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestUrlError(f"{url!r} is not an https:// address; Slack only calls https://")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ManifestUrlError(f"{url!r} has a query, fragment or password; give just the address")
    return url.rstrip("/")


def slack_manifest(url: str) -> str:
    """The shipped manifest with every request address under ``url``, as YAML."""
    base = check_url(url)
    manifest: dict[str, Any] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    for command in features["slash_commands"]:
        command["url"] = f"{base}/slack/events"
    manifest["oauth_config"]["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    settings["event_subscriptions"]["request_url"] = f"{base}/slack/events"
    settings["interactivity"]["request_url"] = f"{base}/slack/events"
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=88)
    return HEADER.format(url=base) + body
