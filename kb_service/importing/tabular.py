"""CSV and TSV files: encoding detection (UTF-8, BOM, GBK from Chinese Excel), delimiter sniffing."""

from __future__ import annotations

import csv
import io

from kb_service.importing.columns import TableReader
from kb_service.importing.records import ParseContext
from kb_service.importing.sniff import UndecodableText, decode_text

_DELIMITERS = (",", ";", "\t")


def sniff_delimiter(text: str) -> str:
    """The most frequent of comma, semicolon and tab on the first non-empty line (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = [(first.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def parse_delimited(ctx: ParseContext, file: str, content: bytes, *, tsv: bool) -> None:
    try:
        text = decode_text(content)
    except UndecodableText as exc:
        ctx.problem(file, str(exc))
        return
    delimiter = "\t" if tsv else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = TableReader(ctx, file, strict_width=True)
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if not table.feed(row, cells):
                break
    except csv.Error as exc:
        ctx.problem(file, f"invalid CSV at row {row + 1}: {exc}", row=row + 1)
        return
    table.finish()
