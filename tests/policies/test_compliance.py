"""Compliance rules: TCPA and Florida calling hours in the callee's local time, Regulation
F and Florida frequency caps, the conversation cooldown, UK abandoned calls, do-not-call,
their combination (most restrictive wins) and the earliest time all allow."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit import (
    AnsweredBy,
    Call,
    CallStatus,
    CompliancePolicy,
    Contact,
    InvalidConfig,
    InvalidInput,
    Outcome,
)
from campaignkit.policies import (
    AbandonedCallCooldown,
    Attempt,
    ComplianceRule,
    ConversationCooldown,
    DoNotCall,
    FrequencyCap,
    QuietHours,
    Region,
)

from ..time_strategies import ZONES, calling_windows, oracle_open

NY = ZoneInfo("America/New_York")
MX = ZoneInfo("America/Mexico_City")
LDN = ZoneInfo("Europe/London")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

MIAMI = Contact(id="fl", phone="+13055550123")
NEW_YORK = Contact(id="ny", phone="+12125550123")
MEXICO = Contact(id="mx", phone="+5215555551234")
LONDON = Contact(id="uk", phone="+442079460123")
TOLL_FREE = Contact(id="tf", phone="+18005550123")


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[arg-type,misc]


def rules_of(refusals: tuple[object, ...]) -> list[str]:
    return [r.rule for r in refusals]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- quiet hours


def test_tcpa_allows_8_to_21_in_the_callees_local_time() -> None:
    tcpa = CompliancePolicy.tcpa()
    assert rules_of(tcpa.check(NEW_YORK, at(NY, 2026, 6, 1, 7, 59))) == ["quiet-hours"]
    assert tcpa.check(NEW_YORK, at(NY, 2026, 6, 1, 8, 0)) == ()
    assert tcpa.check(NEW_YORK, at(NY, 2026, 6, 1, 20, 59)) == ()
    (refusal,) = tcpa.check(NEW_YORK, at(NY, 2026, 6, 1, 21, 0))
    assert refusal.retry_at == at(NY, 2026, 6, 2, 8, 0)
    assert "US TCPA" in refusal.reason
    assert "21:00 in America/New_York" in refusal.reason
    assert not refusal.campaign_wide


def test_tcpa_does_not_apply_outside_the_us() -> None:
    assert CompliancePolicy.tcpa().check(MEXICO, at(MX, 2026, 6, 1, 23, 0)) == ()


def test_florida_is_stricter_in_the_evening_and_both_combine() -> None:
    both = CompliancePolicy.combine(CompliancePolicy.tcpa(), CompliancePolicy.florida())
    evening = at(NY, 2026, 6, 1, 20, 30)
    assert CompliancePolicy.tcpa().check(MIAMI, evening) == ()
    (refusal,) = both.check(MIAMI, evening)
    assert "Florida FTSA" in refusal.reason
    assert refusal.retry_at == at(NY, 2026, 6, 2, 8)
    assert both.check(NEW_YORK, evening) == ()  # New York is not Florida


def test_quiet_hours_must_hold_in_every_zone_of_the_number() -> None:
    rule = QuietHours.between(time(8), time(21))
    refusal = rule.check(TOLL_FREE, at(NY, 2026, 6, 1, 10, 0))  # 04:00 in Honolulu
    assert refusal is not None
    assert "Pacific/Honolulu" in refusal.reason
    assert refusal.retry_at is not None
    for zone in ("America/New_York", "Pacific/Honolulu", "Pacific/Guam"):
        local = refusal.retry_at.astimezone(ZoneInfo(zone)).time()
        assert time(8) <= local < time(21), zone
    assert rule.check(TOLL_FREE, refusal.retry_at) is None


def test_explicit_zones_override_the_number() -> None:
    rule = QuietHours.between(time(8), time(21))
    now = at(NY, 2026, 6, 1, 22, 0)
    assert rule.check(NEW_YORK, now) is not None
    assert rule.check(NEW_YORK, now, zones=["America/Los_Angeles"]) is None


def test_unknown_numbers_use_the_fallback_zone() -> None:
    rule = QuietHours.between(time(8), time(21))
    odd = Contact(id="x", phone="+8881234567")
    assert rule.check(odd, at(MX, 2026, 6, 1, 22, 0)) is not None  # Mexico City by default
    assert rule.check(odd, at(MX, 2026, 6, 1, 22, 0), fallback_timezone="Asia/Tokyo") is None


# --------------------------------------------------------------------------- frequency caps


def test_regulation_f_seven_calls_in_seven_days() -> None:
    reg_f = CompliancePolicy.regulation_f()
    first = at(NY, 2026, 6, 1, 9, 0)
    history = [Attempt(first + k * DAY / 2, Outcome.NO_ANSWER) for k in range(7)]
    now = first + 4 * DAY
    (refusal,) = reg_f.check(NEW_YORK, now, history)
    assert refusal.rule == "frequency-cap"
    assert "7 calls in the last 7 days; at most 7 allowed" in refusal.reason
    assert refusal.retry_at == first + 7 * DAY  # the oldest call leaves the window
    assert reg_f.check(NEW_YORK, first + 7 * DAY, history) == ()
    assert reg_f.check(NEW_YORK, now, history[:6]) == ()


def test_regulation_f_no_call_for_seven_days_after_a_conversation() -> None:
    reg_f = CompliancePolicy.regulation_f()
    talked = Attempt(
        at(NY, 2026, 6, 1, 10, 0), Outcome.HUMAN_CONVERSATION, ended_at=at(NY, 2026, 6, 1, 10, 5)
    )
    (refusal,) = reg_f.check(NEW_YORK, at(NY, 2026, 6, 3, 10, 0), [talked])
    assert refusal.rule == "conversation-cooldown"
    assert refusal.retry_at == at(NY, 2026, 6, 8, 10, 5)
    voicemail = Attempt(at(NY, 2026, 6, 1, 10, 0), Outcome.VOICEMAIL)
    assert reg_f.check(NEW_YORK, at(NY, 2026, 6, 3, 10, 0), [voicemail]) == ()


def test_florida_three_calls_in_24_hours() -> None:
    fl = CompliancePolicy.florida()
    history = [Attempt(at(NY, 2026, 6, 1, 9 + k, 0)) for k in range(3)]
    (refusal,) = fl.check(MIAMI, at(NY, 2026, 6, 1, 15, 0), history)
    assert "3 calls in the last 24 hours; at most 3 allowed" in refusal.reason
    assert refusal.retry_at == at(NY, 2026, 6, 2, 9, 0)


def test_uk_no_repeat_call_within_72_hours_of_an_abandoned_call() -> None:
    uk = CompliancePolicy.uk()
    abandoned = Attempt(at(LDN, 2026, 6, 1, 10, 0), Outcome.NO_CONVERSATION, abandoned=True)
    (refusal,) = uk.check(LONDON, at(LDN, 2026, 6, 3, 10, 0), [abandoned])
    assert refusal.rule == "abandoned-call"
    assert "72 hours" in refusal.reason
    assert refusal.retry_at == at(LDN, 2026, 6, 4, 10, 0)
    assert uk.check(LONDON, at(LDN, 2026, 6, 4, 10, 0), [abandoned]) == ()
    assert uk.check(NEW_YORK, at(LDN, 2026, 6, 3, 10, 0), [abandoned]) == ()


# --------------------------------------------------------------------------- do not call


def test_the_callers_do_not_call_set_is_always_honoured() -> None:
    (refusal,) = CompliancePolicy().check(
        NEW_YORK, at(NY, 2026, 6, 1, 12), do_not_call={NEW_YORK.phone}
    )
    assert refusal.rule == "do-not-call"
    assert refusal.retry_at is None
    assert (
        CompliancePolicy().earliest_allowed(
            NEW_YORK, at(NY, 2026, 6, 1, 12), do_not_call={NEW_YORK.phone}
        )
        is None
    )


def test_do_not_call_rule_by_number_and_by_tag() -> None:
    policy = CompliancePolicy((DoNotCall(numbers={MEXICO.phone}, tags={"opted-out"}),))
    now = at(MX, 2026, 6, 1, 12)
    assert rules_of(policy.check(MEXICO, now)) == ["do-not-call"]
    tagged = Contact(id="t", phone="+525555550000", tags=frozenset({"opted-out", "vip"}))
    (refusal,) = policy.check(tagged, now)
    assert "tagged 'opted-out'" in refusal.reason
    assert policy.check(NEW_YORK, now) == ()


# --------------------------------------------------------------------------- combining


def test_rules_combine_and_the_earliest_time_satisfies_all() -> None:
    us = CompliancePolicy.combine(
        CompliancePolicy.tcpa(), CompliancePolicy.florida(), CompliancePolicy.regulation_f()
    )
    history = [Attempt(at(NY, 2026, 6, 1, 17 + k, 0)) for k in range(3)]  # 17, 18, 19h
    now = at(NY, 2026, 6, 1, 19, 30)
    assert set(rules_of(us.check(MIAMI, now, history))) == {"frequency-cap"}
    earliest = us.earliest_allowed(MIAMI, now, history)
    assert earliest == at(NY, 2026, 6, 2, 17, 0)  # 24 h after the first of the 3 calls
    assert us.check(MIAMI, earliest, history) == ()
    late = [Attempt(at(NY, 2026, 6, 1, 18 + k, 0)) for k in range(3)]  # 18, 19, 20h
    # 24 h after 18:00 is 18:00 the next day, inside both windows.
    assert us.earliest_allowed(MIAMI, now, late) == at(NY, 2026, 6, 2, 18, 0)
    after_hours = [Attempt(at(NY, 2026, 5, 31, 20 + k, 0)) for k in range(3)]  # 20, 21, 22h
    # The cap lifts at 20:00 on June 1st; Florida's window is shut then, so 08:00 June 2nd.
    assert us.earliest_allowed(MIAMI, at(NY, 2026, 6, 1, 19), after_hours) == at(NY, 2026, 6, 2, 8)


def test_an_empty_policy_allows_everything() -> None:
    now = at(NY, 2026, 6, 1, 3)
    assert CompliancePolicy().check(NEW_YORK, now) == ()
    assert CompliancePolicy().earliest_allowed(NEW_YORK, now) == now


# --------------------------------------------------------------------------- history


def _london_call(call_id: str, status: CallStatus = CallStatus.CREATED, **fields: Any) -> Call:
    """A call to the London contact; ``fields`` are the rest of the `Call`."""
    return Call(id=call_id, contact_id="uk", to=LONDON.phone, status=status, **fields)


def test_attempt_from_call() -> None:
    start = at(LDN, 2026, 6, 1, 10)
    end = start + timedelta(seconds=20)
    outcome = Outcome.NO_CONVERSATION
    human = _london_call(
        "CA1", CallStatus.COMPLETED, answered_by=AnsweredBy.HUMAN, outcome=outcome,
        created_at=start, ended_at=end,
    )  # fmt: skip
    assert Attempt.from_call(human) == Attempt(start, outcome, end, True)
    machine = _london_call(
        "CA2", CallStatus.COMPLETED, answered_by=AnsweredBy.MACHINE_END_BEEP, outcome=outcome,
        started_at=start,
    )  # fmt: skip
    assert Attempt.from_call(machine).abandoned is False
    busy = _london_call("CA3", CallStatus.BUSY, updated_at=start)
    assert Attempt.from_call(busy) == Attempt(start, Outcome.BUSY)
    with pytest.raises(InvalidInput, match="no timestamp"):
        Attempt.from_call(_london_call("CA4"))


def test_calls_and_attempts_mix_in_history() -> None:
    call = _london_call("CA1", CallStatus.NO_ANSWER, created_at=at(LDN, 2026, 6, 1, 9))
    cap = FrequencyCap(2, DAY)
    now = at(LDN, 2026, 6, 1, 12)
    assert cap.check(LONDON, now, [call]) is None
    assert cap.check(LONDON, now, [call, Attempt(at(LDN, 2026, 6, 1, 11))]) is not None
    with pytest.raises(InvalidInput):
        cap.check(LONDON, now, ["CA1"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        Attempt(at(LDN, 2026, 6, 1, 11), ended_at=at(LDN, 2026, 6, 1, 10))
    with pytest.raises(InvalidInput):
        Attempt(datetime(2026, 6, 1, 11))


# --------------------------------------------------------------------------- regions


def test_regions() -> None:
    assert Region.us().matches(NEW_YORK.phone)
    assert Region.us().matches(MIAMI.phone)
    assert Region.us().matches("+17875550123")  # Puerto Rico
    assert not Region.us().matches("+14165550123")  # Toronto
    assert not Region.us().matches(MEXICO.phone)
    assert Region.florida().matches(MIAMI.phone)
    assert not Region.florida().matches(NEW_YORK.phone)
    assert Region.uk().matches(LONDON.phone)
    with pytest.raises(InvalidConfig):
        Region("x", prefixes={"305"})
    with pytest.raises(InvalidConfig):
        Region("")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: FrequencyCap(0, DAY), "max_calls"),
        (lambda: FrequencyCap(3, timedelta(0)), "period"),
        (lambda: FrequencyCap(3, 24), "period"),  # type: ignore[arg-type]
        (lambda: ConversationCooldown(DAY, outcomes=()), "outcomes"),
        (lambda: AbandonedCallCooldown(region="UK"), "region"),  # type: ignore[arg-type]
        (lambda: QuietHours(windows=()), "windows"),
        (lambda: DoNotCall(numbers={"5555"}), "numbers"),
        (lambda: DoNotCall(tags="opted-out"), "tags"),
        (lambda: CompliancePolicy(rules=("tcpa",)), "rules"),
    ],
)
def test_bad_rules_raise_invalid_config(build: object, field: str) -> None:
    with pytest.raises(InvalidConfig) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


# --------------------------------------------------------------------------- properties


@st.composite
def policies(draw: st.DrawFn) -> CompliancePolicy:
    rules: list[ComplianceRule] = []
    if draw(st.booleans()):
        rules.append(QuietHours(windows=draw(calling_windows(max_size=2))))
    if draw(st.booleans()):
        rules.append(
            FrequencyCap(draw(st.integers(1, 5)), timedelta(hours=draw(st.integers(1, 200))))
        )
    if draw(st.booleans()):
        rules.append(ConversationCooldown(timedelta(hours=draw(st.integers(1, 200)))))
    if draw(st.booleans()):
        rules.append(AbandonedCallCooldown(timedelta(hours=draw(st.integers(1, 100)))))
    return CompliancePolicy(tuple(rules))


START = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def histories(draw: st.DrawFn) -> list[Attempt]:
    return [
        Attempt(
            START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 20))),
            draw(st.none() | st.sampled_from(Outcome)),
            abandoned=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 8)))
    ]


@given(
    policies(),
    histories(),
    st.integers(0, 60 * 24 * 25),
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True),
)
def test_earliest_allowed_is_allowed_and_nothing_earlier_is(
    policy: CompliancePolicy, history: list[Attempt], minute: int, zones: list[str]
) -> None:
    now = START + timedelta(minutes=minute)
    earliest = policy.earliest_allowed(NEW_YORK, now, history, zones=zones)
    if earliest is None:
        return
    assert earliest >= now
    assert policy.check(NEW_YORK, earliest, history, zones=zones) == ()
    # Every rule agrees independently: quiet hours by the oracle, caps by counting.
    for rule in policy.rules:
        if isinstance(rule, QuietHours):
            assert all(oracle_open(rule.windows, ZoneInfo(z), earliest) for z in zones)
        if isinstance(rule, FrequencyCap):
            recent = [a for a in history if a.at > earliest - rule.period]
            assert len(recent) < rule.max_calls
    # No instant before it is allowed (sampled on a grid and just before).
    probes = [earliest - timedelta(microseconds=1)] + [
        now + (earliest - now) * k / 16 for k in range(16)
    ]
    for probe in probes:
        if now <= probe < earliest:
            assert policy.check(NEW_YORK, probe, history, zones=zones) != ()


@given(policies(), histories(), st.integers(0, 60 * 24 * 25))
def test_refusals_always_point_forward(
    policy: CompliancePolicy, history: list[Attempt], minute: int
) -> None:
    now = START + timedelta(minutes=minute)
    for refusal in policy.check(NEW_YORK, now, history):
        assert refusal.reason
        assert refusal.retry_at is None or refusal.retry_at > now


# Each rule's plain data exactly as the hand-written codecs stored it before the rules
# shared one codec (issue 18 item 2): stored policies must keep loading unchanged.
STORED_RULES = [
    {
        "rule": "quiet-hours",
        "windows": [{"start": "08:00:00", "end": "21:00:00", "weekdays": [0, 1, 2, 3, 4, 5, 6]}],
        "region": {"name": "US", "countries": ["AS", "GU", "MP", "PR", "US", "VI"], "prefixes": []},
        "name": "US TCPA",
    },
    {"rule": "frequency-cap", "max_calls": 3, "period": 86400, "region": None, "name": "FTSA"},
    {
        "rule": "conversation-cooldown",
        "period": 604800.5,
        "outcomes": ["busy", "voicemail"],
        "region": None,
        "name": "conversation cooldown",
    },
    {
        "rule": "abandoned-call-cooldown",
        "period": 259200,
        "region": {"name": "UK", "countries": [], "prefixes": ["+44"]},
        "name": "UK Ofcom",
    },
    {"rule": "do-not-call", "numbers": ["+13055550100"], "tags": ["opted-out"], "name": "DNC"},
]


@pytest.mark.parametrize("data", STORED_RULES, ids=lambda d: str(d["rule"]))
def test_stored_rules_load_and_write_back_the_same_data(data: dict[str, object]) -> None:
    policy = CompliancePolicy.from_dict({"rules": [data]})
    (rule,) = policy.rules
    assert rule.to_dict() == data
    assert type(rule).from_dict(data) == rule


def test_a_rule_refuses_data_tagged_for_another_or_with_a_bad_value() -> None:
    quiet = STORED_RULES[0]
    with pytest.raises(InvalidInput, match="'rule': 'frequency-cap'"):
        FrequencyCap.from_dict({**quiet, "rule": "frequency-cap"} | {"max_calls": 1})
    with pytest.raises(InvalidInput, match="frequency-cap must be a mapping with keys"):
        FrequencyCap.from_dict(quiet)
    with pytest.raises(InvalidConfig, match="max_calls must be an integer >= 1; got 0"):
        FrequencyCap.from_dict({**STORED_RULES[1], "max_calls": 0})
    with pytest.raises(InvalidInput, match="not a number of seconds"):
        FrequencyCap.from_dict({**STORED_RULES[1], "period": "1 day"})
