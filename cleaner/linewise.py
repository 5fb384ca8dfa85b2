"""The reference engine: every rule looks at every line of its region, pass after pass.

Simple enough to read as the definition of what cleaning does; the fast engine
(:mod:`cleaner.sparse`) must give exactly its results, and the tests and
``bench/speed.py`` hold it to that (``apply_rules(..., prefilter=False)``).
"""

from __future__ import annotations

from .matching import MAX_PASSES, Clock, by_action, confirmed, edited, find_all, line_matches, original_offset, shifts
from .outcome import Removal, Result
from .rules import Action, Rule, Where


class Line:
    """A line while rules run: its current content and where it came from."""

    __slots__ = ("number", "start", "content", "eol", "alive", "words", "edits", "mask")

    def __init__(self, number: int, start: int, content: str, eol: str) -> None:
        self.mask = -1  # bit i set: rule i may match this line
        self.number = number
        self.start = start
        self.content = content
        self.eol = eol
        self.alive = True
        self.words = len(content.split())
        self.edits: list[tuple[int, int]] = []  # (position, shift), to map back to the input

    def original_offset(self, position: int) -> int:
        return original_offset(self.start, self.edits, position)


def split_lines(text: str) -> list[Line]:
    """Split on ``\\n`` only, so that ``\\r\\n``, lone ``\\r`` and U+2028 stay as they are."""
    lines = []
    position = 0
    number = 1
    size = len(text)
    while position < size:
        end = text.find("\n", position)
        if end < 0:
            content, eol, after = text[position:], "", size
        else:
            after = end + 1
            if end > position and text[end - 1] == "\r":
                content, eol = text[position : end - 1], "\r\n"
            else:
                content, eol = text[position:end], "\n"
        lines.append(Line(number, position, content, eol))
        position = after
        number += 1
    return lines


def apply(text: str, rules: tuple[Rule, ...], *, max_removed_share: float, timeout: float | None) -> Result:
    """Clean ``text`` with ``rules`` (in the order they run), looking at every line."""
    lines = split_lines(text)
    clock = Clock(timeout)
    removals: list[Removal] = []
    for _ in range(MAX_PASSES):
        changed = False
        for index, rule in enumerate(rules):
            changed |= _APPLY[rule.action](rule, 1 << index, lines, removals, clock)
        if not changed:
            break
    if not removals:
        return Result(text, (), changed=False)
    output = assemble(lines, ends_with_newline=text.endswith("\n"))
    words_before = len(text.split())
    removed_words = words_before - len(output.split())
    share = max(0, removed_words) / words_before if words_before else 0.0
    removals.sort(key=lambda r: (r.start, r.end))
    if share > max_removed_share:
        return Result(text, tuple(removals), changed=False, guarded=True, removed_words=removed_words)
    return Result(output, tuple(removals), changed=output != text, removed_words=removed_words)


def _region(rule: Rule, bit: int, lines: list[Line]) -> list[Line]:
    """The live, non-blank lines in the rule's region that may match it, top to bottom."""
    size = rule.region_size
    if size is None:
        return [line for line in lines if line.mask & bit and line.alive and line.words]
    live = [line for line in lines if line.alive and line.words]
    region = live[:size] if rule.where is Where.HEAD else live[-size:]
    return [line for line in region if line.mask & bit]


def _matches(rule: Rule, line: Line, clock: Clock):
    return line_matches(rule, line.content, line.words, clock)


def _remove_line(rule: Rule, line: Line, removals: list[Removal]) -> None:
    line.alive = False
    removals.append(
        Removal(rule.id, line.number, line.original_offset(0), line.original_offset(len(line.content)), line.content)
    )


def _drop_line(rule: Rule, bit: int, lines: list[Line], removals: list[Removal], clock: Clock) -> bool:
    changed = False
    for line in _region(rule, bit, lines):
        if _matches(rule, line, clock) and confirmed(rule, [line.content], clock):
            _remove_line(rule, line, removals)
            changed = True
    return changed


def _cut_tail(rule: Rule, bit: int, lines: list[Line], removals: list[Removal], clock: Clock) -> bool:
    # the first match cuts the most: from it to the end
    return _cut(rule, _region(rule, bit, lines), lines, lambda live, at: live[at:], removals, clock)


def _cut_head(rule: Rule, bit: int, lines: list[Line], removals: list[Removal], clock: Clock) -> bool:
    # the last match cuts the most: from the start through it
    return _cut(rule, _region(rule, bit, lines)[::-1], lines, lambda live, at: live[: at + 1], removals, clock)


def _cut(rule: Rule, tried: list[Line], lines: list[Line], block_of, removals: list[Removal], clock: Clock) -> bool:
    """Remove the block around the first of ``tried`` that matches, if it is confirmed."""
    for line in tried:
        if _matches(rule, line, clock):
            live = [other for other in lines if other.alive]
            block = block_of(live, live.index(line))
            if confirmed(rule, [other.content for other in block], clock):
                for gone in block:
                    _remove_line(rule, gone, removals)
                return True
    return False


def _edit_spans(rule: Rule, bit: int, lines: list[Line], removals: list[Removal], clock: Clock) -> bool:
    """strip and replace: rewrite the matched spans of each line in the region."""
    changed = False
    for line in _region(rule, bit, lines):
        if not _matches(rule, line, clock):
            continue
        content, edits = edited(rule, line.content, find_all(rule, line.content, clock))
        if not edits:
            continue
        if not content.strip():
            _remove_line(rule, line, removals)
            changed = True
            continue
        for start, end, new in edits:
            removals.append(
                Removal(
                    rule.id,
                    line.number,
                    line.original_offset(start),
                    line.original_offset(end),
                    line.content[start:end],
                    None if rule.action is Action.STRIP else new,
                )
            )
        line.edits.extend(shifts(edits))
        line.content = content
        line.words = len(content.split())
        line.mask = -1  # new content: every rule may look at it again
        changed = True
    return changed


_APPLY = by_action(drop_line=_drop_line, cut_tail=_cut_tail, cut_head=_cut_head, edit=_edit_spans)


def assemble(lines: list[Line], *, ends_with_newline: bool) -> str:
    """Join the live lines, collapsing the blank lines that removals left behind.

    A blank line right after a removal is dropped when the line before the
    removal is blank too (or there is none), and blank lines left at the end
    by a removal go; blank runs the input already had elsewhere stay.
    """
    out: list[Line] = []
    gap = False
    for line in lines:
        if not line.alive:
            gap = True
            continue
        blank = not line.content.strip()
        if blank and gap and (not out or not out[-1].content.strip()):
            continue
        out.append(line)
        if not blank:
            gap = False
    if gap:
        while out and not out[-1].content.strip():
            out.pop()
    text = "".join(line.content + line.eol for line in out)
    if out and not ends_with_newline and out[-1].eol:
        text = text[: -len(out[-1].eol)]
    return text
