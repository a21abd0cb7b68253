"""Spreadsheet rows (CSV, TSV, XLSX) to article dicts: header recognition and cell clean-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kb_service.importing.fields import (
    ALIAS_TO_FIELD,
    EXPECTED_COLUMNS,
    FAQ_ONLY,
    GUIDE_ONLY,
    OPTIONAL_SCALARS,
    header_key,
    infer_type,
    map_status,
    map_type,
    split_list,
    split_similar,
    to_text,
)
from kb_service.importing.records import ParseContext

# Templates often put a banner ("FAQ 导入模板") above the real header.
MAX_BANNER_ROWS = 4


def map_header(names: list[str]) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """(column index, canonical field) pairs, and (field, message) problems for duplicates."""
    columns: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    for index, name in enumerate(names):
        field = ALIAS_TO_FIELD.get(header_key(name)) if name else None
        if field is None:
            continue
        if field in seen:
            duplicates.append((field, f"columns '{seen[field]}' and '{name}' both mean '{field}'; keep one"))
            continue
        seen[field] = name
        columns.append((index, field))
    return columns, duplicates


def _value(field: str, text: str) -> Any:
    if field == "similar_questions":
        return split_similar(text)
    if field in ("products", "tags"):
        return split_list(text)
    if field in OPTIONAL_SCALARS:
        value = text.strip()
        if field == "status":
            value = map_status(value)
        elif field == "type":
            value = map_type(value)
        return value or None
    if field in ("question", "title"):
        return text.strip()
    return text  # answers and bodies keep their layout


def row_data(columns: list[tuple[int, str]], cells: Sequence[Any]) -> dict[str, Any] | None:
    """The article fields of one row, or None for a row with nothing in any recognised column."""
    texts = [(field, to_text(cells[i]) if i < len(cells) else "") for i, field in columns]
    if not any(text.strip() for _, text in texts):
        return None
    data: dict[str, Any] = {}
    channels: dict[str, str] | None = None
    for field, text in texts:
        if field.startswith("channel_answers."):
            channels = {} if channels is None else channels
            if text.strip():
                channels[field.removeprefix("channel_answers.")] = text
        else:
            data[field] = _value(field, text)
    if channels is not None:
        data["channel_answers"] = channels
    data["type"] = infer_type(data)
    # A mixed FAQ / guide sheet has every column; the other type's empty cells are not data.
    unused = GUIDE_ONLY if data["type"] == "faq" else FAQ_ONLY if data["type"] == "guide" else ()
    return {k: v for k, v in data.items() if k not in unused or v}


class TableReader:
    """Turns a stream of rows into records: finds the header, then one article per row."""

    def __init__(self, ctx: ParseContext, file: str, *, strict_width: bool) -> None:
        self.ctx, self.file, self.strict_width = ctx, file, strict_width
        self.columns: list[tuple[int, str]] | None = None
        self.width = 0
        self.candidates: list[tuple[int, list[str]]] = []
        self.failed = False
        self.rows = 0

    def feed(self, row: int, cells: Sequence[Any]) -> bool:
        """Handle one row; False when reading should stop."""
        if self.columns is None:
            return self._header(row, cells)
        if self.strict_width and any(to_text(c).strip() for c in cells[self.width :]):
            self.ctx.problem(
                self.file,
                f"row has {len(cells)} cells but the header has {self.width} columns; "
                "check for an unquoted delimiter or line break",
                row=row,
            )
            return True
        data = row_data(self.columns, cells)
        if data is None:
            return True
        self.rows += 1
        return self.ctx.add(self.file, row, data)

    def _header(self, row: int, cells: Sequence[Any]) -> bool:
        names = [to_text(c).strip() for c in cells]
        if not any(names):
            return True
        columns, duplicates = map_header(names)
        if duplicates:
            for field, message in duplicates:
                self.ctx.problem(self.file, message, row=row, field=field)
            self.failed = True
            return False
        if columns:
            self.columns, self.width = columns, len(names)
            return True
        self.candidates.append((row, names))
        if len(self.candidates) > MAX_BANNER_ROWS:
            self.finish()
            return False
        return True

    def finish(self) -> None:
        """Report a file that never showed a usable header."""
        if self.failed or (self.columns is not None and self.rows):
            return
        self.failed = True
        if self.columns is not None:
            self.ctx.problem(self.file, "file has a header row but no article rows")
            return
        if not self.candidates:
            self.ctx.problem(self.file, "file has no rows")
            return
        row, names = self.candidates[0]
        found = ", ".join(f"'{n[:40]}'" for n in names if n)
        self.ctx.problem(
            self.file,
            f"no recognised column in the header (found {found}); expected some of: {EXPECTED_COLUMNS}",
            row=row,
        )
