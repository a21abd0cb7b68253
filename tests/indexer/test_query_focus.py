"""The informative part of a long message, on the sample KB's real BM25 vocabulary."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import indexer.query_focus as query_focus
from indexer.build import build_segment
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.query_focus import FocusVocabulary, focus, fold, split_units, unit_scores
from indexer.segment import Segment
from indexer.tokenizer import Tokenizer, TokenizerConfig

DATA = Path(__file__).resolve().parents[2] / "data"
ORDER_MAIL = [
    "尊敬的客户您好，您的订单已于2024年5月3日发货，快递公司为顺丰速运。",
    "商品名称：笔记本电脑 2024款 16GB 1TB，数量1，单价5999元，实付5799元。",
    "收货人：张先生，收货地址：北京市海淀区上地十街10号。",
    "2024-05-03 10:21:35 WARN [pool-2] Connection retry 3/5 to 10.0.0.12:5432 timed out",
    "如有疑问请联系在线客服或拨打服务热线，感谢您的支持与信任。",
]


def _articles() -> list[Article]:
    out: list[Article] = []
    rows = [json.loads(line) for p in sorted((DATA / "sample_kb").glob("*.jsonl")) for line in p.open()]
    for i, r in enumerate(rows, 1):
        if r["type"] == "faq":
            similar = tuple(r.get("similar_questions", []))
            out.append(Article(i, "faq", r["question"], similar, r["answer"], products=tuple(r["products"])))
        else:
            out.append(Article(i, "guide", r["title"], body=r["body"], products=tuple(r["products"])))
    return out


def _user_words() -> list[str]:
    lines = (DATA / "dict" / "user_dict.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def segment() -> Segment:
    config = IndexConfig(tokenizer=TokenizerConfig(user_words=tuple(_user_words())))
    return build_segment(_articles(), config, Tokenizer(config.tokenizer), None)


@pytest.fixture(scope="module")
def vocabulary(segment: Segment) -> FocusVocabulary:
    products = [p for a in _articles() for p in a.products]
    return FocusVocabulary.from_segment(segment, [w.split()[0] for w in _user_words()] + products)


def _paste(question: str, chars: int, at: float = 0.5) -> str:
    filler = "\n".join(ORDER_MAIL[i % len(ORDER_MAIL)] for i in range(chars // 20))[:chars]
    cut = filler.rfind("\n", 0, int(len(filler) * at)) + 1
    return filler[:cut] + question + "\n" + filler[cut:]


def test_short_messages_are_returned_unchanged(vocabulary: FocusVocabulary) -> None:
    for text in ("电脑开不了机怎么办", "x" * query_focus.DEFAULT_BUDGET):
        found = focus(text, vocabulary)
        assert found.text == text and not found.focused and found.spans == ((0, len(text)),)


@pytest.mark.parametrize(
    ("question", "at"),
    [
        ("我的电脑开机蓝屏，代码0x0000007B，怎么处理？", 0.5),
        ("小新Pro14电池充不进电了", 0.2),
        ("请问发票怎么开？", 0.8),
        ("顺便问下，ThinkPad T14的BIOS怎么进入", 0.35),
    ],
)
def test_the_question_is_found_in_a_20000_character_paste(
    vocabulary: FocusVocabulary, question: str, at: float
) -> None:
    text = _paste(question, 20_000, at)
    found = focus(text, vocabulary)
    assert found.focused and len(found.text) <= query_focus.DEFAULT_BUDGET
    assert question in found.text, found.text
    assert found.text == " ".join(text[a:b] for a, b in found.spans)
    assert list(found.spans) == sorted(found.spans)  # message order


def test_the_last_sentence_with_a_kb_term_is_kept(vocabulary: FocusVocabulary) -> None:
    text = _paste("我的电脑开机蓝屏，代码0x0000007B。", 5_000, 0.3) + "另外保修期是多久？\n谢谢"
    found = focus(text, vocabulary)
    assert "保修期是多久？" in found.text and "0x0000007B" in found.text, found.text
    assert "谢谢" not in found.text  # no KB term in it: not the question


def test_without_kb_terms_the_end_of_the_message_is_kept(vocabulary: FocusVocabulary) -> None:
    text = "abc " * 300 + "the very end"
    for vocab in (vocabulary, None):
        found = focus(text, vocab, budget=40)
        assert found.text.endswith("the very end") and len(found.text) <= 40


def test_units_cover_sentences_within_the_limit() -> None:
    text = "第一句。第二句很长，" + "字" * 50 + "，结尾！\n\n  last line  "
    spans = split_units(text, 20)
    assert all(0 < b - a <= 20 for a, b in spans)
    assert text[spans[0][0] : spans[0][1]] == "第一句。" and text[spans[-1][0] : spans[-1][1]] == "last line"
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_fold_is_one_to_one() -> None:
    text = "ＴｈｉｎｋＰａｄ開不了機，藍屏ERROR"
    assert fold(text) == "thinkpad开不了机,蓝屏error"
    assert len(fold(text)) == len(text)


def test_scan_finds_terms_at_their_offsets_and_respects_word_boundaries(
    vocabulary: FocusVocabulary,
) -> None:
    text = fold("ThinkPad T14开不了机，蓝屏0x0000007B；thinkpadx ot14 the14")
    found = list(vocabulary.scan(text))
    assert all(text[i : i + len(term)] == term and w > 0 for i, term, w in found)
    terms = {term for _, term, _ in found}
    assert {"thinkpad", "t14", "0x0000007b"} <= terms
    starts = {i for i, term, _ in found if term in ("thinkpad", "t14")}
    assert starts == {0, 9}  # not inside "thinkpadx", "ot14" or "the14"


def test_a_term_repeated_on_every_line_weighs_less(vocabulary: FocusVocabulary) -> None:
    text = "蓝屏\n蓝屏\n蓝屏\n发票"
    units = split_units(text, 60)
    scores = unit_scores(fold(text), units, vocabulary)
    assert scores[0] == scores[1] == scores[2] < vocabulary.weight("蓝屏")
    assert scores[3] == pytest.approx(vocabulary.weight("发票"))


def test_a_20000_character_paste_is_not_tokenised(vocabulary: FocusVocabulary) -> None:
    """By construction: no function of the tokenizer, the word segmenter or jieba runs during focus."""
    text = _paste("我的电脑开机蓝屏，代码0x0000007B，怎么处理？", 20_000)
    modules: set[str] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            modules.add(frame.f_globals.get("__name__", ""))
        elif event == "c_call":
            modules.add(getattr(arg, "__module__", None) or "")

    sys.setprofile(profile)
    try:
        found = focus(text, vocabulary)
    finally:
        sys.setprofile(None)
    assert "0x0000007B" in found.text
    assert "indexer.query_focus" in modules  # the hook saw the work
    tokenizing = {"indexer.tokenizer", "indexer.word_segmenter", "jieba", "rjieba"}
    assert not {m for m in modules if m.split(".")[0] in tokenizing or m in tokenizing}, modules
    assert not hasattr(query_focus, "Tokenizer")


def test_vocabulary_shares_the_bm25_terms(segment: Segment, vocabulary: FocusVocabulary) -> None:
    assert vocabulary.columns is segment.bm25.vocab  # no copy of the vocabulary per KB
    assert len("小新pro14") in vocabulary.lengths["小新"] and vocabulary.weight("小新pro14") > 0
    assert vocabulary.weight("no-such-term") == 0.0
