"""After `forget`, no row in any table names the person, on SQLite and on PostgreSQL.

The scan reflects every table the database has (so tables added later are covered too),
reads every cell and looks for the person's ids and name. It runs after a whole life in
Ripple, played end to end over real HTTP through Slack and Teams: check-ins with notes,
digests as a manager, a channel they administer, messages sent and still waiting. Then a
roster sync must not bring them back; only something they type does.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import httpx
import pytest
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.slack.blocks import blocks_text
from adapters.slack.platform import SlackConfig
from adapters.teams.cards import NOTE_INPUT
from adapters.teams.references import Route
from bot.app.bootstrap import (
    build_app,
    build_ripple,
    load_catalog,
    rosters_of,
    senders_of,
    slack_platform,
)
from bot.app.settings import load_settings
from bot.clock import ManualClock
from bot.erasure import MARKER_PREFIX
from bot.events import EventKind
from bot.model import Actor, CheckInState, Role
from bot.oneway import tombstone_mark
from bot.ripple import Ripple
from storage.migrate import upgrade_to_head
from storage.store import SqlStore
from storage.tables import Base, ProcessedEventRow, TombstoneRow
from storage.url import normalize_database_url
from tests.conftest import POSTGRES_ENV
from tests.http.server import serving
from tests.scripted import Conversation
from tests.slack import payloads
from tests.slack.fake_slack import FakeSlack, make_bot_token
from tests.slack.test_checkin import answer
from tests.slack.test_oauth import install
from tests.slack.world import MONDAY_0930 as SLACK_MONDAY_0930
from tests.slack.world import SIGNING_SECRET, TEAM, SlackWorld
from tests.teams import TEAM_ID, TENANT, Harness, TeamsUser, teams_harness, user

SHARED_NOTE = "A shared thought from week one."
PRIVATE_NOTE = "A private thought from week two."
HEAVY = ("5", "2", "many", "yes", "no")  # what the others answer
ERASED = "Ripple has erased everything it kept about you"
T = TypeVar("T")
WORK_SECONDS = 20.0  # the machine being busy; passing tests never wait it out


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings from the test alone; the PostgreSQL URL stays for the ``postgres_url`` fixture."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("RIPPLE_", "SLACK_"))]:
        if name != POSTGRES_ENV:
            monkeypatch.delenv(name)


# The scan


class Hit(NamedTuple):
    table: str
    column: str
    value: str


async def rows_naming(engine_or_url: AsyncEngine | str, needles: Iterable[str]) -> list[Hit]:
    """Every cell, in every table the database has, whose text contains one of ``needles``.

    A needle matches only as a whole token (no letter or digit either side, any case), so
    ``U0001`` does not find ``U00010``. JSON cells are read as the JSON they hold.
    """
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    assert words, "a scan for nothing finds nothing"
    pattern = re.compile(
        "|".join(rf"(?<![0-9A-Za-z]){re.escape(w)}(?![0-9A-Za-z])" for w in words),
        re.IGNORECASE,
    )
    engine = (
        engine_or_url
        if isinstance(engine_or_url, AsyncEngine)
        else create_async_engine(normalize_database_url(engine_or_url))
    )
    hits: list[Hit] = []
    try:
        async with engine.connect() as conn:
            metadata = MetaData()
            await conn.run_sync(metadata.reflect)
            assert "alembic_version" in metadata.tables, "the scan did not see every table"
            for table in metadata.sorted_tables:
                for row in (await conn.execute(select(table))).mappings():
                    for column, value in row.items():
                        shown = cell_text(value)
                        if pattern.search(shown):
                            hits.append(Hit(table.name, str(column), shown))
    finally:
        if engine is not engine_or_url:
            await engine.dispose()
    return hits


def cell_text(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def tables_of(hits: Iterable[Hit]) -> set[str]:
    return {hit.table for hit in hits}


# The databases: a fresh SQLite file, or the session's PostgreSQL database emptied


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'ripple.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    if database_url.startswith("sqlite"):
        await upgrade_to_head(database_url)
        sql = SqlStore.from_url(database_url)
    else:
        sql = SqlStore.from_url(database_url)
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with sql.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    try:
        yield sql
    finally:
        await sql.close()


async def work_done(request: Awaitable[T]) -> T:
    """Make a request, then wait for the work Ripple started after acknowledging it.

    The server runs on this event loop, so that work is the tasks the request started.
    """
    before = asyncio.all_tasks()
    result = await request
    started = asyncio.all_tasks() - before - {asyncio.current_task()}
    if started:
        _, pending = await asyncio.wait(started, timeout=WORK_SECONDS)
        assert not pending, f"Ripple's work after the request is still running: {pending}"
    return result


async def processed_events(store: SqlStore) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(ProcessedEventRow))).one()[0]


async def is_tombstoned(store: SqlStore, person_id: str) -> bool:
    marks = TombstoneRow.__table__.c.mark
    async with store.engine.connect() as conn:
        found = await conn.execute(select(marks).where(marks == tombstone_mark(person_id)))
        return found.first() is not None


async def farewells_settled(ripple: Ripple) -> bool:
    """The farewell has been delivered and dropped from the outbox (with the address)."""
    async with ripple.store.unit_of_work() as uow:
        return await uow.outbox.list_with_key_prefix("farewell:") == []


async def person_exists(ripple: Ripple, person_id: str) -> bool:
    async with ripple.store.unit_of_work() as uow:
        return await uow.people.get(person_id) is not None


async def published_totals(ripple: Ripple, round_ids: Iterable[str]) -> dict[str, Any]:
    async with ripple.store.unit_of_work() as uow:
        found = {rid: await uow.summaries.get(rid) for rid in round_ids}
    return {rid: (p.members, p.counts) if p else None for rid, p in found.items()}


async def closed_round_ids(ripple: Ripple, channel_id: str) -> list[str]:
    async with ripple.store.unit_of_work() as uow:
        published = await uow.summaries.recent(channel_id, until=datetime.max.date(), limit=10)
    return [p.round_id for p in published]


async def others_answer(ripple: Ripple, person_ids: Iterable[str], *, channel_id: str) -> None:
    """Other members check in through the core (the target is the one played over HTTP)."""
    for person_id in person_ids:
        chat = Conversation(ripple, person_id=person_id, channel_id=channel_id)
        await chat.send(EventKind.CHECKIN)
        await chat.press("now")
        for value in HEAVY:
            await chat.press(value)
        await chat.note("")


# Slack

ZEB = "U7ZQX3KW"  # Zebulon's Slack id: no other id here contains it
ZEB_NAME = "Zebulon Quartz"
ZEB_ID = f"slack:{TEAM}:{ZEB}"
SLACK_OTHERS = ["U0001", "U0002", "U0003", "U0004", "U0005"]
SLACK_MANAGER = "U0006"  # manages #design; not a member
NEWCOMER = "U0007"
DESIGN, OPS = "C0DESIGN", "C0OPS"
DESIGN_ID, OPS_ID = f"slack:{TEAM}:{DESIGN}", f"slack:{TEAM}:{OPS}"


def slack_id(user_id: str) -> str:
    return f"slack:{TEAM}:{user_id}"


def zeb_in_slack() -> list[str]:
    """Everything that would name Zebulon: Ripple's id, Slack's id, the DM, the name."""
    return [ZEB_ID, ZEB, f"D{ZEB[1:]}", ZEB_NAME]


@asynccontextmanager
async def slack_world_on(store: SqlStore, *, oauth: bool = False) -> AsyncIterator[SlackWorld]:
    """``tests.slack.world.slack_world``, on a store of either database.

    With ``oauth`` no workspace is installed yet: ``tests.slack.test_oauth.install`` does it.
    """
    async with FakeSlack() as slack:
        if oauth:
            token = None
            credentials = {
                "slack_client_id": slack.client_id,
                "slack_client_secret": slack.client_secret,
            }
        else:
            token = make_bot_token()
            slack.add_workspace(TEAM, bot_token=token)
            credentials = {"slack_bot_token": token}
        settings = load_settings(
            database_url=store.engine.url.render_as_string(hide_password=False),
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            **credentials,
        )
        config = SlackConfig(
            signing_secret=SIGNING_SECRET,
            bot_token=token,
            client_id=slack.client_id if oauth else None,
            client_secret=slack.client_secret if oauth else None,
            api_url=slack.api_url,
        )
        platform = slack_platform(config, store=store, catalog=load_catalog(settings), cipher=None)
        clock = ManualClock(SLACK_MONDAY_0930 - timedelta(minutes=30))
        ripple = build_ripple(
            settings,
            store=store,
            clock=clock,
            senders=senders_of([platform]),
            rosters=rosters_of([platform]),
        )
        app = build_app(settings, ripple=ripple, platforms=[platform], tick=False)
        async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
            yield SlackWorld(
                slack=slack, ripple=ripple, clock=clock, http=http, store=store, platform=platform
            )


def add_slack_people(world: SlackWorld) -> None:
    world.slack.add_user(TEAM, ZEB, real_name=ZEB_NAME, tz="Europe/Berlin", locale="en-US")
    for user_id in [*SLACK_OTHERS, SLACK_MANAGER, NEWCOMER]:
        world.slack.add_user(
            TEAM, user_id, real_name=f"Person {user_id}", tz="Europe/Berlin", locale="en-US"
        )


async def invite_ripple(world: SlackWorld, channel: str, *, name: str, members: list[str]) -> None:
    """Ripple is invited to a channel, which registers the channel and syncs its members."""
    world.slack.add_channel(TEAM, channel, name=name, members=[*members, "U0BOT"])
    await sync_channel(world, channel, expect=members)


async def sync_channel(world: SlackWorld, channel: str, *, expect: list[str]) -> None:
    """Ripple joining a channel is how the Slack adapter syncs its members."""
    response, _ = await world.event(
        "event_member_joined_channel", user_id="U0BOT", channel_id=channel
    )
    assert response.status_code == 200
    wanted = {slack_id(u) for u in expect}

    async def synced() -> bool:
        async with world.store.unit_of_work() as uow:
            return await uow.channels.members(f"slack:{TEAM}:{channel}") == wanted

    await world.until_stored(synced, what=f"{channel} synced with {len(wanted)} members")


async def slack_note(world: SlackWorld, user: str, button: str, note: str) -> None:
    """Open the note modal and submit it, as the modal Slack opened (its own id and hash)."""
    opened = len(world.slack.modals())
    await world.press(user, button)
    await world.eventually(lambda: len(world.slack.modals()) > opened, what="the note modal")
    modal = world.slack.modals()[-1]
    block = next(b for b in modal.payload["blocks"] if b["type"] == "input")
    action_id = block["element"]["action_id"]
    state = {
        "values": {block["block_id"]: {action_id: {"type": "plain_text_input", "value": note}}}
    }
    payload = payloads.load(
        "view_submission",
        team_id=TEAM,
        user_id=user,
        view_id=modal.id,
        view_hash=modal.hash,
        callback_id=modal.payload["callback_id"],
        private_metadata=modal.payload.get("private_metadata", ""),
        state=state,
    )
    payload["view"]["blocks"] = modal.payload["blocks"]
    assert (await world.interact(payload)).status_code == 200


async def slack_checkin(world: SlackWorld, user: str, *, note_button: str, note: str) -> None:
    """The whole check-in, tapped in Slack, from the gate to the note."""
    for label in ("Yes, let's go", "4 — heavy", "2 — low", "Some extra hours", "No", "Partly"):
        await answer(world, user, label)
    await slack_note(world, user, note_button, note)

    async def noted() -> bool:
        async with world.store.unit_of_work() as uow:
            mine = await uow.checkins.list_for_person(slack_id(user))
        return any(c.state is CheckInState.DONE and c.note == note for c in mine)

    await world.until_stored(noted, what=f"{user}'s check-in with the note")


async def ask_to_forget_in_slack(world: SlackWorld, user: str) -> None:
    assert (await world.command("forget", user=user)).status_code == 200
    await world.eventually(
        lambda: any("Are you sure?" in m.text for m in world.slack.messages(user)[-1:]),
        what="the confirmation",
    )


async def confirm_forget_in_slack(world: SlackWorld, user: str) -> None:
    """Tap "Yes", see the farewell, and wait until it is settled and dropped."""
    await answer(world, user, "Yes, erase my data")
    assert ERASED in blocks_text(world.latest_message(user).blocks)
    await world.until_stored(lambda: farewells_settled(world.ripple), what="the farewell settled")


async def forget_in_slack(world: SlackWorld, user: str) -> None:
    await ask_to_forget_in_slack(world, user)
    await confirm_forget_in_slack(world, user)


def slack_texts(world: SlackWorld, user: str) -> list[str]:
    return [blocks_text(m.blocks) or m.text for m in world.slack.messages(user)]


async def test_slack_forget_leaves_no_row_naming_the_person(
    store: SqlStore, database_url: str
) -> None:
    async with slack_world_on(store) as world:
        ripple = world.ripple
        add_slack_people(world)
        await invite_ripple(world, DESIGN, name="design", members=[ZEB, *SLACK_OTHERS])
        await invite_ripple(world, OPS, name="ops", members=SLACK_OTHERS)
        await ripple.configure_channel(
            actor=admin_in(slack_id(SLACK_MANAGER)),
            channel_id=DESIGN_ID,
            config={"managers": frozenset({slack_id(SLACK_MANAGER)})},
        )
        await ripple.configure_channel(
            actor=admin_in(slack_id(SLACK_MANAGER)),
            channel_id=OPS_ID,
            config={"managers": frozenset({ZEB_ID}), "admins": frozenset({ZEB_ID})},
        )

        # Week one: Zebulon shares a note; #design's digest goes to its manager, #ops's to him.
        world.clock.set(SLACK_MONDAY_0930)
        assert (await ripple.tick()).opened == 2
        await ripple.drain()
        await slack_checkin(
            world, ZEB, note_button="Add a note to share anonymously", note=SHARED_NOTE
        )
        await others_answer(ripple, map(slack_id, SLACK_OTHERS[:4]), channel_id=DESIGN_ID)
        world.clock.advance(timedelta(days=3, minutes=1))
        assert (await ripple.tick()).closed == 2
        await ripple.drain()
        assert any("Check-in summary for #ops" in t for t in slack_texts(world, ZEB))
        assert any("Check-in summary for #design" in t for t in slack_texts(world, SLACK_MANAGER))

        # Week two: a private note; then he asks to be forgotten.
        world.clock.set(SLACK_MONDAY_0930 + timedelta(weeks=1))
        assert (await ripple.tick()).opened == 2
        await ripple.drain()
        await slack_checkin(world, ZEB, note_button="Add a private note", note=PRIVATE_NOTE)
        await ask_to_forget_in_slack(world, ZEB)
        # Before he confirms, the rounds close: his #ops digest waits in the outbox.
        world.clock.advance(timedelta(days=3, minutes=1))
        assert (await ripple.tick()).closed == 2
        async with ripple.store.unit_of_work() as uow:
            waiting = await uow.outbox.list_for_recipient(ZEB_ID)
        assert any(row.sent_at is None for row in waiting), "nothing of his is pending"
        assert any(row.sent_at is not None for row in waiting), "nothing of his was sent"
        rounds = await closed_round_ids(ripple, DESIGN_ID)
        totals = await published_totals(ripple, rounds)

        # The control: the scan does find him, all over the database.
        before = tables_of(await rows_naming(database_url, zeb_in_slack()))
        assert before >= {
            "people",
            "channel_members",
            "checkins",
            "channels",
            "outbox",
            "summary_views",
        }
        assert await processed_events(store) > 0  # his taps, kept only as one-way marks

        await confirm_forget_in_slack(world, ZEB)
        await ripple.drain()

        assert await rows_naming(database_url, zeb_in_slack()) == []
        # Everyone else's data is untouched, and published totals stay as published.
        others = tables_of(await rows_naming(database_url, ["U0001", "Person U0001"]))
        assert others >= {"people", "channel_members", "checkins"}
        async with ripple.store.unit_of_work() as uow:
            assert len(await uow.checkins.list_for_person(slack_id("U0001"))) == 4
            design_week_one = await uow.checkins.list_for_round(rounds[-1])
        assert sum(c.person_id.startswith(MARKER_PREFIX) for c in design_week_one) == 1
        assert await published_totals(ripple, rounds) == totals

        # Slack syncing #design, or telling Ripple he joined it, does not bring him back.
        response, _ = await work_done(
            world.event("event_member_joined_channel", user_id=ZEB, channel_id=DESIGN)
        )
        assert response.status_code == 200
        world.slack.add_channel(
            TEAM, DESIGN, name="design", members=[ZEB, *SLACK_OTHERS, NEWCOMER, "U0BOT"]
        )
        await sync_channel(world, DESIGN, expect=[*SLACK_OTHERS, NEWCOMER])
        assert await rows_naming(database_url, zeb_in_slack()) == []
        assert await is_tombstoned(store, ZEB_ID)

        # Typing a command to Ripple is him coming back.
        response = await world.command("checkin", user=ZEB)
        assert response.status_code == 200
        await world.until_stored(lambda: person_exists(ripple, ZEB_ID), what="Zebulon back")
        assert not await is_tombstoned(store, ZEB_ID)


def admin_in(person_id: str) -> Actor:
    """A workspace admin (Slack) or team owner (Teams), acting from that channel's place."""
    platform, tenant_or_team, _ = person_id.split(":", 2)
    place = f"teams:{TENANT}:{TEAM_ID}" if platform == "teams" else f"slack:{tenant_or_team}"
    return Actor(person_id=person_id, place=place, roles=frozenset({Role.WORKSPACE_ADMIN}))


