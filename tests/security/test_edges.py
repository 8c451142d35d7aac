"""Each rule at Ripple's HTTP edges, one request at a time, over real HTTP.

Slack (/slack/events, in both modes): 413 over 1 MiB; 401 for a missing, malformed,
stale or future timestamp and a missing or wrong signature; 415 for other content
types; 400 for a signed body that isn't Slack's JSON or form. The OAuth pages: 4xx
for a forged or missing state or code. Teams (/api/messages): 413, 401 for the token
(read before the body), 415, 400 for what is no activity, 401 for another service URL.
The web app: 413 for a streamed body over 1 MiB, and security headers on every answer.
Each refusal logs one warning line without the body, writes nothing and sends nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from adapters.http.limits import MAX_BODY_BYTES, EdgeLimits
from tests.http.server import serving
from tests.security import SECURITY_HEADERS, Quiet, alarming, row_counts, warnings_from
from tests.security.conftest import SLACK_USER
from tests.security.slack_requests import body_of, hmac_signature
from tests.slack import payloads
from tests.slack.signing import FORM, JSON, form_body
from tests.slack.test_oauth import stored_bots
from tests.slack.world import SIGNING_SECRET, TEAM, SlackWorld
from tests.teams import SAM, Harness

MARKER = "zebra-quartz-marker"  # a word from a person that must never reach a log
OTHER_SECRET = "0123456789abcdef0123456789abcdef"
TOO_LARGE = MAX_BODY_BYTES + 1


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def the_one_refusal(caplog: pytest.LogCaptureFixture) -> str:
    """The refusal's log line: exactly one warning, one line, quoting nothing of the body."""
    assert alarming(caplog.records) == []
    (line,) = warnings_from(caplog.records, "adapters.")
    assert "\n" not in line
    assert all(MARKER not in record.getMessage() for record in caplog.records)
    return line


def assert_security_headers(response: httpx.Response) -> None:
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


# Slack


def help_command(text: str = f"help {MARKER}") -> bytes:
    return body_of("slash_command", payloads.load("slash_command", user_id=SLACK_USER, text=text))[
        0
    ]


def slack_headers(
    body: bytes,
    *,
    content_type: str | None = FORM,
    stamp: str | None = "now",
    signature: str | None = "right",
    secret: str = SIGNING_SECRET,
) -> dict[str, str]:
    """Headers as Slack sends them; ``stamp`` and ``signature`` override one part each."""
    now = str(int(time.time()))
    headers = {"Content-Type": content_type} if content_type is not None else {}
    signed_at = now if stamp in (None, "now") else stamp
    if stamp is not None:
        headers["X-Slack-Request-Timestamp"] = signed_at
    if signature == "right":
        signature = hmac_signature(secret, signed_at, body)
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    return headers


