"""The Hyperscan gate only skips work: every line a rule's pattern matches is a line the scanner
names for it, and the engine's results with the scanner are the reference engine's."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, apply_rules
from cleaner.core import RuleSet
from cleaner.prefilter import Prefilter
from cleaner.rules import parse_pack
from cleaner.superset import ASCII_FOLDS, scan_bytes, superset_expression

pytest.importorskip("hyperscan")
from cleaner.scanner import Scanner  # noqa: E402

SHIPPED = Cleaner().rules
EXAMPLES = sorted({e.text for r in SHIPPED for e in (*r.remove_examples, *r.keep_examples)})
CASINGS = [str, str.upper, str.lower, str.swapcase, str.title]
# characters where bytes, case and Unicode classes could part ways with regex
TRICKY = "İıKſkKsSiI\u00e9\u0301\u00df\u03a3\u03c3\u03c2\u2028\x85\xa0\x1c\u3000\t\r©—–«»\U0001f600\ud800"


@pytest.fixture(scope="module", name="shipped")
def shipped_ruleset(tmp_path_factory):
    rules = RuleSet(SHIPPED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLEANER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        assert rules.prefilter.use_scanner()
    return rules


def line_matches(rule, line: str) -> bool:
    return rule.compiled.search(line) is not None


def assert_superset(ruleset: RuleSet, text: str) -> None:
    named = ruleset.prefilter.scanner.lines(text)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for index in ruleset.prefilter.scanner.covered:
        rule = ruleset.rules[index]
        for number, line in enumerate(lines):
            content = line[:-1] if line.endswith("\r") and (number < len(lines) - 1 or text.endswith("\n")) else line
            if line_matches(rule, content):
                assert number in named.get(index, ()), (rule.id, content)


def test_the_scanner_covers_most_shipped_rules(shipped):
    assert len(shipped.prefilter.scanner.covered) >= 0.9 * len(SHIPPED)


@pytest.mark.parametrize("casing", CASINGS, ids=lambda f: f.__name__)
def test_every_line_of_every_example_is_named(shipped, casing):
    assert_superset(shipped, "\n".join(casing(text) for text in EXAMPLES))


def test_the_scanner_names_few_article_lines(shipped):
    article = "\n\n".join(text for r in SHIPPED for e in r.keep_examples if len((text := e.text).split()) > 25)
    named = shipped.prefilter.scanner.lines(article)
    lines = article.count("\n") + 1
    assert sum(map(len, named.values())) < lines  # the literal gate names far more: "share", "read", "photo"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(EXAMPLES), st.sampled_from(CASINGS)) | st.tuples(st.text(TRICKY + "ab .:", max_size=30), st.just(str)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_random_lines_are_named_where_their_rules_match(shipped, parts, newline, final):
    text = newline.join(casing(part) for part, casing in parts) + (newline if final else "")
    assert_superset(shipped, text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(EXAMPLES), st.sampled_from(CASINGS)) | st.tuples(st.text(TRICKY, max_size=40), st.just(str)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_results_with_the_scanner_are_the_reference_results(shipped, parts, newline):
    text = newline.join(casing(part) for part, casing in parts)
    assert apply_rules(text, shipped, prefilter=True) == apply_rules(text, shipped, prefilter=False)


def one_rule(pattern: str, flags: str = "[]") -> RuleSet:
    return RuleSet(one_rule_pack(pattern, flags).rules)


def one_rule_pack(pattern: str, flags: str = "[]"):
    return parse_pack(
        f"""
pack: t
description: one rule
rules:
  - id: r
    action: drop-line
    flags: {flags}
    pattern: '{pattern}'
    examples: {{remove: [], keep: []}}
