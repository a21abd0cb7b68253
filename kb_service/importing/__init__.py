"""Bulk import parsers (CSV, TSV, XLSX, JSON, JSONL, Markdown, HTML, DOCX, ZIP) and export writers.

A pure library: `parse_upload` turns one upload into article dicts with canonical field names plus
row-level problems (`read_upload` also gives the product catalogue a JSONL or XLSX export carries);
validation against the article schema is the caller's job.
"""

from kb_service.importing.dispatch import parse_upload, read_upload
from kb_service.importing.export import articles_to_jsonl, articles_to_xlsx
from kb_service.importing.records import ImportProblem, ParsedCatalogue, ParsedRecord, ParseLimits

__all__ = [
    "ImportProblem",
    "ParseLimits",
    "ParsedCatalogue",
    "ParsedRecord",
    "articles_to_jsonl",
    "articles_to_xlsx",
    "parse_upload",
    "read_upload",
]
