"""CSV reading and writing shared by the importer, the exports and the dialects."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from ..errors import InvalidConfig
from ._errors import DuplicateColumns, EmptyInput, MalformedInput

__all__ = ["choose_delimiter", "header_key", "read_rows", "write_csv"]

DELIMITERS = (",", ";")


def check_delimiter(delimiter: str) -> str:
    """``delimiter`` if it is one character other than a quote or a line break."""
    if type(delimiter) is not str or len(delimiter) != 1 or delimiter in '"\r\n':
        raise InvalidConfig("delimiter", "one character such as ',' or ';'", delimiter)
    return delimiter


def header_key(name: str) -> str:
    """How header names are compared: trimmed and case-insensitive."""
    return name.strip().casefold()


def choose_delimiter(text: str, wanted: Iterable[str]) -> str:
    """Comma or semicolon, whichever makes the first line's header hold more of ``wanted``.

    Ties go to the one giving more columns, then to the comma.
    """
    first = text.lstrip("\r\n").split("\n", 1)[0]
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


def read_rows(
    text: str, delimiter: str
) -> tuple[tuple[str, ...], int, Iterator[tuple[int, list[str]]]]:
    """The header (names trimmed), its line number, and the data rows with their first line.

    Blank lines (and lines of empty cells only) are skipped. Raises
    `EmptyInput` when there is no header,
    `DuplicateColumns` for repeated names, and `MalformedInput` (from the
    iterator) when the CSV reader gives up on a line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        last = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise MalformedInput(reader.line_num, str(exc)) from None
            start = last + 1
            last = reader.line_num
            if not any(row):
                continue
            yield start, row

    data = rows()
    for line, header in data:
        if any(cell.strip() for cell in header):
            header_line = line
            break
    else:
        raise EmptyInput()
    names = tuple(cell.strip() for cell in header)
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for name in names:
        if not name:
            continue
        key = header_key(name)
        if key in seen and name not in duplicates:
            duplicates.append(name)
        seen[key] = name
    if duplicates:
        raise DuplicateColumns(tuple(duplicates))
    return names, header_line, data


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str) -> str:
    """RFC 4180 CSV text (CRLF line endings; quotes where needed)."""
    check_delimiter(delimiter)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
