"""Vendor dialects: each vendor's labels, records and payloads in the canonical vocabulary.

One module per vendor, each mapping its labels - current and legacy - to and
from the canonical enums (`Vocabulary` objects with ``parse`` and ``label``),
and reading its records into canonical `Call`/`Contact`/`Campaign` records:

* `altur` - contact, call and results exports (seed 000), campaign statuses;
* `exotel` - campaign stats, CDR pages, the three webhooks (seed 001);
* `itellico` - campaign, contact, goal and number statuses, rotation
  strategies, the contact export in CSV and JSON (seed 002);
* `thinkrr` - campaign statuses and call outcomes (seed 003);
* `twilio` - call statuses, AnsweredBy detail, status callbacks.

Each dialect has a reader for reports that returns a `CallReadResult` (the
calls, and every rejected row as a `campaignkit.io.Rejection`):
`altur.read_calls`, `exotel.read_cdrs`, `thinkrr.read_call_log`,
`twilio.read_call_log` and `twilio.read_status_callbacks`; itellico's
contact export and Exotel's dashboard export read into an `ImportResult`.
Hostile values - integers past 18 digits, dates that leave the calendar,
folder-named zones, lone surrogates, deep JSON - give typed errors or
rejected rows, never a bare `ValueError` or `OverflowError`.

An unknown label raises `InvalidInput` naming the dialect and the label; a
canonical value a vendor cannot express raises `InvalidInput` too. Neither
ever falls back to a default.
"""

from . import altur, exotel, itellico, thinkrr, twilio
from ._result import CallReadResult
from ._vocab import Vocabulary

DIALECTS = ("altur", "exotel", "itellico", "thinkrr", "twilio")
"""The names of the dialect modules."""

__all__ = [
    "DIALECTS",
    "CallReadResult",
    "Vocabulary",
    "altur",
    "exotel",
    "itellico",
    "thinkrr",
    "twilio",
]
