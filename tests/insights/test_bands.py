"""The small-group rule: no shown amount pins down an exact count, "everyone" included."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.insights.bands import (
    LARGE_GROUP,
    Amount,
    Level,
    amount,
    is_large,
    largest_remainder_tenths,
    shares,
)


def preimage(shown: Amount, whole: int, *, k: int) -> list[int]:
    """Every count out of ``whole`` that would be shown as ``shown``."""
    return [part for part in range(whole + 1) if amount(part, whole, k=k) == shown]


@pytest.mark.parametrize("k", [3, 4, 5, 7, 10, 15, 25])
def test_every_shown_amount_fits_at_least_two_counts(k: int) -> None:
    for whole in range(k, 120):
        for part in range(whole + 1):
            shown = amount(part, whole, k=k)
            assert len(preimage(shown, whole, k=k)) >= 2, (part, whole, k, shown)


@pytest.mark.parametrize("k", [3, 4, 5, 8, 12])
def test_a_two_answer_line_fits_at_least_two_splits_from_five_people(k: int) -> None:
    """ "yes" and "no" seen together still leave more than one possible split.

    Four people split two and two are the one exception no wording can hide: every other
    split of four looks different from it. docs/privacy.md says so.
    """
    for whole in range(max(k, 5), 200):
        lines: Counter[tuple[Amount, Amount]] = Counter()
        for part in range(whole + 1):
            lines[(amount(part, whole, k=k), amount(whole - part, whole, k=k))] += 1
        assert min(lines.values()) >= 2, (whole, k)


def test_the_scales_are_symmetric() -> None:
    mirror = {
        Level.FEW: Level.MOST,
        Level.MOST: Level.FEW,
        Level.SOME: Level.SOME,
        Level.AT_MOST: Level.AT_LEAST,
        Level.AT_LEAST: Level.AT_MOST,
        Level.UNDER_HALF: Level.UNDER_HALF,
        Level.HALF_OR_MORE: Level.HALF_OR_MORE,
    }
    for k in (3, 5, 10):
        for whole in range(max(k, 5), 150):
            for part in range(whole + 1):
                shown, other = amount(part, whole, k=k), amount(whole - part, whole, k=k)
                if shown.level is Level.PERCENT:
                    assert other.percent == 100 - (shown.percent or 0)
                else:
                    assert other.level is mirror[shown.level]


def test_nobody_and_everyone_are_never_said() -> None:
    for k in (3, 5, 10):
        for whole in range(k, 80):
            for part in (0, whole):
                shown = amount(part, whole, k=k)
                assert shown.percent not in (0, 100)
                assert shown.level not in (Level.PERCENT,) or 10 < (shown.percent or 0) < 90


def test_groups_switch_from_words_to_tenths_at_twice_k_and_at_least_twenty() -> None:
    assert not is_large(19, k=3)
    assert is_large(LARGE_GROUP, k=3)
    assert not is_large(29, k=15)
    assert is_large(30, k=15)
    assert amount(3, 4, k=3) == Amount(level=Level.HALF_OR_MORE)
    assert amount(1, 4, k=3) == Amount(level=Level.UNDER_HALF)
    assert amount(1, 9, k=5) == Amount(level=Level.FEW)
    assert amount(4, 9, k=5) == Amount(level=Level.SOME)
    assert amount(7, 9, k=5) == Amount(level=Level.MOST)
    assert amount(8, 20, k=5) == Amount(level=Level.PERCENT, percent=40)
    assert amount(1, 20, k=5) == Amount(level=Level.AT_MOST, percent=10)
    assert amount(19, 20, k=5) == Amount(level=Level.AT_LEAST, percent=90)


@settings(max_examples=300, deadline=None)
@given(k=st.integers(3, 40), whole=st.integers(3, 2000), data=st.data())
def test_shown_amounts_are_consistent_with_the_true_share(k: int, whole: int, data) -> None:
    if whole < k:
        return
    part = data.draw(st.integers(0, whole))
    shown = amount(part, whole, k=k)
    share = part / whole
    if shown.level is Level.PERCENT:
        assert abs(share - (shown.percent or 0) / 100) <= 0.05 + 1e-9
    elif shown.level is Level.AT_MOST:
        assert share < 0.15
    elif shown.level is Level.AT_LEAST:
        assert share >= 0.85
    elif shown.level is Level.FEW:
        assert share < 1 / 3
    elif shown.level is Level.MOST:
        assert share > 2 / 3
    elif shown.level is Level.SOME:
        assert 1 / 3 <= share <= 2 / 3
    assert len(preimage(shown, whole, k=k)) >= 2


def shown_line(parts: tuple[int, ...], whole: int, k: int) -> tuple[Amount, ...]:
    return tuple(shares(parts, whole, k=k))


@pytest.mark.parametrize("k", [5, 12])
def test_a_three_answer_line_fits_at_least_two_splits(k: int) -> None:
    """Seen together, the shares of a three-bucket question never pin down the split.

    (Each share rounded on its own would: 37 group sizes between 20 and 89 have a line
    that only one split makes.)
    """
    for whole in range(max(2 * k, LARGE_GROUP), 90):
        lines: Counter[tuple[Amount, ...]] = Counter()
        for a in range(whole + 1):
            for b in range(whole + 1 - a):
                lines[shown_line((a, b, whole - a - b), whole, k)] += 1
        assert min(lines.values()) >= 2, (whole, k)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), whole=st.integers(min_value=20, max_value=400), buckets=st.integers(2, 3))
def test_a_large_groups_shares_add_up_to_one_hundred(data, whole: int, buckets: int) -> None:
    cuts = sorted(
        data.draw(st.lists(st.integers(0, whole), min_size=buckets - 1, max_size=buckets - 1))
    )
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, whole], strict=True)]
    tenths = largest_remainder_tenths(parts, whole)
    assert sum(tenths) == 10
    for part, tenth in zip(parts, tenths, strict=True):
        assert abs(10 * part / whole - tenth) < 1  # never further than a tenth from the truth
    if buckets == 2:  # two answers: the same as rounding each share on its own
        assert [a.percent for a in shares(parts, whole, k=5)] == [
            amount(p, whole, k=5).percent for p in parts
        ]


def test_parts_that_do_not_add_up_are_shown_one_by_one() -> None:
    assert shares([7, 7, 7], 20, k=5) == [amount(7, 20, k=5)] * 3
    assert shares([1, 2], 8, k=5) == [amount(1, 8, k=5), amount(2, 8, k=5)]
