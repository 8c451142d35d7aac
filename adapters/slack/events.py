"""Slack events: Ripple joining or leaving channels, members, App Home, uninstalls."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.ids import ripple_id
from adapters.slack.translator import Body, SlackTranslator
from bot.events import MemberJoined, MemberLeft, Origin

# The Events API subscriptions Ripple listens to, as the app manifest names them.
EVENTS = (
    "app_home_opened",
    "app_uninstalled",
    "member_joined_channel",
    "member_left_channel",
    "message.im",
    "tokens_revoked",
)


class SlackEvents(SlackTranslator):
    """The Events API subscriptions, each handed to the core (message.im is the DM's)."""

    def register(self, app: AsyncApp) -> None:
        handlers = {
            "app_home_opened": self.on_home_opened,
            "app_uninstalled": self.on_uninstalled,
            "member_joined_channel": self.on_member_joined,
            "member_left_channel": self.on_member_left,
            "tokens_revoked": self.on_tokens_revoked,
        }
        assert set(handlers) | {"message.im"} == set(EVENTS)
        for name, handler in handlers.items():
            app.event(name)(handler)

    async def on_home_opened(
        self, event: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab") != "home":
            return
        team_id = str(context.team_id or "")
        user = await self.directory.user(client, team_id=team_id, user_id=str(event.get("user")))
        if user is not None and user.is_human:
            await self.publish_home(client, user)

    async def on_member_joined(
        self, event: Body, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        team_id = str(event.get("team") or context.team_id or "")
        channel_id, user_id = str(event.get("channel")), str(event.get("user"))
        if user_id == context.bot_user_id:
            await self.register_channel(client, team_id=team_id, channel_id=channel_id)
            return
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        if user is None or not user.is_human:
            return
        ref = ripple_id(team_id=team_id, local_id=channel_id)
        origin = self.origin(user, event_id=f"slack:event:{body.get('event_id')}", channel_id=ref)
        await self.person_event(MemberJoined(origin=origin, channel_id=ref), deliver=False)

    async def on_member_left(self, event: Body, body: Body, context: AsyncBoltContext) -> None:
        team_id = str(event.get("team") or context.team_id or "")
        channel_id, user_id = str(event.get("channel")), str(event.get("user"))
        if user_id == context.bot_user_id:
            return
        ref = ripple_id(team_id=team_id, local_id=channel_id)
        origin = Origin(
            person_id=ripple_id(team_id=team_id, local_id=user_id),
            occurred_at=self.ripple.clock.now(),
            channel_id=ref,
            event_id=f"slack:event:{body.get('event_id')}",
        )
        await self.ripple.handle(MemberLeft(origin=origin, channel_id=ref))

    async def on_uninstalled(self, body: Body, context: AsyncBoltContext) -> None:
        await self.deactivate(str(context.team_id or body.get("team_id")), reason="app_uninstalled")

    async def on_tokens_revoked(self, event: Body, body: Body, context: AsyncBoltContext) -> None:
        if (event.get("tokens") or {}).get("bot"):
            await self.deactivate(
                str(context.team_id or body.get("team_id")), reason="tokens_revoked"
            )
