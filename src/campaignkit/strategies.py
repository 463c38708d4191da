"""Hypothesis strategies for campaignkit's records, events and policies.

Installed with the ``hypothesis`` extra (``pip install "campaignkit[hypothesis]"``).
The strategies follow Hypothesis' own API style: keyword-only arguments with
defaults, ``min_value``/``max_value`` and ``min_size``/``max_size`` bounds,
plural names, and `hypothesis.errors.InvalidArgument` for bad arguments.
Everything they generate passes the records' validators (the test suite checks
it), and once the extra is installed ``st.from_type(campaignkit.Contact)`` -
and every other record type with a strategy here, policies included - works
through the ``hypothesis`` entry point.

Examples shrink towards simple values: the region's example number, the first
status of a lifecycle, no tags, attempt 1, zero durations - and each policy
towards its own defaults (``RetryPolicy()``, ``Schedule()``, ``PacingPolicy()``,
...), which are the seeds' defaults.

`CampaignStateMachine` is a ready `RuleBasedStateMachine`: subclass it to run
your own policies through a `CampaignRunner` against the library's invariants.
"""

from __future__ import annotations

import random
import string
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from .billing import ALL_OUTCOMES, BillingPolicy, UnknownBilling
from .engine import CallUpdate, CampaignCounts, contact_bucket, is_due
from .errors import IllegalTransition
from .goals import Goal, GoalKind, GoalOutcome, GoalResult, GoalSet
from .machines import CALL_MACHINE
from .models import DEFAULT_TIMEZONE, Call, CallerLine, Campaign, Contact
from .policies.compliance import (
    AbandonedCallCooldown,
    CompliancePolicy,
    ComplianceRule,
    ConversationCooldown,
    DoNotCall,
    FrequencyCap,
    QuietHours,
    Region,
)
from .policies.cycles import SETTLED_STATUSES, CyclePolicy
from .policies.pacing import CALL_INTERVAL_CHOICES, RING_TIMEOUT_CHOICES, PacingPolicy
from .policies.retry import MAX_WAIT, RetryCounter, RetryPolicy, RetryRule, Spacing
from .policies.rotation import RotationPolicy, RotationStrategy
from .policies.schedule import CallingWindow, Schedule
from .runner import CampaignRunner
from .statuses import (
    AnsweredBy,
    CallStatus,
    CampaignStatus,
    Channel,
    ContactStatus,
    Direction,
    LineStatus,
    Outcome,
    Priority,
)

__all__ = [
    "DEFAULT_REGIONS",
    "DEFAULT_TIMEZONES",
    "CallReport",
    "CampaignSetup",
    "CampaignStateMachine",
    "billing_policies",
    "call_report_sequences",
    "call_updates",
    "caller_lines",
    "calling_windows",
    "calls",
    "campaign_counts",
    "campaign_setups",
    "campaigns",
    "compliance_policies",
    "compliance_regions",
    "compliance_rules",
    "contacts",
    "cycle_policies",
    "goal_results",
    "goal_sets",
    "goals",
    "messy_phone_numbers",
    "pacing_policies",
    "phone_numbers",
    "retry_policies",
    "retry_rules",
    "rotation_policies",
    "schedules",
]

T = TypeVar("T")

DEFAULT_REGIONS: tuple[str, ...] = ("MX", "US", "IN", "GB", "BR", "ES", "CO")
"""Regions the phone-number strategies draw from unless told otherwise."""

DEFAULT_TIMEZONES: tuple[str, ...] = (
    DEFAULT_TIMEZONE,
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "America/Sao_Paulo",
)
"""Time zones campaigns and schedules are drawn from; the seeds' default comes first."""

_EPOCH_MIN = datetime(2020, 1, 1, tzinfo=UTC)
_EPOCH_MAX = datetime(2035, 12, 31, tzinfo=UTC)
_ids = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)
_names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=0, max_size=24
)


def _check_regions(regions: Sequence[str]) -> tuple[str, ...]:
    if isinstance(regions, str) or not regions:
        raise InvalidArgument(
            f"regions must be a non-empty sequence of region codes; got {regions!r}"
        )
    supported = phonenumbers.SUPPORTED_REGIONS
    for region in regions:
        if region not in supported:
            raise InvalidArgument(f"{region!r} is not a region phonenumbers knows")
    return tuple(regions)


def _example(region: str) -> phonenumbers.PhoneNumber:
    for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
        number = phonenumbers.example_number_for_type(region, kind)
        if number is not None:
            return number
    raise InvalidArgument(f"phonenumbers has no example number for {region!r}")


@st.composite
def _valid_number(draw: st.DrawFn, regions: tuple[str, ...]) -> phonenumbers.PhoneNumber:
    region = draw(st.sampled_from(regions))
    example = _example(region)
    national = str(example.national_number)
    # Vary the subscriber digits of the region's example number; keep those that
    # phonenumbers still calls valid (nearly all), falling back to the example.
    tail = draw(st.text("0123456789", min_size=4, max_size=4))
    candidate = phonenumbers.PhoneNumber(
        country_code=example.country_code, national_number=int(national[:-4] + tail)
    )
    return candidate if phonenumbers.is_valid_number(candidate) else example


def phone_numbers(*, regions: Sequence[str] = DEFAULT_REGIONS) -> st.SearchStrategy[str]:
    """Valid phone numbers in E.164 form (``"+5215555551234"``) for ``regions``.

    Raises `InvalidArgument` for an empty or unknown region list.
    """
    chosen = _check_regions(regions)
    return _valid_number(chosen).map(
        lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    )


