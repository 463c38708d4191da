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
``America/Mexico_City``, as in Altur, seed 004), with closed dates (holidays),
recurring closures (iCalendar ``RRULE`` text read by ``dateutil.rrule``: every
1 May, the first Monday of September), a country's public holidays (the
optional ``holidays`` extra, `holiday_dates`) and a start date-time (itellico's
"Start Date & Time", seed 002: blank starts immediately). Its
``contact_windows`` are hours in the *contact's* local time; the contact's
zones come from its phone number (`contact_time_zones`), and
where a number spans several zones the window must hold in every one of them.

The search for the next opening walks the UTC timeline in pieces of constant
UTC offset (at most a day long, split at each offset change). Inside a piece
wall time is UTC plus a constant, so openings can only happen at the piece's
start or where the wall clock reaches a window boundary - a handful of
candidates per day, each checked with the same membership rule.

How far the search looks: it jumps straight to ``start_at`` (however far
ahead), and from there looks past the last closed date (or the last date of a
finite recurring closure) by `HORIZON_DAYS`. After that point the weekly
pattern only repeats, so a search that finds nothing there proves the hours
never open again: `Schedule.next_opening` returning None means *never* (a
recurring closure without an end that keeps every open day closed for a whole
year is taken to keep them closed for ever). Instants whose local time would
fall outside the calendar (before year 1, after 9999) are closed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

import attrs
import phonenumbers
from dateutil import rrule as _rrule
from phonenumbers import timezone as _phone_tz

from .. import _fields as f
from .._fields import JSONObject, aware_utc, is_e164, zone
from ..errors import InvalidConfig, InvalidInput, MissingDependency, shown
from ..models.records import DEFAULT_TIMEZONE

__all__ = [
    "HORIZON_DAYS",
    "RULE_ANCHOR",
    "CallingWindow",
    "Schedule",
    "contact_time_zones",
    "holiday_dates",
]

_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_MIDNIGHT = time(0)
_DAY_SECONDS = 86_400
_ALL_DAYS: frozenset[int] = frozenset(range(7))
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

HORIZON_DAYS = 366
"""How far past ``start_at`` and the last closure the searches look before answering
None (never); plus two days per closed date."""

_END_OF_TIME = datetime.max.replace(tzinfo=UTC)
_START_OF_TIME = datetime.min.replace(tzinfo=UTC)
_FIRST_SAFE = datetime(1, 1, 2, tzinfo=UTC)
"""Past every UTC offset from year 1: local times from here on exist in every zone."""


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


_check_zone = f.check_zone(error=InvalidConfig)


_check_time = f.check(
    lambda value: type(value) is time and value.tzinfo is None and not value.microsecond,
    "a naive datetime.time in whole seconds, e.g. time(9, 0)",
    error=InvalidConfig,
)


def _to_weekdays(value: Iterable[int]) -> frozenset[int]:
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


def _to_windows(value: Iterable[CallingWindow]) -> tuple[CallingWindow, ...]:
    return _windows("windows", value, allow_empty=False)


def _to_contact_windows(value: Iterable[CallingWindow]) -> tuple[CallingWindow, ...]:
    return _windows("contact_windows", value, allow_empty=True)


def _to_dates(value: Iterable[date]) -> frozenset[date]:
    expected = "a collection of datetime.date"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("closed_dates", expected, value)
    dates = list(value)
    if not all(type(d) is date for d in dates):
        raise InvalidConfig("closed_dates", expected, value)
    return frozenset(dates)


RULE_ANCHOR = date(2000, 1, 1)
"""Recurring closures count from this date (their ``DTSTART``): a rule closes no day before it."""

_MAX_RULE_CHARS = 300
_MAX_RULE_COUNT = 1000
_LAST_RULE_YEAR = 2199
_MOST_RULE_INTERVAL = 52
_RULE_PART = re.compile(r"[A-Z]+=[A-Za-z0-9,+-]+")
_RULE_FREQS = frozenset({"YEARLY", "MONTHLY", "WEEKLY", "DAILY"})
_RULE_KEYS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYMONTH", "BYMONTHDAY", "BYDAY"}
)
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_RULE_EXPECTED = (
    "iCalendar RRULE text for whole days, e.g. 'FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1' "
    f"(FREQ YEARLY, MONTHLY, WEEKLY or DAILY; COUNT up to {_MAX_RULE_COUNT}; "
    f"UNTIL up to {_LAST_RULE_YEAR}; INTERVAL up to {_MOST_RULE_INTERVAL}; BYMONTH, "
    "BYMONTHDAY and BYDAY naming days that exist)"
)


