"""The ``cleaner`` command: a thin click layer over :class:`cleaner.Cleaner`.

stdout carries only data; every message goes to stderr. Exit codes: 0 success,
2 usage, rule or configuration error, 3 some inputs could not be processed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import extract
from ._version import __version__
from .api import DEFAULT_MAX_REMOVED_SHARE, DEFAULT_TIMEOUT, INPUT_FORMATS, Cleaner
from .config import ConfigError, find_pyproject, read_config
from .errors import RuleError
from .files import DEFAULT_INCLUDE, find_root
from .packs import load_packs
from .report import EXIT_CHANGES, EXIT_FAILED, EXIT_OK, EXIT_USAGE, Report

if TYPE_CHECKING:
    from .batch import FileOutcome
    from .writeback import AtomicFile

# Start-up time counts (a pre-commit hook, `curl | cleaner clean`): what only one mode needs
# (files, JSONL, parallel workers, diffs, --report) is imported where that mode begins.


class UsageFailure(click.ClickException):
    """A one-line error that exits with code 2 (bad rules, options or configuration)."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def err(message: str) -> None:
    click.echo(message, err=True)


def _split_commas(ctx: click.Context, param: click.Parameter, values: Iterable[str]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


class _CleanCommand(click.Command):
    """Notes whether --scheduler is on the command line before any argument is checked.

    With it, PATHs and -o may be globs and fsspec URLs (s3://...), which only
    the Dask runner reads (see cleaner/cluster.py); without it nothing changes.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = args[: args.index("--")] if "--" in args else args
        ctx.meta["cleaner.scheduler"] = any(a == "--scheduler" or a.startswith("--scheduler=") for a in options)
        return super().parse_args(ctx, args)


class _PathOrURL(click.Path):
    """A path; with --scheduler also a glob or a URL, kept as the string given."""

    def convert(self, value, param, ctx):
        if ctx is not None and ctx.meta.get("cleaner.scheduler") and isinstance(value, str):
            if "://" in value or any(char in value for char in "*?["):
                return value
        return super().convert(value, param, ctx)


def _read_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Load [tool.cleaner] into the command's defaults, so that flags still override it (as black does)."""
    if value is None:
        paths = [p for p in ctx.params.get("paths", ()) if isinstance(p, Path) and str(p) != "-"] or [Path.cwd()]
        value = find_pyproject(find_root(paths)) or find_pyproject(paths[0])
        if value is None:
            return
    try:
        defaults = read_config(value)
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from None
    ctx.default_map = {**(ctx.default_map or {}), **defaults}


def rule_options(function):
    """The options that choose rules, shared by ``clean`` and ``rules list``."""
    function = click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        type=click.Path(dir_okay=True),
        metavar="FILE_OR_DIR",
        help="A rule pack (YAML) or a folder of packs to use besides the shipped ones. Repeatable.",
    )(function)
    function = click.option(
        "--no-default-rules",
        is_flag=True,
        help="Do not load the shipped packs; use only --rules.",
    )(function)
    function = click.option(
        "--select",
        multiple=True,
        callback=_split_commas,
        metavar="ID_OR_PACK",
        help="Use only these rules or packs (comma-separated or repeated), e.g. appeals,metadata/glued-date.",
    )(function)
    function = click.option(
        "--ignore",
        multiple=True,
        callback=_split_commas,
        metavar="ID_OR_PACK",
        help="Leave out these rules or packs (comma-separated or repeated).",
    )(function)
    return function


