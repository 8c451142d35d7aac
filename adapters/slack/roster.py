"""A Slack channel's people, read with the workspace's own bot token, for the core."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import Directory
from adapters.slack.ids import PLATFORM, parse_ref
from adapters.slack.workspaces import Workspaces
from bot.model import Person
from bot.ports import RosterReadError

# A read may wait out Slack's 429s a few times per call; users.info is Slack's tier 4.
READ_RETRIES = 5


@dataclass
class SlackRoster:
    """The core's ``Roster`` for Slack: conversations.members, then each person's profile."""

    workspaces: Workspaces
    api_url: str
    directory: Directory = field(default_factory=Directory)
    platform: str = PLATFORM

    async def members(self, channel_id: str) -> list[Person]:
        try:
            ref = parse_ref(channel_id)
        except ValueError as exc:
            raise RosterReadError(str(exc)) from None
        token = await self.workspaces.bot_token(ref.team_id)
        if token is None:
            raise RosterReadError(f"workspace {ref.team_id} has no working bot token")
        retries: list[AsyncRetryHandler] = [
            AsyncRateLimitErrorRetryHandler(max_retry_count=READ_RETRIES)
        ]
        client = AsyncWebClient(token=token, base_url=self.api_url, retry_handlers=retries)
        try:
            return await self.directory.channel_people(
                client, team_id=ref.team_id, channel_id=ref.local_id
            )
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            raise RosterReadError(f"Slack answered {error}") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RosterReadError(f"{type(exc).__name__}: {exc}") from None