def _international_prefix(region: str) -> str | None:
    """The digits dialled before a country code from ``region`` (``00``, ``011``), if fixed."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    prefix = metadata.preferred_international_prefix or metadata.international_prefix
    return prefix if prefix and prefix.isdigit() else None


@st.composite
def _messy(draw: st.DrawFn, regions: tuple[str, ...]) -> tuple[str, str, str]:
    region = draw(st.sampled_from(regions))
    number = draw(_valid_number((region,)))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    styles = ["national", "international", "e164"]
    prefix = _international_prefix(region)
    if prefix:
        styles.append("dialled-abroad")
    style = draw(st.sampled_from(styles))
    if style == "national":
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    elif style == "international":
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif style == "dialled-abroad":
        text = f"{prefix} {e164[1:]}"
    else:
        text = e164
    separators = draw(st.sampled_from(["", " ", "-", "."]))
    if separators:
        text = text.replace(" ", separators)
    padding = draw(st.sampled_from(["", " ", "  "]))
    return padding + text + padding, region, e164


def messy_phone_numbers(
    *, regions: Sequence[str] = DEFAULT_REGIONS
) -> st.SearchStrategy[tuple[str, str, str]]:
    """Triples ``(as_typed, region, e164)``: a valid number as people type it - national
    format, spaces, dashes, dots, the international prefix, padding - the region to read it
    in, and the E.164 form it must normalise to.

    Raises `InvalidArgument` for an empty or unknown region list.
    """
    return _messy(_check_regions(regions))


def _moments(min_value: datetime, max_value: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=min_value.replace(tzinfo=None),
        max_value=max_value.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


def _check_window(min_value: datetime, max_value: datetime) -> None:
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if value.tzinfo is None:
            raise InvalidArgument(f"{name} must be timezone-aware; got {value!r}")
    if min_value > max_value:
        raise InvalidArgument(f"min_value {min_value} is after max_value {max_value}")


def campaigns(
    *,
    channels: Sequence[Channel] = tuple(Channel),
    statuses: Sequence[CampaignStatus] = tuple(CampaignStatus),
) -> st.SearchStrategy[Campaign]:
    """`Campaign` records on the given channels and in the given statuses."""
    if not channels or not statuses:
        raise InvalidArgument("channels and statuses must not be empty")
    return st.builds(
        Campaign,
        id=_ids,
        name=_names.filter(bool),
        channel=st.sampled_from(tuple(channels)),
        timezone=st.sampled_from(DEFAULT_TIMEZONES),
        status=st.sampled_from(tuple(statuses)),
    )


def contacts(
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    statuses: Sequence[ContactStatus] = (ContactStatus.QUEUED,),
    max_attempts: int = 10,
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Contact]:
    """`Contact` records with valid E.164 numbers from ``regions``.

    Counters are consistent: per-cycle ``retries`` and ``failed_retries`` never
    exceed the lifetime ``attempts``, which is at most ``max_attempts``.
    Raises `InvalidArgument` for empty statuses, a negative ``max_attempts``
    or a bad time window.
    """
    if not statuses:
        raise InvalidArgument("statuses must not be empty")
    if max_attempts < 0:
        raise InvalidArgument(f"max_attempts must be >= 0; got {max_attempts}")
    _check_window(min_value, max_value)
    chosen = _check_regions(regions)

    @st.composite
    def build(draw: st.DrawFn) -> Contact:
        attempts = draw(st.integers(0, max_attempts))
        retries = draw(st.integers(0, attempts))
        return Contact(
            id=draw(_ids),
            phone=draw(phone_numbers(regions=chosen)),
            name=draw(_names),
            context=draw(_names),
            priority=draw(st.sampled_from(Priority)),
            tags=draw(st.frozensets(_ids, max_size=3)),
            status=draw(st.sampled_from(tuple(statuses))),
            retries=retries,
            failed_retries=draw(st.integers(0, attempts - retries)),
            attempts=attempts,
            next_attempt_at=draw(st.none() | _moments(min_value, max_value)),
        )

    return build()


_DURATIONS_BY_STATUS = {CallStatus.COMPLETED}


def calls(
    *,
    statuses: Sequence[CallStatus] = (
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
    ),
    regions: Sequence[str] = DEFAULT_REGIONS,
    min_attempt: int = 1,
    max_attempt: int = 5,
    max_duration: int = 3600,
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Call]:
    """`Call` attempts whose fields agree with their status.

    A completed call has start and end times and ``duration`` equal to the seconds
    between them, and an answered-by value; a call that never connected has no
    start time, no answered-by and zero duration; a live call has no end time.
    Raises `InvalidArgument` for empty statuses or inverted bounds.
    """
    if not statuses:
        raise InvalidArgument("statuses must not be empty")
    if not 1 <= min_attempt <= max_attempt:
        raise InvalidArgument(
            f"need 1 <= min_attempt <= max_attempt; got {min_attempt}, {max_attempt}"
        )
    if max_duration < 0:
        raise InvalidArgument(f"max_duration must be >= 0; got {max_duration}")
    _check_window(min_value, max_value)
    chosen = _check_regions(regions)

    @st.composite
    def build(draw: st.DrawFn) -> Call:
        status = draw(st.sampled_from(tuple(statuses)))
        created = draw(_moments(min_value, max_value))
        ring = timedelta(seconds=draw(st.integers(0, 60)))
        connected = status in (
            CallStatus.COMPLETED,
            CallStatus.IN_PROGRESS,
            CallStatus.FORWARDING,
        )
        ended = CALL_MACHINE.is_terminal(status)
        duration = draw(st.integers(0, max_duration)) if connected and ended else 0
        started = created + ring if connected else None
        end_time = (started or created + ring) + timedelta(seconds=duration) if ended else None
        answered_by = draw(st.sampled_from(AnsweredBy)) if connected else None
        return Call(
            id=draw(_ids),
            contact_id=draw(_ids),
            to=draw(phone_numbers(regions=chosen)),
            attempt=draw(st.integers(min_attempt, max_attempt)),
            direction=Direction.OUTBOUND,
            status=status,
            answered_by=answered_by,
            created_at=created,
            started_at=started,
            ended_at=end_time,
            updated_at=end_time or started or created,
            duration=duration,
        )

    return build()


def caller_lines(
    *,
    min_spam_score: int = 0,
    max_spam_score: int = 9,
    statuses: Sequence[LineStatus] = tuple(LineStatus),
) -> st.SearchStrategy[CallerLine]:
    """`CallerLine` records with spam scores in ``min_spam_score..max_spam_score``."""
    if not 0 <= min_spam_score <= max_spam_score <= 9:
        raise InvalidArgument("need 0 <= min_spam_score <= max_spam_score <= 9")
    if not statuses:
        raise InvalidArgument("statuses must not be empty")
    return st.builds(
        CallerLine,
        id=_ids,
        number=phone_numbers(regions=("US",)),
        status=st.sampled_from(tuple(statuses)),
        spam_score=st.integers(min_spam_score, max_spam_score),
        calls_today=st.integers(0, 1000),
        total_calls=st.integers(0, 100_000),
        weight=st.integers(1, 10),
    )


class CallReport(tuple[CallStatus, datetime]):
    """One carrier status report: ``(status, happened_at)``."""

    __slots__ = ()

    @property
    def status(self) -> CallStatus:
        """The status reported."""
        return self[0]

    @property
    def at(self) -> datetime:
        """When the carrier says it happened (not when it arrived)."""
        return self[1]


@st.composite
def _report_sequence(
    draw: st.DrawFn, start: datetime, max_duplicates: int, shuffle: bool
) -> tuple[list[CallReport], CallStatus]:
    state = CALL_MACHINE.initial
    at = start
    happened: list[CallReport] = []
    while not CALL_MACHINE.is_terminal(state):
        # Events that end the call come first, so examples shrink to short calls;
        # after a few forwards the call is made to end.
        events = sorted(
            CALL_MACHINE.allowed(state),
            key=lambda e: not CALL_MACHINE.is_terminal(CALL_MACHINE.next(state, e)),
        )
        if len(happened) >= 8:
            events = [e for e in events if CALL_MACHINE.is_terminal(CALL_MACHINE.next(state, e))]
        event = draw(st.sampled_from(events))
        state = CALL_MACHINE.next(state, event)
        at = at + timedelta(seconds=draw(st.integers(1, 90)))
        happened.append(CallReport((state, at)))
    delivered = list(happened)
    # Carriers drop intermediate reports, repeat some, and deliver out of order;
    # the final report always arrives at least once.
    delivered = [r for r in delivered[:-1] if draw(st.booleans())] + [delivered[-1]]
    extra = draw(st.lists(st.sampled_from(delivered), max_size=max_duplicates))
    delivered += extra
    if shuffle:
        delivered = draw(st.permutations(delivered))
    return delivered, state


def call_report_sequences(
    *,
    start: datetime = datetime(2026, 1, 5, 15, tzinfo=UTC),
    max_duplicates: int = 3,
    out_of_order: bool = True,
) -> st.SearchStrategy[tuple[list[CallReport], CallStatus]]:
    """Pairs ``(reports, final_status)``: the status reports of one call as a real
    carrier delivers them - intermediate reports dropped, some repeated up to
    ``max_duplicates`` times, in any order when ``out_of_order`` - and the terminal
    status the call really ended in. Every report carries the time it happened.

    Raises `InvalidArgument` for a naive ``start`` or negative ``max_duplicates``.
    """
    if start.tzinfo is None:
        raise InvalidArgument(f"start must be timezone-aware; got {start!r}")
    if max_duplicates < 0:
        raise InvalidArgument(f"max_duplicates must be >= 0; got {max_duplicates}")
    return _report_sequence(start, max_duplicates, out_of_order)


# --------------------------------------------------------------------------- argument checks


def _prefer(default: T, *strategies: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``strategies``, shrinking towards ``default`` (a value they can generate)."""
    return st.one_of(st.just(default), *strategies)


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise InvalidArgument(f"{name} must be an integer {bound}; got {value!r}")
    return value


