"""Bolt listeners for what people do: commands, DMs, taps and modals, as core events."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import actions
from adapters.slack.commands import parse_command
from adapters.slack.directory import SlackUser
from adapters.slack.ids import ripple_id
from adapters.slack.modals import (
    action_modal,
    errors_response,
    note_modal,
    read_action_modal,
    read_note,
    read_setup,
    setup_modal,
)
from adapters.slack.translator import Body, SlackTranslator
from bot.events import (
    COMMAND_EVENTS,
    NoteChoice,
    NoteChosen,
    Requested,
    SnoozeChosen,
    requested_or_help,
    tapped,
)
from bot.model import Actor

logger = logging.getLogger(__name__)

# Slack lets a modal open for three seconds after the tap or command that asked for it.
TRIGGER_GONE = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


class SlackListeners(SlackTranslator):
    """Commands, direct messages, taps on Ripple's messages and its modals."""

    def register(self, app: AsyncApp) -> None:
        app.command("/ripple")(self.on_command)
        app.action(actions.CHOICE_PATTERN)(self.on_tap)
        app.action(actions.SKIP_PATTERN)(self.on_tap)
        app.action(actions.SNOOZE_AT_PATTERN)(self.on_tap)
        app.action(actions.COMMAND_PATTERN)(self.on_home_button)
        app.view(actions.NOTE_VIEW)(self.on_note)
        app.view(actions.SETUP_VIEW)(self.on_setup)
        app.action(actions.RECORD_PATTERN)(self.on_record)
        app.view(actions.ACTION_VIEW)(self.on_action)
        # Slack delivers message.im as a "message" event with channel_type "im".
        app.event("message")(self.on_message)

    # Slash command and direct messages

    async def on_command(
        self,
        ack: AsyncAck,
        command: Body,
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        """Acknowledged at once; the answer follows through the command's response_url."""
        await ack()
        team_id, user_id = str(command["team_id"]), str(command["user_id"])
        channel_id = str(command.get("channel_id") or "")
        ref = ripple_id(team_id=team_id, local_id=channel_id) if channel_id else None
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        locale = await self.locale(user, channel=ref)
        word = parse_command(str(command.get("text") or ""))
        if word is None or word == "help" or user is None:
            await _answer(respond, self.say("slack.help", locale))
            return
        if word == "setup":
            await self._setup(respond, client, command, user=user, channel_id=channel_id)
            return
        if word == "start":
            await self._start(respond, client, user=user, channel_id=channel_id)
            return
        await _answer(respond, self.say("slack.sent_to_dm", locale))
        origin = self.origin(
            user, event_id=f"slack:command:{command.get('trigger_id')}", channel_id=ref
        )
        await self.person_event(Requested(origin=origin, request=COMMAND_EVENTS[word]))

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
        origin = self.origin(
            user, event_id=f"slack:message:{event.get('client_msg_id') or event.get('ts')}"
        )
        await self.person_event(requested_or_help(origin, word or ""))

    # Taps on Ripple's messages, App Home buttons and modals

    async def on_tap(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        user = await self.actor(client, body)
        if user is None:
            return
        action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
        try:
            tap = actions.read_action(action)
        except ValueError as exc:
            logger.warning("ignoring a Slack action Ripple can't read: %s", exc)
            return
        if tap.action == "note" and tap.value in ("private", "shared") and tap.round_id:
            locale = await self.locale(user)
            share = tap.value == "shared"
            privacy = await self.ripple.note_privacy(
                round_id=tap.round_id, shared=share, locale=locale
            )
            if privacy is None:
                return
            view = note_modal(
                round_id=tap.round_id,
                share=share,
                privacy=privacy,
                catalog=self.catalog,
                locale=locale,
            )
            await client.views_open(trigger_id=str(body["trigger_id"]), view=view)
            return
        origin = self.origin(
            user, event_id=f"slack:action:{user.user_id}:{action.get('action_ts')}"
        )
        chosen = (
            SnoozeChosen(origin=origin, round_id=tap.round_id, until=tap.until)
            if tap.until is not None
            else tapped(
                origin,
                action=tap.action,
                value=tap.value or None,
                round_id=tap.round_id,
                question_id=tap.question_id,
            )
        )
        if chosen is None:
            logger.warning("ignoring a Slack tap on %s that names no choice", tap.action)
            return
        await self.person_event(chosen)

    async def on_home_button(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        user = await self.actor(client, body)
        action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
        word = str(action.get("value") or "")
        if user is None or word not in COMMAND_EVENTS:
            return
        origin = self.origin(
            user, event_id=f"slack:action:{user.user_id}:{action.get('action_ts')}"
        )
        await self.person_event(Requested(origin=origin, request=COMMAND_EVENTS[word]))
        await self.publish_home(client, user)

    async def on_note(self, ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient) -> None:
        try:
            note = read_note(view)
        except ValueError as exc:
            logger.warning("ignoring a note modal Ripple can't read: %s", exc)
            await ack()
            return
        await ack()
        user = await self.actor(client, body)
        if user is None:
            return
        origin = self.origin(user, event_id=f"slack:view:{view.get('id')}:{view.get('hash')}")
        choice = NoteChoice.SHARED if note.share else NoteChoice.PRIVATE
        await self.person_event(
            NoteChosen(origin=origin, round_id=note.round_id, choice=choice, text=note.text)
        )

    async def on_setup(self, ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient) -> None:
        """Checked from the form alone, so Slack hears back at once; then saved, if the
        admin may, with the outcome by direct message."""
        team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))
        user_id = str((body.get("user") or {}).get("id"))
        try:
            setup = read_setup(view, team_id=team_id)
        except ValueError as exc:
            logger.warning("ignoring a setup modal Ripple can't read: %s", exc)
            await ack()
            return
        problem = self.ripple.check_setup(values=setup.values, locale=setup.locale)
        if problem is not None:
            field = problem.field if problem.field in setup.values else next(iter(setup.values))
            await ack(**errors_response(field=field, message=problem.message))
            return
        await ack()
        self.directory.forget(team_id=team_id, user_id=user_id)  # admin rights are read fresh
        user = await self.directory.user(client, team_id=team_id, user_id=user_id)
        if user is None:
            return
        await self.ripple.apply_setup(
            actor=user.actor,
            channel_id=setup.channel_id,
            values=setup.values,
            locale=setup.locale,
            confirm=True,  # the modal has closed: the outcome comes by DM
        )
        await self.ripple.reply(user.person.person_id)

    async def on_record(self, ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        """A manager's "record what the team will do": the form opens from the button alone."""
        await ack()
        action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
        try:
            record = actions.decode_record(action.get("value"))
        except ValueError as exc:
            logger.warning("ignoring a record button Ripple can't read: %s", exc)
            return
        form = self.ripple.action_form(round_id=record.round_id, locale=record.locale)
        close = self.say("slack.cancel", record.locale)
        view = action_modal(form, rule=record.rule, locale=record.locale, close=close)
        try:
            await client.views_open(trigger_id=str(body["trigger_id"]), view=view)
        except SlackApiError as exc:
            if exc.response.get("error") not in TRIGGER_GONE:
                raise
            logger.warning("Slack let the trigger of a record button expire")

    async def on_action(
        self, ack: AsyncAck, body: Body, view: Body, client: AsyncWebClient
    ) -> None:
        """Checked from the form alone, so Slack hears back at once; then recorded, if the
        person manages the channel, with the outcome by direct message."""
        try:
            given = read_action_modal(view)
        except ValueError as exc:
            logger.warning("ignoring an action modal Ripple can't read: %s", exc)
            await ack()
            return
        problem = self.ripple.check_action(
            choice=given.choice, text=given.text, locale=given.locale
        )
        if problem is not None:
            await ack(**errors_response(field=problem.field or "choice", message=problem.message))
            return
        await ack()
        user = await self.actor(client, body)
        if user is None:
            return
        await self.ripple.record_action(
            actor=user.actor,
            round_id=given.round_id,
            choice=given.choice,
            text=given.text,
            rule=given.rule,
            locale=given.locale,
        )
        await self.ripple.reply(user.person.person_id)

    async def _start(
        self, respond: AsyncRespond, client: AsyncWebClient, *, user: SlackUser, channel_id: str
    ) -> None:
        place = await self._admin_in_channel(respond, client, user, channel_id, word="start")
        if place is None:
            return
        ref, locale, actor = place
        result = await self.ripple.start_now(actor=actor, channel_id=ref, locale=locale)
        await _answer(respond, result.message)

    async def _admin_in_channel(
        self,
        respond: AsyncRespond,
        client: AsyncWebClient,
        user: SlackUser,
        channel_id: str,
        *,
        word: str,
    ) -> tuple[str, str, Actor] | None:
        """For a channel command: the channel, the language, and the caller with admin
        rights read fresh from Slack; None, with the caller told, outside a channel."""
        ref = ripple_id(team_id=user.team_id, local_id=channel_id) if channel_id else None
        locale = await self.locale(user, channel=ref)
        if ref is None or channel_id.startswith("D"):
            await _answer(respond, self.say(f"slack.{word}_in_channel", locale))
            return None
        self.directory.forget(team_id=user.team_id, user_id=user.user_id)  # rights read fresh
        fresh = await self.directory.user(client, team_id=user.team_id, user_id=user.user_id)
        return ref, locale, (fresh or user).actor

    async def _setup(
        self,
        respond: AsyncRespond,
        client: AsyncWebClient,
        command: Body,
        *,
        user: SlackUser,
        channel_id: str,
    ) -> None:
        place = await self._admin_in_channel(respond, client, user, channel_id, word="setup")
        if place is None:
            return
        ref, locale, actor = place
        name = await self.ripple.channel_name(ref) or await self.channel_name(client, channel_id)
        start = await self.ripple.start_setup(actor=actor, channel_id=ref, name=name, locale=locale)
        if start.form is None:
            await _answer(respond, start.message)
            return
        view = setup_modal(start.form, channel_id=ref, catalog=self.catalog, locale=locale)
        try:
            await client.views_open(trigger_id=str(command["trigger_id"]), view=view)
        except SlackApiError as exc:
            if exc.response.get("error") not in TRIGGER_GONE:
                raise
            await _answer(respond, self.say("slack.setup_expired", locale))
        if start.registered:
            await self.sync_channel(client, team_id=user.team_id, channel_id=channel_id)


async def _answer(respond: AsyncRespond, text: str) -> None:
    """Answer a slash command only its caller sees; Slack may have let the response_url go."""
    try:
        answered = await respond(text=text, response_type="ephemeral")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        logger.warning("could not answer a /ripple command: %s", exc)
        return
    if answered.status_code != 200:
        logger.warning(
            "Slack refused the answer to a /ripple command: HTTP %s", answered.status_code
        )
