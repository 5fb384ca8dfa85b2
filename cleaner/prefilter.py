"""Which lines each rule can match, found without running its pattern.

Three gates, each a superset test (it may name a line the pattern then
rejects, never leave out one it would match):

- literals: every match of most patterns contains one of a few strings
  ("newsletter", "remind me later", "©", see :mod:`cleaner.literals`); one
  Aho-Corasick pass over the casefolded document finds them all at once;
- regions: a head or tail rule only ever sees the first or last few lines;
- words: a rule with ``max-words`` only sees lines that short, and counting a
  line's words stops after that many (``str.split(None, K)``).

A rule none of them applies to looks at every line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from .rules import Rule, Where

REGION = "region"  # the rule's own region is its candidate list


class Prefilter:
    """The gates of a rule list, built once; :meth:`candidates` applies them to one document."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.kinds: list[tuple[str, Any]] = []
        by_literal: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if rule.literals is not None:
                self.kinds.append(("literal", None))
                for literal in rule.literals:
                    by_literal[literal] = by_literal.get(literal, 0) | 1 << index
            elif rule.where is not Where.ANYWHERE:
                self.kinds.append((REGION, None))
            elif rule.max_words is not None:
                self.kinds.append(("words", rule.max_words))
            else:
                self.kinds.append(("all", None))
        self.literal_masks = list(by_literal.values())
        self.automaton = None
        if by_literal:
            import ahocorasick_rs

            self.automaton = ahocorasick_rs.AhoCorasick(
                list(by_literal),
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA,
            )

    def candidates(self, text: str, pieces: list[str], starts) -> list[list[int] | str | None]:
        """Per rule: the lines (indexes, top to bottom) it may match, :data:`REGION`, or None for
        every line. ``pieces`` is ``text`` split on ``\\n``; ``starts()`` gives their offsets."""
        hits = self._literal_lines(text, pieces, starts) if self.automaton is not None else {}
        short: dict[int, list[int]] = {}
        out: list[list[int] | str | None] = []
        for index, (kind, limit) in enumerate(self.kinds):
            if kind == "literal":
                out.append(hits.get(index, []))
            elif kind == "words":
                lines = short.get(limit)
                if lines is None:
                    lines = short[limit] = [i for i, piece in enumerate(pieces) if len(piece.split(None, limit)) <= limit]
                out.append(lines)
            elif kind == REGION:
                out.append(REGION)
            else:
                out.append(None)
        return out

    def _literal_lines(self, text: str, pieces: list[str], starts) -> dict[int, list[int]]:
        """rule index -> lines holding one of its literals, top to bottom."""
        folded = text.casefold()  # a character may fold to several, but never to or from "\n"
        found = self.automaton.find_matches_as_indexes(folded, overlapping=True)
        if not found:
            return {}
        if len(folded) == len(text):
            offsets = starts()
        else:
            offsets = [0, *accumulate(map((1).__add__, map(len, folded.split("\n"))))]
        masks: dict[int, int] = {}
        literal_masks = self.literal_masks
        for literal, start, _ in found:
            line = bisect_right(offsets, start) - 1
            masks[line] = masks.get(line, 0) | literal_masks[literal]
        lines: dict[int, list[int]] = {}
        for line in sorted(masks):
            mask = masks[line]
            while mask:
                low = mask & -mask
                lines.setdefault(low.bit_length() - 1, []).append(line)
                mask ^= low
        return lines
