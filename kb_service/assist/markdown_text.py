"""Markdown → plain text for channels that cannot render it, and list-item extraction from guides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import zip_longest

BULLET = "• "

_FENCE = re.compile(r"^\s*(?:```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
# Horizontal rules, and setext heading underlines (the heading text itself stays).
_RULE = re.compile(r"^\s{0,3}(?:=+|-{3,}|\*{3,}|_{3,}|(?:[-*_][ \t]+){2,}[-*_])\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<num>\d{1,3})[.)、]|[-*+•])[ \t]+(?P<text>\S.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[[^\[\]]*\](?:\([^()]*\)|\[[^\[\]]*\])")
_LINK = re.compile(r"\[([^\[\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:|tel:)[^>\s]+|[\w.+-]+@[\w.-]+\.[a-z]{2,})>", re.IGNORECASE)
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<![A-Za-z0-9_])__(?=\S)(.+?)(?<=\S)__(?![A-Za-z0-9_])"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
    re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)"),
    re.compile(r"(?<![A-Za-z0-9_])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9_])"),
)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:a|b|i|u|s|em|strong|p|div|span|font|small|big|sup|sub|code|pre|mark|center|del|ins|img)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_HOLE = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class ListItem:
    """A top-level list item: `ordered` for "1." items, `lines` with the marker removed."""

    ordered: bool
    lines: tuple[str, ...]


def _link(match: re.Match[str]) -> str:
    text, url = match[1].strip(), match[2]
    lower = url.lower()
    if lower.startswith("mailto:"):
        return text if url[7:] in text else f"{text} ({url[7:]})"
    if lower.startswith(("http://", "https://")) and url.split("://", 1)[1].rstrip("/") not in text:
        return f"{text} ({url})"
    return text  # tel:, relative links and links whose text already shows the address


def _autolink(match: re.Match[str]) -> str:
    target = match[1]
    return target.split(":", 1)[1] if target.lower().startswith(("mailto:", "tel:")) else target


def clean_inline(text: str) -> str:
    """Remove inline Markdown: emphasis, code marks, images, link syntax, simple HTML tags."""
    holes: list[str] = []

    def hole(value: str) -> str:
        holes.append(value)
        return f"\x00{len(holes) - 1}\x00"

    text = text.replace("\x00", "")  # NUL marks the protected holes below
    text = _ESCAPE.sub(lambda m: hole(m[1]), text)  # escaped characters are literal
    text = _CODE_SPAN.sub(lambda m: hole(m[2].strip()), text)  # code keeps its * and _
    text = _IMAGE.sub("", text)
    text = _LINK.sub(_link, text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(lambda m: hole(_autolink(m)), text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    text = _HTML_TAG.sub("", _HTML_BREAK.sub("\n", text))
    return _HOLE.sub(lambda m: holes[int(m[1])], text).rstrip(" \t")


def _cells(row: str) -> list[str]:
    row = row.strip().removeprefix("|").removesuffix("|")
    return [clean_inline(cell.strip()) for cell in row.split("|")]


def _flatten_table(rows: list[str]) -> list[str]:
    """Each data row as "header: cell, header: cell" (Chinese punctuation for Chinese tables)."""
    header = _cells(rows[0])
    zh = bool(_CJK.search(" ".join(rows)))
    colon, comma = ("：", "，") if zh else (": ", ", ")
    out = []
    for row in rows[2:]:
        pairs = [f"{h}{colon}{c}" if h else c for h, c in zip_longest(header, _cells(row), fillvalue="") if c]
        out.append(comma.join(pairs))
    return out or [comma.join(h for h in header if h)]


def _block_line(line: str) -> str:
    if _RULE.match(line):
        return ""
    heading = _HEADING.match(line)
    if heading:
        return clean_inline(heading[1])
    while _QUOTE.match(line):
        line = _QUOTE.sub("", line, count=1)
    item = _ITEM.match(line)
    if item:
        marker = f"{item['num']}. " if item["num"] else BULLET
        return f"{item['indent'].expandtabs(4)}{marker}{clean_inline(item['text'])}"
    return clean_inline(line)


def to_plain_text(markdown: str) -> str:
    """Markdown as readable plain text (for phone scripts, WeChat and SMS).

    Headings lose their #, emphasis and code marks go, links become "text (url)" (text only for
    tel: links), images are dropped, "1." numbering is kept and bullets become "• ", table rows
    become "header: value" lines, and runs of blank lines collapse to one.
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if _FENCE.match(line):
            in_fence = not in_fence
        elif in_fence:
            out.append(line)
        elif "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]) and "|" in lines[i + 1]:
            end = i + 2
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            out.extend(_flatten_table(lines[i:end]))
            i = end
            continue
        else:
            out.append(_block_line(line))
        i += 1
    text = "\n".join(part.rstrip() for part in "\n".join(out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def list_items(markdown: str) -> list[ListItem]:
    """Top-level list items with their continuation lines (indented lines, nested items)."""
    items: list[ListItem] = []
    current: list[str] = []
    ordered = False
    content_col = 0  # where the current item's text starts; deeper lines belong to it
    in_fence = False

    def close() -> None:
        if current:
            items.append(ListItem(ordered, tuple(current)))
            current.clear()

    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip().expandtabs(4)
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        indent = len(line) - len(line.lstrip())
        item = None if in_fence else _ITEM.match(line)
        if current and line and (in_fence or indent >= content_col or (indent and not item)):
            current.append(item["text"].strip() if item else line.strip())
        elif item and indent <= 3:
            close()
            ordered, content_col = item["num"] is not None, item.start("text")
            current.append(item["text"].strip())
        elif line.strip():
            close()  # an unindented paragraph or heading ends the list
    close()
    return items
