"""Every status label in the five seed documents, with the canonical value it means,
and the seeds' worked examples.

These are test vectors: the foundation tests check that each canonical value
exists, and the dialect tests check that each vendor's parser agrees. They are
written out from the seed text on purpose, not imported from the dialects: a
table copied from the code under test would check nothing. The examples have one
home here, so the io, dialect, fuzz and command-line tests share them.
"""

from __future__ import annotations

from campaignkit import AnsweredBy, CallStatus, CampaignStatus, ContactStatus, Outcome, Priority
from campaignkit.models import GoalOutcome
from campaignkit.policies.rotation import RotationStrategy
from campaignkit.statuses import LineStatus

# Seed 000 (Altur results export) and 004 (Altur set-up).
ALTUR_CONTACT_STATUS = {
    "queue": ContactStatus.QUEUED,
    # "sending" is common to both channels: dialing on calls, sending on WhatsApp.
    "sending": (ContactStatus.DIALING, ContactStatus.SENDING),
    "failed": ContactStatus.FAILED,
    "retrying": ContactStatus.RETRYING,
    "converted": ContactStatus.CONVERTED,
    "voicemail": ContactStatus.VOICEMAIL,
    "answered": ContactStatus.ANSWERED,
    "sent": ContactStatus.SENT,
    "delivered": ContactStatus.DELIVERED,
    "read": ContactStatus.READ,
    "accepted": ContactStatus.ACCEPTED,
    "rejected": ContactStatus.REJECTED,
    # Deprecated labels, legacy data before December 2025.
    "no-answer": ContactStatus.FAILED,
    "busy": ContactStatus.FAILED,
    "unreachable": ContactStatus.FAILED,
}
ALTUR_CALL_STATUS = {
    "created": CallStatus.CREATED,
    "queued": CallStatus.QUEUED,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "forwarding": CallStatus.FORWARDING,
    "ended": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
}
ALTUR_ANSWERED_BY = {
    "human": AnsweredBy.HUMAN,
    "machine": AnsweredBy.MACHINE,
    "unknown": AnsweredBy.UNKNOWN,
}
ALTUR_CAMPAIGN_STATUS = {
    "pending": CampaignStatus.PENDING,
    "ready": CampaignStatus.READY,
    "active": CampaignStatus.ACTIVE,
    "inactive": CampaignStatus.PAUSED,
    "cooldown": CampaignStatus.COOLDOWN,
    "finished": CampaignStatus.FINISHED,
}

# Seed 001 (Exotel reports).
EXOTEL_CALL_STATUS = {
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELLED,
}
EXOTEL_CATEGORY = {  # status -> category (success / retriable / terminal)
    "completed": "success",
    "busy": "retriable",
    "no-answer": "retriable",
    "failed": "terminal",
    "canceled": "terminal",
}
EXOTEL_CAMPAIGN_STATUS = {
    "Completed": CampaignStatus.FINISHED,
    "Paused": CampaignStatus.PAUSED,
    # Not in seed 001, from Exotel's campaign API (the statuses its actions move between):
    # "Created" is accepted and waiting for its start time, "InProgress" is running.
    "Created": CampaignStatus.SCHEDULED,
    "InProgress": CampaignStatus.ACTIVE,
    "Canceled": CampaignStatus.CANCELLED,
}

