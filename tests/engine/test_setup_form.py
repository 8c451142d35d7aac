"""The channel settings form: rendering, reading back, and who may save it."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.catalog import YamlPromptCatalog
from bot.model import Actor, Cadence, ChannelConfig, Role
from bot.ripple import Ripple
from bot.setup_form import PEOPLE_FIELDS, FormError, FormField, read_setup, setup_form
from tests.engine.conftest import ADMIN, CHANNEL, set_up_team

CATALOG = YamlPromptCatalog.load()

ADMIN_ROLES = frozenset({Role.WORKSPACE_ADMIN})


def answers_of(fields: tuple[FormField, ...]) -> dict[str, str | list[str]]:
    """What a person submits when they change nothing."""
    return {f.name: list(f.value) if f.kind == "people" else str(f.value) for f in fields}


configs = st.builds(
    lambda weekday, hour, minute, every, zone, k, extra, noise, reminders, nudges, quiet, managers, admins, signpost: (
        ChannelConfig(
            cadence=Cadence(weekday=weekday, local_time=time(hour, minute), every_weeks=every),
            timezone=zone,
            locale="de",
            k=k,
            comment_threshold=max(k, 5) + extra,
            noise_budget=noise,
            reminders=reminders,
            nudges=nudges,
            quiet_dates=frozenset(quiet),
            managers=frozenset(managers),
            admins=frozenset(admins),
            signpost=signpost or None,
        )
    ),
    st.integers(0, 6),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from([1, 2, 3, 4]),
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    st.integers(3, 50),
    st.integers(0, 20),
    st.sampled_from([None, 1.0, 3.0, 10.0]),
    st.integers(0, 2),
    st.booleans(),
    st.lists(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=5),
    st.lists(st.from_regex(r"slack:T1:U[0-9A-Z]{4}", fullmatch=True), max_size=3),
    st.lists(st.from_regex(r"slack:T1:U[0-9A-Z]{4}", fullmatch=True), max_size=3),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80).map(
        str.strip
    ),
)


@settings(max_examples=150, deadline=None)
@given(config=configs, locale=st.sampled_from(["en", "es", "de"]))
def test_submitting_the_form_unchanged_keeps_every_setting(config: ChannelConfig, locale: str):
    form = setup_form(config, channel_name="#design", catalog=CATALOG, locale=locale)
    assert read_setup(answers_of(form.fields), current=config, catalog=CATALOG) == config


def test_the_people_fields_are_the_forms_people_pickers():
    form = setup_form(ChannelConfig(), channel_name="#design", catalog=CATALOG, locale="en")
    assert tuple(f.name for f in form.fields if f.kind == "people") == PEOPLE_FIELDS
    chosen = {name: ["slack:T1:U1", " slack:T1:U2 "] for name in PEOPLE_FIELDS}
    config = read_setup(chosen, current=ChannelConfig(), catalog=CATALOG)
    assert config.managers == config.admins == {"slack:T1:U1", "slack:T1:U2"}


def test_every_field_has_a_label_in_every_language():
    for locale in ("en", "es", "de"):
        form = setup_form(ChannelConfig(), channel_name="#design", catalog=CATALOG, locale=locale)
        names = [f.name for f in form.fields]
        assert names == [
            "weekday",
            "time",
            "every_weeks",
            "timezone",
            "question_set",
            "locale",
            "k",
            "comment_threshold",
            "noise_budget",
            "managers",
            "admins",
            "reminders",
            "nudges",
            "quiet_dates",
            "signpost",
            "start",
        ]
        assert all(f.label for f in form.fields)
        assert all(c.label for f in form.fields for c in f.choices)
    spanish = setup_form(ChannelConfig(), channel_name="#d", catalog=CATALOG, locale="es")
    assert spanish.submit_label == "Guardar"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"k": "2"}, "k"),
        ({"k": "five"}, "k"),
        ({"k": "9", "comment_threshold": "5"}, "comment_threshold"),
        ({"k": "3", "comment_threshold": "4"}, "comment_threshold"),
        ({"noise_budget": "5"}, "noise_budget"),
        ({"time": "25:00"}, "time"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"quiet_dates": "2026-12-24, tomorrow"}, "quiet_dates"),
        ({"locale": "fr"}, "locale"),
        ({"question_set": "nope"}, "question_set"),
        ({"reminders": "3"}, "reminders"),
        ({"nudges": "maybe"}, "nudges"),
        ({"signpost": "x" * 501}, "signpost"),
        ({"weekday": ["1", "2"]}, "weekday"),
    ],
)
def test_an_unusable_answer_names_its_field(changes: dict[str, object], field: str):
    with pytest.raises(FormError) as caught:
        read_setup(changes, current=ChannelConfig(), catalog=CATALOG)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_changes_are_read_into_the_settings():
    config = read_setup(
        {
            "weekday": "4",
            "time": "14:05",
            "every_weeks": "2",
            "timezone": "Europe/Madrid",
            "k": "7",
            "comment_threshold": "12",
            "managers": ["slack:T1:UMAYA"],
            "nudges": "off",
            "quiet_dates": "2026-12-24\n2026-12-31",
            "signpost": "  EAP: 0800 123 456  ",
        },
        current=ChannelConfig(),
        catalog=CATALOG,
    )
    assert config.cadence.weekday == 4
    assert config.cadence.local_time == time(14, 5)
    assert config.cadence.every_weeks == 2
    assert (config.timezone, config.k, config.comment_threshold) == ("Europe/Madrid", 7, 12)
    assert config.managers == {"slack:T1:UMAYA"}
    assert config.nudges is False
    assert config.quiet_dates == {date(2026, 12, 24), date(2026, 12, 31)}
    assert config.signpost == "EAP: 0800 123 456"


async def test_only_admins_may_save_and_a_refusal_changes_nothing(ripple: Ripple):
    await set_up_team(ripple)
    before = await ripple.setup_form(channel_id=CHANNEL)
    refused = await ripple.apply_setup(
        actor=Actor(person_id="console:p1", place="console"), channel_id=CHANNEL, values={"k": "2"}
    )
    assert not refused.saved
    assert (
        refused.message
        == "Only admins of the workspace or team, and the Ripple admins of #design, can change its settings. Nothing was changed."
    )
    assert await ripple.setup_form(channel_id=CHANNEL) == before
    assert not await ripple.may_configure(
        actor=Actor(person_id="console:p1", place="console"),
        channel_id=CHANNEL,
    )
    assert await ripple.may_configure(
        actor=Actor(person_id="console:p1", place="console", roles=ADMIN_ROLES),
        channel_id=CHANNEL,
    )

    invalid = await ripple.apply_setup(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, values={"k": "2"}
    )
    assert (invalid.saved, invalid.field) == (False, "k")
    assert await ripple.setup_form(channel_id=CHANNEL) == before

    saved = await ripple.apply_setup(
        actor=Actor(person_id=ADMIN, place="console"), channel_id=CHANNEL, values={"k": "6"}
    )
    assert saved.saved
    assert saved.channel is not None and saved.channel.config.k == 6
    form = await ripple.setup_form(channel_id=CHANNEL, locale="de")
    assert next(f for f in form.fields if f.name == "k").value == "6"
    assert form.title == "Check-in-Einstellungen für #design"
