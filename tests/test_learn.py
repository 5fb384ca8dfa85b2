"""cleaner learn: normalisation, bounded counting, proposals on generated corpora with planted
boilerplate, the pack it writes, review, and the command line."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter

import pytest
import regex

from cleaner import Cleaner, apply_rules, load_pack, parse_pack
from cleaner.examples import check_rule_examples
from cleaner.learn import (
    LineCounter,
    Settings,
    learn_rules,
    line_key,
    line_pattern,
    render_pack,
    review_pack,
)

from conftest import invoke

# --- a generated corpus ----------------------------------------------------------------------

SYLLABLES = "ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so".split()


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], lo: int = 6, hi: int = 22) -> str:
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(lo, hi))).capitalize() + "."


FILLER_RNG = random.Random(11)
FILLER_VOCAB = vocabulary(FILLER_RNG)


def filler() -> str:
    """A sentence of article text, different from every other (in letters, not only in digits)."""
    return sentence(FILLER_RNG, FILLER_VOCAB)


def outlet_lines(rng: random.Random, name: str) -> dict[str, list[str]]:
    """One document's boilerplate for outlet ``name``: head, middle and tail lines."""
    day, year, amount = rng.randint(1, 28), rng.randint(2019, 2025), rng.choice((3, 5, 10))
    return {
        "head": [f"{name} | Updated {day} March {year}, {rng.randint(10, 23)}:{rng.randint(10, 59)}"],
        "middle": [f"Follow {name} on Telegram for more stories like this"],
        "tail": [
            f"Comments ({rng.randint(0, 300)})",
            f"© {year} {name}. All rights reserved.",
            f"Contact the {name} newsroom: news@{name.lower().replace(' ', '')}.example",
        ],
    }


