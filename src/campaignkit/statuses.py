"""The canonical vocabulary: channels, lifecycle states, answered-by values and outcomes.

Every enum's value is its canonical lower-case label (``CallStatus.NO_ANSWER.value
== "no-answer"``), which is also what records store and serialise. Vendor labels
(``"queue"``, ``"Called"``, ``"Left Message"``, ...) are dialects of these and are
translated by `campaignkit.dialects`; the canonical set is a superset able to
express every status in the five seed documents.
"""

from __future__ import annotations

import enum
import warnings
from typing import Any

__all__ = [
    "CONTACT_BUCKETS",
    "STATS_FIELDS",
    "AmdMode",
    "AnsweredBy",
    "CallStatus",
    "CampaignStatus",
    "Channel",
    "ContactStatus",
    "Direction",
    "LineStatus",
    "Outcome",
    "Priority",
    "bucket_of",
    "classify_outcome",
]


# Member names retired by issue 18 (one spelling of cancelled), with their new names.
_RENAMED_MEMBERS = {"CANCELED": "CANCELLED"}


class _RenamedMembers(enum.EnumType):
    """The enum type of `CallStatus` and `Outcome`: an old member name still answers, for
    one release, with a `DeprecationWarning` naming the new one. Only a *missing* name
    reaches ``__getattr__``, so reading any current member costs nothing extra."""

    def __getattr__(cls, name: str) -> Any:
        new = _RENAMED_MEMBERS.get(name)
        if new is not None and new in cls._member_map_:
            _warn_renamed(cls, name, new)
            return cls._member_map_[new]
        parent = getattr(super(), "__getattr__", None)  # EnumType has one before 3.12
        if parent is not None:
            return parent(name)
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")

    def __getitem__(cls, name: str) -> Any:
        new = _RENAMED_MEMBERS.get(name)
        if new is not None and new in cls._member_map_:
            _warn_renamed(cls, name, new)
            name = new
        return cls._member_map_[name]


def _warn_renamed(cls: _RenamedMembers, old: str, new: str) -> None:
    warnings.warn(
        f"{cls.__name__}.{old} is deprecated; use {cls.__name__}.{new} (same member, same "
        f"value {cls._member_map_[new].value!r})",
        DeprecationWarning,
        stacklevel=3,
    )


class Channel(enum.StrEnum):
    """How a campaign reaches its contacts."""

    CALL = "call"
    WHATSAPP = "whatsapp"


class CampaignStatus(enum.StrEnum):
    """Where a campaign is in its lifecycle (see `CAMPAIGN_MACHINE`).

    ``PAUSED`` is Altur's *inactive* and thinkrr's *Paused*; ``FINISHED`` is
    Altur's *finished*, itellico's *Completed* and thinkrr's *Complete*.
    """

    PENDING = "pending"
    """Created, no contacts yet."""
    READY = "ready"
    """Contacts loaded, not launched."""
    SCHEDULED = "scheduled"
    """Launched, waiting for its start time or first calling window."""
    ACTIVE = "active"
    """Running: placing calls or sending messages."""
    PAUSED = "paused"
    """Stopped by hand; can be resumed."""
    COOLDOWN = "cooldown"
    """Between two cycles (retry loops), waiting for the next one."""
    FINISHED = "finished"
    """All contacts settled and all cycles done, or force-completed."""
    CANCELLED = "cancelled"
    """Cancelled: no further calls or messages."""
    ARCHIVED = "archived"
    """Put away after it finished or was cancelled (Altur seed 004: "Archive the
    campaign if no further actions are needed"); nothing leaves this state."""


