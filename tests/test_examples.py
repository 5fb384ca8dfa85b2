"""Every shipped rule carries examples, and they hold: alone, and against the whole default rule set."""

from __future__ import annotations

import pytest

from cleaner import Cleaner, load_packs
from cleaner.examples import check_rule_examples

SHIPPED_RULES = [rule for pack in load_packs() for rule in pack.rules]
KEEP_EXAMPLES = [
    pytest.param(rule, example.text, id=f"{rule.id}[{number}]")
    for rule in SHIPPED_RULES
    for number, example in enumerate(rule.keep_examples)
]


def test_rules_are_shipped():
    assert SHIPPED_RULES, "no shipped rules were found"


@pytest.mark.parametrize("rule", SHIPPED_RULES, ids=lambda rule: rule.id)
def test_rule_examples_pass(rule):
    failures = check_rule_examples(rule)
    assert [str(f) for f in failures] == []


@pytest.mark.parametrize("rule", SHIPPED_RULES, ids=lambda rule: rule.id)
def test_rule_is_documented_by_examples(rule):
    assert rule.description.strip(), f"{rule.id} has no description"
    assert len(rule.remove_examples) >= 1, f"{rule.id} has no remove example"
    assert len(rule.keep_examples) >= 1, f"{rule.id} has no keep example"


@pytest.fixture(scope="module")
def full_rule_set() -> Cleaner:
    # No guard: a keep example that the rules would gut must not pass because the guard
    # happened to leave it as it was.
    return Cleaner(max_removed_share=1.0, input_format="text")


@pytest.mark.parametrize(("rule", "text"), KEEP_EXAMPLES)
def test_keep_example_survives_all_shipped_rules(full_rule_set, rule, text):
    result = full_rule_set.run(text)
    assert result.text == text, [(r.rule_id, r.text) for r in result.removals]
