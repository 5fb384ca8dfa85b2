"""Cleaning documents as bytes: one text or HTML document, or a stream of JSONL records.

Shared by the stdin filter and by files; messages go to a ``say`` callable so
that the caller decides where they appear (stderr at once, or collected in a
worker process and printed by the parent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import extract
from .api import Cleaner
from .core import Result
from .errors import InputError
from .report import Report
from .sources import Record, decode_text, encode_record, iter_records

EXPLAIN_WIDTH = 100
BOM = "\ufeff"


@dataclass
class Run:
    """A cleaner, the report it counts into, and where its messages go."""

    cleaner: Cleaner
    report: Report
    say: Callable[[str], None]
    explain: bool = False
    log: Callable[[dict], None] | None = None  # receives one dict per removal (--report)

    def is_html(self, data: bytes | str) -> bool:
        fmt = self.cleaner.input_format
        return fmt == "html" or (fmt == "auto" and extract.looks_like_html(data))

    def clean_document(self, data: bytes, name: str) -> bytes | None:
        """The cleaned bytes of one document, or None when it could not be processed (reported).

        Text keeps its UTF-8 BOM; HTML becomes its extracted, cleaned text with a final newline.
        """
        try:
            if self.is_html(data):
                text = self.cleaner.to_text(data, input_format="html")
                bom = ""
                if not text.endswith("\n"):
                    text += "\n"
            else:
                text = decode_text(data, name=name)
                bom = BOM if text.startswith(BOM) else ""
                text = text[len(bom) :]
            result = self.cleaner.run(text, input_format="text")
        except InputError as exc:
            self.fail(name, exc)
            return None
        self.note(result, name, len(text))
        return (bom + result.text).encode("utf-8")

    def clean_records(
        self,
        lines: Iterable[bytes],
        name: str,
        *,
        field: str = "text",
        to_field: str | None = None,
        first_line: int = 1,
    ) -> Iterator[tuple[bytes, bytes]]:
        """Clean ``field`` of each JSONL record: yields (line in, line out) pairs, in order.

        Unchanged records come out byte for byte; an invalid line, or a record
        without a string ``field``, is reported and passed through as it was.
        ``first_line`` numbers the first line (for a chunk of a longer stream).
        """
        for record in iter_records(lines, first_line=first_line):
            yield record.raw, self._clean_record(record, name, field, to_field)

    def _clean_record(self, record: Record, name: str, field: str, to_field: str | None) -> bytes:
        label = record.label(name)
        if record.error:
            self.fail(label, record.error, passed=True)
            return record.raw
        if record.data is None:  # a blank line
            return record.raw
        value = record.data.get(field)
        if value is None and field in record.data:  # null: nothing to clean
            if not to_field:
                return record.raw
            record.data[to_field] = None
            return encode_record(record.data, record.raw)
        if not isinstance(value, str):
            problem = f'no field "{field}"' if field not in record.data else f'field "{field}" is not a string'
            self.fail(label, problem, passed=True)
            return record.raw
        try:
            result = self.cleaner.run(value)
        except InputError as exc:
            self.fail(label, exc, passed=True)
            if not to_field:
                return record.raw
            record.data[to_field] = None
            return encode_record(record.data, record.raw)
        where = {"document": name, "record": record.number}
        if isinstance(record.data.get("id"), (str, int)):
            where["id"] = record.data["id"]
        self.note(result, label, len(value), where)
        if to_field:
            record.data[to_field] = result.text
        elif result.changed:
            record.data[field] = result.text
        else:
            return record.raw
        return encode_record(record.data, record.raw)

    def fail(self, label: str, problem: object, *, passed: bool = False) -> None:
        """Count and report a document that could not be processed."""
        self.report.fail()
        message = str(problem)
        if not message.startswith(label.split(" ")[0]):
            message = f"{label}: {message}"
        self.say(f"error: {message}" + ("; passed through unchanged" if passed else ""))

    def note(self, result: Result, label: str, length: int, where: dict | None = None) -> None:
        """Count a result, and say what a user should know about it.

        ``where`` names the document in the removal log (default: ``{"document": label}``).
        """
        self.report.add(result, length)
        if result.guarded:
            self.say(
                f"warning: {label}: left as it was: the rules would remove {result.removed_share:.0%} of its "
                f"words (limit {self.cleaner.max_removed_share:.0%}, see --max-removed-share)"
            )
        if self.log is not None:
            for removal in result.removals:
                entry = {
                    **(where or {"document": label}),
                    "rule": removal.rule_id,
                    "line": removal.line,
                    "start": removal.start,
                    "end": removal.end,
                    "text": removal.text,
                }
                if removal.replacement is not None:
                    entry["replacement"] = removal.replacement
                if result.guarded:
                    entry["applied"] = False  # the guard left the document as it was
                self.log(entry)
        if self.explain:
            verb = "would remove" if result.guarded else "removed"
            for removal in result.removals:
                text = removal.text
                shown = text if len(text) <= EXPLAIN_WIDTH else text[: EXPLAIN_WIDTH - 3] + "..."
                extra = f" -> {removal.replacement!r}" if removal.replacement is not None else ""
                self.say(f"{label}: line {removal.line}: {removal.rule_id}: {verb} {shown!r}{extra}")
