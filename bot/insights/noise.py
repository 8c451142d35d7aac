"""Optional differential privacy: OpenDP's Laplace noise on a round's counts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from bot.insights.aggregate import RoundCounts, SignalCounts
from bot.ports import Noise
from bot.questions import Signal

# Adding or removing one person changes a round's count vector by at most this much (L1):
# one respondent, plus either one "rested" or one value for each of the five signals.
SENSITIVITY = 1 + len(Signal)


class OpenDPNoise:
    """Laplace noise on integer count vectors, calibrated by OpenDP to an ε."""

    def __init__(self) -> None:
        import opendp.prelude as dp

        dp.enable_features("contrib")
        self._dp = dp

    def laplace(self, counts: Sequence[int], *, epsilon: float, sensitivity: int) -> list[int]:
        """``counts`` plus integer Laplace noise that makes the release ε-DP for ``sensitivity``."""
        if epsilon <= 0:
            raise ValueError("ε must be positive")
        dp = self._dp
        space = (dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int))
        measurement = dp.m.make_laplace(*space, scale=sensitivity / epsilon)
        if measurement.map(sensitivity) > epsilon * (1 + 1e-9):
            raise AssertionError("the noise scale does not meet the privacy budget")
        return [int(value) for value in measurement(list(counts))]


def noise_factor(epsilon: float) -> float:
    """How much one person can change the chance of any outcome: e to the ε."""
    return math.exp(epsilon)


def noisy_counts(counts: RoundCounts, *, epsilon: float, noise: Noise) -> RoundCounts:
    """The same counts with noise added, clamped to be at least zero.

    Respondents, rests and every value of every signal are released together, so the
    whole vector spends ``epsilon`` once. Shared notes are text and carry no noise.
    """
    vector = [counts.respondents, counts.rested]
    for signal_counts in counts.signals:
        vector.extend(n for _, n in signal_counts.values)
    noisy = noise.laplace(vector, epsilon=epsilon, sensitivity=SENSITIVITY)
    released = [max(0, value) for value in noisy]
    position = 2
    signals = []
    for signal_counts in counts.signals:
        size = len(signal_counts.values)
        values = tuple(
            (value, released[position + index])
            for index, (value, _) in enumerate(signal_counts.values)
        )
        signals.append(SignalCounts(signal=signal_counts.signal, values=values))
        position += size
    respondents = released[0]
    return replace(
        counts,
        respondents=respondents,
        rested=min(released[1], respondents),
        signals=tuple(signals),
    )
