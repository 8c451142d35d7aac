"""Fuzzing /slack/events and the OAuth pages over real HTTP, in both Slack modes.

Every example starts from a request Slack would send (an event, a tap, a modal, a slash
command, the URL check), freshly signed, and breaks it:

* tampered: a header dropped, altered or doubled (timestamp missing, not a number,
  negative, huge, stale, from the future; signature missing, another version, length,
  alphabet or secret), or the body changed after signing. Each must get 401, write no
  row, reach no Slack method and log no error.
* signed junk: the body broken and then signed with the real secret (truncated, bytes
  flipped, another content type, junk JSON, known fields of the wrong type, unknown
  payload types, huge strings). Each must get a status below 500 and log no error.
* the install page and the OAuth redirect with forged, missing and junk query strings:
  4xx (or the install page), no traceback, and no installation stored.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.security import EXAMPLES, FUZZ, Quiet, alarming, row_counts, warnings_from
from tests.security.slack_requests import (
    HARMLESS_KINDS,
    KINDS,
    Recipe,
    body_of,
    junk_json,
    mutate_payload,
    payload_of,
)
from tests.slack.signing import FORM, JSON
from tests.slack.world import SlackWorld

OTHER_SECRET = "0123456789abcdef0123456789abcdef"
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x2FF, exclude_categories=("Cc", "Cs")),
    max_size=80,
)


# What Ripple must do with each example


async def send(world: SlackWorld, recipe: Recipe) -> httpx.Response:
    headers = [(name.encode(), value.encode()) for name, value in recipe.headers(int(time.time()))]
    return await world.http.post("/slack/events", content=recipe.body, headers=headers)


async def nothing_happens(
    world: SlackWorld, recipe: Recipe, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    rows, calls = await row_counts(world.store.engine), len(world.slack.calls())
    quiet = Quiet()
    response = await send(world, recipe)
    await quiet.settle()
    assert response.status_code == 401, (recipe.why, response.status_code, response.text)
    assert await row_counts(world.store.engine) == rows, recipe.why
    assert len(world.slack.calls()) == calls, recipe.why
    assert alarming(caplog.records) == [], recipe.why
    refusals = warnings_from(caplog.records, "adapters.")
    assert len(refusals) == 1 and "\n" not in refusals[0], refusals


async def nothing_breaks(
    world: SlackWorld, recipe: Recipe, caplog: pytest.LogCaptureFixture
) -> int:
    caplog.clear()
    quiet = Quiet()
    response = await send(world, recipe)
    await quiet.settle()
    event(f"status {response.status_code}")
    assert response.status_code < 500, (recipe.why, response.status_code, response.text)
    assert alarming(caplog.records) == [], recipe.why
    return response.status_code


# Tampered requests


def timestamp_breaks(data: st.DataObject) -> tuple[str, Any]:
    """A broken ``X-Slack-Request-Timestamp``, as a function of now (None: left out)."""
    case = data.draw(
        st.sampled_from(
            [
                "missing",
                "text",
                "negative",
                "huge",
                "stale",
                "future",
                "plus",
                "underscore",
                "other digits",
                "decimal",
                "twice",
                "empty",
            ]
        )
    )
    offset = data.draw(st.integers(301, 10**9))
    text = data.draw(HEADER_TEXT.filter(lambda s: not s.isascii() or not s.isdigit()))
    forms = {
        "missing": lambda now: None,
        "text": lambda now: text,
        "negative": lambda now: f"-{now}",
        "huge": lambda now: str(now) * data.draw(st.integers(2, 30)),
        "stale": lambda now: str(now - offset),
        "future": lambda now: str(now + offset),
        "plus": lambda now: f"+{now}",
        "underscore": lambda now: f"{str(now)[:4]}_{str(now)[4:]}",
        "other digits": lambda now: str(now).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        "decimal": lambda now: f"{now}.0",
        "twice": lambda now: [str(now), str(now)],
        "empty": lambda now: "",
    }
    return case, forms[case]


def signature_breaks(data: st.DataObject) -> tuple[str, Any]:
    """A broken ``X-Slack-Signature``, given the right one (None: left out)."""
    case = data.draw(
        st.sampled_from(
            [
                "missing",
                "version",
                "short",
                "long",
                "not hex",
                "upper case",
                "other secret",
                "text",
                "twice",
                "empty",
            ]
        )
    )
    text = data.draw(HEADER_TEXT)
    forms = {
        "missing": lambda right, other: None,
        "version": lambda right, other: "v1=" + right[3:],
        "short": lambda right, other: right[: data.draw(st.integers(0, len(right) - 1))],
        "long": lambda right, other: right + data.draw(st.sampled_from(["0", "ff", "\u00e9"])),
        "not hex": lambda right, other: "v0=" + "g" * 64,
        "upper case": lambda right, other: right.upper(),
        "other secret": lambda right, other: other,
        "text": lambda right, other: text,
        "twice": lambda right, other: [right, other],
        "empty": lambda right, other: "",
    }
    return case, forms[case]


def body_breaks(data: st.DataObject, body: bytes) -> tuple[str, bytes]:
    """The body changed after it was signed."""
    case = data.draw(st.sampled_from(["truncated", "flipped", "appended", "replaced"]))
    if case == "truncated" and body:
        return case, body[: data.draw(st.integers(0, len(body) - 1))]
    if case == "flipped" and body:
        at = data.draw(st.integers(0, len(body) - 1))
        return case, body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
    if case == "replaced":
        other = data.draw(st.sampled_from(KINDS))
        replaced = body_of(other, payload_of(other))[0]
        if replaced != body:
            return case, replaced
    return "appended", body + data.draw(st.binary(min_size=1, max_size=40))


def tampered_recipe(data: st.DataObject) -> Recipe:
    kind = data.draw(st.sampled_from(KINDS))
    body, content_type = body_of(kind, payload_of(kind))
    part = data.draw(st.sampled_from(["timestamp", "signature", "body", "both headers"]))
    if part == "body":
        why, sent = body_breaks(data, body)
        return Recipe.signed(body, content_type, why=f"{kind}: body {why}", sent_body=sent)
    stamp_case, stamp = timestamp_breaks(data) if part != "signature" else ("right", None)
    sig_case, signature = signature_breaks(data) if part != "timestamp" else ("right", None)
    return Recipe.signed(
        body,
        content_type,
        why=f"{kind}: timestamp {stamp_case}, signature {sig_case}",
        stamp=stamp,
        signature=signature,
        other_secret=OTHER_SECRET,
    )


@FUZZ
@given(data=st.data())
async def test_a_tampered_request_is_refused_and_leaves_nothing_behind(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.DEBUG)
    await nothing_happens(slack, tampered_recipe(data), caplog)


# Signed junk


def junk_recipe(data: st.DataObject) -> Recipe:
    kind = data.draw(st.sampled_from(HARMLESS_KINDS))
    payload = payload_of(kind)
    case = data.draw(
        st.sampled_from(
            [
                "field",
                "field",
                "field",
                "type",
                "huge",
                "json",
                "form payload",
                "bytes",
                "truncated",
                "flipped",
                "content type",
            ]
        )
    )
    body, content_type = body_of(kind, payload)
    if case in ("field", "type", "huge"):
        changed, why = mutate_payload(data, payload, case=case)
        body, content_type = body_of(kind, changed)
        return Recipe.signed(body, content_type, why=f"{kind}: {why}")
    if case == "json":
        return Recipe.signed(
            json.dumps(data.draw(junk_json())).encode(), JSON, why=f"{kind}: junk JSON"
        )
    if case == "form payload":
        payload_text = json.dumps(data.draw(junk_json()))
        form = urlencode({"payload": payload_text}).encode()
        return Recipe.signed(form, FORM, why=f"{kind}: junk form payload")
    if case == "bytes":
        raw = data.draw(st.binary(max_size=300))
        return Recipe.signed(raw, data.draw(st.sampled_from([JSON, FORM])), why="raw bytes")
    if case == "truncated" and body:
        cut = body[: data.draw(st.integers(0, len(body) - 1))]
        return Recipe.signed(cut, content_type, why=f"{kind}: truncated, then signed")
    if case == "flipped" and body:
        at = data.draw(st.integers(0, len(body) - 1))
        flipped = body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
        return Recipe.signed(flipped, content_type, why=f"{kind}: a byte flipped, then signed")
    other_type = data.draw(
        st.sampled_from(
            [
                FORM if content_type == JSON else JSON,
                "text/plain",
                "multipart/form-data",
                "application/xml",
                "",
                "application/json; charset=utf-8",
                "APPLICATION/JSON",
            ]
        )
        | HEADER_TEXT
    )
    return Recipe.signed(body, other_type, why=f"{kind}: sent as {other_type!r}")


@FUZZ
@given(data=st.data())
async def test_signed_junk_never_gets_a_server_error(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.DEBUG)
    await nothing_breaks(slack, junk_recipe(data), caplog)


# The OAuth pages (OAuth mode only)

QUERY_TEXT = st.text(max_size=60)
COOKIE_CHARACTERS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=";")


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))
@given(
    path=st.sampled_from(["/slack/install", "/slack/oauth_redirect"]),
    query=st.dictionaries(
        st.sampled_from(["state", "code", "error", "team", "redirect_uri"]) | QUERY_TEXT,
        QUERY_TEXT | st.sampled_from(["install-1", "not-a-state", ""]),
        max_size=4,
    ),
    cookie=st.none()
    | st.sampled_from(["slack-app-oauth-state=forged", "slack-app-oauth-state="])
    | st.text(COOKIE_CHARACTERS, max_size=60).map(lambda text: f"slack-app-oauth-state={text}"),
)
async def test_the_oauth_pages_refuse_junk_without_a_traceback(
    slack: SlackWorld,
    caplog: pytest.LogCaptureFixture,
    path: str,
    query: dict[str, str],
    cookie: str | None,
) -> None:
    if not slack.platform.config.client_id:
        pytest.skip("the OAuth pages exist in OAuth mode only")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    installations = await installed(slack)
    headers = {"Cookie": cookie} if cookie else {}
    response = await slack.http.get(path, params=query, headers=headers)
    if path == "/slack/install":
        assert response.status_code == 200, (query, response.status_code)
    elif "error" in query:  # Slack's redirect when the person cancels: a page that says so
        assert response.status_code in (200, 400, 401), (query, response.status_code)
    else:
        assert 400 <= response.status_code < 500, (query, response.status_code)
    assert alarming(caplog.records) == []
    assert await installed(slack) == installations


async def installed(world: SlackWorld) -> dict[str, int]:
    counts = await row_counts(world.store.engine)
    return {name: count for name, count in counts.items() if "oauth_state" not in name}
