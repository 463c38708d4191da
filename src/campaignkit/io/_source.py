"""Turning what a caller hands over (text, bytes, a file object, lines) into text.

Nothing here opens a path: the caller opens files (the command-line tool does).
`iter_lines` is the streaming form every reader is built on: it decodes and
splits the input a chunk at a time, checking the size limit as it goes, so an
oversized or endless source is never read whole and memory stays bounded by
the longest line. `read_text` joins it into one string for the readers that
need the whole document (JSON).
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Literal, TypeAlias, TypedDict

from ..errors import InvalidConfig, InvalidInput
from ._errors import InputTooLarge, MalformedInput, UndecodableInput

__all__ = [
    "CHUNK_CHARS",
    "DEFAULT_MAX_BYTES",
    "CallReadOptions",
    "ContactReadOptions",
    "Formulas",
    "JsonSource",
    "OversizedNumber",
    "Progress",
    "Source",
    "SourceOptions",
    "check_encoding",
    "check_options",
    "is_decoded",
    "iter_lines",
    "load_json",
    "peek_json",
    "read_text",
    "split_lines",
]

Source: TypeAlias = str | bytes | bytearray | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes]
"""What the readers accept: a string, bytes, a file-like object (text or binary)
or an iterable of lines (str or bytes, with or without line endings)."""

JsonSource: TypeAlias = Source | Mapping[str, object] | list[object]
"""What the JSON readers accept: a `Source` holding JSON text, or JSON already
decoded (a dict, or a list that is not lines of text)."""

Progress: TypeAlias = Callable[[int], None]
"""A progress callback: called with the number of input bytes read so far (text
is counted in UTF-8), once per chunk of about 64 KiB."""

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""The default size limit: 5 MB (5 x 1024 x 1024 bytes), itellico's CSV import limit (seed 002)."""

Formulas: TypeAlias = Literal["reject", "keep"]
"""What a contact reader does with a cell a spreadsheet would run as a formula."""


class SourceOptions(TypedDict, total=False):
    """How a reader reads its `Source`, each optional: the one home of these keywords.

    Taken by `import_contacts`, `iter_contacts`, `read_contact_export`,
    `read_call_export` and `iter_call_export` (through `ContactReadOptions`
    and `CallReadOptions`); each function's docstring gives its defaults.
    """

    delimiter: str | None
    """``","`` or ``";"``; None (the default) detects it from the header."""
    max_bytes: int | None
    """The size limit in bytes (`DEFAULT_MAX_BYTES` for uploads, None for exports);
    None reads any size."""
    encoding: str
    """The text encoding of byte input (default ``"utf-8"``; a byte-order mark is allowed)."""
    progress: Progress | None
    """Called with the bytes read so far, once per chunk (default None)."""


class ContactReadOptions(SourceOptions, total=False):
    """The keyword options of the contact readers: `SourceOptions`, ``region`` and ``formulas``."""

    region: str | None
    """The region national numbers are read in (default ``"MX"``)."""
    formulas: Formulas
    """``"reject"`` (default) rejects a cell a spreadsheet would run as a formula;
    ``"keep"`` keeps its text."""


class CallReadOptions(SourceOptions, total=False):
    """The keyword options of the call-export readers: `SourceOptions`, ``region``,
    ``timezone``, ``contact_ids`` and ``campaign_id``."""

    region: str | None
    """The region national ``number_to`` values are read in (default ``"MX"``)."""
    timezone: str
    """The zone of date-times without an offset (default the project's, Mexico City)."""
    contact_ids: Mapping[str, str] | None
    """Contact ids by E.164 number (default None: a call's contact id is its number)."""
    campaign_id: str | None
    """The ``campaign_id`` every call gets (default None)."""


def is_decoded(source: object) -> bool:
    """True for JSON data already decoded: a dict, or a list that is not lines of text.

    A list whose first item is text (str, bytes or bytearray) is a `Source`;
    the exports' readers and the contact export reader share this one rule.
    """
    if isinstance(source, dict):
        return True
    return isinstance(source, list) and not (
        source and isinstance(source[0], str | bytes | bytearray)
    )


