"""Synthetic rewrites of a KB's own questions (`indexer.synthetic_questions`): seeded, never empty,
never the question itself, cut along the index tokenizer's words, and the answer's lead sentence as a
question."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.config import IndexConfig
from indexer.lexicon import NGRAM_PREFIX, STEM_PREFIX, SYNONYM_PREFIX
from indexer.synthetic_questions import join_units, lead_question, rewrite, split_units
from indexer.text import normalize
from indexer.tokenizer import Tokenizer

TOKENIZER = Tokenizer(IndexConfig().tokenizer)
QUESTIONS = [
    "笔记本电脑按电源键没有任何反应，开不了机怎么办？",
    "小新Pro14 怎么进入 BIOS 设置",
    "花呗付款 手续费是多少",
    "How do I reset my PIN?",
    "注销",
    "错误代码 0x0000007B 蓝屏",
]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words(text: str) -> list[str]:
    prefixes = (NGRAM_PREFIX, STEM_PREFIX, SYNONYM_PREFIX)
    return [t for t in TOKENIZER.tokenize(text) if not t.startswith(prefixes)]


def test_units_follow_the_index_words_and_join_back_to_the_text() -> None:
    question = "笔记本电脑按电源键没有任何反应，开不了机怎么办？"
    units = split_units(question, ["笔记本电脑", "电源", "反应", "怎么办"])
    assert units[:4] == [
        "笔记本电脑",
        "按",
        "电源",
        "键",
    ]  # the words, and Han text between them char by char
    assert units[-2:] == ["怎么办", "?"]
    assert join_units(units) == normalize(question)
    assert join_units(split_units(question, words(question))) == normalize(question)
    english = split_units("How do I reset my PIN?", words("How do I reset my PIN?"))
    assert english == ["how", "do", "i", "reset", "my", "pin", "?"]  # stop words stay as units
    assert join_units(english) == "how do i reset my pin?"
    assert split_units("小新Pro14 怎么进入BIOS", ["小新", "pro14", "bios"]) == [
        "小新",
        "pro14",
        "怎",
        "么",
        "进",
        "入",
        "bios",
    ]


def test_rewrites_are_seeded_and_change_the_question() -> None:
    for question in QUESTIONS:
        units = split_units(question, words(question))
        first = [rewrite(units, random.Random(7), edits=3) for _ in range(2)]
        assert first[0] == first[1]  # the same seed, the same rewrite
        others = {rewrite(units, random.Random(seed), edits=2).text for seed in range(20)}
        assert len(others) > 3, question  # different seeds, different rewrites
        for text in others:
            assert text.strip() and normalize(text) != normalize(question), (question, text)


def test_each_edit_does_what_it_says() -> None:
    units = ["电脑", "开", "不", "了", "机"]
    seen: dict[str, set[str]] = {}
    for seed in range(200):
        out = rewrite(units, random.Random(seed), edits=1, vocabulary=("屏幕",))
        seen.setdefault(out.edits[0], set()).add(out.text)
    assert {"drop", "swap", "add", "borrow", "shorten"} <= set(seen)
    assert seen["drop"] <= {"".join(units[:i] + units[i + 1 :]) for i in range(len(units))}
    assert all(sorted(t) == sorted("电脑开不了机") for t in seen["swap"])
    assert all("屏幕" in t for t in seen["borrow"])
    cores = {"".join(units[i : i + n]) for n in (2, 3) for i in range(len(units) - n + 1)}
    assert seen["shorten"] <= cores  # only the core: two or three neighbouring units of five
    for seed in range(50):
        out = rewrite(["错误", "代码", "2100"], random.Random(seed), edits=1)
        if out.edits == ("number",):
            digits = out.text.removeprefix("错误代码")
            assert digits != "2100" and len(digits) == 4 and digits.isdigit()
            break
    else:
        raise AssertionError("no seed in 50 changed the number")


@FAST
@given(
    st.text(st.sampled_from(list("笔记本电脑开不了机蓝屏 reset PIN 0x7B。，？12")), max_size=60),
    st.integers(0, 9),
)
def test_a_rewrite_of_any_question_is_not_empty_and_not_the_question(text: str, seed: int) -> None:
    units = split_units(text, words(text))
    out = rewrite(units, random.Random(seed), edits=seed % 4 + 1, vocabulary=("屏幕", "wifi"))
    assert out.text.strip() and out.edits
    assert out.text != join_units(units)
    assert rewrite(units, random.Random(seed), edits=seed % 4 + 1, vocabulary=("屏幕", "wifi")) == out


def test_the_answer_lead_sentence_becomes_a_question() -> None:
    answer = "请先长按电源键10秒强制关机。然后接上原装适配器再开机。"
    assert lead_question(answer, "电脑开不了机怎么办") == "请先长按电源键10秒强制关机吗"
    assert lead_question("Open Cards > PIN in the app. Then pick one.", "reset PIN") == (
        "Open Cards > PIN in the app?"
    )
    assert lead_question("电脑开不了机怎么办", "电脑开不了机怎么办") is None  # the question itself
    assert lead_question("", "问题") is None and lead_question("好。", "问题") is None
