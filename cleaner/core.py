"""The rule engine: text and rules in, cleaned text and its removals out. No I/O.

A document is its lines (split on ``\\n`` only; a ``\\r`` before it stays part of
the line ending). Rules see one line at a time without its ending, and never
see blank lines. Removing lines never touches the lines that stay, so the
output is always the input minus some lines (and minus spans for ``strip``).

Two engines give the same results: :mod:`cleaner.linewise` looks at every line
with every rule (the reference), :mod:`cleaner.sparse` only at the lines the
:mod:`cleaner.prefilter` names (the default).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from . import sparse
from .matching import ACTION_ORDER, MAX_PASSES
from .outcome import Removal, Result
from .prefilter import Prefilter
from .rules import Rule

__all__ = ["ACTION_ORDER", "MAX_PASSES", "Removal", "Result", "RuleSet", "apply_rules", "split_lines"]


class RuleSet:
    """Rules in the order they run, with their prefilter built once.

    Picklable: only the rules (and whether to use the cache) travel; patterns, the automaton
    and the scanner are rebuilt on first use on the other side. ``cache=False``: the scanner's
    database is neither read from nor written to the cache folder.
    """

    def __init__(self, rules: Sequence[Rule], *, cache: bool = True) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: ACTION_ORDER.index(r.action)))
        self.cache = cache

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    @cached_property
    def prefilter(self) -> Prefilter:
        return Prefilter(self.rules, cache=self.cache)

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules, "cache": self.cache}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rules = state["rules"]
        self.cache = state.get("cache", True)


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
    (the reference the fast engine is tested against).
    """
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    if prefilter:
        return sparse.apply(
            text, ruleset.rules, ruleset.prefilter, max_removed_share=max_removed_share, timeout=timeout
        )
    from . import linewise  # the reference: imported only when asked for

    return linewise.apply(text, ruleset.rules, max_removed_share=max_removed_share, timeout=timeout)


def split_lines(text: str) -> list:
    """The document's lines as the reference engine sees them (see :func:`cleaner.linewise.split_lines`)."""
    from .linewise import split_lines as split

    return split(text)