def peek_json(lines: Iterator[str]) -> tuple[Iterator[str], bool]:
    """``lines`` again (nothing lost), and whether the first non-blank one opens a JSON array.

    How a reader of "CSV or JSON" tells them apart without reading the input
    whole: one line is looked at, then put back in front of the rest.
    """
    peeked: list[str] = []
    for line in lines:
        peeked.append(line)
        if line.strip():
            break
    is_json = bool(peeked) and peeked[-1].lstrip()[:1] == "["
    return itertools.chain(peeked, lines), is_json


def check_options(options: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    """Refuse a keyword ``**options`` does not declare, as a signature would (`TypeError`)."""
    unknown = sorted(options.keys() - allowed)
    if unknown:
        raise TypeError(f"{what}() got an unexpected keyword argument {unknown[0]!r}")


CHUNK_CHARS = 1 << 16
"""How much is read and decoded at a time (characters or bytes)."""

MAX_INT_DIGITS = 4300
"""The longest integer literal the JSON readers convert (CPython's default limit
for int/str conversion; longer ones would raise a bare ValueError)."""

# Lone surrogates cannot come out of decoding a file, but a str handed over (or a
# JSON "\ud800" escape) can carry them; they crash later, when the text is encoded.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_limit(max_bytes: int | None) -> None:
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 1):
        raise InvalidConfig("max_bytes", "a positive number of bytes or None", max_bytes)


def check_encoding(encoding: object) -> str:
    """The codec name of ``encoding``, which must be a text encoding.

    Raises `InvalidConfig` for an unknown name and for the codecs that are not
    text encodings (``hex``, ``base64``, ``rot13``, ``zlib``...): they turn
    bytes into bytes or str into str, and would fail later with a bare error.
    """
    if type(encoding) is not str:
        raise InvalidConfig("encoding", "a codec name such as 'utf-8'", encoding)
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise InvalidConfig("encoding", "a codec name such as 'utf-8'", encoding) from None
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidConfig(
            "encoding", "a text encoding such as 'utf-8' or 'cp1252' (not a bytes codec)", encoding
        )
    return info.name


def _utf8_size(text: str) -> int:
    if text.isascii():  # O(1) in CPython
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


class _Reader:
    """Decodes, measures and checks a source chunk by chunk."""

    __slots__ = ("codec", "decoder", "first", "lines", "max_bytes", "progress", "size")

    def __init__(self, max_bytes: int | None, codec: str, progress: Progress | None) -> None:
        self.max_bytes = max_bytes
        # "utf-8-sig" accepts, and drops, a byte-order mark at byte 0.
        self.codec = "utf-8-sig" if codec == "utf-8" else codec
        self.decoder: codecs.IncrementalDecoder | None = None
        self.progress = progress
        self.size = 0
        self.lines = 0  # line breaks seen so far, for error messages
        self.first = True

    def count(self, size: int) -> None:
        self.size += size
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise InputTooLarge(self.size, self.max_bytes)
        if self.progress is not None:
            self.progress(self.size)

    def text(self, chunk: str) -> str:
        self.count(_utf8_size(chunk))
        if not chunk.isascii():
            bad = _SURROGATE.search(chunk)
            if bad is not None:
                line = self.lines + chunk.count("\n", 0, bad.start()) + 1
                raise UndecodableInput("utf-8", self.size - _utf8_size(chunk[bad.start() :]), line)
        self.lines += chunk.count("\n")
        return self.strip_bom(chunk)

    def data(self, chunk: bytes, final: bool = False) -> str:
        self.count(len(chunk))
        if self.decoder is None:
            self.decoder = codecs.getincrementaldecoder(self.codec)("strict")
        pending = len(self.decoder.getstate()[0])
        try:
            text = self.decoder.decode(chunk, final)
        except UnicodeError as exc:  # UnicodeDecodeError, or a codec's own (idna)
            start = getattr(exc, "start", pending)
            offset = self.size - len(chunk) - pending + start
            within = max(start - pending, 0)
            line = self.lines + chunk.count(b"\n", 0, within) + 1
            raise UndecodableInput(self.codec.removesuffix("-sig"), offset, line) from None
        self.lines += chunk.count(b"\n")
        return self.strip_bom(text)

    def finish(self) -> str:
        if self.decoder is None:
            return ""
        return self.data(b"", final=True)

    def strip_bom(self, text: str) -> str:
        if self.first and text:
            self.first = False
            if text[0] == "\ufeff":
                return text[1:]
        return text


