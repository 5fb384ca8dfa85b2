"""``cleaner clean --scheduler``: corpus shards cleaned on a Dask cluster, one task per shard.

The CLI imports this module only when ``--scheduler`` is given, and this
module imports Dask only inside :func:`clean_on_cluster`, so that ``cleaner``
starts fast and a missing extra is one line of error, not a traceback.

The rule set is sent to each worker once (``client.scatter``) and loaded
there once; each task cleans one shard (:func:`cleaner.shards.process_shard`)
and sends back only its counts and messages, which are printed here as they
arrive. ``--scheduler local`` starts a :class:`~distributed.LocalCluster` of
``-j`` single-threaded worker processes listening on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from .api import Cleaner
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Report
from .workers import default_jobs

EXTRA_HINT = 'pip install "boilerplate-cleaner[dask]"'
CONNECT_TIMEOUT = "10s"
WORKER_LOG_LEVEL = "DASK_LOGGING__DISTRIBUTED"


def clean_on_cluster(
    inputs: Sequence[str | Path],
    cleaner: Cleaner,
    *,
    scheduler: str,
    output_dir: str | Path | None,
    jsonl: bool = False,
    field: str = "text",
    to_field: str | None = None,
    jobs: int | None = None,
    explain: bool = False,
    stats: bool = False,
    quiet: bool = False,
    check: bool = False,
    diff: bool = False,
    say: Callable[[str], None] = lambda message: click.echo(message, err=True),
) -> int:
    """Clean the shards ``inputs`` names into ``output_dir`` on the cluster at ``scheduler``; return the exit code.

    ``scheduler`` is a scheduler address (``tcp://host:8786``) or ``local``.
    Option conflicts raise click's usage errors; a missing extra, an
    unreachable scheduler or inputs that name no shard are one ``error:``
    line and exit code 2; shards or records that could not be cleaned are
    named, and make it 3.
    """
    if check or diff:
        raise click.BadOptionUsage(
            "scheduler", "--scheduler writes cleaned shards under -o DIR; --check and --diff are not available with it"
        )
    if output_dir is None:
        raise click.BadOptionUsage(
            "scheduler", "--scheduler needs -o/--output-dir DIR: one cleaned shard per input shard is written there"
        )
    if not inputs:
        raise click.BadOptionUsage(
            "scheduler", "--scheduler needs input shards: paths, globs or URLs such as 'corpus/*.jsonl.gz'"
        )
    try:
        import distributed  # noqa: F401

        from . import shards
    except ImportError:
        say(f"error: --scheduler needs Dask, which is not installed: {EXTRA_HINT}")
        return EXIT_USAGE
    try:
        found = shards.find_shards([str(p) for p in inputs], jsonl=jsonl)
    except (shards.ShardError, OSError, ValueError, ImportError) as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    out = str(output_dir)
    job = shards.ShardJob(out, shards.job_key(cleaner, field=field, to_field=to_field), field, to_field, explain)
    with contextlib.ExitStack() as stack:
        try:
            client = _connect(stack, scheduler, jobs=jobs or default_jobs())
        except (OSError, TimeoutError) as exc:
            say(f"error: cannot reach the Dask scheduler at {scheduler}: {exc}")
            return EXIT_USAGE
        except ValueError as exc:
            say(f"error: --scheduler {scheduler}: {exc}; give an address such as tcp://HOST:8786, or local")
            return EXIT_USAGE
        try:
            stale = shards.remove_stale_temps(out)
        except OSError as exc:
            say(f"error: {out}: cannot list or write: {exc}")
            return EXIT_USAGE
        if stale and not quiet:
            say(f"removed {stale} unfinished temporary file{'s' if stale != 1 else ''} of an earlier run in {out}")
        try:
            totals = _run_shards(client, found, job, cleaner, quiet=quiet, say=say)
        except KeyboardInterrupt:
            _silence_dask_logging()  # shutting down mid-task, Dask logs every task it drops: the user asked for it
            raise
    if stats:
        say(totals.report.table())
    if not quiet:
        say(totals.summary())
    return totals.return_code


def _connect(stack: contextlib.ExitStack, scheduler: str, *, jobs: int):
    """A client of the scheduler at ``scheduler``, or of a new loopback-only LocalCluster of ``jobs`` processes."""
    from distributed import Client, LocalCluster

    if scheduler != "local":
        return stack.enter_context(Client(scheduler, timeout=CONNECT_TIMEOUT))
    with _quiet_workers():
        cluster = LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard; the scheduler's small HTTP server (health, metrics) on a free loopback port
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
        )
    stack.enter_context(cluster)
    return stack.enter_context(Client(cluster))


def _run_shards(client, found, job, cleaner: Cleaner, *, quiet: bool, say: Callable[[str], None]) -> _Totals:
    """One task per shard; each outcome's messages printed as it arrives; the totals."""
    from distributed import as_completed

    from .dask import SharedCleaner

    shared = client.scatter(SharedCleaner(cleaner), broadcast=True, hash=False)  # once per worker
    futures = {
        client.submit(_process, shard, job, shared, key=f"cleaner-shard-{index}-{shard.name}", pure=False): shard
        for index, shard in enumerate(found)
    }
    totals = _Totals()
    progress = _progress_bar(len(found), enabled=not quiet)
    show = progress.write if progress is not None else say
    try:
        for future in as_completed(futures):
            outcome = _outcome_of(future, futures[future])
            totals.add(outcome)
            for message in outcome.messages:
                show(message)
            if outcome.error is not None:
                show(f"error: {outcome.error}")
            elif not quiet and not outcome.skipped:
                show(f"cleaned {outcome.shard.url}")
            if progress is not None:
                progress.update()
    finally:
        if progress is not None:
            progress.close()
    return totals


@contextlib.contextmanager
def _quiet_workers():
    """Worker processes started in this block ignore Ctrl-C and log only errors.

    Ctrl-C reaches every process of the terminal's group: only this one should
    handle it and shut the cluster down, not each worker with a traceback (an
    ignored signal stays ignored across exec). Their log level comes from the
    environment they start with, which Dask reads on import.
    """
    saved = os.environ.get(WORKER_LOG_LEVEL)
    os.environ[WORKER_LOG_LEVEL] = "error"
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
        if saved is None:
            os.environ.pop(WORKER_LOG_LEVEL, None)
        else:
            os.environ[WORKER_LOG_LEVEL] = saved


def _silence_dask_logging() -> None:
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _process(shard, job, shared):
    """The task: one shard, with the worker's copy of the rules."""
    from .shards import process_shard

    return process_shard(shard, job, shared.cleaner)


def _outcome_of(future, shard):
    """The task's outcome; a task that died (its worker killed, cleaner missing there) is a failed shard."""
    from .shards import ShardOutcome

    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - any failure of one task is that shard's failure
        return ShardOutcome(shard, error=f"{shard.url}: {type(exc).__name__}: {exc}")


class _Totals:
    """Counts over the shards of one run, and the records inside them."""

    def __init__(self) -> None:
        self.cleaned = 0
        self.skipped = 0
        self.failed = 0
        self.report = Report()

    def add(self, outcome) -> None:
        self.report.merge(outcome.report)
        if outcome.error is not None:
            self.failed += 1
        elif outcome.skipped:
            self.skipped += 1
        else:
            self.cleaned += 1

    def summary(self) -> str:
        """``18 shards cleaned, 2 already done, 1 failed`` (the parts that are not zero)."""
        parts = [f"{self.cleaned:,} shard{'s' if self.cleaned != 1 else ''} cleaned"]
        if self.skipped:
            parts.append(f"{self.skipped:,} already done")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        if self.report.failed:
            parts.append(f"{self.report.failed:,} record{'s' if self.report.failed != 1 else ''} not processed")
        return ", ".join(parts)

    @property
    def return_code(self) -> int:
        return EXIT_FAILED if self.failed or self.report.failed else EXIT_OK


def _progress_bar(total: int, *, enabled: bool):
    """A progress bar on stderr when stderr is a terminal, else None."""
    if not enabled or total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="shard", file=sys.stderr, leave=False, dynamic_ncols=True)
