"""Corpus shards: one input shard in, one cleaned shard of the same name out, at any fsspec URL.

A shard is a JSON Lines file (compressed or not: the compression is inferred
from the name, and the output is compressed the same way) or a Parquet file
with a text column. Its records go through the same code as
``cleaner clean --jsonl``, so a shard cleaned here is byte for byte what that
command writes for it.

Resumable: a shard is written under a temporary name beside its final place
and renamed when complete, so a killed worker leaves no half shard. Just
before the rename, a small state file (``OUTDIR/.cleaner-state/NAME.json``)
records the shard's counts and messages, the fingerprint of the rules and
options, and the size and date of its input. A later run skips a shard whose
output and state file are there and match, and counts it from that file, so
its ``--stats`` cover the whole corpus.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

import fsspec
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import infer_compression

from .api import Cleaner
from .cache import fingerprint
from .errors import CleanerError
from .files import TEMP_SUFFIX
from .pipeline import Run
from .report import Report
from .writeback import AtomicFile

STATE_DIR = ".cleaner-state"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
STATE_MESSAGES = 1000  # errors and warnings kept per shard, to report again when it is skipped


class ShardError(CleanerError):
    """The shards to clean cannot be found or named (exit code 2)."""


@dataclass(frozen=True)
class Shard:
    """One input shard: its URL (a local path, or with its protocol), its output name and its kind."""

    url: str
    name: str
    kind: str  # "jsonl" or "parquet"


@dataclass(frozen=True)
class ShardJob:
    """How every shard of a run is cleaned, and where the results go."""

    output_dir: str
    key: str  # fingerprint of the rules and options, see job_key
    field: str = "text"
    to_field: str | None = None
    explain: bool = False


@dataclass
class ShardOutcome:
    """What happened to one shard: cleaned, skipped (done by an earlier run) or failed as a whole."""

    shard: Shard
    skipped: bool = False
    error: str | None = None
    report: Report = field(default_factory=Report)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    size: int = 0

    @property
    def failed(self) -> bool:
        return self.error is not None or bool(self.report.failed)


def job_key(cleaner: Cleaner, *, field: str, to_field: str | None) -> str:
    """The fingerprint of everything that decides a shard's cleaned content.

    Rules count by what they declare (:meth:`Rule.behaviour`), not by their
    pickled bytes, which also carry what a rule worked out about itself.
    """
    rules = [rule.behaviour() for rule in cleaner.rules]
    return fingerprint("shards", rules, cleaner.max_removed_share, cleaner.input_format, cleaner.extraction, field, to_field)


def find_shards(patterns: Sequence[str], *, jsonl: bool = False) -> list[Shard]:
    """The shards that ``patterns`` (paths, globs or URLs, folders meaning their files) name, sorted.

    Files are JSONL (``.jsonl``, ``.ndjson``, compressed or not) or Parquet by
    their name; with ``jsonl`` every file that is not Parquet is read as JSONL.
    Raises :class:`ShardError` when a pattern matches nothing, or two shards
    share a name (they would share one output file).
    """
    shards: dict[str, Shard] = {}
    for pattern in patterns:
        fs, path = url_to_fs(pattern)
        if fs.isdir(path):  # a folder: the shards in it, recognised by name
            found = [p for p in fs.find(path, maxdepth=1) if _kind(p)]
        elif _has_magic(path):
            found = [p for p, info in fs.glob(path, detail=True).items() if info.get("type") == "file"]
        else:
            found = [path] if fs.isfile(path) else []
        if not found:
            raise ShardError(f"{pattern}: no JSONL or Parquet shards found")
        for path in sorted(found):
            name = path.rstrip("/").rsplit("/", 1)[-1]
            kind = _kind(name, jsonl=jsonl)
            if kind is None:
                raise ShardError(
                    f"{path}: not a JSONL or Parquet shard by its name (.jsonl, .jsonl.gz, .parquet); "
                    "pass --jsonl to read every file as JSON Lines"
                )
            url = path if isinstance(fs, LocalFileSystem) else fs.unstrip_protocol(path)
            other = shards.get(name)
            if other is not None and other.url != url:
                raise ShardError(f"{other.url} and {url} share the name {name}; the output folder holds one shard per name")
            shards[name] = Shard(url, name, kind)
    return sorted(shards.values(), key=lambda shard: shard.name)


def _has_magic(path: str) -> bool:
    return any(char in path for char in "*?[")


def _kind(name: str, *, jsonl: bool = False) -> str | None:
    lower = name.lower()
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    compression = infer_compression(lower)
    if compression:
        lower = lower.rsplit(".", 1)[0]
    if jsonl or lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def remove_stale_temps(output_dir: str) -> int:
    """Remove the temporary files a killed run left in ``output_dir``; return how many there were."""
    fs, root = url_to_fs(output_dir)
    stale = fs.glob(f"{root.rstrip('/')}/.*{TEMP_SUFFIX}") + fs.glob(f"{root.rstrip('/')}/{STATE_DIR}/.*{TEMP_SUFFIX}")
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            fs.rm(path)
    return len(stale)


def process_shard(shard: Shard, job: ShardJob, cleaner: Cleaner) -> ShardOutcome:
    """Clean one shard into ``job.output_dir``, or skip it when an earlier run completed it.

    Problems with single records are in the outcome's report and messages (the
    record passes through, as with ``cleaner clean --jsonl``); a shard that
    cannot be read or written at all is the outcome's ``error``, and leaves no
    output behind. Never raises for either.
    """
    started = time.perf_counter()
    outcome = ShardOutcome(shard)
    fs_out, root = url_to_fs(job.output_dir)
    target = f"{root.rstrip('/')}/{shard.name}"
    state_path = f"{root.rstrip('/')}/{STATE_DIR}/{shard.name}.json"
    try:
        fs_in, source = url_to_fs(shard.url)
        info = fs_in.info(source)
        outcome.size = int(info.get("size") or 0)
        signature = _signature(info)
        state = _read_state(fs_out, state_path)
        if state is not None and state.get("key") == job.key and state.get("source") == signature and fs_out.exists(target):
            outcome.skipped = True
            outcome.report = _report_from(state["report"])
            outcome.messages = list(state["messages"])
            return outcome
        run = Run(cleaner, outcome.report, outcome.messages.append, explain=job.explain)
        with _atomic_output(fs_out, target) as out:
            if shard.kind == "parquet":
                _clean_parquet(fs_in, source, out, run, shard, job)
            else:
                _clean_jsonl(fs_in, source, out, run, shard, job)
            kept = [m for m in outcome.messages if m.startswith(("error:", "warning:"))][:STATE_MESSAGES]
            state = {"key": job.key, "source": signature, "report": _report_to(outcome.report), "messages": kept}
            with _atomic_output(fs_out, state_path) as state_file:
                state_file.write(json.dumps(state, ensure_ascii=False).encode("utf-8"))
    except (OSError, EOFError, zlib.error, ValueError, ShardError) as exc:
        outcome.error = f"{shard.url}: {_describe(exc)}"
        outcome.report = Report()
    except ImportError as exc:  # pyarrow, or a compression library, missing on this worker
        outcome.error = f"{shard.url}: {exc} (install boilerplate-cleaner[dask] on the workers)"
        outcome.report = Report()
    finally:
        outcome.seconds = time.perf_counter() - started
    return outcome


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"not found: {exc.filename or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read or write: {exc.strerror}"
    return f"cannot read or write: {exc}" if not isinstance(exc, ShardError) else str(exc)


def _signature(info: dict[str, Any]) -> list[str]:
    """What identifies a version of the input: its size and the first date or tag its store gives."""
    stamp = next((info[k] for k in ("mtime", "LastModified", "last_modified", "updated", "ETag", "etag") if info.get(k)), "")
    return [str(info.get("size")), str(stamp)]


def _clean_jsonl(fs_in, source: str, out: IO[bytes], run: Run, shard: Shard, job: ShardJob) -> None:
    compression = infer_compression(shard.name)
    with fs_in.open(source, "rb") as raw, _decompressed(raw, compression) as lines, _compressed(out, compression) as sink:
        for _, cleaned in run.clean_records(lines, shard.url, field=job.field, to_field=job.to_field):
            sink.write(cleaned)


@contextlib.contextmanager
def _decompressed(raw: IO[bytes], compression: str | None) -> Iterator[IO[bytes]]:
    if compression is None:
        yield raw
    else:
        with fsspec.compression.compr[compression](raw, mode="rb") as stream:
            yield stream


@contextlib.contextmanager
def _compressed(out: IO[bytes], compression: str | None) -> Iterator[IO[bytes]]:
    if compression is None:
        yield out
    elif compression == "gzip":  # no time stamp in the header: the same input gives the same bytes
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as sink:
            yield sink
    else:
        with fsspec.compression.compr[compression](out, mode="wb") as sink:
            yield sink


def _clean_parquet(fs_in, source: str, out: IO[bytes], run: Run, shard: Shard, job: ShardJob) -> None:
    """Clean the text column batch by batch; every other column, and the schema, stay as they were."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .dask import clean_value

    with fs_in.open(source, "rb") as raw:
        parquet = pq.ParquetFile(raw)
        schema = parquet.schema_arrow
        if job.field not in schema.names:
            raise ShardError(f'no column "{job.field}" (see --field)')
        text_type = schema.field(job.field).type
        if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type)):
            raise ShardError(f'column "{job.field}" holds {text_type}, not text')
        target = job.to_field or job.field
        if target not in schema.names:
            schema = schema.append(pa.field(target, text_type))
        row = 0
        with pq.ParquetWriter(_KeepOpen(out), schema) as writer:
            for batch in parquet.iter_batches():
                cleaned = []
                for value in batch.column(job.field).to_pylist():
                    row += 1
                    cleaned.append(clean_value(run.cleaner, value, run, f"{shard.url}: row {row}")[0])
                table = pa.Table.from_batches([batch])
                column = pa.array(cleaned, type=text_type)
                if target in table.column_names:
                    table = table.set_column(table.column_names.index(target), target, column)
                else:
                    table = table.append_column(target, column)
                writer.write_table(table.cast(schema))


