"""Turning what a caller hands over (text, bytes, a file object, lines) into one string.

Nothing here opens a path: the caller opens files (the command-line tool does).
The size limit is checked while reading, so an oversized file object is never
read whole.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Mapping
from typing import IO, Any, TypeAlias

from ..errors import InvalidConfig, InvalidInput
from ._errors import InputTooLarge, MalformedInput, UndecodableInput

__all__ = ["DEFAULT_MAX_BYTES", "Source", "load_json", "read_text"]

Source: TypeAlias = str | bytes | bytearray | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes]
"""What the readers accept: a string, bytes, a file-like object (text or binary)
or an iterable of lines (str or bytes, with or without line endings)."""

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""The default size limit: 5 MB (5 x 1024 x 1024 bytes), itellico's CSV import limit (seed 002)."""


def _check_limit(max_bytes: int | None) -> None:
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 1):
        raise InvalidConfig("max_bytes", "a positive number of bytes or None", max_bytes)


def _decode(data: bytes, encoding: str) -> str:
    codec = codecs.lookup(encoding).name
    if codec == "utf-8":
        codec = "utf-8-sig"  # accept, and drop, a byte-order mark
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UndecodableInput(encoding, exc.start, line) from None


def _utf8_size(text: str, limit: int) -> int:
    if len(text) * 4 <= limit:  # no UTF-8 character is longer than 4 bytes
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def read_text(source: Any, *, max_bytes: int | None, encoding: str = "utf-8") -> str:
    """``source`` as one string, without a leading byte-order mark.

    Raises `InputTooLarge` past ``max_bytes`` (bytes as given, or text
    measured in UTF-8), `UndecodableInput` for bytes invalid in ``encoding``,
    `InvalidConfig` for a bad limit or an unknown encoding, and `InvalidInput`
    for anything that is not a source.
    """
    _check_limit(max_bytes)
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InvalidConfig("encoding", "a codec name such as 'utf-8'", encoding) from None
    if isinstance(source, str):
        text = source
        if max_bytes is not None:
            size = _utf8_size(text, max_bytes)
            if size > max_bytes:
                raise InputTooLarge(size, max_bytes)
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if max_bytes is not None and len(data) > max_bytes:
            raise InputTooLarge(len(data), max_bytes)
        text = _decode(data, encoding)
    elif hasattr(source, "read"):
        chunk = source.read() if max_bytes is None else source.read(max_bytes + 1)
        return read_text(chunk, max_bytes=max_bytes, encoding=encoding)
    elif isinstance(source, Iterable) and not isinstance(source, Mapping):
        text = _join_lines(source, max_bytes, encoding)
    else:
        raise InvalidInput(
            "expected text, bytes, a file-like object or an iterable of lines; "
            f"got {type(source).__name__}"
        )
    if text[:1] == "\ufeff":
        text = text[1:]
    return text


def _join_lines(lines: Iterable[Any], max_bytes: int | None, encoding: str) -> str:
    parts: list[bytes] | list[str] = []
    size = 0
    kind: type | None = None
    for line in lines:
        if not isinstance(line, str | bytes | bytearray):
            raise InvalidInput(f"lines must be str or bytes; got {type(line).__name__}")
        this = str if isinstance(line, str) else bytes
        if kind is None:
            kind = this
        elif this is not kind:
            raise InvalidInput("lines must be all str or all bytes, not a mix")
        size += _utf8_size(line, 0) if isinstance(line, str) else len(line)
        if max_bytes is not None and size > max_bytes:
            raise InputTooLarge(size, max_bytes)
        parts.append(line)  # type: ignore[arg-type]
    if kind is None:
        return ""
    if kind is bytes:
        raw = [bytes(p) for p in parts if not isinstance(p, str)]
        data = b"".join(p if p.endswith((b"\n", b"\r")) else p + b"\n" for p in raw)
        return _decode(data, encoding)
    text_parts: list[str] = parts  # type: ignore[assignment]
    return "".join(p if p.endswith(("\n", "\r")) else p + "\n" for p in text_parts)


def load_json(source: Any, *, max_bytes: int | None, encoding: str = "utf-8") -> Any:
    """Parse ``source`` as JSON (a string, bytes, a file or lines, or data already decoded).

    A dict or list is returned as it is. Raises `MalformedInput` with the line
    of the first syntax error, and what `read_text` raises.
    """
    if isinstance(source, dict | list):
        return source
    text = read_text(source, max_bytes=max_bytes, encoding=encoding)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedInput(exc.lineno, f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise MalformedInput(1, "JSON nested too deeply") from None
