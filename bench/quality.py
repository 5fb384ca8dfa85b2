"""Quality benchmark: trafilatura alone against trafilatura + cleaner, on public ground truth.

Data (see PROVENANCE.md in the data folder):
  scrapinghub/        181 pages with gold article bodies; metric as upstream: 4-token
                      shingles over \\w+ tokens, per-document P/R normalised, macro means,
                      F1 of the means, bootstrap std.
  trafilatura-eval/   990 pages with snippets that must be present ("with") and absent
                      ("without"); whitespace-normalised substring test.

Every configuration runs in the same process, on the same pages. Extractions with the same
trafilatura settings are computed once and shared; cleaner's rules run on top of them.

Usage: python bench/quality.py [DATA_DIR] [--limit N] [--no-write] [--jobs N]
                               [--only all|cleaner|trafilatura] [--mode MODE]... [--cache DIR | --no-cache]
                               [--rules FILE]... [--ignore ID]... [--review-mode MODE] [--review FILE]
                               [--dump DIR] [--ablation]
A full run writes the table into docs/benchmarks.md and the review of the row with cleaner's default
extraction into docs/quality-review.md. Extractions are cached under --cache (default: a folder in
the temp dir; docs/s then counts the extraction time measured when it was cached), so a second
run only applies the rules: well under a minute. To iterate on rules:
    python bench/quality.py --only cleaner --no-write --dump /tmp/pages --ablation --review /tmp/review.md
Runs with --limit, --rules or --ignore never write docs/ (their numbers are not the shipped ones).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import json
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import trafilatura

import cleaner
from benchdocs import cpu_model, write_section
from cleaner import Cleaner, extract

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\w+")
SPACE = re.compile(r"\s+")

# name -> trafilatura.extract keyword arguments
EXTRACTIONS = {
    "default": {},
    "precision": {"favor_precision": True},
    "recall": {"favor_recall": True},
    "no comments": {"include_comments": False},
    "precision, no comments": {"favor_precision": True, "include_comments": False},
    "recall, no comments": {"favor_recall": True, "include_comments": False},
}
# the rows of the table: (label, extraction, with cleaner's rules?)
ROWS = [
    ("trafilatura default", "default", False),
    ("trafilatura precision", "precision", False),
    ("trafilatura recall", "recall", False),
    ("trafilatura no comments", "no comments", False),
    ("cleaner --extraction balanced", "no comments", True),
    ("cleaner --extraction precision", "precision, no comments", True),
    ("cleaner --extraction recall", "recall, no comments", True),
]


def extract_page(args: tuple[str, bytes, tuple[str, ...]]) -> dict[str, tuple[str, float]]:
    """The named extractions of one page: name -> (text, seconds)."""
    _, html, names = args
    out = {}
    for name in names:
        start = time.perf_counter()
        text = trafilatura.extract(html, output_format="txt", **EXTRACTIONS[name]) or ""
        out[name] = (text, time.perf_counter() - start)
    return out


def extract_all(dataset: str | Path, pages, names: tuple[str, ...], jobs: int, cache: Path | None):
    """Every named extraction of every page, computed once and kept in ``cache`` (a folder) if given.

    ``dataset`` is the data set's folder (or a name). The cache is keyed by that folder, the page
    id, trafilatura's version and the extraction settings, so other data, a new trafilatura or a
    changed setting is extracted afresh. Cached entries keep the seconds the extraction took.
    """
    results: dict[str, dict[str, tuple[str, float]]] = {page_id: {} for page_id, _, _ in pages}
    stores: dict[str, dict] = {}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for name in names:
            path = _cache_path(cache, dataset, name)
            try:
                stores[name] = json.loads(gzip.decompress(path.read_bytes()))
            except (OSError, ValueError):
                stores[name] = {}
            for page_id in results:
                if page_id in stores[name]:
                    results[page_id][name] = tuple(stores[name][page_id])
    todo = [(page_id, html, tuple(n for n in names if n not in results[page_id])) for page_id, html, _ in pages]
    todo = [t for t in todo if t[2]]
    if todo:
        with ProcessPoolExecutor(jobs) as pool:
            for (page_id, _, _), extracted in zip(todo, pool.map(extract_page, todo, chunksize=4)):
                results[page_id].update(extracted)
        if cache is not None:
            for name in names:
                stores[name].update({page_id: list(results[page_id][name]) for page_id in results})
                _cache_path(cache, dataset, name).write_bytes(gzip.compress(json.dumps(stores[name]).encode()))
    return [results[page_id] for page_id, _, _ in pages]


def _cache_path(cache: Path, dataset: str | Path, name: str) -> Path:
    settings = json.dumps(EXTRACTIONS[name], sort_keys=True)
    where = str(Path(dataset).resolve()) if isinstance(dataset, Path) else dataset
    key = hashlib.sha1(f"{where}|{trafilatura.__version__}|{settings}".encode()).hexdigest()[:12]
    return cache / f"{Path(dataset).name}-{name.replace(', ', '-').replace(' ', '_')}-{key}.json.gz"


def shingles(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(gold: str, predicted: str) -> tuple[float, float, float]:
    truth, guess = shingles(gold), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(triples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*t) for t in triples if t[0] + t[1] > 0)
    r = statistics.mean(recall(*t) for t in triples if t[0] + t[2] > 0)
    return p, r, 2 * p * r / (p + r)


def bootstrap_std(triples, rounds: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    rng = random.Random(seed)
    samples = [scores([rng.choice(triples) for _ in triples]) for _ in range(rounds)]
    return tuple(statistics.stdev(column) for column in zip(*samples))


def normalise(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def load_scrapinghub(folder: Path, limit: int | None):
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit]
    return [(i, gzip.decompress((folder / "html" / f"{i}.html.gz").read_bytes()), truth[i]["articleBody"]) for i in ids]


def load_trafilatura_eval(folder: Path, limit: int | None):
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    names = sorted(data)[:limit]
    return [(n, gzip.decompress((folder / "html" / f"{n}.gz").read_bytes()), data[n]) for n in names]


def run_rules(rules: Cleaner, text: str):
    start = time.perf_counter()
    result = rules.run(text, input_format="text") if text else None
    return result, time.perf_counter() - start


def cleaned(result, text: str) -> str:
    return result.text if result is not None and not result.guarded else text


def snippet_counts(text: str, entry) -> tuple[int, int]:
    flat = normalise(text)
    return (sum(normalise(s) in flat for s in entry["with"]), sum(normalise(s) not in flat for s in entry["without"]))


class Review:
    """What the rules did on the pages of one configuration, for docs/quality-review.md and --dump."""

    def __init__(self) -> None:
        self.false_pos: list[tuple[str, str, str, str]] = []
        self.leftovers: Counter = Counter()
        self.leftover_pages: dict[str, list[str]] = {}
        self.te_leftovers: list[tuple[str, str]] = []
        self.per_rule: dict[str, Counter] = {}
        self.ablation: dict[str, tuple[float, ...]] = {}

    def count(self, rule_id: str, key: str, n: int = 1) -> None:
        self.per_rule.setdefault(rule_id, Counter())[key] += n


def token_string(text: str) -> str:
    return " " + " ".join(TOKEN.findall(text)) + " "


def gold_share(line: str, gold_tokens: str, gold_shingles: Counter) -> float:
    """How much of ``line`` is article text: 1.0 when its tokens occur in the gold body as a run."""
    tokens = token_string(line)
    if tokens.strip() == "" or tokens in gold_tokens:
        return 1.0
    own = shingles(line)
    if len(TOKEN.findall(line)) < 4 or not own:
        return 0.0
    return sum(n for s, n in own.items() if s in gold_shingles) / sum(own.values())


def review_scrapinghub(review: Review, page_id: str, text: str, result, gold: str, dump: Path | None) -> None:
    gold_tokens, gold_shingles = token_string(gold), shingles(gold)
    removals = result.removals if result is not None and not result.guarded else ()
    for removal in removals:
        words = len(removal.text.split())
        review.count(removal.rule_id, "sh removals")
        review.count(removal.rule_id, "sh words", words)
        if words >= 3 and gold_share(removal.text, gold_tokens, gold_shingles) >= 0.5:
            review.false_pos.append(("scrapinghub", page_id, removal.rule_id, normalise(removal.text)))
            review.count(removal.rule_id, "sh FP")
            review.count(removal.rule_id, "sh FP words", words)
    out = cleaned(result, text)
    junk = []
    for line in out.splitlines():
        n = normalise(line)
        if n and gold_share(n, gold_tokens, gold_shingles) < 0.5:
            review.leftovers[n[:120]] += 1
            junk.append(n)
    if junk:
        review.leftover_pages[page_id] = junk
    if dump is not None:
        (dump / f"sh-{page_id[:16]}.txt").write_text(
            annotate(text, removals, lambda line: gold_share(line, gold_tokens, gold_shingles)), encoding="utf-8"
        )


def review_trafilatura_eval(review: Review, name: str, text: str, result, entry, dump: Path | None) -> None:
    removals = result.removals if result is not None and not result.guarded else ()
    withs = [normalise(s) for s in entry["with"] if normalise(s)]
    withouts = [normalise(s) for s in entry["without"] if normalise(s)]
    for removal in removals:
        removed = normalise(removal.text)
        review.count(removal.rule_id, "te removals")
        for s in withs:
            if s in removed or (len(removed.split()) >= 3 and removed in s):
                review.false_pos.append(("trafilatura-eval", name, removal.rule_id, removed))
                review.count(removal.rule_id, "te with lost")
        for s in withouts:
            if s in removed or (len(removed.split()) >= 3 and removed in s):
                review.count(removal.rule_id, "te without hit")
    out = cleaned(result, text)
    flat = normalise(out)
    for s in withouts:
        if s in flat:
            line = next((normalise(l) for l in out.splitlines() if s in normalise(l)), s)
            review.te_leftovers.append((name, line))
    if dump is not None:
        head = [f"# with: {s}" for s in withs] + [f"# without: {s}" for s in withouts] + [""]
        def flag(line: str) -> float | None:
            n = normalise(line)
            if any(s in n or (len(n.split()) >= 3 and n in s) for s in withs):
                return 1.0
            return 0.0 if any(s in n for s in withouts) else None

        (dump / f"te-{name}.txt").write_text("\n".join(head) + annotate(text, removals, flag), encoding="utf-8")


def annotate(text: str, removals, goodness) -> str:
    """The extracted text, one line each, marked: '  ' kept article text, '+ ' kept junk, '- ' removed
    article text (a false positive), 'x ' removed junk; '. ' kept and '? ' removed when ``goodness``
    cannot tell (None: trafilatura-eval lines that hold no snippet). Removed lines name their rule."""
    by_line: dict[int, list] = {}
    for removal in removals:
        by_line.setdefault(removal.line, []).append(removal)
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        score = goodness(line)
        if score is None:
            kept, gone_mark = ". ", "? "
        else:
            kept, gone_mark = ("  ", "- ") if score >= 0.5 else ("+ ", "x ")
        gone = [r for r in by_line.get(number, ()) if r.text == line]
        if gone:
            out.append(f"{gone_mark}[{gone[0].rule_id}] {line}")
        else:
            spans = [f"[{r.rule_id}: {r.text!r}]" for r in by_line.get(number, ())]
            out.append(f"{kept}{line}" + (f"   <<stripped {' '.join(spans)}" if spans else ""))
    return "\n".join(out) + "\n"


def evaluate(rules, sh_pages, sh_extracted, te_pages, te_extracted, extraction, review=None, dump=None):
    """One configuration over both sets: metrics, and per-document details for ablation."""
    sh_docs, te_docs, seconds = [], [], 0.0
    for (page_id, _, gold), extracted in zip(sh_pages, sh_extracted):
        text, took = extracted[extraction]
        seconds += took
        result = None
        if rules is not None:
            result, took = run_rules(rules, text)
            seconds += took
            if review is not None:
                review_scrapinghub(review, page_id, text, result, gold, dump)
        sh_docs.append((text, result, tp_fp_fn(gold, cleaned(result, text))))
    for (name, _, entry), extracted in zip(te_pages, te_extracted):
        text, took = extracted[extraction]
        seconds += took
        result = None
        if rules is not None:
            result, took = run_rules(rules, text)
            seconds += took
            if review is not None:
                review_trafilatura_eval(review, name, text, result, entry, dump)
        te_docs.append((text, result, snippet_counts(cleaned(result, text), entry)))
    return sh_docs, te_docs, seconds


def summarise(sh_docs, te_docs, te_pages):
    triples = [t for _, _, t in sh_docs]
    p, r, f1 = scores(triples)
    total_with = sum(len(e["with"]) for _, _, e in te_pages) or 1
    total_without = sum(len(e["without"]) for _, _, e in te_pages) or 1
    present = sum(c[0] for _, _, c in te_docs) / total_with
    absent = sum(c[1] for _, _, c in te_docs) / total_without
    return p, r, f1, present, absent


def ablate(rules: Cleaner, sh_pages, sh_docs, te_pages, te_docs) -> dict[str, tuple[float, ...]]:
    """For each rule: the metrics with the rule and without it (rerunning only the pages it touched)."""
    base = summarise(sh_docs, te_docs, te_pages)
    touched: dict[str, tuple[set, set]] = {}
    for index, (_, result, _) in enumerate(sh_docs):
        for removal in result.removals if result is not None else ():
            touched.setdefault(removal.rule_id, (set(), set()))[0].add(index)
    for index, (_, result, _) in enumerate(te_docs):
        for removal in result.removals if result is not None else ():
            touched.setdefault(removal.rule_id, (set(), set()))[1].add(index)
    out = {}
    for rule_id, (sh_idx, te_idx) in touched.items():
        without = Cleaner(packs=rules.packs, ignore=[rule_id], max_removed_share=rules.max_removed_share)
        sh_new, te_new = list(sh_docs), list(te_docs)
        for i in sh_idx:
            text = sh_docs[i][0]
            result = without.run(text, input_format="text")
            sh_new[i] = (text, result, tp_fp_fn(sh_pages[i][2], cleaned(result, text)))
        for i in te_idx:
            text = te_docs[i][0]
            result = without.run(text, input_format="text")
            te_new[i] = (text, result, snippet_counts(cleaned(result, text), te_pages[i][2]))
        other = summarise(sh_new, te_new, te_pages)
        out[rule_id] = tuple(a - b for a, b in zip(base, other)) + (len(sh_idx), len(te_idx))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "bench-data")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--jobs", type=int, default=2, help="processes for extraction")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--only", choices=("all", "cleaner", "trafilatura"), default="all", help="which rows to run")
    parser.add_argument("--mode", action="append", choices=extract.MODES,
                        help="cleaner rows for these extraction modes only (repeatable; default: all)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench-cache",
                        help="folder that keeps trafilatura's extractions between runs (default: %(default)s)")
    parser.add_argument("--no-cache", action="store_true", help="extract afresh and keep nothing")
    parser.add_argument("--rules", action="append", default=[], help="extra rule file or folder (repeatable)")
    parser.add_argument("--ignore", action="append", default=[], help="rule id or pack to leave out (repeatable)")
    parser.add_argument("--review-mode", choices=extract.MODES, default=extract.DEFAULT_MODE,
                        help="the cleaner row reviewed in docs/quality-review.md (default: cleaner's default)")
    parser.add_argument("--review", type=Path, default=None, help="write the review here instead of docs/")
    parser.add_argument("--dump", type=Path, default=None,
                        help="folder: one annotated file per page of the reviewed row (kept/removed, junk/article)")
    parser.add_argument("--ablation", action="store_true", help="per rule, what the reviewed row loses without it")
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"{args.data}: no such folder (give the bench-data folder)")

    rows = [
        row for row in ROWS
        if (args.only != "cleaner" or row[2]) and (args.only != "trafilatura" or not row[2])
        and (not row[2] or not args.mode or row[0].rsplit(" ", 1)[1] in args.mode)
    ]
    names = tuple(dict.fromkeys(extraction for _, extraction, _ in rows))
    rules = Cleaner(rules=args.rules, ignore=args.ignore)
    cache = None if args.no_cache else args.cache
    sh_pages = load_scrapinghub(args.data / "scrapinghub", args.limit)
    te_pages = load_trafilatura_eval(args.data / "trafilatura-eval", args.limit)
    sh_extracted = extract_all(args.data / "scrapinghub", sh_pages, names, args.jobs, cache)
    te_extracted = extract_all(args.data / "trafilatura-eval", te_pages, names, args.jobs, cache)
    if args.dump is not None:
        args.dump.mkdir(parents=True, exist_ok=True)

    table_rows, review = [], None
    for label, extraction, with_rules in rows:
        reviewed = with_rules and label.endswith(" " + args.review_mode)
        row_review = Review() if reviewed else None
        sh_docs, te_docs, seconds = evaluate(
            rules if with_rules else None, sh_pages, sh_extracted, te_pages, te_extracted, extraction,
            row_review, args.dump if reviewed else None,
        )
        p, r, f1, present, absent = summarise(sh_docs, te_docs, te_pages)
        sp, sr, sf = bootstrap_std([t for _, _, t in sh_docs])
        table_rows.append((label, p, sp, r, sr, f1, sf, present, absent, (len(sh_docs) + len(te_docs)) / seconds))
        if reviewed:
            review = row_review
            if args.ablation:
                review.ablation = ablate(rules, sh_pages, sh_docs, te_pages, te_docs)

    table = render_table(table_rows, len(sh_pages), len(te_pages))
    print(table)
    if review is not None and args.ablation:
        print("\nablation (metric with the rule minus without it; pages touched):")
        for rule_id, d in sorted(review.ablation.items(), key=lambda kv: kv[1][2]):
            print(f"  {rule_id:40} P {d[0]:+.4f} R {d[1]:+.4f} F1 {d[2]:+.4f} with {d[3]:+.4f} without {d[4]:+.4f}"
                  f"  ({d[5]} sh, {d[6]} te)")
    custom = bool(args.rules or args.ignore or args.limit)
    if review is not None and (args.review is not None or (not args.no_write and not custom)):
        path = args.review or ROOT / "docs" / "quality-review.md"
        write_review(path, review, args.review_mode)
        print(f"\nwrote {path}")
    if not args.no_write and not custom and args.only == "all" and not args.mode:
        write_section("quality", "## Quality", table)
        print(f"wrote {ROOT / 'docs' / 'benchmarks.md'}")
    return 0


def render_table(rows, n_sh: int, n_te: int) -> str:
    versions = (
        f"cleaner {cleaner.__version__}, trafilatura {trafilatura.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} ({cpu_model()}), {datetime.date.today().isoformat()}"
    )
    lines = [
        f"Measured with `python bench/quality.py` ({versions}).",
        f"scrapinghub: {n_sh} pages, P/R/F1 of 4-token shingles ± bootstrap std; "
        f"trafilatura-eval: {n_te} pages, share of `with` snippets present and `without` snippets absent.",
        "",
        "| configuration | precision | recall | F1 | with present | without absent | docs/s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, p, sp, r, sr, f1, sf, present, absent, speed in rows:
        lines.append(
            f"| {label} | {p:.3f} ± {sp:.3f} | {r:.3f} ± {sr:.3f} | {f1:.3f} ± {sf:.3f} | "
            f"{present:.3f} | {absent:.3f} | {speed:.0f} |"
        )
    return "\n".join(lines)


def write_review(path: Path, review: Review, mode: str) -> None:
    cell = lambda text: text.replace("|", "/")
    lines = [
        "# Quality review",
        "",
        f"Written by `python bench/quality.py` (cleaner's rules over the `{mode}` extraction). Use it to",
        "improve the packs: a false positive is a removal of article text (scrapinghub: three words or",
        "more, at least half of them in the gold body; trafilatura-eval: a removal that took a `with`",
        "snippet); the leftovers are junk lines no rule removed. `--dump DIR` writes every page with",
        "each line marked, `--ablation` what each rule is worth.",
        "",
        "## Per rule",
        "",
        "sh = scrapinghub, te = trafilatura-eval. Δ columns (with `--ablation`): the metric with the rule",
        "minus the metric without it.",
        "",
        "| rule | sh removals | sh FP | sh FP words | te removals | te `with` lost | te `without` hit "
        "| ΔF1 sh | ΔP sh | Δwithout te | Δwith te |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    order = sorted(review.per_rule, key=lambda r: -(review.per_rule[r]["sh removals"] + review.per_rule[r]["te removals"]))
    for rule in order:
        c = review.per_rule[rule]
        d = review.ablation.get(rule)
        delta = f"{d[2]:+.4f} | {d[0]:+.4f} | {d[4]:+.4f} | {d[3]:+.4f}" if d else " | | | "
        lines.append(
            f"| {rule} | {c['sh removals']} | {c['sh FP']} | {c['sh FP words']} | {c['te removals']} | "
            f"{c['te with lost']} | {c['te without hit']} | {delta} |"
        )
    lines += ["", f"## False positives ({len(review.false_pos)})", ""]
    lines += ["| set | page | rule | removed text |", "| --- | --- | --- | --- |"]
    for dataset, page, rule, text in review.false_pos:
        lines.append(f"| {dataset} | {page[:16]} | {rule} | {cell(text[:160])} |")
    lines += ["", "## Most common leftover lines not in the gold text (scrapinghub)", ""]
    lines += ["| pages | line |", "| --- | --- |"]
    for text, count in review.leftovers.most_common(80):
        lines.append(f"| {count} | {cell(text)} |")
    lines += ["", f"## `without` snippets still present (trafilatura-eval, {len(review.te_leftovers)})", "",
              "| page | line that holds it |", "| --- | --- |"]
    for name, line in review.te_leftovers:
        lines.append(f"| {name} | {cell(line[:200])} |")
    lines += ["", "## Leftover lines per page (scrapinghub)", ""]
    for page, junk in sorted(review.leftover_pages.items(), key=lambda kv: -len(kv[1])):
        more = " …" if len(junk) > 12 else ""
        lines.append(f"- `{page[:16]}`: " + " ⏎ ".join(cell(j[:80]) for j in junk[:12]) + more)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
