"""CSV, TSV and XLSX: headers in English or Chinese, encodings, delimiters and cell splitting."""

from __future__ import annotations

from datetime import datetime

from kb_service.importing import parse_upload
from tests.kb_service.importing.builders import docx_bytes, one_problem, parse_ok, xlsx_bytes

CN_CSV = (
    "编号,类型,标准问题,相似问题,答案,微信答案,分类,适用产品,标签,状态,生效时间,失效时间\n"
    'F-1,问答,笔记本开不了机怎么办,"开不了机|无法开机\n不开机",长按电源键10秒。,按住电源键哦,repair,'
    "ThinkPad X1、小新 Pro,电源，开机,已发布,2024-01-01,\n"
)


def test_utf8_csv_with_chinese_headers() -> None:
    [record] = parse_ok("faq.csv", CN_CSV.encode("utf-8"))
    assert record.file == "faq.csv"
    assert record.row == 2
    assert record.data == {
        "external_id": "F-1",
        "type": "faq",
        "question": "笔记本开不了机怎么办",
        "similar_questions": ["开不了机", "无法开机", "不开机"],
        "answer": "长按电源键10秒。",
        "channel_answers": {"wechat": "按住电源键哦"},
        "category": "repair",
        "products": ["ThinkPad X1", "小新 Pro"],
        "tags": ["电源", "开机"],
        "status": "published",
        "valid_from": "2024-01-01",
        "valid_to": None,
    }


def test_gbk_csv_from_chinese_excel() -> None:
    # Short GBK text that charset-normalizer on its own scores as Korean cp949.
    content = "问题,答案\r\n开不了机怎么办,长按电源键10秒\r\n蓝牙连不上,重新配对\r\n".encode("gbk")
    records = parse_ok("导出.csv", content)
    assert [r.data for r in records] == [
        {"question": "开不了机怎么办", "answer": "长按电源键10秒", "type": "faq"},
        {"question": "蓝牙连不上", "answer": "重新配对", "type": "faq"},
    ]
    assert [r.row for r in records] == [2, 3]


def test_gb18030_csv_with_more_columns() -> None:
    content = CN_CSV.encode("gb18030")
    [record] = parse_ok("faq.csv", content)
    assert record.data["similar_questions"] == ["开不了机", "无法开机", "不开机"]


def test_utf8_bom_header_is_clean() -> None:
    content = b"\xef\xbb\xbf" + "question,answer\n重置密码,点击忘记密码\n".encode()
    [record] = parse_ok("faq.csv", content)
    assert record.data == {"question": "重置密码", "answer": "点击忘记密码", "type": "faq"}


def test_semicolon_csv_keeps_commas_in_cells() -> None:
    content = "question;answer;tags\n如何退货？;先登录，再申请退货, 然后寄回;退货|售后\n".encode()
    [record] = parse_ok("faq.csv", content)
    assert record.data["answer"] == "先登录，再申请退货, 然后寄回"
    assert record.data["tags"] == ["退货", "售后"]


def test_tsv_and_utf16_unicode_text_export() -> None:
    text = "标准问\t扩展问\t标准答案\n怎么开发票\t发票怎么开｜能开发票吗\t在订单页申请\n"
    for content in (text.encode("utf-8"), text.encode("utf-16")):
        [record] = parse_ok("faq.tsv", content)
        assert record.data["similar_questions"] == ["发票怎么开", "能开发票吗"]
        assert record.data["answer"] == "在订单页申请"


def test_header_hints_channels_and_case() -> None:
    content = (
        "Question*,相似问题（多个用|分隔）,ANSWER,APP答案,Answer_Phone,邮件答案\n"
        "q,a|b,ans,app text,,mail text\n"
    ).encode()
    [record] = parse_ok("faq.csv", content)
    assert record.data["similar_questions"] == ["a", "b"]
    assert record.data["channel_answers"] == {"app": "app text", "email": "mail text"}


def test_mixed_sheet_infers_type_and_drops_the_other_types_empty_cells() -> None:
    content = (
        "type,question,answer,title,body,status\n"
        ",怎么开机,按电源键,,,草稿\n"
        ',,,更换电池,"## 步骤\n1. 关机",归档\n'
        "guide,,,显式指南,正文,\n"
    ).encode()
    records = parse_ok("mixed.csv", content)
    assert [r.data for r in records] == [
        {"type": "faq", "question": "怎么开机", "answer": "按电源键", "status": "draft"},
        {"type": "guide", "title": "更换电池", "body": "## 步骤\n1. 关机", "status": "archived"},
        {"type": "guide", "title": "显式指南", "body": "正文", "status": None},
    ]


