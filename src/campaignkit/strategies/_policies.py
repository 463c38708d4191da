"""Strategies for the policies: retry, cycles, schedules, pacing, rotation, billing, compliance."""

from __future__ import annotations

import string
import warnings
from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal

import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..policies.billing import ALL_OUTCOMES, BillingPolicy, UnknownBilling
from ..policies.compliance import (
    AbandonedCallCooldown,
    CompliancePolicy,
    ComplianceRule,
    ConversationCooldown,
    DoNotCall,
    FrequencyCap,
    QuietHours,
    Region,
)
from ..policies.cycles import CyclePolicy
from ..policies.pacing import CALL_INTERVAL_CHOICES, RING_TIMEOUT_CHOICES, PacingPolicy
from ..policies.retry import MAX_WAIT, RetryCounter, RetryPolicy, RetryRule, Spacing
from ..policies.rotation import RotationPolicy, RotationStrategy
from ..policies.schedule import CallingWindow, Schedule
from ..statuses import (
    ContactStatus,
    Outcome,
)
from ._common import (
    _EPOCH_MAX,
    _EPOCH_MIN,
    DEFAULT_REGIONS,
    DEFAULT_TIMEZONES,
    _check_choices,
    _check_flag,
    _check_int,
    _check_regions,
    _check_span,
    _check_tags,
    _check_window,
    _check_zones,
    _clamp,
    _minutes_between,
    _moments,
    _prefer,
    _seconds_between,
)
from ._records import phone_numbers

# --------------------------------------------------------------------------- retry and cycles

_MOST_RETRIES = 100  # RetryPolicy's validated range for both per-cycle limits
_MOST_ATTEMPTS = 10_000


def retry_rules(
    *,
    max_limit: int = 10,
    min_wait: timedelta = timedelta(0),
    max_wait: timedelta = timedelta(days=7),
) -> st.SearchStrategy[RetryRule]:
    """`RetryRule` records: retried or not, either counter, an optional ``limit`` up to
    ``max_limit`` and an optional fixed ``delay`` from ``min_wait`` to ``max_wait``.

    Shrinks towards ``RetryRule()`` (retried, spending ``retries``, the policy's
    limit and spacing). Raises `InvalidArgument` for a ``max_limit`` outside
    0-100 or waits outside 0-366 days or inverted.
    """
    _check_int("max_limit", max_limit, 0, _MOST_RETRIES)
    _check_waits(min_wait, max_wait)
    return st.builds(
        RetryRule,
        retry=st.sampled_from([True, False]),
        counter=st.sampled_from([RetryCounter.RETRIES, RetryCounter.FAILED_RETRIES]),
        limit=st.none() | st.integers(0, max_limit),
        delay=st.none() | _seconds_between(min_wait, max_wait),
    )


def _check_waits(min_wait: timedelta, max_wait: timedelta) -> None:
    _check_span("min_wait", min_wait, timedelta(0), MAX_WAIT)
    _check_span("max_wait", max_wait, timedelta(0), MAX_WAIT)
    if min_wait > max_wait:
        raise InvalidArgument(f"min_wait {min_wait} is above max_wait {max_wait}")


