"""Markdown, HTML and DOCX documents: one article per file."""

from __future__ import annotations

import io

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from kb_service.importing import parse_upload
from tests.kb_service.importing.builders import docx_bytes, one_problem, parse_ok

MD_WITH_FRONT_MATTER = """---
title: 更换笔记本电池
分类: repair
products: [ThinkPad X1, 小新 Pro]
tags: 电池、更换
external_id: 1024
status: 已发布
valid_from: 2024-01-01
layout: post
---
# 这个标题留在正文里

1. 关机并拔掉电源
2. 拆下后盖
"""


def test_markdown_with_front_matter() -> None:
    [record] = parse_ok("docs/battery.md", MD_WITH_FRONT_MATTER.encode())
    assert record.row == 1
    assert record.data == {
        "type": "guide",
        "title": "更换笔记本电池",
        "category": "repair",
        "products": ["ThinkPad X1", "小新 Pro"],
        "tags": ["电池", "更换"],
        "external_id": "1024",
        "status": "published",
        "valid_from": "2024-01-01",
        "body": "# 这个标题留在正文里\n\n1. 关机并拔掉电源\n2. 拆下后盖",
    }


def test_markdown_without_front_matter_takes_the_first_h1() -> None:
    text = "intro line\n\n```\n# not a heading\n```\n\n# 蓝屏排查 #\n\n## 步骤\n重启\r\n"
    [record] = parse_ok("bsod.markdown", text.encode())
    assert record.data == {
        "type": "guide",
        "title": "蓝屏排查",
        "body": "intro line\n\n```\n# not a heading\n```\n\n\n## 步骤\n重启",
    }


def test_markdown_title_falls_back_to_setext_heading_and_file_stem() -> None:
    [record] = parse_ok("a.md", "Wi-Fi 断线\n=========\n\n重启路由器".encode())
    assert (record.data["title"], record.data["body"]) == ("Wi-Fi 断线", "重启路由器")
    [record] = parse_ok("如何连接蓝牙.md", "## 步骤\n打开设置".encode())
    assert (record.data["title"], record.data["body"]) == ("如何连接蓝牙", "## 步骤\n打开设置")


def test_markdown_faq_from_front_matter() -> None:
    text = (
        "---\ntype: faq\nquestion: 怎么开发票\nsimilar_questions:\n  - 发票怎么开\n  - 能开票吗\n---\n"
        "在订单页申请。\n"
    )
    [record] = parse_ok("invoice.md", text.encode())
    assert record.data == {
        "type": "faq",
        "question": "怎么开发票",
        "similar_questions": ["发票怎么开", "能开票吗"],
        "answer": "在订单页申请。",
    }


def test_bad_front_matter() -> None:
    problem = one_problem("bad.md", b"---\ntitle: [unclosed\n---\nbody")
    assert problem.message.startswith("invalid front matter at line 3:")
    assert problem.row == 1
    assert "mapping" in one_problem("list.md", b"---\n- a\n- b\n---\nbody").message
    assert "no closing" in one_problem("open.md", b"---\ntitle: x\nbody").message
    problem = one_problem("nested.md", b"---\ntags:\n  - {a: 1}\n---\nbody")
    assert (problem.field, problem.message) == ("tags", "'tags' must be a list of texts")
    assert (
        "invalid front matter"
        in one_problem("evil.md", b"---\nx: !!python/object/apply:os.system [ls]\n---\n").message
    )


HTML = """<!doctype html>
<html><head><meta charset="gbk"><title>页面标题</title><style>p {color: red}</style></head>
<body><nav><a href="/">首页</a></nav>
<h1>更换 <b>电池</b></h1>
<p>操作前请<strong>关机</strong>。<br>并拔掉电源。</p>
<h2>准备</h2>
<ul><li>螺丝刀</li><li>新电池<ul><li>型号 <code>L19M4PC</code></li></ul></li></ul>
<h3>步骤</h3>
<ol><li>拆下后盖</li><li>取出旧电池</li></ol>
<table><tr><th>型号</th><th>容量</th></tr><tr><td>L19</td><td>57Wh</td></tr></table>
<script>alert("x")</script>
</body></html>"""


