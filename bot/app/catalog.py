"""The prompt catalog: Ripple's messages and question sets per locale, checked at start-up."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.app.catalog_schema import (
    PromptError,
    flatten_messages,
    parse_question_set,
    placeholder_names,
    problem_line,
    read_yaml,
)
from bot.questions import QuestionSet
from prompts import PROMPTS_DIR

__all__ = ["REFERENCE_LOCALE", "PromptError", "YamlPromptCatalog", "resolve_locale"]

logger = logging.getLogger(__name__)

REFERENCE_LOCALE = "en"
_LOCALE_FOLDER = re.compile(r"^[a-z]{2,3}$")
_QUESTIONS_FOLDER = "questions"
_Show = Callable[[Path], str]


def resolve_locale(locale: str | None, *, available: frozenset[str]) -> str:
    """The available locale that serves ``locale`` best: itself, its language, else English.

    Accepts tags such as ``es``, ``es-MX``, ``es_MX``, ``de-AT`` or ``de_AT.UTF-8``, in any case.
    """
    if locale:
        tag = locale.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
        for candidate in (tag, tag.split("-")[0]):
            if candidate in available:
                return candidate
    return REFERENCE_LOCALE


class YamlPromptCatalog:
    """Messages and question sets for every locale, all validated by :meth:`load`.

    English is the reference: every locale has exactly its message keys, the same
    placeholders per message and the same question sets, and it is the fallback locale.
    """

    def __init__(
        self,
        *,
        messages: Mapping[str, Mapping[str, str]],
        question_sets: Mapping[str, Mapping[str, QuestionSet]],
    ) -> None:
        """Wrap already validated data; use :meth:`load` to read and check a prompts folder."""
        self._messages = {locale: dict(texts) for locale, texts in messages.items()}
        self._sets = {locale: dict(sets) for locale, sets in question_sets.items()}
        self._placeholders = {
            key: placeholder_names(text, source=REFERENCE_LOCALE, key=key)
            for key, text in self._messages.get(REFERENCE_LOCALE, {}).items()
        }
        self._locales = frozenset(self._messages)

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> YamlPromptCatalog:
        """Read and check every prompt file under ``directory``; raise PromptError if any is broken."""
        locales = _read_tree(directory.resolve())
        catalog = cls(
            messages={code: data.texts() for code, data in locales.items()},
            question_sets={code: data.sets() for code, data in locales.items()},
        )
        logger.info(
            "Loaded prompts: %d messages and %d question sets in %s",
            len(catalog.message_keys()),
            len(catalog.question_sets()),
            ", ".join(sorted(catalog.locales())),
        )
        return catalog

    def message(self, key: str, *, locale: str, **params: object) -> str:
        """The message ``key`` in ``locale`` (or English), its placeholders filled from ``params``.

        Raises KeyError for an unknown key and TypeError when a placeholder has no value.
        Extra params are ignored, so callers can pass the same context to related messages.
        """
        if key not in self._placeholders:
            close = difflib.get_close_matches(key, self._placeholders, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise KeyError(f"unknown message key {key!r}{hint}")
        missing = sorted(self._placeholders[key] - params.keys())
        if missing:
            names = ", ".join(f"{{{name}}}" for name in missing)
            raise TypeError(f"message {key!r} needs a value for {names}")
        text = self._messages[resolve_locale(locale, available=self._locales)][key]
        return text.format(**params)

    def question_set(self, name: str, *, locale: str) -> QuestionSet:
        """The question set ``name`` in ``locale`` (or English); KeyError if there is none."""
        sets = self._sets.get(resolve_locale(locale, available=self._locales), {})
        if name not in sets:
            known = ", ".join(sorted(self.question_sets())) or "none"
            raise KeyError(f"unknown question set {name!r}; known sets: {known}")
        return sets[name]

    def locales(self) -> frozenset[str]:
        return self._locales

    def question_sets(self) -> frozenset[str]:
        return frozenset(self._sets.get(REFERENCE_LOCALE, {}))

    def message_keys(self) -> frozenset[str]:
        """Every message key (the same in every locale)."""
        return frozenset(self._placeholders)

    def placeholders(self, key: str) -> frozenset[str]:
        """The placeholder names ``message(key, ...)`` needs values for."""
        return self._placeholders[key]


@dataclass(frozen=True, kw_only=True)
class _Text:
    text: str
    placeholders: frozenset[str]
    source: str


@dataclass(frozen=True, kw_only=True)
class _Locale:
    folder: str
    messages: dict[str, _Text]
    question_sets: dict[str, tuple[QuestionSet, str]]

    def texts(self) -> dict[str, str]:
        return {key: entry.text for key, entry in self.messages.items()}

    def sets(self) -> dict[str, QuestionSet]:
        return {name: question_set for name, (question_set, _) in self.question_sets.items()}


def _read_tree(root: Path) -> dict[str, _Locale]:
    if not root.is_dir():
        raise PromptError(f"{root}: the prompts folder does not exist")

    def show(path: Path) -> str:
        return path.relative_to(root.parent).as_posix()

    folders: dict[str, Path] = {}
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        if folder.name.startswith(("_", ".")):
            continue
        if not _LOCALE_FOLDER.match(folder.name):
            raise PromptError(f"{show(folder)}: a locale folder needs a language code, like 'es'")
        folders[folder.name] = folder
    if REFERENCE_LOCALE not in folders:
        raise PromptError(f"{show(root / REFERENCE_LOCALE)}: English prompts are missing")
    order = [REFERENCE_LOCALE, *sorted(set(folders) - {REFERENCE_LOCALE})]
    locales = {code: _read_locale(code, folder=folders[code], show=show) for code in order}
    reference = locales[REFERENCE_LOCALE]
    problems = [
        line
        for code in order[1:]
        for line in (
            *_compare_messages(locales[code], reference=reference),
            *_compare_sets(locales[code], reference=reference),
        )
    ]
    if problems:
        raise PromptError("\n".join(problems))
    return locales


def _read_locale(code: str, *, folder: Path, show: _Show) -> _Locale:
    _refuse_yml(folder, show=show)
    messages: dict[str, _Text] = {}
    for path in sorted(folder.glob("*.yaml")):
        source = show(path)
        for key, text in flatten_messages(read_yaml(path, source=source), source=source).items():
            if key in messages:
                where = f"also defined in {messages[key].source}; a key belongs in one file only"
                raise PromptError(problem_line(source, key=key, text=where))
            names = placeholder_names(text, source=source, key=key)
            messages[key] = _Text(text=text, placeholders=names, source=source)
    sets: dict[str, tuple[QuestionSet, str]] = {}
    questions = folder / _QUESTIONS_FOLDER
    _refuse_yml(questions, show=show)
    for path in sorted(questions.glob("*.yaml")):
        source = show(path)
        data = read_yaml(path, source=source)
        question_set = parse_question_set(data, source=source, name=path.stem, locale=code)
        sets[path.stem] = (question_set, source)
    return _Locale(folder=show(folder), messages=messages, question_sets=sets)


def _refuse_yml(folder: Path, *, show: _Show) -> None:
    stray = sorted(folder.glob("*.yml"))
    if stray:
        raise PromptError(
            f"{show(stray[0])}: prompt files end in .yaml; rename this one, or it is ignored"
        )


def _compare_messages(locale: _Locale, *, reference: _Locale) -> list[str]:
    problems: list[str] = []
    ours, english = locale.messages, reference.messages
    files = {entry.source for entry in ours.values()}
    for key in sorted(english.keys() - ours.keys()):
        source = f"{locale.folder}/{PurePosixPath(english[key].source).name}"
        if source not in files:
            count = sum(entry.source == english[key].source for entry in english.values())
            text = f"the file is missing; English has {english[key].source} ({count} messages)"
            line = problem_line(source, key=None, text=text)
            if line not in problems:
                problems.append(line)
            continue
        text = f"missing; English defines it in {english[key].source}"
        problems.append(problem_line(source, key=key, text=text))
    for key in sorted(ours.keys() - english.keys()):
        text = "unknown key; English has no such message"
        problems.append(problem_line(ours[key].source, key=key, text=text))
    for key in sorted(ours.keys() & english.keys()):
        have, want = ours[key].placeholders, english[key].placeholders
        if have != want:
            differences = [
                *(f"missing {{{name}}}" for name in sorted(want - have)),
                *(f"unexpected {{{name}}}" for name in sorted(have - want)),
            ]
            text = f"placeholders differ from English: {', '.join(differences)}"
            problems.append(problem_line(ours[key].source, key=key, text=text))
    return problems


def _compare_sets(locale: _Locale, *, reference: _Locale) -> list[str]:
    problems: list[str] = []
    for name, (english, english_source) in sorted(reference.question_sets.items()):
        source = f"{locale.folder}/{_QUESTIONS_FOLDER}/{name}.yaml"
        if name not in locale.question_sets:
            text = f"missing question set {name!r}; English has {english_source}"
            problems.append(problem_line(source, key=None, text=text))
        elif (outline := _outline(locale.question_sets[name][0])) != _outline(english):
            text = f"questions differ from English: expected {_outline(english)}; got {outline}"
            problems.append(problem_line(source, key="questions", text=text))
    for name in sorted(locale.question_sets.keys() - reference.question_sets.keys()):
        text = f"unknown question set {name!r}; English has no such set"
        problems.append(problem_line(locale.question_sets[name][1], key=None, text=text))
    return problems


def _outline(question_set: QuestionSet) -> str:
    return ", ".join(f"{q.question_id} ({q.signal.value})" for q in question_set.questions)
