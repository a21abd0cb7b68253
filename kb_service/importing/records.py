"""Result types of the import parsers and the shared accumulator they write into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ParseLimits:
    """Bounds on what one upload may expand into.

    The caller checks the raw upload against `max_upload_bytes`; the parsers check ZIP members
    (and the ZIP containers inside XLSX / DOCX) against it, and their total against five times it.
    """

    max_upload_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000
    max_zip_members: int = 1_000
    max_compression_ratio: float = 200.0

    @property
    def max_total_uncompressed(self) -> int:
        return self.max_upload_bytes * 5


@dataclass
class ParsedRecord:
    file: str
    row: int
    data: dict[str, Any]


@dataclass
class ImportProblem:
    file: str
    row: int | None
    field: str | None
    message: str


@dataclass
class ParsedCatalogue:
    """A product catalogue found in the upload (a JSONL `catalogue` line, an XLSX `catalogue` sheet)."""

    file: str
    row: int
    products: Any  # unvalidated, as the file gives it
    rows: list[int] | None = None  # a sheet's row of each product (a JSONL catalogue is one line)


@dataclass
class ParseContext:
    """Collects records and problems across every file of one upload and enforces the row limit."""

    limits: ParseLimits
    records: list[ParsedRecord] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    catalogue: ParsedCatalogue | None = None
    full: bool = False

    def problem(self, file: str, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.problems.append(ImportProblem(file=file, row=row, field=field, message=message))

    def set_catalogue(self, file: str, row: int, products: Any, rows: list[int] | None = None) -> None:
        """Keep the upload's catalogue; a second one is a problem (which of the two would win is unclear)."""
        if self.catalogue is not None:
            first = f"{self.catalogue.file} row {self.catalogue.row}"
            self.problem(file, f"a second product catalogue (the first is in {first}); keep one", row=row)
            return
        self.catalogue = ParsedCatalogue(file=file, row=row, products=products, rows=rows)

    def add(self, file: str, row: int, data: dict[str, Any]) -> bool:
        """Keep one record; False (and one problem for the whole upload) once the row limit is reached."""
        if len(self.records) >= self.limits.max_rows:
            if not self.full:
                self.full = True
                self.problem(
                    file,
                    f"too many records: an import may contain at most {self.limits.max_rows}; "
                    f"stopped at row {row}",
                )
            return False
        self.records.append(ParsedRecord(file=file, row=row, data=data))
        return True
