"""The engine with strings only: small packs parsed from YAML, documents as literals."""

from __future__ import annotations

import pickle
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from cleaner import Action, Cleaner, RuleTimeoutError, apply_rules, clean, parse_pack

from conftest import SEEDS


def rules(body: str, pack: str = "t"):
    """The rules of a pack whose ``rules:`` list is ``body`` (YAML, indented by two)."""
    return parse_pack(f"pack: {pack}\ndescription: Test rules.\nrules:\n{body}").rules


def run(text: str, body: str, **options) -> str:
    return apply_rules(text, rules(body), **options).text


AD = """
  - id: ad
    action: drop-line
    pattern: '^Advertisement$'
"""


# --- actions -----------------------------------------------------------------------------


def test_drop_line_removes_only_matching_lines():
    text = "First paragraph.\nAdvertisement\nSecond paragraph.\nAn Advertisement for cars.\n"
    assert run(text, AD) == "First paragraph.\nSecond paragraph.\nAn Advertisement for cars.\n"


def test_strip_removes_only_the_span():
    body = """
  - id: date
    action: strip
    pattern: '^date \\d{4}-\\d{2}-\\d{2} '
"""
    result = apply_rules("date 2025-10-30 Flights resumed.\nOn date 2025-10-30 it rained.\n", rules(body))
    assert result.text == "Flights resumed.\nOn date 2025-10-30 it rained.\n"
    assert [(r.rule_id, r.line, r.text, r.replacement) for r in result.removals] == [
        ("t/date", 1, "date 2025-10-30 ", None)
    ]


def test_strip_that_empties_a_line_removes_the_line():
    body = """
  - id: ad
    action: strip
    pattern: 'Advertisement'
"""
    assert run("One.\n\nAdvertisement\n\nTwo.\n", body) == "One.\n\nTwo.\n"


def test_replace_substitutes_with_backreferences():
    body = """
  - id: pct
    action: replace
    pattern: '(\\d+) pct\\b'
    replace: '\\1%'
"""
    result = apply_rules("Prices rose 5 pct and wages 3 pct.\nNothing here.\n", rules(body))
    assert result.text == "Prices rose 5% and wages 3%.\nNothing here.\n"
    assert [(r.text, r.replacement) for r in result.removals] == [("5 pct", "5%"), ("3 pct", "3%")]


def test_cut_tail_removes_the_matching_line_and_all_after_it():
    body = """
  - id: appeal
    action: cut-tail
    pattern: '^A message from the [\\w ]+:$'
    flags: [ignorecase]
"""
    text = "Body one.\n\nBody two.\n\nA Message from The Times:\nDear readers,\n\nPlease give.\n"
    assert run(text, body) == "Body one.\n\nBody two.\n"


def test_cut_tail_cuts_at_the_first_match():
    body = """
  - id: footer
    action: cut-tail
    pattern: '^Related:'
"""
    text = "Body.\nRelated: one\nMore.\nRelated: two\nEven more.\n"
    assert run(text, body) == "Body.\n"


def test_cut_head_removes_everything_through_the_last_match():
    body = """
  - id: menu
    action: cut-head
    where: head
    pattern: '^(Home|Menu|Search)$'
"""
    body_lines = "Flights resumed.\nP2.\nP3.\nP4.\nP5.\nSearch\n"
    # the head region is the first 5 non-blank lines: the last match inside it is line 4,
    # and the "Search" after the body stays out of reach even once the head is gone
    assert run("Home\nMenu\n\nWorld news\nSearch\n" + body_lines, body) == body_lines


# --- where, within, word limits, unless, confirm -------------------------------------------


def test_where_head_within_limits_the_region():
    body = """
  - id: byline
    action: drop-line
    where: head
    within: 2
    pattern: '^By [A-Z]'
"""
    text = "Title\n\nBy Anna Smith\nBody.\nBy Boris Jones\n"
    # blank lines do not count towards "within"
    assert run(text, body) == "Title\n\nBody.\nBy Boris Jones\n"


