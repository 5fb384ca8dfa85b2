"""How one rule looks at one line: its guards, its pattern under the time budget, its confirmation.

Shared by both engines (:mod:`cleaner.linewise`, the reference, and
:mod:`cleaner.sparse`, the fast one), so that they can only differ in which
lines they look at, never in what a look decides.
"""

from __future__ import annotations

import re
import time
import warnings

from .errors import RuleTimeoutError
from .rules import Action, Rule

# Actions that remove blocks run first, so that line rules do not report lines
# a block rule removes anyway; strip and replace run last, on what is left.
ACTION_ORDER = (Action.CUT_HEAD, Action.CUT_TAIL, Action.DROP_LINE, Action.STRIP, Action.REPLACE)
# Rules run again until nothing changes (a cut can move new lines into a
# region), which makes cleaning idempotent; this bounds a misbehaving replace.
MAX_PASSES = 8


def by_action(*, drop_line, cut_tail, cut_head, edit) -> dict:
    """An engine's function for each action (strip and replace are both edits)."""
    return {
        Action.DROP_LINE: drop_line,
        Action.CUT_TAIL: cut_tail,
        Action.CUT_HEAD: cut_head,
        Action.STRIP: edit,
        Action.REPLACE: edit,
    }


class Clock:
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


def search(pattern, text: str, rule: Rule, clock: Clock):
    try:
        return pattern.search(text, timeout=clock.remaining(rule))
    except TimeoutError:
        raise RuleTimeoutError(rule.id, clock.limit or 0) from None


def find_all(rule: Rule, text: str, clock: Clock) -> list:
    try:
        return list(rule.compiled.finditer(text, timeout=clock.remaining(rule)))
    except TimeoutError:
        raise RuleTimeoutError(rule.id, clock.limit or 0) from None


def line_matches(rule: Rule, content: str, words: int, clock: Clock):
    """The rule's match in the line, if the line passes the rule's guards."""
    if rule.max_words is not None and words > rule.max_words:
        return None
    if rule.min_words is not None and words < rule.min_words:
        return None
    return pattern_matches(rule, content, clock)


def pattern_matches(rule: Rule, content: str, clock: Clock):
    """The rule's match in the line, its ``unless`` permitting (the words guards left to the caller)."""
    if rule.anchored:  # the same match, found without trying every later position first
        try:
            match = rule.compiled.match(content, timeout=clock.remaining(rule))
        except TimeoutError:
            raise RuleTimeoutError(rule.id, clock.limit or 0) from None
    else:
        match = search(rule.compiled, content, rule, clock)
    if match is None:
        return None
    if rule.compiled_unless is not None and search(rule.compiled_unless, content, rule, clock):
        return None
    return match


_UNICODE_CLASS = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")


def starts_anchored(pattern: str, *, verbose: bool) -> bool:
    """Whether every match of ``pattern`` starts where the text does (it opens with ``^`` or
    ``\\A`` outside any alternation), read with Python's parser; False when unsure."""
    try:
        from re import _constants as constants
        from re import _parser as parser
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as constants
        import sre_parse as parser
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = parser.parse(_UNICODE_CLASS.sub(r"\\w", pattern), re.VERBOSE if verbose else 0)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
    items = tree.data
    while items and items[0][0] is constants.SUBPATTERN and len(items) == 1:
        items = items[0][1][-1].data
    starts = ((constants.AT, constants.AT_BEGINNING), (constants.AT, constants.AT_BEGINNING_STRING))
    return bool(items) and items[0] in starts


def confirmed(rule: Rule, contents: list[str], clock: Clock) -> bool:
    """A block rule's second look, at the whole block it would remove."""
    if rule.compiled_confirm is None:
        return True
    return search(rule.compiled_confirm, "\n".join(contents), rule, clock) is not None


def edited(rule: Rule, content: str, matches: list) -> tuple[str, list[tuple[int, int, str]]]:
    """strip and replace: the line's new content and the (start, end, new text) of each edit."""
    pieces, last, edits = [], 0, []
    for match in matches:
        start, end = match.span()
        new = "" if rule.action is Action.STRIP else match.expand(rule.replace or "")
        if start == end and not new:
            continue
        if match.group() == new:
            continue
        edits.append((start, end, new))
        pieces.append(content[last:start])
        pieces.append(new)
        last = end
    if not edits:
        return content, edits
    pieces.append(content[last:])
    return "".join(pieces), edits


def shifts(edits: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """(position in the new content, shift) pairs that map new positions back to old ones."""
    out, base = [], 0
    for start, end, new in edits:
        out.append((start + base + len(new), (end - start) - len(new)))
        base += len(new) - (end - start)
    return out


def original_offset(line_start: int, line_edits: list[tuple[int, int]], position: int) -> int:
    for at, shift in reversed(line_edits):
        if position >= at:
            position += shift
    return line_start + position
