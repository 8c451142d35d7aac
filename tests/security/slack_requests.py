"""Requests as Slack sends them to /slack/events, and the ways the fuzzers break them."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from tests.slack import payloads
from tests.slack.signing import FORM, JSON, command_body, event_body, form_body
from tests.slack.world import SIGNING_SECRET

# Every kind of request the fixtures record; uninstalls and revocations are left out of
# the signed junk because a well-formed one really does remove the workspace.
KINDS = tuple(payloads.names())
HARMLESS_KINDS = tuple(
    k for k in KINDS if k not in ("event_app_uninstalled", "event_tokens_revoked")
)
FORM_KINDS = ("block_actions", "block_actions_datetimepicker", "view_submission")
SLACK_KEYS = (
    "type",
    "event",
    "actions",
    "action_id",
    "block_id",
    "value",
    "user",
    "team",
    "team_id",
    "user_id",
    "channel",
    "channel_id",
    "view",
    "state",
    "values",
    "callback_id",
    "private_metadata",
    "container",
    "message",
    "authorizations",
    "enterprise",
    "selected_option",
    "selected_date",
    "text",
    "trigger_id",
    "command",
    "challenge",
)

Stamp = Callable[[int], "str | list[str] | None"]
Signature = Callable[[str, str], "str | list[str] | None"]


_deliveries = itertools.count(1)


def payload_of(kind: str) -> dict[str, Any]:
    """A fresh delivery of ``kind``: new ids each time, always of the same length, so that
    what a fuzzer draws from a body's length is the same when it replays an example."""
    n = next(_deliveries) % 10**9
    fields: dict[str, Any] = {
        "event_id": f"Ev{n:010d}",
        "trigger_id": f"{n:013d}.{n:010d}.{n:032x}",
        "event_ts": f"{1_700_000_000 + n}.000100",
        "action_ts": f"{1_700_000_000 + n}.000200",
        "event_time": 1_700_000_000 + n,
    }
    if kind == "slash_command":
        fields["text"] = "help"
    return payloads.load(kind, **fields)


def body_of(kind: str, payload: dict[str, Any]) -> tuple[bytes, str]:
    """The body Slack sends for this kind of payload, and its content type."""
    if kind == "slash_command":
        return command_body(**payload).encode(), FORM
    if kind in FORM_KINDS:
        return form_body(payload).encode(), FORM
    return event_body(payload).encode(), JSON


def hmac_signature(secret: str, stamp: str, body: bytes) -> str:
    """Slack's v0 signature; bodies that aren't UTF-8 are signed byte for byte, as Slack would."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        base = b"v0:" + stamp.encode() + b":" + body
        return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=text)
    assert signature is not None
    return signature


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """One request, its headers made at send time (timestamps are relative to then)."""

    body: bytes
    why: str
    headers: Callable[[int], list[tuple[str, str]]]

    @classmethod
    def signed(
        cls,
        body: bytes,
        content_type: str | None,
        *,
        why: str,
        stamp: Stamp | None = None,
        signature: Signature | None = None,
        other_secret: str = "0123456789abcdef0123456789abcdef",
        sent_body: bytes | None = None,
    ) -> Recipe:
        """Signed over ``body`` with the real secret, unless ``stamp`` or ``signature`` say
        otherwise; ``sent_body`` replaces the body after signing."""

        def headers(now: int) -> list[tuple[str, str]]:
            stamps = [str(now)] if stamp is None else _listed(stamp(now))
            signed_at = stamps[0] if stamps else str(now)
            right = hmac_signature(SIGNING_SECRET, signed_at, body)
            other = hmac_signature(other_secret, signed_at, body)
            signatures = [right] if signature is None else _listed(signature(right, other))
            return [
                *([("Content-Type", content_type)] if content_type is not None else []),
                *(("X-Slack-Request-Timestamp", s) for s in stamps),
                *(("X-Slack-Signature", s) for s in signatures),
            ]

        return cls(body=body if sent_body is None else sent_body, why=why, headers=headers)


def _listed(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def junk_json() -> st.SearchStrategy[Any]:
    """JSON values of any shape, with Slack's own key names among the keys."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
    )
    keys = st.sampled_from(SLACK_KEYS) | st.text(max_size=10)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a JSON value."""
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return found
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def mutate_payload(
    data: st.DataObject, payload: dict[str, Any], *, case: str
) -> tuple[dict[str, Any], str]:
    """The payload with one field dropped, retyped, renamed to an unknown type, or made huge."""
    changed = copy.deepcopy(payload)
    if case == "type":
        holder = changed["event"] if isinstance(changed.get("event"), dict) else changed
        holder["type"] = data.draw(st.text(max_size=30) | junk_json())
        return changed, f"type {holder['type']!r:.40}"
    candidates = paths(changed)
    if case == "huge":
        texts = [p for p in candidates if isinstance(_at(changed, p), str)] or candidates
        path = data.draw(st.sampled_from(texts))
        # Up to about 1 MiB escaped; bodies over the limit are tested on their own, since a
        # server refusing one part-way hangs up on a client that is still sending it.
        size = data.draw(st.integers(10_000, 50_000))
        _put(changed, path, data.draw(st.sampled_from(["x", "é", "😀", "\\", '"'])) * size)
        return changed, f"{path} huge"
    path = data.draw(st.sampled_from(candidates))
    if data.draw(st.booleans()):
        parent = _at(changed, path[:-1])
        del parent[path[-1]]
        return changed, f"{path} dropped"
    value = data.draw(junk_json())
    _put(changed, path, value)
    return changed, f"{path} = {value!r:.60}"


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _put(node: Any, path: tuple[Any, ...], value: Any) -> None:
    _at(node, path[:-1])[path[-1]] = value
