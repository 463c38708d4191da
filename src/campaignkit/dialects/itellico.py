"""itellico (seed 002): campaign, contact, phone-number and goal statuses, rotation strategies,
answer statuses, priorities, and the contact export (CSV with comma or semicolon, and JSON).

itellico's *Called* contact status (the call is over, the outcome waits for the
contact completion timeout) is `ContactStatus.AWAITING_OUTCOME`; *Completed*
is `ContactStatus.ANSWERED`; *Completed* campaigns are finished.

The contact export holds the contact table's columns - Name, Phone Number,
Priority, Status, Tags, Primary Goal, Goal Score, Conversations (count and
total duration), Last Called - and any other column as an attribute. Header
names are matched ignoring case, spaces, ``_`` and ``-`` (``Phone Number``,
``phone_number`` and ``phoneNumber`` are one column).
"""

from __future__ import annotations

import importlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidConfig, InvalidInput
from ..io import MissingColumns, Source
from ..io.contacts import ImportResult, RejectReason, RowCollector, RowRejected
from ..io.text import (
    PhoneNormaliser,
    check_delimiter,
    choose_delimiter,
    is_formula,
    neutralise,
    parse_moment,
    read_rows,
    read_text,
    unneutralise,
    write_csv,
)
from ..models.goals import GoalOutcome
from ..models.records import DEFAULT_TIMEZONE, Contact
from ..policies.billing import format_duration
from ..policies.rotation import RotationStrategy
from ..statuses import AnsweredBy, CampaignStatus, ContactStatus, LineStatus, Outcome, Priority
from . import _bounds as b
from ._vocab import Vocabulary

__all__ = [
    "ANSWER_STATUS",
    "ANSWER_STATUSES",
    "BREAKDOWN_LABELS",
    "CAMPAIGN_STATUS",
    "CONTACT_EXPORT_COLUMNS",
    "CONTACT_STATUS",
    "GOAL_RESULT",
    "LINE_STATUS",
    "PRIORITY",
    "ROTATION_STRATEGY",
    "answer_status",
    "breakdown_label",
    "export_contacts",
    "export_contacts_xlsx",
    "parse_contact_export",
]

CAMPAIGN_STATUS: Vocabulary[CampaignStatus] = Vocabulary(
    "itellico",
    "campaign status",
    {
        "Active": CampaignStatus.ACTIVE,
        "Paused": CampaignStatus.PAUSED,
        "Completed": CampaignStatus.FINISHED,
        "Cancelled": CampaignStatus.CANCELLED,
    },
)
"""Active, Paused, Completed (all contacts processed or ended by hand), Cancelled."""

CONTACT_STATUS: Vocabulary[ContactStatus] = Vocabulary(
    "itellico",
    "contact status",
    {
        "Pending": ContactStatus.QUEUED,
        "Dialing": ContactStatus.DIALING,
        "Called": ContactStatus.AWAITING_OUTCOME,
        "Retry": ContactStatus.RETRYING,
        "Completed": ContactStatus.ANSWERED,
        "Failed": ContactStatus.FAILED,
        "No Conversation": ContactStatus.NO_CONVERSATION,
    },
)
"""The seven contact statuses of the contact table and the dashboard."""

BREAKDOWN_LABELS: tuple[str, ...] = (
    *(label.lower() for label in CONTACT_STATUS.labels),
    "other",
)
"""The rows of itellico's contact status breakdown, as seed 002 writes them (lower
case: pending, dialing, called, retry, completed, failed, no conversation), and
``other`` for statuses itellico has none for (the WhatsApp ones)."""

_BREAKDOWN_LABEL: dict[ContactStatus, str] = {
    status: label.lower() for label, status in CONTACT_STATUS.labels.items()
}
# itellico has no converted status: a converted contact is one whose call completed
# (the goal is a separate column, seed 002).
_BREAKDOWN_LABEL[ContactStatus.CONVERTED] = "completed"
# Nor a voicemail one: seed 002's *No Conversation* is "call connected but no
# conversation occurred", which a machine answering is.
_BREAKDOWN_LABEL[ContactStatus.VOICEMAIL] = "no conversation"


def breakdown_label(status: ContactStatus) -> str:
    """The `BREAKDOWN_LABELS` row a contact in ``status`` is counted in (converted as
    completed, voicemail as no conversation), or ``"other"``. Never raises for a
    `ContactStatus`."""
    return _BREAKDOWN_LABEL.get(status, "other")


