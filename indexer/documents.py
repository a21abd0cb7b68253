"""The article shape the indexer consumes. The service converts its database rows into these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ArticleType = Literal["faq", "guide"]


@dataclass(frozen=True)
class Article:
    """One published knowledge entry: an FAQ (question + similar questions + answer) or a guide.

    For an FAQ `title` is its standard question; for a guide it is the guide title and `body` is Markdown.
    """

    id: int
    type: ArticleType
    title: str
    similar_questions: tuple[str, ...] = ()
    answer: str = ""
    body: str = ""
    channel_answers: dict[str, str] = field(default_factory=dict)
    category: str | None = None
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    version: int = 1
