"""The typed errors of `campaignkit.io`: whole-input problems that stop a read.

Problems with a single row never raise: the row is rejected and reported
(`Rejection`), and every other row is still read. All of these are
`InvalidInput` (and so `ValueError`) and carry their facts as attributes.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput

__all__ = [
    "DuplicateColumns",
    "EmptyInput",
    "InputTooLarge",
    "MalformedInput",
    "MissingColumns",
    "UndecodableInput",
]


class InputTooLarge(InvalidInput):
    """The input is larger than the size limit (``size`` and ``limit`` in bytes).

    ``size`` is a lower bound when the read stopped at the limit.
    """

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"input is larger than the limit of {limit:,} bytes (read {size:,})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.size, self.limit))


class UndecodableInput(InvalidInput):
    """Bytes that are not valid in ``encoding``, at byte ``offset`` on ``line``."""

    def __init__(self, encoding: str, offset: int, line: int) -> None:
        self.encoding = encoding
        self.offset = offset
        self.line = line
        super().__init__(
            f"line {line}: bytes at offset {offset} are not valid {encoding}; "
            "save the file as UTF-8 or pass the file's encoding"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.encoding, self.offset, self.line))


class EmptyInput(InvalidInput):
    """The input has no header row (it is empty or only blank lines)."""

    def __init__(self, what: str = "input") -> None:
        self.what = what
        super().__init__(f"{what} is empty: expected a header row")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.what,))


class MissingColumns(InvalidInput):
    """Required columns absent from the header: ``missing``; ``found`` is the header read."""

    def __init__(self, missing: tuple[str, ...], found: tuple[str, ...]) -> None:
        self.missing = missing
        self.found = found
        super().__init__(
            f"missing required column(s) {', '.join(map(repr, missing))}; "
            f"the header has {', '.join(map(repr, found)) or 'no columns'}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.missing, self.found))


class DuplicateColumns(InvalidInput):
    """Header names that appear more than once (compared trimmed and case-insensitively)."""

    def __init__(self, duplicates: tuple[str, ...]) -> None:
        self.duplicates = duplicates
        super().__init__(f"column(s) {', '.join(map(repr, duplicates))} appear more than once")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.duplicates,))


class MalformedInput(InvalidInput):
    """Text the CSV or JSON reader cannot read at all, at ``line``."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.line, self.reason))
