"""The language Ripple speaks to someone: theirs if it has it, else the channel's, else English."""

from __future__ import annotations

import pytest

from bot.model import Person
from bot.ripple import Ripple
from tests.engine.conftest import CHANNEL, set_up_team


@pytest.mark.parametrize(
    ("theirs", "expected"),
    [("es-ES", "es"), ("de_AT", "de"), ("EN-gb", "en"), ("fr-FR", "de"), (None, "de")],
)
async def test_a_persons_own_language_comes_first_and_the_channels_next(
    ripple: Ripple, theirs: str | None, expected: str
) -> None:
    await set_up_team(ripple, locale="de")
    person = Person(person_id="console:new", display_name="New", locale=theirs)

    assert await ripple.locale_for(person=person, channel_id=CHANNEL) == expected


async def test_without_a_language_of_their_own_a_known_persons_stored_one_is_used(
    ripple: Ripple,
) -> None:
    await set_up_team(ripple, locale="de")
    await ripple.sync_members(
        channel_id=CHANNEL, people=[Person(person_id="console:p0", display_name="P0", locale="es")]
    )
    asking = Person(person_id="console:p0", display_name="P0")

    assert await ripple.locale_for(person=asking, channel_id=CHANNEL) == "es"


async def test_english_when_neither_the_person_nor_a_channel_names_a_language_ripple_speaks(
    ripple: Ripple,
) -> None:
    stranger = Person(person_id="console:nobody", display_name="Nobody", locale="fr-FR")

    assert await ripple.locale_for(person=stranger, channel_id="console:nowhere") == "en"
    assert await ripple.locale_for(person=None) == "en"