# Seed 002 (itellico).
ITELLICO_CAMPAIGN_STATUS = {
    "Active": CampaignStatus.ACTIVE,
    "Paused": CampaignStatus.PAUSED,
    "Completed": CampaignStatus.FINISHED,
    "Cancelled": CampaignStatus.CANCELLED,
}
ITELLICO_CONTACT_STATUS = {
    "Pending": ContactStatus.QUEUED,
    "Dialing": ContactStatus.DIALING,
    "Called": ContactStatus.AWAITING_OUTCOME,
    "Retry": ContactStatus.RETRYING,
    "Completed": ContactStatus.ANSWERED,
    "Failed": ContactStatus.FAILED,
    "No Conversation": ContactStatus.NO_CONVERSATION,
}
ITELLICO_LINE_STATUS = {
    "Active": LineStatus.ACTIVE,
    "Disabled": LineStatus.DISABLED,
    "Excluded": LineStatus.EXCLUDED,
}
ITELLICO_GOAL_RESULT = {
    "Achieved": GoalOutcome.ACHIEVED,
    "Partially Achieved": GoalOutcome.PARTIALLY_ACHIEVED,
    "Not Achieved": GoalOutcome.NOT_ACHIEVED,
    "Unknown": GoalOutcome.UNKNOWN,
}
ITELLICO_ROTATION_STRATEGY = {
    "Round Robin": RotationStrategy.ROUND_ROBIN,
    "Lowest Spam": RotationStrategy.LOWEST_SPAM,
    "Least Used Today": RotationStrategy.LEAST_USED_TODAY,
    "Weighted": RotationStrategy.WEIGHTED,
}
ITELLICO_PRIORITY = {
    "High": Priority.HIGH,
    "Normal": Priority.NORMAL,
    "Low": Priority.LOW,
}
ITELLICO_ANSWER_STATUS = {  # dashboard answer-status rates
    "human": Outcome.HUMAN_CONVERSATION,
    "machine": Outcome.VOICEMAIL,
    "no answer": Outcome.NO_ANSWER,
    "rejection": Outcome.REJECTED,
}

# Seed 003 (thinkrr AVA).
THINKRR_CAMPAIGN_STATUS = {
    "Not Started": CampaignStatus.READY,
    "Started": CampaignStatus.SCHEDULED,
    "Executed": CampaignStatus.ACTIVE,
    "Paused": CampaignStatus.PAUSED,
    "Complete": CampaignStatus.FINISHED,
}
THINKRR_OUTCOME = {
    "Completed": Outcome.HUMAN_CONVERSATION,
    "No Answer": Outcome.NO_ANSWER,
    "No Message": Outcome.NO_CONVERSATION,
    "Left Message": Outcome.VOICEMAIL,
    "User Hung Up": Outcome.HUNG_UP,
    "Callback": Outcome.CALLBACK_REQUESTED,
    "Issue Dialing": Outcome.FAILED,
    "Failed": Outcome.FAILED,
}

# Twilio (named by DESIGN.md and the issues; AnsweredBy detail kept).
TWILIO_CALL_STATUS = {
    "queued": CallStatus.QUEUED,
    "initiated": CallStatus.CREATED,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELLED,
}
TWILIO_ANSWERED_BY = {
    "human": AnsweredBy.HUMAN,
    "machine_start": AnsweredBy.MACHINE_START,
    "machine_end_beep": AnsweredBy.MACHINE_END_BEEP,
    "machine_end_silence": AnsweredBy.MACHINE_END_SILENCE,
    "machine_end_other": AnsweredBy.MACHINE_END_OTHER,
    "fax": AnsweredBy.FAX,
    "unknown": AnsweredBy.UNKNOWN,
}

ALL_TABLES = {
    name: table
    for name, table in globals().items()
    if name.isupper() and isinstance(table, dict) and name != "EXOTEL_CATEGORY"
}


# --------------------------------------------------------------------------- seed examples
# Below ALL_TABLES on purpose: examples are not label tables.

SEED_001_CDR: dict[str, object] = {
    "call_sid": "a1b2c3d4e5f6",
    "to": "+919876543210",
    "from": "0XXXXXX4890",
    "status": "completed",
    "start_time": "2024-02-01T10:05:32+05:30",
    "end_time": "2024-02-01T10:06:15+05:30",
    "duration": 43,
    "recording_url": "https://example.com/r.mp3",  # the seed writes "https://..."
    "attempt_number": 1,
    "price": 2,
}
"""Seed 001's CDR record (the table's example column)."""

SEED_004_UPLOAD = """contact,name,context,id,override_agent_name,override_agent_voice_id
+5215555551234,Juan Pérez,"Amount: $1,500. Due: June 5",123,Inés,female_voice
+5215555555678,Ana Gómez,"Amount: $900. Due: June 7",124,Andres,male_voice
+5215555559012,Carlos Ruiz,"Amount: $2,300. Due: June 6",125,Inés,female_voice
"""
"""Seed 004's "Example of a valid file", verbatim."""
