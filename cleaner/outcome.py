"""What cleaning one document gives back: the text and every removal, with where it was."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Removal:
    """One thing a rule removed: offsets are into the input text, line is 1-based."""

    rule_id: str
    line: int
    start: int
    end: int
    text: str
    replacement: str | None = None


@dataclass(frozen=True)
class Result:
    """The outcome of cleaning one document.

    When ``guarded`` is true the rules would have removed more than the allowed
    share of the words: ``text`` is then the input unchanged and ``removals``
    lists what the rules would have removed. ``removed_words`` is the words
    before minus the words after (what the guard weighs).
    """

    text: str
    removals: tuple[Removal, ...]
    changed: bool
    guarded: bool = False
    removed_words: int = 0

    @cached_property
    def removed_share(self) -> float:
        """The share of the input's words the rules removed (counted on demand: it costs a split)."""
        if self.removed_words <= 0:
            return 0.0
        before = len(self.text.split()) + (0 if self.guarded else self.removed_words)
        return self.removed_words / before
