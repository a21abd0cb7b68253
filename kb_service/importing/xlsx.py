"""XLSX workbooks: the first worksheet (and a `catalogue` sheet), read in streaming (read-only) mode."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from kb_service.importing.catalogue_sheet import is_catalogue_sheet, read_catalogue_sheet
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
    catalogue = next((s for s in workbook.worksheets if is_catalogue_sheet(s.title)), None)
    articles = next((s for s in workbook.worksheets if s is not catalogue), None)
    try:
        if catalogue is not None:
            catalogue.reset_dimensions()
            read_catalogue_sheet(
                ctx, f"{file} (sheet {catalogue.title})", catalogue.iter_rows(values_only=True)
            )
        if articles is not None:
            _read_articles(ctx, file, articles, catalogue is not None)
    except Exception:  # a member truncated mid-stream surfaces only while rows are read
        ctx.problem(file, CORRUPT)


def _read_articles(ctx: ParseContext, file: str, sheet: Any, has_catalogue: bool) -> None:
    sheet.reset_dimensions()  # stale <dimension> elements would otherwise cut rows off
    table = TableReader(ctx, file, strict_width=False)
    for row, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not table.feed(row, cells):
            break
    if has_catalogue and table.columns is not None and not table.rows:
        return  # the export of a KB with a catalogue and no articles yet
    table.finish()
