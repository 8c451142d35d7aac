"""Bolt listeners: each Slack request becomes an InboundEvent for the core, or a view to show."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import actions
from adapters.slack.commands import COMMAND_WORDS, parse_command
from adapters.slack.directory import Directory, SlackUser
from adapters.slack.home import home_view
from adapters.slack.ids import ripple_id, team_prefix
from adapters.slack.modals import errors_response, note_modal, read_note, read_setup, setup_modal
from adapters.slack.workspaces import Workspaces
from bot.events import ACTION_EVENTS, EventKind, InboundEvent
from bot.ports import PromptCatalog
from bot.ripple import Ripple

logger = logging.getLogger(__name__)

Body = dict[str, Any]

# The Events API subscriptions Ripple listens to, as the app manifest names them.
EVENTS = (
    "app_home_opened",
    "app_uninstalled",
    "member_joined_channel",
    "member_left_channel",
    "message.im",
    "tokens_revoked",
)


@dataclass
class SlackListeners:
    """Translates Slack requests for the core; holds no rule of its own."""

    ripple: Ripple
    catalog: PromptCatalog
    directory: Directory
    workspaces: Workspaces

    def register(self, app: AsyncApp) -> None:
        app.command("/ripple")(self.on_command)
        app.action(actions.CHOICE_PATTERN)(self.on_tap)
        app.action(actions.SKIP_PATTERN)(self.on_tap)
        app.action(actions.SNOOZE_AT_PATTERN)(self.on_tap)
        app.action(actions.COMMAND_PATTERN)(self.on_home_button)
        app.view(actions.NOTE_VIEW)(self.on_note)
        app.view(actions.SETUP_VIEW)(self.on_setup)
        handlers = {
            "app_home_opened": self.on_home_opened,
            "app_uninstalled": self.on_uninstalled,
            "member_joined_channel": self.on_member_joined,
            "member_left_channel": self.on_member_left,
            "message.im": self.on_message,
            "tokens_revoked": self.on_tokens_revoked,
        }
        assert set(handlers) == set(EVENTS)
        for name, handler in handlers.items():
            # Slack delivers message.im as a "message" event with channel_type "im".
            app.event(name.split(".")[0])(handler)

    # Slash command and direct messages

    async def on_command(
        self, ack: AsyncAck, command: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        team_id, user_id = str(command["team_id"]), str(command["user_id"])
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        channel = str(command.get("channel_id") or "")
        locale = await self._locale(user, channel=ripple_id(team_id=team_id, local_id=channel))
        word = parse_command(str(command.get("text") or ""))
        if word is None or word == "help" or user is None:
            await ack(text=self._say("slack.help", locale))
            return
        channel_id = str(command.get("channel_id") or "")
        if word == "setup":
            await self._setup(ack, client, command, user=user, channel_id=channel_id)
            return
        await ack(text=self._say("slack.sent_to_dm", locale))
        await self._person_event(
            COMMAND_WORDS[word],
            user=user,
            event_id=f"slack:command:{command.get('trigger_id')}",
            channel_id=ripple_id(team_id=team_id, local_id=channel_id) if channel_id else None,
        )

    async def on_message(
        self, event: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A command typed in the DM with Ripple; anything else there gets the help text."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        team_id = str(context.team_id or event.get("team") or "")
        user = await self.directory.user(client, team_id=team_id, user_id=str(event.get("user")))
        if user is None or not user.is_human:
            return
        word = parse_command(str(event.get("text") or ""))
        kind = COMMAND_WORDS.get(word or "", EventKind.HELP)
        await self._person_event(
            kind,
            user=user,
            event_id=f"slack:message:{event.get('client_msg_id') or event.get('ts')}",
        )

    # Taps on Ripple's messages, App Home buttons and modals

    async def on_tap(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        user = await self._actor(client, body)
        if user is None:
            return
        action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
        try:
            tap = actions.read_action(action)
        except ValueError as exc:
            logger.warning("ignoring a Slack action Ripple can't read: %s", exc)
            return
        if tap.action == "note" and tap.value in ("private", "shared") and tap.round_id:
            config = await self.ripple.config_for_round(round_id=tap.round_id)
            if config is None:
                return
            view = note_modal(
                round_id=tap.round_id,
                share=tap.value == "shared",
                catalog=self.catalog,
                locale=await self._locale(user),
                comment_threshold=config.comment_threshold,
            )
            await client.views_open(trigger_id=str(body["trigger_id"]), view=view)
            return
        kind = EventKind.SKIP if tap.action == "skip" else ACTION_EVENTS[tap.action]
        await self._person_event(
            kind,
            user=user,
            event_id=f"slack:action:{user.user_id}:{action.get('action_ts')}",
            round_id=tap.round_id,
            question_id=tap.question_id,
            value=tap.value or None,
        )

    async def on_home_button(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        user = await self._actor(client, body)
        action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
        word = str(action.get("value") or "")
        if user is None or word not in COMMAND_WORDS:
            return
        await self._person_event(
            COMMAND_WORDS[word],
            user=user,
            event_id=f"slack:action:{user.user_id}:{action.get('action_ts')}",
        )
        await self._publish_home(client, user)

    async def on_note(self, ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient) -> None:
        try:
            note = read_note(view)
        except ValueError as exc:
            logger.warning("ignoring a note modal Ripple can't read: %s", exc)
            await ack()
            return
        await ack()
        user = await self._actor(client, body)
        if user is None:
            return
        await self._person_event(
            EventKind.NOTE,
            user=user,
            event_id=f"slack:view:{view.get('id')}:{view.get('hash')}",
            round_id=note.round_id,
            value="shared" if note.share else "private",
            text=note.text,
        )

    async def on_setup(self, ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient) -> None:
        team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))
        user_id = str((body.get("user") or {}).get("id"))
        self.directory.forget(team_id=team_id, user_id=user_id)  # admin rights are read fresh
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        try:
            setup = read_setup(view, team_id=team_id)
        except ValueError as exc:
            logger.warning("ignoring a setup modal Ripple can't read: %s", exc)
            await ack()
            return
        if user is None:
            await ack()
            return
        locale = await self._locale(user)
        result = await self.ripple.apply_setup(
            actor_id=user.person.person_id,
            channel_id=setup.channel_id,
            values=setup.values,
            actor_is_workspace_admin=user.is_workspace_admin,
            locale=locale,
        )
        if not result.saved:
            field = (
                result.field
                if result.field in setup.values
                else next(iter(setup.values), "weekday")
            )
            await ack(**errors_response(field=field, message=result.message))
            return
        await ack()
        await client.chat_postMessage(channel=user.user_id, text=result.message)

    # Events

    async def on_home_opened(
        self, event: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab") != "home":
            return
        team_id = str(context.team_id or "")
        user = await self.directory.user(client, team_id=team_id, user_id=str(event.get("user")))
        if user is not None and user.is_human:
            await self._publish_home(client, user)

    async def on_member_joined(
        self, event: Body, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        team_id = str(event.get("team") or context.team_id or "")
        channel_id, user_id = str(event.get("channel")), str(event.get("user"))
        if user_id == context.bot_user_id:
            await self._register_channel(client, team_id=team_id, channel_id=channel_id)
            return
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        if user is None or not user.is_human:
            return
        await self._person_event(
            EventKind.MEMBER_JOINED,
            user=user,
            event_id=f"slack:event:{body.get('event_id')}",
            channel_id=ripple_id(team_id=team_id, local_id=channel_id),
            deliver=False,
        )

    async def on_member_left(self, event: Body, body: Body, context: AsyncBoltContext) -> None:
        team_id = str(event.get("team") or context.team_id or "")
        channel_id, user_id = str(event.get("channel")), str(event.get("user"))
        if user_id == context.bot_user_id:
            return
        await self.ripple.handle(
            InboundEvent(
                kind=EventKind.MEMBER_LEFT,
                person_id=ripple_id(team_id=team_id, local_id=user_id),
                channel_id=ripple_id(team_id=team_id, local_id=channel_id),
                occurred_at=self.ripple.clock.now(),
                event_id=f"slack:event:{body.get('event_id')}",
            )
        )

    async def on_uninstalled(self, body: Body, context: AsyncBoltContext) -> None:
        await self._deactivate(
            str(context.team_id or body.get("team_id")), reason="app_uninstalled"
        )

    async def on_tokens_revoked(self, event: Body, body: Body, context: AsyncBoltContext) -> None:
        if (event.get("tokens") or {}).get("bot"):
            await self._deactivate(
                str(context.team_id or body.get("team_id")), reason="tokens_revoked"
            )

    # Helpers

    async def _setup(
        self,
        ack: AsyncAck,
        client: AsyncWebClient,
        command: Body,
        *,
        user: SlackUser,
        channel_id: str,
    ) -> None:
        ref = ripple_id(team_id=user.team_id, local_id=channel_id) if channel_id else None
        locale = await self._locale(user, channel=ref)
        if ref is None or channel_id.startswith("D"):
            await ack(text=self._say("slack.setup_in_channel", locale))
            return
        self.directory.forget(team_id=user.team_id, user_id=user.user_id)
        fresh = await self.directory.user(client, team_id=user.team_id, user_id=user.user_id)
        admin = fresh is not None and fresh.is_workspace_admin
        known = await self.ripple.may_configure(
            actor_id=user.person.person_id, channel_id=ref, actor_is_workspace_admin=admin
        )
        if not known:
            if not admin:
                name = await self._channel_name(client, channel_id)
                await ack(text=self._say("config.refused", locale, channel=name))
                return
            await self._register_channel(client, team_id=user.team_id, channel_id=channel_id)
        form = await self.ripple.setup_form(channel_id=ref, locale=locale)
        await ack()
        view = setup_modal(form, channel_id=ref, catalog=self.catalog, locale=locale)
        await client.views_open(trigger_id=str(command["trigger_id"]), view=view)

    async def _register_channel(
        self, client: AsyncWebClient, *, team_id: str, channel_id: str
    ) -> None:
        ref = ripple_id(team_id=team_id, local_id=channel_id)
        name = await self._channel_name(client, channel_id)
        await self.ripple.register_channel(channel_id=ref, name=name)
        people = await self.directory.channel_people(client, team_id=team_id, channel_id=channel_id)
        joined, left = await self.ripple.sync_members(channel_id=ref, people=people)
        logger.info("Slack channel %s registered: %d joined, %d left", ref, joined, left)

    async def _channel_name(self, client: AsyncWebClient, channel_id: str) -> str:
        return await self.directory.channel_name(client, channel_id=channel_id)

    async def _deactivate(self, team_id: str, *, reason: str) -> None:
        await self.workspaces.deactivate(team_id, reason=reason)
        await self.ripple.set_channels_active(prefix=team_prefix(team_id), active=False)

    async def _actor(self, client: AsyncWebClient, body: Body) -> SlackUser | None:
        person = body.get("user") or {}
        team_id = str((body.get("team") or {}).get("id") or person.get("team_id") or "")
        user = await self.directory.user(client, team_id=team_id, user_id=str(person.get("id")))
        return user if user is not None and user.is_human else None

    async def _person_event(
        self,
        kind: EventKind,
        *,
        user: SlackUser,
        event_id: str,
        deliver: bool = True,
        **fields: Any,
    ) -> None:
        person = user.person
        event = InboundEvent(
            kind=kind,
            person_id=person.person_id,
            occurred_at=self.ripple.clock.now(),
            event_id=event_id,
            display_name=person.display_name,
            timezone=person.timezone,
            locale=person.locale,
            **fields,
        )
        await self.ripple.handle(event)
        if deliver:
            await self.ripple.deliver(recipients={person.person_id})

    async def _publish_home(self, client: AsyncWebClient, user: SlackUser) -> None:
        scope = team_prefix(user.team_id) if user.is_workspace_admin else None
        home = await self.ripple.home(person_id=user.person.person_id, admin_scope=scope)
        view = home_view(home, catalog=self.catalog, locale=home.locale)
        await client.views_publish(user_id=user.user_id, view=view)

    async def _locale(self, user: SlackUser | None, *, channel: str | None = None) -> str:
        """The person's Slack language if Ripple speaks it, else the channel's, else English."""
        return await self.ripple.locale_for(
            person=user.person if user else None, channel_id=channel
        )

    def _say(self, key: str, locale: str, **params: object) -> str:
        return self.catalog.message(key, locale=locale, **params)