def test_html_with_lists_and_headings() -> None:
    [record] = parse_ok("battery.html", HTML.encode("gbk"))
    assert record.data == {
        "type": "guide",
        "title": "更换 电池",
        "body": (
            "操作前请**关机**。\n并拔掉电源。\n\n## 准备\n\n- 螺丝刀\n- 新电池\n  - 型号 `L19M4PC`\n\n"
            "### 步骤\n\n1. 拆下后盖\n2. 取出旧电池\n\n| 型号 | 容量 |\n| --- | --- |\n| L19 | 57Wh |"
        ),
    }


def test_html_title_falls_back_to_title_tag_then_stem() -> None:
    [record] = parse_ok("p.htm", b"<html><head><title> Reset  password </title></head><body><p>x</p></body>")
    assert record.data["title"] == "Reset password"
    [record] = parse_ok("reset.html", b"<p>Go to <i>settings</i></p>")
    assert record.data == {"type": "guide", "title": "reset", "body": "Go to settings"}


def test_docx_with_headings_lists_and_table() -> None:
    content = docx_bytes(
        [
            ("Title", "无法开机排查"),
            ("Normal", "适用于所有笔记本。"),
            ("Heading 2", "检查电源"),
            ("List Bullet", "确认适配器指示灯亮"),
            ("List Bullet 2", "换一个插座"),
            ("Heading 3", "强制重启"),
            ("List Number", "拔掉电源"),
            ("List Number", "长按电源键 10 秒"),
            ("table", "型号,按键;X1,电源键"),
        ]
    )
    [record] = parse_ok("开机.docx", content)
    assert record.data == {
        "type": "guide",
        "title": "无法开机排查",
        "body": (
            "适用于所有笔记本。\n\n## 检查电源\n\n- 确认适配器指示灯亮\n   - 换一个插座\n\n### 强制重启\n\n"
            "1. 拔掉电源\n2. 长按电源键 10 秒\n\n| 型号 | 按键 |\n| --- | --- |\n| X1 | 电源键 |"
        ),
    }


def test_docx_without_title_uses_file_stem() -> None:
    [record] = parse_ok("x/恢复出厂设置.docx", docx_bytes([("Normal", "打开设置"), ("Heading 1", "注意")]))
    assert record.data == {"type": "guide", "title": "注意", "body": "打开设置"}
    [record] = parse_ok("x/恢复出厂设置.docx", docx_bytes([("Normal", "打开设置")]))
    assert record.data["title"] == "恢复出厂设置"


def test_corrupt_docx() -> None:
    content = docx_bytes([("Title", "t"), ("Normal", "body")])
    for broken in (content[: len(content) // 2], content[:-40], b"PK\x03\x04" + b"\x00" * 200):
        records, problems = parse_upload("guide.docx", broken)
        assert records == []
        assert [p.message for p in problems] == [
            "could not read DOCX: file is truncated or not a valid Word document"
        ]
    assert one_problem("guide.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50).message == (
        "file content is a PNG image, not DOCX"
    )


def test_gbk_markdown() -> None:
    [record] = parse_ok("gbk.md", "# 蓝牙连不上\n\n请先删除配对记录，然后重新配对。".encode("gbk"))
    assert record.data == {"type": "guide", "title": "蓝牙连不上", "body": "请先删除配对记录，然后重新配对。"}


def test_docx_lists_from_word_numbering_definitions() -> None:
    document = docx.Document()
    document.add_paragraph("重置网络", style="Heading 1")
    for num_id, level, text in [("5", "0", "打开设置"), ("5", "0", "选择网络"), ("1", "1", "可选：记下密码")]:
        paragraph = document.add_paragraph(text, style="List Paragraph")
        num_pr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            num_pr.append(child)
        paragraph._p.get_or_add_pPr().append(num_pr)
    buffer = io.BytesIO()
    document.save(buffer)
    [record] = parse_ok("net.docx", buffer.getvalue())
    assert record.data == {
        "type": "guide",
        "title": "重置网络",
        "body": "1. 打开设置\n2. 选择网络\n   - 可选：记下密码",
    }
