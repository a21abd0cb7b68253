"""Mapping a reply to one of the numbered options the bot offered."""

from __future__ import annotations

import pytest

from kb_service.assist import pick_option

OPTIONS = ["笔记本电脑的保修期是多久？", "怎么用主机编号查询保修状态？", "延保服务怎么购买？"]
EN_OPTIONS = [
    "How long is the warranty on my laptop?",
    "How do I track my order?",
    "How do I return a product?",
]


@pytest.mark.parametrize(
    "reply",
    [
        "2",
        "２",
        "2.",
        "第2个",
        "第二个",
        "第二",
        "二",
        "选2",
        "2号",
        "我选第二个吧",
        "第二個",
        "#2",
        "option 2",
        "the second",
        "second one",
        "the 2nd one",
        "Number 2",
        "two please",
        "I mean 2",
    ],
)
def test_ordinals_pick_the_second(reply: str) -> None:
    assert pick_option(reply, OPTIONS) == 1


@pytest.mark.parametrize(
    ("reply", "index"), [("1", 0), ("first", 0), ("3", 2), ("最后一个", 2), ("the last one", 2)]
)
def test_other_ordinals(reply: str, index: int) -> None:
    assert pick_option(reply, OPTIONS) == index


@pytest.mark.parametrize("reply", ["0", "4", "第四个", "第十二个", "the fifth", "99"])
def test_out_of_range_is_none(reply: str) -> None:
    assert pick_option(reply, OPTIONS) is None


@pytest.mark.parametrize(
    ("reply", "index"),
    [
        ("查询保修状态", 1),
        ("用主機編號查", 1),  # traditional
        ("延保", 2),
        ("我想问怎么买延保的那个", 2),
        ("保修期多久", 0),
        ("笔记本电脑的保修期是多久？", 0),
        ("track my order", 1),
        ("RETURN A PRODUCT", 2),
    ],
)
def test_words_matching_one_option(reply: str, index: int) -> None:
    options = EN_OPTIONS if reply.isascii() else OPTIONS
    assert pick_option(reply, options) == index


@pytest.mark.parametrize("reply", ["保修", "今天天气不错", "hello", "", "都不是", "warranty"])
def test_ambiguous_or_unrelated_is_none(reply: str) -> None:
    options = EN_OPTIONS + ["Can I extend the warranty?"] if reply.isascii() else OPTIONS
    assert pick_option(reply, options) is None


def test_no_options() -> None:
    assert pick_option("1", []) is None


def test_margin_decides() -> None:
    """Two options that share the reply's words equally are ambiguous; one clear winner is not."""
    assert pick_option("屏幕闪烁", ["屏幕闪烁怎么办", "屏幕闪烁和花屏"]) is None
    assert pick_option("屏幕闪烁", ["屏幕闪烁怎么办", "键盘失灵"]) == 0
