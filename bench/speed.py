"""Speed benchmark: what cleaning costs, on the same bytes for every side of each comparison.

Input: a seeded generator of article-like text carrying the boilerplate the shipped packs target
(glued dates, bylines, "Advertisement", "Share this article", newsletter prompts, photo credits,
"A Message from The X: ... Remind me later." appeals, copyright and tag lines), plus the texts
trafilatura extracts from the benchmark pages in DATA_DIR (../shared/bench-data) when it is there
(extracted once, cached in the temp dir, keyed on the data folder and trafilatura's version).

One run measures, in this order:
  throughput   in process, one core: Cleaner().run, the engine with prefilter=False, and the naive
               loop users write by hand (one regex.sub(pattern, '', text, flags=MULTILINE|flags) per
               rule over the whole text, held to cleaner's own time limit per document); MB/s,
               docs/s and ratios. Aborts if Cleaner().run and prefilter=False ever differ.
  documents    time per MB for single documents of 1 KB, 100 KB, 10 MB and 50 MB (flat = linear);
               also checked against prefilter=False
  floor        on the same texts: the Hyperscan scan alone, and the pattern calls Cleaner().run makes
               (recorded, replayed bare with the time limit): what an engine built on them cannot
               avoid, hence the best each target could reach (the summary's last column)
  startup      `cleaner clean` on a one-line text against `python -c "import click, regex, yaml"`
               (rule-pack cache warm)
  jsonl        `cleaner clean --jsonl` -j 1 and -j 2 on a large JSONL file against the identity pass
               (a Python process that reads lines, json.loads, json.dumps, writes). --jsonl-mb auto
               (the default) picks 50 MB to 1 GB so that these runs take about --jsonl-budget seconds
               at the in-process speed: 1 GB once cleaning runs near the identity pass's speed.
               After each rep, two independent -j 1 runs started together: the ceiling for -j 2 / -j 1
               on this machine at that moment (2.0 on two idle cores)
  rss          peak RSS of `cleaner clean --jsonl` (default -j, and -j 1) for two inputs ten times
               apart, through a launcher, so that only the cleaner processes count; and of
               `cleaner clean` on the largest single document, with the scanner cached and without
  html         per bench-data page: time in trafilatura against time in the rules

Every timed comparison interleaves its sides' repetitions (the machine is shared) and reports
medians. A full run (no --only, no --no-write) writes the figures between the speed markers in
docs/benchmarks.md and leaves the rest of the file alone. The default run takes about 4-5 minutes
on 2 cores; every size is settable (see --help).

Usage: python bench/speed.py [DATA_DIR] [--no-write] [--jsonl-mb auto|MB] [--corpus-mb N] [--reps N]
                             [--only SECTION]... [--workdir DIR] [--keep]
Quick look: python bench/speed.py --no-write --jsonl-mb 50 --doc-sizes 1e3,1e5,1e6 --rss-mb 5
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure the checkout this script lives in

import cleaner  # noqa: E402
from benchdocs import cpu_model, write_section  # noqa: E402
from cleaner import Cleaner, apply_rules, extract  # noqa: E402

SECTIONS = ("throughput", "documents", "floor", "startup", "jsonl", "rss", "html")
MB = 1_000_000

# ---------------------------------------------------------------------------------------------
# The generator: article-like text with the boilerplate the shipped packs are written for
# ---------------------------------------------------------------------------------------------

WORDS = (
    "the the the the of of of and and and to to a a in in is was for on that with as by at from "
    "council river budget school winter market harbour station museum bridge village report minister "
    "farmers election court engineers hospital library weather festival railway energy water factory "
    "students coast mountain province company workers prices project plan study season airport road "
    "government officials police residents city county state region families children teachers "
    "doctors patients scientists researchers players team coach fans league match season record "
    "said told announced reported expected planned agreed rejected approved opened closed raised "
    "cut increased fell rose grew remained continued began ended started returned moved built "
    "new old large small local national public private recent former annual major local early late "
    "year month week day morning evening night Monday Tuesday Wednesday Thursday Friday weekend "
    "million billion percent share support members read follow photo image data report "
    "after before during while because although however since until about over under between "
    "would could should might will may must can also still already only just more most less "
    "their its his her our they he she it we you which who what when where"
).split()
NAMES = ["Jane Doe", "Omar Haddad", "Li Wei", "Ana Souza", "Pieter de Vries", "Fatima Khan",
         "John Smith", "Maria Rossi", "Kwame Mensah", "Sofia Petrova", "Diego Ramos", "Aiko Tanaka"]
OUTLETS = ["The Daily Example", "The Moscow Times", "The Harbour Gazette", "The River Post",
           "Northern Ledger", "The Valley Courier", "Example Monthly", "The Coastal Herald"]
AGENCIES = ["Reuters", "AP", "AFP", "Getty Images", "EPA", "dpa"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 2000)))
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words)), rng.choice(NAMES))
    if rng.random() < 0.4:
        at = rng.randrange(1, len(words))
        words[at] += ","
    text = " ".join(words)
    text = text[0].upper() + text[1:] + rng.choice("........?!")
    if rng.random() < 0.08:
        text = f'"{text}" {rng.choice(NAMES)} said.'
    return text


def _headline(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 9))]
    return " ".join(words).capitalize()


def paragraph_pool(rng: random.Random, size: int = 3000) -> list[str]:
    pool = []
    for _ in range(size):
        if rng.random() < 0.05:
            pool.append(_headline(rng))  # a subheading
        else:
            pool.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 6))))
    return pool


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _head_junk(rng: random.Random, paragraphs: list[str]) -> None:
    kind = rng.randrange(7)
    if kind == 0:
        paragraphs[0] = f"date {_date(rng)} {paragraphs[0]}"
    elif kind == 1:
        paragraphs[0] = f"{_date(rng)} {paragraphs[0]}"
    elif kind == 2:
        paragraphs.insert(0, f"By {rng.choice(NAMES)}" + rng.choice(["", f", {rng.choice(AGENCIES)}"]))
    elif kind == 3:
        paragraphs.insert(0, f"{rng.randint(2, 15)} min read")
    elif kind == 4:
        paragraphs.insert(0, f"{rng.choice(DAYS)}, {rng.randint(1, 28)} {rng.choice(MONTHS)} "
                             f"{rng.randint(2015, 2025)}, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")
    elif kind == 5:
        slug = "-".join(rng.choice(WORDS) for _ in range(4))
        paragraphs.insert(0, f"https://www.example.com/news/article/{slug}-{rng.randint(10**6, 10**8)}.php")
    else:
        paragraphs[0:0] = ["Facebook", "Twitter", "WhatsApp"]


def _body_junk(rng: random.Random) -> str:
    kind = rng.randrange(16)
    return [
        lambda: "Advertisement",
        lambda: "Story continues below advertisement",
        lambda: "Share this article",
        lambda: "Share on Facebook Share on Twitter",
        lambda: f"Read more: {_headline(rng)}",
        lambda: f"Related: {_headline(rng)}",
        lambda: f"Photo: {rng.choice(AGENCIES)}",
        lambda: f"(Credit: {rng.choice(NAMES)} / {rng.choice(OUTLETS)})",
        lambda: "Image copyright Getty Images",
        lambda: f"{rng.choice(NAMES)}/AP",
        lambda: "Sign up for our newsletter to get the latest news.",
        lambda: "Get the day's top headlines delivered to your inbox every morning by subscribing to our newsletter.",
        lambda: "Follow us on Twitter and Facebook.",
        lambda: "You may also like",
        lambda: f"{rng.randint(2, 400)} comments",
        lambda: f"Published: {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2015, 2025)}",
    ][kind]()


def _inline_junk(rng: random.Random, paragraph: str) -> str:
    if rng.random() < 0.5:
        return f"{paragraph} (Photo by {rng.choice(NAMES)}/{rng.choice(AGENCIES)})"
    return f"{paragraph}Click To Tweet"


def _tail_junk(rng: random.Random) -> list[str]:
    outlet = rng.choice(OUTLETS)
    kind = rng.randrange(9)
    if kind == 0:
        return [f"A Message from {outlet}:", "Dear readers,",
                "Independent journalism needs your support. Please support us monthly starting from just "
                f"${rng.randint(2, 9)}.", "Remind me later."]
    if kind == 1:
        return [f"© {rng.randint(2000, 2025)} {outlet}. All rights reserved."]
    if kind == 2:
        return [f"Copyright {rng.randint(2000, 2025)} {outlet}"]
    if kind == 3:
        return ["Tags: " + ", ".join(rng.choice(WORDS[60:200]) for _ in range(rng.randint(2, 5)))]
    if kind == 4:
        return ["Facebook", "Twitter", "WhatsApp"]
    if kind == 5:
        return [f"Associated Press writer {rng.choice(NAMES)} contributed to this report."]
    if kind == 6:
        return ["This article was originally published on The Conversation. Read the original article."]
    if kind == 7:
        return ["You may also like...", _headline(rng), _headline(rng)]
    return ["If you enjoyed this article, please consider supporting our work with a donation."]


def document(rng: random.Random, pool: list[str], size: int) -> str:
    """One article of about ``size`` characters; two in three carry boilerplate."""
    paragraphs: list[str] = []
    total = 0
    while total < size:
        paragraphs.append(rng.choice(pool))
        total += len(paragraphs[-1]) + 1
    if rng.random() < 2 / 3:
        if rng.random() < 0.5:
            _head_junk(rng, paragraphs)
        for _ in range(rng.randint(0, 1 + len(paragraphs) // 5)):
            paragraphs.insert(rng.randint(1, len(paragraphs)), _body_junk(rng))
        if rng.random() < 0.15:
            at = rng.randrange(len(paragraphs))
            paragraphs[at] = _inline_junk(rng, paragraphs[at])
        if rng.random() < 0.5:
            paragraphs.extend(_tail_junk(rng))
    return ("\n\n" if rng.random() < 0.25 else "\n").join(paragraphs) + "\n"


def doc_size(rng: random.Random) -> int:
    """Article sizes: log-normal around 3 KB, 300 B to 60 KB."""
    return int(min(60_000, max(300, rng.lognormvariate(math.log(3000), 0.8))))


def generated_corpus(seed: int, megabytes: float) -> list[str]:
    rng = random.Random(seed)
    pool = paragraph_pool(rng)
    docs, total = [], 0
    while total < megabytes * MB:
        docs.append(document(rng, pool, doc_size(rng)))
        total += len(docs[-1].encode("utf-8"))
    return docs


def sized_documents(seed: int, size: int, total: int) -> list[str]:
    """Distinct documents of exactly ``size`` UTF-8 bytes (generated articles run together, cut at a
    line end), as many as make up ``total`` bytes (at least one)."""
    rng = random.Random(seed * 1000 + int(math.log10(size) * 10))
    pool = paragraph_pool(random.Random(seed))
    out = []
    for _ in range(max(1, total // size)):
        parts, have = [], 0
        while have < size:
            part = document(rng, pool, min(size, doc_size(rng)))
            parts.append(part)
            have += len(part.encode("utf-8"))
        text = "".join(parts)
        cut = text.encode("utf-8")[:size].decode("utf-8", "ignore")
        end = cut.rfind("\n")
        out.append(cut[: end + 1] if end > 0 else cut)
    return out


# ---------------------------------------------------------------------------------------------
# Bench-data pages and their texts
# ---------------------------------------------------------------------------------------------


def load_pages(data: Path) -> list[tuple[str, bytes]]:
    pages = []
    sh = data / "scrapinghub" / "html"
    if sh.is_dir():
        pages += [(f"scrapinghub/{p.name}", p) for p in sorted(sh.glob("*.html.gz"))]
    te = data / "trafilatura-eval" / "html"
    if te.is_dir():
        pages += [(f"trafilatura-eval/{p.name}", p) for p in sorted(te.glob("*.gz"))]
    return [(name, gzip.decompress(path.read_bytes())) for name, path in pages]


def _extract(html: bytes) -> str:
    return extract.html_to_text(html, mode=extract.DEFAULT_MODE) or ""


def page_texts(data: Path, pages: list[tuple[str, bytes]], cache: Path) -> tuple[list[str], bool]:
    """The text cleaner's default extraction gets from each page, from the cache when it has them."""
    import inspect

    import trafilatura

    settings = inspect.getsource(extract.html_to_text) + extract.DEFAULT_MODE  # cleaner's call to trafilatura
    key = hashlib.sha1(f"{data.resolve()}|{trafilatura.__version__}|{settings}".encode()).hexdigest()[:12]
    path = cache / f"speed-texts-{key}.json.gz"
    try:
        stored = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        stored = {}
    if all(name in stored for name, _ in pages):
        return [stored[name] for name, _ in pages], True
    with ProcessPoolExecutor(2) as pool:
        texts = list(pool.map(_extract, [html for _, html in pages], chunksize=8))
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(dict(zip([n for n, _ in pages], texts))).encode()))
    return texts, False


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values)


