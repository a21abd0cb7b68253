"""Content checks that do not trust the file name: magic bytes, binary data and text encodings."""

from __future__ import annotations

import io
import re
import zipfile

from charset_normalizer import from_bytes

from kb_service.importing.zip_guard import declared_entries

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy or password-protected Office document (.xls/.doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"MZ", "a Windows executable"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHINESE = ("gb18030", "gbk", "gb2312", "hz")


def is_zip(content: bytes) -> bool:
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _zip_kind(content: bytes) -> str:
    entries = declared_entries(content)
    if entries is None or entries > 10_000:
        return "a ZIP archive"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a ZIP archive"
    if "xl/workbook.xml" in names:
        return "an Excel workbook (XLSX)"
    if "word/document.xml" in names:
        return "a Word document (DOCX)"
    return "a ZIP archive"


def binary_kind(content: bytes) -> str | None:
    """What a binary payload is ('a PNG image', ...), or None when it looks like text."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            if kind == "a ZIP archive":
                return _zip_kind(content)
            if kind == "a Windows executable" and b"\x00" not in content[:1024]:
                continue  # plain text that happens to start with "MZ"
            return kind
    if content.startswith(_UTF16_BOMS):
        return None
    return "binary data" if b"\x00" in content[:65536] else None


class UndecodableText(ValueError):
    """Bytes that are not text in any encoding we accept; the message is shown to the editor."""


_UNKNOWN = "could not decode the file as text: it is neither UTF-8 nor GBK; save it as UTF-8"


def decode_text(content: bytes, *, declared: str | None = None) -> str:
    """Decode text: BOM, then UTF-8, then a declared charset, then detection (GBK wins ties).

    Short GBK files exported by Chinese Excel are often scored equally as Korean cp949 by
    charset-normalizer; for a Chinese-first service the GB18030 reading is the right one.
    Raises UndecodableText.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    elif content.startswith(_UTF16_BOMS):
        return _try(content, "utf-16") or _fail(_UNKNOWN)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        _reject_damaged_utf8(content, exc)
    text = _try(content, declared) if declared else None
    if text is not None:
        return text
    matches = list(from_bytes(content))
    best_chaos = min((m.chaos for m in matches), default=0.0)
    ordered = sorted(matches, key=lambda m: (m.chaos > best_chaos + 0.01, m.encoding not in _CHINESE))
    for match in ordered:
        text = _try(content, "gb18030" if match.encoding in _CHINESE else match.encoding)
        if text is not None:
            return text
    return _fail(_UNKNOWN)


def _reject_damaged_utf8(content: bytes, exc: UnicodeDecodeError) -> None:
    """Mostly-valid UTF-8 with a few bad bytes is a damaged UTF-8 file, not another encoding:
    guessing one would garble every Chinese character, so point at the bad spot instead."""
    lenient = content.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = len(lenient) - len(lenient.encode("ascii", "ignore")) - bad
    if good >= 20 * bad:
        line = content.count(b"\n", 0, exc.start) + 1
        _fail(f"invalid UTF-8 at line {line} (byte {exc.start}); the file is damaged or mixes encodings")


def _fail(message: str) -> str:
    raise UndecodableText(message)


def _try(content: bytes, encoding: str) -> str | None:
    """The decoded text, or None if the bytes are not valid in that encoding."""
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_html_charset(content: bytes) -> str | None:
    found = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", content[:4096], re.IGNORECASE)
    return found.group(1).decode("ascii") if found else None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
