"""The WhatsApp channel: message-status updates, campaign settings, the 24-hour
customer-service window, messaging tiers and the WhatsApp metrics (seeds 000 and 004).

Message-status updates
----------------------
A WhatsApp contact moves queued -> sending -> sent -> delivered -> read ->
accepted / rejected, or to failed, along `CONTACT_MACHINE`. The provider's
status updates arrive duplicated and out of order - a ``read`` may come
without a ``delivered``, a stale ``delivered`` after ``read`` - so
`apply_message_status` orders them by their timestamp and by the lifecycle,
never by arrival. Each state of the contact and each update is given a
precedence, and an update is taken exactly when it outranks the contact's
current state:

1. ``converted`` outranks everything: no update changes a converted contact.
2. Next come the contact's answers, ``accepted`` and ``rejected``. Either one
   outranks every delivery update, whatever its time (an answer proves the
   message arrived). Between two answers the *earlier* one stands: the first
   answer settles the conversation, as the machine lets neither leave to the
   other.
3. Then the delivery updates (``sending``, ``sent``, ``delivered``, ``read``,
   ``failed``) and the engine's waiting states (``queued``, ``retrying``): the
   *later* timestamp wins, so an update older than the contact's
   ``updated_at`` is stale - including leftovers of an earlier attempt, which
   are older than the engine's ``send``. At equal timestamps the lifecycle
   decides: read beats delivered beats sent beats sending, and failed beats
   them all. These ranks are the longest paths in `CONTACT_MACHINE`'s
   message transitions, computed from the table.

The precedence is a total order, so applying a set of updates gives the same
contact whatever the order, and applying one twice changes nothing. Along the
normal path (each update later than the last and further along the table) it
agrees with `CONTACT_MACHINE.reconcile`. It cannot *be* that function: the
contact machine has loops (read -> retrying -> queued -> sending -> sent ->
delivered), so ``reconcile`` takes a same-second ``delivered`` after ``read``
and a ``read`` after ``delivered`` alike, and its result would depend on arrival.

Settings and rules
------------------
`WhatsAppSettings` holds one or two pre-approved `MessageTemplate` (an image
header needs an image), the daily send limit and the consent flag seed 004
recommends checking before messaging (`check_consent`). `in_service_window`
and `may_send` are the 24-hour customer-service window: free-form messages
only within 24 hours of the contact's last inbound message, templates at any
time. `MessagingTier` is the daily unique-recipient tier (250, 2,000, 10,000,
100,000, unlimited), and `sends_remaining` combines it with the daily limit as
a pacing input. Retry loops (cycles) are "Phone Calls only" in seed 004:
`check_retry_loops` refuses them for WhatsApp.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Self

import attrs

from .. import _fields as f
from .._fields import PlainData, aware_utc, replacer
from ..errors import IllegalTransition, InvalidConfig, InvalidInput, shown
from ..machines import CONTACT_EVENT_FOR_STATUS, CONTACT_MACHINE, MESSAGE_STATUSES, ContactEvent
from ..models.records import Contact
from ..statuses import Channel, ContactStatus
from .pacing import PacingPolicy

__all__ = [
    "MESSAGE_STATUSES",
    "SERVICE_WINDOW",
    "MessageKind",
    "MessageTemplate",
    "MessagingTier",
    "WhatsAppSettings",
    "WhatsAppStats",
    "allows_retry_loops",
    "apply_message_status",
    "check_consent",
    "check_retry_loops",
    "effective_daily_limit",
    "in_service_window",
    "may_send",
    "sends_remaining",
    "unique_recipients",
    "whatsapp_delivery_rate",
    "whatsapp_reach",
    "whatsapp_read_rate",
]

_K = ContactStatus

# --------------------------------------------------------------------------- message status

# Which event each reported status feeds the contact machine: machines.py decides
# (CONTACT_EVENT_FOR_STATUS); MESSAGE_STATUSES is re-exported from there.
_EVENT_OF_STATUS: dict[ContactStatus, ContactEvent] = {
    status: CONTACT_EVENT_FOR_STATUS[status] for status in MESSAGE_STATUSES
}

_WAITING = frozenset({_K.QUEUED, _K.RETRYING})
_ANSWERS = frozenset({_K.ACCEPTED, _K.REJECTED})


def _message_ranks() -> dict[ContactStatus, int]:
    """Longest path from ``queued`` along the contact machine's message transitions."""
    domain = MESSAGE_STATUSES | {_K.QUEUED}
    events = set(_EVENT_OF_STATUS.values())
    edges = [
        (state, target)
        for (state, event), target in CONTACT_MACHINE.table.items()
        if event in events and state in domain and target in domain
    ]
    rank = dict.fromkeys(domain, 0)
    for _ in domain:  # relax |V| times: enough for the longest path in a DAG
        for state, target in edges:
            rank[target] = max(rank[target], rank[state] + 1)
    return rank


