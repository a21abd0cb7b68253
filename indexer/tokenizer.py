"""Chinese-aware tokenizer: normalise → phrases → codes → jieba → stop words → n-grams → synonyms.

Pipeline on normalised text (see `indexer.text.normalize`):

1. User words that are not pure Han (`thinkpad x1 carbon`, `小新pro14`, `x1carbon`) are matched as
   whole phrases first, ignoring spaces (`x1carbon` matches `X1 Carbon`); a match yields the user
   word as written plus the tokens of the matched text, so exact mentions score higher and partial
   mentions (`x1 carbon` for `thinkpad x1 carbon`) still match. Pure-Han user words go into the
   KB's jieba dictionary.
2. Runs of letters/digits are handled without jieba: a run that contains a digit is a code and stays
   one token (`0x0000007b`, `e-102`, `i7-1360p`, `n3xet45w`, `y9000p`, `2100` from `2100:`), in
   search mode plus its separator-split parts (`i7`, `1360p`); other runs split into words on
   separators (`wi-fi` → `wi`, `fi`), like `\\w+`.
3. Han runs are cut by jieba (`cut`, or `cut_for_search` in search mode); punctuation never becomes
   a token.
4. Stop words (optional) are dropped from these words. Every English word also adds its Snowball
   stem as a feature `~<stem>` (`refunded` and `refunds` meet at `~refund`; the surface word stays,
   so the exact form still scores higher). Character n-grams of Han runs (optional)
   are added as features `#<chars>`, a namespace apart from jieba words, so the one-character word
   `借` and the unigram `#借` are separate terms (measured better than merging them; stop words
   do not apply to n-grams, also measured).
5. Synonyms *add* a feature token `≡<canonical>` for every occurrence of any term of a group (see
   `SynonymTable`). Documents and queries get the same features, so `无法开机` meets `开不了机`;
   the surface tokens stay, so an exact wording still outscores a synonym. Hence `tokenize_query`
   returns the same tokens as `tokenize`; it is the place for query-only rewrites later.

A `Tokenizer` is immutable after construction and safe to call from several threads.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from importlib import metadata
from typing import Any

import snowballstemmer

from indexer.lexicon import (
    HAN,
    HAN_ONLY,
    NGRAM_PREFIX,
    STEM_PREFIX,
    SynonymTable,
    load_stopwords,
    parse_user_words,
    stopword_digest,
)
from indexer.phrases import PhraseMatcher
from indexer.text import normalize
from indexer.word_segmenter import Backend, get_segmenter

TOKENIZER_VERSION = 2  # bump whenever a code change can change tokens (invalidates snapshots)
_WORD = rf"[^\W_{HAN}]"
_RUN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>{_WORD}+(?:[-_./:+#]{_WORD}+)*)")
_HAN_RUN = re.compile(rf"[{HAN}]+")
_SEP = re.compile(r"[-_./:+#]+")
_ENGLISH = re.compile(r"[a-z]+")
_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # a Snowball stemmer object keeps state between calls


@lru_cache(maxsize=65536)
def english_stem(word: str) -> str:
    """Snowball (Porter 2) stem of a lower-case English word."""
    with _STEM_LOCK:
        return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class TokenizerConfig:
    """Everything that decides the tokens. Defaults were tuned on the DEV sets (docs/tokenizer_eval.md).

    Attributes:
        user_words: jieba-style lines `word [freq] [tag]` (see `indexer.lexicon.parse_user_word`).
        synonyms: groups of equivalent terms; the first term of a group is its canonical form.
        char_ngrams: 0 = off; n >= 1 adds the character n-grams of every Han run as `#` features.
        search_mode: jieba `cut_for_search` sub-words and the parts of codes.
        stopwords: drop the built-in stop words (indexer/resources/stopwords.txt).
        english_stems: add the Snowball stem of every English word as a `~` feature.
    """

    user_words: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    char_ngrams: int = 1
    search_mode: bool = False
    stopwords: bool = True
    english_stems: bool = True

    def __post_init__(self) -> None:
        if self.char_ngrams < 0:
            raise ValueError(f"char_ngrams must be >= 0, got {self.char_ngrams}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for snapshot manifests)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenizerConfig:
        """Inverse of `to_dict`."""
        rest = {k: v for k, v in data.items() if k not in ("user_words", "synonyms")}
        synonyms = tuple(tuple(group) for group in data.get("synonyms", ()))
        return cls(user_words=tuple(data.get("user_words", ())), synonyms=synonyms, **rest)

    def config_hash(self) -> str:
        """Stable sha256 of everything that affects tokens: this config (user words and synonyms
        included), the stop word list, the tokenizer version and the segmenter/converter versions."""
        payload = {
            "version": TOKENIZER_VERSION,
            "config": self.to_dict(),
            "stopword_list": stopword_digest() if self.stopwords else None,
            "packages": _package_versions(),
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@cache
def _package_versions() -> dict[str, str]:
    """The segmenter's dictionary and the converter's tables come with these packages."""
    return {p: metadata.version(p) for p in ("rjieba", "opencc-python-reimplemented", "snowballstemmer")}


def char_ngrams(text: str, n: int) -> list[str]:
    """Character n-grams of every Han run of `text` (runs shorter than n give none)."""
    return [run[i : i + n] for run in _HAN_RUN.findall(text) for i in range(len(run) - n + 1)]


class Tokenizer:
    """Tokenizer for one knowledge base; build one per `TokenizerConfig` (cheap, see segmenter)."""

    def __init__(self, config: TokenizerConfig, *, backend: Backend = "rjieba") -> None:
        self.config = config
        words = parse_user_words(config.user_words)
        han = tuple(w for w in words if HAN_ONLY.fullmatch(w.word))
        self._phrases = PhraseMatcher(w.word for w in words if not HAN_ONLY.fullmatch(w.word))
        self._segmenter = get_segmenter(han, backend)
        self._synonyms = SynonymTable(config.synonyms)
        self._stop = load_stopwords() if config.stopwords else frozenset()

    def tokenize(self, text: str) -> list[str]:
        """Tokens of a document text (normalised first)."""
        return self._tokens(normalize(text))

    def tokenize_query(self, text: str) -> list[str]:
        """Tokens of a query: the same as `tokenize`, synonym features included (see module doc)."""
        return self._tokens(normalize(text))

    def _tokens(self, text: str) -> list[str]:
        tokens: list[str] = []
        for piece, phrase in self._phrases.split(text):
            parts = self._plain(piece)
            if phrase is not None and parts != [phrase]:
                tokens.append(phrase)
            tokens.extend(parts)
        if self._stop:
            tokens = [t for t in tokens if t not in self._stop]
        features = self._synonyms.features(text, tokens) if self._synonyms else []
        if self.config.english_stems:
            features.extend(STEM_PREFIX + english_stem(t) for t in tokens if _ENGLISH.fullmatch(t))
        if self.config.char_ngrams:
            tokens.extend(NGRAM_PREFIX + g for g in char_ngrams(text, self.config.char_ngrams))
        return tokens + features

    def _plain(self, text: str) -> list[str]:
        """Tokens of text without phrases: jieba for Han runs, code/word rules for the rest."""
        out: list[str] = []
        search = self.config.search_mode
        for m in _RUN.finditer(text):
            han, word = m.group("han"), m.group("word")
            if han:
                out.extend(self._segmenter.cut_for_search(han) if search else self._segmenter.cut(han))
            elif any(ch.isdigit() for ch in word):
                out.append(word)
                parts = [p for p in _SEP.split(word) if p]
                if search and len(parts) > 1:
                    out.extend(parts)
            else:
                out.extend(p for p in _SEP.split(word) if p)
        return out
