"""Article text for a channel: the FAQ's channel answer or answer, a guide's most relevant steps."""

from __future__ import annotations

from indexer.documents import Article
from kb_service.assist.replies import compose_reply, pick_steps, to_plain_text

PLAIN_CHANNELS = frozenset({"phone", "wechat"})  # no Markdown: read aloud or shown as plain chat text
STEP_LEAD = {"zh": "请按以下步骤操作：", "en": "Please try the following steps:"}


def answer_body(article: Article, channel: str) -> str:
    """An FAQ's answer for the channel (its channel answer when it has one), plain where needed."""
    text = article.channel_answers.get(channel) or article.answer
    return to_plain_text(text) if channel in PLAIN_CHANNELS else text


def guide_steps(article: Article, query: str) -> list[str]:
    return pick_steps(article.body, query)


def bot_text(article: Article, *, channel: str, language: str, query: str) -> str:
    """What the bot sends: the FAQ answer, or a guide's title and the steps most relevant to the query."""
    if article.type == "faq":
        return answer_body(article, channel)
    steps = guide_steps(article, query)
    lines = [f"{i}. {to_plain_text(s)}" for i, s in enumerate(steps, 1)]
    return "\n".join([article.title, STEP_LEAD.get(language, STEP_LEAD["en"]), *lines])


def agent_reply(article: Article, *, channel: str, language: str, query: str) -> dict[str, object]:
    """A ready-to-send reply naming the article it came from."""
    if article.type == "faq":
        body, kind = answer_body(article, channel), "faq_answer"
    else:
        body, kind = "\n".join(guide_steps(article, query)), "guide_steps"
    text = compose_reply(body, language=language, channel=channel, kind=kind)
    return {"text": text, "article_id": article.id, "title": article.title, "kind": kind}
