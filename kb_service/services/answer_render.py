"""The bot's reply as the response body: answer text, clarify / confirmation question, small-talk reply
or hand-off notice, in the customer's language."""

from __future__ import annotations

import re
from typing import Any

from indexer.ranking import Hit
from kb_service.assist.sentiment import Sentiment
from kb_service.schemas.assist import AnswerRequest
from kb_service.schemas.kbs import KbSettings, Language
from kb_service.services.answer_turns import Decision
from kb_service.services.rendering import bot_text
from kb_service.services.routing import queue_for

MESSAGES = {
    "zh": {
        "clarify": "您是想问以下哪个问题？",
        "clarify_hint": "请回复序号。",
        "confirm": "您是想问「{question}」吗？请回复“是”或“不是”。",
        "handoff": "正在为您转接人工客服，请稍候。",
    },
    "en": {
        "clarify": "Which of these questions do you mean?",
        "clarify_hint": "Please reply with its number.",
        "confirm": 'Did you mean "{question}"? Please reply yes or no.',
        "handoff": "Let me connect you with one of our agents.",
    },
}
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def message_language(text: str, default: Language) -> Language:
    """Chinese when the message has Chinese characters, English when it has only Latin letters."""
    if _HAN.search(text):
        return "zh"
    return "en" if _LATIN.search(text) else default


def render(
    d: Decision, request: AnswerRequest, settings: KbSettings, sentiment: Sentiment, hits: list[Hit]
) -> dict[str, Any]:
    language = settings.language
    texts = MESSAGES.get(language, MESSAGES["en"])
    answer_out, message, handoff = None, "", None
    if d.decision == "answer" and d.article is not None:
        text = bot_text(d.article, channel=request.channel, language=language, query=request.query)
        answer_out = {
            "article_id": d.article.id,
            "type": d.article.type,
            "title": d.article.title,
            "text": text,
        }
        message = text
    elif d.decision == "clarify" and d.confirm:
        message = texts["confirm"].format(question=d.candidates[0][1])
    elif d.decision == "clarify":
        numbered = [f"{i}. {q}" for i, (_, q) in enumerate(d.candidates, 1)]
        message = "\n".join([texts["clarify"], *numbered, texts["clarify_hint"]])
    elif d.decision == "chitchat" and d.small_talk is not None:
        message = settings.chitchat_reply(
            d.small_talk, message_language(request.query, language), request.channel
        )
    else:
        queue = d.queue or queue_for(
            settings, hits, request.query, d.confidence >= settings.clarify_threshold
        )
        handoff, message = {"reason": d.reason, "queue": queue}, texts["handoff"]
    return {
        "decision": d.decision,
        "answer": answer_out,
        "confidence": round(d.confidence, 4),
        "candidates": [{"article_id": a, "question": q} for a, q in d.candidates],
        "confirm": d.confirm,
        "chitchat": d.small_talk,
        "handoff": handoff,
        "message": message,
        "sentiment": {"label": sentiment.label, "score": round(sentiment.score, 3)},
    }
