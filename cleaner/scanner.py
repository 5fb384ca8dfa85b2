"""One Hyperscan pass over a document that names, for every rule it covers, the lines the
rule's pattern may match.

The literal gate (:mod:`cleaner.prefilter`) lets a rule look at every line holding one of its
strings: "share" lets the share-bar rule look at most paragraphs. Hyperscan runs all the
rules' patterns at once (as :mod:`cleaner.superset` writes them, each a superset of its rule's
pattern), so a rule is offered only the few lines its whole pattern may match. Compiling the
database takes seconds, so it is built in a background thread once a corpus is under way and
kept in the cache; a short run (a hook, one document) never waits for it.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

from .rules import Rule
from .superset import scan_bytes, superset_expression

FEW_REPORTS = 8  # up to this many reports in a document, each is placed by counting newlines
ALONE_FIRST = 8_000  # bytes: a longer expression is compiled alone before the set (Hyperscan may find it too large)


class Scanner:
    """A compiled database of the rules it covers (``covered``: rule indexes)."""

    def __init__(self, database, covered: tuple[int, ...]) -> None:
        self.database = database
        self.covered = covered
        self.mask = sum(1 << index for index in covered)
        self._local = threading.local()  # a scratch space may serve one scan at a time

    @classmethod
    def build(cls, rules: Sequence[Rule], *, compile: bool = True, cache: bool = True) -> Scanner | None:
        """The scanner for ``rules`` from the cache or, with ``compile``, compiled (seconds) and
        cached; None if there is none (not cached, or no rule translates). ``cache=False``: the
        cache folder is neither read nor written."""
        import hyperscan

        from .cache import read, write

        if cache:
            key, path = _cache_place(rules)
            stored = read(path, key)
            if stored is not None:
                try:
                    return cls.load(*stored)
                except (hyperscan.error, TypeError, ValueError):  # a damaged file: compiled again below
                    pass
        if not compile:
            return None
        stored = _compile(rules)
        if cache:
            write(path, key, stored)
        return cls.load(*stored)

    @classmethod
    def load(cls, serialized: bytes, covered: list[int]) -> Scanner | None:
        """The scanner of a serialized database (None when it covers no rule)."""
        import hyperscan

        if not covered:
            return None
        return cls(hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK), tuple(covered))

    def lines(self, text: str) -> dict[int, list[int]]:
        """rule index -> the lines (top to bottom) its pattern may match, for the covered rules
        that may match any (a covered rule left out matches no line)."""
        if not text:
            return {}  # no line (the bytes would have one: scan_bytes ends them with a newline)
        data = scan_bytes(text)
        ends: list[tuple[int, int]] = []
        self.database.scan(data, match_event_handler=_collect, context=ends, scratch=self._scratch())
        if not ends:
            return {}
        # a match ends in the line of its last byte; each line's bytes end with its "\n"
        found: dict[int, set[int]] = {}
        if len(ends) <= FEW_REPORTS:  # counting the newlines before each is quicker than listing all lines
            count = data.count
            for rule, end in ends:
                found.setdefault(rule, set()).add(count(b"\n", 0, end - 1))
        else:
            line_ends = list(accumulate(map((1).__add__, map(len, data.split(b"\n")))))
            for rule, end in ends:
                found.setdefault(rule, set()).add(bisect_left(line_ends, end))
        return {rule: sorted(lines) for rule, lines in found.items()}

    def line_mask(self, content: str) -> int:
        """Mask of the covered rules whose patterns may match one line of this content."""
        ends: list[tuple[int, int]] = []
        self.database.scan(scan_bytes(content), match_event_handler=_collect, context=ends, scratch=self._scratch())
        mask = 0
        for rule, _ in ends:
            mask |= 1 << rule
        return mask

    def _scratch(self):
        """This thread's scratch space (a scan needs one to itself)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            import hyperscan

            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        return scratch


def _collect(rule: int, _start: int, end: int, _flags: int, ends: list) -> None:
    ends.append((rule, end))


