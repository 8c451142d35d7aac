"""The small rules around tokens and refusals: service URLs and Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from adapters.teams.auth import same_service_url
from adapters.teams.connector import Failure


@pytest.mark.parametrize(
    ("claimed", "actual", "same"),
    [
        ("https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/emea", True),
        ("https://SMBA.trafficmanager.net/emea/", "https://smba.trafficmanager.net/emea/", True),
        ("https://smba.trafficmanager.net/emea/", "https://smba.trafficmanager.net/amer/", False),
        ("https://smba.trafficmanager.net/emea/", "http://smba.trafficmanager.net/emea/", False),
        ("http://127.0.0.1:8001/amer/", "http://127.0.0.1:8002/amer/", False),
        ("https://smba.trafficmanager.net/emea/", "https://evil.example.com/emea/", False),
    ],
)
def test_the_token_and_the_activity_must_name_the_same_service_url(claimed, actual, same) -> None:
    assert same_service_url(claimed, actual) is same


def refusal(status: int, *, retry_after: str | None = None, body: str = "") -> ClientResponseError:
    headers = CIMultiDictProxy(CIMultiDict({"Retry-After": retry_after} if retry_after else {}))
    info = RequestInfo(URL("http://x/"), "POST", headers, URL("http://x/"))
    return ClientResponseError(info, (), status=status, message=body, headers=headers)


NOW = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("Mon, 05 Oct 2026 09:30:20 GMT", 20.0),
        ("Mon, 05 Oct 2026 09:29:00 GMT", 0.0),
        ("soon", None),
        ("99999", 3600.0),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(retry_after: str, seconds: float | None) -> None:
    assert Failure.of(refusal(429, retry_after=retry_after), now=NOW).retry_after == seconds


def test_teams_error_codes_are_read_from_the_body() -> None:
    failure = Failure.of(
        refusal(403, body='{"error":{"code":"ConversationBlockedByUser","message":"x"}}')
    )

    assert (failure.code, failure.retryable, failure.describe) == (
        "ConversationBlockedByUser",
        False,
        "HTTP 403 ConversationBlockedByUser",
    )


@pytest.mark.parametrize("status", [412, 429, 502, 504])
def test_the_statuses_teams_asks_to_retry(status: int) -> None:
    assert Failure.of(refusal(status)).retryable