def test_where_tail_within_limits_the_region():
    body = """
  - id: credit
    action: drop-line
    where: tail
    within: 1
    pattern: '^Photo:'
"""
    text = "Photo: Reuters\nBody.\nPhoto: AP\n\n"
    assert run(text, body) == "Photo: Reuters\nBody.\n"


def test_where_tail_default_region_is_bounded():
    body = """
  - id: credit
    action: drop-line
    where: tail
    pattern: '^Photo:'
"""
    lines = ["Photo: early"] + [f"Paragraph {i}." for i in range(30)] + ["Photo: late"]
    text = "\n".join(lines) + "\n"
    out = run(text, body)
    assert "Photo: early" in out
    assert "Photo: late" not in out


def test_max_words_and_min_words():
    body = """
  - id: short-share
    action: drop-line
    pattern: '^Share'
    max-words: 3
  - id: long-copyright
    action: drop-line
    pattern: 'copyright'
    min-words: 3
"""
    text = "Share this article\nShare prices fell sharply on Monday morning.\ncopyright\nAll content copyright 2025.\n"
    assert run(text, body) == "Share prices fell sharply on Monday morning.\ncopyright\n"


def test_unless_vetoes_a_match():
    body = """
  - id: read-more
    action: drop-line
    pattern: '^Read more'
    unless: '\\bthan\\b'
"""
    text = "Read more: Flights resume\nRead more than one report before deciding.\n"
    assert run(text, body) == "Read more than one report before deciding.\n"


def test_confirm_is_required_in_the_cut_block():
    body = """
  - id: appeal
    action: cut-tail
    pattern: '^Dear readers,$'
    confirm: '(?i)\\b(donate|support us)\\b'
"""
    with_appeal = "Body.\nDear readers,\nPlease support us today.\n"
    letter = "Body.\nDear readers,\nThe next issue is out on Monday.\n"
    assert run(with_appeal, body) == "Body.\n"
    assert run(letter, body) == letter


def test_confirm_on_drop_line_checks_the_line():
    body = """
  - id: promo
    action: drop-line
    pattern: '^Subscribe'
    confirm: 'newsletter'
"""
    text = "Subscribe to our newsletter\nSubscribers were told on Monday.\nSubscribe now\n"
    assert run(text, body) == "Subscribers were told on Monday.\nSubscribe now\n"


def test_ignorecase_flag():
    body = """
  - id: ad
    action: drop-line
    pattern: '^advertisement$'
    flags: [ignorecase]
"""
    assert run("Body.\nADVERTISEMENT\n", body) == "Body.\n"
    assert run("Body.\nADVERTISEMENT\n", body.replace("    flags: [ignorecase]\n", "")) == "Body.\nADVERTISEMENT\n"


# --- layout: blank lines, line endings, final newline -----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a removal between paragraphs leaves one blank line, not two
        ("One.\n\nAdvertisement\n\nTwo.\n", "One.\n\nTwo.\n"),
        # a removal inside a block leaves the paragraph break after it
        ("One.\nAdvertisement\n\nTwo.\n", "One.\n\nTwo.\n"),
        # a removal at the start leaves no leading blank line
        ("Advertisement\n\nOne.\n", "One.\n"),
        # a removal at the end leaves no trailing blank line
        ("One.\n\nAdvertisement\n", "One.\n"),
        ("One.\n\nAdvertisement\n\n\n", "One.\n"),
        # blank runs away from removals are kept as they are
        ("One.\n\n\nTwo.\nAdvertisement\nThree.\n", "One.\n\n\nTwo.\nThree.\n"),
        ("One.\n\n\n\nTwo.\n\nAdvertisement\n\nThree.\n", "One.\n\n\n\nTwo.\n\nThree.\n"),
    ],
)
def test_blank_lines_left_by_removals_collapse(text, expected):
    assert run(text, AD) == expected


