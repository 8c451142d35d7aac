"""Over random worlds, a person signed in to the web view reaches only what chat allows them.

Channels have random managers, admins and members, are active or not, and published weeks
whose digests went (in chat) to a random set of people: some of them managers since
removed, some managers who joined after. Between signing in and looking around, the roles
change. Each person then follows every link they are shown and guesses every channel id.

Checked (0 counterexamples allowed):

1. The overview links to exactly the active channels they manage (summaries) and administer
   (settings) now.
2. A summaries page opens only for an active channel they manage now, and shows exactly the
   weeks whose digest chat sent them, never another week or channel.
3. A settings page opens only for an active channel they administer now.
4. Everything else is "not found", the same page whether the channel exists or not; someone
   who erased their data after signing in is signed out everywhere.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.web.signing import WebSigning
from bot.app.bootstrap import build_app
from bot.app.catalog import YamlPromptCatalog
from bot.app.settings import load_settings
from bot.clock import ManualClock
from bot.insights.published import Outcome, Published, View
from bot.memory import MemoryStore
from bot.model import Channel, ChannelConfig, RoundTerms
from bot.oneway import tombstone_mark
from bot.ripple import Ripple
from tests.web.world import PUBLIC_URL, SECRET

CATALOG = YamlPromptCatalog.load()
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PEOPLE = ("console:ana", "console:ben", "console:cal")
CHANNELS = ("console:c0", "console:c1", "console:c2")
GUESSES = (*CHANNELS, "console:nowhere")
PERIODS = {
    "2026-W45": date(2026, 11, 2),
    "2026-W46": date(2026, 11, 9),
    "2026-W47": date(2026, 11, 16),
}
HREF = re.compile(r'href="(/web/(?:channels|admin)/[^"]+)"')
TITLE = re.compile(r"Check-in summary for (#c\d), (\d{4}-W\d{2})")

people = st.frozensets(st.sampled_from(PEOPLE))


@dataclass(frozen=True)
class ChannelWorld:
    channel_id: str
    active: bool
    members: frozenset[str]
    managers_before: frozenset[str]
    admins_before: frozenset[str]
    managers: frozenset[str]
    admins: frozenset[str]
    digests: dict[str, frozenset[str]]  # published week -> who chat sent its digest to

    @property
    def name(self) -> str:
        return "#" + self.channel_id.split(":")[1]


@dataclass(frozen=True)
class World:
    channels: tuple[ChannelWorld, ...]
    erased: frozenset[str]


@st.composite
def channel_worlds(draw: st.DrawFn, channel_id: str) -> ChannelWorld:
    managers_before, admins_before = draw(people), draw(people)
    changed = draw(st.booleans())
    return ChannelWorld(
        channel_id=channel_id,
        active=draw(st.booleans()),
        members=draw(people),
        managers_before=managers_before,
        admins_before=admins_before,
        managers=draw(people) if changed else managers_before,
        admins=draw(people) if changed else admins_before,
        digests=draw(st.dictionaries(st.sampled_from(sorted(PERIODS)), people)),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    return World(
        channels=tuple(draw(channel_worlds(c)) for c in CHANNELS),
        erased=draw(st.frozensets(st.sampled_from(PEOPLE), max_size=1)),
    )


async def build(world: World, ripple: Ripple, *, after: bool) -> None:
    async with ripple.store.unit_of_work() as uow:
        for c in world.channels:
            config = ChannelConfig(
                managers=c.managers if after else c.managers_before,
                admins=c.admins if after else c.admins_before,
            )
            await uow.channels.save(
                Channel(channel_id=c.channel_id, name=c.name, config=config, active=c.active)
            )
            if after:
                continue
            for person in c.members:
                await uow.channels.add_member(c.channel_id, person)
            for period, viewers in c.digests.items():
                round_id = f"{c.channel_id}/{period}"
                published = Published(
                    round_id=round_id,
                    channel_id=c.channel_id,
                    period=period,
                    scheduled_date=PERIODS[period],
                    published_at=NOW - timedelta(days=1),
                    terms=RoundTerms(),
                    members=0,
                    counts=None,
                )
                views = [
                    View(round_id=round_id, viewer=v, outcome=Outcome.TOO_FEW) for v in viewers
                ]
                await uow.summaries.add(published, views)
        if after:
            for person in world.erased:
                await uow.tombstones.add(tombstone_mark(person), now=NOW)
        await uow.commit()


@dataclass(frozen=True)
class Visit:
    person: str
    signed_in: bool
    overview_links: frozenset[str]
    summaries: dict[str, tuple[int, frozenset[tuple[str, str]]]]  # id -> status, weeks shown
    settings: dict[str, int]  # id -> status
    not_found_pages: frozenset[str]  # the bodies of every 404


async def visit(browser: httpx.AsyncClient, person: str, signed: httpx.Response) -> Visit:
    """Everything ``person`` can open: the overview's links, and every channel id guessed."""
    overview = await browser.get("/web/")
    links = frozenset(HREF.findall(overview.text)) if overview.status_code == 200 else frozenset()
    summaries, settings_pages, missing = {}, {}, set()
    for channel_id in GUESSES:
        page = await browser.get(f"/web/channels/{channel_id}")
        weeks = frozenset(TITLE.findall(page.text)) if page.status_code == 200 else frozenset()
        summaries[channel_id] = (page.status_code, weeks)
        admin = await browser.get(f"/web/admin/{channel_id}")
        settings_pages[channel_id] = admin.status_code
        missing |= {p.text for p in (page, admin) if p.status_code == 404}
    for href in links:  # every link shown opens
        assert (await browser.get(href)).status_code == 200, href
    return Visit(
        person=person,
        signed_in=signed.status_code == 303,
        overview_links=links,
        summaries=summaries,
        settings=settings_pages,
        not_found_pages=frozenset(missing),
    )


