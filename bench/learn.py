"""Benchmark for `cleaner learn`: planted boilerplate recovered, memory, and rules from real text.

1. Quality. A generated corpus (deterministic, seeded) of --docs documents from --outlets synthetic
   outlets, each with its own planted head lines (datelines with varying dates, breadcrumbs,
   reading times), prompts between paragraphs (newsletter, follow, ads), and tail lines (appeals
   with varying amounts, comment counts, footer blocks with varying years); and article text that
   repeats: agency stories republished word for word, and generic section headings shared by all
   outlets, each between two paragraphs of about 50 documents in 20,000. Then, as a user would:
       cleaner learn CORPUS -o learned.yaml
       cleaner rules check learned.yaml && cleaner rules test learned.yaml
       cleaner clean --rules learned.yaml -o OUT CORPUS
   and counts, line by line, the share of planted lines removed and of article lines removed.
   Once more with --no-default-rules on both commands (the learned pack alone), and once with
   --no-context as well (the generic headings are then proposed, and article lines removed).
2. Memory. `cleaner learn --jsonl` on --docs and on --big documents streamed to its stdin, each in
   its own child process, started by a small launcher (a child's peak RSS counts its parent's
   memory at fork time); peak RSS from os.wait4 (ru_maxrss of that child alone).
3. Real text. The texts trafilatura extracts (with its defaults) from the pages of
   DATA/trafilatura-eval; `cleaner learn --min-docs 3` on them; the top 15 rules, and what the
   learned pack alone does to the ground truth's "with" (must stay) and "without" (must go) snippets.

Usage: python bench/learn.py [DATA_DIR] [--docs 20000] [--big 200000] [--outlets 40] [--seed 0]
                             [--jobs N] [--skip-memory] [--skip-real] [--no-write]
DATA_DIR defaults to ../shared/bench-data next to the checkout. Prints the figures and, unless
--no-write, writes them between the learn markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from benchdocs import write_section
from cleaner.learn import Settings

ROOT = Path(__file__).resolve().parent.parent
CLEANER = [sys.executable, "-m", "cleaner"]
# argv: REPORT COMMAND...; runs COMMAND (stdin and stderr inherited), writes "maxrss_kb exit_code" to REPORT
LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}')\n"
)
SHARDS = 8
WIRE_STORIES, WIRE_SHARE = 5, 0.025  # 2.5% of the documents are copies of 5 agency stories
# 4% of the documents have one of 16 generic section headings ("Background", "Analysis") between two
# paragraphs: article text that repeats across outlets, about 50 documents each in 20,000
GENERIC_HEADINGS, GENERIC_SHARE = 16, 0.04

# --- the generated corpus ----------------------------------------------------------------------

FUNCTION_WORDS = (
    "the the the of of and and to to in in a a is was that for on with as by at from it said "
    "his her their its has had have were be not but more after over about new two first last"
).split()
SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru "
    "sa se si so su ta te ti to tu va ve vi vo zu"
).split()
PLACES = (
    "Riverside Northern Harbour Valley Metro Coastal Capital Highland Lakeside Prairie Eastern Western "
    "Southern Central Bay Summit Pinewood Granite Silver Iron"
).split()
PAPERS = "Courier Gazette Herald Tribune Observer Chronicle Ledger Sentinel".split()
CITIES = "Ashford Brampton Carlow Dunmore Elgin Fenwick Galway Hexham Inverleigh Jarrow".split()
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SECTIONS = "World Politics Business Science Sport Culture Health Opinion Climate Technology".split()
NETWORKS = "Telegram Instagram Facebook WhatsApp Threads Bluesky".split()


def make_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((1, 2, 2, 3, 3, 4)))))
    return sorted(words)


def date_line(rng: random.Random, style: int, outlet: dict) -> str:
    d, m, y = rng.randint(1, 28), rng.randrange(12), rng.randint(2019, 2025)
    hh, mm = rng.randint(0, 23), rng.randint(0, 59)
    month, weekday = MONTHS[m], WEEKDAYS[rng.randrange(7)]
    return [
        f"{outlet['name']} | {d} {month} {y}",
        f"Updated {d:02d}.{m + 1:02d}.{y}, {hh:02d}:{mm:02d}",
        f"{weekday[:3]} {d} {month[:3]} {y} {hh:02d}.{mm:02d} GMT",
        f"Last modified on {weekday} {d} {month} {y}",
        f"By {outlet['name']} staff — {month} {d}, {y}",
        f"{outlet['city']}, {month} {d} ({outlet['short']})",
    ][style]


def make_outlets(rng: random.Random, count: int) -> list[dict]:
    names = [(p, k) for p in PLACES for k in PAPERS]
    rng.shuffle(names)
    outlets = []
    for place, paper in names[:count]:
        name = f"The {place} {paper}"
        o = {
            "name": name,
            "short": f"{place[:3].upper()}{paper[0]}",
            "domain": f"{place}{paper}.example".lower(),
            "city": rng.choice(CITIES),
            "sections": rng.sample(SECTIONS, rng.randint(2, 4)),
            "network": rng.choice(NETWORKS),
        }
        # (family, where, probability per document, style)
        plan = [("dateline", "head", rng.uniform(0.6, 0.95), rng.randrange(6))]
        if rng.random() < 0.5:
            plan.append(("breadcrumb", "head", rng.uniform(0.5, 0.9), rng.randrange(2)))
        if rng.random() < 0.4:
            plan.append(("reading-time", "head", rng.uniform(0.5, 0.9), rng.randrange(2)))
        for family in rng.sample(["newsletter", "follow", "more-from"], rng.randint(1, 2)):
            plan.append((family, "middle", rng.uniform(0.3, 0.7), rng.randrange(2)))
        if rng.random() < 0.3:
            plan.append(("advert", "middle", rng.uniform(0.3, 0.6), rng.randrange(3)))
        if rng.random() < 0.6:
            plan.append(("appeal", "tail", rng.uniform(0.4, 0.8), rng.randrange(3)))
        if rng.random() < 0.4:
            plan.append(("comments", "tail", rng.uniform(0.5, 0.9), rng.randrange(3)))
        if rng.random() < 0.8:
            plan.append(("footer", "tail", rng.uniform(0.7, 0.95), rng.randrange(3)))
        o["plan"] = plan
        outlets.append(o)
    return outlets


def planted_lines(rng: random.Random, family: str, style: int, o: dict) -> list[str]:
    name, domain = o["name"], o["domain"]
    if family == "dateline":
        return [date_line(rng, style, o)]
    if family == "breadcrumb":
        section = rng.choice(o["sections"])
        return [[f"Home › {section}", f"{name} > News > {section}"][style]]
    if family == "reading-time":
        n = rng.randint(2, 14)
        return [[f"Listen to this article · {n} min", f"Reading time: {n} minutes"][style]]
    if family == "newsletter":
        return [[f"Sign up for {name}'s daily newsletter", f"Get {name} briefing in your inbox"][style]]
    if family == "follow":
        network = o["network"]
        return [[f"Follow {name} on {network}", f"Join our {network} channel for breaking news from {o['city']}"][style]]
    if family == "more-from":
        return [[f"More from {name}", f"Most read on {domain}"][style]]
    if family == "advert":
        return [["Advertisement", "ADVERTISEMENT", "Story continues below advertisement"][style]]
    if family == "appeal":
        n = rng.choice((3, 5, 7, 10, 12))
        return [[
            f"{name} is independent and reader-funded. Support us from just ${n} a month.",
            f"If you value our reporting, become a member of {name} today: it takes {n} minutes.",
            f"Donate to {name}: every contribution, however big or small, keeps our journalism free.",
        ][style]]
    if family == "comments":
        n = rng.randint(0, 480)
        return [[f"Comments ({n})", f"{n} comments", f"View all {n} comments on {domain}"][style]]
    if family == "footer":
        y = rng.randint(2019, 2025)
        return [
            [f"© {y} {name}. All rights reserved.", f"Copyright {y} {name} Media Ltd", f"© {name} {y}"][style],
            f"{o['city']} office: {17 + len(name)} Market Street",
            f"Contact the newsroom: news@{domain}",
        ][: 2 + style % 2]
    raise ValueError(family)


def sentence(rng: random.Random, vocab: list[str], lo: int = 6, hi: int = 25) -> str:
    count = rng.randint(lo, hi)
    words = [rng.choice(vocab) if rng.random() < 0.6 else rng.choice(FUNCTION_WORDS) for _ in range(count)]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = str(rng.randint(2, 2000))
    return " ".join(words).capitalize() + rng.choice("....!?")


def make_wire_story(rng: random.Random, vocab: list[str]) -> list[str]:
    """A news-agency story that many outlets republish word for word: short paragraphs, subheadings."""
    paragraphs = []
    for number in range(rng.randint(8, 14)):
        if number in (4, 9):
            paragraphs.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(2, 4))).title())
        else:
            paragraphs.append(" ".join(sentence(rng, vocab, 10, 24) for _ in range(rng.choice((1, 1, 1, 2)))))
    return paragraphs


def make_document(
    rng: random.Random, vocab: list[str], headings: list[str], wire: list[list[str]], o: dict
) -> tuple[str, list]:
    """One document: its text and, for each of its lines, the family of boilerplate it is (None: article)."""
    body: list[tuple[str, str | None]] = []
    if rng.random() < WIRE_SHARE:
        body = [(paragraph, None) for paragraph in rng.choice(wire)]
    for _ in range(0 if body else rng.randint(4, 14)):
        sentences = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
        body.append((" ".join(sentence(rng, vocab) for _ in range(sentences)), None))
        if rng.random() < 0.04:
            body.append((rng.choice(headings), None))
    head: list[tuple[str, str]] = []
    tail: list[tuple[str, str]] = []
    for family, where, probability, style in o["plan"]:
        if rng.random() >= probability:
            continue
        lines = [(line, family) for line in planted_lines(rng, family, style, o)]
        if where == "head":
            head.extend(lines)
        elif where == "tail":
            tail.extend(lines)
        else:
            at = rng.randint(1, len(body))
            body[at:at] = lines
    lines = head + body + tail
    return "\n".join(text for text, _ in lines) + "\n", [planted for _, planted in lines]


def add_generic_heading(rng: random.Random, generic: list[str], text: str, flags: list) -> tuple[str, list]:
    """With probability GENERIC_SHARE, one generic heading between two article lines of the document."""
    lines = text.rstrip("\n").split("\n")
    places = [i for i in range(1, len(lines)) if flags[i - 1] is None and flags[i] is None]
    if rng.random() >= GENERIC_SHARE or not places:
        return text, flags
    at = rng.choice(places)
    lines.insert(at, rng.choice(generic))
    return "\n".join(lines) + "\n", [*flags[:at], None, *flags[at:]]


def generate(count: int, outlets: int, seed: int):
    """Yield (outlet name, text, family of each line or None) for ``count`` documents."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    headings = [" ".join(rng.choice(vocab) for _ in range(rng.randint(2, 5))).title() for _ in range(5000)]
    sources = make_outlets(rng, outlets)
    wire = [make_wire_story(rng, vocab) for _ in range(WIRE_STORIES)]
    # a generator of its own, so that the rest of the corpus does not depend on the generic headings
    generic_rng = random.Random(seed + 1)
    generic = [" ".join(generic_rng.choice(vocab) for _ in range(generic_rng.randint(1, 2))).title() for _ in
               range(GENERIC_HEADINGS)]
    for _ in range(count):
        o = rng.choice(sources)
        text, flags = make_document(rng, vocab, headings, wire, o)
        yield (o["name"], *add_generic_heading(generic_rng, generic, text, flags))


