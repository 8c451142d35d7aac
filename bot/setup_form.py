"""The channel settings form: what an admin sees and edits, and how their answers are read.

Slack's setup modal and Teams' setup card both render this one description, so the
fields, their labels and the rules for reading them live in the core, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Literal

from bot.model import MAX_REMINDERS, ChannelConfig, ConfigError
from bot.ports import PromptCatalog
from bot.questions import Choice

FieldKind = Literal["choice", "number", "time", "text", "long_text", "people"]
FormValue = str | Sequence[str]

EVERY_WEEKS = ("1", "2", "3", "4")
NOISE_BUDGETS = ("off", "1", "3", "10")  # ε per quarter; see docs/privacy.md
HINTED = frozenset(
    {
        "time",
        "timezone",
        "k",
        "comment_threshold",
        "noise_budget",
        "managers",
        "admins",
        "quiet_dates",
        "signpost",
        "start",
    }
)
MAX_QUIET_DATES = 60
# Not a setting: whether saving also starts this week's check-in right away.
START_FIELD = "start"
# The fields whose answers are people (person ids), as a platform's people picker gives them.
PEOPLE_FIELDS = ("managers", "admins")


@dataclass(frozen=True, kw_only=True)
class FormField:
    """One setting. ``value`` is its current value as text; people fields hold person ids."""

    name: str
    kind: FieldKind
    label: str
    hint: str | None = None
    value: str | tuple[str, ...] = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True


@dataclass(frozen=True, kw_only=True)
class SetupForm:
    title: str
    submit_label: str
    fields: tuple[FormField, ...]


class FormError(ValueError):
    """An answer on the form can't be used; ``field`` names it, the message says why."""

    def __init__(self, message: str, *, field: str | None) -> None:
        super().__init__(message)
        self.field = field


def setup_form(
    config: ChannelConfig, *, channel_name: str, catalog: PromptCatalog, locale: str
) -> SetupForm:
    """The form for one channel, filled in with its current settings."""

    def say(key: str, **params: object) -> str:
        return catalog.message(f"setup.{key}", locale=locale, **params)

    def field(
        name: str,
        kind: FieldKind,
        value: str | tuple[str, ...],
        *,
        choices: tuple[Choice, ...] = (),
        required: bool = True,
    ) -> FormField:
        return FormField(
            name=name,
            kind=kind,
            label=say(f"{name}.label"),
            hint=say(f"{name}.hint") if name in HINTED else None,
            value=value,
            choices=choices,
            required=required,
        )

    cadence = config.cadence
    return SetupForm(
        title=say("title", channel=channel_name),
        submit_label=say("submit"),
        fields=(
            field(
                "weekday",
                "choice",
                str(cadence.weekday),
                choices=tuple(Choice(value=str(d), label=say(f"weekday.{d}")) for d in range(7)),
            ),
            field("time", "time", cadence.local_time.strftime("%H:%M")),
            field(
                "every_weeks",
                "choice",
                str(cadence.every_weeks),
                choices=tuple(Choice(value=n, label=say(f"every_weeks.{n}")) for n in EVERY_WEEKS),
            ),
            field("timezone", "text", config.timezone),
            field(
                "question_set",
                "choice",
                config.question_set,
                choices=tuple(Choice(value=n, label=n) for n in sorted(catalog.question_sets())),
            ),
            field(
                "locale",
                "choice",
                config.locale,
                choices=tuple(
                    Choice(value=code, label=say(f"language.{code}"))
                    for code in sorted(catalog.locales())
                ),
            ),
            field("k", "number", str(config.k)),
            field("comment_threshold", "number", str(config.comment_threshold)),
            field(
                "noise_budget",
                "choice",
                _budget_text(config.noise_budget),
                choices=tuple(
                    Choice(value=n, label=say(f"noise_budget.{n}")) for n in NOISE_BUDGETS
                ),
            ),
            field("managers", "people", tuple(sorted(config.managers)), required=False),
            field("admins", "people", tuple(sorted(config.admins)), required=False),
            field(
                "reminders",
                "choice",
                str(config.reminders),
                choices=tuple(
                    Choice(value=str(n), label=say(f"reminders.{n}"))
                    for n in range(MAX_REMINDERS + 1)
                ),
            ),
            field(
                "nudges",
                "choice",
                "on" if config.nudges else "off",
                choices=(
                    Choice(value="on", label=say("nudges.on")),
                    Choice(value="off", label=say("nudges.off")),
                ),
            ),
            field(
                "quiet_dates",
                "long_text",
                "\n".join(d.isoformat() for d in sorted(config.quiet_dates)),
                required=False,
            ),
            field("signpost", "long_text", config.signpost or "", required=False),
            field(
                START_FIELD,
                "choice",
                "scheduled",
                choices=(
                    Choice(value="scheduled", label=say("start.scheduled")),
                    Choice(value="now", label=say("start.now")),
                ),
                required=False,
            ),
        ),
    )


