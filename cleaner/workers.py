"""Parallelism, in one place: files cleaned by a pool of worker processes.

The job (with its compiled rule set) is sent to each worker once, when the
worker starts, not with every file. Outcomes come back in input order.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

from .batch import FileJob, FileOutcome, process_file

_job: FileJob | None = None


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_files(paths: Sequence[Path], job: FileJob, *, jobs: int) -> Iterator[FileOutcome]:
    """Clean ``paths`` with ``jobs`` processes (in this process when one is enough)."""
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield process_file(path, job)
        return
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(paths))
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    executor = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(job,))
    try:
        yield from executor.map(_process_in_worker, paths, chunksize=chunk)
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _start_worker(job: FileJob) -> None:
    # Ctrl-C signals every process of the terminal's group. Only the parent handles it (it stops
    # handing out files and waits for those in progress): a worker interrupted between files
    # would break the pool, which then kills the other workers mid-write, or deadlocks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _job
    _job = job


def _process_in_worker(path: Path) -> FileOutcome:
    assert _job is not None, "worker started without a job"
    return process_file(path, _job)