class ContactStatus(enum.StrEnum):
    """Where one contact is in its campaign (see `CONTACT_MACHINE`).

    One enum serves both channels: the call states and the WhatsApp states share
    ``queued``, ``retrying``, ``failed`` and ``converted``.
    """

    QUEUED = "queued"
    """Waiting to be dialled or messaged (Altur ``queue``, itellico *Pending*)."""
    DIALING = "dialing"
    """A call is being placed (Altur ``sending`` on calls, itellico *Dialing*)."""
    AWAITING_OUTCOME = "awaiting-outcome"
    """Call ended; the outcome is held open for the completion timeout (itellico *Called*)."""
    RETRYING = "retrying"
    """Scheduled for another attempt (itellico *Retry*)."""
    ANSWERED = "answered"
    """A person answered and talked (itellico *Completed*)."""
    VOICEMAIL = "voicemail"
    """An answering machine or voicemail answered."""
    NO_CONVERSATION = "no-conversation"
    """Connected, but no conversation took place."""
    FAILED = "failed"
    """Not reached (Altur legacy ``no-answer``/``busy``/``unreachable`` map here)."""
    CONVERTED = "converted"
    """Marked converted: the campaign's success criterion was met."""
    SENDING = "sending"
    """A WhatsApp message is being sent (Altur ``sending`` on WhatsApp)."""
    SENT = "sent"
    """WhatsApp message accepted by the network."""
    DELIVERED = "delivered"
    """WhatsApp message delivered to the device."""
    READ = "read"
    """WhatsApp message read."""
    ACCEPTED = "accepted"
    """The contact accepted the WhatsApp conversation."""
    REJECTED = "rejected"
    """The contact rejected the WhatsApp conversation."""


class CallStatus(enum.StrEnum, metaclass=_RenamedMembers):
    """The status of one call attempt, as carriers report it (see `CALL_MACHINE`).

    ``COMPLETED`` is Altur's ``ended``; ``CallStatus.ENDED`` is an alias of it.
    ``CANCELLED`` keeps the carriers' value ``"canceled"`` (Twilio, Exotel); its old
    name ``CANCELED`` still answers, with a `DeprecationWarning`, for one release
    (issue 18: one spelling of cancelled).
    """

    CREATED = "created"
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    FORWARDING = "forwarding"
    COMPLETED = "completed"
    ENDED = "completed"  # deliberate alias: Altur's name for the same state
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    # The member name is spelled as the seeds spell the word (cancelled: seeds 001, 002);
    # the value is the carriers' wire label (seed 001's "canceled"), which records store.
    CANCELLED = "canceled"


class AnsweredBy(enum.StrEnum):
    """Who or what answered a call.

    The three coarse values are Altur's; Twilio's finer answering-machine
    detection results are kept as their own members, and `coarse` folds them.
    """

    HUMAN = "human"
    MACHINE = "machine"
    UNKNOWN = "unknown"
    MACHINE_START = "machine_start"
    MACHINE_END_BEEP = "machine_end_beep"
    MACHINE_END_SILENCE = "machine_end_silence"
    MACHINE_END_OTHER = "machine_end_other"
    FAX = "fax"

    @property
    def coarse(self) -> AnsweredBy:
        """`HUMAN`, `MACHINE` or `UNKNOWN`: the value billing and metrics group by.

        A fax is a machine for billing purposes.
        """
        if self in (AnsweredBy.HUMAN, AnsweredBy.UNKNOWN):
            return self
        return AnsweredBy.MACHINE

    @property
    def is_machine(self) -> bool:
        """True for every answering-machine (and fax) value."""
        return self.coarse is AnsweredBy.MACHINE


class Outcome(enum.StrEnum, metaclass=_RenamedMembers):
    """The classification of one finished attempt, used by every later rule.

    Each member carries VICIdial-style flags:

    * ``connected`` - the carrier connected the call (a person or a machine picked up);
    * ``human_answered`` - a person picked up;
    * ``billable`` - the attempt can carry a usage charge;
    * ``retriable`` - retried by default while the retry policy has attempts left;
    * ``final`` - settles the contact by default, whatever retries are left.

    Policies may override ``retriable``; the flags are only defaults. A `StrEnum`:
    ``Outcome("busy")`` and ``json.dumps(Outcome.BUSY)`` work as for the other labels
    (issue 18); the flags are plain attributes, set once below, so reading one costs
    what reading a field does (the metrics read them per call).
    """

    HUMAN_CONVERSATION = "human-conversation"
    """A person answered and a conversation took place (thinkrr *Completed*)."""
    CALLBACK_REQUESTED = "callback-requested"
    """A person asked to be called back later (thinkrr *Callback*)."""
    HUNG_UP = "hung-up"
    """A person answered and hung up (thinkrr *User Hung Up*)."""
    NO_CONVERSATION = "no-conversation"
    """Connected, but nothing was said (itellico *No Conversation*, thinkrr *No Message*)."""
    VOICEMAIL = "voicemail"
    """A machine or voicemail answered (thinkrr *Left Message*)."""
    BUSY = "busy"
    """The line was busy."""
    NO_ANSWER = "no-answer"
    """It rang out within the ring timeout."""
    FAILED = "failed"
    """Could not connect: invalid number, network error, DND (thinkrr *Issue Dialing*)."""
    CANCELLED = "canceled"
    """Cancelled before connecting (campaign paused or force-completed; seed 001). The
    value is the carriers' spelling; ``Outcome.CANCELED`` is a deprecated name of it."""

    REJECTED = "rejected"
    """The callee declined the call (itellico's *rejection* answer status)."""

    connected: bool
    human_answered: bool
    billable: bool
    retriable: bool
    final: bool

    @property
    def contact_status(self) -> ContactStatus:
        """The contact status an attempt with this outcome leaves behind."""
        return _CONTACT_STATUS_OF_OUTCOME[self]