# --- running cleaner ---------------------------------------------------------------------------


def run(args: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    done = subprocess.run(CLEANER + args, capture_output=True, text=True, **kwargs)
    return done, time.perf_counter() - start


def must(done: subprocess.CompletedProcess, what: str, codes=(0,)) -> None:
    if done.returncode not in codes:
        sys.exit(f"{what} exited {done.returncode}\n{done.stdout}\n{done.stderr}")


def line_accounting(original: str, cleaned: str, flags: list) -> tuple[int, int, int, int]:
    """(planted, planted removed, article, article removed), over non-blank lines."""
    left = Counter(line for line in cleaned.split("\n") if line.strip())
    counts = [0, 0, 0, 0]
    for line, planted in zip(original.rstrip("\n").split("\n"), flags):
        if not line.strip():
            continue
        kept = left[line] > 0
        if kept:
            left[line] -= 1
        index = 0 if planted else 2
        counts[index] += 1
        counts[index + 1] += not kept
    return tuple(counts)


def quality(args, work: Path) -> dict:
    corpus = work / "corpus"
    corpus.mkdir()
    flags_of: dict[tuple[str, int], list] = {}
    originals: dict[tuple[str, int], str] = {}
    handles = [open(corpus / f"shard-{i:02d}.jsonl", "w", encoding="utf-8") for i in range(SHARDS)]
    start = time.perf_counter()
    for number, (outlet, text, flags) in enumerate(generate(args.docs, args.outlets, args.seed)):
        shard = f"shard-{number % SHARDS:02d}.jsonl"
        handles[number % SHARDS].write(json.dumps({"id": number, "outlet": outlet, "text": text}) + "\n")
        flags_of[(shard, number)] = flags
        originals[(shard, number)] = text
    for handle in handles:
        handle.close()
    print(f"generated {args.docs:,} documents from {args.outlets} outlets in {time.perf_counter() - start:.0f} s")

    out: dict = {}
    variants = (
        ("with the shipped packs", [], []),
        ("learned pack alone", ["--no-default-rules"], ["--no-default-rules"]),
        ("learned pack alone, `--no-context`", ["--no-default-rules", "--no-context"], ["--no-default-rules"]),
    )
    for number, (variant, extra, clean_extra) in enumerate(variants):
        pack = work / f"learned-{number}.yaml"
        done, took = run(["learn", str(corpus), "-o", str(pack), *extra])
        must(done, "cleaner learn")
        summary = done.stderr.strip().splitlines()[0]
        for command in ("check", "test"):
            checked, _ = run(["rules", command, str(pack)])
            must(checked, f"cleaner rules {command}")
        rules = yaml.safe_load(pack.read_text(encoding="utf-8"))["rules"]
        target = work / f"out-{number}"
        cleaned, clean_took = run(
            ["clean", "--rules", str(pack), *clean_extra, "-o", str(target), "-q", "--no-cache", "-j", str(args.jobs)]
            + [str(corpus)]
        )
        must(cleaned, "cleaner clean", codes=(0,))
        totals = [0, 0, 0, 0]
        for shard in sorted(target.glob("*.jsonl")):
            with open(shard, encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    key = (shard.name, record["id"])
                    counts = line_accounting(originals[key], record["text"], flags_of[key])
                    totals = [a + b for a, b in zip(totals, counts)]
        planted, planted_removed, article, article_removed = totals
        out[variant] = {
            "rules": len(rules),
            "actions": dict(Counter(rule["action"] for rule in rules)),
            "learn_seconds": took,
            "clean_seconds": clean_took,
            "summary": summary,
            "planted": planted,
            "planted_removed": planted_removed,
            "article": article,
            "article_removed": article_removed,
        }
        print(
            f"{variant}: {len(rules)} rules {dict(Counter(rule['action'] for rule in rules))}, learn {took:.0f} s, "
            f"clean {clean_took:.0f} s; planted lines removed {planted_removed:,}/{planted:,} "
            f"({planted_removed / planted:.2%}); article lines removed {article_removed:,}/{article:,} "
            f"({article_removed / article:.3%})"
        )
    return out


def memory(args, work: Path) -> list[dict]:
    rows = []
    for count in (args.docs, args.big):
        pack = work / f"memory-{count}.yaml"
        start = time.perf_counter()
        report = work / f"memory-{count}.rusage"
        # A child's peak RSS starts at its parent's RSS when it forks, and this process holds a
        # lot by now: a small launcher starts `cleaner learn` and reports its peak alone.
        child = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(report), *CLEANER, "learn", "--jsonl", "-o", str(pack)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for number, (outlet, text, _) in enumerate(generate(count, args.outlets, args.seed)):
            child.stdin.write(json.dumps({"id": number, "outlet": outlet, "text": text}).encode() + b"\n")
        child.stdin.close()
        stderr = child.stderr.read().decode()
        child.wait()
        maxrss_kb, code = map(int, report.read_text().split())
        if child.returncode or code:
            sys.exit(f"cleaner learn exited {code}\n{stderr}")
        rules = len(yaml.safe_load(pack.read_text(encoding="utf-8"))["rules"])
        row = {
            "documents": count,
            "peak_rss_mb": maxrss_kb / 1024,
            "seconds": time.perf_counter() - start,
            "rules": rules,
            "summary": stderr.strip().splitlines(),
        }
        rows.append(row)
        print(f"{count:,} documents: peak RSS {row['peak_rss_mb']:.1f} MB, {rules} rules, {row['seconds']:.0f} s")
        for line in row["summary"]:
            print(f"  {line}")
    print(f"ratio {rows[1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}x")
    return rows


def extract_one(path: str) -> tuple[str, str | None]:
    """trafilatura's text of one page, with trafilatura's own defaults."""
    import trafilatura

    return Path(path).name, trafilatura.extract(gzip.decompress(Path(path).read_bytes()), output_format="txt")


def flat(text: str) -> str:
    return " ".join(text.split())


def real_text(args, work: Path) -> dict:
    folder = args.data / "trafilatura-eval"
    pages = sorted(str(p) for p in (folder / "html").glob("*.gz"))
    if not pages:
        sys.exit(f"no pages in {folder / 'html'}")
    truth = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    corpus = work / "trafilatura-eval.jsonl"
    texts: dict[str, str] = {}
    with ProcessPoolExecutor(args.jobs) as pool, open(corpus, "w", encoding="utf-8") as out:
        for name, text in pool.map(extract_one, pages, chunksize=8):
            if text:
                out.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n")
                texts[name] = text
    print(f"trafilatura extracted text from {len(texts)} of {len(pages)} pages in {time.perf_counter() - start:.0f} s")
    pack = work / "trafilatura-eval.yaml"
    options = ["--min-docs", str(args.real_min_docs)]
    done, _ = run(["learn", str(corpus), "-o", str(pack), *options])
    must(done, "cleaner learn")
    for command in ("check", "test"):
        checked, _ = run(["rules", command, str(pack)])
        must(checked, f"cleaner rules {command}")
    rules = yaml.safe_load(pack.read_text(encoding="utf-8"))["rules"]
    print(done.stderr.strip())
    # what the context check leaves out: the rules --no-context adds
    loose = work / "trafilatura-eval-no-context.yaml"
    done, _ = run(["learn", str(corpus), "-o", str(loose), *options, "--no-context"])
    must(done, "cleaner learn --no-context")
    kept = {rule["pattern"] for rule in rules}
    isolated = [rule for rule in yaml.safe_load(loose.read_text(encoding="utf-8"))["rules"] if rule["pattern"] not in kept]

    # what the learned pack alone does to the snippets the ground truth says must stay or go
    from cleaner import Cleaner, load_pack

    learned = Cleaner(packs=[load_pack(pack)])
    snippets = {"with": [0, 0, 0], "without": [0, 0, 0]}  # total, present before, present after
    changed = 0
    for name, text in texts.items():
        entry = truth.get(name.removesuffix(".gz"))
        if entry is None:
            continue
        after = learned(text)
        changed += after != text
        before_flat, after_flat = flat(text), flat(after)
        for kind in snippets:
            for snippet in entry.get(kind, []):
                snippets[kind][0] += 1
                snippets[kind][1] += flat(snippet) in before_flat
                snippets[kind][2] += flat(snippet) in after_flat
    lost = snippets["with"][1] - snippets["with"][2]
    gone = snippets["without"][1] - snippets["without"][2]
    print(
        f"learned pack alone changes {changed} documents; 'with' snippets (must stay) lost: {lost} of "
        f"{snippets['with'][1]} present; 'without' snippets (must go) removed: {gone} of "
        f"{snippets['without'][1]} present"
    )
    print(f"top 15 of {len(rules)} rules (cleaner learn {' '.join(options)}):")
    for rule in rules[:15]:
        print(f"  {rule['id']} [{rule['action']}] {rule['description']}")
    print(f"left out as isolated, proposed with --no-context ({len(isolated)}):")
    for rule in isolated:
        print(f"  {rule['id']} [{rule['action']}] {rule['description']}")
    return {
        "isolated": isolated,
        "pages": len(pages),
        "extracted": len(texts),
        "rules": len(rules),
        "top": rules[:15],
        "options": options,
        "changed": changed,
        "snippets": snippets,
    }


# --- report ------------------------------------------------------------------------------------


def render(args, q: dict | None, m: list[dict] | None, r: dict | None) -> str:
    out = ["## Learning rules (`cleaner learn`)", ""]
    out.append(f"`python bench/learn.py` on {platform.python_implementation()} {platform.python_version()}, "
               f"{os.cpu_count()} cores; generated corpora seeded with {args.seed}.")
    out.append("")
    if q:
        out += [
            f"**Planted boilerplate.** {args.docs:,} generated documents from {args.outlets} synthetic outlets, each "
            "with its own datelines (varying dates), breadcrumbs, reading times, prompts between paragraphs, "
            "appeals (varying amounts), comment counts and footer blocks (varying years); article text that "
            f"repeats: agency stories republished word for word in {WIRE_SHARE:.1%} of the documents, and "
            f"{GENERIC_HEADINGS} generic section headings shared by all outlets, one of them between two paragraphs "
            f"of {GENERIC_SHARE:.0%} of the documents. "
            "`cleaner learn CORPUS -o learned.yaml` with default settings, then "
            "`cleaner clean --rules learned.yaml`; lines compared one by one.",
            "",
            "| | rules | planted lines removed | article lines removed | learn | clean |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for variant, row in q.items():
            actions = ", ".join(f"{n} {a}" for a, n in sorted(row["actions"].items()))
            out.append(
                f"| {variant} | {row['rules']} ({actions}) | {row['planted_removed']:,} / {row['planted']:,} "
                f"({row['planted_removed'] / row['planted']:.2%}) | {row['article_removed']:,} / {row['article']:,} "
                f"({row['article_removed'] / row['article']:.3%}) | {row['learn_seconds']:.0f} s "
                f"| {row['clean_seconds']:.0f} s |"
            )
        out.append("")
    if m:
        out += [
            f"**Memory.** `cleaner learn --jsonl` with default settings (`--max-keys {Settings.max_keys}`), the corpus "
            "streamed to its stdin; peak RSS of that process alone.",
            "",
            "| documents | peak RSS | rules | time |",
            "| --- | --- | --- | --- |",
        ]
        for row in m:
            mb, seconds = row["peak_rss_mb"], row["seconds"]
            out.append(f"| {row['documents']:,} | {mb:.1f} MB | {row['rules']} | {seconds:.0f} s |")
        out.append("")
        ratio = m[1]["peak_rss_mb"] / m[0]["peak_rss_mb"]
        out.append(f"Ratio {ratio:.2f}x for {m[1]['documents'] // m[0]['documents']}x the documents.")
        out.append("")
    if r:
        with_, without = r["snippets"]["with"], r["snippets"]["without"]
        out += [
            f"**Real text.** The texts trafilatura (its defaults) extracts from {r['extracted']} of the "
            f"{r['pages']} pages of trafilatura-eval, which come from over 900 different sites; "
            f"`cleaner learn {' '.join(r['options'])}` proposed {r['rules']} rules. Applied alone, they change "
            f"{r['changed']} documents, remove {without[1] - without[2]} of the {without[1]} `without` snippets "
            f"(boilerplate) present, and lose {with_[1] - with_[2]} of the {with_[1]} `with` snippets (article text). "
            + ("The top 15:" if len(r["top"]) >= 15 else "All of them:"),
            "",
            "| rule | action | documents | example |",
            "| --- | --- | --- | --- |",
        ]
        for rule in r["top"]:
            out.append(f"| `{rule['id']}` | {rule['action']} | {rule_count(rule)} | {rule_example(rule)} |")
        isolated = ", ".join(f"{rule_example(rule)} ({rule_count(rule)})" for rule in r["isolated"])
        out += [
            "",
            "One page per site leaves little for `cleaner learn` to find, since its signal is an outlet repeating "
            "itself; what repeats across sites is mostly comment and sharing widgets, and generic headings and "
            "greetings. Those sit between lines found in no other page, and are left out (the context check, see "
            f"`cleaner learn --help`); `--no-context` would have added {len(r['isolated'])} rules: {isolated}.",
            "",
        ]
    return "\n".join(out).rstrip("\n")


def rule_count(rule: dict) -> str:
    return re.search(r"([\d,]+) of [\d,]+ documents", rule["description"])[1]


def rule_example(rule: dict) -> str:
    example = rule["examples"]["remove"][0].replace("\n", " ⏎ ").replace("|", "\\|")
    return example if len(example) <= 90 else example[:87] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "bench-data")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--real-min-docs", type=int, default=3, help="--min-docs for the trafilatura-eval run")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cleaner-learn-bench-") as tmp:
        work = Path(tmp)
        q = None if args.skip_quality else quality(args, work)
        m = None if args.skip_memory else memory(args, work)
        r = None if args.skip_real else real_text(args, work)
    section = render(args, q, m, r)
    print()
    print(section)
    if not args.no_write:
        print(f"\nwrote {write_section('learn', '', section)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
