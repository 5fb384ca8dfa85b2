"""Bytes in and out: decoding documents and streaming JSONL records.

This module owns encodings; the engine only ever sees ``str``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import InputError

BINARY_SNIFF = 8192


def decode_text(data: bytes, *, name: str) -> str:
    """UTF-8 text of ``data`` (a BOM stays, as U+FEFF); :class:`InputError` for binary or invalid bytes."""
    if b"\x00" in data[:BINARY_SNIFF]:
        raise InputError(f"{name}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


@dataclass
class Record:
    """One JSONL line: the raw bytes, and the decoded object when the line is valid."""

    number: int
    raw: bytes
    data: dict[str, Any] | None
    error: str | None = None

    def label(self, name: str) -> str:
        """``name:LINE``, plus the record's id when it has one."""
        ident = self.data.get("id") if self.data else None
        return f"{name}:{self.number}" + (f" (id {ident})" if isinstance(ident, (str, int)) else "")


def iter_records(lines: Iterable[bytes], *, first_line: int = 1) -> Iterator[Record]:
    """Parse JSONL lines one at a time; an invalid line becomes a record with ``error`` set."""
    import json  # here, not at the top: a plain-text run does not need it

    for number, raw in enumerate(lines, start=first_line):
        body = raw.rstrip(b"\r\n")
        if not body.strip():
            yield Record(number, raw, None)
            continue
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            yield Record(number, raw, None, f"invalid JSON: {exc}")
            continue
        if not isinstance(data, dict):
            yield Record(number, raw, None, f"expected a JSON object, got {type(data).__name__}")
            continue
        yield Record(number, raw, data)


def encode_record(data: dict[str, Any], raw: bytes) -> bytes:
    """``data`` as one JSONL line, ending the way the original line ``raw`` ended."""
    ending = b"\r\n" if raw.endswith(b"\r\n") else b"\n" if raw.endswith(b"\n") else b""
    return json_bytes(data) + ending


def json_bytes(data: Any) -> bytes:
    """``data`` as one line of JSON in UTF-8, non-ASCII characters as they are; with a lone
    surrogate (JSON may spell one, "\\ud800"; UTF-8 cannot), all of them escaped instead."""
    import json

    try:
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data).encode("ascii")
