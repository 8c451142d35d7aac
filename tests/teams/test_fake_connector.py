"""The Bot Connector fake refuses what the real one refuses by itself."""

from __future__ import annotations

import httpx

from tests.teams.fake_connector import MAX_ACTIVITY_BYTES, FakeConnector


async def test_no_bearer_token_is_401_and_an_oversized_activity_is_413() -> None:
    async with FakeConnector().running() as connector, httpx.AsyncClient() as http:
        url = f"{connector.service_url}v3/conversations/a:sam/activities"
        small = {"type": "message", "text": "Hi"}
        big = {"type": "message", "text": "x" * MAX_ACTIVITY_BYTES}
        signed = {"Authorization": "Bearer a.b.c"}

        anonymous = await http.post(url, json=small)
        too_big = await http.post(url, json=big, headers=signed)
        fine = await http.post(url, json=small, headers=signed)

    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "Unauthorized")
    assert (too_big.status_code, too_big.json()["error"]["code"]) == (413, "MessageSizeTooBig")
    assert fine.status_code in (200, 201)
    assert len(connector.sent("a:sam")) == 1