def test_no_removal_leaves_text_identical():
    text = "One.\n\n\n\nTwo.  \r\n\n   \nThree"
    result = apply_rules(text, rules(AD))
    assert result.text == text
    assert not result.changed
    assert result.removals == ()


def test_crlf_is_kept():
    text = "One.\r\n\r\nAdvertisement\r\n\r\nTwo.\r\n"
    assert run(text, AD) == "One.\r\n\r\nTwo.\r\n"


def test_mixed_line_endings_are_kept_line_by_line():
    text = "One.\r\nAdvertisement\nTwo.\nThree.\r\nAdvertisement\r\nFour.\n"
    assert run(text, AD) == "One.\r\nTwo.\nThree.\r\nFour.\n"


def test_lone_carriage_return_is_not_a_line_break():
    text = "One.\rAdvertisement\nAdvertisement\n"
    assert run(text, AD) == "One.\rAdvertisement\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\nTwo.\nAdvertisement", "One.\nTwo."),
        ("One.\r\nTwo.\r\nAdvertisement", "One.\r\nTwo."),
        ("One.\n\nAdvertisement", "One."),
        ("One.\nAdvertisement\nTwo.", "One.\nTwo."),
    ],
)
def test_missing_final_newline_stays_missing(text, expected):
    assert run(text, AD) == expected


def test_final_newline_stays_when_last_line_is_removed():
    assert run("One.\nAdvertisement\n", AD) == "One.\n"


# --- removals ----------------------------------------------------------------------------


def test_removal_offsets_point_into_the_input():
    body = """
  - id: cite
    action: strip
    pattern: '\\s?\\[\\d+\\]'
  - id: date
    action: strip
    pattern: 'date \\d+ '
  - id: ad
    action: drop-line
    pattern: '^Advertisement$'
"""
    text = "x [1] date 12 y [2] z date 13 w\r\nAdvertisement\r\nKeep [3] this date 14 line.\n"
    result = apply_rules(text, rules(body))
    assert result.text == "x y z w\r\nKeep this line.\n"
    assert len(result.removals) == 7
    for removal in result.removals:
        assert text[removal.start : removal.end] == removal.text, removal
    assert [r.start for r in result.removals] == sorted(r.start for r in result.removals)
    assert {r.line for r in result.removals} == {1, 2, 3}


def test_cut_removals_name_each_line():
    body = """
  - id: footer
    action: cut-tail
    pattern: '^Related:'
"""
    text = "Body.\nRelated: one\nMore.\n"
    result = apply_rules(text, rules(body))
    assert [(r.rule_id, r.line, r.text) for r in result.removals] == [
        ("t/footer", 2, "Related: one"),
        ("t/footer", 3, "More."),
    ]
    for removal in result.removals:
        assert text[removal.start : removal.end] == removal.text


# --- guard -------------------------------------------------------------------------------


def test_guard_leaves_a_gutted_document_as_it_was():
    text = "Advertisement\nAdvertisement\nAdvertisement\nOne.\n"
    result = apply_rules(text, rules(AD), max_removed_share=0.5)
    assert result.guarded
    assert result.text == text
    assert not result.changed
    assert len(result.removals) == 3
    assert result.removed_share == pytest.approx(0.75)


def test_guard_lets_a_removal_under_the_limit_through():
    text = "Advertisement\nOne two three.\n"
    result = apply_rules(text, rules(AD), max_removed_share=0.5)
    assert not result.guarded
    assert result.changed
    assert result.text == "One two three.\n"
    assert result.removed_share == pytest.approx(0.25)


def test_cleaner_applies_its_guard():
    cleaner = Cleaner(packs=[parse_pack(f"pack: t\ndescription: x.\nrules:\n{AD}")], max_removed_share=0.2)
    result = cleaner.run("One two three.\nAdvertisement\n")
    assert result.guarded
    assert result.text == "One two three.\nAdvertisement\n"


