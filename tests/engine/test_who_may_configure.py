"""Who may change a channel's settings: judged in the core from an Actor, never from form data."""

from __future__ import annotations

import pytest

from adapters.console.sender import ConsoleSender
from bot.admin import may_configure
from bot.model import Actor, Channel, ChannelConfig, Role
from bot.outgoing import TextMessage
from bot.ripple import Ripple
from tests.engine.conftest import ADMIN, CHANNEL, PLACE, set_up_team

ADMIN_ROLE = frozenset({Role.WORKSPACE_ADMIN})
HOME = "slack:T1"
CHANNEL_IN_T1 = Channel(
    channel_id="slack:T1:C1",
    name="#design",
    scope=HOME,
    config=ChannelConfig(admins=frozenset({"slack:T1:UADMIN"})),
)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (Actor(person_id="slack:T1:UBOSS", place=HOME, roles=ADMIN_ROLE), True),
        (Actor(person_id="slack:T1:UADMIN", place=HOME), True),
        (Actor(person_id="slack:T1:USAM", place=HOME), False),
        # A workspace admin of another workspace, whatever the request says it is about.
        (Actor(person_id="slack:T2:UBOSS", place="slack:T2", roles=ADMIN_ROLE), False),
        # The channel's own Ripple admin, acting from somewhere else.
        (Actor(person_id="slack:T1:UADMIN", place="slack:T2"), False),
        (Actor(person_id="slack:T1:UBOSS", place=None, roles=ADMIN_ROLE), False),
    ],
)
def test_only_from_the_channels_own_place(actor: Actor, allowed: bool) -> None:
    assert may_configure(CHANNEL_IN_T1, actor=actor) is allowed


def test_a_channel_whose_place_is_unknown_is_for_its_ripple_admins_only() -> None:
    channel = Channel(
        channel_id="teams:t:19:x",
        name="#x",
        config=ChannelConfig(admins=frozenset({"teams:t:admin"})),
    )
    assert may_configure(channel, actor=Actor(person_id="teams:t:admin"))
    owner = Actor(person_id="teams:t:owner", place="teams:t:19:x", roles=ADMIN_ROLE)
    assert not may_configure(channel, actor=owner)


async def test_a_channels_place_never_changes_once_known(ripple: Ripple) -> None:
    await set_up_team(ripple)
    moved = await ripple.register_channel(channel_id=CHANNEL, name="#design", scope="elsewhere")
    assert moved.scope == "console"
    refused = await ripple.configure_channel(
        actor=Actor(person_id=ADMIN, place="elsewhere"), channel_id=CHANNEL, config={"k": 7}
    )
    assert not refused.saved


async def test_settings_of_a_channel_ripple_does_not_know_are_refused_not_an_error(
    ripple: Ripple,
) -> None:
    result = await ripple.apply_setup(
        actor=Actor(person_id=ADMIN, place="console", roles=ADMIN_ROLE),
        channel_id="console:nowhere",
        values={"k": "3"},
    )
    assert not result.saved
    assert "Nothing was changed" in result.message


async def test_a_setups_outcome_is_told_to_the_actor_through_the_outbox_when_asked(
    ripple: Ripple, sender: ConsoleSender
) -> None:
    await set_up_team(ripple)
    admin = Actor(person_id=ADMIN, place="console")
    sam = Actor(person_id="console:p0", place="console")

    refused = await ripple.apply_setup(
        actor=sam, channel_id=CHANNEL, values={"k": "7"}, confirm=True
    )
    quiet = await ripple.apply_setup(actor=admin, channel_id=CHANNEL, values={"k": "6"})
    confirmed = await ripple.apply_setup(
        actor=admin, channel_id=CHANNEL, values={"k": "7"}, confirm=True
    )
    await ripple.deliver(recipients={ADMIN, "console:p0"})

    assert (refused.saved, quiet.saved, confirmed.saved) == (False, True, True)
    (refusal,) = sender.to("console:p0")  # the form had closed: the refusal comes by DM
    assert isinstance(refusal, TextMessage) and refusal.text == refused.message
    (message,) = sender.to(ADMIN)  # one confirmation, for the change that asked for one
    assert isinstance(message, TextMessage) and message.text == confirmed.message


@pytest.mark.parametrize(
    ("actor", "registered"),
    [
        (Actor(person_id="console:boss", place=PLACE, roles=ADMIN_ROLE), True),
        (Actor(person_id="console:p0", place=PLACE), False),  # a member
        (Actor(person_id="console:boss", place=None, roles=ADMIN_ROLE), False),
    ],
)
async def test_only_an_admin_of_its_place_brings_ripple_into_a_new_channel(
    ripple: Ripple, actor: Actor, registered: bool
) -> None:
    start = await ripple.start_setup(actor=actor, channel_id="console:new", name="#new")

    assert start.registered is registered
    assert (start.form is not None) is registered
    stored = await ripple.channel_name("console:new")
    assert stored == ("#new" if registered else None)
    if not registered:
        assert "#new" in start.message
    else:  # it belongs where the request came from, and stays there
        assert start.form is not None
        elsewhere = Actor(person_id="other:boss", place="other", roles=ADMIN_ROLE)
        again = await ripple.start_setup(actor=elsewhere, channel_id="console:new", name="#new")
        assert again.form is None and not again.registered


async def test_a_known_channel_opens_its_form_for_its_ripple_admins_without_registering(
    ripple: Ripple,
) -> None:
    await set_up_team(ripple)
    start = await ripple.start_setup(
        actor=Actor(person_id=ADMIN, place=PLACE), channel_id=CHANNEL, name="ignored"
    )
    assert start.form is not None and not start.registered
    assert await ripple.channel_name(CHANNEL) != "ignored"
