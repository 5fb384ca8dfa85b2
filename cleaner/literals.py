"""Literal prefilters: the strings a pattern cannot match without.

For most rules every match contains one of a few literal strings ("newsletter",
"support us", "[video]"). Finding all of them in a document at once, with an
Aho-Corasick automaton over its casefolded text, tells the engine which lines
each rule can possibly match, so the (slow) regular expression runs only
there. The prefilter is a superset test: it may let a line through that the
pattern then rejects, never the reverse. A pattern whose literals cannot be
worked out (or are too common to be selective) is simply searched everywhere.

The analysis follows Russ Cox's "Regular Expression Matching with a Trigram
Index" (https://swtch.com/~rsc/regexp/regexp4.html), on whole strings rather
than trigrams. For each node of the parse tree it works out

- ``exact``: every string the node can match, when there are few (else None);
- ``prefix`` / ``suffix``: strings one of which every match starts / ends with;
- ``match``: a few sets of strings, each of which has a member in every match;

and combines them: a concatenation multiplies the exact sets of its parts
(``support\\ (?:us|our\\ work)`` gives "support us" and "support our work")
and joins the suffixes of one part to the prefixes of the next. Every set is
kept to ``MAX_SET`` strings; a product past that is cut back to shorter
prefixes or suffixes of its strings, which are still required. All strings
are casefolded, as the text they are looked for in; a character that the
pattern matches case-insensitively stands for the casefolds of every
character ``regex`` lets it match.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from operator import itemgetter

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

MAX_SET = 128  # strings per set; a larger product is cut back (see _cut)
MAX_CLASS = 32  # a character class with more (casefolded) members is "any character"; \s has 28
MAX_COPIES = 8  # copies of a repeated item spelt out before the rest counts as unknown
MAX_OPTIONAL = 3  # optional copies x{m,m+3} spelt out as alternatives
MAX_CHECK = 64  # strings in a further set worth checking a line for
KEEP_CHECKS = 2  # further small sets kept for each node, for checking a line
KEEP = 4  # required sets kept for each node (the most selective)
MIN_WORD = 3  # a literal with letters or digits needs this many non-space characters ("by " is not one)
MAX_PUNCTUATION_FREQUENCY = 2e-4  # a literal of only punctuation must be rarer than this ('>>' is, '. ' is not)

# regex-only syntax that Python's parser would read differently: Unicode properties and POSIX
# classes (replaced with \w, which keeps the literal structure), escapes (kept as they are)
_REGEX_ONLY = re.compile(r"(?P<class>\\[pP](?:\{[^}]*\}|[A-Za-z])|\[:\^?[A-Za-z_]+:\])|\\.", re.DOTALL)
# a fuzzy-matching constraint such as {e<=1} or {i<=1,d<=2}: Python reads it as literal text
_FUZZY = re.compile(r"(?<!\\)\{[\s\d,<=+eisd]*[eisd][\s\d,<=+eisd]*\}")
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) + (
    (sre_constants.POSSESSIVE_REPEAT,) if hasattr(sre_constants, "POSSESSIVE_REPEAT") else ()
)
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)
# what \s matches for Python's re and for regex (the union), less "\n": a line never holds one
_WHITESPACE = frozenset("\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    map(chr, range(0x2000, 0x200B))
)


def required_literals(pattern: str, *, ignorecase: bool, verbose: bool, dotall: bool) -> frozenset[str] | None:
    """Casefolded strings one of which is in (the casefolded text of) every line the pattern matches, or None.

    Each string is in the match itself, or in the text that one of the
    pattern's lookarounds matched. The pattern is read with Python's own
    regular-expression parser, after the ``regex``-only Unicode classes
    (``\\p{Lu}``) and POSIX classes (``[[:alpha:]]``) are replaced with
    ``\\w``, which leaves the literal structure as it was. Syntax that parser
    does not know (subroutine calls) or reads differently (fuzzy matching)
    gives None, as does a pattern with no literal rare enough to filter with.
    """
    return literal_analysis(pattern, ignorecase=ignorecase, verbose=verbose, dotall=dotall)[0]


def literal_analysis(
    pattern: str, *, ignorecase: bool, verbose: bool, dotall: bool
) -> tuple[frozenset[str] | None, tuple[frozenset[str], ...]]:
    """(:func:`required_literals`, more sets each of which also has a member in every matching line).

    The further sets are too common to search a whole document for ("(", "["), but checking a
    line that the first set let through for them costs far less than running the pattern.
    """
    flags = (re.IGNORECASE if ignorecase else 0) | (re.VERBOSE if verbose else 0) | (re.DOTALL if dotall else 0)
    readable = _REGEX_ONLY.sub(lambda m: r"\w" if m.group("class") else m.group(), pattern)
    if _FUZZY.search(readable):
        return None, ()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(readable, flags)
        info = _sequence(tree.data, bool(tree.state.flags & re.IGNORECASE))
    except (re.error, RecursionError, OverflowError, ValueError):
        return None, ()
    found = [_minimal(strings) for strings in _requirements(info)]
    usable = [strings for strings in found if not _weak_set(strings)]
    best = min(usable, key=lambda strings: (_cost(strings), len(strings), _InOrder(strings))) if usable else None
    # every other set is a check too, weak ones included ("ad" is in many lines, not in most), but
    # not one that whitespace satisfies: every line has that
    checks = tuple(
        dict.fromkeys(
            strings
            for strings in found
            if strings != best and len(strings) <= MAX_CHECK and not any(s.isspace() for s in strings)
        )
    )
    return best, checks


def needs_digit(pattern: str, *, verbose: bool) -> bool:
    """Whether every match of ``pattern`` holds a decimal digit (``\\d``, ``[0-9]``): a line without
    one cannot match, which a line can be asked far more cheaply than the pattern (or before the
    pattern is compiled). False when unsure."""
    readable = _REGEX_ONLY.sub(lambda m: r"\w" if m.group("class") else m.group(), pattern)
    if _FUZZY.search(readable):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(readable, re.VERBOSE if verbose else 0)
        return _has_digit(tree.data)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False


def _has_digit(items) -> bool:
    """Every match of the sequence ``items`` holds a digit."""
    return any(_node_has_digit(op, value) for op, value in items)


def _node_has_digit(op, value) -> bool:
    if op is sre_constants.LITERAL:
        return chr(value).isdecimal()
    if op is sre_constants.CATEGORY:
        return value is sre_constants.CATEGORY_DIGIT
    if op is sre_constants.IN:  # a class of digits only
        return bool(value) and all(
            (item is sre_constants.LITERAL and chr(argument).isdecimal())
            or (item is sre_constants.RANGE and all(chr(c).isdecimal() for c in range(argument[0], argument[1] + 1)))
            or (item is sre_constants.CATEGORY and argument is sre_constants.CATEGORY_DIGIT)
            for item, argument in value
        )
    if op is sre_constants.SUBPATTERN:
        return _has_digit(value[-1])
    if op is _ATOMIC:
        return _has_digit(value)
    if op is sre_constants.BRANCH:
        return all(_has_digit(branch) for branch in value[1])
    if op in _REPEATS:
        low, _high, items = value
        return low > 0 and _has_digit(items)
    if op is sre_constants.GROUPREF_EXISTS:
        _group, yes, no = value
        return bool(no) and _has_digit(yes) and _has_digit(no)
    return False  # anchors, lookarounds, back references, other characters


# --- what a node tells about its matches ------------------------------------------------------


@dataclass(frozen=True)
class _Info:
    exact: frozenset[str] | None  # all the strings it matches (None: too many, or unknown)
    empty: bool  # it can match no text at all
    prefix: frozenset[str]  # every non-empty match starts with one of these ({""}: nothing known)
    suffix: frozenset[str]  # every non-empty match ends with one of these
    match: tuple[frozenset[str], ...] = ()  # each set has a member in every match (or its lookarounds)


_EMPTY_SET: frozenset[str] = frozenset({""})
_NOTHING: frozenset[str] = frozenset()  # the prefixes of a node that only matches no text
_UNKNOWN = _Info(None, True, _EMPTY_SET, _EMPTY_SET)  # any text at all, maybe none
_ANY_CHARACTER = _Info(None, False, _EMPTY_SET, _EMPTY_SET)


def _exact(strings: frozenset[str], match: tuple[frozenset[str], ...] = ()) -> _Info:
    filled = strings - _EMPTY_SET
    return _Info(strings, "" in strings, _minimal_prefixes(filled), _minimal_suffixes(filled), match)


_EMPTY = _Info(_EMPTY_SET, True, _NOTHING, _NOTHING)  # anchors: they match no text


def _requirements(info: _Info) -> tuple[frozenset[str], ...]:
    """The sets one of whose members every match holds (or the text its lookarounds matched)."""
    found = list(info.match)
    if not info.empty:
        found += [s for s in (info.exact, info.prefix, info.suffix) if s is not None]
    return _best(found)


def _best(sets) -> tuple[frozenset[str], ...]:
    """The KEEP most selective distinct sets."""
    unique = {s for s in sets if s and "" not in s}
    if len(unique) < 2:
        return tuple(unique)
    ranked = sorted(unique, key=_rank)
    # also a few small common sets ("(" or "["): no use for the document-wide search, but cheap
    # to check a line for (see literal_analysis)
    extra = [s for s in ranked[KEEP:] if len(s) <= MAX_CHECK][:KEEP_CHECKS]
    return tuple(ranked[:KEEP] + extra)


@lru_cache(maxsize=4096)
def _rank(strings: frozenset[str]) -> tuple:
    return _weak_set(strings), _cost(strings), len(strings), _InOrder(strings)


class _InOrder:
    """A set that sorts by its strings in order; worked out only for the (rare) sets that tie before."""

    __slots__ = ("strings", "_ordered")

    def __init__(self, strings: frozenset[str]) -> None:
        self.strings = strings
        self._ordered: list[str] | None = None

    def ordered(self) -> list[str]:
        if self._ordered is None:
            self._ordered = sorted(self.strings)
        return self._ordered

    def __lt__(self, other: _InOrder) -> bool:
        return self.ordered() < other.ordered()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _InOrder) and self.strings == other.strings

    __hash__ = None  # type: ignore[assignment]


def _concat(left: _Info, right: _Info, *, required: bool = True) -> _Info:
    """The two one after the other (``required=False``: without the sets it requires, only its shape)."""
    match = left.match + right.match if required else ()
    if left.exact is not None and right.exact is not None and len(left.exact) * len(right.exact) <= MAX_SET:
        return _exact(_product(left.exact, right.exact), _best(match))
    if left.exact is not None:
        tails = right.prefix | _EMPTY_SET if right.empty else right.prefix
        prefix = _cut(_join(left.exact - _EMPTY_SET, tails, keep="head"), keep="head")
    else:
        prefix = left.prefix
    if left.empty:
        prefix = _cut(prefix | right.prefix, keep="head")
    if right.exact is not None:
        heads = left.suffix | _EMPTY_SET if left.empty else left.suffix
        suffix = _cut(_join(heads, right.exact - _EMPTY_SET, keep="tail"), keep="tail")
    else:
        suffix = right.suffix
    if right.empty:
        suffix = _cut(suffix | left.suffix, keep="tail")
    empty = left.empty and right.empty
    if not required:
        return _Info(None, empty, _minimal_prefixes(prefix), _minimal_suffixes(suffix))
    sets = [*match, *_requirements(left), *_requirements(right), _junction(left, right)]
    if not empty:
        sets += [prefix, suffix]
    return _Info(None, empty, _minimal_prefixes(prefix), _minimal_suffixes(suffix), _best(sets))


def _junction(left: _Info, right: _Info) -> frozenset[str]:
    """Strings required where two parts meet: a suffix of the first joined to a prefix of the second."""
    if left.empty and right.empty:
        return _EMPTY_SET
    joined = _cut_product(left.suffix, right.prefix)
    if left.empty:
        joined |= right.prefix
    if right.empty:
        joined |= left.suffix
    return _cut_required(joined)


def _alternate(branches: list[_Info]) -> _Info:
    exact: frozenset[str] | None = frozenset()
    for branch in branches:
        if exact is None or branch.exact is None or len(exact | branch.exact) > MAX_SET:
            exact = None
            break
        exact |= branch.exact
    if exact is not None and not any(branch.match for branch in branches):
        # what each branch requires is among its own strings, and the strings of all the
        # branches (or their shortest prefixes, suffixes) are required of the whole as well
        return _exact(exact)
    match = _either(branches)
    if exact is not None:
        return _exact(exact, match)
    prefix = _cut(frozenset().union(*(b.prefix for b in branches)), keep="head")
    suffix = _cut(frozenset().union(*(b.suffix for b in branches)), keep="tail")
    empty = any(b.empty for b in branches)
    return _Info(None, empty, _minimal_prefixes(prefix), _minimal_suffixes(suffix), match)


def _either(branches: list[_Info]) -> tuple[frozenset[str], ...]:
    """Sets one of whose strings every match of one of the branches holds."""
    # (a1 and a2) or (b1 and b2) == (a1 or b1) and (a1 or b2) and ...: pairs of sets, the best kept.
    # A branch with an exact set (and nothing else required) holds one of its strings that hold no
    # other: all such branches together make one set, less than any choice of their requirements.
    pool: set[str] = set()
    sets: list[tuple[frozenset[str], ...]] = []
    for branch in branches:
        if branch.exact is not None and not branch.match:
            if "" in branch.exact:
                return ()  # this branch needs no text at all
            pool |= _minimal(branch.prefix & branch.suffix)  # = _minimal(branch.exact), found faster
        else:
            required = _requirements(branch)
            if not required:
                return ()
            sets.append(required)
    if pool:
        pooled = frozenset(pool)
        sets.insert(0, _best([_cut_required(pooled), _cut(pooled, keep="tail")]))
    if not sets:
        return ()
    match = sets[0]
    for other in sets[1:]:
        # both are in order, best first: the union of the i-th of one and the j-th of the other is
        # seldom among the best KEEP when i + j >= KEEP, and is not worked out
        match = _best([_cut_required(a | b) for i, a in enumerate(match) for b in other[: KEEP - i]])
    return match


def _repeat(item: _Info, low: int, high: int) -> _Info:
    if high == 0:
        return _EMPTY
    if high - low <= MAX_OPTIONAL and low <= MAX_COPIES and item.exact is not None:
        optional = _alternate([item, _EMPTY])
        return _chain([item] * low + [optional] * (high - low))
    # any number of copies: maybe none; a non-empty one starts and ends like a copy does
    star = _Info(None, True, item.prefix, item.suffix)
    if low == 0:
        return star
    # x{low,high} is x^n followed by copies, and copies followed by x^n (n = low, at most MAX_COPIES)
    copies = min(low, MAX_COPIES)
    head = _chain([item] * copies + [star])
    tail = _chain([star] + [item] * copies)
    return _Info(None, item.empty, head.prefix, tail.suffix, _best([*head.match, *tail.match]))


def _chain(infos: list[_Info]) -> _Info:
    result = _EMPTY
    for info in infos:
        result = _concat(result, info)
    return result


# --- reading the parse tree ---------------------------------------------------------------------


def _sequence(items, ignorecase: bool) -> _Info:
    infos = _items(items, ignorecase)
    if len(infos) < 2:
        return infos[0] if infos else _EMPTY
    lefts = [_EMPTY]  # lefts[k]: the first k items (how they start and end: what is required comes below)
    for info in infos:
        lefts.append(_concat(lefts[-1], info, required=False))
    whole = lefts[-1]
    if whole.exact is not None:
        return _Info(whole.exact, whole.empty, whole.prefix, whole.suffix, _best([m for i in infos for m in i.match]))
    # rights[k]: all but the first len(infos) - k items, in reverse order of k. Only how they
    # start is needed: what they require, the fold above has already found
    rights = [_EMPTY]
    for info in reversed(infos):
        rights.append(_concat(info, rights[-1], required=False))
    rights.reverse()  # now rights[k]: the items from k on
    sets = [required for info in infos for required in _requirements(info)]
    # where the first k items meet the rest: what ends the one and starts the other
    sets += [_junction(lefts[k], rights[k]) for k in range(1, len(infos))]
    # the fold above multiplies from the left, and gives up on a run once the product is too
    # large: "\s\[(?:VIDEO|...)\]" would keep only "\s[". Every stretch of items with exact
    # sets is required too; take the longest stretches whose product is small enough.
    sets += [_product_of(stretch) for stretch in _stretches(infos)]
    if not whole.empty:
        sets += [rights[0].prefix, whole.suffix]
    return _Info(None, whole.empty, rights[0].prefix, whole.suffix, _best(sets))


def _items(items, ignorecase: bool) -> list[_Info]:
    """What each item tells, with each run of plain characters taken as one item (a word is one
    item, not one per letter: the same sets, with a fraction of the work)."""
    infos: list[_Info] = []
    run: list[frozenset[str]] = []  # the strings of each character of the current run
    size = 1  # how many strings the run stands for
    for op, value in items:
        strings = _char_strings(chr(value), ignorecase) if op is sre_constants.LITERAL else None
        if strings is not None and size * len(strings) <= MAX_SET:
            run.append(strings)
            size *= len(strings)
            continue
        if run:
            infos.append(_word(tuple(run)))
            run, size = [], 1
        if strings is not None:
            run.append(strings)
            size = len(strings)
        else:
            infos.append(_node(op, value, ignorecase))
    if run:
        infos.append(_word(tuple(run)))
    return infos


@lru_cache(maxsize=1024)
def _word(chars: tuple[frozenset[str], ...]) -> _Info:
    """A run of characters, each standing for some strings: every string it can be."""
    strings = chars[0]
    for char in chars[1:]:
        strings = _product(strings, char)
    return _exact(strings)


def _stretches(infos: list[_Info]) -> list[list[_Info]]:
    """The maximal stretches of neighbouring items with exact sets whose product has at most MAX_SET strings."""
    found = []
    start = 0
    while start < len(infos):
        if infos[start].exact is None:
            start += 1
            continue
        end, size = start, 1
        while end < len(infos) and infos[end].exact is not None and size * len(infos[end].exact) <= MAX_SET:
            size *= len(infos[end].exact)
            end += 1
        if end > start:
            found.append(infos[start:end])
        if end >= len(infos) or infos[end].exact is None:
            start = end + 1
        else:
            start += 1  # the next stretch starts further on, and reaches further
    return found


def _product_of(infos: list[_Info]) -> frozenset[str]:
    strings = _EMPTY_SET
    for info in infos:
        strings = _product(strings, info.exact)
    return strings


def _node(op, value, ignorecase: bool) -> _Info:
    if op is sre_constants.LITERAL:
        strings = _char_strings(chr(value), ignorecase)
        return _exact(strings) if strings else _ANY_CHARACTER
    if op is sre_constants.IN:
        strings = _class_strings(value, ignorecase)
        return _exact(strings) if strings else _ANY_CHARACTER
    if op is sre_constants.SUBPATTERN:
        _group, add_flags, del_flags, items = value
        return _sequence(items, scoped_ignorecase(ignorecase, add_flags, del_flags))
    if op is sre_constants.BRANCH:
        return _alternate([_sequence(branch, ignorecase) for branch in value[1]])
    if op in _REPEATS:
        low, high, items = value
        return _repeat(_sequence(items, ignorecase), low, high)
    if op is _ATOMIC:
        return _sequence(value, ignorecase)
    if op is sre_constants.ASSERT:
        # a lookahead or lookbehind matches inside the same line: its literals are in the line too
        inner = _sequence(value[1], ignorecase)
        return _exact(_EMPTY_SET, _requirements(inner))
    if op is sre_constants.GROUPREF_EXISTS:
        _group, yes, no = value
        return _alternate([_sequence(yes, ignorecase), _sequence(no, ignorecase) if no else _EMPTY])
    if op in (sre_constants.AT, sre_constants.ASSERT_NOT):
        return _EMPTY
    if op in (sre_constants.ANY, sre_constants.NOT_LITERAL):
        return _ANY_CHARACTER
    return _UNKNOWN  # a back reference


def scoped_ignorecase(ignorecase: bool, add_flags: int, del_flags: int) -> bool:
    """Whether case is ignored inside a group with inline flags (``(?i:...)``, ``(?-i:...)``)."""
    if add_flags & re.IGNORECASE:
        return True
    if del_flags & re.IGNORECASE:
        return False
    return ignorecase


def _char_strings(char: str, ignorecase: bool) -> frozenset[str] | None:
    """The casefolded strings a pattern character can match, or None for "\\n" (never in a line)."""
    if char == "\n":
        return None
    if not ignorecase:
        return frozenset({char.casefold()})
    return _case_variants(char)


def _class_strings(items, ignorecase: bool) -> frozenset[str] | None:
    """The casefolded strings a character class can match, if there are at most MAX_CLASS."""
    chars: set[str] = set()
    for op, value in items:
        if op is sre_constants.LITERAL:
            chars.add(chr(value))
        elif op is sre_constants.RANGE:
            low, high = value
            if high - low >= MAX_CLASS:
                return None
            chars.update(map(chr, range(low, high + 1)))
        elif op is sre_constants.CATEGORY and value is sre_constants.CATEGORY_SPACE:
            chars |= _WHITESPACE
        else:  # a negated class, \w, \d, \S, ...
            return None
        if len(chars) > MAX_CLASS:
            return None
    chars.discard("\n")
    strings: set[str] = set()
    for char in chars:
        strings |= _char_strings(char, ignorecase)
    return frozenset(strings) if strings and len(strings) <= MAX_CLASS else None


@lru_cache(maxsize=None)
def _case_variants(char: str) -> frozenset[str]:
    """The casefolds of every character ``regex`` matches ``char`` with when ignoring case.

    Not always one string: case-insensitive "I" matches the Turkish dotless "ı",
    whose casefold is itself, and "i" matches "İ", whose casefold is "i̇".
    """
    import regex

    found = {char.casefold()}
    all_cases = getattr(getattr(regex, "_regex", None), "get_all_cases", None)
    if all_cases is not None:  # what the matcher itself compares a character with: no search needed
        found.update(chr(c).casefold() for c in all_cases(regex.IGNORECASE, ord(char)))
    else:
        found.update(_case_variants_found(char))
    found.discard("\n")
    return frozenset(found)


def _case_variants_found(char: str) -> list[str]:
    """The casefolds of the characters ``regex`` matches ``char`` with, by searching all that have cases."""
    import regex

    return [c.casefold() for c in regex.findall(regex.escape(char), _cased_characters(), flags=regex.IGNORECASE)]


@lru_cache(maxsize=None)
def _cased_characters() -> str:
    """Every character that has another case, or is one, for regex or for Python."""
    import regex

    code_points = array("I", range(0xD800))
    code_points.extend(range(0xE000, 0x110000))
    everything = code_points.tobytes().decode("utf-32-le" if array("I", [1]).tobytes()[0] else "utf-32-be")
    cased = set(
        regex.findall(r"[\p{Cased}\p{Changes_When_Casefolded}\p{Changes_When_Casemapped}]", everything)
    )
    for start in range(0, len(everything), 512):  # most stretches have no character with cases
        block = everything[start : start + 512]
        if block.casefold() != block or block.upper() != block or block.lower() != block:
            cased.update(c for c in block if c.casefold() != c or c.upper() != c or c.lower() != c)
    return "".join(sorted(cased))


# --- sets of strings ----------------------------------------------------------------------------


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str]:
    return frozenset(map("".join, product(left, right)))


def _join(left: frozenset[str], right: frozenset[str], *, keep: str) -> frozenset[str]:
    """The product, or, when that would be too large, just the side it starts (or ends) with."""
    if len(left) * len(right) <= 4 * MAX_SET:
        return _product(left, right)
    return left if keep == "head" else right


def _cut_required(strings: frozenset[str]) -> frozenset[str]:
    """A set of required strings made small enough."""
    return _cut(strings, keep="head") if len(strings) > MAX_SET else strings


def _cut(strings: frozenset[str], *, keep: str) -> frozenset[str]:
    """At most MAX_SET strings: each cut to its first (or last) n characters, n as large as allows.

    Sound for prefixes, suffixes and required substrings alike: a part of a
    required string is required too.
    """
    if len(strings) <= MAX_SET:
        return strings
    # the number of distinct cut strings never falls as they get longer: search for the longest
    # length that gives few enough (0 gives {""}, the empty set of requirements)
    low, high = 0, max(map(len, strings)) - 1  # low always gives few enough
    best = _EMPTY_SET
    while low < high:
        size = (low + high + 1) // 2
        cut = frozenset(map(itemgetter(slice(size) if keep == "head" else slice(-size, None)), strings))
        if len(cut) <= MAX_SET:
            low, best = size, cut
        else:
            high = size - 1
    return best


def _cut_product(ends: frozenset[str], starts: frozenset[str]) -> frozenset[str]:
    """Each of ``ends`` joined to each of ``starts``, both cut short until there are at most MAX_SET."""
    longest = max(map(len, ends | starts), default=0)
    if not longest:
        return _EMPTY_SET
    if len(ends) * len(starts) <= MAX_SET:
        return _product(ends, starts)
    # as in _cut, the product of the cut sets only grows with the length they are cut to
    low, high = 0, longest - 1
    best = _EMPTY_SET
    while low < high:
        size = (low + high + 1) // 2
        cut_ends = frozenset(map(itemgetter(slice(-size, None)), ends))
        cut_starts = frozenset(map(itemgetter(slice(size)), starts))
        if len(cut_ends) * len(cut_starts) <= MAX_SET:
            low, best = size, _product(cut_ends, cut_starts)
        else:
            high = size - 1
    return best


@lru_cache(maxsize=4096)
def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """Without the strings that hold another one: a line with "please support us" has "support us"."""
    if "" in strings:
        return _EMPTY_SET
    kept: list[str] = []
    for s in sorted(strings, key=len):
        if not any(map(s.__contains__, kept)):
            kept.append(s)
    return strings if len(kept) == len(strings) else frozenset(kept)


@lru_cache(maxsize=4096)
def _minimal_prefixes(strings: frozenset[str]) -> frozenset[str]:
    """Without the strings that start with another one."""
    kept = _without_extensions(strings)
    return strings if len(kept) == len(strings) else frozenset(kept)


@lru_cache(maxsize=4096)
def _minimal_suffixes(strings: frozenset[str]) -> frozenset[str]:
    """Without the strings that end with another one (the same, on the strings reversed)."""
    kept = _without_extensions(frozenset(s[::-1] for s in strings))
    return strings if len(kept) == len(strings) else frozenset(s[::-1] for s in kept)


def _without_extensions(strings: frozenset[str]) -> list[str] | frozenset[str]:
    """The strings that start with no other one. In sorted order the strings that start with one
    follow it, so each needs comparing only with the last one kept."""
    if len(strings) < 2:
        return strings
    if "" in strings:
        return _EMPTY_SET
    kept: list[str] = []
    last = None
    for s in sorted(strings):
        if last is None or not s.startswith(last):
            kept.append(s)
            last = s
    return kept


# --- how selective a literal is -----------------------------------------------------------------

# rough share of each character in running text (English-heavy, other scripts lumped together)
_FREQUENCY = {
    " ": 0.16, "e": 0.1, "t": 0.075, "a": 0.065, "o": 0.06, "i": 0.06, "n": 0.058, "s": 0.053,
    "r": 0.05, "h": 0.045, "d": 0.035, "l": 0.033, "c": 0.025, "u": 0.023, "m": 0.02, "f": 0.018,
    "p": 0.016, "g": 0.016, "w": 0.016, "y": 0.015, "b": 0.012, "v": 0.008, "k": 0.006,
    "j": 0.0015, "x": 0.0015, "q": 0.001, "z": 0.001, ".": 0.01, ",": 0.01, "-": 0.004,
    "'": 0.003, '"': 0.003, ":": 0.002, "(": 0.001, ")": 0.001, "?": 0.001, "!": 0.001, "/": 0.001,
    ";": 0.0005, "\u2019": 0.002, "\u201c": 0.002, "\u201d": 0.002, "\u00ab": 0.002, "\u00bb": 0.002,
    "\u2013": 0.002, "\u2014": 0.002, "\u201e": 0.001, "\u2018": 0.001, "\u2026": 0.0005,
}


def _frequency(char: str) -> float:
    known = _FREQUENCY.get(char)
    if known is not None:
        return known
    if char.isdigit():
        return 0.005
    if char.isalpha():
        return 0.02 if not char.isascii() else 0.01
    if char.isspace():
        return 0.001
    if char.isascii():
        return 0.0002  # rare punctuation: > [ ] | * # = ...
    return 0.0001 if unicodedata.category(char).startswith("S") else 0.0005


def _cost(strings: frozenset[str]) -> float:
    """Expected share of text positions where one of the strings starts (assuming independent characters).

    Summed exactly (fsum), so that the result does not depend on the order the set is in.
    """
    return math.fsum(map(_share, strings))


@lru_cache(maxsize=1 << 16)
def _share(literal: str) -> float:
    return math.prod(map(_frequencies.__getitem__, literal))


class _Frequencies(dict):
    def __missing__(self, char: str) -> float:
        self[char] = found = _frequency(char)
        return found


_frequencies = _Frequencies()


@lru_cache(maxsize=1 << 16)
def _weak(literal: str) -> bool:
    """Too common to filter with: "by ", "ad", ".", ". "; but "©", ">>" and "for " are fine."""
    if literal.isalnum():
        return len(literal) < MIN_WORD
    solid = "".join(literal.split())
    if not solid:
        return True
    if _ALPHANUMERIC.search(literal):
        return len(solid) < MIN_WORD
    return len(literal) == 1 and literal.isascii() or _share(literal) > MAX_PUNCTUATION_FREQUENCY


_ALPHANUMERIC = re.compile(r"[^\W_]")  # what str.isalnum() calls alphanumeric: \w less "_"


def _weak_set(strings: frozenset[str]) -> bool:
    return any(map(_weak, strings))
