"""`CampaignRunner.snapshot` and `CampaignRunner.restore`: the runner as plain data.

The snapshot holds the campaign, its contacts and calls in flight, the
policies (time policies through `_policy_data`), caller lines with their
daily counts, the pacing state, each contact's attempt history, pending
callbacks, conversation results, the halt and the random generator's state,
so that a restored runner continues exactly as the original would.
``campaignkit.runner/1`` snapshots (from before the time policies) restore
with defaults for everything they lack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _policy_data as pd
from ._fields import aware_utc
from ._frozen import EMPTY, FrozenMap
from .conversion import ConversionRule, Extraction
from .engine import notification_from_dict
from .errors import InvalidInput
from .goals import GoalResult, GoalSet, combine_goal_results
from .models import Call, CallerLine, Campaign, Contact
from .policies.cycles import CyclePolicy
from .policies.refusal import Refusal
from .policies.retry import RetryPolicy
from .statuses import ContactStatus
from .whatsapp import MessagingTier, WhatsAppSettings

if TYPE_CHECKING:
    from .runner import CampaignRunner

_Q = ContactStatus

SNAPSHOT_FORMAT = "campaignkit.runner/2"
"""The ``format`` tag of `CampaignRunner.snapshot` data (``campaignkit.runner/1``
snapshots, from before the time policies, still restore)."""

_FORMAT_1 = "campaignkit.runner/1"

_SNAPSHOT_KEYS_1 = frozenset(
    {
        "format",
        "campaign",
        "retry",
        "cycles",
        "contacts",
        "calls",
        "loop_starts",
        "next_loop_at",
        "outbox",
    }
)
_SNAPSHOT_KEYS = _SNAPSHOT_KEYS_1 | {
    "policies",
    "lines",
    "pacing_state",
    "previous_line_id",
    "call_lines",
    "history",
    "callbacks",
    "halt",
    "rng",
    "sends",
    "conversations",
}
_POLICY_KEYS = frozenset(
    {
        "schedule",
        "pacing",
        "rotation",
        "compliance",
        "do_not_call",
        "whatsapp",
        "tier",
        "conversion",
        "goals",
    }
)


class _Halt(NamedTuple):
    """Why `due` admits nobody, and until when (None: until an event)."""

    until: datetime | None
    refusals: tuple[Refusal, ...]


class _Conversations:
    """What a contact's conversations reported: extractions and combined goal results."""

    __slots__ = ("extractions", "goals")

    def __init__(self) -> None:
        self.extractions: list[Extraction] = []
        self.goals: FrozenMap[str, GoalResult] = EMPTY


def dump(runner: CampaignRunner) -> dict[str, Any]:
    """`CampaignRunner.snapshot`: the whole runner as plain JSON types."""
    halt = runner._halt
    return {
        "format": SNAPSHOT_FORMAT,
        "campaign": runner._campaign.to_dict(),
        "retry": runner._retry.to_dict(),
        "cycles": None if runner._cycles is None else runner._cycles.to_dict(),
        "contacts": [c.to_dict() for c in runner._slots],
        "calls": [c.to_dict() for c in runner._calls.values()],
        "loop_starts": [t.isoformat() for t in runner._loop_starts],
        "next_loop_at": None if runner._next_loop_at is None else runner._next_loop_at.isoformat(),
        "outbox": [n.to_dict() for n in runner._outbox],
        "policies": _policies_to_dict(runner),
        "lines": None if runner._lines is None else [x.to_dict() for x in runner._lines],
        "pacing_state": pd.pacing_state_to_dict(runner._pacing_state),
        "previous_line_id": runner._previous_line_id,
        "call_lines": dict(runner._call_lines),
        "history": {
            cid: [pd.attempt_to_dict(a) for a in attempts]
            for cid, attempts in runner._history.items()
        },
        "callbacks": {
            cid: [at.isoformat(), requested.isoformat()]
            for cid, (at, requested) in runner._callbacks.items()
        },
        "halt": None
        if halt is None
        else {
            "until": None if halt.until is None else halt.until.isoformat(),
            "refusals": [pd.refusal_to_dict(r) for r in halt.refusals],
        },
        "rng": None if runner._rng is None else pd.rng_to_data(runner._rng),
        "sends": [[at.isoformat(), phone] for at, phone in runner._sends],
        "conversations": {
            cid: {
                "extractions": [e.to_dict() for e in c.extractions],
                "goal_results": [r.to_dict() for r in c.goals.values()],
            }
            for cid, c in runner._conversations.items()
        },
    }


