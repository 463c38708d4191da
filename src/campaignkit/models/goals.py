"""Campaign goals and what each contact's conversations achieved (itellico, seed 002).

A campaign defines one *primary* goal - its main success criterion, such as
booking an appointment - and any number of *secondary* goals tracked beside
it. Each goal has a name and a description and can be archived (hidden) and
restored. `GoalSet` holds a campaign's goals and keeps the one rule that ties
them together: exactly one active (not archived) primary goal.

Each goal is evaluated per contact over all of its conversations, giving a
`GoalResult`: achieved, partially achieved, not achieved or unknown, and a goal
score from 0 to 100.

How several conversations combine
---------------------------------
The best known result wins: achieved > partially achieved > not achieved >
unknown. *Unknown* (the analysis could not tell) therefore never overrides a
known result, and a contact is unknown only when every conversation was. The
score is the highest score among the conversations that gave the winning
result, so outcome and score always come from the same evaluation; it is None
when none of them was scored. `GoalResult.merge` is this rule for two results:
it is commutative, associative and idempotent, so the order in which
conversations are evaluated - or arrive - never changes the answer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import PlainData
from .._frozen import FrozenMap, freeze
from ..errors import InvalidConfig, InvalidInput, shown

__all__ = [
    "Goal",
    "GoalKind",
    "GoalOutcome",
    "GoalResult",
    "GoalSet",
    "combine_goal_results",
]


class GoalKind(enum.StrEnum):
    """Whether a goal is the campaign's main success criterion or tracked beside it."""

    PRIMARY = "primary"
    """The one main success criterion of the campaign."""
    SECONDARY = "secondary"
    """An additional objective; a campaign may have any number."""


@attrs.frozen(weakref_slot=False)
class Goal(PlainData):
    """What a campaign should achieve for each contact (itellico *Goals*).

    Raises `InvalidInput` for an empty id or name, or a field of the wrong type.
    """

    id: str = f.text()
    """Your identifier for the goal."""
    name: str = f.text()
    """A short name, e.g. ``"Book an appointment"``."""
    description: str = f.text(default="")
    """What counts as achieving it; the conversation analysis reads this."""
    kind: GoalKind = f.member(GoalKind, default=GoalKind.SECONDARY)
    """Primary or secondary."""
    archived: bool = f.flag()
    """Archived goals are hidden and not evaluated, but can be restored."""

    @property
    def is_primary(self) -> bool:
        """True for the primary goal."""
        return self.kind is GoalKind.PRIMARY

    def archive(self) -> Goal:
        """This goal, archived (the record itself is unchanged)."""
        return attrs.evolve(self, archived=True)

    def restore(self) -> Goal:
        """This goal, restored from the archive."""
        return attrs.evolve(self, archived=False)


def _to_goals(value: Iterable[Goal]) -> tuple[Goal, ...]:
    return f.record_tuple(value, Goal, "goals")


