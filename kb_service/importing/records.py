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
class ParseContext:
    """Collects records and problems across every file of one upload and enforces the row limit."""

    limits: ParseLimits
    records: list[ParsedRecord] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    full: bool = False

    def problem(self, file: str, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.problems.append(ImportProblem(file=file, row=row, field=field, message=message))

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