def _policies_to_dict(runner: CampaignRunner) -> dict[str, Any]:
    def plain(value: Any, dump: Callable[[Any], Any]) -> Any:
        return None if value is None else dump(value)

    return {
        "schedule": plain(runner._schedule, pd.schedule_to_dict),
        "pacing": plain(runner._pacing, pd.pacing_to_dict),
        "rotation": plain(runner._rotation, pd.rotation_to_dict),
        "compliance": plain(runner._compliance, pd.compliance_to_dict),
        "do_not_call": sorted(runner._dnc),
        "whatsapp": plain(runner._whatsapp, WhatsAppSettings.to_dict),
        "tier": plain(runner._tier, lambda t: t.value),
        "conversion": plain(runner._conversion, ConversionRule.to_dict),
        "goals": plain(runner._goals, GoalSet.to_dict),
    }


def load(cls: type[CampaignRunner], data: Mapping[str, Any]) -> CampaignRunner:
    """`CampaignRunner.restore`: a runner rebuilt from `dump` data (see its errors)."""
    if not isinstance(data, Mapping) or data.get("format") not in (SNAPSHOT_FORMAT, _FORMAT_1):
        raise InvalidInput(f"not a {SNAPSHOT_FORMAT} snapshot")
    first = data["format"] == _FORMAT_1
    keys = _SNAPSHOT_KEYS_1 if first else _SNAPSHOT_KEYS
    if set(data) != keys:
        raise InvalidInput(f"snapshot keys must be {sorted(keys)}; got {sorted(data)}")
    cycles = data["cycles"]
    options: dict[str, Any] = {}
    if not first:
        options = _load_policies(data["policies"])
        lines = data["lines"]
        if lines is not None:
            options["lines"] = [CallerLine.from_dict(x) for x in _sequence(data, "lines")]
        if data["rng"] is not None:
            options["rng"] = pd.rng_from_data(data["rng"])
    runner = cls(
        Campaign.from_dict(data["campaign"]),
        retry=RetryPolicy.from_dict(data["retry"]),
        cycles=None if cycles is None else CyclePolicy.from_dict(cycles),
        **options,
    )
    for item in _sequence(data, "contacts"):
        contact = Contact.from_dict(item)
        if contact.id in runner._order:
            raise InvalidInput(f"duplicate contact id {contact.id!r}")
        runner._add(contact)
    for item in _sequence(data, "calls"):
        call = Call.from_dict(item)
        index = runner._order.get(call.contact_id)
        owner = None if index is None else runner._slots[index]
        if (
            owner is None
            or owner.status is not _Q.DIALING
            or owner.attempts != call.attempt
            or call.contact_id in runner._calls
        ):
            raise InvalidInput(f"call {call.id!r} does not match a dialling contact")
        runner._calls[call.contact_id] = call
    dialling = sum(1 for c in runner._slots if c.status is _Q.DIALING)
    if dialling != len(runner._calls):
        raise InvalidInput("every dialling contact needs its call in flight")
    runner._loop_starts = [
        aware_utc(_load_datetime(t), "loop_starts") for t in _sequence(data, "loop_starts")
    ]
    next_loop_at = data["next_loop_at"]
    runner._next_loop_at = (
        None if next_loop_at is None else aware_utc(_load_datetime(next_loop_at), "next_loop_at")
    )
    runner._outbox = [notification_from_dict(n) for n in _sequence(data, "outbox")]
    if not first:
        _load_state(runner, data)
    return runner


