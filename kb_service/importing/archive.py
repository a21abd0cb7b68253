"""ZIP uploads: every member is parsed as its own file; paths and sizes are checked first."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable

from kb_service.importing.records import ParseContext
from kb_service.importing.zip_guard import entry_count_problem, human_size, limit_problem, open_zip

_UTF8_NAMES = 0x800
_ENCRYPTED = 0x1
_OS_JUNK = {"thumbs.db", "desktop.ini"}
_CHUNK = 64 * 1024


class MemberTooLarge(Exception):
    """A member yielded more bytes than allowed."""


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path; names stored without the UTF-8 flag by Chinese Windows tools are GBK."""
    if info.flag_bits & _UTF8_NAMES:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def is_unsafe(name: str) -> bool:
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def is_skipped(name: str) -> bool:
    """macOS resource forks, dot-files, Windows thumbnails and Office lock files (~$x.xlsx)."""
    parts = [p for p in re.split(r"[\\/]", name) if p]
    if not parts or parts[0] == "__MACOSX" or any(p.startswith(".") and p not in (".", "..") for p in parts):
        return True
    return parts[-1].lower() in _OS_JUNK or parts[-1].startswith("~$")


def read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Stream one member, stopping as soon as it passes `limit` bytes."""
    data = bytearray()
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            data += chunk
            if len(data) > limit:
                raise MemberTooLarge
    return bytes(data)


def parse_zip(
    ctx: ParseContext,
    file: str,
    content: bytes,
    *,
    accept: Callable[[str], bool],
    parse_member: Callable[[str, bytes], None],
) -> None:
    """Check the archive, then hand each member (named "archive.zip/inner/path") to `parse_member`.

    `accept` sees the name first (and reports unsupported types), so such members are never extracted.
    """
    message = entry_count_problem(content, ctx.limits)
    zf = None if message else open_zip(content)
    if zf is None:
        ctx.problem(file, f"could not read ZIP archive: {message or 'file is truncated or not a valid ZIP'}")
        return
    with zf:
        message = limit_problem(zf.infolist(), ctx.limits)
        if message:
            ctx.problem(file, f"could not read ZIP archive: {message}")
            return
        seen = 0
        for info in zf.infolist():
            name = member_name(info)
            if info.is_dir() or is_skipped(name):
                continue
            seen += 1
            if is_unsafe(name):
                ctx.problem(
                    file, f"unsafe path '{name}' in ZIP archive: absolute paths and '..' are not allowed"
                )
                continue
            display = f"{file}/{name}"
            data = _extract(ctx, zf, info, display) if accept(display) else None
            if data is not None:
                parse_member(display, data)
            if ctx.full:
                return
        if not seen:
            ctx.problem(file, "ZIP archive contains no files to import")


def _extract(ctx: ParseContext, zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str) -> bytes | None:
    limit = ctx.limits.max_upload_bytes
    if info.flag_bits & _ENCRYPTED:
        ctx.problem(display, "file is encrypted; password-protected ZIP archives are not supported")
    elif info.file_size > limit:
        ctx.problem(
            display, f"file expands to {human_size(info.file_size)}; the limit is {human_size(limit)}"
        )
    else:
        try:
            return read_bounded(zf, info, limit)
        except MemberTooLarge:
            ctx.problem(display, f"file expands to more than {human_size(limit)}")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            ctx.problem(display, f"could not extract the file from the ZIP archive: {exc}")
    return None
