"""CSV reading and writing shared by the importer, the exports and the dialects.

Reading is streaming: `open_rows` takes physical lines (from
`_source.iter_lines`) and yields rows one at a time, so memory is bounded by
the longest row, whatever the file's size.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from ..errors import InvalidConfig
from ._errors import DuplicateColumns, EmptyInput, MalformedInput
from ._safe import neutralise, unneutralise
from ._source import CHUNK_CHARS, split_lines

__all__ = [
    "CELL_LIMIT",
    "choose_delimiter",
    "header_key",
    "open_rows",
    "read_rows",
    "write_csv",
]

DELIMITERS = (",", ";")

CELL_LIMIT = csv.field_size_limit()
"""The longest cell the readers take: 131,072 characters (128 Ki, the ``csv``
module's default limit). A row with a longer cell is rejected; the others are read."""

Oversized = Callable[[int], None]
"""Called with the line of a row dropped for a cell over `CELL_LIMIT`."""

_FIRST_LINE = re.compile(r"[^\r\n]*")


def check_delimiter(delimiter: str) -> str:
    """``delimiter`` if it is one character other than a quote or a line break."""
    if type(delimiter) is not str or len(delimiter) != 1 or delimiter in '"\r\n':
        raise InvalidConfig("delimiter", "one character such as ',' or ';'", delimiter)
    return delimiter


def header_key(name: str) -> str:
    """How header names are compared: trimmed (a stray byte-order mark too) and case-insensitive."""
    return name.replace("\ufeff", "").strip().casefold()


def header_name(cell: str) -> str:
    """A header cell as a column name: trimmed, byte-order marks and an export's
    formula-neutralising apostrophe removed."""
    return unneutralise(cell.replace("\ufeff", "").strip())


def _sniff(first: str, wanted: Iterable[str]) -> str:
    wanted = {header_key(w) for w in wanted}
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        keys = {header_key(c) for c in cells}
        score = (len(keys & wanted), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def choose_delimiter(text: str, wanted: Iterable[str]) -> str:
    """Comma or semicolon, whichever makes the first line's header hold more of ``wanted``.

    Ties go to the one giving more columns, then to the comma. Any line
    ending ends the first line (``\r`` alone too: old Mac and Excel files).
    """
    start = len(text) - len(text.lstrip("\r\n\ufeff"))
    match = _FIRST_LINE.match(text, start)
    return _sniff(match.group() if match else "", wanted)


def open_rows(
    lines: Iterable[str],
    delimiter: str | None,
    wanted: Iterable[str] = (),
    *,
    oversized: Oversized | None = None,
) -> tuple[tuple[str, ...], int, str, Iterator[tuple[int, list[str]]]]:
    """The header, its line, the delimiter and the data rows (with their first line) of ``lines``.

    ``lines`` are physical lines with their endings. With ``delimiter`` None
    it is chosen from the first non-blank line (`choose_delimiter`). Blank
    lines (and lines of empty cells only) are skipped. Header names are
    `header_name` cleaned. A row with a cell over `CELL_LIMIT` is passed to
    ``oversized`` (its line) and skipped; without ``oversized`` it raises
    `MalformedInput`. Raises `EmptyInput` when there is no header,
    `DuplicateColumns` for repeated names, and `MalformedInput` (from the
    iterator) when the CSV reader gives up on a line.
    """
    source = iter(lines)
    if delimiter is None:
        peeked: list[str] = []
        for physical in source:
            peeked.append(physical)
            if physical.strip():
                break
        delimiter = _sniff(peeked[-1].rstrip("\r\n") if peeked else "", wanted)
        source = itertools.chain(peeked, source)
    else:
        check_delimiter(delimiter)
    reader = csv.reader(source, delimiter=delimiter)
    state = [0]  # the last line read

    def rows(header: bool = False) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = state[0] + 1
                state[0] = reader.line_num
                if oversized is not None and not header and "field limit" in str(exc):
                    # seed 002's files are people's: one huge cell loses one row
                    oversized(start)
                    continue
                raise MalformedInput(reader.line_num, str(exc)) from None
            start = state[0] + 1
            state[0] = reader.line_num
            if not any(row):
                continue
            yield start, row

    for line, header in rows(header=True):
        if any(cell.strip() for cell in header):
            header_line = line
            break
    else:
        raise EmptyInput()
    names = tuple(header_name(cell) for cell in header)
    seen: set[str] = set()
    reported: set[str] = set()
    duplicates: list[str] = []
    for name in names:  # sets, not lists: a 600 KiB header must stay linear (issue 14 item 7)
        if not name:
            continue
        key = header_key(name)
        if key in seen and key not in reported:
            duplicates.append(name)
            reported.add(key)
        seen.add(key)
    if duplicates:
        raise DuplicateColumns(tuple(duplicates))
    return names, header_line, delimiter, rows()


def _text_lines(text: str) -> Iterator[str]:
    return split_lines(text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS))


def read_rows(
    text: str | Iterable[str], delimiter: str, *, oversized: Oversized | None = None
) -> tuple[tuple[str, ...], int, Iterator[tuple[int, list[str]]]]:
    """`open_rows` for a whole text (or physical lines) and a known delimiter."""
    lines = _text_lines(text) if isinstance(text, str) else text
    names, line, _, rows = open_rows(lines, delimiter, oversized=oversized)
    return names, line, rows


def _cell(value: object) -> str:
    if type(value) is str:
        return value
    return "" if value is None else str(value)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str) -> str:
    """RFC 4180 CSV text (CRLF line endings).

    Header cells are neutralised like data cells (an attribute named
    ``=HYPERLINK(...)`` must not run either; issue 14 item 11). A cell is
    quoted when it holds the delimiter, a quote, a line break - or a comma or
    semicolon whatever the delimiter, since a spreadsheet may split on either
    (issue 14 item 12). Data cells are written as given: neutralise them first.
    A cell may be any value: None is an empty cell, anything else its ``str``.
    """
    check_delimiter(delimiter)
    special = re.compile(
        "[" + re.escape("".join(sorted({delimiter, ",", ";", '"', "\r", "\n"}))) + "]"
    )
    others = re.compile(
        "[" + re.escape("".join(sorted({",", ";", '"', "\r", "\n"} - {delimiter}))) + "]"
    )

    def quote(cell: str) -> str:
        if special.search(cell) is None:
            return cell
        return '"' + cell.replace('"', '""') + '"'

    def line(values: Sequence[object]) -> str:
        cells = [_cell(v) for v in values]
        if len(cells) == 1 and not cells[0]:
            return '""'  # a lone empty cell, not a blank line
        joined = delimiter.join(cells)
        if joined.count(delimiter) == len(cells) - 1 and others.search(joined) is None:
            return joined
        return delimiter.join([quote(c) for c in cells])

    out = [line([neutralise(_cell(h)) for h in header])]
    out.extend(line(r) for r in rows)
    out.append("")
    return "\r\n".join(out)
