"""Hostile input for every record ``from_dict`` and for `CampaignRunner.restore`.

Issue 14 (5): a tampered snapshot must be refused with a typed error - never a
bare ``TypeError``, ``ValueError``, ``OverflowError`` or ``OSError`` from deep
inside. The snapshot here is a realistic one (schedule with contact windows and
closures, pacing, weighted sticky rotation, three compliance regimes, caller
lines, a do-not-call list, calls in flight and a history), and every value in
it is replaced, one at a time, by each hostile value below: values of the wrong
type, huge and negative numbers, nested lists, calendar-edge dates that have no
UTC time, and a tzdata folder name.
"""

from __future__ import annotations

import copy
import functools
import random
import traceback
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallerLine,
    CallingWindow,
    CallStatus,
    CallUpdate,
    Campaign,
    CampaignkitError,
    CampaignRunner,
    CompliancePolicy,
    Contact,
    CyclePolicy,
    Outcome,
    PacingPolicy,
    Priority,
    RetryPolicy,
    RotationPolicy,
    Schedule,
)
from campaignkit.errors import shown
from campaignkit.policies import codecs as pd

MX = ZoneInfo("America/Mexico_City")
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=MX).astimezone(UTC)

HOSTILE: tuple[Any, ...] = (
    None,
    [],
    {},
    10**5000,
    -(10**5000),
    2**64,
    -1,
    1e308,
    True,
    "x",
    "",
    [[1, 2]],
    [{"a": 1}],
    {"a": [1]},
    "0001-01-01T00:00:00+05:30",
    "9999-12-31T23:59:59-06:00",
    "0001-01-01",
    "America",
    "Europe",
    "x" * 300,
)
"""What a tamperer (or a corrupted store) puts in a field."""


def _json_paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``data`` (dict values, first and last list items),
    depth first."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _json_paths(value, (*path, key))
    elif isinstance(data, list):
        # The first and last items stand for the rest: items of one list share a shape.
        for index in sorted({0, len(data) - 1}) if data else ():
            yield (*path, index)
            yield from _json_paths(data[index], (*path, index))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """``data`` with ``value`` at ``path``; only the containers along the path are copied."""
    if not path:
        return value
    copied = copy.copy(data)
    copied[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copied


def _end(
    runner: CampaignRunner, contact_id: str, attempt: int, at: datetime, outcome: Outcome
) -> None:
    status = CallStatus.NO_ANSWER if outcome is Outcome.NO_ANSWER else CallStatus.COMPLETED
    runner.handle(
        CallUpdate(
            contact_id=contact_id,
            attempt=attempt,
            status=status,
            at=at,
            outcome=outcome,
            answered_by=AnsweredBy.HUMAN if outcome.human_answered else None,
        )
    )


@functools.cache
def realistic_snapshot() -> dict[str, Any]:
    """A runner with every time policy, a few finished attempts and calls in flight."""
    schedule = Schedule.business_hours(
        contact_windows=(CallingWindow(time(8), time(20)),),
        closed_dates={date(2026, 6, 3)},
        closed_rules=("FREQ=YEARLY;BYMONTH=9;BYDAY=1MO",),
    )
    runner = CampaignRunner(
        Campaign(id="camp", name="Campaign", settings={"agent": "sofia"}),
        retry=RetryPolicy.itellico(retry_interval=(30, "minutes")),
        cycles=CyclePolicy(max_loops=2, cooldown=30, tag_filters={"invalid"}),
        schedule=schedule,
        pacing=PacingPolicy(call_interval=timedelta(seconds=5), max_concurrent_calls=2),
        rotation=RotationPolicy(strategy="Weighted", sticky=True),
        compliance=CompliancePolicy.combine(CompliancePolicy.tcpa(), CompliancePolicy.uk()),
        lines=[CallerLine(id=f"L{i}", number=f"+52550000000{i}", weight=i) for i in (1, 2)],
        do_not_call={"+525555550003"},
        rng=random.Random(7),
    )
    contacts = [
        Contact(
            id=f"c{i}",
            phone=f"+52555555{i:04d}",
            name="Juan Pérez",
            tags={"vip"} if i % 2 else set(),
            attributes={"amount": 1500},
            priority=Priority.HIGH if i == 0 else Priority.NORMAL,
        )
        for i in range(4)
    ]
    runner.add_contacts(contacts, now=MONDAY)
    runner.start(MONDAY)
    now = MONDAY
    outcomes = [Outcome.NO_ANSWER, Outcome.HUMAN_CONVERSATION]
    for step in range(3):
        for index, dial in enumerate(runner.due(now)):
            if step < 2 or index == 0:
                _end(
                    runner,
                    dial.contact.id,
                    dial.attempt,
                    now + timedelta(minutes=2),
                    outcomes[step % 2],
                )
        now += timedelta(minutes=40)
    runner.due(now)  # leave calls in flight
    assert runner.in_flight, "the snapshot should hold calls in flight"
    assert any(runner.history(f"c{i}") for i in range(4)), "and some history"
    return runner.snapshot()


# A value tampered into the deprecated pacing field loads, with its DeprecationWarning
# (c535fd6: kept for one release); a warning is not an escaped error.
pytestmark = pytest.mark.filterwarnings(
    "ignore:PacingPolicy.whatsapp_daily_limit is deprecated:DeprecationWarning"
)

KNOWN_ELSEWHERE: tuple[str, ...] = ()
"""Modules outside the records' owner whose escapes issue 14 (5) lists and whose
owners fix them (mostly ``{value!r}`` of a 5,000-digit integer in a message,
which raises ValueError; use `campaignkit.errors.shown`). An escape whose
innermost campaignkit frame is elsewhere - in the records, the field codecs,
the policy codecs, the schedule, retry and cycle policies - fails these tests.
Remove an entry once its module is clean."""


def _escapes(data: Any) -> str | None:
    """None if ``restore(data)`` succeeds or raises a typed error (or escapes in a
    module of `KNOWN_ELSEWHERE`), else what escaped and where."""
    try:
        CampaignRunner.restore(data)
    except CampaignkitError:
        return None
    except Exception as exc:  # the thing this test exists to catch
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "campaignkit" in f.filename]
        where = frames[-1].filename.replace("\\", "/") if frames else "?"
        if any(site in where for site in KNOWN_ELSEWHERE):
            return None
        line = frames[-1].lineno if frames else 0
        return f"{type(exc).__name__} at {where}:{line}: {str(exc)[:120]}"
    return None