def interleaved(sides: dict, reps: int) -> dict[str, list[float]]:
    """Run each side ``reps`` times, the sides interleaved (their order rotating); the seconds of each run.

    A side is a callable taking the repetition's number (0 first)."""
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for name in order:
            start = time.perf_counter()
            sides[name](rep)
            times[name].append(time.perf_counter() - start)
    return times


def time_limit(c: Cleaner, text: str) -> float | None:
    """The per-document time limit Cleaner.run gives the engine."""
    return None if c.timeout is None else c.timeout * max(1.0, len(text) / 1_000_000)


def unfiltered(c: Cleaner, text: str):
    """What Cleaner().run does, with the prefilter off."""
    return apply_rules(text, c.ruleset, prefilter=False, max_removed_share=c.max_removed_share,
                       timeout=time_limit(c, text))


def check_same(on: list, off: list, texts: list[str], label: str) -> None:
    """Abort unless Cleaner().run and the engine without prefilter agreed on every text."""
    for index, (a, b) in enumerate(zip(on, off, strict=True)):
        if (a.text, a.removals, a.changed, a.guarded, a.removed_share) != (
            b.text, b.removals, b.changed, b.guarded, b.removed_share
        ):
            sys.exit(f"\n!!! RESULTS DIFFER: {label}, document {index} ({len(texts[index]):,} chars): "
                     f"Cleaner().run made {len(a.removals)} removals, prefilter=False {len(b.removals)}; "
                     f"it starts {texts[index][:200]!r}")


