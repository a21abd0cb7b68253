"""Export writers whose output `parse_upload` reads back to the same article fields."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kb_service.importing.catalogue_sheet import CATALOGUE_SHEET, catalogue_rows
from kb_service.importing.fields import CHANNELS
from kb_service.importing.jsonish import CATALOGUE_TYPE

XLSX_COLUMNS = (
    "external_id", "type", "question", "similar_questions", "answer",
    *(f"answer_{channel}" for channel in CHANNELS),
    "title", "body", "category", "products", "tags", "status", "valid_from", "valid_to",
)  # fmt: skip
_WIDE = {"question": 40, "similar_questions": 40, "answer": 60, "title": 40, "body": 80}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


def articles_to_jsonl(articles: list[dict[str, Any]], catalogue: dict[str, Any] | None = None) -> bytes:
    """One article object per line, UTF-8, non-ASCII kept as is; server-managed keys are kept. A
    product catalogue (`{version, products}`) comes first, as a line of type "catalogue"."""
    head = [{"type": CATALOGUE_TYPE, **catalogue}] if catalogue is not None else []
    lines = (json.dumps(a, ensure_ascii=False, default=_json_default) + "\n" for a in [*head, *articles])
    return "".join(lines).encode("utf-8")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    # Control characters are not allowed in XLSX XML; they carry no meaning in article text.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def xlsx_row(article: dict[str, Any]) -> list[str | None]:
    channels = article.get("channel_answers") or {}
    values: dict[str, Any] = {
        **{f"answer_{c}": channels.get(c) for c in CHANNELS},
        "similar_questions": "\n".join(article.get("similar_questions") or []),
        "products": " | ".join(article.get("products") or []),
        "tags": " | ".join(article.get("tags") or []),
    }
    return [_text(values[c] if c in values else article.get(c)) or None for c in XLSX_COLUMNS]


def articles_to_xlsx(articles: list[dict[str, Any]], catalogue: dict[str, Any] | None = None) -> bytes:
    """A workbook with a sheet "articles" and the English canonical column names, then a sheet
    "catalogue" when a product catalogue (`{version, products}`) is given."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("articles")
    for index, column in enumerate(XLSX_COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = _WIDE.get(column, 16)
    sheet.freeze_panes = "A2"
    header = [WriteOnlyCell(sheet, value=c) for c in XLSX_COLUMNS]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for article in articles:
        sheet.append([_cell(sheet, value, wrap) for value in xlsx_row(article)])
    if catalogue is not None:
        _catalogue_sheet(workbook, catalogue["products"], wrap)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: str | None, wrap: Alignment) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text such as "=..." or "0012" must stay text, never a formula or number
    if "\n" in value:
        cell.alignment = wrap
    return cell


def _catalogue_sheet(workbook: Workbook, products: list[dict[str, Any]], wrap: Alignment) -> None:
    sheet = workbook.create_sheet(CATALOGUE_SHEET)
    for index, width in enumerate((36, 20, 40)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    header, *rows = catalogue_rows(products)
    bold = [WriteOnlyCell(sheet, value=c) for c in header]
    for cell in bold:
        cell.font = Font(bold=True)
    sheet.append(bold)
    for row in rows:
        sheet.append([_cell(sheet, _text(value), wrap) for value in row])
