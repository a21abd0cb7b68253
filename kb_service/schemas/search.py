from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["web", "wechat", "app", "phone", "email"]


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str | list[str] | None = None
    products: list[str] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)
    type: Literal["faq", "guide"] | None = None
    channel: Channel | None = None

    def categories(self) -> tuple[str, ...]:
        if self.category is None:
            return ()
        return (self.category,) if isinstance(self.category, str) else tuple(self.category)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # as long as an /answer message: agents paste whole e-mails, and retrieval reads the informative
    # part of a long text (kb_service/assist/message.py), so a long query costs what a short one does
    query: str = Field(min_length=1, max_length=20_000)
    top_k: int = Field(10, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    explain: bool = False

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("query must contain some text")
        return value

    def message_chars(self) -> int:
        """What the rate limit charges for (see RateLimiter.charge_message)."""
        return len(self.query)
