"""The shape of one prompt file: reading YAML and checking messages and question sets."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.questions import SIGNAL_VALUES, Choice, Question, QuestionSet, Signal

# ``message(key, *, locale, **params)`` takes these itself, so no placeholder may use them.
RESERVED_PLACEHOLDERS = frozenset({"self", "key", "locale"})
_BOOL_TAG = "tag:yaml.org,2002:bool"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class PromptError(ValueError):
    """A prompt file is broken; the message names the file, the key and the problem."""


def problem_line(source: str, *, key: str | None, text: str) -> str:
    """One problem as ``<file>: key '<key>': <problem>``."""
    return f"{source}: key {key!r}: {text}" if key else f"{source}: {text}"


def describe(value: object) -> str:
    """What a YAML value is, in words an editor of the file understands."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'a number; write it in quotes, like "{value}", to make it text'
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    kinds: Sequence[tuple[type, str]] = (
        (str, "text"),
        (list, "a list"),
        (dict, "a mapping"),
        (date, "a date"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


class _PromptLoader(yaml.SafeLoader):
    """YAML 1.2-style booleans (so keys like ``yes:`` stay text) and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_PromptLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PromptLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path, *, source: str) -> object:
    """Parse one YAML file; ``source`` is how errors name it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PromptError(f"{source}: the file is not UTF-8 text") from None
    except OSError as exc:
        raise PromptError(f"{source}: cannot read the file ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_PromptLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PromptError(f"{source}: {where}invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise PromptError(f"{source}: invalid YAML: {exc}") from None


def flatten_messages(data: object, *, source: str) -> dict[str, str]:
    """The messages of one file by dotted key, checking that every leaf is non-empty text."""
    if data is None:
        raise PromptError(f"{source}: the file is empty; expected a mapping of message keys")
    if not isinstance(data, dict):
        raise PromptError(
            f"{source}: expected a mapping of message keys at the top level, got {describe(data)}"
        )
    if not data:
        raise PromptError(f"{source}: the file has no messages")
    flat: dict[str, str] = {}
    _flatten(data, prefix="", source=source, into=flat)
    return flat


def _flatten(mapping: dict[Any, Any], *, prefix: str, source: str, into: dict[str, str]) -> None:
    for name, value in mapping.items():
        key = f"{prefix}{name}"
        if not isinstance(name, str):
            text = f"a key name must be text, got {describe(name)}"
            raise PromptError(problem_line(source, key=key, text=text))
        if not name or "." in name:
            text = "a key name must not be empty or contain dots; nest mappings instead"
            raise PromptError(problem_line(source, key=key, text=text))
        if isinstance(value, dict) and value:
            _flatten(value, prefix=f"{key}.", source=source, into=into)
        elif isinstance(value, str) and value.strip():
            into[key] = value
        elif isinstance(value, str):
            raise PromptError(problem_line(source, key=key, text="text is empty"))
        elif isinstance(value, dict):
            text = "expected text or a mapping of messages, got an empty mapping"
            raise PromptError(problem_line(source, key=key, text=text))
        else:
            text = f"expected text, got {describe(value)}"
            raise PromptError(problem_line(source, key=key, text=text))


def placeholder_names(template: str, *, source: str, key: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a message: plain, unreserved names, formatted in code."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        text = f"broken placeholder ({exc}); write {{{{ and }}}} for literal braces"
        raise PromptError(problem_line(source, key=key, text=text)) from None
    names: set[str] = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            text = f"placeholder {{{written}}} must be a plain name, like {{name}}"
            raise PromptError(problem_line(source, key=key, text=text))
        if name in RESERVED_PLACEHOLDERS:
            text = f"placeholder {{{name}}} uses a reserved name; choose another"
            raise PromptError(problem_line(source, key=key, text=text))
        names.add(name)
    return frozenset(names)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty_text", "text is empty")
    return value


def _has_words(value: str) -> str:
    if not any(character.isalpha() for character in value):
        raise PydanticCustomError("no_words", "a label needs words, not only numbers or emoji")
    return value


_Text = Annotated[StrictStr, AfterValidator(_non_empty)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ChoiceModel(_Model):
    value: _Text
    label: Annotated[_Text, AfterValidator(_has_words)]


class _QuestionModel(_Model):
    id: _Text
    signal: _Text
    text: _Text
    choices: list[_ChoiceModel]


class _QuestionSetModel(_Model):
    name: _Text
    questions: Annotated[list[_QuestionModel], Field(min_length=1)]


def parse_question_set(data: object, *, source: str, name: str, locale: str) -> QuestionSet:
    """A question set from one file's data; ``name`` is the file's stem."""
    if not isinstance(data, dict):
        raise PromptError(
            f"{source}: expected a mapping with 'name' and 'questions', got {describe(data)}"
        )
    try:
        model = _QuestionSetModel.model_validate(data)
    except ValidationError as exc:
        lines = [
            problem_line(source, key=_loc_key(error["loc"]), text=_explain(error))
            for error in exc.errors()
        ]
        raise PromptError("\n".join(lines)) from None
    if model.name != name:
        text = f"{model.name!r} does not match the file name; expected {name!r}"
        raise PromptError(problem_line(source, key="name", text=text))
    questions: list[Question] = []
    for index, item in enumerate(model.questions):
        questions.append(_question(item, source=source, at=f"questions[{index}]", before=questions))
    return QuestionSet(name=name, locale=locale, questions=tuple(questions))


def _question(item: _QuestionModel, *, source: str, at: str, before: list[Question]) -> Question:
    def fail(field: str, text: str) -> PromptError:
        return PromptError(problem_line(source, key=f"{at}.{field}", text=text))

    if any(question.question_id == item.id for question in before):
        raise fail("id", f"duplicate question id {item.id!r}")
    known = ", ".join(Signal)
    if item.signal not in {signal.value for signal in Signal}:
        raise fail("signal", f"unknown signal {item.signal!r}; known signals: {known}")
    signal = Signal(item.signal)
    if any(question.signal is signal for question in before):
        raise fail("signal", f"signal {signal.value!r} is already asked by an earlier question")
    expected = SIGNAL_VALUES[signal]
    values: list[str] = []
    for number, choice in enumerate(item.choices):
        if choice.value in values:
            raise fail(f"choices[{number}].value", f"duplicate choice value {choice.value!r}")
        if choice.value not in expected:
            text = f"{choice.value!r} is not a value of signal {signal.value!r}; "
            raise fail(f"choices[{number}].value", text + f"expected {', '.join(expected)}")
        values.append(choice.value)
    missing = [value for value in expected if value not in values]
    if missing:
        text = f"missing choice values for signal {signal.value!r}: {', '.join(missing)}"
        raise fail("choices", text)
    return Question(
        question_id=item.id,
        signal=signal,
        text=item.text,
        choices=tuple(Choice(value=choice.value, label=choice.label) for choice in item.choices),
    )


def _loc_key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else part
    return key


def _explain(error: ErrorDetails) -> str:
    got = describe(error.get("input"))
    explanations = {
        "missing": "missing",
        "extra_forbidden": "unknown field",
        "string_type": f"expected text, got {got}",
        "list_type": f"expected a list, got {got}",
        "model_type": f"expected a mapping, got {got}",
        "too_short": "must not be empty",
    }
    return explanations.get(error["type"], error["msg"])
