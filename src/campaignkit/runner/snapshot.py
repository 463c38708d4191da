"""`CampaignRunner.snapshot` and `CampaignRunner.restore`: the runner as plain data.

A ``campaignkit.runner/3`` snapshot is the rows a database store keeps: the
`CampaignRules`, the `CampaignState`, one `ContactState` per contact (in loading
order), plus the outbox, the random generator's state and the sends of the last
24 hours (for a WhatsApp tier). ``campaignkit.runner/2`` snapshots (the runner's
own side tables) and ``/1`` (from before the time policies) still restore, with
defaults for everything they lack.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._fields import JSONObject, aware_utc
from ..engine.reducers import Notification, notification_from_dict
from ..errors import InvalidInput, shown
from ..models.goals import GoalResult, GoalSet, combine_goal_results
from ..models.records import Call, CallerLine, Campaign, Contact
from ..models.state import CampaignState, ContactState, Halt
from ..policies import codecs as pd
from ..policies.conversion import ConversionRule, Extraction
from ..policies.cycles import CyclePolicy
from ..policies.messaging import MessagingTier, WhatsAppSettings
from ..policies.retry import RetryPolicy
from ..policies.rules import CampaignRules
from ..statuses import ContactStatus
from .view import row_of

if TYPE_CHECKING:
    from .memory import CampaignRunner

__all__ = ["SNAPSHOT_FORMAT", "document", "dump", "load"]

SNAPSHOT_FORMAT = "campaignkit.runner/3"
"""The ``format`` tag of `CampaignRunner.snapshot` data (``campaignkit.runner/1``
and ``/2`` snapshots still restore)."""

_FORMAT_1 = "campaignkit.runner/1"
_FORMAT_2 = "campaignkit.runner/2"
_KEYS = frozenset({"format", "rules", "campaign", "contacts", "outbox", "rng", "sends"})
_KEYS_1 = frozenset(
    {"format", "campaign", "retry", "cycles", "contacts", "calls"}
    | {"loop_starts", "next_loop_at", "outbox"}
)
_KEYS_2 = _KEYS_1 | {
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
    {"schedule", "pacing", "rotation", "compliance", "do_not_call"}
    | {"whatsapp", "tier", "conversion", "goals"}
)


def document(
    rules: CampaignRules,
    campaign: CampaignState,
    contacts: Iterable[ContactState],
    outbox: Iterable[Notification],
    rng: random.Random | None,
    sends: Iterable[tuple[datetime, str]],
) -> JSONObject:
    """A ``campaignkit.runner/3`` snapshot of these rows as plain JSON types: the one
    format `CampaignRunner.snapshot` and every store's ``snapshot`` write, and
    `CampaignRunner.restore` reads."""
    return {
        "format": SNAPSHOT_FORMAT,
        "rules": rules.to_dict(),
        "campaign": campaign.to_dict(),
        "contacts": [s.to_dict() for s in contacts],
        "outbox": [n.to_dict() for n in outbox],
        "rng": None if rng is None else pd.rng_to_data(rng),
        "sends": [[at.isoformat(), phone] for at, phone in sends],
    }


def dump(runner: CampaignRunner) -> JSONObject:
    """`CampaignRunner.snapshot`: the whole runner as plain JSON types."""
    return document(
        runner.rules,
        runner.campaign_state,
        map(row_of, runner._states),
        runner._outbox,
        runner._rng,
        runner._sends,
    )


def load(cls: type[CampaignRunner], snapshot: Mapping[str, object]) -> CampaignRunner:
    """`CampaignRunner.restore`: a runner rebuilt from `dump` data (see its errors)."""
    data: Mapping[str, Any] = snapshot  # checked piece by piece below
    if not isinstance(data, Mapping):
        raise InvalidInput(f"not a {SNAPSHOT_FORMAT} snapshot")
    tag = data.get("format")
    if tag not in (SNAPSHOT_FORMAT, _FORMAT_2, _FORMAT_1):
        raise InvalidInput(f"not a {SNAPSHOT_FORMAT} snapshot")
    keys = _KEYS if tag == SNAPSHOT_FORMAT else _KEYS_2 if tag == _FORMAT_2 else _KEYS_1
    if set(data) != keys:
        raise InvalidInput(f"snapshot keys must be {sorted(keys)}; got {sorted(map(str, data))}")
    if tag == SNAPSHOT_FORMAT:
        rules = CampaignRules.from_dict(_mapping(data, "rules"))
        campaign = CampaignState.from_dict(_mapping(data, "campaign"))
        states = [ContactState.from_dict(_item(s, "contacts")) for s in _sequence(data, "contacts")]
    else:
        rules, campaign, states = _load_old(data, first=tag == _FORMAT_1)
    rng_data = data.get("rng")
    rng = None if rng_data is None else pd.rng_from_data(rng_data)
    outbox = [notification_from_dict(_item(n, "outbox")) for n in _sequence(data, "outbox")]
    sends = [_send(pair) for pair in _sequence(data, "sends")] if "sends" in data else []
    return _build(cls, rules, campaign, states, outbox, rng, sends)


def _build(
    cls: type[CampaignRunner],
    rules: CampaignRules,
    campaign: CampaignState,
    states: list[ContactState],
    outbox: list[Notification],
    rng: random.Random | None,
    sends: list[tuple[datetime, str]],
) -> CampaignRunner:
    runner = cls(campaign.campaign, rules=rules, lines=campaign.lines, rng=rng)
    runner._state = campaign
    for state in states:
        contact = state.contact
        if contact.id in runner._order:
            raise InvalidInput(f"duplicate contact id {shown(contact.id)}")
        dialling = contact.status is ContactStatus.DIALING
        call = state.call
        if call is not None and (not dialling or contact.attempts != call.attempt):
            raise InvalidInput(f"call {shown(call.id)} does not match a dialling contact")
        if dialling and call is None:
            raise InvalidInput("every dialling contact needs its call in flight")
        line_id = state.line_id
        if line_id is not None and (
            call is None or campaign.lines is None or all(x.id != line_id for x in campaign.lines)
        ):
            raise InvalidInput(
                f"snapshot call_lines: {shown(contact.id)} -> {shown(line_id)} matches no call"
            )
        runner._add(state)
    runner._outbox = outbox
    for at, phone in sends:
        runner._sends.append((at, phone))
        runner._recipients[phone] += 1
    return runner


def _send(pair: Any) -> tuple[datetime, str]:
    if not isinstance(pair, list) or len(pair) != 2 or type(pair[1]) is not str:
        raise InvalidInput(f"snapshot sends must hold [at, phone] pairs; got {shown(pair)}")
    return aware_utc(_load_datetime(pair[0]), "sends"), pair[1]


# --------------------------------------------------------------------------- formats 1 and 2


def _load_old(
    data: Mapping[str, Any], *, first: bool
) -> tuple[CampaignRules, CampaignState, list[ContactState]]:
    """The rows of a ``campaignkit.runner/1`` or ``/2`` snapshot."""
    cycles = data["cycles"]
    options = {} if first else _load_policies(data["policies"])
    rules = CampaignRules(
        retry=RetryPolicy.from_dict(_mapping(data, "retry")),
        cycles=None if cycles is None else CyclePolicy.from_dict(_mapping(data, "cycles")),
        **options,
    )
    loop_starts = [
        aware_utc(_load_datetime(t), "loop_starts") for t in _sequence(data, "loop_starts")
    ]
    next_loop_at = data["next_loop_at"]
    parts: dict[str, Any] = {
        "campaign": Campaign.from_dict(_mapping(data, "campaign")),
        "loop_starts": loop_starts,
        "next_loop_at": None
        if next_loop_at is None
        else aware_utc(_load_datetime(next_loop_at), "next_loop_at"),
    }
    contacts = [Contact.from_dict(_item(c, "contacts")) for c in _sequence(data, "contacts")]
    ids = {c.id for c in contacts}
    calls: dict[str, Call] = {}
    for item in _sequence(data, "calls"):
        call = Call.from_dict(_item(item, "calls"))
        if call.contact_id not in ids or call.contact_id in calls:
            raise InvalidInput(f"call {shown(call.id)} does not match a dialling contact")
        calls[call.contact_id] = call
    ledger: dict[str, dict[str, Any]] = {c.id: {} for c in contacts}
    if not first:
        lines = data["lines"]
        if lines is not None:
            parts["lines"] = [
                CallerLine.from_dict(_item(x, "lines")) for x in _sequence(data, "lines")
            ]
        parts["pacing"] = pd.pacing_state_from_dict(data["pacing_state"])
        parts["previous_line_id"] = data["previous_line_id"]
        halt = data["halt"]
        if halt is not None:
            parts["halt"] = Halt.from_dict(_item(halt, "halt"))
        _load_ledger(data, ledger, calls)
    campaign = CampaignState(**parts)
    states = [ContactState(c, calls.get(c.id), **ledger[c.id]) for c in contacts]
    return rules, campaign, states


def _load_ledger(
    data: Mapping[str, Any], ledger: dict[str, dict[str, Any]], calls: Mapping[str, Call]
) -> None:
    """The per-contact side tables of a ``/2`` snapshot, as `ContactState` fields."""

    def entry(cid: Any) -> dict[str, Any]:
        if cid not in ledger:
            raise InvalidInput(f"no contact {shown(cid)} in the snapshot")
        return ledger[cid]

    for cid, line_id in _mapping(data, "call_lines").items():
        if cid not in calls:
            raise InvalidInput(
                f"snapshot call_lines: {shown(cid)} -> {shown(line_id)} matches no call"
            )
        entry(cid)["line_id"] = line_id
    for cid, attempts in _mapping(data, "history").items():
        if not isinstance(attempts, list):
            raise InvalidInput(f"snapshot history of {shown(cid)} must be a list")
        entry(cid)["history"] = [pd.attempt_from_dict(a) for a in attempts]
    for cid, pair in _mapping(data, "callbacks").items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise InvalidInput(f"snapshot callback of {shown(cid)} must be [at, requested]")
        row = entry(cid)
        row["callback_reported_at"] = aware_utc(_load_datetime(pair[0]), "callbacks")
        row["callback_at"] = aware_utc(_load_datetime(pair[1]), "callbacks")
    for cid, item in _mapping(data, "conversations").items():
        if not isinstance(item, Mapping) or set(item) != {"extractions", "goal_results"}:
            raise InvalidInput(f"snapshot conversations of {shown(cid)} are malformed")
        row = entry(cid)
        row["extractions"] = [
            Extraction.from_dict(_item(e, "extractions")) for e in _sequence(item, "extractions")
        ]
        row["goals"] = combine_goal_results(
            GoalResult.from_dict(_item(r, "goal_results")) for r in _sequence(item, "goal_results")
        )


def _load_policies(data: Any) -> dict[str, Any]:
    """The `CampaignRules` fields of a ``/2`` snapshot's ``policies``."""
    if not isinstance(data, Mapping) or set(data) != _POLICY_KEYS:
        raise InvalidInput(f"snapshot policies must have keys {sorted(_POLICY_KEYS)}")
    loaders: dict[str, Callable[[Any], Any]] = {
        "schedule": pd.schedule_from_dict,
        "pacing": pd.pacing_from_dict,
        "rotation": pd.rotation_from_dict,
        "compliance": pd.compliance_from_dict,
        "whatsapp": lambda d: WhatsAppSettings.from_dict(_item(d, "whatsapp")),
        "tier": _load_tier,
        "conversion": lambda d: ConversionRule.from_dict(_item(d, "conversion")),
        "goals": lambda d: GoalSet.from_dict(_item(d, "goals")),
    }
    options = {name: load(data[name]) for name, load in loaders.items() if data[name] is not None}
    dnc = data["do_not_call"]
    if not isinstance(dnc, list):
        raise InvalidInput(f"snapshot do_not_call must be a list; got {shown(dnc)}")
    options["do_not_call"] = dnc
    return options


def _load_tier(value: Any) -> MessagingTier:
    if type(value) is not str:
        raise InvalidInput(f"{shown(value)} is not a MessagingTier")
    try:
        return MessagingTier(value)
    except ValueError:
        raise InvalidInput(f"{shown(value)} is not a MessagingTier") from None


# --------------------------------------------------------------------------- plain values


def _sequence(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list):
        raise InvalidInput(f"snapshot {shown(key)} must be a list; got {shown(value)}")
    return value


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, Mapping):
        raise InvalidInput(f"snapshot {shown(key)} must be a mapping; got {shown(value)}")
    return value


def _item(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"snapshot {shown(key)} must hold mappings; got {shown(value)}")
    return value


def _load_datetime(value: Any) -> datetime:
    if type(value) is not str:
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date-time")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{shown(value)} is not an ISO 8601 date-time") from None
