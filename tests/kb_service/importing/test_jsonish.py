"""JSON arrays / {"items": [...]} and JSON Lines."""

from __future__ import annotations

import json

from kb_service.importing import parse_upload
from tests.kb_service.importing.builders import one_problem, parse_ok

FAQ = {"type": "faq", "question": "怎么开机", "answer": "按电源键", "tags": ["电源"]}
GUIDE = {"title": "更换电池", "body": "## 步骤\n1. 关机"}


def test_json_array_keeps_keys_and_infers_type() -> None:
    content = json.dumps([FAQ, GUIDE, {"question": "q"}], ensure_ascii=False).encode()
    records = parse_ok("kb.json", content)
    assert [r.row for r in records] == [1, 2, 3]
    assert records[0].data == FAQ
    assert records[1].data == {**GUIDE, "type": "guide"}
    assert records[2].data == {"question": "q", "type": "faq"}


def test_json_items_object_drops_server_managed_keys() -> None:
    article = {**FAQ, "id": 7, "kb": "default", "version": 3, "created_at": "x", "updated_at": "y"}
    content = json.dumps({"items": [article], "total": 1}).encode()
    [record] = parse_ok("export.json", content)
    assert record.data == FAQ


def test_invalid_json_reports_line_and_column() -> None:
    content = b'[\n  {"question": "a"},\n  {"question": "b" "answer": "c"}\n]'
    problem = one_problem("kb.json", content)
    assert problem.message == "invalid JSON at line 3: Expecting ',' delimiter (col 20)"
    assert problem.row is None


def test_json_lines_named_json_gets_a_hint() -> None:
    problem = one_problem("kb.json", b'{"question": "a"}\n{"question": "b"}\n')
    assert "Extra data" in problem.message and ".jsonl" in problem.message


def test_non_object_items_and_wrong_top_level() -> None:
    records, problems = parse_upload("kb.json", b'[{"question": "a"}, "oops", [1]]')
    assert len(records) == 1
    assert [(p.row, p.message) for p in problems] == [
        (2, "item 2 is a string, expected an article object"),
        (3, "item 3 is an array, expected an article object"),
    ]
    assert "JSON array of articles" in one_problem("kb.json", b'"just text"').message
    assert "nested too deeply" in one_problem("kb.json", b"[" * 100_000 + b"]" * 100_000).message


def test_jsonl_with_one_bad_line() -> None:
    content = (
        json.dumps(FAQ, ensure_ascii=False)
        + "\n\n"
        + '{"question": "broken",}\n'
        + "42\n"
        + json.dumps(GUIDE, ensure_ascii=False)
        + "\r\n"
    ).encode()
    records, problems = parse_upload("kb.jsonl", content)
    assert [(r.row, r.data["type"]) for r in records] == [(1, "faq"), (5, "guide")]
    assert [(p.row, p.message) for p in problems] == [
        (3, "invalid JSON at line 3: Expecting property name enclosed in double quotes (col 23)"),
        (4, "line 4 is a number, expected an article object"),
    ]


def test_jsonl_line_separator_inside_a_string_is_not_a_line_break() -> None:
    article = {"type": "faq", "question": "q", "answer": "第一段\u2028第二段\u0085"}
    [record] = parse_ok("kb.ndjson", json.dumps(article, ensure_ascii=False).encode() + b"\n")
    assert record.data == article


def test_empty_json_array_is_reported() -> None:
    assert one_problem("kb.json", b"\xef\xbb\xbf[]").message == "file contains no articles"
    assert one_problem("kb.json", b'{"items": []}').message == "file contains no articles"
