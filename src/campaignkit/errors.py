"""The package's errors: one base class, and subclasses that are also builtins.

Every error campaignkit raises on purpose derives from `CampaignkitError`, so a
service can catch the whole family at once, and from the builtin a caller
would otherwise catch (`ValueError`), so generic handlers keep working.
"""

from __future__ import annotations

from typing import Self

__all__ = [
    "CampaignkitError",
    "IllegalTransition",
    "InvalidConfig",
    "InvalidInput",
    "MissingDependency",
    "shown",
]

_SHOWN_CHARS = 200


class CampaignkitError(Exception):
    """Base class of every error raised by campaignkit."""


class IllegalTransition(CampaignkitError, ValueError):
    """An event that the named state machine does not accept in the given state.

    Attributes ``machine``, ``state`` and ``event`` carry the three facts the
    message states, so callers can react without parsing text.
    """

    def __init__(self, machine: str, state: object, event: object) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        super().__init__(
            f"{machine} machine: event {_label(event)!r} is not allowed in state {_label(state)!r}"
        )

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        return (type(self), (self.machine, self.state, self.event))


class InvalidConfig(CampaignkitError, ValueError):
    """A policy or setting outside its documented range.

    The message names the field, the accepted range and the value given;
    the same facts are kept as ``field``, ``expected`` and ``value``.
    """

    def __init__(self, field: str, expected: str, value: object) -> None:
        self.field = field
        self.expected = expected
        self.value = value
        super().__init__(f"{field} must be {expected}; got {shown(value)}")

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        return (type(self), (self.field, self.expected, self.value))


class InvalidInput(CampaignkitError, ValueError):
    """Data that cannot be accepted: a bad record field, an unknown label, a naive datetime.

    The message names what was wrong and the offending value.
    """


class MissingDependency(CampaignkitError, ImportError):
    """An optional feature whose extra is not installed; the message names the
    ``pip install "campaignkit[extra]"`` that brings it."""


def _label(value: object) -> object:
    return getattr(value, "value", value)


def shown(value: object) -> str:
    """``repr(value)`` for an error message, at most about 200 characters.

    Never raises: an integer too long to print (over 4,300 digits) is shown by
    its size, and anything whose ``repr`` fails by its type, so building the
    message for hostile input cannot itself raise.
    """
    try:
        text = repr(value)
    except ValueError:
        if isinstance(value, int):
            return f"<an integer of {value.bit_length()} bits>"
        return f"<a {type(value).__name__}>"
    except Exception:  # RecursionError on deep nesting, a broken __repr__
        return f"<a {type(value).__name__}>"
    if len(text) > _SHOWN_CHARS:
        return f"{text[:_SHOWN_CHARS]}... ({len(text)} characters)"
    return text
