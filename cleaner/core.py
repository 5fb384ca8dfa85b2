"""The rule engine: text and rules in, cleaned text and its removals out. No I/O.

A document is its lines (split on ``\\n`` only; a ``\\r`` before it stays part of
the line ending). Rules see one line at a time without its ending, and never
see blank lines. Removing lines never touches the lines that stay, so the
output is always the input minus some lines (and minus spans for ``strip``).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .errors import RuleTimeoutError
from .rules import Action, Rule, Where

# Actions that remove blocks run first, so that line rules do not report lines
# a block rule removes anyway; strip and replace run last, on what is left.
ACTION_ORDER = (Action.CUT_HEAD, Action.CUT_TAIL, Action.DROP_LINE, Action.STRIP, Action.REPLACE)
# Rules run again until nothing changes (a cut can move new lines into a
# region), which makes cleaning idempotent; this bounds a misbehaving replace.
MAX_PASSES = 8


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
    lists what the rules would have removed.
    """

    text: str
    removals: tuple[Removal, ...]
    changed: bool
    guarded: bool = False
    removed_share: float = 0.0


class _Line:
    """A line while rules run: its current content and where it came from."""

    __slots__ = ("number", "start", "content", "eol", "alive", "words", "edits", "mask")

    def __init__(self, number: int, start: int, content: str, eol: str) -> None:
        self.mask = -1  # bit i set: rule i may match this line (see RuleSet.line_masks)
        self.number = number
        self.start = start
        self.content = content
        self.eol = eol
        self.alive = True
        self.words = len(content.split())
        self.edits: list[tuple[int, int]] = []  # (position, shift), to map back to the input

    def original_offset(self, position: int) -> int:
        for at, shift in reversed(self.edits):
            if position >= at:
                position += shift
        return self.start + position


class _Clock:
    """The per-document time budget shared by every pattern call."""

    __slots__ = ("limit", "deadline")

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.deadline = None if limit is None else time.monotonic() + limit

    def remaining(self, rule: Rule) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RuleTimeoutError(rule.id, self.limit or 0)
        return left


def split_lines(text: str) -> list[_Line]:
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
        lines.append(_Line(number, position, content, eol))
        position = after
        number += 1
    return lines


class RuleSet:
    """Rules in the order they run, with their literal prefilter built once.

    Picklable: only the rules travel; patterns and the automaton are rebuilt
    on first use on the other side.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: ACTION_ORDER.index(r.action)))

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    @cached_property
    def _prefilter(self) -> tuple[Any, int]:
        """(automaton of literal -> mask of rules, mask of the rules without literals)."""
        unfiltered = 0
        by_literal: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            if rule.literals is None:
                unfiltered |= 1 << index
            else:
                for literal in rule.literals:
                    by_literal[literal] = by_literal.get(literal, 0) | 1 << index
        if not by_literal:
            return None, unfiltered
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for literal, mask in by_literal.items():
            automaton.add_word(literal, mask)
        automaton.make_automaton()
        return automaton, unfiltered

    def line_masks(self, text: str) -> tuple[dict[int, int], int]:
        """For each line (0-based) holding a rule's literal, the mask of such rules; and the
        mask of rules that every line gets (those without literals)."""
        automaton, unfiltered = self._prefilter
        if automaton is None:
            return {}, unfiltered
        folded = text.casefold()  # one character may fold to several, but never to or from "\n"
        masks: dict[int, int] = {}
        newlines: list[int] | None = None
        for end, mask in automaton.iter(folded):
            if newlines is None:
                newlines = _newline_positions(folded)
            line = bisect_left(newlines, end)
            masks[line] = masks.get(line, unfiltered) | mask
        return masks, unfiltered

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rules = state["rules"]


def _newline_positions(text: str) -> list[int]:
    positions = []
    at = text.find("\n")
    while at >= 0:
        positions.append(at)
        at = text.find("\n", at + 1)
    return positions


def apply_rules(
    text: str,
    rules: Sequence[Rule] | RuleSet,
    *,
    max_removed_share: float = 1.0,
    timeout: float | None = None,
    prefilter: bool = True,
) -> Result:
    """Clean ``text`` with ``rules``.

    ``max_removed_share`` is the guard: if the rules would remove more than this
    share of the document's words, the text is returned unchanged and the result
    is marked ``guarded``. ``timeout`` is the time limit, in seconds, for all
    pattern matching on this document; past it :class:`RuleTimeoutError` is raised.
    ``prefilter=False`` searches every line with every rule: slower, same result
    (the reference the prefilter is tested against).
    """
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    if prefilter:
        masks, unfiltered = ruleset.line_masks(text)
        if not masks and not unfiltered:
            return Result(text, (), changed=False)  # no rule can match anywhere
    lines = split_lines(text)
    if prefilter:
        for index, line in enumerate(lines):
            line.mask = masks.get(index, unfiltered)
    clock = _Clock(timeout)
    removals: list[Removal] = []
    for _ in range(MAX_PASSES):
        changed = False
        present = 0
        for line in lines:
            present |= line.mask
        for index, rule in enumerate(ruleset.rules):
            bit = 1 << index
            if present & bit:
                changed |= _APPLY[rule.action](rule, bit, lines, removals, clock)
        if not changed:
            break
    if not removals:
        return Result(text, (), changed=False)
    output = _assemble(lines, ends_with_newline=text.endswith("\n"))
    words_before = sum(len(line.split()) for line in text.split("\n"))
    words_after = len(output.split())
    share = max(0, words_before - words_after) / words_before if words_before else 0.0
    removals.sort(key=lambda r: (r.start, r.end))
    if share > max_removed_share:
        return Result(text, tuple(removals), changed=False, guarded=True, removed_share=share)
    return Result(output, tuple(removals), changed=output != text, removed_share=share)


def _region(rule: Rule, bit: int, lines: list[_Line]) -> list[_Line]:
    """The live, non-blank lines in the rule's region that its prefilter lets through, top to bottom."""
    size = rule.region_size
    if size is None:
        return [line for line in lines if line.mask & bit and line.alive and line.words]
    live = [line for line in lines if line.alive and line.words]
    region = live[:size] if rule.where is Where.HEAD else live[-size:]
    return [line for line in region if line.mask & bit]


