from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

ArticleType = Literal["faq", "guide"]
Status = Literal["draft", "published", "archived"]


class ArticleIn(BaseModel):
    """Fields an editor may send; which ones apply depends on `type`. Semantic checks live in the service."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: ArticleType | None = None
    external_id: str | None = None
    question: str | None = None
    similar_questions: list[str] | None = None
    answer: str | None = None
    channel_answers: dict[str, str] | None = None
    title: str | None = None
    body: str | None = None
    category: str | None = None
    products: list[str] | None = None
    tags: list[str] | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    status: Status | None = None


class ArticleUpdate(ArticleIn):
    version: int


class VersionRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = None
