"""What a POST to /slack/events must be before Bolt sees it: small, signed, recent, readable."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from fastapi import Request
from slack_bolt.async_app import AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from adapters.refusal import Refusal, declared_too_large, too_large, unsupported_type
from adapters.slack.shapes import shape_problem

logger = logging.getLogger(__name__)

MAX_CLOCK_SKEW_SECONDS = 300  # Slack's own advice, in both directions
# Events and the URL check come as JSON; taps, modals and slash commands as a form.
CONTENT_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})
# ASCII digits only: int() also reads " 17", "1_7" and other scripts' digits.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class _Now(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SlackGate:
    """Checks, in order: size (413), timestamp and signature (401), content type (415), and
    that the body reads as what Slack sends (400). Nothing is parsed before it is signed."""

    def __init__(self, *, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._verifier = SignatureVerifier(signing_secret, clock=_Now(now))

    async def refusal(self, request: Request) -> Refusal | None:
        if (oversized := declared_too_large(request)) is not None:
            return oversized
        body = await request.body()
        if (oversized := too_large(body)) is not None:
            return oversized
        unsigned = self._unsigned(request, body)
        if unsigned is not None:
            return Refusal(status=401, reason=unsigned, answer="invalid request")
        if (unsupported := unsupported_type(request, accepted=CONTENT_TYPES)) is not None:
            return unsupported
        problem = _unreadable(request, body)
        if problem is not None:
            return Refusal(status=400, reason=problem, answer="malformed Slack request")
        return None

    def _unsigned(self, request: Request, body: bytes) -> str | None:
        """Why the request is not one Slack signed just now, or None if it is."""
        stamps = request.headers.getlist("x-slack-request-timestamp")
        signatures = request.headers.getlist("x-slack-signature")
        if len(stamps) != 1 or len(signatures) != 1:
            return "no single timestamp and signature"
        stamp, signature = stamps[0], signatures[0]
        if not TIMESTAMP.fullmatch(stamp):
            return "a timestamp that is not a number of seconds"
        skew = self._now() - int(stamp)
        if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
            return f"a timestamp {int(skew)} s off"
        if not SIGNATURE.fullmatch(signature):
            return "a signature that is not v0 and 64 hex digits"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return "a body that is not UTF-8, so not one Slack signed"
        if not self._verifier.is_valid(text, stamp, signature):
            return "a signature that does not match the body"
        return None


def _unreadable(request: Request, body: bytes) -> str | None:
    """Why Bolt could not read this signed body as Slack's, or None if it can.

    Parsed the way Bolt will parse it, so what passes here is what Bolt's listeners see.
    """
    try:
        parsed = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.url.query,
            headers={name: list(request.headers.getlist(name)) for name in request.headers},
        )
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError) as exc:
        return f"a body Bolt cannot read ({type(exc).__name__})"
    return shape_problem(parsed.body)
