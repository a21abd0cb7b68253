"""indexer.bm25: parity with rank_bm25.BM25Okapi, top-k, masks, deltas, save/load."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from indexer.bm25 import BM25Index, okapi_idf
from indexer.tokenizer import Tokenizer, TokenizerConfig

from .sample_texts import sample_texts


def random_corpus(seed: int, n_docs: int = 300, n_terms: int = 80) -> tuple[list[list[str]], list[str]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(n_terms)]
    # skewed: some terms occur in most documents, so rank_bm25's negative-idf floor is exercised
    docs = [
        [rng.choice(vocab[: rng.randint(2, n_terms)]) for _ in range(rng.randint(1, 25))]
        for _ in range(n_docs)
    ]
    return docs, vocab


def random_queries(vocab: list[str], seed: int, n: int = 200) -> list[list[str]]:
    rng = random.Random(seed)
    return [[rng.choice([*vocab, "unknown"]) for _ in range(rng.randint(0, 7))] for _ in range(n)]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("params", [(1.5, 0.75, 0.25), (1.2, 0.5, 0.5), (2.0, 1.0, 0.1)])
def test_parity_with_rank_bm25_on_random_corpus(params: tuple[float, float, float]) -> None:
    k1, b, eps = params
    docs, vocab = random_corpus(1)
    ref, ours = BM25Okapi(docs, k1=k1, b=b, epsilon=eps), BM25Index.build(docs, k1, b, eps)
    assert (okapi_idf(np.array([290.0]), 300) < 0).all()  # some idf is really floored
    for q in random_queries(vocab, 2):
        # with b=1 rank_bm25 gives empty documents 0/0 = nan; ours gives them 0
        expected = np.nan_to_num(ref.get_scores(q), nan=0.0)
        np.testing.assert_allclose(ours.scores(q), expected, rtol=1e-6, atol=1e-6)


def test_parity_on_tokenised_chinese_sample() -> None:
    tokenizer = Tokenizer(TokenizerConfig(search_mode=True, char_ngrams=2))
    texts = sample_texts()
    docs = [tokenizer.tokenize(t) for t in texts]
    ref, ours = BM25Okapi(docs), BM25Index.build(docs)
    for query in [
        "电脑开不了机怎么办",
        "屏幕黑屏 不显示",
        "蓝屏代码0x0000007B",
        "warranty laptop battery",
        "的的的",
    ]:
        q = tokenizer.tokenize_query(query)
        assert q
        np.testing.assert_allclose(ours.scores(q), ref.get_scores(q), rtol=1e-6, atol=1e-6)


def test_repeated_query_token_counts_again() -> None:
    docs = [["a", "b"], ["b", "c"], ["c", "d", "d"], ["e"]]
    index = BM25Index.build(docs)
    np.testing.assert_allclose(index.scores(["d", "d"]), 2 * index.scores(["d"]))
    np.testing.assert_allclose(index.scores(["d", "d", "a"]), BM25Okapi(docs).get_scores(["d", "d", "a"]))


def test_top_k_matches_a_full_sort() -> None:
    docs, vocab = random_corpus(3, n_docs=3000)
    index = BM25Index.build(docs)
    for q in random_queries(vocab, 4, n=100):
        scores = index.scores(q)
        for k in (1, 10, 50):
            idx, top = index.top_k(q, k)
            order = np.lexsort((np.arange(len(scores)), -scores))
            expected = [i for i in order if scores[i] > 0][:k]
            assert idx.tolist() == expected
            np.testing.assert_array_equal(top, scores[expected])


def test_top_k_on_a_large_mostly_matching_corpus() -> None:
    """The sampled-threshold path (>= 4 * 32 * k documents) is exact too."""
    rng = np.random.default_rng(5)
    docs = [["common", *(f"w{x}" for x in rng.integers(0, 500, size=8))] for _ in range(12_000)]
    index = BM25Index.build(docs)
    for q in (["common"], ["common", "w1"], ["w3", "w4", "w4"], ["nothing"]):
        scores = index.scores(q)
        idx, top = index.top_k(q, 10)
        order = np.lexsort((np.arange(len(scores)), -scores))
        assert idx.tolist() == [i for i in order if scores[i] > 0][:10]


def test_top_k_mask_excludes_documents() -> None:
    docs = [["x"], ["x", "y"], ["x", "y", "y"], ["z"]] + [["filler"]] * 6  # keep idf positive
    index = BM25Index.build(docs)
    all_idx, _ = index.top_k(["y", "x"], 10)
    assert set(all_idx.tolist()) == {0, 1, 2}
    allowed = np.array([True, False, True, True] + [True] * 6)
    idx, scores = index.top_k(["y", "x"], 10, allowed)
    assert 1 not in idx.tolist() and set(idx.tolist()) == {0, 2}
    np.testing.assert_allclose(scores, index.scores(["y", "x"])[idx])
    with pytest.raises(ValueError):
        index.top_k(["x"], 3, np.array([True]))


def test_empty_query_unknown_terms_and_k_zero() -> None:
    index = BM25Index.build([["a", "b"], ["b"], ["c"]])
    for q in ([], ["nope"], ["nope", "never"]):
        assert not index.scores(q).any()
        idx, scores = index.top_k(q, 5)
        assert len(idx) == len(scores) == 0
    assert len(index.top_k(["a"], 0)[0]) == 0


def test_empty_corpus_and_empty_documents() -> None:
    empty = BM25Index.build([])
    assert len(empty) == 0 and empty.scores(["a"]).shape == (0,)
    assert len(empty.top_k(["a"], 10)[0]) == 0
    blanks = BM25Index.build([[], []])
    assert not blanks.scores(["a"]).any()
    # Empty rows (dense-only chunks) are not documents: N and avgdl ignore them, so the others score
    # exactly as in a corpus without them (rank_bm25 would count them).
    docs = [[], ["a"], [], ["a", "b"]]
    scores = BM25Index.build(docs).scores(["a", "b"])
    np.testing.assert_allclose(scores[[1, 3]], BM25Okapi([["a"], ["a", "b"]]).get_scores(["a", "b"]))
    assert scores[0] == scores[2] == 0


def test_delta_uses_the_main_statistics() -> None:
    docs, vocab = random_corpus(7, n_docs=400)
    main_docs, new_docs = docs[:380], docs[380:] + [["brand", "new", "t1"]]
    main = BM25Index.build(main_docs, 1.2, 0.7, 0.3)
    delta = BM25Index.build(new_docs, base=main)
    assert delta.params == main.params and delta.stats == main.stats
    # a delta document scores exactly as the same document would inside the main index's statistics
    ref = BM25Okapi(main_docs, k1=1.2, b=0.7, epsilon=0.3)
    for q in random_queries(vocab, 8, n=50):
        expected = np.zeros(len(new_docs))
        for term in q:
            if term not in ref.idf:
                continue
            for d, doc in enumerate(new_docs):
                tf = doc.count(term)
                norm = tf + 1.2 * (1 - 0.7 + 0.7 * len(doc) / ref.avgdl)
                expected[d] += ref.idf[term] * tf * 2.2 / norm
        np.testing.assert_allclose(delta.scores(q), expected, rtol=1e-9, atol=1e-12)
    # an unseen term gets its idf from the delta's df against the combined N
    col = delta.vocab["brand"]
    assert delta.idf[col] == pytest.approx(np.log(401 - 1 + 0.5) - np.log(1 + 0.5))
    assert delta.top_k(["brand"], 5)[0].tolist() == [len(new_docs) - 1]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    docs, vocab = random_corpus(9)
    index = BM25Index.build(docs, 1.3, 0.6, 0.2)
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.vocab == index.vocab and loaded.params == index.params and loaded.stats == index.stats
    for q in random_queries(vocab, 10, n=20):
        np.testing.assert_array_equal(loaded.scores(q), index.scores(q))
    for f in (tmp_path / "bm25").glob("*.npy"):
        np.load(f, allow_pickle=False)  # plain arrays, no pickled objects
