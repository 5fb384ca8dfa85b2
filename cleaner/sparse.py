"""The fast engine: the reference engine's results, looking only at the lines a rule can match.

Most lines of an article are article: no rule's literal occurs in them, they are
too long for a rule's ``max-words``, or they lie outside a rule's region. So the
document stays its input string split on ``\\n``; a line gets looked at (its
content, its words) only when the prefilter names it for a rule, and the output
is put together from slices of the input around what changed. Everything a rule
decides goes through :mod:`cleaner.matching`, as in :mod:`cleaner.linewise`,
with the same passes, order and region arithmetic; only the looking is lazy.
A look's outcome is remembered until the line changes, so the extra pass that
follows any removal costs little.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from .matching import MAX_PASSES, Clock, by_action, confirmed, edited, find_all, original_offset, pattern_matches, shifts
from .outcome import Removal, Result
from .prefilter import REGION, Prefilter
from .rules import Action, Rule, has_digit

_PROBE = 512  # characters of the input whose words are counted first when weighing the guard


class Document:
    """The input, its lines, and what the rules have done to them so far."""

    __slots__ = (
        "text", "prefilter", "line_rules", "edit_rules", "rewrites", "pieces", "count", "ends_with_newline", "dead",
        "edits", "word_counts", "more_than", "_content", "_starts", "_head", "_head_next", "_tail", "_tail_next",
        "looks", "trusted",
    )

    def __init__(self, text: str, prefilter: Prefilter) -> None:
        self.text = text
        self.prefilter = prefilter
        self.line_rules: dict[int, int] = {}  # rewritten line -> mask of the rules that may match it now
        self.edit_rules = 0  # the union of those masks
        self.rewrites = 0  # how many times a rule has rewritten a line
        pieces = text.split("\n")
        if pieces[-1] == "":
            pieces.pop()  # text ends with "\n" (or is empty): no line after it
        self.pieces = pieces
        self.count = len(pieces)
        self.ends_with_newline = text.endswith("\n")
        self.dead: set[int] = set()
        self.edits: dict[int, tuple[str, list[tuple[int, int]], int]] = {}  # line -> (content, shifts, words before)
        self.word_counts: dict[int, int] = {}  # of the lines looked at, as they are now
        self.more_than: dict[int, int] = {}  # line -> a count its words are known to exceed
        self._content: dict[int, str] = {}
        self._starts: list[int] | None = None
        self._head: list[int] = []  # live non-blank lines from the top, as far as looked
        self._head_next = 0
        self._tail: list[int] = []  # the same from the bottom
        self._tail_next = self.count - 1
        self.looks: dict[int, dict[int, object]] = {}  # line -> rule bit -> match (or None)
        self.trusted = 0  # mask of the rules offered only lines the scanner found their whole pattern may match

    # --- lines -----------------------------------------------------------------------------

    def content(self, index: int) -> str:
        edit = self.edits.get(index)
        if edit is not None:
            return edit[0]
        content = self._content.get(index)
        if content is None:
            piece = self.pieces[index]
            if piece.endswith("\r") and (index < self.count - 1 or self.ends_with_newline):
                piece = piece[:-1]
            content = self._content[index] = piece
        return content

    def words(self, index: int) -> int:
        words = self.word_counts.get(index)
        if words is None:
            words = self.word_counts[index] = len(self.pieces[index].split())
        return words

    def fits(self, index: int, least: int, most: int | None) -> bool:
        """Whether the line has ``least`` to ``most`` words, counting no further than needed:
        a long paragraph is not split into all its words to learn it has more than 25."""
        words = self.word_counts.get(index)
        if words is None:
            if most is not None and self.more_than.get(index, -1) >= most:
                return False
            limit = least if most is None else most
            words = len(self.pieces[index].split(None, limit))
            if words > limit:  # more than limit: not exact
                self.more_than[index] = max(limit, self.more_than.get(index, -1))
                return most is None
            self.word_counts[index] = words
        return least <= words and (most is None or words <= most)

    def blank(self, index: int) -> bool:
        if index in self.edits:
            return False  # a rewrite that leaves nothing removes the line
        piece = self.pieces[index]
        return not piece or piece.isspace()

    def original_words(self, index: int) -> int:
        edit = self.edits.get(index)
        return edit[2] if edit is not None else self.words(index)

    def eol(self, index: int) -> str:
        if index < self.count - 1 or self.ends_with_newline:
            return "\r\n" if self.pieces[index].endswith("\r") else "\n"
        return ""

    @property
    def starts(self) -> list[int]:
        """Offset of each line in the input, and one past the end."""
        if self._starts is None:
            self._starts = [0, *accumulate(map((1).__add__, map(len, self.pieces)))]
        return self._starts

    def original_offset(self, index: int, position: int) -> int:
        edit = self.edits.get(index)
        return original_offset(self.starts[index], edit[1] if edit else (), position)

    # --- regions ---------------------------------------------------------------------------

    def head(self, size: int) -> list[int]:
        """The first ``size`` live non-blank lines (fewer if the document has fewer)."""
        head = self._head
        if len(head) < size:
            pieces, dead, edits, index, count = self.pieces, self.dead, self.edits, self._head_next, self.count
            while len(head) < size and index < count:
                if index not in dead and (index in edits or not (pieces[index] == "" or pieces[index].isspace())):
                    head.append(index)  # live and not blank (see blank(), written out: this walk is hot)
                index += 1
            self._head_next = index
        return head[:size]

    def tail(self, size: int) -> list[int]:
        """The last ``size`` live non-blank lines, bottom first."""
        tail = self._tail
        if len(tail) < size:
            pieces, dead, edits, index = self.pieces, self.dead, self.edits, self._tail_next
            while len(tail) < size and index >= 0:
                if index not in dead and (index in edits or not (pieces[index] == "" or pieces[index].isspace())):
                    tail.append(index)
                index -= 1
            self._tail_next = index
        return tail[:size]

    def in_play(self, shape: tuple, candidates) -> list[int]:
        """The candidates that are live, non-blank, in the rule's region and within its ``max-words``
        and ``min-words``, top to bottom (other lines cannot match: see :func:`line_matches`).
        ``shape`` is the rule's (region size, region is the head, max-words, min-words or 1)."""
        size, at_head, most, least = shape
        if size is not None:
            if at_head:
                head = self.head(size)
                if len(head) == size:
                    last = head[-1]
                    candidates = [i for i in candidates if i <= last]
            else:
                tail = self.tail(size)
                if len(tail) == size:
                    first = tail[-1]
                    candidates = [i for i in candidates if i >= first]
        dead = self.dead
        fits = self.fits
        return [index for index in candidates if index not in dead and fits(index, least, most)]

    # --- changes ---------------------------------------------------------------------------

    def matches(self, rule: Rule, bit: int, index: int, clock: Clock):
        looks = self.looks.get(index)
        if looks is None:
            looks = self.looks[index] = {}
        elif bit in looks:
            return looks[bit]
        if bit & self.trusted:  # the scanner named this line: the pattern most likely matches, the checks would pass
            match = looks[bit] = pattern_matches(rule, self.content(index), clock)
            return match
        if rule.needs_digit and not has_digit(self.content(index)):
            looks[bit] = None
            return None
        checks = rule.line_checks
        if checks:  # sets with a member in every line the pattern matches: cheaper than the pattern
            folded = self.content(index).casefold()
            for strings in checks:
                for string in strings:
                    if string in folded:
                        break
                else:
                    looks[bit] = None
                    return None
        match = looks[bit] = pattern_matches(rule, self.content(index), clock)  # guards: see in_play
        return match

    def remove(self, rule: Rule, index: int, removals: list[Removal]) -> None:
        content = self.content(index)
        start = self.starts[index]
        edit = self.edits.get(index)
        if edit is None:  # the line as it came: its content starts the line
            first, last = start, start + len(content)
        else:
            first, last = original_offset(start, edit[1], 0), original_offset(start, edit[1], len(content))
        removals.append(Removal(rule.id, index + 1, first, last, content))
        self.dead.add(index)
        self._leave_regions(index)

    def rewrite(self, index: int, content: str, new_shifts: list[tuple[int, int]]) -> None:
        old = self.edits.get(index)
        if old is None:
            self.edits[index] = (content, new_shifts, self.words(index))
        else:
            self.edits[index] = (content, old[1] + new_shifts, old[2])
        self.word_counts[index] = len(content.split())
        self.more_than.pop(index, None)
        self.looks.pop(index, None)
        self.rewrites += 1
        rules = self.prefilter.line_rules(content)
        self.line_rules[index] = rules
        self.edit_rules |= rules

    def _leave_regions(self, index: int) -> None:
        """Take a removed line out of the head and tail walked so far: the other lines walked keep
        their order, and the next walk goes on from where the last one stopped."""
        if index < self._head_next and index in self._head:
            self._head.remove(index)
        if index > self._tail_next and index in self._tail:
            self._tail.remove(index)

    def live_from(self, index: int) -> list[int]:
        return [i for i in range(index, self.count) if i not in self.dead]

    def live_through(self, index: int) -> list[int]:
        return [i for i in range(index + 1) if i not in self.dead]

    # --- output ----------------------------------------------------------------------------

    def assemble(self) -> str:
        """:func:`cleaner.linewise.assemble`, on runs of untouched lines instead of line by line."""
        kept: list[list[int]] = []  # [first, last + 1) runs of kept lines
        gap = False
        last_blank: bool | None = None  # is the last kept line blank (None: nothing kept yet)
        dead = sorted(self.dead)
        index = 0
        for stop in [*dead, self.count]:
            if stop > index:  # the live lines index .. stop - 1
                if gap:
                    while index < stop and self.blank(index):
                        if last_blank is None or last_blank:
                            index += 1
                            continue
                        kept.append([index, index + 1])
                        last_blank = True
                        index += 1
                    if index < stop:
                        gap = False
                if index < stop:
                    kept.append([index, stop])
                    last_blank = self.blank(stop - 1)
            if stop < self.count:
                gap = True
            index = stop + 1
        if gap:
            while kept and self.blank(kept[-1][1] - 1):
                kept[-1][1] -= 1
                if kept[-1][0] == kept[-1][1]:
                    kept.pop()
        parts = []
        starts = self.starts
        text = self.text
        edited_lines = sorted(self.edits)
        for first, stop in kept:
            at = first
            for index in edited_lines[bisect_right(edited_lines, first - 1) :]:
                if index >= stop:
                    break
                parts.append(text[starts[at] : starts[index]])
                parts.append(self.edits[index][0] + self.eol(index))
                at = index + 1
            parts.append(text[starts[at] : starts[stop]])
        output = "".join(parts)
        if kept and not self.ends_with_newline:
            eol = self.eol(kept[-1][1] - 1)
            if eol:
                output = output[: -len(eol)]
        return output

    def removed_words(self) -> int:
        """Words before minus words after: what the removals and rewrites took out."""
        removed = sum(self.original_words(i) for i in self.dead)
        for index, (_, _, before) in self.edits.items():
            if index not in self.dead:
                removed += before - self.word_counts[index]
        return removed