def read_setup(
    values: Mapping[str, FormValue], *, current: ChannelConfig, catalog: PromptCatalog
) -> ChannelConfig:
    """The settings the form's answers describe; a field left out keeps its current value.

    Raises ``FormError`` naming the first field that can't be used.
    """

    def text(name: str) -> str | None:
        raw = values.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise FormError(f"{name} takes one value", field=name)
        return raw.strip()

    def number(name: str, *, low: int, high: int) -> int | None:
        raw = text(name)
        if raw is None or raw == "":
            return None
        if not re.fullmatch(r"-?\d{1,6}", raw):
            raise FormError(f"{name} must be a whole number", field=name)
        value = int(raw)
        if not low <= value <= high:
            raise FormError(f"{name} must be between {low} and {high}", field=name)
        return value

    def people(name: str) -> frozenset[str] | None:
        raw = values.get(name)
        if raw is None:
            return None
        items = [raw] if isinstance(raw, str) else list(raw)
        return frozenset(item.strip() for item in items if item.strip())

    cadence = current.cadence
    weekday = number("weekday", low=0, high=6)
    every = number("every_weeks", low=1, high=8)
    at = _read_time(text("time"))
    try:
        new_cadence = replace(
            cadence,
            weekday=cadence.weekday if weekday is None else weekday,
            every_weeks=cadence.every_weeks if every is None else every,
            local_time=at or cadence.local_time,
        )
        changes: dict[str, object] = {"cadence": new_cadence}
        if (zone := text("timezone")) is not None:
            changes["timezone"] = zone or current.timezone
        known = {"question_set": catalog.question_sets(), "locale": catalog.locales()}
        for name, options in known.items():
            if (chosen := text(name)) is not None and chosen:
                if chosen not in options:
                    raise FormError(
                        f"{chosen!r} is not one of {', '.join(sorted(options))}", field=name
                    )
                changes[name] = chosen
        for name, low, high in (("k", 1, 1000), ("comment_threshold", 1, 1000)):
            if (value := number(name, low=low, high=high)) is not None:
                changes[name] = value
        if (budget := text("noise_budget")) is not None and budget:
            if budget not in NOISE_BUDGETS:
                raise FormError(
                    f"the noise budget is one of {', '.join(NOISE_BUDGETS)}", field="noise_budget"
                )
            changes["noise_budget"] = None if budget == "off" else float(budget)
        if (reminders := number("reminders", low=0, high=MAX_REMINDERS)) is not None:
            changes["reminders"] = reminders
        if (nudges := text("nudges")) is not None and nudges:
            if nudges not in ("on", "off"):
                raise FormError("nudges are either on or off", field="nudges")
            changes["nudges"] = nudges == "on"
        for name in PEOPLE_FIELDS:
            if (chosen_people := people(name)) is not None:
                changes[name] = chosen_people
        if (quiet := text("quiet_dates")) is not None:
            changes["quiet_dates"] = _read_dates(quiet)
        if (signpost := text("signpost")) is not None:
            changes["signpost"] = signpost or None
        return replace(current, **changes)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise FormError(str(exc), field=exc.field) from exc


def _budget_text(budget: float | None) -> str:
    return "off" if budget is None else f"{budget:g}"


def _read_time(raw: str | None) -> time | None:
    if not raw:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", raw)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise FormError("the time must look like 09:30", field="time")
    return time(int(match[1]), int(match[2]))


def _read_dates(raw: str) -> frozenset[date]:
    found: set[date] = set()
    for token in re.split(r"[\s,;]+", raw):
        if not token:
            continue
        try:
            found.add(date.fromisoformat(token))
        except ValueError:
            raise FormError(
                f"{token!r} is not a date; write dates like 2026-12-24", field="quiet_dates"
            ) from None
    if len(found) > MAX_QUIET_DATES:
        raise FormError(f"at most {MAX_QUIET_DATES} quiet dates", field="quiet_dates")
    return frozenset(found)
