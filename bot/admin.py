"""Channel set-up: registering channels and members, and who may change the settings."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.erasure import is_forgotten
from bot.members import join_open_round
from bot.model import Actor, Channel, ChannelConfig, ConfigError, Person, Role
from bot.outgoing import TextMessage
from bot.setup_form import FormError, FormValue, SetupForm, read_setup, setup_form

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ConfigResult:
    saved: bool
    message: str
    channel: Channel | None = None
    field: str | None = None  # the setting at fault when the settings were refused as invalid


async def register_channel(
    ctx: Context,
    *,
    channel_id: str,
    name: str,
    scope: str | None = None,
    config: ChannelConfig | None = None,
    defaults: ChannelConfig | None = None,
) -> Channel:
    """Create the channel with default (or given) settings, or refresh its name.

    Registering means Ripple is in the channel, so a channel paused by an uninstall resumes.
    ``scope`` is the workspace or team the platform says the channel is in; once known it
    never changes, so nobody can move a channel into a place they control.
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None:
            channel = Channel(
                channel_id=channel_id,
                name=name,
                config=config or defaults or ChannelConfig(),
                scope=scope,
            )
        else:
            channel = replace(
                channel,
                name=name,
                config=config or channel.config,
                active=True,
                scope=channel.scope or scope,
            )
        await uow.channels.save(channel)
        await uow.commit()
    return channel


async def rename_channel(ctx: Context, *, channel_id: str, name: str) -> bool:
    """Rename a channel Ripple knows; an unknown channel is not registered by a rename."""
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None or not name or channel.name == name:
            return False
        await uow.channels.save(replace(channel, name=name))
        await uow.commit()
    return True


async def sync_members(
    ctx: Context,
    *,
    channel_id: str,
    people: Iterable[Person],
    now: datetime,
    keep_others: bool = False,
) -> tuple[int, int]:
    """Make the channel's members exactly ``people`` (with ``keep_others``, add them and
    remove nobody); returns (joined, left).

    People who erased their data are left out until they come back themselves.
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None:
            raise LookupError(f"unknown channel {channel_id}")
        wanted = {p.person_id: p for p in people if not await is_forgotten(uow, p.person_id)}
        current = await uow.channels.members(channel_id)
        for person in wanted.values():
            known = await uow.people.get(person.person_id)
            if known is None:
                await uow.people.save(person)
            else:
                await uow.people.save(
                    replace(
                        known,
                        display_name=person.display_name or known.display_name,
                        timezone=person.timezone or known.timezone,
                        locale=person.locale or known.locale,
                    )
                )
        joined = [pid for pid in wanted if pid not in current]
        left = [] if keep_others else [pid for pid in current if pid not in wanted]
        for pid in joined:
            await uow.channels.add_member(channel_id, pid)
            await join_open_round(uow, channel, await uow.people.get(pid), now=now)
        for pid in left:
            await uow.channels.remove_member(channel_id, pid)
        await uow.commit()
    return len(joined), len(left)


async def configure_channel(
    ctx: Context,
    *,
    actor: Actor,
    channel_id: str,
    config: ChannelConfig | Mapping[str, Any],
    locale: str = "en",
    confirm: bool = False,
) -> ConfigResult:
    """Save new settings if the actor may; otherwise refuse and change nothing.

    With ``confirm``, a saved change is also confirmed to the actor in a direct message,
    queued with the change itself (for platforms whose form closes on saving).
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None or not may_configure(channel, actor=actor):
            logger.info("refused settings change of %s by %s", channel_id, actor.person_id)
            name = channel.name if channel is not None else channel_id
            text = ctx.catalog.message("config.refused", locale=locale, channel=name)
            return ConfigResult(saved=False, message=text)
        try:
            new = (
                config
                if isinstance(config, ChannelConfig)
                else replace(channel.config, **dict(config))
            )
        except (ConfigError, TypeError) as exc:
            text = ctx.catalog.message("config.invalid", locale=locale, problem=str(exc))
            field = exc.field if isinstance(exc, ConfigError) else None
            return ConfigResult(saved=False, message=text, field=field)
        updated = replace(channel, config=new)
        await uow.channels.save(updated)
        text = ctx.catalog.message("config.saved", locale=locale, channel=channel.name)
        if confirm:
            key = f"config:{channel_id}:{secrets.token_hex(8)}"
            confirmation = TextMessage(
                recipient=actor.person_id, idempotency_key=key, text=text, locale=locale
            )
            await uow.outbox.add(confirmation, now=ctx.clock.now())
        await uow.commit()
    return ConfigResult(saved=True, message=text, channel=updated)


async def set_channels_active(ctx: Context, *, prefix: str, active: bool) -> int:
    """Turn check-ins on or off in every channel whose id starts with ``prefix``.

    A workspace that uninstalled Ripple stays on record, silent, until it is installed again.
    """
    changed = 0
    async with ctx.store.unit_of_work() as uow:
        for channel in await uow.channels.list_all():
            if channel.channel_id.startswith(prefix) and channel.active != active:
                await uow.channels.save(replace(channel, active=active))
                changed += 1
        await uow.commit()
    if changed:
        logger.info("%s %d channel(s) under %s", "resumed" if active else "paused", changed, prefix)
    return changed


