from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ArticleType = Literal["faq", "guide"]
Status = Literal["draft", "published", "archived"]


EXAMPLE_FAQ: dict[str, Any] = {
    "type": "faq",
    "question": "电脑开不了机怎么办",
    "similar_questions": ["笔记本无法开机", "按电源键没反应"],
    "answer": "请先连接电源充电30分钟，再长按电源键10秒重新开机。",
    "channel_answers": {"phone": "请先充电半小时，再长按电源键十秒。"},
    "category": "repair",
    "products": ["小新 Pro 14"],
    "tags": ["开机"],
}
EXAMPLE_GUIDE: dict[str, Any] = {
    "type": "guide",
    "title": "Wi-Fi 频繁断开的排查方法",
    "body": "## 排查步骤\n1. 更新无线网卡驱动\n2. 关闭网卡节能",
    "category": "repair",
}


class ArticleIn(BaseModel):
    """Fields an editor may send; which ones apply depends on `type`. Semantic checks live in the service."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [EXAMPLE_FAQ, EXAMPLE_GUIDE]},
    )

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
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 1, "answer": "新的答案"}]})

    version: int


class VersionRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = None
