"""The library entry points: :class:`Cleaner` (rules loaded once) and :func:`clean`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import extract
from .core import Result, RuleSet, apply_rules
from .errors import NoTextExtractedError
from .packs import choose_rules, load_packs
from .sources import decode_text
from .rules import Rule, RulePack

DEFAULT_MAX_REMOVED_SHARE = 0.6
DEFAULT_TIMEOUT = 2.0
INPUT_FORMATS = ("auto", "text", "html")


@dataclass(frozen=True)
class Options:
    """Everything that decides what cleaning does, in one hashable value."""

    rules: tuple[str, ...] = ()
    default_rules: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    max_removed_share: float = DEFAULT_MAX_REMOVED_SHARE
    timeout: float | None = DEFAULT_TIMEOUT
    input_format: str = "auto"
    extraction: str = extract.DEFAULT_MODE


class Cleaner:
    """Rules loaded and checked once, applied to many documents.

    >>> cleaner = Cleaner(select=["metadata"])
    >>> cleaner("date 2025-10-30 Date palms grow in Syria.\\n")
    'Date palms grow in Syria.\\n'

    Picklable: it travels to worker processes and cluster nodes with its rules
    (not their file paths), and recompiles the patterns on arrival.
    """

    def __init__(
        self,
        *,
        rules: Iterable[str | Path] = (),
        default_rules: bool = True,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        max_removed_share: float = DEFAULT_MAX_REMOVED_SHARE,
        timeout: float | None = DEFAULT_TIMEOUT,
        input_format: str = "auto",
        extraction: str = extract.DEFAULT_MODE,
        packs: Iterable[RulePack] | None = None,
        cache: bool = True,
    ) -> None:
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, not {input_format!r}")
        if extraction not in extract.MODES:
            raise ValueError(f"extraction must be one of {', '.join(extract.MODES)}, not {extraction!r}")
        if not 0 < max_removed_share <= 1:
            raise ValueError(f"max_removed_share must be above 0 and at most 1, not {max_removed_share!r}")
        self.packs: tuple[RulePack, ...] = (
            tuple(packs) if packs is not None else tuple(load_packs(rules, default_rules=default_rules, cache=cache))
        )
        self.rules: tuple[Rule, ...] = choose_rules(self.packs, select=select, ignore=ignore)
        self.ruleset = RuleSet(self.rules, cache=cache)
        self.max_removed_share = max_removed_share
        self.timeout = timeout
        self.input_format = input_format
        self.extraction = extraction

    def run(self, text: str | bytes, *, input_format: str | None = None, url: str | None = None) -> Result:
        """Clean one document and return the full :class:`Result`.

        HTML (given as such, or recognised with ``input_format="auto"``) goes
        through trafilatura first; :class:`NoTextExtractedError` is raised when
        it finds no text. Raises :class:`RuleTimeoutError` past the time limit.
        """
        text = self.to_text(text, input_format=input_format, url=url)
        # the time limit grows with the document, so that only a runaway pattern trips it
        limit = None if self.timeout is None else self.timeout * max(1.0, len(text) / 1_000_000)
        return apply_rules(text, self.ruleset, max_removed_share=self.max_removed_share, timeout=limit)

    def to_text(self, document: str | bytes, *, input_format: str | None = None, url: str | None = None) -> str:
        """The text the rules see: ``document`` itself, or the text extracted from its HTML."""
        fmt = input_format or self.input_format
        if fmt == "html" or (fmt == "auto" and extract.looks_like_html(document)):
            text = extract.html_to_text(document, mode=self.extraction, url=url)
            if text is None:
                raise NoTextExtractedError("no article text found in the HTML")
            return text
        if isinstance(document, bytes):
            return decode_text(document, name="<bytes>")
        return document

    def __call__(self, text: str | bytes) -> str:
        """The cleaned text of one document."""
        return self.run(text).text

    def __repr__(self) -> str:
        return f"<Cleaner {len(self.rules)} rules from {len(self.packs)} packs>"


@lru_cache(maxsize=32)
def _cached_cleaner(options: Options) -> Cleaner:
    return Cleaner(
        rules=options.rules,
        default_rules=options.default_rules,
        select=options.select,
        ignore=options.ignore,
        max_removed_share=options.max_removed_share,
        timeout=options.timeout,
        input_format=options.input_format,
        extraction=options.extraction,
    )


def clean(
    text: str | bytes,
    *,
    rules: Iterable[str | Path] = (),
    default_rules: bool = True,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    max_removed_share: float = DEFAULT_MAX_REMOVED_SHARE,
    timeout: float | None = DEFAULT_TIMEOUT,
    input_format: str = "auto",
    extraction: str = extract.DEFAULT_MODE,
) -> str:
    """Clean one document with the shipped packs (and any ``rules`` files) and return the text.

    The rule set for a given set of options is loaded once per process and
    reused. For removals, guard and timing details use :meth:`Cleaner.run`.
    """
    options = Options(
        rules=tuple(str(r) for r in rules),
        default_rules=default_rules,
        select=tuple(select),
        ignore=tuple(ignore),
        max_removed_share=max_removed_share,
        timeout=timeout,
        input_format=input_format,
        extraction=extraction,
    )
    return _cached_cleaner(options)(text)