_RANK = _message_ranks()
_RANK[_K.RETRYING] = 0

# The precedence of a status: (stage, rank). Stage 2 is converted, 1 the answers,
# 0 the delivery updates and waiting states. Within stage 0 the later timestamp
# wins and the rank breaks ties; within stage 1 the earlier timestamp wins.
_STAGE_RANK: dict[ContactStatus, tuple[int, int]] = {
    status: (0, rank) for status, rank in _RANK.items() if status not in _ANSWERS
}
_STAGE_RANK[_K.ACCEPTED] = (1, 0)
_STAGE_RANK[_K.REJECTED] = (1, 1)
_STAGE_RANK[_K.CONVERTED] = (2, 0)
# One lookup per update: the reported status's stage, rank and contact event.
_REPORT: dict[ContactStatus, tuple[int, int, ContactEvent]] = {
    status: (*_STAGE_RANK[status], event) for status, event in _EVENT_OF_STATUS.items()
}

_contact_moved = replacer(Contact, "status", "updated_at")


def _outranks(
    report: tuple[int, int, ContactEvent],
    at: datetime,
    state: tuple[int, int],
    current_at: datetime | None,
) -> bool:
    """True if an update (stage, rank) at ``at`` outranks the contact's state at ``current_at``."""
    stage = report[0]
    if stage != state[0]:
        return stage > state[0]
    if current_at is None:  # an unset time counts as the earliest of all
        return stage == 0
    if at != current_at:
        return at > current_at if stage == 0 else at < current_at
    return report[1] > state[1]


def apply_message_status(contact: Contact, status: ContactStatus, *, at: datetime) -> Contact:
    """``contact`` after a provider reported its message in ``status`` at ``at``.

    Updates may arrive in any order and any number of times: the rule (see the
    module notes) takes an update only when it outranks the contact's current
    state - by lifecycle stage, then by timestamp, then by lifecycle order -
    so any arrival order of the same updates gives the same contact. A taken
    update sets ``status`` and ``updated_at`` (to ``at``, in UTC); otherwise the
    very same ``contact`` object is returned. Counters and scheduling are the
    engine's business: a contact waiting in ``queued``/``retrying`` overtaken
    by a later update keeps its ``next_attempt_at`` for the engine to clear.

    Raises `InvalidInput` for a naive ``at`` or a status that is not in
    `MESSAGE_STATUSES`, and `IllegalTransition` for a contact in a call-only
    state (dialing, awaiting-outcome, answered, voicemail, no-conversation).
    """
    at = aware_utc(at, "at")
    report = _REPORT.get(status)
    if report is None:
        labels = ", ".join(sorted(s.value for s in MESSAGE_STATUSES))
        raise InvalidInput(f"{shown(status)} is not a message status; expected one of {labels}")
    state = _STAGE_RANK.get(contact.status)
    if state is None:
        raise IllegalTransition(CONTACT_MACHINE.name, contact.status, report[2])
    if _outranks(report, at, state, contact.updated_at):
        return _contact_moved(contact, status, at)
    return contact


# --------------------------------------------------------------------------- settings


_config_flag = f.check_flag(error=InvalidConfig)
_NAME = f.check_text(error=InvalidConfig)
_OPTIONAL_NAME = f.check_text(optional=True, error=InvalidConfig)


