"""An immutable, hashable, picklable mapping for record fields."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only dict: hashable when its values are, and equal to any mapping with
    the same items. Records use it so that a frozen record is frozen all the way down."""

    __slots__ = ("_data", "_hash")

    _data: dict[K, V]
    _hash: int | None

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data) if data else {})
        object.__setattr__(self, "_hash", None)

    @classmethod
    def adopt(cls, data: dict[K, V]) -> FrozenMap[K, V]:
        """A FrozenMap over ``data`` itself, not a copy: for a dict its builder hands
        over and never touches again (a million-entry count is not copied)."""
        out: FrozenMap[K, V] = cls.__new__(cls)
        object.__setattr__(out, "_data", data)
        object.__setattr__(out, "_hash", None)
        return out

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # The dict's own (read-only) views: Mapping's generic ones call __getitem__ per key
    # in Python, ~3x slower over the million-entry counts of CampaignStats (issue 15).
    def items(self) -> ItemsView[K, V]:
        return self._data.items()

    def keys(self) -> KeysView[K]:
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        return self._data.values()

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        return self._hash  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))


EMPTY: FrozenMap[Any, Any] = FrozenMap()


def freeze(data: Mapping[K, V] | None) -> FrozenMap[K, V]:
    """``data`` as a `FrozenMap`, sharing one empty instance for empty input."""
    if isinstance(data, FrozenMap):
        return data
    if not data:
        return EMPTY
    return FrozenMap(data)
