"""Bulk import and export through the real HTTP app: real files built here, a real database underneath.

Every rejected upload is checked for the error shape, for details naming file / row / field, and for
leaving the stored articles exactly as they were.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from kb_service.models import ImportRecord
from tests.conftest import Api, make_api
from tests.kb_service.helpers import FAQ, GUIDE, all_articles, create
from tests.kb_service.importing.builders import docx_bytes, xlsx_bytes, zip_bytes

CN_HEADER = ["标准问题", "相似问题", "答案", "分类", "产品", "标签"]
CN_ROWS = [
    [
        "电脑开不了机怎么办",
        "笔记本无法开机|按电源键没反应\n开机黑屏不亮",
        "1. 连接电源适配器充电30分钟；2. 长按电源键10秒后再开机。",
        "repair",
        "小新 Pro 14|ThinkPad X1 Carbon",
        "开机|黑屏",
    ],
    [
        "如何申请电子发票",
        "发票怎么开\n电子发票在哪里下载",
        "在订单详情页点击“申请发票”。",
        "billing",
        "",
        "发票",
    ],
]
SERVER_FIELDS = {"id", "kb", "version", "created_at", "updated_at", "created_by", "updated_by"}


# --- helpers -----------------------------------------------------------------------------------


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def jsonl_bytes(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode()


def upload(
    api: Api,
    filename: str,
    content: bytes,
    *,
    kb: str = "default",
    role: str | None = "editor",
    **params: Any,
) -> Any:
    headers = api.headers(role) if role else {}
    query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
    return api.client.post(
        f"/v1/kbs/{kb}/imports", files={"file": (filename, content)}, params=query, headers=headers
    )


def imported(api: Api, filename: str, content: bytes, **params: Any) -> dict[str, Any]:
    r = upload(api, filename, content, **params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"created", "updated", "unchanged", "errors"} <= set(body)
    return body


def counts(result: dict[str, Any]) -> tuple[int, int, int]:
    return result["created"], result["updated"], result["unchanged"]


def error_of(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert err["code"] and err["message"] and isinstance(err["details"], list)
    return err


def rejected(
    api: Api, filename: str, content: bytes, expect: int = 422, *, kb: str = "default", **params: Any
) -> dict[str, Any]:
    """Upload, expect the error shape with row-level details, and check nothing stored changed."""
    before = all_articles(api, kb)
    err = error_of(upload(api, filename, content, kb=kb, **params), expect)
    if expect == 422:
        assert err["details"], err
        for detail in err["details"]:
            assert set(detail) == {"file", "row", "field", "message"}, detail
            assert detail["file"] and detail["message"], detail
    assert all_articles(api, kb) == before
    return err


def where(details: list[dict[str, Any]]) -> set[tuple[str, int | None, str | None]]:
    return {(d["file"], d["row"], d["field"]) for d in details}


def by_title(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a.get("question") or a["title"]: a for a in articles}


def content_of(article: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in article.items() if k not in SERVER_FIELDS}


def new_kb(api: Api, slug: str) -> None:
    r = api.client.post("/v1/kbs", json={"slug": slug, "name": slug}, headers=api.headers("admin"))
    assert r.status_code == 201, r.text


def build_api(tmp_path: Path, **overrides: Any) -> Iterator[Api]:
    from kb_service.app import create_app
    from kb_service.settings import Settings

    data_dir = tmp_path / "var"
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        load_sample_data=False,
        **overrides,
    )
    with TestClient(create_app(settings)) as client:
        yield make_api(client, data_dir)


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[Api]:
    """For format handling, where the database backend does not matter."""
    yield from build_api(tmp_path)


@pytest.fixture
def small_api(tmp_path: Path) -> Iterator[Api]:
    yield from build_api(tmp_path, max_upload_bytes=1024)


# --- CSV: create, match, update, dry run ------------------------------------------------------


def test_csv_with_chinese_headers_creates_faqs(api: Api) -> None:
    result = imported(api, "faqs.csv", csv_bytes([CN_HEADER, *CN_ROWS]))
    assert counts(result) == (2, 0, 0) and result["errors"] == []
    stored = by_title(all_articles(api))
    assert set(stored) == {"电脑开不了机怎么办", "如何申请电子发票"}
    boot = stored["电脑开不了机怎么办"]
    assert boot["type"] == "faq" and boot["status"] == "draft" and boot["version"] == 1
    assert boot["similar_questions"] == ["笔记本无法开机", "按电源键没反应", "开机黑屏不亮"]
    assert boot["answer"] == CN_ROWS[0][2]
    assert boot["category"] == "repair"
    assert boot["products"] == ["小新 Pro 14", "ThinkPad X1 Carbon"] and boot["tags"] == ["开机", "黑屏"]
    invoice = stored["如何申请电子发票"]
    assert invoice["similar_questions"] == ["发票怎么开", "电子发票在哪里下载"]
    assert invoice["category"] == "billing" and invoice["products"] == [] and invoice["tags"] == ["发票"]


def test_reimport_is_unchanged_and_edits_update_without_duplicates(api: Api) -> None:
    header = ["编号", *CN_HEADER]
    rows = [["faq-boot", *CN_ROWS[0]], ["faq-invoice", *CN_ROWS[1]]]
    assert counts(imported(api, "faqs.csv", csv_bytes([header, *rows]))) == (2, 0, 0)
    assert counts(imported(api, "faqs.csv", csv_bytes([header, *rows]))) == (0, 0, 2)

    # Matched by external_id: a new answer and even a reworded question update the same article.
    first = by_title(all_articles(api))["电脑开不了机怎么办"]
    edited = [
        ["faq-boot", "笔记本开不了机怎么办", *CN_ROWS[0][1:2], "先充电半小时。", *CN_ROWS[0][3:]],
        rows[1],
    ]
    result = imported(api, "faqs.csv", csv_bytes([header, *edited]))
    assert counts(result) == (0, 1, 1)
    after = all_articles(api)
    assert len(after) == 2
    boot = by_title(after)["笔记本开不了机怎么办"]
    assert boot["id"] == first["id"] and boot["version"] == 2 and boot["answer"] == "先充电半小时。"
    assert boot["external_id"] == "faq-boot"

    # Without external ids: matched by the exact standard question.
    plain = [[CN_ROWS[1][0], CN_ROWS[1][1], "登录App后在“我的订单”中申请。", *CN_ROWS[1][3:]]]
    result = imported(api, "plain.csv", csv_bytes([CN_HEADER, *plain]))
    assert counts(result) == (0, 1, 0)
    invoice = by_title(all_articles(api))["如何申请电子发票"]
    assert invoice["version"] == 2 and invoice["answer"] == "登录App后在“我的订单”中申请。"
    assert invoice["external_id"] == "faq-invoice"  # a file without ids keeps the stored one
    assert counts(imported(api, "plain.csv", csv_bytes([CN_HEADER, *plain]))) == (0, 0, 1)
    assert len(all_articles(api)) == 2
    versions = api.client.get(
        f"/v1/kbs/default/articles/{invoice['id']}/versions", headers=api.headers("editor")
    ).json()
    assert [v["version"] for v in versions["items"]] == [2, 1]


def test_dry_run_reports_changes_and_writes_nothing(api: Api) -> None:
    content = csv_bytes([CN_HEADER, *CN_ROWS])
    result = imported(api, "faqs.csv", content, dry_run=True)
    assert counts(result) == (2, 0, 0) and result["dry_run"] is True
    assert all_articles(api) == []

    imported(api, "faqs.csv", content)
    before = all_articles(api)
    changed = [
        CN_ROWS[0],
        [*CN_ROWS[1][:2], "新的答案", *CN_ROWS[1][3:]],
        ["新问题", "", "新答案", "", "", ""],
    ]
    result = imported(api, "faqs.csv", csv_bytes([CN_HEADER, *changed]), dry_run=True)
    assert counts(result) == (1, 1, 1)
    actions = {item["title"]: item["action"] for item in result["items"]}
    assert actions == {"电脑开不了机怎么办": "unchanged", "如何申请电子发票": "updated", "新问题": "created"}
    assert all_articles(api) == before


def test_faq_questions_stay_unique_across_imports(api: Api) -> None:
    header = ["external_id", "question", "answer"]
    first = csv_bytes([header, ["e1", "Q1", "a"], ["e2", "Q2", "b"]])
    assert counts(imported(api, "a.csv", first)) == (2, 0, 0)
    e1 = next(a["id"] for a in all_articles(api) if a["external_id"] == "e1")

    # two rows with one question, whatever their ids
    err = rejected(api, "b.csv", csv_bytes([header, ["e3", "Q3", "a"], ["e4", "Q3", "b"]]))
    assert where(err["details"]) == {("b.csv", 3, "question")} and "row 2" in err["details"][0]["message"]
    err = rejected(api, "b.csv", csv_bytes([header, ["e3", "Q3", "a"], ["", "Q3", "b"]]))
    assert where(err["details"]) == {("b.csv", 3, "question")}
    # a new id with a question another article has: neither a duplicate nor a silent take-over
    err = rejected(api, "c.csv", csv_bytes([header, ["e9", "Q1", "a"]]))
    assert where(err["details"]) == {("c.csv", 2, "question")}
    assert err["details"][0]["message"] == f"article {e1} (external_id 'e1') already has this question"
    # renaming into a question another article keeps
    err = rejected(api, "d.csv", csv_bytes([header, ["e1", "Q2", "a"]]))
    assert where(err["details"]) == {("d.csv", 2, "question")} and "'e2'" in err["details"][0]["message"]

    # swapping two questions in one upload is fine: neither keeps its old one
    result = imported(api, "e.csv", csv_bytes([header, ["e1", "Q2", "a"], ["e2", "Q1", "b"]]))
    assert counts(result) == (0, 2, 0)
    assert {a["external_id"]: a["question"] for a in all_articles(api)} == {"e1": "Q2", "e2": "Q1"}


# --- bad rows: all or nothing, partial ----------------------------------------------------------

BAD_HEADER = ["标准问题", "相似问题", "答案", "分类", "生效时间", "失效时间"]
BAD_ROWS = [
    ["好问题一", "好一", "好答案", "repair", "", ""],  # row 2
    ["", "没有标准问题", "有答案", "repair", "", ""],  # row 3: empty question
    ["坏分类", "", "答案", "marketing", "", ""],  # row 4: unknown category
    ["坏日期", "", "答案", "repair", "2026-05-01", "2026-04-01"],  # row 5: valid_to before valid_from
    ["超长答案", "", "长" * 20_001, "repair", "", ""],  # row 6: answer over 20,000 characters
    ["太多相似问", "|".join(f"相似问{i}" for i in range(10_000)), "答案", "repair", "", ""],  # row 7
    ["好问题二", "", "好答案二", "after_sales", "2026-01-01", "2026-12-31"],  # row 8
]
EXPECTED_BAD = {
    ("bad.csv", 3, "question"),
    ("bad.csv", 4, "category"),
    ("bad.csv", 5, "valid_to"),
    ("bad.csv", 6, "answer"),
    ("bad.csv", 7, "similar_questions"),
}


def test_bad_rows_reject_the_whole_upload_listing_every_problem(api: Api) -> None:
    existing = create(api, FAQ)
    err = rejected(api, "bad.csv", csv_bytes([BAD_HEADER, *BAD_ROWS]))
    assert err["code"] == "invalid_input" and "nothing was written" in err["message"]
    assert where(err["details"]) == EXPECTED_BAD
    messages = {d["field"]: d["message"] for d in err["details"]}
    assert "marketing" in messages["category"]
    assert "20000" in messages["answer"] and "10000" in messages["similar_questions"]
    assert "valid_from" in messages["valid_to"]
    assert all_articles(api) == [existing]


def test_partial_writes_good_rows_and_reports_bad_ones(api: Api) -> None:
    result = imported(api, "bad.csv", csv_bytes([BAD_HEADER, *BAD_ROWS]), partial=True)
    assert counts(result) == (2, 0, 0)
    assert where(result["errors"]) == EXPECTED_BAD
    stored = by_title(all_articles(api))
    assert set(stored) == {"好问题一", "好问题二"}
    assert stored["好问题二"]["valid_from"].startswith("2026-01-01")
    assert stored["好问题二"]["valid_to"].startswith("2026-12-31")


def test_duplicate_rows_in_one_upload_are_reported(sqlite_api: Api) -> None:
    rows = [CN_HEADER, CN_ROWS[0], CN_ROWS[1], CN_ROWS[0]]
    err = rejected(sqlite_api, "dup.csv", csv_bytes(rows))
    assert where(err["details"]) == {("dup.csv", 4, "question")}
    assert "row 2" in err["details"][0]["message"]


# --- file formats -------------------------------------------------------------------------------


def test_gbk_csv_from_chinese_excel_is_decoded(sqlite_api: Api) -> None:
    content = csv_bytes([CN_HEADER, *CN_ROWS], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert counts(imported(sqlite_api, "导出.csv", content)) == (2, 0, 0)
    boot = by_title(all_articles(sqlite_api))["电脑开不了机怎么办"]
    assert boot["similar_questions"] == ["笔记本无法开机", "按电源键没反应", "开机黑屏不亮"]
    assert boot["answer"] == CN_ROWS[0][2] and boot["products"] == ["小新 Pro 14", "ThinkPad X1 Carbon"]


def test_xlsx_upload(sqlite_api: Api) -> None:
    content = xlsx_bytes([["FAQ 导入模板"], CN_HEADER + ["状态"], *[[*row, "草稿"] for row in CN_ROWS]])
    result = imported(sqlite_api, "faqs.xlsx", content)
    assert counts(result) == (2, 0, 0)
    assert [(i["file"], i["row"]) for i in result["items"]] == [("faqs.xlsx", 3), ("faqs.xlsx", 4)]
    boot = by_title(all_articles(sqlite_api))["电脑开不了机怎么办"]
    assert boot["similar_questions"] == ["笔记本无法开机", "按电源键没反应", "开机黑屏不亮"]
    assert boot["tags"] == ["开机", "黑屏"] and boot["status"] == "draft"


def test_truncated_xlsx_is_422(sqlite_api: Api) -> None:
    create(sqlite_api, FAQ)
    content = xlsx_bytes([CN_HEADER, *CN_ROWS])
    err = rejected(sqlite_api, "faqs.xlsx", content[: len(content) // 2])
    assert err["details"][0]["file"] == "faqs.xlsx"
    assert "truncated" in err["details"][0]["message"] and "XLSX" in err["details"][0]["message"]


def test_png_named_csv_is_422(sqlite_api: Api) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    err = rejected(sqlite_api, "faqs.csv", png)
    assert where(err["details"]) == {("faqs.csv", None, None)}
    assert "PNG" in err["details"][0]["message"] and "not CSV" in err["details"][0]["message"]


def test_unsupported_extension_is_422(sqlite_api: Api) -> None:
    err = rejected(sqlite_api, "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    message = err["details"][0]["message"]
    assert err["details"][0]["file"] == "setup.exe"
    assert "unsupported file type '.exe'" in message and ".csv" in message and ".xlsx" in message


def test_malformed_json_and_wrong_types_name_the_row(sqlite_api: Api) -> None:
    err = rejected(sqlite_api, "bad.json", b'[{"question": "a", "answer": ')
    assert err["details"][0]["file"] == "bad.json" and "invalid JSON" in err["details"][0]["message"]
    lines = b'{"question": "q1", "answer": "a1"}\n{"question": "q2", "similar_questions": "x", "answer": 3}\n'
    err = rejected(sqlite_api, "bad.jsonl", lines)
    assert where(err["details"]) == {("bad.jsonl", 2, "similar_questions"), ("bad.jsonl", 2, "answer")}


def test_json_and_jsonl_uploads(sqlite_api: Api) -> None:
    faq = {**FAQ, "external_id": "faq-1", "valid_from": "2026-01-01T00:00:00+08:00"}
    result = imported(sqlite_api, "articles.json", json.dumps([faq, GUIDE], ensure_ascii=False).encode())
    assert counts(result) == (2, 0, 0)
    stored = by_title(all_articles(sqlite_api))
    assert stored[FAQ["question"]]["channel_answers"] == FAQ["channel_answers"]
    assert stored[FAQ["question"]]["valid_from"].startswith("2025-12-31T16:00:00")
    assert stored[GUIDE["title"]]["type"] == "guide" and stored[GUIDE["title"]]["body"] == GUIDE["body"]

    wrapped = json.dumps({"items": [faq]}, ensure_ascii=False).encode()
    assert counts(imported(sqlite_api, "articles.json", wrapped)) == (0, 0, 1)
    more = {**FAQ, "question": "屏幕闪烁怎么办", "similar_questions": ["屏幕一闪一闪"], "tags": []}
    result = imported(sqlite_api, "more.jsonl", jsonl_bytes([{**faq, "answer": "新答案"}, more]))
    assert counts(result) == (1, 1, 0)
    assert [(i["file"], i["row"]) for i in result["items"]] == [("more.jsonl", 1), ("more.jsonl", 2)]
    assert len(all_articles(sqlite_api)) == 3


MARKDOWN = """---
title: 蓝屏代码 0x0000007B 的处理
category: repair
products: [ThinkPad T14, 小新 Pro 16]
tags: 蓝屏, 硬盘
external_id: guide-bsod
---
# 忽略的标题

