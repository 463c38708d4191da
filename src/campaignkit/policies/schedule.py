"""Calling windows: the campaign's weekly hours and the contact's local window.

Theory of operation
-------------------
A `CallingWindow` is a span of *local wall-clock time* on chosen weekdays
(``09:00-18:00`` Monday to Friday); when its end is not after its start it
crosses midnight and runs into the next day (``22:00-02:00``; ``00:00-00:00``
is the whole day). An instant is inside a window when the wall clock of the
window's time zone *shows* a time inside it at that instant. That single rule
is what makes daylight saving safe:

* a local time the clock skips (02:30 on a spring-forward night) is never
  shown, so no instant is "at 02:30"; a window ``02:30-04:00`` that night opens
  at the first instant the clock shows a time inside it, 03:00;
* a local time the clock shows twice (01:30 on a fall-back night) is inside a
  window both times, and the hour between is judged by what the clock shows,
  so a window ending at 01:30 closes at the first 01:30, reopens when the
  clock falls back to 01:00, and closes again at the second 01:30;
* nothing is ever proposed at an instant whose wall-clock time lies outside
  the window, and every day on which the clock shows an in-window time is an
  open day: `Schedule.next_opening` returns the first such instant, so it never
  skips one. (A window lying wholly inside a skipped hour is not shown by the
  clock that night, so that night has nothing to open.)

`Schedule` is the campaign's hours in the campaign's time zone (default
``America/Mexico_City``, as in Altur, seed 004), with closed dates (holidays)
and a start date-time (itellico's "Start Date & Time", seed 002: blank starts
immediately). Its ``contact_windows`` are hours in the *contact's* local time;
the contact's zones come from its phone number (`contact_time_zones`), and
where a number spans several zones the window must hold in every one of them.

The search for the next opening walks the UTC timeline in pieces of constant
UTC offset (at most a day long, split at each offset change). Inside a piece
wall time is UTC plus a constant, so openings can only happen at the piece's
start or where the wall clock reaches a window boundary - a handful of
candidates per day, each checked with the same membership rule.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

import attrs
import phonenumbers
from phonenumbers import timezone as _phone_tz

from .._fields import aware_utc, is_e164, zone
from ..errors import InvalidConfig, InvalidInput
from ..models import DEFAULT_TIMEZONE

__all__ = ["CallingWindow", "Schedule", "contact_time_zones"]

_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_MIDNIGHT = time(0)
_DAY_SECONDS = 86_400
_ALL_DAYS: frozenset[int] = frozenset(range(7))
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

HORIZON_DAYS = 366
"""How far ahead the searches look (plus two days per closed date) before answering None."""


# --------------------------------------------------------------------------- validation


def zone_of(name: Any, field: str = "timezone") -> ZoneInfo:
    """The `ZoneInfo` called ``name`` (through the cached `campaignkit._fields.zone`);
    `InvalidConfig` naming ``field`` if there is none (a folder such as ``"America"``,
    an over-long or unknown name, a non-string)."""
    try:
        return zone(name, field)
    except InvalidInput:
        raise InvalidConfig(
            field, "an IANA time zone name such as 'America/Mexico_City'", name
        ) from None


def _check_zone(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    zone_of(value, attribute.name)


def _check_time(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not time or value.tzinfo is not None or value.microsecond:
        raise InvalidConfig(
            attribute.name, "a naive datetime.time in whole seconds, e.g. time(9, 0)", value
        )


def _to_weekdays(value: Any) -> frozenset[int]:
    expected = "a non-empty collection of weekday numbers, 0 (Monday) to 6 (Sunday)"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("weekdays", expected, value)
    days = list(value)
    # Checked before hashing: a nested list must be refused, not raise TypeError.
    if not days or not all(type(d) is int and 0 <= d <= 6 for d in days):
        raise InvalidConfig("weekdays", expected, value)
    return frozenset(days)


def _windows(field: str, value: Any, allow_empty: bool) -> tuple[CallingWindow, ...]:
    expected = "a sequence of CallingWindow" + ("" if allow_empty else " (at least one)")
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig(field, expected, value)
    windows = tuple(value)
    if not all(type(w) is CallingWindow for w in windows) or (not windows and not allow_empty):
        raise InvalidConfig(field, expected, value)
    return windows


def _to_windows(value: Any) -> tuple[CallingWindow, ...]:
    return _windows("windows", value, allow_empty=False)


def _to_contact_windows(value: Any) -> tuple[CallingWindow, ...]:
    return _windows("contact_windows", value, allow_empty=True)


def _to_dates(value: Any) -> frozenset[date]:
    expected = "a collection of datetime.date"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("closed_dates", expected, value)
    dates = list(value)
    if not all(type(d) is date for d in dates):
        raise InvalidConfig("closed_dates", expected, value)
    return frozenset(dates)


def _to_start(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidConfig("start_at", "an aware datetime or None (start immediately)", value)
    return value.astimezone(UTC)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


# --------------------------------------------------------------------------- windows


@attrs.frozen(weakref_slot=False, cache_hash=True)
class CallingWindow:
    """A span of local wall-clock time on some weekdays, e.g. 09:00-18:00 Monday to Friday.

    ``start`` is inside the window and ``end`` is not. When ``end`` is not after
    ``start`` the window crosses midnight: ``CallingWindow(time(22), time(2))``
    opening on a Friday runs until 02:00 on Saturday, and ``time(0)`` to
    ``time(0)`` is the whole day. ``weekdays`` are the days the window *opens*
    (0 = Monday ... 6 = Sunday; default every day). Raises `InvalidConfig` for a
    time with a tzinfo or microseconds, or an empty or out-of-range weekday set.
    """

    start: time = attrs.field(validator=_check_time)
    """Local time the window opens (inclusive)."""
    end: time = attrs.field(validator=_check_time)
    """Local time the window closes (exclusive); not after ``start`` crosses midnight."""
    weekdays: frozenset[int] = attrs.field(default=_ALL_DAYS, converter=_to_weekdays)
    """The weekdays on which the window opens: 0 Monday to 6 Sunday."""

    @property
    def crosses_midnight(self) -> bool:
        """True when the window runs past midnight into the next day."""
        return self.end <= self.start

    def __str__(self) -> str:
        span = f"{_clock(_seconds(self.start))}-{_clock(_seconds(self.end))}"
        if self.weekdays == _ALL_DAYS:
            return span
        return f"{span} {','.join(_DAY_NAMES[d] for d in sorted(self.weekdays))}"


@functools.lru_cache(maxsize=1024)
def _describe(windows: tuple[CallingWindow, ...]) -> str:
    return ", ".join(str(w) for w in windows)


class _Pattern:
    """Windows compiled per weekday: wall intervals in seconds since local midnight."""

    __slots__ = ("always", "boundaries", "same_day", "spill")

    def __init__(self, windows: Sequence[CallingWindow]) -> None:
        same: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        spill = [0] * 7
        for w in windows:
            s, e = _seconds(w.start), _seconds(w.end)
            for day in w.weekdays:
                if e > s:
                    same[day].append((s, e))
                else:
                    same[day].append((s, _DAY_SECONDS))
                    nxt = (day + 1) % 7
                    spill[nxt] = max(spill[nxt], e)
        self.same_day = tuple(tuple(sorted(x)) for x in same)
        self.spill = tuple(spill)
        self.boundaries = tuple(
            tuple(
                sorted(
                    {0, spill[day]}
                    | {s for s, _ in same[day]}
                    | {e for _, e in same[day] if e < _DAY_SECONDS}
                )
            )
            for day in range(7)
        )
        self.always = all(
            any(s == 0 and e == _DAY_SECONDS for s, e in same[day]) for day in range(7)
        )

    def open_wall(self, closed: frozenset[date], day: date, second: int) -> bool:
        """Whether wall time ``second`` on local date ``day`` is inside a window.

        A closed date has no open instant, and a window opening on a closed date
        does not run at all (not even its part after midnight).
        """
        if closed and day in closed:
            return False
        weekday = day.weekday()
        for s, e in self.same_day[weekday]:
            if s <= second < e:
                return True
        return second < self.spill[weekday] and not (closed and day - _DAY in closed)


@functools.lru_cache(maxsize=1024)
def _compile(windows: tuple[CallingWindow, ...]) -> _Pattern:
    return _Pattern(windows)


def _transition(zone: ZoneInfo, lo: datetime, hi: datetime, offset: timedelta | None) -> datetime:
    """The first instant after ``lo`` (offset ``offset``) whose UTC offset differs; ``hi``
    is known to differ. Exact to the microsecond."""
    while hi - lo > _MICROSECOND:
        mid = lo + (hi - lo) // 2
        if mid.astimezone(zone).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return hi


class _Gate:
    """A compiled pattern in one time zone, with closed dates and a start instant."""

    __slots__ = ("closed", "pattern", "start_at", "zone")

    def __init__(
        self,
        pattern: _Pattern,
        zone: ZoneInfo,
        closed: frozenset[date] = frozenset(),
        start_at: datetime | None = None,
    ) -> None:
        self.pattern = pattern
        self.zone = zone
        self.closed = closed
        self.start_at = start_at

    def _open_local(self, local: datetime) -> bool:
        second = local.hour * 3600 + local.minute * 60 + local.second
        return self.pattern.open_wall(self.closed, local.date(), second)

    def is_open(self, t: datetime) -> bool:
        if self.start_at is not None and t < self.start_at:
            return False
        return self._open_local(t.astimezone(self.zone))

    def next_change(self, t: datetime, want: bool, limit: datetime) -> datetime | None:
        """The first instant ``>= t`` (and not after about ``limit``) at which
        `is_open` is ``want``; None if there is none."""
        if self.start_at is not None and t < self.start_at:
            if not want:
                return t
            t = self.start_at
        if self.pattern.always and not self.closed:
            return t if want else None
        zone = self.zone
        seg_start = t
        while seg_start <= limit:
            local = seg_start.astimezone(zone)
            if self._open_local(local) is want:
                return seg_start
            offset = local.utcoffset()
            assert offset is not None
            probe = seg_start + _DAY
            if probe.astimezone(zone).utcoffset() != offset:
                seg_end = _transition(zone, seg_start, probe, offset)
            else:
                seg_end = probe
            wall_lo = local.replace(tzinfo=None)
            found = self._scan(wall_lo, wall_lo + (seg_end - seg_start), want)
            if found is not None:
                return (found - offset).replace(tzinfo=UTC)
            seg_start = seg_end
        return None

    def _scan(self, wall_lo: datetime, wall_hi: datetime, want: bool) -> datetime | None:
        """The first wall time in (wall_lo, wall_hi) at a window boundary where
        membership is ``want``."""
        pattern, closed = self.pattern, self.closed
        day = wall_lo.date()
        while True:
            day0 = datetime.combine(day, _MIDNIGHT)
            if day0 >= wall_hi:
                return None
            for boundary in pattern.boundaries[day.weekday()]:
                wall = day0 + timedelta(seconds=boundary)
                if wall <= wall_lo:
                    continue
                if wall >= wall_hi:
                    return None
                if pattern.open_wall(closed, day, boundary) is want:
                    return wall
            day += _DAY


def _limit(t: datetime, closed_dates: int = 0) -> datetime:
    return t + timedelta(days=HORIZON_DAYS + 2 * closed_dates)


def earliest_common(gates: Sequence[_Gate], t: datetime, limit: datetime) -> datetime | None:
    """The first instant ``>= t`` at which every gate is open; None within ``limit``."""
    while True:
        moved = False
        for gate in gates:
            u = gate.next_change(t, True, limit)
            if u is None:
                return None
            if u > t:
                t, moved = u, True
        if not moved:
            return t


def day_start_after(now: datetime, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) of the local day after ``now``'s, in ``zone``.

    Midnight may not exist (a zone that springs forward at 00:00): then the
    day begins at the transition.
    """
    naive = datetime.combine(now.astimezone(zone).date() + _DAY, _MIDNIGHT)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _transition(zone, before, first, before.astimezone(zone).utcoffset())


