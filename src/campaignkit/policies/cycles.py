"""Cycle policy: Altur's retry loops (seeds 000 and 004), as data.

A cycle is one pass over the contact list. The first pass is cycle 0; each
*loop* after it re-queues the contacts that did not reach a successful final
status, except those whose status or tags are filtered out. Re-queued contacts
get their per-cycle counters (``retries``, ``failed_retries``) reset while their
lifetime ``attempts`` are kept. Between two cycles the campaign cools down
(active -> cooldown -> active); it finishes when no loop is left or no contact
would return to the queue.

Every function here is pure: `CyclePolicy.eligible` (does a settled contact
return?), `CyclePolicy.requeue` (the contact at the start of a loop) and
`CyclePolicy.next_loop_at` (when the next loop may start, given the cooldown
and the loops already run that day in the campaign's time zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import Codec, JSONObject, aware_utc, dump, load
from .._fields import zone as zone_of
from ..errors import InvalidConfig, InvalidInput, shown
from ..machines import CONTACT_MACHINE, ContactEvent
from ..models.records import Contact
from ..statuses import ContactStatus
from .retry import MAX_WAIT

__all__ = ["SETTLED_STATUSES", "SUCCESS_STATUSES", "CyclePolicy"]

SUCCESS_STATUSES: frozenset[ContactStatus] = frozenset(
    {ContactStatus.CONVERTED, ContactStatus.ACCEPTED}
)
"""Successful final statuses: a contact in one never returns in a later cycle."""

SETTLED_STATUSES: frozenset[ContactStatus] = frozenset(
    {
        ContactStatus.ANSWERED,
        ContactStatus.VOICEMAIL,
        ContactStatus.NO_CONVERSATION,
        ContactStatus.FAILED,
        ContactStatus.CONVERTED,
        ContactStatus.REJECTED,
        ContactStatus.ACCEPTED,
    }
)
"""Statuses of a contact the engine has settled for the current cycle (no attempt pending)."""


_check_cooldown = f.check(
    lambda value: (
        type(value) is timedelta
        and timedelta(0) <= value <= MAX_WAIT
        and not value % timedelta(minutes=1)
    ),
    f"a whole number of minutes from 0 to {MAX_WAIT.days} days",
    error=InvalidConfig,
)


def _to_cooldown(value: timedelta | int) -> Any:
    if type(value) is int:
        if value < 0:
            raise InvalidConfig("cooldown", "a whole number of minutes >= 0", value)
        return timedelta(minutes=value)
    return value


def _to_statuses(value: Iterable[ContactStatus | str]) -> frozenset[ContactStatus]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidConfig("status_filters", "a collection of ContactStatus members", value)
    statuses = set()
    for item in value:
        try:
            statuses.add(ContactStatus(item))
        except ValueError:
            raise InvalidConfig("status_filters", "ContactStatus members or labels", item) from None
    return frozenset(statuses)


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidConfig("tag_filters", "a collection of tag names", value)
    tags = list(value)  # checked before hashing: a nested list is refused, not a TypeError
    for tag in tags:
        if type(tag) is not str or not tag:
            raise InvalidConfig("tag_filters", "non-empty tag names", tag)
    return frozenset(tags)


def _minutes(value: timedelta) -> int:
    return value // timedelta(minutes=1)


def _load_minutes(value: Any) -> timedelta:
    if type(value) is not int:
        raise InvalidInput(f"cooldown must be a whole number of minutes; got {shown(value)}")
    try:
        return timedelta(minutes=value)
    except OverflowError:
        raise InvalidInput(f"cooldown of {shown(value)} minutes is out of range") from None


def _load_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(f"must be a list; got {shown(value)}")
    return value


@attrs.frozen(weakref_slot=False)
class CyclePolicy:
    """Retry loops: how often the campaign goes round again, and who comes back.

    Construction raises `InvalidConfig` naming the field, the accepted range and
    the value. Ranges are ours (the seeds give none): 1-1440 loops a day, a
    cooldown of whole minutes up to a year, at least one loop in all.
    """

    max_loops_per_day: int = attrs.field(
        default=1, validator=f.check_int(1, 1440, error=InvalidConfig), metadata={"codec": f.PLAIN}
    )
    """Altur's *max number of loops per day*, counted in the campaign's time zone.
    The first pass is not a loop."""
    cooldown: timedelta = attrs.field(
        default=timedelta(0),
        converter=_to_cooldown,
        validator=_check_cooldown,
        metadata={"codec": Codec(_minutes, _load_minutes)},
    )
    """Altur's *cooldown time between loops*; an ``int`` is read as minutes."""
    max_loops: int | None = attrs.field(
        default=None,
        validator=f.check_int(1, None, optional=True, error=InvalidConfig),
        metadata={"codec": f.PLAIN},
    )
    """How many loops the campaign runs in all; None: as many as the daily limit
    allows, until no contact is eligible."""
    status_filters: frozenset[ContactStatus] = attrs.field(
        default=frozenset(),
        converter=_to_statuses,
        metadata={"codec": Codec(lambda v: sorted(s.value for s in v), _load_list)},
    )
    """Statuses that never return to the queue (e.g. ``answered``: skip who already answered)."""
    tag_filters: frozenset[str] = attrs.field(
        default=frozenset(),
        converter=_to_tags,
        metadata={"codec": Codec(sorted, _load_list)},
    )
    """Contacts with any of these tags never return (e.g. numbers tagged ``invalid``)."""

    def loops_left(self, loops_done: int) -> bool:
        """True if another loop may run after ``loops_done`` (the campaign's ``cycle``)."""
        return self.max_loops is None or loops_done < self.max_loops

    def eligible(self, contact: Contact) -> bool:
        """True if ``contact`` returns to the queue at the next loop.

        It must be settled for this cycle, not in a successful final status, not
        in a filtered status, carry no filtered tag, and be able to re-queue.
        """
        status = contact.status
        # Altur (seed 004) loops re-contact "unconverted leads": a converted or otherwise
        # successful contact never returns, and neither does one still being worked on
        # (only settled statuses can re-queue). The table check keeps the decision with
        # the contact machine rather than a second list of statuses here.
        return (
            status in SETTLED_STATUSES
            and status not in SUCCESS_STATUSES
            and status not in self.status_filters
            and (status, ContactEvent.REQUEUE) in CONTACT_MACHINE.table
            and not (self.tag_filters and contact.tags & self.tag_filters)
        )

    def requeue(self, contact: Contact, *, cycle: int, now: datetime) -> Contact:
        """``contact`` back in the queue for loop ``cycle``, due at ``now``.

        The per-cycle counters ``retries`` and ``failed_retries`` reset; the
        lifetime ``attempts`` and the ``last_outcome`` are kept. Raises
        `IllegalTransition` if the contact cannot re-queue and `InvalidInput` for
        a naive ``now`` or a ``cycle`` not after the contact's.
        """
        now = aware_utc(now)
        if type(cycle) is not int or cycle <= contact.cycle:
            raise InvalidInput(f"cycle must be an integer > {contact.cycle}; got {cycle!r}")
        status = CONTACT_MACHINE.next(contact.status, ContactEvent.REQUEUE)
        # seed 000: ``retries`` counts "retries in the current cycle" - it starts again
        # at each loop; the lifetime ``attempts`` does not, so a lifetime cap still holds.
        return attrs.evolve(
            contact,
            status=status,
            retries=0,
            failed_retries=0,
            cycle=cycle,
            next_attempt_at=now,
            updated_at=now,
        )

    def next_loop_at(
        self, *, ended_at: datetime, loop_starts: Sequence[datetime], timezone: str
    ) -> datetime:
        """When the next loop may start: ``cooldown`` after ``ended_at``, and on a day
        (in ``timezone``) with fewer than ``max_loops_per_day`` of ``loop_starts``.

        Raises `InvalidInput` for naive datetimes or an unknown time zone.
        """
        zone = zone_of(timezone, "timezone")
        at = aware_utc(ended_at, "ended_at") + self.cooldown
        per_day: dict[Any, int] = {}
        for start in loop_starts:
            day = aware_utc(start, "loop_starts").astimezone(zone).date()
            per_day[day] = per_day.get(day, 0) + 1
        # seed 004 counts "max number of loops per day" on the campaign's clock (its time
        # zone is "the time zone of your contact base"), so a full day pushes the loop to
        # the next local midnight, never to a UTC one.
        while True:
            day = at.astimezone(zone).date()
            if per_day.get(day, 0) < self.max_loops_per_day:
                return at
            midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            at = max(at, aware_utc(midnight))

    def to_dict(self) -> JSONObject:
        """This policy as plain JSON types (cooldown in minutes, statuses by label)."""
        return dump(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Rebuild a policy from `to_dict` output; raises `InvalidInput` or `InvalidConfig`."""
        return load(cls, data)