async def count_rows(url: str, table: str, *, team_id: str) -> int:
    engine = create_async_engine(normalize_database_url(url))
    query = text(f"SELECT COUNT(*) FROM {table} WHERE team_id = :team")
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(query, {"team": team_id})).scalar_one())
    finally:
        await engine.dispose()


async def test_slack_forget_by_whoever_installed_ripple_leaves_no_row_naming_them(
    store: SqlStore, database_url: str
) -> None:
    async with slack_world_on(store, oauth=True) as world:
        world.slack.add_workspace(TEAM)
        world.slack.add_oauth_code("install-1", team_id=TEAM, authed_user_id=ZEB)
        await install(world, code="install-1")
        add_slack_people(world)
        await invite_ripple(world, DESIGN, name="design", members=[ZEB, *SLACK_OTHERS])
        # Only the bot's record of the install is kept: it names no person.
        found = tables_of(await rows_naming(database_url, [ZEB]))
        assert "slack_installations" not in found and "slack_bots" not in found
        assert await count_rows(database_url, "slack_bots", team_id=TEAM) == 1

        await forget_in_slack(world, ZEB)

        assert await rows_naming(database_url, zeb_in_slack()) == []
        # Ripple still works in the workspace he installed it in.
        assert (
            await world.ripple.configure_channel(
                actor=admin_in(slack_id("U0001")),
                channel_id=DESIGN_ID,
                config={"k": 5},
            )
        ).saved
        world.clock.set(SLACK_MONDAY_0930)
        assert (await world.ripple.tick()).opened == 1
        await world.ripple.drain()
        assert world.slack.messages("U0001")


