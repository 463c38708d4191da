"""Caller-ID rotation: which of the campaign's outbound numbers places the next call.

itellico (seed 002) rotates across two or more numbers with one of four
strategies - Round Robin, Lowest Spam, Least Used Today, Weighted - and two
rules: a number whose spam score passes the threshold (1-9, default 7) is
excluded automatically, and a number stops for the day at its daily cap
(`PacingPolicy.max_calls_per_number_per_day`, 1-1,000, default 100). Lines
disabled by hand are never used. `RotationPolicy.select` applies all of it and
returns either the line or a `Refusal` saying why no line can dial.

A line's "today" is its campaign's calendar day: ``calls_today`` counts the
calls placed on ``counted_on``, and reads as zero once that day is over.
`record_line_call` is the reducer that counts a call on a line.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Literal, Self
from zoneinfo import ZoneInfo

import attrs

from .. import _fields as f
from .._fields import JSONObject, aware_utc
from ..errors import InvalidConfig, InvalidInput, shown
from ..models.records import DEFAULT_TIMEZONE, CallerLine
from ..statuses import LineStatus
from .pacing import counted_today
from .refusal import Refusal
from .schedule import day_start_after, local_day, zone_of

__all__ = [
    "RotationPolicy",
    "RotationStrategy",
    "line_calls_today",
    "record_line_call",
    "spam_band",
]


class RotationStrategy(enum.StrEnum):
    """How the next caller line is chosen among the usable ones (itellico, seed 002)."""

    ROUND_ROBIN = "round-robin"
    """The next usable line after the one used last, in the order given."""
    LOWEST_SPAM = "lowest-spam"
    """The line with the lowest spam score (ties: fewer calls today, then order)."""
    LEAST_USED_TODAY = "least-used-today"
    """The line with the fewest calls today (ties: order)."""
    WEIGHTED = "weighted"
    """A random line, in proportion to ``CallerLine.weight``; needs a ``random.Random``."""

    @property
    def label(self) -> str:
        """itellico's name for the strategy: ``"Round Robin"``, ``"Lowest Spam"``, ..."""
        return _LABELS[self]


_LABELS = {
    RotationStrategy.ROUND_ROBIN: "Round Robin",
    RotationStrategy.LOWEST_SPAM: "Lowest Spam",
    RotationStrategy.LEAST_USED_TODAY: "Least Used Today",
    RotationStrategy.WEIGHTED: "Weighted",
}
_BY_NAME = {
    key: s
    for s in RotationStrategy
    for key in (s.value, s.label.lower(), s.name.lower(), s.value.replace("-", "_"))
}


def _to_strategy(value: RotationStrategy | str) -> RotationStrategy:
    if type(value) is RotationStrategy:
        return value
    if type(value) is str and value.strip().lower() in _BY_NAME:
        return _BY_NAME[value.strip().lower()]
    raise InvalidConfig(
        "strategy",
        "a RotationStrategy or one of 'Round Robin', 'Lowest Spam', 'Least Used Today', 'Weighted'",
        value,
    )


_ROTATION_KEYS = frozenset({"strategy", "spam_threshold", "sticky"})
_check_threshold = f.check_int(1, 9, error=InvalidConfig)


_check_flag = f.check_flag(error=InvalidConfig)


def spam_band(score: int) -> Literal["green", "yellow", "red"]:
    """itellico's colour for a spam score: green 0-4, yellow 5-6, red 7+.

    Raises `InvalidInput` for a score outside 0-9.
    """
    if type(score) is not int or not 0 <= score <= 9:
        raise InvalidInput(f"spam score must be an integer from 0 to 9; got {shown(score)}")
    if score <= 4:
        return "green"
    return "yellow" if score <= 6 else "red"


def line_calls_today(line: CallerLine, now: datetime, *, timezone: str = DEFAULT_TIMEZONE) -> int:
    """Calls ``line`` has placed on the campaign's current day at ``now``.

    Zero when ``counted_on`` is an earlier day; taken as is when it is missing
    or later (a cap is never exceeded for want of a date). Raises `InvalidInput`
    for a naive ``now`` and `InvalidConfig` for an unknown ``timezone``.
    """
    today = local_day(aware_utc(now), zone_of(timezone))
    return counted_today(line.calls_today, line.counted_on, today)


