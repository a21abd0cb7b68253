"""Dispatch by extension, content checks that do not trust the name, limits, and robustness."""

from __future__ import annotations

import random

import pytest

from kb_service.importing import ParseLimits, parse_upload
from kb_service.importing.dispatch import FORMATS
from tests.kb_service.importing.builders import docx_bytes, one_problem, parse_ok, xlsx_bytes, zip_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
            "a legacy or password-protected Office document",
        ),
        (b"question,answer\nq\x00,a\n", "binary data"),
    ],
)
def test_binary_content_named_csv(content: bytes, kind: str) -> None:
    problem = one_problem("faq.csv", content)
    assert problem.message.startswith(f"file content is {kind}")
    assert problem.message.endswith(", not CSV")
    assert (problem.file, problem.row, problem.field) == ("faq.csv", None, None)


def test_office_and_zip_files_under_text_names() -> None:
    xlsx = xlsx_bytes([["question"], ["q"]])
    assert one_problem("faq.csv", xlsx).message == "file content is an Excel workbook (XLSX), not CSV"
    assert one_problem("faq.json", docx_bytes([("Normal", "x")])).message == (
        "file content is a Word document (DOCX), not JSON"
    )
    assert (
        one_problem("faq.md", zip_bytes({"a.csv": b"q"})).message
        == "file content is a ZIP archive, not Markdown"
    )
    assert one_problem("faq.xlsx", PNG).message == "file content is a PNG image, not XLSX"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("setup.exe", "unsupported file type '.exe'; supported: .csv, .tsv"),
        ("notes.txt", "unsupported file type '.txt'; name it .md or .csv; supported:"),
        ("old.xls", "unsupported file type '.xls'; save it as .xlsx; supported:"),
        ("README", "unsupported file type (no file extension); supported:"),
        ("photo.png", "unsupported file type '.png'; supported:"),
    ],
)
def test_unsupported_extensions(filename: str, expected: str) -> None:
    problem = one_problem(filename, b"question,answer\nq,a\n")
    assert problem.message.startswith(expected)
    assert problem.file == filename


def test_extension_is_case_insensitive_and_paths_are_kept() -> None:
    [record] = parse_ok("C:\\Users\\me\\FAQ.CSV", b"question,answer\nq,a\n")
    assert record.file == "C:\\Users\\me\\FAQ.CSV"


def test_too_many_rows_in_one_file() -> None:
    content = ("question,answer\n" + "".join(f"q{i},a{i}\n" for i in range(10))).encode()
    records, problems = parse_upload("faq.csv", content, ParseLimits(max_rows=4))
    assert len(records) == 4
    assert [(p.row, p.message) for p in problems] == [
        (None, "too many records: an import may contain at most 4; stopped at row 6")
    ]


def test_text_in_an_unknown_single_byte_encoding_still_decodes() -> None:
    content = "question,answer\ncafé crème,naïve résumé über\n".encode("cp1252")
    [record] = parse_ok("faq.csv", content)
    assert record.data["question"].startswith("café cr")  # cp1250 and cp1252 tie on these bytes


def test_random_and_truncated_bytes_never_raise() -> None:
    rng = random.Random(7)
    samples = [bytes(rng.randrange(256) for _ in range(n)) for n in (1, 10, 100, 5000)]
    valid = {
        ".xlsx": xlsx_bytes([["question"], ["q"]]),
        ".docx": docx_bytes([("Title", "t")]),
        ".zip": zip_bytes({"a.csv": b"question\nq\n"}),
        ".json": b'[{"question": "q"}]',
        ".html": b"<h1>t</h1><p>x</p>",
    }
    for ext in [*FORMATS, ".zip"]:
        for sample in samples + [v[: len(v) // 3] for v in valid.values()]:
            records, problems = parse_upload(f"f{ext}", sample)
            assert all(p.message and not p.message.startswith("could not parse the file (") for p in problems)