def local_day(now: datetime, zone: ZoneInfo) -> date:
    """``now``'s calendar date in ``zone``."""
    return now.astimezone(zone).date()


# --------------------------------------------------------------------------- contact zones


@functools.lru_cache(maxsize=65_536)
def _phone_zones(phone: str, fallback: str) -> tuple[str, ...]:
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return (fallback,)
    zones = _phone_tz.time_zones_for_number(number)
    national = str(number.national_number)
    if (
        _phone_tz.UNKNOWN_TIMEZONE in zones
        and number.country_code == 52
        and len(national) == 11
        and national.startswith("1")
    ):
        # Mexico's mobile prefix "1" (+52 1 55 ...), dropped in 2019 but still in exports.
        zones = _phone_tz.time_zones_for_number(phonenumbers.parse(f"+52{national[1:]}", None))
    if _phone_tz.UNKNOWN_TIMEZONE in zones:
        # Not a valid number: every zone its longest known prefix (or country) spans.
        zones = _phone_tz.time_zones_for_geographical_number(number)
    known = []
    for name in zones:
        try:
            zone(name, "zone")
        except InvalidInput:  # a name phonenumbers knows and this tzdata does not
            continue
        known.append(name)
    return tuple(sorted(set(known))) or (fallback,)


def contact_time_zones(phone: str, *, fallback: str = DEFAULT_TIMEZONE) -> tuple[str, ...]:
    """The IANA time zones the holder of ``phone`` (E.164) may be in, sorted by name.

    From ``phonenumbers.timezone``: one zone for most numbers, several for a
    number whose area spans zones (every candidate must be respected), the
    country's zones for a number valid only by its prefix. Mexico's retired
    mobile prefix (``+52 1 ...``, as in the seeds' examples) is dropped first.
    When nothing is known, ``(fallback,)`` - pass the campaign's time zone,
    which Altur defines as the time zone of the contact base. Raises
    `InvalidInput` for a phone not in E.164 form, `InvalidConfig` for an
    unknown ``fallback``.
    """
    if type(phone) is not str or not is_e164(phone):
        raise InvalidInput(f"phone must be a phone number in E.164 form; got {phone!r}")
    zone_of(fallback, "fallback")
    return _phone_zones(phone, fallback)


