"""jieba word segmenters with a per-knowledge-base user dictionary, shared within the process.

Two backends give the same tokens (tests/indexer/test_word_segmenter.py checks it):

* `rjieba` (jieba-rs, default): same dictionary, DAG + HMM algorithm as jieba, ~30x faster
  (6 µs vs 200 µs for a 120-character sentence here). Each `rjieba.Jieba()` parses its built-in
  dictionary again (~115 ms, ~25 MB) and cannot be copied, so one instance is made per distinct user
  dictionary and shared by every tokenizer with that dictionary; KBs without user words share one.
* `jieba` (reference): the main dictionary is loaded once per process; a user dictionary gets a
  `jieba.Tokenizer` whose frequency table is a copy of the loaded one (~30 ms), never the global
  `jieba.dt`, so KBs cannot affect each other.

Words without a frequency get the one rjieba suggests against the main dictionary, so both
backends (and the order of the words) agree. Frequency 0 is refused: Python jieba would record it
in `jieba.finalseg`'s process-wide force-split set.
"""

from __future__ import annotations

import threading
import weakref
from typing import Literal, NamedTuple, Protocol

import jieba
import rjieba

Backend = Literal["rjieba", "jieba"]


class UserWord(NamedTuple):
    word: str
    freq: int | None = None
    tag: str | None = None


class Segmenter(Protocol):
    def cut(self, text: str) -> list[str]: ...

    def cut_for_search(self, text: str) -> list[str]: ...


class _RJiebaSegmenter:
    """rjieba instance; read-only after construction, so calls from several threads are safe."""

    def __init__(self, words: tuple[UserWord, ...]) -> None:
        self._jieba = rjieba.Jieba()
        for w in words:
            self._jieba.add_word(w.word, w.freq, w.tag)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, True)

    def cut_for_search(self, text: str) -> list[str]:
        return self._jieba.cut_for_search(text, True)

    def suggest_freq(self, word: str) -> int:
        return self._jieba.suggest_freq(word)


class _JiebaSegmenter:
    """Python jieba on a private copy of the process-wide main dictionary."""

    def __init__(self, base: jieba.Tokenizer | None, words: tuple[UserWord, ...]) -> None:
        self._tok = jieba.Tokenizer()
        if base is None:
            self._tok.initialize()
        else:  # jieba 0.42 internals: FREQ / total are all `initialize` sets up
            self._tok.FREQ = dict(base.FREQ)
            self._tok.total = base.total
            self._tok.initialized = True
        for w in words:
            self._tok.add_word(w.word, w.freq, w.tag)

    def cut(self, text: str) -> list[str]:
        return self._tok.lcut(text, HMM=True)

    def cut_for_search(self, text: str) -> list[str]:
        return self._tok.lcut_for_search(text, HMM=True)


_lock = threading.Lock()
_bases: dict[str, _RJiebaSegmenter | _JiebaSegmenter] = {}
_shared: weakref.WeakValueDictionary[tuple[str, tuple[UserWord, ...]], _RJiebaSegmenter | _JiebaSegmenter]
_shared = weakref.WeakValueDictionary()


def _base(backend: Backend) -> _RJiebaSegmenter | _JiebaSegmenter:
    """The backend's instance with the main dictionary only (caller holds `_lock`)."""
    if backend not in _bases:
        _bases[backend] = _RJiebaSegmenter(()) if backend == "rjieba" else _JiebaSegmenter(None, ())
    return _bases[backend]


def _resolve(words: tuple[UserWord, ...]) -> tuple[UserWord, ...]:
    """Fill in missing frequencies from the main dictionary (caller holds `_lock`)."""
    base = _base("rjieba")
    assert isinstance(base, _RJiebaSegmenter)
    out = []
    for w in words:
        if w.freq is not None and w.freq <= 0:
            raise ValueError(f"user word {w.word!r}: frequency must be positive, got {w.freq}")
        out.append(w if w.freq is not None else w._replace(freq=base.suggest_freq(w.word)))
    return tuple(out)


def get_segmenter(words: tuple[UserWord, ...] = (), backend: Backend = "rjieba") -> Segmenter:
    """Return the process-wide segmenter for this user dictionary, creating it on first use.

    Args:
        words: normalised user words that jieba should know (pure CJK words; phrases with spaces
            or Latin letters are matched before jieba by the tokenizer).
        backend: "rjieba" (fast, default) or "jieba" (the Python reference).
    """
    with _lock:
        if not words:
            return _base(backend)
        key = (backend, _resolve(words))
        seg = _shared.get(key)
        if seg is None:
            base = _base(backend) if backend == "jieba" else None
            if isinstance(base, _JiebaSegmenter):
                seg = _JiebaSegmenter(base._tok, key[1])
            else:
                seg = _RJiebaSegmenter(key[1])
            _shared[key] = seg
        return seg
