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
Writes the table into docs/benchmarks.md and the review file docs/quality-review.md.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import trafilatura

import cleaner
from cleaner import Cleaner

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
BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"


def extract_page(args: tuple[str, bytes]) -> dict[str, tuple[str, float]]:
    """Every extraction of one page: name -> (text, seconds)."""
    _, html = args
    out = {}
    for name, kwargs in EXTRACTIONS.items():
        start = time.perf_counter()
        text = trafilatura.extract(html, output_format="txt", **kwargs) or ""
        out[name] = (text, time.perf_counter() - start)
    return out


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "bench-data")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--jobs", type=int, default=2, help="processes for extraction")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"{args.data}: no such folder (give the bench-data folder)")

    rules = Cleaner()
    sh_pages = load_scrapinghub(args.data / "scrapinghub", args.limit)
    te_pages = load_trafilatura_eval(args.data / "trafilatura-eval", args.limit)
    with ProcessPoolExecutor(args.jobs) as pool:
        sh_extracted = list(pool.map(extract_page, [(i, h) for i, h, _ in sh_pages], chunksize=4))
        te_extracted = list(pool.map(extract_page, [(n, h) for n, h, _ in te_pages], chunksize=4))

    rows, review_fp, leftovers, rule_removals = [], [], Counter(), Counter()
    for label, extraction, with_rules in ROWS:
        triples, seconds, docs = [], 0.0, 0
        for (page_id, _, gold), extracted in zip(sh_pages, sh_extracted):
            text, took = extracted[extraction]
            seconds += took
            if with_rules:
                result, took = run_rules(rules, text)
                seconds += took
                if result is not None and not result.guarded:
                    text = result.text
                    if label.endswith("balanced"):
                        review_fp.extend(false_positives("scrapinghub", page_id, result, normalise(gold)))
                        rule_removals.update(r.rule_id for r in result.removals)
                        gold_lines = {normalise(line) for line in gold.splitlines()}
                        gold_flat = normalise(gold)
                        for line in text.splitlines():
                            n = normalise(line)
                            if n and n not in gold_lines and n not in gold_flat:
                                leftovers[n[:120]] += 1
            triples.append(tp_fp_fn(gold, text))
            docs += 1
        p, r, f1 = scores(triples)
        sp, sr, sf = bootstrap_std(triples)
        present = absent = total_with = total_without = 0
        for (name, _, entry), extracted in zip(te_pages, te_extracted):
            text, took = extracted[extraction]
            seconds += took
            if with_rules:
                result, took = run_rules(rules, text)
                seconds += took
                if result is not None and not result.guarded:
                    if label.endswith("balanced"):
                        review_fp.extend(snippet_losses(name, result, entry["with"]))
                    text = result.text
            flat = normalise(text)
            present += sum(normalise(s) in flat for s in entry["with"])
            absent += sum(normalise(s) not in flat for s in entry["without"])
            total_with += len(entry["with"])
            total_without += len(entry["without"])
            docs += 1
        rows.append((label, p, sp, r, sr, f1, sf, present / total_with, absent / total_without, docs / seconds))

    table = render_table(rows, len(sh_pages), len(te_pages))
    print(table)
    if not args.no_write:
        write_benchmarks(table)
        write_review(review_fp, leftovers, rule_removals)
        print(f"\nwrote {ROOT / 'docs' / 'benchmarks.md'} and {ROOT / 'docs' / 'quality-review.md'}")
    return 0


def false_positives(dataset: str, page_id: str, result, gold_flat: str):
    """Removals (of three words or more) whose text is part of the gold article body."""
    for removal in result.removals:
        text = normalise(removal.text)
        if len(text.split()) >= 3 and text in gold_flat:
            yield (dataset, page_id, removal.rule_id, text)


def snippet_losses(name: str, result, snippets):
    """Removals that took away a snippet the page must keep."""
    for removal in result.removals:
        text = normalise(removal.text)
        for snippet in snippets:
            s = normalise(snippet)
            if s and (s in text or (len(text.split()) >= 3 and text in s)):
                yield ("trafilatura-eval", name, removal.rule_id, text)


def render_table(rows, n_sh: int, n_te: int) -> str:
    versions = (
        f"cleaner {cleaner.__version__}, trafilatura {trafilatura.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()} ({_cpu()}), {datetime.date.today().isoformat()}"
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


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_benchmarks(table: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    block = f"{BEGIN}\n{table}\n{END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
        else:
            text = text.rstrip() + "\n\n## Quality\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n## Quality\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def write_review(false_pos, leftovers: Counter, rule_removals: Counter) -> None:
    lines = [
        "# Quality review",
        "",
        "Written by `python bench/quality.py` (cleaner's defaults, balanced extraction). Use it to improve",
        "the packs: every false positive is a rule that cut article text; the leftovers are junk lines",
        "that no rule removed.",
        "",
        "## Removals per rule (scrapinghub)",
        "",
        "| rule | removals |",
        "| --- | --- |",
    ]
    lines += [f"| {rule} | {count} |" for rule, count in rule_removals.most_common()]
    lines += ["", f"## False positives ({len(false_pos)})", "", "| set | page | rule | removed text |", "| --- | --- | --- | --- |"]
    for dataset, page, rule, text in false_pos:
        lines.append(f"| {dataset} | {page[:16]} | {rule} | {text[:160].replace('|', '/')} |")
    lines += ["", "## Most common leftover lines not in the gold text (scrapinghub)", "", "| pages | line |", "| --- | --- |"]
    for text, count in leftovers.most_common(60):
        lines.append(f"| {count} | {text.replace('|', '/')} |")
    (ROOT / "docs" / "quality-review.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
