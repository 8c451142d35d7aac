"""Outgoing messages as Block Kit, and taps read back from Slack's interaction payloads."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from adapters.slack.actions import (
    BUTTON_VALUE_LIMIT,
    CHOICE,
    CHOICE_PATTERN,
    OPTION_VALUE_LIMIT,
    RECORD,
    SKIP,
    SKIP_PATTERN,
    SNOOZE_AT,
    SNOOZE_AT_PATTERN,
    Record,
    Tap,
    decode_record,
    decode_tap,
    encode_tap,
    read_action,
    snooze_block_id,
    snooze_round_id,
    snooze_time,
)
from adapters.slack.blocks import blocks_text, message_payload
from bot.app.catalog import YamlPromptCatalog
from bot.compose import Speaker
from bot.conversation import picked_until
from bot.insights.aggregate import RoundCounts, SignalCounts
from bot.insights.published import Outcome, Published, View, seen_by
from bot.insights.render import nudge_message, render_digest
from bot.model import Channel, ChannelConfig, CheckIn, Person, RoundTerms
from bot.outgoing import Outgoing, QuestionMessage, SummaryMessage, TextMessage
from bot.questions import SIGNAL_VALUES, Choice, Signal
from prompts import PROMPTS_DIR

LOCALES = ("en", "es", "de")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ROUND = "slack:T0001:C0001/2026-W10"
UUID_ROUND = str(uuid.UUID(int=0xD1A5))
A_SKIP = Tap(action="skip", round_id=ROUND, question_id="q", value="")
AN_ANSWER = Tap(action="answer", round_id=ROUND, question_id="q", value="1")
INJECTION = "<!channel> & <@U0BOSS> <https://evil.example|click>"


@pytest.fixture(scope="module")
def catalog() -> YamlPromptCatalog:
    return YamlPromptCatalog.load(PROMPTS_DIR)


def speaker(catalog: YamlPromptCatalog, locale: str, *, channel_name: str = "#design") -> Speaker:
    config = ChannelConfig(signpost="Need to talk to someone? Call 0800 111 222.")
    return Speaker(
        catalog=catalog,
        locale=locale,
        checkin=CheckIn(
            round_id=ROUND,
            person_id="slack:T0001:U0001",
            channel_id="slack:T0001:C0001",
            due_at=NOW,
            updated_at=NOW,
        ),
        channel=Channel(channel_id="slack:T0001:C0001", name=channel_name, config=config),
        person=Person(person_id="slack:T0001:U0001", display_name="Sam"),
    )


def forget_confirmation(catalog: YamlPromptCatalog, locale: str) -> QuestionMessage:
    return QuestionMessage(
        recipient="slack:T0001:U0001",
        locale=locale,
        idempotency_key="forget",
        text=catalog.message("forget.confirm", locale=locale),
        choices=tuple(
            Choice(value=v, label=catalog.message(f"forget.{v}", locale=locale))
            for v in ("yes", "no")
        ),
        action="forget",
    )


def digest(catalog: YamlPromptCatalog, locale: str, *, revealed: bool = True) -> SummaryMessage:
    values = {Signal.WORKLOAD: (2, 1, 3, 2, 0), Signal.ENERGY: (1, 0, 0, 1, 0)}
    counts = RoundCounts(
        respondents=10,
        rested=2,
        signals=tuple(
            SignalCounts(
                signal=signal,
                values=tuple(
                    zip(SIGNAL_VALUES[signal], values.get(signal, (0,) * 5), strict=False)
                ),
            )
            for signal in Signal
        ),
        shared_notes=("Too many meetings", INJECTION),
    )
    published = Published(
        round_id=ROUND,
        channel_id="slack:T0001:C0001",
        period="2026-W10",
        scheduled_date=NOW.date(),
        published_at=NOW,
        terms=RoundTerms(k=5),
        members=12,
        counts=counts if revealed else None,
    )
    view = View(
        round_id=ROUND,
        viewer="slack:T0001:U0099",
        outcome=Outcome.SHOWN if revealed else Outcome.TOO_FEW,
        hidden=frozenset({Signal.ENERGY}),
        notes=True,
    )
    seen = seen_by(published, view)
    return render_digest(
        published=published,
        view=view,
        history=[seen, seen],
        channel="#design",
        catalog=catalog,
        locale=locale,
        recipient="slack:T0001:U0099",
        idempotency_key="digest",
    )


def every_message(catalog: YamlPromptCatalog, locale: str) -> dict[str, Outgoing]:
    say = speaker(catalog, locale)
    questions = catalog.question_set("default", locale=locale)
    return {
        "gate": say.gate(key="gate"),
        "reminder": say.gate(key="reminder", reminder=True, closes="Thursday 17:00"),
        "snooze": say.snooze_options(key="snooze"),
        **{
            f"question{i}": say.question(questions, i, key=f"q{i}")
            for i in range(len(questions.questions))
        },
        "note": say.note_prompt(key="note", comment_threshold=5),
        "forget": forget_confirmation(catalog, locale),
        "text": say.text(catalog.message("rest.ack", locale=locale), key="rest"),
        "export": TextMessage(
            recipient="slack:T0001:U0001",
            locale=locale,
            idempotency_key="export",
            text=catalog.message("export.text", locale=locale),
            data=json.dumps({"checkins": [{"note": "tired"}]}, indent=2),
        ),
        "digest": digest(catalog, locale),
        "suppressed": digest(catalog, locale, revealed=False),
        "nudge": nudge_message(
            rule="high_load",
            catalog=catalog,
            locale=locale,
            recipient="slack:T0001:U0099",
            idempotency_key="nudge",
            channel="#design",
        ),
    }


def assert_valid_blocks(blocks: list[dict[str, Any]], *, limit: int = 50) -> None:
    """Slack's limits, checked by slack_sdk's own models and by hand where it doesn't."""
    assert 0 < len(blocks) <= limit
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
        assert parsed.to_dict() == block, "a key slack_sdk doesn't know would be dropped"
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            assert 0 < len(block["elements"]) <= 25
        for element in block.get("elements", []):
            if element["type"] == "button":
                assert 0 < len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= BUTTON_VALUE_LIMIT
                assert element.get("style") in (None, "primary", "danger")
            for option in element.get("options", []):
                assert len(option["value"]) <= OPTION_VALUE_LIMIT


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