def _chunks(source: Any, reader: _Reader) -> Iterator[str]:
    """Decoded text chunks of ``source``; lines of an iterable get a line break if they lack one."""
    if isinstance(source, str):
        for start in range(0, len(source), CHUNK_CHARS):
            yield reader.text(source[start : start + CHUNK_CHARS])
    elif isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), CHUNK_CHARS):
            yield reader.data(bytes(view[start : start + CHUNK_CHARS]))
        yield reader.finish()
    elif hasattr(source, "read"):
        while True:
            chunk = source.read(CHUNK_CHARS)
            if not chunk:
                break
            if isinstance(chunk, str):
                yield reader.text(chunk)
            elif isinstance(chunk, bytes | bytearray):
                yield reader.data(bytes(chunk))
            else:
                raise InvalidInput(f"read() must return str or bytes; got {type(chunk).__name__}")
        yield reader.finish()
    else:
        kind: type | None = None
        for line in source:
            this = str if isinstance(line, str) else bytes
            if not isinstance(line, str | bytes | bytearray):
                raise InvalidInput(f"lines must be str or bytes; got {type(line).__name__}")
            if kind is None:
                kind = this
            elif this is not kind:
                raise InvalidInput("lines must be all str or all bytes, not a mix")
            if isinstance(line, str):
                yield reader.text(line if line.endswith(("\n", "\r")) else line + "\n")
            else:
                data = bytes(line)
                yield reader.data(data if data.endswith((b"\n", b"\r")) else data + b"\n")
        yield reader.finish()


