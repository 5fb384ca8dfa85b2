"""Rule packs: the rule and pack dataclasses, and loading a pack (from the cache when it can).

A pack is one YAML file with ``pack``, ``description`` and ``rules``; its
validation lives in :mod:`cleaner.schema`. This module imports neither yaml nor
regex: a run reads validated packs back from the cache as plain dataclasses,
and a pattern is compiled only when a rule first has a line to look at.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RuleError

if TYPE_CHECKING:
    import regex


class Action(str, enum.Enum):
    """What a rule does with what it matches."""

    DROP_LINE = "drop-line"  # remove each matching line
    STRIP = "strip"  # remove only the matched span; a line left blank goes too
    REPLACE = "replace"  # substitute the matched span
    CUT_TAIL = "cut-tail"  # remove the matching line and everything after it
    CUT_HEAD = "cut-head"  # remove everything up to and including the matching line


class Where(str, enum.Enum):
    """The region of the document a rule may match in."""

    ANYWHERE = "anywhere"
    HEAD = "head"  # the first `within` non-blank lines
    TAIL = "tail"  # the last `within` non-blank lines


DEFAULT_WITHIN = {Where.HEAD: 5, Where.TAIL: 25}

FLAG_NAMES = ("ignorecase", "verbose", "dotall", "ascii")


def flag_value(names) -> int:
    """The ``regex`` flags named (see FLAG_NAMES) as one number."""
    import regex

    value = 0
    for name in names:
        value |= getattr(regex, name.upper())
    return value


@dataclass(frozen=True)
class Example:
    """A text a rule must change (``remove``) or leave as it is (``keep``).

    ``result``, when given for a remove example, is the exact text expected
    after the rule alone has run.
    """

    text: str
    result: str | None = None


@dataclass(frozen=True)
class Rule:
    """One validated rule. Patterns compile lazily and are not pickled."""

    pack: str
    name: str
    action: Action
    pattern: str
    description: str = ""
    where: Where = Where.ANYWHERE
    within: int | None = None
    flags: tuple[str, ...] = ()
    max_words: int | None = None
    min_words: int | None = None
    unless: str | None = None
    confirm: str | None = None
    replace: str | None = None
    remove_examples: tuple[Example, ...] = ()
    keep_examples: tuple[Example, ...] = ()
    source: str = "<string>"
    line: int = 0

    @cached_property
    def id(self) -> str:
        """The full id, ``pack/name``."""
        return f"{self.pack}/{self.name}"

    def behaviour(self) -> tuple:
        """Everything that decides what the rule does, as plain values (stable across processes)."""
        return (
            self.id, self.action.value, self.pattern, self.where.value, self.within, self.flags,
            self.max_words, self.min_words, self.unless, self.confirm, self.replace,
        )

    @property
    def region_size(self) -> int | None:
        """How many non-blank lines the head or tail region spans (None: anywhere)."""
        if self.where is Where.ANYWHERE:
            return None
        return self.within or DEFAULT_WITHIN[self.where]

    @cached_property
    def regex_flags(self) -> int:
        return flag_value(self.flags)

    @cached_property
    def compiled(self) -> regex.Pattern:
        """The pattern, compiled; until a line that holds one of the rule's literals (and a
        digit, if it needs one) comes, a stand-in that answers "no match" without compiling
        (see :class:`_Uncompiled`)."""
        if self.literals is None and not self.needs_digit:
            return _compile(self.pattern, self.regex_flags, self._program(0))
        return _Uncompiled(self)

    @cached_property
    def literals(self) -> frozenset[str] | None:
        """Casefolded strings one of which every match contains (None: search every line).

        Worked out when a pack is validated and kept in the pack cache with the rule.
        """
        return self._literal_analysis[0]

    @cached_property
    def line_checks(self) -> tuple[frozenset[str], ...]:
        """Further casefolded sets, each with a member in every line the pattern matches: too
        common to search a document for, cheap to check a line for before running the pattern."""
        return self._literal_analysis[1]

    @cached_property
    def needs_digit(self) -> bool:
        """Every match holds a decimal digit (see :func:`cleaner.literals.needs_digit`); kept in the pack cache."""
        from .literals import needs_digit

        return needs_digit(self.pattern, verbose="verbose" in self.flags)

    @cached_property
    def _literal_analysis(self) -> tuple[frozenset[str] | None, tuple[frozenset[str], ...]]:
        from .literals import literal_analysis

        return literal_analysis(
            self.pattern,
            ignorecase="ignorecase" in self.flags,
            verbose="verbose" in self.flags,
            dotall="dotall" in self.flags,
        )

    @cached_property
    def anchored(self) -> bool:
        """Every match starts where the text does (see :func:`cleaner.matching.starts_anchored`); kept in the pack cache."""
        from .matching import starts_anchored

        return starts_anchored(self.pattern, verbose="verbose" in self.flags)

    @cached_property
    def compiled_unless(self) -> regex.Pattern | None:
        return _compile(self.unless, self.regex_flags, self._program(1)) if self.unless else None

    @cached_property
    def compiled_confirm(self) -> regex.Pattern | None:
        return _compile(self.confirm, self.regex_flags, self._program(2)) if self.confirm else None

    def _program(self, which: int):
        """The stored program (see :mod:`cleaner.programs`) of the pattern, ``unless`` or ``confirm``
        (0, 1, 2), if the pack came from the pack cache with one."""
        programs = self.__dict__.get("programs")
        return programs[which] if programs else None

    def capture_programs(self) -> None:
        """Keep the programs of the rule's patterns with it, for the pack cache."""
        from .programs import capture

        flags = self.regex_flags
        self.__dict__["programs"] = tuple(
            capture(text, flags) if text else None for text in (self.pattern, self.unless, self.confirm)
        )

    def __getstate__(self) -> dict[str, Any]:
        # Compiled patterns are rebuilt on the other side of a pickle.
        return {k: v for k, v in self.__dict__.items() if not k.startswith(("compiled", "regex_"))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


@dataclass(frozen=True)
class RulePack:
    """The rules of one YAML file."""

    name: str
    description: str
    rules: tuple[Rule, ...]
    source: str = "<string>"


def load_pack(path: str | Path, *, cache: bool = True) -> RulePack:
    """Read and validate the pack at ``path``; raise :class:`RuleError` if it is invalid.

    Validation compiles every pattern, which costs more than the rest of a short
    run; a pack already validated (same path, same bytes, same versions) is
    read back from the cache instead.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc}") from None
    if not cache:
        return _validated(text, str(path))
    from .cache import installed_versions, remember

    # the libraries' versions from their metadata: importing them for __version__ costs more than the rest;
    # the validating modules' stamps, so that a checkout's edits to them are not hidden by the cache
    key = ("pack", str(path), text, installed_versions("regex", "yaml"), RULE_FIELDS, _code_stamp())
    return remember("packs", key, lambda: _validated(text, str(path), programs=True), dump=_to_plain, load=_from_plain)


def _code_stamp() -> tuple:
    """(size, mtime) of the modules whose work the pack cache keeps: validation, literals, anchoring, programs."""
    here = Path(__file__).parent
    stamp = []
    for name in ("schema.py", "literals.py", "rules.py", "matching.py", "programs.py"):
        try:
            info = (here / name).stat()
            stamp.append((name, info.st_size, info.st_mtime_ns))
        except OSError:  # run from a zip or without sources: the version alone keys the cache
            stamp.append((name, 0, 0))
    return tuple(stamp)


def parse_pack(text: str, *, source: str = "<string>") -> RulePack:
    """Validate the YAML text of a pack; ``source`` names it in error messages."""
    from .schema import parse_pack as parse

    return parse(text, source=source)


def _validated(text: str, source: str, *, programs: bool = False) -> RulePack:
    """The pack, with what the pack cache keeps worked out (``programs``: compiled programs too)."""
    pack = parse_pack(text, source=source)
    for rule in pack.rules:
        rule.literals, rule.line_checks, rule.needs_digit, rule.anchored  # worked out once, kept with the cached pack
        if programs:
            rule.capture_programs()
    return pack


RULE_FIELDS = tuple(f.name for f in fields(Rule))


def _to_plain(pack: RulePack) -> tuple:
    """The pack as plain values, for the cache (see :func:`_from_plain`); each rule keeps its literals."""
    rules = []
    for rule in pack.rules:
        values = []
        for name in RULE_FIELDS:
            value = getattr(rule, name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif name.endswith("_examples"):
                value = tuple((example.text, example.result) for example in value)
            values.append(value)
        programs = rule.__dict__.get("programs")
        rules.append((tuple(values), rule.literals, rule.line_checks, rule.needs_digit, rule.anchored, programs))
    return pack.name, pack.description, pack.source, tuple(rules)


def _from_plain(plain: tuple) -> RulePack:
    name, description, source, rules = plain
    out = []
    for values, literals, checks, digit, anchored, programs in rules:
        given = dict(zip(RULE_FIELDS, values, strict=True))
        given["action"] = Action(given["action"])
        given["where"] = Where(given["where"])
        given["remove_examples"] = tuple(Example(*pair) for pair in given["remove_examples"])
        given["keep_examples"] = tuple(Example(*pair) for pair in given["keep_examples"])
        rule = Rule(**given)
        rule.__dict__["literals"] = literals  # where cached_property keeps it (the rule is frozen)
        rule.__dict__["line_checks"] = checks
        rule.__dict__["needs_digit"] = digit
        rule.__dict__["anchored"] = anchored
        if programs is not None:
            rule.__dict__["programs"] = programs
        out.append(rule)
    return RulePack(name=name, description=description, rules=tuple(out), source=source)


def has_digit(text: str) -> bool:
    """Whether ``text`` may hold a character ``regex``'s ``\\d`` matches: one Python's ``re`` knows
    as a digit, or any character past U+FFFF (``regex`` may know a newer Unicode, whose new
    digits are all out there; a test checks this)."""
    return _DIGIT.search(text) is not None


_DIGIT = re.compile(r"[\d\U00010000-\U0010ffff]")


def _compile(pattern: str, flags: int, program=None) -> regex.Pattern:
    """``pattern`` compiled, from its stored program when there is one that restores."""
    if program is not None:
        from .programs import restore

        compiled = restore(program, pattern, flags)
        if compiled is not None:
            return compiled
    import regex

    return regex.compile(pattern, flags)


class _Uncompiled:
    """A rule's pattern before it is compiled: a line holding none of the rule's literals, or no
    digit when every match holds one, gets "no match" at once.

    Compiling costs about a millisecond a pattern. The engine's prefilter keeps most rules
    away from most lines, but a line that a rule has edited is offered to every rule again;
    one short document (stdin, a pre-commit hook) would then compile most of the packs.
    The first line that may match compiles the pattern, which replaces this stand-in on the
    rule, so later calls go straight to ``regex``.
    """

    __slots__ = ("rule", "literals", "digit")

    PLAIN_ARGUMENTS = frozenset({"pos", "endpos", "concurrent", "timeout"})  # partial matches need no literal

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.literals = rule.literals
        self.digit = rule.needs_digit

    def search(self, string, *args, **kwargs):
        if not args and kwargs.keys() <= self.PLAIN_ARGUMENTS and not self._may_match(string):
            return None
        return self._compiled().search(string, *args, **kwargs)

    def match(self, string, *args, **kwargs):
        if not args and kwargs.keys() <= self.PLAIN_ARGUMENTS and not self._may_match(string):
            return None
        return self._compiled().match(string, *args, **kwargs)

    def finditer(self, string, *args, **kwargs):
        if not args and kwargs.keys() <= self.PLAIN_ARGUMENTS and not self._may_match(string):
            return iter(())
        return self._compiled().finditer(string, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._compiled(), name)

    def _may_match(self, string) -> bool:
        if self.digit and not has_digit(string):
            return False
        if self.literals is None:
            return True
        folded = string.casefold()
        return any(literal in folded for literal in self.literals)

    def _compiled(self) -> regex.Pattern:
        rule = self.rule
        pattern = rule.__dict__.get("compiled")
        if pattern is None or pattern is self:
            pattern = _compile(rule.pattern, rule.regex_flags, rule._program(0))
            rule.__dict__["compiled"] = pattern  # where cached_property keeps it (the rule is frozen)
        return pattern

