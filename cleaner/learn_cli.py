"""The ``cleaner learn`` command: read a corpus, propose a rule pack, or review one.

The I/O around :mod:`cleaner.learn`: folders of .txt files, .jsonl/.jsonl.gz files (one
document per record, in ``--field``), or JSON Lines on stdin; the pack goes to ``-o FILE``
(written atomically) or stdout, messages to stderr.
"""

from __future__ import annotations

import gzip
import itertools
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import regex

from .errors import InputError, RuleError
from .files import DEFAULT_INCLUDE, Selection, find_root, iter_files, kind_of
from .learn import ISOLATED_FACTOR, ISOLATED_WORDS, Settings, format_review, learn_rules, review_pack
from .packs import choose_rules, load_packs
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from .rules import load_pack
from .sources import decode_text, iter_records
from .writeback import write_atomic

BOM = "\ufeff"
Document = tuple[str, str]  # (label, text)


class UsageFailure(click.ClickException):
    """A one-line error that exits with code 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _split_commas(ctx: click.Context, param: click.Parameter, values) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, path_type=Path), metavar="[PATH]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the learned pack here (default: stdout).",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PACK",
    help="Do not learn: apply PACK alone to the corpus and print, for each rule, how many documents it "
    "changes, with before/after excerpts.",
)
@click.option("--jsonl", is_flag=True, help="stdin is JSON Lines, one document per record (needed to read stdin).")
@click.option(
    "--field",
    default="text",
    show_default=True,
    help="The JSONL field that holds the document (stdin and .jsonl/.jsonl.gz files).",
)
@click.option(
    "--min-docs",
    type=click.IntRange(min=2),
    default=Settings.min_docs,
    show_default=True,
    help="Propose a line or block only if it is in at least this many documents.",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=Settings.min_share,
    show_default=True,
    help="...and in at least this share of the documents.",
)
@click.option(
    "--max-words",
    type=click.IntRange(min=1),
    default=Settings.max_words,
    show_default=True,
    help="Longer lines are content: never counted, never proposed.",
)
@click.option(
    "--context/--no-context",
    default=Settings.context,
    show_default=True,
    help=f"Leave out short lines (up to {ISOLATED_WORDS} words) isolated between unique text, like generic "
    "headings (\"References\") and greetings: those that, in most of their documents, are neither first nor "
    f"last and sit between lines found in no other document, unless they are in {ISOLATED_FACTOR} times the "
    "documents needed. --no-context proposes them.",
)
@click.option("--sample", type=click.IntRange(min=1), metavar="N", help="Read only the first N documents.")
@click.option(
    "--max-keys",
    type=click.IntRange(min=1000),
    default=Settings.max_keys,
    show_default=True,
    help="Memory bound: at most this many distinct lines and blocks are counted at a time (about 150 "
    "bytes each); past it rare ones are pruned and counts may come out a little low (the bound is reported).",
)
@click.option(
    "--pack",
    "pack_name",
    default=Settings.pack,
    show_default=True,
    help="The name of the learned pack, which prefixes its rule ids.",
)
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(),
    metavar="FILE_OR_DIR",
    help="Rules already in use besides the shipped packs (repeatable): lines they remove are not proposed.",
)
@click.option("--no-default-rules", is_flag=True, help="Propose lines even if the shipped packs remove them.")
@click.option(
    "--include",
    multiple=True,
    callback=_split_commas,
    metavar="GLOB",
    help=f"File names to read inside folders (default: {', '.join(DEFAULT_INCLUDE)}).",
)
@click.option("--exclude", metavar="REGEX", help="Skip files and folders whose path matches this regular expression.")
@click.option(
    "--excerpts", type=click.IntRange(min=0), default=2, show_default=True, help="Excerpts per rule in --review."
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr; only errors.")
def learn(paths: tuple[Path, ...], **options) -> None:
    """Learn boilerplate rules from a corpus: lines and head/tail blocks that repeat.

    \b
    Reads .txt files (one document each) and .jsonl/.jsonl.gz files (one document per record,
    in --field) from PATHs, folders recursively; with no PATH (or -), JSON Lines from stdin
    (--jsonl). HTML is not read: extract its text first, e.g.
      cleaner clean --no-default-rules --jsonl --field html --to-field text < crawl.jsonl

    \b
    Lines are compared up to case, digits, whitespace, quote and dash variants and date words.
    A line in at least --min-docs documents and --min-share of them becomes a drop-line rule;
    the same last (first) lines of many documents become a cut-tail (cut-head) rule. Never
    proposed: lines longer than --max-words, sentences with few repeats, lines of a text
    republished word for word, and lines the rules in use already remove. Template text
    repeats in context (at a document's start or end, next to other repeated lines); a short
    line that in most of its documents sits between lines found nowhere else, like a generic
    heading or a greeting, needs many times the documents (see --context). Every
    rule carries examples from the corpus and passes `cleaner rules test`. Review the pack
    before use:

    \b
      cleaner learn corpus/ -o learned.yaml
      cleaner learn --review learned.yaml corpus/
      cleaner clean --rules learned.yaml corpus/

    Exit codes: 0 done; 2 usage or rule error; 3 some inputs could not be read (each named on
    stderr; the others were used).
    """
    o = options
    if o["review_path"] is not None and o["output"] is not None:
        raise UsageFailure("--review prints a report; it cannot be combined with -o/--output")
    failures: list[str] = []

    def fail(label: str, problem: object) -> None:
        failures.append(label)
        message = str(problem)
        if not message.startswith(label.split(" ")[0]):
            message = f"{label}: {message}"
        click.echo(f"error: {message}", err=True)

    documents = iter_documents(
        paths,
        field=o["field"],
        jsonl=o["jsonl"],
        selection=Selection(include=o["include"] or DEFAULT_INCLUDE, exclude=o["exclude"]),
        on_error=fail,
    )
    if o["sample"]:
        documents = itertools.islice(documents, o["sample"])

    if o["review_path"] is not None:
        if not o["review_path"].is_file():
            raise UsageFailure(f"{o['review_path']}: no such rule file")
        pack = _load(lambda: load_pack(o["review_path"]))
        review = review_pack(pack.rules, documents, excerpts=o["excerpts"])
        _check_read(review.documents, failures)
        click.echo(format_review(review), nl=False)
        sys.exit(EXIT_FAILED if failures else EXIT_OK)

    known = _load(lambda: choose_rules(load_packs(o["rule_paths"], default_rules=not o["no_default_rules"])))
    settings = Settings(
        min_docs=o["min_docs"],
        min_share=o["min_share"],
        max_words=o["max_words"],
        max_keys=o["max_keys"],
        context=o["context"],
        pack=o["pack_name"],
    )
    if not regex.fullmatch(r"[a-z0-9][a-z0-9_-]*", settings.pack):
        raise UsageFailure(f"--pack {settings.pack!r}: a pack name is lowercase letters, digits, '-' or '_'")
    learned = learn_rules((text for _, text in documents), settings=settings, known=known)
    _check_read(learned.documents, failures)
    data = learned.text.encode("utf-8")
    target = o["output"]
    if target is None or str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        where = "stdout"
    else:
        try:
            write_atomic(target, data)
        except OSError as exc:
            raise UsageFailure(f"{target}: cannot write the pack: {exc.strerror or exc}") from None
        where = str(target)
    if not o["quiet"]:
        _summarise(learned, where)
    sys.exit(EXIT_FAILED if failures else EXIT_OK)


def iter_documents(
    paths: tuple[Path, ...],
    *,
    field: str,
    jsonl: bool,
    selection: Selection,
    on_error: Callable[[str, object], None],
) -> Iterator[Document]:
    """The documents of a corpus as ``(label, text)``, in a stable order.

    Raises :class:`UsageFailure` up front for a missing path, stdin without ``jsonl`` or
    mixed with paths, or a bad exclude pattern; an unreadable file or record is passed to
    ``on_error`` with its name (and line) and skipped.
    """
    if not paths or paths == (Path("-"),):
        if not jsonl:
            raise UsageFailure(
                "reading stdin needs --jsonl (one JSON record per document); to learn from files, name them"
            )
        return _iter_records(sys.stdin.buffer, "<stdin>", field, on_error)
    if Path("-") in paths:
        raise UsageFailure("- (stdin) cannot be mixed with paths")
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageFailure(f"{missing[0]}: no such file or folder")
    try:
        files = list(iter_files(paths, selection, root=find_root(paths)))
    except regex.error as exc:
        raise UsageFailure(f"--exclude: not a valid regular expression: {exc}") from None
    return _iter_files(files, field, on_error)


def _iter_files(files: list[Path], field: str, on_error) -> Iterator[Document]:
    for path in files:
        kind = kind_of(path)
        if kind == "html":
            on_error(str(path), "HTML is not read by learn; extract its text first (see cleaner learn --help)")
        elif kind == "jsonl":
            yield from _iter_jsonl_file(path, field, on_error)
        else:
            try:
                text = decode_text(path.read_bytes(), name=str(path))
            except OSError as exc:
                on_error(str(path), f"cannot read: {exc.strerror or exc}")
                continue
            except InputError as exc:
                on_error(str(path), exc)
                continue
            yield str(path), text.removeprefix(BOM)


def _iter_jsonl_file(path: Path, field: str, on_error) -> Iterator[Document]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            yield from _iter_records(handle, str(path), field, on_error)
    except (OSError, EOFError, zlib.error) as exc:
        on_error(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}")


def _iter_records(lines, name: str, field: str, on_error) -> Iterator[Document]:
    for record in iter_records(lines):
        label = record.label(name)
        if record.error:
            on_error(label, record.error)
            continue
        if record.data is None:  # a blank line
            continue
        value = record.data.get(field)
        if value is None and field in record.data:
            continue
        if not isinstance(value, str):
            on_error(label, f'no field "{field}"' if field not in record.data else f'field "{field}" is not a string')
            continue
        yield label, value


def _load(function):
    try:
        return function()
    except RuleError as exc:
        raise UsageFailure(str(exc)) from None


def _check_read(documents: int, failures: list[str]) -> None:
    if not documents:
        click.echo("error: no documents to learn from", err=True)
        sys.exit(EXIT_FAILED if failures else EXIT_USAGE)


def _summarise(learned, where: str) -> None:
    actions = ", ".join(f"{n} {action}" for action, n in sorted(learned.counts.items()))
    click.echo(
        f"learned {len(learned.rules)} rules{f' ({actions})' if actions else ''} from {learned.documents:,} "
        f"documents (a line or block must be in {learned.threshold:,}); wrote {where}",
        err=True,
    )
    left_out = []
    if learned.known:
        left_out.append(f"{learned.known} already removed by the rules in use")
    if learned.content:
        left_out.append(f"{learned.content} that look like content")
    if learned.isolated:
        left_out.append(f"{learned.isolated} isolated between unique lines, like headings (--no-context keeps them)")
    if learned.failed:
        left_out.append(f"{learned.failed} whose examples did not hold")
    if left_out:
        click.echo(f"left out frequent lines and blocks: {'; '.join(left_out)}", err=True)
    if learned.error:
        click.echo(
            f"note: counts may be low by up to {learned.error:,} documents (memory bound; see --max-keys)", err=True
        )
