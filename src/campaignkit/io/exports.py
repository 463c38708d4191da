"""Result exports (seed 000): contacts, calls and results, as CSV (comma or semicolon) or JSON.

Columns and their order are the Altur document's; the status columns use the
vocabulary of the `Labels` given (canonical by default, Altur's with
``campaignkit.dialects.altur.LABELS``). Every CSV cell a spreadsheet would run
as a formula is neutralised with a leading apostrophe - except E.164 phone
numbers in the phone columns, which stay exact. JSON keeps values typed and
is not neutralised (no spreadsheet reads it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, TypedDict, Unpack

from .._fields import is_e164, replacer
from ..errors import InvalidConfig, InvalidInput
from ..models.records import DEFAULT_TIMEZONE, Call, Campaign, Contact
from ..policies.billing import BillingPolicy, parse_duration
from ..policies.conversion import has_extracted_data
from ..statuses import AnsweredBy, CallStatus, Channel, Direction
from ._csv import check_delimiter, header_key, open_rows, write_csv
from ._errors import DuplicateColumns, MalformedInput, MissingColumns
from ._labels import CANONICAL, Labels, parse_label
from ._phone import PhoneNormaliser
from ._safe import neutralise, unneutralise
from ._source import (
    CallReadOptions,
    OversizedNumber,
    Progress,
    Source,
    check_options,
    is_decoded,
    iter_lines,
    load_json,
    peek_json,
)
from ._values import EARLIEST, LATEST, format_moment, parse_instant, shown, zone
from .contacts import UPLOAD_COLUMNS, Rejection, RejectReason

__all__ = [
    "CALL_EXPORT_COLUMNS",
    "CONTACT_EXPORT_COLUMNS",
    "EXTENDED_CONTACT_COLUMNS",
    "CallExportOptions",
    "CallStream",
    "ContactExportOptions",
    "ExportOptions",
    "export_calls",
    "export_contact_list",
    "export_contacts",
    "export_results",
    "format_altur_duration",
    "iter_call_export",
    "read_call_export",
]

Format = Literal["csv", "json"]

CONTACT_EXPORT_COLUMNS = (
    "campaign_name",
    "campaign_date",
    "id",
    "contact",
    "name",
    "context",
    "status",
    "retries",
    "calls",
    "billed_duration",
    "last_update",
    "follow_up",
)
"""The contact export's basic columns, in the Altur document's order (seed 000);
one column per tag, then one per extracted field, follow."""

EXTENDED_CONTACT_COLUMNS = (
    "contact_id",
    "override_agent_name",
    "override_agent_voice_id",
    "priority",
    "failed_retries",
    "cycle",
    "attempts",
    "next_attempt_at",
    "last_outcome",
    "line_id",
)
"""What ``extended=True`` appends (then one column per attribute), so that every
`Contact` field survives export and import."""

CALL_EXPORT_COLUMNS = (
    "campaign_name",
    "campaign_date",
    "id",
    "number_to",
    "contact_name",
    "type",
    "status",
    "answered_by",
    "created_at",
    "started_at",
    "ended_at",
    "duration",
    "billed_duration",
    "recording_url",
)
"""The call export's basic columns, in the Altur document's order (seed 000);
tag and extracted-field columns follow."""


class ExportOptions(TypedDict, total=False):
    """The keyword options every result export takes (seed 000), each optional.

    The one home of the export keyword list: `export_contacts`,
    `export_results` and `export_calls` take these (through
    `ContactExportOptions` / `CallExportOptions`), and so do the dialects'
    writers that fix the vocabulary (``campaignkit.dialects.altur``).
    """

    campaign: Campaign | None
    """Fills ``campaign_name``/``campaign_date``, decides the channel and the time zone
    of the date-times (default None: no campaign columns, a call campaign, UTC)."""
    fmt: Format
    """``"csv"`` (default) or ``"json"``; anything else raises `InvalidConfig`."""
    delimiter: str
    """The CSV delimiter, ``","`` (default) or ``";"``; ignored for JSON."""
    billing: BillingPolicy | None
    """How billed seconds are counted (default None: `BillingPolicy.altur`)."""


class _Columns(TypedDict, total=False):
    tags: Iterable[str] | None
    """One True/False column per tag (default None: the sorted tags found)."""
    fields: Iterable[str] | None
    """One column per extracted field (default None: the sorted names found)."""


class ContactExportOptions(ExportOptions, _Columns, total=False):
    """The options of the contact and results exports: `ExportOptions`, ``tags``,
    ``fields`` and ``calls``."""

    calls: Iterable[Call] | None
    """The calls ``billed_duration`` is summed over (default None: the column is empty)."""


class CallExportOptions(ExportOptions, _Columns, total=False):
    """The options of the call export: `ExportOptions`, ``tags``, ``fields`` and ``contacts``."""

    contacts: Iterable[Contact]
    """Where each call's contact (name, tags, extracted data) is found by id (default none)."""