LINE_STATUS: Vocabulary[LineStatus] = Vocabulary(
    "itellico",
    "phone number status",
    {"Active": LineStatus.ACTIVE, "Disabled": LineStatus.DISABLED, "Excluded": LineStatus.EXCLUDED},
)
"""Outbound number statuses: Active, Disabled (by hand), Excluded (spam score)."""

GOAL_RESULT: Vocabulary[GoalOutcome] = Vocabulary(
    "itellico",
    "goal result",
    {
        "Achieved": GoalOutcome.ACHIEVED,
        "Partially Achieved": GoalOutcome.PARTIALLY_ACHIEVED,
        "Not Achieved": GoalOutcome.NOT_ACHIEVED,
        "Unknown": GoalOutcome.UNKNOWN,
    },
    {"✓": GoalOutcome.ACHIEVED, "✔": GoalOutcome.ACHIEVED, "✗": GoalOutcome.NOT_ACHIEVED},
)
"""Goal results; the contact table's checkmark and X are read as achieved / not achieved."""

ROTATION_STRATEGY: Vocabulary[RotationStrategy] = Vocabulary(
    "itellico",
    "rotation strategy",
    {
        "Round Robin": RotationStrategy.ROUND_ROBIN,
        "Lowest Spam": RotationStrategy.LOWEST_SPAM,
        "Least Used Today": RotationStrategy.LEAST_USED_TODAY,
        "Weighted": RotationStrategy.WEIGHTED,
    },
)
"""Caller-ID rotation strategies."""

ANSWER_STATUS: Vocabulary[Outcome] = Vocabulary(
    "itellico",
    "answer status",
    {
        "human": Outcome.HUMAN_CONVERSATION,
        "machine": Outcome.VOICEMAIL,
        "no answer": Outcome.NO_ANSWER,
        "rejection": Outcome.REJECTED,
    },
)
"""The dashboard's answer-status rates: human, machine, no answer, rejection."""

ANSWER_STATUSES: tuple[str, ...] = (*ANSWER_STATUS.labels, "other")
"""The rows of the dashboard's answer-status rates (seed 002: human, machine, no
answer, rejection), and ``other`` for finished calls none of them fits (failed,
canceled, silent)."""


def answer_status(outcome: Outcome, answered_by: AnsweredBy | None) -> str:
    """The `ANSWER_STATUSES` row of a finished call with ``outcome`` (seed 002).

    A person who picked up is ``human`` (hung up and callback requests included); a
    voicemail, or a silent call a machine answered, is ``machine``; busy counts as
    ``no answer`` (nobody answered); a declined call is ``rejection``; anything else -
    failed, canceled, a silent call with no machine detected - is ``other``.
    """
    if outcome.human_answered:
        return "human"
    if outcome is Outcome.VOICEMAIL or (
        outcome is Outcome.NO_CONVERSATION and answered_by is not None and answered_by.is_machine
    ):
        return "machine"
    if outcome in (Outcome.NO_ANSWER, Outcome.BUSY):
        return "no answer"
    if outcome is Outcome.REJECTED:
        return "rejection"
    return "other"


PRIORITY: Vocabulary[Priority] = Vocabulary(
    "itellico",
    "priority",
    {"High": Priority.HIGH, "Normal": Priority.NORMAL, "Low": Priority.LOW},
    {"high": Priority.HIGH, "normal": Priority.NORMAL, "low": Priority.LOW},
)
"""Contact priorities (High, Normal, Low)."""

CONTACT_EXPORT_COLUMNS = (
    "Name",
    "Phone Number",
    "Priority",
    "Status",
    "Tags",
    "Primary Goal",
    "Goal Score",
    "Conversations",
    "Conversation Duration",
    "Last Called",
)
"""The contact export's columns as `export_contacts` writes them; attributes follow."""

# Attribute keys the known columns are kept under.
_GOAL, _SCORE, _CONVERSATIONS, _TALK, _LAST_CALLED = (
    "primary_goal",
    "goal_score",
    "conversations",
    "conversation_seconds",
    "last_called",
)
_SQUASH = re.compile(r"[\s_\-]+")


def _key(name: str) -> str:
    return _SQUASH.sub("", name).casefold()


_COLUMN_OF = {_key(c): c for c in (*CONTACT_EXPORT_COLUMNS, "ID", "Contact ID")}
# issue 14: split on the separators alone, then strip - r"\s*[,;|]\s*" backtracked
# over long runs of spaces (a 40 KB cell took 8-11 s).
_TAG_SPLIT = re.compile(r"[,;|]")
_FALSEY_GOAL = {"x": GoalOutcome.NOT_ACHIEVED, "false": GoalOutcome.NOT_ACHIEVED}
_TRUTHY_GOAL = {"true": GoalOutcome.ACHIEVED}