def retry_policies(
    *,
    max_retries: int = 10,
    max_failed_retries: int = 3,
    max_attempts: int = 30,
    min_wait: timedelta = timedelta(0),
    max_wait: timedelta = timedelta(days=7),
    completion_timeouts: bool = True,
    presets: bool = True,
) -> st.SearchStrategy[RetryPolicy]:
    """`RetryPolicy` records within the policy's validated ranges.

    ``max_retries`` and ``max_failed_retries`` (each at most 100) bound the
    policy's per-cycle limits, ``max_attempts`` (at most 10,000) its optional
    lifetime cap; every wait - ``interval``, explicit ``intervals``,
    ``max_interval``, per-outcome delays - lies from ``min_wait`` to ``max_wait``.
    Per-outcome rules are drawn with `retry_rules`. ``completion_timeouts=False``
    keeps itellico's completion timeout at zero; ``presets`` also draws
    `RetryPolicy.altur`, `RetryPolicy.itellico` and `RetryPolicy.exotel` over
    their documented settings (within the same bounds).

    Shrinks towards ``RetryPolicy()``: 2 retries an hour apart, no failed
    re-queue, no lifetime cap, default rules. Raises `InvalidArgument` for
    bounds outside those ranges or inverted waits.
    """
    _check_int("max_retries", max_retries, 0, _MOST_RETRIES)
    _check_int("max_failed_retries", max_failed_retries, 0, _MOST_RETRIES)
    _check_int("max_attempts", max_attempts, 1, _MOST_ATTEMPTS)
    _check_waits(min_wait, max_wait)
    _check_flag("completion_timeouts", completion_timeouts)
    _check_flag("presets", presets)
    waits = _seconds_between(min_wait, max_wait)
    timeouts = (
        _prefer(timedelta(0), _seconds_between(timedelta(0), max_wait))
        if completion_timeouts
        else st.just(timedelta(0))
    )
    custom = st.builds(
        RetryPolicy,
        max_retries=_prefer(min(2, max_retries), st.integers(0, max_retries)),
        max_failed_retries=st.integers(0, max_failed_retries),
        max_attempts=st.none() | st.integers(1, max_attempts),
        interval=_prefer(_clamp(timedelta(hours=1), min_wait, max_wait), waits),
        spacing=st.sampled_from(Spacing),
        intervals=st.lists(waits, max_size=3).map(tuple),
        max_interval=st.none() | waits,
        completion_timeout=timeouts,
        rules=st.dictionaries(
            st.sampled_from(Outcome),
            retry_rules(max_limit=max_retries, min_wait=min_wait, max_wait=max_wait),
            max_size=4,
        ),
    )
    default = RetryPolicy(
        max_retries=min(2, max_retries), interval=_clamp(timedelta(hours=1), min_wait, max_wait)
    )
    if not presets:
        return _prefer(default, custom)
    options = [
        custom,
        st.builds(
            RetryPolicy.altur,
            _prefer(min(2, max_retries), st.integers(0, max_retries)),
            failed_retries=_prefer(min(1, max_failed_retries), st.integers(0, max_failed_retries)),
            interval=waits,
        ),
    ]
    minutes = _minutes_between(min_wait, max_wait)
    if minutes is not None:
        top = min(10, max_retries)
        hour = _clamp(timedelta(hours=1), min_wait, max_wait) // timedelta(minutes=1)
        timeout_minutes = (
            _prefer(0, st.integers(0, max_wait // timedelta(minutes=1)))
            if completion_timeouts
            else st.just(0)
        )
        options.append(
            st.builds(
                RetryPolicy.itellico,
                _prefer(min(2, top), st.integers(0, top)),
                retry_interval=_prefer(hour, minutes).map(lambda m: timedelta(minutes=m)),
                contact_completion_timeout=timeout_minutes.map(lambda m: timedelta(minutes=m)),
            )
        )
    exotel_minutes = _minutes_between(max(min_wait, timedelta(minutes=1)), max_wait)
    if exotel_minutes is not None:
        fifteen = _clamp(timedelta(minutes=15), min_wait, max_wait) // timedelta(minutes=1)
        options.append(
            st.builds(
                RetryPolicy.exotel,
                st.integers(0, min(3, max_retries)),
                interval_mins=_prefer(max(1, fifteen), exotel_minutes),
                mechanism=st.sampled_from(["Linear", "Exponential"]),
                on_status=st.sampled_from(
                    [("busy", "no-answer"), ("busy", "no-answer", "failed"), ("busy",), ()]
                ),
            )
        )
    return _prefer(default, st.one_of(options))


def cycle_policies(
    *,
    max_loops_per_day: int = 24,
    max_loops: int = 10,
    unlimited: bool = True,
    max_cooldown: timedelta = timedelta(days=1),
    tags: Collection[str] = ("invalid", "vip", "do-not-call"),
) -> st.SearchStrategy[CyclePolicy]:
    """`CyclePolicy` records (Altur's retry loops): up to ``max_loops_per_day`` loops a
    day (at most 1,440), a whole-minute cooldown up to ``max_cooldown``, up to
    ``max_loops`` loops in all (or no total when ``unlimited``), any status
    filters and tag filters drawn from ``tags``.

    Shrinks towards ``CyclePolicy()``: one loop a day, no cooldown, no total,
    no filters. Raises `InvalidArgument` for bounds outside the policy's ranges.
    """
    _check_int("max_loops_per_day", max_loops_per_day, 1, 1440)
    _check_int("max_loops", max_loops, 1)
    _check_flag("unlimited", unlimited)
    _check_span("max_cooldown", max_cooldown, timedelta(0), MAX_WAIT)
    chosen = _check_tags("tags", tags)
    totals = st.integers(1, max_loops)
    policies = st.builds(
        CyclePolicy,
        max_loops_per_day=st.integers(1, max_loops_per_day),
        cooldown=st.integers(0, max_cooldown // timedelta(minutes=1)).map(
            lambda m: timedelta(minutes=m)
        ),
        max_loops=(st.none() | totals) if unlimited else totals,
        status_filters=st.frozensets(st.sampled_from(ContactStatus), max_size=3),
        tag_filters=st.frozensets(st.sampled_from(chosen), max_size=2) if chosen else st.just(()),
    )
    return _prefer(CyclePolicy(), policies)


# --------------------------------------------------------------------------- time policies

_DAY = timedelta(days=1)
_ALL_DAYS = frozenset(range(7))


def calling_windows(
    *,
    weekdays: Collection[int] = range(7),
    step: timedelta = timedelta(minutes=30),
) -> st.SearchStrategy[CallingWindow]:
    """`CallingWindow` records whose start and end fall on multiples of ``step`` (local
    time), opening on a non-empty subset of ``weekdays`` (0 Monday .. 6 Sunday);
    some cross midnight.

    Shrinks towards the whole day, every day of ``weekdays``. Raises
    `InvalidArgument` for an empty or out-of-range weekday set or a ``step``
    that is not a whole number of seconds dividing a day.
    """
    days = _check_choices("weekdays", weekdays, range(7))
    if (
        type(step) is not timedelta
        or step <= timedelta(0)
        or step % timedelta(seconds=1)
        or _DAY % step
    ):
        raise InvalidArgument(f"step must be whole seconds dividing a day; got {step!r}")
    slots = _DAY // step
    seconds = int(step.total_seconds())
    times = st.integers(0, slots - 1).map(lambda k: _time_of(k * seconds))
    day_set = frozenset(days)
    return st.builds(
        CallingWindow,
        times,
        times,
        _prefer(day_set, st.frozensets(st.sampled_from(sorted(day_set)), min_size=1)),
    )


def _time_of(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def schedules(
    *,
    timezones: Collection[str] = DEFAULT_TIMEZONES,
    max_windows: int = 3,
    max_closed_dates: int = 3,
    contact_windows: bool = True,
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Schedule]:
    """`Schedule` records: a time zone from ``timezones``, 1 to ``max_windows`` weekly
    windows, up to ``max_closed_dates`` holidays and an optional start date-time
    between ``min_value`` and ``max_value``, and - with ``contact_windows`` - up to
    two windows in the contact's local time.

    Shrinks towards ``Schedule()`` in the first of ``timezones``: open around the
    clock, no holidays, starting at once. Raises `InvalidArgument` for unknown
    time zones, negative sizes or a bad time window.
    """
    zones = _check_zones("timezones", timezones)
    _check_int("max_windows", max_windows, 1)
    _check_int("max_closed_dates", max_closed_dates, 0)
    _check_flag("contact_windows", contact_windows)
    _check_window(min_value, max_value)
    always = (CallingWindow(time(0), time(0)),)
    windows = _prefer(always, st.lists(calling_windows(), min_size=1, max_size=max_windows))
    policies = st.builds(
        Schedule,
        timezone=st.sampled_from(zones),
        windows=windows.map(tuple),
        closed_dates=st.frozensets(
            st.dates(min_value.date(), max_value.date()), max_size=max_closed_dates
        ),
        start_at=st.none() | _moments(min_value, max_value),
        contact_windows=(
            st.lists(calling_windows(), max_size=2).map(tuple) if contact_windows else st.just(())
        ),
    )
    return _prefer(Schedule(timezone=zones[0]), policies)


def pacing_policies(
    *,
    choices_only: bool = False,
    max_calls_per_number_per_day: int = 1000,
    max_concurrent_calls: int = 100,
    max_whatsapp_daily_limit: int | None = None,
) -> st.SearchStrategy[PacingPolicy]:
    """`PacingPolicy` records: call interval 5 s-30 min, ring timeout 10-60 s (only
    itellico's listed choices with ``choices_only``), a daily cap per caller line
    up to ``max_calls_per_number_per_day`` (at most 1,000), and an optional
    concurrency cap up to ``max_concurrent_calls``.

    The deprecated ``whatsapp_daily_limit`` is never drawn: the WhatsApp daily limit
    is `WhatsAppSettings.daily_limit` (`whatsapp_settings` draws it). Passing
    ``max_whatsapp_daily_limit`` is deprecated too: it is checked, then ignored with
    a `DeprecationWarning`.

    Shrinks towards ``PacingPolicy()``: 10 s interval, 30 s ring timeout, 100
    calls per number per day, no other limit. Raises `InvalidArgument` for
    bounds outside the policy's ranges.
    """
    _check_flag("choices_only", choices_only)
    _check_int("max_calls_per_number_per_day", max_calls_per_number_per_day, 1, 1000)
    _check_int("max_concurrent_calls", max_concurrent_calls, 1)
    if max_whatsapp_daily_limit is not None:
        _check_int("max_whatsapp_daily_limit", max_whatsapp_daily_limit, 1)
        warnings.warn(
            "pacing_policies(max_whatsapp_daily_limit=...) is deprecated and ignored: the "
            "WhatsApp daily limit is WhatsAppSettings.daily_limit (whatsapp_settings draws it)",
            DeprecationWarning,
            stacklevel=2,
        )
    ten, thirty = timedelta(seconds=10), timedelta(seconds=30)
    if choices_only:
        intervals = _prefer(ten, st.sampled_from(CALL_INTERVAL_CHOICES))
        rings = _prefer(thirty, st.sampled_from(RING_TIMEOUT_CHOICES))
    else:
        intervals = _prefer(
            ten, _seconds_between(CALL_INTERVAL_CHOICES[0], CALL_INTERVAL_CHOICES[-1])
        )
        rings = _prefer(thirty, _seconds_between(RING_TIMEOUT_CHOICES[0], RING_TIMEOUT_CHOICES[-1]))
    default = PacingPolicy(max_calls_per_number_per_day=min(100, max_calls_per_number_per_day))
    return _prefer(
        default,
        st.builds(
            PacingPolicy,
            call_interval=intervals,
            ring_timeout=rings,
            max_calls_per_number_per_day=_prefer(
                min(100, max_calls_per_number_per_day), st.integers(1, max_calls_per_number_per_day)
            ),
            max_concurrent_calls=st.none() | st.integers(1, max_concurrent_calls),
        ),
    )


def rotation_policies(
    *,
    strategies: Collection[RotationStrategy] = tuple(RotationStrategy),
    min_spam_threshold: int = 1,
    max_spam_threshold: int = 9,
) -> st.SearchStrategy[RotationPolicy]:
    """`RotationPolicy` records using one of ``strategies``, with a spam threshold from
    ``min_spam_threshold`` to ``max_spam_threshold`` (within 1-9), sticky or not.

    Shrinks towards ``RotationPolicy()``: Round Robin, threshold 7, not sticky
    (or the nearest allowed). Raises `InvalidArgument` for an empty or unknown
    strategy list or thresholds outside 1-9 or inverted.
    """
    chosen = _check_choices("strategies", strategies, tuple(RotationStrategy))
    _check_int("min_spam_threshold", min_spam_threshold, 1, 9)
    _check_int("max_spam_threshold", max_spam_threshold, min_spam_threshold, 9)
    ordered = sorted(chosen, key=list(RotationStrategy).index)
    seven = min(max(7, min_spam_threshold), max_spam_threshold)
    policies = st.builds(
        RotationPolicy,
        strategy=st.sampled_from(ordered),
        spam_threshold=_prefer(seven, st.integers(min_spam_threshold, max_spam_threshold)),
        sticky=st.sampled_from([False, True]),
    )
    return _prefer(RotationPolicy(strategy=ordered[0], spam_threshold=seven), policies)


# --------------------------------------------------------------------------- billing

_MOST_PRICE = Decimal("1000")


def billing_policies(
    *,
    presets: bool = True,
    max_price: Decimal = Decimal("1"),
    units: Collection[str] = ("", "USD", "INR", "pulses"),
) -> st.SearchStrategy[BillingPolicy]:
    """`BillingPolicy` records: any machine cap (or none), unknown billing, billed
    outcomes, increment (1-120 s), minimum (0-60 s), a price per increment from 0
    to ``max_price`` (four decimal places) and a unit from ``units``; with
    ``presets``, also the Altur, Exotel, thinkrr and Twilio presets.

    Shrinks towards ``BillingPolicy()``: per second, machine capped at 5 s,
    unknown billed in full, every outcome billed, free. Raises `InvalidArgument`
    for a negative or non-finite ``max_price`` (or one above 1,000) or no units.
    """
    _check_flag("presets", presets)
    if type(max_price) is not Decimal or not max_price.is_finite() or max_price < 0:
        raise InvalidArgument(f"max_price must be a finite Decimal >= 0; got {max_price!r}")
    if max_price > _MOST_PRICE:
        raise InvalidArgument(f"max_price must be at most {_MOST_PRICE}; got {max_price}")
    chosen = _check_choices("units", units)
    for unit in chosen:
        if type(unit) is not str:
            raise InvalidArgument(f"units must be strings; got {unit!r}")
    prices = st.decimals(min_value=0, max_value=max_price, places=4)
    unit_names = st.sampled_from(chosen)
    custom = st.builds(
        BillingPolicy,
        machine_cap_seconds=_prefer(5, st.none() | st.integers(0, 60)),
        unknown=st.sampled_from(UnknownBilling),
        billed_outcomes=_prefer(ALL_OUTCOMES, st.frozensets(st.sampled_from(Outcome))),
        increment_seconds=_prefer(1, st.sampled_from([1, 6, 30, 60]) | st.integers(1, 120)),
        minimum_seconds=st.integers(0, 60),
        price_per_increment=prices,
        unit=unit_names,
    )
    default = BillingPolicy(unit=chosen[0])
    if not presets:
        return _prefer(default, custom)
    return _prefer(
        default,
        custom,
        st.builds(
            BillingPolicy.altur,
            unknown=st.sampled_from(UnknownBilling),
            machine_cap_seconds=_prefer(5, st.integers(0, 60)),
            price_per_second=prices,
            unit=unit_names,
        ),
        st.builds(
            BillingPolicy.exotel,
            pulse_seconds=_prefer(30, st.integers(1, 120)),
            price_per_pulse=_prefer(min(Decimal(1), max_price), prices),
            unit=unit_names,
        ),
        st.builds(BillingPolicy.thinkrr, price_per_second=prices, unit=unit_names),
        st.builds(BillingPolicy.twilio, price_per_minute=prices, unit=unit_names),
    )


# --------------------------------------------------------------------------- compliance

_RULE_KINDS: tuple[type[ComplianceRule], ...] = (
    QuietHours,
    FrequencyCap,
    ConversationCooldown,
    AbandonedCallCooldown,
    DoNotCall,
)
_rule_names = st.text(string.ascii_letters + " -", min_size=1, max_size=16).filter(str.strip)


def compliance_regions(*, regions: Sequence[str] = DEFAULT_REGIONS) -> st.SearchStrategy[Region]:
    """Compliance `Region` records: the US, Florida or UK presets, or a region of
    some of ``regions`` (country codes) and E.164 prefixes of their numbers.

    Shrinks towards `Region.us`. Raises `InvalidArgument` for an empty or
    unknown region list.
    """
    chosen = _check_regions(regions)
    prefixes = st.sampled_from(chosen).map(lambda r: f"+{phonenumbers.country_code_for_region(r)}")
    return st.sampled_from([Region.us(), Region.florida(), Region.uk()]) | st.builds(
        Region,
        _rule_names,
        countries=st.frozensets(st.sampled_from(chosen), max_size=2),
        prefixes=st.frozensets(prefixes, max_size=2),
    )


def _periods(default: timedelta) -> st.SearchStrategy[timedelta]:
    return _prefer(default, _seconds_between(timedelta(minutes=1), timedelta(days=30)))


def compliance_rules(
    *,
    kinds: Collection[type[ComplianceRule]] = _RULE_KINDS,
    regions: Sequence[str] = DEFAULT_REGIONS,
    tags: Collection[str] = ("opted-out", "do-not-call"),
) -> st.SearchStrategy[ComplianceRule]:
    """Compliance rules of the given ``kinds`` (`QuietHours`, `FrequencyCap`,
    `ConversationCooldown`, `AbandonedCallCooldown`, `DoNotCall`), limited to a
    `compliance_regions` region or to none; do-not-call lists hold numbers of
    ``regions`` and opt-out ``tags``.

    Each kind shrinks towards its defaults (TCPA's 08:00-21:00, Ofcom's 72
    hours, ...). Raises `InvalidArgument` for an empty or unknown kind list,
    bad regions or empty tags.
    """
    chosen = _check_choices("kinds", kinds, _RULE_KINDS)
    numbers = phone_numbers(regions=regions)
    tag_names = _check_tags("tags", tags)
    where = st.none() | compliance_regions(regions=regions)
    tcpa = (CallingWindow(time(8), time(21)),)
    builders: dict[type[ComplianceRule], st.SearchStrategy[ComplianceRule]] = {
        QuietHours: st.builds(
            QuietHours,
            windows=_prefer(tcpa, st.lists(calling_windows(), min_size=1, max_size=2).map(tuple)),
            region=where,
            name=_prefer("quiet hours", _rule_names),
        ),
        FrequencyCap: st.builds(
            FrequencyCap,
            max_calls=_prefer(7, st.integers(1, 20)),
            period=_periods(timedelta(days=7)),
            region=where,
            name=_prefer("frequency cap", _rule_names),
        ),
        ConversationCooldown: st.builds(
            ConversationCooldown,
            period=_periods(timedelta(days=7)),
            outcomes=_prefer(
                frozenset(o for o in Outcome if o.human_answered),
                st.frozensets(st.sampled_from(Outcome), min_size=1),
            ),
            region=where,
            name=_prefer("conversation cooldown", _rule_names),
        ),
        AbandonedCallCooldown: st.builds(
            AbandonedCallCooldown,
            period=_periods(timedelta(hours=72)),
            region=where,
            name=_prefer("abandoned-call rule", _rule_names),
        ),
        DoNotCall: st.builds(
            DoNotCall,
            numbers=st.frozensets(numbers, max_size=3),
            tags=st.frozensets(st.sampled_from(tag_names), max_size=2)
            if tag_names
            else st.just(()),
            name=_prefer("do-not-call list", _rule_names),
        ),
    }
    ordered = sorted(chosen, key=_RULE_KINDS.index)
    return st.one_of([builders[kind] for kind in ordered])


def compliance_policies(
    *,
    max_rules: int = 3,
    presets: bool = True,
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> st.SearchStrategy[CompliancePolicy]:
    """`CompliancePolicy` records of up to ``max_rules`` `compliance_rules`, and with
    ``presets`` the TCPA, Regulation F, Florida and UK presets (alone or combined).

    Shrinks towards ``CompliancePolicy()``: no rules. Raises `InvalidArgument`
    for a negative ``max_rules`` or bad regions.
    """
    _check_int("max_rules", max_rules, 0)
    _check_flag("presets", presets)
    custom = st.lists(compliance_rules(regions=regions), max_size=max_rules).map(
        lambda rules: CompliancePolicy(tuple(rules))
    )
    if not presets:
        return _prefer(CompliancePolicy(), custom)
    named = [
        CompliancePolicy.tcpa(),
        CompliancePolicy.regulation_f(),
        CompliancePolicy.florida(),
        CompliancePolicy.uk(),
    ]
    combined = st.lists(st.sampled_from(named), min_size=1, max_size=3).map(
        lambda parts: CompliancePolicy.combine(*parts)
    )
    return _prefer(CompliancePolicy(), custom | combined)