def _check_flag(name: str, value: Any) -> bool:
    if type(value) is not bool:
        raise InvalidArgument(f"{name} must be True or False; got {value!r}")
    return value


def _check_span(name: str, value: Any, low: timedelta, high: timedelta) -> timedelta:
    if type(value) is not timedelta or not low <= value <= high:
        raise InvalidArgument(f"{name} must be a timedelta from {low} to {high}; got {value!r}")
    return value


def _check_choices(
    name: str, values: Any, allowed: Collection[Any] | None = None
) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Collection) or not values:
        raise InvalidArgument(f"{name} must be a non-empty collection; got {values!r}")
    chosen = tuple(values)
    if allowed is not None:
        for value in chosen:
            if value not in allowed:
                raise InvalidArgument(
                    f"{name}: {value!r} is not one of {sorted(map(str, allowed))}"
                )
    return chosen


def _check_zones(name: str, zones: Any) -> tuple[str, ...]:
    chosen = _check_choices(name, zones)
    for zone in chosen:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise InvalidArgument(f"{name}: {zone!r} is not an IANA time zone name") from None
    return chosen


def _check_tags(name: str, tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str | bytes) or not isinstance(tags, Collection):
        raise InvalidArgument(f"{name} must be a collection of tag names; got {tags!r}")
    chosen = tuple(tags)
    for tag in chosen:
        if type(tag) is not str or not tag:
            raise InvalidArgument(f"{name} must hold non-empty strings; got {tag!r}")
    return chosen


