"""Longest-match phrase finder over normalised text (multi-word user words, synonym terms)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple


class PhraseMatch(NamedTuple):
    start: int  # offsets in the searched text
    end: int
    phrase: str  # the phrase as given (its spacing may differ from the text's)


def _is_word_char(ch: str) -> bool:
    """Letters and digits of alphabetic scripts: a phrase may not start or end inside such a word."""
    return ch.isalnum() and not _is_cjk(ch)


def _is_cjk(ch: str) -> bool:
    """Han characters (the ones jieba segments); words of other scripts need boundaries."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


class PhraseMatcher:
    """Finds non-overlapping occurrences of known phrases, leftmost then longest first.

    Spaces do not matter: `x1carbon` matches `x1 carbon` and `thinkpad x1 carbon` matches
    `thinkpadx1carbon` (model names are written both ways). A phrase that starts (ends) with a
    letter or digit only matches where the text has no letter or digit right before (after) it, so
    `pro` does not match inside `pro14` or `product`; Han phrases match anywhere. Phrases and text
    must be normalised. Immutable after construction.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases: dict[str, str] = {}
        for phrase in phrases:
            if phrase.replace(" ", ""):
                self._phrases.setdefault(phrase.replace(" ", ""), phrase)
        lengths: dict[str, set[int]] = {}
        for key in self._phrases:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def finditer(self, text: str) -> Iterator[PhraseMatch]:
        """Yield matches left to right, never overlapping, with offsets into `text`."""
        if not self._phrases:
            return
        squeezed, pos = text, list(range(len(text)))
        if " " in text:
            pos = [i for i, ch in enumerate(text) if ch != " "]
            squeezed = "".join(text[i] for i in pos)
        i = 0
        while i < len(squeezed):
            key = self._match_at(text, squeezed, pos, i) if squeezed[i] in self._lengths else ""
            if key:
                yield PhraseMatch(pos[i], pos[i + len(key) - 1] + 1, self._phrases[key])
                i += len(key)
            else:
                i += 1

    def _match_at(self, text: str, squeezed: str, pos: list[int], i: int) -> str:
        """The longest phrase key starting at squeezed position `i` on word boundaries, or ""."""
        start = pos[i]
        if start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]):
            return ""
        for length in self._lengths[squeezed[i]]:
            key = squeezed[i : i + length]
            if len(key) < length or key not in self._phrases:
                continue
            end = pos[i + length - 1] + 1
            if end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
                continue
            return key
        return ""

    def split(self, text: str) -> list[tuple[str, str | None]]:
        """Cut `text` into (piece, phrase or None) in order; empty pieces are left out."""
        pieces: list[tuple[str, str | None]] = []
        last = 0
        for m in self.finditer(text):
            if m.start > last:
                pieces.append((text[last : m.start], None))
            pieces.append((text[m.start : m.end], m.phrase))
            last = m.end
        if last < len(text):
            pieces.append((text[last:], None))
        return pieces
