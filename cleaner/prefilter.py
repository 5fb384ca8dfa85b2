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

Once a corpus is under way, a fourth gate takes over for most rules: one Hyperscan pass
that runs every rule's whole pattern (:mod:`cleaner.scanner`); the three gates above keep
the rules it cannot take.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from .rules import Action, Rule, Where

REGION = "region"  # the rule's own region is its candidate list
AUTOMATON_AFTER = 4_000  # characters searched string by string before an automaton is built ...
DIRECT_SEARCHES = 4  # ... or texts (a rewritten line is one)
DFA_AFTER = 2_000_000  # characters searched before the faster automaton is built
SCAN_AFTER = 200_000  # characters searched before the scanner is taken from the cache (~10 ms)
COMPILE_AFTER = 50_000_000  # ... and before it is compiled (seconds, in the background) if not cached
LOOK_AGAIN_AFTER = 5_000_000  # characters between looks in the cache, where another process is to put the scanner
FOLD_BLOCK = 1_000_000  # a longer text is casefolded and searched this many characters (and a line) at a time


class Prefilter:
    """The gates of a rule list, built once; :meth:`candidates` applies them to one document."""

    def __init__(self, rules: Sequence[Rule], *, skip: int = 0, scan: bool = True, cache: bool = True) -> None:
        """``skip``: a mask of rules left to another gate; ``scan``: use the scanner once enough text
        has gone through (where Hyperscan is installed); ``cache``: keep the scanner in the cache."""
        # what the engine asks of each rule for every line: (region size, at the head, max-words, min-words)
        self.shapes = [
            (rule.region_size, rule.where is Where.HEAD, rule.max_words, rule.min_words or 1) for rule in rules
        ]
        # rules whose candidates only shrink as lines go: anywhere, and no cut (see sparse.apply)
        self.steady = [
            rule.where is Where.ANYWHERE and rule.action not in (Action.CUT_TAIL, Action.CUT_HEAD) for rule in rules
        ]
        self.literal_rules = 0  # mask of the rules gated by their literals
        self.region_rules: list[int] = []
        self.word_rules: dict[int, list[int]] = {}  # max-words -> rules gated by it
        self.other_rules: list[int] = []
        by_literal: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if skip >> index & 1:
                continue
            if rule.literals is not None:
                self.literal_rules |= 1 << index
                for literal in rule.literals:
                    by_literal[literal] = by_literal.get(literal, 0) | 1 << index
            elif rule.where is not Where.ANYWHERE:
                self.region_rules.append(index)
            elif rule.max_words is not None:
                self.word_rules.setdefault(rule.max_words, []).append(index)
            else:
                self.other_rules.append(index)
        self.most_words = max(self.word_rules, default=0)
        self.literal_masks = list(by_literal.values())
        self.literals = list(by_literal)
        self.spans_lines = any("\n" in literal for literal in self.literals)  # then a text is searched whole
        self.automaton = None  # built once AUTOMATON_AFTER characters have been searched, see _literal_lines
        self.scanned = 0  # characters searched before the DFA, see _literal_lines
        self.searches = 0  # texts searched string by string, see _find
        self.rules = rules
        self.cache = cache
        self.read: int | None = 0 if scan else None  # characters seen; None once the scanner is settled
        self.builder = None
        self.rest: Prefilter | None = None  # the gates of the rules the scanner does not cover
        self.scanner = None
        # False in a worker process: the parent compiles the scanner into the cache, once for all
        # workers, and this one looks for it there every LOOK_AGAIN_AFTER characters
        self.compiles = True
        self.look_again = 0
        self.elsewhere: int | None = 0  # characters the workers cleaned (None once enough, see count_elsewhere)
        self.compiler = None  # the Builder compiling for the workers

    def _build(self, implementation: str):
        import ahocorasick_rs

        return ahocorasick_rs.AhoCorasick(
            self.literals,
            matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=getattr(ahocorasick_rs.Implementation, implementation),
        )

    def candidates(
        self, text: str, pieces: list[str], starts, word_counts: dict[int, int], more_than: dict[int, int]
    ) -> dict[int, list[int] | str | None]:
        """rule index -> the lines (indexes, top to bottom) it may match, :data:`REGION`, or None
        for every line; a rule left out may match none. ``pieces`` is ``text`` split on ``\\n``,
        ``starts()`` gives their offsets; what the words gate learns on the way goes into
        ``word_counts`` (short lines) and ``more_than`` (the others)."""
        scanner = self.scanner if self.read is None else self._scanner(len(text))
        if scanner is not None:
            out = self.rest.candidates(text, pieces, starts, word_counts, more_than)
            out.update(scanner.lines(text))
            return out
        out: dict[int, list[int] | str | None] = self._literal_lines(text, starts) if self.literals else {}
        if self.word_rules:
            most = self.most_words
            short = {}
            for index, piece in enumerate(pieces):
                words = len(piece.split(None, most))
                if words <= most:
                    short[index] = word_counts[index] = words
                else:
                    more_than[index] = most
            for limit, rules in self.word_rules.items():
                lines = [index for index, words in short.items() if words <= limit]
                if lines:
                    for index in rules:
                        out[index] = lines
        for index in self.region_rules:
            out[index] = REGION
        for index in self.other_rules:
            out[index] = None
        return out

    def _scanner(self, size: int, *, wait: bool = False):
        """The scanner, once ready: from the cache after SCAN_AFTER characters, compiled in the
        background after COMPILE_AFTER (enough text that the seconds it takes will pay off)."""
        self.read += size
        if self.read < SCAN_AFTER:
            return None
        builder = self.builder
        if builder is None:
            from .scanner import Builder

            builder = self.builder = Builder(self.rules, cache=self.cache)
            builder.cached()
            self.look_again = self.read + LOOK_AGAIN_AFTER
        if not builder.result:
            if self.compiles or wait:
                if self.read >= COMPILE_AFTER:
                    builder.ready(wait=wait)
            elif self.read >= self.look_again:
                self.look_again = self.read + LOOK_AGAIN_AFTER
                builder.cached()
        if not (builder.result or builder.failed):
            return None
        self.read = None  # settled: from here on candidates() goes straight to self.scanner
        self.scanner = builder.result[0] if builder.result else None
        if self.scanner is not None:
            self.rest = Prefilter(self.rules, skip=self.scanner.mask, scan=False)
        return self.scanner

    def leave_compiling(self) -> None:
        """In a worker process: take the scanner from the cache, where the parent puts it (see
        :meth:`count_elsewhere`), instead of compiling another copy. Without the cache, compile it."""
        self.compiles = not self.cache

    def count_elsewhere(self, size: int) -> None:
        """Count ``size`` characters that worker processes cleaned: past COMPILE_AFTER, this
        process compiles the scanner into the cache (in the background) if it is not there yet,
        as it would for its own text. Without the cache, the workers compile their own."""
        if self.elsewhere is None or not self.cache:
            return
        self.elsewhere += size
        if self.elsewhere < COMPILE_AFTER:
            return
        self.elsewhere = None  # decided once
        from .scanner import Builder

        builder = Builder(self.rules)
        if not builder.in_cache():
            self.compiler = builder
            builder.ready()

    def finish(self) -> None:
        """Wait for a scanner being compiled, so that it reaches the cache: a run that stopped it
        would leave the next run to start over."""
        for builder in (self.builder, self.compiler):
            if builder is not None and builder.thread is not None:
                builder.thread.join()

    def use_scanner(self) -> bool:
        """Build the scanner now, waiting for it (tests, benchmarks); whether there is one."""
        if self.read is not None:
            self.read = COMPILE_AFTER
            self._scanner(0, wait=True)
        return self.scanner is not None

    def line_rules(self, content: str) -> int:
        """Mask of the rules that may match a line of this content (for a line a rule rewrote)."""
        if self.scanner is not None:  # the rules it covers, by their whole patterns; the rest by their gates
            return self.rest.line_rules(content) & ~self.scanner.mask | self.scanner.line_mask(content)
        mask = self.literal_rules ^ -1  # the rules not gated by literals may always look
        literal_masks = self.literal_masks
        for literal, _, _ in self._find(content.casefold()):
            mask |= literal_masks[literal]
        return mask

    def _find(self, folded: str) -> list[tuple[int, int, int]]:
        """(literal index, start, end) of every literal in ``folded``, overlaps included."""
        if not self.literals:
            return []
        if self.automaton is None:
            self.searches += 1
            if self.searches > DIRECT_SEARCHES or self.scanned is None or self.scanned > AUTOMATON_AFTER:
                self.automaton = self._build("ContiguousNFA")
        if self.automaton is not None:
            try:
                return self.automaton.find_matches_as_indexes(folded, overlapping=True)
            except UnicodeEncodeError:  # a lone surrogate (JSON may spell one, "\ud800"): searched below
                pass
        found = []
        for index, literal in enumerate(self.literals):  # a short text: less than building the automaton
            at = folded.find(literal)
            while at != -1:
                found.append((index, at, at + len(literal)))
                at = folded.find(literal, at + 1)
        return found

    def _literal_lines(self, text: str, starts) -> dict[int, list[int]]:
        """rule index -> lines holding one of its literals, top to bottom.

        A long text goes a block of lines at a time: ``str.casefold`` works in a buffer of 12 bytes
        per character (600 MB for a 50 MB document), and every literal found is a tuple until its
        line is known. A block ends with a line, so no literal is cut (a rule set with a literal that
        holds a newline has its texts searched whole)."""
        if len(text) <= FOLD_BLOCK or self.spans_lines:
            return self._block_lines(text, starts)
        lines: dict[int, list[int]] = {}
        first_line = 0  # of the block
        at = 0
        while at < len(text):
            end = text.find("\n", at + FOLD_BLOCK)
            end = len(text) if end == -1 else end + 1
            block = text[at:end]
            for rule, block_lines in self._block_lines(block, lambda block=block: _line_starts(block)).items():
                lines.setdefault(rule, []).extend(first_line + line for line in block_lines)
            first_line += block.count("\n")
            at = end
        return lines

    def _block_lines(self, text: str, starts) -> dict[int, list[int]]:
        """:meth:`_literal_lines` of one text or block, ``starts()`` giving its lines' offsets."""
        folded = text.casefold()  # a character may fold to several, but never to or from "\n"
        if self.scanned is not None:
            # an automaton takes ~2 ms to build (NFA) or ~25 ms (DFA, about 1.5 times as fast): worth
            # it for a corpus, not for the one short document of a pre-commit hook or a pipe
            self.scanned += len(folded)
            if self.scanned > DFA_AFTER:
                self.automaton, self.scanned = self._build("DFA"), None
        found = self._find(folded)
        if not found:
            return {}
        if len(folded) == len(text):
            offsets = starts()
        else:
            offsets = _line_starts(folded)
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


def _line_starts(text: str) -> list[int]:
    """Offset of each line of ``text``, and one past the end."""
    return [0, *accumulate(map((1).__add__, map(len, text.split("\n"))))]