# --------------------------------------------------------------------------- schedule

_ALWAYS = (CallingWindow(_MIDNIGHT, _MIDNIGHT),)


@attrs.frozen(weakref_slot=False)
class Schedule:
    """When a campaign may call: weekly hours in its time zone, closed dates, a start
    date-time, and optional hours in the contact's own local time.

    The default is open around the clock from now on in ``America/Mexico_City``
    (Altur's default time zone, seed 004). Every method takes an aware ``now``
    (naive raises `InvalidInput`) and returns instants in UTC. Construction
    raises `InvalidConfig` for an unknown time zone, no windows, a naive
    ``start_at`` or anything not of the documented types.
    """

    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, validator=_check_zone)
    """The campaign's IANA time zone: windows and closed dates are read in it."""
    windows: tuple[CallingWindow, ...] = attrs.field(default=_ALWAYS, converter=_to_windows)
    """The weekly business hours; the schedule is open inside any of them."""
    closed_dates: frozenset[date] = attrs.field(default=frozenset(), converter=_to_dates)
    """Holidays: no call on these local dates, and no window opening on them runs."""
    start_at: datetime | None = attrs.field(default=None, converter=_to_start)
    """When calling may begin (itellico "Start Date & Time"); None starts immediately."""
    contact_windows: tuple[CallingWindow, ...] = attrs.field(
        default=(), converter=_to_contact_windows
    )
    """Hours in the *contact's* local time (every zone its number may be in); empty: none."""

    @classmethod
    def business_hours(
        cls,
        start: time = time(9),
        end: time = time(18),
        *,
        weekdays: Iterable[int] = range(5),
        timezone: str = DEFAULT_TIMEZONE,
        closed_dates: Iterable[date] = (),
        start_at: datetime | None = None,
        contact_windows: Sequence[CallingWindow] = (),
    ) -> Self:
        """One window ``start``-``end`` on ``weekdays`` (default Monday to Friday,
        09:00-18:00). Raises `InvalidConfig`."""
        return cls(
            timezone=timezone,
            windows=(CallingWindow(start, end, frozenset(weekdays)),),
            closed_dates=frozenset(closed_dates),
            start_at=start_at,
            contact_windows=tuple(contact_windows),
        )

    # ------------------------------------------------------------------ campaign hours

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone as a `ZoneInfo`."""
        return zone(self.timezone)

    def _gate(self) -> _Gate:
        return _campaign_gate(self.windows, self.timezone, self.closed_dates, self.start_at)

    def _limit(self, t: datetime) -> datetime:
        return _limit(t, len(self.closed_dates))

    def is_open(self, now: datetime) -> bool:
        """True when the campaign's hours are open at ``now`` (contacts' windows aside)."""
        return self._gate().is_open(aware_utc(now))

    def next_opening(self, now: datetime) -> datetime | None:
        """The first instant at or after ``now`` at which the campaign's hours are open
        (``now`` itself when open); None if none within `HORIZON_DAYS`."""
        t = aware_utc(now)
        return self._gate().next_change(t, True, self._limit(t))

    def next_closing(self, now: datetime) -> datetime | None:
        """The first instant at or after ``now`` at which the campaign's hours are
        closed (``now`` itself when closed); None if it stays open past the horizon."""
        t = aware_utc(now)
        return self._gate().next_change(t, False, self._limit(t))

    def today(self, now: datetime) -> date:
        """The campaign's calendar day at ``now``: what "today" means for daily caps."""
        return local_day(aware_utc(now), self.zone)

    # ------------------------------------------------------------------ with the contact

    def contact_zones(self, phone: str) -> tuple[str, ...]:
        """`contact_time_zones` of ``phone``, falling back to the campaign's zone."""
        return contact_time_zones(phone, fallback=self.timezone)

    def _contact_gates(self, phone: str, zones: Sequence[str] | None) -> list[_Gate]:
        if not self.contact_windows:
            return []
        names = self.contact_zones(phone) if zones is None else checked_zones(zones)
        return self._contact_gates_in(names)

    def _contact_gates_in(self, names: tuple[str, ...]) -> list[_Gate]:
        """Contact-window gates in ``names`` (already checked); none without windows."""
        if not self.contact_windows:
            return []
        return list(gates_for(self.contact_windows, names))

    def is_open_for(self, phone: str, now: datetime, *, zones: Sequence[str] | None = None) -> bool:
        """True when the campaign's hours are open and the contact's local window is
        open in every zone its number may be in (or in ``zones``, if given)."""
        t = aware_utc(now)
        return all(g.is_open(t) for g in [self._gate(), *self._contact_gates(phone, zones)])

    def next_opening_for(
        self, phone: str, now: datetime, *, zones: Sequence[str] | None = None
    ) -> datetime | None:
        """The first instant at or after ``now`` at which `is_open_for` holds; None
        if there is none within the horizon (e.g. hours that never overlap)."""
        t = aware_utc(now)
        gates = [self._gate(), *self._contact_gates(phone, zones)]
        return earliest_common(gates, t, self._limit(t))

    def contact_window_open(
        self, phone: str, now: datetime, *, zones: Sequence[str] | None = None
    ) -> bool:
        """True when ``contact_windows`` hold at ``now`` in every zone of ``phone``
        (always True without contact windows); the campaign's hours aside."""
        t = aware_utc(now)
        return all(g.is_open(t) for g in self._contact_gates(phone, zones))

    def next_contact_window(
        self, phone: str, now: datetime, *, zones: Sequence[str] | None = None
    ) -> datetime | None:
        """The first instant at or after ``now`` at which `contact_window_open` holds."""
        t = aware_utc(now)
        gates = self._contact_gates(phone, zones)
        return earliest_common(gates, t, _limit(t)) if gates else t

    def describe_contact_windows(self) -> str:
        """The contact windows as text, e.g. ``"09:00-20:00"``."""
        return _describe(self.contact_windows)

    def describe(self) -> str:
        """The campaign hours as text, e.g. ``"09:00-18:00 Mon,Tue,Wed,Thu,Fri"``."""
        return _describe(self.windows)


def checked_zones(zones: Sequence[str]) -> tuple[str, ...]:
    """``zones`` as a tuple of IANA names; `InvalidInput` if empty or unknown."""
    if isinstance(zones, str) or not zones:
        raise InvalidInput(f"zones must be a non-empty sequence of IANA names; got {zones!r}")
    for name in zones:
        try:
            zone_of(name, "zones")
        except InvalidConfig as exc:
            raise InvalidInput(str(exc)) from None
    return tuple(zones)


@functools.lru_cache(maxsize=4096)
def gates_for(windows: tuple[CallingWindow, ...], zones: tuple[str, ...]) -> tuple[_Gate, ...]:
    """One gate per zone for ``windows`` (contact windows, compliance quiet hours)."""
    pattern = _compile(windows)
    return tuple(_Gate(pattern, zone(name, "zones")) for name in zones)


@functools.lru_cache(maxsize=1024)
def _campaign_gate(
    windows: tuple[CallingWindow, ...],
    timezone: str,
    closed: frozenset[date],
    start_at: datetime | None,
) -> _Gate:
    return _Gate(_compile(windows), zone(timezone), closed, start_at)
