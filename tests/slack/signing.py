"""Bodies and v0 signature headers for requests as Slack sends them to the app."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def sign(body: bytes | str, *, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` headers for ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def signed_headers(
    body: bytes | str, *, secret: str, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    """``sign`` plus the ``Content-Type`` Slack sends with that kind of body."""
    return {"Content-Type": content_type, **sign(body, secret=secret, timestamp=timestamp)}


def retry_headers(*, num: int, reason: str = "http_timeout") -> dict[str, str]:
    """The headers Slack adds when it redelivers an event."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


def form_body(payload: dict[str, Any]) -> str:
    """An interactivity body: ``payload=<url-encoded JSON>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def command_body(**fields: Any) -> str:
    """A slash command body: its fields, url-encoded as a form."""
    return urlencode({key: str(value) for key, value in fields.items()})


def event_body(envelope: dict[str, Any]) -> str:
    """An Events API body: the envelope as JSON."""
    return json.dumps(envelope, separators=(",", ":"))