def naive_patterns(c: Cleaner) -> list[tuple[str, regex.Pattern]]:
    return [(rule.id, regex.compile(rule.pattern, rule.regex_flags | regex.MULTILINE)) for rule in c.rules]


def run_naive(patterns, texts: list[str], limit: float, stuck: dict[int, str]) -> None:
    """One ``pattern.sub('', text)`` per rule over each whole text, within cleaner's time limit per
    document (``limit`` seconds per started MB); a document past it is noted in ``stuck`` (index ->
    the rule that was running) and left there."""
    for index, text in enumerate(texts):
        deadline = time.perf_counter() + limit * max(1.0, len(text) / 1_000_000)
        for rule_id, pattern in patterns:
            try:
                text = pattern.sub("", text, timeout=max(1e-6, deadline - time.perf_counter()))
            except TimeoutError:
                stuck[index] = rule_id
                break


def nbytes(texts: list[str]) -> int:
    return sum(len(t.encode("utf-8")) for t in texts)


class Timer:
    """Progress on stderr, with the time since the start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def say(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.start:6.1f} s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Sections: each returns markdown lines and a dict of the headline figures
# ---------------------------------------------------------------------------------------------


def section_throughput(c: Cleaner, groups: dict[str, list[str]], reps: int, timer: Timer):
    patterns = naive_patterns(c)
    limit = c.timeout or 2.0
    on = {label: [] for label in groups}
    off = {label: [] for label in groups}
    stuck = {label: {} for label in groups}

    def cleaner_side(label, texts):
        def side(rep):
            keep = on[label] if rep == 0 else None
            for text in texts:
                result = c.run(text)
                if keep is not None:
                    keep.append(result)
        return side

    def unfiltered_side(label, texts):
        def side(rep):
            keep = off[label] if rep == 0 else None
            for text in texts:
                result = unfiltered(c, text)
                if keep is not None:
                    keep.append(result)
        return side

    def naive_side(label, texts):
        return lambda rep: run_naive(patterns, texts, limit, stuck[label])

    sides = {}
    for label, texts in groups.items():
        sides[("run", label)] = cleaner_side(label, texts)
        sides[("unfiltered", label)] = unfiltered_side(label, texts)
        sides[("naive", label)] = naive_side(label, texts)
    described = ", ".join(f"{label}: {len(t):,} documents, {nbytes(t) / MB:.1f} MB" for label, t in groups.items())
    timer.say(f"throughput: {described}; {reps} interleaved reps of 3 sides")
    times = interleaved(sides, reps)
    for label, texts in groups.items():
        check_same(on[label], off[label], texts, f"throughput, {label}")
    results = [r for label in groups for r in on[label]]
    removed = sum(len(r.removals) for r in results)
    changed = sum(r.changed for r in results)
    guarded = sum(r.guarded for r in results)
    on.clear()  # the kept results: memory the later sections can use
    off.clear()
    del results

    rows = [(label, texts, {side: median(times[(side, label)]) for side in ("run", "unfiltered", "naive")})
            for label, texts in groups.items()]
    if len(groups) > 1:  # all: the sum of the groups' times, repetition by repetition
        summed = {side: median(sum(times[(side, label)][rep] for label in groups) for rep in range(reps))
                  for side in ("run", "unfiltered", "naive")}
        rows.append(("all", [t for texts in groups.values() for t in texts], summed))
    lines = [
        "| input | docs | MB | `Cleaner().run` MB/s | docs/s | `prefilter=False` MB/s | naive loop MB/s "
        "| run / prefilter=False | run / naive |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    figures = {}
    for label, texts, t in rows:
        size = nbytes(texts) / MB
        lines.append(
            f"| {label} | {len(texts):,} | {size:.1f} | {size / t['run']:.1f} | {len(texts) / t['run']:,.0f} "
            f"| {size / t['unfiltered']:.1f} | {size / t['naive']:.2f} | {t['unfiltered'] / t['run']:.1f}x "
            f"| {t['naive'] / t['run']:.1f}x |"
        )
        figures[label] = {"mbps": size / t["run"], "docs": len(texts) / t["run"], "vs_naive": t["naive"] / t["run"],
                          "vs_unfiltered": t["unfiltered"] / t["run"]}
    note = (f"Rules: all shipped packs ({len(c.rules)} rules). Medians of {reps} interleaved repetitions, one "
            f"process, one core. `Cleaner().run` and `prefilter=False` gave identical results (text, removals, "
            f"guard) on every document: {changed:,} documents changed, {removed:,} removals, {guarded:,} "
            f"guarded. The naive loop is one precompiled `regex` pattern per rule (its flags and MULTILINE), "
            f"`.sub('', text)` over the whole document, held to cleaner's own time limit ({limit:g} s per "
            f"document and started MB).")
    hung = [(label, groups[label][i], rule) for label in groups for i, rule in sorted(stuck[label].items())]
    if hung:
        note += (f" {len(hung)} document(s) ran into that limit in the naive loop and count at the limit "
                 f"(so the loop's MB/s is an upper bound): "
                 + "; ".join(f"one of the {label} ({len(text):,} chars; the limit struck during `{rule}`)"
                             for label, text, rule in hung[:5]) + ".")
    figures["stuck"] = len(hung)
    return lines, note, figures


def section_documents(c: Cleaner, docs: dict[int, list[str]], total: int, reps: int, timer: Timer):
    sizes = list(docs)
    results = {size: [] for size in sizes}

    def side(size):
        def run(rep):
            for text in docs[size]:
                result = c.run(text)
                if rep == 0:
                    results[size].append(result)
        return run

    timer.say(f"documents: {', '.join(f'{len(docs[s]):,} x {human(s)}' for s in sizes)}; {reps} interleaved reps")
    times = interleaved({size: side(size) for size in sizes}, reps)
    for size in sizes:
        timer.say(f"documents: {human(size)}: checking against prefilter=False")
        check_same(results[size], [unfiltered(c, text) for text in docs[size]], docs[size],
                   f"{human(size)} documents")
    # a short document is a whole article squeezed into it, with its head and tail boilerplate:
    # more removals per KB, so more work per MB than in a long one; shown, not corrected for
    density = {size: sum(len(r.removals) for r in results[size]) / (nbytes(docs[size]) / 1000) for size in sizes}
    results.clear()
    per_mb = {size: median(times[size]) / (nbytes(docs[size]) / MB) for size in sizes}
    lines = ["| document size | documents | removals per KB | time per MB | MB/s | seconds per document (slowest "
             "repetition) | its time limit |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for size in sizes:
        longest = max(times[size]) / len(docs[size])
        lines.append(f"| {human(size)} | {len(docs[size]):,} | {density[size]:.2f} | {per_mb[size] * 1000:.1f} ms "
                     f"| {1 / per_mb[size]:.1f} | {seconds(longest)} | {seconds(time_limit(c, docs[size][0]))} |")
    spread = max(per_mb.values()) / min(per_mb.values())
    note = (f"Each size: distinct generated documents of that size (articles run together, cut at a line end), "
            f"{human(total)} of text per size or one document, each cleaned on its own with `Cleaner().run`; "
            f"medians of {reps} interleaved repetitions; results identical with `prefilter=False`. "
            f"Slowest / fastest time per MB: **{spread:.2f}x**.")
    largest = sizes[-1]
    return lines, note, {"spread": spread, "largest": (largest, max(times[largest]) / len(docs[largest]),
                                                        time_limit(c, docs[largest][0]))}


# ---------------------------------------------------------------------------------------------
# The floor: what any engine that gives cleaner's results with these rules has to pay
# ---------------------------------------------------------------------------------------------

_CALLS = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn")


class _Recorder:
    """Stands in for a rule's compiled pattern: notes every call (the timeout left out), then makes it."""

    def __init__(self, pattern: regex.Pattern, calls: list) -> None:
        self._pattern = pattern
        self._calls = calls

    def __getattr__(self, name: str):
        attribute = getattr(self._pattern, name)
        if name not in _CALLS:
            return attribute

        def call(*args, **kwargs):
            kwargs.pop("timeout", None)
            self._calls.append((attribute, args, kwargs, name == "finditer"))
            return attribute(*args, **kwargs)

        return call


