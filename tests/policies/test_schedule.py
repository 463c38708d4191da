"""Schedules and calling windows: seed defaults, midnight, holidays, start time, contact
zones, and daylight saving in five zones (property-tested against an oracle)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import CallingWindow, InvalidConfig, InvalidInput, Schedule
from campaignkit.models import DEFAULT_TIMEZONE
from campaignkit.policies import contact_time_zones
from campaignkit.policies.schedule import holiday_dates

from ..time_strategies import (
    HALF_HOUR,
    ZONES,
    calling_windows,
    moments_near_transitions,
    oracle_first,
    oracle_open,
    transitions,
)

MX = ZoneInfo("America/Mexico_City")
NY = ZoneInfo("America/New_York")
LDN = ZoneInfo("Europe/London")
LHI = ZoneInfo("Australia/Lord_Howe")


def at(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """The instant shown as ``args`` in ``zone``, in UTC (PEP 495: an ambiguous local
    time never compares equal across zones, so tests compare in UTC)."""
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[arg-type,misc]


# --------------------------------------------------------------------------- defaults


def test_default_schedule_is_mexico_city_open_around_the_clock_from_now() -> None:
    schedule = Schedule()
    assert schedule.timezone == DEFAULT_TIMEZONE == "America/Mexico_City"  # Altur, seed 004
    assert schedule.start_at is None  # itellico: blank starts immediately (seed 002)
    assert schedule.closed_dates == frozenset()
    assert schedule.contact_windows == ()
    now = at(MX, 2026, 6, 1, 3, 17)
    assert schedule.is_open(now)
    assert schedule.next_opening(now) == now
    assert schedule.next_closing(now) is None


def test_start_date_time_holds_the_campaign_until_then() -> None:
    start = at(MX, 2026, 6, 3, 10, 0)
    schedule = Schedule(start_at=start)
    assert schedule.start_at == start.astimezone(UTC)
    assert not schedule.is_open(start - timedelta(microseconds=1))
    assert schedule.is_open(start)
    assert schedule.next_opening(at(MX, 2026, 6, 1, 9, 0)) == start
    assert schedule.next_closing(at(MX, 2026, 6, 1, 9, 0)) == at(MX, 2026, 6, 1, 9, 0)


def test_start_time_falling_outside_the_hours_waits_for_the_next_window() -> None:
    schedule = Schedule.business_hours(start_at=at(MX, 2026, 6, 6, 12, 0))  # a Saturday
    assert schedule.next_opening(at(MX, 2026, 6, 1, 9, 0)) == at(MX, 2026, 6, 8, 9, 0)


# --------------------------------------------------------------------------- weekly hours


def test_business_hours_open_at_start_and_close_at_end() -> None:
    schedule = Schedule.business_hours()  # Monday to Friday, 09:00-18:00
    monday = (2026, 6, 1)
    assert not schedule.is_open(at(MX, *monday, 8, 59, 59))
    assert schedule.is_open(at(MX, *monday, 9, 0))
    assert schedule.is_open(at(MX, *monday, 17, 59, 59))
    assert not schedule.is_open(at(MX, *monday, 18, 0))
    assert not schedule.is_open(at(MX, 2026, 6, 6, 12, 0))  # Saturday
    assert schedule.next_closing(at(MX, *monday, 10, 0)) == at(MX, *monday, 18, 0)
    assert schedule.next_opening(at(MX, 2026, 6, 5, 18, 0)) == at(MX, 2026, 6, 8, 9, 0)
    assert schedule.describe() == "09:00-18:00 Mon,Tue,Wed,Thu,Fri"


def test_times_are_read_in_the_campaign_time_zone_and_returned_in_utc() -> None:
    schedule = Schedule.business_hours(timezone="Asia/Kolkata")
    opening = schedule.next_opening(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    assert opening == datetime(2026, 6, 1, 3, 30, tzinfo=UTC)  # 09:00 IST
    assert opening is not None
    assert opening.tzinfo is UTC
    assert schedule.today(datetime(2026, 6, 1, 20, 0, tzinfo=UTC)) == date(2026, 6, 2)


def test_several_windows_in_a_day() -> None:
    schedule = Schedule(
        windows=(CallingWindow(time(9), time(13)), CallingWindow(time(15), time(19)))
    )
    assert not schedule.is_open(at(MX, 2026, 6, 1, 14, 0))
    assert schedule.next_opening(at(MX, 2026, 6, 1, 13, 0)) == at(MX, 2026, 6, 1, 15, 0)


def test_windows_crossing_midnight() -> None:
    night = CallingWindow(time(22), time(2), {4})  # opens Friday 22:00, runs to Saturday 02:00
    assert night.crosses_midnight
    schedule = Schedule(windows=(night,))
    assert not schedule.is_open(at(MX, 2026, 6, 5, 21, 59))
    assert schedule.is_open(at(MX, 2026, 6, 5, 22, 0))
    assert schedule.is_open(at(MX, 2026, 6, 6, 1, 59))  # Saturday, spilled over
    assert not schedule.is_open(at(MX, 2026, 6, 6, 2, 0))
    assert not schedule.is_open(at(MX, 2026, 6, 6, 22, 30))  # Saturday night is not open
    assert schedule.next_closing(at(MX, 2026, 6, 5, 23, 0)) == at(MX, 2026, 6, 6, 2, 0)
    assert schedule.next_opening(at(MX, 2026, 6, 6, 2, 0)) == at(MX, 2026, 6, 12, 22, 0)


def test_midnight_to_midnight_is_the_whole_day() -> None:
    schedule = Schedule(windows=(CallingWindow(time(0), time(0), {0}),))
    assert schedule.is_open(at(MX, 2026, 6, 1, 0, 0))
    assert schedule.is_open(at(MX, 2026, 6, 1, 23, 59, 59))
    assert not schedule.is_open(at(MX, 2026, 6, 2, 0, 0))
    assert schedule.next_closing(at(MX, 2026, 6, 1, 5)) == at(MX, 2026, 6, 2, 0, 0)


def test_adjacent_windows_do_not_close_in_between() -> None:
    schedule = Schedule(
        windows=(CallingWindow(time(9), time(12)), CallingWindow(time(12), time(15)))
    )
    assert schedule.next_closing(at(MX, 2026, 6, 1, 10)) == at(MX, 2026, 6, 1, 15)


# --------------------------------------------------------------------------- closed dates


def test_closed_dates_skip_the_day() -> None:
    christmas = date(2026, 12, 25)  # a Friday
    schedule = Schedule.business_hours(closed_dates=[christmas])
    assert not schedule.is_open(at(MX, 2026, 12, 25, 10, 0))
    assert schedule.next_opening(at(MX, 2026, 12, 24, 18, 0)) == at(MX, 2026, 12, 28, 9, 0)
    assert schedule.is_open(at(MX, 2026, 12, 24, 17, 0))


def test_a_shift_opening_on_a_closed_date_does_not_run_past_midnight() -> None:
    night = CallingWindow(time(22), time(2))
    schedule = Schedule(windows=(night,), closed_dates={date(2026, 12, 24)})
    assert not schedule.is_open(at(MX, 2026, 12, 25, 1, 0))
    assert schedule.next_opening(at(MX, 2026, 12, 24, 12, 0)) == at(MX, 2026, 12, 25, 22, 0)


def test_a_shift_running_into_a_closed_date_stops_at_midnight() -> None:
    night = CallingWindow(time(22), time(2))
    schedule = Schedule(windows=(night,), closed_dates={date(2026, 12, 25)})
    assert schedule.is_open(at(MX, 2026, 12, 24, 23, 0))
    assert schedule.next_closing(at(MX, 2026, 12, 24, 23, 0)) == at(MX, 2026, 12, 25, 0, 0)


def test_eighty_closed_mondays_in_a_row_still_open_on_the_81st() -> None:
    # Issue 14 (15): this used to answer None (past the horizon) for a schedule
    # that opens again; None now means never.
    schedule = Schedule(
        windows=(CallingWindow(time(9), time(10), {0}),),
        closed_dates={date(2026, 6, 1) + timedelta(weeks=k) for k in range(80)},
    )
    first_open = date(2026, 6, 1) + timedelta(weeks=80)
    assert schedule.next_opening(at(MX, 2026, 6, 1, 0, 0)) == at(
        MX, first_open.year, first_open.month, first_open.day, 9, 0
    )


def test_never_opening_returns_none() -> None:
    # Every Monday closed for ever: the only window never opens.
    schedule = Schedule(
        windows=(CallingWindow(time(9), time(10), {0}),),
        closed_rules=("FREQ=WEEKLY;BYDAY=MO",),
    )
    assert schedule.next_opening(at(MX, 2026, 6, 1, 0, 0)) is None
    assert schedule.next_closing(at(MX, 2026, 6, 1, 9, 30)) == at(MX, 2026, 6, 1, 9, 30)


# --------------------------------------------------------------------------- daylight saving


def test_a_window_starting_in_the_spring_forward_gap_opens_when_the_clock_shows_it() -> None:
    schedule = Schedule(timezone="America/New_York", windows=(CallingWindow(time(2, 30), time(4)),))
    opening = schedule.next_opening(at(NY, 2024, 3, 10, 0, 0))
    assert opening == at(NY, 2024, 3, 10, 3, 0)  # the clock jumps 01:59:59 -> 03:00
    assert schedule.next_closing(at(NY, 2024, 3, 10, 3, 0)) == at(NY, 2024, 3, 10, 4, 0)
    assert schedule.next_opening(at(NY, 2024, 3, 10, 4, 0)) == at(NY, 2024, 3, 11, 2, 30)


def test_a_window_wholly_inside_the_gap_has_no_instant_that_night() -> None:
    schedule = Schedule(timezone="America/New_York", windows=(CallingWindow(time(2), time(2, 30)),))
    assert schedule.next_opening(at(NY, 2024, 3, 10, 0, 0)) == at(NY, 2024, 3, 11, 2, 0)


def test_the_repeated_hour_is_judged_by_what_the_clock_shows() -> None:
    schedule = Schedule(timezone="America/New_York", windows=(CallingWindow(time(0), time(1, 30)),))
    first_130 = at(NY, 2024, 11, 3, 1, 30, fold=0)  # EDT
    second_100 = at(NY, 2024, 11, 3, 1, 0, fold=1)  # EST, one hour later
    assert schedule.next_closing(at(NY, 2024, 11, 3, 0, 30)) == first_130
    assert schedule.next_opening(first_130) == second_100
    assert schedule.next_closing(second_100) == at(NY, 2024, 11, 3, 1, 30, fold=1)


def test_a_business_day_across_each_transition_is_not_skipped() -> None:
    for zone_name in ZONES:
        zone = ZoneInfo(zone_name)
        schedule = Schedule(timezone=zone_name, windows=(CallingWindow(time(9), time(17)),))
        for change in transitions(zone_name, 2020, 2025):
            day = change.astimezone(zone).date()
            opening = schedule.next_opening(datetime.combine(day, time(0), tzinfo=zone))
            assert opening is not None
            assert opening.astimezone(zone).date() == day
            assert opening.astimezone(zone).time() == time(9)


def test_lord_howe_half_hour_shift() -> None:
    schedule = Schedule(timezone="Australia/Lord_Howe", windows=(CallingWindow(time(2), time(3)),))
    # 2024-10-06 02:00 LHST becomes 02:30 LHDT: the window opens at 02:30 that night.
    assert schedule.next_opening(at(LHI, 2024, 10, 6, 0, 0)) == at(LHI, 2024, 10, 6, 2, 30)
    # 2025-04-06 02:00 LHDT falls back to 01:30 LHST: 02:00-02:30 is shown once, after it.
    opening = schedule.next_opening(at(LHI, 2025, 4, 6, 0, 0))
    assert opening == at(LHI, 2025, 4, 6, 2, 0, fold=1)


def test_mexico_city_last_dst_change_in_2022() -> None:
    schedule = Schedule.business_hours(weekdays=range(7))
    assert schedule.next_opening(at(MX, 2022, 10, 30, 0, 0)) == at(MX, 2022, 10, 30, 9, 0)
    assert schedule.next_opening(at(MX, 2022, 4, 3, 0, 0)) == at(MX, 2022, 4, 3, 9, 0)


@st.composite
def _schedules_and_moments(draw: st.DrawFn) -> tuple[Schedule, datetime]:
    zone_name = draw(st.sampled_from(ZONES))
    now = draw(moments_near_transitions(zone_name))
    local_day = now.astimezone(ZoneInfo(zone_name)).date()
    closed = draw(
        st.frozensets(st.integers(-3, 6).map(lambda k: local_day + timedelta(k)), max_size=3)
    )
    start_at = None
    if draw(st.booleans()):
        start_at = now.replace(minute=0, second=0, microsecond=0) + HALF_HOUR * draw(
            st.integers(-4, 96)
        )
    schedule = Schedule(
        timezone=zone_name, windows=draw(calling_windows()), closed_dates=closed, start_at=start_at
    )
    return schedule, now


@given(_schedules_and_moments())
def test_next_opening_is_the_first_open_instant_across_dst(case: tuple[Schedule, datetime]) -> None:
    schedule, now = case
    zone = ZoneInfo(schedule.timezone)

    def is_open(t: datetime) -> bool:
        return oracle_open(schedule.windows, zone, t, schedule.closed_dates, schedule.start_at)

    expected = oracle_first(is_open, now)
    opening = schedule.next_opening(now)
    assert expected is not None
    assert opening == expected  # never outside a window, never a day late
    assert schedule.is_open(opening)
    assert schedule.is_open(now) is is_open(now)


@given(_schedules_and_moments())
def test_next_closing_is_the_first_closed_instant_across_dst(
    case: tuple[Schedule, datetime],
) -> None:
    schedule, now = case
    zone = ZoneInfo(schedule.timezone)

    def is_closed(t: datetime) -> bool:
        return not oracle_open(schedule.windows, zone, t, schedule.closed_dates, schedule.start_at)

    expected = oracle_first(is_closed, now)
    closing = schedule.next_closing(now)
    if expected is None:  # open for 30 days straight
        assert closing is None or closing > now + timedelta(days=30)
    else:
        assert closing == expected


def test_the_oracle_grid_assumption_holds_for_the_zones() -> None:
    for zone_name in ZONES:
        for change in transitions(zone_name):
            assert change.minute in (0, 30), (zone_name, change)
            assert change.second == 0, (zone_name, change)


# --------------------------------------------------------------------------- contact zones


@pytest.mark.parametrize(
    ("phone", "zones"),
    [
        ("+5215555551234", ("America/Mexico_City",)),  # the seeds' legacy mobile format
        ("+525555551234", ("America/Mexico_City",)),
        ("+12125551234", ("America/New_York",)),
        ("+13055551234", ("America/New_York",)),
        ("+919876543210", ("Asia/Calcutta",)),
        ("+61255501234", ("Australia/Sydney",)),
    ],
)
def test_contact_time_zones_from_the_phone_number(phone: str, zones: tuple[str, ...]) -> None:
    assert contact_time_zones(phone) == zones


def test_a_number_spanning_zones_gives_every_candidate() -> None:
    zones = contact_time_zones("+18005551234")  # toll-free: anywhere in the NANP
    assert {"America/New_York", "America/Los_Angeles", "Pacific/Honolulu"} <= set(zones)
    assert list(zones) == sorted(zones)


def test_an_unknown_number_falls_back_to_the_given_zone() -> None:
    assert contact_time_zones("+8881234567", fallback="Europe/London") == ("Europe/London",)
    assert contact_time_zones("+8881234567") == (DEFAULT_TIMEZONE,)


def test_contact_time_zones_refuses_non_e164() -> None:
    with pytest.raises(InvalidInput, match=r"E\.164"):
        contact_time_zones("55 5555 1234")
    with pytest.raises(InvalidConfig, match="fallback"):
        contact_time_zones("+525555551234", fallback="Mars/Olympus")


def test_contact_window_must_hold_in_the_contacts_zone_too() -> None:
    schedule = Schedule(contact_windows=(CallingWindow(time(9), time(20)),))
    ny_phone = "+12125551234"
    # 08:30 in Mexico City is 10:30 in New York: both open.
    assert schedule.is_open_for(ny_phone, at(MX, 2026, 6, 1, 8, 30))
    # 19:00 in Mexico City is 21:00 in New York: the contact's window is closed.
    assert not schedule.is_open_for(ny_phone, at(MX, 2026, 6, 1, 19, 0))
    assert not schedule.contact_window_open(ny_phone, at(MX, 2026, 6, 1, 19, 0))
    assert schedule.next_opening_for(ny_phone, at(MX, 2026, 6, 1, 19, 0)) == at(NY, 2026, 6, 2, 9)
    assert schedule.describe_contact_windows() == "09:00-20:00"


def test_zones_can_be_given_explicitly() -> None:
    schedule = Schedule(contact_windows=(CallingWindow(time(9), time(20)),))
    now = at(MX, 2026, 6, 1, 19, 0)
    assert schedule.is_open_for("+12125551234", now, zones=["America/Mexico_City"])
    with pytest.raises(InvalidInput):
        schedule.is_open_for("+12125551234", now, zones=[])
    with pytest.raises(InvalidInput):
        schedule.is_open_for("+12125551234", now, zones=["Nowhere/City"])


def test_hours_that_never_overlap_give_none() -> None:
    schedule = Schedule(
        timezone="Asia/Kolkata",
        windows=(CallingWindow(time(9), time(10)),),
        contact_windows=(CallingWindow(time(9), time(10)),),
    )
    assert schedule.next_opening_for("+12125551234", at(MX, 2026, 6, 1)) is None


@given(
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    calling_windows(max_size=2),
    calling_windows(max_size=2),
    st.data(),
)
def test_next_opening_for_holds_in_every_window_and_is_the_first(
    zones: list[str],
    campaign: tuple[CallingWindow, ...],
    local: tuple[CallingWindow, ...],
    data: st.DataObject,
) -> None:
    now = data.draw(moments_near_transitions(zones[0]))
    schedule = Schedule(
        timezone=data.draw(st.sampled_from(ZONES)), windows=campaign, contact_windows=local
    )
    campaign_zone = ZoneInfo(schedule.timezone)

    def all_open(t: datetime) -> bool:
        return oracle_open(campaign, campaign_zone, t) and all(
            oracle_open(local, ZoneInfo(z), t) for z in zones
        )

    expected = oracle_first(all_open, now, days=21)
    found = schedule.next_opening_for("+12125551234", now, zones=zones)
    if expected is None:
        assert found is None or found > now + timedelta(days=21)
    else:
        assert found == expected
        assert schedule.is_open_for("+12125551234", found, zones=zones)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"windows": ()}, "windows"),
        ({"windows": ("09:00-18:00",)}, "windows"),
        ({"closed_dates": ["2026-12-25"]}, "closed_dates"),
        ({"start_at": datetime(2026, 6, 1, 9)}, "start_at"),
        ({"contact_windows": "09:00-20:00"}, "contact_windows"),
    ],
)
def test_schedule_validation_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidConfig) as info:
        Schedule(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((time(9, tzinfo=UTC), time(18)), "start"),
        ((time(9), time(18, 0, 0, 5)), "end"),
        ((time(9), "18:00"), "end"),
        ((time(9), time(18), set()), "weekdays"),
        ((time(9), time(18), {7}), "weekdays"),
        ((time(9), time(18), "mon"), "weekdays"),
    ],
)
def test_window_validation_names_the_field(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidConfig) as info:
        CallingWindow(*args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_naive_now_is_refused() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        Schedule().is_open(datetime(2026, 6, 1, 9))
    with pytest.raises(InvalidInput):
        Schedule().next_opening(datetime(2026, 6, 1, 9))


def test_window_text() -> None:
    assert str(CallingWindow(time(22), time(2), {4, 5})) == "22:00-02:00 Fri,Sat"
    assert str(CallingWindow(time(8), time(21))) == "08:00-21:00"


# --------------------------------------------------------------------------- issue 14 (15)


@given(
    windows=calling_windows(),
    zone_name=st.sampled_from(ZONES),
    days_ahead=st.integers(0, 40 * 366),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_a_start_years_ahead_is_still_found(
    windows: tuple[CallingWindow, ...], zone_name: str, days_ahead: int, minute: int
) -> None:
    # Issue 14 (15): a start more than ~366 days ahead made next_opening None, so a
    # service sleeping on next_wakeup never woke. The opening is the first open
    # instant at or after start_at, however far.
    now = datetime(2026, 3, 1, tzinfo=UTC)
    start = now + timedelta(days=days_ahead, minutes=minute)
    schedule = Schedule(timezone=zone_name, windows=windows, start_at=start)
    opening = schedule.next_opening(now)
    assert opening is not None
    assert opening >= start
    assert schedule.is_open(opening)
    assert opening - start <= timedelta(days=8)
    assert schedule.next_opening(start) == opening
    assert schedule.next_opening_for(PHONE_MX, now) == opening
    just_before = opening - timedelta(seconds=1)
    assert just_before < start or not schedule.is_open(just_before)


PHONE_MX = "+5215555551234"


def test_seed_style_start_three_years_ahead() -> None:
    schedule = Schedule.business_hours(start_at=at(MX, 2029, 6, 4, 7, 0))
    assert schedule.next_opening(at(MX, 2026, 1, 1, 0, 0)) == at(MX, 2029, 6, 4, 9, 0)
    assert not schedule.is_open(at(MX, 2027, 6, 1, 10, 0))


def test_hours_that_never_overlap_the_contacts_say_never() -> None:
    # Campaign hours 09:00-10:00 in Mexico City, contact window 09:00-10:00 in Tokyo:
    # they never overlap, so None is the truth (never), even with a far start.
    schedule = Schedule(
        windows=(CallingWindow(time(9), time(10)),),
        contact_windows=(CallingWindow(time(9), time(10)),),
        start_at=at(MX, 2030, 1, 1, 0, 0),
    )
    assert (
        schedule.next_opening_for(PHONE_MX, at(MX, 2026, 1, 1, 0, 0), zones=["Asia/Tokyo"]) is None
    )
    assert schedule.next_opening(at(MX, 2026, 1, 1, 0, 0)) == at(MX, 2030, 1, 1, 9, 0)


@pytest.mark.parametrize("zone_name", ["Asia/Kolkata", "America/Mexico_City", "Pacific/Kiritimati"])
@pytest.mark.parametrize(
    "now", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]
)
def test_the_ends_of_the_calendar_never_raise(zone_name: str, now: datetime) -> None:
    schedule = Schedule.business_hours(timezone=zone_name, closed_dates={date(9999, 12, 31)})
    schedule.is_open(now)
    opening = schedule.next_opening(now)
    assert opening is None or schedule.is_open(opening)
    schedule.next_closing(now)
    schedule.next_opening_for(PHONE_MX, now)


# --------------------------------------------------------------------------- recurring closures


def test_recurring_closures_every_first_of_may_and_first_monday_of_september() -> None:
    # Issue 13 (13): dateutil.rrule for recurring closed dates.
    schedule = Schedule.business_hours(
        closed_rules=["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", "FREQ=YEARLY;BYMONTH=9;BYDAY=1MO"]
    )
    assert schedule.is_closed_on(date(2026, 5, 1))
    assert schedule.is_closed_on(date(2031, 5, 1))
    assert schedule.is_closed_on(date(2026, 9, 7))  # the first Monday of September 2026
    assert not schedule.is_closed_on(date(2026, 9, 14))
    assert not schedule.is_open(at(MX, 2026, 5, 1, 10, 0))  # a Friday
    assert schedule.next_opening(at(MX, 2026, 5, 1, 10, 0)) == at(MX, 2026, 5, 4, 9, 0)
    assert schedule.next_opening(at(MX, 2026, 9, 7, 8, 0)) == at(MX, 2026, 9, 8, 9, 0)


def test_the_last_monday_of_may_and_friday_the_13th() -> None:
    schedule = Schedule(
        closed_rules=["FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO", "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR"]
    )
    assert schedule.is_closed_on(date(2026, 5, 25))
    assert schedule.is_closed_on(date(2026, 2, 13))
    assert not schedule.is_closed_on(date(2026, 5, 18))
    assert not schedule.is_closed_on(date(2026, 1, 13))


def test_a_finite_rule_ends_and_the_schedule_opens_after_it() -> None:
    schedule = Schedule.business_hours(closed_rules=["FREQ=DAILY;UNTIL=20281231"])
    assert schedule.next_opening(at(MX, 2026, 1, 1, 0, 0)) == at(MX, 2029, 1, 1, 9, 0)
    counted = Schedule.business_hours(closed_rules=["FREQ=DAILY;COUNT=1000"])
    assert counted.next_opening(at(MX, 2000, 1, 1, 0, 0)) == at(MX, 2002, 9, 27, 9, 0)


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=YEARLY;BYHOUR=9",
        "FREQ=DAILY;COUNT=1000001",
        "FREQ=DAILY;UNTIL=99991231",
        "FREQ=YEARLY;BYMONTH=13",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;INTERVAL=1000",
        "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=2MO",
        "FREQ=MONTHLY;BYDAY=6MO",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=YEARLY;BYSETPOS=1;BYDAY=MO",
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=-31",
        "FREQ=YEARLY;FREQ=DAILY",
        "BYMONTH=5",
        "DTSTART:20200101\nRRULE:FREQ=DAILY",
        "FREQ=YEARLY;" + "BYMONTH=5;" * 100,
        5,
        ["FREQ=DAILY"],
    ],
)
def test_bad_recurring_closures_are_invalid_config(rule: object) -> None:
    with pytest.raises(InvalidConfig, match="closed_rules"):
        Schedule(closed_rules=[rule])  # type: ignore[list-item]
    if not isinstance(rule, list):  # a bare string or number is not a sequence of rules
        with pytest.raises(InvalidConfig, match="closed_rules"):
            Schedule(closed_rules=rule)  # type: ignore[arg-type]


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    year=st.integers(2000, 2150),
)
def test_a_yearly_closure_closes_that_date_every_year(month: int, day: int, year: int) -> None:
    schedule = Schedule(closed_rules=[f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}"])
    closed = date(year, month, day)
    assert schedule.is_closed_on(closed)
    assert not schedule.is_closed_on(closed + timedelta(days=1))
    noon = datetime(year, month, day, 12, tzinfo=MX)
    assert not schedule.is_open(noon)
    assert schedule.next_opening(noon) == datetime.combine(
        closed + timedelta(days=1), time(0), tzinfo=MX
    ).astimezone(UTC)


# --------------------------------------------------------------------------- public holidays


def test_public_holidays_close_the_schedule() -> None:
    pytest.importorskip("holidays")
    schedule = Schedule.business_hours().closed_on_holidays("MX", [2026])
    assert date(2026, 9, 16) in schedule.closed_dates  # Independence Day
    assert not schedule.is_open(at(MX, 2026, 9, 16, 10, 0))
    assert schedule.next_opening(at(MX, 2026, 9, 16, 10, 0)) == at(MX, 2026, 9, 17, 9, 0)


@pytest.mark.parametrize(
    ("country", "years", "subdivision", "field"),
    [
        ("ZZ", [2026], None, "country"),
        ("M", [2026], None, "country"),
        (5, [2026], None, "country"),
        ("MX", [2026], "NOPE", "subdivision"),
        ("MX", [1800], None, "years"),
        ("MX", "2026", None, "years"),
        ("MX", range(1900, 2100), None, "years"),
    ],
)
def test_bad_holiday_requests_are_invalid_config(
    country: object, years: object, subdivision: object, field: str
) -> None:
    pytest.importorskip("holidays")
    with pytest.raises(InvalidConfig, match=field):
        holiday_dates(country, years, subdivision=subdivision)  # type: ignore[arg-type]


def test_holidays_without_the_extra_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from campaignkit.errors import MissingDependency
    from campaignkit.policies import schedule as module

    module._holidays.cache_clear()
    monkeypatch.setitem(sys.modules, "holidays", None)  # import holidays -> ImportError
    with pytest.raises(MissingDependency, match=r"campaignkit\[holidays\]"):
        holiday_dates("MX", [2027])
    module._holidays.cache_clear()


def test_recurring_closures_travel_in_snapshots_and_old_data_still_loads() -> None:
    from campaignkit.policies import codecs as pd

    schedule = Schedule.business_hours(closed_rules=["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"])
    data = pd.schedule_to_dict(schedule)
    assert data["closed_rules"] == ["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"]
    assert pd.schedule_from_dict(data) == schedule
    del data["closed_rules"]  # a snapshot from before recurring closures
    assert pd.schedule_from_dict(data) == Schedule.business_hours()
    with pytest.raises(InvalidInput, match="weekdays"):
        pd.schedule_from_dict(
            {**data, "windows": [{"start": "09:00:00", "end": "18:00:00", "weekdays": [[0]]}]}
        )