async def play(world: World) -> list[Visit]:
    """Everyone signs in, the roles change (and someone may erase their data), everyone looks."""
    config = load_settings(public_url=PUBLIC_URL, web_secret=SECRET, env="development")
    ripple = Ripple(store=MemoryStore(), catalog=CATALOG, clock=ManualClock(NOW))
    app = build_app(config, ripple=ripple, tick=False)
    signing = WebSigning(keys=[SECRET], public_url=PUBLIC_URL)
    await build(world, ripple, after=False)
    browsers = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL)
        for _ in PEOPLE
    ]
    try:
        signed = [
            await browser.get(signing.link(person, now=NOW))
            for browser, person in zip(browsers, PEOPLE, strict=True)
        ]
        await build(world, ripple, after=True)
        return [
            await visit(browser, person, response)
            for browser, person, response in zip(browsers, PEOPLE, signed, strict=True)
        ]
    finally:
        for browser in browsers:
            await browser.aclose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(world=worlds())
def test_a_person_reaches_only_their_channels_and_the_weeks_chat_showed_them(world: World) -> None:
    for seen in asyncio.run(play(world)):
        person = seen.person
        assert seen.signed_in
        if person in world.erased:  # after signing in: the session ends with their data
            assert not seen.overview_links
            assert all(status == 401 for status, _ in seen.summaries.values())
            assert all(status == 401 for status in seen.settings.values())
            continue
        managed = {c.channel_id: c for c in world.channels if c.active and person in c.managers}
        administered = {c.channel_id for c in world.channels if c.active and person in c.admins}
        assert seen.overview_links == {f"/web/channels/{c}" for c in managed} | {
            f"/web/admin/{c}" for c in administered
        }
        for channel_id, (status, weeks) in seen.summaries.items():
            if channel_id not in managed:
                assert status == 404, (person, channel_id)
                continue
            channel = managed[channel_id]
            assert status == 200
            assert weeks == {
                (channel.name, period)
                for period, viewers in channel.digests.items()
                if person in viewers
            }
        for channel_id, status in seen.settings.items():
            assert status == (200 if channel_id in administered else 404), (person, channel_id)
        assert len(seen.not_found_pages) <= 1  # one page for every "not found"


def test_a_former_manager_a_new_manager_and_a_channel_ripple_has_left() -> None:
    """One world the property covers, spelled out."""
    world = World(
        channels=(
            ChannelWorld(
                channel_id="console:c0",
                active=True,
                members=frozenset(PEOPLE),
                managers_before=frozenset({"console:ana"}),
                admins_before=frozenset(),
                managers=frozenset({"console:ben"}),  # Ana is no manager any more; Ben is new
                admins=frozenset({"console:ana"}),
                digests={"2026-W45": frozenset({"console:ana"}), "2026-W46": frozenset(PEOPLE)},
            ),
            ChannelWorld(
                channel_id="console:c1",
                active=False,
                members=frozenset(),
                managers_before=frozenset({"console:cal"}),
                admins_before=frozenset(),
                managers=frozenset({"console:cal"}),
                admins=frozenset(),
                digests={"2026-W45": frozenset({"console:cal"})},
            ),
        ),
        erased=frozenset(),
    )
    ana, ben, cal = asyncio.run(play(world))

    assert ana.overview_links == {"/web/admin/console:c0"}
    assert ben.summaries["console:c0"] == (200, frozenset({("#c0", "2026-W46")}))
    assert cal.overview_links == frozenset()