def recorded_calls(c: Cleaner, texts: list[str]) -> list:
    """The pattern calls ``c.run`` makes on ``texts`` (after a warm-up run, so that every pattern a
    rule needs is compiled and each call is seen; a pattern compiled during the recorded run
    would not be, which can only make the floor lower)."""
    for text in texts:
        c.run(text)
    calls: list = []
    swapped = []
    for rule in c.rules:
        for name in ("compiled", "compiled_unless", "compiled_confirm"):
            pattern = rule.__dict__.get(name)
            if isinstance(pattern, regex.Pattern):
                rule.__dict__[name] = _Recorder(pattern, calls)  # a cached_property's slot: the rule stays frozen
                swapped.append((rule, name, pattern))
    try:
        for text in texts:
            c.run(text)
    finally:
        for rule, name, pattern in swapped:
            rule.__dict__[name] = pattern
    return calls


def _finds(call) -> bool:
    """Whether a recorded call finds anything (run once more, untimed)."""
    method, args, kwargs, lazy = call
    found = method(*args, **kwargs)
    return next(found, None) is not None if lazy else found is not None


def _report(_rule: int, _start: int, end: int, _flags: int, reports: list) -> None:
    reports.append(end)


def section_floor(c: Cleaner, inputs: dict[str, list[str]], reps: int, timer: Timer):
    """Per input: the Hyperscan scan of every document and the rules' pattern calls, replayed
    bare, against ``Cleaner().run``; their sum is a lower bound for any engine built on them."""
    from cleaner.superset import scan_bytes

    scanner = c.ruleset.prefilter.scanner
    if scanner is None:
        return [], "No Hyperscan here: no floor measured.", {}
    database, scratch = scanner.database, scanner._scratch()
    limit = c.timeout
    calls, found = {}, {}
    for label, texts in inputs.items():
        timer.say(f"floor: {label}: recording the pattern calls")
        calls[label] = recorded_calls(c, texts)
        found[label] = [call for call in calls[label] if _finds(call)]

    def run_side(texts):
        def side(_rep):
            for text in texts:
                c.run(text)
        return side

    def scan_side(texts):
        def side(_rep):
            for text in texts:
                if text:  # as Scanner.lines: an empty text has no line to scan
                    database.scan(scan_bytes(text), match_event_handler=_report, context=[], scratch=scratch)
        return side

    def confirm_side(made, texts):
        timeouts = None if limit is None else limit * max(1.0, max(len(t) for t in texts) / 1_000_000)

        def side(_rep):
            for method, args, kwargs, lazy in made:
                found = method(*args, timeout=timeouts, **kwargs)  # the time limit's cost is part of every call
                if lazy:
                    for _ in found:
                        pass
        return side

    sides = {}
    for label, texts in inputs.items():
        sides[("run", label)] = run_side(texts)
        sides[("scan", label)] = scan_side(texts)
        sides[("confirm", label)] = confirm_side(calls[label], texts)
        sides[("found", label)] = confirm_side(found[label], texts)
    timer.say(f"floor: {len(inputs)} inputs; {reps} interleaved reps of 4 sides")
    times = interleaved(sides, reps)
    lines = ["| input | MB | Hyperscan scan | pattern calls per KB | their time | of which found a match: per KB, "
             "time | floor (scan + calls) | floor as MB/s | `Cleaner().run` | run / floor |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    floors = {}
    for label, texts in inputs.items():
        size = nbytes(texts) / MB
        t = {side: median(times[(side, label)]) / size for side in ("run", "scan", "confirm", "found")}
        floor = t["scan"] + t["confirm"]
        floors[label] = (floor, size, t["scan"] + t["found"])
        lines.append(f"| {label} | {size:.1f} | {t['scan'] * 1000:.2f} ms/MB | {len(calls[label]) / (size * 1000):.2f} "
                     f"| {t['confirm'] * 1000:.2f} ms/MB | {len(found[label]) / (size * 1000):.2f}, "
                     f"{t['found'] * 1000:.2f} ms/MB | {floor * 1000:.2f} ms/MB | {1 / floor:.0f} "
                     f"| {t['run'] * 1000:.2f} ms/MB | {t['run'] / floor:.2f}x |")
    note = (f"The floor of an engine that gives `Cleaner().run`'s results with these rules: the Hyperscan scan "
            f"of each document (its bytes encoded, the reports collected, nothing more), plus the pattern calls "
            f"`Cleaner().run` made on the same documents (recorded, then replayed bare, with the time limit "
            f"the issue keeps). The scanner's expressions are supersets of the rules' patterns, so every line "
            f"it names has to be confirmed by the rule's own `regex` pattern (and `unless`, `confirm`) for the "
            f"results to stay exact; lines, regions, the guard, offsets and the output come on top. A sharper "
            f"scanner or gate could spare the calls that find nothing, not the ones that find the matches "
            f"removed, hence the \"found a match\" column: the floor with only those. Medians of {reps} "
            f"interleaved repetitions of the four sides.")
    return lines, note, {"floors": floors, "groups": [label for label in inputs if not label.endswith(" documents")],
                         "sizes": [label for label in inputs if label.endswith(" documents")]}


def seconds(value: float) -> str:
    return f"{value:.3g} s" if value >= 1 else f"{value * 1000:.3g} ms"


def human(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size:.0f} B"


ONE_LINE = b"date 2025-10-30 Flights to the base resumed on Friday, officials said.\n"


def section_startup(env: dict, work: Path, runs: int, timer: Timer):
    py = sys.executable
    commands = {
        "cleaner clean": [py, "-m", "cleaner", "clean"],
        'python -c "import click, regex, yaml"': [py, "-c", "import click, regex, yaml"],
        'python -c "pass"': [py, "-c", "pass"],
    }
    line = work / "one-line.txt"
    line.write_bytes(ONE_LINE)

    def launch(args):
        with open(line, "rb") as stdin:
            done = subprocess.run(args, stdin=stdin, capture_output=True, env=env, cwd=work)
        if done.returncode != 0:
            sys.exit(f"!!! {' '.join(args)} failed: {done.stderr.decode()[-500:]}")
        return done

    first = launch(commands["cleaner clean"])  # warms the rule-pack cache
    assert first.stdout == b"Flights to the base resumed on Friday, officials said.\n", first.stdout
    imports = launch([py, "-X", "importtime", *commands["cleaner clean"][1:]]).stderr.decode()
    modules = {row.rsplit("|", 1)[-1].strip().split(".")[0] for row in imports.splitlines() if "|" in row}
    total_us, own = 0, []  # all imports' time; (own microseconds, module) of each import
    for row in imports.splitlines():
        parts = row.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            own.append((int(parts[0].split(":")[1]), parts[2].strip()))
            if not parts[2][1:].startswith(" "):
                total_us += int(parts[1])
    own.sort(reverse=True)
    timer.say(f"startup: {runs} interleaved runs of each command")
    times = interleaved({name: (lambda rep, a=args: launch(a)) for name, args in commands.items()}, runs)
    med = {name: median(t) for name, t in times.items()}
    base = med['python -c "import click, regex, yaml"']
    lines = ["| command (stdin: one line of text) | median | ratio to the bare imports |", "| --- | --- | --- |"]
    for name in commands:
        lines.append(f"| `{name}` | {med[name] * 1000:.0f} ms | {med[name] / base:.2f}x |")
    heavy = sorted(m for m in ("trafilatura", "lxml", "ahocorasick", "tqdm", "pathspec", "dask") if m in modules)
    note = (f"Medians of {runs} interleaved runs of each, rule-pack cache warm (one run before). "
            f"Modules `cleaner clean` imported here, of trafilatura, lxml, ahocorasick, tqdm, pathspec, dask: "
            f"{', '.join(heavy) or 'none'}. Under `-X importtime` its imports took {total_us / 1000:.0f} ms in all; "
            f"the slowest modules of their own: " + ", ".join(f"{name} {us / 1000:.1f} ms" for us, name in own[:6]) + ".")
    return lines, note, {"ratio": med["cleaner clean"] / base, "trafilatura": "trafilatura" in modules}


IDENTITY = """\
import json, sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    out.write(json.dumps(json.loads(line), ensure_ascii=False).encode("utf-8") + b"\\n")
"""


def write_jsonl(path: Path, seed: int, megabytes: float, real: list[str]) -> tuple[int, int]:
    """Generated articles as JSONL records (one in five a bench-data text with one generated
    sentence inserted, so that no record repeats); returns (records, bytes)."""
    rng = random.Random(seed + 1)
    pool = paragraph_pool(random.Random(seed))
    records = size = 0
    tmp = path.with_suffix(".part")
    with open(tmp, "wb", buffering=1 << 20) as out:
        while size < megabytes * MB:
            if real and rng.random() < 0.2:
                lines = rng.choice(real).split("\n")
                lines.insert(rng.randint(1, max(1, len(lines) - 1)), _sentence(rng))
                text = "\n".join(lines)
            else:
                text = document(rng, pool, doc_size(rng))
            line = json.dumps({"id": records, "url": f"https://example.com/a/{records}", "text": text},
                              ensure_ascii=False).encode("utf-8") + b"\n"
            out.write(line)
            records += 1
            size += len(line)
    tmp.rename(path)
    return records, size


def jsonl_input(work: Path, seed: int, megabytes: float, real: list[str], timer: Timer) -> tuple[Path, int, int]:
    key = hashlib.sha1(f"{seed}|{megabytes}|{len(real)}|{nbytes(real[:50])}".encode()).hexdigest()[:8]
    path = work / f"speed-{megabytes:g}MB-{key}.jsonl"
    if path.exists():
        with open(path, "rb") as f:
            records = sum(1 for _ in f)
        return path, records, path.stat().st_size
    timer.say(f"jsonl: writing {megabytes:g} MB of JSONL")
    records, size = write_jsonl(path, seed, megabytes, real)
    return path, records, size


def file_digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def two_at_once(command: list[str], source: Path, work: Path, env: dict) -> float:
    """Wall time of two independent runs of ``command`` started together, each on ``source``: with
    one run's time alone, the most that two processes get done on this machine at this moment."""
    os.sync()
    start = time.perf_counter()
    runs = []
    for number in range(2):
        with open(source, "rb") as stdin, open(work / f"twice-{number}.jsonl", "wb") as stdout:
            runs.append(subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, env=env, cwd=work))
    codes = [run.wait() for run in runs]
    took = time.perf_counter() - start
    for number in range(2):
        (work / f"twice-{number}.jsonl").unlink(missing_ok=True)
    if any(codes):
        sys.exit(f"!!! two runs of {' '.join(command)} at once failed: exit {codes}")
    return took


