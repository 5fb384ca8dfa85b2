"""Benchmark: cleaning a folder of generated articles in place, with and without the cache.

Generates N .txt articles (deterministic, seeded), a tenth of them carrying
boilerplate, then times on the same files:

  cleaner clean --check    (must exit 1 and name exactly the planted files)
  cleaner clean -j 1       (cold, into a copy)   and   cleaner clean -j 2 (cold, into a copy)
  cleaner clean            (second run: nothing changes, served by the cache)

Usage: python bench/folder.py [--files 10000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "council river budget school winter market harbour station museum bridge village report minister "
    "farmers election court engineers hospital library weather festival railway energy water factory "
    "students coast mountain province company workers prices project plan study season airport road"
).split()

BOILERPLATE = [
    "Share this article",
    "Advertisement",
    "A Message from The Daily Example:\nDear readers,\nIndependent journalism needs your support. "
    "Please support us monthly starting from just $2.\nRemind me later.",
    "Sign up for our newsletter",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 28))]
    return "The " + " ".join(words) + "."


def article(rng: random.Random, size: int) -> str:
    paragraphs = []
    while sum(len(p) for p in paragraphs) < size:
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))))
    return "\n".join(paragraphs) + "\n"


def generate(folder: Path, files: int, seed: int = 7) -> set[str]:
    """Write the corpus; return the relative paths that carry boilerplate."""
    rng = random.Random(seed)
    planted = set()
    for i in range(files):
        sub = folder / f"part{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        text = article(rng, 3000)
        name = f"part{i // 1000:02d}/doc{i:05d}.txt"
        if i % 10 == 3:
            lines = text.splitlines()
            junk = rng.choice(BOILERPLATE)
            if junk.startswith("A Message"):
                lines.append(junk)
            else:
                lines.insert(rng.randint(1, len(lines)), junk)
            text = "\n".join(lines) + "\n"
            planted.add(name)
        (folder / name).write_text(text, encoding="utf-8")
    return planted


def timed(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="cleaner-folder-bench-"))
    cleaner = [sys.executable, "-m", "cleaner", "clean"]
    env = {**os.environ, "CLEANER_CACHE_DIR": str(work / "cache")}

    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    planted = generate(corpus, args.files)
    size = sum(p.stat().st_size for p in corpus.rglob("*.txt"))
    print(f"corpus: {args.files:,} files, {size / 1e6:.1f} MB, {len(planted):,} with boilerplate")

    seconds, done = timed([*cleaner, "--check", "--no-cache", str(corpus)], env)
    named = {line.split(" ", 2)[2] for line in done.stderr.splitlines() if line.startswith("would clean ")}
    named = {str(Path(p).relative_to(corpus)) for p in named}
    print(f"--check: exit {done.returncode}, {seconds:.2f} s, names {len(named):,} files, "
          f"exactly the planted ones: {named == planted}")

    results = {}
    for jobs in (1, 2):
        copy = work / f"copy-j{jobs}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(corpus, copy)
        seconds, done = timed([*cleaner, "--no-cache", "-j", str(jobs), str(copy)], env)
        changed = {str(Path(line[len("cleaned "):]).relative_to(copy)) for line in done.stderr.splitlines()
                   if line.startswith("cleaned ")}
        results[jobs] = seconds
        print(f"clean -j {jobs}: exit {done.returncode}, {seconds:.2f} s, cleaned exactly the planted files: "
              f"{changed == planted}")
    print(f"-j 2 speed-up over -j 1: {results[1] / results[2]:.2f}x")

    target = work / "copy-j2"
    seconds_first, _ = timed([*cleaner, str(target)], env)  # fills the cache (nothing left to change)
    seconds_second, done = timed([*cleaner, str(target)], env)
    print(f"re-run, cache filled: {seconds_second:.2f} s ({done.stderr.strip().splitlines()[-1]}); "
          f"first run {results[2]:.2f} s; ratio {seconds_second / results[2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
