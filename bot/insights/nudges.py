"""Nudge rules: team patterns for managers, and one private nudge for the person alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from bot.insights.published import Seen
from bot.insights.render import nudge_message
from bot.model import CheckIn, CheckInState
from bot.outgoing import NudgeMessage
from bot.ports import PromptCatalog
from bot.questions import SIGNAL_VALUES, Signal

HEAVY = ("4", "5")
PERSONAL_RULE = "personal"
PERSONAL_RUN = 3

# Each rule reads what one manager was shown of recent rounds, newest first; None marks a
# round they were not shown, which also breaks any "consecutive rounds" run.
Rule = Callable[[Sequence[Seen | None]], bool]


def _heavy_majority(seen: Seen | None) -> bool:
    workload = seen.signal(Signal.WORKLOAD) if seen is not None else None
    return workload is not None and 2 * workload.count(*HEAVY) > workload.answered


def _few_covering(seen: Seen | None) -> bool:
    covering = seen.signal(Signal.COVERING) if seen is not None else None
    if covering is None:
        return False
    covering_yes = covering.count("yes")
    return covering_yes > 0 and 10 * covering_yes <= 3 * covering.answered


def _mean_energy(seen: Seen | None) -> Fraction | None:
    energy = seen.signal(Signal.ENERGY) if seen is not None else None
    return energy.trend_metric() if energy is not None else None


def high_load(rounds: Sequence[Seen | None]) -> bool:
    """More than half report heavy workload, this round and the one before."""
    return len(rounds) >= 2 and all(_heavy_majority(seen) for seen in rounds[:2])


def rest_deficit(rounds: Sequence[Seen | None]) -> bool:
    """At least 40% of those who answered say they got no real rest."""
    real_rest = rounds[0].signal(Signal.REAL_REST) if rounds and rounds[0] is not None else None
    return (
        real_rest is not None
        and real_rest.answered > 0
        and 5 * real_rest.count("no") >= 2 * real_rest.answered
    )


def covering_concentrated(rounds: Sequence[Seen | None]) -> bool:
    """Some cover for others, but at most 30% of those answering, two rounds running."""
    return len(rounds) >= 2 and all(_few_covering(seen) for seen in rounds[:2])


def falling_energy(rounds: Sequence[Seen | None]) -> bool:
    """Mean energy fell round on round over three rounds, by half a point or more in all."""
    if len(rounds) < 3:
        return False
    newest, middle, oldest = (_mean_energy(seen) for seen in rounds[:3])
    if newest is None or middle is None or oldest is None:
        return False
    return oldest > middle > newest and oldest - newest >= Fraction(1, 2)


TEAM_RULES: dict[str, Rule] = {
    "high_load": high_load,
    "rest_deficit": rest_deficit,
    "covering_concentrated": covering_concentrated,
    "falling_energy": falling_energy,
}


def fired_rules(recent: Sequence[Seen | None]) -> tuple[str, ...]:
    """The team rules what a manager was shown sets off, newest round first, in rule order."""
    if not recent or recent[0] is None:
        return ()
    return tuple(name for name, rule in TEAM_RULES.items() if rule(recent))


def team_nudges(
    *,
    rules: Sequence[str],
    round_id: str,
    channel: str,
    catalog: PromptCatalog,
    locale: str,
    recipient: str,
) -> list[NudgeMessage]:
    """One nudge per fired rule for one manager."""
    return [
        nudge_message(
            rule=rule,
            catalog=catalog,
            locale=locale,
            recipient=recipient,
            idempotency_key=f"nudge:{round_id}:{rule}:{recipient}",
            round_id=round_id,
            channel=channel,
        )
        for rule in rules
    ]


def personal_nudge(
    *,
    person_id: str,
    recent: Sequence[CheckIn],
    catalog: PromptCatalog,
    locale: str,
    round_id: str,
) -> NudgeMessage | None:
    """A private nudge when the person's last three answered workloads were all heavy.

    ``recent`` is the person's own check-ins, newest first. Only completed check-ins with
    a workload answer count; the nudge goes to the person and nobody else. A run that
    goes on is nudged again every three check-ins, not every week: no nagging.
    """
    workloads = [
        checkin.answers[Signal.WORKLOAD.value]
        for checkin in recent
        if checkin.person_id == person_id
        and checkin.state == CheckInState.DONE
        and checkin.answers.get(Signal.WORKLOAD.value) in SIGNAL_VALUES[Signal.WORKLOAD]
    ]
    run = next((i for i, value in enumerate(workloads) if value not in HEAVY), len(workloads))
    if run < PERSONAL_RUN or run % PERSONAL_RUN != 0:
        return None
    return nudge_message(
        rule=PERSONAL_RULE,
        catalog=catalog,
        locale=locale,
        recipient=person_id,
        idempotency_key=f"nudge:{round_id}:{PERSONAL_RULE}:{person_id}",
        personal=True,
    )
