"""Analyses: questions evaluated for each conversation (itellico, seed 002).

An `Analysis` is a question with a name, a description and one of six types -
yes/no, single choice, multiple choice, open, rating and data point. It can be
toggled active or inactive, and archived (hidden) and restored; only active,
unarchived analyses are evaluated (`active_analyses`).

An `Answer` is one conversation's typed answer to one analysis. Build answers
with `validate_answer`, which checks the value against its question: a yes/no
answer is a ``bool``; a single-choice answer is one of the options; a
multiple-choice answer is one or more of them (kept in the options' order,
without repeats); an open answer is text; a rating is a number within the
scale; a data point is a JSON scalar. Anything else raises `InvalidInput`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias, cast

import attrs

from .. import _fields as f
from .._fields import PlainData
from ..errors import InvalidConfig, InvalidInput, shown

__all__ = [
    "Analysis",
    "AnalysisType",
    "Answer",
    "AnswerValue",
    "active_analyses",
    "validate_answer",
]

AnswerValue: TypeAlias = bool | int | float | str | tuple[str, ...]
"""What an answer holds: ``bool`` (yes/no), ``str`` (single choice, open),
``tuple[str, ...]`` (multiple choice), a number (rating), a scalar (data point)."""


class AnalysisType(enum.StrEnum):
    """The six question types of an analysis."""

    YES_NO = "yes-no"
    """A binary yes/no question; answered with ``True`` or ``False``."""
    SINGLE_CHOICE = "single-choice"
    """One answer from predefined options."""
    MULTIPLE_CHOICE = "multiple-choice"
    """One or more answers from predefined options."""
    OPEN = "open"
    """A free-text response."""
    RATING = "rating"
    """A number on the analysis's rating scale."""
    DATA_POINT = "data-point"
    """A specific data point extracted from the conversation (a JSON scalar)."""

    @property
    def has_options(self) -> bool:
        """True for the two choice types, which need predefined options."""
        return self in (AnalysisType.SINGLE_CHOICE, AnalysisType.MULTIPLE_CHOICE)