# Teams

ZEBULON = TeamsUser(name="Zebulon Quartz", aad="7b3e91c4-5d2a-4f68-9e1b-c0a8d4f27e35")
TEAMS_OTHERS = [user(n) for n in range(301, 306)]
OWNER = user(306, "Olive Owner")  # owns the team and manages General
OPS_CHANNEL = "19:5e0c2a7d9b1f4e3a8c6d2b0f4a6c8e13@thread.tacv2"
GENERAL_ID = f"teams:{TENANT}:{TEAM_ID}"
TEAMS_OPS_ID = f"teams:{TENANT}:{OPS_CHANNEL}"
TEAMS_MONDAY_0930 = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)  # 09:30 in the channel's zone (UTC)


def zebulon_in_teams() -> list[str]:
    """Ripple's id, the Entra object id, the Teams (29:) id and the name."""
    return [ZEBULON.person_id, ZEBULON.aad, ZEBULON.teams_id, ZEBULON.name]


@pytest.fixture
async def teams(store: SqlStore) -> AsyncIterator[Harness]:
    async with teams_harness(store=store, clock=ManualClock(TEAMS_MONDAY_0930)) as harness:
        yield harness


async def mention_setup(h: Harness, who: TeamsUser, *, channel: str) -> None:
    """`@Ripple setup` in a team channel, which registers it and syncs its roster."""
    activity = h.activity(
        "channel_mention", text="setup", channel_id=channel, team_id=TEAM_ID, **who.fields()
    )
    assert (await h.post(activity)).status_code in (200, 202)


