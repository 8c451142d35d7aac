"""A week's summary is decided and stored once, when its round closes, and only read after.

Erasure, membership changes and settings changes never recompute a published week, a
manager's own answers never count towards k, and lower thresholds apply to later rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from adapters.console.sender import ConsoleSender
from bot.clock import ManualClock
from bot.events import EventKind
from bot.insights.published import Published
from bot.model import Actor, Person, Round
from bot.outgoing import QuestionMessage, SummaryMessage
from bot.ripple import Ripple
from bot.schedule import period_of
from tests.engine.conftest import ADMIN, CHANNEL, MANAGER, set_up_team
from tests.engine.test_digests import HEAVY, SUPPRESSED, WEEK1, WEEK2, run_week
from tests.scripted import Conversation

CROWD = tuple(f"console:c{i:02d}" for i in range(24))
LIGHT = ("2", "4", "none", "no", "yes")
DEPUTY = "console:deputy"


def figures(message: SummaryMessage) -> tuple[str, ...]:
    """What a digest says of the week itself: its first two sections, without notes."""
    return tuple(line for section in message.sections[:2] for line in section.lines)


def digests(sender: ConsoleSender, viewer: str = MANAGER) -> list[SummaryMessage]:
    return [
        m
        for m in sender.to(viewer)
        if isinstance(m, SummaryMessage) and m.idempotency_key.startswith("digest:")
    ]


async def summary_now(ripple: Ripple, viewer: str = MANAGER) -> SummaryMessage:
    (reply,) = await Conversation(ripple, person_id=viewer).send(EventKind.SUMMARY)
    assert isinstance(reply, SummaryMessage)
    return reply


async def stored(ripple: Ripple) -> Published | None:
    """Week 1's published summary, as kept."""
    async with ripple.store.unit_of_work() as uow:
        return await uow.summaries.get(Round.make_id(CHANNEL, period_of(WEEK1.date())))


async def forget(ripple: Ripple, person: str) -> None:
    chat = Conversation(ripple, person_id=person)
    await chat.send(EventKind.FORGET)
    await chat.press("yes")


def split(people: Sequence[str], heavy: int) -> dict[str, tuple[str, ...] | str]:
    return {pid: HEAVY if i < heavy else LIGHT for i, pid in enumerate(people)}


async def test_a_published_week_stays_as_it_was_after_someone_forgets(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, people=CROWD)
    await run_week(ripple, clock, WEEK1, split(CROWD, heavy=9))
    (digest,) = digests(sender)
    assert "Workload — low: 60%; moderate: 10% or less; heavy: 40%" in figures(digest)
    before = await stored(ripple)

    await forget(ripple, CROWD[0])  # one of the nine heavy weeks

    assert await stored(ripple) == before
    assert figures(await summary_now(ripple)) == figures(digest)
    home = await ripple.home(actor=Actor(person_id=MANAGER, place="console"))
    assert "Workload — low: 60%; moderate: 10% or less; heavy: 40%" in home.sections[1].lines


async def test_a_published_week_stays_as_it_was_after_people_leave_and_settings_change(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, people=CROWD)
    await run_week(ripple, clock, WEEK1, split(CROWD, heavy=9))
    (digest,) = digests(sender)
    before = await stored(ripple)
    stayers = [Person(person_id=p, display_name=p) for p in CROWD[5:]]
    await ripple.sync_members(channel_id=CHANNEL, people=stayers)
    await ripple.configure_channel(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, config={"k": 3}
    )

    assert await stored(ripple) == before
    assert figures(await summary_now(ripple)) == figures(digest)


