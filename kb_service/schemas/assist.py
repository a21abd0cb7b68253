"""Requests of the bot answer lookup and the agent-assist suggestions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.schemas.search import Channel, SearchFilters

MAX_QUERY_CHARS = 2000  # a conversation's customer text is cut to its end (the latest words)
MAX_MESSAGE_CHARS = 20_000  # a pasted e-mail or log; retrieval reads its informative part (assist.message)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    channel: Channel = "web"
    session_id: str | None = Field(None, min_length=1, max_length=128)
    filters: SearchFilters = Field(default_factory=SearchFilters)

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("query must contain some text")
        return value

    def message_chars(self) -> int:
        """What the rate limit charges for (see RateLimiter.charge_message)."""
        return len(self.query)


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["customer", "agent"]
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation: list[Turn] = Field(min_length=1, max_length=500)
    channel: Channel = "web"
    top_k: int = Field(5, ge=1, le=20)
    filters: SearchFilters = Field(default_factory=SearchFilters)

    @field_validator("conversation")
    @classmethod
    def _has_customer_text(cls, turns: list[Turn]) -> list[Turn]:
        if not any(t.role == "customer" and t.text.strip() for t in turns):
            raise ValueError("conversation needs at least one customer turn with text")
        return turns

    def message_chars(self) -> int:
        """What the rate limit charges for: the customer's last three turns, the text suggest reads."""
        return sum(len(t.text) for t in [t for t in self.conversation if t.role == "customer"][-3:])