def _load_state(runner: CampaignRunner, data: Mapping[str, Any]) -> None:
    """The time-policy and conversation state of a snapshot (see `snapshot`)."""
    runner._pacing_state = pd.pacing_state_from_dict(data["pacing_state"])
    previous = data["previous_line_id"]
    if previous is not None and previous not in runner._line_at:
        raise InvalidInput(f"snapshot previous_line_id {previous!r} is not a caller line")
    runner._previous_line_id = previous
    for cid, line_id in _mapping(data, "call_lines").items():
        if cid not in runner._calls or line_id not in runner._line_at:
            raise InvalidInput(f"snapshot call_lines: {cid!r} -> {line_id!r} matches no call")
        runner._call_lines[cid] = line_id
    for cid, attempts in _mapping(data, "history").items():
        runner.contact(cid)
        if not isinstance(attempts, list):
            raise InvalidInput(f"snapshot history of {cid!r} must be a list")
        runner._history[cid] = [pd.attempt_from_dict(a) for a in attempts]
    for cid, pair in _mapping(data, "callbacks").items():
        runner.contact(cid)
        if not isinstance(pair, list) or len(pair) != 2:
            raise InvalidInput(f"snapshot callback of {cid!r} must be [at, requested]")
        runner._callbacks[cid] = (
            aware_utc(_load_datetime(pair[0]), "callbacks"),
            aware_utc(_load_datetime(pair[1]), "callbacks"),
        )
    halt = data["halt"]
    if halt is not None:
        if not isinstance(halt, Mapping) or set(halt) != {"until", "refusals"}:
            raise InvalidInput(f"snapshot halt must have until and refusals; got {halt!r}")
        until = halt["until"]
        runner._halt = _Halt(
            None if until is None else aware_utc(_load_datetime(until), "halt"),
            tuple(pd.refusal_from_dict(r) for r in _sequence(halt, "refusals")),
        )
    for pair in _sequence(data, "sends"):
        if not isinstance(pair, list) or len(pair) != 2 or type(pair[1]) is not str:
            raise InvalidInput(f"snapshot sends must hold [at, phone] pairs; got {pair!r}")
        runner._sends.append((aware_utc(_load_datetime(pair[0]), "sends"), pair[1]))
        runner._recipients[pair[1]] += 1
    for cid, item in _mapping(data, "conversations").items():
        runner.contact(cid)
        if not isinstance(item, Mapping) or set(item) != {"extractions", "goal_results"}:
            raise InvalidInput(f"snapshot conversations of {cid!r} are malformed")
        conversations = runner._conversations[cid] = _Conversations()
        conversations.extractions = [
            Extraction.from_dict(e) for e in _sequence(item, "extractions")
        ]
        conversations.goals = combine_goal_results(
            GoalResult.from_dict(r) for r in _sequence(item, "goal_results")
        )


def _load_policies(data: Any) -> dict[str, Any]:
    """The runner options of a snapshot's ``policies``."""
    if not isinstance(data, Mapping) or set(data) != _POLICY_KEYS:
        raise InvalidInput(f"snapshot policies must have keys {sorted(_POLICY_KEYS)}")
    loaders: dict[str, Callable[[Any], Any]] = {
        "schedule": pd.schedule_from_dict,
        "pacing": pd.pacing_from_dict,
        "rotation": pd.rotation_from_dict,
        "compliance": pd.compliance_from_dict,
        "whatsapp": WhatsAppSettings.from_dict,
        "tier": _load_tier,
        "conversion": ConversionRule.from_dict,
        "goals": GoalSet.from_dict,
    }
    options = {name: load(data[name]) for name, load in loaders.items() if data[name] is not None}
    dnc = data["do_not_call"]
    if not isinstance(dnc, list):
        raise InvalidInput(f"snapshot do_not_call must be a list; got {dnc!r}")
    options["do_not_call"] = frozenset(dnc)
    return options


def _load_tier(value: Any) -> MessagingTier:
    try:
        return MessagingTier(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a MessagingTier") from None


def _sequence(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list):
        raise InvalidInput(f"snapshot {key!r} must be a list; got {value!r}")
    return value


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, Mapping):
        raise InvalidInput(f"snapshot {key!r} must be a mapping; got {value!r}")
    return value


def _load_datetime(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not an ISO 8601 date-time") from None
