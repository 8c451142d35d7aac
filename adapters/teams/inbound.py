"""What a POST to /api/messages must be before the Agents SDK sees it: small, signed, an activity.

Checks, in order: declared size (413), the bearer token from the header alone (401),
content type (415), actual size (413), the body as a Teams activity (400), and the
service URL the token signs against the activity's (401). Nothing in the body is read
before the token is valid.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ClaimsIdentity

from adapters.refusal import (
    Refusal,
    declared_too_large,
    invalid_where,
    too_large,
    unsupported_type,
)
from adapters.teams.auth import InboundAuth, UnauthorizedError
from adapters.teams.ids import channel_data
from adapters.teams.sdk_logs import quiet_activity_validation

logger = logging.getLogger(__name__)

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True, kw_only=True)
class Admitted:
    activity: Activity
    claims: ClaimsIdentity


class TeamsGate:
    """Admits a request to the SDK as an activity and its token's claims, or says why not."""

    def __init__(self, *, auth: InboundAuth) -> None:
        self._auth = auth
        quiet_activity_validation()

    async def admit(self, request: Request) -> Admitted | Refusal:
        if (oversized := declared_too_large(request)) is not None:
            return oversized
        try:
            claims = await self._auth.validate(request.headers.get("authorization"))
        except UnauthorizedError as exc:
            return Refusal(status=401, reason=str(exc))
        if (unsupported := unsupported_type(request, accepted=(JSON_MEDIA_TYPE,))) is not None:
            return unsupported
        body = await request.body()
        if (oversized := too_large(body)) is not None:
            return oversized
        read = _activity(body)
        if isinstance(read, str):
            return Refusal(status=400, reason=read, answer="the body is not an activity")
        try:
            self._auth.check_service_url(claims, service_url=read.service_url)
        except UnauthorizedError as exc:
            return Refusal(status=401, reason=str(exc))
        return Admitted(activity=read, claims=claims)


def _activity(body: bytes) -> Activity | str:
    """The activity in the body, or why there is none (where and why, never the values:
    they may be what a person wrote)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return f"a body that is not JSON ({type(exc).__name__})"
    if not isinstance(document, dict):
        return "a body that is not a JSON object"
    try:
        activity = Activity.model_validate(document)
    # The SDK's own validator also raises a bare Exception (a channel id that contradicts
    # the productInfo entity): every failure here means the body is not an activity.
    except Exception as exc:
        return f"a body that is no activity: {invalid_where(exc)}"
    problem = _missing(activity)
    return f"an activity without {problem}" if problem else activity


def _missing(activity: Activity) -> str | None:
    """What every activity from Teams names and Ripple relies on, if this one lacks it."""
    if not activity.type:
        return "a type"
    if not _is_http_url(activity.service_url):
        return "an http(s) service URL"
    if activity.conversation is None or not activity.conversation.id:
        return "a conversation id"
    if activity.from_property is None or not activity.from_property.id:
        return "a sender id"
    if activity.recipient is None or not activity.recipient.id:
        return "a recipient id"
    tenant = channel_data(activity).get("tenant")
    in_data = isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]
    if not activity.conversation.tenant_id and not in_data:
        return "a tenant"
    return None


def _is_http_url(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
