"""YAML front matter of a Markdown file to canonical article fields."""

from __future__ import annotations

from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from kb_service.importing.fields import (
    ALIAS_TO_FIELD,
    LIST_FIELDS,
    OPTIONAL_SCALARS,
    header_key,
    is_scalar,
    map_status,
    map_type,
    split_list,
    split_similar,
    to_text,
)

_HANDLER = YAMLHandler()


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message is shown to the editor."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(metadata, Markdown after the front matter); raises FrontMatterError."""
    if not _HANDLER.detect(text):
        return {}, text
    try:
        raw, body = _HANDLER.split(text)
    except ValueError:
        raise FrontMatterError("front matter starts with '---' but has no closing '---' line") from None
    try:
        meta = _HANDLER.load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""  # raw text starts on the "---" line
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"invalid front matter{where}: {reason}") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be a mapping of field: value lines")
    return meta, body


def _list(field: str, value: Any) -> list[str]:
    if isinstance(value, list):
        if not all(is_scalar(v) for v in value):
            raise FrontMatterError(f"'{field}' must be a list of texts", field)
        return [to_text(v).strip() for v in value if to_text(v).strip()]
    if not is_scalar(value):
        raise FrontMatterError(f"'{field}' must be a list of texts", field)
    return (split_similar if field == "similar_questions" else split_list)(to_text(value))


def _scalar(field: str, value: Any) -> Any:
    if not is_scalar(value):
        raise FrontMatterError(f"'{field}' must be a single value, not {type(value).__name__}", field)
    text = to_text(value)
    if field not in OPTIONAL_SCALARS:
        return text.strip() if field in ("question", "title") else text
    text = text.strip()
    text = map_status(text) if field == "status" else map_type(text) if field == "type" else text
    return text or None


def _channels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(is_scalar(v) for v in value.values()):
        raise FrontMatterError("'channel_answers' must map channel names to answer texts", "channel_answers")
    return {str(k): to_text(v) for k, v in value.items() if to_text(v).strip()}


def article_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """Canonical fields from front matter; keys may use the spreadsheet aliases. Others are ignored
    (static-site front matter carries layout, weight, slug ...)."""
    data: dict[str, Any] = {}
    for key, value in meta.items():
        name = header_key(str(key))
        if name == "channel_answers":
            data.setdefault("channel_answers", {}).update(_channels(value))
            continue
        field = ALIAS_TO_FIELD.get(name)
        if field is None:
            continue
        if field.startswith("channel_answers."):
            text = to_text(_scalar(field, value))
            if text.strip():
                data.setdefault("channel_answers", {})[field.removeprefix("channel_answers.")] = text
        elif field in LIST_FIELDS:
            data[field] = _list(field, value)
        else:
            data[field] = _scalar(field, value)
    return data