_CONTACT_OPTIONS = ContactExportOptions.__optional_keys__
_CALL_OPTIONS = CallExportOptions.__optional_keys__


_PHONE_COLUMNS = frozenset({"contact", "number_to"})
# seed 004's upload columns, then itellico's priority (what import_contacts reads)
_UPLOAD_LIST_COLUMNS = (*UPLOAD_COLUMNS, "priority")


# --------------------------------------------------------------------------- writing


def format_altur_duration(seconds: int) -> str:
    """``seconds`` as Altur's exports write durations: always ``MM:SS`` (seed 000).

    Minutes are not carried into hours: 3,725 s is ``62:05``, not ``1:02:05``
    (issue 13 item 7). The readers take both forms back. Raises `InvalidInput`
    unless ``seconds`` is a non-negative ``int``.
    """
    if type(seconds) is not int or seconds < 0:
        raise InvalidInput(f"seconds must be a non-negative integer; got {shown(seconds)}")
    minutes, secs = divmod(seconds, 60)
    return f"{minutes:02d}:{secs:02d}"


def _check_format(fmt: object) -> Format:
    if fmt not in ("csv", "json"):
        raise InvalidConfig("fmt", "'csv' or 'json'", fmt)
    return fmt


def _names(given: Iterable[str] | None, found: Iterable[str], what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(sorted(set(found)))
    if isinstance(given, str):
        raise InvalidConfig(what, "a sequence of names (not one string)", given)
    names = tuple(given)
    for name in names:
        if type(name) is not str or not name:
            raise InvalidConfig(what, "a sequence of non-empty names", given)
    return names


def _header(*groups: Sequence[str]) -> tuple[str, ...]:
    header = tuple(name for group in groups for name in group)
    seen: dict[str, str] = {}
    for name in header:
        key = header_key(name)
        if key in seen:
            raise InvalidInput(
                f"export column {name!r} would appear twice (clashes with {seen[key]!r})"
            )
        seen[key] = name
    return header


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    return str(value)  # True/False, numbers


def _render(
    header: tuple[str, ...], records: Iterable[Sequence[Any]], fmt: Format, delimiter: str
) -> str:
    if fmt == "json":
        return json.dumps(
            [dict(zip(header, record, strict=True)) for record in records],
            ensure_ascii=False,
            indent=2,
        )
    phone_at = [i for i, name in enumerate(header) if name in _PHONE_COLUMNS]

    def cells(record: Sequence[Any]) -> list[str]:
        row = [neutralise(_cell(v)) for v in record]
        for i in phone_at:
            value = record[i]
            if type(value) is str and is_e164(value):
                row[i] = value  # E.164 numbers stay exact
        return row

    return write_csv(header, (cells(r) for r in records), delimiter)


class _Context:
    """What every export row shares: the campaign columns, the time zone, the labels,
    and the rendering options (format and delimiter)."""

    def __init__(self, options: ExportOptions, labels: Labels) -> None:
        # checked in the order the explicit signatures checked them: fmt, delimiter, campaign
        self.fmt = _check_format(options.get("fmt", "csv"))
        self.delimiter = options.get("delimiter", ",")
        check_delimiter(self.delimiter)
        self.billing = options.get("billing")
        campaign = options.get("campaign")
        if campaign is not None and not isinstance(campaign, Campaign):
            raise InvalidConfig("campaign", "a Campaign or None", campaign)
        if not isinstance(labels, Labels):
            raise InvalidConfig("labels", "a Labels vocabulary", labels)
        self.labels = labels
        self.tz: tzinfo | None = zone(campaign.timezone) if campaign else None
        self.channel = campaign.channel if campaign else Channel.CALL
        self.name = campaign.name if campaign else ""
        created = campaign.created_at if campaign else None
        self.date = self.moment(created)[:10] if created is not None else ""

    def moment(self, value: datetime | None) -> str:
        return format_moment(value, self.tz)


def _billing(billing: BillingPolicy | None) -> BillingPolicy:
    if billing is None:
        return BillingPolicy.altur()
    if not isinstance(billing, BillingPolicy):
        raise InvalidConfig("billing", "a BillingPolicy or None", billing)
    return billing


def _export_contacts(
    contacts: Iterable[Contact],
    options: ContactExportOptions,
    *,
    labels: Labels,
    extended: bool,
    keep: Callable[[Contact], bool] | None,
    what: str,
) -> str:
    """The contact export's rows (of the contacts ``keep`` takes), rendered."""
    check_options(options, _CONTACT_OPTIONS, what)
    ctx = _Context(options, labels)
    tags, fields, calls = options.get("tags"), options.get("fields"), options.get("calls")
    chosen = list(contacts) if keep is None else [c for c in contacts if keep(c)]
    for contact in chosen:
        if not isinstance(contact, Contact):
            raise InvalidInput(f"export_contacts needs Contact records; got {contact!r}")
    tag_names = _names(tags, (t for c in chosen for t in c.tags), "tags")
    field_names = _names(fields, (k for c in chosen for k in c.extracted), "fields")
    attribute_names = tuple(sorted({k for c in chosen for k in c.attributes})) if extended else ()
    header = _header(
        CONTACT_EXPORT_COLUMNS,
        tag_names,
        field_names,
        EXTENDED_CONTACT_COLUMNS if extended else (),
        attribute_names,
    )
    is_call = ctx.channel is Channel.CALL
    billed: dict[str, int] | None = None
    if calls is not None and is_call:
        policy = _billing(ctx.billing)
        billed = {}
        for call in calls:
            billed[call.contact_id] = billed.get(call.contact_id, 0) + policy.billed_seconds(call)
    rows: list[list[Any]] = []
    for c in chosen:
        row: list[Any] = [
            ctx.name,
            ctx.date,
            c.external_id,
            c.phone,
            c.name,
            c.context,
            labels.contact_status_label(c.status, ctx.channel),
            c.retries,
            c.attempts if is_call else None,
            format_altur_duration(billed.get(c.id, 0)) if billed is not None else None,
            ctx.moment(c.updated_at) or None,
            c.follow_up,
        ]
        row.extend(t in c.tags for t in tag_names)
        row.extend(c.extracted.get(f) for f in field_names)
        if extended:
            row.extend(
                [
                    c.id,
                    c.agent_name,
                    c.voice_id,
                    c.priority.value,
                    c.failed_retries,
                    c.cycle,
                    c.attempts,
                    ctx.moment(c.next_attempt_at) or None,
                    c.last_outcome.value if c.last_outcome is not None else None,
                    c.line_id,
                ]
            )
            row.extend(c.attributes.get(a) for a in attribute_names)
        rows.append(row)
    return _render(header, rows, ctx.fmt, ctx.delimiter)


def export_contacts(
    contacts: Iterable[Contact],
    *,
    labels: Labels = CANONICAL,
    extended: bool = False,
    **options: Unpack[ContactExportOptions],
) -> str:
    """The contact export: every contact with its status and metrics (seed 000).

    Columns: `CONTACT_EXPORT_COLUMNS`, then one True/False column per tag in
    ``tags`` and one column per extracted field in ``fields`` (each defaults
    to the sorted names found on the contacts; pass the agent's configured
    names to get a column even when no contact has it). ``campaign`` fills
    ``campaign_name``/``campaign_date``, decides the channel (``calls`` and
    ``billed_duration`` are empty for WhatsApp) and the time zone of the
    date-times (UTC without a campaign). ``billed_duration`` sums
    ``billing.billed_seconds`` (default `BillingPolicy.altur`) over the
    contact's ``calls``; it is empty when no calls are given.

    ``extended=True`` appends `EXTENDED_CONTACT_COLUMNS` and one column per
    attribute, so `read_contact_export` gives back equal contacts. The other
    keyword options (``campaign``, ``calls``, ``tags``, ``fields``, ``fmt``,
    ``delimiter``, ``billing``) are `ContactExportOptions`.

    Raises `InvalidInput` when two columns would share a name, or a status has
    no label in ``labels``' vocabulary; `InvalidConfig` for a bad option;
    `TypeError` for an unknown keyword.
    """
    return _export_contacts(
        contacts, options, labels=labels, extended=extended, keep=None, what="export_contacts"
    )


def export_results(
    contacts: Iterable[Contact],
    *,
    labels: Labels = CANONICAL,
    extended: bool = False,
    **options: Unpack[ContactExportOptions],
) -> str:
    """The results export: the contact export of only the contacts with extracted data.

    Same columns and options as `export_contacts` (seed 000: "identical to
    the contact export"); a contact qualifies when `has_extracted_data` says
    so (at least one extracted value that is not None or blank text), the
    same rule the conversion policy and the metrics use.
    """
    return _export_contacts(
        contacts,
        options,
        labels=labels,
        extended=extended,
        keep=has_extracted_data,
        what="export_results",
    )


def export_calls(
    calls: Iterable[Call],
    *,
    labels: Labels = CANONICAL,
    **options: Unpack[CallExportOptions],
) -> str:
    """The call export: one row per call attempt (seed 000).

    Columns: `CALL_EXPORT_COLUMNS`, then tag and extracted-field columns taken
    from each call's contact (found by ``Call.contact_id`` in ``contacts``;
    empty when it is not there, as is ``contact_name``). ``duration`` and
    ``billed_duration`` are ``MM:SS`` (`format_altur_duration`: an hour is ``60:00``);
    billed seconds come from ``billing`` (default `BillingPolicy.altur`: a
    machine-answered call bills at most 5 seconds). The keyword options
    besides ``labels`` are `CallExportOptions`.

    Raises `InvalidInput` for clashing column names or a status or
    answered-by value ``labels`` cannot express; `InvalidConfig` for a bad option;
    `TypeError` for an unknown keyword.
    """
    check_options(options, _CALL_OPTIONS, "export_calls")
    ctx = _Context(options, labels)
    policy = _billing(ctx.billing)
    tags, fields = options.get("tags"), options.get("fields")
    by_id = {c.id: c for c in options.get("contacts", ())}
    chosen = list(calls)
    for call in chosen:
        if not isinstance(call, Call):
            raise InvalidInput(f"export_calls needs Call records; got {call!r}")
    people = [by_id[c.contact_id] for c in chosen if c.contact_id in by_id]
    tag_names = _names(tags, (t for p in people for t in p.tags), "tags")
    field_names = _names(fields, (k for p in people for k in p.extracted), "fields")
    header = _header(CALL_EXPORT_COLUMNS, tag_names, field_names)
    rows: list[list[Any]] = []
    for call in chosen:
        person = by_id.get(call.contact_id)
        answered_by = call.answered_by
        row: list[Any] = [
            ctx.name,
            ctx.date,
            call.id,
            call.to,
            person.name if person is not None else None,
            call.direction.value,
            labels.call_status_label(call.status),
            labels.answered_by_label(answered_by) if answered_by is not None else None,
            ctx.moment(call.created_at) or None,
            ctx.moment(call.started_at) or None,
            ctx.moment(call.ended_at) or None,
            format_altur_duration(call.duration),
            format_altur_duration(policy.billed_seconds(call)),
            call.recording_url,
        ]
        if person is not None:
            row.extend(t in person.tags for t in tag_names)
            row.extend(person.extracted.get(f) for f in field_names)
        else:
            row.extend([None] * (len(tag_names) + len(field_names)))
        rows.append(row)
    return _render(header, rows, ctx.fmt, ctx.delimiter)


def export_contact_list(
    contacts: Iterable[Contact], *, fmt: Format = "csv", delimiter: str = ","
) -> str:
    """Contacts as an upload file (seed 004 columns, ``priority``, then one column per attribute).

    What `import_contacts` reads: importing the result gives back the same
    contacts (ids, numbers, names, context, overrides, priority and
    attributes; a contact whose ``id`` is neither its ``external_id`` nor
    its number gets its ``external_id`` back as ``id``). Use it for
    follow-up lists (seed 004: "Repeat the campaign by uploading a filtered
    CSV") and for the clean file of an import. Raises `InvalidInput` if an
    attribute name clashes with a column; `InvalidConfig` for a bad option.
    """
    fmt = _check_format(fmt)
    check_delimiter(delimiter)
    chosen = list(contacts)
    attribute_names = tuple(sorted({k for c in chosen for k in c.attributes}))
    header = _header(_UPLOAD_LIST_COLUMNS, attribute_names)
    rows = [
        [
            c.phone,
            c.name,
            c.context,
            c.external_id,
            c.agent_name,
            c.voice_id,
            c.priority.value,
            *(c.attributes.get(a) for a in attribute_names),
        ]
        for c in chosen
    ]
    return _render(header, rows, fmt, delimiter)


# --------------------------------------------------------------------------- reading


_CALL_REQUIRED = ("id", "number_to", "status")
# The call data a reader takes back: the export's columns less those derived from
# the campaign, the contact and the billing policy (written, never read).
_CALL_FIELDS = tuple(
    c
    for c in CALL_EXPORT_COLUMNS
    if c not in ("campaign_name", "campaign_date", "contact_name", "billed_duration")
)
# A validated template and a generated copier (the foundation's `replacer`):
# every value below is checked as it is read, so each row costs one copy
# instead of ~20 validators and converters (issue 15: 44% of `report`).
_CALL_TEMPLATE = Call(id="template", contact_id="template", to="+10000000")
_fill_call = replacer(
    Call,
    "id",
    "contact_id",
    "to",
    "attempt",
    "direction",
    "status",
    "answered_by",
    "created_at",
    "started_at",
    "ended_at",
    "duration",
    "recording_url",
    "campaign_id",
)
_set_attempt = replacer(Call, "attempt")
_COUNT = (1 << 24) - 1  # calls to one number
_UNDATED = 1 << 24
_STAMP_SHIFT = 25
_ORIGIN = datetime(1, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CACHE_LIMIT = 1 << 16  # entries per lookup cache: bounded memory on any input


class _CallReader:
    """What reading a call export needs besides the rows: options, caches, attempt counts."""

    def __init__(
        self,
        *,
        labels: Labels,
        region: str | None,
        timezone: str,
        contact_ids: Mapping[str, str] | None,
        campaign_id: str | None,
    ) -> None:
        if not isinstance(labels, Labels):
            raise InvalidConfig("labels", "a Labels vocabulary", labels)
        if campaign_id is not None and type(campaign_id) is not str:
            raise InvalidConfig("campaign_id", "a string or None", campaign_id)
        self.labels = labels
        self.normaliser = PhoneNormaliser(region)
        self.tz = zone(timezone)
        self.ids = dict(contact_ids or {})
        self.campaign_id = campaign_id
        self.unordered: set[str] = set()

    def calls(
        self,
        rows: Iterator[tuple[int, list[str]]],
        plan: Sequence[int],
        reject: Callable[[int, list[str], str, bool], None] | None = None,
    ) -> Iterator[Call]:
        """One `Call` per row; ``plan`` gives the index of each of `_CALL_FIELDS` in a row
        (``-1``: absent, read as the empty cell appended to every row). With ``reject``,
        a row that cannot be read is handed to it (line, cells, reason) and skipped;
        attempts are then numbered among the rows kept."""
        i_id, i_to, i_kind, i_status, i_answered, i_created, i_started, i_ended, i_dur, i_url = plan
        labels, tz, ids, campaign_id = self.labels, self.tz, self.ids, self.campaign_id
        normalise = self.normaliser.normalise
        # Caches for values that repeat (numbers called again, labels, durations);
        # each is cleared when it reaches _CACHE_LIMIT entries, so memory is bounded.
        numbers: dict[str, str] = {}
        durations: dict[str, int] = {"": 0}
        statuses: dict[str, CallStatus] = {}
        answers: dict[str, AnsweredBy | None] = {"": None}
        directions: dict[str, Direction] = {"": Direction.OUTBOUND}
        # per number (as an int): calls so far, an undated call seen, the latest created_at
        attempts: dict[str, int] = {}
        unordered = self.unordered
        fill, template, instant = _fill_call, _CALL_TEMPLATE, _instant
        last_created, last_created_at = "", None
        for line, row in rows:
            try:
                row.append("")
                id_ = row[i_id].strip()
                if id_[:1] == "'":
                    id_ = unneutralise(id_)
                number = row[i_to]
                to = numbers.get(number)
                if to is None:
                    clean = number.strip()
                    to = normalise(unneutralise(clean) if clean[:1] == "'" else clean)
                    # The normaliser gives "+", a non-zero country code and digits, so
                    # the E.164 shape is only a matter of length (as in contacts.py).
                    if to is None or not 8 <= len(to) <= 16:
                        raise InvalidInput(f"number_to {shown(number)} is not a valid phone number")
                    if len(numbers) >= _CACHE_LIMIT:
                        numbers.clear()
                    numbers[number] = to
                text = row[i_status]
                status = statuses.get(text)
                if status is None:
                    status = labels.call_status(_plain(text))
                    if len(statuses) < _CACHE_LIMIT:
                        statuses[text] = status
                text = row[i_answered]
                if text in answers:
                    answered = answers[text]
                else:
                    answered = labels.answered_by(_plain(text)) if text.strip() else None
                    if len(answers) < _CACHE_LIMIT:
                        answers[text] = answered
                text = row[i_kind]
                direction = directions.get(text)
                if direction is None:
                    plain = _plain(text)
                    direction = (
                        parse_label(Direction, plain, labels.name, "call type")
                        if plain
                        else Direction.OUTBOUND
                    )
                    if len(directions) < _CACHE_LIMIT:
                        directions[text] = direction
                text = row[i_dur]
                duration = durations.get(text)
                if duration is None:
                    duration = _duration(text)
                    if len(durations) >= _CACHE_LIMIT:
                        durations.clear()
                    durations[text] = duration
                created = row[i_created]
                if created == last_created:
                    created_at = last_created_at
                else:
                    created_at = instant(created, tz) if created else None
                    last_created, last_created_at = created, created_at
                started = row[i_started]
                if started == created:
                    started_at = created_at
                else:
                    started_at = instant(started, tz) if started else None
                ended = row[i_ended]
                ended_at = started_at if ended == started else instant(ended, tz) if ended else None
                if started_at is not None:
                    if (created_at is not None and started_at < created_at) or (
                        ended_at is not None and ended_at < started_at
                    ):
                        raise InvalidInput(f"call {shown(id_)}: its timestamps run backwards")
                elif created_at is not None and ended_at is not None and ended_at < created_at:
                    raise InvalidInput(f"call {shown(id_)}: its timestamps run backwards")
                # The attempt: its rank among the rows read so far to the same number.
                # Rows sorted by created_at (undated last) are numbered right as they
                # come; a number whose rows are not is noted for `_renumber`.
                # One int per number (the latest created_at in microseconds, an
                # undated flag, the count): ~100 bytes a number, not ~220. Keyed by
                # the E.164 string, the very object the call carries as ``to`` and
                # ``contact_id``: whoever keeps counts per contact (CampaignStats)
                # shares it, where an int key would be one more object per number.
                key = to
                seen = attempts.get(key, 0)
                attempt = (seen & _COUNT) + 1
                if attempt > _COUNT:
                    raise InvalidInput(f"more than {_COUNT:,} calls to {to}")
                undated = seen & _UNDATED
                if created_at is None:
                    attempts[key] = (seen >> _STAMP_SHIFT << _STAMP_SHIFT) | _UNDATED | attempt
                else:
                    stamp = (created_at - _ORIGIN) // _MICROSECOND
                    if seen and (undated or stamp < seen >> _STAMP_SHIFT):
                        unordered.add(to)
                    attempts[key] = (stamp << _STAMP_SHIFT) | undated | attempt
                url = row[i_url].strip()
                call = fill(
                    template,
                    id_,
                    ids.get(to, to),
                    to,
                    attempt,
                    direction,
                    status,
                    answered,
                    created_at,
                    started_at,
                    ended_at,
                    duration,
                    (unneutralise(url) if url[:1] == "'" else url) or None,
                    campaign_id,
                )
            except (ValueError, OverflowError) as exc:  # InvalidInput is a ValueError
                reason = str(exc) if isinstance(exc, InvalidInput) else "a value out of range"
                if reject is None:
                    raise MalformedInput(line, reason) from None
                del row[-1]  # the empty cell appended above
                reject(line, row, reason, False)
                continue
            yield call


def _instant(text: str, tz: tzinfo) -> datetime:
    """`parse_instant` in UTC, with a fast path for clean ISO 8601 text."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        instant = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        instant = None
    if instant is None or not EARLIEST <= instant <= LATEST:
        # the slow path trims, and raises the typed error
        return parse_instant(text, tz, utc=True)  # type: ignore[return-value]
    return instant


def _plain(text: str) -> str:
    """A label cell: trimmed, an export's apostrophe removed."""
    text = text.strip()
    return unneutralise(text) if text[:1] == "'" else text


def _duration(text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    try:
        return parse_duration(text)
    except InvalidInput:
        raise
    except ValueError:  # over 4,300 digits: a bare ValueError (issue 14 item 1)
        raise InvalidInput(f"duration {shown(text)} is too long") from None


def _call_rows(
    source: Any,
    *,
    delimiter: str | None,
    max_bytes: int | None,
    encoding: str,
    progress: Progress | None,
    reject: Callable[[int, list[str], str, bool], None] | None = None,
    found: list[str] | None = None,
) -> tuple[Iterator[tuple[int, list[str]]], list[int]]:
    """The rows of a CSV or JSON call export, and where each of `_CALL_FIELDS` is in a row.

    With ``reject``, a ragged row is handed to it and skipped instead of raising;
    ``found`` receives the delimiter of CSV input."""
    if is_decoded(source):
        return _json_rows(source)
    lines = iter_lines(source, max_bytes=max_bytes, encoding=encoding, progress=progress)
    chained, is_json = peek_json(lines)
    if is_json:
        return _json_rows(load_json("".join(chained), max_bytes=None))
    names, _, chosen, rows = open_rows(chained, delimiter, CALL_EXPORT_COLUMNS)
    if found is not None:
        found.append(chosen)
    keys = [header_key(n) for n in names]
    missing = tuple(c for c in _CALL_REQUIRED if c not in keys)
    if missing:
        raise MissingColumns(missing, names)
    where = {k: i for i, k in enumerate(keys)}
    width = len(keys)

    def checked() -> Iterator[tuple[int, list[str]]]:
        for line, row in rows:
            if len(row) != width:
                if len(row) < width or any(row[width:]):
                    reason = f"{len(row)} cells; the header has {width}"
                    if reject is None:
                        raise MalformedInput(line, reason)
                    reject(line, row, reason, True)
                    continue
                del row[width:]
            yield line, row

    return checked(), [where.get(f, -1) for f in _CALL_FIELDS]


def _json_rows(data: Any) -> tuple[Iterator[tuple[int, list[str]]], list[int]]:
    if not isinstance(data, list):
        raise MalformedInput(1, "expected a JSON array of call objects")
    if data and isinstance(data[0], dict):
        found = tuple(str(k) for k in data[0])
        missing = tuple(c for c in _CALL_REQUIRED if c not in {header_key(k) for k in found})
        if missing:
            raise MissingColumns(missing, found)

    def cells() -> Iterator[tuple[int, list[str]]]:
        for position, item in enumerate(data, 1):
            if not isinstance(item, dict):
                raise MalformedInput(position, "not a JSON object")
            record: dict[str, str] = {}
            for key, value in item.items():
                name = header_key(str(key))
                if name in record:
                    raise DuplicateColumns((str(key),))
                if type(value) is OversizedNumber:
                    raise MalformedInput(position, f"{key}: {value!r}")
                record[name] = _cell(value)
            yield position, [record.get(f, "") for f in _CALL_FIELDS]

    return cells(), list(range(len(_CALL_FIELDS)))


class CallStream(Iterator[Call]):
    """Calls read one row at a time, in file order (`iter_call_export`).

    Iterating yields each row's `Call`. ``rejected`` lists the rows skipped so
    far (only with ``skip_bad_rows=True``; otherwise a bad row raises
    `MalformedInput`), each a `Rejection` with its line. ``renumbered`` turns
    True once some number's rows were not in ``created_at`` order: the stream's
    attempt numbers (rank among the rows read so far) then differ from
    `read_call_export`'s for those calls. ``delimiter`` is the CSV delimiter
    (``""`` for JSON input).
    """

    __slots__ = ("_calls", "_reader", "delimiter", "rejected")

    def __init__(
        self,
        reader: _CallReader,
        calls: Iterator[Call],
        delimiter: str,
        rejected: list[Rejection],
    ) -> None:
        self._reader = reader
        self._calls = calls
        self.delimiter = delimiter
        self.rejected = rejected

    def __iter__(self) -> Iterator[Call]:
        # The generator itself: a ``for`` loop then resumes it from C, without a
        # Python-level ``__next__`` per row.
        return self._calls

    def __next__(self) -> Call:
        return next(self._calls)

    @property
    def renumbered(self) -> bool:
        """Whether some number's calls came out of ``created_at`` order so far."""
        return bool(self._reader.unordered)


def iter_call_export(
    source: Source,
    *,
    labels: Labels = CANONICAL,
    skip_bad_rows: bool = False,
    **options: Unpack[CallReadOptions],
) -> CallStream:
    """`read_call_export` as a stream: one `Call` per row, in file order, with bounded memory.

    Each call's ``attempt`` is its rank among the rows *read so far* to the
    same number, which is `read_call_export`'s rank by ``created_at`` when
    the export lists calls oldest first (Altur's do; `CallStream.renumbered`
    says when a file was not); `read_call_export` also renumbers files in any
    order. Memory holds one row plus a count per number. ``progress`` is
    called with the bytes read so far (CSV input). With ``skip_bad_rows``, a
    row that cannot be read (a bad value, a ragged row) is listed in
    `CallStream.rejected` with its line and reason and the others are still
    read, attempts numbered among the rows kept (as the dialects' readers do).
    The other keyword options are `CallReadOptions`, with `read_call_export`'s
    defaults. Raises, at once, `MissingColumns`, `EmptyInput`, `DuplicateColumns`,
    `InvalidConfig` and `TypeError` for an unknown keyword; while iterating,
    `MalformedInput` naming the line of a row that cannot be read (without
    ``skip_bad_rows``) or of text the CSV reader gives up on, and the size and
    decoding errors of `import_contacts`.
    """
    rejected: list[Rejection] = []
    found: list[str] = []
    reject = None
    if skip_bad_rows:

        def reject(line: int, row: list[str], reason: str, ragged: bool) -> None:
            # The same records the dialects' batch readers give: the row joined,
            # cut to 200 characters (shown quoted for a ragged row).
            text = found[0].join(row) if found else ",".join(row)
            if ragged:
                value = (
                    f"{text[:200]!r}... ({len(text):,} characters)"
                    if len(text) > 200
                    else repr(text)
                )
                rejected.append(Rejection(line, RejectReason.RAGGED_ROW, None, value, reason))
            else:
                value = text[:200]
                rejected.append(Rejection(line, RejectReason.INVALID_VALUE, None, value, reason))

    reader, rows, plan = _open_calls(
        source, labels, options, "iter_call_export", reject=reject, found=found
    )
    return CallStream(reader, reader.calls(rows, plan, reject), found[0] if found else "", rejected)


def read_call_export(
    source: Source, *, labels: Labels = CANONICAL, **options: Unpack[CallReadOptions]
) -> tuple[Call, ...]:
    """Read a call export (CSV or JSON, as `export_calls` writes) into `Call` records.

    ``number_to`` is normalised to E.164 (national numbers read in
    ``region``); ``contact_id`` is looked up by that number in
    ``contact_ids``, and is the number itself otherwise (the id
    `import_contacts` gives contacts without an ``id`` column). Durations are
    read from ``MM:SS`` (minutes may pass 59) or ``H:MM:SS``; date-times
    without an offset in ``timezone``, and refused on the calendar's first or
    last day. The export has no attempt numbers: each call's ``attempt``
    is its rank among the calls to the same number, by ``created_at`` (then
    file order). Tag, extracted-field and billed columns are not call data
    and are skipped. See `iter_call_export` for the streaming form. The
    keyword options besides ``labels`` are `CallReadOptions`: ``region``
    (default ``"MX"``), ``timezone`` (default the project's), ``contact_ids``,
    ``campaign_id``, ``delimiter`` (detected), ``max_bytes`` (default None: no
    limit), ``encoding`` (default UTF-8) and ``progress``.

    Raises `MalformedInput` naming the line of the first row that cannot be
    read (vendor exports are machine-written: a bad row means a bad file),
    `MissingColumns`, `DuplicateColumns`, and the input errors of `import_contacts`.
    """
    reader, rows, plan = _open_calls(source, labels, options, "read_call_export")
    calls = list(reader.calls(rows, plan))
    if reader.unordered:
        _renumber(calls, reader.unordered)
    return tuple(calls)


_READ_OPTIONS = CallReadOptions.__optional_keys__


def _open_calls(
    source: Source,
    labels: Labels,
    options: CallReadOptions,
    what: str,
    *,
    reject: Callable[[int, list[str], str, bool], None] | None = None,
    found: list[str] | None = None,
) -> tuple[_CallReader, Iterator[tuple[int, list[str]]], list[int]]:
    """The reader and the rows of a call export: what both call-export readers open."""
    check_options(options, _READ_OPTIONS, what)
    reader = _CallReader(
        labels=labels,
        region=options.get("region", "MX"),
        timezone=options.get("timezone", DEFAULT_TIMEZONE),
        contact_ids=options.get("contact_ids"),
        campaign_id=options.get("campaign_id"),
    )
    rows, plan = _call_rows(
        source,
        delimiter=options.get("delimiter"),
        max_bytes=options.get("max_bytes"),
        encoding=options.get("encoding", "utf-8"),
        progress=options.get("progress"),
        reject=reject,
        found=found,
    )
    return reader, rows, plan


def _renumber(calls: list[Call], numbers: set[str]) -> None:
    """Rank the calls to ``numbers`` by ``created_at`` (undated last, then file order)."""
    positions: dict[str, list[int]] = {}
    for i, call in enumerate(calls):
        if call.to in numbers:
            positions.setdefault(call.to, []).append(i)
    for indexes in positions.values():

        def key(i: int) -> tuple[bool, float, int]:
            created = calls[i].created_at
            return (created is None, created.timestamp() if created else 0.0, i)

        for attempt, i in enumerate(sorted(indexes, key=key), 1):
            if calls[i].attempt != attempt:
                calls[i] = _set_attempt(calls[i], attempt)
