"""Canonical article field names, the column / key aliases editors use, and value clean-up rules."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

CHANNELS = ("web", "wechat", "app", "phone", "email")
LIST_FIELDS = ("similar_questions", "products", "tags")
# Single-line metadata: surrounding whitespace is never meaningful, and an empty value means "none".
OPTIONAL_SCALARS = ("external_id", "category", "valid_from", "valid_to", "status", "type")
FAQ_ONLY = ("question", "similar_questions", "answer", "channel_answers")
GUIDE_ONLY = ("title", "body")
SERVER_MANAGED = (
    "id",
    "kb",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "review_requested",
)

_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "externalid", "id", "编号", "外部编号", "外部id"),
    "type": ("type", "类型"),
    "question": ("question", "标准问题", "标准问", "问题"),
    "similar_questions": ("similar_questions", "相似问题", "相似问", "扩展问", "扩展问题"),
    "answer": ("answer", "答案", "标准答案", "回答"),
    "title": ("title", "标题"),
    "body": ("body", "正文", "内容"),
    "category": ("category", "分类", "类别"),
    "products": ("products", "product", "产品", "适用产品", "产品型号"),
    "tags": ("tags", "tag", "标签"),
    "status": ("status", "状态"),
    "valid_from": ("valid_from", "生效时间", "生效日期", "开始时间"),
    "valid_to": ("valid_to", "失效时间", "失效日期", "结束时间"),
}
_CHANNEL_CN = {"web": "网页", "wechat": "微信", "app": "app", "phone": "电话", "email": "邮件"}
for _ch in CHANNELS:
    _ALIASES[f"channel_answers.{_ch}"] = (f"answer_{_ch}", f"{_CHANNEL_CN[_ch]}答案")

ALIAS_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
EXPECTED_COLUMNS = ", ".join(aliases[0] for aliases in _ALIASES.values())

_STATUS = {
    "草稿": "draft",
    "已发布": "published",
    "发布": "published",
    "已归档": "archived",
    "归档": "archived",
}
_TYPE = {"问答": "faq", "常见问题": "faq", "指南": "guide", "文章": "guide"}
_SIMILAR_SPLIT = re.compile(r"[\n|｜]")
_LIST_SPLIT = re.compile(r"[\n|｜,，、;；]")


def header_key(header: str) -> str:
    """Lower-case, width-fold and drop hints such as '*' or '（多个用|分隔）' from a column name."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = re.sub(r"\(.*?\)", "", text).replace("*", "").strip()
    return re.sub(r"[\s\-]+", "_", text)


def split_similar(text: str) -> list[str]:
    return [part.strip() for part in _SIMILAR_SPLIT.split(text) if part.strip()]


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def map_status(value: str) -> str:
    lowered = value.lower()
    return lowered if lowered in ("draft", "published", "archived") else _STATUS.get(value, value)


def map_type(value: str) -> str:
    lowered = value.lower()
    return lowered if lowered in ("faq", "guide") else _TYPE.get(value, value)


def infer_type(data: dict[str, Any]) -> str:
    """'guide' when there is a title or body and no question, otherwise 'faq'."""
    if data.get("type"):
        return str(data["type"])
    if (data.get("title") or data.get("body")) and not data.get("question"):
        return "guide"
    return "faq"


def to_text(value: Any) -> str:
    """A cell or front-matter scalar as text: ISO dates, integral numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | datetime | date | time)
