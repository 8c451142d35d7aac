"""The prompt catalog: the real prompts load, render and fall back; broken files are named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.catalog import PromptError, YamlPromptCatalog, resolve_locale
from bot.questions import SIGNAL_VALUES, Signal
from prompts import PROMPTS_DIR

LOCALES = ("en", "es", "de")
DEFAULT_SIGNALS = [
    Signal.WORKLOAD,
    Signal.ENERGY,
    Signal.EXTRA_HOURS,
    Signal.COVERING,
    Signal.REAL_REST,
]
BUTTON_KEYS = (
    "gate.now",
    "gate.later",
    "gate.rest",
    "snooze.in_1h",
    "snooze.this_afternoon",
    "snooze.tomorrow_morning",
    "question.skip",
    "note.none",
    "note.private",
    "note.shared",
    "forget.yes",
    "forget.no",
)


@pytest.fixture(scope="module")
def catalog() -> YamlPromptCatalog:
    return YamlPromptCatalog.load()


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    """A copy of the real messages and question sets, leaving out the other files of a locale."""
    root = tmp_path / "prompts"
    for locale in LOCALES:
        (root / locale).mkdir(parents=True)
        shutil.copy(PROMPTS_DIR / locale / "messages.yaml", root / locale / "messages.yaml")
        shutil.copytree(PROMPTS_DIR / locale / "questions", root / locale / "questions")
    return root


Edit = Callable[[dict[str, Any]], object]


def edit(path: Path, change: Edit) -> None:
    """Change a YAML file through its data; every scalar is read as text, as editors see it."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def load_error(root: Path) -> str:
    with pytest.raises(PromptError) as caught:
        YamlPromptCatalog.load(root)
    return str(caught.value)


# The real catalog


def test_the_real_catalog_loads(catalog: YamlPromptCatalog) -> None:
    assert set(LOCALES) <= catalog.locales()
    assert "default" in catalog.question_sets()
    assert {"gate.text", "gate.now", "rest.ack", "help.text"} <= catalog.message_keys()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_renders_every_key(catalog: YamlPromptCatalog, locale: str) -> None:
    for key in catalog.message_keys():
        params = {name: f"<{name}>" for name in catalog.placeholders(key)}
        rendered = catalog.message(key, locale=locale, **params)
        assert rendered.strip(), key
        for value in params.values():
            assert value in rendered, key


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_the_default_set(catalog: YamlPromptCatalog, locale: str) -> None:
    questions = catalog.question_set("default", locale=locale)

    assert questions.locale == locale
    assert [question.signal for question in questions.questions] == DEFAULT_SIGNALS
    for question in questions.questions:
        assert question.question_id == question.signal.value
        assert sorted(choice.value for choice in question.choices) == sorted(
            SIGNAL_VALUES[question.signal]
        )


def test_the_copied_tree_loads(prompts: Path) -> None:
    assert YamlPromptCatalog.load(prompts).locales() == frozenset(LOCALES)


# Rendering and fallback


def test_placeholders_are_filled(catalog: YamlPromptCatalog) -> None:
    text = catalog.message("gate.text", locale="en", name="Sam", channel="#design")

    assert text == (
        "Hi Sam — it's check-in time for #design. "
        "Do you have the capacity for two minutes of questions right now?"
    )
    assert "Sam" in catalog.message("gate.text", locale="de", name="Sam", channel="#design")


def test_extra_params_are_ignored(catalog: YamlPromptCatalog) -> None:
    assert catalog.message("rest.ack", locale="en", name="Sam") == catalog.message(
        "rest.ack", locale="en"
    )


def test_a_missing_param_is_named(catalog: YamlPromptCatalog) -> None:
    with pytest.raises(TypeError, match=r"'gate\.text'.*\{channel\}"):
        catalog.message("gate.text", locale="es", name="Sam")


def test_an_unknown_key_is_named(catalog: YamlPromptCatalog) -> None:
    with pytest.raises(KeyError, match=r"gate\.nwo.*gate\.now"):
        catalog.message("gate.nwo", locale="en")


