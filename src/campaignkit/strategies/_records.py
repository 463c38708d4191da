"""Strategies for phone numbers, the core records and carrier report sequences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs
import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..machines import CALL_MACHINE
from ..models.records import Call, CallerLine, Campaign, Contact
from ..statuses import (
    AmdMode,
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
from ._common import (
    _EPOCH_MAX,
    _EPOCH_MIN,
    DEFAULT_REGIONS,
    DEFAULT_TIMEZONES,
    _attribute_maps,
    _check_int,
    _check_regions,
    _check_window,
    _ids,
    _moments,
    _names,
    _scalar_maps,
    _tags,
)


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


def campaigns(
    *,
    channels: Sequence[Channel] = tuple(Channel),
    statuses: Sequence[CampaignStatus] = tuple(CampaignStatus),
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Campaign]:
    """`Campaign` records on the given channels and in the given statuses, with every
    field drawn: a description, creation and start times between ``min_value`` and
    ``max_value``, a cycle, JSON-scalar settings, the AMD mode and - on phone
    campaigns only, as seed 004 says - an agent voice. Raises `InvalidArgument` for
    empty channels or statuses or a bad time window."""
    if not channels or not statuses:
        raise InvalidArgument("channels and statuses must not be empty")
    _check_window(min_value, max_value)
    chosen_channels, chosen_statuses = tuple(channels), tuple(statuses)
    at = st.none() | _moments(min_value, max_value)

    @st.composite
    def build(draw: st.DrawFn) -> Campaign:
        channel = draw(st.sampled_from(chosen_channels))
        return Campaign(
            id=draw(_ids),
            name=draw(_names.filter(bool)),
            channel=channel,
            timezone=draw(st.sampled_from(DEFAULT_TIMEZONES)),
            status=draw(st.sampled_from(chosen_statuses)),
            description=draw(_names),
            created_at=draw(at),
            start_at=draw(at),
            cycle=draw(st.integers(0, 5)),
            settings=draw(_scalar_maps),
            amd_mode=draw(st.sampled_from(AmdMode)),
            agent_voice_id=None if channel is Channel.WHATSAPP else draw(st.none() | _ids),
        )

    return build()


def contacts(
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    statuses: Sequence[ContactStatus] = (ContactStatus.QUEUED,),
    max_attempts: int = 10,
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[Contact]:
    """`Contact` records with valid E.164 numbers from ``regions``, every field drawn.

    Counters are consistent: per-cycle ``retries`` and ``failed_retries`` never
    exceed the lifetime ``attempts``, which is at most ``max_attempts``. Tags,
    extracted fields and attributes are named as every export accepts (never a
    fixed column, `RESERVED_TAGS`, and never each other's names: each becomes a
    column of one header) and hold JSON scalars. No ``external_id``: an import
    merges contacts that share one.
    Raises `InvalidArgument` for empty statuses, a negative ``max_attempts``
    or a bad time window.
    """
    if not statuses:
        raise InvalidArgument("statuses must not be empty")
    _check_int("max_attempts", max_attempts, 0)
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
            tags=draw(st.frozensets(_tags, max_size=3)),
            status=draw(st.sampled_from(tuple(statuses))),
            retries=retries,
            failed_retries=draw(st.integers(0, attempts - retries)),
            attempts=attempts,
            next_attempt_at=draw(st.none() | _moments(min_value, max_value)),
            agent_name=draw(st.none() | _names.filter(bool)),
            voice_id=draw(st.none() | _ids),
            extracted=draw(_scalar_maps),
            attributes=draw(_attribute_maps),
            cycle=draw(st.integers(0, 3)),
            updated_at=draw(st.none() | _moments(min_value, max_value)),
            follow_up=draw(st.booleans()),
            last_outcome=draw(st.none() | st.sampled_from(Outcome)) if attempts else None,
            line_id=draw(st.none() | _ids),
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
        CallStatus.CANCELLED,
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
    _check_int("max_duration", max_duration, 0)
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
        priced = ended and draw(st.booleans())
        call = Call(
            id=draw(_ids),
            contact_id=draw(_ids),
            to=draw(phone_numbers(regions=chosen)),
            from_number=draw(st.just("") | phone_numbers(regions=("US",))),
            attempt=draw(st.integers(min_attempt, max_attempt)),
            direction=Direction.OUTBOUND,
            status=status,
            answered_by=answered_by,
            created_at=created,
            started_at=started,
            ended_at=end_time,
            updated_at=end_time or started or created,
            duration=duration,
            recording_url=f"https://example.com/{draw(_ids)}.mp3"
            if duration and draw(st.booleans())
            else None,
            price=draw(st.decimals(0, 100, places=4)) if priced else None,
            price_unit=draw(st.sampled_from(["USD", "INR", "pulses"])) if priced else None,
            campaign_id=draw(st.none() | _ids),
        )
        # An explicit outcome, when drawn, is the one the status implies: a dialect
        # or an analysis classifies, it does not contradict the carrier.
        if ended and draw(st.booleans()):
            call = attrs.evolve(call, outcome=call.result)
        return call

    return build()


def caller_lines(
    *,
    min_spam_score: int = 0,
    max_spam_score: int = 9,
    statuses: Sequence[LineStatus] = tuple(LineStatus),
    min_value: datetime = _EPOCH_MIN,
    max_value: datetime = _EPOCH_MAX,
) -> st.SearchStrategy[CallerLine]:
    """`CallerLine` records with spam scores in ``min_spam_score..max_spam_score``.

    A line that placed calls says which day that was (``counted_on``, between the
    dates of ``min_value`` and ``max_value``) or, sometimes, no day (the engine dates
    such a count on its first round); one that placed none has no day.
    Raises `InvalidArgument` for bad bounds, empty statuses or a bad time window.
    """
    if not 0 <= min_spam_score <= max_spam_score <= 9:
        raise InvalidArgument("need 0 <= min_spam_score <= max_spam_score <= 9")
    if not statuses:
        raise InvalidArgument("statuses must not be empty")
    _check_window(min_value, max_value)
    chosen = tuple(statuses)

    @st.composite
    def build(draw: st.DrawFn) -> CallerLine:
        calls_today = draw(st.integers(0, 1000))
        # An undated count is taken as today's and dated by the first round
        # (engine.steps.open_round), so it resets on the next campaign day.
        dated = calls_today and draw(st.integers(0, 3))
        day = draw(st.dates(min_value.date(), max_value.date())) if dated else None
        return CallerLine(
            id=draw(_ids),
            number=draw(phone_numbers(regions=("US",))),
            name=draw(_names),
            status=draw(st.sampled_from(chosen)),
            spam_score=draw(st.integers(min_spam_score, max_spam_score)),
            calls_today=calls_today,
            counted_on=day,
            total_calls=draw(st.integers(calls_today, 100_000)),
            weight=draw(st.integers(1, 10)),
        )

    return build()


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
    _check_int("max_duplicates", max_duplicates, 0)
    return _report_sequence(start, max_duplicates, out_of_order)