class _KeepOpen(io.RawIOBase):
    """A write-only view of ``out`` that pyarrow may close without closing ``out`` (still to be committed)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.out.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position


@contextlib.contextmanager
def _atomic_output(fs, path: str) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only when the block ends without an exception."""
    if isinstance(fs, LocalFileSystem):
        with AtomicFile(Path(path)) as out:
            yield out
            out.commit()
        return
    parent, name = path.rsplit("/", 1)
    temp = f"{parent}/.{name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}"
    try:
        with fs.open(temp, "wb") as out:
            yield out
        fs.mv(temp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            fs.rm(temp)
        raise


def _read_state(fs, path: str) -> dict[str, Any] | None:
    try:
        with fs.open(path, "rb") as handle:
            state = json.loads(handle.read())
        return state if isinstance(state, dict) and {"key", "source", "report", "messages"} <= state.keys() else None
    except (FileNotFoundError, ValueError):
        return None


def _report_to(report: Report) -> dict[str, Any]:
    return {f.name: dict(value) if isinstance(value := getattr(report, f.name), Counter) else value for f in fields(report)}


def _report_from(data: dict[str, Any]) -> Report:
    counters = {"removals", "documents_per_rule"}
    return Report(**{k: Counter(v) if k in counters else v for k, v in data.items()})


__all__ = [
    "Shard",
    "ShardError",
    "ShardJob",
    "ShardOutcome",
    "find_shards",
    "job_key",
    "process_shard",
    "remove_stale_temps",
]