def make_corpus(documents: int = 600, outlets: int = 6, seed: int = 1) -> list[tuple[str, list[bool]]]:
    """Documents with their planted-line flags (True: boilerplate), one per non-blank line."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    places = ("Harbour", "Valley", "Summit", "Granite", "Prairie", "Lakeside", "Iron", "Bay")
    names = [f"The {place} Post" for place in places]
    corpus = []
    for _ in range(documents):
        name = names[rng.randrange(outlets)]
        planted = outlet_lines(rng, name)
        paragraphs = [" ".join(sentence(rng, vocab) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(4, 9))]
        body = [(paragraph, False) for paragraph in paragraphs]
        if rng.random() < 0.7:
            body.insert(rng.randint(1, len(body) - 1), (planted["middle"][0], True))
        lines = [(line, True) for line in planted["head"]] + body + [(line, True) for line in planted["tail"]]
        corpus.append(("\n".join(text for text, _ in lines) + "\n", [flag for _, flag in lines]))
    return corpus


def removed_shares(pack_text: str, corpus) -> tuple[float, int]:
    """(share of planted lines removed, number of article lines removed) with the pack alone."""
    rules = parse_pack(pack_text).rules
    planted = planted_removed = article_removed = 0
    for text, flags in corpus:
        left = Counter(apply_rules(text, rules, max_removed_share=0.6).text.split("\n"))
        for line, flag in zip(text.rstrip("\n").split("\n"), flags):
            kept = left[line] > 0
            left[line] -= kept
            planted += flag
            planted_removed += flag and not kept
            article_removed += (not flag) and not kept
    return planted_removed / planted, article_removed


@pytest.fixture(scope="module")
def corpus():
    return make_corpus()


@pytest.fixture(scope="module")
def learned(corpus):
    return learn_rules(text for text, _ in corpus)


# --- normalisation and patterns --------------------------------------------------------------


@pytest.mark.parametrize(
    "line, key",
    [
        ("Follow us on Telegram", "follow us on telegram"),
        ("  FOLLOW   us\ton Telegram  ", "follow us on telegram"),
        ("Comments (12)", "comments (0)"),
        ("“Donate” – now", '"donate" - now'),
        ("It’s free", "it's free"),
        ("Updated 3 March 2024", "updated 0 <m> 0"),
        ("Mon 4 Mar 2024 14.05 GMT", "<w> 0 <m> 0 0.0 gmt"),
        ("March on Washington", "march on washington"),  # month names only in lines with digits
        ("May 2024 Report", "<m> 0 report"),
    ],
)
def test_line_key_normalises(line, key):
    assert line_key(line) == key


@pytest.mark.parametrize("line", ["", "   ", "12 345", "— * —", "a", " ".join(["word"] * 26), "x" * 401])
def test_line_key_skips_what_cannot_be_boilerplate(line):
    assert line_key(line) is None


def test_max_words_bounds_what_is_counted():
    assert line_key("one two three", max_words=2) is None
    assert line_key("one two", max_words=2) == "one two"


@pytest.mark.parametrize(
    "sample, others",
    [
        ("Comments (12)", ["comments (3)", "COMMENTS (1024)", "  Comments  (0) "]),
        ("Updated 3 March 2024, 14:05", ["updated 28 Jan 2019, 9:59", "Updated 1 december 2025, 00:00"]),
        ("“Donate” – now", ['"Donate" - now', "«donate» — NOW"]),
        ("Price: $5 (a.k.a. [five])", ["price: $12 (A.K.A. [five])"]),
    ],
)
def test_pattern_matches_every_line_with_the_same_key(sample, others):
    pattern = regex.compile(line_pattern(sample), regex.IGNORECASE)
    for line in [sample, *others]:
        assert line_key(line) == line_key(sample)
        assert pattern.search(line), line
    assert not pattern.search(f"He read out {sample} to the room.")


def test_pattern_is_anchored_and_escaped():
    pattern = line_pattern("Read more (2 min) *")
    assert pattern.startswith("^") and pattern.endswith("$")
    assert not regex.search(pattern, "Read more (2 min) * and more", regex.I)
    assert not regex.search(pattern, "Read moreX(2 min) *", regex.I)


# --- counting in bounded memory ---------------------------------------------------------------


def test_counts_documents_not_occurrences():
    counter = LineCounter()
    counter.add("Share this\nBody text here.\nShare this\n")
    counter.add("share THIS\nOther body.\n")
    (line,) = [c for c in counter.frequent(2) if c.kind == 0]
    assert line.documents == 2
    assert line.lines == ("share THIS",)  # samples are kept from a key's second document on


def test_memory_stays_bounded_and_frequent_lines_survive():
    rng = random.Random(3)
    counter = LineCounter(max_keys=1000)
    peak = 0
    for number in range(3000):
        lines = [f"Unique line {number} {rng.random()} about nothing" for _ in range(5)]
        lines.insert(2, "Subscribe to the Harbour Post")
        # digits are normalised, so make every unique line unique in letters too
        lines = [line.replace(str(number), "".join(rng.choices("abcdefgh", k=8))) for line in lines]
        counter.add("\n".join(lines))
        peak = max(peak, len(counter.counts))
        assert len(counter.samples) <= len(counter.counts)
    assert peak <= 1000 + 20  # the bound, plus one document's keys
    assert counter.error > 0  # pruning happened, and says by how much counts may be low
    (line,) = [c for c in counter.frequent(100) if c.kind == 0]
    assert line.lines == ("Subscribe to the Harbour Post",)
    assert 3000 - counter.error <= line.documents <= 3000


# --- what gets proposed ----------------------------------------------------------------------


def test_learned_pack_removes_the_planted_lines_and_no_article_line(corpus, learned):
    planted, article = removed_shares(learned.text, corpus)
    assert planted >= 0.95
    assert article == 0


def test_learned_pack_loads_and_every_rule_passes_its_examples(learned):
    pack = parse_pack(learned.text, source="learned.yaml")
    assert pack.name == "learned"
    assert len(pack.rules) == len(learned.rules) > 0
    for rule in pack.rules:
        assert rule.description
        assert rule.remove_examples and rule.keep_examples
        assert check_rule_examples(rule) == []
        assert rule.pattern.startswith(r"^\s*") and rule.pattern.endswith(r"\s*$")
        assert rule.flags == ("ignorecase",)
        assert rule.max_words


def test_fixed_tail_block_becomes_one_cut_tail_rule(learned):
    pack = parse_pack(learned.text)
    tails = [rule for rule in pack.rules if rule.action.value == "cut-tail"]
    assert tails
    for rule in tails:
        assert rule.where.value == "tail" and rule.within and rule.confirm
    # the footer lines are covered by the block rules, not repeated as drop-line rules
    drop_lines = [rule.remove_examples[0].text for rule in pack.rules if rule.action.value == "drop-line"]
    assert not any(text.startswith("©") for text in drop_lines)


def test_head_block_becomes_a_cut_head_rule():
    bodies = [filler() for _ in range(40)]
    docs = [f"Home › World\nListen · {n % 9 + 2} min\n{body}\n" for n, body in enumerate(bodies)]
    learned = learn_rules(docs, settings=Settings(min_docs=5))
    (rule,) = parse_pack(learned.text).rules
    assert rule.action.value == "cut-head" and rule.where.value == "head"
    assert apply_rules(docs[0], [rule]).text == bodies[0] + "\n"


def test_rules_are_ordered_by_document_count(learned):
    found = [regex.search(r"([\d,]+) of [\d,]+ documents", rule["description"]) for rule in learned.rules]
    counts = [int(match[1].replace(",", "")) for match in found]
    assert counts == sorted(counts, reverse=True)


def test_thresholds_min_docs_and_min_share():
    docs = [f"Rare prompt line\n{filler()}" for _ in range(5)] + [filler() for _ in range(95)]
    assert learn_rules(docs, settings=Settings(min_docs=5, min_share=0)).rules
    assert not learn_rules(docs, settings=Settings(min_docs=6, min_share=0)).rules
    assert not learn_rules(docs, settings=Settings(min_docs=2, min_share=0.06)).rules


def test_sentence_like_lines_need_many_more_repeats():
    quote = "The minister said the budget would be balanced by the end of next year."
    docs = [f"{quote}\n{filler()}" for _ in range(12)] + [filler() for _ in range(88)]
    learned = learn_rules(docs, settings=Settings(min_docs=10, min_share=0))
    assert not learned.rules and learned.content == 1
    learned = learn_rules(docs * 3, settings=Settings(min_docs=10, min_share=0))
    assert len(learned.rules) == 1  # an appeal repeated under every article is still boilerplate


def test_long_lines_are_never_proposed():
    long_line = " ".join(["word"] * 30)
    docs = [f"{long_line}\n{filler()}" for _ in range(50)]
    assert not learn_rules(docs, settings=Settings(min_docs=2)).rules
    assert learn_rules(docs, settings=Settings(min_docs=2, max_words=40)).rules


def test_a_story_republished_word_for_word_is_not_boilerplate():
    rng = random.Random(5)
    vocab = vocabulary(rng)
    story = [sentence(rng, vocab, 8, 20) for _ in range(10)]
    story.insert(4, "Kelo Dabi Rimo")  # a subheading
    docs = []
    for n in range(300):
        own = [sentence(rng, vocab) for _ in range(3)]
        body = story if n % 3 == 0 else own
        docs.append("\n".join([f"Follow the Granite Post on Telegram {n % 2}", *body, "© 2024 The Granite Post"]))
    learned = learn_rules(docs, settings=Settings(min_docs=10, min_share=0))
    proposed = [rule["examples"]["remove"][0] for rule in learned.rules]
    assert not any(line in text for line in story for text in proposed)
    assert any("Telegram" in text for text in proposed)


def heading_and_footer_corpus(documents: int = 60) -> list[str]:
    """Article paragraphs (each unique); in half the documents a generic heading between two
    of them, and in every other one a footer block (a name, then a widget) at the end."""
    docs = []
    for n in range(documents):
        lines = [filler() for _ in range(4)]
        if n % 2:
            lines.insert(2, "Conclusion")
        if n % 2 == 0:
            lines += ["Share this:", "Like", "Reply"]
        docs.append("\n".join(lines) + "\n")
    return docs


def test_a_heading_between_unique_lines_is_not_proposed_but_a_footer_block_is():
    docs = heading_and_footer_corpus()
    learned = learn_rules(docs, settings=Settings(min_docs=10, min_share=0))
    removed = [text for rule in learned.rules for text in rule["examples"]["remove"]]
    assert not any("Conclusion" in text for text in removed)
    assert any(text.startswith("Share this:") for text in removed)
    assert learned.isolated == 1
    # --no-context: the heading is proposed as well
    loose = learn_rules(docs, settings=Settings(min_docs=10, min_share=0, context=False))
    assert "Conclusion" in [text for rule in loose.rules for text in rule["examples"]["remove"]]
    assert loose.isolated == 0


def test_a_widget_block_between_paragraphs_is_proposed():
    """Lines next to each other that repeat together sit in context wherever they are."""
    docs = []
    for n in range(40):
        lines = [filler() for _ in range(5)]
        if n % 4:
            lines[2:2] = ["Like", "Reply", "Report"]
        docs.append("\n".join(lines))
    learned = learn_rules(docs, settings=Settings(min_docs=10, min_share=0))
    assert sorted(rule["examples"]["remove"][0] for rule in learned.rules) == ["Like", "Reply", "Report"]
    assert learned.isolated == 0


def test_an_isolated_line_is_proposed_when_far_more_frequent_than_needed():
    """An outlet's short prompt between paragraphs of most of its articles still repeats enough."""
    docs = [f"{filler()}\n{filler()}\nAdvertisement\n{filler()}" for _ in range(60)]
    assert learn_rules(docs, settings=Settings(min_docs=10, min_share=0)).rules  # 60 >= 5 x 10
    learned = learn_rules(docs, settings=Settings(min_docs=15, min_share=0))  # 60 < 5 x 15
    assert not learned.rules and learned.isolated == 1


