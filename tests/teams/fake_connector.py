"""A local Bot Connector (and the slice of Microsoft Graph Ripple uses), over real HTTP.

It records every activity it receives, keeps each conversation's messages as they stand
after updates, pages a team roster, and can be told to answer 429, 412, 502, 504 or 403.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BASE_PATH = "/amer/"  # Teams' service URLs carry a region path, e.g. …/amer/


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    authorization: str | None
    status: int
    at: float = 0.0  # when it arrived, on the fake's clock


@dataclass
class Failure:
    """A planned refusal: ``status`` for the next ``times`` matching requests."""

    status: int
    times: int
    retry_after: str | None = None
    code: str | None = None
    matches: Callable[[str, str | None], bool] = lambda method, conversation: True


@dataclass
class Member:
    id: str
    aad_object_id: str
    name: str
    owner: bool = False

    def account(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "aadObjectId": self.aad_object_id,
            "name": self.name,
            "userRole": "user",
        }


# The Bot Connector's limit on one activity, as it answers 413 past it.
MAX_ACTIVITY_BYTES = 262_144


@dataclass
class FakeConnector:
    base_url: str = ""
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    roster: list[Member] = field(default_factory=list)
    team_group_id: str = "00000000-0000-0000-0000-0000000000e1"
    team_name: str = "Design"
    channels: dict[str, str] = field(default_factory=dict)  # the team's other channels: id to name
    blocked: set[str] = field(default_factory=set)  # conversations that answer 403
    failures: list[Failure] = field(default_factory=list)
    every: tuple[int, Failure] | None = None  # (n, failure): refuse in bursts every n sends
    now: Callable[[], float] = time.monotonic
    require_token: bool = True  # off for Ripple's anonymous mode, which sends none
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sends: int = 0

    @property
    def service_url(self) -> str:
        return self.base_url + BASE_PATH

    @property
    def graph_url(self) -> str:
        return self.base_url + "/graph/v1.0/"

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        code: str | None = None,
    ) -> None:
        self.failures.append(
            Failure(status=status, times=times, retry_after=retry_after, code=code)
        )

    def burst_every(self, n: int, failure: Failure) -> None:
        self.every = (n, failure)

    def sent(self, conversation_id: str | None = None) -> list[Call]:
        """Accepted posts of new messages (not updates), optionally to one conversation."""
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and c.activity_id is None
            and c.conversation_id is not None
            and c.status in (200, 201)
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "PUT"
            and c.status == 200
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def thread(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages as they stand now, oldest first."""
        return list(self.messages.get(conversation_id, {}).values())

    def last_card(self, conversation_id: str) -> dict[str, Any]:
        for activity in reversed(self.thread(conversation_id)):
            for attachment in activity.get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    return attachment["content"]
        raise AssertionError(f"no card in {conversation_id}: {self.thread(conversation_id)}")

    # The HTTP side.

    def app(self) -> web.Application:
        app = web.Application()
        prefix = BASE_PATH.rstrip("/")
        app.router.add_post(f"{prefix}/v3/conversations", self._create)
        app.router.add_post(f"{prefix}/v3/conversations/{{cid}}/activities", self._post)
        app.router.add_post(f"{prefix}/v3/conversations/{{cid}}/activities/{{aid}}", self._post)
        app.router.add_put(f"{prefix}/v3/conversations/{{cid}}/activities/{{aid}}", self._put)
        app.router.add_get(f"{prefix}/v3/conversations/{{cid}}/pagedmembers", self._paged_members)
        app.router.add_get(f"{prefix}/v3/teams/{{tid}}", self._team)
        app.router.add_get(f"{prefix}/v3/teams/{{tid}}/conversations", self._channels)
        app.router.add_get("/graph/v1.0/teams/{group}/members", self._graph_members)
        return app

    def _refusal(self, method: str, conversation: str | None) -> Failure | None:
        if conversation in self.blocked:
            return Failure(status=403, times=1, code="ConversationBlockedByUser")
        for planned in self.failures:
            if planned.times > 0 and planned.matches(method, conversation):
                planned.times -= 1
                return planned
        if self.every is not None and method in ("POST", "PUT"):
            self._sends += 1
            n, burst = self.every
            if self._sends % n < burst.times:
                return burst
        return None

    def _as_the_connector_would(self, request: web.Request, raw: bytes) -> Failure | None:
        """What the Bot Connector refuses by itself: no bearer token (401) and an activity
        over its size limit (413)."""
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if self.require_token and (scheme != "Bearer" or not credentials):
            return Failure(status=401, times=1, code="Unauthorized")
        if len(raw) > MAX_ACTIVITY_BYTES:
            return Failure(status=413, times=1, code="MessageSizeTooBig")
        return None

    async def _answer(
        self,
        request: web.Request,
        *,
        conversation: str | None,
        activity: str | None,
        ok: Callable[[Any], Any],
    ) -> web.Response:
        raw = await request.read() if request.can_read_body else b""
        body = json.loads(raw) if raw else None
        refusal = self._as_the_connector_would(request, raw) or self._refusal(
            request.method, conversation
        )
        status = refusal.status if refusal else 200
        answer: Any = None
        if refusal is None:
            try:
                answer = ok(body)
            except web.HTTPNotFound:
                status = 404
        self.calls.append(
            Call(
                method=request.method,
                path=request.path,
                conversation_id=conversation,
                activity_id=activity,
                body=body,
                authorization=request.headers.get("Authorization"),
                status=status,
                at=self.now(),
            )
        )
        if refusal is not None:
            headers = {"Retry-After": refusal.retry_after} if refusal.retry_after else {}
            error = {
                "error": {"code": refusal.code or f"HTTP{refusal.status}", "message": "refused"}
            }
            return web.json_response(error, status=refusal.status, headers=headers)
        if status == 404:
            return web.json_response(
                {"error": {"code": "NotFound", "message": "no such activity"}}, status=404
            )
        return web.json_response(answer)

    async def _create(self, request: web.Request) -> web.Response:
        def created(body: Any) -> dict[str, str]:
            (member,) = body["members"]
            return {"id": f"a:personal-{member['id']}"}

        return await self._answer(request, conversation=None, activity=None, ok=created)

    async def _post(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]

        def posted(body: Any) -> dict[str, str]:
            activity_id = f"act-{next(self._ids)}"
            self.messages.setdefault(conversation, {})[activity_id] = body
            return {"id": activity_id}

        return await self._answer(request, conversation=conversation, activity=None, ok=posted)

    async def _put(self, request: web.Request) -> web.Response:
        conversation, activity_id = request.match_info["cid"], request.match_info["aid"]

        def updated(body: Any) -> dict[str, str]:
            thread = self.messages.setdefault(conversation, {})
            if activity_id not in thread:
                raise web.HTTPNotFound()
            thread[activity_id] = body
            return {"id": activity_id}

        return await self._answer(
            request, conversation=conversation, activity=activity_id, ok=updated
        )

    async def _paged_members(self, request: web.Request) -> web.Response:
        size = int(request.query.get("pageSize", "100"))
        start = int(request.query.get("continuationToken") or 0)

        def page(_: Any) -> dict[str, Any]:
            document: dict[str, Any] = {
                "members": [m.account() for m in self.roster[start : start + size]]
            }
            if start + size < len(self.roster):
                document["continuationToken"] = str(start + size)
            return document

        return await self._answer(
            request, conversation=request.match_info["cid"], activity=None, ok=page
        )

    async def _team(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "id": request.match_info["tid"],
                "name": self.team_name,
                "aadGroupId": self.team_group_id,
            }
        )

    async def _channels(self, request: web.Request) -> web.Response:
        team = request.match_info["tid"]
        listed = [
            {"id": team, "name": None},
            *({"id": i, "name": n} for i, n in self.channels.items()),
        ]
        return web.json_response({"conversations": listed})

    async def _graph_members(self, request: web.Request) -> web.Response:
        if request.match_info["group"] != self.team_group_id:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        wanted = re.search(r"userId eq '([^']+)'", request.query.get("$filter", ""))
        members = [
            {
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "userId": m.aad_object_id,
                "displayName": m.name,
                "roles": ["owner"] if m.owner else [],
            }
            for m in self.roster
            if wanted is None or m.aad_object_id == wanted[1]
        ]
        return web.json_response({"value": members})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeConnector]:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        (socket,) = site._server.sockets  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{socket.getsockname()[1]}"
        try:
            yield self
        finally:
            await runner.cleanup()
