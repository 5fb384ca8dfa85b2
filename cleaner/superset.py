"""A rule's pattern rewritten for Hyperscan: it matches, on the document's UTF-8 bytes, at
least every line the rule's pattern matches (a superset, as every gate of the prefilter).

Hyperscan (https://www.hyperscan.io) scans one document for all rules at once, at hundreds
of MB/s, but knows neither ``regex``'s syntax nor its Unicode tables. So the pattern is read
with Python's parser (as :mod:`cleaner.literals` does) and written out again on bytes:

- an ASCII character stays itself; another becomes its UTF-8 bytes, and under ``ignorecase``
  the bytes of every character ``regex`` lets it match;
- a class, category or ``.`` becomes a byte class: exact on ASCII, and with every byte of the
  UTF-8 of the non-ASCII characters it matches (one character is then one to four bytes), or
  those characters themselves when they are few (``(?:©|Ⓒ)``);
- what cannot be written on bytes, or would cost Hyperscan much, is widened: lookarounds and
  word boundaries go (they only ever forbid a match), ``{m,n}`` past a few copies becomes
  ``{m,}``, a back reference becomes "any text of the line";
- ``^`` and ``$`` are the ends of a line: the document is scanned in multi-line mode and ``$``
  takes the ``\\r?\\n`` that ends it (each line of the bytes ends with one, see :func:`scan_bytes`);
- what may end a match after its last required part (a trailing ``.*``) goes: the lines are
  the same, and Hyperscan reports a match once instead of once for every byte (:func:`_trim_end`).

Case: the expression is compiled caseless when any part of the pattern ignores case, and the
four non-ASCII characters ``regex`` matches with an ASCII letter when ignoring case (İ, ı, K,
ſ) are that letter in the scanned bytes (:data:`ASCII_FOLDS`), so that an ASCII letter need not
be an alternation, which would slow Hyperscan down. No part of a translation matches ``\\n``,
so every match lies in one line: the line its last byte is in.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import NamedTuple

from .literals import _FUZZY, _REGEX_ONLY, scoped_ignorecase, sre_constants, sre_parse

MAX_COPIES = 6  # a counted repeat up to this many copies is kept; past it, unbounded
FEW_CHARACTERS = 8  # a class with at most this many non-ASCII characters is written with exactly them
ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"}
_UTF8_BYTES = frozenset(range(0x80, 0xC0)) | frozenset(range(0xC2, 0xF5))  # the non-ASCII bytes of UTF-8
_ANY = "\U0010fffd"  # stands in for regex-only classes (\p{L}, [[:alpha:]]): any character
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) + (
    (sre_constants.POSSESSIVE_REPEAT,) if hasattr(sre_constants, "POSSESSIVE_REPEAT") else ()
)
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)
_SETS = (sre_constants.IN, sre_constants.CATEGORY, sre_constants.ANY, sre_constants.NOT_LITERAL)
_STARTS = {sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING, sre_constants.AT_BEGINNING_LINE}
_ENDS = {sre_constants.AT_END, sre_constants.AT_END_STRING, sre_constants.AT_END_LINE}
_CATEGORY_ESCAPES = {
    sre_constants.CATEGORY_DIGIT: r"\d",
    sre_constants.CATEGORY_NOT_DIGIT: r"\D",
    sre_constants.CATEGORY_SPACE: r"\s",
    sre_constants.CATEGORY_NOT_SPACE: r"\S",
    sre_constants.CATEGORY_WORD: r"\w",
    sre_constants.CATEGORY_NOT_WORD: r"\W",
}


class Untranslatable(Exception):
    """The pattern uses something this module does not write for Hyperscan."""


def scan_bytes(text: str) -> bytes:
    """The bytes Hyperscan scans for ``text``: UTF-8, the :data:`ASCII_FOLDS` folded, ending with a newline."""
    if not text.isascii():  # a flag of the string: free
        for char, letter in ASCII_FOLDS.items():
            if char in text:  # on the string, not the bytes: ten times as fast
                text = text.replace(char, letter)
    data = text.encode("utf-8", "surrogatepass")
    return data if data.endswith(b"\n") else data + b"\n"


def superset_expression(pattern: str, flags: tuple[str, ...]) -> tuple[bytes, bool] | None:
    """(Hyperscan expression, compile it caseless) matching at least where ``pattern`` does, or
    None when it cannot be written (the rule then keeps the other gates)."""
    parse_flags = (re.IGNORECASE if "ignorecase" in flags else 0) | (re.VERBOSE if "verbose" in flags else 0)
    readable = _REGEX_ONLY.sub(lambda m: _ANY if m.group("class") else m.group(), pattern)
    if _FUZZY.search(readable):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(readable, parse_flags)
        writer = _Writer(ascii_only="ascii" in flags)
        expression = writer.sequence(_trim_end(list(tree.data)) or tree.data, bool(tree.state.flags & re.IGNORECASE))
    except (re.error, RecursionError, OverflowError, ValueError, Untranslatable):
        return None
    return expression.encode("ascii"), writer.caseless


def _trim_end(items: list) -> list:
    """``items`` less what they may end with, so that each match of the expression is found once,
    not once for every byte more a trailing ``.*`` could take (a report costs a callback).

    Whatever a pattern matches, its part before such an end matches in the same line, and the other
    way round: the lines are the same. So a trailing part that may match nothing (``x*``, ``x?``,
    a lookaround) goes, a trailing ``x{m,n}`` becomes ``x{m-1}`` and then ``x`` so trimmed, a group
    or alternation is trimmed inside, and one with an alternative left empty goes. ``$`` stays."""
    while items:
        op, value = items[-1]
        if op in _REPEATS:
            low, _high, inner = value
            if low == 0:
                items.pop()
                continue
            head = [(op, (low - 1, low - 1, inner))] if low > 1 else []
            return items[:-1] + head + (_trim_end(list(inner)) or list(inner))
        if op is sre_constants.SUBPATTERN:
            group, add_flags, del_flags, inner = value
            trimmed = _trim_end(list(inner))
            if not trimmed:
                items.pop()
                continue
            return items[:-1] + [(op, (group, add_flags, del_flags, trimmed))]
        if op is _ATOMIC:
            trimmed = _trim_end(list(value))
            if not trimmed:
                items.pop()
                continue
            return items[:-1] + [(op, trimmed)]
        if op is sre_constants.BRANCH:
            branches = [_trim_end(list(branch)) for branch in value[1]]
            if not all(branches):
                items.pop()
                continue
            return items[:-1] + [(op, (value[0], branches))]
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) or (op is sre_constants.AT and value not in _STARTS | _ENDS):
            items.pop()
            continue
        break
    return items


def _byte(value: int) -> str:
    char = chr(value)
    return char if char.isascii() and char.isalnum() else f"\\x{value:02x}"


def _byte_class(members) -> str:
    """A class of the given byte values, written as ranges (never "\\n")."""
    values = sorted(set(members) - {0x0A})
    if not values:
        raise Untranslatable("a class that matches nothing in a line")
    parts, index = [], 0
    while index < len(values):
        last = index
        while last + 1 < len(values) and values[last + 1] == values[last] + 1:
            last += 1
        first, end = values[index], values[last]
        parts.append(_byte(first) if first == end else f"{_byte(first)}-{_byte(end)}")
        index = last + 1
    return "[" + "".join(parts) + "]"


def _spelt(chars) -> str:
    """Characters some of them not ASCII, as their UTF-8. Spellings of one length are written byte
    by byte (``[\\xd0\\xd1][\\x80\\xa0]`` for "р" or "Р"), which matches the spellings and a few
    more and keeps a long case-insensitive word within Hyperscan's limit on an expression's length."""
    encoded = {c.encode("utf-8", "surrogatepass") for c in chars}
    if len({len(spelling) for spelling in encoded}) == 1:
        columns = zip(*encoded)
        return "".join(_byte(column[0]) if len(set(column)) == 1 else _byte_class(column) for column in columns)
    return "(?:" + "|".join(sorted("".join(map(_byte, spelling)) for spelling in encoded)) + ")"


class _CharacterSet(NamedTuple):
    """The bytes one character of a class may be in the scanned bytes."""

    members: frozenset[int]  # its ASCII characters, and the letters of the ASCII_FOLDS it matches
    wide: frozenset[int]  # every byte of the UTF-8 of its other non-ASCII characters
    spellings: tuple[str, ...] | None  # those characters' UTF-8, when they are few


def _regex_flags(ignorecase: bool, ascii_only: bool) -> int:
    import regex

    return (regex.IGNORECASE if ignorecase else 0) | (regex.ASCII if ascii_only else 0)


@lru_cache(maxsize=1)
def _every_character() -> tuple[str, str]:
    """(every ASCII character but "\\n", every other character but the ASCII_FOLDS)."""
    wide = "".join(map(chr, range(0x80, 0x110000))).translate(dict.fromkeys(map(ord, ASCII_FOLDS)))
    return "".join(chr(code) for code in range(0x80) if code != 0x0A), wide


@lru_cache(maxsize=None)
def _character_set(source: str, flags: int) -> _CharacterSet:
    """What a one-character ``regex`` class matches, as bytes. Asked of ``regex`` itself over
    every character, so that a class holds only the bytes its characters can be made of: ``\\s``
    is no longer any non-ASCII byte (a letter's lead byte is not one of its spaces') and no
    longer "i", "k" or "s" (it matches none of the ASCII_FOLDS)."""
    import regex

    narrow, wide = _every_character()
    pattern = regex.compile(source, flags)
    members = {ord(c) for c in pattern.findall(narrow)}
    members |= {ord(letter) for char, letter in ASCII_FOLDS.items() if pattern.match(char)}
    most = (r"\S", r"\W", r"\D") if flags & regex.ASCII else (r"\S", r"\W", r"\D", r"\w")
    if source.startswith("[^") or any(escape in source for escape in most):
        # most characters: their bytes are (nearly) every byte, which is a superset and saves
        # listing a million characters (seconds over the shipped packs)
        return _CharacterSet(frozenset(members), _UTF8_BYTES, None)
    found = pattern.findall(wide)
    spellings = None
    if len(found) <= FEW_CHARACTERS:
        spellings = tuple(sorted("".join(map(_byte, c.encode("utf-8", "surrogatepass"))) for c in found))
    return _CharacterSet(frozenset(members), frozenset("".join(found).encode("utf-8", "surrogatepass")), spellings)


def _exactly(found: _CharacterSet) -> str:
    """A class with few non-ASCII characters as exactly them: ``\\s+(?:©|Ⓒ)`` as every non-ASCII
    byte would match a space and any letter of many a line."""
    return "(?:" + "|".join(([_byte_class(found.members)] if found.members else []) + list(found.spellings)) + ")"


@lru_cache(maxsize=None)
def _folded_cases(char: str) -> frozenset[str]:
    """Every character ``regex`` matches ``char`` with when ignoring case, folded as in :func:`scan_bytes`."""
    import regex

    found = {char, *map(chr, regex._regex.get_all_cases(regex.IGNORECASE, ord(char)))}
    return frozenset(ASCII_FOLDS.get(c, c) for c in found)


class _Writer:
    def __init__(self, *, ascii_only: bool) -> None:
        self.ascii_only = ascii_only
        self.caseless = False  # some part ignores case: the expression is compiled caseless

    def sequence(self, items, ignorecase: bool) -> str:
        return "".join(self.node(op, value, ignorecase) for op, value in items)

    def characters(self, char: str, ignorecase: bool) -> set[str]:
        """What a pattern character matches, folded as in :func:`scan_bytes`."""
        if ignorecase:
            self.caseless = True
            return set(_folded_cases(char))
        return {ASCII_FOLDS.get(char, char)}

    def byte_set(self, op, value, ignorecase: bool) -> _CharacterSet:
        """The bytes a one-character node matches (see :func:`_character_set`)."""
        if op is sre_constants.ANY or (op is sre_constants.LITERAL and value == ord(_ANY)):
            return _character_set("[^\\n]", 0)
        if op is sre_constants.NOT_LITERAL:
            source = f"[^\\n\\U{value:08x}]"
        elif op is sre_constants.CATEGORY:
            source = "[" + self.category(value) + "]"
        else:  # a class
            parts = []
            for item, argument in value:
                if item is sre_constants.NEGATE:
                    parts.insert(0, "^\\n")
                elif item is sre_constants.LITERAL:
                    if argument == ord(_ANY):
                        return _character_set("[^\\n]", 0)
                    parts.append(f"\\U{argument:08x}")
                elif item is sre_constants.RANGE:
                    parts.append(f"\\U{argument[0]:08x}-\\U{argument[1]:08x}")
                elif item is sre_constants.CATEGORY:
                    parts.append(self.category(argument))
                else:
                    raise Untranslatable(item)
            source = "[" + "".join(parts) + "]"
        if ignorecase:
            self.caseless = True
        return _character_set(source, _regex_flags(ignorecase, self.ascii_only))

    def category(self, value) -> str:
        escape = _CATEGORY_ESCAPES.get(value)
        if escape is None:
            raise Untranslatable(value)
        return escape

    def one_character(self, op, value, ignorecase: bool, repeated: bool) -> str:
        found = self.byte_set(op, value, ignorecase)
        if not found.wide:
            return _byte_class(found.members)
        if found.spellings is not None:
            return _exactly(found) + ("+" if repeated else "")
        written = _byte_class(found.members | found.wide)
        return written if repeated else written + "{1,4}"  # one character is one to four bytes

    def node(self, op, value, ignorecase: bool) -> str:
        if op is sre_constants.LITERAL and value == ord(_ANY):
            return self.one_character(sre_constants.ANY, None, ignorecase, repeated=False)
        if op is sre_constants.LITERAL:
            chars = self.characters(chr(value), ignorecase)
            if all(c.isascii() for c in chars):  # one character, or its cases (the expression is caseless)
                return _byte(ord(min(chars))) if len(chars) == 1 or self.caseless else _byte_class(map(ord, chars))
            return _spelt(chars)
        if op in _SETS:
            return self.one_character(op, value, ignorecase, repeated=False)
        if op is sre_constants.SUBPATTERN:
            _group, add_flags, del_flags, items = value
            return "(?:" + self.sequence(items, scoped_ignorecase(ignorecase, add_flags, del_flags)) + ")"
        if op is sre_constants.BRANCH:
            return "(?:" + "|".join(self.sequence(branch, ignorecase) for branch in value[1]) + ")"
        if op in _REPEATS:
            return self.repeat(*value, ignorecase)
        if op is _ATOMIC:
            return "(?:" + self.sequence(value, ignorecase) + ")"
        if op is sre_constants.GROUPREF_EXISTS:
            _group, yes, no = value
            return "(?:" + self.sequence(yes, ignorecase) + "|" + (self.sequence(no, ignorecase) if no else "") + ")"
        if op is sre_constants.GROUPREF:
            return "[^\\n]*"
        if op is sre_constants.AT:
            if value in _STARTS:
                return "^"
            if value in _ENDS:
                return "\\r?\\n"
            return ""  # word boundaries
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return ""
        raise Untranslatable(op)

    def repeat(self, low: int, high, items, ignorecase: bool) -> str:
        single = len(items) == 1 and (items[0][0] in _SETS or items[0] == (sre_constants.LITERAL, ord(_ANY)))
        if single:
            found = self.byte_set(items[0][0], items[0][1], ignorecase)
            non_ascii = bool(found.wide)
            inner = _exactly(found) if non_ascii and found.spellings is not None else _byte_class(found.members | found.wide)
        else:
            inner = "(?:" + self.sequence(items, ignorecase) + ")"
            non_ascii = False
        unbounded = high is sre_constants.MAXREPEAT or high > MAX_COPIES or non_ascii
        low = min(low, MAX_COPIES)  # bytes: a character has at least one
        if unbounded:
            return inner + ("*" if low == 0 else "+" if low == 1 else f"{{{low},}}")
        if (low, high) == (0, 1):
            return inner + "?"
        return inner + (f"{{{low}}}" if low == high else f"{{{low},{high}}}")
