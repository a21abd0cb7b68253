"""Real customer messages through the real app on the sample KB: models, small talk, confirmations,
follow-ups; and the sidebar's reading of a chat."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.kb_service.test_answer_api import ask, set_thresholds


def suggest(api: Api, *turns: tuple[str, str]) -> dict[str, Any]:
    body = {"conversation": [{"role": role, "text": text} for role, text in turns]}
    r = api.client.post("/v1/kbs/default/suggest", json=body, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_model_in_the_message_does_not_outweigh_the_question(sample_api: Api) -> None:
    plain = ask(sample_api, "怎么进BIOS")
    assert plain["decision"] == "answer"
    for message in ("小新Pro14怎么进BIOS", "小新 pro 14 怎么进 bios", "Y9000P怎么进BIOS"):
        body = ask(sample_api, message)
        assert body["decision"] == "answer", (message, body)
        assert body["answer"]["article_id"] == plain["answer"]["article_id"], message
        assert body["entities"] and body["entities"][0]["kind"] == "product", body["entities"]
    coded = ask(sample_api, "拯救者Y9000P蓝屏0x0000007B")
    assert coded["decision"] == "answer" and "0x0000007B" in coded["answer"]["title"]
    assert [(e["text"], e["kind"], e["canonical"]) for e in coded["entities"]] == [
        ("拯救者Y9000P", "product", "拯救者 Y9000P"),
        ("0x0000007B", "code", "0x0000007b"),
    ]


def test_entities_are_returned_by_search_and_suggest(sample_api: Api) -> None:
    r = sample_api.client.post(
        "/v1/kbs/default/search", json={"query": "Y9000P 刷新率"}, headers=sample_api.headers("agent")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["entities"] == [{"text": "Y9000P", "kind": "product", "canonical": "拯救者 Y9000P"}]
    assert "拯救者 Y9000P" in body["results"][0]["products"]  # the product's own FAQ comes first
    sidebar = suggest(sample_api, ("customer", "y9000p 刷新率多少"))
    assert sidebar["entities"][0]["canonical"] == "拯救者 Y9000P"


@pytest.mark.parametrize(
    ("message", "kind", "reply"),
    [
        ("你好", "greeting", "您好"),
        ("在吗？", "presence", "在的"),
        ("好的谢谢", "thanks", "不客气"),
        ("嗯嗯", "ack", "好的"),
        ("拜拜", "farewell", "再见"),
        ("hello", "greeting", "Hello"),
        ("Thanks a lot!", "thanks", "welcome"),
    ],
)
def test_small_talk_gets_a_reply_not_an_article(sample_api: Api, message: str, kind: str, reply: str) -> None:
    body = ask(sample_api, message, session_id="talk")
    assert (body["decision"], body["chitchat"], body["answer"], body["handoff"]) == (
        "chitchat",
        kind,
        None,
        None,
    )
    assert reply in body["message"] and body["candidates"] == []


def test_small_talk_replies_are_edited_by_editors_per_channel(sample_api: Api) -> None:
    texts = {"chitchat_channel_replies": {"wechat": {"zh": {"greeting": "亲，您好～有什么可以帮您？"}}}}
    r = sample_api.client.put("/v1/kbs/default/settings", json=texts, headers=sample_api.headers("editor"))
    assert r.status_code == 200, r.text
    assert ask(sample_api, "你好", channel="wechat")["message"] == "亲，您好～有什么可以帮您？"
    assert ask(sample_api, "你好", channel="web")["message"].startswith("您好")
    r = sample_api.client.put(
        "/v1/kbs/default/settings", json={"answer_threshold": 0.1}, headers=sample_api.headers("editor")
    )
    assert r.status_code == 403 and "answer_threshold" in r.json()["error"]["message"]


def test_thanks_after_an_answer_is_no_miss_and_a_greeting_with_a_question_is_a_question(
    sample_api: Api,
) -> None:
    first = ask(sample_api, "你好，电脑开不了机怎么办", session_id="t1")
    assert first["decision"] == "answer", first
    assert ask(sample_api, "好的谢谢", session_id="t1")["decision"] == "chitchat"
    after = ask(sample_api, "还是不行", session_id="t1")  # the thanks did not end the answer's turn
    assert after["decision"] == "handoff" and after["handoff"]["reason"] == "answer_did_not_help"


def test_one_strong_candidate_is_confirmed_yes_answers_no_offers_the_rest(sample_api: Api) -> None:
    set_thresholds(sample_api, 0.999, 0.0)  # nothing is answered outright
    first = ask(sample_api, "电脑开不了机怎么办", session_id="y1")
    assert first["decision"] == "clarify" and first["confirm"] is True and len(first["candidates"]) == 1
    assert first["message"].startswith("您是想问「") and first["message"].count("」吗？") == 1
    yes = ask(sample_api, "是的", session_id="y1")
    assert yes["decision"] == "answer" and yes["answer"]["article_id"] == first["candidates"][0]["article_id"]

    ask(sample_api, "电脑开不了机怎么办", session_id="y2")
    no = ask(sample_api, "不是", session_id="y2")
    assert no["decision"] in ("clarify", "handoff"), no
    offered = {c["article_id"] for c in no["candidates"]}
    assert first["candidates"][0]["article_id"] not in offered or no["decision"] == "handoff"
    # outside a confirmation "是的" is an acknowledgement
    assert ask(sample_api, "是的", session_id="y3")["decision"] == "chitchat"


def test_a_follow_up_is_read_with_the_previous_question(sample_api: Api) -> None:
    first = ask(sample_api, "我的小新Pro14", session_id="ctx")
    assert first["decision"] != "answer" or first["entities"], first
    follow = ask(sample_api, "屏幕一直闪", session_id="ctx")
    assert follow["decision"] in ("answer", "clarify"), follow
    top = follow["answer"] or follow["candidates"][0]
    assert "闪" in (top.get("title") or top.get("question")), follow


def test_sidebar_shows_nothing_for_small_talk_and_follows_the_chat(sample_api: Api) -> None:
    hello = suggest(sample_api, ("customer", "你好"), ("customer", "在吗"))
    assert hello["articles"] == [] and hello["replies"] == [] and hello["chitchat"] == "presence"
    chat = suggest(
        sample_api,
        ("customer", "你好"),
        ("customer", "电脑开不了机"),
        ("agent", "您试过长按电源键吗？"),
        ("customer", "好的谢谢"),
    )
    assert "开不了机" in chat["articles"][0]["title"] and chat["turns"] == [1]
    changed = suggest(
        sample_api,
        ("customer", "电脑开不了机"),
        ("agent", "已为您发送排查步骤"),
        ("customer", "另外想问一下退货运费谁出"),
    )
    assert "运费" in changed["articles"][0]["title"] and changed["turns"] == [2]


def test_fixed_after_an_answer_is_a_thank_you(sample_api: Api) -> None:
    assert ask(sample_api, "wifi老掉线怎么办", session_id="ok1")["decision"] == "answer"
    body = ask(sample_api, "谢谢，已经好了", session_id="ok1")
    assert body["decision"] == "chitchat" and body["chitchat"] == "thanks"
