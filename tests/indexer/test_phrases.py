"""indexer.phrases: longest-match phrase finding with word boundaries."""

from __future__ import annotations

from indexer.phrases import PhraseMatch, PhraseMatcher


def test_longest_match_wins() -> None:
    m = PhraseMatcher(["thinkpad x1", "thinkpad x1 carbon", "x1 carbon"])
    assert list(m.finditer("我的thinkpad x1 carbon电池")) == [PhraseMatch(2, 20, "thinkpad x1 carbon")]


def test_latin_phrases_need_word_boundaries() -> None:
    m = PhraseMatcher(["pro", "小新pro14"])
    assert [x.phrase for x in m.finditer("pro14 product pro 小新pro14 小新pro145")] == ["pro", "小新pro14"]


def test_han_phrases_match_anywhere() -> None:
    m = PhraseMatcher(["开不了机"])
    assert [(x.start, x.end) for x in m.finditer("电脑开不了机了")] == [(2, 6)]


def test_spaces_do_not_matter() -> None:
    m = PhraseMatcher(["x1carbon", "thinkpad x1 carbon", "小新pro14"])
    assert list(m.finditer("x1 carbon和thinkpadx1carbon")) == [
        PhraseMatch(0, 9, "x1carbon"),
        PhraseMatch(10, 26, "thinkpad x1 carbon"),
    ]
    assert [x.phrase for x in m.finditer("小新 pro14 小新 pro 145")] == ["小新pro14"]
    assert list(PhraseMatcher(["pro"]).finditer("pro 14")) == [PhraseMatch(0, 3, "pro")]


def test_split_keeps_order_and_drops_empty_pieces() -> None:
    m = PhraseMatcher(["x1carbon"])
    assert m.split("x1 carbon电池") == [("x1 carbon", "x1carbon"), ("电池", None)]
    assert m.split("") == []
    assert PhraseMatcher([]).split("abc") == [("abc", None)]
    assert not PhraseMatcher(["", " "])
