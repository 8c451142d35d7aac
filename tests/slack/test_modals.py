"""The note and setup modals: valid views, every label in the locale, and submissions read back."""

from __future__ import annotations

import json
from datetime import date, time
from functools import cache
from typing import Any

import pytest
from slack_sdk.models.views import View

from adapters.slack.actions import NOTE_VIEW, SETUP_VIEW
from adapters.slack.blocks import blocks_text
from adapters.slack.modals import (
    NoteInput,
    errors_response,
    note_modal,
    read_note,
    read_setup,
    setup_modal,
)
from bot import setup_form as core_form
from bot.app.catalog import YamlPromptCatalog
from bot.conversation import NOTE_LIMIT
from bot.model import Cadence, ChannelConfig
from bot.questions import Choice
from bot.setup_form import FormField, SetupForm
from prompts import PROMPTS_DIR

LOCALES = ("en", "es", "de")
TEAM = "T0001"
CHANNEL = "slack:T0001:C0001"
ROUND = "slack:T0001:C0001/2026-W10"


@cache
def real_catalog() -> YamlPromptCatalog:
    return YamlPromptCatalog.load(PROMPTS_DIR)


@pytest.fixture
def catalog() -> YamlPromptCatalog:
    return real_catalog()


def assert_valid_view(view: dict[str, Any]) -> None:
    """slack_sdk's own model accepts the view and keeps every key of it."""
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.to_dict() == view
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= 3000
    for key in ("title", "submit", "close"):
        assert 0 < len(view[key]["text"]) <= 24


def submitted(view: dict[str, Any], **answers: dict[str, Any]) -> dict[str, Any]:
    """The ``view`` of a view_submission, as Slack sends it when nobody changed the fields.

    ``answers`` replace the state of the fields they name.
    """
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        state: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            state["selected_option"] = element.get("initial_option")
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time")
        elif kind == "multi_users_select":
            state["selected_users"] = element.get("initial_users", [])
        else:
            state["value"] = element.get("initial_value")
        values[block["block_id"]] = {element["action_id"]: state}
    for name, state in answers.items():
        (action_id,) = values[name]
        values[name] = {action_id: state}
    return {
        "id": "V0000000001",
        "team_id": TEAM,
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "blocks": view["blocks"],
        "state": {"values": values},
        "hash": "1700000000.Xy7aB2cD",
    }


