"""Goals and goal results (seed 002, itellico): one primary goal, secondary goals,
archive/restore, and per-contact results combined over conversations."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import Goal, GoalResult, GoalSet, InvalidConfig, InvalidInput, strategies
from campaignkit.models import GoalKind, GoalOutcome, combine_goal_results

ids = strategies.identifiers()
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


BOOK = Goal(id="book", name="Book an appointment", kind=GoalKind.PRIMARY)
CONFIRM = Goal(id="confirm", name="Confirm attendance", description="Says they will come")
UPSELL = Goal(id="upsell", name="Offer the premium plan")

# Seed 002: the four goal results, with the canonical value of each.
ITELLICO_GOAL_RESULT = {
    "Achieved": GoalOutcome.ACHIEVED,
    "Partially Achieved": GoalOutcome.PARTIALLY_ACHIEVED,
    "Not Achieved": GoalOutcome.NOT_ACHIEVED,
    "Unknown": GoalOutcome.UNKNOWN,
}


def test_the_four_goal_results_of_seed_002() -> None:
    assert set(ITELLICO_GOAL_RESULT.values()) == set(GoalOutcome)
    for label, outcome in ITELLICO_GOAL_RESULT.items():
        assert outcome.value == label.lower().replace(" ", "-")
    ranked = sorted(GoalOutcome, key=lambda o: o.rank, reverse=True)
    assert ranked == [
        GoalOutcome.ACHIEVED,
        GoalOutcome.PARTIALLY_ACHIEVED,
        GoalOutcome.NOT_ACHIEVED,
        GoalOutcome.UNKNOWN,
    ]
    assert [o.known for o in ranked] == [True, True, True, False]


# --------------------------------------------------------------------------- goals


def test_a_goal_has_a_name_a_description_and_a_kind() -> None:
    assert BOOK.is_primary
    assert not CONFIRM.is_primary
    assert CONFIRM.kind is GoalKind.SECONDARY  # the default
    with pytest.raises(InvalidInput, match="name"):
        Goal(id="g", name="")
    with pytest.raises(InvalidInput, match="kind"):
        Goal(id="g", name="x", kind="primary")  # type: ignore[arg-type]


def test_archive_and_restore_a_goal() -> None:
    archived = UPSELL.archive()
    assert archived.archived
    assert not UPSELL.archived
    assert archived.restore() == UPSELL


def test_one_primary_goal_and_any_number_of_secondary_goals() -> None:
    goals = GoalSet([BOOK, CONFIRM, UPSELL])
    assert goals.primary == BOOK
    assert goals.secondary == (CONFIRM, UPSELL)
    assert GoalSet([BOOK]).secondary == ()
    many = GoalSet([BOOK, *(Goal(id=f"g{n}", name=f"goal {n}") for n in range(50))])
    assert len(many.secondary) == 50


def test_no_primary_or_two_primaries_is_refused() -> None:
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        GoalSet([CONFIRM])
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        GoalSet([])
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        GoalSet([BOOK, Goal(id="other", name="Other", kind=GoalKind.PRIMARY)])
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        GoalSet([BOOK]).add(Goal(id="other", name="Other", kind=GoalKind.PRIMARY))
    with pytest.raises(InvalidConfig, match="distinct ids"):
        GoalSet([BOOK, CONFIRM, CONFIRM])


def test_archived_goals_are_hidden_and_can_be_restored() -> None:
    goals = GoalSet([BOOK, CONFIRM, UPSELL]).archive("upsell")
    assert goals.active == (BOOK, CONFIRM)
    assert goals.archived == (UPSELL.archive(),)
    assert goals.restore("upsell") == GoalSet([BOOK, CONFIRM, UPSELL])


def test_the_primary_goal_cannot_be_archived_until_another_is_primary() -> None:
    goals = GoalSet([BOOK, CONFIRM])
    with pytest.raises(InvalidConfig):
        goals.archive("book")
    swapped = goals.set_primary("confirm")
    assert swapped.primary.id == "confirm"
    assert swapped.get("book").kind is GoalKind.SECONDARY
    assert swapped.archive("book").active == (swapped.primary,)


def test_restoring_an_archived_primary_beside_an_active_one_is_refused() -> None:
    other = Goal(id="other", name="Other", kind=GoalKind.PRIMARY)
    goals = GoalSet([BOOK.archive(), other])
    assert goals.primary == other
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        goals.restore("book")
    assert goals.set_primary("other") == goals
    with pytest.raises(InvalidConfig, match="not archived"):
        goals.set_primary("book")


def test_editing_goals() -> None:
    goals = GoalSet([BOOK, CONFIRM])
    renamed = goals.replace(Goal(id="confirm", name="Confirm", description="new"))
    assert renamed.get("confirm").description == "new"
    with pytest.raises(InvalidInput, match="no goal"):
        goals.replace(Goal(id="nope", name="x"))
    with pytest.raises(InvalidInput, match="no goal"):
        goals.archive("nope")
    with pytest.raises(InvalidConfig, match="exactly one active primary"):
        goals.replace(Goal(id="book", name="Book", kind=GoalKind.SECONDARY))


# --------------------------------------------------------------------------- results


def test_a_goal_score_is_0_to_100() -> None:
    assert GoalResult("book", GoalOutcome.ACHIEVED, 100).score == 100
    assert GoalResult("book", GoalOutcome.NOT_ACHIEVED, 0).score == 0
    for bad in (-1, 101, 50.0, True, "80"):
        with pytest.raises(InvalidInput, match="score"):
            GoalResult("book", GoalOutcome.PARTIALLY_ACHIEVED, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="unknown outcome"):
        GoalResult("book", GoalOutcome.UNKNOWN, 10)


def test_the_best_known_result_wins() -> None:
    results = [
        GoalResult("book", GoalOutcome.NOT_ACHIEVED, 10),
        GoalResult("book", GoalOutcome.ACHIEVED, 90),
        GoalResult("book", GoalOutcome.UNKNOWN),
        GoalResult("book", GoalOutcome.PARTIALLY_ACHIEVED, 95),
        GoalResult("confirm", GoalOutcome.UNKNOWN),
    ]
    combined = combine_goal_results(results)
    # The score comes from the winning evaluation, not the highest score anywhere.
    assert combined["book"] == GoalResult("book", GoalOutcome.ACHIEVED, 90)
    assert combined["confirm"] == GoalResult("confirm", GoalOutcome.UNKNOWN)
    assert combine_goal_results([]) == {}


def test_unknown_never_overrides_a_known_result() -> None:
    not_achieved = GoalResult("book", GoalOutcome.NOT_ACHIEVED)
    assert not_achieved.merge(GoalResult("book")) == not_achieved
    assert GoalResult("book").merge(not_achieved) == not_achieved


def test_results_of_different_goals_do_not_merge() -> None:
    with pytest.raises(InvalidInput, match="different goals"):
        GoalResult("book").merge(GoalResult("confirm"))
    with pytest.raises(InvalidInput):
        combine_goal_results(["book"])  # type: ignore[list-item]


# --------------------------------------------------------------------------- properties


ONE_GOAL = st.just("g")


@st.composite
def goal_results(draw: st.DrawFn, goal_ids: st.SearchStrategy[str] = ONE_GOAL) -> GoalResult:
    outcome = draw(st.sampled_from(GoalOutcome))
    score = None if not outcome.known else draw(st.none() | st.integers(0, 100))
    return GoalResult(draw(goal_ids), outcome, score)


many_goals = st.lists(goal_results(st.sampled_from(["a", "b", "c"])), max_size=12)


@given(many_goals.flatmap(lambda rs: st.tuples(st.just(rs), st.permutations(rs))))
def test_results_combine_independently_of_conversation_order(
    orders: tuple[list[GoalResult], list[GoalResult]],
) -> None:
    first, second = orders
    assert combine_goal_results(first) == combine_goal_results(second)


@given(goal_results(), goal_results(), goal_results())
def test_merge_is_commutative_associative_and_idempotent(
    a: GoalResult, b: GoalResult, c: GoalResult
) -> None:
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a


@given(st.lists(goal_results(), min_size=1, max_size=10))
def test_the_combined_result_is_the_best_and_unknown_only_when_all_are(
    results: list[GoalResult],
) -> None:
    best = functools.reduce(GoalResult.merge, results)
    assert best.outcome.rank == max(r.outcome.rank for r in results)
    assert best in results
    assert best.outcome.known or not any(r.outcome.known for r in results)


goals = st.builds(
    Goal,
    id=ids,
    name=names.filter(bool),
    description=names,
    kind=st.just(GoalKind.SECONDARY),
    archived=st.booleans(),
)


@st.composite
def goal_sets(draw: st.DrawFn) -> GoalSet:
    primary = draw(goals.map(lambda g: Goal(g.id, g.name, g.description, GoalKind.PRIMARY)))
    others = draw(
        st.lists(goals, max_size=5, unique_by=lambda g: g.id).filter(
            lambda gs: primary.id not in {g.id for g in gs}
        )
    )
    position = draw(st.integers(0, len(others)))
    return GoalSet([*others[:position], primary, *others[position:]])


@given(goal_sets(), goal_results(ids))
def test_goals_and_results_round_trip_to_plain_data(goal_set: GoalSet, result: GoalResult) -> None:
    assert GoalSet.from_dict(goal_set.to_dict()) == goal_set
    for goal in goal_set.goals:
        assert Goal.from_dict(goal.to_dict()) == goal
    assert GoalResult.from_dict(result.to_dict()) == result


def test_plain_data_with_a_bad_outcome_is_refused() -> None:
    with pytest.raises(InvalidInput, match="outcome"):
        GoalResult.from_dict({"goal_id": "g", "outcome": "done", "score": None})