def test_the_untampered_snapshot_restores() -> None:
    data = realistic_snapshot()
    assert CampaignRunner.restore(data).snapshot() == data


def test_every_single_field_tampering_is_a_typed_error() -> None:
    data = realistic_snapshot()
    escaped = []
    for path in _json_paths(data):
        for value in HOSTILE:
            what = _escapes(_replaced(data, path, value))
            if what is not None:
                escaped.append(f"{'.'.join(map(str, path))} = {shown(value)[:40]}: {what}")
    assert not escaped, f"{len(escaped)} escaped:\n" + "\n".join(escaped[:40])


@given(st.data())
def test_several_fields_tampered_at_once_are_a_typed_error(data: st.DataObject) -> None:
    snapshot = realistic_snapshot()
    paths = list(_json_paths(snapshot))
    tampered = snapshot
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            tampered = _replaced(tampered, path, data.draw(st.sampled_from(HOSTILE)))
        except (KeyError, IndexError, TypeError):  # an earlier change removed the path
            continue
    assert _escapes(tampered) is None


# --------------------------------------------------------------------------- records


_RECORDS: list[tuple[Any, dict[str, Any]]] = [
    (Contact, Contact(id="1", phone="+5215555551234", tags={"a"}, attributes={"k": 1}).to_dict()),
    (
        Call,
        Call(
            id="CA1",
            contact_id="1",
            to="+5215555551234",
            created_at=MONDAY,
            ended_at=MONDAY + timedelta(minutes=1),
        ).to_dict(),
    ),
    (Campaign, Campaign(id="c", name="n", start_at=MONDAY, settings={"a": 1}).to_dict()),
    (
        CallerLine,
        CallerLine(id="L1", number="+525500000001", counted_on=date(2026, 6, 1)).to_dict(),
    ),
    (RetryPolicy, RetryPolicy.itellico().to_dict()),
    (CyclePolicy, CyclePolicy(status_filters={"answered"}, tag_filters={"x"}).to_dict()),
]

_CODECS = [
    (pd.schedule_from_dict, pd.schedule_to_dict(Schedule.business_hours(start_at=MONDAY))),
    (pd.pacing_from_dict, pd.pacing_to_dict(PacingPolicy())),
    (pd.rotation_from_dict, pd.rotation_to_dict(RotationPolicy())),
    (pd.compliance_from_dict, pd.compliance_to_dict(CompliancePolicy.tcpa())),
]


@pytest.mark.parametrize(("cls", "plain"), _RECORDS, ids=lambda x: getattr(x, "__name__", ""))
def test_every_record_from_dict_raises_only_typed_errors(cls: Any, plain: dict[str, Any]) -> None:
    assert cls.from_dict(plain) == cls.from_dict(cls.from_dict(plain).to_dict())
    escaped = []
    for path in _json_paths(plain):
        for value in HOSTILE:
            try:
                cls.from_dict(_replaced(plain, path, value))
            except CampaignkitError:
                pass
            except Exception as exc:
                escaped.append(f"{path} = {shown(value)[:30]}: {type(exc).__name__}: {exc}")
    assert not escaped, "\n".join(escaped[:20])


@pytest.mark.parametrize(("load", "plain"), _CODECS, ids=lambda x: getattr(x, "__name__", ""))
def test_every_policy_codec_raises_only_typed_errors(load: Any, plain: dict[str, Any]) -> None:
    escaped = []
    for path in _json_paths(plain):
        for value in HOSTILE:
            try:
                load(_replaced(plain, path, value))
            except CampaignkitError:
                pass
            except Exception as exc:
                escaped.append(f"{path} = {shown(value)[:30]}: {type(exc).__name__}: {exc}")
    assert not escaped, "\n".join(escaped[:20])


_HOSTILE_VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers() | st.none(), max_size=3),
    st.datetimes(timezones=st.sampled_from([UTC, MX, ZoneInfo("Asia/Kolkata")])).map(
        datetime.isoformat
    ),
)


@given(data=st.data())
@pytest.mark.parametrize(("cls", "plain"), _RECORDS, ids=lambda x: getattr(x, "__name__", ""))
def test_random_field_values_give_a_record_or_a_typed_error(
    cls: Any, plain: dict[str, Any], data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(sorted(plain)))
    tampered = {**plain, key: data.draw(_HOSTILE_VALUES)}
    try:
        record = cls.from_dict(tampered)
    except CampaignkitError:
        return
    assert cls.from_dict(record.to_dict()) == record
