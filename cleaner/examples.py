"""Run the examples embedded in rules: what each must remove and what it must keep."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .core import apply_rules
from .errors import RuleTimeoutError
from .rules import Rule

EXAMPLE_TIMEOUT = 2.0


@dataclass(frozen=True)
class ExampleFailure:
    """An example that did not behave as its rule promises."""

    rule: Rule
    kind: str  # "remove", "keep" or "missing"
    text: str
    problem: str

    def __str__(self) -> str:
        return f'{self.rule.source}:{self.rule.line}: rule "{self.rule.id}": {self.problem}'


def check_rule_examples(rule: Rule) -> list[ExampleFailure]:
    """The failures of one rule's examples, run with that rule alone and no guard.

    A rule needs at least one example of each kind: ``remove`` examples must
    change (to ``result``, when given) and ``keep`` examples must stay as they are.
    """
    failures = []
    for kind, examples in (("remove", rule.remove_examples), ("keep", rule.keep_examples)):
        if not examples:
            failures.append(ExampleFailure(rule, "missing", "", f'no "{kind}" example'))
    for example in rule.remove_examples:
        got = _run(rule, example.text)
        if isinstance(got, ExampleFailure):
            failures.append(got)
        elif example.result is not None and got.rstrip() != example.result.rstrip():
            failures.append(
                ExampleFailure(rule, "remove", example.text, f"remove example {example.text!r} gave {got!r}, expected {example.result!r}")
            )
        elif got == example.text:
            failures.append(ExampleFailure(rule, "remove", example.text, f"remove example not removed: {example.text!r}"))
    for example in rule.keep_examples:
        got = _run(rule, example.text)
        if isinstance(got, ExampleFailure):
            failures.append(got)
        elif got != example.text:
            failures.append(
                ExampleFailure(rule, "keep", example.text, f"keep example changed: {example.text!r} became {got!r}")
            )
    return failures


def check_examples(rules: Iterable[Rule]) -> list[ExampleFailure]:
    """The failures of every rule's examples."""
    return [failure for rule in rules for failure in check_rule_examples(rule)]


def _run(rule: Rule, text: str) -> str | ExampleFailure:
    try:
        return apply_rules(text, [rule], max_removed_share=1.0, timeout=EXAMPLE_TIMEOUT).text
    except RuleTimeoutError as exc:
        return ExampleFailure(rule, "timeout", text, str(exc))
