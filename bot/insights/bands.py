"""How a share is shown: never as a figure that gives away an exact count of people.

Small groups get words, large groups get tenths with the ends folded in, so that every
shown amount is consistent with at least two different counts, "everyone" included.
Both scales are symmetric (the share of "yes" mirrors the share of "no"), so a question
with two answers shows a line that fits at least two splits as well.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

LARGE_GROUP = 20  # from here on, every tenth covers at least two possible counts


class Level(enum.StrEnum):
    PERCENT = "percent"  # about this many tenths
    AT_MOST = "at_most"  # 10% or less
    AT_LEAST = "at_least"  # 90% or more
    FEW = "few"  # under a third: few or none
    SOME = "some"  # a third to two thirds
    MOST = "most"  # over two thirds: most or all
    UNDER_HALF = "under_half"  # groups of three or four
    HALF_OR_MORE = "half_or_more"


WORDS = frozenset({Level.FEW, Level.SOME, Level.MOST, Level.UNDER_HALF, Level.HALF_OR_MORE})


@dataclass(frozen=True, kw_only=True)
class Amount:
    """A shown share: a level and, for percentages, the percent it names."""

    level: Level
    percent: int | None = None

    @property
    def in_words(self) -> bool:
        return self.level in WORDS


def tenths_toward_middle(part: int, whole: int) -> int:
    """``part / whole`` in tenths, to the nearest tenth, with halves rounded towards 50%.

    Rounding ties towards the middle keeps the scale symmetric and gives the middle
    tenths, 50% included, at least two counts each once ``whole`` is 20 or more.
    """
    floor, rest = divmod(10 * part, whole)
    if 2 * rest > whole:
        return floor + 1
    if 2 * rest < whole:
        return floor
    return floor + 1 if floor < 5 else floor


def is_large(whole: int, *, k: int) -> bool:
    """Whether a group is large enough for its shares to be shown in tenths."""
    return whole >= max(2 * k, LARGE_GROUP)


def amount(part: int, whole: int, *, k: int) -> Amount:
    """How ``part`` of ``whole`` is shown to a manager, for a channel with threshold ``k``.

    - ``whole`` of at least max(2k, 20): the nearest tenth (halves towards 50%), with
      0-10% shown as "10% or less" and 90-100% as "90% or more", so neither "nobody" nor
      "everyone" is ever said.
    - Fewer: words. Under a third is "few or none", over two thirds "most or all", the
      rest "some"; groups of three or four get only "fewer than half" / "half or more".
    """
    if whole <= 0:
        raise ValueError("a share needs a positive whole")
    part = min(max(part, 0), whole)
    if is_large(whole, k=k):
        share = tenths_toward_middle(part, whole)
        if share <= 1:
            return Amount(level=Level.AT_MOST, percent=10)
        if share >= 9:
            return Amount(level=Level.AT_LEAST, percent=90)
        return Amount(level=Level.PERCENT, percent=share * 10)
    if whole < 5:
        return Amount(level=Level.UNDER_HALF if 2 * part < whole else Level.HALF_OR_MORE)
    if 3 * part < whole:
        return Amount(level=Level.FEW)
    if 3 * part > 2 * whole:
        return Amount(level=Level.MOST)
    return Amount(level=Level.SOME)


def largest_remainder_tenths(parts: Sequence[int], whole: int) -> list[int]:
    """``parts`` of ``whole`` in tenths that add up to ten (largest remainder).

    Each part gets its floor; the tenths left go to the largest remainders, a tie to the
    part nearer the middle (as ``tenths_toward_middle`` rounds), then to the earlier one.
    """
    floors = [10 * part // whole for part in parts]
    rests = [10 * part % whole for part in parts]
    order = sorted(range(len(parts)), key=lambda i: (-rests[i], floors[i] >= 5, i))
    tenths = list(floors)
    for i in order[: 10 - sum(floors)]:
        tenths[i] += 1
    return tenths


def shares(parts: Sequence[int], whole: int, *, k: int) -> list[Amount]:
    """How the answers to one question, split into ``parts`` of ``whole``, are shown.

    A large group's tenths add up to 100% (largest remainder), with the ends folded in as
    ``amount`` folds them; seen together, every line of shares still fits at least two
    splits of the group. A small group, or parts that don't add up to ``whole`` (noise),
    get ``amount`` for each part on its own.
    """
    if not is_large(whole, k=k) or sum(parts) != whole or any(p < 0 for p in parts):
        return [amount(part, whole, k=k) for part in parts]
    return [_tenths(tenths) for tenths in largest_remainder_tenths(parts, whole)]


def _tenths(share: int) -> Amount:
    if share <= 1:
        return Amount(level=Level.AT_MOST, percent=10)
    if share >= 9:
        return Amount(level=Level.AT_LEAST, percent=90)
    return Amount(level=Level.PERCENT, percent=share * 10)