# The note modal


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("share", [False, True])
def test_the_note_modal_says_who_will_see_the_note(
    catalog: YamlPromptCatalog, locale: str, share: bool
) -> None:
    privacy = (
        catalog.message("preview.note_shared", locale=locale, threshold=10)
        if share
        else catalog.message("preview.note_private", locale=locale)
    )
    view = note_modal(round_id=ROUND, share=share, privacy=privacy, catalog=catalog, locale=locale)
    assert_valid_view(view)
    assert view["callback_id"] == NOTE_VIEW
    title = "slack.note_title_shared" if share else "slack.note_title_private"
    assert view["title"]["text"] == catalog.message(title, locale=locale)
    assert view["submit"]["text"] == catalog.message("slack.save", locale=locale)
    assert view["close"]["text"] == catalog.message("slack.cancel", locale=locale)
    text = blocks_text(view["blocks"])
    assert catalog.message("note.ask", locale=locale) in text
    assert privacy in text
    (field,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["label"]["text"] == catalog.message("slack.note_label", locale=locale)
    assert field["element"]["type"] == "plain_text_input"
    assert field["element"]["multiline"] is True
    assert field["element"]["max_length"] == NOTE_LIMIT == 1000


@pytest.mark.parametrize("share", [False, True])
def test_a_note_reads_back_with_its_round_and_choice(
    catalog: YamlPromptCatalog, share: bool
) -> None:
    view = note_modal(round_id=ROUND, share=share, privacy="", catalog=catalog, locale="en")
    note = "<!channel> too much & too fast"
    state = {"type": "plain_text_input", "value": note}
    assert read_note(submitted(view, note=state)) == NoteInput(
        round_id=ROUND, share=share, text=note
    )
    empty = {"type": "plain_text_input", "value": None}
    assert read_note(submitted(view, note=empty)).text == ""


def note_view(**changes: Any) -> dict[str, Any]:
    catalog = real_catalog()
    view = submitted(
        note_modal(round_id=ROUND, share=False, privacy="", catalog=catalog, locale="en")
    )
    view.update(changes)
    return view


@pytest.mark.parametrize(
    "view",
    [
        note_view(callback_id=SETUP_VIEW),
        note_view(private_metadata=None),
        note_view(private_metadata="not json"),
        note_view(private_metadata="[1, 2]"),
        note_view(private_metadata=json.dumps({"round_id": ROUND})),
        note_view(private_metadata=json.dumps({"round_id": ROUND, "share": "yes"})),
        note_view(private_metadata=json.dumps({"round_id": 7, "share": False})),
        note_view(state=None),
        note_view(state={"values": []}),
        note_view(state={"values": {}}),
        note_view(state={"values": {"note": {"note": {"type": "plain_text_input", "value": 5}}}}),
        note_view(state={"values": {"note": "text"}}),
    ],
)
def test_a_malformed_note_submission_is_refused(view: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        read_note(view)


def test_read_note_refuses_what_isnt_a_view() -> None:
    with pytest.raises(ValueError, match="not a"):
        read_note([])  # type: ignore[arg-type]


# The setup modal


def config() -> ChannelConfig:
    return ChannelConfig(
        cadence=Cadence(weekday=3, local_time=time(14, 15), every_weeks=2),
        timezone="Europe/Madrid",
        locale="es",
        k=6,
        comment_threshold=12,
        managers=frozenset({"slack:T0001:U0MANAGER", "slack:T0001:U0OTHER"}),
        admins=frozenset({"slack:T0001:U0ADMIN"}),
        reminders=2,
        nudges=False,
        quiet_dates=frozenset({date(2026, 12, 24), date(2026, 12, 31)}),
        signpost="Call <https://eap.example|our EAP> on 0800 111 222 & ask for help",
    )


def form(
    catalog: YamlPromptCatalog, locale: str, settings: ChannelConfig | None = None
) -> SetupForm:
    return core_form.setup_form(
        settings or config(), channel_name="#design", catalog=catalog, locale=locale
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_setup_modal_is_valid_and_in_the_admins_language(
    catalog: YamlPromptCatalog, locale: str
) -> None:
    the_form = form(catalog, locale)
    view = setup_modal(the_form, channel_id=CHANNEL, catalog=catalog, locale=locale)
    assert_valid_view(view)
    assert view["callback_id"] == SETUP_VIEW
    assert json.loads(view["private_metadata"]) == {"channel_id": CHANNEL, "locale": locale}
    assert read_setup(submitted(view), team_id=TEAM).locale == locale
    assert view["title"]["text"] == catalog.message("slack.setup_title", locale=locale)
    assert view["submit"]["text"] == the_form.submit_label
    assert view["close"]["text"] == catalog.message("slack.cancel", locale=locale)
    assert view["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": the_form.title},
    }
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [f.name for f in the_form.fields]
    for block, field in zip(inputs, the_form.fields, strict=True):
        assert block["label"]["text"] == field.label
        assert block["optional"] is not field.required
        assert block.get("hint", {}).get("text") == field.hint
    text = blocks_text(view["blocks"])
    assert catalog.message("slack.choose_option", locale=locale) in text
    assert catalog.message("slack.choose_people", locale=locale) in text


def test_each_kind_of_field_gets_its_slack_element(catalog: YamlPromptCatalog) -> None:
    view = setup_modal(form(catalog, "en"), channel_id=CHANNEL, catalog=catalog, locale="en")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["weekday"]["type"] == "static_select"
    assert elements["weekday"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Thursday"},
        "value": "3",
    }
    assert elements["time"] == {"type": "timepicker", "action_id": "time", "initial_time": "14:15"}
    assert elements["k"] == {
        "type": "number_input",
        "action_id": "k",
        "is_decimal_allowed": False,
        "initial_value": "6",
    }
    assert elements["timezone"] == {
        "type": "plain_text_input",
        "action_id": "timezone",
        "multiline": False,
        "initial_value": "Europe/Madrid",
    }
    assert elements["quiet_dates"]["multiline"] is True
    assert elements["quiet_dates"]["initial_value"] == "2026-12-24\n2026-12-31"
    assert elements["signpost"]["initial_value"] == config().signpost
    assert elements["managers"]["type"] == "multi_users_select"
    assert elements["managers"]["initial_users"] == ["U0MANAGER", "U0OTHER"]
    assert elements["admins"]["initial_users"] == ["U0ADMIN"]


def test_the_setup_modal_round_trips_every_value(catalog: YamlPromptCatalog) -> None:
    the_form = form(catalog, "en")
    view = setup_modal(the_form, channel_id=CHANNEL, catalog=catalog, locale="en")
    answer = read_setup(submitted(view), team_id=TEAM)
    assert answer.channel_id == CHANNEL
    assert answer.values == {
        f.name: list(f.value) if f.kind == "people" else f.value for f in the_form.fields
    }
    settings = core_form.read_setup(answer.values, current=ChannelConfig(), catalog=catalog)
    assert settings == config()


def test_changed_answers_read_back_as_slack_sends_them(catalog: YamlPromptCatalog) -> None:
    view = setup_modal(form(catalog, "de"), channel_id=CHANNEL, catalog=catalog, locale="de")
    answer = read_setup(
        submitted(
            view,
            weekday={
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "Montag"}, "value": "0"},
            },
            time={"type": "timepicker", "selected_time": "08:45"},
            k={"type": "number_input", "value": "7"},
            managers={"type": "multi_users_select", "selected_users": ["U0NEW"]},
            admins={"type": "multi_users_select", "selected_users": []},
            signpost={"type": "plain_text_input", "value": None},
            quiet_dates={"type": "plain_text_input", "value": ""},
        ),
        team_id=TEAM,
    )
    values = answer.values
    assert (values["weekday"], values["time"], values["k"]) == ("0", "08:45", "7")
    assert values["managers"] == ["slack:T0001:U0NEW"]
    assert values["admins"] == []
    assert values["signpost"] == values["quiet_dates"] == ""
    settings = core_form.read_setup(values, current=config(), catalog=catalog)
    assert settings.cadence.weekday == 0 and settings.cadence.local_time == time(8, 45)
    assert settings.managers == frozenset({"slack:T0001:U0NEW"}) and not settings.admins
    assert settings.signpost is None and not settings.quiet_dates


