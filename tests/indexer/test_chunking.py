"""indexer.chunking: FAQ and guide chunks."""

from __future__ import annotations

import json

from indexer.chunking import Chunk, chunk_article
from indexer.documents import Article

from .sample_texts import SAMPLE_KB

GUIDE_BODY = """# 笔记本开不了机怎么办

开机前请先确认电源适配器已连接。

## 排查步骤
1. 长按电源键10秒，强制关机后再开机。
2. 拔掉所有外接设备（U盘、扩展坞），再试一次。
3. 如果屏幕显示蓝屏代码0x0000007B，请进入BIOS把硬盘模式改为AHCI。这一步需要重启电脑！\
然后按F2进入设置界面，找到Configuration选项，保存退出即可。

### 仍无法解决
请拨打 [400-990-8888](tel:4009908888) 联系**售后服务**。
"""


def guide(body: str = GUIDE_BODY, title: str = "笔记本开不了机怎么办") -> Article:
    return Article(id=7, type="guide", title=title, body=body)


def test_faq_chunks() -> None:
    faq = Article(
        id=3,
        type="faq",
        title="花呗怎么还款？",
        similar_questions=("花呗如何还款", "  ", "花呗怎么还款?", "怎么还花呗"),
        answer="打开支付宝，进入“我的-花呗”，点击“还款”即可。",
    )
    chunks = chunk_article(faq)
    assert [(c.kind, c.text) for c in chunks] == [
        ("question", "花呗怎么还款？"),
        ("similar", "花呗如何还款"),
        ("similar", "怎么还花呗"),  # blank and normalised duplicate left out
        ("answer", "花呗怎么还款？\n打开支付宝，进入“我的-花呗”，点击“还款”即可。"),
    ]
    assert [c.position for c in chunks] == [0, 1, 2, 3]
    assert all(c.article_id == 3 and c.sparse_text == c.text for c in chunks)
    assert chunks[-1].heading == "花呗怎么还款？"


def test_long_answer_is_split_at_sentences() -> None:
    answer = "第一句话说明情况。" * 10 + "Second sentence here. " * 5
    chunks = [
        c for c in chunk_article(Article(1, "faq", "问题", answer=answer), max_chars=40) if c.kind == "answer"
    ]
    bodies = [c.text.split("\n", 1)[1] for c in chunks]
    assert all(len(b) <= 40 for b in bodies)
    assert all(b.endswith(("。", ".")) for b in bodies)
    assert "".join(bodies).replace(" ", "") == answer.replace(" ", "")


def test_guide_passages_are_heading_aware_and_carry_the_title() -> None:
    passages = chunk_article(guide(), max_chars=60)
    assert {c.kind for c in passages} == {"passage"}  # no title-only chunk: every passage carries the title
    assert passages[0] == Chunk(
        7,
        "passage",
        "笔记本开不了机怎么办\n开机前请先确认电源适配器已连接。",
        "笔记本开不了机怎么办\n开机前请先确认电源适配器已连接。",
        "",
        0,
    )
    assert [c.heading for c in passages] == ["", "排查步骤", "排查步骤", "排查步骤", "排查步骤 > 仍无法解决"]
    assert passages[1].text == (
        "笔记本开不了机怎么办\n排查步骤\n1. 长按电源键10秒，强制关机后再开机。\n"
        "2. 拔掉所有外接设备（U盘、扩展坞），再试一次。"
    )
    assert passages[-1].text.endswith("请拨打 400-990-8888 联系售后服务。")  # Markdown cleaned
    for c in passages:
        body = c.text.split("\n")[2 if c.heading else 1 :]
        assert len("\n".join(body)) <= 60
        assert c.text.startswith("笔记本开不了机怎么办\n")


def test_overlong_sentence_is_cut_only_when_needed() -> None:
    sentence = "这是一个没有任何标点的非常长的句子" * 10
    chunks = chunk_article(guide(body=sentence + "。短句。"), max_chars=50)
    bodies = [c.text.split("\n", 1)[1] for c in chunks if c.kind == "passage"]
    assert all(len(b) <= 50 for b in bodies)
    assert "".join(bodies) == sentence + "。短句。"


def test_empty_inputs_give_no_chunks() -> None:
    assert chunk_article(Article(1, "faq", "", similar_questions=("", " "), answer="  ")) == []
    assert chunk_article(Article(1, "guide", "", body="\n\n#  \n\n")) == []
    only_title = chunk_article(Article(1, "guide", "标题", body="标题"))
    assert [c.kind for c in only_title] == ["title"]


def test_chunking_is_deterministic_on_the_sample_kb() -> None:
    for path in sorted(SAMPLE_KB.glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            row = json.loads(line)
            article = Article(
                id=i,
                type=row["type"],
                title=row.get("question") or row.get("title", ""),
                similar_questions=tuple(row.get("similar_questions", ())),
                answer=row.get("answer", ""),
                body=row.get("body", ""),
            )
            chunks = chunk_article(article)
            assert chunks == chunk_article(article)
            assert chunks and all(c.text.strip() for c in chunks)
            assert [c.position for c in chunks] == list(range(len(chunks)))


def test_paragraph_of_short_lines_gets_dense_only_line_chunks() -> None:
    body = "How do I get a virtual card?\nWhere can I order a virtual card?\nIs a virtual card free?"
    chunks = chunk_article(Article(5, "guide", "virtual card", body=body))
    assert [c.kind for c in chunks] == ["passage", "line", "line", "line"]
    assert chunks[1].text == "virtual card\nHow do I get a virtual card?"
    assert all(c.sparse_text == "" for c in chunks[1:])  # BM25 reads the passage only
    assert chunks[0].sparse_text == chunks[0].text
    # steps, single lines and paragraphs with a long line stay passages only
    steps = chunk_article(guide(body="1. 长按电源键\n2. 拔掉外设\n3. 重新开机"))
    assert {c.kind for c in steps} == {"passage"}
    long_line = chunk_article(guide(body="短句一\n" + "很长的一行" * 70))
    assert {c.kind for c in long_line} == {"passage"}
