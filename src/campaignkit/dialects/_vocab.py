"""A vendor's labels for one canonical enum, both ways."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from .._frozen import FrozenMap
from ..errors import InvalidInput

__all__ = ["Vocabulary"]

E = TypeVar("E", bound=enum.Enum)


class Vocabulary(Generic[E]):
    """A vendor's labels for the members of one canonical enum.

    ``labels`` are the vendor's current labels, one per member it can express,
    and are what `label` writes; ``legacy`` are extra labels that are read but
    never written (deprecated or alternative spellings). `parse` raises
    `InvalidInput` naming the dialect and the label for anything else, and
    `label` raises `InvalidInput` for a member the vendor has no label for -
    never a silent default.
    """

    __slots__ = ("_by_label", "_by_member", "dialect", "labels", "legacy", "what")

    def __init__(
        self,
        dialect: str,
        what: str,
        labels: Mapping[str, E],
        legacy: Mapping[str, E] | None = None,
    ) -> None:
        self.dialect = dialect
        self.what = what
        self.labels: FrozenMap[str, E] = FrozenMap(labels)
        self.legacy: FrozenMap[str, E] = FrozenMap(legacy or {})
        by_member: dict[E, str] = {}
        for label, member in labels.items():
            if member in by_member:
                raise ValueError(f"{dialect} {what}: {label!r} and {by_member[member]!r} both")
            by_member[member] = label
        self._by_member = by_member
        self._by_label = {
            **self.labels,
            **{k: v for k, v in self.legacy.items() if k not in labels},
        }

    def parse(self, label: object) -> E:
        """The canonical member for ``label`` (surrounding spaces ignored).

        Raises `InvalidInput` naming the dialect, the kind of label and the label.
        """
        key = label.strip() if isinstance(label, str) else label
        try:
            return self._by_label[key]  # type: ignore[index]
        except (KeyError, TypeError):
            known = ", ".join(repr(k) for k in self._by_label)
            raise InvalidInput(
                f"{self.dialect}: unknown {self.what} {label!r} (known: {known})"
            ) from None

    def label(self, member: E) -> str:
        """The vendor's current label for ``member``.

        Raises `InvalidInput` if the vendor has no label for it.
        """
        try:
            return self._by_member[member]
        except (KeyError, TypeError):
            value = getattr(member, "value", member)
            raise InvalidInput(f"{self.dialect} has no {self.what} for {value!r}") from None

    def __contains__(self, label: object) -> bool:
        return label in self._by_label

    def __iter__(self) -> Iterator[str]:
        """Every label read: current, then legacy."""
        return iter(self._by_label)

    def __repr__(self) -> str:
        return f"Vocabulary({self.dialect!r}, {self.what!r}, {dict(self.labels)!r})"
