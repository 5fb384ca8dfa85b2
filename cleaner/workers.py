"""Parallelism, in one place: files, or chunks of a JSONL stream, cleaned by worker processes.

The job (with its compiled rule set) is sent to each worker once, when the
worker starts, not with every file or chunk. Outcomes come back in input order.
"""

from __future__ import annotations

import collections
import io
import itertools
import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .api import Cleaner
from .batch import FileJob, FileOutcome, process_file
from .pipeline import Run
from .report import Report

_job: FileJob | None = None
_stream: StreamJob | None = None
CHUNK_LINES = 2000  # JSONL lines per task: large enough to pay for the trip to a worker
CHUNK_BYTES = 1 << 20  # ... or bytes: small enough that the chunks in flight hold little memory


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_files(paths: Sequence[Path], job: FileJob, *, jobs: int | None) -> Iterator[FileOutcome]:
    """Clean ``paths`` with ``jobs`` processes (None: one per core; in this process when one is enough)."""
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield process_file(path, job)
        job.cleaner.ruleset.prefilter.finish()
        return
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(paths))
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    prefilter = job.cleaner.ruleset.prefilter
    executor = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(job,))
    try:
        for outcome in executor.map(_process_in_worker, paths, chunksize=chunk):
            prefilter.count_elsewhere(_size(outcome.path))  # the scanner, compiled here once for all workers
            yield outcome
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    prefilter.finish()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _start_worker(job: FileJob) -> None:
    # Ctrl-C signals every process of the terminal's group. Only the parent handles it (it stops
    # handing out files and waits for those in progress): a worker interrupted between files
    # would break the pool, which then kills the other workers mid-write, or deadlocks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job.cleaner.ruleset.prefilter.leave_compiling()  # the parent compiles the scanner
    global _job
    _job = job


def _process_in_worker(path: Path) -> FileOutcome:
    assert _job is not None, "worker started without a job"
    return process_file(path, _job)




@dataclass(frozen=True)
class StreamJob:
    """How to clean the records of a JSONL stream."""

    cleaner: Cleaner
    name: str
    field: str = "text"
    to_field: str | None = None
    explain: bool = False
    log_removals: bool = False


@dataclass
class ChunkOutcome:
    """The cleaned lines of one chunk, in order, with what the run has to say about them."""

    lines: list[tuple[bytes, bytes]]
    report: Report
    messages: list[str] = field(default_factory=list)
    removals: list[dict] = field(default_factory=list)


def clean_stream(lines: Iterable[bytes], job: StreamJob, *, jobs: int) -> Iterator[ChunkOutcome]:
    """Clean a JSONL stream in chunks, with ``jobs`` processes, yielding outcomes in input order.

    Memory stays bounded: at most four chunks per worker are read ahead. A stream
    that fits in one chunk is cleaned in this process (no pool to start).
    """
    chunks = _chunks(lines)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    prefilter = job.cleaner.ruleset.prefilter
    if jobs <= 1 or second is None:
        for start, chunk in itertools.chain([first], [second] if second else [], chunks):
            yield _clean_chunk(job, start, chunk)
        prefilter.finish()
        return
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_start_stream_worker, initargs=(job,))
    pending: collections.deque = collections.deque()
    try:
        for start, chunk in itertools.chain([first, second], chunks):
            pending.append((chunk, executor.submit(_clean_chunk_in_worker, start, chunk)))
            prefilter.count_elsewhere(sum(map(len, chunk)))  # the scanner, compiled here once for all workers
            if len(pending) >= 4 * jobs:
                yield _paired(*pending.popleft())
        while pending:
            yield _paired(*pending.popleft())
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    prefilter.finish()


def _chunks(source: Iterable[bytes]) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, lines) in pieces of CHUNK_LINES lines or CHUNK_BYTES bytes; a
    binary stream (stdin) in blocks of CHUNK_BYTES cut after their last newline, since reading
    it a line at a time costs more than the rest of what this process does with the lines."""
    if hasattr(source, "read"):
        yield from _block_chunks(source)
        return
    lines = source
    chunk: list[bytes] = []
    size = 0
    start = 1
    for line in lines:
        chunk.append(line)
        size += len(line)
        if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield start, chunk
            start += len(chunk)
            chunk, size = [], 0
    if chunk:
        yield start, chunk


def _block_chunks(stream) -> Iterator[tuple[int, list[bytes]]]:
    """The lines of ``stream`` as iterating it gives them (each up to and with its newline; the
    last one may have none), a block at a time."""
    start = 1
    unended: list[bytes] = []  # the start of a line that has not ended yet
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        if b"\n" not in block:
            unended.append(block)  # a line longer than a block: its pieces are joined once it ends
            continue
        if unended:
            block = b"".join([*unended, block])
            unended = []
        lines = io.BytesIO(block).readlines()
        if not lines[-1].endswith(b"\n"):
            unended.append(lines.pop())
        yield start, lines
        start += len(lines)
    if unended:
        yield start, [b"".join(unended)]


def _clean_chunk(job: StreamJob, start: int, chunk: list[bytes]) -> ChunkOutcome:
    outcome = ChunkOutcome([], Report())
    log = outcome.removals.append if job.log_removals else None
    run = Run(job.cleaner, outcome.report, outcome.messages.append, explain=job.explain, log=log)
    outcome.lines = list(run.clean_records(chunk, job.name, field=job.field, to_field=job.to_field, first_line=start))
    return outcome


def _start_stream_worker(job: StreamJob) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C (see _start_worker)
    job.cleaner.ruleset.prefilter.leave_compiling()  # the parent compiles the scanner
    global _stream
    _stream = job


def _clean_chunk_in_worker(start: int, chunk: list[bytes]) -> ChunkOutcome:
    """The chunk's outcome, its lines sent back as only what changed (None: the line as it was),
    since the parent still has the lines it sent: half the bytes through the pipe, or less."""
    assert _stream is not None, "worker started without a job"
    outcome = _clean_chunk(_stream, start, chunk)
    outcome.lines = [None if cleaned == raw else cleaned for raw, cleaned in outcome.lines]
    return outcome


def _paired(chunk: list[bytes], future) -> ChunkOutcome:
    """A worker's outcome with its lines as (line in, line out) again (see _clean_chunk_in_worker)."""
    outcome = future.result()
    outcome.lines = [(raw, raw if cleaned is None else cleaned) for raw, cleaned in zip(chunk, outcome.lines, strict=True)]
    return outcome