# --- time limit --------------------------------------------------------------------------

SLOW = """
  - id: backtrack
    action: drop-line
    pattern: '^(a|aa)+$'
"""


def test_runaway_pattern_raises_timeout_naming_the_rule():
    started = time.monotonic()
    with pytest.raises(RuleTimeoutError) as info:
        apply_rules("a" * 50000 + "!", rules(SLOW), timeout=0.5)
    assert time.monotonic() - started < 3
    assert info.value.rule_id == "t/backtrack"
    assert '"t/backtrack"' in str(info.value)


def test_cleaner_timeout_applies_per_document():
    cleaner = Cleaner(packs=[parse_pack(f"pack: t\ndescription: x.\nrules:\n{SLOW}")], timeout=0.5)
    started = time.monotonic()
    with pytest.raises(RuleTimeoutError, match="t/backtrack"):
        cleaner.run("Body.\n" + "a" * 50000 + "!\n")
    assert time.monotonic() - started < 3
    # the same cleaner goes on with the next document
    assert cleaner("Body.\naaaa\n") == "Body.\n"


# --- idempotence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body"),
    [
        # a cut moves earlier lines into the tail region, where the rule matches again
        (
            "Body one.\nBody two.\nRelated: a\nx\nRelated: b\ny\nz\n",
            """
  - id: footer
    action: cut-tail
    where: tail
    within: 3
    pattern: '^Related:'
""",
        ),
        # stripping one glued field uncovers another
        (
            "date 1 date 2 date 3 Flights resumed.\nBody.\n",
            """
  - id: date
    action: strip
    where: head
    within: 1
    pattern: '^date \\d '
""",
        ),
        ("One.\n\nAdvertisement\n\n\nTwo.\r\nAdvertisement", AD),
    ],
    ids=["cut-tail-repeats", "strip-repeats", "blank-lines"],
)
def test_cleaning_is_idempotent(text, body):
    once = run(text, body)
    assert once != text
    assert run(once, body) == once


def test_repeated_cut_converges_in_one_call():
    body = """
  - id: footer
    action: cut-tail
    where: tail
    within: 3
    pattern: '^Related:'
"""
    assert run("Body one.\nBody two.\nRelated: a\nx\nRelated: b\ny\nz\n", body) == "Body one.\nBody two.\n"


# --- pickling and processes --------------------------------------------------------------

TEXTS = [
    (SEEDS / "000_moscow_times.input.txt").read_text(encoding="utf-8"),
    (SEEDS / "001_unn.input.txt").read_text(encoding="utf-8"),
    "date 2025-10-30 Flights resumed on Friday, officials said.\nThe base reopened.\n",
    "Nothing to clean here.\n",
]


def test_rule_pickle_round_trip():
    (rule,) = rules(AD)
    assert rule.compiled.search("Advertisement")  # compile before pickling
    copy = pickle.loads(pickle.dumps(rule))
    assert copy == rule
    assert copy.action is Action.DROP_LINE
    assert apply_rules("One.\nAdvertisement\n", [copy]).text == "One.\n"


def test_cleaner_pickle_round_trip_cleans_the_same():
    cleaner = Cleaner()
    for text in TEXTS:  # use the compiled patterns before pickling
        cleaner(text)
    copy = pickle.loads(pickle.dumps(cleaner))
    assert [r.id for r in copy.rules] == [r.id for r in cleaner.rules]
    assert [copy(text) for text in TEXTS] == [cleaner(text) for text in TEXTS]


def test_clean_and_cleaner_map_over_a_process_pool():
    cleaner = Cleaner()
    expected = [cleaner(text) for text in TEXTS]
    assert expected != TEXTS
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(clean, TEXTS)) == expected
        assert list(pool.map(cleaner, TEXTS)) == expected
