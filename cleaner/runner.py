"""A run over files: find them, skip those the cache knows are clean, clean the rest.

The CLI decides what to print; this module only reports each outcome through
a callback and keeps the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batch import FileJob, FileOutcome, WriteBack
from .cache import Cache, fingerprint
from .files import Selection, iter_files
from .report import EXIT_CHANGES, EXIT_FAILED, EXIT_OK, Report
from .workers import process_files


@dataclass
class FileTotals:
    """Counts over the files of one run, and the documents inside them."""

    changed: int = 0
    unchanged: int = 0
    cached: int = 0
    failed: int = 0
    documents: Report = field(default_factory=Report)

    def summary(self, write_back: WriteBack) -> str:
        """``3 files cleaned, 1,204 left unchanged, 1 failed`` (only the parts that are not zero)."""
        verb = {
            WriteBack.IN_PLACE: "cleaned",
            WriteBack.OUTPUT: "cleaned",
            WriteBack.CHECK: "would be cleaned",
            WriteBack.DIFF: "would be cleaned",
        }[write_back]
        parts = []
        if self.changed:
            parts.append(f"{_files(self.changed)} {verb}")
        unchanged = self.unchanged + self.cached
        if unchanged or not parts:
            parts.append(f"{_files(unchanged) if not parts else f'{unchanged:,}'} left unchanged")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        return ", ".join(parts)

    def return_code(self, *, check: bool) -> int:
        if self.failed:
            return EXIT_FAILED
        if check and self.changed:
            return EXIT_CHANGES
        return EXIT_OK


def _files(count: int) -> str:
    return f"{count:,} file{'s' if count != 1 else ''}"


def find_files(paths: Sequence[Path], selection: Selection, *, root: Path) -> list[Path]:
    """The files a run over ``paths`` cleans, in a stable order."""
    return list(iter_files(paths, selection, root=root))


def run_files(
    files: Sequence[Path],
    job: FileJob,
    *,
    jobs: int,
    use_cache: bool,
    on_outcome: Callable[[FileOutcome], None],
    on_skip: Callable[[Path], None] = lambda path: None,
) -> FileTotals:
    """Clean ``files`` as ``job`` says, with ``jobs`` processes; return the totals.

    With ``use_cache``, files recorded as clean under the same rules and
    options (and unchanged on disk since) are skipped; files found clean, or
    cleaned in place, are recorded.
    """
    totals = FileTotals()
    cache = None
    if use_cache and job.write_back in (WriteBack.IN_PLACE, WriteBack.CHECK):
        cache = Cache.load(cache_key(job))
    todo = []
    for path in files:
        if cache is not None and cache.is_clean(path):
            totals.cached += 1
            on_skip(path)
        else:
            todo.append(path)
    try:
        for outcome in process_files(todo, job, jobs=jobs):
            totals.documents.merge(outcome.report)
            if outcome.failed:
                totals.failed += 1
            elif outcome.changed:
                totals.changed += 1
            else:
                totals.unchanged += 1
            if cache is not None and outcome.signature is not None:
                cache.mark_clean(outcome.path, outcome.signature)
            on_outcome(outcome)
    finally:
        if cache is not None:
            cache.save()
    return totals


def cache_key(job: FileJob) -> str:
    """The fingerprint of everything that decides a file's cleaned content."""
    cleaner = job.cleaner
    return fingerprint(
        [rule.behaviour() for rule in cleaner.rules],
        cleaner.max_removed_share,
        cleaner.input_format,
        cleaner.extraction,
        job.field,
        job.to_field,
    )