def _goal(value: Any) -> str:
    if type(value) is bool:
        return (GoalOutcome.ACHIEVED if value else GoalOutcome.NOT_ACHIEVED).value
    text = str(value).strip()
    folded = text.casefold()
    if folded in _FALSEY_GOAL:
        return _FALSEY_GOAL[folded].value
    if folded in _TRUTHY_GOAL:
        return _TRUTHY_GOAL[folded].value
    if text in {g.value for g in GoalOutcome}:
        return text
    return GOAL_RESULT.parse(text).value


def _score(value: Any) -> int:
    text = value.strip().removesuffix("%") if isinstance(value, str) else value
    score = b.whole(text, "itellico", "goal score") if type(value) is not bool else -1
    if not 0 <= score <= 100:
        raise b.FieldError("itellico", "goal score", value, "a whole number from 0 to 100")
    return score


def _count(value: Any, what: str) -> int:
    # issue 14: bounded - int() of a 5,000-digit cell raised a bare ValueError
    return b.whole(value, "itellico", what)


def _tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _TAG_SPLIT.split(str(value).strip())
    tags = [t.strip() for t in items if isinstance(t, str) and t.strip()]
    if isinstance(value, list) and len(tags) != len(value):
        raise InvalidInput(f"itellico: tags must be text; got {value!r}")
    return tags


def _contact(
    cells: Mapping[str, Any],
    normaliser: PhoneNormaliser,
    tz: Any,
    csv: bool,
    keys: dict[str, str],
) -> dict[str, Any]:
    """Contact keyword arguments from one record (keys are the original column names).

    ``keys`` caches each name's normalised key for the whole read, so a name is
    normalised once, not once per row.
    """
    kwargs: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    phone_raw: Any = None
    for name, raw in cells.items():
        if not name.strip():
            if raw is None or raw == "" or raw == []:
                continue
            # issue 14: a value under an empty header was dropped without a word
            raise RowRejected(
                RejectReason.UNNAMED_COLUMN, None, str(raw), "value under an empty header"
            )
        key = keys.get(name)
        if key is None:
            key = keys[name] = _key(name)
        column = _COLUMN_OF.get(key)
        value = raw
        if isinstance(value, str) and csv:
            if value[:1] == "'":
                value = unneutralise(value)
            elif column != "Phone Number" and is_formula(value):
                raise RowRejected(
                    RejectReason.FORMULA, name, value, "looks like a spreadsheet formula"
                )
        if column == "Phone Number":
            phone_raw = value
            continue
        if value is None or value == "" or value == []:
            continue
        try:
            if column == "Name":
                kwargs["name"] = str(value)
            elif column in ("ID", "Contact ID"):
                kwargs["id"] = kwargs["external_id"] = str(value).strip()
            elif column == "Priority":
                kwargs["priority"] = PRIORITY.parse(value)
            elif column == "Status":
                kwargs["status"] = CONTACT_STATUS.parse(value)
            elif column == "Tags":
                kwargs["tags"] = _tags(value)
            elif column == "Primary Goal":
                attributes[_GOAL] = _goal(value)
            elif column == "Goal Score":
                attributes[_SCORE] = _score(value)
            elif column == "Conversations":
                attributes[_CONVERSATIONS] = _count(value, "conversations")
            elif column == "Conversation Duration":
                attributes[_TALK] = b.duration(value, "itellico", "conversation duration")
            elif column == "Last Called":
                moment = parse_moment(value, tz)
                if moment is not None:  # kept in its own offset, but must exist in UTC too
                    b.to_utc(moment, "itellico", "last called")
                attributes[_LAST_CALLED] = moment.isoformat() if moment else None
            elif type(value) in (str, int, float, bool):
                attributes[name.strip()] = value
            else:
                raise InvalidInput(f"expected text, a number or a boolean; got {value!r}")
        except InvalidInput as exc:
            raise RowRejected(RejectReason.INVALID_VALUE, name, str(raw), str(exc)) from None
    if phone_raw is None or (isinstance(phone_raw, str) and not phone_raw.strip()):
        raise RowRejected(RejectReason.MISSING_PHONE, "Phone Number", "", "no phone number")
    phone = normaliser.normalise(str(phone_raw).strip())
    if phone is None:
        region = normaliser.region
        raise RowRejected(
            RejectReason.INVALID_PHONE,
            "Phone Number",
            str(phone_raw),
            f"not a valid number (default region {region})",
        )
    kwargs["phone"] = phone
    kwargs.setdefault("id", phone)
    if attributes:
        kwargs["attributes"] = attributes
    return kwargs