async def slack_refuses(
    world: SlackWorld,
    caplog: pytest.LogCaptureFixture,
    *,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> str:
    caplog.clear()
    rows, calls = await row_counts(world.store.engine), len(world.slack.calls())
    quiet = Quiet()
    encoded = [(name.encode(), value.encode()) for name, value in headers.items()]
    response = await world.http.post("/slack/events", content=body, headers=encoded)
    await quiet.settle()
    assert response.status_code == status, response.text
    assert MARKER not in response.text
    assert_security_headers(response)
    assert await row_counts(world.store.engine) == rows
    assert len(world.slack.calls()) == calls
    return the_one_refusal(caplog)


async def test_a_slack_body_over_a_mebibyte_is_refused_with_413(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    body = help_command(text=f"help {MARKER} " + "x" * TOO_LARGE)
    await slack_refuses(slack, caplog, body=body, headers=slack_headers(body), status=413)


@pytest.mark.parametrize(
    ("case", "stamp"),
    [
        ("missing", None),
        ("not a number", "soon"),
        ("empty", ""),
        ("negative", "-1700000000"),
        ("huge", "9" * 40),
        ("a plus sign", "+{now}"),
        ("underscores", "{head}_{tail}"),
        ("other digits", "{arabic}"),
        ("decimal", "{now}.0"),
        ("stale by 320 s", "{past}"),
        ("320 s in the future", "{future}"),
    ],
)
async def test_a_slack_request_with_a_bad_timestamp_is_refused_with_401(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, case: str, stamp: str | None
) -> None:
    body = help_command()
    now = str(int(time.time()))
    value = (
        None
        if stamp is None
        else stamp.format(
            now=now,
            head=now[:4],
            tail=now[4:],
            arabic=now.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
            past=int(now) - 320,
            future=int(now) + 320,
        )
    )
    headers = slack_headers(
        body, stamp=value, signature=hmac_signature(SIGNING_SECRET, value or now, body)
    )
    line = await slack_refuses(slack, caplog, body=body, headers=headers, status=401)
    assert "timestamp" in line, case


@pytest.mark.parametrize(
    ("case", "signature"),
    [
        ("missing", None),
        ("another version", "v1=" + "0" * 64),
        ("too short", "v0=" + "0" * 63),
        ("too long", "v0=" + "0" * 65),
        ("not hex", "v0=" + "g" * 64),
        ("another secret", "other"),
    ],
)
async def test_a_slack_request_with_a_bad_signature_is_refused_with_401(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, case: str, signature: str | None
) -> None:
    body = help_command()
    other = signature == "other"
    headers = slack_headers(
        body,
        signature="right" if other else signature,
        secret=OTHER_SECRET if other else SIGNING_SECRET,
    )
    line = await slack_refuses(slack, caplog, body=body, headers=headers, status=401)
    assert "signature" in line or "timestamp" in line, case


async def test_a_body_changed_after_signing_is_refused_with_401(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    headers = slack_headers(help_command())
    changed = help_command(text=f"forget {MARKER}")
    line = await slack_refuses(slack, caplog, body=changed, headers=headers, status=401)
    assert "does not match" in line


@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data; boundary=x", "application/xml", None]
)
async def test_a_signed_slack_request_of_another_content_type_is_refused_with_415(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, content_type: str | None
) -> None:
    body = help_command()
    headers = slack_headers(body, content_type=content_type)
    await slack_refuses(slack, caplog, body=body, headers=headers, status=415)


async def test_slacks_content_types_pass_with_parameters_and_in_any_case(slack: SlackWorld) -> None:
    body = help_command(text="help")
    for content_type in (FORM, f"{FORM}; charset=utf-8", FORM.upper()):
        response = await slack.http.post(
            "/slack/events", content=body, headers=slack_headers(body, content_type=content_type)
        )
        assert response.status_code == 200, content_type
    envelope = json.dumps(payloads.load("url_verification", challenge="abc123")).encode()
    response = await slack.http.post(
        "/slack/events",
        content=envelope,
        headers=slack_headers(envelope, content_type="application/json; charset=utf-8"),
    )
    assert (response.status_code, response.json()) == (200, {"challenge": "abc123"})


@pytest.mark.parametrize(
    ("case", "body", "content_type"),
    [
        ("not JSON", b'{"type": "event_callback", ' + MARKER.encode(), JSON),
        ("a JSON array", json.dumps([MARKER]).encode(), JSON),
        ("a JSON string", json.dumps(MARKER).encode(), JSON),
        ("null event", json.dumps({"event": None, "text": MARKER}).encode(), JSON),
        ("a form payload that isn't JSON", f"payload={MARKER}".encode(), FORM),
        ("a tap with no actions", json.dumps({"type": "block_actions", "actions": []}).encode(), JSON),
        (
            "a tap on a null view",
            form_body({"type": "block_actions", "view": None, "user": {"id": "U0001"}, "team": {"id": TEAM}, "actions": [{"action_id": MARKER}]}).encode(),
            FORM,
        ),
        (
            "an id that is no Slack id",
            json.dumps({"type": "event_callback", "team_id": TEAM, "event": {"type": "message", "user": f"U1 {MARKER}"}}).encode(),
            JSON,
        ),
        ("a command naming no team", f"command=/ripple&user_id=U0001&text={MARKER}".encode(), FORM),
        ("not UTF-8", b"\xff\xfe" + MARKER.encode(), FORM),
    ],
)  # fmt: skip
async def test_a_signed_body_slack_would_not_send_is_refused_with_400(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, case: str, body: bytes, content_type: str
) -> None:
    status = 401 if case == "not UTF-8" else 400  # no signature can be checked over it
    headers = slack_headers(body, content_type=content_type)
    await slack_refuses(slack, caplog, body=body, headers=headers, status=status)


async def test_events_retries_and_the_url_check_still_work(slack: SlackWorld) -> None:
    envelope = payloads.load("url_verification", challenge="3eZbrw1aBm2rZgRNFdxV2595E9CY")
    verified = await slack.post(json.dumps(envelope), content_type=JSON)
    assert (verified.status_code, verified.json()["challenge"]) == (200, envelope["challenge"])
    response, _ = await slack.event("event_app_home_opened", user_id=SLACK_USER, retry=2)
    assert response.status_code == 200


async def test_the_oauth_pages_refuse_forged_and_missing_parts_with_4xx(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    if not slack.platform.config.client_id:
        assert (await slack.http.get("/slack/install")).status_code in (404, 405)
        assert (await slack.http.get("/slack/oauth_redirect")).status_code in (404, 405)
        return
    bots = await stored_bots(slack)
    page = await slack.http.get("/slack/install")
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    state = cookie.split("=", 1)[1]
    slack.slack.add_oauth_code("install-2", team_id="T0002")
    attempts: list[tuple[dict[str, str], dict[str, str]]] = [
        ({}, {}),
        ({"code": "install-2"}, {}),
        ({"code": "install-2", "state": "forged"}, {"Cookie": "slack-app-oauth-state=forged"}),
        ({"code": "install-2", "state": state}, {}),  # no cookie: another browser
        ({"code": "install-2", "state": "forged"}, {"Cookie": cookie}),
        ({"state": state}, {"Cookie": cookie}),  # the state is spent, and no code
        ({"code": "install-2", "state": state}, {"Cookie": cookie}),  # spent
        ({"code": MARKER, "state": MARKER, "junk": "%00\n"}, {}),
    ]
    for query, headers in attempts:
        caplog.clear()
        response = await slack.http.get("/slack/oauth_redirect", params=query, headers=headers)
        assert 400 <= response.status_code < 500, (query, response.status_code)
        assert_security_headers(response)
        assert alarming(caplog.records) == [], query
    assert await stored_bots(slack) == bots


async def test_a_request_for_a_workspace_ripple_is_not_installed_in_is_acknowledged(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    if not slack.platform.config.client_id:
        pytest.skip("one workspace's token serves every request in single-workspace mode")
    envelope = payloads.load("event_app_home_opened", team_id="T0GONE", user_id=SLACK_USER)
    rows, calls = await row_counts(slack.store.engine), len(slack.slack.calls())
    caplog.clear()
    response = await slack.post(json.dumps(envelope), content_type=JSON)
    assert response.status_code == 200
    assert alarming(caplog.records) == []
    (line,) = warnings_from(caplog.records, "adapters.")
    assert "T0GONE" in line and "not installed" in line
    assert await row_counts(slack.store.engine) == rows
    assert len(slack.slack.calls()) == calls


# Teams


def teams_activity(h: Harness, **changes: Any) -> dict[str, Any]:
    activity = h.activity(
        "personal_message",
        text=f"help {MARKER}",
        conversation_id=SAM.conversation_id,
        **SAM.fields(),
    )
    activity.update(changes)
    return {key: value for key, value in activity.items() if value is not None}


async def teams_refuses(
    h: Harness,
    caplog: pytest.LogCaptureFixture,
    *,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> str:
    caplog.clear()
    rows, calls = await row_counts(h.ripple.store.engine), len(h.connector.calls)
    response = await h.http.post("/api/messages", content=body, headers=headers)
    await h.platform.settle()
    assert response.status_code == status, response.text
    assert MARKER not in response.text
    assert_security_headers(response)
    assert await row_counts(h.ripple.store.engine) == rows
    assert len(h.connector.calls) == calls
    return the_one_refusal(caplog)


def bearer(h: Harness, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {h.token(**kwargs)}", "Content-Type": JSON}


async def test_a_teams_body_over_a_mebibyte_is_refused_with_413(
    teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(teams_activity(teams, channelData={"blob": "x" * TOO_LARGE})).encode()
    await teams_refuses(teams, caplog, body=body, headers=bearer(teams), status=413)


async def test_the_token_is_checked_before_the_body_is_read(
    teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Not JSON, not JSON content, and no token: 401, not 400 or 415."""
    line = await teams_refuses(
        teams,
        caplog,
        body=b"{" + MARKER.encode(),
        headers={"Content-Type": "text/plain"},
        status=401,
    )
    assert "no bearer token" in line


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("expired", lambda h: h.token(expires_in=-(300 + 60))),
        ("wrong audience", lambda h: h.token(audience="someone-elses-bot")),
        ("garbage", lambda h: "not.a.jwt"),
    ],
)
async def test_a_bad_token_is_refused_with_401(
    teams: Harness, caplog: pytest.LogCaptureFixture, case: str, token: Any
) -> None:
    headers = {"Authorization": f"Bearer {token(teams)}", "Content-Type": JSON}
    body = json.dumps(teams_activity(teams)).encode()
    line = await teams_refuses(teams, caplog, body=body, headers=headers, status=401)
    assert "token rejected" in line, case


async def test_an_activity_for_another_service_url_is_refused_with_401(
    teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(teams_activity(teams)).encode()
    headers = bearer(teams, service_url="https://smba.trafficmanager.net/emea/")
    line = await teams_refuses(teams, caplog, body=body, headers=headers, status=401)
    assert "service URL" in line


@pytest.mark.parametrize("content_type", ["text/plain", FORM, ""])
async def test_a_signed_teams_request_of_another_content_type_is_refused_with_415(
    teams: Harness, caplog: pytest.LogCaptureFixture, content_type: str
) -> None:
    body = json.dumps(teams_activity(teams)).encode()
    headers = {**bearer(teams), "Content-Type": content_type}
    await teams_refuses(teams, caplog, body=body, headers=headers, status=415)


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("not JSON", lambda a: b"{" + MARKER.encode()),
        ("a JSON array", lambda a: [MARKER]),
        ("text that is not text", lambda a: {**a, "text": {"x": MARKER}}),
        ("no type", lambda a: {k: v for k, v in a.items() if k != "type"}),
        ("no sender", lambda a: {k: v for k, v in a.items() if k != "from"}),
        ("no conversation", lambda a: {k: v for k, v in a.items() if k != "conversation"}),
        ("no recipient", lambda a: {k: v for k, v in a.items() if k != "recipient"}),
        ("no tenant", lambda a: {**a, "conversation": {"id": "a:1"}, "channelData": {}}),
        (
            "a channel the productInfo contradicts",  # the SDK raises a bare Exception
            lambda a: {
                **a,
                "channelId": "msteams:one",
                "entities": [{"type": "ProductInfo", "id": "two"}],
            },
        ),
        ("a service URL that is no URL", lambda a: {**a, "serviceUrl": "http://[::1"}),
    ],
)
async def test_what_is_no_activity_is_refused_with_400(
    teams: Harness, caplog: pytest.LogCaptureFixture, case: str, change: Any
) -> None:
    changed = change(teams_activity(teams))
    body = changed if isinstance(changed, bytes) else json.dumps(changed).encode()
    line = await teams_refuses(teams, caplog, body=body, headers=bearer(teams), status=400)
    assert MARKER not in line, case


@pytest.mark.parametrize("authenticated", [True, False])
async def test_an_invoke_ripple_has_no_use_for_is_acknowledged(
    teams: Harness, anonymous_teams: Harness, caplog: pytest.LogCaptureFixture, authenticated: bool
) -> None:
    h = teams if authenticated else anonymous_teams
    activity = teams_activity(h, type="invoke", name="composeExtension/query", value={"q": MARKER})
    headers = bearer(h) if authenticated else {"Content-Type": JSON}
    rows = await row_counts(h.ripple.store.engine)
    caplog.clear()
    response = await h.http.post("/api/messages", json=activity, headers=headers)
    await h.platform.settle()
    assert response.status_code == 200
    assert alarming(caplog.records) == []
    assert await row_counts(h.ripple.store.engine) == rows
    assert h.connector.calls == []


async def test_anonymous_mode_still_refuses_what_is_no_activity(
    anonymous_teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"type": "message", "text": MARKER}).encode()
    await teams_refuses(
        anonymous_teams, caplog, body=body, headers={"Content-Type": JSON}, status=400
    )


# The web app


async def test_every_answer_carries_the_security_headers(slack: SlackWorld) -> None:
    for response in (
        await slack.http.get("/healthz"),
        await slack.http.get("/no-such-page"),
        await slack.http.post("/slack/events", content=b"{}", headers={"Content-Type": JSON}),
    ):
        assert_security_headers(response)


class BodyReader:
    """An endpoint that reads its whole body and says how much it got."""

    def __init__(self) -> None:
        self.received = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        more = True
        while more:
            message = await receive()
            self.received += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})


async def stream_until_answered(url: str, *, total: int) -> tuple[bytes, int]:
    """POST ``total`` bytes in chunks (no Content-Length) until the server answers.

    A server that refuses a body part-way closes the connection on a client still
    sending; an HTTP client library would report that as a broken connection, so this
    sends and listens at once, as a browser does, and returns the status line and the
    bytes sent.
    """
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    answer = asyncio.create_task(reader.readline())
    writer.write(f"POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    chunk, sent = b"x" * (64 * 1024), 0
    try:
        while sent < total and not answer.done():
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent += len(chunk)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass  # the server answered and hung up
    status = await asyncio.wait_for(answer, 10)
    writer.close()
    return status, sent


async def test_a_streamed_body_is_cut_off_at_a_mebibyte_before_the_endpoint_has_it_all(
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint = BodyReader()
    async with serving(EdgeLimits(endpoint), lifespan="off") as url:
        status, _ = await stream_until_answered(url, total=MAX_BODY_BYTES)
        assert status.startswith(b"HTTP/1.1 200"), status
        assert endpoint.received == MAX_BODY_BYTES
        endpoint.received = 0
        caplog.clear()
        # No Content-Length: the body comes in chunks, and only counting them finds it out.
        status, sent = await stream_until_answered(url, total=64 * MAX_BODY_BYTES)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert sent < 64 * MAX_BODY_BYTES  # refused while the client was still sending
    assert endpoint.received <= MAX_BODY_BYTES
    assert alarming(caplog.records) == []
    (line,) = warnings_from(caplog.records, "adapters.")
    assert "\n" not in line


async def test_a_declared_length_over_a_mebibyte_is_refused_before_any_of_it_is_read() -> None:
    endpoint = BodyReader()
    async with serving(EdgeLimits(endpoint), lifespan="off") as url, httpx.AsyncClient() as http:
        response = await http.post(url, content=b"x" * TOO_LARGE)
    assert response.status_code == 413
    assert_security_headers(response)
    assert endpoint.received == 0
