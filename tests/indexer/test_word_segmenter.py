"""indexer.word_segmenter: per-KB dictionaries, isolation, rjieba == jieba, construction cost."""

from __future__ import annotations

import time

import jieba
import pytest
import rjieba

from indexer.tokenizer import Tokenizer, TokenizerConfig
from indexer.word_segmenter import Backend, UserWord, get_segmenter

from .sample_texts import SAMPLE_KB, sample_texts

USER_WORDS = (
    "拯救者",
    "小新pro14",
    "thinkpad x1 carbon",
    "开不了机 50",
    "售后服务网点\t5",
    "蓝屏代码 100000 n",
    "上海交通大学",
    "应急复位孔",
)


def repository_words() -> tuple[str, ...]:
    path = SAMPLE_KB.parent / "dict" / "user_dict.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return tuple(x for x in lines if x.strip() and not x.startswith("#"))


@pytest.mark.parametrize("search_mode", [False, True])
def test_rjieba_gives_jieba_tokens_on_sample_data(search_mode: bool) -> None:
    """rjieba is used for speed only if it is token-for-token identical to Python jieba."""
    config = TokenizerConfig(user_words=USER_WORDS + repository_words(), search_mode=search_mode)
    fast, reference = Tokenizer(config, backend="rjieba"), Tokenizer(config, backend="jieba")
    texts = sample_texts()
    assert len(texts) > 100
    for text in texts:
        assert fast.tokenize(text) == reference.tokenize(text), text


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_kbs_do_not_share_user_words(backend: Backend) -> None:
    text = "魔方路由把拯救者的问题转人工"
    plain = Tokenizer(TokenizerConfig(), backend=backend)
    before = plain.tokenize(text)
    a = Tokenizer(TokenizerConfig(user_words=("魔方路由", "拯救者")), backend=backend)
    b = Tokenizer(TokenizerConfig(user_words=("转人工",)), backend=backend)
    assert "魔方路由" in a.tokenize(text) and "拯救者" in a.tokenize(text)
    assert "转人工" not in a.tokenize(text)
    assert "转人工" in b.tokenize(text) and "魔方路由" not in b.tokenize(text)
    assert plain.tokenize(text) == before  # nothing leaked into the shared main dictionary
    assert Tokenizer(TokenizerConfig(), backend=backend).tokenize(text) == before
    # the process-wide default tokenizers of both libraries are untouched
    assert "魔方路由" not in jieba.dt.FREQ and "转人工" not in jieba.dt.FREQ
    assert not rjieba.has_word("魔方路由")


def test_same_dictionary_shares_one_segmenter() -> None:
    words = (UserWord("某某专用词", 10),)
    assert get_segmenter(words) is get_segmenter(words)
    assert get_segmenter(()) is get_segmenter(())


def test_new_tokenizer_is_cheap() -> None:
    """The main dictionary loads once per process; later tokenizers reuse it."""
    Tokenizer(TokenizerConfig())  # warm: main dictionary loaded
    start = time.perf_counter()
    for i in range(20):
        Tokenizer(TokenizerConfig(synonyms=((f"词{i}", "同义"),), stopwords=True, char_ngrams=2))
    per_tokenizer = (time.perf_counter() - start) / 20
    assert per_tokenizer < 0.01  # measured ~0.1 ms without user words
    config = TokenizerConfig(user_words=("专属词语甲",))
    keep = Tokenizer(config)
    start = time.perf_counter()
    Tokenizer(config)  # same dictionary: shared segmenter
    assert time.perf_counter() - start < 0.01
    assert keep.tokenize("专属词语甲")[0] == "专属词语甲"


def test_frequency_zero_is_refused() -> None:
    with pytest.raises(ValueError):
        get_segmenter((UserWord("某词", 0),))
