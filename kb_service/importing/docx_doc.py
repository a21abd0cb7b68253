"""Word documents (.docx) to one guide whose body is simple Markdown."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from kb_service.importing.markdown_doc import file_stem
from kb_service.importing.markdown_out import join_blocks, markdown_table
from kb_service.importing.records import ParseContext
from kb_service.importing.zip_guard import container_problem

CORRUPT = "could not read DOCX: file is truncated or not a valid Word document"
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list (bullet|number)(?:\s*(\d))?$", re.IGNORECASE)


def heading_level(paragraph: Paragraph) -> int | None:
    """0 for a Title paragraph, N for Heading N (also through a custom style based on one), else None."""
    style: Any = paragraph.style
    for _ in range(4):
        if style is None:
            return None
        name = (style.name or "").strip()
        if name.lower() in ("title", "标题"):
            return 0
        match = _HEADING.match(name)
        if match:
            return int(match.group(1))
        style = style.base_style
    return None


def _num_format(document: Any, num_id: int, level: int) -> str:
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return "bullet"
    abstract = numbering.xpath(f"./w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")
    if not abstract:
        return "bullet"
    fmt = numbering.xpath(
        f"./w:abstractNum[@w:abstractNumId='{abstract[0]}']/w:lvl[@w:ilvl='{level}']/w:numFmt/@w:val"
    )
    return str(fmt[0]) if fmt else "bullet"


def list_info(document: Any, paragraph: Paragraph) -> tuple[str, int, bool] | None:
    """(list id, nesting level, numbered) for a list paragraph, else None."""
    style_match = _LIST_STYLE.match((paragraph.style.name if paragraph.style else "") or "")
    if style_match:
        level = int(style_match.group(2) or 1) - 1
        return f"style-{style_match.group(1).lower()}", level, style_match.group(1).lower() == "number"
    p_pr = paragraph._p.pPr
    num_pr: Any = p_pr.numPr if p_pr is not None else None
    if num_pr is None or num_pr.numId is None or num_pr.numId.val == 0:
        return None
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), level, _num_format(document, num_pr.numId.val, level) != "bullet"


def _table(table: Table) -> str:
    rows: list[list[str]] = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:  # merged cells repeat the same <w:tc>
                seen.add(id(cell._tc))
                cells.append(cell.text)
        rows.append(cells)
    return markdown_table(rows)


def docx_article(file: str, document: Any) -> dict[str, str]:
    title: str | None = None
    blocks: list[tuple[bool, str]] = []
    counters: dict[tuple[str, int], int] = {}
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.append((False, _table(item)))
            counters.clear()
            continue
        text = item.text.strip()
        if not text:
            continue
        level = heading_level(item)
        listed = None if level is not None else list_info(document, item)
        if listed is None:
            counters.clear()
            if level is not None and title is None and level <= 1:
                title = text
            else:
                blocks.append((False, f"{'#' * min(max(level, 1), 6)} {text}" if level is not None else text))
            continue
        list_id, depth, numbered = listed
        for key in [k for k in counters if k[0] == list_id and k[1] > depth]:
            del counters[key]
        counters[(list_id, depth)] = counters.get((list_id, depth), 0) + 1
        marker = f"{counters[(list_id, depth)]}. " if numbered else "- "
        blocks.append((True, "   " * depth + marker + text.replace("\n", " ")))
    body = join_blocks([b for b in blocks if b[1]])
    return {"type": "guide", "title": title or file_stem(file), "body": body}


def parse_docx(ctx: ParseContext, file: str, content: bytes) -> None:
    message = container_problem(content, ctx.limits, label="DOCX", corrupt=CORRUPT)
    if message:
        ctx.problem(file, message)
        return
    try:
        data = docx_article(file, docx.Document(io.BytesIO(content)))
    except Exception:  # python-docx raises KeyError, ValueError, XML and zip errors for broken files
        ctx.problem(file, CORRUPT)
        return
    ctx.add(file, 1, data)