# Every kind of message


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_valid_block_kit(catalog: YamlPromptCatalog, locale: str) -> None:
    for name, message in every_message(catalog, locale).items():
        payload = message_payload(message, catalog=catalog)
        assert set(payload) == {"text", "blocks"}, name
        assert payload["text"], name
        assert_valid_blocks(payload["blocks"])


@pytest.mark.parametrize("locale", LOCALES)
def test_the_gate_offers_three_equal_ways_forward(catalog: YamlPromptCatalog, locale: str) -> None:
    message = speaker(catalog, locale).gate(key="gate")
    blocks = message_payload(message, catalog=catalog)["blocks"]
    shown = buttons(blocks)
    labels = [b["text"]["text"] for b in shown]
    assert labels == [catalog.message(f"gate.{v}", locale=locale) for v in ("now", "later", "rest")]
    assert [b["action_id"] for b in shown] == [f"{CHOICE}:{i}" for i in range(3)]
    assert all(CHOICE_PATTERN.match(b["action_id"]) for b in shown)
    taps = [decode_tap(b["value"]) for b in shown]
    assert taps == [
        Tap(action="capacity", round_id=ROUND, question_id=None, value=v)
        for v in ("now", "later", "rest")
    ]
    styles = {tap.value: b.get("style") for tap, b in zip(taps, shown, strict=True)}
    assert styles == {"now": "primary", "later": None, "rest": None}
    assert blocks[-1]["type"] == "context"
    assert "0800 111 222" in blocks_text(blocks[-1:])