def test_a_longer_line_between_paragraphs_is_not_checked_for_context():
    docs = [f"{filler()}\nSign up for the Harbour Post newsletter\n{filler()}" for _ in range(20)]
    (rule,) = learn_rules(docs, settings=Settings(min_docs=10, min_share=0)).rules
    assert rule["examples"]["remove"] == ["Sign up for the Harbour Post newsletter"]


def test_counter_tracks_in_how_many_documents_a_line_is_in_context():
    counter = LineCounter()
    counter.add(f"{filler()}\nConclusion\n{filler()}")  # the first document is not tracked
    counter.add(f"{filler()}\nConclusion\n{filler()}")  # isolated
    counter.add(f"Conclusion\n{filler()}")  # at the start
    counter.add(f"{filler()}\nConclusion")  # at the end
    counter.add(f"{filler()}\nShared line\n{filler()}")
    counter.add(f"{filler()}\nShared line\nConclusion\n{filler()}")  # next to a line seen before
    counter.add(f"{filler()}\nConclusion\nBrand new line\n{filler()}")  # next to a line not seen before
    line = next(c for c in counter.frequent(2) if c.lines == ("Conclusion",))
    assert (line.documents, line.tracked, line.in_context) == (6, 5, 3)


def test_lines_the_rules_in_use_remove_are_not_proposed():
    docs = [f"Share this article\n{filler()}\nJoin the Harbour Post club" for _ in range(30)]
    known = Cleaner(select=["prompts"]).rules
    learned = learn_rules(docs, settings=Settings(min_docs=5), known=known)
    texts = [rule["examples"]["remove"][0] for rule in learned.rules]
    assert learned.known >= 1 and "Share this article" not in texts
    assert "Join the Harbour Post club" in texts


