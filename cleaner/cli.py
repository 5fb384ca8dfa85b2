"""The ``cleaner`` command: a thin click layer over :class:`cleaner.Cleaner`.

stdout carries only data; every message goes to stderr. Exit codes: 0 success,
2 usage, rule or configuration error, 3 some inputs could not be processed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import BinaryIO

import click

from . import __version__, extract
from .api import DEFAULT_MAX_REMOVED_SHARE, DEFAULT_TIMEOUT, INPUT_FORMATS, Cleaner
from .core import Result
from .errors import InputError, RuleError
from .examples import check_examples
from .packs import load_packs
from .report import EXIT_FAILED, EXIT_USAGE, Report
from .sources import decode_text, encode_record, iter_records

EXPLAIN_WIDTH = 100


class UsageFailure(click.ClickException):
    """A one-line error that exits with code 2 (bad rules, options or configuration)."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def err(message: str) -> None:
    click.echo(message, err=True)


def _split_commas(ctx: click.Context, param: click.Parameter, values: Iterable[str]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def rule_options(function):
    """The options that choose rules, shared by ``clean`` and ``rules list``."""
    function = click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        type=click.Path(exists=True, dir_okay=True),
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@cli.command()
@click.argument("source", required=False, default="-", metavar="[-]")
@click.option("--jsonl", is_flag=True, help="Read JSON Lines, clean one field of each record, write JSON Lines.")
@click.option("--field", default="text", show_default=True, help="With --jsonl: the field that holds the document.")
@click.option(
    "--to-field",
    metavar="NAME",
    help="With --jsonl: write the cleaned text under this key instead of replacing --field "
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
    help="Guard: leave a document as it was (and say so) if the rules would remove more than this share of its words.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Time limit in seconds for the rules on one document (per started megabyte); past it the document "
    "is reported and left as it was.",
)
@click.option("--explain", is_flag=True, help="Print every removal on stderr: where, rule id and removed text.")
@click.option("--stats", is_flag=True, help="Print counts per rule and totals on stderr at the end.")
def clean(
    source: str,
    jsonl: bool,
    field: str,
    to_field: str | None,
    input_format: str,
    extraction: str,
    rule_paths: tuple[str, ...],
    no_default_rules: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    max_removed_share: float,
    timeout: float,
    explain: bool,
    stats: bool,
) -> None:
    """Clean one document from stdin to stdout, or JSON Lines with --jsonl.

    Plain text goes straight to the rules; HTML is recognised and reduced to
    its main text first. Exit codes: 0 done; 2 bad rules or options; 3 some
    input could not be processed (named on stderr; it is passed through as it
    was, never dropped).
    """
    if source != "-":
        raise UsageFailure(f"{source}: cleaning files in place is not supported yet; use stdin: cleaner clean < {source}")
    if to_field and not jsonl:
        raise click.BadOptionUsage("to_field", "--to-field needs --jsonl")
    cleaner = _make_cleaner(
        rules=rule_paths,
        default_rules=not no_default_rules,
        select=select,
        ignore=ignore,
        max_removed_share=max_removed_share,
        timeout=timeout,
        input_format=input_format,
        extraction=extraction,
    )
    report = Report()
    stdin, stdout = click.get_binary_stream("stdin"), click.get_binary_stream("stdout")
    try:
        if jsonl:
            _clean_jsonl(cleaner, stdin, stdout, report, field=field, to_field=to_field, explain=explain)
        else:
            _clean_document(cleaner, stdin, stdout, report, explain=explain)
        stdout.flush()
    finally:
        if stats:
            err(report.table())
    sys.exit(report.return_code)


def _make_cleaner(**options) -> Cleaner:
    try:
        return Cleaner(**options)
    except RuleError as exc:
        raise UsageFailure(str(exc)) from None


def _clean_document(cleaner: Cleaner, stdin: BinaryIO, stdout: BinaryIO, report: Report, *, explain: bool) -> None:
    data = stdin.read()
    name = "<stdin>"
    try:
        if cleaner.input_format == "html" or (cleaner.input_format == "auto" and extract.looks_like_html(data)):
            text = cleaner.to_text(data, input_format="html")
            if not text.endswith("\n"):
                text += "\n"
        else:
            text = decode_text(data, name=name)
        result = cleaner.run(text, input_format="text")
    except InputError as exc:
        report.fail()
        err(f"error: {name}: {exc}" if not str(exc).startswith(name) else f"error: {exc}")
        if not (cleaner.input_format != "text" and extract.looks_like_html(data)):
            stdout.write(data)  # never lose a document: pass it through as it was
        return
    _note(result, name, report, len(text), explain, cleaner.max_removed_share)
    stdout.write(result.text.encode("utf-8"))


def _clean_jsonl(
    cleaner: Cleaner,
    stdin: BinaryIO,
    stdout: BinaryIO,
    report: Report,
    *,
    field: str,
    to_field: str | None,
    explain: bool,
) -> None:
    for record in iter_records(stdin):
        label = record.label("<stdin>")
        if record.error:
            report.fail()
            err(f"error: {label}: {record.error}; passed through unchanged")
            stdout.write(record.raw)
            continue
        if record.data is None:  # a blank line
            stdout.write(record.raw)
            continue
        value = record.data.get(field)
        if value is None and field in record.data:
            stdout.write(record.raw)
            continue
        if not isinstance(value, str):
            report.fail()
            problem = f'no field "{field}"' if field not in record.data else f'field "{field}" is not a string'
            err(f"error: {label}: {problem}; passed through unchanged")
            stdout.write(record.raw)
            continue
        try:
            result = cleaner.run(value)
        except InputError as exc:
            report.fail()
            err(f"error: {label}: {exc}; passed through unchanged")
            if to_field:
                record.data[to_field] = None
                stdout.write(encode_record(record.data, record.raw))
            else:
                stdout.write(record.raw)
            continue
        _note(result, label, report, len(value), explain, cleaner.max_removed_share)
        if to_field:
            record.data[to_field] = result.text
            stdout.write(encode_record(record.data, record.raw))
        elif result.changed:
            record.data[field] = result.text
            stdout.write(encode_record(record.data, record.raw))
        else:
            stdout.write(record.raw)


def _note(result: Result, label: str, report: Report, length: int, explain: bool, limit: float) -> None:
    """Count a result, and say on stderr what a user should know about it."""
    report.add(result, length)
    if result.guarded:
        err(
            f"warning: {label}: left as it was: the rules would remove {result.removed_share:.0%} of its words "
            f"(limit {limit:.0%}, see --max-removed-share)"
        )
    if explain:
        verb = "would remove" if result.guarded else "removed"
        for removal in result.removals:
            shown = removal.text if len(removal.text) <= EXPLAIN_WIDTH else removal.text[: EXPLAIN_WIDTH - 3] + "..."
            extra = f" -> {removal.replacement!r}" if removal.replacement is not None else ""
            err(f"{label}: line {removal.line}: {removal.rule_id}: {verb} {shown!r}{extra}")


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
    """Entry point of the ``cleaner`` console script."""
    cli.main(args=argv, prog_name="cleaner")


__all__ = ["cli", "main"]
