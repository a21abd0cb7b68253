"""Longest-match phrase finder over normalised text (multi-word user words, synonym terms)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple


class PhraseMatch(NamedTuple):
    start: int
    end: int
    phrase: str


def _is_word_char(ch: str) -> bool:
    """Letters and digits of alphabetic scripts: a phrase may not start or end inside such a word."""
    return ch.isalnum() and not _is_cjk(ch)


def _is_cjk(ch: str) -> bool:
    """Han characters (the ones jieba segments); words of other scripts need boundaries."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


class PhraseMatcher:
    """Finds non-overlapping occurrences of known phrases, leftmost then longest first.

    A phrase that starts (ends) with a letter or digit only matches where the text has no letter or
    digit just before (after) it, so `pro` does not match inside `pro14` or `product`; CJK phrases
    match anywhere. Phrases must already be normalised. Immutable after construction.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = frozenset(p for p in phrases if p)
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def _match_at(self, text: str, i: int) -> int:
        """Length of the longest phrase starting at `i`, 0 if none."""
        for length in self._lengths.get(text[i], ()):
            end = i + length
            if end > len(text) or text[i:end] not in self._phrases:
                continue
            if _is_word_char(text[end - 1]) and end < len(text) and _is_word_char(text[end]):
                continue
            return length
        return 0

    def finditer(self, text: str) -> Iterator[PhraseMatch]:
        """Yield matches left to right, never overlapping."""
        if not self._phrases:
            return
        i, n = 0, len(text)
        while i < n:
            length = 0
            if text[i] in self._lengths and not (
                i > 0 and _is_word_char(text[i]) and _is_word_char(text[i - 1])
            ):
                length = self._match_at(text, i)
            if length:
                yield PhraseMatch(i, i + length, text[i : i + length])
                i += length
            else:
                i += 1

    def split(self, text: str) -> list[tuple[str, bool]]:
        """Cut `text` into (piece, is_phrase) pieces in order; empty pieces are left out."""
        pieces: list[tuple[str, bool]] = []
        last = 0
        for m in self.finditer(text):
            if m.start > last:
                pieces.append((text[last : m.start], False))
            pieces.append((m.phrase, True))
            last = m.end
        if last < len(text):
            pieces.append((text[last:], False))
        return pieces