def test_learning_is_deterministic(corpus):
    first = learn_rules(text for text, _ in corpus[:200])
    second = learn_rules(text for text, _ in corpus[:200])
    assert first.text == second.text


def test_an_empty_corpus_gives_an_empty_valid_pack():
    learned = learn_rules([])
    assert parse_pack(learned.text).rules == ()


# --- the YAML it writes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "it's \"quoted\" \\ backslash",
        "tab\there",
        "nbsp\u00a0here",
        "line\nbreak",
        "emoji 🙂 and ünïcödé",
        "#not a comment",
        "- dash",
        "null",
    ],
)
def test_render_pack_round_trips_strings(text):
    rule = {
        "id": "x",
        "description": text,
        "action": "drop-line",
        "pattern": "^x$",
        "flags": ["ignorecase"],
        "max-words": 1,
        "examples": {"remove": [text], "keep": [text]},
    }
    (parsed,) = parse_pack(render_pack([rule], pack="p", description=text)).rules
    assert parsed.description == text.strip()
    assert parsed.remove_examples[0].text == text


# --- review ----------------------------------------------------------------------------------


def test_review_counts_documents_and_shows_excerpts(corpus, learned):
    rules = parse_pack(learned.text).rules
    review = review_pack(rules, [(f"doc{n}", text) for n, (text, _) in enumerate(corpus)])
    assert review.documents == len(corpus)
    assert review.changed == len(corpus)
    top = review.rules[0]
    assert top.documents > 0 and len(top.excerpts) == 2
    label, lines = top.excerpts[0]
    assert label.startswith("doc") and any(line.startswith("- ") for line in lines)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def corpus_folder(tmp_path, corpus):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number, (text, _) in enumerate(corpus[:300]):
        (folder / f"{number:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def test_cli_learns_from_a_folder_and_the_pack_passes_check_and_test(tmp_path, corpus_folder):
    out = tmp_path / "learned.yaml"
    result = invoke(["learn", str(corpus_folder), "-o", str(out)])
    assert result.stdout == ""
    assert "learned" in result.stderr and "from 300 documents" in result.stderr
    assert load_pack(out).rules
    invoke(["rules", "check", str(out)])
    invoke(["rules", "test", str(out)])
    cleaned = invoke(["clean", "--rules", str(out)], input=(corpus_folder / "000.txt").read_text(encoding="utf-8"))
    assert "All rights reserved" not in cleaned.stdout and "Telegram" not in cleaned.stdout


def test_cli_reads_jsonl_gz_with_field_and_writes_to_stdout(tmp_path, corpus):
    path = tmp_path / "docs.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for number, (text, _) in enumerate(corpus[:200]):
            handle.write(json.dumps({"id": number, "body": text}) + "\n")
    result = invoke(["learn", "--field", "body", "-q", str(path)])
    assert result.stderr == ""
    assert parse_pack(result.stdout).rules


def test_cli_reads_jsonl_from_stdin_and_samples(corpus):
    lines = "".join(json.dumps({"text": text}) + "\n" for text, _ in corpus[:200])
    result = invoke(["learn", "--jsonl", "--sample", "50", "--min-docs", "5", "--pack", "mine"], input=lines)
    assert "from 50 documents" in result.stderr
    pack = parse_pack(result.stdout)
    assert pack.name == "mine" and pack.rules


def test_cli_stdin_without_jsonl_is_a_usage_error():
    result = invoke(["learn"], input="one document\n", exit_code=2)
    assert result.stderr.startswith("error: reading stdin needs --jsonl")
    assert len(result.stderr.splitlines()) == 1


def test_cli_missing_path_is_a_usage_error(tmp_path):
    result = invoke(["learn", str(tmp_path / "nope")], exit_code=2)
    assert result.stderr == f"error: {tmp_path / 'nope'}: no such file or folder\n"


def test_cli_unreadable_inputs_are_named_and_the_rest_is_used(tmp_path, corpus_folder):
    (corpus_folder / "bad.txt").write_bytes(b"caf\xe9\n")
    (corpus_folder / "records.jsonl").write_text('{"text": "Body."}\nnot json\n{"other": 1}\n', encoding="utf-8")
    out = tmp_path / "learned.yaml"
    result = invoke(["learn", str(corpus_folder), "-o", str(out)], exit_code=3)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert "bad.txt:1: not valid UTF-8" in errors[0]
    assert "records.jsonl:2: invalid JSON" in errors[1]
    assert 'records.jsonl:3: no field "text"' in errors[2]
    assert "from 301 documents" in result.stderr
    assert load_pack(out).rules


def test_cli_no_documents(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    result = invoke(["learn", str(folder)], exit_code=2)
    assert result.stderr == "error: no documents to learn from\n"


def test_cli_review_prints_counts_and_excerpts(tmp_path, corpus_folder):
    out = tmp_path / "learned.yaml"
    invoke(["learn", str(corpus_folder), "-o", str(out), "-q"])
    result = invoke(["learn", "--review", str(out), str(corpus_folder)])
    first = result.stdout.splitlines()[0]
    assert first.startswith("learned/") and "changes" in first and "of 300 documents" in first
    assert "\n    - " in result.stdout  # a removed line in an excerpt
    assert "300 of 300 documents would change" in result.stdout.rstrip().splitlines()[-1]


def test_cli_review_errors(tmp_path, corpus_folder, write_pack):
    result = invoke(["learn", "--review", str(tmp_path / "none.yaml"), str(corpus_folder)], exit_code=2)
    assert result.stderr == f"error: {tmp_path / 'none.yaml'}: no such rule file\n"
    bad = write_pack("pack: bad\nrules:\n  - id: x\n    action: drop\n    pattern: x\n", name="bad.yaml")
    result = invoke(["learn", "--review", str(bad), str(corpus_folder)], exit_code=2)
    assert result.stderr.startswith("error: ") and "invalid action" in result.stderr
    result = invoke(["learn", "--review", str(bad), "-o", "x.yaml", str(corpus_folder)], exit_code=2)
    assert "cannot be combined" in result.stderr


def test_cli_bad_pack_name():
    result = invoke(["learn", "--jsonl", "--pack", "Not Valid"], input="", exit_code=2)
    assert result.stderr.startswith("error: --pack")


def test_crlf_documents_learn_the_same_rules_and_keep_their_line_endings():
    docs = [f"{filler()}\r\nFollow the Iron Post on Telegram\r\n{filler()}\r\n" for _ in range(20)]
    learned = learn_rules(docs, settings=Settings(min_docs=5))
    (rule,) = parse_pack(learned.text).rules
    assert rule.remove_examples[0].text == "Follow the Iron Post on Telegram"
    cleaned = apply_rules(docs[0], [rule]).text
    assert "Telegram" not in cleaned and cleaned.count("\r\n") == 2


def test_cli_no_context_proposes_isolated_lines():
    lines = "".join(json.dumps({"text": text}) + "\n" for text in heading_and_footer_corpus())
    result = invoke(["learn", "--jsonl", "--min-docs", "10", "--no-default-rules"], input=lines)
    assert "Conclusion" not in result.stdout and "Share this:" in result.stdout
    assert "1 isolated between unique lines" in result.stderr and "--no-context" in result.stderr
    result = invoke(["learn", "--jsonl", "--min-docs", "10", "--no-default-rules", "--no-context"], input=lines)
    assert "Conclusion" in result.stdout and "isolated" not in result.stderr


def test_cli_dash_reads_stdin_and_no_default_rules_proposes_known_lines():
    lines = "".join(json.dumps({"text": f"Share this article\n{filler()}"}) + "\n" for _ in range(20))
    with_defaults = invoke(["learn", "--jsonl", "-", "--min-docs", "5"], input=lines)
    assert "Share this article" not in with_defaults.stdout
    assert "1 already removed by the rules in use" in with_defaults.stderr
    without = invoke(["learn", "--jsonl", "-", "--min-docs", "5", "--no-default-rules"], input=lines)
    assert "Share this article" in without.stdout