def section_jsonl(env: dict, work: Path, source: Path, records: int, size: int, reps: int, timer: Timer):
    py = sys.executable
    commands = {
        "identity pass": [py, "-c", IDENTITY],
        "cleaner clean --jsonl -j 1": [py, "-m", "cleaner", "clean", "--jsonl", "-j", "1"],
        "cleaner clean --jsonl -j 2": [py, "-m", "cleaner", "clean", "--jsonl", "-j", "2"],
    }
    outputs = {name: work / f"out-{i}.jsonl" for i, name in enumerate(commands)}
    failures: dict[str, str] = {}
    digests: dict[str, str] = {}

    def launch(name):
        if name in failures:
            return
        with open(source, "rb") as stdin, open(outputs[name], "wb") as stdout:
            done = subprocess.run(commands[name], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=work)
        if done.returncode != 0:
            failures[name] = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[-300:]}"

    timer.say(f"jsonl: {records:,} records, {size / MB:,.0f} MB; {reps} interleaved reps of {len(commands)} commands")
    times: dict[str, list[float]] = {name: [] for name in commands}
    ceilings: list[float] = []
    names = list(commands)
    out_records = 0
    for rep in range(reps):
        for name in names[rep % 3:] + names[: rep % 3]:
            os.sync()  # no disk writeback left from earlier runs (or the input) to land in this run's time
            start = time.perf_counter()
            launch(name)
            times[name].append(time.perf_counter() - start)
            if rep == 0 and name not in failures and name != "identity pass":
                digests[name] = file_digest(outputs[name])
                if name.endswith("-j 1"):
                    with open(outputs[name], "rb") as f:
                        out_records = sum(1 for _ in f)
            outputs[name].unlink(missing_ok=True)  # its pages dropped unwritten, not flushed during a later run
        if "cleaner clean --jsonl -j 1" not in failures:  # the ceiling for -j 2 / -j 1: two -j 1 runs at once
            both = two_at_once(commands["cleaner clean --jsonl -j 1"], source, work, env)
            ceilings.append(2 * times["cleaner clean --jsonl -j 1"][-1] / both)
        timer.say(f"jsonl: rep {rep + 1}: " + ", ".join(f"{n}: {t[-1]:.1f} s" for n, t in times.items())
                  + (f"; two -j 1 runs at once: {ceilings[-1]:.2f}x one" if ceilings else ""))
    med = {name: median(t) for name, t in times.items()}
    rate = {name: size / MB / med[name] for name in commands}
    base, j1 = rate["identity pass"], rate["cleaner clean --jsonl -j 1"]
    lines = ["| command | median | MB/s | ratio |", "| --- | --- | --- | --- |"]
    for name in commands:
        if name in failures:
            lines.append(f"| `{name}` | failed | | {failures[name]} |")
            continue
        ratio = (f"{rate[name] / base:.2f} of the identity pass" if name != "identity pass" else "1")
        if name.endswith("-j 2"):
            ratio += f"; {rate[name] / j1:.2f}x `-j 1`"
        lines.append(f"| `{name}` | {seconds(med[name])} | {rate[name]:.1f} | {ratio} |")
    same = len(set(digests.values())) <= 1
    note = (f"Input: {records:,} records, {size / MB:,.0f} MB ({size / records / 1000:.1f} KB a record on average), "
            f"read from a file on stdin, stdout to a file (synced before and deleted after each run, so that no "
            f"run's disk writeback falls in another's time); medians of {reps} interleaved runs. The identity pass "
            f"is a Python process doing `json.dumps(json.loads(line), ensure_ascii=False)` per line. "
            f"`-j 1` wrote {out_records:,} records; `-j 1` and `-j 2` outputs byte-identical: "
            f"{'yes' if same else '**NO**'}. The ceiling for `-j 2` / `-j 1` on this machine: two independent "
            f"`-j 1` runs started together (after each rep, on the same input) got "
            f"{median(ceilings) if ceilings else float('nan'):.2f}x as much done as one run alone (median of "
            f"{len(ceilings)}; 2.0 on two idle cores); what `-j 2` loses beside that is its own cost (the parent "
            f"reading, sending and writing every record).")
    if not same:
        print("\n!!! cleaner clean --jsonl -j 1 and -j 2 wrote different outputs\n", file=sys.stderr)
    j2 = None if "cleaner clean --jsonl -j 2" in failures else rate["cleaner clean --jsonl -j 2"]
    return lines, note, {"j1_vs_identity": j1 / base, "identity_mbps": base, "j2_vs_j1": None if j2 is None else j2 / j1,
                         "ceiling": median(ceilings) if ceilings else None,
                         "same": same, "j2_failed": failures.get("cleaner clean --jsonl -j 2")}


