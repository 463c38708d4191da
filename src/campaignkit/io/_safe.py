"""Spreadsheet formula injection: neutralising cells on export, recognising them on import.

A spreadsheet runs a cell as a formula when it starts with ``=``, ``+``, ``-``
or ``@`` (and some strip a leading tab or carriage return first), which lets a
crafted contact name run commands on the machine of whoever opens the export
(OWASP "CSV injection"). Exports prefix such cells with an apostrophe, the
spreadsheet convention for "this is text". Imports undo exactly that prefix,
so export then import gives back the original text, and treat cells that still
look like formulas as the caller chooses (reject the row, or keep the text).

Leading whitespace does not make a cell safe: some spreadsheets trim it (and
importers trim cells), so ``" =HYPERLINK(...)"`` - spaces or no-break spaces
before the trigger - counts as formula-looking too (issue 14 item 12).
"""

from __future__ import annotations

import re

__all__ = ["TRIGGERS", "is_formula", "looks_triggered", "neutralise", "unneutralise"]

TRIGGERS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet evaluate a cell."""

# Signed numbers and phone-like values: a spreadsheet shows these, nothing runs.
_NUMERIC = re.compile(r"[+-][0-9 ().,/+-]*")


def looks_triggered(value: str) -> bool:
    """True if ``value`` starts with a trigger, possibly after whitespace
    (spaces, no-break spaces, tabs)."""
    first = value[:1]
    if first in TRIGGERS:
        return first != ""
    return first.isspace() and value.lstrip()[:1] in TRIGGERS


def neutralise(value: str) -> str:
    """``value`` made safe for a spreadsheet: prefixed with ``'`` if it would run as a formula.

    That is, if it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return, possibly after other whitespace. A value that already starts
    with apostrophes before such a start gets one more, so `unneutralise`
    can always undo exactly one.
    """
    if not value:
        return value
    first = value[0]
    if first in TRIGGERS or (
        (first == "'" or first.isspace()) and looks_triggered(value.lstrip("'"))
    ):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse of `neutralise`: drops the one apostrophe it added, if any."""
    if value[:1] == "'" and looks_triggered(value.lstrip("'")):
        return value[1:]
    return value


def is_formula(value: str) -> bool:
    """True if a spreadsheet would run ``value`` as a formula that is not a plain number.

    ``=`` and ``@`` always count; ``+`` and ``-`` count unless the rest is only
    digits and phone punctuation (``-150``, ``+52 55 5555 1234``); leading
    whitespace (tabs, carriage returns, spaces, no-break spaces) counts if
    what follows it does - the check runs on the trimmed text.
    """
    first = value[:1]
    if first in ("=", "@"):
        return True
    if first in ("+", "-"):
        return _NUMERIC.fullmatch(value) is None
    if first.isspace():
        rest = value.lstrip()
        return bool(rest) and not rest[0].isspace() and is_formula(rest)
    return False