def test_only_slack_people_are_preselected(catalog: YamlPromptCatalog) -> None:
    people = FormField(
        name="managers",
        kind="people",
        label="Managers",
        value=("slack:T0001:U0ONE", "teams:tenant:29:abc", "slack:T0002:U0TWO", "console:sam"),
        required=False,
    )
    nobody = FormField(name="admins", kind="people", label="Admins", value=(), required=False)
    the_form = SetupForm(title="Settings", submit_label="Save", fields=(people, nobody))
    view = setup_modal(the_form, channel_id=CHANNEL, catalog=catalog, locale="en")
    assert_valid_view(view)
    managers, admins = (b["element"] for b in view["blocks"] if b["type"] == "input")
    assert managers["initial_users"] == ["U0ONE", "U0TWO"]
    assert "initial_users" not in admins


def test_a_value_outside_the_choices_preselects_nothing(catalog: YamlPromptCatalog) -> None:
    field = FormField(
        name="question_set",
        kind="choice",
        label="Question set",
        value="retired",
        choices=(Choice(value="default", label="default"),),
    )
    the_form = SetupForm(title="Settings", submit_label="Save", fields=(field,))
    view = setup_modal(the_form, channel_id=CHANNEL, catalog=catalog, locale="en")
    assert_valid_view(view)
    assert "initial_option" not in view["blocks"][1]["element"]
    answer = read_setup(submitted(view), team_id=TEAM)
    assert answer.values == {"question_set": ""}


def test_a_long_form_title_and_submit_label_fit(catalog: YamlPromptCatalog) -> None:
    the_form = SetupForm(title="T" * 300, submit_label="S" * 40, fields=())
    view = setup_modal(the_form, channel_id=CHANNEL, catalog=catalog, locale="en")
    assert_valid_view(view)
    assert len(view["blocks"][0]["text"]["text"]) == 150


def setup_view(**changes: Any) -> dict[str, Any]:
    catalog = real_catalog()
    view = submitted(
        setup_modal(form(catalog, "en"), channel_id=CHANNEL, catalog=catalog, locale="en")
    )
    view.update(changes)
    return view


def state(name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"values": {name: {name: value}}}


@pytest.mark.parametrize(
    "view",
    [
        setup_view(callback_id=NOTE_VIEW),
        setup_view(callback_id=None),
        setup_view(private_metadata="{"),
        setup_view(private_metadata=json.dumps({"channel": CHANNEL})),
        setup_view(private_metadata=json.dumps({"channel_id": ""})),
        setup_view(state={}),
        setup_view(state={"values": {"k": {"other_action": {"type": "number_input"}}}}),
        setup_view(state=state("k", {"type": "number_input", "value": 6})),
        setup_view(state=state("k", {"type": "checkboxes", "selected_options": []})),
        setup_view(state=state("k", {"value": "6"})),
        setup_view(state=state("weekday", {"type": "static_select", "selected_option": "3"})),
        setup_view(
            state=state("weekday", {"type": "static_select", "selected_option": {"value": 3}})
        ),
        setup_view(state=state("time", {"type": "timepicker", "selected_time": 1415})),
        setup_view(state=state("managers", {"type": "multi_users_select", "selected_users": "U1"})),
        setup_view(
            state=state("managers", {"type": "multi_users_select", "selected_users": [None]})
        ),
    ],
)
def test_a_malformed_setup_submission_is_refused(view: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        read_setup(view, team_id=TEAM)


def test_errors_keep_the_modal_open_on_the_field_at_fault() -> None:
    assert errors_response(field="timezone", message="Unknown time zone") == {
        "response_action": "errors",
        "errors": {"timezone": "Unknown time zone"},
    }