@functools.lru_cache(maxsize=256)
def _parse_rule(text: str) -> tuple[_rrule.rrule, date | None]:
    """The rule ``text`` from `RULE_ANCHOR`, and its last date (None: no end).

    Raises `InvalidConfig` naming ``closed_rules`` for anything but a whole-day rule.
    """
    parts = text.split(";") if 0 < len(text) <= _MAX_RULE_CHARS else []
    keys: dict[str, str] = {}
    for part in parts:
        if not _RULE_PART.fullmatch(part):
            raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
        key, _, value = part.partition("=")
        if key not in _RULE_KEYS or key in keys:
            raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
        keys[key] = value
    if keys.get("FREQ") not in _RULE_FREQS:
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
    count = keys.get("COUNT")
    if count is not None and not (count.isdigit() and 0 < int(count) <= _MAX_RULE_COUNT):
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
    until = keys.get("UNTIL")
    if until is not None and not (len(until) >= 8 and until[:4] <= str(_LAST_RULE_YEAR)):
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
    interval = keys.get("INTERVAL", "1")
    if not (interval.isdigit() and 0 < int(interval) <= _MOST_RULE_INTERVAL):
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
    if not _rule_can_happen(keys):
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
    try:
        rule = _rrule.rrulestr(text, dtstart=datetime.combine(RULE_ANCHOR, time(0)))
        if not isinstance(rule, _rrule.rrule):  # pragma: no cover - a set needs EXDATE lines
            raise ValueError(text)
        # The last date of a finite rule: at most 1,000 dates, or days up to 2199.
        last = None if count is None and until is None else max(rule, default=None)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise InvalidConfig("closed_rules", _RULE_EXPECTED, text) from None
    return rule, None if last is None else last.date()


def _numbers(text: str, low: int, high: int) -> list[int] | None:
    """The comma-separated integers of ``text``, each ``low <= |n| <= high``; None if not."""
    values = []
    for part in text.split(","):
        digits = part.lstrip("+-")
        if not digits.isdigit() or len(digits) > 3 or not low <= int(digits) <= high:
            return None
        values.append(int(part))
    return values


def _rule_can_happen(keys: dict[str, str]) -> bool:
    """Whether a rule in the accepted subset closes some day.

    dateutil scans to year 9999 looking for a date that cannot exist (30
    February, month 13) on every lookup, so such rules are refused here: the
    subset (no BYSETPOS, BYYEARDAY or BYWEEKNO; ordinal weekdays only in
    monthly and yearly rules, and not with month days) makes that a check of
    the month/day pairs alone.
    """
    months = _numbers(keys["BYMONTH"], 1, 12) if "BYMONTH" in keys else list(range(1, 13))
    days = _numbers(keys["BYMONTHDAY"], 1, 31) if "BYMONTHDAY" in keys else [1]
    if months is None or days is None:
        return False
    if not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        return False
    if "BYDAY" in keys:
        for part in keys["BYDAY"].split(","):
            match = _BYDAY.fullmatch(part)
            if match is None:
                return False
            if match[1] is not None:
                most = 5 if keys["FREQ"] == "MONTHLY" or "BYMONTH" in keys else 52
                if keys["FREQ"] not in ("MONTHLY", "YEARLY") or "BYMONTHDAY" in keys:
                    return False
                if not 1 <= abs(int(match[1])) <= most:
                    return False
    return True