async def member_added(h: Harness, who: TeamsUser) -> None:
    """Teams tells Ripple that someone joined the team."""
    activity = h.activity(
        "team_conversation_update",
        team_id=TEAM_ID,
        team_name="Design",
        team_group_id=h.connector.team_group_id,
        event_type="teamMemberAdded",
        user_id=OWNER.teams_id,
        user_aad=OWNER.aad,
    )
    activity["membersAdded"] = [{"id": who.teams_id, "aadObjectId": who.aad, "name": who.name}]
    assert (await h.post(activity)).status_code in (200, 202)


async def teams_checkin(h: Harness, who: TeamsUser, *, note: str, share: str) -> None:
    """The whole check-in, tapped on cards in the personal chat."""
    for value in ("now", "4", "2", "some", "no", "partly"):
        assert (await h.tap(who, value=value)).status_code == 200
    assert (await h.tap(who, value=share, inputs={NOTE_INPUT: note})).status_code == 200
    async with h.ripple.store.unit_of_work() as uow:
        mine = await uow.checkins.list_for_person(who.person_id)
    assert any(c.state is CheckInState.DONE and c.note == note for c in mine)


def card_text(h: Harness, who: TeamsUser) -> str:
    return json.dumps(h.connector.last_card(who.conversation_id), ensure_ascii=False)


