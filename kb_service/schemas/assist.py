"""Requests of the bot answer lookup and the agent-assist suggestions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.schemas.search import Channel, SearchFilters

MAX_QUERY_CHARS = 2000  # longer questions are cut to their end (the latest words), not rejected


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=20_000)
    channel: Channel = "web"
    session_id: str | None = Field(None, min_length=1, max_length=128)
    filters: SearchFilters = Field(default_factory=SearchFilters)

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("query must contain some text")
        return value[-MAX_QUERY_CHARS:]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["customer", "agent"]
    text: str = Field(max_length=20_000)


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
