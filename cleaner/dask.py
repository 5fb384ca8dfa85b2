"""Cleaning Dask collections: a bag of texts or records, a dataframe's text column.

Needs the ``dask`` extra (``pip install "boilerplate-cleaner[dask]"``). Every
function takes the rule options of the command line (``rules``, ``select``,
``ignore``, ...) or a ready :class:`~cleaner.Cleaner`, builds the rule set once
on the client (so a bad rule fails at once, not halfway through a cluster run)
and ships it to the workers, where it is loaded once per worker process, not
once per task or record: see :func:`share`.

A document the rules cannot process (a pattern past its time limit, HTML
without article text) keeps its text as it was; with a counts column it gets
``<NA>`` there instead of a number of removals.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import dask  # noqa: F401  (absolute: the library, not this module; fails early without the extra)

from .api import Cleaner
from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe
    import pandas

    from .pipeline import Run

# A worker keeps this many rule sets (different options of different runs) before forgetting the oldest.
_CACHE_SIZE = 8
_cache: OrderedDict[str, Cleaner] = OrderedDict()
_cache_lock = threading.Lock()
_loads = 0


class SharedCleaner:
    """A :class:`Cleaner` that each process unpickles once, however many tasks carry it.

    It pickles as the cleaner's bytes plus their hash; on arrival, a process
    that already holds a cleaner with that hash reuses it instead of loading
    the rules (and compiling their patterns) again. So it can ride along with
    every partition, under the distributed scheduler or any other.
    """

    def __init__(self, cleaner: Cleaner, key: str | None = None, blob: bytes | None = None) -> None:
        self.cleaner = cleaner
        self._blob = blob
        self._key = key

    @property
    def blob(self) -> bytes:
        if self._blob is None:
            self._blob = pickle.dumps(self.cleaner, protocol=pickle.HIGHEST_PROTOCOL)
        return self._blob

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = hashlib.sha256(self.blob).hexdigest()[:20]
        return self._key

    def __reduce__(self) -> tuple[Callable[..., SharedCleaner], tuple[str, bytes]]:
        return _restore, (self.key, self.blob)

    def __dask_tokenize__(self) -> str:
        return self.key

    def __repr__(self) -> str:
        return f"<SharedCleaner {self.key} {self.cleaner!r}>"


def _restore(key: str, blob: bytes) -> SharedCleaner:
    global _loads
    with _cache_lock:
        cleaner = _cache.get(key)
        if cleaner is None:
            cleaner = pickle.loads(blob)
            _loads += 1
            _cache[key] = cleaner
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
    return SharedCleaner(cleaner, key, blob)


def rule_loads() -> int:
    """How many rule sets this process has unpickled (run it on workers: ``client.run(rule_loads)``)."""
    return _loads


def share(cleaner: Cleaner | None = None, **options: Any) -> SharedCleaner:
    """``cleaner``, or a new one built from the CLI's rule ``options``, wrapped to load once per process.

    Raises :class:`~cleaner.RuleError` for bad rules and ``ValueError`` for bad options, here on the client.
    """
    if cleaner is None:
        cleaner = Cleaner(**options)
    elif options:
        raise TypeError("pass either a cleaner or rule options, not both")
    return SharedCleaner(cleaner)


def clean_texts(bag: dask.bag.Bag, *, cleaner: Cleaner | None = None, **options: Any) -> dask.bag.Bag:
    """A bag of cleaned texts, in the order of ``bag`` (a bag of ``str``)."""
    return bag.map_partitions(_clean_text_partition, share(cleaner, **options))


def clean_records(
    bag: dask.bag.Bag,
    *,
    field: str = "text",
    to_field: str | None = None,
    counts_field: str | None = None,
    cleaner: Cleaner | None = None,
    **options: Any,
) -> dask.bag.Bag:
    """A bag of records (dicts) whose ``field`` is cleaned, into ``to_field`` if given.

    Records are copied, never changed in place; every other key is kept. A
    record without a string ``field`` passes through as it is. With
    ``counts_field``, each record also gets its number of removals there.
    """
    shared = share(cleaner, **options)
    return bag.map_partitions(_clean_record_partition, shared, field, to_field, counts_field)


def clean_column(
    frame: dask.dataframe.DataFrame,
    column: str = "text",
    *,
    to_column: str | None = None,
    counts_column: str | None = None,
    cleaner: Cleaner | None = None,
    **options: Any,
) -> dask.dataframe.DataFrame:
    """``frame`` with its text ``column`` cleaned (into ``to_column`` if given).

    With ``counts_column``, a nullable integer column with the number of
    removals per row is added (``<NA>`` for a row the rules could not process).
    Missing values stay missing.
    """
    if column not in frame.columns:
        raise KeyError(f'no column "{column}" (columns: {", ".join(map(str, frame.columns))})')
    shared = share(cleaner, **options)
    meta = clean_frame(frame._meta, shared.cleaner, column=column, to_column=to_column, counts_column=counts_column)
    return frame.map_partitions(
        _clean_frame_partition, shared, column, to_column, counts_column, meta=meta, align_dataframes=False
    )


def clean_frame(
    frame: pandas.DataFrame,
    cleaner: Cleaner,
    *,
    column: str = "text",
    to_column: str | None = None,
    counts_column: str | None = None,
    run: Run | None = None,
    name: str = "<frame>",
) -> pandas.DataFrame:
    """One pandas partition (or a whole Parquet shard) with ``column`` cleaned; see :func:`clean_column`.

    With a :class:`~cleaner.pipeline.Run`, every row is counted into its report
    and a row that cannot be processed is reported as ``NAME: row N``.
    """
    import pandas

    values = frame[column]
    cleaned: list[Any] = []
    counts: list[Any] = []
    for number, value in enumerate(values.tolist(), start=1):
        text, removals = clean_value(cleaner, value, run, f"{name}: row {number}")
        cleaned.append(text)
        counts.append(removals)
    out = frame.copy(deep=False)
    out[to_column or column] = pandas.Series(cleaned, index=frame.index, dtype=values.dtype, name=to_column or column)
    if counts_column:
        out[counts_column] = pandas.Series(counts, index=frame.index, dtype="Int64", name=counts_column)
    return out


def clean_value(cleaner: Cleaner, value: Any, run: Run | None, label: str) -> tuple[Any, int | None]:
    """One cell: (cleaned value, number of removals). Shared by the dataframe functions and Parquet shards.

    Missing values stay missing (0 removals); a value that is not text, or that
    the rules cannot process, is kept as it was with None removals, and
    reported as ``label`` when a ``run`` is given.
    """
    if not isinstance(value, str):
        if value is None or _is_missing(value):
            return value, 0
        if run is not None:
            run.fail(label, f"not a string but {type(value).__name__}", passed=True)
        return value, None
    try:
        result = cleaner.run(value)
    except InputError as exc:
        if run is not None:
            run.fail(label, exc, passed=True)
        return value, None
    if run is not None:
        run.note(result, label, len(value))
    return result.text, 0 if result.guarded else len(result.removals)


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, pandas.NA raises on bool()
    except TypeError:
        return True


def _clean_text_partition(texts, shared: SharedCleaner) -> list[Any]:
    cleaner = shared.cleaner
    return [clean_value(cleaner, text, None, "")[0] for text in texts]


def _clean_record_partition(
    records, shared: SharedCleaner, field: str, to_field: str | None, counts_field: str | None
) -> list[Any]:
    cleaner = shared.cleaner
    out = []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get(field), str):
            out.append(record)
            continue
        text, removals = clean_value(cleaner, record[field], None, "")
        record = dict(record)
        record[to_field or field] = text
        if counts_field:
            record[counts_field] = removals
        out.append(record)
    return out


def _clean_frame_partition(
    frame: pandas.DataFrame, shared: SharedCleaner, column: str, to_column: str | None, counts_column: str | None
) -> pandas.DataFrame:
    return clean_frame(frame, shared.cleaner, column=column, to_column=to_column, counts_column=counts_column)


__all__ = ["SharedCleaner", "clean_column", "clean_frame", "clean_records", "clean_texts", "rule_loads", "share"]
