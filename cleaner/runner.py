"""A run over files: find them, skip those the cache knows are clean, clean the rest.

The CLI decides what to print; this module only reports each outcome through
a callback and keeps the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batch import FileJob, FileOutcome, WriteBack
from .cache import Cache
from .files import Selection, iter_file_names
from .report import EXIT_CHANGES, EXIT_FAILED, EXIT_OK, Report


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


def find_files(paths: Sequence[Path], selection: Selection, *, root: Path) -> list[tuple[str, str]]:
    """(path, absolute path) of each file a run over ``paths`` cleans, in a stable order."""
    return list(iter_file_names(paths, selection, root=root))


def run_files(
    files: Sequence[tuple[str, str]],
    job: FileJob,
    *,
    jobs: int | None,
    use_cache: bool,
    on_outcome: Callable[[FileOutcome], None],
    on_skip: Callable[[int], None] = lambda count: None,
) -> FileTotals:
    """Clean ``files`` (as :func:`find_files` gives them) as ``job`` says, with ``jobs`` processes
    (None: one per core).

    With ``use_cache``, files recorded as clean under the same rules and
    options (and unchanged on disk since) are skipped, and ``on_skip`` hears
    how many; files found clean, or cleaned in place, are recorded. Returns the totals.
    """
    totals = FileTotals()
    cache = None
    if use_cache and job.write_back in (WriteBack.IN_PLACE, WriteBack.CHECK):
        cache = Cache.load(cache_key(job))
    if cache is None:
        todo = [Path(name) for name, _ in files]
    else:
        is_clean = cache.is_clean
        todo = [Path(name) for name, absolute in files if not is_clean(name, absolute=absolute)]
        totals.cached = len(files) - len(todo)
        if totals.cached:
            on_skip(totals.cached)
    outcomes: Iterable[FileOutcome] = ()
    if todo:  # worker processes (and their module) are not needed when the cache knows every file
        from .workers import process_files

        outcomes = process_files(todo, job, jobs=jobs)
    try:
        for outcome in outcomes:
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


def cache_key(job: FileJob) -> tuple:
    """Everything that decides a file's cleaned content, as plain values: the key of the file cache."""
    cleaner = job.cleaner
    return (
        "files",
        tuple(rule.behaviour() for rule in cleaner.rules),
        cleaner.max_removed_share,
        cleaner.input_format,
        cleaner.extraction,
        job.field,
        job.to_field,
    )
