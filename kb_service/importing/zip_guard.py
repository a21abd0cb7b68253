"""Zip-bomb checks on a ZIP container's central directory, done before anything is decompressed.

`zipfile` never yields more bytes for a member than its declared `file_size` (it raises instead),
so checking the declared sizes bounds the real work.
"""

from __future__ import annotations

import io
import zipfile

from kb_service.importing.records import ParseLimits

# Small members may compress extremely well (a column of equal values) and are harmless.
RATIO_FLOOR_BYTES = 1024 * 1024


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def declared_entries(content: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (None if absent or ZIP64)."""
    pos = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if pos < 0 or pos + 12 > len(content):
        return None
    count = int.from_bytes(content[pos + 10 : pos + 12], "little")
    return None if count == 0xFFFF else count


def entry_count_problem(content: bytes, limits: ParseLimits) -> str | None:
    """Checked before `zipfile` builds its member list, which for a crafted archive could hold
    hundreds of thousands of entries."""
    count = declared_entries(content)
    if count is not None and count > limits.max_zip_members:
        return f"ZIP archive has {count} entries; the limit is {limits.max_zip_members}"
    return None


def open_zip(content: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None


def limit_problem(infos: list[zipfile.ZipInfo], limits: ParseLimits) -> str | None:
    """Entry count, per-member compression ratio and total expanded size against the limits."""
    if len(infos) > limits.max_zip_members:
        return f"ZIP archive has {len(infos)} entries; the limit is {limits.max_zip_members}"
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            return (
                f"ZIP member '{info.filename}' expands {ratio:.0f}x to {human_size(info.file_size)}; "
                f"the limit is {limits.max_compression_ratio:.0f}x, so this looks like a zip bomb"
            )
    if total > limits.max_total_uncompressed:
        return (
            f"ZIP contents expand to {human_size(total)}; "
            f"the limit is {human_size(limits.max_total_uncompressed)}"
        )
    return None


def container_problem(content: bytes, limits: ParseLimits, *, label: str, corrupt: str) -> str | None:
    """Why an XLSX / DOCX (ZIP container) must not be opened, or None."""
    message = entry_count_problem(content, limits)
    if message:
        return f"could not read {label}: {message}"
    zf = open_zip(content)
    if zf is None:
        return corrupt
    with zf:
        message = limit_problem(zf.infolist(), limits)
    return f"could not read {label}: {message}" if message else None