def apply(text: str, rules: tuple[Rule, ...], prefilter: Prefilter, *, max_removed_share: float,
          timeout: float | None) -> Result:
    """Clean ``text`` with ``rules`` (in the order they run), where ``prefilter`` lets them look."""
    doc = Document(text, prefilter)
    candidates = prefilter.candidates(text, doc.pieces, lambda: doc.starts, doc.word_counts, doc.more_than)
    if prefilter.scanner is not None:  # settled, and it named the lines of the rules it covers
        doc.trusted = prefilter.scanner.mask
    clock = Clock(timeout)
    removals: list[Removal] = []
    shapes = prefilter.shapes
    order = sorted(candidates)
    count = len(rules)
    # A rule's looks are remembered, so a later pass can only decide differently where a line was
    # rewritten since the rule last ran or, for a region rule or a cut (its block, its region), where
    # a line went: lines that go only take lines away from an "anywhere" rule's candidates
    last_run: dict[int, tuple[int, int]] = {}  # rule -> (lines gone, rewrites) when it last started
    steady = prefilter.steady
    for _ in range(MAX_PASSES):
        changed = False
        index = -1
        while True:
            at = bisect_right(order, index)
            following = order[at] if at < len(order) else count
            # a rewritten line is offered to the rules its new content may match
            later = doc.edit_rules >> (index + 1)
            if later:
                following = min(following, index + (later & -later).bit_length())
            index = following
            if index >= count:
                break
            seen = last_run.get(index)
            if seen is not None and seen[1] == doc.rewrites and (steady[index] or seen[0] == len(doc.dead)):
                continue
            rule = rules[index]
            lines = candidates.get(index, [])
            if lines is REGION:
                size, at_head, most, least = shapes[index]
                lines = doc.head(size) if at_head else doc.tail(size)[::-1]
                if most is not None or least > 1:
                    lines = [i for i in lines if doc.fits(i, least, most)]
            else:
                if lines is None:
                    lines = range(doc.count)
                elif doc.edit_rules:
                    lines = sorted({*lines, *(i for i, rules_ in doc.line_rules.items() if rules_ >> index & 1)})
                lines = doc.in_play(shapes[index], lines)
            last_run[index] = (len(doc.dead), doc.rewrites)  # before: what the rule itself changes counts
            if lines:
                changed |= _APPLY[rule.action](rule, 1 << index, doc, lines, removals, clock)
        if not changed:
            break
    if not removals:
        return Result(text, (), changed=False)
    removed_words = doc.removed_words()
    output = doc.assemble()
    removals.sort(key=lambda r: (r.start, r.end))
    if removed_words > 0 and _over(text, removed_words, max_removed_share):
        return Result(text, tuple(removals), changed=False, guarded=True, removed_words=removed_words)
    return Result(output, tuple(removals), changed=output != text, removed_words=removed_words)


