"""Properties of cleaning with the shipped rules, on random documents made of article-like lines."""

from __future__ import annotations

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Action, Cleaner

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = (
    "the a of to in and Russia flights base Syria said on Monday officials council bridge vote "
    "share message support readers date advertisement subscribe newsletter more article follow us"
).split()
OUTLETS = ["The Moscow Times", "The X", "the Guardian", "Kyiv Independent"]

sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=25).map(lambda ws: " ".join(ws).capitalize() + ".")
boilerplate = st.one_of(
    st.sampled_from(
        [
            "Share this article",
            "Advertisement",
            "ADVERTISEMENT",
            "Dear readers,",
            "Remind me later.",
            "Subscribe to our newsletter",
            "Read more:",
            "Follow us on Telegram",
            "Support independent journalism. Donate now.",
        ]
    ),
    st.sampled_from(OUTLETS).map(lambda name: f"A Message from {name}:"),
    sentence.map(lambda s: f"date 2025-10-30 {s}"),
    sentence.map(lambda s: f" date 2025-10-30T08:15:00+02:00 {s}"),
)
blank = st.sampled_from(["", "", "  ", "\t"])
line = st.one_of(sentence, sentence, blank, boilerplate)
ending = st.sampled_from(["\n", "\n", "\r\n"])


@st.composite
def documents(draw) -> str:
    lines = draw(st.lists(st.tuples(line, ending), min_size=1, max_size=40))
    text = "".join(content + eol for content, eol in lines)
    if draw(st.booleans()):
        text = text.removesuffix(lines[-1][1])  # no final newline
    return text


SHIPPED = Cleaner(input_format="text")
LINE_RULES = [rule.id for rule in SHIPPED.rules if rule.action in {Action.DROP_LINE, Action.CUT_TAIL, Action.CUT_HEAD}]
# select=() would mean every rule: never build it from an empty list
LINE_ONLY = Cleaner(input_format="text", select=LINE_RULES) if LINE_RULES else None


def split(text: str) -> list[str]:
    return regex.split(r"\r?\n", text)


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(any(item == candidate for candidate in rest) for item in part)


def test_line_rules_exist():
    assert LINE_ONLY is not None
    assert all(rule.action in {Action.DROP_LINE, Action.CUT_TAIL, Action.CUT_HEAD} for rule in LINE_ONLY.rules)


@SETTINGS
@given(documents())
def test_cleaning_is_idempotent(text):
    once = SHIPPED(text)
    assert SHIPPED(once) == once


@SETTINGS
@given(documents())
def test_output_is_never_longer(text):
    result = SHIPPED.run(text)
    assert len(result.text) <= len(text)
    if not result.changed:
        assert result.text == text


@SETTINGS
@given(documents())
def test_line_rules_only_remove_lines(text):
    result = LINE_ONLY.run(text)
    assert is_subsequence(split(result.text), split(text))
    if "\r" not in text:
        assert "\r" not in result.text


@SETTINGS
@given(documents())
def test_line_endings_follow_the_input(text):
    out = SHIPPED(text)
    if "\r\n" not in text:
        assert "\r\n" not in out
    if "\n" in out and regex.search(r"(?<!\r)\n", text) is None:
        assert regex.search(r"(?<!\r)\n", out) is None  # all-CRLF input stays all CRLF
    if not text.endswith("\n") and out:
        assert not out.endswith("\n")