async def uninstalled(ctx: Context, *, prefix: str, now: datetime) -> int:
    """Ripple was removed from every channel whose id starts with ``prefix``.

    Those channels stop checking in and Ripple stops writing to them, until it is
    installed again; their settings and history stay. Returns how many channels there are.
    """
    gone = 0
    async with ctx.store.unit_of_work() as uow:
        for channel in await uow.channels.list_all():
            if not channel.channel_id.startswith(prefix):
                continue
            gone += 1
            if channel.active:
                await uow.channels.save(replace(channel, active=False))
            await uow.addresses.mark_unreachable(channel.channel_id, now=now)
        await uow.commit()
    if gone:
        logger.info("Ripple was removed from %d channel(s) under %s", gone, prefix)
    return gone


def may_configure(channel: Channel, *, actor: Actor) -> bool:
    """Whether ``actor`` may change the channel's settings.

    Only from the place the channel belongs to, and there only a workspace admin (or team
    owner) or one of the channel's Ripple admins. A channel whose place isn't known yet
    can be changed by its Ripple admins alone.
    """
    if channel.scope is None:
        return actor.person_id in channel.config.admins
    if actor.place != channel.scope:
        return False
    return Role.WORKSPACE_ADMIN in actor.roles or actor.person_id in channel.config.admins


@dataclass(frozen=True, kw_only=True)
class SetupStart:
    """The settings form to show, or why not; ``registered`` when the channel is new to
    Ripple, so the adapter brings in its members and address."""

    form: SetupForm | None
    message: str = ""  # the refusal, when there is no form
    registered: bool = False


async def start_setup(
    ctx: Context,
    *,
    actor: Actor,
    channel_id: str,
    name: str,
    locale: str,
    defaults: ChannelConfig | None = None,
) -> SetupStart:
    """Someone asked to set a channel up: its form if they may, else the refusal.

    A channel Ripple doesn't know yet becomes a Ripple channel only for a workspace admin
    (or team owner) acting from where it is; nobody else can bring Ripple into a channel.
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
    registered = False
    if channel is None and actor.place is not None and Role.WORKSPACE_ADMIN in actor.roles:
        channel = await register_channel(
            ctx, channel_id=channel_id, name=name, scope=actor.place, defaults=defaults
        )
        registered = True
    if channel is None or not may_configure(channel, actor=actor):
        logger.info("refused setup of %s to %s", channel_id, actor.person_id)
        shown = channel.name if channel is not None else name
        text = ctx.catalog.message("config.refused", locale=locale, channel=shown)
        return SetupStart(form=None, message=text)
    form = setup_form(channel.config, channel_name=channel.name, catalog=ctx.catalog, locale=locale)
    return SetupStart(form=form, registered=registered)


async def setup_form_for(ctx: Context, *, channel_id: str, locale: str) -> SetupForm:
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
    if channel is None:
        raise LookupError(f"unknown channel {channel_id}")
    return setup_form(channel.config, channel_name=channel.name, catalog=ctx.catalog, locale=locale)


async def apply_setup(
    ctx: Context,
    *,
    actor: Actor,
    channel_id: str,
    values: Mapping[str, FormValue],
    locale: str,
    confirm: bool = False,
) -> ConfigResult:
    """Read the settings form and save it, if the actor may; a refusal comes before any check.

    With ``confirm``, the outcome is also told to the actor by direct message, queued in the
    outbox: saved, refused or invalid (for platforms whose form has closed by then).
    """
    async with ctx.store.unit_of_work() as uow:
        channel = await uow.channels.get(channel_id)
    if channel is None or not may_configure(channel, actor=actor):
        logger.info("refused settings change of %s by %s", channel_id, actor.person_id)
        name = channel.name if channel is not None else channel_id
        text = ctx.catalog.message("config.refused", locale=locale, channel=name)
        result = ConfigResult(saved=False, message=text)
    else:
        result = check_setup(ctx, values=values, current=channel.config, locale=locale) or (
            await configure_channel(
                ctx,
                actor=actor,
                channel_id=channel_id,
                config=read_setup(values, current=channel.config, catalog=ctx.catalog),
                locale=locale,
                confirm=confirm,
            )
        )
    if confirm and not result.saved:
        async with ctx.store.unit_of_work() as uow:
            key = f"config:{channel_id}:{secrets.token_hex(8)}"
            told = TextMessage(
                recipient=actor.person_id, idempotency_key=key, text=result.message, locale=locale
            )
            await uow.outbox.add(told, now=ctx.clock.now())
            await uow.commit()
    return result


def check_setup(
    ctx: Context, *, values: Mapping[str, FormValue], current: ChannelConfig, locale: str
) -> ConfigResult | None:
    """Whether the form's answers make usable settings, read against ``current``, without
    touching the store: None if they do, else the refusal naming the field at fault."""
    try:
        read_setup(values, current=current, catalog=ctx.catalog)
    except FormError as exc:
        text = ctx.catalog.message("config.invalid", locale=locale, problem=str(exc))
        return ConfigResult(saved=False, message=text, field=exc.field)
    return None
