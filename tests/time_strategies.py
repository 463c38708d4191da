"""Hypothesis strategies and an independent oracle for calling windows across DST.

The oracle reads a window straight from its definition (what the local wall
clock shows, on which date), without the library's compiled patterns or its
segment search. All zones used here have UTC offsets that are multiples of
30 minutes and change at UTC half-hours, so with window boundaries on local
half-hours a window is open or closed throughout each UTC half-hour
[k*30min, (k+1)*30min): scanning that grid finds every opening exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from campaignkit import CallingWindow

ZONES = (
    "America/Mexico_City",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
)
HALF_HOUR = timedelta(minutes=30)
DAY = timedelta(days=1)


@functools.cache
def transitions(
    zone_name: str, first_year: int = 2015, last_year: int = 2030
) -> tuple[datetime, ...]:
    """Every UTC-offset change of ``zone_name`` between the years, found by a daily
    scan and bisection (independent of the library)."""
    zone = ZoneInfo(zone_name)
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    out = []
    while t < end:
        nxt = t + DAY
        a, b = t.astimezone(zone).utcoffset(), nxt.astimezone(zone).utcoffset()
        if a != b:
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == a:
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(microsecond=0))
        t = nxt
    return tuple(out)


def _secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def oracle_open(
    windows: Sequence[CallingWindow],
    zone: ZoneInfo,
    t: datetime,
    closed: Iterable[date] = (),
    start_at: datetime | None = None,
) -> bool:
    """Is ``t`` inside ``windows`` read on the wall clock of ``zone``?"""
    if start_at is not None and t < start_at:
        return False
    closed = frozenset(closed)
    local = t.astimezone(zone)
    day = local.date()
    x = local.hour * 3600 + local.minute * 60 + local.second
    if day in closed:
        return False
    prev = day - DAY
    for w in windows:
        s, e = _secs(w.start), _secs(w.end)
        if e > s:
            if day.weekday() in w.weekdays and s <= x < e:
                return True
        else:
            if day.weekday() in w.weekdays and x >= s:
                return True
            if prev.weekday() in w.weekdays and prev not in closed and x < e:
                return True
    return False


def grid_after(t: datetime) -> datetime:
    """The first UTC half-hour strictly after ``t``."""
    base = t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    g = base
    while g <= t:
        g += HALF_HOUR
    return g


def oracle_first(predicate: object, t: datetime, days: int = 30) -> datetime | None:
    """The first instant >= ``t`` where ``predicate`` holds: ``t`` itself or a grid point."""
    assert callable(predicate)
    if predicate(t):
        return t
    g = grid_after(t)
    end = t + timedelta(days=days)
    while g <= end:
        if predicate(g):
            return g
        g += HALF_HOUR
    return None


half_hours = st.integers(0, 47).map(lambda k: time(k // 2, 30 * (k % 2)))
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)


@st.composite
def calling_windows(draw: st.DrawFn, *, max_size: int = 3) -> tuple[CallingWindow, ...]:
    """1 to ``max_size`` windows on local half-hours, any weekdays; some cross midnight."""
    n = draw(st.integers(1, max_size))
    return tuple(
        CallingWindow(draw(half_hours), draw(half_hours), draw(weekday_sets)) for _ in range(n)
    )


@st.composite
def moments_near_transitions(draw: st.DrawFn, zone_name: str) -> datetime:
    """An aware instant within three days of one of ``zone_name``'s offset changes
    (or anywhere in 2015-2030 when the zone has none, like Asia/Kolkata)."""
    found = transitions(zone_name)
    if found and draw(st.integers(0, 9)) > 0:
        anchor = draw(st.sampled_from(found))
        offset = draw(st.integers(-3 * 86_400_000_000, 3 * 86_400_000_000))
        return anchor + timedelta(microseconds=offset)
    return draw(
        st.datetimes(
            min_value=datetime(2015, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
        )
    )
