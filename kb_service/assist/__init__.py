"""Pure language helpers for the bot and agent-assist endpoints (Chinese and English).

No FastAPI, SQLModel or settings here: plain functions over strings, so routers and services
call them directly and tests need no app.
"""

from kb_service.assist.intents import is_failed_followup, pick_option, wants_human
from kb_service.assist.pii import mask_pii
from kb_service.assist.replies import compose_reply, pick_steps, to_plain_text
from kb_service.assist.sentiment import Sentiment, analyze_sentiment

__all__ = [
    "Sentiment",
    "analyze_sentiment",
    "compose_reply",
    "is_failed_followup",
    "mask_pii",
    "pick_option",
    "pick_steps",
    "to_plain_text",
    "wants_human",
]
