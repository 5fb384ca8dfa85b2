"""The fast engine gives the reference engine's results, removal for removal.

The documents mix the situations where looking at fewer lines could go wrong:
blank and whitespace-only lines, CRLF, no final newline, head and tail regions
that move when lines go, cuts with confirmations, strips and replaces that make
a line match other rules, and a guard low enough to trip.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, apply_rules
from cleaner.core import RuleSet
from cleaner.matching import starts_anchored
from cleaner.rules import parse_pack

PACK = parse_pack(
    r"""
pack: t
description: rules that interact
rules:
  - id: head-cut
    action: cut-head
    where: head
    within: 3
    pattern: '^HEADER\b'
    examples: {remove: ["HEADER x"], keep: ["x"]}
  - id: tail-cut
    action: cut-tail
    where: tail
    within: 4
    pattern: '^FOOTER'
    confirm: 'END'
    examples: {remove: ["FOOTER\nEND"], keep: ["FOOTER"]}
  - id: tail-any
    action: cut-tail
    where: tail
    within: 2
    pattern: '^\W*$|^zz'
    examples: {remove: ["zz"], keep: ["a"]}
  - id: drop-short
    action: drop-line
    pattern: '(?i)junk'
    max-words: 3
    examples: {remove: ["junk"], keep: ["a"]}
  - id: drop-no-literal
    action: drop-line
    pattern: '^\w$'
    examples: {remove: ["q"], keep: ["qq"]}
  - id: head-no-literal
    action: drop-line
    where: head
    within: 2
    pattern: '^[A-Z]+$'
    max-words: 1
    examples: {remove: ["ABC"], keep: ["abc"]}
  - id: drop-unless
    action: drop-line
    pattern: 'ads?'
    unless: 'keep'
    min-words: 2
    examples: {remove: ["an ad"], keep: ["ad keep"]}
  - id: strip-tag
    action: strip
    pattern: '\[tag\]\s*'
    examples: {remove: ["x [tag] y"], keep: ["x tag y"]}
  - id: strip-head
    action: strip
    where: head
    within: 1
    pattern: '^date \d+ '
    examples: {remove: ["date 1 x"], keep: ["date x"]}
  - id: to-junk
    action: replace
    pattern: 'XX'
    replace: 'junk'
    examples: {remove: ["a XX"], keep: ["a X"]}
  - id: grow
    action: replace
    pattern: '\+\+'
    replace: 'plus plus'
    examples: {remove: ["a ++"], keep: ["a +"]}
""",
    source="test",
)
RULES = RuleSet(PACK.rules)

PIECES = [
    "", " ", "\t", "HEADER top", "FOOTER", "END", "END of story", "zz", "junk", "JUNK here now",
    "junk in a much longer line of text here", "q", "ABC", "ad", "an ad", "an ad to keep",
    "x [tag] y", "[tag]", "date 12 Words follow", "date 3", "a XX", "XX", "++", "a ++ b",
    "An ordinary sentence of the article, long enough.", "Another one.", "ñ ß İ ǅ",
]


def same(text, share):
    fast = apply_rules(text, RULES, max_removed_share=share, prefilter=True)
    slow = apply_rules(text, RULES, max_removed_share=share, prefilter=False)
    assert fast == slow
    assert fast.removed_share == slow.removed_share


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES) | st.text(alphabet=" \tXq+[]tagjunkEND\r", max_size=12), max_size=25),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.sampled_from([1.0, 0.6, 0.2]),
)
def test_interacting_rules_give_the_reference_result(lines, newline, final, share):
    text = newline.join(lines) + (newline if final else "")
    same(text, share)


def test_a_long_document_where_the_guard_needs_a_full_count():
    text = "\n".join(["junk"] * 300 + ["word " * 5] * 50 + ["junk"] * 300)
    same(text, 0.6)
    same(text, 0.9)


ANCHORED_CASES = [
    ("^a", True), (r"\Aa", True), ("(?i)^a", True), ("(?:^a|^b)", True), (r"^\p{Lu}\w+", True),
    ("a|^b", False), ("x^", False), ("(?:a)^", False), ("(^a)b", False), ("[^a]", False),
]


@pytest.mark.parametrize("pattern, anchored", ANCHORED_CASES)
def test_patterns_anchored_at_the_start_are_recognised(pattern, anchored):
    assert starts_anchored(pattern, verbose=False) is anchored


EXAMPLE_TEXTS = sorted({e.text for r in Cleaner().rules for e in (*r.remove_examples, *r.keep_examples)})
ANCHORED_RULES = [r for r in Cleaner().rules if starts_anchored(r.pattern, verbose="verbose" in r.flags)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ANCHORED_RULES), st.sampled_from(EXAMPLE_TEXTS) | st.text(max_size=60))
def test_match_finds_what_search_finds_for_anchored_rules(rule, text):
    for line in text.split("\n"):
        searched, matched = rule.compiled.search(line), rule.compiled.match(line)
        assert (searched and searched.span()) == (matched and matched.span())


@pytest.fixture(scope="module", name="scanned_rules")
def scanned_rules_fixture(tmp_path_factory):
    pytest.importorskip("hyperscan")
    rules = RuleSet(PACK.rules)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLEANER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        assert rules.prefilter.use_scanner()
    return rules


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES) | st.text(alphabet=" \tXq+[]tagjunkEND\r", max_size=12), max_size=25),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_interacting_rules_give_the_reference_result_with_the_scanner(scanned_rules, lines, newline, final):
    text = newline.join(lines) + (newline if final else "")
    fast = apply_rules(text, scanned_rules, max_removed_share=0.6, prefilter=True)
    assert fast == apply_rules(text, scanned_rules, max_removed_share=0.6, prefilter=False)
