"""The core records: `Campaign`, `Contact`, `Call` (one attempt) and `CallerLine`.

All are frozen, slotted ``attrs`` classes. Every field is validated on
construction, and so on every `attrs.evolve`; errors are `InvalidInput` naming
the field and the bad value. Datetimes must be timezone-aware and are stored in
UTC. ``to_dict`` gives plain JSON types and ``from_dict`` takes them back, losslessly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from .. import _fields as f
from .._fields import PlainData, Scalar
from .._frozen import EMPTY, FrozenMap
from ..errors import InvalidConfig, InvalidInput
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
    classify_outcome,
)

__all__ = ["DEFAULT_TIMEZONE", "Call", "CallerLine", "Campaign", "Contact"]

DEFAULT_TIMEZONE = "America/Mexico_City"
"""The seeds' default campaign time zone (Altur, seed 004)."""


# Collections are declared with named converters in the class bodies (not through a
# field maker) so that mypy's attrs plugin sees them and types ``__init__`` by their
# parameters: ``Contact(tags={"vip"}, extracted={"email": ...})`` type-checks, as the
# docs write it (issue 18 item 6). Each converter names its field in its errors.
_TAGS_DATA = f.tags().metadata
_SCALAR_MAP_DATA = f.scalar_map().metadata
_NO_TAGS: frozenset[str] = frozenset()


def _tags(value: Iterable[str]) -> frozenset[str]:
    return f.tag_set(value, "tags")