def _to_rules(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidConfig("closed_rules", "a sequence of RRULE strings", value)
    rules = tuple(value)
    for text in rules:
        if type(text) is not str:
            raise InvalidConfig("closed_rules", _RULE_EXPECTED, text)
        _parse_rule(text)
    return rules


class _Closures:
    """Closed local dates, fixed and recurring, behind one ``in`` test."""

    __slots__ = ("_years", "dates", "last", "rules")

    def __init__(self, dates: frozenset[date], rules: tuple[str, ...]) -> None:
        self.dates = dates
        parsed = [_parse_rule(r) for r in rules]
        self.rules = tuple(rule for rule, _ in parsed)
        self._years: dict[int, frozenset[date]] = {}
        ends = [end for _, end in parsed]
        # The last closed date, when every closure ends (None: none, or a rule never ends).
        self.last: date | None = None
        if None not in ends and (dates or ends):
            self.last = max([*dates, *(e for e in ends if e is not None)])

    def __bool__(self) -> bool:
        return bool(self.dates or self.rules)

    def __contains__(self, day: object) -> bool:
        if day in self.dates:
            return True
        if not self.rules or type(day) is not date:
            return False
        year = self._years.get(day.year)
        if year is None:
            start = datetime(day.year, 1, 1)
            end = datetime(day.year, 12, 31, 23, 59, 59)
            year = frozenset(
                d.date() for rule in self.rules for d in rule.between(start, end, inc=True)
            )
            if len(self._years) > 64:
                self._years.clear()
            self._years[day.year] = year
        return day in year


def _to_start(value: datetime | None) -> datetime | None:
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


_WINDOW_KEYS = frozenset({"start", "end", "weekdays"})
_SCHEDULE_KEYS = frozenset(
    {"timezone", "windows", "closed_dates", "start_at", "contact_windows", "closed_rules"}
)
_SCHEDULE_OPTIONAL = frozenset({"closed_rules"})  # stored before recurring closures


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

    def to_dict(self) -> JSONObject:
        """This window as JSON types: times ``"HH:MM:SS"``, weekdays a sorted list."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weekdays": sorted(self.weekdays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The window `to_dict` gave. Raises `InvalidInput` for a bad shape or value
        and `InvalidConfig` for one out of range."""
        d = f.mapping_with(data, "a calling window", _WINDOW_KEYS)
        return cls(
            f.load_clock(d["start"]), f.load_clock(d["end"]), f.load_set(d["weekdays"], "weekdays")
        )

    def __str__(self) -> str:
        span = f"{_clock(_seconds(self.start))}-{_clock(_seconds(self.end))}"
        if self.weekdays == _ALL_DAYS:
            return span
        return f"{span} {','.join(_DAY_NAMES[d] for d in sorted(self.weekdays))}"


@functools.lru_cache(maxsize=1024)
def describe_windows(windows: tuple[CallingWindow, ...]) -> str:
    """The windows in words, for refusal reasons (``Mon-Fri 09:00-18:00, ...``)."""
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

    def open_wall(self, closed: _Closures | frozenset[date], day: date, second: int) -> bool:
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
        return second < self.spill[weekday] and not (
            closed and day > date.min and day - _DAY in closed
        )


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
        closed: _Closures | frozenset[date] = frozenset(),
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
        try:
            local = t.astimezone(self.zone)
        except OverflowError:  # the local time is outside the calendar: closed
            return False
        return self._open_local(local)

    def horizon(self, t: datetime, limit: datetime) -> datetime:
        """``limit`` pushed past ``start_at`` and the last closure, as far as needed.

        Issue 14 (15): a ``start_at`` more than `HORIZON_DAYS` ahead was never
        reached, so the search answered None for a schedule that opens later.
        """
        closed = self.closed
        fixed = closed.dates if isinstance(closed, _Closures) else closed
        if self.start_at is not None and t < self.start_at:
            limit = max(limit, search_limit(self.start_at, len(fixed)))
        last = closed.last if isinstance(closed, _Closures) else None
        if last is not None and last.year < 9999:
            end = datetime.combine(last, _MIDNIGHT, tzinfo=UTC)
            limit = max(limit, _plus(end, timedelta(days=HORIZON_DAYS + 2)))
        return limit

    def next_change(self, t: datetime, want: bool, limit: datetime) -> datetime | None:
        """The first instant ``>= t`` (and not after about ``limit``, pushed past
        ``start_at`` and the last closure by `horizon`) at which `is_open` is
        ``want``; None if there is none (nothing before the end of the calendar)."""
        limit = self.horizon(t, limit)
        if self.start_at is not None and t < self.start_at:
            if not want:
                return t
            t = self.start_at
        if self.pattern.always and not self.closed:
            return t if want else None
        try:
            return self._next_change(t, want, limit)
        except OverflowError:  # the search ran into the end of the calendar
            return None

    def _next_change(self, t: datetime, want: bool, limit: datetime) -> datetime | None:
        zone = self.zone
        seg_start = t
        while seg_start <= limit:
            try:
                local = seg_start.astimezone(zone)
            except OverflowError:
                if seg_start >= _FIRST_SAFE:
                    raise
                # Year 1 in a zone behind UTC: those local times do not exist (closed).
                if not want:
                    return seg_start
                seg_start = _FIRST_SAFE
                continue
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


def _plus(t: datetime, span: timedelta) -> datetime:
    """``t + span``, stopping at the ends of the calendar instead of overflowing."""
    try:
        return t + span
    except OverflowError:
        return _END_OF_TIME if span > timedelta(0) else _START_OF_TIME


def search_limit(t: datetime, closed_dates: int = 0) -> datetime:
    """How far past ``t`` a search for an opening looks before it gives up
    (`HORIZON_DAYS`, two more days per closed date)."""
    return _plus(t, timedelta(days=HORIZON_DAYS + 2 * closed_dates))


def earliest_common(gates: Sequence[_Gate], t: datetime, limit: datetime) -> datetime | None:
    """The first instant ``>= t`` at which every gate is open; None within ``limit``
    (pushed past each gate's ``start_at`` and last closure: see `_Gate.horizon`)."""
    for gate in gates:
        limit = gate.horizon(t, limit)
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
    closed_rules: tuple[str, ...] = attrs.field(default=(), converter=_to_rules)
    """Recurring closed dates as iCalendar RRULE text read by ``dateutil.rrule``, counted
    from `RULE_ANCHOR`: ``"FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"`` (every 1 May),
    ``"FREQ=YEARLY;BYMONTH=9;BYDAY=1MO"`` (the first Monday of September). Whole days
    only (FREQ YEARLY, MONTHLY, WEEKLY or DAILY); closed like ``closed_dates``."""

    # ------------------------------------------------------------------ plain data

    def to_dict(self) -> JSONObject:
        """This schedule as JSON types (windows as `CallingWindow.to_dict`, dates and
        ``start_at`` ISO 8601, closed dates sorted); `from_dict` reverses it exactly."""
        return {
            "timezone": self.timezone,
            "windows": [w.to_dict() for w in self.windows],
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
            "start_at": f.iso(self.start_at),
            "contact_windows": [w.to_dict() for w in self.contact_windows],
            "closed_rules": list(self.closed_rules),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """The schedule `to_dict` gave (``closed_rules`` may be missing: data from
        before recurring closures). Raises `InvalidInput` for a bad shape or value
        and `InvalidConfig` for one out of range."""
        d = f.mapping_with(data, "schedule", _SCHEDULE_KEYS, _SCHEDULE_OPTIONAL)
        start_at = d["start_at"]
        return cls(
            timezone=d["timezone"],
            windows=tuple(CallingWindow.from_dict(w) for w in f.load_list(d["windows"], "windows")),
            closed_dates=frozenset(
                f.load_day(x) for x in f.load_list(d["closed_dates"], "closed_dates")
            ),
            start_at=None if start_at is None else f.load_instant(start_at, "start_at"),
            contact_windows=tuple(
                CallingWindow.from_dict(w)
                for w in f.load_list(d["contact_windows"], "contact_windows")
            ),
            closed_rules=tuple(f.load_list(d.get("closed_rules", []), "closed_rules")),
        )

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
        closed_rules: Sequence[str] = (),
    ) -> Self:
        """One window ``start``-``end`` on ``weekdays`` (default Monday to Friday,
        09:00-18:00). Raises `InvalidConfig`."""
        return cls(
            timezone=timezone,
            windows=(CallingWindow(start, end, _to_weekdays(weekdays)),),
            closed_dates=_to_dates(closed_dates),
            start_at=start_at,
            contact_windows=_to_contact_windows(contact_windows),
            closed_rules=_to_rules(closed_rules),
        )

    def closed_on_holidays(
        self, country: str, years: Iterable[int], *, subdivision: str | None = None
    ) -> Self:
        """This schedule, also closed on ``country``'s public holidays in ``years``.

        ``country`` is an ISO 3166 code (``"MX"``, ``"IN"``, ``"US"``) and
        ``subdivision`` an optional state or province code, as the ``holidays``
        package knows them. Needs the ``holidays`` extra (`holiday_dates`).
        Raises `InvalidConfig` for an unknown country, subdivision or year and
        `MissingDependency` without the extra.
        """
        extra = holiday_dates(country, years, subdivision=subdivision)
        return attrs.evolve(self, closed_dates=self.closed_dates | extra)

    # ------------------------------------------------------------------ campaign hours

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone as a `ZoneInfo`."""
        return zone(self.timezone)

    def _gate(self) -> _Gate:
        return _campaign_gate(
            self.windows, self.timezone, self.closed_dates, self.start_at, self.closed_rules
        )

    def search_limit(self, t: datetime) -> datetime:
        return search_limit(t, len(self.closed_dates))

    def is_closed_on(self, day: date) -> bool:
        """True if local date ``day`` is closed (a closed date or a recurring closure)."""
        if type(day) is not date:
            raise InvalidInput(f"day must be a datetime.date; got {shown(day)}")
        return day in self._gate().closed

    def is_open(self, now: datetime) -> bool:
        """True when the campaign's hours are open at ``now`` (contacts' windows aside)."""
        return self._gate().is_open(aware_utc(now))

    def next_opening(self, now: datetime) -> datetime | None:
        """The first instant at or after ``now`` at which the campaign's hours are open
        (``now`` itself when open), however far ahead ``start_at`` is; None means the
        hours never open again (see the module's note on how far the search looks)."""
        t = aware_utc(now)
        return self._gate().next_change(t, True, self.search_limit(t))

    def next_closing(self, now: datetime) -> datetime | None:
        """The first instant at or after ``now`` at which the campaign's hours are
        closed (``now`` itself when closed); None if it stays open past the horizon."""
        t = aware_utc(now)
        return self._gate().next_change(t, False, self.search_limit(t))

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
        """The first instant at or after ``now`` at which `is_open_for` holds, however
        far ahead ``start_at`` is; None means never (e.g. hours that never overlap)."""
        t = aware_utc(now)
        gates = [self._gate(), *self._contact_gates(phone, zones)]
        return earliest_common(gates, t, self.search_limit(t))

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
        return earliest_common(gates, t, search_limit(t)) if gates else t

    def describe_contact_windows(self) -> str:
        """The contact windows as text, e.g. ``"09:00-20:00"``."""
        return describe_windows(self.contact_windows)

    def describe(self) -> str:
        """The campaign hours as text, e.g. ``"09:00-18:00 Mon,Tue,Wed,Thu,Fri"``."""
        return describe_windows(self.windows)


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
    rules: tuple[str, ...] = (),
) -> _Gate:
    return _Gate(_compile(windows), zone(timezone), _Closures(closed, rules), start_at)


