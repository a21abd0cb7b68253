"""XLSX workbooks: the first worksheet, read in streaming (read-only) mode."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from kb_service.importing.columns import TableReader
from kb_service.importing.records import ParseContext
from kb_service.importing.zip_guard import container_problem

CORRUPT = "could not read XLSX: file is truncated or not a valid Excel workbook"


def parse_xlsx(ctx: ParseContext, file: str, content: bytes) -> None:
    message = container_problem(content, ctx.limits, label="XLSX", corrupt=CORRUPT)
    if message:
        ctx.problem(file, message)
        return
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, BadZipFile, XML errors) for broken files
        ctx.problem(file, CORRUPT)
        return
    try:
        _read_rows(ctx, file, workbook)
    finally:
        workbook.close()


def _read_rows(ctx: ParseContext, file: str, workbook: Any) -> None:
    if not workbook.worksheets:
        ctx.problem(file, "workbook has no worksheet")
        return
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # stale <dimension> elements would otherwise cut rows off
    table = TableReader(ctx, file, strict_width=False)
    try:
        for row, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not table.feed(row, cells):
                break
    except Exception:  # a member truncated mid-stream surfaces only while rows are read
        ctx.problem(file, CORRUPT)
        return
    table.finish()
