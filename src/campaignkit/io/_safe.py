"""Spreadsheet formula injection: neutralising cells on export, recognising them on import.

A spreadsheet runs a cell as a formula when it starts with ``=``, ``+``, ``-``
or ``@`` (and some strip a leading tab or carriage return first), which lets a
crafted contact name run commands on the machine of whoever opens the export
(OWASP "CSV injection"). Exports prefix such cells with an apostrophe, the
spreadsheet convention for "this is text". Imports undo exactly that prefix,
so export then import gives back the original text, and treat cells that still
look like formulas as the caller chooses (reject the row, or keep the text).
"""

from __future__ import annotations

import re

__all__ = ["TRIGGERS", "is_formula", "neutralise", "unneutralise"]

TRIGGERS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet evaluate a cell."""

_STARTERS = TRIGGERS | {"'"}
# Signed numbers and phone-like values: a spreadsheet shows these, nothing runs.
_NUMERIC = re.compile(r"[+-][0-9 ().,/+-]*")


def neutralise(value: str) -> str:
    """``value`` made safe for a spreadsheet: prefixed with ``'`` if it would run as a formula.

    A value that already starts with apostrophes before a trigger gets one
    more, so `unneutralise` can always undo exactly one.
    """
    if not value or value[0] not in _STARTERS:
        return value
    if value[0] == "'" and value.lstrip("'")[:1] not in TRIGGERS:
        return value
    return "'" + value


def unneutralise(value: str) -> str:
    """The inverse of `neutralise`: drops the one apostrophe it added, if any."""
    if value[:1] == "'" and value.lstrip("'")[:1] in TRIGGERS:
        return value[1:]
    return value


def is_formula(value: str) -> bool:
    """True if a spreadsheet would run ``value`` as a formula that is not a plain number.

    ``=`` and ``@`` always count; ``+`` and ``-`` count unless the rest is only
    digits and phone punctuation (``-150``, ``+52 55 5555 1234``); a leading
    tab or carriage return counts if what follows the whitespace does.
    """
    first = value[:1]
    if first in ("=", "@"):
        return True
    if first in ("+", "-"):
        return _NUMERIC.fullmatch(value) is None
    if first in ("\t", "\r"):
        rest = value.lstrip()
        return bool(rest) and is_formula(rest)
    return False
