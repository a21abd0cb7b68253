"""Snippets with the query terms marked: matched on normalised text, shown in the original."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import NamedTuple

from indexer.lexicon import FEATURE_PREFIXES, HAN
from indexer.text import normalize, normalize_with_offsets

_WORD = re.compile(rf"[^\W_{HAN}]")  # letters and digits that are not Han: words of such end at a boundary
_SPACES = re.compile(r"\s+")


class _Span(NamedTuple):
    start: int  # in the original text
    end: int
    term: str


def highlight(text: str, query_tokens: list[str], max_len: int = 120) -> tuple[str, list[str]]:
    """A snippet of at most `max_len` original characters around the densest cluster of matches.

    Matched terms are wrapped in `<em>`…`</em>`, everything else is HTML-escaped; whitespace runs
    show as one space and `…` marks a cut. Feature tokens (synonyms `≡…`, n-grams `#…`) are ignored.

    Returns:
        (snippet HTML, the distinct query tokens found, in query order).
    """
    terms = _terms(tuple(query_tokens))
    spans = _find(text, terms)
    if not spans:
        return _render(text, 0, min(len(text), max_len), []), []
    first, last = _densest(spans, max_len)
    start, end = _window(spans[first].start, spans[last].end, len(text), max_len)
    shown = [s for s in spans if s.start >= start and s.end <= end]
    found = {s.term for s in spans}
    return _render(text, start, end, shown), [t for t in terms if t in found]


@lru_cache(maxsize=1024)
def _terms(query_tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct normalised query tokens without feature tokens; once per query, not per hit."""
    terms = dict.fromkeys(t for t in (normalize(q) for q in query_tokens) if t)
    return tuple(t for t in terms if not t.startswith(FEATURE_PREFIXES))


def _find(text: str, terms: tuple[str, ...]) -> list[_Span]:
    """Leftmost-longest, non-overlapping occurrences of `terms`, in original-text offsets; a term
    that starts or ends with a letter or digit must not continue a word there."""
    if not terms:
        return []
    norm, offsets = normalize_with_offsets(text)
    longest_first, anywhere = _pattern(terms)
    spans, pos = [], 0
    while (m := anywhere.search(norm, pos)) is not None:
        at = m.start()
        term = next((t for t in longest_first if norm.startswith(t, at) and _bounded(norm, at, t)), None)
        if term is None:
            pos = at + 1
            continue
        spans.append(_Span(offsets[at], offsets[at + len(term) - 1] + 1, term))
        pos = at + len(term)
    return spans


@lru_cache(maxsize=1024)
def _pattern(terms: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str]]:
    """The terms longest first, and a plain alternation of them. Word boundaries are checked in
    Python: a Han range inside a look-around made `re.compile` cost ~1.3 ms per term, once per
    distinct query, all of it holding the GIL."""
    longest_first = tuple(sorted((t for t in terms if t), key=len, reverse=True))
    return longest_first, re.compile("|".join(map(re.escape, longest_first)))


def _bounded(norm: str, at: int, term: str) -> bool:
    end = at + len(term)
    if at > 0 and _WORD.match(term[0]) and _WORD.match(norm[at - 1]):
        return False
    return not (end < len(norm) and _WORD.match(term[-1]) and _WORD.match(norm[end]))


def _densest(spans: list[_Span], max_len: int) -> tuple[int, int]:
    """(first, last) span indices of the window with the most distinct terms, then most matched
    characters; the earliest such window wins."""
    best, best_key, j = (0, 0), (-1, -1), 0
    for i in range(len(spans)):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1].end - spans[i].start <= max_len:
            j += 1
        window = spans[i : j + 1]
        key = (len({s.term for s in window}), sum(s.end - s.start for s in window))
        if key > best_key:
            best, best_key = (i, j), key
    return best


def _window(start: int, end: int, n: int, max_len: int) -> tuple[int, int]:
    """A range of `max_len` characters (or the whole text) with [start, end) near its middle."""
    if n <= max_len:
        return 0, n
    slack = max(0, max_len - (end - start))
    lo = max(0, start - slack // 2)
    hi = min(n, lo + max(max_len, end - start))
    return max(0, hi - max_len), hi


def _render(text: str, start: int, end: int, spans: list[_Span]) -> str:
    out, pos = [], start
    for s in spans:
        out.append(html.escape(_SPACES.sub(" ", text[pos : s.start])))
        out.append(f"<em>{html.escape(_SPACES.sub(' ', text[s.start : s.end]))}</em>")
        pos = s.end
    out.append(html.escape(_SPACES.sub(" ", text[pos:end])))
    body = "".join(out).strip().replace("</em><em>", "")  # adjacent matches read as one
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
