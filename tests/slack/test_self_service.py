"""People's own data from Slack: history, export and forget, with its confirmation."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.slack.blocks import blocks_text
from tests.slack.test_checkin import SAM, SAM_ID, answer, open_round
from tests.slack.world import slack_world


async def test_export_sends_my_data_and_forget_erases_it_after_i_confirm(tmp_path: Path):
    async with slack_world(tmp_path) as world:
        await open_round(world, members=6)
        await answer(world, SAM, "I'd rather rest this week")
        sent = len(world.slack.messages(SAM))

        await world.command("export", user=SAM)
        await world.eventually(lambda: len(world.slack.messages(SAM)) == sent + 1, what="export")
        export = blocks_text(world.latest_message(SAM).blocks)
        assert "Here is everything Ripple keeps about you." in export
        document = json.loads(export[export.index("{") : export.rindex("}") + 1])
        assert document["person"]["id"] == SAM_ID
        assert [c["state"] for c in document["checkins"]] == ["rested"]

        await world.command("forget", user=SAM)
        await world.eventually(
            lambda: "Are you sure?" in world.latest_message(SAM).text, what="the confirmation"
        )
        # Keeping the data changes nothing.
        await answer(world, SAM, "Keep my data")
        assert "Nothing was erased." in blocks_text(world.latest_message(SAM).blocks)
        async with world.store.unit_of_work() as uow:
            assert len(await uow.checkins.list_for_person(SAM_ID)) == 1

        await world.command("forget", user=SAM)
        await world.eventually(
            lambda: "Are you sure?" in world.latest_message(SAM).text, what="the confirmation"
        )
        await answer(world, SAM, "Yes, erase my data")
        assert "has erased everything" in blocks_text(world.latest_message(SAM).blocks)
        async with world.store.unit_of_work() as uow:
            assert await uow.checkins.list_for_person(SAM_ID) == []
            assert await uow.people.get(SAM_ID) is None