def _check_strategy(name: str, value: Any) -> st.SearchStrategy[Any] | None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(f"{name} must be a SearchStrategy or None; got {value!r}")
    return value


def _seconds_between(low: timedelta, high: timedelta) -> st.SearchStrategy[timedelta]:
    """Whole-second timedeltas from ``low`` (rounded up) to ``high``, shrinking to ``low``."""
    first = -int(-low.total_seconds() // 1)
    return st.integers(first, int(high.total_seconds())).map(lambda s: timedelta(seconds=s))


def _minutes_between(low: timedelta, high: timedelta) -> st.SearchStrategy[int] | None:
    """Whole minutes from ``low`` to ``high`` (as ints), or None if there are none."""
    first = -(-low // timedelta(minutes=1))
    last = high // timedelta(minutes=1)
    return st.integers(first, last) if first <= last else None


def _clamp(value: timedelta, low: timedelta, high: timedelta) -> timedelta:
    return min(max(value, low), high)


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
    max_whatsapp_daily_limit: int = 10_000,
) -> st.SearchStrategy[PacingPolicy]:
    """`PacingPolicy` records: call interval 5 s-30 min, ring timeout 10-60 s (only
    itellico's listed choices with ``choices_only``), a daily cap per caller line
    up to ``max_calls_per_number_per_day`` (at most 1,000), and optional
    concurrency and WhatsApp daily limits up to the given maxima.

    Shrinks towards ``PacingPolicy()``: 10 s interval, 30 s ring timeout, 100
    calls per number per day, no other limit. Raises `InvalidArgument` for
    bounds outside the policy's ranges.
    """
    _check_flag("choices_only", choices_only)
    _check_int("max_calls_per_number_per_day", max_calls_per_number_per_day, 1, 1000)
    _check_int("max_concurrent_calls", max_concurrent_calls, 1)
    _check_int("max_whatsapp_daily_limit", max_whatsapp_daily_limit, 1)
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
            whatsapp_daily_limit=st.none() | st.integers(1, max_whatsapp_daily_limit),
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

_RULE_KINDS: tuple[type[Any], ...] = (
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
    kinds: Collection[type[Any]] = _RULE_KINDS,
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
    builders: dict[type[Any], st.SearchStrategy[Any]] = {
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


# --------------------------------------------------------------------------- goals and counts


def goals(
    *,
    kinds: Collection[GoalKind] = (GoalKind.SECONDARY, GoalKind.PRIMARY),
    archived: bool = True,
) -> st.SearchStrategy[Goal]:
    """`Goal` records of the given ``kinds``, archived or not (only active ones
    unless ``archived``).

    Shrinks towards an active goal of the first kind. Raises `InvalidArgument`
    for an empty or unknown kind list.
    """
    chosen = _check_choices("kinds", kinds, tuple(GoalKind))
    _check_flag("archived", archived)
    return st.builds(
        Goal,
        id=_ids,
        name=_names.filter(bool),
        description=_names,
        kind=st.sampled_from(chosen),
        archived=st.sampled_from([False, True]) if archived else st.just(False),
    )


def goal_sets(*, min_size: int = 1, max_size: int = 5) -> st.SearchStrategy[GoalSet]:
    """`GoalSet` records of ``min_size`` to ``max_size`` goals with distinct ids:
    exactly one active primary goal, the others secondary (some archived) or
    archived primaries.

    Raises `InvalidArgument` unless ``1 <= min_size <= max_size``.
    """
    _check_int("min_size", min_size, 1)
    _check_int("max_size", max_size, min_size)

    @st.composite
    def build(draw: st.DrawFn) -> GoalSet:
        drawn = draw(
            st.lists(goals(), min_size=min_size, max_size=max_size, unique_by=lambda g: g.id)
        )
        primary = draw(st.integers(0, len(drawn) - 1))
        fixed = []
        for i, goal in enumerate(drawn):
            if i == primary:
                goal = attrs.evolve(goal, kind=GoalKind.PRIMARY, archived=False)
            elif goal.is_primary:
                goal = attrs.evolve(goal, archived=True)
            fixed.append(goal)
        return GoalSet(tuple(fixed))

    return build()


def goal_results(
    *,
    goal_ids: Sequence[str] | None = None,
    outcomes: Collection[GoalOutcome] = tuple(GoalOutcome),
) -> st.SearchStrategy[GoalResult]:
    """`GoalResult` records for one of ``goal_ids`` (any id when None) with one of
    ``outcomes``; known results have a score 0-100 or none, unknown ones none.

    Shrinks towards an unscored result with the first outcome. Raises
    `InvalidArgument` for empty ``goal_ids`` or ``outcomes``.
    """
    chosen = _check_choices("outcomes", outcomes, tuple(GoalOutcome))
    if goal_ids is not None:
        ids = _check_tags("goal_ids", goal_ids)
        if not ids:
            raise InvalidArgument("goal_ids must not be empty; pass None for any id")
        id_strategy: st.SearchStrategy[str] = st.sampled_from(ids)
    else:
        id_strategy = _ids

    @st.composite
    def build(draw: st.DrawFn) -> GoalResult:
        outcome = draw(st.sampled_from(chosen))
        score = None if not outcome.known else draw(st.none() | st.integers(0, 100))
        return GoalResult(goal_id=draw(id_strategy), outcome=outcome, score=score)

    return build()


def campaign_counts(*, max_value: int = 100_000) -> st.SearchStrategy[CampaignCounts]:
    """`CampaignCounts` (Exotel's stats): six parts, each up to ``max_value``, and
    ``created`` their sum. Shrinks towards no contacts. Raises `InvalidArgument`
    for a negative ``max_value``."""
    _check_int("max_value", max_value, 0)
    part = st.integers(0, max_value)

    def build(parts: tuple[int, int, int, int, int, int]) -> CampaignCounts:
        completed, failed, pending, in_progress, busy, no_answer = parts
        return CampaignCounts(
            created=sum(parts),
            completed=completed,
            failed=failed,
            pending=pending,
            in_progress=in_progress,
            busy=busy,
            no_answer=no_answer,
        )

    return st.tuples(part, part, part, part, part, part).map(build)


def call_updates(
    *,
    contact_ids: Sequence[str] | None = None,
    max_attempt: int = 5,
    statuses: Collection[CallStatus] = tuple(CallStatus),
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[CallUpdate]:
    """`CallUpdate` events (call-status webhooks) for one of ``contact_ids`` (any id
    when None), attempt 1 to ``max_attempt``, with a status from ``statuses``, an
    answered-by and duration when the status is completed.

    Raises `InvalidArgument` for empty ids or statuses, ``max_attempt < 1`` or a
    bad time window.
    """
    chosen = _check_choices("statuses", statuses, tuple(CallStatus))
    _check_int("max_attempt", max_attempt, 1)
    _check_window(min_value, max_value)
    ids: st.SearchStrategy[str] = _ids
    if contact_ids is not None:
        names = _check_tags("contact_ids", contact_ids)
        if not names:
            raise InvalidArgument("contact_ids must not be empty; pass None for any id")
        ids = st.sampled_from(names)

    @st.composite
    def build(draw: st.DrawFn) -> CallUpdate:
        status = draw(st.sampled_from(chosen))
        completed = status is CallStatus.COMPLETED
        return CallUpdate(
            contact_id=draw(ids),
            attempt=draw(st.integers(1, max_attempt)),
            status=status,
            at=draw(_moments(min_value, max_value)),
            answered_by=draw(st.sampled_from(AnsweredBy)) if completed else None,
            duration=draw(st.integers(0, 600)) if completed else None,
        )

    return build()


# --------------------------------------------------------------------------- whole campaigns

_TIME_POLICY_OPTIONS = ("schedule", "pacing", "rotation", "compliance", "lines")


def _distinct_ids(inst: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    ids = [item.id for item in value]
    if len(set(ids)) != len(ids):
        raise InvalidArgument(f"{attribute.name} must have distinct ids; got {ids}")


@attrs.frozen(weakref_slot=False)
class CampaignSetup:
    """A whole campaign as a test needs it: the `Campaign` (pending, calls), its fresh
    contacts and every policy, generated together by `campaign_setups`.

    Raises `InvalidArgument` for repeated contact or line ids.
    """

    campaign: Campaign
    contacts: tuple[Contact, ...] = attrs.field(validator=_distinct_ids)
    retry: RetryPolicy
    cycles: CyclePolicy | None
    schedule: Schedule
    """In the campaign's time zone."""
    pacing: PacingPolicy | None
    """None: no call interval or concurrency cap."""
    rotation: RotationPolicy
    compliance: CompliancePolicy
    billing: BillingPolicy
    lines: tuple[CallerLine, ...] = attrs.field(validator=_distinct_ids)
    """The caller lines; empty: the dialer chooses."""

    def runner_options(self, *, rng: random.Random | None = None) -> dict[str, Any]:
        """The time policies as keyword arguments of `CampaignRunner` (and of
        ``simulate(runner_options=...)``): ``schedule``, ``rotation``,
        ``compliance``, ``pacing`` and the ``lines`` when there are any (no
        lines: the dialer chooses), and ``rng`` (the Weighted rotation draws
        from it; default ``random.Random(0)``)."""
        options: dict[str, Any] = {
            "schedule": self.schedule,
            "rotation": self.rotation,
            "compliance": self.compliance,
            "rng": random.Random(0) if rng is None else rng,
        }
        if self.pacing is not None:
            options["pacing"] = self.pacing
        if self.lines:
            options["lines"] = self.lines
        return options

    def runner(self, now: datetime, *, rng: random.Random | None = None) -> CampaignRunner:
        """A `CampaignRunner` for this setup with the contacts loaded at ``now`` (the
        campaign is then ready: call ``start``). Raises `InvalidInput` for a naive ``now``."""
        runner = CampaignRunner(
            self.campaign, retry=self.retry, cycles=self.cycles, **self.runner_options(rng=rng)
        )
        runner.add_contacts(self.contacts, now=now)
        return runner


def _numbered_contacts(specs: list[tuple[str, Priority, frozenset[str]]]) -> list[Contact]:
    """Fresh queued contacts ``c0``, ``c1``, ... from (phone, priority, tags) triples."""
    return [
        Contact(id=f"c{i}", phone=phone, priority=priority, tags=tags)
        for i, (phone, priority, tags) in enumerate(specs)
    ]


def _fresh_contacts(
    min_size: int, max_size: int, regions: tuple[str, ...]
) -> st.SearchStrategy[list[Contact]]:
    """Queued contacts never called, ids ``c0``, ``c1``, ... in order."""
    person = st.tuples(
        phone_numbers(regions=regions),
        st.sampled_from([Priority.NORMAL, Priority.HIGH, Priority.LOW]),
        st.frozensets(st.sampled_from(["vip", "invalid"]), max_size=1),
    )
    return st.lists(person, min_size=min_size, max_size=max_size).map(_numbered_contacts)


def campaign_setups(
    *,
    min_contacts: int = 1,
    max_contacts: int = 10,
    regions: Sequence[str] = DEFAULT_REGIONS,
    timezones: Collection[str] = DEFAULT_TIMEZONES,
    retry: st.SearchStrategy[RetryPolicy] | None = None,
    cycles: st.SearchStrategy[CyclePolicy | None] | None = None,
    time_policies: bool = True,
    max_lines: int = 3,
) -> st.SearchStrategy[CampaignSetup]:
    """Whole campaigns (`CampaignSetup`): a pending call `Campaign`, ``min_contacts`` to
    ``max_contacts`` fresh queued contacts with numbers from ``regions``, and a
    policy of every kind. ``retry`` and ``cycles`` replace the default strategies
    (`retry_policies` with small limits and waits up to a day; no loops or
    `cycle_policies` with up to 3 loops). Without ``time_policies`` the
    schedule, rotation and compliance are the defaults (always open, no rules)
    and there is no pacing; up to ``max_lines`` caller lines either way. The
    campaign's time zone is the schedule's, from ``timezones``.

    Raises `InvalidArgument` for bad sizes, regions or time zones, or
    ``retry`` / ``cycles`` that are not strategies.
    """
    _check_int("min_contacts", min_contacts, 0)
    _check_int("max_contacts", max_contacts, min_contacts)
    chosen = _check_regions(regions)
    zones = _check_zones("timezones", timezones)
    retry_strategy = _check_strategy("retry", retry)
    if retry_strategy is None:
        retry_strategy = retry_policies(
            max_retries=3, max_failed_retries=2, max_attempts=10, max_wait=_DAY
        )
    cycles_strategy = _check_strategy("cycles", cycles)
    if cycles_strategy is None:
        cycles_strategy = st.none() | cycle_policies(max_loops=3, max_cooldown=timedelta(hours=6))
    _check_flag("time_policies", time_policies)
    _check_int("max_lines", max_lines, 0)

    @st.composite
    def build(draw: st.DrawFn) -> CampaignSetup:
        if time_policies:
            schedule = draw(schedules(timezones=zones))
            pacing, rotation, compliance = (
                draw(st.none() | pacing_policies()),
                draw(rotation_policies()),
                draw(compliance_policies(regions=chosen)),
            )
        else:
            schedule = Schedule(timezone=draw(st.sampled_from(zones)))
            pacing, rotation, compliance = None, RotationPolicy(), CompliancePolicy()
        campaign = Campaign(
            id=draw(_ids),
            name=draw(_names.filter(bool)),
            timezone=schedule.timezone,
        )
        return CampaignSetup(
            campaign=campaign,
            contacts=tuple(draw(_fresh_contacts(min_contacts, max_contacts, chosen))),
            retry=draw(retry_strategy),
            cycles=draw(cycles_strategy),
            schedule=schedule,
            pacing=pacing,
            rotation=rotation,
            compliance=compliance,
            billing=draw(billing_policies()),
            lines=tuple(
                draw(st.lists(caller_lines(), max_size=max_lines, unique_by=lambda x: x.id))
            ),
        )

    return build()


# --------------------------------------------------------------------------- state machine

_WAITING = frozenset({ContactStatus.QUEUED, ContactStatus.RETRYING, ContactStatus.AWAITING_OUTCOME})
_ENDINGS = (
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.COMPLETED,
    CallStatus.FAILED,
    CallStatus.CANCELED,
)


_REPORT_ORIGIN = datetime(2026, 1, 5, 15, tzinfo=UTC)
_MACHINE_REPORTS = st.deferred(lambda: call_report_sequences(start=_REPORT_ORIGIN))
_MACHINE_RETRY = st.deferred(
    lambda: retry_policies(
        max_retries=3, max_failed_retries=2, max_attempts=8, max_wait=timedelta(hours=6)
    )
)
_MACHINE_CYCLES = st.deferred(
    lambda: st.one_of(st.none(), cycle_policies(max_loops=2, max_cooldown=timedelta(hours=2)))
)
_MACHINE_CONTACTS = st.deferred(lambda: _fresh_contacts(1, 4, ("MX", "US")))
_MACHINE_ENDINGS = st.sampled_from(_ENDINGS)
_ANSWERED_BY = st.none() | st.sampled_from(AnsweredBy)
_DURATIONS = st.integers(0, 300)
_PICK = st.integers(0, 63)  # an index, taken modulo the number of choices


_HOOK_STRATEGIES: dict[tuple[type[Any], str], Any] = {}


def _from_hook(machine: CampaignStateMachine, name: str) -> Any:
    """What hook ``name`` of ``machine`` returns; a strategy is kept per machine class,
    so a hook that builds one is called once, not once per test case."""
    key = (type(machine), name)
    cached = _HOOK_STRATEGIES.get(key)
    if cached is not None:
        return cached
    value = getattr(machine, name)()
    if isinstance(value, st.SearchStrategy):
        _HOOK_STRATEGIES[key] = value
    return value


def _drawn(data: st.DataObject, value: Any, label: str) -> Any:
    """``value``, or a value drawn from it when it is a strategy."""
    return data.draw(value, label=label) if isinstance(value, st.SearchStrategy) else value


class CampaignStateMachine(RuleBasedStateMachine):
    """A Hypothesis state machine that runs a `CampaignRunner` through random steps
    and checks the library's invariants after each one. Subclass it to put your
    own policies through the same steps; run it with ``MyMachine.TestCase``.

    Steps: place the due calls (with or without a limit), deliver a call's carrier
    reports as `call_report_sequences` generates them (intermediate reports
    dropped, duplicates, out of order), deliver an old report again, end every
    call in flight, advance time (or jump to `CampaignRunner.next_wakeup`), pause
    and resume. Every report is delivered twice: the duplicate must change
    nothing, and so must any earlier report delivered again later.

    Invariants: per-cycle counters and lifetime attempts never exceed the retry
    policy's caps; counts conserve (`CampaignCounts` is a partition of the
    contacts by `contact_bucket`, and matches a recount); a settled contact is
    never due; the calls in flight are exactly the dialling contacts; lifetime
    attempts never decrease. Add your own with ``@invariant()``.

    Hooks (override them; each may return a value or a strategy to draw it from,
    and a strategy is built once per class): `retry_policy`, `cycle_policy`,
    `initial_contacts`, `runner_options` (the time policies), `call_endings`;
    and `make_runner` to build the runner yourself. ``start_time`` is when the
    campaign starts.
    """

    start_time: ClassVar[datetime] = datetime(2026, 6, 1, 15, tzinfo=UTC)
    """When the campaign is loaded and started (a Monday, 09:00 in Mexico City)."""

    def __init__(self) -> None:
        super().__init__()
        self.now = self.start_time
        """The machine's clock: it only moves forward."""
        self.runner: CampaignRunner
        """The runner under test (built by `make_runner` in the first step)."""
        self.loaded = 0
        """How many contacts were loaded."""
        self.delivered: list[CallUpdate] = []
        """Every carrier report delivered so far."""
        self._attempts: dict[str, int] = {}

    # ------------------------------------------------------------------ hooks

    def retry_policy(self) -> RetryPolicy | st.SearchStrategy[RetryPolicy]:
        """The retry policy under test: by default `retry_policies` with small limits."""
        return _MACHINE_RETRY

    def cycle_policy(self) -> CyclePolicy | st.SearchStrategy[CyclePolicy | None] | None:
        """The cycle policy under test, or None: by default either, with up to 2 loops."""
        return _MACHINE_CYCLES

    def initial_contacts(self) -> Sequence[Contact] | st.SearchStrategy[list[Contact]]:
        """The contacts loaded at the start: by default 1 to 4 fresh ones."""
        return _MACHINE_CONTACTS

    def call_endings(self) -> CallStatus | st.SearchStrategy[CallStatus]:
        """How calls ended by the end-every-call step end: by default any terminal status."""
        return _MACHINE_ENDINGS

    def runner_options(self) -> Mapping[str, Any] | st.SearchStrategy[Mapping[str, Any]]:
        """More keyword arguments for `CampaignRunner` - the time policies (``schedule``,
        ``pacing``, ``rotation``, ``compliance``, ``lines``, ``rng``): by default none.
        ``CampaignSetup.runner_options`` gives a generated set."""
        return {}

    def make_runner(
        self, campaign: Campaign, *, retry: RetryPolicy, cycles: CyclePolicy | None, **options: Any
    ) -> CampaignRunner:
        """The runner under test, before contacts are loaded; ``options`` come from
        `runner_options`."""
        return CampaignRunner(campaign, retry=retry, cycles=cycles, **options)

    # ------------------------------------------------------------------ helpers

    def tick(self, seconds: int = 1) -> datetime:
        """Move the clock ``seconds`` forward and return it."""
        self.now += timedelta(seconds=seconds)
        return self.now

    def state(self) -> tuple[Any, ...]:
        """What a report may change: the campaign, the contacts, the calls in flight,
        the counts and the number of notifications emitted."""
        runner = self.runner
        return (
            runner.campaign,
            tuple(runner.contacts.values()),
            dict(runner.in_flight),
            runner.counts,
            len(runner.outbox),
        )

    def deliver(self, update: CallUpdate) -> None:
        """Hand ``update`` to the runner, then again: the duplicate must change nothing."""
        self.runner.handle(update)
        self.delivered.append(update)
        state = self.state()
        self.runner.handle(update)
        assert self.state() == state, f"a duplicate report changed the runner: {update}"

    # ------------------------------------------------------------------ steps

    @initialize(data=st.data())
    def load_and_start(self, data: st.DataObject) -> None:
        """Build the runner from the hooks, load the contacts and start the campaign."""
        retry = _drawn(data, _from_hook(self, "retry_policy"), "retry")
        cycles = _drawn(data, _from_hook(self, "cycle_policy"), "cycles")
        people = list(_drawn(data, _from_hook(self, "initial_contacts"), "contacts"))
        options = dict(_drawn(data, _from_hook(self, "runner_options"), "options"))
        campaign = Campaign(id="campaign", name="Property test")
        self.runner = self.make_runner(campaign, retry=retry, cycles=cycles, **options)
        self.runner.add_contacts(people, now=self.now)
        self.loaded = len(people)
        self.runner.start(self.now)

    @rule(seconds=st.sampled_from([1, 60, 900, 3600, 6 * 3600, 86400]))
    def advance_time(self, seconds: int) -> None:
        """Let time pass."""
        self.tick(seconds)

    @rule()
    def jump_to_wakeup(self) -> None:
        """Move the clock straight to the next time the runner has work."""
        wakeup = self.runner.next_wakeup()
        if wakeup is not None and wakeup > self.now:
            self.now = wakeup

    @rule(limit=st.none() | st.integers(0, 3))
    def dial_due(self, limit: int | None) -> None:
        """Place the calls that are due; each is a new attempt of a distinct contact."""
        now = self.tick()
        before = dict(self.runner.contacts)
        dials = self.runner.due(now, limit=limit)
        assert limit is None or len(dials) <= limit
        ids = [placed.contact.id for placed in dials]
        assert len(ids) == len(set(ids)), f"a contact was dialled twice at once: {ids}"
        for placed in dials:
            contact = self.runner.contact(placed.contact.id)
            assert contact.status is ContactStatus.DIALING
            assert placed.attempt == contact.attempts == before[contact.id].attempts + 1
            assert before[contact.id].status not in SETTLED_STATUSES or contact.cycle > (
                before[contact.id].cycle
            ), f"a settled contact was dialled: {before[contact.id]}"

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data())
    def deliver_reports(self, data: st.DataObject) -> None:
        """One call's carrier reports, as a carrier delivers them."""
        calls = sorted(self.runner.in_flight)
        contact_id = calls[data.draw(_PICK, label="call") % len(calls)]
        attempt = self.runner.in_flight[contact_id].attempt
        reports, _ = data.draw(_MACHINE_REPORTS, label="reports")
        shift = self.tick() - _REPORT_ORIGIN
        answered_by = data.draw(_ANSWERED_BY, label="answered_by")
        duration = data.draw(_DURATIONS, label="duration")
        for report in reports:
            at = report.at + shift
            self.deliver(
                CallUpdate(
                    contact_id=contact_id,
                    attempt=attempt,
                    status=report.status,
                    at=at,
                    answered_by=answered_by if report.status is CallStatus.COMPLETED else None,
                    duration=duration if report.status is CallStatus.COMPLETED else None,
                )
            )
            self.now = max(self.now, at)

    @precondition(lambda self: bool(self.runner.in_flight))
    @rule(data=st.data())
    def end_calls(self, data: st.DataObject) -> None:
        """Every call in flight ends (the common case, so campaigns reach their end)."""
        for contact_id, call in sorted(self.runner.in_flight.items()):
            status = _drawn(data, _from_hook(self, "call_endings"), "ending")
            self.deliver(
                CallUpdate(
                    contact_id=contact_id,
                    attempt=call.attempt,
                    status=status,
                    at=self.tick(),
                    answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
                )
            )

    @rule(data=st.data())
    def round_of_calls(self, data: st.DataObject) -> None:
        """Jump to the next wakeup, place every due call, and end them all."""
        self.jump_to_wakeup()
        self.dial_due(None)
        if self.runner.in_flight:
            self.end_calls(data)

    @precondition(lambda self: bool(self.delivered))
    @rule(data=st.data())
    def deliver_stale(self, data: st.DataObject) -> None:
        """An old report delivered again, late: it must change nothing."""
        update = self.delivered[data.draw(_PICK, label="old report") % len(self.delivered)]
        state = self.state()
        self.runner.handle(update)
        assert self.state() == state, f"a stale report changed the runner: {update}"

    @rule(command=st.sampled_from(["pause", "resume"]))
    def pause_or_resume(self, command: str) -> None:
        """Pause or resume; a command the campaign's status refuses changes nothing."""
        state = self.state()
        try:
            getattr(self.runner, command)(self.tick())
        except IllegalTransition:
            assert self.state() == state

    # ------------------------------------------------------------------ invariants

    @invariant()
    def attempts_within_retry_caps(self) -> None:
        """Per-cycle counters within the policy's limits; lifetime attempts within the
        lifetime cap and within one full cycle per cycle run."""
        retry = self.runner.retry
        per_cycle = retry.max_attempts_per_cycle()
        for contact in self.runner.contacts.values():
            assert contact.retries <= retry.max_retries, contact
            assert contact.failed_retries <= retry.max_failed_retries, contact
            if retry.max_attempts is not None:
                assert contact.attempts <= retry.max_attempts, contact
            assert contact.attempts <= (contact.cycle + 1) * per_cycle, contact

    @invariant()
    def counts_conserve(self) -> None:
        """The runner's counts are a partition of the contacts, equal to a recount."""
        counts = self.runner.counts
        contacts = list(self.runner.contacts.values())
        assert counts == CampaignCounts.of(contacts)
        assert counts.created == len(contacts) == self.loaded
        buckets = [contact_bucket(c) for c in contacts]
        assert buckets.count("pending") == counts.pending
        assert buckets.count("in_progress") == counts.in_progress

    @invariant()
    def settled_contacts_are_never_due(self) -> None:
        """A settled contact waits for nothing; a waiting one has a due time."""
        far = self.now + timedelta(days=3650)
        for contact in self.runner.contacts.values():
            assert (contact.next_attempt_at is not None) == (contact.status in _WAITING), contact
            if contact.status in SETTLED_STATUSES:
                assert not is_due(contact, far), contact

    @invariant()
    def calls_in_flight_are_the_dialling_contacts(self) -> None:
        """One call in flight per dialling contact, for its current attempt."""
        dialling = {
            c.id for c in self.runner.contacts.values() if c.status is ContactStatus.DIALING
        }
        assert dialling == set(self.runner.in_flight)
        for contact_id, call in self.runner.in_flight.items():
            assert call.attempt == self.runner.contact(contact_id).attempts

    @invariant()
    def lifetime_attempts_never_decrease(self) -> None:
        """``Contact.attempts`` only grows, across cycles too."""
        for contact in self.runner.contacts.values():
            assert contact.attempts >= self._attempts.get(contact.id, 0), contact
            self._attempts[contact.id] = contact.attempts

    @invariant()
    def campaign_status_is_consistent(self) -> None:
        """A finished or cancelled campaign has nothing left to wake up for."""
        if self.runner.campaign.status in (CampaignStatus.FINISHED, CampaignStatus.CANCELLED):
            assert self.runner.next_wakeup() is None


st.register_type_strategy(CampaignSetup, st.deferred(campaign_setups))
