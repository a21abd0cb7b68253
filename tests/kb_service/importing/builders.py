"""Build real upload files (XLSX, DOCX, ZIP) in memory for the parser tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
import openpyxl

from kb_service.importing import ImportProblem, ParsedRecord, parse_upload


def xlsx_bytes(rows: list[list[Any]], *, title: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(parts: list[tuple[str, str]]) -> bytes:
    """(style, text) paragraphs; style "table" takes text as rows split by ';' and cells by ','."""
    document = docx.Document()
    for style, text in parts:
        if style == "table":
            rows = [r.split(",") for r in text.split(";")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    table.cell(r, c).text = value
        else:
            document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def parse_ok(filename: str, content: bytes) -> list[ParsedRecord]:
    records, problems = parse_upload(filename, content)
    assert problems == [], problems
    return records


def one_problem(filename: str, content: bytes) -> ImportProblem:
    records, problems = parse_upload(filename, content)
    assert len(problems) == 1, problems
    return problems[0]
