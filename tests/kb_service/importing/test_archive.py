"""ZIP uploads: mixed members, unsafe paths, zip bombs, nesting and limits."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from kb_service.importing import ParseLimits, parse_upload
from kb_service.importing.archive import MemberTooLarge, read_bounded
from tests.kb_service.importing.builders import docx_bytes, one_problem, xlsx_bytes, zip_bytes

CSV = "question,answer\n怎么开机,按电源键\n".encode()


def test_zip_with_mixed_members_names_each_file() -> None:
    content = zip_bytes(
        {
            "faq.csv": CSV,
            "表格/faq.xlsx": xlsx_bytes([["标准问题", "答案"], ["蓝屏", "重启"]]),
            "guides/battery.md": "# 更换电池\n\n关机".encode(),
            "guides/boot.docx": docx_bytes([("Title", "开机"), ("Normal", "按键")]),
            "guides/": b"",
            "__MACOSX/guides/._battery.md": b"\x00\x05\x16\x07",
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
            "表格/~$faq.xlsx": b"lock",
            "Thumbs.db": b"\xd0\xcf\x11\xe0",
        }
    )
    records, problems = parse_upload("kb.zip", content)
    assert problems == []
    assert [(r.file, r.row) for r in records] == [
        ("kb.zip/faq.csv", 2),
        ("kb.zip/表格/faq.xlsx", 2),
        ("kb.zip/guides/battery.md", 1),
        ("kb.zip/guides/boot.docx", 1),
    ]
    assert records[2].data == {"type": "guide", "title": "更换电池", "body": "关机"}


def test_gbk_member_names_from_chinese_windows() -> None:
    placeholder, real = "abcdefgh.csv", "常见问题.csv"
    assert len(placeholder.encode()) == len(real.encode("gbk"))
    content = zip_bytes({placeholder: CSV}).replace(placeholder.encode(), real.encode("gbk"))
    records, problems = parse_upload("kb.zip", content)
    assert problems == []
    assert records[0].file == "kb.zip/常见问题.csv"


def test_path_traversal_members_are_refused() -> None:
    content = zip_bytes(
        {"../evil.csv": CSV, "/abs.csv": CSV, "C:/win.csv": CSV, "ok/../../x.csv": CSV, "ok.csv": CSV}
    )
    records, problems = parse_upload("kb.zip", content)
    assert [r.file for r in records] == ["kb.zip/ok.csv"]
    assert [p.file for p in problems] == ["kb.zip"] * 4
    for problem, name in zip(
        problems, ["../evil.csv", "/abs.csv", "C:/win.csv", "ok/../../x.csv"], strict=True
    ):
        assert (
            problem.message == f"unsafe path '{name}' in ZIP archive: absolute paths and '..' are not allowed"
        )


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """200 MB of zeros in one member, compressed to about 200 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.csv", "w") as member:
        block = b"\x00" * (1024 * 1024)
        for _ in range(200):
            member.write(block)
    return buffer.getvalue()


def test_zip_bomb_is_refused_fast_without_decompressing(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    records, problems = parse_upload("bomb.zip", zip_bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert records == []
    assert len(problems) == 1
    assert problems[0].file == "bomb.zip"
    assert "zeros.csv" in problems[0].message and "zip bomb" in problems[0].message
    assert elapsed < 0.5
    assert peak < 5 * 1024 * 1024


def test_total_size_member_size_and_member_count_limits() -> None:
    stored = {f"f{i}.csv": b"question\n" + b"q" * 900 + b"\n" for i in range(6)}
    content = zip_bytes(stored, compression=zipfile.ZIP_STORED)
    limits = ParseLimits(max_upload_bytes=1000)
    _, problems = parse_upload("kb.zip", content, limits)
    assert [p.message for p in problems] == [
        "could not read ZIP archive: ZIP contents expand to 5.3 KB; the limit is 4.9 KB"
    ]
    _, problems = parse_upload("kb.zip", content, ParseLimits(max_upload_bytes=500))
    assert "ZIP contents expand" in problems[0].message
    _, problems = parse_upload("kb.zip", content, ParseLimits(max_upload_bytes=10_000, max_zip_members=5))
    assert [p.message for p in problems] == [
        "could not read ZIP archive: ZIP archive has 6 entries; the limit is 5"
    ]
    big = zip_bytes({"big.csv": b"question\n" + b"q" * 2000 + b"\n"}, compression=zipfile.ZIP_STORED)
    _, problems = parse_upload("kb.zip", big, ParseLimits(max_upload_bytes=1000))
    assert (problems[0].file, problems[0].message) == (
        "kb.zip/big.csv",
        "file expands to 2.0 KB; the limit is 1000 bytes",
    )


def test_member_reads_stop_at_the_limit() -> None:
    with zipfile.ZipFile(io.BytesIO(zip_bytes({"a.csv": b"x" * 300_000}))) as zf:
        with pytest.raises(MemberTooLarge):
            read_bounded(zf, zf.getinfo("a.csv"), 100_000)
        assert len(read_bounded(zf, zf.getinfo("a.csv"), 300_000)) == 300_000


def test_nested_zip_unsupported_member_and_wrong_content() -> None:
    content = zip_bytes(
        {
            "inner.zip": zip_bytes({"faq.csv": CSV}),
            "notes.txt": b"hello",
            "image.csv": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
            "faq.csv": CSV,
        }
    )
    records, problems = parse_upload("kb.zip", content)
    assert [r.file for r in records] == ["kb.zip/faq.csv"]
    assert [(p.file, p.message.split(";")[0]) for p in problems] == [
        ("kb.zip/inner.zip", "nested ZIP archives are not supported"),
        ("kb.zip/notes.txt", "unsupported file type '.txt'"),
        ("kb.zip/image.csv", "file content is a PNG image, not CSV"),
    ]


def test_too_many_rows_across_files() -> None:
    two_rows = b"question,answer\nq1,a1\nq2,a2\n"
    content = zip_bytes({"a.csv": two_rows, "b.csv": two_rows, "c.csv": two_rows})
    records, problems = parse_upload("kb.zip", content, ParseLimits(max_rows=3))
    assert [(r.file, r.row) for r in records] == [
        ("kb.zip/a.csv", 2),
        ("kb.zip/a.csv", 3),
        ("kb.zip/b.csv", 2),
    ]
    assert len(problems) == 1
    assert problems[0].file == "kb.zip/b.csv"
    assert problems[0].message == "too many records: an import may contain at most 3; stopped at row 3"


def test_broken_and_empty_zip() -> None:
    content = zip_bytes({"faq.csv": CSV})
    assert one_problem("kb.zip", content[: len(content) // 2]).message.startswith(
        "could not read ZIP archive"
    )
    assert one_problem("kb.zip", zip_bytes({})).message == "ZIP archive contains no files to import"
    assert one_problem("kb.zip", CSV).message == "file content is text, not a ZIP archive"
