"""Message preparation on the sample KB's real index: retrieval text, intent text and rate-limit cost."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from indexer.engine import LiveIndex
from kb_service.assist import analyze_sentiment, wants_human
from kb_service.assist.message import (
    INTENT_TAIL,
    QUERY_BUDGET,
    FocusVocabularies,
    message_cost,
    prepare_message,
    vocabularies,
)
from tests.conftest import Api

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample_kb"
FILLER = (
    "您好，您的订单已发货，快递公司为顺丰速运，预计3天内送达。\n"
    "商品名称：笔记本电脑，数量1，实付5799元。收货地址：北京市海淀区上地十街10号。\n"
    "2024-05-03 10:21:35 WARN [pool-2] Connection retry 3/5 to 10.0.0.12:5432 timed out\n"
)


@pytest.fixture
def live(sample_api: Api) -> LiveIndex:
    found = sample_api.client.app.state.index.live("default")  # type: ignore[attr-defined]
    assert found is not None
    return found  # type: ignore[no-any-return]


def paste(middle: str, chars: int = 20_000, end: str = "") -> str:
    half = (FILLER * (chars // len(FILLER) + 1))[: chars // 2]
    return half + middle + "\n" + half + end


def test_a_short_message_is_used_as_written(live: LiveIndex) -> None:
    message = prepare_message("笔记本开不了机怎么办", live)
    assert message.retrieval == message.intent == "笔记本开不了机怎么办"
    assert message.cost == 1 and not message.focused


def test_english_gets_a_budget_in_words_not_in_chinese_characters(live: LiveIndex) -> None:
    question = "Hello, I bought a laptop from your online store last week and I would like to know " * 2
    assert QUERY_BUDGET < len(question) <= 3 * QUERY_BUDGET
    assert not prepare_message(question, live).focused  # about 35 words: one English question
    chinese = "我上周在官网买了一台笔记本电脑，想问一下怎么查询物流信息，" * 4
    assert len(chinese) <= 3 * QUERY_BUDGET and prepare_message(chinese, live).focused


def test_a_long_paste_is_searched_by_its_question(live: LiveIndex) -> None:
    question = sample_question()
    text = paste(question, end="请尽快处理，谢谢")
    message = prepare_message(text, live)
    assert message.focused and question in message.retrieval and len(message.retrieval) <= QUERY_BUDGET
    assert message.cost == message_cost(len(text)) == 201
    assert message.intent.endswith(text[-INTENT_TAIL:]) and question in message.intent
    assert len(message.intent) <= QUERY_BUDGET + INTENT_TAIL + 1


def test_intents_and_mood_are_read_from_the_end_of_a_long_message(live: LiveIndex) -> None:
    angry = paste(sample_question(), end="等了一个星期还没修好，太差劲了，我要投诉！！")
    message = prepare_message(angry, live)
    assert wants_human(message.intent)
    assert analyze_sentiment(message.intent).label == "angry"
    calm = prepare_message(paste(sample_question(), end="麻烦看一下这个问题，谢谢。"), live)
    assert not wants_human(calm.intent) and analyze_sentiment(calm.intent).label != "angry"


def test_without_an_index_the_end_of_the_message_is_kept() -> None:
    text = paste("电脑开不了机", end="最后一句话")
    message = prepare_message(text, None)
    assert message.retrieval.endswith("最后一句话") and len(message.retrieval) <= QUERY_BUDGET


def test_message_cost_is_one_request_per_started_100_characters() -> None:
    assert [message_cost(n) for n in (0, 1, 100, 101, 2_000, 20_000)] == [1, 1, 1, 2, 20, 200]
    assert message_cost(250, chars_per_request=500) == 1


def test_the_vocabulary_is_built_once_per_segment(live: LiveIndex) -> None:
    cache = FocusVocabularies()
    first = cache.get(live)
    assert cache.get(live) is first and len(cache) == 1
    assert first.columns is live.state.main.bm25.vocab
    assert vocabularies.get(live) is vocabularies.get(live)


def test_a_replaced_segment_drops_its_vocabulary(sample_api: Api) -> None:
    cache = FocusVocabularies()
    manager = sample_api.client.app.state.index  # type: ignore[attr-defined]
    cache.get(manager.live("default"))
    assert len(cache) == 1
    manager.build_now("default")  # a full rebuild: a new main segment replaces the old one
    gc.collect()
    assert len(cache) == 0
    cache.get(manager.live("default"))
    assert len(cache) == 1


def sample_question() -> str:
    rows = [json.loads(line) for line in (SAMPLE / "faq_zh_repair.jsonl").open(encoding="utf-8")]
    return str(rows[3]["question"])