def _to_options(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidConfig("options", "a list of option labels", value)
    options = tuple(value)
    for option in options:
        if type(option) is not str or not option:
            raise InvalidConfig("options", "non-empty strings", value)
    if len(set(options)) != len(options):
        raise InvalidConfig("options", "distinct labels", value)
    return options


# Any integer: an empty or inverted scale is the record's rule (``__attrs_post_init__``).
_BOUND = f.check_int(None, error=InvalidConfig)
_OPTIONS_CODEC = f.Codec(list, tuple)


@attrs.frozen(weakref_slot=False)
class Analysis(PlainData):
    """A question evaluated for each conversation of a campaign (itellico *Analyses*).

    Raises `InvalidInput` for a bad field type or an empty id or name, and
    `InvalidConfig` when a choice question has no options, a question of
    another type has options, or the rating scale is empty (``scale_min >=
    scale_max``).
    """

    id: str = f.text()
    """Your identifier for the analysis."""
    name: str = f.text()
    """The question, e.g. ``"Did the contact confirm attendance?"``."""
    type: AnalysisType = f.member(AnalysisType)
    """One of the six question types."""
    description: str = f.text(default="")
    """Guidance for the evaluator."""
    options: tuple[str, ...] = attrs.field(
        default=(), converter=_to_options, metadata={"codec": _OPTIONS_CODEC}
    )
    """The predefined options of a choice question; empty for the other types."""
    scale_min: int = attrs.field(default=1, validator=_BOUND, metadata={"codec": f.PLAIN})
    """The lowest rating (rating questions only; default 1)."""
    scale_max: int = attrs.field(default=5, validator=_BOUND, metadata={"codec": f.PLAIN})
    """The highest rating (rating questions only; default 5)."""
    active: bool = f.flag(default=True)
    """Inactive analyses are kept but not evaluated."""
    archived: bool = f.flag()
    """Archived analyses are hidden and not evaluated, but can be restored."""

    def __attrs_post_init__(self) -> None:
        if self.type.has_options and not self.options:
            raise InvalidConfig("options", f"at least one option for a {self.type} question", ())
        if not self.type.has_options and self.options:
            raise InvalidConfig("options", f"empty for a {self.type} question", self.options)
        if self.scale_min >= self.scale_max:
            raise InvalidConfig(
                "scale_max", f"greater than scale_min ({self.scale_min})", self.scale_max
            )

    @property
    def evaluated(self) -> bool:
        """True when conversations are evaluated against it: active and not archived."""
        return self.active and not self.archived

    def archive(self) -> Analysis:
        """This analysis, archived."""
        return attrs.evolve(self, archived=True)

    def restore(self) -> Analysis:
        """This analysis, restored from the archive."""
        return attrs.evolve(self, archived=False)

    def activate(self) -> Analysis:
        """This analysis, toggled active."""
        return attrs.evolve(self, active=True)

    def deactivate(self) -> Analysis:
        """This analysis, toggled inactive."""
        return attrs.evolve(self, active=False)


def active_analyses(analyses: Iterable[Analysis]) -> tuple[Analysis, ...]:
    """The analyses to evaluate for a conversation: active and not archived, in order."""
    return tuple(a for a in analyses if a.evaluated)


# --------------------------------------------------------------------------- answers


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _shape_error(kind: AnalysisType, value: Any) -> InvalidInput:
    return InvalidInput(f"a {kind} answer must be {_EXPECTED[kind]}; got {shown(value)}")


_EXPECTED = {
    AnalysisType.YES_NO: "True or False",
    AnalysisType.SINGLE_CHOICE: "one option label",
    AnalysisType.MULTIPLE_CHOICE: "a non-empty list of distinct option labels",
    AnalysisType.OPEN: "a string",
    AnalysisType.RATING: "a finite number",
    AnalysisType.DATA_POINT: "a string, number or boolean",
}


def _check_shape(kind: AnalysisType, value: Any) -> None:
    """Raise `InvalidInput` unless ``value`` has the Python type a ``kind`` answer holds."""
    if kind is AnalysisType.YES_NO:
        ok = type(value) is bool
    elif kind is AnalysisType.SINGLE_CHOICE:
        ok = type(value) is str and bool(value)
    elif kind is AnalysisType.MULTIPLE_CHOICE:
        ok = (
            type(value) is tuple
            and bool(value)
            and all(type(v) is str and v for v in value)
            and len(set(value)) == len(value)
        )
    elif kind is AnalysisType.OPEN:
        ok = type(value) is str
    elif kind is AnalysisType.RATING:
        ok = _is_number(value)
    else:
        ok = type(value) in (str, bool) or _is_number(value)
    if not ok:
        raise _shape_error(kind, value)


def _load_value(value: Any) -> Any:
    return tuple(value) if type(value) is list else value


_VALUE_CODEC = f.Codec(lambda v: list(v) if type(v) is tuple else v, _load_value)


def _answer_value() -> Any:
    """The required ``value`` field of an `Answer` (checked in ``__attrs_post_init__``)."""
    return attrs.field(metadata={"codec": _VALUE_CODEC})


@attrs.frozen(weakref_slot=False)
class Answer(PlainData):
    """One conversation's answer to one analysis.

    The record checks that ``value`` has the type its ``type`` answers with
    (`InvalidInput` otherwise); `validate_answer` also checks it against the
    question's options and scale.
    """

    analysis_id: str = f.text()
    """The analysis answered."""
    type: AnalysisType = f.member(AnalysisType)
    """The analysis's type, kept so the answer can be read back alone."""
    value: AnswerValue = _answer_value()
    """The typed answer (see `AnswerValue`)."""
    conversation_id: str | None = f.optional_text()
    """The conversation (call or chat) it was evaluated on."""

    def __attrs_post_init__(self) -> None:
        _check_shape(self.type, self.value)


def validate_answer(
    analysis: Analysis, value: object, *, conversation_id: str | None = None
) -> Answer:
    """``value`` as an `Answer` to ``analysis``, checked against the question.

    A multiple-choice answer may be any collection of labels (not a bare
    string); it is stored as a tuple in the options' order, without repeats.
    Raises `InvalidInput` when the value has the wrong type, a choice is not
    one of the options, a rating lies outside ``scale_min..scale_max``, or the
    analysis is inactive or archived (it is not evaluated).
    """
    if not analysis.evaluated:
        state = "archived" if analysis.archived else "inactive"
        raise InvalidInput(f"analysis {shown(analysis.id)} is {state}; it is not evaluated")
    kind = analysis.type
    if kind is AnalysisType.MULTIPLE_CHOICE:
        if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
            raise _shape_error(kind, value)
        chosen = list(value)
        for label in chosen:
            if type(label) is not str or label not in analysis.options:
                raise InvalidInput(
                    f"analysis {shown(analysis.id)}: {shown(label)} is not one of the options "
                    f"{list(analysis.options)}"
                )
        value = tuple(o for o in analysis.options if o in chosen)
    _check_shape(kind, value)
    answer = cast(AnswerValue, value)  # _check_shape has checked its type for this kind
    if kind is AnalysisType.SINGLE_CHOICE and answer not in analysis.options:
        raise InvalidInput(
            f"analysis {shown(analysis.id)}: {shown(answer)} is not one of the options "
            f"{list(analysis.options)}"
        )
    if (
        kind is AnalysisType.RATING
        and isinstance(answer, int | float)
        and not analysis.scale_min <= answer <= analysis.scale_max
    ):
        raise InvalidInput(
            f"analysis {shown(analysis.id)}: rating {shown(answer)} is outside the scale "
            f"{analysis.scale_min}..{analysis.scale_max}"
        )
    return Answer(analysis_id=analysis.id, type=kind, value=answer, conversation_id=conversation_id)
