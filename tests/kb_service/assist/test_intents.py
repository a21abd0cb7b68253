"""Hand-off requests and "that did not help" follow-ups."""

from __future__ import annotations

import pytest

from kb_service.assist import is_failed_followup, wants_human
from kb_service.assist.intents import STRONG_MAX_UNITS, WEAK_MAX_UNITS


@pytest.mark.parametrize(
    "text",
    [
        "转人工",
        "人工客服",
        "人工服务",
        "找人工",
        "人工",
        "人工！！",
        "真人",
        "我要找真人客服",
        "给我转人工客服，机器人听不懂",
        "轉人工",  # traditional
        "我要投诉",
        "修了三次都没修好，我要投诉你们",
        "机器人听不懂，找你们经理",
        "不要机器人",
        "talk to an agent",
        "I want to speak to someone",
        "Can I speak with a representative?",
        "real person please",
        "human",
        "Representative!",
        "operator",
        "Please transfer me to a human agent",
        "I want to file a complaint",
    ],
)
def test_handoff_requests(text: str) -> None:
    assert wants_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "客服电话多少",  # an FAQ about the hotline, not a hand-off
        "人工客服电话多少",
        "人工客服几点上班",
        "人工智能笔记本有什么功能",
        "维修人工费多少钱",
        "你是真人吗",
        "投诉电话是多少",
        "我的电脑开不了机",
        "Is this covered or was it human error?",
        "human error",
        "I talked to an agent yesterday and he said to reset the BIOS",
        "I don't want to talk to a human, just tell me the steps",
        "How do I connect to wifi?",
        "",
    ],
)
def test_not_handoff_requests(text: str) -> None:
    assert not wants_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "还是不行",
        "試過了，沒用",
        "按你说的做了，还是不行啊",
        "不管用",
        "问题还是没解决",
        "依然黑屏",
        "仍然不行，怎么办",
        "还是一样",
        "不行",
        "没反应",
        "still not working",
        "Didn't help.",
        "doesn't work",
        "same problem",
        "tried that",
        "I already tried that, still the same",
        "no",
        "I tried that and it still does not work, what else can I do?",
        "没用没用没用，还是不行，还是不行，还是一样，你们到底有没有人能解决，我已经按步骤重启了",
    ],
)
def test_failed_followups(text: str) -> None:
    assert is_failed_followup(text)


@pytest.mark.parametrize(
    "text",
    [
        "电脑开不了机，按电源键不行",  # a new question that happens to contain 不行
        "My keyboard is not working after the update, what can I do?",
        "还是不行，而且现在连屏幕都不亮了，风扇也不转，键盘灯也不亮，是不是主板坏了？我该怎么处理呢",
        "我的电脑依然在保修期内吗",
        "我试了一下，好了，谢谢",
        "试过了，可以了",
        "Tried that and it works now, thanks!",
        "I did that",
        "没用过这个功能",
        "no thanks",
        "谢谢，已经好了",
        "",
        "？？？",
    ],
)
def test_not_failed_followups(text: str) -> None:
    assert not is_failed_followup(text)


def test_length_rule_boundaries() -> None:
    """A strong phrase counts up to STRONG_MAX_UNITS; a weak one only up to WEAK_MAX_UNITS."""
    pad = "电" * (STRONG_MAX_UNITS - 4)
    assert is_failed_followup(pad + "还是不行")
    # Past the limit the phrase is no longer dominant (4 of 36 units < 40 %).
    assert not is_failed_followup(pad + "还是不行" + "电" * 12)
    weak = "电" * (WEAK_MAX_UNITS - 2) + "不行"
    assert is_failed_followup(weak)
    assert not is_failed_followup("电" + weak)
