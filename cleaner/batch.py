"""Cleaning one file: read it, clean it, and write, check, diff or copy the result.

Runs in worker processes: everything it needs travels in a picklable
:class:`FileJob`, and everything it has to say comes back in a
:class:`FileOutcome` for the parent to print.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from .api import Cleaner
from .files import kind_of
from .pipeline import Run
from .report import Report
from .writeback import is_read_only, write_atomic


class WriteBack(enum.Enum):
    """What happens to a file's cleaned content."""

    IN_PLACE = "in-place"
    CHECK = "check"  # write nothing; say what would change
    DIFF = "diff"  # write nothing; print a unified diff
    OUTPUT = "output"  # write a cleaned copy under an output folder


@dataclass(frozen=True)
class FileJob:
    """How to treat every file of a run."""

    cleaner: Cleaner
    write_back: WriteBack
    root: Path  # output paths mirror the tree below this folder
    output_dir: Path | None = None
    field: str = "text"
    to_field: str | None = None
    explain: bool = False
    log_removals: bool = False  # collect one dict per removal in the outcome (--report)


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: Path
    changed: bool = False
    failed: bool = False
    report: Report = field(default_factory=Report)
    messages: list[str] = field(default_factory=list)
    diff: str | None = None
    signature: tuple[int, int] | None = None  # (size, mtime_ns) once clean, for the cache
    removals: list[dict] = field(default_factory=list)  # with FileJob.log_removals


def process_file(path: Path, job: FileJob) -> FileOutcome:
    """Clean ``path`` as ``job`` says; failures are reported in the outcome, never raised."""
    outcome = FileOutcome(path)
    log = outcome.removals.append if job.log_removals else None
    run = Run(job.cleaner, outcome.report, outcome.messages.append, explain=job.explain, log=log)
    kind = kind_of(path)
    try:
        if kind == "html" and job.write_back is not WriteBack.OUTPUT:
            run.fail(str(path), "HTML files are only read with -o DIR (the cleaned text is written as .txt)")
        elif job.write_back is WriteBack.IN_PLACE and is_read_only(path):
            run.fail(str(path), "read-only file, left untouched")
        elif kind == "jsonl":
            _process_jsonl(path, job, run, outcome)
        else:
            _process_document(path, job, run, outcome)
    except OSError as exc:
        run.fail(str(path), f"cannot {'write' if outcome.changed else 'read'}: {exc.strerror or exc}")
    outcome.failed = bool(outcome.report.failed)
    if not outcome.failed and (not outcome.changed or job.write_back is WriteBack.IN_PLACE):
        info = path.stat()
        outcome.signature = (info.st_size, info.st_mtime_ns)
    return outcome


def output_path(path: Path, job: FileJob) -> Path:
    """Where ``-o DIR`` writes the cleaned copy of ``path``: the same place below DIR (.html -> .txt)."""
    assert job.output_dir is not None
    try:
        relative = Path(os.path.abspath(path)).relative_to(job.root)
    except ValueError:
        relative = Path(path.name)
    if kind_of(path) == "html":
        relative = relative.with_suffix(".txt")
    return job.output_dir / relative


def _process_document(path: Path, job: FileJob, run: Run, outcome: FileOutcome) -> None:
    data = path.read_bytes()
    cleaned = run.clean_document(data, str(path))
    if cleaned is None:
        return
    outcome.changed = cleaned != data
    if job.write_back is WriteBack.IN_PLACE and outcome.changed:
        write_atomic(path.resolve(), cleaned, like=path)  # through a symlink: the link stays a link
    elif job.write_back is WriteBack.OUTPUT:
        write_atomic(output_path(path, job), cleaned)
    elif job.write_back is WriteBack.DIFF and outcome.changed:
        outcome.diff = _diff(path, data, cleaned)


def _process_jsonl(path: Path, job: FileJob, run: Run, outcome: FileOutcome) -> None:
    """Stream the records through the cleaner; an unchanged file is not rewritten."""
    import gzip

    from .writeback import AtomicFile

    compressed = path.name.lower().endswith(".gz")
    opener = gzip.open if compressed else open
    if job.write_back in (WriteBack.CHECK, WriteBack.DIFF):
        before, after = [], []
        with opener(path, "rb") as source:
            for raw, cleaned in run.clean_records(source, str(path), field=job.field, to_field=job.to_field):
                outcome.changed |= raw != cleaned
                if job.write_back is WriteBack.DIFF:
                    before.append(raw)
                    after.append(cleaned)
        if outcome.changed and job.write_back is WriteBack.DIFF:
            outcome.diff = _diff(path, b"".join(before), b"".join(after))
        return
    in_place = job.write_back is WriteBack.IN_PLACE
    target = path.resolve() if in_place else output_path(path, job)
    with AtomicFile(target, like=path if in_place else None) as out:
        sink = gzip.GzipFile(fileobj=out, mode="wb", mtime=0) if compressed else out
        with opener(path, "rb") as source:
            for raw, cleaned in run.clean_records(source, str(path), field=job.field, to_field=job.to_field):
                outcome.changed |= raw != cleaned
                sink.write(cleaned)
        if compressed:
            sink.close()
        if outcome.changed or not in_place:
            out.commit()


def _diff(path: Path, before: bytes, after: bytes) -> str:
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    name = path.as_posix()
    before_name, after_name = (name, name) if path.is_absolute() else (f"a/{name}", f"b/{name}")
    return "".join(difflib.unified_diff(old, new, before_name, after_name))