def _search(pattern, text: str, rule: Rule, clock: _Clock):
    try:
        return pattern.search(text, timeout=clock.remaining(rule))
    except TimeoutError:
        raise RuleTimeoutError(rule.id, clock.limit or 0) from None


def _line_matches(rule: Rule, line: _Line, clock: _Clock):
    """The rule's match in the line, if the line passes the rule's guards."""
    if rule.max_words is not None and line.words > rule.max_words:
        return None
    if rule.min_words is not None and line.words < rule.min_words:
        return None
    match = _search(rule.compiled, line.content, rule, clock)
    if match is None:
        return None
    if rule.compiled_unless is not None and _search(rule.compiled_unless, line.content, rule, clock):
        return None
    return match


def _confirmed(rule: Rule, block: list[_Line], clock: _Clock) -> bool:
    if rule.compiled_confirm is None:
        return True
    text = "\n".join(line.content for line in block)
    return _search(rule.compiled_confirm, text, rule, clock) is not None


def _remove_line(rule: Rule, line: _Line, removals: list[Removal]) -> None:
    line.alive = False
    removals.append(
        Removal(
            rule.id,
            line.number,
            line.original_offset(0),
            line.original_offset(len(line.content)),
            line.content,
        )
    )


def _drop_line(rule: Rule, bit: int, lines: list[_Line], removals: list[Removal], clock: _Clock) -> bool:
    changed = False
    for line in _region(rule, bit, lines):
        if _line_matches(rule, line, clock) and _confirmed(rule, [line], clock):
            _remove_line(rule, line, removals)
            changed = True
    return changed


def _cut_tail(rule: Rule, bit: int, lines: list[_Line], removals: list[Removal], clock: _Clock) -> bool:
    for line in _region(rule, bit, lines):  # the first match cuts the most
        if _line_matches(rule, line, clock):
            live = [other for other in lines if other.alive]
            block = live[live.index(line) :]
            if _confirmed(rule, block, clock):
                for gone in block:
                    _remove_line(rule, gone, removals)
                return True
    return False


def _cut_head(rule: Rule, bit: int, lines: list[_Line], removals: list[Removal], clock: _Clock) -> bool:
    for line in reversed(_region(rule, bit, lines)):  # the last match cuts the most
        if _line_matches(rule, line, clock):
            live = [other for other in lines if other.alive]
            block = live[: live.index(line) + 1]
            if _confirmed(rule, block, clock):
                for gone in block:
                    _remove_line(rule, gone, removals)
                return True
    return False


def _edit_spans(rule: Rule, bit: int, lines: list[_Line], removals: list[Removal], clock: _Clock) -> bool:
    """strip and replace: rewrite the matched spans of each line in the region."""
    changed = False
    for line in _region(rule, bit, lines):
        if not _line_matches(rule, line, clock):
            continue
        try:
            matches = list(rule.compiled.finditer(line.content, timeout=clock.remaining(rule)))
        except TimeoutError:
            raise RuleTimeoutError(rule.id, clock.limit or 0) from None
        pieces, last, edits = [], 0, []
        for match in matches:
            start, end = match.span()
            new = "" if rule.action is Action.STRIP else match.expand(rule.replace or "")
            if start == end and not new:
                continue
            if match.group() == new:
                continue
            edits.append((start, end, new))
            pieces.append(line.content[last:start])
            pieces.append(new)
            last = end
        if not edits:
            continue
        pieces.append(line.content[last:])
        content = "".join(pieces)
        if not content.strip():
            _remove_line(rule, line, removals)
            changed = True
            continue
        shift_base = 0
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
        for start, end, new in edits:
            at = start + shift_base + len(new)
            line.edits.append((at, (end - start) - len(new)))
            shift_base += len(new) - (end - start)
        line.content = content
        line.words = len(content.split())
        line.mask = -1  # new content: every rule may look at it again
        changed = True
    return changed


_APPLY = {
    Action.DROP_LINE: _drop_line,
    Action.CUT_TAIL: _cut_tail,
    Action.CUT_HEAD: _cut_head,
    Action.STRIP: _edit_spans,
    Action.REPLACE: _edit_spans,
}


def _assemble(lines: list[_Line], *, ends_with_newline: bool) -> str:
    """Join the live lines, collapsing the blank lines that removals left behind.

    A blank line right after a removal is dropped when the line before the
    removal is blank too (or there is none), and blank lines left at the end
    by a removal go; blank runs the input already had elsewhere stay.
    """
    out: list[_Line] = []
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
