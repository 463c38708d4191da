"""The one shape every dialect's call reader returns: the calls and the rejected rows."""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import InvalidInput
from ..io import Rejection, RejectReason
from ..io.contacts import count_rejections, rejection_report
from ..models.records import Call
from ._bounds import shown

__all__ = ["CallReadResult", "rejection"]


@attrs.frozen(repr=False)
class CallReadResult:
    """What a dialect's call reader produced: the calls, and every row or record it refused.

    Rejected rows are `campaignkit.io.Rejection` records, as `ImportResult`
    carries them: ``line`` is the row's first line (1 is the header) in CSV
    input and the record's 1-based position in JSON input. A bad row never
    stops the read; only whole-input problems (too large, not JSON, no header)
    raise.
    """

    calls: tuple[Call, ...]
    rejected: tuple[Rejection, ...] = ()
    columns: tuple[str, ...] = ()
    """The header as read (CSV), or the keys of the records (JSON); may be empty."""

    @property
    def rows(self) -> int:
        """Rows or records read: calls plus rejected (blank lines are not rows)."""
        return len(self.calls) + len(self.rejected)

    def counts(self) -> dict[RejectReason, int]:
        """Rejected rows per reason (`campaignkit.io.contacts.count_rejections`)."""
        return count_rejections(self.rejected)

    def report(self) -> str:
        """A short text report: totals, then one line per rejected row."""
        totals = f"{len(self.calls)} calls read, {len(self.rejected)} rejected of {self.rows} rows"
        return rejection_report(totals, self.rejected)

    def __repr__(self) -> str:
        return f"CallReadResult(calls={len(self.calls)}, rejected={len(self.rejected)})"


def rejection(line: int, exc: InvalidInput, value: Any = None) -> Rejection:
    """A `Rejection` for a row or record refused with ``exc`` (its field, when it names one)."""
    column = getattr(exc, "field", None)
    bad = getattr(exc, "value", value) if column is not None else value
    text = bad if isinstance(bad, str) else "" if bad is None else shown(bad)
    return Rejection(
        line,
        RejectReason.INVALID_VALUE,
        column if isinstance(column, str) else None,
        text[:200],
        str(exc),
    )