def _load_goals(value: Any) -> tuple[Goal, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(f"goals must be a list of goal dicts; got {shown(value)}")
    return tuple(Goal.from_dict(item) for item in value)


_GOALS_CODEC = f.Codec(lambda goals: [g.to_dict() for g in goals], _load_goals)


@attrs.frozen(weakref_slot=False)
class GoalSet(PlainData):
    """A campaign's goals: exactly one active primary goal and any number of secondary ones.

    Every operation returns a new set and re-checks the rule. Raises
    `InvalidConfig` when goal ids repeat or when the set would not have exactly
    one active primary goal (to change the primary goal use `set_primary`;
    the active primary cannot be archived), and `InvalidInput` for a bad goal.
    """

    goals: tuple[Goal, ...] = attrs.field(converter=_to_goals, metadata={"codec": _GOALS_CODEC})
    """All goals, archived ones included, in the order they were added."""

    def __attrs_post_init__(self) -> None:
        ids = [g.id for g in self.goals]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise InvalidConfig("goals", "goals with distinct ids", repeated)
        primaries = [g.id for g in self.goals if g.is_primary and not g.archived]
        if len(primaries) != 1:
            raise InvalidConfig("goals", "exactly one active primary goal", primaries)

    @property
    def primary(self) -> Goal:
        """The active primary goal."""
        return next(g for g in self.goals if g.is_primary and not g.archived)

    @property
    def secondary(self) -> tuple[Goal, ...]:
        """The active secondary goals, in order."""
        return tuple(g for g in self.goals if not g.is_primary and not g.archived)

    @property
    def active(self) -> tuple[Goal, ...]:
        """The goals that are evaluated: every goal not archived, in order."""
        return tuple(g for g in self.goals if not g.archived)

    @property
    def archived(self) -> tuple[Goal, ...]:
        """The archived goals (the archive view), in order."""
        return tuple(g for g in self.goals if g.archived)

    def get(self, goal_id: str) -> Goal:
        """The goal with id ``goal_id``; raises `InvalidInput` if there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise InvalidInput(
            f"no goal with id {shown(goal_id)}; ids are {[g.id for g in self.goals]}"
        )

    def add(self, goal: Goal) -> GoalSet:
        """The set with ``goal`` added at the end.

        Raises `InvalidConfig` for a repeated id or a second active primary goal.
        """
        return GoalSet((*self.goals, goal))

    def replace(self, goal: Goal) -> GoalSet:
        """The set with the goal of the same id replaced by ``goal`` (an edit).

        Raises `InvalidInput` for an unknown id, `InvalidConfig` if the edit
        leaves no active primary goal, or two.
        """
        self.get(goal.id)
        return GoalSet(tuple(goal if g.id == goal.id else g for g in self.goals))

    def archive(self, goal_id: str) -> GoalSet:
        """The set with goal ``goal_id`` archived.

        Raises `InvalidConfig` for the active primary goal (promote another one
        first with `set_primary`) and `InvalidInput` for an unknown id.
        """
        return self.replace(self.get(goal_id).archive())

    def restore(self, goal_id: str) -> GoalSet:
        """The set with goal ``goal_id`` restored from the archive.

        Raises `InvalidConfig` if it was a primary goal and another primary is
        active, and `InvalidInput` for an unknown id.
        """
        return self.replace(self.get(goal_id).restore())

    def set_primary(self, goal_id: str) -> GoalSet:
        """The set with goal ``goal_id`` as the primary goal; the former primary
        becomes secondary. Raises `InvalidConfig` for an archived goal and
        `InvalidInput` for an unknown id.
        """
        goal = self.get(goal_id)
        if goal.archived:
            raise InvalidConfig("primary", "an active (not archived) goal", goal_id)
        return GoalSet(
            tuple(
                attrs.evolve(g, kind=GoalKind.PRIMARY if g.id == goal_id else GoalKind.SECONDARY)
                if g.id == goal_id or (g.is_primary and not g.archived)
                else g
                for g in self.goals
            )
        )


class GoalOutcome(enum.StrEnum):
    """How far a contact's conversations met a goal (itellico *Goal Results*).

    Members compare by `rank`: achieved > partially achieved > not achieved > unknown.
    """

    ACHIEVED = "achieved"
    """Goal fully met."""
    PARTIALLY_ACHIEVED = "partially-achieved"
    """Goal partially met."""
    NOT_ACHIEVED = "not-achieved"
    """Goal not met."""
    UNKNOWN = "unknown"
    """The system could not determine the outcome."""

    @property
    def rank(self) -> int:
        """3 for achieved down to 0 for unknown: the better result has the higher rank."""
        return _OUTCOME_RANK[self]

    @property
    def known(self) -> bool:
        """False only for `UNKNOWN`."""
        return self is not GoalOutcome.UNKNOWN


_OUTCOME_RANK = {
    GoalOutcome.ACHIEVED: 3,
    GoalOutcome.PARTIALLY_ACHIEVED: 2,
    GoalOutcome.NOT_ACHIEVED: 1,
    GoalOutcome.UNKNOWN: 0,
}


@attrs.frozen(weakref_slot=False)
class GoalResult(PlainData):
    """One goal's result for one contact: from one conversation, or combined over all of them.

    Raises `InvalidInput` for a score outside 0-100, or a score on an unknown
    result (an evaluation that could not tell has nothing to score).
    """

    goal_id: str = f.text()
    """The goal evaluated."""
    outcome: GoalOutcome = f.member(GoalOutcome, default=GoalOutcome.UNKNOWN)
    """Achieved, partially achieved, not achieved or unknown."""
    score: int | None = attrs.field(
        default=None, validator=f.check_int(0, 100, optional=True), metadata={"codec": f.PLAIN}
    )
    """Goal score, 0-100 (itellico's ring); None when not scored."""

    def __attrs_post_init__(self) -> None:
        if self.outcome is GoalOutcome.UNKNOWN and self.score is not None:
            raise InvalidInput(
                f"GoalResult {shown(self.goal_id)}: an unknown outcome cannot have a score; "
                f"got {shown(self.score)}"
            )

    @property
    def achieved(self) -> bool:
        """True when the goal was fully met."""
        return self.outcome is GoalOutcome.ACHIEVED

    def merge(self, other: GoalResult) -> Self:
        """The combined result of two evaluations of the same goal (see the module notes).

        The better outcome wins; on equal outcomes the higher score wins (None
        counts as lowest). Commutative, associative and idempotent. Raises
        `InvalidInput` when the goals differ.
        """
        if other.goal_id != self.goal_id:
            raise InvalidInput(
                f"cannot combine results of different goals: "
                f"{shown(self.goal_id)} and {shown(other.goal_id)}"
            )
        if _result_key(other) > _result_key(self):
            return type(self)(goal_id=self.goal_id, outcome=other.outcome, score=other.score)
        return self


def _result_key(result: GoalResult) -> tuple[int, int]:
    return (result.outcome.rank, -1 if result.score is None else result.score)


def combine_goal_results(results: Iterable[GoalResult]) -> FrozenMap[str, GoalResult]:
    """Each goal's combined result over a contact's conversations, keyed by goal id.

    ``results`` holds per-conversation results for any goals, in any order;
    they combine by `GoalResult.merge` (best known result wins, unknown never
    overrides a known one), so the answer does not depend on the order. Raises
    `InvalidInput` if an item is not a `GoalResult`.
    """
    combined: dict[str, GoalResult] = {}
    for result in results:
        if type(result) is not GoalResult:
            raise InvalidInput(f"expected GoalResult records; got {shown(result)}")
        seen = combined.get(result.goal_id)
        combined[result.goal_id] = result if seen is None else seen.merge(result)
    return freeze(dict(sorted(combined.items())))