class _Commands(click.Group):
    """The command group; ``learn`` lives in its own module, imported only when it runs."""

    lazy = {"learn": ("cleaner.learn_cli", "learn")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            import importlib

            module, attribute = self.lazy[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cleaner")
def cli() -> None:
    """Remove boilerplate from scraped article text.

    Donation and membership appeals, UI prompts (newsletter, share, cookie,
    advertisement) and metadata glued to the text are removed by YAML rule
    packs; HTML is first reduced to its main text by trafilatura.

    \b
    Examples:
      cleaner clean < article.txt > clean.txt
      curl -s URL | cleaner clean
      zcat dump.jsonl.gz | cleaner clean --jsonl | gzip > clean.jsonl.gz
      cleaner rules list
    """


@cli.command(cls=_CleanCommand)
@click.argument(
    "paths",
    nargs=-1,
    type=_PathOrURL(exists=True, allow_dash=True, path_type=Path),
    is_eager=True,
    metavar="[PATH]...",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    is_eager=True,
    callback=_read_config,
    expose_value=False,
    help="Read option defaults from this TOML file's [tool.cleaner] table "
    "(default: the nearest pyproject.toml that has one).",
)
@click.option("--jsonl", is_flag=True, help="stdin is JSON Lines: clean one field of each record, write JSON Lines.")
@click.option(
    "--field",
    default="text",
    show_default=True,
    help="The JSONL field that holds the document (stdin with --jsonl, and .jsonl/.jsonl.gz files).",
)
@click.option(
    "--to-field",
    metavar="NAME",
    help="Write the cleaned text under this JSONL key instead of replacing --field "
    "(e.g. --field html --to-field text for crawl dumps).",
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default="auto",
    show_default=True,
    help="auto recognises HTML and extracts its main text with trafilatura; text and html force one.",
)
@click.option(
    "--extraction",
    type=click.Choice(extract.MODES),
    default=extract.DEFAULT_MODE,
    show_default=True,
    help="trafilatura's trade-off for HTML input: precision, balanced or recall.",
)
@rule_options
@click.option(
    "--max-removed-share",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_MAX_REMOVED_SHARE,
    show_default=True,
    help="Guard: leave a document as it was (and say so) if the rules would remove more than this share "
    "of its words.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Time limit in seconds for the rules on one document (per started megabyte); past it the "
    "document is reported and left as it was.",
)
@click.option("--check", is_flag=True, help="Write nothing; list what would change and exit 1 if anything would.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of what would change on stdout.")
@click.option(
    "-o",
    "--output-dir",
    type=_PathOrURL(file_okay=False, path_type=Path),
    help="Write cleaned copies of the files under this folder, mirroring the tree; originals are left "
    "untouched. HTML files are read too, and written as .txt.",
)
@click.option(
    "--include",
    multiple=True,
    callback=_split_commas,
    metavar="GLOB",
    help=f"File names to clean inside folders (repeatable; default: {', '.join(DEFAULT_INCLUDE)}).",
)
@click.option(
    "--exclude",
    metavar="REGEX",
    help="Skip files and folders whose path (relative to the project root, with a leading /) matches "
    "this regular expression. .git, .venv and the like, and .gitignore'd paths, are always skipped.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for folders and JSONL on stdin (default: all cores).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor update the cache of files already clean.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no per-file lines, no summary.")
@click.option("--explain", is_flag=True, help="Print every removal on stderr: where, rule id and removed text.")
@click.option("--stats", is_flag=True, help="Print counts per rule and totals on stderr at the end.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE.jsonl",
    help="Write one JSON object per removal to this file: document (path or <stdin>:LINE), rule, line, "
    "start and end offsets, removed text.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Clean JSONL/Parquet shards (paths, globs or fsspec URLs) on a Dask cluster: a scheduler address, or "
    "'local' for -j worker processes here; one cleaned shard per input under -o DIR, resumable. "
    'Needs pip install "boilerplate-cleaner[dask]".',
)
@click.pass_context
def clean(ctx: click.Context, paths: tuple[Path, ...], **options) -> None:
    """Clean a document from stdin to stdout, or files and folders in place.

    \b
    With no PATH (or -): one document from stdin (JSON Lines with --jsonl) to stdout.
    With PATHs: .txt files, and .jsonl/.jsonl.gz record by record, are cleaned in place
    (folders recursively); unchanged files are not touched, writes are atomic.

    Plain text goes straight to the rules; HTML is recognised and reduced to its main
    text first. Exit codes: 0 done; 1 --check found files to clean; 2 bad rules,
    options or configuration; 3 some input could not be processed (named on stderr,
    passed through or left as it was, never dropped).
    """
    scheduler = options.pop("scheduler")
    o = _Options(**options)
    cleaner = _make_cleaner(
        rules=o.rule_paths,
        default_rules=not o.no_default_rules,
        select=o.select,
        ignore=o.ignore,
        max_removed_share=o.max_removed_share,
        timeout=o.timeout,
        input_format=o.input_format,
        extraction=o.extraction,
        cache=not o.no_cache,
    )
    if scheduler is not None:  # the Dask runner, imported only here: cleaner starts fast and works without it
        if o.report_path is not None:
            raise click.BadOptionUsage("report_path", "--report is not available with --scheduler; use --stats")
        from .cluster import clean_on_cluster

        sys.exit(
            clean_on_cluster(
                paths,
                cleaner,
                scheduler=scheduler,
                output_dir=o.output_dir,
                jsonl=o.jsonl,
                field=o.field,
                to_field=o.to_field,
                jobs=o.jobs,
                explain=o.explain,
                stats=o.stats,
                quiet=o.quiet,
                check=o.check,
                diff=o.diff,
            )
        )
    if Path("-") in paths and paths != (Path("-"),):
        raise click.BadParameter("- (stdin) cannot be mixed with paths", param_hint="PATH")
    with _RemovalLog(o.report_path) as log:
        if not paths or paths == (Path("-"),):
            code = _clean_stdin(cleaner, o, log)
        else:
            code = _clean_paths(cleaner, paths, o, log)
    sys.exit(code)


class _RemovalLog:
    """The --report file: one JSON object per removal, written atomically when the run ends."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.out: AtomicFile | None = None

    def __enter__(self) -> _RemovalLog:
        if self.path is not None:
            from .writeback import AtomicFile

            try:
                self.out = AtomicFile(self.path)
            except OSError as exc:
                raise UsageFailure(f"{self.path}: cannot write the report: {exc.strerror or exc}") from None
        return self

    @property
    def write(self):
        """A callable taking one removal as a dict, or None when no report was asked for."""
        if self.out is None:
            return None
        from .sources import json_bytes

        out = self.out
        return lambda entry: out.write(json_bytes(entry) + b"\n")

    def __exit__(self, kind, value, traceback) -> None:
        if self.out is not None:
            if kind is None or issubclass(kind, SystemExit):
                self.out.commit()
            self.out.discard()


@dataclass(frozen=True)
class _Options:
    """The clean command's options, as one value."""

    jsonl: bool
    field: str
    to_field: str | None
    input_format: str
    extraction: str
    rule_paths: tuple[str, ...]
    no_default_rules: bool
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    max_removed_share: float
    timeout: float
    check: bool
    diff: bool
    output_dir: Path | None
    include: tuple[str, ...]
    exclude: str | None
    jobs: int | None
    no_cache: bool
    quiet: bool
    explain: bool
    stats: bool
    report_path: Path | None


def _make_cleaner(**options) -> Cleaner:
    try:
        return Cleaner(**options)
    except RuleError as exc:
        raise UsageFailure(str(exc)) from None


def _clean_stdin(cleaner: Cleaner, o: _Options, log: _RemovalLog) -> int:
    """One document, or a JSONL stream, from stdin to stdout."""
    if o.output_dir is not None:
        raise click.BadOptionUsage("output_dir", "-o/--output-dir needs PATHs to read from")
    if o.to_field and not o.jsonl:
        raise click.BadOptionUsage("to_field", "--to-field needs --jsonl (or .jsonl files)")
    from .pipeline import Run

    report = Report()
    run = Run(cleaner, report, err, explain=o.explain, log=log.write)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    changed = False
    try:
        if o.jsonl:
            from .workers import StreamJob, clean_stream, default_jobs

            job = StreamJob(cleaner, "<stdin>", o.field, o.to_field, o.explain, log_removals=log.write is not None)
            for chunk in clean_stream(stdin, job, jobs=o.jobs or default_jobs()):
                report.merge(chunk.report)
                for message in chunk.messages:
                    err(message)
                for entry in chunk.removals:
                    log.write(entry)
                changed = changed or chunk.changed
                if not (o.check or o.diff):
                    stdout.write(chunk.output)  # one write a chunk, not a line
        else:
            data = stdin.read()
            cleaned = run.clean_document(data, "<stdin>")
            if cleaned is None and not run.is_html(data):
                cleaned = data  # never lose a document: pass it through as it was
            changed = cleaned is not None and cleaned != data
            if o.diff and changed:
                stdout.write(_unified_diff("<stdin>", data, cleaned).encode("utf-8"))
            elif not o.check and not o.diff and cleaned is not None:
                stdout.write(cleaned)
        stdout.flush()
    finally:
        if o.stats:
            err(report.table())
    if report.failed:
        return EXIT_FAILED
    return EXIT_CHANGES if o.check and changed else EXIT_OK


def _clean_paths(cleaner: Cleaner, paths: tuple[Path, ...], o: _Options, log: _RemovalLog) -> int:
    """Files and folders: in place, checked, diffed or copied to an output folder."""
    if o.jsonl:
        raise click.BadOptionUsage("jsonl", "--jsonl is for stdin; .jsonl and .jsonl.gz files are recognised by name")
    if o.output_dir is not None and (o.check or o.diff):
        raise click.BadOptionUsage("output_dir", "-o/--output-dir cannot be combined with --check or --diff")
    from .batch import FileJob, WriteBack
    from .files import Selection
    from .runner import find_files, run_files

    if o.diff:
        write_back = WriteBack.DIFF
    elif o.check:
        write_back = WriteBack.CHECK
    elif o.output_dir is not None:
        write_back = WriteBack.OUTPUT
    else:
        write_back = WriteBack.IN_PLACE
    root = find_root(paths)
    selection = Selection(
        include=o.include or DEFAULT_INCLUDE,
        exclude=o.exclude,
        html=write_back is WriteBack.OUTPUT,
        remove_stray=write_back in (WriteBack.IN_PLACE, WriteBack.OUTPUT),
    )
    if o.exclude:
        _check_pattern(o.exclude)
    files = find_files(paths, selection, root=root)
    job = FileJob(
        cleaner=cleaner,
        write_back=write_back,
        root=root,
        output_dir=o.output_dir.resolve() if o.output_dir else None,
        field=o.field,
        to_field=o.to_field,
        explain=o.explain,
        log_removals=log.write is not None,
    )
    progress = _progress_bar(len(files), enabled=not o.quiet)
    say = progress.write if progress is not None else err
    stdout = sys.stdout.buffer
    fixer = os.environ.get("PRE_COMMIT") == "1"

    def on_outcome(outcome: FileOutcome) -> None:
        for message in outcome.messages:
            say(message)
        if log.write is not None:
            for entry in outcome.removals:
                log.write(entry)
        if outcome.changed and not outcome.failed:
            if outcome.diff is not None:
                stdout.write(outcome.diff.encode("utf-8"))
            elif not o.quiet:
                verb = {
                    WriteBack.IN_PLACE: "Fixing" if fixer else "cleaned",
                    WriteBack.OUTPUT: "cleaned",
                    WriteBack.CHECK: "would clean",
                }
                if write_back in verb:
                    say(f"{verb[write_back]} {outcome.path}")
        if progress is not None:
            progress.update()

    try:
        totals = run_files(
            files,
            job,
            jobs=o.jobs,
            use_cache=not o.no_cache,
            on_outcome=on_outcome,
            on_skip=lambda count: progress.update(count) if progress is not None else None,
        )
    finally:
        if progress is not None:
            progress.close()
    stdout.flush()
    if o.stats:
        err(totals.documents.table())
    if not o.quiet:
        err(totals.summary(write_back))
    return totals.return_code(check=o.check)


def _check_pattern(pattern: str) -> None:
    import regex  # only for --exclude: a run without one does not need regex to find its files

    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise click.BadParameter(f"not a valid regular expression: {exc}", param_hint="--exclude") from None


def _progress_bar(total: int, *, enabled: bool):
    """A progress bar on stderr when stderr is a terminal, else None."""
    if not enabled or total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, leave=False, dynamic_ncols=True)


def _unified_diff(name: str, before: bytes, after: bytes) -> str:
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))