LAUNCHER = """\
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def prefix_file(source: Path, target: Path, size: int) -> tuple[int, int]:
    """The first whole lines of ``source`` making up at least ``size`` bytes; (records, bytes)."""
    records = written = 0
    with open(source, "rb") as f, open(target, "wb") as out:
        for line in f:
            out.write(line)
            records += 1
            written += len(line)
            if written >= size:
                break
    return records, written


def section_rss(env: dict, work: Path, source: Path, source_size: int, small_mb: float, seed: int,
                real: list[str], document: Path | None, timer: Timer):
    py = sys.executable
    commands = {
        "cleaner clean --jsonl": [py, "-m", "cleaner", "clean", "--jsonl"],
        "cleaner clean --jsonl -j 1": [py, "-m", "cleaner", "clean", "--jsonl", "-j", "1"],
    }
    rows = []

    def peak(command: list[str], path: Path) -> tuple[int, float]:
        """Peak RSS (bytes) and seconds of ``command`` with ``path`` on stdin."""
        rss_file = work / "rss.txt"
        start = time.perf_counter()
        with open(path, "rb") as stdin:
            done = subprocess.run([py, "-c", LAUNCHER, str(rss_file), *command], stdin=stdin,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=work)
        if done.returncode != 0:
            sys.exit(f"!!! {' '.join(command[2:])} failed: {done.stderr.decode()[-500:]}")
        return int(rss_file.read_text()) * 1024, time.perf_counter() - start

    for megabytes in (small_mb, small_mb * 10):
        path = work / f"rss-{megabytes:g}MB.jsonl"
        if megabytes * MB <= source_size:
            records, size = prefix_file(source, path, int(megabytes * MB))
        else:
            records, size = write_jsonl(path, seed, megabytes, real)
        for name, command in commands.items():
            timer.say(f"rss: {name} on {size / MB:.0f} MB")
            rows.append((name, records, size, *peak(command, path)))
        path.unlink()
    single = {}
    if document is not None:
        size = document.stat().st_size
        for name, command in {"cleaner clean": [py, "-m", "cleaner", "clean"],
                              "cleaner clean --no-cache": [py, "-m", "cleaner", "clean", "--no-cache"]}.items():
            timer.say(f"rss: {name} on one {size / MB:.0f} MB document")
            single[name] = (size, *peak(command, document))
    lines = ["| command | input | records | peak RSS | time |", "| --- | --- | --- | --- | --- |"]
    ratios = {}
    for name in commands:
        mine = [row for row in rows if row[0] == name]
        for _, records, size, rss, seconds in mine:
            lines.append(f"| `{name}` | {size / MB:,.0f} MB | {records:,} | {rss / MB:.1f} MB | {seconds:.1f} s |")
        ratios[name] = mine[1][3] / mine[0][3]
    note = ("Each command run once by a small launcher that reads `getrusage(RUSAGE_CHILDREN).ru_maxrss` (the "
            "largest single process under it: with worker processes, the largest of the parent and its workers), "
            "so the benchmark's own memory does not count; stdout to /dev/null. Larger input / smaller: "
            + ", ".join(f"`{name}` **{ratio:.2f}x**" for name, ratio in ratios.items())
            + f" for {rows[-1][2] / rows[0][2]:.0f}x the input.")
    if single:
        lines += ["", "| command | one document on stdin | peak RSS | RSS / input | time |", "| --- | --- | --- | --- | --- |"]
        for name, (size, rss, seconds) in single.items():
            lines.append(f"| `{name}` | {size / MB:,.0f} MB | {rss / MB:.0f} MB | {rss / size:.1f} | {seconds:.1f} s |")
        note += (" One document: the largest of the document sizes above, run the same way; `cleaner clean` "
                 "finds the Hyperscan database in the cache, `--no-cache` cleans with the literal gates alone "
                 "(as a first run on a machine does).")
    return lines, note, {"ratio": ratios["cleaner clean --jsonl"], "ratios": ratios, "single": single}


def section_html(c: Cleaner, pages: list[tuple[str, bytes]], count: int, reps: int, seed: int, timer: Timer):
    __import__("trafilatura")  # imported before timing

    rng = random.Random(seed)
    chosen = pages if count >= len(pages) else sorted(rng.sample(pages, count))
    timer.say(f"html: {len(chosen)} pages, trafilatura then the rules")
    extract_times, rule_times, shares = [], [], []
    for _, html in chosen:
        start = time.perf_counter()
        text = _extract(html)
        took = time.perf_counter() - start
        runs = []
        for _ in range(reps):
            start = time.perf_counter()
            if text:
                c.run(text, input_format="text")
            runs.append(time.perf_counter() - start)
        rules = median(runs)
        extract_times.append(took)
        rule_times.append(rules)
        shares.append(rules / (took + rules))
    total_x, total_r = sum(extract_times), sum(rule_times)
    shares.sort()
    p95 = shares[min(len(shares) - 1, int(0.95 * len(shares)))]
    lines = ["| pages | trafilatura per page | rules per page | rules' share of the time | per page: median | "
             "95th percentile | max |", "| --- | --- | --- | --- | --- | --- | --- |"]
    lines.append(f"| {len(chosen):,} | {total_x / len(chosen) * 1000:.1f} ms | {total_r / len(chosen) * 1000:.2f} ms "
                 f"| **{total_r / (total_x + total_r):.2%}** | {median(shares):.2%} | {p95:.2%} | {shares[-1]:.2%} |")
    note = (f"bench-data pages (scrapinghub and trafilatura-eval), each extracted once with cleaner's default "
            f"extraction (`{extract.DEFAULT_MODE}`), then `Cleaner().run` on its text (median of {reps}); "
            f"share = rules / (trafilatura + rules).")
    return lines, note, {"share": total_r / (total_x + total_r)}


# ---------------------------------------------------------------------------------------------


def estimate_rate(c: Cleaner, generated: list[str]) -> float:
    """Cleaner().run's MB/s on about 1 MB of the generated articles."""
    sample, size = [], 0
    for text in generated:
        sample.append(text)
        size += len(text.encode("utf-8"))
        if size >= MB:
            break
    start = time.perf_counter()
    for text in sample:
        c.run(text)
    return size / MB / (time.perf_counter() - start)