""",
        source="test",
    )


@pytest.mark.parametrize(
    "pattern, flags, line",
    [
        ("^kelvin$", "[ignorecase]", "\u212aELVIN"),  # regex matches K (Kelvin) with k
        ("^istanbul", "[ignorecase]", "\u0130STANBUL"),
        ("^Is ", "[ignorecase]", "\u0131s it"),
        ("^[^s]ee$", "[]", "\u017fee"),  # a negated class matches the long s
        ("^[a-z]+$", "[ignorecase]", "\u017f\u212a\u0130"),
        ("^caf\u00e9$", "[ignorecase]", "CAF\u00c9"),
        ("^\\p{Lu}\\w+ \\d+$", "[]", "Ñandú ٣"),
        ("^\\w+$", "[ascii]", "abc_1"),
        ("^x(?=y)", "[]", "xy"),
        ("^(a)b\\1$", "[]", "aba"),
        ("^.{2}$", "[dotall]", "é😀"),
        ("end\\s*$", "[]", "the end\r"),  # no final newline: the \r is part of the line
        ("^(?:x)?$", "[]", ""),  # an empty line: "$" takes its newline, so this is not empty
        ("^\\s*©\\s*\\d{4}", "[]", "\u3000©\u00a02024"),
        ("^Share(?:\\s+this)?\\s*$", "[ignorecase, verbose]", "share   THIS"),
        ("\\s+(?:©|Ⓒ)\\s*[\\w ]{2,60}$", "[]", "x\u3000Ⓒ\u00a0Ab\u00e9"),
        ("^[\u017f]ee$", "[]", "\u017fee"),
        ("^[\u017f]ee$", "[ignorecase]", "SEE"),
        ("^[^\u00e9]\\s\\d", "[ignorecase]", "\u0130\u2028\u0663"),
        ("^(?:ab\\s*:.*){2,}", "[]", "ab: x ab :y"),
        ("^(?:a|b\\s*$)", "[]", "b \t"),
    ],
)
def test_tricky_patterns_are_named(pattern, flags, line, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    rules = one_rule(pattern, flags)
    assert rules.rules[0].compiled.search(line) is not None
    assert rules.prefilter.use_scanner()
    for text in (line, f"before\n{line}\nafter\n", f"before\r\n{line}\r\n"):
        assert_superset(rules, text)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:x)?",  # matches empty text: Hyperscan takes no pattern that can match nothing
        r"^a{e<=1}b",  # fuzzy matching
        r"^\m\w+",  # regex-only syntax Python's parser does not know
    ],
)
def test_patterns_the_scanner_cannot_take_keep_the_other_gates(pattern, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    rules = one_rule(pattern)
    rules.prefilter.use_scanner()
    scanner = rules.prefilter.scanner
    assert scanner is None or 0 not in scanner.covered
    text = "\nab\nxb\n\nword\n"
    assert apply_rules(text, rules, prefilter=True) == apply_rules(text, rules, prefilter=False)


MIXED = """
pack: t
description: two rules the scanner takes, around one it cannot (it matches empty text)
rules:
  - id: share
    action: drop-line
    pattern: '^Share this article$'
    examples: {remove: [], keep: []}
  - id: empty
    action: strip
    pattern: '(?:x)?'
    examples: {remove: [], keep: []}
  - id: advert
    action: drop-line
    pattern: '^Advertisement$'
    examples: {remove: [], keep: []}
"""


@pytest.mark.parametrize("alone_first", [0, 10**9])  # every expression tried alone first, or none
def test_an_expression_hyperscan_rejects_leaves_the_others_in_the_database(alone_first, monkeypatch):
    """Hyperscan rejects a whole set for one expression without saying which: the set is
    compiled again without the expressions it rejects alone."""
    from cleaner import scanner

    monkeypatch.setattr(scanner, "ALONE_FIRST", alone_first)
    serialized, covered = scanner._compile(parse_pack(MIXED, source="test").rules)
    assert covered == [0, 2]
    found = Scanner.load(serialized, covered).lines("Intro\nShare this article\nAdvertisement\nx\n")
    assert found == {0: [1], 2: [2]}


REWRITES = """
pack: t
description: a strip that makes lines for a drop-line rule, and a rule without literals
rules:
  - id: a-prefix
    action: strip
    pattern: '^(?:XYZ|QRS)\\s+'
    examples: {remove: [], keep: []}
  - id: share
    action: drop-line
    flags: [ignorecase]
    pattern: '^share\\s+this\\s+article$'
    examples: {remove: [], keep: []}
  - id: short-caps
    action: drop-line
    max-words: 3
    pattern: '^[A-Z]{2,}(?:\\s+[A-Z]{2,})*$'
    examples: {remove: [], keep: []}
