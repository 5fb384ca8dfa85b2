"""Benchmark: a sharded JSONL corpus cleaned on a local Dask cluster, against the single-process CLI.

Generates SHARDS JSONL shards (deterministic, seeded) totalling about SIZE MB
of article-like records, a third of them carrying boilerplate the shipped rules
remove ("Share this article", "Advertisement", an appeal block), then:

  1. cleaner clean --jsonl --stats < shard > ref/shard     shard by shard, one process each
  2. cleaner clean --jsonl 'in/*.jsonl' -o out --scheduler local -j 2 --stats
     outputs byte for byte against 1., per-rule stats against the sum of 1.'s
  3. the same into a fresh folder, killed (SIGKILL to its whole process group) once half
     the shards are written, then run again: counts of shards rewritten and skipped,
     outputs against 1.
  4. throughput: MB/s of the single-process CLI (shard by shard, and once over the whole corpus
     concatenated, one start-up) and per worker of 2., best of
     --rounds alternating rounds (the machine may be shared; the best round is the least disturbed).

Needs the dask extra. Usage: python bench/dask_shards.py [--shards 20] [--size 100] [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

WORDS = (
    "council river budget school winter market harbour station museum bridge village report minister "
    "farmers election court engineers hospital library weather festival railway energy water factory "
    "students coast mountain province company workers prices project plan study season airport road"
).split()
APPEAL = (
    "A Message from The Example Times:\nDear readers,\nIndependent journalism needs your support. "
    "Please support us monthly starting from just $2.\nRemind me later."
)
CLEANER = [sys.executable, "-m", "cleaner"]


def article(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 12)):
        sentences = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 28))) for _ in range(rng.randint(2, 5)))
        paragraphs.append(" ".join("The " + s + "." for s in sentences))
    kind = rng.randrange(9)
    if kind == 0:
        paragraphs.insert(rng.randint(1, len(paragraphs)), "Share this article")
    elif kind == 1:
        paragraphs.insert(rng.randint(1, len(paragraphs)), "Advertisement")
    elif kind == 2:
        paragraphs.append(APPEAL)
    return "\n".join(paragraphs) + "\n"


def generate(folder: Path, shards: int, megabytes: int, seed: int = 11) -> int:
    """Write the shards; return the total size in bytes."""
    rng = random.Random(seed)
    per_shard = megabytes * 1_000_000 // shards
    number = 0
    for index in range(shards):
        size = 0
        with (folder / f"part-{index:03d}.jsonl").open("w", encoding="utf-8") as out:
            while size < per_shard:
                line = json.dumps({"id": number, "url": f"https://example.org/news/{number}", "text": article(rng)}) + "\n"
                out.write(line)
                size += len(line)
                number += 1
    return sum(p.stat().st_size for p in folder.iterdir())


def parse_stats(stderr: str) -> tuple[Counter, Counter]:
    """Removals and documents per rule, and the totals, from a --stats table."""
    per_rule, totals = Counter(), Counter()
    for line in stderr.splitlines():
        if match := re.fullmatch(r"(\S+/\S+)\s+([\d,]+)\s+([\d,]+)", line):
            per_rule[match[1] + " removals"] += int(match[2].replace(",", ""))
            per_rule[match[1] + " documents"] += int(match[3].replace(",", ""))
        elif match := re.fullmatch(r"([\d,]+) documents?: ([\d,]+) changed, ([\d,]+) left by the guard, ([\d,]+) failed; ([\d,]+) characters removed", line):
            for key, value in zip(("documents", "changed", "guarded", "failed", "chars removed"), match.groups()):
                totals[key] += int(value.replace(",", ""))
    return per_rule, totals


def run_cluster(corpus: Path, out: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one ``--scheduler local -j 2 --stats`` run into ``out``, and the finished process."""
    start = time.perf_counter()
    args = [*CLEANER, "clean", "--jsonl", f"{corpus}/*.jsonl", "-o", str(out), "--scheduler", "local", "-j", "2", "--stats"]
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done