@pytest.mark.parametrize("locale", LOCALES)
def test_a_question_shows_its_choices_skip_and_progress(
    catalog: YamlPromptCatalog, locale: str
) -> None:
    questions = catalog.question_set("default", locale=locale)
    message = speaker(catalog, locale).question(questions, 1, key="q1")
    blocks = message_payload(message, catalog=catalog)["blocks"]
    shown = buttons(blocks)
    question = questions.questions[1]
    assert [b["text"]["text"] for b in shown[:-1]] == [c.label for c in question.choices]
    assert [decode_tap(b["value"]).value for b in shown[:-1]] == [c.value for c in question.choices]
    skip = shown[-1]
    assert skip["action_id"] == SKIP and SKIP_PATTERN.match(skip["action_id"])
    assert skip["text"]["text"] == catalog.message("question.skip", locale=locale)
    assert decode_tap(skip["value"]) == Tap(
        action="skip", round_id=ROUND, question_id=question.question_id, value=""
    )
    assert not any(b.get("style") for b in shown), "no answer is the right one"
    progress = catalog.message("question.progress", locale=locale, step=2, total=5)
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": progress}]}
    assert question.text in blocks_text(blocks)


def test_more_than_five_choices_become_a_menu(catalog: YamlPromptCatalog) -> None:
    message = QuestionMessage(
        recipient="slack:T0001:U0001",
        locale="es",
        idempotency_key="k",
        text="How many days did you work late?",
        choices=tuple(Choice(value=str(n), label=f"{n} days") for n in range(8)),
        action="answer",
        round_id=UUID_ROUND,
        question_id="late_days",
        can_skip=True,
    )
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    (menu,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"][:1]]
    assert menu["type"] == "static_select"
    assert menu["action_id"] == CHOICE and CHOICE_PATTERN.match(CHOICE)
    assert menu["placeholder"]["text"] == catalog.message("slack.choose", locale="es")
    assert [decode_tap(o["value"]).value for o in menu["options"]] == [str(n) for n in range(8)]
    assert buttons(blocks)[-1]["action_id"] == SKIP


def test_a_menu_option_too_long_for_slack_fails_loudly(catalog: YamlPromptCatalog) -> None:
    def menu(question_id: str) -> QuestionMessage:
        return QuestionMessage(
            recipient="slack:T0001:U0001",
            idempotency_key="k",
            text="Pick one",
            choices=tuple(Choice(value=f"value_{n}", label=str(n)) for n in range(6)),
            action="answer",
            round_id=UUID_ROUND,
            question_id=question_id,
        )

    fits = message_payload(menu("q" * 80), catalog=catalog)["blocks"]
    assert_valid_blocks(fits)
    with pytest.raises(ValueError, match="150"):
        message_payload(menu("q" * 120), catalog=catalog)


@pytest.mark.parametrize("locale", LOCALES)
def test_snooze_options_come_with_a_time_picker(catalog: YamlPromptCatalog, locale: str) -> None:
    blocks = message_payload(speaker(catalog, locale).snooze_options(key="s"), catalog=catalog)[
        "blocks"
    ]
    assert [decode_tap(b["value"]).value for b in buttons(blocks)] == [
        "in_1h",
        "this_afternoon",
        "tomorrow_morning",
    ]
    picker_block = blocks[-1]
    assert picker_block["elements"] == [{"type": "datetimepicker", "action_id": SNOOZE_AT}]
    assert snooze_round_id(picker_block["block_id"]) == ROUND
    assert blocks_text(blocks[-2:-1]) == catalog.message("slack.pick_time", locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_note_choices_are_taps_too(catalog: YamlPromptCatalog, locale: str) -> None:
    blocks = message_payload(
        speaker(catalog, locale).note_prompt(key="n", comment_threshold=5), catalog=catalog
    )["blocks"]
    taps = [decode_tap(b["value"]) for b in buttons(blocks)]
    assert [(t.action, t.round_id, t.value) for t in taps] == [
        ("note", ROUND, v) for v in ("none", "private", "shared")
    ]
    assert [b["text"]["text"] for b in buttons(blocks)] == [
        catalog.message(f"note.{v}", locale=locale) for v in ("none", "private", "shared")
    ]


def test_only_erasing_data_is_styled_as_destructive(catalog: YamlPromptCatalog) -> None:
    for name, message in every_message(catalog, "en").items():
        for button in buttons(message_payload(message, catalog=catalog)["blocks"]):
            if button["action_id"] == RECORD:
                assert "style" not in button
                continue
            tap = decode_tap(button["value"])
            if button.get("style") == "danger":
                assert (name, tap.action, tap.value) == ("forget", "forget", "yes")
            if tap.value == "rest":
                assert "style" not in button


# Escaping and limits


def test_a_channel_name_cannot_mention_anyone(catalog: YamlPromptCatalog) -> None:
    message = speaker(catalog, "en", channel_name=INJECTION).gate(key="gate")
    payload = message_payload(message, catalog=catalog)
    for text in [payload["text"], *mrkdwn_texts(payload["blocks"])]:
        assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in payload["text"]
    assert INJECTION in blocks_text(payload["blocks"])


def test_a_shared_note_in_a_digest_is_escaped(catalog: YamlPromptCatalog) -> None:
    payload = message_payload(digest(catalog, "en"), catalog=catalog)
    for text in [payload["text"], *mrkdwn_texts(payload["blocks"])]:
        assert "<!channel>" not in text and "<@" not in text
    assert INJECTION in blocks_text(payload["blocks"])


def test_exported_data_is_escaped_inside_its_code_block(catalog: YamlPromptCatalog) -> None:
    data = json.dumps({"note": INJECTION}, indent=2)
    message = TextMessage(recipient="p", idempotency_key="k", text="Your data", data=data)
    blocks = message_payload(message, catalog=catalog)["blocks"]
    code = blocks[-1]["text"]["text"]
    assert code.startswith("```\n") and code.endswith("\n```")
    assert "<" not in code and "&lt;!channel&gt;" in code
    assert data in blocks_text(blocks)


def test_a_long_export_is_split_and_kept_whole(catalog: YamlPromptCatalog) -> None:
    document = {"checkins": [{"note": f"week {i} & more <b>", "answers": {}} for i in range(400)]}
    data = json.dumps(document, indent=2)
    message = TextMessage(recipient="p", idempotency_key="k", text="Your data", data=data)
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    code = [b["text"]["text"] for b in blocks[1:]]
    assert len(code) > 3
    shown = "\n".join(c.removeprefix("```\n").removesuffix("\n```") for c in code)
    assert blocks_text([{"type": "mrkdwn", "text": shown}]) == data
    truncated = catalog.message("slack.export_truncated", locale="en")
    assert truncated not in blocks_text(blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_an_export_too_long_for_one_message_says_so(
    catalog: YamlPromptCatalog, locale: str
) -> None:
    data = json.dumps([{"line": "x" * 60, "i": i} for i in range(6000)], indent=2)
    message = TextMessage(
        recipient="p",
        locale=locale,
        idempotency_key="k",
        text=catalog.message("export.text", locale=locale),
        footer="A footer stays",
        data=data,
    )
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    assert len(blocks) == 50
    assert blocks_text(blocks[-2:-1]) == catalog.message("slack.export_truncated", locale=locale)
    assert blocks_text(blocks[-1:]) == "A footer stays"


def test_one_very_long_line_is_cut_without_breaking_an_entity(catalog: YamlPromptCatalog) -> None:
    data = "&" * 9000  # every character becomes five when escaped
    message = TextMessage(recipient="p", idempotency_key="k", text="Data", data=data)
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    for block in blocks[1:]:
        body = block["text"]["text"].removeprefix("```\n").removesuffix("\n```")
        assert body.replace("&amp;", "") == ""
    assert blocks_text(blocks).count("&") == 9000


def test_long_text_is_split_across_sections(catalog: YamlPromptCatalog) -> None:
    text = "\n".join(f"Line {i}: " + "word " * 30 for i in range(100))
    message = TextMessage(recipient="p", idempotency_key="k", text=text)
    payload = message_payload(message, catalog=catalog)
    assert_valid_blocks(payload["blocks"])
    assert len(payload["blocks"]) > 1
    assert blocks_text(payload["blocks"]) == text
    assert len(payload["text"]) <= 3000


def test_a_message_never_exceeds_fifty_blocks(catalog: YamlPromptCatalog) -> None:
    text = "\n".join("x" * 2999 for _ in range(80))
    message = TextMessage(recipient="p", locale="de", idempotency_key="k", text=text)
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    assert len(blocks) == 50
    assert blocks_text(blocks[-1:]) == catalog.message("slack.truncated", locale="de")


def test_long_button_labels_are_clipped(catalog: YamlPromptCatalog) -> None:
    message = QuestionMessage(
        recipient="p",
        idempotency_key="k",
        text="Which?",
        choices=(Choice(value="a", label="A" * 200), Choice(value="b", label="B")),
        action="answer",
        round_id=ROUND,
        question_id="q",
    )
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    assert buttons(blocks)[0]["text"]["text"] == "A" * 74 + "…"


# Summaries and nudges


@pytest.mark.parametrize("locale", LOCALES)
def test_a_digest_has_its_title_and_bold_headings(catalog: YamlPromptCatalog, locale: str) -> None:
    message = digest(catalog, locale)
    payload = message_payload(message, catalog=catalog)
    blocks = payload["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": message.title}}
    headings = [s.heading for s in message.sections]
    *sections, record = blocks[1:]
    assert [b["text"]["text"].split("\n")[0] for b in sections] == [f"*{h}*" for h in headings]
    (button,) = record["elements"]
    assert button["action_id"] == RECORD
    assert decode_record(button["value"]) == Record(
        round_id=str(message.round_id), rule=None, locale=locale
    )
    assert button["text"]["text"] == catalog.message("loop.button", locale=locale)
    for section in message.sections:
        for line in section.lines:
            assert line in blocks_text(blocks)
    assert payload["text"].startswith(message.title)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_suppressed_digest_says_only_that(catalog: YamlPromptCatalog, locale: str) -> None:
    message = digest(catalog, locale, revealed=False)
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section"]
    assert blocks_text(blocks) == f"{message.title}\n{message.text}"


def test_a_long_title_fits_the_header(catalog: YamlPromptCatalog) -> None:
    message = SummaryMessage(
        recipient="p", idempotency_key="k", title="T" * 400, suppressed=True, sections=(), text="x"
    )
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert_valid_blocks(blocks)
    assert len(blocks[0]["text"]["text"]) == 150


@pytest.mark.parametrize("locale", LOCALES)
def test_a_nudge_names_the_pattern_then_the_action(catalog: YamlPromptCatalog, locale: str) -> None:
    message = every_message(catalog, locale)["nudge"]
    assert message.kind == "nudge"
    blocks = message_payload(message, catalog=catalog)["blocks"]
    assert [b["type"] for b in blocks] == ["section", "section"]
    assert blocks_text(blocks) == f"{message.text}\n{message.action}"


@pytest.mark.parametrize("locale", ["es", "de"])
def test_labels_follow_the_recipients_language(catalog: YamlPromptCatalog, locale: str) -> None:
    message = every_message(catalog, locale)["question0"]
    text = blocks_text(message_payload(message, catalog=catalog)["blocks"])
    assert catalog.message("question.skip", locale=locale) in text
    assert catalog.message("question.skip", locale="en") not in text


# Taps

optional_text = st.none() | st.text(max_size=60)


@given(
    action=st.sampled_from(["capacity", "snooze", "answer", "note", "forget", "skip"]),
    round_id=optional_text,
    question_id=optional_text,
    value=st.text(max_size=60),
)
def test_a_tap_survives_the_round_trip(
    action: str, round_id: str | None, question_id: str | None, value: str
) -> None:
    tap = Tap(action=action, round_id=round_id, question_id=question_id, value=value)
    assert decode_tap(encode_tap(tap)) == tap


@given(st.text(max_size=200))
def test_any_text_decodes_to_a_tap_or_a_value_error(raw: str) -> None:
    try:
        tap = decode_tap(raw)
    except ValueError:
        return
    assert isinstance(tap, Tap)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "null",
        "not json",
        "{}",
        '{"action": "answer"}',
        "[]",
        '["answer"]',
        '["answer", null, null, "1", "extra"]',
        '["delete_everything", null, null, "1"]',
        '[null, null, null, "1"]',
        '["answer", 42, null, "1"]',
        '["answer", null, ["q"], "1"]',
        '["answer", null, null, 5]',
        '["answer", null, null, null]',
        "[" * 5000,
        None,
        42,
        ["answer", None, None, "1"],
    ],
)
def test_a_tampered_tap_is_refused(raw: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        decode_tap(raw)


def test_a_uuid_round_and_long_question_fit_a_menu_option() -> None:
    tap = Tap(action="answer", round_id=UUID_ROUND, question_id="q" * 90, value="3")
    assert len(encode_tap(tap, limit=OPTION_VALUE_LIMIT)) <= OPTION_VALUE_LIMIT
    too_long = Tap(action="answer", round_id=UUID_ROUND, question_id="q" * 100, value="3")
    with pytest.raises(ValueError, match="150"):
        encode_tap(too_long, limit=OPTION_VALUE_LIMIT)
    assert len(encode_tap(too_long)) <= BUTTON_VALUE_LIMIT
    with pytest.raises(ValueError, match="2000"):
        encode_tap(Tap(action="answer", round_id=None, question_id=None, value="v" * 2000))
    with pytest.raises(ValueError, match="unknown tap action"):
        encode_tap(Tap(action="delete", round_id=None, question_id=None, value=""))


def test_the_snooze_block_id_carries_the_round() -> None:
    for round_id in (ROUND, UUID_ROUND):
        block_id = snooze_block_id(round_id)
        assert len(block_id) <= 255
        assert snooze_round_id(block_id) == round_id
    for bad in ("", "x" * 250):
        with pytest.raises(ValueError, match="block_id"):
            snooze_block_id(bad)
    for tampered in ("ripple_snooze:", "other:round", None, 7):
        with pytest.raises(ValueError, match=r"block_id|round"):
            snooze_round_id(tampered)


def test_button_and_menu_actions_read_back_as_taps() -> None:
    tap = Tap(action="answer", round_id=ROUND, question_id="energy", value="2")
    button = {"type": "button", "action_id": f"{CHOICE}:1", "value": encode_tap(tap)}
    menu = {
        "type": "static_select",
        "action_id": CHOICE,
        "selected_option": {"text": {"type": "plain_text", "text": "2"}, "value": encode_tap(tap)},
    }
    skip = Tap(action="skip", round_id=ROUND, question_id="energy", value="")
    skip_button = {"type": "button", "action_id": SKIP, "value": encode_tap(skip)}
    assert read_action(button) == read_action(menu) == tap
    assert read_action(skip_button) == skip


def test_a_picked_time_reads_back_as_a_snooze_the_core_understands() -> None:
    picked = int((NOW + timedelta(hours=5)).timestamp())
    action: dict[str, Any] = {
        "type": "datetimepicker",
        "action_id": SNOOZE_AT,
        "block_id": snooze_block_id(ROUND),
        "selected_date_time": picked,
        "action_ts": "1700000000.000200",
    }
    assert SNOOZE_AT_PATTERN.match(action["action_id"])
    tap = read_action(action)
    assert (tap.action, tap.round_id, tap.question_id) == ("snooze", ROUND, None)
    assert tap.until is not None
    assert picked_until(tap.until, now=NOW, zone="Europe/Berlin") == NOW + timedelta(hours=5)
    assert snooze_time(str(picked)) == tap.until


@pytest.mark.parametrize(
    "action",
    [
        {},
        {"action_id": "someone_elses_button", "value": "x"},
        {"action_id": f"{CHOICE}:0"},
        {"action_id": f"{CHOICE}:0", "value": "[1,2,3,4]"},
        {"action_id": CHOICE, "selected_option": "3"},
        {"action_id": f"{CHOICE}:0", "value": encode_tap(A_SKIP)},
        {"action_id": SKIP, "value": encode_tap(AN_ANSWER)},
        {"action_id": SNOOZE_AT, "selected_date_time": 1700046000},
        {"action_id": SNOOZE_AT, "block_id": snooze_block_id(ROUND)},
        {"action_id": SNOOZE_AT, "block_id": snooze_block_id(ROUND), "selected_date_time": "soon"},
        {"action_id": SNOOZE_AT, "block_id": snooze_block_id(ROUND), "selected_date_time": True},
        {"action_id": SNOOZE_AT, "block_id": snooze_block_id(ROUND), "selected_date_time": 10**30},
    ],
)
def test_a_tampered_action_is_refused(action: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        read_action(action)
