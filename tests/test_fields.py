"""The one validator family in campaignkit._fields: each maker names the field and the
bad value, raises the error it is given, and the policies keep no private copies."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import _fields as f
from campaignkit.errors import InvalidConfig, InvalidInput
from campaignkit.policies import Spacing

PACKAGE = Path(f.__file__).parent
POLICIES = PACKAGE / "policies"
MODELS = PACKAGE / "models"


@pytest.mark.parametrize(
    ("check", "bad", "expected"),
    [
        (f.check_int(1, 9), 10, "an integer from 1 to 9"),
        (f.check_int(1, 9), True, "an integer from 1 to 9"),
        (f.check_int(0), -1, "an integer >= 0"),
        (f.check_int(1, optional=True), 0, "an integer >= 1 or None"),
        (f.check_int(None), 1.5, "an integer"),
        (f.check_int(None, 9), 10, "an integer <= 9"),
        (f.check_moment(), datetime(2026, 1, 1), "a timezone-aware datetime"),
        (f.check_moment(optional=True), "2026-01-01", "a timezone-aware datetime or None"),
        (f.check_flag(), 1, "True or False"),
        (f.check_text(), "", "a non-empty string"),
        (f.check_text(nonempty=False), b"x", "a string"),
        (f.check_text(optional=True), 3, "a non-empty string or None"),
        (f.check_span(positive=True), timedelta(0), "a positive timedelta"),
        (f.check_span(positive=True), 60, "a positive timedelta"),
        (f.check_type(date, optional=True), datetime(2026, 1, 1), "a date or None"),
        (f.check_type(Spacing), "fixed", "a Spacing"),
        (f.check_zone(), "America", "an IANA time zone name such as 'America/Mexico_City'"),
        (f.check(lambda v: type(v) is time, "a time"), "09:00", "a time"),
    ],
)
@pytest.mark.parametrize("error", [f.input_error, InvalidConfig])
def test_a_check_names_the_field_and_value_and_raises_the_error_given(
    check: f.Check[object], bad: object, expected: str, error: f.ErrorMaker
) -> None:
    check = f.Check(check.test, check.expected, optional=check.optional, error=error)
    kind = InvalidInput if error is f.input_error else InvalidConfig
    with pytest.raises(kind) as raised:
        check.of("answer", bad)
    assert str(raised.value) == f"answer must be {expected}; got {bad!r}"

    @attrs.frozen
    class Record:
        answer: object = attrs.field(validator=check)

    with pytest.raises(kind, match=re.escape(f"answer must be {expected}")):
        Record(bad)


def test_to_member_reads_values_and_names_the_labels() -> None:
    convert = f.to_member(Spacing, "spacing", error=InvalidConfig)
    assert convert("linear") is Spacing.LINEAR
    assert convert(Spacing.FIXED) is Spacing.FIXED
    with pytest.raises(InvalidConfig) as raised:
        convert("quadratic")
    assert raised.value.field == "spacing"
    assert raised.value.expected == "one of 'fixed', 'linear', 'exponential'"


@given(st.integers(-20, 20) | st.none() | st.booleans(), st.integers(-5, 5), st.integers(-5, 5))
def test_check_int_accepts_exactly_the_integers_in_range(
    value: int | None, low: int, high: int
) -> None:
    check = f.check_int(low, high, optional=True)
    ok = value is None or (type(value) is int and low <= value <= high)
    if ok:
        assert check.of("n", value) == value
    else:
        with pytest.raises(InvalidInput, match=r"^n must be an integer from"):
            check.of("n", value)


def _validator_copies(folder: Path) -> list[str]:
    # An attrs validator is a function taking (inst, attribute, value); outside the
    # family every such definition is a private copy.
    return [
        f"{path.name}: {match.group(1)}"
        for path in sorted(folder.glob("*.py"))
        for match in re.finditer(
            r"^ *def (\w+)\(\s*inst: Any,\s*attribute: attrs\.Attribute", path.read_text(), re.M
        )
    ]


def test_the_policies_keep_no_private_validator_copies() -> None:
    """issue 18 item 3: every attrs validator in policies/ comes from the family.
    The one exception is retry's wait check, which has a message per way a calendar
    wait can be wrong (sign, absolute fields, length) - not a copy of anything."""
    assert _validator_copies(POLICIES) == ["retry.py: check"]


def test_the_records_keep_no_private_validator_copies() -> None:
    """issue 18 item 3: the records in models/ declare their validators from the
    family too (the time zone, score, bound, type and datetime checks once were copies)."""
    assert _validator_copies(MODELS) == []
    for path in sorted(MODELS.glob("*.py")):
        assert not re.search(r"^def _check_\w+\(inst", path.read_text(), re.M), path.name


@given(st.datetimes(timezones=st.just(UTC) | st.timezones() | st.none()) | st.none() | st.dates())
def test_check_moment_accepts_what_aware_utc_accepts(value: datetime | date | None) -> None:
    """The validator and the converter agree: a value the check passes converts, and
    one it refuses makes `aware_utc` raise too."""
    check = f.check_moment(optional=True)
    if value is None:
        assert check.of("at", value) is None
        return
    try:
        f.aware_utc(value, "at")
    except InvalidInput:
        with pytest.raises(InvalidInput, match=r"^at must be a timezone-aware datetime or None"):
            check.of("at", value)
    else:
        assert check.of("at", value) is value


def test_record_tuple_names_the_field() -> None:
    spans = [Spacing.FIXED, Spacing.LINEAR]
    assert f.record_tuple(spans, Spacing, "spacings") == (Spacing.FIXED, Spacing.LINEAR)
    with pytest.raises(InvalidInput, match=r"^spacings must be a sequence of Spacing; got 'x'"):
        f.record_tuple("x", Spacing, "spacings")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^spacings must hold Spacing records"):
        f.record_tuple([Spacing.FIXED, "linear"], Spacing, "spacings")  # type: ignore[list-item]
