"""What earlier runs worked out: rule packs already validated, files already clean.

Keyed like black's cache: one file per key (for the file cache, the rules,
options and version), the file for clean files mapping each absolute path to
the (size, mtime_ns) it had when it was last seen clean. Stored under the user
cache folder (``CLEANER_CACHE_DIR`` overrides it) and written atomically.

Start-up counts here (every run reads this cache), so a key is its plain
values themselves ("material": strings, numbers, tuples), kept inside the file
and compared when it is read; the file name is only a checksum of it. Files are
written with :mod:`marshal`, which, unlike pickle and hashlib, costs nothing
to import.
"""

from __future__ import annotations

import functools
import marshal
import os
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ._version import __version__

Signature = tuple[int, int]
UNREADABLE = (OSError, ValueError, EOFError, TypeError)  # what marshal.loads raises on a damaged file


def cache_dir() -> Path:
    """``CLEANER_CACHE_DIR``, or the user cache folder: the XDG one on Linux, worked out here
    (what platformdirs gives, without the 5 ms its import costs every run); platformdirs elsewhere."""
    override = os.environ.get("CLEANER_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(base if os.path.isabs(base) else os.path.expanduser("~/.cache")) / "cleaner"
    import platformdirs

    return Path(platformdirs.user_cache_dir("cleaner", appauthor=False))


def fingerprint(*parts: object) -> str:
    """A short hash of everything that decides what cleaning does (keys shard outputs)."""
    import hashlib
    import pickle

    return hashlib.sha256(pickle.dumps((__version__, *parts), protocol=4)).hexdigest()[:20]


def file_name(material: tuple) -> str:
    """A name for the cache file of ``material``: two checksums of its repr (which, for plain values, is the
    same in every process). Two keys may share a name; the material kept in the file tells them apart."""
    data = repr((__version__, material)).encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def read(path: Path, material: tuple):
    """The value stored at ``path`` under ``material``, or None (no file, another key, damaged)."""
    try:
        stored, value = marshal.loads(path.read_bytes())
    except UNREADABLE:
        return None
    return value if stored == (__version__, material) else None


KEEP = {"packs": 64, "scanners": 4}  # files kept per kind: about 0.2 MB a pack, 3.5 MB a scanner database


def write(path: Path, material: tuple, value) -> None:
    """Store ``value`` under ``material``; a cache that cannot be written is not worth failing a run over.

    A kind listed in :data:`KEEP` keeps only its newest files: each edit of a pack, or each rule
    selection that gets a scanner, writes a new one, and the old ones would pile up unread."""
    from .writeback import write_atomic

    try:
        write_atomic(path, marshal.dumps(((__version__, material), value)))
    except (OSError, ValueError):  # ValueError: a value marshal cannot store
        return
    keep = KEEP.get(path.parent.name)
    if keep is not None:
        prune(path.parent, keep)


def prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently written cache files in ``folder``."""
    try:
        with os.scandir(folder) as entries:
            files = [(entry.stat().st_mtime_ns, entry.path) for entry in entries if entry.name.endswith(".marshal")]
    except OSError:
        return
    files.sort(reverse=True)
    for _, path in files[keep:]:
        try:
            os.unlink(path)
        except OSError:  # gone already (another process pruned it), or not ours to delete
            pass


DISTRIBUTIONS = {"yaml": "pyyaml"}  # import name -> distribution name, where they differ


@functools.lru_cache(maxsize=None)  # asked once per pack
def installed_versions(*modules: str) -> tuple[str, ...]:
    """The installed version of each module, read from the name of its distribution's .dist-info folder.

    Importing regex and yaml only for their ``__version__`` costs more than a whole
    cached run; the metadata folder next to the module says the same. A module
    found without one (a source checkout) is imported after all.
    """
    from importlib.machinery import PathFinder

    versions = []
    for module in modules:
        spec = PathFinder.find_spec(module)
        found: list[str] = []
        if spec is not None and spec.origin:
            location = spec.submodule_search_locations[0] if spec.submodule_search_locations else spec.origin
            site = os.path.dirname(location)
            prefix = DISTRIBUTIONS.get(module, module).lower().replace("-", "_") + "-"
            try:
                names = os.listdir(site)
            except OSError:
                names = []
            found = sorted(
                name[len(prefix) : -len(".dist-info")]
                for name in names
                if name.endswith(".dist-info") and name.lower().startswith(prefix)
            )
        if not found:
            found = [str(getattr(__import__(module), "__version__", "unknown"))]
        versions.append(f"{module}=={','.join(found)}")
    return tuple(versions)


def remember(kind: str, material: tuple, build, *, dump=lambda value: value, load=lambda plain: plain):
    """The value ``build()`` made for ``material`` when this ran before, or a new one, kept for next time.

    A memo on disk for work that depends only on its key (validated rule packs).
    ``dump`` turns the value into what marshal can store (plain values), ``load``
    turns that back. When the cache folder cannot be read or written, it simply
    builds the value.
    """
    path = cache_dir() / kind / f"{file_name(material)}.marshal"
    plain = read(path, material)
    if plain is not None:
        try:
            return load(plain)
        except (TypeError, ValueError, KeyError):
            pass
    value = build()
    write(path, material, dump(value))
    return value


@dataclass
class Cache:
    """Paths known to be clean, with the signature they had then."""

    path: Path
    material: tuple
    entries: dict[str, Signature] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def load(cls, material: tuple) -> Cache:
        path = cache_dir() / f"cache.{file_name(material)}.marshal"
        entries = read(path, material)
        return cls(path, material, entries if isinstance(entries, dict) else {})

    def is_clean(self, path: Path | str, *, absolute: str | None = None) -> bool:
        """True when ``path`` is recorded clean and has the same size and mtime still.

        ``absolute``, the path made absolute when the caller knows it already, saves working it out.
        """
        known = self.entries.get(absolute or os.path.abspath(path))
        if known is None:
            return False
        try:
            info = os.stat(path)
        except OSError:
            return False
        return known == (info.st_size, info.st_mtime_ns)

    def mark_clean(self, path: Path, signature: Signature) -> None:
        self.entries[os.path.abspath(path)] = signature
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            write(self.path, self.material, self.entries)