"""


@pytest.mark.parametrize(
    "text, dropped",
    [
        ("Intro line.\nXYZ Share this article\nBody.\n", {"share"}),
        ("XYZ QRS SHARE THIS ARTICLE\r\nBody.\r\n", {"share"}),
        ("XYZ LOUD CAPS\nXYZ share this article please\nQRS  Body text stays.", {"short-caps"}),
    ],
)
def test_a_rewritten_line_is_offered_to_the_rules_its_new_content_may_match(text, dropped, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    rules = RuleSet(parse_pack(REWRITES, source="test").rules)
    assert rules.prefilter.use_scanner()
    assert len(rules.prefilter.scanner.covered) == 3
    result = apply_rules(text, rules)
    assert result == apply_rules(text, rules, prefilter=False)
    assert {r.rule_id.split("/")[1] for r in result.removals} - {"a-prefix"} == dropped


def test_scan_bytes_folds_the_four_characters_and_ends_with_a_newline():
    assert scan_bytes("a") == b"a\n"
    assert scan_bytes("".join(ASCII_FOLDS) + "\n") == b"iiks\n"
    assert scan_bytes("\ud800") == "\ud800\n".encode("utf-8", "surrogatepass")


def test_translation_widens_what_bytes_cannot_say():
    expression, caseless = superset_expression(r"^(?<!x)\bfoo(?=bar)", ())
    assert expression == b"^foo" and not caseless
    assert superset_expression("^foo", ("ignorecase",))[1]
    assert superset_expression(r"^a{2,100}b", ())[0] == b"^(?:a){2,}b"


def test_what_may_end_a_match_is_left_out():
    # the lines are the same, and a match is reported once, not once for every byte of a ".*"
    assert superset_expression(r"^foo\w*.*", ())[0] == b"^foo"
    assert superset_expression(r"^foo(?:bar|x?)(?=z)", ())[0] == b"^foo"
    assert superset_expression(r"^x(?:ab)+", ())[0] == b"^xab"
    assert superset_expression(r"^x(?:a.*){3,}", ())[0].endswith(b"{2}a")
    assert superset_expression(r"^foo\s*$", ())[0].endswith(b"\\r?\\n")  # "$" stays


def test_a_class_holds_only_the_bytes_of_its_characters():
    spaces = superset_expression(r"^a\s+b", ())
    assert scans(spaces, "a \u3000b") and not scans(spaces, "aib") and not scans(spaces, "a\u00e9b")  # "i": \u0130
    assert superset_expression("^(?:\u00a9|\u24b8)x", ())[0] == b"^(?:\\xc2\\xa9|\\xe2\\x92\\xb8)x"
    assert superset_expression("^[\u017f\u00e9]x", ())[0] == b"^(?:[s]|\\xc3\\xa9)x"  # the long s is "s" when scanned
    assert superset_expression("^\u0440", ("ignorecase",))[0] == b"^[\\xd0-\\xd1][\\x80\\xa0]"  # "р" or "Р", byte by byte


def scans(written, text: str) -> bool:
    """Whether the written expression matches in ``text`` (one line), as the scanner would scan it."""
    import hyperscan

    expression, caseless = written
    database = hyperscan.Database()
    flags = hyperscan.HS_FLAG_MULTILINE | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
    database.compile(expressions=[expression], ids=[0], flags=[flags])
    found = []
    database.scan(scan_bytes(text), match_event_handler=lambda *report: found.append(report))
    return bool(found)


def test_the_scanner_comes_from_the_cache_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    rules = one_rule("^Advertisement$")
    assert Scanner.build(rules.rules, compile=False) is None
    assert rules.prefilter.use_scanner()
    assert list((tmp_path / "scanners").iterdir())
    again = Prefilter(rules.rules)
    again._scanner(10**6)  # SCAN_AFTER: the cached scanner, no compiling
    assert again.scanner is not None and again.scanner.covered == (0,)


def test_without_the_cache_the_scanner_is_compiled_and_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    pack = one_rule("^Advertisement$").rules
    rules = RuleSet(pack, cache=False)
    assert rules.prefilter.use_scanner()
    assert not (tmp_path / "scanners").exists()
    import pickle

    assert pickle.loads(pickle.dumps(rules)).cache is False


def test_a_corpus_gets_the_scanner_from_a_background_build(tmp_path, monkeypatch):
    """Past COMPILE_AFTER characters without a cached database, one is compiled in a thread while
    the literal gates go on; the next document after it is done uses it."""
    from cleaner import prefilter as module

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module, "SCAN_AFTER", 10)
    monkeypatch.setattr(module, "COMPILE_AFTER", 100)
    rules = one_rule("^Advertisement$")
    text = "Advertisement\nA line of the article that is long enough to count.\n" * 2
    expected = apply_rules(text, rules, prefilter=False)
    assert apply_rules(text, rules) == expected  # 140 characters: the build starts
    builder = rules.prefilter.builder
    assert builder is not None and builder.thread is not None
    builder.thread.join()
    assert apply_rules(text, rules) == expected
    assert rules.prefilter.scanner is not None and rules.prefilter.read is None
    assert list((tmp_path / "scanners").iterdir())  # kept for the next process


def test_a_worker_takes_the_scanner_from_the_cache_and_compiles_none(tmp_path, monkeypatch):
    """Worker processes leave compiling to their parent (one database, not one per core), and
    look in the cache for it now and then."""
    from cleaner import prefilter as module

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module, "SCAN_AFTER", 10)
    monkeypatch.setattr(module, "COMPILE_AFTER", 100)
    monkeypatch.setattr(module, "LOOK_AGAIN_AFTER", 1000)
    rules = one_rule("^Advertisement$")
    worker = Prefilter(rules.rules)
    worker.leave_compiling()
    worker._scanner(500)  # past COMPILE_AFTER
    assert worker.builder.thread is None and worker.scanner is None
    parent = Prefilter(rules.rules)
    parent.count_elsewhere(50)
    assert parent.compiler is None  # below COMPILE_AFTER
    parent.count_elsewhere(450)  # what the workers cleaned: the parent compiles
    assert parent.compiler.thread is not None
    parent.finish()
    assert parent.scanner is None  # compiled for the workers, not loaded here
    again = Prefilter(rules.rules)
    again.count_elsewhere(500)
    assert again.compiler is None  # in the cache already
    assert list((tmp_path / "scanners").iterdir())
    worker._scanner(900)  # LOOK_AGAIN_AFTER has not passed since the last look: not looked for yet
    assert worker.scanner is None and worker.read is not None
    worker._scanner(200)
    assert worker.scanner is not None and worker.scanner.covered == (0,) and worker.builder.thread is None


def test_without_the_cache_a_worker_compiles_its_own_scanner():
    worker = Prefilter(one_rule("^Advertisement$").rules, cache=False)
    worker.leave_compiling()
    assert worker.compiles


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stream_ends_with_the_scanner_in_the_cache(jobs, tmp_path, monkeypatch):
    """A run that started compiling waits for it: stopped with the run, the next run would start
    over. The compile here is held until the last record has come out."""
    import threading

    from cleaner import prefilter as module
    from cleaner import scanner
    from cleaner.workers import CHUNK_BYTES, StreamJob, clean_stream

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module, "SCAN_AFTER", 10)
    monkeypatch.setattr(module, "COMPILE_AFTER", CHUNK_BYTES)
    released = threading.Event()
    compile = scanner._compile
    monkeypatch.setattr(scanner, "_compile", lambda rules: released.wait(60) and compile(rules))
    cleaner = Cleaner(packs=[one_rule_pack("^Advertisement$")])
    record = b'{"text": "Advertisement\\nA line of the article."}\n'
    lines = [record] * (3 * CHUNK_BYTES // len(record))
    out = []
    for chunk in clean_stream(iter(lines), StreamJob(cleaner, "<test>"), jobs=jobs):
        out += chunk.output.splitlines(keepends=True)
        if len(out) == len(lines):
            released.set()  # the compile goes on once every record is out: the stream must wait for it
    assert out == [b'{"text": "A line of the article."}\n'] * len(lines)
    assert list((tmp_path / "scanners").iterdir())
    prefilter = cleaner.ruleset.prefilter
    assert not (prefilter.builder or prefilter.compiler).thread.is_alive()


def test_without_hyperscan_the_other_gates_do_the_work(tmp_path, monkeypatch):
    """No wheel for this platform, or a database that will not load: the literal gates stay."""
    from cleaner import scanner as module

    def unavailable(*args, **kwargs):
        raise ImportError("No module named 'hyperscan'")

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module.Scanner, "build", unavailable)
    rules = RuleSet(SHIPPED)
    assert not rules.prefilter.use_scanner()
    text = "\n".join(EXAMPLES)
    assert apply_rules(text, rules) == apply_rules(text, rules, prefilter=False)
    assert rules.prefilter.read is None  # settled: not tried again for every document


def test_a_damaged_cached_database_is_compiled_again(tmp_path, monkeypatch):
    import marshal

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    rules = one_rule("^Advertisement$").rules
    assert Scanner.build(rules) is not None
    (path,) = (tmp_path / "scanners").iterdir()
    key, (serialized, covered) = marshal.loads(path.read_bytes())
    path.write_bytes(marshal.dumps((key, (b"not a database", covered))))
    assert Scanner.build(rules, compile=False) is None  # unusable: not taken for a scanner
    scanner = Scanner.build(rules)  # compiled again, and the file mended
    assert scanner is not None and scanner.lines("x\nAdvertisement\n") == {0: [1]}
    assert Scanner.build(rules, compile=False) is not None