@attrs.frozen(weakref_slot=False)
class MessageTemplate(PlainData):
    """A pre-approved WhatsApp message template (seed 004).

    Raises `InvalidConfig` for an empty name, a template with an image header
    but no image reference, or an image on a template without an image header.
    """

    name: str = attrs.field(validator=_NAME, metadata={"codec": f.PLAIN})
    """The template's name as approved by Meta."""
    language: str | None = attrs.field(
        default=None,
        validator=_OPTIONAL_NAME,
        metadata={"codec": f.PLAIN},
    )
    """The template's language code (e.g. ``"es_MX"``), when the provider needs it."""
    image_header: bool = attrs.field(
        default=False, validator=_config_flag, metadata={"codec": f.PLAIN}
    )
    """The template has an image header."""
    image: str | None = attrs.field(
        default=None,
        validator=_OPTIONAL_NAME,
        metadata={"codec": f.PLAIN},
    )
    """A reference (URL or media id) to the header image; required with an image header."""

    def __attrs_post_init__(self) -> None:
        if self.image_header and self.image is None:
            raise InvalidConfig(
                "image", f"an image reference for template {shown(self.name)} (image header)", None
            )
        if not self.image_header and self.image is not None:
            raise InvalidConfig(
                "image", f"None for template {shown(self.name)} (no image header)", self.image
            )


def _to_templates(value: Iterable[MessageTemplate]) -> tuple[MessageTemplate, ...]:
    if isinstance(value, str | Mapping | MessageTemplate) or not isinstance(value, Iterable):
        raise InvalidConfig("templates", "a list of one or two MessageTemplate", value)
    templates = tuple(value)
    if not all(type(t) is MessageTemplate for t in templates):
        raise InvalidConfig("templates", "MessageTemplate records", value)
    if not 1 <= len(templates) <= 2:
        raise InvalidConfig("templates", "one or two templates", len(templates))
    keys = [(t.name, t.language) for t in templates]
    if len(set(keys)) != len(keys):
        raise InvalidConfig("templates", "distinct templates", [t.name for t in templates])
    return templates


