"""Who may post to /api/messages: JWTs validated by the Agents SDK against a local issuer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.teams.platform import build_teams_platform
from bot.clock import ManualClock
from bot.memory import MemoryStore
from tests.teams import APP_ID, SAM, Harness, teams_harness
from tests.teams.tokens import new_key

NOW = datetime(2026, 10, 5, 7, 30, tzinfo=UTC)
SDK_CLOCK_TOLERANCE = 300  # seconds; the SDK's leeway on exp and nbf


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with teams_harness(store=MemoryStore(), clock=ManualClock(NOW)) as h:
        yield h


async def nothing_recorded(h: Harness) -> bool:
    async with h.ripple.store.unit_of_work() as uow:
        person = await uow.people.get(SAM.person_id)
        address = await uow.addresses.get(SAM.person_id)
    return person is None and address is None and not h.connector.calls


def checkin_from_sam(h: Harness) -> dict:
    return h.activity(
        "personal_message", text="help", conversation_id=SAM.conversation_id, **SAM.fields()
    )


async def test_a_valid_token_is_accepted_and_the_activity_handled(harness: Harness) -> None:
    response = await harness.post(checkin_from_sam(harness))

    assert response.status_code == 202
    assert not await nothing_recorded(harness)
    assert len(harness.connector.sent(SAM.conversation_id)) == 1  # the help card


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("bad signature", lambda h: h.token(key=new_key())),
        ("wrong audience", lambda h: h.token(audience="someone-elses-bot")),
        ("expired", lambda h: h.token(expires_in=-(SDK_CLOCK_TOLERANCE + 60))),
        ("wrong issuer", lambda h: h.token(issuer="https://issuer.example.com")),
        (
            "serviceurl mismatch",
            lambda h: h.token(service_url="https://smba.trafficmanager.net/emea/"),
        ),
        ("no serviceurl claim", lambda h: h.issuer.token(audience=APP_ID, service_url=None)),
    ],
)
async def test_a_bad_token_gets_401_and_nothing_is_recorded(
    harness: Harness, case: str, token
) -> None:
    response = await harness.post(checkin_from_sam(harness), token=token(harness))

    assert response.status_code == 401, case
    assert await nothing_recorded(harness), case


async def test_a_token_expired_within_the_sdks_clock_tolerance_is_still_accepted(
    harness: Harness,
) -> None:
    response = await harness.post(checkin_from_sam(harness), token=harness.token(expires_in=-60))

    assert response.status_code == 202


async def test_a_missing_or_malformed_authorization_header_gets_401(harness: Harness) -> None:
    missing = await harness.post(checkin_from_sam(harness), signed=False)
    basic = await harness.http.post(
        "/api/messages", json=checkin_from_sam(harness), headers={"Authorization": "Basic c2FtOnB3"}
    )

    assert (missing.status_code, basic.status_code) == (401, 401)
    assert await nothing_recorded(harness)


async def test_without_an_app_id_the_endpoint_is_anonymous_and_says_so_at_start_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.teams.platform"):
        async with teams_harness(
            store=MemoryStore(), clock=ManualClock(NOW), authenticated=False
        ) as h:
            response = await h.post(checkin_from_sam(h), signed=False)
            sent = h.connector.sent(SAM.conversation_id)

    assert "local anonymous mode" in caplog.text
    assert response.status_code == 202
    assert len(sent) == 1
    assert sent[0].authorization is None  # no token on the way out either


async def test_outbound_calls_carry_the_bots_own_token(harness: Harness) -> None:
    await harness.post(checkin_from_sam(harness))

    (call,) = harness.connector.sent(SAM.conversation_id)
    assert call.authorization is not None
    assert call.authorization.removeprefix("Bearer ") in harness.issuer.issued
    assert harness.issuer.outbound_requests[0]["client_id"] == APP_ID
    assert harness.issuer.outbound_requests[0]["grant_type"] == "client_credentials"


async def test_a_body_that_is_no_activity_is_refused(harness: Harness) -> None:
    """The token is valid (it is checked from the header, before the body): both are 400."""
    not_json = await harness.http.post(
        "/api/messages",
        content=b"{not json",
        headers={"Authorization": f"Bearer {harness.token()}", "Content-Type": "application/json"},
    )
    no_type = await harness.http.post(
        "/api/messages",
        json={"serviceUrl": harness.connector.service_url, "text": "hi"},
        headers={"Authorization": f"Bearer {harness.token()}"},
    )

    assert (not_json.status_code, no_type.status_code) == (400, 400)


def test_an_app_id_without_its_password_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="RIPPLE_TEAMS_APP_PASSWORD"):
        build_teams_platform(app_id=APP_ID, app_password=None, tenant_id=None)
