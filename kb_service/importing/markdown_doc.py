"""Markdown files (optional YAML front matter) to one guide, or one FAQ with `type: faq`."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from kb_service.importing.front_matter import FrontMatterError, article_fields, split_front_matter
from kb_service.importing.records import ParseContext
from kb_service.importing.sniff import UndecodableText, decode_text, normalise_newlines

_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def file_stem(file: str) -> str:
    return PurePosixPath(file.replace("\\", "/")).stem


def pop_title(markdown: str) -> tuple[str | None, str]:
    """The first level-1 heading (ATX or setext) outside code fences, and the text without it."""
    lines = markdown.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        opener = _FENCE.match(line)
        if opener:
            marker = opener.group(1)[0]
            fence = None if fence == marker else fence or marker
            continue
        if fence:
            continue
        atx = _ATX_H1.match(line)
        if atx:
            return atx.group(1).strip(), "\n".join(lines[:i] + lines[i + 1 :])
        starts_paragraph = i == 0 or not lines[i - 1].strip()
        if line.strip() and starts_paragraph and i + 1 < len(lines) and _SETEXT_H1.match(lines[i + 1]):
            return line.strip(), "\n".join(lines[:i] + lines[i + 2 :])
    return None, markdown


def markdown_article(file: str, text: str) -> dict[str, Any]:
    """Raises FrontMatterError."""
    meta, markdown = split_front_matter(normalise_newlines(text))
    data = article_fields(meta)
    heading, rest = pop_title(markdown)
    kind = data.get("type") or "guide"
    data["type"] = kind
    if kind == "faq":
        if not data.get("question"):
            data["question"] = data.pop("title", None) or heading or file_stem(file)
        data.pop("title", None)
        if "answer" not in data:
            data["answer"] = (rest if heading == data["question"] else markdown).strip()
        return data
    if not data.get("title"):
        data["title"] = heading or file_stem(file)
    if heading is not None and heading == data["title"]:
        markdown = rest
    data["body"] = markdown.strip()
    return data


def parse_markdown(ctx: ParseContext, file: str, content: bytes) -> None:
    try:
        data = markdown_article(file, decode_text(content))
    except UndecodableText as exc:
        ctx.problem(file, str(exc))
        return
    except FrontMatterError as exc:
        ctx.problem(file, str(exc), row=1, field=exc.field)
        return
    ctx.add(file, 1, data)
