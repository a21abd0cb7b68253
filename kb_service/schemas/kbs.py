from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Channel = Literal["web", "wechat", "app", "phone", "email"]
CHANNELS: tuple[Channel, ...] = ("web", "wechat", "app", "phone", "email")
DEFAULT_CATEGORIES = ["repair", "pre_sales", "after_sales", "account", "billing", "general"]
DEFAULT_QUEUES = {
    "repair": "repair",
    "pre_sales": "pre_sales",
    "after_sales": "after_sales",
    "account": "after_sales",
    "billing": "billing",
    "general": "general",
}


Language = Literal["zh", "en"]
SmallTalkKind = Literal["greeting", "presence", "thanks", "ack", "farewell"]
ReplyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
DEFAULT_CHITCHAT: dict[Language, dict[SmallTalkKind, str]] = {
    "zh": {
        "greeting": "您好！请问有什么可以帮您？",
        "presence": "在的，请问有什么可以帮您？",
        "thanks": "不客气，很高兴能帮到您！还有其他问题随时问我。",
        "ack": "好的。还有其他问题的话，随时告诉我。",
        "farewell": "感谢您的咨询，祝您生活愉快，再见！",
    },
    "en": {
        "greeting": "Hello! How can I help you today?",
        "presence": "Yes, I'm here. How can I help?",
        "thanks": "You're welcome! Let me know if there is anything else I can help with.",
        "ack": "Okay. Let me know if there is anything else I can help with.",
        "farewell": "Thanks for contacting us. Goodbye!",
    },
}
# fields editors may change as well as admins (texts customers read); everything else is admin-only
CONTENT_FIELDS = frozenset({"chitchat_replies", "chitchat_channel_replies"})


class KbSettings(BaseModel):
    """Per-KB behaviour: thresholds, categories and their queues, channels, retention, review step."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["zh", "en"] = "zh"
    answer_threshold: float = Field(0.7, ge=0.0, le=1.0)
    clarify_threshold: float = Field(0.4, ge=0.0, le=1.0)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES), min_length=1)
    queue_map: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_QUEUES))
    default_queue: str = Field("general", min_length=1, max_length=64)
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), min_length=1)
    log_retention_days: int = Field(90, ge=1, le=3650)
    require_review: bool = False
    # below answer_threshold and from here (at least clarify_threshold), the bot asks "您是想问「…」吗？"
    # about its best candidate even when others are close
    confirm_threshold: float = Field(0.5, ge=0.0, le=1.0)
    # small-talk replies (greetings, thanks, "在吗", ...) in the customer's language; per-channel
    # replies override them (e.g. a WeChat tone)
    chitchat_replies: dict[Language, dict[SmallTalkKind, ReplyText]] = Field(
        default_factory=lambda: {lang: dict(texts) for lang, texts in DEFAULT_CHITCHAT.items()}
    )
    chitchat_channel_replies: dict[Channel, dict[Language, dict[SmallTalkKind, ReplyText]]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _consistent(self) -> KbSettings:
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError("clarify_threshold must not be above answer_threshold")
        unknown = sorted(set(self.queue_map) - set(self.categories))
        if unknown:
            raise ValueError(f"queue_map names categories that are not in categories: {', '.join(unknown)}")
        for name in self.categories:
            if not name.strip() or len(name) > 64:
                raise ValueError(f"category names must be 1-64 characters: {name!r}")
        return self

    def chitchat_reply(self, kind: SmallTalkKind, language: Language, channel: str) -> str:
        """The reply to small talk: the channel's own text, the KB's, or the built-in default."""
        for texts in (self.chitchat_channel_replies.get(channel, {}), self.chitchat_replies):  # type: ignore[call-overload]
            text = texts.get(language, {}).get(kind)
            if text:
                return str(text)
        return DEFAULT_CHITCHAT[language][kind]


class KbCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    language: Literal["zh", "en"] = "zh"


class KbOut(BaseModel):
    slug: str
    name: str
    language: str
    created_at: str
