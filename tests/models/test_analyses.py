"""Analyses (seed 002, itellico): six question types, active/inactive, archive,
and typed answers validated against their question."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from campaignkit import InvalidConfig, InvalidInput, strategies
from campaignkit.models import Analysis, AnalysisType, Answer, active_analyses, validate_answer

ids = strategies.identifiers()
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


A = AnalysisType

# Seed 002: the six question types, by their labels.
ITELLICO_QUESTION_TYPES = {
    "Yes/No": A.YES_NO,
    "Single Choice": A.SINGLE_CHOICE,
    "Multiple Choice": A.MULTIPLE_CHOICE,
    "Open": A.OPEN,
    "Rating": A.RATING,
    "Data Point": A.DATA_POINT,
}

CONFIRMED = Analysis(id="confirmed", name="Did the contact confirm?", type=A.YES_NO)
CHANNEL = Analysis(
    id="channel", name="Preferred channel", type=A.SINGLE_CHOICE, options=("phone", "email")
)
TOPICS = Analysis(
    id="topics", name="Topics raised", type=A.MULTIPLE_CHOICE, options=("price", "date", "place")
)
SUMMARY = Analysis(id="summary", name="Summary", type=A.OPEN)
SATISFACTION = Analysis(
    id="satisfaction", name="Satisfaction", type=A.RATING, scale_min=1, scale_max=10
)
AMOUNT = Analysis(id="amount", name="Amount promised", type=A.DATA_POINT)


def test_the_six_question_types_of_seed_002() -> None:
    assert set(ITELLICO_QUESTION_TYPES.values()) == set(AnalysisType)
    assert {t for t in AnalysisType if t.has_options} == {A.SINGLE_CHOICE, A.MULTIPLE_CHOICE}


def test_choice_questions_need_options_and_others_have_none() -> None:
    with pytest.raises(InvalidConfig, match="at least one option"):
        Analysis(id="a", name="q", type=A.SINGLE_CHOICE)
    with pytest.raises(InvalidConfig, match="empty for a"):
        Analysis(id="a", name="q", type=A.OPEN, options=("x",))
    with pytest.raises(InvalidConfig, match="distinct"):
        Analysis(id="a", name="q", type=A.MULTIPLE_CHOICE, options=("x", "x"))
    with pytest.raises(InvalidConfig, match="non-empty"):
        Analysis(id="a", name="q", type=A.MULTIPLE_CHOICE, options=("x", ""))
    with pytest.raises(InvalidConfig):
        Analysis(id="a", name="q", type=A.SINGLE_CHOICE, options="xy")


def test_the_rating_scale_must_not_be_empty() -> None:
    assert Analysis(id="r", name="q", type=A.RATING).scale_max == 5
    with pytest.raises(InvalidConfig, match="scale_max"):
        Analysis(id="r", name="q", type=A.RATING, scale_min=5, scale_max=5)
    with pytest.raises(InvalidConfig, match="scale_min"):
        Analysis(id="r", name="q", type=A.RATING, scale_min=1.5)  # type: ignore[arg-type]


def test_active_inactive_archived() -> None:
    inactive = SUMMARY.deactivate()
    archived = AMOUNT.archive()
    analyses = [CONFIRMED, inactive, archived, CHANNEL]
    assert active_analyses(analyses) == (CONFIRMED, CHANNEL)
    assert inactive.activate() == SUMMARY
    assert archived.restore() == AMOUNT
    for hidden in (inactive, archived):
        with pytest.raises(InvalidInput, match="not evaluated"):
            validate_answer(hidden, "x")


@pytest.mark.parametrize(
    ("analysis", "value", "stored"),
    [
        (CONFIRMED, True, True),
        (CONFIRMED, False, False),
        (CHANNEL, "email", "email"),
        (TOPICS, ["place", "price", "price"], ("price", "place")),
        (TOPICS, {"date"}, ("date",)),
        (SUMMARY, "Will pay on Friday.", "Will pay on Friday."),
        (SUMMARY, "", ""),
        (SATISFACTION, 1, 1),
        (SATISFACTION, 10, 10),
        (SATISFACTION, 7.5, 7.5),
        (AMOUNT, 1500, 1500),
        (AMOUNT, "June 5", "June 5"),
        (AMOUNT, 99.5, 99.5),
        (AMOUNT, False, False),
    ],
)
def test_valid_answers(analysis: Analysis, value: Any, stored: Any) -> None:
    answer = validate_answer(analysis, value, conversation_id="CA1")
    assert answer == Answer(analysis.id, analysis.type, stored, "CA1")
    assert Answer.from_dict(answer.to_dict()) == answer


@pytest.mark.parametrize(
    ("analysis", "value"),
    [
        (CONFIRMED, "yes"),
        (CONFIRMED, 1),
        (CONFIRMED, None),
        (CHANNEL, "fax"),
        (CHANNEL, ["phone"]),
        (CHANNEL, ""),
        (TOPICS, []),
        (TOPICS, "price"),
        (TOPICS, ["price", "weather"]),
        (TOPICS, [1]),
        (SUMMARY, 42),
        (SATISFACTION, 0),
        (SATISFACTION, 11),
        (SATISFACTION, True),
        (SATISFACTION, "7"),
        (SATISFACTION, math.nan),
        (AMOUNT, None),
        (AMOUNT, [1, 2]),
        (AMOUNT, math.inf),
    ],
)
def test_answers_that_violate_their_question_are_refused(analysis: Analysis, value: Any) -> None:
    with pytest.raises(InvalidInput):
        validate_answer(analysis, value)


def test_an_answer_record_checks_its_own_shape() -> None:
    with pytest.raises(InvalidInput, match="yes-no"):
        Answer("confirmed", A.YES_NO, "yes")
    with pytest.raises(InvalidInput, match="multiple-choice"):
        Answer("topics", A.MULTIPLE_CHOICE, ("price", "price"))


# --------------------------------------------------------------------------- properties

labels = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=6)


@st.composite
def analyses(
    draw: st.DrawFn, kind: AnalysisType | None = None, *, evaluated: bool = False
) -> Analysis:
    """Any analysis; of type ``kind`` if given; active and unarchived if ``evaluated``."""
    kind = kind or draw(st.sampled_from(AnalysisType))
    low = draw(st.integers(-10, 10))
    return Analysis(
        id=draw(ids),
        name=draw(names.filter(bool)),
        type=kind,
        description=draw(names),
        options=tuple(draw(st.lists(labels, min_size=1, max_size=5, unique=True)))
        if kind.has_options
        else (),
        scale_min=low,
        scale_max=draw(st.integers(low + 1, low + 20)),
        active=evaluated or draw(st.booleans()),
        archived=not evaluated and draw(st.booleans()),
    )


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-100, 100),
    st.floats(allow_nan=True, allow_infinity=True),
    labels,
    st.lists(labels, max_size=4),
)


def _valid_for(analysis: Analysis, value: Any) -> bool:
    """The rule, restated independently of the implementation."""
    kind = analysis.type
    if kind is A.YES_NO:
        return type(value) is bool
    if kind is A.SINGLE_CHOICE:
        return value in analysis.options and type(value) is str
    if kind is A.MULTIPLE_CHOICE:
        return (
            type(value) is list
            and bool(value)
            and all(type(v) is str and v in analysis.options for v in value)
        )
    if kind is A.OPEN:
        return type(value) is str
    number = type(value) in (int, float) and math.isfinite(value)
    if kind is A.RATING:
        return number and analysis.scale_min <= value <= analysis.scale_max
    return number or type(value) in (str, bool)


@given(analyses(evaluated=True), anything)
def test_an_answer_is_accepted_exactly_when_it_fits_its_question(
    analysis: Analysis, value: Any
) -> None:
    if _valid_for(analysis, value):
        answer = validate_answer(analysis, value)
        assert Answer.from_dict(answer.to_dict()) == answer
    else:
        with pytest.raises(InvalidInput):
            validate_answer(analysis, value)


@given(analyses(A.SINGLE_CHOICE, evaluated=True), labels)
def test_a_single_choice_outside_the_options_is_refused(analysis: Analysis, label: str) -> None:
    assume(label not in analysis.options)
    with pytest.raises(InvalidInput, match="not one of the options"):
        validate_answer(analysis, label)


@given(analyses(A.RATING, evaluated=True), st.integers(-100, 100))
def test_a_rating_outside_the_scale_is_refused(analysis: Analysis, rating: int) -> None:
    inside = analysis.scale_min <= rating <= analysis.scale_max
    if inside:
        assert validate_answer(analysis, rating).value == rating
    else:
        with pytest.raises(InvalidInput, match="outside the scale"):
            validate_answer(analysis, rating)


@given(analyses())
def test_analyses_round_trip_to_plain_data(analysis: Analysis) -> None:
    data = analysis.to_dict()
    assert Analysis.from_dict(data) == analysis
    assert isinstance(data["options"], list)