async def test_a_managers_own_answers_never_count_towards_k(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    team = (*CROWD[:4], MANAGER)
    await set_up_team(ripple, people=team, managers=frozenset({MANAGER, DEPUTY}))
    await run_week(ripple, clock, WEEK1, {pid: HEAVY for pid in team})

    (own,) = digests(sender, MANAGER)
    assert own.suppressed and own.text == SUPPRESSED  # they and four others: not k=5 others
    (deputy,) = digests(sender, DEPUTY)
    assert not deputy.suppressed  # five others answered
    assert (await summary_now(ripple)).text == SUPPRESSED


async def test_a_lower_k_chosen_mid_round_waits_for_the_next_round(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, people=CROWD[:6])
    clock.set(WEEK1)
    await ripple.tick()  # the round opens under k=5
    await ripple.configure_channel(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, config={"k": 3}
    )
    await run_week(ripple, clock, WEEK1, {pid: HEAVY for pid in CROWD[:4]})
    (held,) = digests(sender)
    assert held.suppressed, "four people answered under k=5"
    assert (await summary_now(ripple)).text == SUPPRESSED

    await run_week(ripple, clock, WEEK2, {pid: HEAVY for pid in CROWD[:4]})
    assert not digests(sender)[-1].suppressed, "the next round opened under k=3"


async def test_a_higher_k_chosen_mid_round_protects_at_once(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    await set_up_team(ripple, people=CROWD[:6], k=3)
    clock.set(WEEK1)
    await ripple.tick()
    await ripple.configure_channel(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, config={"k": 5}
    )
    await run_week(ripple, clock, WEEK1, {pid: HEAVY for pid in CROWD[:4]})
    assert digests(sender)[0].suppressed


async def test_a_lower_comment_threshold_applies_from_the_next_round(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    people = CROWD[:6]
    await set_up_team(ripple, people=people)

    async def week_of_notes(start) -> SummaryMessage:
        clock.set(start)
        await ripple.tick()
        await ripple.configure_channel(
            actor=Actor(person_id=ADMIN, place="console"),
            channel_id=CHANNEL,
            config={"comment_threshold": 5},
        )
        for pid in people:
            chat = Conversation(ripple, person_id=pid)
            await chat.send(EventKind.CHECKIN)
            await chat.press("now")
            for value in HEAVY:
                await chat.press(value)
            await chat.note(f"shared words of {pid}", shared=True)
        clock.set(start + timedelta(days=3, minutes=1))
        await ripple.tick()
        await ripple.drain()
        return digests(sender)[-1]

    first = await week_of_notes(WEEK1)
    assert "shared words" not in first.text, "six notes, but the round opened at threshold 10"
    second = await week_of_notes(WEEK2)
    assert "shared words of console:c00" in second.text


async def test_forgetting_removes_every_shared_note_of_that_week(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    people = CROWD[:6]
    await set_up_team(ripple, people=people, comment_threshold=5)
    clock.set(WEEK1)
    await ripple.tick()
    for pid in people:
        chat = Conversation(ripple, person_id=pid)
        await chat.send(EventKind.CHECKIN)
        await chat.press("now")
        for value in HEAVY:
            await chat.press(value)
        await chat.note(f"shared words of {pid}", shared=True)
    clock.set(WEEK1 + timedelta(days=3, minutes=1))
    await ripple.tick()
    (digest,) = digests(sender) or [None]
    assert digest is None, "not sent yet: still in the outbox"
    before = await stored(ripple)
    assert before is not None and before.counts is not None
    assert len(before.counts.shared_notes) == 6

    await forget(ripple, people[0])
    await ripple.drain()

    after = await stored(ripple)
    assert after is not None and after.counts is not None
    assert after.counts.shared_notes == (), "removing only theirs would show which was theirs"
    assert after.counts.respondents == before.counts.respondents
    (sent,) = digests(sender)
    assert "shared words" not in sent.text
    assert figures(sent) == figures(await summary_now(ripple))


async def test_two_channels_too_close_in_one_week_stay_decided_as_published(
    ripple: Ripple, clock: ManualClock, sender: ConsoleSender
):
    everyone = [Person(person_id=p, display_name=p) for p in CROWD[:7]]
    await set_up_team(ripple, people=CROWD[:7])  # #design, published first
    await ripple.register_channel(
        channel_id="console:ops", name="#ops", config=(await _config(ripple))
    )
    await ripple.sync_members(channel_id="console:ops", people=everyone[:6])  # one fewer
    clock.set(WEEK1)
    await ripple.tick()
    for pid in CROWD[:7]:
        for channel in (CHANNEL, "console:ops"):
            chat = Conversation(ripple, person_id=pid, channel_id=channel)
            asked = await chat.send(EventKind.CHECKIN)
            if any(isinstance(m, QuestionMessage) and m.action == "capacity" for m in asked):
                await chat.press("rest")
    clock.set(WEEK1 + timedelta(days=3, minutes=1))
    await ripple.tick()
    await ripple.drain()
    shown = {m.title: m.suppressed for m in digests(sender)}
    assert shown == {
        "Check-in summary for #design, 2026-W45": False,
        "Check-in summary for #ops, 2026-W45": True,
    }

    # The person who made the difference leaves #design: the decision was made on who
    # responded that week, so nothing is shown again side by side.
    await ripple.sync_members(channel_id=CHANNEL, people=everyone[:6])
    replies = await Conversation(ripple, person_id=MANAGER).send(EventKind.SUMMARY)
    again = {m.title: m.suppressed for m in replies if isinstance(m, SummaryMessage)}
    assert again == shown


async def _config(ripple: Ripple):
    async with ripple.store.unit_of_work() as uow:
        channel = await uow.channels.get(CHANNEL)
    assert channel is not None
    return channel.config
