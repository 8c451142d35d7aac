"""The demo's people: who they are and how they answer, week by week."""

from __future__ import annotations

from dataclasses import dataclass, field

# (workload, energy, extra_hours, covering, real_rest) for one week
Answers = tuple[str, str, str, str, str]


@dataclass(frozen=True, kw_only=True)
class Week:
    """What a persona does in one week's check-in."""

    answers: Answers | None = None  # None with rest=False means they never answer
    rest: bool = False
    snooze_first: bool = False
    note: str | None = None
    share_note: bool = False


@dataclass(frozen=True, kw_only=True)
class Persona:
    handle: str
    name: str
    timezone: str
    weeks: tuple[Week, ...]
    locale: str = "en"
    tags: tuple[str, ...] = field(default_factory=tuple)


def _w(*answers: str, **kwargs: object) -> Week:
    return Week(answers=(answers[0], answers[1], answers[2], answers[3], answers[4]), **kwargs)  # type: ignore[arg-type]


REST = Week(rest=True)
SILENT = Week()

DESIGN = (
    Persona(
        handle="sam",
        name="Sam",
        timezone="Europe/London",
        tags=("load rises",),
        weeks=(
            _w("3", "4", "none", "no", "yes"),
            _w("4", "3", "some", "no", "partly"),
            _w("5", "2", "many", "no", "no"),
            _w("5", "2", "many", "no", "no"),
        ),
    ),
    Persona(
        handle="ana",
        name="Ana",
        timezone="Europe/Berlin",
        tags=("covers for others",),
        weeks=(
            _w("4", "3", "some", "yes", "partly"),
            _w("4", "3", "some", "yes", "partly"),
            _w("4", "2", "some", "yes", "no"),
            _w("5", "2", "many", "yes", "no"),
        ),
    ),
    Persona(
        handle="lee",
        name="Lee",
        timezone="America/New_York",
        tags=("snoozes",),
        weeks=(
            _w("3", "3", "none", "no", "yes", snooze_first=True),
            _w("4", "3", "some", "no", "partly", snooze_first=True),
            _w("4", "3", "some", "no", "partly", snooze_first=True),
            _w("4", "2", "some", "no", "no", snooze_first=True),
        ),
    ),
    Persona(
        handle="kim",
        name="Kim",
        timezone="Asia/Kolkata",
        tags=("chooses rest",),
        weeks=(
            _w("2", "4", "none", "no", "yes"),
            REST,
            _w("3", "3", "none", "no", "partly"),
            REST,
        ),
    ),
    Persona(
        handle="ola",
        name="Ola",
        timezone="Europe/Oslo",
        locale="es",
        weeks=(
            _w("3", "4", "none", "no", "yes"),
            _w(
                "4",
                "3",
                "some",
                "no",
                "partly",
                note="Two launches in one week is a lot.",
                share_note=True,
            ),
            _w("4", "3", "some", "no", "no"),
            _w("4", "2", "some", "no", "no"),
        ),
    ),
    Persona(
        handle="raj",
        name="Raj",
        timezone="Asia/Kolkata",
        weeks=(
            _w("4", "3", "some", "no", "partly"),
            _w("5", "3", "many", "no", "no"),
            _w("5", "2", "many", "no", "no"),
            _w("5", "2", "many", "yes", "no", note="I'm not sleeping well."),
        ),
    ),
    Persona(
        handle="eve",
        name="Eve",
        timezone="America/Los_Angeles",
        tags=("misses a week",),
        weeks=(
            _w("3", "4", "none", "no", "yes"),
            _w("3", "3", "none", "no", "yes"),
            SILENT,
            _w("4", "3", "some", "no", "partly"),
        ),
    ),
    Persona(
        handle="tom",
        name="Tom",
        timezone="Europe/London",
        locale="de",
        weeks=(
            _w("2", "4", "none", "no", "yes"),
            _w("3", "4", "none", "no", "yes"),
            _w("4", "3", "some", "no", "partly"),
            _w("4", "3", "some", "no", "partly"),
        ),
    ),
)

RESEARCH = (
    Persona(
        handle="zoe",
        name="Zoe",
        timezone="Europe/Berlin",
        weeks=(_w("4", "2", "many", "yes", "no"),) * 4,
    ),
    Persona(
        handle="max",
        name="Max",
        timezone="Europe/Berlin",
        weeks=(_w("3", "3", "some", "no", "partly"),) * 4,
    ),
    Persona(
        handle="ivy",
        name="Ivy",
        timezone="Europe/Madrid",
        weeks=(_w("2", "4", "none", "no", "yes"),) * 4,
    ),
)