def split_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Physical lines with their endings (``\\r\\n``, ``\\r`` or ``\\n``) from text chunks.

    Only these three end a line (``str.splitlines`` would also split on form
    feeds and U+2028, which are cell text in a CSV file). A line longer than a
    chunk is collected in parts and joined once (linear, not quadratic), and a
    ``\\r`` at a chunk's end waits for the next chunk in case a ``\\n`` follows.
    A byte-order mark at the start of a line (files concatenated, or a header
    after blank lines) is dropped.
    """
    carry: list[str] = []  # the line being collected, in parts
    for chunk in chunks:
        if not chunk:
            continue
        if carry and carry[-1][-1] == "\r":  # a finished line, unless "\n" follows
            if chunk[0] == "\n":
                carry.append("\n")
                chunk = chunk[1:]
            yield "".join(carry).lstrip("\ufeff")
            carry = []
            if not chunk:
                continue
        lines = io.StringIO(chunk, newline="").readlines()
        if carry:
            head = lines[0]
            carry.append(head)
            if head[-1] not in "\r\n":  # still unfinished: the chunk had no line break
                continue
            if head[-1] == "\r" and len(lines) == 1:
                continue  # wait: a "\n" may start the next chunk
            lines[0] = "".join(carry).lstrip("\ufeff")
            carry = []
        if lines[-1][-1] != "\n":  # unfinished, or a "\r" that a "\n" may follow
            carry.append(lines.pop())
        if "\ufeff" in chunk:
            lines = [line.lstrip("\ufeff") for line in lines]
        yield from lines
    if carry:
        yield "".join(carry).lstrip("\ufeff")


def iter_lines(
    source: Any,
    *,
    max_bytes: int | None,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> Iterator[str]:
    """The physical lines of ``source``, with their line endings, read a chunk at a time.

    Raises (when iterated) `InputTooLarge` as soon as more than ``max_bytes``
    have been read (bytes as given, text measured in UTF-8),
    `UndecodableInput` for bytes invalid in ``encoding`` or text holding lone
    surrogates; and (at once) `InvalidConfig` for a bad limit or an encoding
    that is not a text encoding, `InvalidInput` for anything that is not a
    source. ``progress`` is called with the bytes read so far.
    """
    _check_limit(max_bytes)
    codec = check_encoding(encoding)
    if isinstance(source, Mapping) or not (
        isinstance(source, str | bytes | bytearray | memoryview)
        or hasattr(source, "read")
        or isinstance(source, Iterable)
    ):
        raise InvalidInput(
            "expected text, bytes, a file-like object or an iterable of lines; "
            f"got {type(source).__name__}"
        )
    if progress is not None and not callable(progress):
        raise InvalidConfig("progress", "a callable taking the bytes read, or None", progress)
    if isinstance(source, str) and max_bytes is not None:
        size = _utf8_size(source) if len(source) * 4 > max_bytes else len(source)
        if size > max_bytes:  # refuse before reading anything
            raise InputTooLarge(size, max_bytes)
    return split_lines(_chunks(source, _Reader(max_bytes, codec, progress)))


def read_text(
    source: Source,
    *,
    max_bytes: int | None,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> str:
    """``source`` as one string, without a leading byte-order mark.

    Raises what `iter_lines` raises.
    """
    return "".join(iter_lines(source, max_bytes=max_bytes, encoding=encoding, progress=progress))


class OversizedNumber:
    """A JSON integer literal longer than `MAX_INT_DIGITS` digits, left unconverted.

    Only lenient `load_json` produces it, for readers that reject the row
    holding it instead of the whole input.
    """

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<an integer of {self.digits:,} digits>"


def _strict_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise _Oversized(len(text))
    try:
        return int(text)
    except ValueError:  # a lower sys.set_int_max_str_digits
        raise _Oversized(len(text)) from None


def _lenient_int(text: str) -> int | OversizedNumber:
    try:
        return _strict_int(text)
    except _Oversized:
        return OversizedNumber(len(text))


class _Oversized(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def has_lone_surrogate(value: str) -> bool:
    """True if ``value`` holds a lone surrogate (text that cannot be encoded)."""
    return not value.isascii() and _SURROGATE.search(value) is not None


def _find_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def load_json(
    source: Any, *, max_bytes: int | None, encoding: str = "utf-8", lenient: bool = False
) -> Any:
    """Parse ``source`` as JSON (a string, bytes, a file or lines, or data already decoded).

    A dict or list is returned as it is. Raises `MalformedInput` with the line
    of the first syntax error, for nesting too deep, and - unless ``lenient``
    - for an integer literal over `MAX_INT_DIGITS` digits or a ``\\ud800``
    escape that leaves a lone surrogate; plus what `read_text` raises. With
    ``lenient=True`` such integers become `OversizedNumber` and lone
    surrogates stay in the strings, for readers that reject one row.
    """
    if isinstance(source, dict | list):
        return source
    text = read_text(source, max_bytes=max_bytes, encoding=encoding)
    try:
        data = json.loads(text, parse_int=_lenient_int if lenient else _strict_int)
    except json.JSONDecodeError as exc:
        raise MalformedInput(exc.lineno, f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise MalformedInput(1, "JSON nested too deeply") from None
    except _Oversized as exc:
        raise MalformedInput(
            1, f"an integer of {exc.digits:,} digits (at most {MAX_INT_DIGITS:,})"
        ) from None
    if not lenient and _SURROGATE_ESCAPE.search(text) and _find_surrogate(data):
        raise MalformedInput(1, "a \\u escape leaves a lone surrogate (not a character)")
    return data
