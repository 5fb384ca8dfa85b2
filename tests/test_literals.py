"""required_literals: every line a pattern matches holds one of its literals (casefolded)."""

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.literals import MAX_SET, required_literals

SHIPPED = Cleaner().rules
WHITESPACE = [c for c in map(chr, range(0x3001)) if regex.match(r"\s", c) or c.isspace()]
WHITESPACE.remove("\n")  # no line holds one


def literals(pattern, **flags):
    return required_literals(pattern, **{"ignorecase": False, "verbose": False, "dotall": False, **flags})


def holds_one(found, text):
    folded = text.casefold()
    return any(literal in folded for literal in found)


@pytest.mark.parametrize(
    "pattern, flags, expected",
    [
        # a concatenation multiplies the exact sets of its parts
        (r"support\ (?:us|our\ (?:work|news))\b", {"verbose": True}, {"support us", "support our work", "support our news"}),
        # the brackets next to the alternation belong to every literal
        (r"\s\[(?:VIDEO|PICS?)\]\W*$", {"verbose": True}, {w + t for w in WHITESPACE for t in ("[video]", "[pic]", "[pics]")}),
        # optional parts give the variant without them; small classes are alternatives
        (r"^\s*[Cc]olou?r:", {}, {"color:", "colour:"}),
        (r"^\s*(?:the )?news(?:letter)?\b", {}, {"news"}),
        # a case-sensitive group in an ignorecase pattern is still casefolded
        (r"(?-i:ABC)xyz", {"ignorecase": True}, {"abcxyz"}),
        (r"(?i:ABC)XYZ", {}, {"abcxyz"}),
        # two characters of rare punctuation filter well; "by", "." and "ad" do not
        (r"^\s*>>\s*\w+", {}, {">>"}),
        (r"^(?:[Tt]he )?[Ww]eb?log", {}, {"welog", "weblog"}),
    ],
)
def test_literals(pattern, flags, expected):
    assert literals(pattern, **flags) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^By\s+\w+",  # "by " is in nearly every text
        r"\.\s*$",
        r"(?:foo){e<=1}",  # fuzzy matching: Python reads the constraint as text
        r"(?:abc)?\s*$",  # optional
        r"(?:abc|x)\d",  # one branch has no usable literal
    ],
)
def test_no_usable_literal(pattern):
    assert literals(pattern, ignorecase=True) is None


def test_ignorecase_covers_every_casing_regex_matches():
    # regex matches "I" with the dotless "ı" and "i" with "İ", whose casefolds are not "i"
    found = literals(r"\bin\b", ignorecase=True) or literals(r"links", ignorecase=True)
    for text in ["LİNKS", "lınks".upper(), "Links", "LInKS", "lınks"]:
        if regex.search(r"links", text, regex.IGNORECASE):
            assert holds_one(literals(r"links", ignorecase=True), text), text
    assert found is None or found  # "in" alone is too short to filter with


def test_too_many_alternatives_fall_back_to_the_part_after_the_whitespace():
    found = literals(r"\s\[(?:VIDEO|PICS?|NEWS|LIVE)\]\W*$")
    assert all(literal.endswith(("[video]", "[pic]", "[pics]", "[news]", "[live]")) for literal in found)


def test_a_product_too_large_falls_back_to_a_sound_part():
    pattern = r"[a-h][a-h][a-h]xyz[a-h][a-h]"
    found = literals(pattern)
    assert found is not None and len(found) <= MAX_SET
    assert holds_one(found, "--abcxyzab--")
    assert all("xyz" in literal or len(literal) >= 3 for literal in found)


def test_posix_classes_and_unicode_properties_are_not_literal_text():
    assert literals(r"[[:alpha:]]+ xyz") == {" xyz"}
    assert literals(r"\p{Lu}+ xyz") == {" xyz"}
    assert literals(r"\[:alpha:] xyz") == {"[:alpha:] xyz"}


def test_no_literal_holds_a_newline():
    for rule in SHIPPED:
        for literal in rule.literals or ():
            assert "\n" not in literal, rule.id


REMOVED_LINES = [
    (rule, line)
    for rule in SHIPPED
    if rule.literals is not None
    for example in rule.remove_examples
    for line in example.text.split("\n")
]


@pytest.mark.parametrize("rule, line", REMOVED_LINES, ids=[f"{r.id}-{i}" for i, (r, _) in enumerate(REMOVED_LINES)])
def test_every_matched_example_line_holds_a_literal(rule, line):
    for text in (line, line.upper(), line.lower(), line.swapcase()):
        if rule.compiled.search(text):
            assert holds_one(rule.literals, text), (rule.id, text, sorted(rule.literals)[:10])


