"""Per-KB dictionaries for the tokenizer: user word lines, the stop word list, synonym groups."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from indexer.phrases import PhraseMatcher
from indexer.text import normalize
from indexer.word_segmenter import UserWord

SYNONYM_PREFIX = "≡"  # synonym group features: `≡<canonical>`
NGRAM_PREFIX = "#"  # character n-gram features: `#<chars>`, apart from words of the same characters
STEM_PREFIX = "~"  # English stems: `~<stem>` beside the word as written
FEATURE_PREFIXES = (SYNONYM_PREFIX, NGRAM_PREFIX, STEM_PREFIX)
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_ONLY = re.compile(rf"[{HAN}]+")
_FREQ = re.compile(r"[0-9]+")
_TAG = re.compile(r"[a-z]+")


def parse_user_word(line: str) -> UserWord | None:
    """Parse one user dictionary line `word [freq] [tag]` into a normalised `UserWord`.

    jieba's format, except that the word may contain spaces (`thinkpad x1 carbon`): a trailing
    integer is the frequency and a `[a-z]+` part right after it the tag (`thinkpad 3000 nz`,
    `云计算 5`); a tag alone follows only a Han word (`凯特琳 nz`). So `windows 11` is the word
    `windows` with frequency 11, as in jieba: write `windows 11 100`, or separate fields with tabs
    (`windows 11<TAB>100<TAB>nz`), for a phrase ending in a number. Blank lines give None.

    Raises:
        ValueError: the frequency is not a positive integer.
    """
    if "\t" in line:
        fields = [f.strip() for f in line.split("\t")]
    else:
        parts = normalize(line).split(" ")
        n = len(parts)
        if n >= 3 and _FREQ.fullmatch(parts[-2]) and _TAG.fullmatch(parts[-1]):
            n -= 2
        elif n >= 2 and _FREQ.fullmatch(parts[-1]):
            n -= 1
        elif n == 2 and _TAG.fullmatch(parts[1]) and HAN_ONLY.fullmatch(parts[0]):
            parts = [parts[0], "", parts[1]]
            n = 1
        fields = [" ".join(parts[:n]), *parts[n:]]
    word = normalize(fields[0])
    if not word:
        return None
    freq = fields[1] if len(fields) > 1 else ""
    if freq and (not _FREQ.fullmatch(freq) or int(freq) <= 0):
        raise ValueError(f"user word {word!r}: frequency must be a positive integer, got {freq!r}")
    tag = fields[2] if len(fields) > 2 else ""
    return UserWord(word, int(freq) if freq else None, tag or None)


def parse_user_words(lines: Iterable[str]) -> list[UserWord]:
    """Parse lines, skipping blanks; a word given twice keeps its last line."""
    words: dict[str, UserWord] = {}
    for line in lines:
        w = parse_user_word(line)
        if w is not None:
            words.pop(w.word, None)
            words[w.word] = w
    return list(words.values())


@cache
def load_stopwords() -> frozenset[str]:
    """The built-in stop words (indexer/resources/stopwords.txt), normalised."""
    text = resources.files("indexer").joinpath("resources/stopwords.txt").read_text("utf-8")
    return frozenset(normalize(w) for w in text.splitlines() if w.strip() and not w.startswith("#"))


@cache
def stopword_digest() -> str:
    """sha256 of the stop word list, for the tokenizer's config hash."""
    return hashlib.sha256("\n".join(sorted(load_stopwords())).encode("utf-8")).hexdigest()


class SynonymTable:
    """Maps occurrences of synonym terms to the feature token `≡<canonical>` of their group.

    Terms of two or more characters (or non-Han) match as phrases in the normalised text; a
    one-character Han term only matches a whole token (so `买` does not fire inside `买单`).
    A term listed in two groups belongs to the first. Immutable after construction.
    """

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._feature: dict[str, str] = {}
        for group in groups:
            terms = [t for t in (normalize(term) for term in group) if t]
            for term in terms:
                self._feature.setdefault(term, SYNONYM_PREFIX + terms[0])
        single = {t for t in self._feature if len(t) == 1 and HAN_ONLY.fullmatch(t)}
        self._single = {t: self._feature[t] for t in single}
        self._phrases = PhraseMatcher(t for t in self._feature if t not in single)

    def __bool__(self) -> bool:
        return bool(self._feature)

    def features(self, text: str, tokens: list[str]) -> list[str]:
        """Feature tokens for the normalised `text` and its surface `tokens`, one per occurrence."""
        out = [self._feature[m.phrase] for m in self._phrases.finditer(text)]
        if self._single:
            out.extend(self._single[t] for t in tokens if t in self._single)
        return out