_FIRST_HOLIDAY_YEAR = 1900
_LAST_HOLIDAY_YEAR = _LAST_RULE_YEAR
_MOST_HOLIDAY_YEARS = 100


def holiday_dates(
    country: str, years: Iterable[int], *, subdivision: str | None = None
) -> frozenset[date]:
    """The public holidays of ``country`` (ISO 3166 code, e.g. ``"MX"``) in ``years``.

    From the ``holidays`` package, imported only here: install the extra with
    ``pip install "campaignkit[holidays]"``. ``years`` are whole years from
    1900 to 2199, at most 100 of them. Raises `MissingDependency` when the
    package is missing and `InvalidConfig` naming ``country``, ``subdivision``
    or ``years`` otherwise.
    """
    if type(country) is not str or not re.fullmatch(r"[A-Za-z]{2,3}", country):
        raise InvalidConfig("country", "an ISO 3166 country code such as 'MX'", country)
    if subdivision is not None and (
        type(subdivision) is not str or not re.fullmatch(r"[A-Za-z0-9-]{1,10}", subdivision)
    ):
        raise InvalidConfig("subdivision", "a subdivision code such as 'CMX', or None", subdivision)
    expected = (
        f"whole years from {_FIRST_HOLIDAY_YEAR} to {_LAST_HOLIDAY_YEAR}, "
        f"at most {_MOST_HOLIDAY_YEARS} of them"
    )
    if isinstance(years, str | bytes) or not isinstance(years, Iterable):
        raise InvalidConfig("years", expected, years)
    wanted = list(years)
    if len(wanted) > _MOST_HOLIDAY_YEARS or not all(
        type(y) is int and _FIRST_HOLIDAY_YEAR <= y <= _LAST_HOLIDAY_YEAR for y in wanted
    ):
        raise InvalidConfig("years", expected, years)
    return _holidays(country.upper(), tuple(sorted(set(wanted))), subdivision)


@functools.lru_cache(maxsize=64)
def _holidays(country: str, years: tuple[int, ...], subdivision: str | None) -> frozenset[date]:
    try:
        import holidays  # the optional extra: imported only when asked for
    except ImportError:
        raise MissingDependency(
            "closing on public holidays needs the holidays package: "
            'pip install "campaignkit[holidays]"'
        ) from None
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except (NotImplementedError, KeyError, ValueError):
        if subdivision is not None and country in holidays.list_supported_countries():
            raise InvalidConfig(
                "subdivision", f"a subdivision of {country} the holidays package knows", subdivision
            ) from None
        raise InvalidConfig(
            "country", "a country code the holidays package knows, e.g. 'MX'", country
        ) from None
    return frozenset(found)