def auto_jsonl_mb(rate: float, budget: float, reps: int) -> float:
    """The JSONL size (50, 100, 200, 500 or 1000 MB, the nearest on a log scale) whose runs of the identity
    pass (~150 MB/s), -j 1 and -j 2 take about ``budget`` seconds in all, from the in-process ``rate``."""
    per_mb = 1 / 150 + 2.2 * (1 / rate + 1 / 300)
    wanted = budget / reps / per_mb
    return min((50, 100, 200, 500, 1000), key=lambda mb: abs(math.log(mb / wanted)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "bench-data",
                        help="the bench-data folder (skipped when absent; default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus-mb", type=float, default=3, help="generated text for the throughput runs (MB)")
    parser.add_argument("--real-docs", type=int, default=400,
                        help="bench-data texts in the throughput runs: a seeded sample of this many (-1: all; default %(default)s)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each in-process comparison")
    parser.add_argument("--doc-sizes", default="1e3,1e5,1e7,5e7", help="single-document sizes in bytes")
    parser.add_argument("--doc-total-mb", type=float, default=2, help="text per size for the small documents (MB)")
    parser.add_argument("--jsonl-mb", default="auto",
                        help="size of the JSONL file in MB, or auto: the size (50 MB to 1 GB) whose runs take about "
                             "--jsonl-budget seconds at the in-process speed (default: %(default)s)")
    parser.add_argument("--jsonl-budget", type=float, default=90, help="seconds for the JSONL runs with --jsonl-mb auto")
    parser.add_argument("--jsonl-reps", type=int, default=3)
    parser.add_argument("--rss-mb", type=float, default=20, help="the smaller RSS input (MB); the larger is 10x")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--html-pages", type=int, default=400, help="bench-data pages timed through trafilatura")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections (never writes docs/)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="for the JSONL files (kept and reused there); default: a temporary folder, removed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench-cache",
                        help="where the bench-data extractions are kept (default: %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()
    sections = args.only or list(SECTIONS)
    sizes = [int(float(s)) for s in args.doc_sizes.split(",")]
    timer = Timer()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="cleaner-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CLEANER_CACHE_DIR": str(work / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("CLEANER_DEBUG", None)

    import trafilatura

    have_data = args.data.is_dir() and (args.data / "scrapinghub").is_dir()
    pages: list[tuple[str, bytes]] = []
    real: list[str] = []
    if have_data:
        pages = load_pages(args.data)
        timer.say(f"bench-data: {len(pages)} pages; extracting their texts (or reading the cache)")
        texts, cached = page_texts(args.data, pages, args.cache)
        real = [t for t in texts if t.strip()]
        timer.say(f"bench-data: {len(real)} texts, {nbytes(real) / MB:.1f} MB ({'cached' if cached else 'extracted'})")
    else:
        timer.say(f"{args.data}: not there; generated text only, no HTML section")

    # one cache for this process and the CLI runs: the scanner's database, compiled once per machine and
    # rule set (seconds), is read from it by every later process, as a corpus job on a machine would
    os.environ["CLEANER_CACHE_DIR"] = env["CLEANER_CACHE_DIR"]
    c = Cleaner()
    started = time.perf_counter()
    scanning = c.ruleset.prefilter.use_scanner()
    compiled = time.perf_counter() - started
    scanner_note = (
        f"Scanner: the Hyperscan database of {len(c.ruleset.prefilter.scanner.covered)} of {len(c.rules)} rules "
        f"was compiled in {compiled:.1f} s before the runs (once per machine and rule set; later processes read it "
        f"from the cache)." if scanning else "Scanner: Hyperscan is not installed here; the literal gates only.")
    timer.say(scanner_note)
    generated = generated_corpus(args.seed, args.corpus_mb)
    timer.say(f"generated: {len(generated):,} documents, {nbytes(generated) / MB:.1f} MB")
    groups = {"generated articles": generated}
    sample: list[str] = []
    if real and args.real_docs:
        count = len(real) if args.real_docs < 0 else min(args.real_docs, len(real))
        sample = [real[i] for i in sorted(random.Random(args.seed).sample(range(len(real)), count))]
        groups["bench-data texts"] = sample

    out: list[str] = [scanner_note, ""]
    figures: dict[str, dict] = {}

    def add(title: str, result) -> None:
        lines, note, figs = result
        out.extend([f"**{title}**", "", *lines, "", note, ""])
        figures[title] = figs
        print("\n".join([f"\n{title}", *lines, note]), flush=True)

    try:
        if "throughput" in sections:
            add("Throughput, in process, one core", section_throughput(c, groups, args.reps, timer))
        total = int(args.doc_total_mb * MB)
        sized = {size: sized_documents(args.seed, size, total) for size in sizes} \
            if {"documents", "floor"} & set(sections) else {}
        if "documents" in sections:
            add("Time per MB by document size", section_documents(c, sized, total, args.reps, timer))
        if "floor" in sections:
            inputs = {**groups, **{f"{human(size)} documents": docs for size, docs in sized.items()}}
            add("The floor: scan and pattern calls alone", section_floor(c, inputs, args.reps, timer))
        largest = None  # the largest single document, on disk for the rss section
        if "rss" in sections and sizes:
            largest = work / "largest.txt"
            document = sized[sizes[-1]][0] if sized else sized_documents(args.seed, sizes[-1], sizes[-1])[0]
            largest.write_text(document, encoding="utf-8")
            del document
        sized.clear()
        if "startup" in sections:
            add("Start-up", section_startup(env, work, args.startup_runs, timer))
        if "jsonl" in sections or "rss" in sections:
            if args.jsonl_mb == "auto":
                throughput = figures.get("Throughput, in process, one core")
                rate = throughput["all" if "all" in throughput else "generated articles"]["mbps"] if throughput \
                    else estimate_rate(c, generated)
                jsonl_mb = auto_jsonl_mb(rate, args.jsonl_budget, args.jsonl_reps)
                timer.say(f"jsonl: {jsonl_mb:g} MB for about {args.jsonl_budget:g} s at {rate:.1f} MB/s in process")
            else:
                jsonl_mb = float(args.jsonl_mb)
            source, records, size = jsonl_input(work, args.seed, jsonl_mb, real, timer)
            if "jsonl" in sections:
                add("`cleaner clean --jsonl`, end to end",
                    section_jsonl(env, work, source, records, size, args.jsonl_reps, timer))
            if "rss" in sections:
                add("Peak memory, `cleaner clean --jsonl`",
                    section_rss(env, work, source, size, args.rss_mb, args.seed, real, largest, timer))
        if "html" in sections and pages:
            add("HTML pages: trafilatura against the rules",
                section_html(c, pages, args.html_pages, args.reps, args.seed, timer))
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    summary = summary_lines(figures)
    print("\n" + "\n".join(summary))
    timer.say("done")

    if args.no_write or args.only:
        return 0
    argv = " ".join(sys.argv[1:])
    header = (
        f"Measured with `python bench/speed.py{(' ' + argv) if argv else ''}` on {datetime.date.today()}: "
        f"cleaner {cleaner.__version__}, regex {regex.__version__}, trafilatura {trafilatura.__version__}, "
        f"Python {platform.python_version()}, {cpu_model()} ({os.cpu_count()} cores, shared). In-process input: "
        f"{len(generated):,} generated articles ({nbytes(generated) / MB:.1f} MB, seed {args.seed})"
        + (f" and {len(sample):,} of the {len(real):,} texts cleaner extracts from the bench-data pages "
           f"({nbytes(sample) / MB:.1f} MB, a seeded sample)" if sample else "")
        + ("; the JSONL records are generated articles and, one in five, a bench-data text with one generated "
           "line inserted (no record repeats)." if real else "; no bench-data.")
    )
    write_section("speed", "## Speed (`bench/speed.py`)", "\n".join([header, "", *summary, "", *out]).rstrip("\n"))
    print("\nwrote the speed section of docs/benchmarks.md", file=sys.stderr)
    return 0


def summary_lines(figures: dict[str, dict]) -> list[str]:
    """The headline figures against issue 6's targets, and what the floor allows of each."""
    rows = []
    bounds = floor_bounds(figures)
    t = figures.get("Throughput, in process, one core")
    if t:
        overall = t.get("all") or next(iter(t.values()))
        rows.append(("`clean()` throughput, all shipped packs, one core", f"{overall['mbps']:.1f} MB/s", ">= 100 MB/s",
                     overall["mbps"] >= 100, bounds.get("mbps", "")))
        rows.append(("`clean()` / naive loop", f"{overall['vs_naive']:.1f}x", ">= 10x", overall["vs_naive"] >= 10, ""))
    j = figures.get("`cleaner clean --jsonl`, end to end")
    if j:
        rows.append(("`--jsonl -j 1` / identity pass", f"{j['j1_vs_identity']:.2f}", ">= 0.5", j["j1_vs_identity"] >= 0.5,
                     bounds.get("j1", "")))
        if j["j2_vs_j1"] is None:
            rows.append(("`--jsonl -j 2` / `-j 1`", "failed", ">= 1.7x", False, ""))
        else:
            ceiling = f" (two `-j 1` runs at once: {j['ceiling']:.2f}x)" if j["ceiling"] else ""
            rows.append(("`--jsonl -j 2` / `-j 1`", f"{j['j2_vs_j1']:.2f}x{ceiling}", ">= 1.7x", j["j2_vs_j1"] >= 1.7, ""))
    d = figures.get("Time per MB by document size")
    if d:
        rows.append(("time per MB, slowest / fastest document size", f"{d['spread']:.2f}x", "< 1.5x", d["spread"] < 1.5,
                     bounds.get("spread", "")))
        size, took, limit = d["largest"]
        r = figures.get("Peak memory, `cleaner clean --jsonl`") or {}
        memory = "".join(f"; `{name}`: peak RSS {rss / MB:.0f} MB" for name, (_, rss, _) in r.get("single", {}).items())
        rows.append((f"one {human(size)} document", f"cleaned in {seconds(took)} (slowest repetition){memory}",
                     f"no running out of memory or time (its limit: {seconds(limit)})", took < limit, ""))
    r = figures.get("Peak memory, `cleaner clean --jsonl`")
    if r:
        rows.append(("peak RSS, 10x input / 1x input", f"{r['ratio']:.2f}x", "<= 1.2x", r["ratio"] <= 1.2, ""))
    s = figures.get("Start-up")
    if s:
        rows.append(("start-up / bare imports", f"{s['ratio']:.2f}x", "<= 1.5x", s["ratio"] <= 1.5, ""))
    h = figures.get("HTML pages: trafilatura against the rules")
    if h:
        rows.append(("rules' share of the time per HTML page", f"{h['share']:.2%}", "< 3%", h["share"] < 0.03, ""))
    lines = ["| figure | measured | target (issue 6) | met | the floor allows |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {'yes' if ok else 'no'} | {bound} |" for a, b, c, ok, bound in rows]
    return lines


def floor_bounds(figures: dict[str, dict]) -> dict[str, str]:
    """The best each target's figure could be if cleaning cost only its floor (see section_floor):
    throughput at most 1 / floor; ``-j 1`` at most identity / (identity + floor), since it does the
    identity pass's work too; the spread of time per MB at least that of the floors."""
    f = figures.get("The floor: scan and pattern calls alone")
    if not f:
        return {}
    floors = f["floors"]
    bounds = {}
    if f["groups"]:
        size = sum(floors[label][1] for label in f["groups"])
        floor = sum(floors[label][0] * floors[label][1] for label in f["groups"]) / size  # seconds per MB, all texts
        bounds["mbps"] = f"at most {1 / floor:.0f} MB/s"
        j = figures.get("`cleaner clean --jsonl`, end to end")
        if j:
            identity = 1 / j["identity_mbps"]
            bounds["j1"] = f"at most {identity / (identity + floor):.2f}"
    if len(f["sizes"]) > 1:
        per_mb = [floors[label][0] for label in f["sizes"]]
        found = [floors[label][2] for label in f["sizes"]]
        bounds["spread"] = (f"at least {max(per_mb) / min(per_mb):.2f}x ({max(found) / min(found):.2f}x with only the "
                            f"calls that find a match)")
    return bounds


if __name__ == "__main__":
    sys.exit(main())
