"""Whether someone owns a team, from Microsoft Graph: the Bot Framework roster can't tell."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import ClientError, ClientSession, ClientTimeout

logger = logging.getLogger(__name__)

GRAPH_URL = "https://graph.microsoft.com/v1.0/"
GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TIMEOUT = ClientTimeout(total=5)  # asked inside a turn, which Teams gives 15 seconds

# A bearer token for Graph in a tenant ("" to call without one, in local anonymous mode).
GraphToken = Callable[[str], Awaitable[str]]


class TeamOwners:
    """Asks Graph for a team member's roles (the app needs the TeamMember.Read.Group permission).

    Any failure counts as "not an owner": a settings change is refused rather than let
    through on a guess.
    """

    def __init__(self, *, token: GraphToken, graph_url: str = GRAPH_URL) -> None:
        self._token = token
        self._graph_url = graph_url if graph_url.endswith("/") else graph_url + "/"

    async def is_owner(self, *, tenant_id: str, team_group_id: str, user_object_id: str) -> bool:
        query = f"(microsoft.graph.aadUserConversationMember/userId eq '{user_object_id}')"
        url = f"{self._graph_url}teams/{quote(team_group_id, safe='')}/members"
        try:
            token = await self._token(tenant_id)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with (
                ClientSession(timeout=TIMEOUT) as session,
                session.get(url, params={"$filter": query}, headers=headers) as reply,
            ):
                if reply.status != 200:
                    logger.warning(
                        "Graph answered %s for the members of team %s; is TeamMember.Read.Group granted?",
                        reply.status,
                        team_group_id,
                    )
                    return False
                document = await reply.json()
        except (ClientError, TimeoutError, ValueError) as exc:
            logger.warning("could not ask Graph who owns team %s: %s", team_group_id, exc)
            return False
        members = document.get("value") if isinstance(document, dict) else None
        return any(
            isinstance(member, dict)
            and member.get("userId") == user_object_id
            and "owner" in (member.get("roles") or [])
            for member in members or []
        )
