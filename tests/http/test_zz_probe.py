import logging
from pathlib import Path
from adapters.console.sender import ConsoleSender
from bot.bootstrap import build_app, build_ripple, database_url
from bot.clock import ManualClock
from tests.http import running
from tests.http.test_app import settings_for, set_up_channel, MONDAY_0930, client_for
from storage.store import SqlStore


async def test_stop_mid_beat(tmp_path: Path, caplog) -> None:
    settings = settings_for(tmp_path / "r.db", tick_seconds=1)
    clock = ManualClock(MONDAY_0930)
    await set_up_channel(settings, clock)
    sender = ConsoleSender()
    ripple = build_ripple(settings, clock=clock, senders={"console": sender})
    app = build_app(settings, ripple=ripple)
    async with running(app):
        import asyncio

        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)
    print("delivered", len(sender.delivered))
    [
        print(r.getMessage(), r.exc_text or r.exc_info)
        for r in caplog.records
        if r.levelno >= logging.WARNING
    ]
    probe = SqlStore.from_url(database_url(settings))
    async with probe.unit_of_work() as uow:
        print(await uow.rounds.list_open(), await uow.outbox.count_by_status())
    await probe.close()
