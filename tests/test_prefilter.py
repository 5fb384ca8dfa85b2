"""The literal prefilter only skips work: results are the same with and without it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, apply_rules
from cleaner.core import RuleSet
from cleaner.literals import required_literals

SHIPPED = Cleaner()
RULESET = RuleSet(SHIPPED.rules)
EXAMPLES = sorted(
    {e.text for r in SHIPPED.rules for e in (*r.remove_examples, *r.keep_examples)}
)


def both(text, rules=RULESET):
    fast = apply_rules(text, rules, prefilter=True)
    slow = apply_rules(text, rules, prefilter=False)
    return fast, slow


@pytest.mark.parametrize(
    "pattern, flags, expected",
    [
        (r"^Share this article$", {}, {"share this article"}),
        (r"^(?:Donate|Support us)\s*$", {"ignorecase": True}, {"donate", "support us"}),
        (r"^\s*©\s*\d{4}", {}, {"©"}),
        (r"^(?:Foto|Photo):\s*\p{Lu}\w+", {"ignorecase": True}, {"foto:", "photo:"}),
        (r"Remind  me   later  # a comment", {"verbose": True}, {"remindmelater"}),
    ],
)
def test_required_literals(pattern, flags, expected):
    options = {"ignorecase": False, "verbose": False, "dotall": False, **flags}
    assert required_literals(pattern, **options) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^By\s+\w+",  # "by" is in nearly every line: no filter
        r"^\w+$",  # no literal at all
        r"(?:Ad|Advertisement)",  # one branch is too short
        r"^(?&word)(?(DEFINE)(?P<word>\w+))",  # regex-only syntax the parser cannot read
        r"(?:Share)?\s*$",  # optional
    ],
)
def test_patterns_without_a_usable_literal_are_searched_everywhere(pattern):
    assert required_literals(pattern, ignorecase=True, verbose=False, dotall=False) is None


@pytest.mark.parametrize("text", EXAMPLES, ids=range(len(EXAMPLES)))
def test_every_rule_example_gives_the_same_result(text):
    fast, slow = both(text)
    assert fast == slow


def test_all_examples_as_one_document_give_the_same_result():
    text = "\n".join(EXAMPLES)
    fast, slow = both(text)
    assert fast == slow


CASINGS = [str, str.upper, str.lower, str.swapcase, str.title]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(EXAMPLES), st.sampled_from(CASINGS)) | st.tuples(st.text(max_size=80), st.just(str)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_random_documents_give_the_same_result(parts, newline):
    text = newline.join(casing(part) for part, casing in parts)
    fast, slow = both(text)
    assert fast == slow


def test_literals_found_string_by_string_are_those_the_automaton_finds(monkeypatch):
    """A short first document is searched literal by literal (no automaton to build): same lines."""
    from cleaner import prefilter
    from cleaner.prefilter import Prefilter

    monkeypatch.setattr(prefilter, "AUTOMATON_AFTER", 10**12)  # never switch to an automaton
    monkeypatch.setattr(prefilter, "DIRECT_SEARCHES", 10**12)
    direct = Prefilter(SHIPPED.rules, scan=False)
    automaton = Prefilter(SHIPPED.rules, scan=False)
    automaton.automaton = automaton._build("ContiguousNFA")
    automaton.scanned = None
    for casing in CASINGS:
        text = "\n".join(casing(example) for example in EXAMPLES) + "\na lone \ud800 surrogate: Share this"
        offsets = [0]
        for line in text.split("\n"):
            offsets.append(offsets[-1] + len(line) + 1)
        assert direct._literal_lines(text, lambda: offsets) == automaton._literal_lines(text, lambda: offsets)
        assert direct.line_rules(text) == automaton.line_rules(text)
    assert direct.automaton is None


@pytest.mark.parametrize("block", [1, 40, 1000])
def test_a_long_text_searched_a_block_of_lines_at_a_time_names_the_same_lines(monkeypatch, block):
    """str.casefold works in 12 bytes a character, so a long text is folded and searched in blocks
    of whole lines; characters that fold to more ("ß", "ﬁ", "İ") shift the folded offsets."""
    from cleaner import prefilter
    from cleaner.prefilter import Prefilter

    text = "\n".join(casing(example) for casing in CASINGS for example in EXAMPLES)
    text += "\nStraße ﬁnal İ: Share this\n\n\nREMIND ME LATER\nno newline at the end: © 2024"
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    whole = Prefilter(SHIPPED.rules, scan=False)._literal_lines(text, lambda: offsets)
    monkeypatch.setattr(prefilter, "FOLD_BLOCK", block)
    assert Prefilter(SHIPPED.rules, scan=False)._literal_lines(text, lambda: offsets) == whole
    assert len(whole) > 50  # most rules have a line to look at


def test_a_document_searched_in_blocks_gives_the_same_result(monkeypatch):
    from cleaner import prefilter

    monkeypatch.setattr(prefilter, "FOLD_BLOCK", 100)
    text = "\n".join(EXAMPLES) + "\n"
    fast, slow = both(text, RuleSet(SHIPPED.rules))  # a new rule set: its prefilter is built with the small blocks
    assert fast == slow
    assert fast.removals
