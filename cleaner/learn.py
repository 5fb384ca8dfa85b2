"""Learning rules from a corpus: lines and head/tail blocks that repeat across documents.

Repetition is the signal. A line that recurs, up to case, digits, whitespace, quote and dash
variants and date words, in many documents of one corpus is its outlets' boilerplate (a footer, an
appeal, a "Follow us" prompt), not article text. This module counts such lines in bounded memory
and turns the frequent ones into rules in the normal schema, each with a description, a pattern
and examples taken from the corpus. It does no I/O: documents come in as strings, the pack goes
out as YAML text.

What is counted, per document (each key at most once per document):

- every distinct non-blank line of at most ``max_words`` words (and :data:`MAX_CHARS`
  characters) with at least two letters, normalised by :func:`line_key`;
- the runs of the last 2..``block_lines`` non-blank lines (tail blocks) and of the first
  2..``block_lines`` (head blocks), as long as every line in the run is countable;
- for each line, the lines it usually sits between (a majority vote), which tells a repeated
  text, such as a syndicated story, from boilerplate, which sits next to changing text;
- for each line, in how many documents it sits in context: first or last, or next to a line
  already seen in another document. Template text does (a footer, a widget's lines); a generic
  heading or greeting, repeated across documents between lines found nowhere else, does not.

Memory bound (:class:`LineCounter`): keys are blake2b digests (60 bits) of the normalised text,
and the table of counts never holds more than ``max_keys`` keys (plus those of one document).
When it is full, every count is lowered by the same amount ``t``, the smallest that leaves at
most half of the keys, and keys at zero are dropped: a Misra-Gries summary pruned in batches.
Sample texts (at most :data:`SAMPLES`, of at most :data:`MAX_CHARS` characters a line), the
neighbour votes and the context counts are kept only for keys counted at least twice, and only while the key is kept.
The guarantee: memory is O(``max_keys``) whatever the corpus size; each count reported is at
most the true number of documents and at least that number minus ``error`` (the sum of all
``t``, reported with the result), where ``error`` <= 2 * (keys counted) / ``max_keys``; so a line
in more than ``error`` documents is never lost, and a rule is proposed only when even its
lowest possible count reaches the threshold.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from .core import apply_rules, split_lines
from .errors import CleanerError
from .examples import check_rule_examples
from .rules import Rule, parse_pack

# --- normalisation -------------------------------------------------------------------------

DOUBLE_QUOTES = '"“”„‟«»″＂'
SINGLE_QUOTES = "'‘’‚‛′`´"
DASHES = "-‐‑‒–—―−"
MAX_CHARS = 400  # longer lines are never counted, whatever their word count
SAMPLES = 2  # corpus samples kept per key (distinct texts), used as remove examples

_CANONICAL = str.maketrans(
    {**{c: '"' for c in DOUBLE_QUOTES}, **{c: "'" for c in SINGLE_QUOTES}, **{c: "-" for c in DASHES}}
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_LETTER = r"[\p{L}\p{M}]"
_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")
_MONTH_WORD = regex.compile(rf"(?<!{_LETTER}){_MONTH}(?!{_LETTER})")
_WEEKDAY_WORD = regex.compile(rf"(?<!{_LETTER}){_WEEKDAY}(?!{_LETTER})")
_TWO_LETTERS = regex.compile(rf"{_LETTER}.*?{_LETTER}", regex.S)
_TOKEN = regex.compile(rf"(?P<digits>\d+)|(?P<space>\s+)|(?P<word>{_LETTER}+)|(?P<other>.)", regex.S)
_MONTH_FULL = regex.compile(_MONTH)
_WEEKDAY_FULL = regex.compile(_WEEKDAY)
_SENTENCE_END = regex.compile(r"[.!?…][\"'“”»)\]]*$")
SENTENCE_WORDS = 6  # a line of this many words ending like a sentence "looks like content"...
SENTENCE_FACTOR = 3  # ...and needs this many times the threshold to be proposed
ISOLATED_WORDS = 4  # a line of at most this many words...
ISOLATED_SHARE = 2 / 3  # ...isolated in more than this share of its documents...
ISOLATED_FACTOR = 5  # ...needs this many times the threshold to be proposed (see isolated())


def line_key(line: str, *, max_words: int = 25) -> str | None:
    """The normalised form of ``line`` that is counted, or None when the line is not countable.

    Case is folded, digit runs become ``0``, whitespace runs one space, quote and dash variants
    one character each, and in a line with digits, English month and weekday names become
    ``<m>`` and ``<w>``. Blank lines, lines of more than ``max_words`` words or
    :data:`MAX_CHARS` characters, and lines with fewer than two letters give None.

    >>> line_key("  Updated: 3 March 2024 — 14:05 ")
    'updated: 0 <m> 0 - 0:0'
    """
    text = line.strip()
    if not text or len(text) > MAX_CHARS or len(text.split()) > max_words:
        return None
    if not _TWO_LETTERS.search(text):
        return None
    key = text.lower().translate(_CANONICAL)
    key, digits = _DIGITS.subn("0", key)
    if digits:
        key = _WEEKDAY_WORD.sub("<w>", _MONTH_WORD.sub("<m>", key))
    return _SPACE.sub(" ", key)


def line_pattern(line: str) -> str:
    """An anchored pattern (for ``flags: [ignorecase]``) matching every line with ``line``'s key.

    The line is escaped literally, except for what :func:`line_key` normalises: digit runs
    become ``\\d+``, whitespace ``\\s+``, quotes and dashes small classes, month and weekday
    names (in a line with digits) an alternation.
    """
    text = line.strip()
    dated = bool(_DIGITS.search(text))
    parts = []
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "digits":
            parts.append(r"\d+")
        elif kind == "space":
            parts.append(r"\s+")
        elif kind == "word":
            low = token.lower()
            if dated and _MONTH_FULL.fullmatch(low):
                parts.append(_MONTH)
            elif dated and _WEEKDAY_FULL.fullmatch(low):
                parts.append(_WEEKDAY)
            else:
                parts.append(regex.escape(token))
        elif token in DOUBLE_QUOTES:
            parts.append(_class(DOUBLE_QUOTES))
        elif token in SINGLE_QUOTES:
            parts.append(_class(SINGLE_QUOTES))
        elif token in DASHES:
            parts.append(_class(DASHES))
        else:
            parts.append(regex.escape(token))
    return r"^\s*" + "".join(parts) + r"\s*$"


def _class(chars: str) -> str:
    return "[" + "".join(regex.escape(c) for c in chars) + "]"


def looks_like_content(line: str, documents: int, threshold: int, *, max_words: int) -> bool:
    """True for lines never to propose: long ones, and sentence-like ones with few repeats.

    A line of more than ``max_words`` words is content. So is a line of at least
    :data:`SENTENCE_WORDS` words that ends like a sentence, unless it is in at least
    :data:`SENTENCE_FACTOR` times ``threshold`` documents (an appeal repeated under every article).
    """
    words = len(line.split())
    if words > max_words:
        return True
    sentence = words >= SENTENCE_WORDS and bool(_SENTENCE_END.search(line.strip()))
    return sentence and documents < SENTENCE_FACTOR * threshold


def isolated(candidate: Candidate, threshold: int) -> bool:
    """True for a frequent line that sits between unique lines, like a heading, and is not
    frequent enough to be proposed all the same.

    Template text repeats in context: a widget's lines ("Reply", "Delete", "Add a comment")
    sit next to each other, a footer at the document's end, a dateline at its start, and
    their neighbours recur from document to document. A generic heading ("Conclusion",
    "Ingredients", "References") or a letter's greeting also recurs across documents, but
    each time between lines found in no other document. A line of at most
    :data:`ISOLATED_WORDS` words is isolated when, in more than :data:`ISOLATED_SHARE` of the
    documents its neighbours were looked at in, it is neither the first nor the last line and
    neither neighbour had been seen in another document before; it is then proposed only if
    it is in :data:`ISOLATED_FACTOR` times ``threshold`` documents (a prompt an outlet puts
    between the paragraphs of most of its articles). Longer lines are not checked: unrelated
    authors write the same few words ("Conclusion", "Best wishes") independently, but a
    longer line found word for word in many documents ("Sign up for our daily newsletter")
    comes from a template, wherever it sits.
    """
    if not candidate.tracked or candidate.documents >= ISOLATED_FACTOR * threshold:
        return False
    if len(candidate.lines[0].split()) > ISOLATED_WORDS:
        return False
    return candidate.tracked - candidate.in_context > ISOLATED_SHARE * candidate.tracked


# --- counting ------------------------------------------------------------------------------

LINE, TAIL, HEAD = 0, 1, 2  # kinds of keys, kept in the two low bits of their digests


def _digest(kind: int, key: str) -> int:
    """A 60-bit digest of ``key`` (an int of 32 bytes in CPython) whose two low bits carry its kind."""
    value = int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
    return (value & 0x0FFF_FFFF_FFFF_FFFC) | kind


class LineCounter:
    """Counts, in bounded memory, in how many documents each line and head/tail block occurs.

    See the module docstring for what is counted and for the memory guarantee.
    """

    def __init__(self, *, max_words: int = 25, max_keys: int = 150_000, block_lines: int = 6) -> None:
        if max_keys < 2:
            raise ValueError("max_keys must be at least 2")
        self.max_words = max_words
        self.max_keys = max_keys
        self.block_lines = block_lines
        self.documents = 0
        self.error = 0  # every count is low by at most this much
        self.counts: dict[int, int] = {}
        self.samples: dict[int, tuple] = {}  # key -> up to SAMPLES distinct texts (a str, or a tuple of lines)
        # line key -> [usual line before, its votes, usual line after, its votes, occurrences,
        #              occurrences in context: at an edge or next to a line seen in other documents]
        self.contexts: dict[int, list[int]] = {}

    def add(self, text: str) -> None:
        """Count one document."""
        self.documents += 1
        lines = [line.strip() for line in text.split("\n")]
        lines = [line for line in lines if line]
        keys = [line_key(line, max_words=self.max_words) for line in lines]
        ids = [self._line_id(line, key) for line, key in zip(lines, keys)]
        # lines already seen in other documents (looked up before this document is counted)
        repeated = [digest > 0 and digest in self.counts for digest in ids]
        seen: set[int] = set()
        last = len(lines) - 1
        for i, (line, digest) in enumerate(zip(lines, ids)):
            if digest <= 0 or digest in seen:
                continue
            seen.add(digest)
            if self._bump(digest, line) >= 2:
                in_context = i == 0 or i == last or repeated[i - 1] or repeated[i + 1]
                self._vote(digest, (ids[i - 1] if i else 0, ids[i + 1] if i < last else 0), in_context)
        longest = min(self.block_lines, len(lines))
        for k in range(1, longest + 1):
            if keys[-k] is None:
                break
            if k > 1:
                self._bump(_digest(TAIL, "\n".join(keys[-k:])), tuple(lines[-k:]))
        for k in range(1, longest + 1):
            if keys[k - 1] is None:
                break
            if k > 1:
                self._bump(_digest(HEAD, "\n".join(keys[:k])), tuple(lines[:k]))
        if len(self.counts) > self.max_keys:
            self._prune()

    def _bump(self, digest: int, sample: str | tuple[str, ...]) -> int:
        count = self.counts.get(digest, 0) + 1
        self.counts[digest] = count
        if count >= 2:
            kept = self.samples.get(digest)
            if kept is None:
                self.samples[digest] = (sample,)
            elif len(kept) < SAMPLES and sample not in kept:
                self.samples[digest] = (*kept, sample)
        return count

    def _line_id(self, line: str, key: str | None) -> int:
        """A line's identity as a neighbour: its key's digest (> 0) if countable, a hash (< 0) if
        long, 0 for other lines (no letters), which break runs like the document's ends do."""
        if key is not None:
            return _digest(LINE, key)
        if len(line) > MAX_CHARS or len(line.split()) > self.max_words:
            return -1 - (hash(line) & 0x0FFF_FFFF_FFFF_FFFF)
        return 0

    def _vote(self, digest: int, context: tuple[int, int], in_context: bool) -> None:
        """Boyer-Moore majority votes over the lines seen before, and after, a line; and a count
        of the documents where it sits in context (see :func:`isolated`)."""
        state = self.contexts.get(digest)
        if state is None:
            self.contexts[digest] = [context[0], 1, context[1], 1, 1, int(in_context)]
            return
        state[4] += 1
        state[5] += in_context
        for side in (0, 2):
            neighbour = context[side // 2]
            if state[side] == neighbour:
                state[side + 1] += 1
            elif state[side + 1] == 0:
                state[side], state[side + 1] = neighbour, 1
            else:
                state[side + 1] -= 1

    def _context(self, digest: int) -> tuple[int | None, int | None]:
        """The lines before and after a line in at least half the documents it was tracked in (or None)."""
        state = self.contexts.get(digest)
        if state is None:
            return None, None
        occurrences = state[4]
        return tuple(state[side] if 2 * state[side + 1] >= occurrences else None for side in (0, 2))

    def _prune(self) -> None:
        """Lower every count by the smallest ``t`` that leaves at most half the keys."""
        histogram = Counter(self.counts.values())
        kept, t = 0, 0
        for value in sorted(histogram, reverse=True):
            if kept + histogram[value] > self.max_keys // 2:
                t = value
                break
            kept += histogram[value]
        self.counts = {digest: count - t for digest, count in self.counts.items() if count > t}
        self.samples = {digest: s for digest, s in self.samples.items() if digest in self.counts}
        self.contexts = {digest: c for digest, c in self.contexts.items() if digest in self.counts}
        self.error += t

    def frequent(self, threshold: int) -> list[Candidate]:
        """The lines and blocks counted in at least ``threshold`` documents (``threshold`` >= 2)."""
        out = []
        for digest, count in self.counts.items():
            if count >= threshold and digest in self.samples:
                kind = digest & 3
                samples = self.samples[digest]
                if kind == LINE:
                    lines = (samples[0],)
                    samples = tuple((s,) for s in samples)
                    state = self.contexts.get(digest)
                    tracked, in_context = (state[4], state[5]) if state else (0, 0)
                    context = self._context(digest)
                    out.append(Candidate(LINE, count, lines, samples, digest, context, tracked, in_context))
                else:
                    out.append(Candidate(kind, count, samples[0], samples))
        out.sort(key=lambda c: (-c.documents, c.kind, c.lines))
        return out


@dataclass(frozen=True)
class Candidate:
    """A frequent line (one line) or block (its lines), with its document count and samples."""

    kind: int
    documents: int
    lines: tuple[str, ...]
    samples: tuple[tuple[str, ...], ...]
    digest: int = 0
    context: tuple[int | None, int | None] = (None, None)  # usual neighbours (see LineCounter._line_id)
    tracked: int = 0  # documents whose neighbours were looked at (all but the first one, for a line)
    in_context: int = 0  # ...of which those where it is at an edge or next to a line of other documents

    @property
    def keys(self) -> tuple[str | None, ...]:
        return tuple(line_key(line, max_words=10**6) for line in self.lines)


# --- proposing rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What ``cleaner learn`` counts and proposes."""

    min_docs: int = 10
    min_share: float = 0.001
    max_words: int = 25
    max_keys: int = 150_000
    block_lines: int = 6
    context: bool = True  # leave out isolated lines (see isolated())
    pack: str = "learned"

    def threshold(self, documents: int) -> int:
        """How many documents a line or block must be in to be proposed."""
        return max(self.min_docs, math.ceil(self.min_share * documents), 2)


@dataclass
class Learned:
    """The outcome of learning: the pack's YAML text and what went into it."""

    text: str
    rules: list[dict]
    documents: int
    threshold: int
    error: int
    known: int = 0  # frequent lines and blocks the rules in use already remove
    content: int = 0  # frequent lines left out because they look like content
    isolated: int = 0  # frequent lines left out because they sit between unique lines (see isolated())
    failed: int = 0  # rules dropped because their examples did not hold
    counts: dict[str, int] = field(default_factory=dict)  # rules per action


def learn_rules(
    documents: Iterable[str], *, settings: Settings = Settings(), known: Sequence[Rule] = ()
) -> Learned:
    """Count ``documents`` and propose a rule pack; see :func:`propose`."""
    counter = LineCounter(max_words=settings.max_words, max_keys=settings.max_keys, block_lines=settings.block_lines)
    for text in documents:
        counter.add(text)
    return propose(counter, settings=settings, known=known)


def propose(counter: LineCounter, *, settings: Settings = Settings(), known: Sequence[Rule] = ()) -> Learned:
    """Turn the frequent lines and blocks of ``counter`` into a validated rule pack.

    Only lines and blocks in at least ``settings.threshold(documents)`` documents are
    considered, and the lowest possible count must reach it.

    - A tail block (the same last lines in many documents) becomes a ``cut-tail`` rule on its
      first line, confirmed by its second; a head block a ``cut-head`` rule on its last line,
      confirmed by the one before (see :func:`_pick_blocks` for which blocks are kept).
    - A line becomes a ``drop-line`` rule, unless the blocks proposed already cover all but
      fewer than ``threshold`` of its documents.
    - Never proposed: lines that look like content (:func:`looks_like_content`), lines that
      are part of a repeated text (:func:`in_repeated_text`), blocks holding such lines,
      lines and blocks that the ``known`` rules (those already in use) remove, and, unless
      ``settings.context`` is off, lines isolated between unique lines (:func:`isolated`).

    Every rule gets remove examples from the corpus and a generated look-alike keep example; a
    rule whose examples do not hold is dropped. Rules come out most frequent first.
    """
    documents = counter.documents
    threshold = settings.threshold(documents)
    learned = Learned("", [], documents, threshold, counter.error)
    candidates = counter.frequent(threshold)
    line_counts = {c.keys[0]: c.documents for c in candidates if c.kind == LINE}
    repeated = in_repeated_text([c for c in candidates if c.kind == LINE])
    repeated_keys = {c.keys[0] for c in candidates if c.digest in repeated}

    def rejected(block: Candidate) -> bool:
        if _removed_by(known, "\n".join(block.lines)):
            learned.known += 1
            return True
        anchor = block.lines[0] if block.kind == TAIL else block.lines[-1]
        if repeated_keys.intersection(block.keys) or looks_like_content(
            anchor, block.documents, threshold, max_words=settings.max_words
        ):
            learned.content += 1
            return True
        return False

    blocks: list[tuple[Candidate, tuple]] = []
    for kind in (TAIL, HEAD):
        found = [c for c in candidates if c.kind == kind]
        blocks.extend(_pick_blocks(found, kind, threshold, line_counts, rejected))
    proposals: list[Candidate] = [block for block, _ in blocks]
    for line in (c for c in candidates if c.kind == LINE):
        key = line.keys[0]
        covered = _covered(key, blocks)
        if line.documents - covered < threshold:
            continue
        if line.digest in repeated or looks_like_content(
            line.lines[0], line.documents, threshold, max_words=settings.max_words
        ):
            learned.content += 1
            continue
        if _removed_by(known, line.lines[0]):
            learned.known += 1
            continue
        if settings.context and isolated(line, threshold):
            learned.isolated += 1
            continue
        proposals.append(line)
    proposals.sort(key=lambda c: (-c.documents, c.kind, c.lines))

    names: set[str] = set()
    for proposal in proposals:
        rule = _rule(proposal, documents, names)
        if _examples_hold(rule, settings.pack):
            learned.rules.append(rule)
            learned.counts[rule["action"]] = learned.counts.get(rule["action"], 0) + 1
        else:
            learned.failed += 1
            names.discard(rule["id"])
    learned.text = render_pack(learned.rules, pack=settings.pack, description=_pack_description(learned, settings))
    parse_pack(learned.text, source="<learned>")  # the pack we write must load
    return learned


RUN_WORDS = 100


def in_repeated_text(lines: list[Candidate]) -> set[int]:
    """The digests of frequent lines that are part of a repeated text, such as a syndicated story.

    Boilerplate sits next to changing text: the article around a prompt, the article's end
    before a footer. A line that, in most of its documents, sits in the same run of lines
    (each the usual neighbour of the next, both ways) adding up to more than
    :data:`RUN_WORDS` words, or next to the same long paragraph, is a copy of some text.
    """
    by_digest = {c.digest: c for c in lines}
    flagged = set()
    for line in lines:
        words = len(line.lines[0].split())
        glued = False
        for side in (0, 1):  # 0: walk up through the lines before, 1: down through those after
            current, visited = line, {line.digest}
            while True:
                neighbour = current.context[side]
                if neighbour is None or neighbour == 0:  # no usual neighbour, or the document's edge
                    break
                if neighbour < 0:  # the same long paragraph each time
                    glued = True
                    break
                following = by_digest.get(neighbour)
                if following is None or neighbour in visited or following.context[1 - side] != current.digest:
                    break
                visited.add(neighbour)
                words += len(following.lines[0].split())
                current = following
        if glued or words > RUN_WORDS:
            flagged.add(line.digest)
    return flagged


def _pick_blocks(
    found: list[Candidate], kind: int, threshold: int, line_counts: dict, rejected
) -> list[tuple[Candidate, tuple]]:
    """The blocks worth a rule, longest first, with their keys.

    A block is left out when longer blocks already picked account for its documents, and when
    its anchor line (the first of a tail block, the last of a head block) is often found outside
    this block too (elsewhere in documents, or in other blocks): that line then gets a
    drop-line rule, as do the block's other lines, rather than cut rules keyed on a line that
    also sits next to other text.
    """
    picked: list[tuple[Candidate, tuple]] = []
    for block in sorted(found, key=lambda c: (-len(c.lines), -c.documents, c.lines)):
        keys = block.keys
        longer = [(p, pk) for p, pk in picked if len(pk) > len(keys) and _extends(pk, keys, kind)]
        # the documents of nested longer blocks are subsets of each other: count only the shortest
        shortest = [p for p, pk in longer if not any(len(qk) < len(pk) and _extends(pk, qk, kind) for _, qk in longer)]
        if block.documents - sum(p.documents for p in shortest) < threshold:
            continue
        anchor = keys[0] if kind == TAIL else keys[-1]
        # (longer blocks that extend this one hold a subset of its documents)
        elsewhere = line_counts.get(anchor, block.documents) - block.documents
        if elsewhere >= threshold or rejected(block):
            continue
        picked.append((block, keys))
    return picked


def _extends(longer: tuple, shorter: tuple, kind: int) -> bool:
    """True when the block ``longer`` ends with (tail) or starts with (head) ``shorter``."""
    return longer[-len(shorter):] == shorter if kind == TAIL else longer[: len(shorter)] == shorter


def _covered(key: str | None, blocks: list[tuple[Candidate, tuple]]) -> int:
    """How many documents of the line ``key`` the proposed blocks containing it account for."""
    holding = [(b, bk) for b, bk in blocks if key in bk]
    total = 0
    for block, keys in holding:
        nested = any(
            other.kind == block.kind and len(ok) < len(keys) and _extends(keys, ok, block.kind)
            for other, ok in holding
        )
        if not nested:
            total += block.documents
    return total


def _removed_by(rules: Sequence[Rule], text: str) -> bool:
    """True when ``rules`` remove every line of ``text`` (a line or a block)."""
    if not rules:
        return False
    try:
        result = apply_rules(text, rules, max_removed_share=1.0, timeout=2.0)
    except CleanerError:
        return False
    return not result.text.strip()


# --- rules and their YAML ------------------------------------------------------------------

KEEP_TEMPLATE = 'Readers asked why the words "{}" appeared in the middle of the report.'
DESCRIPTION_SAMPLE = 70


def _rule(proposal: Candidate, documents: int, names: set[str]) -> dict:
    """The rule (as the mapping written to YAML) for one proposal."""
    share = proposal.documents / documents if documents else 0.0
    found = f"{proposal.documents:,} of {documents:,} documents ({_percent(share)})"
    if proposal.kind == LINE:
        line = proposal.lines[0]
        rule = {
            "id": _unique_name(_slug(line), names),
            "description": f"Line in {found}: {_shorten(line)}",
            "action": "drop-line",
            "pattern": line_pattern(line),
            "flags": ["ignorecase"],
            "max-words": len(line.split()),
            "examples": {"remove": [s[0] for s in proposal.samples], "keep": [KEEP_TEMPLATE.format(line)]},
        }
        return rule
    lines = proposal.lines
    tail = proposal.kind == TAIL
    anchor, neighbour = (lines[0], lines[1]) if tail else (lines[-1], lines[-2])
    if tail:
        description = (
            f"Block of {len(lines)} lines at the end of {found}, opening {_shorten(anchor)}; "
            "cuts from that line to the end when the block's next line follows (or nothing else)."
        )
    else:
        description = (
            f"Block of {len(lines)} lines at the start of {found}, ending {_shorten(anchor)}; "
            "cuts from the start through that line when the block's line before it precedes (or nothing else)."
        )
    return {
        "id": _unique_name(("tail-" if tail else "head-") + _slug(anchor), names),
        "description": description,
        "action": "cut-tail" if tail else "cut-head",
        "where": "tail" if tail else "head",
        "within": len(lines) + 2,
        "pattern": line_pattern(anchor),
        "flags": ["ignorecase"],
        "max-words": len(anchor.split()),
        # the neighbour line, or nothing else left (another rule may have cut the rest of the block)
        "confirm": "(?m)" + line_pattern(neighbour) + r"|\A\s*.*\s*\Z",
        "examples": {"remove": ["\n".join(s) for s in proposal.samples], "keep": [KEEP_TEMPLATE.format(anchor)]},
    }


def _examples_hold(rule: dict, pack: str) -> bool:
    """True when the rule, written and read back, passes its own examples."""
    text = render_pack([rule], pack=pack, description="check")
    try:
        (parsed,) = parse_pack(text).rules
    except (CleanerError, ValueError):
        return False
    if [e.text for e in parsed.remove_examples] != rule["examples"]["remove"]:
        return False
    return not check_rule_examples(parsed)


def _percent(share: float) -> str:
    return f"{share:.1%}" if share >= 0.001 else f"{share:.2%}"


def _shorten(line: str) -> str:
    line = " ".join(line.split())
    if len(line) > DESCRIPTION_SAMPLE:
        line = line[: DESCRIPTION_SAMPLE - 3].rstrip() + "..."
    return f'"{line}"'


# letters NFKD does not take apart into ASCII
_ASCII_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ð": "d"})


def _slug(line: str) -> str:
    """A readable id from the first words of ``line`` (ASCII letters only; digits dropped)."""
    folded = line.lower().translate(_ASCII_EXTRA)
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode().lower()
    words = regex.findall(r"[a-z]+", ascii_text)
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 40:
            break
        slug = f"{slug}-{word}" if slug else word
    if len(slug) < 3:
        slug = "line-" + hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()
    return slug


def _unique_name(name: str, names: set[str]) -> str:
    candidate, number = name, 2
    while candidate in names:
        candidate = f"{name}-{number}"
        number += 1
    names.add(candidate)
    return candidate


def _pack_description(learned: Learned, settings: Settings) -> str:
    return (
        f"Boilerplate learned by `cleaner learn` from {learned.documents:,} documents: lines and head/tail "
        f"blocks found in at least {learned.threshold:,} of them (--min-docs {settings.min_docs}, "
        f"--min-share {settings.min_share:g}). Review before use: cleaner learn --review FILE CORPUS."
    )


RULE_KEY_ORDER = ("id", "description", "action", "where", "within", "pattern", "flags", "max-words", "confirm")


def render_pack(rules: Sequence[dict], *, pack: str, description: str) -> str:
    """The YAML text of a pack of ``rules`` (mappings with the schema's keys), quoted safely."""
    out = [f"pack: {pack}", f"description: {_quote(description)}", "rules:" if rules else "rules: []"]
    for rule in rules:
        first = True
        for key in RULE_KEY_ORDER:
            if key not in rule:
                continue
            value = rule[key]
            if isinstance(value, list):
                text = "[" + ", ".join(value) + "]"
            elif isinstance(value, int):
                text = str(value)
            else:
                text = _quote(value)
            out.append(f"  {'- ' if first else '  '}{key}: {text}")
            first = False
        out.append("    examples:")
        for kind in ("remove", "keep"):
            out.append(f"      {kind}:")
            out.extend(f"        - {_quote(example)}" for example in rule["examples"][kind])
    return "\n".join(out) + "\n"


_PLAIN = regex.compile(r"[a-z][a-z0-9_-]*")


def _quote(text: str) -> str:
    """A YAML scalar for ``text``: plain for names, single-quoted when printable, else double-quoted."""
    if _PLAIN.fullmatch(text) and text not in ("true", "false", "yes", "no", "on", "off", "null"):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    pieces = []
    for char in text:
        if char == "\\":
            pieces.append("\\\\")
        elif char == '"':
            pieces.append('\\"')
        elif char == "\n":
            pieces.append("\\n")
        elif char.isprintable():
            pieces.append(char)
        elif ord(char) <= 0xFF:
            pieces.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            pieces.append(f"\\u{ord(char):04x}")
        else:
            pieces.append(f"\\U{ord(char):08x}")
    return '"' + "".join(pieces) + '"'


# --- review --------------------------------------------------------------------------------

EXCERPT_WIDTH = 100


@dataclass
class RuleReview:
    """What one rule of a pack does to a corpus."""

    rule: Rule
    documents: int = 0  # documents it changes
    lines: int = 0  # lines it removes
    excerpts: list[tuple[str, list[str]]] = field(default_factory=list)  # (document label, excerpt lines)


@dataclass
class Review:
    """What a pack does to a corpus, rule by rule."""

    rules: list[RuleReview]
    documents: int = 0
    changed: int = 0
    guarded: int = 0  # documents the guard would leave as they were


def review_pack(
    rules: Sequence[Rule],
    documents: Iterable[tuple[str, str]],
    *,
    excerpts: int = 2,
    max_removed_share: float = 0.6,
    timeout: float | None = 2.0,
) -> Review:
    """Apply ``rules`` (together, as ``cleaner clean`` would) to ``(label, text)`` documents.

    For each rule: how many documents it changes, how many lines it removes, and up to
    ``excerpts`` excerpts in diff style (``-`` for a removed line, with a line of context
    either side). Documents the guard would leave as they were still count for their rules.
    """
    review = Review([RuleReview(rule) for rule in rules])
    by_id = {entry.rule.id: entry for entry in review.rules}
    for label, text in documents:
        review.documents += 1
        try:
            result = apply_rules(text, rules, max_removed_share=max_removed_share, timeout=timeout)
        except CleanerError:
            continue
        if not result.removals:
            continue
        review.changed += 1
        review.guarded += result.guarded
        removed: dict[str, list[int]] = {}
        for removal in result.removals:
            removed.setdefault(removal.rule_id, []).append(removal.line)
        lines = None
        for rule_id, numbers in removed.items():
            entry = by_id[rule_id]
            entry.documents += 1
            entry.lines += len(set(numbers))
            if len(entry.excerpts) < excerpts:
                lines = lines or [line.content for line in split_lines(text)]
                entry.excerpts.append((label, _excerpt(lines, sorted(set(numbers)))))
    return review


def _excerpt(lines: list[str], removed: list[int], *, shown: int = 4) -> list[str]:
    """Diff-style lines: the removed lines (at most ``shown``) and a non-blank line either side."""
    first, last = removed[0] - 1, removed[-1] - 1
    out = []
    before = next((i for i in range(first - 1, -1, -1) if lines[i].strip()), None)
    if before is not None:
        out.append("  " + _clip(lines[before]))
    for count, number in enumerate(removed):
        if count == shown:
            out.append(f"- ... ({len(removed) - shown} more lines)")
            break
        out.append("- " + _clip(lines[number - 1]))
    after = next((i for i in range(last + 1, len(lines)) if lines[i].strip()), None)
    if after is not None:
        out.append("  " + _clip(lines[after]))
    return out


def _clip(line: str) -> str:
    return line if len(line) <= EXCERPT_WIDTH else line[: EXCERPT_WIDTH - 3] + "..."


def format_review(review: Review) -> str:
    """The review as text: one paragraph per rule, then totals."""
    out = []
    total = review.documents or 1
    for entry in review.rules:
        rule = entry.rule
        out.append(
            f"{rule.id}  {rule.action.value}  changes {entry.documents:,} of {review.documents:,} documents "
            f"({_percent(entry.documents / total)}), {entry.lines:,} lines"
        )
        if rule.description:
            out.append(f"  {rule.description}")
        for label, lines in entry.excerpts:
            out.append(f"  {label}:")
            out.extend(f"    {line}" for line in lines)
        if not entry.documents:
            out.append("  (changes nothing in this corpus)")
        out.append("")
    out.append(
        f"{len(review.rules)} rules; {review.changed:,} of {review.documents:,} documents would change"
        + (f"; {review.guarded:,} would be left as they were by the guard" if review.guarded else "")
    )
    return "\n".join(out) + "\n"