# connected, human_answered, billable, retriable, final (VICIdial-style defaults).
# Why, row by row:
# * billable follows connected: seed 003 counts only connected calls (Completed, No
#   Answer, No Message, Left Message) toward time spent and billing.
# * callback-requested is retried and not final: the person asked to be called again
#   (seed 003: "retry the call at a later time").
# * human-conversation and hung-up are final: a person was reached and the call
#   settled the contact either way (thinkrr's Completed / User Hung Up, seed 003).
# * busy and no-answer retriable, failed and canceled not: Exotel's categories (seed
#   001: retriable vs terminal - invalid number, DND, cancelled before connecting).
# * rejected is final: the callee declined the call (itellico's rejection, seed 002).
_OUTCOME_FLAGS: dict[Outcome, tuple[bool, bool, bool, bool, bool]] = {
    Outcome.HUMAN_CONVERSATION: (True, True, True, False, True),
    Outcome.CALLBACK_REQUESTED: (True, True, True, True, False),
    Outcome.HUNG_UP: (True, True, True, False, True),
    Outcome.NO_CONVERSATION: (True, False, True, True, False),
    Outcome.VOICEMAIL: (True, False, True, True, False),
    Outcome.BUSY: (False, False, False, True, False),
    Outcome.NO_ANSWER: (False, False, False, True, False),
    Outcome.FAILED: (False, False, False, False, False),
    Outcome.CANCELLED: (False, False, False, False, False),
    Outcome.REJECTED: (False, False, False, False, True),
}
for _outcome, _flags in _OUTCOME_FLAGS.items():
    (
        _outcome.connected,
        _outcome.human_answered,
        _outcome.billable,
        _outcome.retriable,
        _outcome.final,
    ) = _flags
del _outcome, _flags


_CONTACT_STATUS_OF_OUTCOME: dict[Outcome, ContactStatus] = {
    Outcome.HUMAN_CONVERSATION: ContactStatus.ANSWERED,
    Outcome.CALLBACK_REQUESTED: ContactStatus.ANSWERED,
    Outcome.HUNG_UP: ContactStatus.NO_CONVERSATION,
    Outcome.NO_CONVERSATION: ContactStatus.NO_CONVERSATION,
    Outcome.VOICEMAIL: ContactStatus.VOICEMAIL,
    Outcome.BUSY: ContactStatus.FAILED,
    Outcome.NO_ANSWER: ContactStatus.FAILED,
    Outcome.FAILED: ContactStatus.FAILED,
    Outcome.CANCELLED: ContactStatus.FAILED,
    Outcome.REJECTED: ContactStatus.FAILED,
}

_OUTCOME_OF_FAILURE: dict[CallStatus, Outcome] = {
    CallStatus.BUSY: Outcome.BUSY,
    CallStatus.NO_ANSWER: Outcome.NO_ANSWER,
    CallStatus.FAILED: Outcome.FAILED,
    CallStatus.CANCELLED: Outcome.CANCELLED,
}


def classify_outcome(status: CallStatus, answered_by: AnsweredBy | None) -> Outcome | None:
    """Classify a call by its carrier status and answered-by value.

    Returns None while the call has not ended. A completed call answered by a
    machine (any Twilio ``machine_*`` detail, or a fax) is `Outcome.VOICEMAIL`;
    any other completed call - human, unknown, or no detection at all, as with
    carriers that do not run answering-machine detection - is
    `Outcome.HUMAN_CONVERSATION`. Finer outcomes (callback, hung up, no
    conversation) come from conversation analysis or a dialect, not the carrier.
    """
    if status is CallStatus.COMPLETED:
        if answered_by is not None and answered_by.is_machine:
            return Outcome.VOICEMAIL
        return Outcome.HUMAN_CONVERSATION
    return _OUTCOME_OF_FAILURE.get(status)


