"""parse_upload: pick a parser by extension, then make sure the content really is that format."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import PurePosixPath

from kb_service.importing.archive import parse_zip
from kb_service.importing.docx_doc import parse_docx
from kb_service.importing.html_doc import parse_html
from kb_service.importing.jsonish import parse_json, parse_jsonl
from kb_service.importing.markdown_doc import parse_markdown
from kb_service.importing.records import ImportProblem, ParseContext, ParsedRecord, ParseLimits
from kb_service.importing.sniff import binary_kind, is_zip
from kb_service.importing.tabular import parse_delimited
from kb_service.importing.xlsx import parse_xlsx

Parser = Callable[[ParseContext, str, bytes], None]

# extension -> (name used in messages, is a ZIP container, parser)
FORMATS: dict[str, tuple[str, bool, Parser]] = {
    ".csv": ("CSV", False, partial(parse_delimited, tsv=False)),
    ".tsv": ("TSV", False, partial(parse_delimited, tsv=True)),
    ".json": ("JSON", False, parse_json),
    ".jsonl": ("JSON Lines", False, parse_jsonl),
    ".ndjson": ("JSON Lines", False, parse_jsonl),
    ".md": ("Markdown", False, parse_markdown),
    ".markdown": ("Markdown", False, parse_markdown),
    ".html": ("HTML", False, parse_html),
    ".htm": ("HTML", False, parse_html),
    ".xlsx": ("XLSX", True, parse_xlsx),
    ".docx": ("DOCX", True, parse_docx),
}
SUPPORTED = ", ".join([*FORMATS, ".zip"])
_HINTS = {".xls": "; save it as .xlsx", ".doc": "; save it as .docx", ".txt": "; name it .md or .csv"}


def extension(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def content_problem(content: bytes, label: str, container: bool) -> str | None:
    """Why the bytes are not the format the extension claims, or None."""
    if not content.strip():
        return "file is empty"
    kind = binary_kind(content)
    if container:
        if kind is None:
            return f"file content is text, not {label}"
        other = {"XLSX": "a Word document (DOCX)", "DOCX": "an Excel workbook (XLSX)"}.get(label)
        return None if is_zip(content) and kind != other else f"file content is {kind}, not {label}"
    return f"file content is {kind}, not {label}" if kind else None


def name_problem(file: str, *, in_archive: bool) -> str | None:
    """Why a file of this name cannot be imported, judged before its content is read."""
    ext = extension(file)
    if ext == ".zip":
        return "nested ZIP archives are not supported; add the files to one archive" if in_archive else None
    if ext not in FORMATS:
        shown = f"'{ext}'" if ext else "(no file extension)"
        return f"unsupported file type {shown}{_HINTS.get(ext, '')}; supported: {SUPPORTED}"
    return None


def _accept_member(ctx: ParseContext, file: str) -> bool:
    message = name_problem(file, in_archive=True)
    if message:
        ctx.problem(file, message)
    return message is None


def parse_file(ctx: ParseContext, file: str, content: bytes, *, in_archive: bool) -> None:
    message = name_problem(file, in_archive=in_archive)
    if message:
        ctx.problem(file, message)
        return
    ext = extension(file)
    if ext == ".zip":
        if not is_zip(content):
            ctx.problem(file, f"file content is {binary_kind(content) or 'text'}, not a ZIP archive")
            return
        accept = partial(_accept_member, ctx)
        parse_zip(ctx, file, content, accept=accept, parse_member=partial(parse_file, ctx, in_archive=True))
        return
    label, container, parser = FORMATS[ext]
    message = content_problem(content, label, container)
    if message:
        ctx.problem(file, message)
        return
    parser(ctx, file, content)


def read_upload(filename: str, content: bytes, limits: ParseLimits | None = None) -> ParseContext:
    """Parse one uploaded file (or ZIP of files) into article records, problems and the product
    catalogue it carries, if any; never raises for bad input. Values are passed through
    unvalidated; the caller applies its schema."""
    ctx = ParseContext(limits or ParseLimits())
    try:
        parse_file(ctx, filename, content, in_archive=False)
    except Exception as exc:  # a parser bug must not turn bad input into a 500
        ctx.problem(filename, f"could not parse the file ({type(exc).__name__}: {exc})")
    return ctx


def parse_upload(
    filename: str, content: bytes, limits: ParseLimits | None = None
) -> tuple[list[ParsedRecord], list[ImportProblem]]:
    """`read_upload`'s article records and problems."""
    ctx = read_upload(filename, content, limits)
    return ctx.records, ctx.problems