def record_line_call(
    line: CallerLine, now: datetime, *, timezone: str = DEFAULT_TIMEZONE
) -> CallerLine:
    """``line`` after placing one call at ``now``: ``calls_today`` up by one (from zero
    on a new campaign day, with ``counted_on`` moved to it) and ``total_calls`` up by one.

    Raises `InvalidInput` for a naive ``now`` and `InvalidConfig` for a bad zone.
    """
    today = local_day(aware_utc(now), zone_of(timezone))
    calls = counted_today(line.calls_today, line.counted_on, today)
    counted_on = today if line.counted_on is None else max(today, line.counted_on)
    return attrs.evolve(
        line, calls_today=calls + 1, counted_on=counted_on, total_calls=line.total_calls + 1
    )


@attrs.frozen(weakref_slot=False)
class RotationPolicy:
    """Caller-ID rotation settings (itellico "Rotation Settings", seed 002).

    Defaults: Round Robin, spam threshold 7, not sticky. With ``sticky`` a
    contact keeps the line recorded in ``Contact.line_id`` (the number that
    first reached it) while that line is usable, and rotates otherwise. Raises
    `InvalidConfig` for a threshold outside 1-9 or an unknown strategy.
    """

    strategy: RotationStrategy = attrs.field(
        default=RotationStrategy.ROUND_ROBIN, converter=_to_strategy
    )
    """How the line is chosen; also accepts itellico's labels (``"Lowest Spam"``)."""
    spam_threshold: int = attrs.field(default=7, validator=_check_threshold)
    """Maximum spam score before auto-exclusion: a line scoring above it is not used (1-9)."""
    sticky: bool = attrs.field(default=False, validator=_check_flag)
    """Keep a contact on the line that first reached it, while that line is usable."""

    def to_dict(self) -> JSONObject:
        """This policy as JSON types (the strategy by its value, ``"round-robin"``);
        `from_dict` reverses it exactly."""
        return {
            "strategy": self.strategy.value,
            "spam_threshold": self.spam_threshold,
            "sticky": self.sticky,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The policy `to_dict` gave. Raises `InvalidInput` for a bad shape and
        `InvalidConfig` for a value out of range."""
        d = f.mapping_with(data, "rotation", _ROTATION_KEYS)
        return cls(strategy=d["strategy"], spam_threshold=d["spam_threshold"], sticky=d["sticky"])

    def excludes(self, line: CallerLine) -> bool:
        """True when ``line``'s spam score is above the threshold (auto-exclusion)."""
        # seed 002: the threshold is the "maximum spam score before auto-exclusion" - a
        # score equal to it is still allowed. With the default 7 a line in the red band
        # (7+) at exactly 7 is used; from 8 it is excluded.
        return line.spam_score > self.spam_threshold

    def refresh_status(self, line: CallerLine) -> CallerLine:
        """``line`` with its status following its spam score: an active line above the
        threshold becomes excluded, an excluded line back under it becomes active;
        a disabled line stays disabled (only a person re-enables it)."""
        # seed 002 has both "Excluded" (automatic, follows the score) and "Disabled"
        # (the *Enable/disable number* action): only the automatic one may be undone here.
        if line.status is LineStatus.ACTIVE and self.excludes(line):
            return attrs.evolve(line, status=LineStatus.EXCLUDED)
        if line.status is LineStatus.EXCLUDED and not self.excludes(line):
            return attrs.evolve(line, status=LineStatus.ACTIVE)
        return line

    def _problem(self, line: CallerLine, today: date, daily_cap: int) -> str | None:
        status = line.status
        if status is LineStatus.DISABLED:
            return f"line {line.id} is disabled"
        if status is LineStatus.EXCLUDED:
            return f"line {line.id} is excluded"
        if line.spam_score > self.spam_threshold:
            return (
                f"line {line.id} has spam score {line.spam_score}, above the threshold "
                f"{self.spam_threshold}"
            )
        used = counted_today(line.calls_today, line.counted_on, today)
        if used >= daily_cap:
            return f"line {line.id} reached its daily cap ({used} of {daily_cap} calls today)"
        return None

    def problem(
        self,
        line: CallerLine,
        now: datetime,
        *,
        daily_cap: int = 100,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> str | None:
        """Why ``line`` cannot place a call at ``now``, or None when it can.

        A line is usable when its status is active, its spam score is not above
        the threshold and it has placed fewer than ``daily_cap`` calls today.
        Raises `InvalidInput` for a naive ``now``, `InvalidConfig` for a bad zone.
        """
        return self._problem(line, local_day(aware_utc(now), zone_of(timezone)), daily_cap)

    def usable(
        self,
        lines: Sequence[CallerLine],
        now: datetime,
        *,
        daily_cap: int = 100,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> tuple[CallerLine, ...]:
        """The lines of ``lines`` that can place a call at ``now``, in the order given."""
        today = local_day(aware_utc(now), zone_of(timezone))
        return tuple(x for x in lines if self._problem(x, today, daily_cap) is None)

    def select(
        self,
        lines: Sequence[CallerLine],
        now: datetime,
        *,
        daily_cap: int = 100,
        timezone: str = DEFAULT_TIMEZONE,
        previous_line_id: str | None = None,
        sticky_line_id: str | None = None,
        rng: random.Random | None = None,
    ) -> CallerLine | Refusal:
        """The line to place a call from at ``now``, or a `Refusal` explaining why none can.

        ``previous_line_id`` is the line the campaign used last (Round Robin
        continues after it); ``sticky_line_id`` is the contact's ``line_id``
        (used first when the policy is sticky). ``rng`` is required by the
        Weighted strategy and draws exactly one number per selection, so a
        seeded ``random.Random`` gives the same choices every run. The refusal
        is the one `unavailable` gives.

        Raises `InvalidInput` for a naive ``now``, duplicate line ids, or a
        Weighted policy without ``rng``; `InvalidConfig` for a bad ``timezone``
        or ``daily_cap``.
        """
        t = aware_utc(now)
        if type(daily_cap) is not int or daily_cap < 1:
            raise InvalidConfig("daily_cap", "an integer >= 1", daily_cap)
        if len({line.id for line in lines}) != len(lines):
            raise InvalidInput(f"caller lines must have distinct ids; got {[x.id for x in lines]}")
        if self.strategy is RotationStrategy.WEIGHTED and rng is None:
            raise InvalidInput("the weighted rotation strategy needs rng=random.Random(seed)")
        zone = zone_of(timezone)
        today = local_day(t, zone)
        usable = [(i, x) for i, x in enumerate(lines) if self._problem(x, today, daily_cap) is None]
        if not usable:
            return self._refusal(lines, t, today, daily_cap, zone)
        # Sticky only among usable lines: stickiness never forces a line that seed 002's
        # auto-exclusion, a person (disabled) or the daily cap has taken out of rotation;
        # the contact then rotates like anyone else.
        if self.sticky and sticky_line_id is not None:
            for _, line in usable:
                if line.id == sticky_line_id:
                    return line
        strategy = self.strategy
        if strategy is RotationStrategy.ROUND_ROBIN:
            start = next((i + 1 for i, x in enumerate(lines) if x.id == previous_line_id), 0)
            return min(usable, key=lambda ix: (ix[0] - start) % len(lines))[1]
        if strategy is RotationStrategy.LOWEST_SPAM:
            return min(
                usable,
                key=lambda ix: (
                    ix[1].spam_score,
                    counted_today(ix[1].calls_today, ix[1].counted_on, today),
                    ix[0],
                ),
            )[1]
        if strategy is RotationStrategy.LEAST_USED_TODAY:
            return min(
                usable,
                key=lambda ix: (counted_today(ix[1].calls_today, ix[1].counted_on, today), ix[0]),
            )[1]
        assert rng is not None
        # Exactly one draw per selection, from the caller's Random (sans-I/O: no global
        # random state), so a seeded run replays the same lines.
        return rng.choices([x for _, x in usable], weights=[x.weight for _, x in usable])[0]

    def unavailable(
        self,
        lines: Sequence[CallerLine],
        now: datetime,
        *,
        daily_cap: int = 100,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> Refusal | None:
        """None when some line of ``lines`` can place a call at ``now``; otherwise the
        campaign-wide `Refusal` listing why each cannot. Its ``retry_at`` is the start
        of the next campaign day when some line is held back only by its daily cap
        (caps reset then), else None (a person must enable a line or lower a score).
        Raises `InvalidInput` for a naive ``now``, `InvalidConfig` for a bad zone."""
        t = aware_utc(now)
        zone = zone_of(timezone)
        today = local_day(t, zone)
        if any(self._problem(x, today, daily_cap) is None for x in lines):
            return None
        return self._refusal(lines, t, today, daily_cap, zone)

    def _refusal(
        self,
        lines: Sequence[CallerLine],
        t: datetime,
        today: date,
        daily_cap: int,
        zone: ZoneInfo,
    ) -> Refusal:
        if not lines:
            return Refusal(
                "no-caller-line", "no caller line is assigned to the campaign", None, True
            )
        # Some line fails only on its daily cap: caps reset when the next day starts.
        capped_only = any(x.status is LineStatus.ACTIVE and not self.excludes(x) for x in lines)
        retry = day_start_after(t, zone) if capped_only else None
        problems = [self._problem(x, today, daily_cap) for x in lines]
        reasons = "; ".join(p for p in problems if p is not None)
        return Refusal("no-caller-line", f"no caller line can dial: {reasons}", retry, True)
