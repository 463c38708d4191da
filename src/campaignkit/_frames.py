"""``pandas.DataFrame`` views of plain rows, with typed columns; pandas stays optional.

Rows hold plain values (``to_records``); a frame built from them directly gets
``object`` columns for `Decimal` money and mixed ``None``. Here each column is
given the type its values share: money as ``float64`` (exact `Decimal` stays
in ``to_records``), whole numbers as ``int64`` (``Int64`` with gaps), flags as
``bool`` (``boolean`` with gaps), datetimes as ``datetime64`` (UTC).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from .errors import MissingDependency

__all__ = ["frame", "pandas"]


def pandas() -> Any:
    """The ``pandas`` module; raises `MissingDependency` naming the install line without it."""
    try:
        # an optional dependency: imported only when a frame is asked for
        pd: Any = importlib.import_module("pandas")
    except ImportError:
        raise MissingDependency(
            "a DataFrame view needs pandas: pip install pandas (or use to_records())"
        ) from None
    return pd


def frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> Any:
    """A ``pandas.DataFrame`` of ``records`` with one type per column (see the module).

    ``columns`` fixes the column order (and names them when there are no rows).
    Raises `MissingDependency` without pandas.
    """
    pd = pandas()
    names = list(columns) if columns is not None else list(records[0]) if records else []
    data: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in records]
        data[name] = _column(pd, values)
    return pd.DataFrame(data, columns=names)


def _column(pd: Any, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    gaps = len(present) < len(values)
    if not present:
        return pd.Series(values, dtype="object")
    if all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean" if gaps else "bool")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64" if gaps else "int64")
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present):
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if all(isinstance(v, datetime) for v in present):
        return pd.to_datetime(pd.Series(values, dtype="object"), utc=True)
    return pd.Series(values, dtype="object")