## 步骤
1. 进入 BIOS，将硬盘模式改为 AHCI。
2. 重启。
"""
HTML = """<html><head><meta charset="utf-8"><title>电池鼓包</title><script>var x=1;</script></head>
<body><h1>电池鼓包怎么办</h1><p>立即停止使用并<b>断开电源</b>。</p>
<h2>处理步骤</h2><ol><li>关机</li><li>联系售后更换电池</li></ol></body></html>"""


def test_markdown_with_front_matter_becomes_a_guide(sqlite_api: Api) -> None:
    assert counts(imported(sqlite_api, "bsod.md", MARKDOWN.encode())) == (1, 0, 0)
    (guide,) = all_articles(sqlite_api)
    assert guide["type"] == "guide" and guide["title"] == "蓝屏代码 0x0000007B 的处理"
    assert guide["category"] == "repair" and guide["external_id"] == "guide-bsod"
    assert guide["products"] == ["ThinkPad T14", "小新 Pro 16"] and guide["tags"] == ["蓝屏", "硬盘"]
    assert "## 步骤" in guide["body"] and "AHCI" in guide["body"]
    assert counts(imported(sqlite_api, "bsod.md", MARKDOWN.encode())) == (0, 0, 1)


def test_html_becomes_a_guide(sqlite_api: Api) -> None:
    assert counts(imported(sqlite_api, "battery.html", HTML.encode())) == (1, 0, 0)
    (guide,) = all_articles(sqlite_api)
    assert guide["type"] == "guide" and guide["title"] == "电池鼓包怎么办"
    assert "断开电源" in guide["body"] and "处理步骤" in guide["body"] and "联系售后更换电池" in guide["body"]
    assert "var x" not in guide["body"] and "<" not in guide["body"]
    # no external id: the same page again matches the guide by its title instead of duplicating it
    assert counts(imported(sqlite_api, "battery.html", HTML.encode())) == (0, 0, 1)
    edited = HTML.replace("联系售后更换电池", "到服务网点免费检测")
    assert counts(imported(sqlite_api, "battery.html", edited.encode())) == (0, 1, 0)
    (guide,) = all_articles(sqlite_api)
    assert guide["version"] == 2 and "免费检测" in guide["body"]


def test_docx_becomes_a_guide(sqlite_api: Api) -> None:
    content = docx_bytes(
        [
            ("Title", "屏幕闪烁排查"),
            ("Heading 1", "检查步骤"),
            ("List Number", "更新显卡驱动"),
            ("List Number", "调整刷新率为 60Hz"),
            ("Normal", "若仍闪烁，请联系售后。"),
        ]
    )
    assert counts(imported(sqlite_api, "flicker.docx", content)) == (1, 0, 0)
    (guide,) = all_articles(sqlite_api)
    assert guide["type"] == "guide" and guide["title"] == "屏幕闪烁排查"
    assert "检查步骤" in guide["body"] and "更新显卡驱动" in guide["body"] and "60Hz" in guide["body"]


def test_zip_of_several_files_imports_all_with_paths(sqlite_api: Api) -> None:
    content = zip_bytes(
        {
            "faqs/faqs.csv": csv_bytes([CN_HEADER, *CN_ROWS]),
            "faqs/more.jsonl": jsonl_bytes([{**FAQ, "question": "键盘失灵怎么办", "tags": []}]),
            "guides/bsod.md": MARKDOWN.encode(),
            "guides/battery.html": HTML.encode(),
            "guides/flicker.docx": docx_bytes([("Title", "屏幕闪烁排查"), ("Normal", "更新显卡驱动")]),
            "__MACOSX/._faqs.csv": b"\x00\x05\x16\x07",
        }
    )
    result = imported(sqlite_api, "bundle.zip", content)
    assert counts(result) == (6, 0, 0) and result["errors"] == []
    assert {i["file"] for i in result["items"]} == {
        "bundle.zip/faqs/faqs.csv",
        "bundle.zip/faqs/more.jsonl",
        "bundle.zip/guides/bsod.md",
        "bundle.zip/guides/battery.html",
        "bundle.zip/guides/flicker.docx",
    }
    stored = all_articles(sqlite_api)
    assert sorted(a["type"] for a in stored) == ["faq", "faq", "faq", "guide", "guide", "guide"]
    assert counts(imported(sqlite_api, "bundle.zip", content)) == (0, 0, 6)


def test_zip_member_problems_name_the_member(sqlite_api: Api) -> None:
    create(sqlite_api, FAQ)
    bad_csv = csv_bytes([CN_HEADER, ["", "x", "答案", "repair", "", ""]])
    err = rejected(
        sqlite_api, "bundle.zip", zip_bytes({"ok.csv": csv_bytes([CN_HEADER, *CN_ROWS]), "b.csv": bad_csv})
    )
    assert where(err["details"]) == {("bundle.zip/b.csv", 2, "question")}

    err = rejected(
        sqlite_api,
        "evil.zip",
        zip_bytes({"ok.csv": csv_bytes([CN_HEADER, *CN_ROWS]), "../evil.csv": bad_csv}),
    )
    assert len(err["details"]) == 1, err
    assert err["details"][0]["file"] == "evil.zip" and "'../evil.csv'" in err["details"][0]["message"]
    assert "unsafe path" in err["details"][0]["message"]


def _zip_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("faqs.csv", "w") as member:
        member.write("标准问题,答案\n".encode())
        chunk = b"0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_rejected_quickly(sqlite_api: Api) -> None:
    bomb = _zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    start = time.perf_counter()
    err = rejected(sqlite_api, "bomb.zip", bomb)
    assert time.perf_counter() - start < 2.0
    message = err["details"][0]["message"]
    assert err["details"][0]["file"] == "bomb.zip" and "zip bomb" in message and "faqs.csv" in message


# --- size limit, roles ---------------------------------------------------------------------------


def test_upload_over_small_limit_is_413(small_api: Api) -> None:
    existing = create(small_api, FAQ)
    content = csv_bytes([CN_HEADER, *CN_ROWS * 5])
    assert len(content) > 1024
    err = rejected(small_api, "faqs.csv", content, expect=413)
    assert (
        err["code"] == "payload_too_large" and "1024 bytes" in err["message"] and "faqs.csv" in err["message"]
    )
    # far over the limit: stopped by the body-size middleware, same shape
    err = rejected(small_api, "faqs.csv", content * 100, expect=413)
    assert err["code"] == "payload_too_large" and "upload is over the limit of 1024 bytes" in err["message"]
    small = csv_bytes([CN_HEADER, CN_ROWS[1]])
    assert len(small) < 1024
    assert counts(imported(small_api, "small.csv", small)) == (1, 0, 0)
    assert len(all_articles(small_api)) == 2 and existing in all_articles(small_api)


def test_upload_over_default_limit_is_413_naming_the_limit(sqlite_api: Api) -> None:
    limit = sqlite_api.client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    assert limit == 20 * 1024 * 1024
    content = csv_bytes([CN_HEADER, *CN_ROWS]) + b"x" * (limit + 1)
    err = rejected(sqlite_api, "huge.csv", content, expect=413)
    assert str(limit) in err["message"] and "huge.csv" in err["message"]


def test_roles_missing_key_and_unknown_kb(sqlite_api: Api) -> None:
    api = sqlite_api
    create(api, FAQ)
    content = csv_bytes([CN_HEADER, *CN_ROWS])
    for role in ("agent", "bot"):
        err = rejected(api, "faqs.csv", content, expect=403, role=role)
        assert err["code"] == "forbidden"
        for fmt in ("jsonl", "xlsx"):
            r = api.client.get(f"/v1/kbs/default/export?format={fmt}", headers=api.headers(role))
            assert error_of(r, 403)["code"] == "forbidden"
    assert rejected(api, "faqs.csv", content, expect=401, role=None)["code"] == "unauthorized"
    assert error_of(api.client.get("/v1/kbs/default/export"), 401)["code"] == "unauthorized"
    r = upload(api, "faqs.csv", content, kb="nowhere")
    assert "nowhere" in error_of(r, 404)["message"]
    r = api.client.get("/v1/kbs/nowhere/export", headers=api.headers("editor"))
    assert error_of(r, 404)["code"] == "not_found"
    r = api.client.get("/v1/kbs/default/export?format=pdf", headers=api.headers("editor"))
    assert error_of(r, 422)["code"] == "invalid_input"
    r = api.client.post("/v1/kbs/default/imports", headers=api.headers("editor"))
    assert error_of(r, 422)["details"][0]["field"] == "body.file"
    assert len(all_articles(api)) == 1


# --- status and review -------------------------------------------------------------------------


def _agent_titles(api: Api) -> set[str]:
    r = api.client.get("/v1/kbs/default/articles", headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return set(by_title(r.json()["items"]))


def _search(api: Api, query: str) -> list[str]:
    r = api.client.post(
        "/v1/kbs/default/search", json={"query": query, "mode": "bm25"}, headers=api.headers("agent")
    )
    assert r.status_code == 200, r.text
    return [hit["title"] for hit in r.json()["results"]]


def test_status_published_publishes_new_articles(api: Api) -> None:
    imported(api, "drafts.csv", csv_bytes([CN_HEADER, CN_ROWS[0]]))
    assert _agent_titles(api) == set()
    more = [
        ["屏幕闪烁怎么办", "", "更新显卡驱动。", "repair", "", ""],
        ["键盘失灵怎么办", "", "重启。", "", "", ""],
    ]
    result = imported(api, "live.csv", csv_bytes([CN_HEADER, *CN_ROWS, *more]), status="published")
    # only new articles take the given status; the existing draft stays as it is
    assert counts(result) == (3, 0, 1)
    assert _agent_titles(api) == {"如何申请电子发票", "屏幕闪烁怎么办", "键盘失灵怎么办"}
    statuses = {a["question"]: a["status"] for a in all_articles(api)}
    assert statuses["电脑开不了机怎么办"] == "draft" and statuses["如何申请电子发票"] == "published"
    # and they are searchable at once; the draft is not
    assert _search(api, "电子发票")[0] == "如何申请电子发票"
    assert "电脑开不了机怎么办" not in _search(api, "开不了机")
    r = upload(api, "x.csv", csv_bytes([CN_HEADER, CN_ROWS[0]]), status="archived")
    assert error_of(r, 422)["details"][0]["field"] == "query.status"


def test_require_review_only_admins_import_published(api: Api) -> None:
    r = api.client.put(
        "/v1/kbs/default/settings", json={"require_review": True}, headers=api.headers("admin")
    )
    assert r.status_code == 200, r.text
    content = csv_bytes([CN_HEADER, *CN_ROWS])
    err = rejected(api, "faqs.csv", content, status="published")
    assert where(err["details"]) == {("faqs.csv", 2, "status"), ("faqs.csv", 3, "status")}
    assert "review" in err["details"][0]["message"] and "admin" in err["details"][0]["message"]
    with_column = csv_bytes([[*CN_HEADER, "状态"], [*CN_ROWS[0], "已发布"], [*CN_ROWS[1], "草稿"]])
    err = rejected(api, "faqs.csv", with_column)
    assert where(err["details"]) == {("faqs.csv", 2, "status")}

    assert counts(imported(api, "faqs.csv", content)) == (2, 0, 0)  # drafts are fine for editors
    r = upload(api, "faqs.csv", content, role="admin", status="published")
    assert r.status_code == 200 and counts(r.json()) == (0, 0, 2), r.text  # status only sets new ones
    r = upload(api, "faqs.csv", with_column, role="admin")
    assert r.status_code == 200 and counts(r.json()) == (0, 1, 1), r.text
    assert _agent_titles(api) == {"电脑开不了机怎么办"}


# --- export and round trip ---------------------------------------------------------------------


def _rich_kb(api: Api) -> list[dict[str, Any]]:
    create(
        api,
        {
            **FAQ,
            "external_id": "faq-boot",
            "channel_answers": {"phone": "请先充电半小时。", "wechat": "先充电，再长按电源键[图片]"},
            "valid_from": "2026-01-01T00:00:00+00:00",
            "valid_to": "2026-12-31T23:59:59+00:00",
            "status": "published",
        },
    )
    create(
        api,
        {
            "question": "发票抬头可以修改吗",
            "similar_questions": ["发票开错了怎么办", "改发票抬头"],
            "answer": "开票后 30 天内可在订单页申请换开。\n\n注意：专票需寄回原件。",
            "category": "billing",
            "tags": ["发票", "售后"],
        },
    )
    create(api, {**FAQ, "question": "=1+1 这样的问题会被当成公式吗", "products": [], "answer": "0012"})
    create(api, {**GUIDE, "products": ["小新 Air 15", "YOGA 14s"], "valid_from": "2025-06-01T08:00:00+00:00"})
    return all_articles(api)


@pytest.mark.parametrize("fmt", ["jsonl", "xlsx"])
def test_export_imports_into_new_kb_equal_and_back_unchanged(api: Api, fmt: str) -> None:
    originals = _rich_kb(api)
    r = api.client.get(f"/v1/kbs/default/export?format={fmt}", headers=api.headers("editor"))
    assert r.status_code == 200, r.text
    assert "default." + fmt in r.headers["content-disposition"]
    if fmt == "jsonl":
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert len(r.content.decode().splitlines()) == 4
    else:
        assert r.content[:2] == b"PK"

    new_kb(api, "copy")
    result = imported(api, f"export.{fmt}", r.content, kb="copy")
    assert counts(result) == (4, 0, 0)
    copies = by_title(all_articles(api, "copy"))
    assert copies.keys() == by_title(originals).keys()
    for title, original in by_title(originals).items():
        assert content_of(copies[title]) == content_of(original), title
        assert copies[title]["kb"] == "copy" and copies[title]["version"] == 1

    again = imported(api, f"export.{fmt}", r.content)
    assert counts(again) == (0, 0, 4)
    assert all_articles(api) == originals


def test_import_record_stored_for_every_upload(api: Api) -> None:
    content = csv_bytes([CN_HEADER, *CN_ROWS])
    bad = csv_bytes([BAD_HEADER, *BAD_ROWS[:3]])
    imported(api, "a.csv", content, dry_run=True)
    imported(api, "a.csv", content)
    rejected(api, "bad.csv", bad)
    imported(api, "bad.csv", bad, partial=True)
    rejected(api, "pic.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        records = session.exec(select(ImportRecord).order_by(col(ImportRecord.id))).all()
    summary = [(r.filename, r.dry_run, r.partial, r.succeeded, r.created_by) for r in records]
    editor = "editor-key"  # the name of the key that uploaded
    assert summary == [
        ("a.csv", True, False, True, editor),
        ("a.csv", False, False, True, editor),
        ("bad.csv", False, False, False, editor),
        ("bad.csv", False, True, True, editor),
        ("pic.csv", False, False, False, editor),
    ]
    assert [r.size_bytes for r in records[:2]] == [len(content)] * 2
    assert records[1].result["created"] == 2 and records[1].result["errors"] == []
    assert len(records[2].result["errors"]) == 2 and records[3].result["created"] == 1
    assert len({r.sha256 for r in records}) == 3
