"""Cost of the checks every request to /slack/events meets before Bolt sees it, and of the
token encryption every Web API call in OAuth mode pays once per token read."""

from __future__ import annotations

import asyncio
from typing import Any

from cryptography.fernet import Fernet
from fastapi import Request

from adapters.slack.edge import SlackGate
from storage.secrets import TokenCipher
from tests.slack import payloads
from tests.slack.signing import FORM, form_body, signed_headers
from tests.slack.world import SIGNING_SECRET

TAP = form_body(payloads.load("block_actions")).encode()


def request_for(body: bytes, headers: dict[str, str]) -> Request:
    """A Starlette request as the ASGI server hands it over, body and all."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/slack/events",
        "query_string": b"",
        "headers": [
            (name.lower().encode(), value.encode())
            for name, value in {**headers, "Content-Length": str(len(body))}.items()
        ],
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def test_admitting_a_signed_tap(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Size, timestamp, signature, content type and the payload's shape of a real tap."""
    gate = SlackGate(signing_secret=SIGNING_SECRET)
    headers = signed_headers(TAP, secret=SIGNING_SECRET, content_type=FORM)

    def admit() -> object:
        return loop.run_until_complete(gate.refusal(request_for(TAP, headers)))

    assert benchmark(admit) is None


def test_refusing_a_forged_tap(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    gate = SlackGate(signing_secret=SIGNING_SECRET)
    headers = signed_headers(TAP, secret="0123456789abcdef0123456789abcdef", content_type=FORM)

    def refuse() -> object:
        return loop.run_until_complete(gate.refusal(request_for(TAP, headers)))

    refusal = benchmark(refuse)
    assert refusal is not None and refusal.status == 401


def test_decrypting_a_stored_bot_token(benchmark: Any) -> None:
    cipher = TokenCipher.from_setting(Fernet.generate_key().decode())
    stored = cipher.encrypt("xoxb-1-2-" + "a" * 24)
    assert benchmark(cipher.decrypt, stored).startswith("xoxb-")
