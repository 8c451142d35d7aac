"""Question sets: the load signals Ripple asks about, and how their answers are validated."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Signal(enum.StrEnum):
    """Named load signals the insights code understands."""

    WORKLOAD = "workload"  # 1-5, 5 = heaviest
    ENERGY = "energy"  # 1-5, 5 = most energy
    EXTRA_HOURS = "extra_hours"  # none / some / many
    COVERING = "covering"  # yes / no: covering for someone else
    REAL_REST = "real_rest"  # yes / partly / no


# The values each signal accepts, in display order. Question sets may relabel them
# per locale but cannot invent new values: the insights depend on these.
SIGNAL_VALUES: dict[Signal, tuple[str, ...]] = {
    Signal.WORKLOAD: ("1", "2", "3", "4", "5"),
    Signal.ENERGY: ("1", "2", "3", "4", "5"),
    Signal.EXTRA_HOURS: ("none", "some", "many"),
    Signal.COVERING: ("no", "yes"),
    Signal.REAL_REST: ("yes", "partly", "no"),
}


@dataclass(frozen=True, kw_only=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Question:
    question_id: str
    signal: Signal
    text: str
    choices: tuple[Choice, ...]

    def accepts(self, value: str) -> bool:
        return any(choice.value == value for choice in self.choices)

    def label_for(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value


@dataclass(frozen=True, kw_only=True)
class QuestionSet:
    name: str
    locale: str
    questions: tuple[Question, ...]

    def by_id(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.question_id == question_id), None)