SMALL_PATTERNS = [
    (r"ab(?:c|de)?f", False),
    (r"(?:x|yz){1,3}>>", False),
    (r"[ab]i[sS]\s+li", True),
    (r"(?:in|on)\ (?:it|at)\b", True),
    (r"(?-i:Ab)(?:c|d)?\s*ıi", True),
    (r"(?<=\[)ab\]|ba\.?\s*:", False),
    (r"(?:ab)+\s*c{2,}", True),
    (r"(?=.*fi)\w*s?ss", True),
]
ALPHABET = "abcdefiIİısSxyz[]>:. \t\u00a0ßẞ"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SMALL_PATTERNS), st.text(alphabet=ALPHABET, max_size=16))
def test_every_line_a_pattern_matches_holds_a_literal(case, text):
    pattern, ignorecase = case
    found = literals(pattern, ignorecase=ignorecase)
    if found is not None and regex.search(pattern, text, regex.IGNORECASE if ignorecase else 0):
        assert holds_one(found, text), (pattern, text, sorted(found))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SMALL_PATTERNS).flatmap(lambda case: st.tuples(st.just(case), st.from_regex(case[0]))))
def test_every_generated_match_holds_a_literal(generated):
    (pattern, ignorecase), text = generated
    found = literals(pattern, ignorecase=ignorecase)
    text = text.replace("\n", " ")
    if found is not None and regex.search(pattern, text, regex.IGNORECASE if ignorecase else 0):
        assert holds_one(found, text), (pattern, text, sorted(found))


# --- the faster helpers give what the plain ones gave -------------------------------------------


def test_case_variants_of_the_matcher_are_those_found_by_searching():
    from cleaner.literals import _case_variants, _case_variants_found

    for char in "aiIıİkKsSſßσςΣµΩωﬀǅ0 .-":
        assert _case_variants(char) == frozenset({char.casefold(), *_case_variants_found(char)}) - {"\n"}, char


@given(st.frozensets(st.text("abcı̇ ", max_size=6), max_size=300), st.sampled_from(["head", "tail"]))
@settings(max_examples=200, deadline=None)
def test_cut_is_the_longest_cut_that_is_small_enough(strings, keep):
    from cleaner.literals import _EMPTY_SET, _cut

    def naive():
        if len(strings) <= MAX_SET:
            return strings
        for size in range(max(map(len, strings)) - 1, 0, -1):
            cut = frozenset(s[:size] if keep == "head" else s[-size:] for s in strings)
            if len(cut) <= MAX_SET:
                return cut
        return _EMPTY_SET

    assert _cut(strings, keep=keep) == naive()


@given(st.frozensets(st.text("abc", max_size=5), max_size=40))
def test_minimal_sets(strings):
    from cleaner.literals import _minimal, _minimal_prefixes, _minimal_suffixes

    if "" in strings:
        return
    others = lambda s: (k for k in strings if k != s)  # noqa: E731
    assert _minimal_prefixes(strings) == {s for s in strings if not any(s.startswith(k) for k in others(s))}
    assert _minimal_suffixes(strings) == {s for s in strings if not any(s.endswith(k) for k in others(s))}
    assert _minimal(strings) == {s for s in strings if not any(k in s for k in others(s))}
    assert _minimal(strings) == _minimal(_minimal_prefixes(strings) & _minimal_suffixes(strings))


def test_cost_does_not_depend_on_the_order_of_the_set():
    from cleaner.literals import _cost

    strings = [f"{word} {n}" for word in ("read", "also", "more", "journalism") for n in range(40)]
    assert _cost(frozenset(strings)) == _cost(frozenset(reversed(strings)))


def test_python_digits_cover_regex_digits():
    """``has_digit`` asks Python's ``re`` in place of ``regex``: every ``\\d`` of regex must be one of re's."""
    import regex

    from cleaner.literals import _cased_characters  # noqa: F401 - the same way of listing every character
    from cleaner.rules import has_digit

    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert all(has_digit(c) for c in regex.findall(r"\d", everything))


@pytest.mark.parametrize(
    "pattern, needed",
    [
        (r"^\d{4}-\d{2}", True),
        (r"^(?:\d+ comments|[0-9]{2} Kommentare)$", True),
        (r"^(?:\d+|none) comments$", False),
        (r"^\d*x", False),
        (r"^[\d.]+$", False),  # "..." matches
        (r"(?=\d)\w", False),  # unsure: lookarounds count for nothing
        (r"^\p{Nd}", False),
    ],
)
def test_needs_digit(pattern, needed):
    from cleaner.literals import needs_digit

    assert needs_digit(pattern, verbose=False) is needed