def parse_contact_export(
    source: Source,
    *,
    region: str | None = "MX",
    timezone: str = DEFAULT_TIMEZONE,
    delimiter: str | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Read an itellico contact export (CSV with comma or semicolon, or JSON) into contacts.

    Phone numbers become E.164 (national ones read in ``region``); the
    contact id is the ``ID`` column when there is one, else the number. The
    goal and conversation columns are kept as attributes: ``primary_goal``
    (a `GoalOutcome` value), ``goal_score`` (0-100), ``conversations``,
    ``conversation_seconds`` and ``last_called`` (ISO 8601; times without an
    offset read in ``timezone``). Tags are split on commas, semicolons or
    ``|``. Rows are rejected like `import_contacts` rejects them; unknown
    labels are ``invalid-value`` rejections naming itellico and the label.
    """
    normaliser = PhoneNormaliser(region)
    tz = b.zone(timezone)
    out = RowCollector()
    data: Any = source
    if not b.decoded(source):
        text = read_text(source, max_bytes=max_bytes)
        if text.lstrip()[:1] != "[":
            if delimiter is None:
                delimiter = choose_delimiter(text, CONTACT_EXPORT_COLUMNS)
            check_delimiter(delimiter)
            names, _, rows = read_rows(text, delimiter)
            keys = {name: _key(name) for name in names}
            b.refuse_duplicates(names, keys.__getitem__)
            if not any(_COLUMN_OF.get(k) == "Phone Number" for k in keys.values()):
                raise MissingColumns(("Phone Number",), names)
            # Several empty header cells would share one key in the row's dict, so a
            # value under the first could vanish under the second: check them first.
            unnamed = [i for i, name in enumerate(names) if not name.strip()]
            for line, row in rows:
                if len(row) != len(names) and (len(row) < len(names) or any(row[len(names) :])):
                    detail = f"{len(row)} cells; the header has {len(names)}"
                    ragged = RowRejected(RejectReason.RAGGED_ROW, None, delimiter.join(row), detail)
                    out.reject(line, ragged)
                    continue
                lost = next((row[i] for i in unnamed if row[i].strip()), None)
                if lost is not None:
                    detail = "value under an empty header"
                    out.reject(line, RowRejected(RejectReason.UNNAMED_COLUMN, None, lost, detail))
                    continue
                try:
                    cells = dict(zip(names, row, strict=False))
                    kwargs = _contact(cells, normaliser, tz, True, keys)
                except RowRejected as problem:
                    out.reject(line, problem)
                    continue
                out.add(line, "Phone Number", kwargs)
            return ImportResult(tuple(out.contacts), tuple(out.rejected), names, delimiter)
        data = b.load_json(text, max_bytes=None, what="itellico contact export")
    if not isinstance(data, list):
        raise InvalidInput("itellico: a JSON contact export must be an array of objects")
    seen: dict[str, None] = {}  # a dict, not a list: issue 14 found the list quadratic
    for record in data:
        if isinstance(record, dict):
            seen.update(dict.fromkeys(k for k in record if isinstance(k, str)))
    json_keys = {name: _key(name) for name in seen}
    b.refuse_duplicates(seen, json_keys.__getitem__)
    for position, record in enumerate(data, 1):
        if not isinstance(record, dict):
            bad = RowRejected(
                RejectReason.INVALID_VALUE, None, b.shown(record), "not a JSON object"
            )
            out.reject(position, bad)
            continue
        try:
            b.check_tree(record, "itellico", "contact")
        except InvalidInput as exc:
            out.reject(position, RowRejected(RejectReason.INVALID_VALUE, None, "", str(exc)))
            continue
        try:
            kwargs = _contact(record, normaliser, tz, False, json_keys)
        except RowRejected as problem:
            out.reject(position, problem)
            continue
        out.add(position, "Phone Number", kwargs)
    return ImportResult(tuple(out.contacts), tuple(out.rejected), tuple(seen), "")


def _goal_label(value: Any) -> Any:
    if isinstance(value, str) and value in {g.value for g in GoalOutcome}:
        return GOAL_RESULT.label(GoalOutcome(value))
    return value


def export_contacts(contacts: Iterable[Contact], *, fmt: str = "csv", delimiter: str = ",") -> str:
    """``contacts`` as an itellico contact export (`CONTACT_EXPORT_COLUMNS`, then attributes).

    The goal and conversation attributes `parse_contact_export` fills go back
    to their columns (durations as ``MM:SS``); CSV cells are neutralised
    against formulas except the phone numbers. ``fmt`` is ``"csv"`` or
    ``"json"``. Raises `InvalidInput` for a status itellico cannot express
    (``sending`` and the other WhatsApp states, ``voicemail``, ``converted``).
    """
    if fmt not in ("csv", "json"):
        raise InvalidConfig("fmt", "'csv' or 'json'", fmt)
    check_delimiter(delimiter)
    header, records = _table(contacts, fmt)
    if fmt == "json":
        return json.dumps(
            [dict(zip(header, r, strict=True)) for r in records], ensure_ascii=False, indent=2
        )
    rows = (
        [
            value if name == "Phone Number" else neutralise("" if value is None else str(value))
            for name, value in zip(header, r, strict=True)
        ]
        for r in records
    )
    # issue 14: write_csv neutralises header cells too (an attribute may look like a formula)
    return write_csv(header, rows, delimiter)


def _table(contacts: Iterable[Contact], fmt: str) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The export's header and one list of values per contact (tags joined unless JSON)."""
    chosen = list(contacts)
    special = {_GOAL, _SCORE, _CONVERSATIONS, _TALK, _LAST_CALLED}
    extra = sorted({k for c in chosen for k in c.attributes if k not in special})
    header = (*CONTACT_EXPORT_COLUMNS, *(["ID"] if any(c.external_id for c in chosen) else []))
    header = (*header, *extra)
    records: list[list[Any]] = []
    for c in chosen:
        talk = c.attributes.get(_TALK)
        record: list[Any] = [
            c.name,
            c.phone,
            PRIORITY.label(c.priority),
            CONTACT_STATUS.label(c.status),
            ", ".join(sorted(c.tags)) if fmt == "csv" else sorted(c.tags),
            _goal_label(c.attributes.get(_GOAL)),
            c.attributes.get(_SCORE),
            c.attributes.get(_CONVERSATIONS),
            format_duration(talk) if type(talk) is int else talk,
            c.attributes.get(_LAST_CALLED),
        ]
        if "ID" in header:
            record.append(c.external_id)
        record.extend(c.attributes.get(k) for k in extra)
        records.append(record)
    return header, records


_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def export_contacts_xlsx(contacts: Iterable[Contact], *, sheet: str = "Contacts") -> bytes:
    """``contacts`` as an itellico Excel export (``.xlsx``, seed 002), returned as bytes.

    The same columns as the CSV export (`CONTACT_EXPORT_COLUMNS`, ``ID``, then
    attributes). Every text cell is written as text, never as a formula, and
    formula-looking text is neutralised exactly as in the CSV export (a
    leading ``'``), headers included; numbers stay numbers. Needs the
    optional ``xlsx`` extra (``pip install campaignkit[xlsx]``, openpyxl).
    Nothing is written to disk: save the bytes where you like.

    Raises `InvalidConfig` when openpyxl is not installed or ``sheet`` is not
    a valid sheet name, `InvalidInput` for a status itellico cannot express
    or text Excel cannot hold (control characters, lone surrogates).
    """
    try:
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError:
        raise InvalidConfig(
            "xlsx export", "available: pip install 'campaignkit[xlsx]' (openpyxl)", "missing"
        ) from None
    if not isinstance(sheet, str) or not 0 < len(sheet) <= 31 or set(sheet) & set("[]:*?/\\"):
        raise InvalidConfig("sheet", "1-31 characters, none of []:*?/\\", sheet)
    header, records = _table(contacts, "csv")
    book = openpyxl.Workbook()
    page = book.active
    page.title = sheet
    for row, values in enumerate([list(header), *records], 1):
        for column, (name, value) in enumerate(zip(header, values, strict=True), 1):
            if value is None:
                continue
            cell = page.cell(row=row, column=column)
            if type(value) in (int, float) and row > 1:
                cell.value = value
                continue
            text = str(value) if name == "Phone Number" and row > 1 else neutralise(str(value))
            if _XLSX_ILLEGAL.search(text):
                raise b.FieldError(
                    "itellico", name, text, "text without control characters or lone surrogates"
                )
            cell.value = text
            cell.data_type = "s"  # text, whatever it looks like: openpyxl reads '=...' as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