def _cache_place(rules: Sequence[Rule]):
    """(key, path) of the rules' database in the cache folder."""
    from .cache import cache_dir, file_name, installed_versions

    key = ("scanner", installed_versions("hyperscan"), _code_stamp(), tuple((r.pattern, r.flags) for r in rules))
    return key, cache_dir() / "scanners" / f"{file_name(key)}.marshal"


def _code_stamp() -> tuple:
    """(size, mtime) of :mod:`cleaner.superset`: a checkout's edit to the translation is not hidden by the cache."""
    from pathlib import Path

    try:
        info = (Path(__file__).parent / "superset.py").stat()
    except OSError:
        return (0, 0)
    return (info.st_size, info.st_mtime_ns)


def _compile(rules: Sequence[Rule]) -> tuple[bytes, list[int]]:
    """(serialized database, the rules in it). Hyperscan rejects a whole set for one expression it
    cannot take (too large, or one that matches empty text) without saying which. So the large
    expressions are compiled alone first, then the set; if the set still fails, every expression
    is tried alone, and the set compiled again without those that fail. (Compiling every one alone
    first, as before, made the shipped packs' compile 5.2 s instead of 3.1 s.)"""
    import hyperscan

    expressions = {}
    for index, rule in enumerate(rules):
        written = superset_expression(rule.pattern, rule.flags)
        if written is not None:
            expressions[index] = written

    def compiled(indexes: list[int]):
        """The database of these expressions, or None if Hyperscan rejects them."""
        database = hyperscan.Database()
        try:
            database.compile(
                expressions=[expressions[i][0] for i in indexes],
                ids=indexes,
                flags=[hyperscan.HS_FLAG_MULTILINE | (hyperscan.HS_FLAG_CASELESS if expressions[i][1] else 0)
                       for i in indexes],
            )
        except hyperscan.error:
            return None
        return database

    covered = [i for i in expressions if len(expressions[i][0]) <= ALONE_FIRST or compiled([i]) is not None]
    database = compiled(covered) if covered else None
    if database is None and covered:
        covered = [i for i in covered if compiled([i]) is not None]
        database = compiled(covered) if covered else None
    if database is None:
        return b"", []
    return hyperscan.dumpb(database), covered


class Builder:
    """Gets a rule list's scanner: from the cache at once, else compiled in a background thread,
    so that cleaning goes on meanwhile."""

    def __init__(self, rules: Sequence[Rule], *, cache: bool = True) -> None:
        self.rules = rules
        self.cache = cache
        self.result: list[Scanner | None] = []
        self.thread: threading.Thread | None = None
        self.failed = False

    def cached(self) -> Scanner | None:
        """The scanner if the cache has it (a few milliseconds), else None."""
        if not self.result and not self.failed and self.cache:
            try:
                scanner = Scanner.build(self.rules, compile=False)
            except Exception:  # noqa: BLE001 - no Hyperscan here, or a damaged cache: the other gates stay
                self.failed = True
                return None
            if scanner is not None:
                self.result.append(scanner)
        return self.result[0] if self.result else None

    def in_cache(self) -> bool:
        """Whether the cache folder has a database for the rules (not loaded: a parent whose
        workers load it has no use for one in its own memory)."""
        return self.cache and _cache_place(self.rules)[1].is_file()

    def ready(self, *, wait: bool = False) -> Scanner | None:
        """The scanner once compiled (None before, and for good when it cannot be)."""
        if self.result:
            return self.result[0]
        if self.failed:
            return None
        if self.thread is None or not self.thread.is_alive():  # not started, or lost in a fork
            self.thread = threading.Thread(target=self._build, name="cleaner-scanner", daemon=True)
            self.thread.start()
        if wait:
            self.thread.join()
            return self.result[0] if self.result else None
        return None

    def _build(self) -> None:
        try:
            self.result.append(Scanner.build(self.rules, cache=self.cache))
        except Exception:  # noqa: BLE001 - a scanner is only ever a speed-up: the other gates stay
            self.failed = True