def _extracted(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return f.scalar_mapping(value, "extracted")


def _attributes(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return f.scalar_mapping(value, "attributes")


def _settings(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return f.scalar_mapping(value, "settings")


@attrs.frozen(weakref_slot=False)
class Campaign(PlainData):
    """An outbound campaign: what it is called, how it reaches people, and where it stands."""

    id: str = f.text()
    """Your identifier for the campaign."""
    name: str = f.text()
    """A short, descriptive name."""
    channel: Channel = f.member(Channel, default=Channel.CALL)
    """Phone calls or WhatsApp messages."""
    timezone: str = attrs.field(
        default=DEFAULT_TIMEZONE, validator=f.check_zone(), metadata={"codec": f.PLAIN}
    )
    """The IANA time zone of the contact base; schedules are read in it."""
    status: CampaignStatus = f.member(CampaignStatus, default=CampaignStatus.PENDING)
    """Lifecycle state; change it through `CAMPAIGN_MACHINE`."""
    description: str = f.text(default="")
    """Internal notes on the campaign's goal."""
    created_at: datetime | None = f.moment()
    """When the campaign was created (Altur ``campaign_date``)."""
    start_at: datetime | None = f.moment()
    """When calling may begin; None starts immediately."""
    cycle: int = f.count()
    """The current retry loop, counted from 0."""
    settings: FrozenMap[str, Scalar] = attrs.field(
        default=EMPTY, converter=_settings, metadata=_SCALAR_MAP_DATA
    )
    """Free-form settings of JSON scalars, for vendor fields with no typed home."""
    amd_mode: AmdMode = f.member(AmdMode, default=AmdMode.TEXT)
    """Answering-machine detection for calls (itellico *AMD Mode*, seed 002): text- or
    ML-based; the seed names no default, so the first one listed. Unused on WhatsApp."""
    agent_voice_id: str | None = f.optional_text()
    """The agent's voice for the campaign's calls; contacts may override it with
    ``override_agent_voice_id``. Phone campaigns only (seed 004)."""

    def __attrs_post_init__(self) -> None:
        if self.channel is Channel.WHATSAPP and self.agent_voice_id is not None:
            raise _voice_refused("agent_voice_id", self.agent_voice_id)

    def check_contact(self, contact: Contact) -> None:
        """Raise `InvalidConfig` if ``contact`` cannot belong to this campaign.

        A contact with ``voice_id`` (``override_agent_voice_id``) is refused on
        a WhatsApp campaign: seed 004 makes the voice override "only available
        for phone campaigns". Importers and runners call this for every contact.
        """
        if self.channel is Channel.WHATSAPP and contact.voice_id is not None:
            raise _voice_refused("override_agent_voice_id", contact.voice_id)


def _voice_refused(field: str, value: str) -> InvalidConfig:
    # seed 004: "override_agent_voice_id ... Only available for phone campaigns."
    return InvalidConfig(field, "empty on a WhatsApp campaign (voices are for phone calls)", value)


@attrs.frozen(weakref_slot=False)
class Contact(PlainData):
    """One person to reach, with everything the rules need to decide what happens next.

    ``retries`` (voicemail retries) and ``failed_retries`` are per-cycle counters
    (Altur seed 000), reset when a new cycle re-queues the contact; ``attempts``
    counts every call or message over the contact's lifetime and never resets.
    """

    id: str = f.text()
    """Your identifier for this contact within the campaign."""
    phone: str = f.e164()
    """The number in E.164 form, e.g. ``+5215555551234``."""
    name: str = f.text(default="")
    """Used to personalise the conversation."""
    context: str = f.text(default="")
    """What the agent may use in the conversation: amounts, dates, offer details."""
    external_id: str | None = f.optional_text()
    """The ``id`` column of the import file, if it had one."""
    agent_name: str | None = f.optional_text()
    """``override_agent_name``: the agent's name for this contact."""
    voice_id: str | None = f.optional_text()
    """``override_agent_voice_id``: the voice for this contact (calls only)."""
    priority: Priority = f.member(Priority, default=Priority.NORMAL)
    """High-priority contacts are dialled first among those due at the same time."""
    tags: frozenset[str] = attrs.field(default=_NO_TAGS, converter=_tags, metadata=_TAGS_DATA)
    """Tags set on the contact (one True/False export column each); any collection of
    names (``{"vip"}``, a list) is kept as a frozenset."""
    extracted: FrozenMap[str, Scalar] = attrs.field(
        default=EMPTY, converter=_extracted, metadata=_SCALAR_MAP_DATA
    )
    """Fields extracted from conversations (e.g. email, interest, rating); a dict is
    kept as a read-only `FrozenMap`."""
    attributes: FrozenMap[str, Scalar] = attrs.field(
        default=EMPTY, converter=_attributes, metadata=_SCALAR_MAP_DATA
    )
    """Extra import columns, kept as they came (a dict becomes a `FrozenMap`)."""
    status: ContactStatus = f.member(ContactStatus, default=ContactStatus.QUEUED)
    """Lifecycle state; change it through `CONTACT_MACHINE`."""
    retries: int = f.count()
    """Voicemail retries in the current cycle (Altur ``retries``)."""
    failed_retries: int = f.count()
    """Re-queues after a failure in the current cycle (Altur's hidden ``failed_retries``)."""
    cycle: int = f.count()
    """The cycle (retry loop) the contact is in, from 0."""
    attempts: int = f.count()
    """Calls or messages over the contact's lifetime (Altur ``calls``)."""
    next_attempt_at: datetime | None = f.moment()
    """When the contact is next due; None when it is not waiting for an attempt."""
    updated_at: datetime | None = f.moment()
    """The last status change (Altur ``last_update``)."""
    follow_up: bool = f.flag()
    """A follow-up is scheduled for the contact."""
    last_outcome: Outcome | None = f.member(Outcome, optional=True)
    """The outcome of the latest finished attempt (Exotel counts busy/no-answer by it)."""
    line_id: str | None = f.optional_text()
    """The caller line that first reached the contact, for sticky caller-ID rotation."""


@attrs.frozen(weakref_slot=False)
class Call(PlainData):
    """One call attempt to one contact, as the carrier and the agent saw it.

    Raises `InvalidInput` when its timestamps run backwards (created <= started
    <= ended) or a completed call's ``answered_by`` is missing detail it needs.
    """

    id: str = f.text()
    """The attempt's identifier (Twilio/Exotel ``CallSid``)."""
    contact_id: str = f.text()
    """The contact called."""
    to: str = f.e164()
    """The number dialled, in E.164."""
    from_number: str = f.text(default="")
    """The caller ID used; vendors do not always give it in E.164 (Exotel ExoPhones)."""
    attempt: int = f.count(default=1, minimum=1)
    """1 for the first attempt, 2 for the first retry, and so on."""
    direction: Direction = f.member(Direction, default=Direction.OUTBOUND)
    status: CallStatus = f.member(CallStatus, default=CallStatus.CREATED)
    """Carrier status; change it through `CALL_MACHINE`."""
    answered_by: AnsweredBy | None = f.member(AnsweredBy, optional=True)
    """Who answered, when answering-machine detection ran."""
    outcome: Outcome | None = f.member(Outcome, optional=True)
    """An explicit classification (from analysis or a dialect); None derives it, see `result`."""
    created_at: datetime | None = f.moment()
    started_at: datetime | None = f.moment()
    """When the call was answered."""
    ended_at: datetime | None = f.moment()
    updated_at: datetime | None = f.moment()
    """When the carrier last reported a status; used to discard stale reports."""
    duration: int = f.count()
    """Seconds from answer to hang-up."""
    recording_url: str | None = f.optional_text()
    price: Decimal | None = f.money()
    """What the attempt cost, in ``price_unit``."""
    price_unit: str | None = f.optional_text()
    """The currency or unit of ``price`` (``"USD"``, ``"pulses"``, ...)."""
    campaign_id: str | None = f.optional_text()

    def __attrs_post_init__(self) -> None:
        stamps = [
            (n, t)
            for n, t in (
                ("created_at", self.created_at),
                ("started_at", self.started_at),
                ("ended_at", self.ended_at),
            )
            if t is not None
        ]
        for (first, a), (second, b) in itertools.pairwise(stamps):
            if b < a:
                raise InvalidInput(
                    f"Call {self.id!r}: {second} ({b.isoformat()}) is before "
                    f"{first} ({a.isoformat()})"
                )

    @property
    def result(self) -> Outcome | None:
        """The attempt's `Outcome`: the explicit ``outcome`` if set, otherwise
        `classify_outcome` of its status and answered-by (None while the call is live)."""
        if self.outcome is not None:
            return self.outcome
        return classify_outcome(self.status, self.answered_by)


@attrs.frozen(weakref_slot=False)
class CallerLine(PlainData):
    """An outbound number a campaign calls from (itellico's phone-number table).

    ``calls_today`` counts the calls placed on ``counted_on`` (the line's
    current day in the campaign's time zone).
    """

    id: str = f.text()
    number: str = f.text()
    """The number as the carrier knows it, preferably E.164."""
    name: str = f.text(default="")
    """A friendly name."""
    status: LineStatus = f.member(LineStatus, default=LineStatus.ACTIVE)
    spam_score: int = f.ranged(default=0, low=0, high=9)
    """Spam risk 0-9 (green 0-4, yellow 5-6, red 7+)."""
    calls_today: int = f.count()
    counted_on: date | None = f.day()
    """The day ``calls_today`` refers to."""
    total_calls: int = f.count()
    """Calls placed since the campaign started."""
    weight: int = f.count(default=1, minimum=1)
    """Relative share under weighted rotation."""
