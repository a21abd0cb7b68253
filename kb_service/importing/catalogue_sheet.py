"""The product catalogue as a spreadsheet: the `catalogue` sheet an XLSX export writes and import reads.

One product per row under a header `name | series | aliases`; the aliases cell holds one alias per
line (a `|` also separates them in sheets typed by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kb_service.importing.fields import header_key, split_similar, to_text
from kb_service.importing.records import ParseContext

CATALOGUE_SHEET = "catalogue"
CATALOGUE_COLUMNS = ("name", "series", "aliases")
_HEADERS = {
    "name": ("name", "product", "名称", "产品", "产品名称", "型号"),
    "series": ("series", "系列"),
    "aliases": ("aliases", "alias", "别名", "俗称"),
}
_HEADER_TO_FIELD = {alias: field for field, names in _HEADERS.items() for alias in names}


def is_catalogue_sheet(title: str) -> bool:
    return header_key(title) in (CATALOGUE_SHEET, "产品目录")


def catalogue_rows(products: Iterable[dict[str, Any]]) -> list[list[str | None]]:
    """Header and one row per product, for the export."""
    rows: list[list[str | None]] = [list(CATALOGUE_COLUMNS)]
    for p in products:
        rows.append([p["name"], p.get("series"), "\n".join(p.get("aliases") or []) or None])
    return rows


def read_catalogue_sheet(ctx: ParseContext, file: str, rows: Iterable[Sequence[Any]]) -> None:
    """Read a catalogue sheet into `ctx.catalogue` (products unvalidated; each with its sheet row)."""
    columns: list[tuple[int, str]] | None = None
    products: list[dict[str, Any]] = []
    sheet_rows: list[int] = []
    header_row = 0
    for row, cells in enumerate(rows, start=1):
        texts = [to_text(c).strip() for c in cells]
        if not any(texts):
            continue
        if columns is None:
            columns = [
                (i, _HEADER_TO_FIELD[header_key(t)])
                for i, t in enumerate(texts)
                if header_key(t) in _HEADER_TO_FIELD
            ]
            if "name" not in {field for _, field in columns}:
                ctx.problem(
                    file,
                    "the catalogue sheet's first row must name its columns: name, series, aliases",
                    row=row,
                )
                return
            header_row = row
            continue
        values = {field: texts[i] if i < len(texts) else "" for i, field in columns}
        product: dict[str, Any] = {
            "name": values["name"],
            "aliases": split_similar(values.get("aliases", "")),
        }
        if values.get("series"):
            product["series"] = values["series"]
        products.append(product)
        sheet_rows.append(row)
    if columns is not None:
        ctx.set_catalogue(file, header_row, products, rows=sheet_rows)