def _load_templates(value: Any) -> tuple[MessageTemplate, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidConfig("templates", "a list of template dicts", value)
    return tuple(MessageTemplate.from_dict(item) for item in value)


_check_daily_limit = f.check_int(
    1, optional=True, expected="a positive integer or None", error=InvalidConfig
)


# Shorter than a minute cannot be told apart from a late delivery receipt; past 30
# days the conversation is cold (WhatsApp's own re-engagement rules use 24 h windows).
RESPONSE_WINDOW_RANGE = (timedelta(minutes=1), timedelta(days=30))
"""The smallest and largest `WhatsAppSettings.response_window`."""


_check_response_window = f.check_span(
    *RESPONSE_WINDOW_RANGE,
    optional=True,
    expected="a timedelta from 1 minute to 30 days, or None",
    error=InvalidConfig,
)


def _seconds_or_none(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _load_response_window(value: Any) -> timedelta | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not 0 < value <= 30 * 86400:
        raise InvalidConfig("response_window", "seconds from 60 to 2592000, or None", value)
    return timedelta(seconds=value)


@attrs.frozen(weakref_slot=False)
class WhatsAppSettings(PlainData):
    """The WhatsApp part of a campaign's configuration (seed 004).

    Raises `InvalidConfig` unless there are one or two distinct templates and
    the daily limit, if set, is positive.
    """

    templates: tuple[MessageTemplate, ...] = attrs.field(
        converter=_to_templates,
        metadata={"codec": f.Codec(lambda ts: [t.to_dict() for t in ts], _load_templates)},
    )
    """One or two pre-approved templates."""
    daily_limit: int | None = attrs.field(
        default=None, validator=_check_daily_limit, metadata={"codec": f.PLAIN}
    )
    """Messages the campaign may send per day (seed 004: "Set daily send limits
    (WhatsApp)"); None leaves only the tier's limit. The one home of the WhatsApp daily
    limit: ``PacingPolicy.whatsapp_daily_limit`` is its deprecated old place."""
    consent: bool = attrs.field(default=False, validator=_config_flag, metadata={"codec": f.PLAIN})
    """The contact list has given prior consent to receive messages from the company."""
    response_window: timedelta | None = attrs.field(
        default=None,
        validator=_check_response_window,
        metadata={"codec": f.Codec(_seconds_or_none, _load_response_window)},
    )
    """How long a sent, delivered or read message waits for a reply (from its latest
    status update) before the retry policy
    is asked, as for an unanswered call (seed 004: retries "in case of no response");
    None: a message nobody answers is final. The second template, if any, is used for
    the retry."""


def check_consent(settings: WhatsAppSettings) -> None:
    """Refuse to message a list without consent: seed 004 recommends WhatsApp campaigns
    only for contacts who consented, as non-compliance may get the account blocked.

    Raises `InvalidConfig` when ``settings.consent`` is False.
    """
    if not settings.consent:
        raise InvalidConfig(
            "consent", "True: the contact list must have consented to WhatsApp messages", False
        )


# --------------------------------------------------------------------------- window


SERVICE_WINDOW = timedelta(hours=24)
"""How long after a contact's last inbound message free-form messages are allowed."""


class MessageKind(enum.StrEnum):
    """A business-initiated template, or a free-form message."""

    TEMPLATE = "template"
    """A pre-approved template: allowed at any time."""
    FREE_FORM = "free-form"
    """Any other message: only within the customer-service window."""


def in_service_window(last_inbound_at: datetime | None, *, now: datetime) -> bool:
    """True if ``now`` is within 24 hours of the contact's last inbound message.

    The window is ``[last_inbound_at, last_inbound_at + 24 h)``: open at the
    message, closed exactly 24 hours later. None (the contact never wrote) is
    outside. An inbound time after ``now`` (clock skew) counts as inside.
    Raises `InvalidInput` for a naive datetime.
    """
    now = aware_utc(now)
    if last_inbound_at is None:
        return False
    return now - aware_utc(last_inbound_at, "last_inbound_at") < SERVICE_WINDOW


def may_send(kind: MessageKind, *, last_inbound_at: datetime | None, now: datetime) -> bool:
    """True if a message of ``kind`` may go to the contact now: templates always,
    free-form only within the customer-service window. Raises `InvalidInput`
    for a naive datetime or a ``kind`` that is not a `MessageKind`.
    """
    if type(kind) is not MessageKind:
        raise InvalidInput(f"kind must be a MessageKind; got {shown(kind)}")
    window = in_service_window(last_inbound_at, now=now)
    return kind is MessageKind.TEMPLATE or window


# --------------------------------------------------------------------------- pacing


class MessagingTier(enum.StrEnum):
    """A business number's daily unique-recipient tier (WhatsApp messaging limits)."""

    TIER_250 = "250"
    TIER_2K = "2000"
    TIER_10K = "10000"
    TIER_100K = "100000"
    UNLIMITED = "unlimited"

    @property
    def limit(self) -> int | None:
        """Unique recipients per rolling 24 hours; None for unlimited."""
        return None if self is MessagingTier.UNLIMITED else int(self.value)


def unique_recipients(
    sends: Iterable[tuple[str, datetime]], *, now: datetime, window: timedelta = SERVICE_WINDOW
) -> int:
    """How many distinct numbers were messaged in the ``window`` before ``now``
    (``now - window < at <= now``): what the messaging tier counts.

    ``sends`` holds ``(phone, at)`` pairs. Raises `InvalidInput` for a naive
    datetime.
    """
    now = aware_utc(now)
    start = now - window
    return len({phone for phone, at in sends if start < aware_utc(at, "at") <= now})


_COUNT = f.check_int(0, expected="a non-negative integer")


def sends_remaining(
    settings: WhatsAppSettings, tier: MessagingTier, *, sent_today: int, recipients: int
) -> int | None:
    """How many more contacts may be messaged now: the smaller of what is left
    of the campaign's daily limit (``sent_today`` messages sent today) and of
    the tier (``recipients`` unique recipients in the last 24 hours, see
    `unique_recipients`); never negative; None when neither limits.
    Raises `InvalidInput` for a negative or non-integer count.
    """
    left = [
        limit - used
        for limit, used in (
            (settings.daily_limit, _COUNT.of("sent_today", sent_today)),
            (tier.limit, _COUNT.of("recipients", recipients)),
        )
        if limit is not None
    ]
    return max(0, min(left)) if left else None


def effective_daily_limit(
    settings: WhatsAppSettings, pacing: PacingPolicy | None = None
) -> int | None:
    """The campaign's WhatsApp daily send limit: ``settings.daily_limit``, its one home
    (seed 004 sets it with the WhatsApp campaign's settings), or else the deprecated
    ``pacing.whatsapp_daily_limit`` a campaign may still give for one release.

    Raises `InvalidConfig` naming ``pacing.whatsapp_daily_limit`` when both are given
    and differ: two limits for one rule cannot both hold.
    """
    old = None if pacing is None else pacing.whatsapp_daily_limit
    new = settings.daily_limit
    if old is not None and new is not None and old != new:
        raise InvalidConfig(
            "pacing.whatsapp_daily_limit",
            f"None (deprecated) or the WhatsApp settings' daily_limit {new}",
            old,
        )
    return new if new is not None else old


def allows_retry_loops(channel: Channel) -> bool:
    """True if ``channel`` allows retry loops (cycles): Phone Calls only (seed 004)."""
    return channel is Channel.CALL


def check_retry_loops(channel: Channel, *, enabled: bool) -> None:
    """Refuse retry loops (cycles) on a channel that has none.

    Retries apply to both channels, but loops are "Phone Calls only" in seed
    004. Raises `InvalidConfig` when ``enabled`` and ``channel`` is WhatsApp.
    """
    if enabled and not allows_retry_loops(channel):
        raise InvalidConfig(
            "cycles",
            f"disabled for {channel.value} campaigns (retry loops are phone calls only)",
            enabled,
        )


# --------------------------------------------------------------------------- metrics


@attrs.frozen(weakref_slot=False)
class WhatsAppStats(PlainData):
    """Contacts of a WhatsApp campaign counted by status, and the rates built on them.

    Mergeable: `merge` adds counts, so partitions counted apart add up to the
    whole (identity: ``WhatsAppStats()``). Contacts in other statuses (queued,
    sending, retrying) are not counted.
    """

    sent: int = f.count()
    """Contacts in status sent (the message left, no receipt yet)."""
    delivered: int = f.count()
    """Contacts in status delivered."""
    read: int = f.count()
    """Contacts in status read."""
    accepted: int = f.count()
    """Contacts who accepted the conversation."""
    rejected: int = f.count()
    """Contacts who rejected the conversation."""
    failed: int = f.count()
    """Contacts whose message failed."""
    converted: int = f.count()
    """Contacts in status converted."""

    @classmethod
    def of(cls, contacts: Iterable[Contact]) -> Self:
        """Count ``contacts`` by status."""
        counts = dict.fromkeys(_COUNTED, 0)
        for contact in contacts:
            if contact.status in counts:
                counts[contact.status] += 1
        return cls(**{status.value: n for status, n in counts.items()})

    def merge(self, other: WhatsAppStats) -> Self:
        """The counts of both, added."""
        return type(self)(
            **{a.name: getattr(self, a.name) + getattr(other, a.name) for a in _STATS_FIELDS}
        )

    @property
    def reach(self) -> int:
        """Altur's WhatsApp reach (seed 000): delivered + accepted + read + converted."""
        return self.delivered + self.accepted + self.read + self.converted

    @property
    def delivered_or_further(self) -> int:
        """Contacts whose message reached the device: delivered, read, answered or converted."""
        return self.delivered + self.read + self.accepted + self.rejected + self.converted

    @property
    def read_or_further(self) -> int:
        """Contacts who read the message: read, answered or converted."""
        return self.read + self.accepted + self.rejected + self.converted

    @property
    def attempted(self) -> int:
        """Contacts whose message left or failed: sent, failed, or delivered or further."""
        return self.sent + self.failed + self.delivered_or_further

    @property
    def delivery_rate(self) -> float:
        """Delivered or further / attempted, 0.0-1.0; 0.0 when nothing was attempted."""
        return self.delivered_or_further / self.attempted if self.attempted else 0.0

    @property
    def read_rate(self) -> float:
        """Read or further / delivered or further, 0.0-1.0; 0.0 when nothing was delivered."""
        delivered = self.delivered_or_further
        return self.read_or_further / delivered if delivered else 0.0


_COUNTED = (
    _K.SENT,
    _K.DELIVERED,
    _K.READ,
    _K.ACCEPTED,
    _K.REJECTED,
    _K.FAILED,
    _K.CONVERTED,
)
_STATS_FIELDS = attrs.fields(WhatsAppStats)


def whatsapp_reach(contacts: Iterable[Contact]) -> int:
    """Contacts reached (seed 000): in status delivered, accepted, read or converted."""
    return WhatsAppStats.of(contacts).reach


def whatsapp_delivery_rate(contacts: Iterable[Contact]) -> float:
    """Share of attempted messages that reached the device (see `WhatsAppStats.delivery_rate`)."""
    return WhatsAppStats.of(contacts).delivery_rate


def whatsapp_read_rate(contacts: Iterable[Contact]) -> float:
    """Share of delivered messages that were read (see `WhatsAppStats.read_rate`)."""
    return WhatsAppStats.of(contacts).read_rate
