"""The state a service stores: one `ContactState` row per contact, one `CampaignState` row.

Theory of operation
-------------------
Every rule of a campaign is a pure step (`campaignkit.engine.steps`) over these
two records, so a service keeps exactly them - the contact row and the small
campaign row - and nothing else to behave like `CampaignRunner`.

`ContactState` is the contact and its *ledger*: what the rules must remember
about one contact beyond the `Contact` record itself.

* the call in flight and the caller line it was placed from (the line that
  first reaches a contact becomes its sticky line, ``Contact.line_id``);
* the pending callback request of the latest report asking for one
  (``callback_at``, ``callback_reported_at``): scheduled into the calling window
  when the outcome settles;
* the attempts the compliance rules look back on - kept only with a compliance
  policy, and no further back than its longest rule needs (`CompliancePolicy`
  ``lookback``), so the row stays small;
* the conversation history that conversion and goal results combine
  (``extractions``, ``goals``);
* ``refused``: the reason a rule refused the contact for good (do-not-call, a
  window that never opens), so that a new cycle never re-queues it.

`CampaignState` is the campaign record and what the campaign-wide rules keep:
caller lines with their daily counts, the pacing state, the last line used, the
loop start times, the next loop time and a campaign-wide halt.

Both are frozen and round-trip exactly through ``to_dict``/``from_dict`` to JSON
types, so each is one row (a JSON column, or columns of your own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Self

import attrs

from .. import _fields as f
from .._fields import JSONObject, aware_utc
from .._frozen import EMPTY, FrozenMap
from ..errors import InvalidInput, shown
from ..policies import codecs as pd
from ..policies.compliance import Attempt
from ..policies.conversion import Extraction
from ..policies.pacing import PacingState
from ..policies.refusal import Refusal
from .goals import GoalResult, combine_goal_results
from .records import Call, CallerLine, Campaign, Contact

__all__ = ["CampaignState", "ContactState", "Halt"]


_MOMENT = f.check_moment(optional=True)
_OPTIONAL_TEXT = f.check_text(optional=True)


def _to_history(value: Iterable[Attempt]) -> tuple[Attempt, ...]:
    return f.record_tuple(value, Attempt, "history")


def _to_extractions(value: Iterable[Extraction]) -> tuple[Extraction, ...]:
    return f.record_tuple(value, Extraction, "extractions")


def _to_refusals(value: Iterable[Refusal]) -> tuple[Refusal, ...]:
    return f.record_tuple(value, Refusal, "refusals")


def _to_goals(value: Mapping[str, GoalResult]) -> FrozenMap[str, GoalResult]:
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return combine_goal_results(value.values())
    raise InvalidInput(f"goals must be a mapping of goal id to GoalResult; got {shown(value)}")


@attrs.frozen(weakref_slot=False)
class ContactState:
    """One contact and its ledger: everything the rules need about it, as one row.

    Build one with ``ContactState(contact)`` when a contact is loaded; the steps
    of `campaignkit.engine.steps` return new ones. Raises `InvalidInput` for a
    field of the wrong type, a call for another contact, or a naive datetime.
    """

    contact: Contact = attrs.field(validator=f.check_type(Contact))
    """The contact record as it stands."""
    call: Call | None = attrs.field(default=None, validator=f.check_type(Call, optional=True))
    """The call in flight (placed, not yet ended); None otherwise."""
    line_id: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    """The caller line the call in flight was placed from; None otherwise."""
    callback_at: datetime | None = attrs.field(default=None, validator=_MOMENT)
    """When the contact asked to be called back (the latest report asking for it)."""
    callback_reported_at: datetime | None = attrs.field(default=None, validator=_MOMENT)
    """When the report carrying ``callback_at`` was made (a later report wins)."""
    history: tuple[Attempt, ...] = attrs.field(default=(), converter=_to_history)
    """Past attempts the compliance rules look back on, oldest first (bounded)."""
    extractions: tuple[Extraction, ...] = attrs.field(default=(), converter=_to_extractions)
    """The extracted fields each conversation reported, in arrival order."""
    goals: FrozenMap[str, GoalResult] = attrs.field(default=EMPTY, converter=_to_goals)
    """The contact's goal results combined over its conversations, by goal id."""
    refused: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    """Why a rule refused the contact for good; a refused contact is never re-queued."""
    ended: Call | None = attrs.field(default=None, validator=f.check_type(Call, optional=True))
    """The last call, kept while a late report may still change its outcome: it ended
    ``completed`` with nobody known to have answered, and an earlier report carrying
    ``answered_by`` (a person, a machine) may still arrive (issue 14 item 18)."""
    before_end: Contact | None = attrs.field(
        default=None, validator=f.check_type(Contact, optional=True)
    )
    """The contact as it was when ``ended`` ended, to settle it again from there."""

    def __attrs_post_init__(self) -> None:
        call = self.call
        if call is not None and call.contact_id != self.contact.id:
            raise InvalidInput(
                f"call {shown(call.id)} is for contact "
                f"{shown(call.contact_id)}, not {shown(self.contact.id)}"
            )
        if (self.callback_at is None) != (self.callback_reported_at is None):
            raise InvalidInput("callback_at and callback_reported_at go together")
        if (self.ended is None) != (self.before_end is None):
            raise InvalidInput("ended and before_end go together")

    @property
    def id(self) -> str:
        """The contact's id."""
        return self.contact.id

    def to_dict(self) -> JSONObject:
        """The state as JSON types; `from_dict` rebuilds it exactly."""
        return {
            "contact": self.contact.to_dict(),
            "call": None if self.call is None else self.call.to_dict(),
            "line_id": self.line_id,
            "callback_at": f.iso(self.callback_at),
            "callback_reported_at": f.iso(self.callback_reported_at),
            "history": [pd.attempt_to_dict(a) for a in self.history],
            "extractions": [e.to_dict() for e in self.extractions],
            "goals": [r.to_dict() for r in self.goals.values()],
            "refused": self.refused,
            "ended": None if self.ended is None else self.ended.to_dict(),
            "before_end": None if self.before_end is None else self.before_end.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The state `to_dict` wrote. Raises `InvalidInput` naming the bad field."""
        # rows written before ``ended`` and ``before_end`` existed have neither
        fields = f.mapping_with(data, "contact state", _CONTACT_KEYS, optional=_LATE_KEYS)
        call = fields["call"]
        ended, before = fields.get("ended"), fields.get("before_end")
        return cls(
            contact=Contact.from_dict(f.load_mapping(fields["contact"], "contact")),
            call=None if call is None else Call.from_dict(f.load_mapping(call, "call")),
            line_id=fields["line_id"],
            callback_at=f.load_moment(fields["callback_at"], "callback_at"),
            callback_reported_at=f.load_moment(
                fields["callback_reported_at"], "callback_reported_at"
            ),
            history=[pd.attempt_from_dict(a) for a in f.load_list(fields["history"], "history")],
            extractions=[
                Extraction.from_dict(f.load_mapping(e, "extractions"))
                for e in f.load_list(fields["extractions"], "extractions")
            ],
            goals=combine_goal_results(
                GoalResult.from_dict(f.load_mapping(r, "goals"))
                for r in f.load_list(fields["goals"], "goals")
            ),
            refused=fields["refused"],
            ended=None if ended is None else Call.from_dict(f.load_mapping(ended, "ended")),
            before_end=None
            if before is None
            else Contact.from_dict(f.load_mapping(before, "before_end")),
        )


_CONTACT_KEYS = frozenset(attrs.fields_dict(ContactState))
_LATE_KEYS = frozenset({"ended", "before_end"})


@attrs.frozen(weakref_slot=False)
class Halt:
    """Why no contact can be admitted now, and until when.

    ``until`` None means waiting alone does not help: nothing is admitted until an
    event (a call ending, a line update) changes the campaign's state.
    """

    until: datetime | None = attrs.field(validator=_MOMENT)
    """No contact is admitted before this time; None: until an event."""
    refusals: tuple[Refusal, ...] = attrs.field(default=(), converter=_to_refusals)
    """The campaign-wide refusals behind the halt."""

    def to_dict(self) -> JSONObject:
        """The halt as JSON types."""
        return {
            "until": f.iso(self.until),
            "refusals": [pd.refusal_to_dict(r) for r in self.refusals],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The halt `to_dict` wrote. Raises `InvalidInput`."""
        fields = f.mapping_with(data, "halt", frozenset({"until", "refusals"}))
        return cls(
            f.load_moment(fields["until"], "until"),
            tuple(pd.refusal_from_dict(r) for r in f.load_list(fields["refusals"], "refusals")),
        )


def _to_lines(value: Iterable[CallerLine] | None) -> tuple[CallerLine, ...] | None:
    return None if value is None else f.record_tuple(value, CallerLine, "lines")


def _to_moments(value: Iterable[datetime]) -> tuple[datetime, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInput(f"loop_starts must be a sequence of datetimes; got {shown(value)}")
    return tuple(aware_utc(t, "loop_starts") for t in value)


@attrs.frozen(weakref_slot=False)
class CampaignState:
    """The campaign record and what the campaign-wide rules keep, as one row.

    ``lines`` None means the campaign assigns no caller lines (the dialer
    chooses); a tuple, even empty, is rotated by the rules' `RotationPolicy`.
    Raises `InvalidInput` for a field of the wrong type, duplicate line ids or a
    naive datetime.
    """

    campaign: Campaign = attrs.field(validator=f.check_type(Campaign))
    """The campaign record as it stands."""
    lines: tuple[CallerLine, ...] | None = attrs.field(default=None, converter=_to_lines)
    """The caller lines with today's counts; None when no lines are assigned."""
    pacing: PacingState = attrs.field(factory=PacingState, validator=f.check_type(PacingState))
    """Calls in flight, the last start and today's count, as pacing sees them."""
    previous_line_id: str | None = None
    """The line of the last call placed (Round Robin continues after it)."""
    loop_starts: tuple[datetime, ...] = attrs.field(default=(), converter=_to_moments)
    """When each loop after the first pass started."""
    next_loop_at: datetime | None = attrs.field(default=None, validator=_MOMENT)
    """When the next loop starts, while the campaign cools down."""
    halt: Halt | None = attrs.field(default=None, validator=f.check_type(Halt, optional=True))
    """Why nobody can be admitted now, while that holds."""

    def __attrs_post_init__(self) -> None:
        lines = self.lines
        if lines is not None and len({x.id for x in lines}) != len(lines):
            raise InvalidInput(f"caller lines must have distinct ids; got {[x.id for x in lines]}")
        previous = self.previous_line_id
        if previous is not None and (lines is None or all(x.id != previous for x in lines)):
            raise InvalidInput(f"previous_line_id {shown(previous)} is not a caller line")

    def to_dict(self) -> JSONObject:
        """The state as JSON types; `from_dict` rebuilds it exactly."""
        return {
            "campaign": self.campaign.to_dict(),
            "lines": None if self.lines is None else [x.to_dict() for x in self.lines],
            "pacing": pd.pacing_state_to_dict(self.pacing),
            "previous_line_id": self.previous_line_id,
            "loop_starts": [t.isoformat() for t in self.loop_starts],
            "next_loop_at": f.iso(self.next_loop_at),
            "halt": None if self.halt is None else self.halt.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The state `to_dict` wrote. Raises `InvalidInput` naming the bad field."""
        fields = f.mapping_with(data, "campaign state", _CAMPAIGN_KEYS)
        lines = fields["lines"]
        halt = fields["halt"]
        return cls(
            campaign=Campaign.from_dict(f.load_mapping(fields["campaign"], "campaign")),
            lines=None
            if lines is None
            else [
                CallerLine.from_dict(f.load_mapping(x, "lines"))
                for x in f.load_list(lines, "lines")
            ],
            pacing=pd.pacing_state_from_dict(fields["pacing"]),
            previous_line_id=fields["previous_line_id"],
            loop_starts=[
                f.load_instant(t, "loop_starts")
                for t in f.load_list(fields["loop_starts"], "loop_starts")
            ],
            next_loop_at=f.load_moment(fields["next_loop_at"], "next_loop_at"),
            halt=None if halt is None else Halt.from_dict(f.load_mapping(halt, "halt")),
        )


_CAMPAIGN_KEYS = frozenset(attrs.fields_dict(CampaignState))
