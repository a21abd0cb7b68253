"""JSON (an array of articles, or {"items": [...]}) and JSON Lines (one article per line, and the
product catalogue as a line `{"type": "catalogue", "products": [...]}`)."""

from __future__ import annotations

import json
from typing import Any

from kb_service.importing.fields import SERVER_MANAGED, infer_type
from kb_service.importing.records import ParseContext
from kb_service.importing.sniff import UndecodableText, decode_text

CATALOGUE_TYPE = "catalogue"
_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def article_from_json(item: dict[str, Any]) -> dict[str, Any]:
    """Keys stay as they are (they are canonical already); server-managed ones are dropped."""
    data = {k: v for k, v in item.items() if k not in SERVER_MANAGED}
    if "type" not in data:
        data["type"] = infer_type(data)
    return data


def _kind(value: Any) -> str:
    return "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)


def _decode_error(exc: json.JSONDecodeError, line: int | None = None) -> str:
    where = f"line {line if line is not None else exc.lineno}"
    return f"invalid JSON at {where}: {exc.msg} (col {exc.colno})"


def _text(ctx: ParseContext, file: str, content: bytes) -> str | None:
    try:
        return decode_text(content)
    except UndecodableText as exc:
        ctx.problem(file, str(exc))
        return None


def parse_json(ctx: ParseContext, file: str, content: bytes) -> None:
    text = _text(ctx, file, content)
    if text is None:
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "; one object per line needs the .jsonl extension" if exc.msg == "Extra data" else ""
        ctx.problem(file, _decode_error(exc) + hint)
        return
    except (RecursionError, ValueError) as exc:
        ctx.problem(file, f"invalid JSON: {'nested too deeply' if isinstance(exc, RecursionError) else exc}")
        return
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        value = value["items"]
    elif isinstance(value, dict) and "items" not in value:
        value = [value]  # a single article object
    if not isinstance(value, list):
        ctx.problem(file, 'expected a JSON array of articles or an object with an "items" array')
        return
    if not value:
        ctx.problem(file, "file contains no articles")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            ctx.problem(file, f"item {index} is {_kind(item)}, expected an article object", row=index)
        elif not ctx.add(file, index, article_from_json(item)):
            return


def parse_jsonl(ctx: ParseContext, file: str, content: bytes) -> None:
    text = _text(ctx, file, content)
    if text is None:
        return
    # Only "\n" ends a line: U+2028 and friends may appear unescaped inside JSON strings.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            ctx.problem(file, _decode_error(exc, line_no), row=line_no)
            continue
        except (RecursionError, ValueError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            ctx.problem(file, f"invalid JSON at line {line_no}: {reason}", row=line_no)
            continue
        if not isinstance(item, dict):
            ctx.problem(file, f"line {line_no} is {_kind(item)}, expected an article object", row=line_no)
        elif item.get("type") == CATALOGUE_TYPE:  # the line an export writes first
            ctx.set_catalogue(file, line_no, item.get("products"))
        elif not ctx.add(file, line_no, article_from_json(item)):
            return
