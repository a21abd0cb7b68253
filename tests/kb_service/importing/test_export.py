"""Export writers: JSONL and XLSX read back through parse_upload to the same article fields."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import openpyxl

from kb_service.importing import articles_to_jsonl, articles_to_xlsx
from kb_service.importing.export import XLSX_COLUMNS
from tests.kb_service.importing.builders import parse_ok

SERVER = {
    "kb": "default",
    "version": 3,
    "created_at": "2024-05-01T08:00:00Z",
    "updated_at": "2024-05-02T08:00:00Z",
}
FAQ_FIELDS = ("type", "external_id", "question", "similar_questions", "answer", "channel_answers")
GUIDE_FIELDS = ("type", "external_id", "title", "body")
COMMON = ("category", "products", "tags", "status", "valid_from", "valid_to")

ARTICLES: list[dict[str, Any]] = [
    {
        "id": 1,
        **SERVER,
        "type": "faq",
        "external_id": "F-001",
        "question": "笔记本开不了机怎么办？",
        "similar_questions": ["开不了机", "无法开机", "按电源键没反应"],
        "answer": "1. 拔掉电源适配器\n2. 长按电源键 10 秒\n\n仍无法开机请联系售后。",
        "channel_answers": {"wechat": "长按电源键10秒试试哦 😀", "phone": "请您长按电源键十秒。"},
        "category": "repair",
        "products": ["ThinkPad X1 Carbon", "小新 Pro 14"],
        "tags": ["开机", "电源"],
        "status": "published",
        "valid_from": "2024-01-01T00:00:00+08:00",
        "valid_to": None,
    },
    {
        "id": 2,
        **SERVER,
        "type": "faq",
        "external_id": "00123",
        "question": "＝ 号开头的答案会变成公式吗",
        "similar_questions": [],
        "answer": "=SUM(A1:A3) 不会被计算\u2028第二行  ",
        "channel_answers": {},
        "category": None,
        "products": [],
        "tags": [],
        "status": "draft",
        "valid_from": None,
        "valid_to": "2030-12-31T23:59:59+00:00",
    },
    {
        "id": 3,
        **SERVER,
        "type": "guide",
        "external_id": "G-7",
        "title": "更换笔记本电池",
        "body": (
            "## 准备\n\n- 螺丝刀\n- 新电池\n\n## 步骤\n\n1. 关机\n2. 拆下后盖\n\n"
            "```\nfn + F2\n```\n\n| 型号 | 容量 |\n| --- | --- |"
        ),
        "category": "after_sales",
        "products": ["T14"],
        "tags": [],
        "status": "archived",
        "valid_from": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "valid_to": None,
    },
    {
        "id": 4,
        **SERVER,
        "type": "guide",
        "external_id": None,
        "title": "Wi-Fi 经常断线",
        "body": "重启路由器。",
        "category": "pre_sales",
        "products": [],
        "tags": ["网络"],
        "status": "published",
        "valid_from": None,
        "valid_to": None,
    },
]


def canonical(article: dict[str, Any]) -> dict[str, Any]:
    fields = (FAQ_FIELDS if article["type"] == "faq" else GUIDE_FIELDS) + COMMON
    out = {k: article[k] for k in fields}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in out.items()}


def test_jsonl_round_trip() -> None:
    content = articles_to_jsonl(ARTICLES)
    lines = content.decode("utf-8").split("\n")
    assert len(lines) == len(ARTICLES) + 1 and lines[-1] == ""
    assert "笔记本" in lines[0] and json.loads(lines[0])["id"] == 1
    records = parse_ok("export.jsonl", content)
    assert [r.row for r in records] == [1, 2, 3, 4]
    assert [r.data for r in records] == [canonical(a) for a in ARTICLES]


def test_xlsx_layout() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(articles_to_xlsx(ARTICLES)))
    assert workbook.sheetnames == ["articles"]
    rows = list(workbook["articles"].iter_rows(values_only=True))
    assert rows[0] == XLSX_COLUMNS
    assert rows[0][:5] == ("external_id", "type", "question", "similar_questions", "answer")
    first = dict(zip(XLSX_COLUMNS, rows[1], strict=True))
    assert first["similar_questions"] == "开不了机\n无法开机\n按电源键没反应"
    assert first["products"] == "ThinkPad X1 Carbon | 小新 Pro 14"
    assert first["answer_wechat"] == "长按电源键10秒试试哦 😀"
    second = dict(zip(XLSX_COLUMNS, rows[2], strict=True))
    assert second["answer"].startswith("=SUM") and second["external_id"] == "00123"


def test_xlsx_round_trip() -> None:
    records = parse_ok("export.xlsx", articles_to_xlsx(ARTICLES))
    assert [r.row for r in records] == [2, 3, 4, 5]
    assert [r.data for r in records] == [canonical(a) for a in ARTICLES]


def test_empty_exports() -> None:
    assert articles_to_jsonl([]) == b""
    rows = list(
        openpyxl.load_workbook(io.BytesIO(articles_to_xlsx([])))["articles"].iter_rows(values_only=True)
    )
    assert rows == [XLSX_COLUMNS]
