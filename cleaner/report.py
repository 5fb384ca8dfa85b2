"""Counting what a run did, for ``--stats`` and the exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .core import Result

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_USAGE = 2
EXIT_FAILED = 3


@dataclass
class Report:
    """Counters over the documents of one run."""

    documents: int = 0
    changed: int = 0
    guarded: int = 0
    failed: int = 0
    chars_removed: int = 0
    removals: Counter = field(default_factory=Counter)
    documents_per_rule: Counter = field(default_factory=Counter)

    def add(self, result: Result, original_length: int) -> None:
        self.documents += 1
        if result.guarded:
            self.guarded += 1
            return
        if result.changed:
            self.changed += 1
            self.chars_removed += original_length - len(result.text)
        for rule_id, count in Counter(r.rule_id for r in result.removals).items():
            self.removals[rule_id] += count
            self.documents_per_rule[rule_id] += 1

    def merge(self, other: Report) -> None:
        """Add the counts of another report (a file's, from a worker)."""
        self.documents += other.documents
        self.changed += other.changed
        self.guarded += other.guarded
        self.failed += other.failed
        self.chars_removed += other.chars_removed
        self.removals.update(other.removals)
        self.documents_per_rule.update(other.documents_per_rule)

    def fail(self) -> None:
        self.documents += 1
        self.failed += 1

    @property
    def return_code(self) -> int:
        return EXIT_FAILED if self.failed else EXIT_OK

    def table(self) -> str:
        """Per-rule counts and the totals, as lines for stderr."""
        lines = []
        if self.removals:
            width = max(len(rule) for rule in self.removals)
            lines.append(f"{'rule':<{width}}  removals  documents")
            for rule, count in sorted(self.removals.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"{rule:<{width}}  {count:>8,}  {self.documents_per_rule[rule]:>9,}")
        lines.append(
            f"{self.documents:,} document{'' if self.documents == 1 else 's'}: {self.changed:,} changed, {self.guarded:,} left by the guard, "
            f"{self.failed:,} failed; {self.chars_removed:,} characters removed"
        )
        return "\n".join(lines)
