"""Nudge rules: team patterns for managers, and one private nudge for the person alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from bot.insights.aggregate import RoundCounts
from bot.insights.privacy import History, recent_counts, revealed_signal
from bot.insights.render import nudge_message
from bot.model import Channel, CheckIn, CheckInState, Round
from bot.outgoing import NudgeMessage
from bot.ports import PromptCatalog
from bot.questions import SIGNAL_VALUES, Signal

HEAVY = ("4", "5")
PERSONAL_RULE = "personal"
PERSONAL_RUN = 3

# Each rule reads revealable counts, newest round first; None marks a round that may not
# be revealed, which also breaks any "consecutive rounds" run.
Rule = Callable[[Sequence[RoundCounts | None], int], bool]


def _heavy_majority(counts: RoundCounts | None, k: int) -> bool:
    workload = revealed_signal(counts, Signal.WORKLOAD, k=k)
    return workload is not None and 2 * workload.count(*HEAVY) > workload.answered


def _few_covering(counts: RoundCounts | None, k: int) -> bool:
    covering = revealed_signal(counts, Signal.COVERING, k=k)
    if covering is None:
        return False
    covering_yes = covering.count("yes")
    return covering_yes > 0 and 10 * covering_yes <= 3 * covering.answered


def _mean_energy(counts: RoundCounts | None, k: int) -> Fraction | None:
    energy = revealed_signal(counts, Signal.ENERGY, k=k)
    return energy.trend_metric() if energy is not None else None


def high_load(rounds: Sequence[RoundCounts | None], k: int) -> bool:
    """More than half report heavy workload, this round and the one before."""
    return len(rounds) >= 2 and all(_heavy_majority(counts, k) for counts in rounds[:2])


def rest_deficit(rounds: Sequence[RoundCounts | None], k: int) -> bool:
    """At least 40% of those who answered say they got no real rest."""
    real_rest = revealed_signal(rounds[0], Signal.REAL_REST, k=k) if rounds else None
    return real_rest is not None and 5 * real_rest.count("no") >= 2 * real_rest.answered


def covering_concentrated(rounds: Sequence[RoundCounts | None], k: int) -> bool:
    """Some cover for others, but at most 30% of those answering, two rounds running."""
    return len(rounds) >= 2 and all(_few_covering(counts, k) for counts in rounds[:2])


def falling_energy(rounds: Sequence[RoundCounts | None], k: int) -> bool:
    """Mean energy fell round on round over three rounds, by half a point or more in all."""
    if len(rounds) < 3:
        return False
    newest, middle, oldest = (_mean_energy(counts, k) for counts in rounds[:3])
    if newest is None or middle is None or oldest is None:
        return False
    return oldest > middle > newest and oldest - newest >= Fraction(1, 2)


TEAM_RULES: dict[str, Rule] = {
    "high_load": high_load,
    "rest_deficit": rest_deficit,
    "covering_concentrated": covering_concentrated,
    "falling_energy": falling_energy,
}


def fired_rules(
    *, channel: Channel, round_: Round, checkins: Sequence[CheckIn], history: History
) -> tuple[str, ...]:
    """The team rules a closed round sets off, in TEAM_RULES order."""
    rounds = recent_counts(
        channel=channel, round_=round_, checkins=checkins, history=history, periods=3
    )
    if rounds[0] is None:
        return ()
    k = channel.config.k
    return tuple(name for name, rule in TEAM_RULES.items() if rule(rounds, k))


def team_nudges(
    *,
    channel: Channel,
    round_: Round,
    checkins: Sequence[CheckIn],
    history: History,
    catalog: PromptCatalog,
    recipients: Sequence[str],
) -> list[NudgeMessage]:
    """A nudge per fired rule per recipient (the channel's managers); none when nudges are off."""
    if not channel.config.nudges:
        return []
    rules = fired_rules(channel=channel, round_=round_, checkins=checkins, history=history)
    return [
        nudge_message(
            rule=rule,
            catalog=catalog,
            locale=channel.config.locale,
            recipient=recipient,
            idempotency_key=f"nudge:{round_.round_id}:{rule}:{recipient}",
            channel=channel.name,
        )
        for rule in rules
        for recipient in dict.fromkeys(recipients)
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