def cards_to(h: Harness, who: TeamsUser) -> str:
    return json.dumps(h.connector.thread(who.conversation_id), ensure_ascii=False)


async def conversation_of(h: Harness, who: TeamsUser) -> str | None:
    """The personal chat in the person's stored route (None for a roster-only route)."""
    async with h.ripple.store.unit_of_work() as uow:
        address = await uow.addresses.get(who.person_id)
    assert address is not None, f"Ripple has no address for {who.name}"
    return Route.from_json(address.data).conversation_id


async def has_address(h: Harness, who: TeamsUser) -> bool:
    async with h.ripple.store.unit_of_work() as uow:
        return await uow.addresses.get(who.person_id) is not None


async def test_teams_forget_leaves_no_row_naming_the_person(
    teams: Harness, store: SqlStore, database_url: str
) -> None:
    h, ripple = teams, teams.ripple
    roster = [ZEBULON, *TEAMS_OTHERS, OWNER]
    await h.install_in_team(by=OWNER, roster=roster, owners=(OWNER,))
    assert await conversation_of(h, ZEBULON) is None  # a roster route: no personal chat yet
    # #ops: the others, and its owner, who sets it up (only an owner brings Ripple in).
    h.connector.roster = [*(p.member() for p in TEAMS_OTHERS), OWNER.member(owner=True)]
    await mention_setup(h, OWNER, channel=OPS_CHANNEL)
    h.connector.roster = [p.member(owner=p is OWNER) for p in roster]
    await ripple.configure_channel(
        actor=admin_in(OWNER.person_id),
        channel_id=GENERAL_ID,
        config={"managers": frozenset({OWNER.person_id})},
    )
    await ripple.configure_channel(
        actor=admin_in(OWNER.person_id),
        channel_id=TEAMS_OPS_ID,
        config={
            "managers": frozenset({ZEBULON.person_id}),
            "admins": frozenset({ZEBULON.person_id}),
        },
    )
    # Installing Ripple personally gives it a personal chat in place of the roster's route.
    assert (await h.install_personally(ZEBULON)).status_code in (200, 202)
    assert await conversation_of(h, ZEBULON) == ZEBULON.conversation_id

    # Week one: Zebulon shares a note; General's digest goes to its owner, #ops's to him.
    assert (await ripple.tick()).opened == 2
    await ripple.drain()
    await teams_checkin(h, ZEBULON, note=SHARED_NOTE, share="shared")
    others = [p.person_id for p in TEAMS_OTHERS]
    await others_answer(ripple, others[:4], channel_id=GENERAL_ID)
    h.clock.advance(timedelta(days=3, minutes=1))
    assert (await ripple.tick()).closed == 2
    await ripple.drain()
    assert "Check-in summary for" in cards_to(h, ZEBULON)

    # Week two: a private note; then he asks to be forgotten.
    h.clock.set(TEAMS_MONDAY_0930 + timedelta(weeks=1))
    assert (await ripple.tick()).opened == 2
    await ripple.drain()
    await teams_checkin(h, ZEBULON, note=PRIVATE_NOTE, share="private")
    await h.say(ZEBULON, "forget")
    assert "Are you sure?" in card_text(h, ZEBULON)
    # Before he confirms, the rounds close: his #ops digest waits in the outbox.
    h.clock.advance(timedelta(days=3, minutes=1))
    assert (await ripple.tick()).closed == 2
    async with ripple.store.unit_of_work() as uow:
        waiting = await uow.outbox.list_for_recipient(ZEBULON.person_id)
    assert any(row.sent_at is None for row in waiting), "nothing of his is pending"
    assert any(row.sent_at is not None for row in waiting), "nothing of his was sent"
    rounds = await closed_round_ids(ripple, GENERAL_ID)
    totals = await published_totals(ripple, rounds)

    # The control: the scan does find him, all over the database.
    before = tables_of(await rows_naming(database_url, zebulon_in_teams()))
    assert before >= {
        "people",
        "channel_members",
        "checkins",
        "channels",
        "outbox",
        "addresses",
        "summary_views",
    }
    assert await processed_events(store) > 0  # his activities, kept only as one-way marks

    assert (await h.tap(ZEBULON, value="yes")).status_code == 200
    assert ERASED in card_text(h, ZEBULON)
    assert await farewells_settled(ripple)
    await ripple.drain()

    assert await rows_naming(database_url, zebulon_in_teams()) == []
    # Everyone else's data is untouched, and published totals stay as published.
    someone = TEAMS_OTHERS[0]
    assert tables_of(await rows_naming(database_url, [someone.aad])) >= {
        "people",
        "channel_members",
        "checkins",
        "addresses",
    }
    async with ripple.store.unit_of_work() as uow:
        assert len(await uow.checkins.list_for_person(someone.person_id)) == 4
        general_week_one = await uow.checkins.list_for_round(rounds[-1])
    assert sum(c.person_id.startswith(MARKER_PREFIX) for c in general_week_one) == 1
    assert await published_totals(ripple, rounds) == totals

    # Installing Ripple in the team again, or Teams saying he joined, does not bring him back.
    await h.install_in_team(by=OWNER, roster=roster, owners=(OWNER,))
    await member_added(h, ZEBULON)
    assert await rows_naming(database_url, zebulon_in_teams()) == []
    assert not await has_address(h, ZEBULON)
    assert await is_tombstoned(store, ZEBULON.person_id)

    # Writing to Ripple is him coming back.
    await h.say(ZEBULON, "help")
    assert "Commands: checkin" in card_text(h, ZEBULON)
    assert await person_exists(ripple, ZEBULON.person_id)
    assert not await is_tombstoned(store, ZEBULON.person_id)