def run_single(corpus: Path, out: Path, env: dict[str, str]) -> tuple[float, Counter, Counter]:
    """Wall seconds of ``cleaner clean --jsonl --stats < shard > out/shard`` for every shard, and the summed stats."""
    seconds, stats, totals = 0.0, Counter(), Counter()
    out.mkdir(exist_ok=True)
    for shard in sorted(corpus.iterdir()):
        start = time.perf_counter()
        with shard.open("rb") as source, (out / shard.name).open("wb") as target:
            args = [*CLEANER, "clean", "--jsonl", "--stats"]
            done = subprocess.run(args, stdin=source, stdout=target, stderr=subprocess.PIPE, text=True, env=env)
        seconds += time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"single-process CLI failed on {shard.name}: {done.stderr}")
        per_rule, counts = parse_stats(done.stderr)
        stats.update(per_rule)
        totals.update(counts)
    return seconds, stats, totals


def run_whole(corpus_file: Path, env: dict[str, str]) -> float:
    """Wall seconds of one ``cleaner clean --jsonl`` process over the whole corpus (one start-up)."""
    start = time.perf_counter()
    with corpus_file.open("rb") as source:
        subprocess.run([*CLEANER, "clean", "--jsonl"], stdin=source, stdout=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def steady_state(corpus: Path, work: Path, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds to clean every shard in this process, and on a running 2-worker LocalCluster (no start-up).

    The same code as the CLI (``process_shard``, one task per shard), timed without process or
    cluster start-up, alternating, ``rounds`` times each.
    """
    from dask.distributed import Client, LocalCluster

    from cleaner import Cleaner
    from cleaner.cluster import _process
    from cleaner.dask import SharedCleaner
    from cleaner.shards import ShardJob, find_shards, process_shard

    cleaner, shards = Cleaner(), find_shards([f"{corpus}/*.jsonl"])
    alone, cluster = [], []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as local, Client(local) as client:
        shared = client.scatter(SharedCleaner(cleaner), broadcast=True, hash=False)
        for round in range(rounds):
            for target in ("steady-alone", "steady-cluster"):
                shutil.rmtree(work / target, ignore_errors=True)
            job = ShardJob(str(work / "steady-alone"), f"bench-{round}")
            start = time.perf_counter()
            for shard in shards:
                process_shard(shard, job, cleaner)
            alone.append(time.perf_counter() - start)
            job = ShardJob(str(work / "steady-cluster"), f"bench-{round}")
            start = time.perf_counter()
            client.gather([client.submit(_process, shard, job, shared, pure=False) for shard in shards])
            cluster.append(time.perf_counter() - start)
    return alone, cluster


def same_outputs(reference: Path, out: Path) -> tuple[int, int]:
    names = sorted(p.name for p in reference.iterdir())
    return sum((reference / n).read_bytes() == (out / n).read_bytes() for n in names if (out / n).exists()), len(names)


def kill_half_way(corpus: Path, out: Path, reference: Path, shards: int, env: dict[str, str]) -> tuple[int, int, int]:
    """Start the cluster run, SIGKILL its process group once half the shards are written.

    Returns the shards then under their final name, how many of those equal the reference, and the temporary files.
    """
    args = [*CLEANER, "clean", "--jsonl", f"{corpus}/*.jsonl", "-o", str(out), "--scheduler", "local", "-j", "2", "-q"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir() and sum(1 for p in out.iterdir() if p.name.endswith(".jsonl")) >= shards // 2:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the CLI, its scheduler, nannies and workers: one group
    process.wait()
    for _ in range(100):  # the group's other processes exit a moment later
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    complete = [p for p in out.iterdir() if p.name.endswith(".jsonl")]
    intact = sum(p.read_bytes() == (reference / p.name).read_bytes() for p in complete)
    temps = sum(1 for p in out.iterdir() if p.name.endswith(".cleaner-tmp"))
    return len(complete), intact, temps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=20)
    parser.add_argument("--size", type=int, default=100, help="total size in MB")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (single pass, then cluster pass)")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cleaner-dask-bench-"))
    env = {**os.environ, "CLEANER_CACHE_DIR": str(work / "cache")}
    corpus, reference = work / "in", work / "ref"
    for folder in (corpus, reference, work / "out", work / "killed"):
        shutil.rmtree(folder, ignore_errors=True)
    corpus.mkdir(parents=True)
    reference.mkdir()
    total = generate(corpus, args.shards, args.size)
    mb = total / 1e6
    load = os.getloadavg()[0]
    print(f"corpus: {args.shards} shards, {mb:.1f} MB, Python {sys.version.split()[0]}, {os.cpu_count()} cores")

    single_seconds, single_stats, single_totals = run_single(corpus, reference, env)
    cluster_seconds, done = run_cluster(corpus, work / "out", env)
    if done.returncode != 0:
        print(f"cluster run failed ({done.returncode}): {done.stderr}")
        return 1
    cluster_stats, cluster_totals = parse_stats(done.stderr)
    identical, count = same_outputs(reference, work / "out")
    print("\n1. --scheduler local -j 2 against cleaner clean --jsonl shard by shard")
    print(f"   byte-identical shards: {identical} / {count}")
    print(f"   per-rule stats equal: {cluster_stats == single_stats} ({len(single_stats) // 2} rules fired); "
          f"totals equal: {cluster_totals == single_totals} ({single_totals['documents']:,} documents, "
          f"{single_totals['changed']:,} changed, {single_totals['chars removed']:,} characters removed)")

    complete, intact, temps = kill_half_way(corpus, work / "killed", reference, args.shards, env)
    restart_seconds, again = run_cluster(corpus, work / "killed", env)
    restarted = again.stderr.strip().splitlines()[-1]
    third = run_cluster(corpus, work / "killed", env)[1].stderr.strip().splitlines()[-1]
    identical_after, _ = same_outputs(reference, work / "killed")
    restart_stats, _ = parse_stats(again.stderr)
    removed = re.search(r"removed (\d+) unfinished temporary file", again.stderr)
    print("\n2. killed half-way (SIGKILL to the whole run's process group), then started again")
    print(f"   at the kill: {complete} shards under their final name ({intact} of them complete and correct), "
          f"{temps} temporary files")
    print(f"   restart: exit {again.returncode}, {restart_seconds:.1f} s: {restarted!r}; "
          f"temporary files removed: {removed[1] if removed else 0}")
    print(f"   a third run: {third!r}")
    print(f"   byte-identical shards after the restart: {identical_after} / {count}; "
          f"stats after the restart (skipped shards counted from their state files) equal: {restart_stats == single_stats}")

    whole_file = work / "whole.jsonl"
    with whole_file.open("wb") as whole:
        for shard in sorted(corpus.iterdir()):
            whole.write(shard.read_bytes())
    singles, clusters, wholes = [single_seconds], [cluster_seconds], [run_whole(whole_file, env)]
    for round in range(1, args.rounds):
        singles.append(run_single(corpus, work / f"ref{round}", env)[0])
        wholes.append(run_whole(whole_file, env))
        shutil.rmtree(work / "out", ignore_errors=True)
        seconds, done = run_cluster(corpus, work / "out", env)
        if done.returncode != 0:
            raise SystemExit(f"cluster run failed ({done.returncode}): {done.stderr}")
        clusters.append(seconds)
    single, cluster, one = min(singles), min(clusters), min(wholes)
    print(f"\n3. throughput: best of {args.rounds} alternating rounds (process and cluster start-up included)")
    print(f"   load average before the runs: {load:.2f} (other processes may share this machine's cores)")
    print(f"   single-process CLI, shard by shard: {single:.1f} s = {mb / single:.2f} MB/s "
          f"(all rounds: {', '.join(f'{s:.1f}' for s in singles)} s)")
    print(f"   single-process CLI, whole corpus:   {one:.1f} s = {mb / one:.2f} MB/s "
          f"(one start-up; all rounds: {', '.join(f'{s:.1f}' for s in wholes)} s)")
    print(f"   --scheduler local -j 2:             {cluster:.1f} s = {mb / cluster:.2f} MB/s, "
          f"{mb / cluster / 2:.2f} MB/s per worker = {single / cluster / 2:.0%} of the shard-by-shard CLI, "
          f"{one / cluster / 2:.0%} of the whole-corpus CLI (all rounds: {', '.join(f'{s:.1f}' for s in clusters)} s)")
    alone, steady = steady_state(corpus, work, args.rounds)
    print(f"   steady state (no start-up), one process: {min(alone):.1f} s = {mb / min(alone):.2f} MB/s; "
          f"2-worker cluster: {min(steady):.1f} s = {mb / min(steady) / 2:.2f} MB/s per worker = "
          f"{min(alone) / min(steady) / 2:.0%} (rounds: {', '.join(f'{a:.1f}/{c:.1f}' for a, c in zip(alone, steady))} s)")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if identical == count and identical_after == count and cluster_stats == single_stats else 1


if __name__ == "__main__":
    sys.exit(main())
