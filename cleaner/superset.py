"""A rule's pattern rewritten for Hyperscan: it matches, on the document's UTF-8 bytes, at
least every line the rule's pattern matches (a superset, as every gate of the prefilter).

Hyperscan (https://www.hyperscan.io) scans one document for all rules at once, at hundreds
of MB/s, but knows neither ``regex``'s syntax nor its Unicode tables. So the pattern is read
with Python's parser (as :mod:`cleaner.literals` does) and written out again on bytes:

- an ASCII character stays itself; another becomes its UTF-8 bytes, and under ``ignorecase``
  the bytes of every character ``regex`` lets it match;
- a class, category or ``.`` becomes a byte class: exact on ASCII, and every non-ASCII byte
  when it can match any non-ASCII character (one character is then one to four bytes);
- what cannot be written on bytes, or would cost Hyperscan much, is widened: lookarounds and
  word boundaries go (they only ever forbid a match), ``{m,n}`` past a few copies becomes
  ``{m,}``, a back reference becomes "any text of the line";
- ``^`` and ``$`` are the ends of a line: the document is scanned in multi-line mode and ``$``
  takes the ``\\r?\\n`` that ends it (each line of the bytes ends with one, see :func:`scan_bytes`).

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

from .literals import _FUZZY, _REGEX_ONLY, sre_constants, sre_parse

MAX_COPIES = 6  # a counted repeat up to this many copies is kept; past it, unbounded
ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"}
_FOLD_BYTES = tuple((char.encode(), letter.encode()) for char, letter in ASCII_FOLDS.items())
_ANY = "\U0010fffd"  # stands in for regex-only classes (\p{L}, [[:alpha:]]): any character
_NON_ASCII = frozenset(range(0x80, 0x100)) | {ord(letter) for letter in ASCII_FOLDS.values()}
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
    data = text.encode("utf-8", "surrogatepass")
    if not data.isascii():
        for char, letter in _FOLD_BYTES:
            if char in data:
                data = data.replace(char, letter)
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
        expression = writer.sequence(tree.data, bool(tree.state.flags & re.IGNORECASE))
    except (re.error, RecursionError, OverflowError, ValueError, Untranslatable):
        return None
    return expression.encode("ascii"), writer.caseless


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
        parts.append(f"\\x{first:02x}" if first == end else f"\\x{first:02x}-\\x{end:02x}")
        index = last + 1
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=None)
def _ascii_members(escape: str, ascii_only: bool) -> frozenset[int]:
    """The ASCII characters ``regex`` matches a category escape (``\\w``, ``\\S``) with."""
    import regex

    flags = regex.ASCII if ascii_only else 0
    return frozenset(code for code in range(0x80) if regex.match(escape, chr(code), flags))


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

    def byte_set(self, op, value, ignorecase: bool) -> tuple[set[int], bool]:
        """(ASCII bytes, whether non-ASCII characters too) a one-character node matches."""
        if op is sre_constants.ANY or (op is sre_constants.LITERAL and value == ord(_ANY)):
            return set(range(0x80)), True
        if op is sre_constants.NOT_LITERAL:
            excluded = {ord(c) for c in self.characters(chr(value), ignorecase) if c.isascii()}
            return set(range(0x80)) - excluded, True
        if op is sre_constants.CATEGORY:
            return self.category(value)
        members: set[int] = set()
        non_ascii = negated = False
        for item, argument in value:  # a class
            if item is sre_constants.NEGATE:
                negated = True
            elif item is sre_constants.LITERAL:
                if argument == ord(_ANY):
                    return set(range(0x80)), True
                for c in self.characters(chr(argument), ignorecase):
                    if c.isascii():
                        members.add(ord(c))
                    else:
                        non_ascii = True
            elif item is sre_constants.RANGE:
                low, high = argument
                for code in range(low, min(high, 0x7F) + 1):
                    for c in self.characters(chr(code), ignorecase):
                        if c.isascii():
                            members.add(ord(c))
                if high >= 0x80:
                    non_ascii = True
                    if ignorecase:
                        self.caseless = True
            elif item is sre_constants.CATEGORY:
                ascii_members, more = self.category(argument)
                members |= ascii_members
                non_ascii |= more
            else:
                raise Untranslatable(item)
        if negated:
            return set(range(0x80)) - members, True
        return members, non_ascii

    def category(self, value) -> tuple[set[int], bool]:
        escape = _CATEGORY_ESCAPES.get(value)
        if escape is None:
            raise Untranslatable(value)
        return set(_ascii_members(escape, self.ascii_only)), escape.isupper() or not self.ascii_only

    def one_character(self, op, value, ignorecase: bool, repeated: bool) -> str:
        members, non_ascii = self.byte_set(op, value, ignorecase)
        if not non_ascii:
            return _byte_class(members)
        written = _byte_class(members | _NON_ASCII)
        return written if repeated else written + "{1,4}"  # one character is one to four bytes

    def node(self, op, value, ignorecase: bool) -> str:
        if op is sre_constants.LITERAL and value == ord(_ANY):
            return self.one_character(sre_constants.ANY, None, ignorecase, repeated=False)
        if op is sre_constants.LITERAL:
            chars = self.characters(chr(value), ignorecase)
            spellings = sorted({"".join(map(_byte, c.encode("utf-8", "surrogatepass"))) for c in chars}, key=lambda spelling: (len(spelling), spelling))
            if all(c.isascii() for c in chars):
                return spellings[0] if len(chars) == 1 or self.caseless else _byte_class(ord(c) for c in chars)
            return "(?:" + "|".join(spellings) + ")"
        if op in _SETS:
            return self.one_character(op, value, ignorecase, repeated=False)
        if op is sre_constants.SUBPATTERN:
            _group, add_flags, del_flags, items = value
            if add_flags & re.IGNORECASE:
                ignorecase = True
            if del_flags & re.IGNORECASE:
                ignorecase = False
            return "(?:" + self.sequence(items, ignorecase) + ")"
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
            members, non_ascii = self.byte_set(items[0][0], items[0][1], ignorecase)
            inner = _byte_class(members | _NON_ASCII) if non_ascii else _byte_class(members)
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
