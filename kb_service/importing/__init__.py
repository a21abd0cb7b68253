"""Bulk import parsers (CSV, TSV, XLSX, JSON, JSONL, Markdown, HTML, DOCX, ZIP) and export writers.

A pure library: `parse_upload` turns one upload into article dicts with canonical field names plus
row-level problems; validation against the article schema is the caller's job.
"""

from kb_service.importing.dispatch import parse_upload
from kb_service.importing.export import articles_to_jsonl, articles_to_xlsx
from kb_service.importing.records import ImportProblem, ParsedRecord, ParseLimits

__all__ = [
    "ImportProblem",
    "ParseLimits",
    "ParsedRecord",
    "articles_to_jsonl",
    "articles_to_xlsx",
    "parse_upload",
]
