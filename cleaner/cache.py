"""Remember which files are already clean under a rule set, so re-runs skip them.

Keyed like black's cache: one file per rule-set fingerprint (rules, options and
version), mapping each absolute path to the (size, mtime_ns) it had when it
was last seen clean. Stored under the user cache folder (``CLEANER_CACHE_DIR``
overrides it) and written atomically.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from ._version import __version__
from .writeback import write_atomic

Signature = tuple[int, int]


def cache_dir() -> Path:
    override = os.environ.get("CLEANER_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("cleaner", appauthor=False))


def fingerprint(*parts: object) -> str:
    """A short hash of everything that decides what cleaning does."""
    return hashlib.sha256(pickle.dumps((__version__, *parts), protocol=4)).hexdigest()[:20]


def remember(kind: str, key: str, build):
    """The value ``build()`` made for ``key`` when this ran before, or a new one, kept for next time.

    A memo on disk for work that depends only on its key (validated rule packs):
    when the cache folder cannot be read or written, it simply builds the value.
    """
    path = cache_dir() / kind / f"{key}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError, TypeError):
        pass
    value = build()
    try:
        write_atomic(path, pickle.dumps(value, protocol=4))
    except OSError:
        pass
    return value


@dataclass
class Cache:
    """Paths known to be clean, with the signature they had then."""

    path: Path
    entries: dict[str, Signature] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def load(cls, key: str) -> Cache:
        path = cache_dir() / f"cache.{key}.pickle"
        try:
            with path.open("rb") as handle:
                entries = pickle.load(handle)
            if not isinstance(entries, dict):
                entries = {}
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
            entries = {}
        return cls(path, entries)

    def is_clean(self, path: Path) -> bool:
        known = self.entries.get(os.path.abspath(path))
        if known is None:
            return False
        try:
            info = path.stat()
        except OSError:
            return False
        return known == (info.st_size, info.st_mtime_ns)

    def mark_clean(self, path: Path, signature: Signature) -> None:
        self.entries[os.path.abspath(path)] = signature
        self.dirty = True

    def save(self) -> None:
        """Write the cache; a cache that cannot be written is not worth failing a run over."""
        if not self.dirty:
            return
        try:
            write_atomic(self.path, pickle.dumps(self.entries, protocol=4))
        except OSError:
            pass
