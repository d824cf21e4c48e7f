"""Secondary (complementary) suppression: no margin that adds up to a shown total may have a
lone hidden cell, since subtraction would give it back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.outcomes import (
    COUNT_MEASURES,
    OutcomeCounts,
    complementary_suppression,
    is_small_cell,
    suppressed_measures,
)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # nothing small: nothing hidden
        ([10, 20, 30], [False, False, False]),
        # one small cell: the smallest other non-zero one hides with it
        ([3, 40, 12], [True, False, True]),
        # two small cells already protect each other
        ([3, 2, 50], [True, True, False]),
        # zeros disclose nobody and are never chosen as the partner
        ([3, 0, 40], [True, False, True]),
        # nothing to pair with: the lone cell equals the total, whose own suppression covers it
        ([3, 0, 0], [True, False, False]),
        # ties: the first of the smallest
        ([1, 9, 9], [True, True, False]),
        ([], []),
    ],
)
def test_one_margin(counts: list[int], expected: list[bool]) -> None:
    assert complementary_suppression(counts, [is_small_cell(c) for c in counts]) == expected


def test_work_and_studies_hide_together_within_a_group() -> None:
    [hidden] = suppressed_measures([OutcomeCounts(exited=30, goal_work=12, goal_studies=2)])
    assert {"goal_work", "goal_studies"} <= hidden
    assert "goal_reached" not in hidden  # 14: the sum alone discloses neither part


def test_a_partner_chosen_in_a_column_can_force_a_partner_within_its_group() -> None:
    groups = [
        OutcomeCounts(enrolments=20, exited=18, continuing=2, goal_work=9, goal_studies=9),
        OutcomeCounts(enrolments=30, exited=24, continuing=6, goal_work=10, goal_studies=10),
    ]
    hidden = suppressed_measures(groups)
    # continuing 2 is small; the column partner is group 2's 6; each group's
    # exited + continuing = enrolments then needs exited hidden as well.
    assert hidden[0] >= {"continuing", "exited"}
    assert hidden[1] >= {"continuing", "exited"}


counts = st.integers(min_value=0, max_value=12)
groups_strategy = st.lists(
    st.builds(
        OutcomeCounts,
        persons=counts,
        enrolments=counts,
        exited=counts,
        continuing=counts,
        excluded=counts,
        reached_preparation=counts,
        ended_at_preparation=counts,
        goal_work=counts,
        goal_studies=counts,
    ),
    min_size=1,
    max_size=6,
)


def _lone(values: list[int], hidden: list[bool]) -> bool:
    """Exactly one hidden cell while some other cell is shown and non-zero."""
    return sum(hidden) == 1 and any(v > 0 and not h for v, h in zip(values, hidden, strict=True))


@given(groups_strategy)
def test_no_margin_keeps_a_lone_hidden_cell(groups: list[OutcomeCounts]) -> None:
    hidden = suppressed_measures(groups)
    for g, h in zip(groups, hidden, strict=True):
        # primary suppression always holds
        assert {m for m in COUNT_MEASURES if is_small_cell(getattr(g, m))} <= h
        for pair in (("goal_work", "goal_studies"), ("exited", "continuing")):
            assert not _lone([getattr(g, m) for m in pair], [m in h for m in pair])
    for m in COUNT_MEASURES:
        column = [getattr(g, m) for g in groups]
        assert not _lone(column, [m in h for h in hidden]), m


def test_self_assessment_parts_hide_together_and_take_the_net_effect_with_them() -> None:
    from api.services.stats import _item_figures

    # 30 enrolments: 3 improved (small), 20 unchanged, 7 worsened; n = 30 is shown.
    pairs = {(4, 6): 3, (5, 5): 20, (6, 4): 7}
    figures = _item_figures(pairs, suppress=True)
    assert figures.n.value == 30
    assert figures.improved.count.suppressed and figures.improved.share.suppressed
    # the partner is the smallest other part (7 worsened), so 30 − 20 gives only their sum
    assert figures.worsened.count.suppressed and figures.worsened.share.suppressed
    assert figures.unchanged.count.value == 20
    assert figures.net_effect.suppressed and figures.net_effect.value is None
    # municipality roles see everything exactly
    exact = _item_figures(pairs, suppress=False)
    assert (exact.improved.count.value, exact.worsened.count.value) == (3, 7)
    assert exact.net_effect.value == pytest.approx(-4 / 30, abs=0.001)
