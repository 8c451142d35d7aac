"""Fuzzing /api/messages over real HTTP, with tokens from a local issuer and without.

Every example starts from an activity Teams would send (a message, a card tap, an
install, a channel mention), with a valid token, and breaks it:

* the token: missing, another scheme, garbage, truncated, alg "none" or HS256, expired,
  not yet valid, for another audience or issuer, signed by another key, with an unknown
  or no key id, claims of the wrong type, another service URL. Each must get 401, write
  no row, send nothing to the Bot Connector and log no error.
* the activity, under a valid token (and in anonymous mode, with none): unknown types,
  no sender, conversation or recipient, text that is not text, huge channelData,
  unknown invoke names, card data of the wrong shape, junk in any field, bodies that
  are not JSON objects, other content types. Each must get a status below 500, log no
  error and at most one warning line; those refused write nothing and send nothing.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.security import FUZZ, Quiet, alarming, row_counts, warnings_from
from tests.security.slack_requests import junk_json, paths
from tests.teams import APP_ID, SAM, TEAM_ID, Harness
from tests.teams.tokens import KEY_ID, new_key

SDK_CLOCK_TOLERANCE = 300
JSON = "application/json"
KINDS = (
    "personal_message",
    "card_action_invoke",
    "card_submit_message",
    "personal_install",
    "team_conversation_update",
    "channel_mention",
    "channel_card_invoke",
)
CARD_DATA = (
    {"ripple": "capacity", "round": "r-1", "value": "yes"},
    {"ripple": "skip", "round": "r-1", "question": "workload"},
    {"ripple": "note", "round": "r-1", "value": "private", "note": "hi"},
    {"ripple": "setup", "channel": "19:x@thread.tacv2", "weekday": "monday"},
)
INVOKE_NAMES = (
    "adaptiveCard/action",
    "task/fetch",
    "task/submit",
    "composeExtension/query",
    "signin/verifyState",
    "config/fetch",
    "actionableMessage/executeAction",
    "fileConsent/invoke",
)


def activity_of(h: Harness, kind: str) -> dict[str, Any]:
    """An activity from Sam as Teams would send it."""
    fields = SAM.fields()
    if kind == "personal_message":
        return h.activity(kind, text="help", conversation_id=SAM.conversation_id, **fields)
    if kind in ("card_action_invoke", "card_submit_message"):
        return h.card_activity(
            SAM, dict(CARD_DATA[0]), title="Yes", submit=kind == "card_submit_message"
        )
    if kind == "personal_install":
        fields.pop("user_name")
        return h.activity(kind, action="add", conversation_id=SAM.conversation_id, **fields)
    if kind == "team_conversation_update":
        activity = h.activity(
            kind,
            team_id=TEAM_ID,
            team_name="Design",
            team_group_id=h.connector.team_group_id,
            event_type="teamMemberAdded",
            user_id=SAM.teams_id,
            user_aad=SAM.aad,
        )
        activity["membersAdded"] = [{"id": f"28:{h.app_id or APP_ID}"}]
        return activity
    if kind == "channel_mention":
        return h.activity(kind, text="help", channel_id=TEAM_ID, team_id=TEAM_ID, **fields)
    return h.activity(
        kind, title="Save", channel_id=TEAM_ID, team_id=TEAM_ID, reply_to_id="act-0", **fields
    )


async def post(
    h: Harness, body: bytes, *, token: str | None, content_type: str = JSON
) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    if token is not None:
        headers["Authorization"] = token
    return await h.http.post("/api/messages", content=body, headers=headers)


def encoded(activity: Any) -> bytes:
    return json.dumps(activity).encode()


# Tokens


def broken_token(h: Harness, data: st.DataObject) -> tuple[str, str | None]:
    """A bad Authorization header value (None: no header), and what is wrong with it."""
    case = data.draw(
        st.sampled_from(
            [
                "missing",
                "scheme",
                "empty bearer",
                "garbage",
                "truncated",
                "flipped",
                "alg none",
                "hs256",
                "expired",
                "not yet valid",
                "audience",
                "issuer",
                "other key",
                "unknown kid",
                "no kid",
                "claim types",
                "service url",
                "no service url",
            ]
        )
    )
    good = h.token()
    now = int(time.time())
    claims = {
        "aud": APP_ID,
        "iss": "https://api.botframework.com",
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + 3600,
        "serviceurl": h.connector.service_url,
    }
    if case == "missing":
        return case, None
    if case == "scheme":
        return case, data.draw(st.sampled_from(["Basic c2FtOnB3", good, f"Token {good}"]))
    if case == "empty bearer":
        return case, data.draw(st.sampled_from(["Bearer", "bearer", "BEARER"]))
    if case == "garbage":
        text = data.draw(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
        return case, f"Bearer {text}x"
    if case == "truncated":
        return case, f"Bearer {good[: data.draw(st.integers(1, len(good) - 1))]}"
    if case == "flipped":
        at = data.draw(st.integers(0, len(good) - 1))
        other = "A" if good[at] != "A" else "B"
        return case, f"Bearer {good[:at]}{other}{good[at + 1 :]}"
    if case == "alg none":
        return case, "Bearer " + jwt.encode(claims, None, algorithm="none")
    if case == "hs256":
        secret = data.draw(st.sampled_from(["dummy-password-for-tests" * 2, APP_ID, "x" * 32]))
        token = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": KEY_ID})
        return case, f"Bearer {token}"
    if case == "expired":
        seconds = data.draw(st.integers(SDK_CLOCK_TOLERANCE + 30, 10**7))
        return case, f"Bearer {h.token(expires_in=-seconds)}"
    if case == "not yet valid":
        later = now + data.draw(st.integers(SDK_CLOCK_TOLERANCE + 30, 10**7))
        return case, f"Bearer {h.token(nbf=later, iat=later, expires_in=later - now + 3600)}"
    if case == "audience":
        audience = data.draw(st.text(max_size=40).filter(lambda a: a != APP_ID))
        return case, f"Bearer {h.token(audience=audience)}"
    if case == "issuer":
        issuer = data.draw(
            st.sampled_from(["https://issuer.example.com", "https://sts.windows.net/x/", ""])
        )
        return case, f"Bearer {h.token(issuer=issuer)}"
    if case == "other key":
        return case, f"Bearer {h.token(key=OTHER_KEY)}"
    if case in ("unknown kid", "no kid"):
        headers = (
            {"kid": data.draw(st.text(min_size=1, max_size=20))} if case == "unknown kid" else {}
        )
        headers = {k: v for k, v in headers.items() if v != KEY_ID}
        token = jwt.encode(claims, h.issuer.key, algorithm="RS256", headers=headers)
        return case, f"Bearer {token}"
    if case == "claim types":
        # Signed as is: PyJWT's encoder would refuse some of these claims.
        name = data.draw(st.sampled_from(["aud", "iss", "exp", "serviceurl"]))
        value = data.draw(
            junk_json().filter(
                lambda v: (
                    not isinstance(v, str) and (name != "exp" or not isinstance(v, int | float))
                )
            )
        )
        payload = json.dumps({**claims, name: value}).encode()
        token = jwt.api_jws.PyJWS().encode(
            payload, h.issuer.key, algorithm="RS256", headers={"kid": KEY_ID, "typ": "JWT"}
        )
        return f"{case} ({name})", f"Bearer {token}"
    if case == "service url":
        url = data.draw(
            st.sampled_from(["https://smba.trafficmanager.net/emea/", "http://[::1", "x"])
            | st.text(max_size=40)
        )
        return case, f"Bearer {h.token(service_url=url)}"
    return case, f"Bearer {h.issuer.token(audience=APP_ID, service_url=None)}"


OTHER_KEY = new_key()


@FUZZ
@given(data=st.data())
async def test_a_request_without_a_valid_token_is_refused_and_leaves_nothing_behind(
    teams: Harness, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    kind = data.draw(st.sampled_from(KINDS))
    why, token = broken_token(teams, data)
    # A token that is wrong only about the service URL is found out from the activity,
    # which is read only when it comes as JSON (else: 415, before anything is read).
    content_type = (
        JSON
        if "service url" in why or "serviceurl" in why
        else data.draw(st.sampled_from([JSON, JSON, "text/plain", ""]))
    )
    rows, calls = await row_counts(teams.ripple.store.engine), len(teams.connector.calls)
    quiet = Quiet()
    response = await post(
        teams, encoded(activity_of(teams, kind)), token=token, content_type=content_type
    )
    await teams.platform.settle()
    await quiet.settle()
    assert response.status_code == 401, (kind, why, response.status_code, response.text)
    assert await row_counts(teams.ripple.store.engine) == rows, (kind, why)
    assert len(teams.connector.calls) == calls, (kind, why)
    assert alarming(caplog.records) == [], (kind, why)
    refusals = warnings_from(caplog.records, "adapters.")
    assert len(refusals) == 1 and "\n" not in refusals[0], refusals


# Odd activities


def odd_activity(h: Harness, data: st.DataObject) -> tuple[str, bytes, str]:
    """A body, its content type, and what is odd about it."""
    kind = data.draw(st.sampled_from(KINDS))
    activity = copy.deepcopy(activity_of(h, kind))
    case = data.draw(
        st.sampled_from(
            [
                "type",
                "drop",
                "drop",
                "text",
                "channelData",
                "invoke",
                "card data",
                "card data",
                "field",
                "field",
                "field",
                "not an object",
                "not json",
                "content type",
            ]
        )
    )
    if case == "type":
        activity["type"] = data.draw(
            st.sampled_from(["event", "typing", "endOfConversation", "messageReaction", ""])
            | st.text(max_size=20)
        )
    elif case == "drop":
        name = data.draw(
            st.sampled_from(
                [
                    "from",
                    "conversation",
                    "recipient",
                    "serviceUrl",
                    "channelData",
                    "type",
                    "id",
                    "value",
                    "text",
                ]
            )
        )
        activity.pop(name, None)
        case = f"no {name}"
    elif case == "text":
        activity["text"] = data.draw(junk_json())
    elif case == "channelData":
        size = data.draw(st.integers(1, 150_000))  # up to about 1 MiB escaped
        activity["channelData"] = data.draw(
            st.sampled_from(
                [
                    {"tenant": {"id": "x" * size}},
                    {"blob": "é" * size},
                    {"tenant": "x" * size},
                    ["x" * size],
                    "x" * size,
                ]
            )
        )
    elif case == "invoke":
        activity["type"] = "invoke"
        activity["name"] = data.draw(st.sampled_from(INVOKE_NAMES) | st.text(max_size=30))
        activity["value"] = data.draw(junk_json())
    elif case == "card data":
        if data.draw(st.booleans()):
            card = dict(data.draw(st.sampled_from(CARD_DATA)))
            card[data.draw(st.sampled_from(sorted(card)))] = data.draw(junk_json())
            value: Any = card
        else:
            value = data.draw(junk_json())
        if activity.get("type") == "invoke":
            activity["value"] = data.draw(
                st.sampled_from([{"action": {"data": value}}, {"action": value}, value])
            )
        else:
            activity["value"] = value
    elif case == "field":
        path = data.draw(st.sampled_from(paths(activity)))
        node = activity
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(junk_json())
        case = f"{path} replaced"
    elif case == "not an object":
        return case, encoded(data.draw(junk_json().filter(lambda v: not isinstance(v, dict)))), JSON
    elif case == "not json":
        return case, data.draw(st.binary(max_size=200)), JSON
    else:
        other = data.draw(st.sampled_from(["text/plain", "application/x-www-form-urlencoded", ""]))
        return f"content type {other!r}", encoded(activity), other
    return f"{kind}: {case}", encoded(activity), JSON


async def nothing_breaks(h: Harness, caplog: pytest.LogCaptureFixture, data: st.DataObject) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    why, body, content_type = odd_activity(h, data)
    rows, calls = await row_counts(h.ripple.store.engine), len(h.connector.calls)
    token = f"Bearer {h.token()}" if h.app_id else None
    quiet = Quiet()
    response = await post(h, body, token=token, content_type=content_type)
    await h.platform.settle()
    await quiet.settle()
    event(f"status {response.status_code}")
    assert response.status_code < 500, (why, response.status_code, response.text)
    assert alarming(caplog.records) == [], why
    warnings = warnings_from(caplog.records, "adapters.", "bot.", "storage.")
    assert len(warnings) <= 1 and all("\n" not in w for w in warnings), (why, warnings)
    if response.status_code >= 400:
        assert await row_counts(h.ripple.store.engine) == rows, why
        assert len(h.connector.calls) == calls, why


@FUZZ
@given(data=st.data())
async def test_an_odd_activity_with_a_valid_token_never_gets_a_server_error(
    teams: Harness, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    await nothing_breaks(teams, caplog, data)


@FUZZ
@given(data=st.data())
async def test_an_odd_activity_in_anonymous_mode_never_gets_a_server_error(
    anonymous_teams: Harness, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    await nothing_breaks(anonymous_teams, caplog, data)