def test_keys_named_yes_and_no_stay_text(catalog: YamlPromptCatalog) -> None:
    assert catalog.message("forget.yes", locale="en") == "Yes, erase my data"
    assert catalog.message("forget.no", locale="en") == "Keep my data"


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        ("es", "es"),
        ("es-MX", "es"),
        ("es_MX", "es"),
        ("ES-es", "es"),
        ("de-AT", "de"),
        ("de_AT.UTF-8", "de"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("fr-CA", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_resolve_locale(asked: str | None, served: str) -> None:
    assert resolve_locale(asked, available=frozenset(LOCALES)) == served


def test_messages_fall_back_by_language_then_to_english(catalog: YamlPromptCatalog) -> None:
    assert catalog.message("gate.now", locale="es-MX") == catalog.message("gate.now", locale="es")
    assert catalog.message("gate.now", locale="fr") == catalog.message("gate.now", locale="en")
    assert catalog.message("gate.now", locale="de") != catalog.message("gate.now", locale="en")


def test_question_sets_fall_back_too(catalog: YamlPromptCatalog) -> None:
    assert catalog.question_set("default", locale="es-MX").locale == "es"
    assert catalog.question_set("default", locale="fr").locale == "en"


def test_an_unknown_question_set_lists_the_known_ones(catalog: YamlPromptCatalog) -> None:
    with pytest.raises(KeyError, match=r"'weekly'.*default"):
        catalog.question_set("weekly", locale="en")


# Voice: every option a person can tap has words


@pytest.mark.parametrize("locale", LOCALES)
def test_buttons_and_choices_have_words(catalog: YamlPromptCatalog, locale: str) -> None:
    labels = [catalog.message(key, locale=locale) for key in BUTTON_KEYS]
    labels += [
        choice.label
        for question in catalog.question_set("default", locale=locale).questions
        for choice in question.choices
    ]
    for label in labels:
        assert any(character.isalpha() for character in label), label


def test_a_choice_label_without_words_is_refused(prompts: Path) -> None:
    def emoji_only(data: dict[str, Any]) -> None:
        data["questions"][1]["choices"][0]["label"] = "😫"

    edit(prompts / "en" / "questions" / "default.yaml", emoji_only)

    error = load_error(prompts)
    assert "prompts/en/questions/default.yaml: key 'questions[1].choices[0].label'" in error
    assert "needs words" in error


# Broken files are named: file, key and problem


def test_bad_yaml_syntax_names_the_line(prompts: Path) -> None:
    (prompts / "es" / "messages.yaml").write_text(
        'gate:\n  now: "Sí"\n   later: "Más tarde"\n', encoding="utf-8"
    )

    error = load_error(prompts)
    assert error.startswith("prompts/es/messages.yaml: line 3, column 4: invalid YAML")


def test_a_duplicate_key_in_one_file_is_refused(prompts: Path) -> None:
    path = prompts / "de" / "messages.yaml"
    path.write_text(path.read_text(encoding="utf-8") + 'rest:\n  ack: "Noch mal"\n')

    error = load_error(prompts)
    assert error.startswith("prompts/de/messages.yaml: line")
    assert "duplicate key 'rest'" in error


def test_a_missing_key_is_named(prompts: Path) -> None:
    edit(prompts / "de" / "messages.yaml", lambda data: data["gate"].pop("now"))

    error = load_error(prompts)
    assert "prompts/de/messages.yaml: key 'gate.now': missing" in error
    assert "prompts/en/messages.yaml" in error


def test_an_unknown_key_in_a_locale_is_named(prompts: Path) -> None:
    edit(prompts / "es" / "messages.yaml", lambda data: data["gate"].update(maybe="Quizás"))

    error = load_error(prompts)
    assert "prompts/es/messages.yaml: key 'gate.maybe': unknown key" in error


def test_missing_and_unknown_keys_are_reported_together(prompts: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["rest"]["ok"] = data["rest"].pop("ack")

    edit(prompts / "de" / "messages.yaml", rename)

    error = load_error(prompts)
    assert "key 'rest.ack': missing" in error
    assert "key 'rest.ok': unknown key" in error


def test_a_placeholder_mismatch_names_both_placeholders(prompts: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["gate"]["text"] = data["gate"]["text"].replace("{channel}", "{kanal}")

    edit(prompts / "de" / "messages.yaml", rename)

    error = load_error(prompts)
    assert "prompts/de/messages.yaml: key 'gate.text': placeholders differ from English" in error
    assert "missing {channel}" in error
    assert "unexpected {kanal}" in error


def test_a_broken_placeholder_is_refused(prompts: Path) -> None:
    edit(prompts / "en" / "messages.yaml", lambda data: data["gate"].update(text="Hi {name"))

    error = load_error(prompts)
    assert "prompts/en/messages.yaml: key 'gate.text': broken placeholder" in error


def test_a_format_spec_is_refused(prompts: Path) -> None:
    edit(prompts / "en" / "messages.yaml", lambda data: data["note"].update(too_long="{limit:d}"))

    error = load_error(prompts)
    assert "prompts/en/messages.yaml: key 'note.too_long': placeholder {limit:d}" in error


def test_a_reserved_placeholder_is_refused(prompts: Path) -> None:
    edit(prompts / "en" / "messages.yaml", lambda data: data["gate"].update(now="{locale}"))

    error = load_error(prompts)
    assert "prompts/en/messages.yaml: key 'gate.now': placeholder {locale}" in error


def test_a_list_where_text_belongs_is_named(prompts: Path) -> None:
    edit(prompts / "de" / "messages.yaml", lambda data: data["gate"].update(now=["Ja"]))

    error = load_error(prompts)
    assert error == "prompts/de/messages.yaml: key 'gate.now': expected text, got a list"


def test_empty_text_is_named(prompts: Path) -> None:
    edit(prompts / "es" / "messages.yaml", lambda data: data["rest"].update(ack=" "))

    assert load_error(prompts) == "prompts/es/messages.yaml: key 'rest.ack': text is empty"


def test_a_top_level_list_is_refused(prompts: Path) -> None:
    (prompts / "es" / "messages.yaml").write_text("- one\n- two\n", encoding="utf-8")

    error = load_error(prompts)
    assert error.startswith("prompts/es/messages.yaml: expected a mapping")
    assert "got a list" in error


def test_a_key_in_two_files_of_a_locale_is_refused(prompts: Path) -> None:
    (prompts / "en" / "more.yaml").write_text('gate:\n  now: "Go"\n', encoding="utf-8")

    error = load_error(prompts)
    assert "prompts/more.yaml" not in error
    assert "key 'gate.now': also defined in prompts/en/messages.yaml" in error
    assert "prompts/en/more.yaml" in error


def test_a_missing_file_in_a_locale_is_named_once(prompts: Path) -> None:
    (prompts / "en" / "extra.yaml").write_text('extra:\n  a: "A"\n  b: "B"\n', encoding="utf-8")

    error = load_error(prompts)
    assert error.count("prompts/de/extra.yaml: the file is missing") == 1
    assert "prompts/es/extra.yaml: the file is missing" in error


def test_english_must_exist(prompts: Path) -> None:
    shutil.rmtree(prompts / "en")

    assert load_error(prompts).startswith("prompts/en: English prompts are missing")


def test_an_unknown_signal_is_named(prompts: Path) -> None:
    def overtime(data: dict[str, Any]) -> None:
        data["questions"][2]["signal"] = "overtime"

    edit(prompts / "de" / "questions" / "default.yaml", overtime)

    error = load_error(prompts)
    assert "prompts/de/questions/default.yaml: key 'questions[2].signal'" in error
    assert "unknown signal 'overtime'" in error
    assert "extra_hours" in error


def test_a_wrong_choice_value_is_named(prompts: Path) -> None:
    def zero(data: dict[str, Any]) -> None:
        data["questions"][0]["choices"][0]["value"] = "0"

    edit(prompts / "es" / "questions" / "default.yaml", zero)

    error = load_error(prompts)
    assert "prompts/es/questions/default.yaml: key 'questions[0].choices[0].value'" in error
    assert "'0' is not a value of signal 'workload'" in error


def test_a_missing_choice_value_is_named(prompts: Path) -> None:
    edit(
        prompts / "en" / "questions" / "default.yaml",
        lambda data: data["questions"][3]["choices"].pop(),
    )

    error = load_error(prompts)
    assert "prompts/en/questions/default.yaml: key 'questions[3].choices'" in error
    assert "missing choice values for signal 'covering': yes" in error


def test_an_unquoted_number_value_gets_a_hint(prompts: Path) -> None:
    path = prompts / "en" / "questions" / "default.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('value: "3"', "value: 3", 1))

    error = load_error(prompts)
    assert "key 'questions[0].choices[2].value': expected text, got a number" in error
    assert 'like "3"' in error


def test_unquoted_yes_and_no_values_stay_text(prompts: Path) -> None:
    path = prompts / "en" / "questions" / "default.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('value: "yes"', "value: yes").replace('value: "no"', "value: no"))

    covering = YamlPromptCatalog.load(prompts).question_set("default", locale="en").questions[3]
    assert [choice.value for choice in covering.choices] == ["no", "yes"]


def test_a_duplicate_question_id_is_named(prompts: Path) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        data["questions"][1]["id"] = "workload"

    edit(prompts / "es" / "questions" / "default.yaml", duplicate)

    error = load_error(prompts)
    assert "prompts/es/questions/default.yaml: key 'questions[1].id'" in error
    assert "duplicate question id 'workload'" in error


def test_a_missing_question_field_is_named(prompts: Path) -> None:
    edit(
        prompts / "de" / "questions" / "default.yaml",
        lambda data: data["questions"][4].pop("text"),
    )

    error = load_error(prompts)
    assert error == "prompts/de/questions/default.yaml: key 'questions[4].text': missing"


def test_questions_must_match_english_across_locales(prompts: Path) -> None:
    edit(
        prompts / "de" / "questions" / "default.yaml",
        lambda data: data["questions"].reverse(),
    )

    error = load_error(prompts)
    assert "prompts/de/questions/default.yaml: key 'questions': questions differ" in error


def test_a_missing_question_set_is_named(prompts: Path) -> None:
    (prompts / "de" / "questions" / "default.yaml").unlink()

    error = load_error(prompts)
    assert "prompts/de/questions/default.yaml: missing question set 'default'" in error
    assert "prompts/en/questions/default.yaml" in error


def test_an_unknown_question_set_in_a_locale_is_named(prompts: Path) -> None:
    extra = prompts / "es" / "questions" / "short.yaml"
    shutil.copy(prompts / "es" / "questions" / "default.yaml", extra)
    edit(extra, lambda data: data.update(name="short"))

    error = load_error(prompts)
    assert error == (
        "prompts/es/questions/short.yaml: unknown question set 'short'; English has no such set"
    )


def test_a_set_name_must_match_its_file(prompts: Path) -> None:
    edit(prompts / "en" / "questions" / "default.yaml", lambda data: data.update(name="weekly"))

    error = load_error(prompts)
    assert "prompts/en/questions/default.yaml: key 'name': 'weekly' does not match" in error