@cli.group()
def rules() -> None:
    """List, test and check rule packs."""


@rules.command("list")
@rule_options
def rules_list(rule_paths: tuple[str, ...], no_default_rules: bool, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """List the rules in use: id, action, where, and what each removes."""
    cleaner = _make_cleaner(rules=rule_paths, default_rules=not no_default_rules, select=select, ignore=ignore)
    width = max((len(rule.id) for rule in cleaner.rules), default=2)
    for rule in cleaner.rules:
        where = rule.where.value if rule.region_size is None else f"{rule.where.value}:{rule.region_size}"
        click.echo(f"{rule.id:<{width}}  {rule.action.value:<9}  {where:<8}  {rule.description}")


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(exists=True))
@click.option("-v", "--verbose", is_flag=True, help="Name every rule tested, not only the failures.")
def rules_test(files: tuple[str, ...], verbose: bool) -> None:
    """Run the examples embedded in rule files (default: the shipped packs).

    Each rule alone must change every "remove" example and leave every "keep"
    example as it is, and have at least one of each. Exit 1 on any failure.
    """
    from .examples import check_examples

    packs = _load(files)
    rules = [rule for pack in packs for rule in pack.rules]
    failures = check_examples(rules)
    failed_ids = {f.rule.id for f in failures}
    for failure in failures:
        err(f"FAIL {failure}")
    if verbose:
        for rule in rules:
            if rule.id not in failed_ids:
                err(f"ok   {rule.id} ({len(rule.remove_examples)} remove, {len(rule.keep_examples)} keep)")
    examples = sum(len(r.remove_examples) + len(r.keep_examples) for r in rules)
    err(f"{len(rules) - len(failed_ids)} of {len(rules)} rules passed ({examples} examples); {len(failures)} failures")
    sys.exit(1 if failures else 0)


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True))
def rules_check(files: tuple[str, ...]) -> None:
    """Validate rule files (default: the shipped packs): keys, actions, patterns. Exit 2 on the first error."""
    packs = _load(files)
    err(f"{sum(len(p.rules) for p in packs)} rules in {len(packs)} packs: ok")


def _load(files: tuple[str, ...]):
    try:
        return load_packs(files, default_rules=not files)
    except RuleError as exc:
        raise UsageFailure(str(exc)) from None




def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``cleaner`` console script.

    An unexpected exception becomes one line on stderr and exit code 123 (the
    traceback is shown with CLEANER_DEBUG=1); Ctrl-C exits 130.
    """
    try:
        cli.main(args=argv, prog_name="cleaner", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        err("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a traceback
        if os.environ.get("CLEANER_DEBUG"):
            raise
        err(f"error: internal error: {type(exc).__name__}: {exc} (set CLEANER_DEBUG=1 for the traceback)")
        sys.exit(123)


def _silence_stdout() -> None:
    """After the reader of stdout went away, keep Python from complaining when it flushes at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


__all__ = ["cli", "main"]
