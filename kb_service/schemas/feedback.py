"""Feedback on a search / suggest / answer result, tied to the query_id it returned."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FeedbackEvent = Literal["click", "used", "helpful", "not_helpful", "resolved", "handoff"]
FEEDBACK_EVENTS: tuple[FeedbackEvent, ...] = (
    "click",
    "used",
    "helpful",
    "not_helpful",
    "resolved",
    "handoff",
)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query_id: str = Field(min_length=1, max_length=36)
    article_id: int | None = Field(default=None, ge=1)
    event: FeedbackEvent