# --------------------------------------------------------------------------- stats buckets

CONTACT_BUCKETS: tuple[str, ...] = (
    "completed",
    "failed",
    "pending",
    "in_progress",
    "busy",
    "no_answer",
)
"""Where a contact is counted in a campaign's stats: the fields of Exotel's ``stats``
object after ``created`` (seed 001), in Exotel's order. Every contact is in exactly
one (`bucket_of`), so they add up to ``created``."""

STATS_FIELDS: tuple[str, ...] = ("created", *CONTACT_BUCKETS)
"""Exotel's ``stats`` object (seed 001), in its order: ``created`` and the buckets. The
engine's ``CampaignCounts`` (the one stats record) and the Exotel dialect's wire
``Stats`` both carry these fields."""

_BUCKET_OF_STATUS: dict[ContactStatus, str] = {
    ContactStatus.QUEUED: "pending",
    ContactStatus.RETRYING: "pending",
    # itellico's *Called*: the call ended but its outcome is still open, so the contact
    # has not been reached or failed yet (seed 002's completion timeout).
    ContactStatus.AWAITING_OUTCOME: "pending",
    ContactStatus.DIALING: "in_progress",
    ContactStatus.SENDING: "in_progress",
    # seed 001: "completed" is "contacts reached (call answered)" - by a person or a
    # machine, so voicemail and no-conversation count; on WhatsApp the message left.
    ContactStatus.ANSWERED: "completed",
    ContactStatus.VOICEMAIL: "completed",
    ContactStatus.NO_CONVERSATION: "completed",
    ContactStatus.CONVERTED: "completed",
    ContactStatus.SENT: "completed",
    ContactStatus.DELIVERED: "completed",
    ContactStatus.READ: "completed",
    ContactStatus.ACCEPTED: "completed",
    ContactStatus.REJECTED: "completed",
    ContactStatus.FAILED: "failed",
}
# seed 001 counts busy and no_answer apart from failed: a failed contact whose last
# attempt was busy / not answered goes there, any other failure stays in failed.
_BUCKET_OF_FAILURE: dict[Outcome | None, str] = {
    Outcome.BUSY: "busy",
    Outcome.NO_ANSWER: "no_answer",
}


def bucket_of(status: ContactStatus, last_outcome: Outcome | None) -> str:
    """The `CONTACT_BUCKETS` field a contact in ``status`` whose last attempt ended with
    ``last_outcome`` is counted in (Exotel's stats, seed 001).

    * ``pending``: queued, retrying, or awaiting its outcome;
    * ``in_progress``: a call (or message) in flight;
    * ``completed``: reached - answered, voicemail, no conversation, converted
      (and on WhatsApp sent, delivered, read, accepted, rejected);
    * ``busy`` / ``no_answer``: failed, and the last attempt was busy / not answered;
    * ``failed``: failed for any other reason (including never reached because
      the campaign was force-completed).

    Raises `KeyError` for a ``status`` that is not a `ContactStatus`.
    """
    bucket = _BUCKET_OF_STATUS[status]
    if bucket == "failed":
        return _BUCKET_OF_FAILURE.get(last_outcome, "failed")
    return bucket


class AmdMode(enum.StrEnum):
    """How a phone campaign detects answering machines (itellico's *AMD Mode*, seed 002).

    The seed offers the two and names no default; campaignkit defaults to
    `TEXT`, the first one listed. The mode is a setting the voice platform
    applies; the rules here read only the resulting `AnsweredBy`.
    """

    TEXT = "text"
    """Text-based detection: the transcript of the greeting is classified."""
    ML = "ml"
    """ML-based detection: a model classifies the audio of the greeting."""


class Direction(enum.StrEnum):
    """Which way a call went (the Altur call export's ``type`` column)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Priority(enum.StrEnum):
    """A contact's dialling priority (itellico: High, Normal, Low)."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for high, 1 for normal, 2 for low: sort ascending to dial high first."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}


class LineStatus(enum.StrEnum):
    """The status of an outbound number (itellico: Active, Disabled, Excluded).

    ``DISABLED`` is set by hand; ``EXCLUDED`` is set automatically when the
    line's spam score passes the rotation policy's threshold.
    """

    ACTIVE = "active"
    DISABLED = "disabled"
    EXCLUDED = "excluded"