def _over(text: str, removed: int, max_share: float) -> bool:
    """``removed / words(text) > max_share``, counting the words of a prefix first: a prefix
    never has more words than the whole, so a prefix that is enough settles it."""
    size = _PROBE
    while size < len(text):
        if removed / max(1, len(text[:size].split())) <= max_share:
            return False
        size *= 4
    words = len(text.split())
    return (removed / words if words else 0.0) > max_share


def _drop_line(rule, bit, doc: Document, lines, removals, clock) -> bool:
    changed = False
    for index in lines:
        if doc.matches(rule, bit, index, clock) and confirmed(rule, [doc.content(index)], clock):
            doc.remove(rule, index, removals)
            changed = True
    return changed


def _cut_tail(rule, bit, doc: Document, lines, removals, clock) -> bool:
    return _cut(rule, bit, doc, lines, doc.live_from, removals, clock)  # the first match cuts the most


def _cut_head(rule, bit, doc: Document, lines, removals, clock) -> bool:
    return _cut(rule, bit, doc, lines[::-1], doc.live_through, removals, clock)  # the last match cuts the most


def _cut(rule, bit, doc: Document, lines, block_of, removals, clock) -> bool:
    """Remove the block (``block_of`` the first of ``lines`` that matches) if it is confirmed."""
    for index in lines:
        if doc.matches(rule, bit, index, clock):
            block = block_of(index)
            if confirmed(rule, [doc.content(i) for i in block], clock):
                for gone in block:
                    doc.remove(rule, gone, removals)
                return True
    return False


def _edit_spans(rule, bit, doc: Document, lines, removals, clock) -> bool:
    """strip and replace: rewrite the matched spans of each line in the region."""
    changed = False
    for index in lines:
        if not doc.matches(rule, bit, index, clock):
            continue
        content = doc.content(index)
        new, edits = edited(rule, content, find_all(rule, content, clock))
        if not edits:
            continue
        if not new.strip():
            doc.remove(rule, index, removals)
            changed = True
            continue
        for start, end, replacement in edits:
            removals.append(
                Removal(
                    rule.id,
                    index + 1,
                    doc.original_offset(index, start),
                    doc.original_offset(index, end),
                    content[start:end],
                    None if rule.action is Action.STRIP else replacement,
                )
            )
        doc.rewrite(index, new, shifts(edits))
        changed = True
    return changed


_APPLY = by_action(drop_line=_drop_line, cut_tail=_cut_tail, cut_head=_cut_head, edit=_edit_spans)
