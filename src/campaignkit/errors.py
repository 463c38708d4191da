"""The package's errors: one base class, and subclasses that are also builtins.

Every error campaignkit raises on purpose derives from `CampaignkitError`, so a
service can catch the whole family at once, and from the builtin a caller
would otherwise catch (`ValueError`), so generic handlers keep working.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CampaignkitError", "IllegalTransition", "InvalidConfig", "InvalidInput"]


class CampaignkitError(Exception):
    """Base class of every error raised by campaignkit."""


class IllegalTransition(CampaignkitError, ValueError):
    """An event that the named state machine does not accept in the given state.

    Attributes ``machine``, ``state`` and ``event`` carry the three facts the
    message states, so callers can react without parsing text.
    """

    def __init__(self, machine: str, state: Any, event: Any) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        super().__init__(
            f"{machine} machine: event {_label(event)!r} is not allowed in state {_label(state)!r}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.machine, self.state, self.event))


class InvalidConfig(CampaignkitError, ValueError):
    """A policy or setting outside its documented range.

    The message names the field, the accepted range and the value given;
    the same facts are kept as ``field``, ``expected`` and ``value``.
    """

    def __init__(self, field: str, expected: str, value: Any) -> None:
        self.field = field
        self.expected = expected
        self.value = value
        super().__init__(f"{field} must be {expected}; got {value!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.expected, self.value))


class InvalidInput(CampaignkitError, ValueError):
    """Data that cannot be accepted: a bad record field, an unknown label, a naive datetime.

    The message names what was wrong and the offending value.
    """


def _label(value: Any) -> Any:
    return getattr(value, "value", value)
