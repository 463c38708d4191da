"""Pacing: how fast a campaign dials, how long it rings, and how much it may do per day.

`PacingPolicy` holds itellico's call settings (seed 002) - the call interval
(5 s to 30 min), the ring timeout (10 s to 60 s) and the maximum calls per
number per day (1 to 1,000, default 100) - and a cap on concurrent calls.
Altur's WhatsApp daily send limit (seed 004) is a WhatsApp campaign setting,
`WhatsAppSettings.daily_limit`; ``PacingPolicy.whatsapp_daily_limit`` is its
deprecated old place (issue 18: one setting per rule). `PacingState` is the little
campaign-wide state pacing needs (calls in flight, when the last one started,
messages sent today); the engine keeps it and moves it with `PacingState.started`
and `PacingState.ended`.

"Today" is always a calendar day in the campaign's time zone: a counter dated
an earlier day counts as zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Self
from zoneinfo import ZoneInfo

import attrs

from .. import _fields as f
from .._fields import JSONObject, aware_utc
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.records import DEFAULT_TIMEZONE
from ..statuses import Channel
from .refusal import Refusal
from .schedule import day_start_after, local_day, zone_of

__all__ = [
    "CALL_INTERVAL_CHOICES",
    "RING_TIMEOUT_CHOICES",
    "PacingPolicy",
    "PacingState",
]

CALL_INTERVAL_CHOICES: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800)
)
"""itellico's call-interval choices (seed 002): 5s, 10s, 20s, 30s, 1min, 2min, 5min,
10min, 20min, 30min. Any interval between the first and the last is accepted."""

RING_TIMEOUT_CHOICES: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (10, 15, 20, 25, 30, 45, 60)
)
"""itellico's ring-timeout choices (seed 002): 10s, 15s, 20s, 25s, 30s, 45s, 60s.
Any timeout between the first and the last is accepted."""


_PACING_KEYS = frozenset(
    {
        "call_interval",
        "ring_timeout",
        "max_calls_per_number_per_day",
        "whatsapp_daily_limit",
        "max_concurrent_calls",
    }
)
_DEPRECATED_KEYS = frozenset({"whatsapp_daily_limit"})
_STATE_KEYS = frozenset({"in_flight", "last_started_at", "sent_today", "counted_on"})

WHATSAPP_DAILY_LIMIT_MOVED = (
    "PacingPolicy.whatsapp_daily_limit is deprecated: set WhatsAppSettings.daily_limit "
    "(the WhatsApp campaign's setting, seed 004); the old field still applies for one "
    "release and goes in the next"
)


def _span(low: timedelta, high: timedelta) -> f.Check[timedelta]:
    words = f"a timedelta from {_words(low)} to {_words(high)}"
    return f.check_span(low, high, expected=words, error=InvalidConfig)


def _words(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def counted_today(count: int, counted_on: date | None, today: date) -> int:
    """A daily counter read on ``today``: zero if it was last counted on an earlier day.

    A counter with no date, or dated after ``today``, is taken at face value, so
    a cap is never exceeded because a date was missing or a clock ran backwards.
    """
    if counted_on is not None and counted_on < today:
        return 0
    return count


@attrs.frozen(weakref_slot=False)
class PacingPolicy:
    """How fast calls are placed, how long they ring and how many a day are allowed.

    Defaults: a 10 s call interval and a 30 s ring timeout (seed 002 lists the
    choices without a default), 100 calls per number per day (seed 002) and no
    concurrency cap unless set. Raises `InvalidConfig` naming the field, the range
    and the value.

    ``whatsapp_daily_limit`` is deprecated: the WhatsApp daily send limit is
    `WhatsAppSettings.daily_limit` (seed 004 sets it with the WhatsApp campaign's
    other settings). Given here it still works for one release - `check` applies it,
    and a campaign whose settings give a different ``daily_limit`` is refused with
    `InvalidConfig` (`campaignkit.policies.messaging.daily_limit`) - and warns with a
    `DeprecationWarning`.
    """

    call_interval: timedelta = attrs.field(
        default=timedelta(seconds=10),
        validator=_span(CALL_INTERVAL_CHOICES[0], CALL_INTERVAL_CHOICES[-1]),
    )
    """The least time between two call starts of the campaign: 5 s to 30 min."""
    ring_timeout: timedelta = attrs.field(
        default=timedelta(seconds=30),
        validator=_span(RING_TIMEOUT_CHOICES[0], RING_TIMEOUT_CHOICES[-1]),
    )
    """How long a call rings before it is given up as no-answer: 10 s to 60 s."""
    max_calls_per_number_per_day: int = attrs.field(
        default=100, validator=f.check_int(1, 1000, error=InvalidConfig)
    )
    """Daily call limit per caller line (itellico "Max Calls Per Number Per Day"): 1-1,000."""
    whatsapp_daily_limit: int | None = attrs.field(
        default=None, validator=f.check_int(1, None, optional=True, error=InvalidConfig)
    )
    """Deprecated: use `WhatsAppSettings.daily_limit`. Messages a WhatsApp campaign may
    send per day (Altur, seed 004); None: no limit."""
    max_concurrent_calls: int | None = attrs.field(
        default=None, validator=f.check_int(1, None, optional=True, error=InvalidConfig)
    )
    """Calls that may be in flight at once; None: no limit."""

    def __attrs_post_init__(self) -> None:
        if self.whatsapp_daily_limit is not None:
            warnings.warn(WHATSAPP_DAILY_LIMIT_MOVED, DeprecationWarning, stacklevel=3)

    def to_dict(self) -> JSONObject:
        """This policy as JSON types (spans in seconds); `from_dict` reverses it exactly.

        The deprecated ``whatsapp_daily_limit`` key is still written (null unless it was
        given) so stored rules keep their shape for one release."""
        return {
            "call_interval": f.seconds(self.call_interval),
            "ring_timeout": f.seconds(self.ring_timeout),
            "max_calls_per_number_per_day": self.max_calls_per_number_per_day,
            "whatsapp_daily_limit": self.whatsapp_daily_limit,
            "max_concurrent_calls": self.max_concurrent_calls,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The policy `to_dict` gave, with or without the deprecated
        ``whatsapp_daily_limit`` key (a stored value still loads, with a
        `DeprecationWarning`). Raises `InvalidInput` for a bad shape or value and
        `InvalidConfig` for one out of range."""
        d = f.mapping_with(data, "pacing", _PACING_KEYS, _DEPRECATED_KEYS)
        return cls(
            call_interval=f.load_seconds(d["call_interval"]),
            ring_timeout=f.load_seconds(d["ring_timeout"]),
            max_calls_per_number_per_day=d["max_calls_per_number_per_day"],
            whatsapp_daily_limit=d.get("whatsapp_daily_limit"),
            max_concurrent_calls=d["max_concurrent_calls"],
        )

    def check(
        self,
        state: PacingState,
        now: datetime,
        *,
        channel: Channel = Channel.CALL,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> tuple[Refusal, ...]:
        """The pacing refusals for starting one more call (or message) at ``now``.

        Calls: the concurrency cap (no ``retry_at``: it lifts when a call ends)
        and the call interval since ``state.last_started_at``. WhatsApp: the
        daily send limit, lifted at the start of the next campaign day. Empty
        when allowed; all refusals are campaign-wide. Raises `InvalidInput` for
        a naive ``now`` and `InvalidConfig` for an unknown ``timezone``.
        """
        t = aware_utc(now)
        if type(state) is not PacingState:
            raise InvalidInput(f"state must be a PacingState; got {shown(state)}")
        refusals: list[Refusal] = []
        # seed 004 limits WhatsApp by messages per day ("to avoid saturating the
        # integration"); the call interval and the concurrency cap are itellico's *Call
        # Settings* (seed 002) and say nothing about messages, so they do not apply.
        # The limit's home is WhatsAppSettings.daily_limit, which the engine applies; the
        # deprecated field here is still honoured for one release (issue 18).
        if channel is Channel.WHATSAPP:
            limit = self.whatsapp_daily_limit
            if limit is not None:
                zone = zone_of(timezone)
                sent = counted_today(state.sent_today, state.counted_on, local_day(t, zone))
                refusal = daily_send_refusal(sent, limit, t, zone, timezone)
                if refusal is not None:
                    refusals.append(refusal)
            return tuple(refusals)
        cap = self.max_concurrent_calls
        # No retry_at: a slot frees when a call ends - an event, not a time. A guessed
        # time would make a runner poll, and a wrong one would let a call through.
        if cap is not None and state.in_flight >= cap:
            refusals.append(
                Refusal(
                    "max-concurrent-calls",
                    f"{state.in_flight} calls in progress; at most {cap} at once",
                    None,
                    campaign_wide=True,
                )
            )
        last = state.last_started_at
        if last is not None and t < last + self.call_interval:
            refusals.append(
                Refusal(
                    "call-interval",
                    f"the last call started at {last.isoformat()}; calls are spaced "
                    f"{_words(self.call_interval)} apart",
                    last + self.call_interval,
                    campaign_wide=True,
                )
            )
        return tuple(refusals)


_check_count = f.check_int(0, expected="a non-negative integer")


def _optional_moment(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value, "last_started_at")


_check_day = f.check_type(date, optional=True)


@attrs.frozen(weakref_slot=False)
class PacingState:
    """The campaign-wide facts pacing needs; the engine keeps one and replaces it.

    Raises `InvalidInput` for negative counts or a naive datetime.
    """

    in_flight: int = attrs.field(default=0, validator=_check_count)
    """Calls started and not yet ended."""
    last_started_at: datetime | None = attrs.field(default=None, converter=_optional_moment)
    """When the latest call (or message) started, in UTC."""
    sent_today: int = attrs.field(default=0, validator=_check_count)
    """Calls placed or messages sent on ``counted_on``."""
    counted_on: date | None = attrs.field(default=None, validator=_check_day)
    """The campaign day ``sent_today`` refers to."""

    def started(self, now: datetime, *, timezone: str = DEFAULT_TIMEZONE) -> Self:
        """This state after a call (or message) started at ``now``: one more in flight,
        ``last_started_at`` moved, today's count up by one (reset on a new day).

        Raises `InvalidInput` for a naive ``now``, `InvalidConfig` for a bad zone.
        """
        t = aware_utc(now)
        today = local_day(t, zone_of(timezone))
        sent = counted_today(self.sent_today, self.counted_on, today)
        last = self.last_started_at
        # Events can arrive late and out of order (DESIGN, "things easy to get wrong"):
        # an older start must not move the interval's anchor, or the day, backwards.
        return attrs.evolve(
            self,
            in_flight=self.in_flight + 1,
            last_started_at=t if last is None or t > last else last,
            sent_today=sent + 1,
            counted_on=max(today, self.counted_on) if self.counted_on else today,
        )

    def ended(self) -> Self:
        """This state after a call in flight ended (never below zero in flight)."""
        # Never below zero: a call-end webhook delivered twice must not open a slot
        # for a call that is not there.
        return attrs.evolve(self, in_flight=max(0, self.in_flight - 1))

    def to_dict(self) -> JSONObject:
        """This state as JSON types (``last_started_at`` and ``counted_on`` ISO 8601);
        `from_dict` reverses it exactly."""
        return {
            "in_flight": self.in_flight,
            "last_started_at": f.iso(self.last_started_at),
            "sent_today": self.sent_today,
            "counted_on": f.iso(self.counted_on),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The state `to_dict` gave. Raises `InvalidInput` for a bad shape or value."""
        d = f.mapping_with(data, "pacing_state", _STATE_KEYS)
        last, day = d["last_started_at"], d["counted_on"]
        return cls(
            in_flight=d["in_flight"],
            last_started_at=None if last is None else f.load_instant(last, "last_started_at"),
            sent_today=d["sent_today"],
            counted_on=None if day is None else f.load_day(day),
        )


def daily_send_refusal(
    sent: int, limit: int | None, now: datetime, zone: ZoneInfo, timezone: str
) -> Refusal | None:
    """The refusal of one more WhatsApp message once ``sent`` messages went out today
    and the campaign's daily ``limit`` is reached (seed 004: a daily limit "to avoid
    saturating the integration"): campaign-wide, lifted at the start of the next day
    in ``zone`` (named ``timezone`` in the reason). None below the limit or without
    one. The one home of the rule: `PacingPolicy.check` and the engine's WhatsApp
    budget both use it."""
    if limit is None or sent < limit:
        return None
    return Refusal(
        "daily-send-limit",
        f"WhatsApp daily send limit reached: {sent} of {limit} messages sent today ({timezone})",
        day_start_after(now, zone),
        campaign_wide=True,
    )
