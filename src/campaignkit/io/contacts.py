"""Contact import: upload files (seed 004) and contact or results exports (seed 000).

Every row either becomes a contact or is rejected with its line number, the
offending value and a reason code; problems with the whole input (too large,
undecodable, no header, missing required columns) raise typed errors. Nothing
here opens a file: pass text, bytes, a file object or lines.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import tzinfo
from typing import Any, Unpack

import attrs

from .._fields import is_e164, replacer
from .._frozen import EMPTY, freeze
from ..errors import InvalidConfig, InvalidInput
from ..models.records import DEFAULT_TIMEZONE, Contact
from ..statuses import Channel, Outcome, Priority
from ._csv import CELL_LIMIT, header_key, open_rows
from ._errors import DuplicateColumns, MalformedInput, MissingColumns
from ._labels import CANONICAL, Labels, parse_label
from ._phone import PhoneNormaliser
from ._safe import is_formula, unneutralise
from ._source import (
    DEFAULT_MAX_BYTES,
    ContactReadOptions,
    Formulas,
    OversizedNumber,
    Source,
    check_options,
    has_lone_surrogate,
    is_decoded,
    iter_lines,
    load_json,
    peek_json,
)
from ._values import parse_bool, parse_count, parse_moment, shown, zone

__all__ = [
    "REQUIRED_COLUMNS",
    "UPLOAD_COLUMNS",
    "ContactStream",
    "ImportResult",
    "RejectReason",
    "Rejection",
    "count_rejections",
    "import_contacts",
    "iter_contacts",
    "read_contact_export",
    "rejection_report",
]

REQUIRED_COLUMNS = ("contact", "name", "context")
"""The columns an upload file must have (seed 004)."""

UPLOAD_COLUMNS = (*REQUIRED_COLUMNS, "id", "override_agent_name", "override_agent_voice_id")
"""The upload file's columns in the seed's order; ``priority`` (itellico) may follow."""


class RejectReason(enum.StrEnum):
    """Why a row was not imported."""

    MISSING_PHONE = "missing-phone"
    """The ``contact`` cell is empty."""
    INVALID_PHONE = "invalid-phone"
    """The ``contact`` cell is not a valid phone number for the default region."""
    PHONE_EXTENSION = "phone-extension"
    """The number has an extension, which E.164 cannot carry."""
    DUPLICATE_PHONE = "duplicate-phone"
    """Another row already has this number (after normalisation)."""
    DUPLICATE_ID = "duplicate-id"
    """Another row already has this ``id``."""
    RAGGED_ROW = "ragged-row"
    """The row has a different number of cells than the header."""
    FORMULA = "formula"
    """A cell a spreadsheet would run as a formula (with ``formulas="reject"``)."""
    INVALID_VALUE = "invalid-value"
    """A cell that does not parse: a priority, status, count, date or flag."""
    UNNAMED_COLUMN = "unnamed-column"
    """A value under a column whose header is empty (it would be lost)."""
    CELL_TOO_LARGE = "cell-too-large"
    """A cell over `CELL_LIMIT` characters (128 Ki); the other rows are still read."""


@attrs.frozen
class Rejection:
    """One row that was not imported, and why.

    ``line`` is the row's first line in the file (1 is the header); for JSON
    input it is the record's 1-based position in the array.
    """

    line: int
    reason: RejectReason
    column: str | None
    """The header name of the offending cell, or None for whole-row problems."""
    value: str
    """The offending value as it appeared (the whole row, joined, for ragged rows)."""
    detail: str = ""
    """A sentence for people, e.g. ``"same number as line 3"``."""

    def __str__(self) -> str:
        where = f" in {self.column!r}" if self.column else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"line {self.line}: {self.reason.value}{where}: {self.value!r}{detail}"


@attrs.frozen(repr=False)
class ImportResult:
    """What an import produced: the contacts, every rejected row, and how the input was read."""

    contacts: tuple[Contact, ...]
    rejected: tuple[Rejection, ...]
    columns: tuple[str, ...]
    """The header as read (names trimmed)."""
    delimiter: str
    """The delimiter used, given or detected (``""`` for JSON input)."""

    @property
    def rows(self) -> int:
        """Data rows read: imported plus rejected (blank lines are not rows)."""
        return len(self.contacts) + len(self.rejected)

    def counts(self) -> dict[RejectReason, int]:
        """Rejected rows per reason, for reports."""
        return count_rejections(self.rejected)

    def report(self) -> str:
        """A short text report: totals, then one line per rejected row."""
        totals = f"{len(self.contacts)} imported, {len(self.rejected)} rejected of {self.rows} rows"
        return rejection_report(totals, self.rejected)

    def __repr__(self) -> str:
        return (
            f"ImportResult(contacts={len(self.contacts)}, rejected={len(self.rejected)}, "
            f"delimiter={self.delimiter!r})"
        )


def count_rejections(rejected: Iterable[Rejection]) -> dict[RejectReason, int]:
    """Rejected rows per reason, in the order the reasons first occur.

    The one tally behind `ImportResult.counts` and the dialects'
    ``CallReadResult.counts``. Never raises for `Rejection` records.
    """
    out: dict[RejectReason, int] = {}
    for rejection in rejected:
        out[rejection.reason] = out.get(rejection.reason, 0) + 1
    return out


def rejection_report(totals: str, rejected: Iterable[Rejection]) -> str:
    """A short text report: the ``totals`` line, then one line per rejected row.

    The one layout behind `ImportResult.report` and the dialects'
    ``CallReadResult.report``. Never raises.
    """
    return "\n".join([totals, *(str(r) for r in rejected)])


# --------------------------------------------------------------------------- columns

# What each known column does. Small ints keep the per-cell dispatch cheap.
_EXTERNAL_ID, _AGENT, _VOICE, _PRIORITY, _NAME, _CONTEXT = range(6)
_ATTRIBUTE, _UNNAMED, _IGNORED = 6, 7, 8
_STATUS, _RETRIES, _CALLS, _LAST_UPDATE, _FOLLOW_UP, _TAG, _FIELD = range(9, 16)
_CONTACT_ID, _FAILED_RETRIES, _CYCLE, _ATTEMPTS, _NEXT_AT, _LAST_OUTCOME, _LINE_ID = range(16, 23)

_UPLOAD_KINDS = {
    "id": _EXTERNAL_ID,
    "name": _NAME,
    "context": _CONTEXT,
    "override_agent_name": _AGENT,
    "override_agent_voice_id": _VOICE,
    "priority": _PRIORITY,
}
_EXPORT_KINDS = {
    **_UPLOAD_KINDS,
    "campaign_name": _IGNORED,
    "campaign_date": _IGNORED,
    "billed_duration": _IGNORED,
    "status": _STATUS,
    "retries": _RETRIES,
    "calls": _CALLS,
    "last_update": _LAST_UPDATE,
    "follow_up": _FOLLOW_UP,
    "contact_id": _CONTACT_ID,
    "failed_retries": _FAILED_RETRIES,
    "cycle": _CYCLE,
    "attempts": _ATTEMPTS,
    "next_attempt_at": _NEXT_AT,
    "last_outcome": _LAST_OUTCOME,
    "line_id": _LINE_ID,
}
_TEXT_FIELDS = {_NAME: "name", _CONTEXT: "context"}
_OPTIONAL_TEXT = {_EXTERNAL_ID: "external_id", _AGENT: "agent_name", _VOICE: "voice_id"}
_COUNT_FIELDS = {
    _RETRIES: "retries",
    _CALLS: "attempts",
    _FAILED_RETRIES: "failed_retries",
    _CYCLE: "cycle",
    _ATTEMPTS: "attempts",
}
_PRIORITIES = {p.value: p for p in Priority}
# First characters that call for a closer look: formula triggers, an export's
# apostrophe, and any whitespace (" =HYPERLINK(...)" is a formula after trimming).
_STARTERS = frozenset("=+-@\t\r'") | frozenset(
    c for c in map(chr, range(0x3000 + 1)) if c.isspace()
)
_SCALARS = (str, int, float, bool)


class RowRejected(Exception):
    """A row is rejected: raised by the row checks, caught by the reader, which adds the
    line and records a `Rejection` (readers of vendor files reuse it)."""

    def __init__(self, reason: RejectReason, column: str | None, value: str, detail: str) -> None:
        self.reason = reason
        self.column = column
        self.value = value
        self.detail = detail


@attrs.frozen
class _Options:
    normaliser: PhoneNormaliser
    formulas: Formulas
    labels: Labels
    channel: Channel
    tz: tzinfo
    csv: bool = True
    """Cells come from CSV: undo neutralisation and check formulas (JSON is taken as typed)."""


def _check_formulas(formulas: object) -> Formulas:
    if formulas not in ("reject", "keep"):
        raise InvalidConfig("formulas", "'reject' or 'keep'", formulas)
    return formulas


def _plan(
    names: Sequence[str], kinds: Mapping[str, int], tags: Sequence[str], fields: Sequence[str]
) -> tuple[int, list[tuple[int, int, str]]]:
    """The index of the ``contact`` column and (index, kind, name) for every other column."""
    keys = [header_key(n) for n in names]
    if len(set(keys)) != len(keys):  # JSON keys "name" and "Name" (CSV headers are checked on read)
        seen: set[str] = set()
        twice: dict[str, None] = {}
        for name, key in zip(names, keys, strict=True):
            if key in seen:
                twice[name] = None
            seen.add(key)
        raise DuplicateColumns(tuple(twice))
    missing = tuple(c for c in REQUIRED_COLUMNS if c not in keys)
    if missing:
        raise MissingColumns(missing, tuple(names))
    tag_names = {header_key(t): t for t in tags}
    field_names = {header_key(f): f for f in fields}
    both = sorted(set(tag_names) & set(field_names))
    if both:
        raise InvalidInput(f"column(s) {both} named both as tags and as extracted fields")
    phone_index = keys.index("contact")
    plan: list[tuple[int, int, str]] = []
    for index, (name, key) in enumerate(zip(names, keys, strict=True)):
        if index == phone_index:
            continue
        if not name:
            plan.append((index, _UNNAMED, ""))
        elif key in kinds:
            plan.append((index, kinds[key], name))
        elif key in tag_names:
            plan.append((index, _TAG, tag_names[key]))
        elif key in field_names:
            plan.append((index, _FIELD, field_names[key]))
        else:
            plan.append((index, _ATTRIBUTE, name))
    # An explicit `attempts` column wins over Altur's `calls`.
    if any(kind == _ATTEMPTS for _, kind, _ in plan):
        plan = [(i, _IGNORED if k == _CALLS else k, n) for i, k, n in plan]
    return phone_index, plan


def _text(value: Any, column: str, options: _Options) -> Any:
    """A cell as text: un-neutralised, and checked for formulas (CSV only)."""
    if type(value) is not str or not options.csv:
        return value
    if value and value[0] in _STARTERS:
        if value[0] == "'":
            return unneutralise(value)
        if options.formulas == "reject" and is_formula(value):
            raise RowRejected(
                RejectReason.FORMULA, column, value, "looks like a spreadsheet formula"
            )
    return value


def _build(
    phone: str,
    cells: Iterator[tuple[int, str, Any]],
    options: _Options,
) -> dict[str, Any]:
    """Contact keyword arguments from the non-phone cells of one row."""
    kwargs: dict[str, Any] = {"phone": phone}
    attributes: dict[str, Any] = {}
    extracted: dict[str, Any] = {}
    tags: list[str] = []
    for kind, name, raw in cells:
        if kind == _IGNORED:
            continue
        if raw is None or raw == "":
            if kind in _TEXT_FIELDS:
                kwargs[_TEXT_FIELDS[kind]] = ""
            continue
        if kind == _UNNAMED:
            raise RowRejected(
                RejectReason.UNNAMED_COLUMN, None, str(raw), "value under an empty header"
            )
        value = _text(raw, name, options)
        try:
            if kind in _TEXT_FIELDS:
                if type(value) is not str:
                    raise InvalidInput(f"expected text; got {value!r}")
                kwargs[_TEXT_FIELDS[kind]] = value
            elif kind in _OPTIONAL_TEXT:
                text = str(value).strip() if kind == _EXTERNAL_ID else str(value)
                if text:
                    kwargs[_OPTIONAL_TEXT[kind]] = text
            elif kind in (_ATTRIBUTE, _FIELD):
                if type(value) not in _SCALARS:
                    raise InvalidInput(f"expected text, a number or a boolean; got {value!r}")
                (attributes if kind == _ATTRIBUTE else extracted)[name] = value
            elif kind == _TAG:
                if parse_bool(value):
                    tags.append(name)
            elif kind == _PRIORITY:
                key = str(value).strip().casefold()
                if key:
                    if key not in _PRIORITIES:
                        raise InvalidInput("expected high, normal or low")
                    kwargs["priority"] = _PRIORITIES[key]
            elif kind == _STATUS:
                kwargs["status"] = options.labels.contact_status(
                    str(value).strip(), options.channel
                )
            elif kind in _COUNT_FIELDS:
                kwargs[_COUNT_FIELDS[kind]] = parse_count(value)
            elif kind == _FOLLOW_UP:
                kwargs["follow_up"] = parse_bool(value)
            elif kind == _LAST_UPDATE:
                kwargs["updated_at"] = parse_moment(value, options.tz)
            elif kind == _NEXT_AT:
                kwargs["next_attempt_at"] = parse_moment(value, options.tz)
            elif kind == _LAST_OUTCOME:
                kwargs["last_outcome"] = parse_label(
                    Outcome, str(value).strip(), options.labels.name, "outcome"
                )
            elif kind == _CONTACT_ID:
                kwargs["id"] = str(value)
            elif kind == _LINE_ID:
                kwargs["line_id"] = str(value)
        except InvalidInput as exc:
            raise RowRejected(RejectReason.INVALID_VALUE, name, str(raw), str(exc)) from None
    if attributes:
        kwargs["attributes"] = attributes
    if extracted:
        kwargs["extracted"] = extracted
    if tags:
        kwargs["tags"] = tags
    if "id" not in kwargs:
        kwargs["id"] = kwargs.get("external_id") or phone
    return kwargs


class RowCollector:
    """Deduplicates and keeps contacts and rejections in input order."""

    __slots__ = ("by_id", "by_phone", "contacts", "rejected")

    def __init__(self) -> None:
        self.contacts: list[Contact] = []
        self.rejected: list[Rejection] = []
        self.by_phone: dict[str, int] = {}
        self.by_id: dict[str, int] = {}

    def drain(self) -> Iterator[Contact | Rejection]:
        """What was added since the last drain (one row adds one item), then forget it."""
        if self.contacts:
            yield from self.contacts
            self.contacts.clear()
        if self.rejected:
            yield from self.rejected
            self.rejected.clear()

    def reject(self, line: int, problem: RowRejected) -> None:
        self.rejected.append(
            Rejection(line, problem.reason, problem.column, problem.value, problem.detail)
        )

    def add(self, line: int, phone_column: str, kwargs: dict[str, Any]) -> None:
        phone = kwargs["phone"]
        first = self.by_phone.get(phone)
        if first is not None:
            self.rejected.append(
                Rejection(
                    line,
                    RejectReason.DUPLICATE_PHONE,
                    phone_column,
                    phone,
                    f"same number as line {first}",
                )
            )
            return
        contact_id = kwargs["id"]
        first = self.by_id.get(contact_id)
        if first is not None:
            self.rejected.append(
                Rejection(
                    line, RejectReason.DUPLICATE_ID, "id", contact_id, f"same id as line {first}"
                )
            )
            return
        try:
            contact = Contact(**kwargs)
        except InvalidInput as exc:  # pragma: no cover - every field was checked above
            self.rejected.append(Rejection(line, RejectReason.INVALID_VALUE, None, "", str(exc)))
            return
        self.by_phone[phone] = line
        self.by_id[contact_id] = line
        self.contacts.append(contact)


def _phone(raw: Any, column: str, normaliser: PhoneNormaliser) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RowRejected(RejectReason.MISSING_PHONE, column, "", "no phone number")
    if not isinstance(raw, str):
        raise RowRejected(RejectReason.INVALID_PHONE, column, repr(raw), "not text")
    phone = normaliser.normalise(raw.strip())
    if phone is None:
        if normaliser.has_extension(raw):
            raise RowRejected(RejectReason.PHONE_EXTENSION, column, raw, "E.164 has no extensions")
        region = normaliser.region
        raise RowRejected(
            RejectReason.INVALID_PHONE, column, raw, f"not a valid number (default region {region})"
        )
    return phone


# Building a `Contact` runs ~20 validators and converters (~6 µs); the upload
# path checks its own few values as it reads them (strings from the CSV reader,
# E.164 from the normaliser, a Priority member, a frozen map with non-empty
# string keys) and fills a validated template instead - the foundation's
# `replacer`, made for hot paths like this one.
_TEMPLATE = Contact(id="template", phone="+10000000")
_fill = replacer(
    Contact,
    "id",
    "phone",
    "name",
    "context",
    "external_id",
    "agent_name",
    "voice_id",
    "priority",
    "attributes",
)


class ContactStream(Iterator["Contact | Rejection"]):
    """Contacts and rejections read one row at a time, in file order (`iter_contacts`).

    ``columns`` and ``delimiter`` are known as soon as the stream exists (the
    header has been read). Iterating yields each row's `Contact` or
    `Rejection`; it raises `InputTooLarge`, `UndecodableInput` or
    `MalformedInput` when the input goes bad part-way.
    """

    __slots__ = ("_rows", "columns", "delimiter")

    def __init__(
        self, columns: tuple[str, ...], delimiter: str, rows: Iterator[Contact | Rejection]
    ) -> None:
        self.columns = columns
        self.delimiter = delimiter
        self._rows = rows

    def __iter__(self) -> ContactStream:
        return self

    def __next__(self) -> Contact | Rejection:
        return next(self._rows)

    def collect(self) -> ImportResult:
        """Everything left in the stream, as an `ImportResult`."""
        contacts: list[Contact] = []
        rejected: list[Rejection] = []
        keep_contact, keep_rejection = contacts.append, rejected.append
        for item in self._rows:
            if type(item) is Rejection:
                keep_rejection(item)
            else:
                keep_contact(item)  # type: ignore[arg-type]
        return ImportResult(tuple(contacts), tuple(rejected), self.columns, self.delimiter)


def _oversized(line: int) -> Rejection:
    return Rejection(
        line,
        RejectReason.CELL_TOO_LARGE,
        None,
        "",
        f"a cell is longer than {CELL_LIMIT:,} characters",
    )


def _iter_upload(
    names: tuple[str, ...],
    rows: Iterator[tuple[int, list[str]]],
    plan: list[tuple[int, int, str]],
    phone_index: int,
    delimiter: str,
    options: _Options,
    pending: list[int],
) -> Iterator[Contact | Rejection]:
    """The upload loop: `_iter_rows` specialised for the seed-004 columns."""
    index = {kind: i for i, kind, _ in plan if kind != _ATTRIBUTE and kind != _UNNAMED}
    i_name, i_context = index[_NAME], index[_CONTEXT]
    i_id, i_agent = index.get(_EXTERNAL_ID), index.get(_AGENT)
    i_voice, i_priority = index.get(_VOICE), index.get(_PRIORITY)
    attribute_plan = [(i, n) for i, k, n in plan if k == _ATTRIBUTE]
    unnamed = [i for i, k, _ in plan if k == _UNNAMED]
    text_plan = [(i, n) for i, k, n in plan if k not in (_UNNAMED, _PRIORITY)]
    phone_column = names[phone_index]
    width = len(names)
    normalise = options.normaliser.normalise
    keep_formulas = options.formulas == "keep"
    normal = Priority.NORMAL
    # Numbers seen, keyed by their digits as an int (32 bytes, not a 60-byte str:
    # at a million rows the dedup tables are most of a stream's memory).
    by_phone: dict[int, int] = {}
    by_id: dict[int | str, int] = {}
    for line, row in rows:
        if pending:
            yield from map(_oversized, pending)
            pending.clear()
        try:
            if len(row) != width:
                if len(row) > width and not any(row[width:]):
                    row = row[:width]  # trailing empty cells, as spreadsheets write them
                else:
                    detail = f"{len(row)} cells; the header has {width}"
                    joined = delimiter.join(row)
                    raise RowRejected(RejectReason.RAGGED_ROW, None, joined, detail)
            raw = row[phone_index]
            phone = normalise(raw.strip()) if raw else None
            # The normaliser gives "+" and digits with a non-zero country code, so
            # the E.164 shape is only a matter of length (8 to 16 characters).
            if phone is None or not 8 <= len(phone) <= 16:
                phone = _phone(raw, phone_column, options.normaliser)  # raises the reason
                if not is_e164(phone):  # pragma: no cover - longer than E.164 allows
                    raise RowRejected(RejectReason.INVALID_PHONE, phone_column, raw, "not E.164")
            for i in unnamed:
                if row[i]:
                    raise RowRejected(
                        RejectReason.UNNAMED_COLUMN, None, row[i], "value under an empty header"
                    )
            for i, column in text_plan:
                value = row[i]
                if value and value[0] in _STARTERS:
                    if value[0] == "'":
                        row[i] = unneutralise(value)
                    elif not keep_formulas and is_formula(value):
                        detail = "looks like a spreadsheet formula"
                        raise RowRejected(RejectReason.FORMULA, column, value, detail)
            external_id = (row[i_id].strip() or None) if i_id is not None else None
            priority = normal
            if i_priority is not None:
                label = row[i_priority].strip().casefold()
                if label:
                    if label not in _PRIORITIES:
                        raise RowRejected(
                            RejectReason.INVALID_VALUE,
                            names[i_priority],
                            row[i_priority],
                            "expected high, normal or low",
                        )
                    priority = _PRIORITIES[label]
        except RowRejected as problem:
            yield Rejection(line, problem.reason, problem.column, problem.value, problem.detail)
            continue
        digits = int(phone[1:])
        first = by_phone.get(digits)
        if first is not None:
            detail = f"same number as line {first}"
            yield Rejection(line, RejectReason.DUPLICATE_PHONE, phone_column, phone, detail)
            continue
        contact_id = external_id or phone
        # Decimal ids (CRM numbers) are remembered as ints too; "007" and "+52..."
        # stay strings, so no two different ids share a key.
        id_key: int | str = (
            int(contact_id)
            if contact_id.isascii()
            and contact_id.isdigit()
            and contact_id[0] != "0"
            and len(contact_id) < 19
            else contact_id
        )
        first = by_id.get(id_key)
        if first is not None:
            detail = f"same id as line {first}"
            yield Rejection(line, RejectReason.DUPLICATE_ID, "id", contact_id, detail)
            continue
        by_phone[digits] = line
        by_id[id_key] = line
        yield _fill(
            _TEMPLATE,
            contact_id,
            phone,
            row[i_name],
            row[i_context],
            external_id,
            (row[i_agent] or None) if i_agent is not None else None,
            (row[i_voice] or None) if i_voice is not None else None,
            priority,
            freeze({n: row[i] for i, n in attribute_plan if row[i]}) if attribute_plan else EMPTY,
        )
    if pending:
        yield from map(_oversized, pending)
        pending.clear()


def _iter_rows(
    names: tuple[str, ...],
    rows: Iterator[tuple[int, list[str]]],
    plan: list[tuple[int, int, str]],
    phone_index: int,
    delimiter: str,
    options: _Options,
    pending: list[int],
) -> Iterator[Contact | Rejection]:
    """The general loop (contact and results exports): every column kind."""
    phone_column = names[phone_index]
    width = len(names)
    out = RowCollector()
    for line, row in rows:
        if pending:
            yield from map(_oversized, pending)
            pending.clear()
        if len(row) != width:
            if len(row) > width and not any(row[width:]):
                row = row[:width]  # trailing empty cells, as spreadsheets write them
            else:
                detail = f"{len(row)} cells; the header has {width}"
                out.reject(
                    line, RowRejected(RejectReason.RAGGED_ROW, None, delimiter.join(row), detail)
                )
        else:
            try:
                phone = _phone(row[phone_index], phone_column, options.normaliser)
                kwargs = _build(phone, ((k, n, row[i]) for i, k, n in plan), options)
            except RowRejected as problem:
                out.reject(line, problem)
            else:
                out.add(line, phone_column, kwargs)
        yield from out.drain()
    if pending:
        yield from map(_oversized, pending)
        pending.clear()


def _open_csv(
    lines: Iterable[str],
    *,
    delimiter: str | None,
    kinds: Mapping[str, int],
    tags: Sequence[str],
    fields: Sequence[str],
    options: _Options,
) -> ContactStream:
    pending: list[int] = []
    names, _, delimiter, rows = open_rows(
        lines, delimiter, kinds.keys() | {"contact"}, oversized=pending.append
    )
    phone_index, plan = _plan(names, kinds, tags, fields)
    loop = _iter_upload if kinds is _UPLOAD_KINDS else _iter_rows
    stream = loop(names, rows, plan, phone_index, delimiter, options, pending)
    return ContactStream(names, delimiter, stream)


def _check_json_record(record: dict[Any, Any]) -> None:
    """Reject a JSON record holding a lone surrogate or an oversized integer (issue 14)."""
    for key, value in record.items():
        if type(key) is str and has_lone_surrogate(key):
            raise RowRejected(RejectReason.INVALID_VALUE, None, shown(key), "a lone surrogate")
        if type(value) is str:
            if has_lone_surrogate(value):
                raise RowRejected(RejectReason.INVALID_VALUE, key, shown(value), "a lone surrogate")
        elif type(value) is OversizedNumber:
            raise RowRejected(RejectReason.INVALID_VALUE, key, repr(value), "number too large")


def _read_json(
    data: Any,
    *,
    kinds: Mapping[str, int],
    tags: Sequence[str],
    fields: Sequence[str],
    options: _Options,
) -> ImportResult:
    if not isinstance(data, list):
        raise MalformedInput(1, "expected a JSON array of contact objects")
    # A dict as an ordered set: `k not in names` on a list was quadratic (issue 14 item 9).
    seen: dict[str, None] = {}
    for record in data:
        if isinstance(record, dict):
            seen.update(dict.fromkeys(k for k in record if isinstance(k, str)))
    names = tuple(seen)
    out = RowCollector()
    plan_cache: dict[tuple[str, ...], tuple[int, list[tuple[int, int, str]]]] = {}
    for position, record in enumerate(data, 1):
        if not isinstance(record, dict):
            problem = RowRejected(
                RejectReason.INVALID_VALUE, None, shown(record), "not a JSON object"
            )
            out.reject(position, problem)
            continue
        keys = tuple(record)
        try:
            _check_json_record(record)
            if keys not in plan_cache:
                plan_cache[keys] = _plan(keys, kinds, tags, fields)
        except MissingColumns as exc:
            detail = f"no {', '.join(exc.missing)}"
            out.reject(position, RowRejected(RejectReason.RAGGED_ROW, None, shown(record), detail))
            continue
        except RowRejected as problem:
            out.reject(position, problem)
            continue
        phone_index, plan = plan_cache[keys]
        values = list(record.values())
        phone_column = keys[phone_index]
        try:
            phone = _phone(values[phone_index], phone_column, options.normaliser)
            kwargs = _build(phone, ((k, n, values[i]) for i, k, n in plan), options)
        except RowRejected as problem:
            out.reject(position, problem)
            continue
        out.add(position, phone_column, kwargs)
    return ImportResult(tuple(out.contacts), tuple(out.rejected), names, "")


_READ_OPTIONS = ContactReadOptions.__optional_keys__


def _options(
    options: ContactReadOptions, labels: Labels, channel: Channel, timezone: str
) -> _Options:
    """The settings of a contact read (checked in the order the keywords were listed)."""
    normaliser = PhoneNormaliser(options.get("region", "MX"))
    formulas = _check_formulas(options.get("formulas", "reject"))
    return _Options(normaliser, formulas, labels, channel, zone(timezone))


def iter_contacts(source: Source, **options: Unpack[ContactReadOptions]) -> ContactStream:
    """`import_contacts` as a stream: each row's `Contact` or `Rejection`, in file order.

    The header is read at once (so ``columns``, ``delimiter`` and the header
    errors come before any row); rows are read, checked and deduplicated one
    at a time, so memory holds one row plus the numbers and ids seen. Pass
    a file object or an iterable of lines to read a file of any size (with
    ``max_bytes=None``). ``progress`` is called with the bytes read so far,
    once per 64 KiB chunk. Raises what `import_contacts` raises; size and
    decoding errors can also come part-way through the iteration.
    """
    check_options(options, _READ_OPTIONS, "iter_contacts")
    settings = _options(options, CANONICAL, Channel.CALL, "UTC")
    lines = iter_lines(
        source,
        max_bytes=options.get("max_bytes", DEFAULT_MAX_BYTES),
        encoding=options.get("encoding", "utf-8"),
        progress=options.get("progress"),
    )
    return _open_csv(
        lines,
        delimiter=options.get("delimiter"),
        kinds=_UPLOAD_KINDS,
        tags=(),
        fields=(),
        options=settings,
    )


def import_contacts(source: Source, **options: Unpack[ContactReadOptions]) -> ImportResult:
    """Read a contact upload file (seed 004) into `Contact` records.

    Columns: ``contact``, ``name``, ``context`` (required); ``id``,
    ``override_agent_name``, ``override_agent_voice_id`` and ``priority``
    (high/normal/low) (optional); any other column becomes a contact
    attribute (empty cells are left out). Header names are trimmed and
    case-insensitive; the delimiter (comma or semicolon) is detected unless
    given; UTF-8 input may start with a byte-order mark.

    Phone numbers in any format become E.164, national numbers read in
    ``region``. A contact's ``id`` is its ``id`` cell when there is one, and
    its E.164 number otherwise (stable across re-uploads of the same list).
    Rows are rejected - never silently - for a missing, invalid or duplicate
    number, a duplicate id, a ragged row, a bad priority, a value under an
    unnamed column, a cell over `CELL_LIMIT` characters, or (with
    ``formulas="reject"``) a cell that a spreadsheet would run as a formula;
    ``formulas="keep"`` keeps such text. A cell neutralised by an export
    (``'=...``) is read back without its apostrophe. The input is read as a
    stream (see `iter_contacts`); ``progress`` gets the bytes read so far.
    The keyword options are `ContactReadOptions`: ``region`` (default
    ``"MX"``), ``delimiter`` (detected), ``max_bytes``, ``encoding`` (default
    UTF-8), ``formulas`` (default ``"reject"``) and ``progress``.

    Raises `InputTooLarge` over ``max_bytes`` (default 5 MB; None for no
    limit), `UndecodableInput`, `EmptyInput`, `MissingColumns`,
    `DuplicateColumns` and `MalformedInput` (all `InvalidInput`), and
    `InvalidConfig` for a bad option (an unknown or non-text encoding too);
    `TypeError` for an unknown keyword.
    """
    check_options(options, _READ_OPTIONS, "import_contacts")
    return iter_contacts(source, **options).collect()


def read_contact_export(
    source: Source,
    *,
    tags: Sequence[str] = (),
    fields: Sequence[str] = (),
    channel: Channel = Channel.CALL,
    labels: Labels = CANONICAL,
    timezone: str = DEFAULT_TIMEZONE,
    **options: Unpack[ContactReadOptions],
) -> ImportResult:
    """Read a contact or results export (CSV or JSON, as `export_contacts` writes).

    Reads everything `import_contacts` reads, and the export's own columns:
    ``status`` (in ``labels``' vocabulary; ``channel`` decides Altur's
    ``sending``), ``retries``, ``calls``, ``last_update``, ``follow_up``, one
    True/False column per name in ``tags``, one column per name in
    ``fields`` (extracted data), and the extended columns ``contact_id``,
    ``failed_retries``, ``cycle``, ``attempts``, ``next_attempt_at``,
    ``last_outcome`` and ``line_id``. ``campaign_name``, ``campaign_date``
    and ``billed_duration`` are derived values and are skipped; any other
    column becomes an attribute. Date-times without an offset are read in
    ``timezone``. JSON input is an array of objects with the same keys.

    Rejections and errors are those of `import_contacts`, plus rejections
    for values that do not parse (``invalid-value``: a bad count - or one
    over 4,300 digits -, a date-time on the calendar's first or last day, a
    JSON string with a lone surrogate). JSON keys that differ only in case
    raise `DuplicateColumns`. The other keyword options are
    `ContactReadOptions`, as for `import_contacts`, except that there is no
    size limit by default (``max_bytes=None``: exports are produced by
    software, not uploaded).
    """
    check_options(options, _READ_OPTIONS, "read_contact_export")
    if not isinstance(channel, Channel):
        raise InvalidConfig("channel", "a Channel", channel)
    settings = _options(options, labels, channel, timezone)
    for group, names in (("tags", tags), ("fields", fields)):
        if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
            raise InvalidConfig(group, "a sequence of non-empty names", names)
    if is_decoded(source):
        data: Any = source
    else:
        lines = iter_lines(
            source,
            max_bytes=options.get("max_bytes"),
            encoding=options.get("encoding", "utf-8"),
            progress=options.get("progress"),
        )
        chained, is_json = peek_json(lines)
        if not is_json:
            return _open_csv(
                chained,
                delimiter=options.get("delimiter"),
                kinds=_EXPORT_KINDS,
                tags=tags,
                fields=fields,
                options=settings,
            ).collect()
        data = load_json("".join(chained), max_bytes=None, lenient=True)
    settings = attrs.evolve(settings, csv=False)
    return _read_json(data, kinds=_EXPORT_KINDS, tags=tags, fields=fields, options=settings)