def test_empty_rows_are_skipped_and_row_numbers_follow_the_sheet() -> None:
    content = b"question,answer\n,\nq1,a1\n\n  ,  \nq2,a2\n"
    records = parse_ok("faq.csv", content)
    assert [(r.row, r.data["question"]) for r in records] == [(3, "q1"), (6, "q2")]


def test_unknown_columns_are_ignored_next_to_known_ones() -> None:
    [record] = parse_ok("faq.csv", b"question,answer,remark\nq,a,internal note\n")
    assert record.data == {"question": "q", "answer": "a", "type": "faq"}


def test_no_recognised_column_names_what_is_expected() -> None:
    problem = one_problem("faq.csv", b"foo,bar\n1,2\n")
    assert problem.row == 1
    assert "'foo', 'bar'" in problem.message
    assert "question" in problem.message and "similar_questions" in problem.message


def test_duplicate_columns() -> None:
    problem = one_problem("faq.csv", "问题,标准问题,答案\na,b,c\n".encode())
    assert (problem.row, problem.field) == (1, "question")
    assert "'问题' and '标准问题'" in problem.message


def test_banner_row_above_the_header() -> None:
    [record] = parse_ok("faq.csv", "FAQ 导入模板,,\n标准问题,答案,\n怎么开机,按电源键,\n".encode())
    assert record.row == 3


def test_row_with_unquoted_delimiter_is_reported() -> None:
    records, problems = parse_upload("faq.csv", b"question,answer\nq1,a1\nq2,a, with comma\n")
    assert [r.row for r in records] == [2]
    assert problems[0].row == 3
    assert "3 cells but the header has 2 columns" in problems[0].message


def test_header_without_rows_and_empty_file() -> None:
    assert "no article rows" in one_problem("faq.csv", b"question,answer\n").message
    assert one_problem("faq.csv", b"").message == "file is empty"


def test_xlsx_cells_are_converted_to_text() -> None:
    content = xlsx_bytes(
        [
            ["编号", "标准问题", "相似问题", "答案", "产品", "生效时间", "状态"],
            [
                1001,
                "怎么开机",
                "开不了机\n无法开机",
                "按电源键\n再等等",
                2024.0,
                datetime(2024, 3, 1, 8, 30),
                "发布",
            ],
            [None, None, None, None, None, None, None],
            ["F-2", "  蓝屏  ", None, "重启", "A|B", None, None],
        ]
    )
    records = parse_ok("faq.xlsx", content)
    assert [r.row for r in records] == [2, 4]
    assert records[0].data == {
        "external_id": "1001",
        "type": "faq",
        "question": "怎么开机",
        "similar_questions": ["开不了机", "无法开机"],
        "answer": "按电源键\n再等等",
        "products": ["2024"],
        "valid_from": "2024-03-01T08:30:00",
        "status": "published",
    }
    assert records[1].data["question"] == "蓝屏"
    assert records[1].data["similar_questions"] == []
    assert records[1].data["valid_from"] is None


def test_truncated_xlsx() -> None:
    content = xlsx_bytes([["question", "answer"], ["q", "a"]])
    for cut in (len(content) // 2, len(content) - 30, 100):
        problem = one_problem("faq.xlsx", content[:cut])
        assert problem.message == "could not read XLSX: file is truncated or not a valid Excel workbook"
        assert problem.row is None


def test_xlsx_that_is_really_text_or_a_docx() -> None:
    assert one_problem("faq.xlsx", b"question,answer\nq,a\n").message == "file content is text, not XLSX"
    message = one_problem("faq.xlsx", docx_bytes([("Normal", "x")])).message
    assert message == "file content is a Word document (DOCX), not XLSX"


def test_damaged_utf8_is_reported_not_guessed() -> None:
    content = ("question,answer\n" + "怎么开机,按电源键\n" * 5).encode() + b"q\xff,a\n"
    problem = one_problem("faq.csv", content)
    assert problem.message.startswith("invalid UTF-8 at line 7 (byte ")
