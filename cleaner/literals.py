"""Literal prefilters: the words a pattern cannot match without.

For most rules every match contains one of a few literal strings ("newsletter",
"remind me later", "©"). Finding all of them in a document at once, with an
Aho-Corasick automaton over its casefolded text, tells the engine which lines
each rule can possibly match, so the (slow) regular expression runs only
there. The prefilter is a superset test: it may let a line through that the
pattern then rejects, never the reverse. A pattern whose literals cannot be
worked out (or are too short to be selective) is simply searched everywhere.
"""

from __future__ import annotations

import re
import warnings

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

MIN_LITERAL = 3  # shorter ASCII literals ("ad", "by", ".") occur in nearly every line: no use as a filter
_REGEX_ONLY_CLASS = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Z]")
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) + (
    (sre_constants.POSSESSIVE_REPEAT,) if hasattr(sre_constants, "POSSESSIVE_REPEAT") else ()
)


def required_literals(pattern: str, *, ignorecase: bool, verbose: bool, dotall: bool) -> frozenset[str] | None:
    """Casefolded strings one of which is in (the casefolded text of) every match, or None.

    The pattern is read with Python's own regular-expression parser, after the
    ``regex``-only Unicode classes (``\\p{Lu}``) are replaced with ``\\w``, which
    leaves the literal structure as it was. Syntax that parser does not know
    (subroutine calls, fuzzy matching) gives None.
    """
    flags = (re.IGNORECASE if ignorecase else 0) | (re.VERBOSE if verbose else 0) | (re.DOTALL if dotall else 0)
    readable = _REGEX_ONLY_CLASS.sub(r"\\w", pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(readable, flags)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    found = _sequence(list(tree))
    if not found or any(_weak(literal) for literal in found):
        return None
    return frozenset(found)


def _weak(literal: str) -> bool:
    """Too common to filter with: a short ASCII literal ("ad", "by", "."); "©" is not."""
    return not literal.strip() or (literal.isascii() and len(literal) < MIN_LITERAL)


def _sequence(items: list) -> set[str] | None:
    """The most selective literal set that a match of this sequence must contain."""
    candidates: list[set[str] | None] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append({"".join(run).casefold()})
            run.clear()

    for op, value in items:
        if op is sre_constants.LITERAL:
            run.append(chr(value))
            continue
        close_run()
        if op is sre_constants.SUBPATTERN:
            candidates.append(_sequence(list(value[-1])))
        elif op is sre_constants.BRANCH:
            branches = [_sequence(list(branch)) for branch in value[1]]
            if all(branches):
                candidates.append(set().union(*branches))
        elif op in _REPEATS:
            low, _, item = value
            if low >= 1:
                candidates.append(_sequence(list(item)))
        elif op is getattr(sre_constants, "ATOMIC_GROUP", None):
            candidates.append(_sequence(list(value)))
        elif op is sre_constants.ASSERT:
            # a lookahead or lookbehind must match inside the same line, so its literals are in it too
            candidates.append(_sequence(list(value[1])))
        elif op is sre_constants.IN and all(kind is sre_constants.LITERAL for kind, _ in value):
            # the parser turns (?:©|Ⓒ) into a class of single characters
            candidates.append({chr(code).casefold() for _, code in value})
        # anchors, other classes, negative lookarounds, back references: nothing required
    close_run()
    usable = [c for c in candidates if c]
    if not usable:
        return None
    # the set whose shortest member is longest filters best; fewer members break ties
    return max(usable, key=lambda c: (min(len(x) for x in c), -len(c)))
