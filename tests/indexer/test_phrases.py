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


def test_split_keeps_order_and_drops_empty_pieces() -> None:
    m = PhraseMatcher(["x1 carbon"])
    assert m.split("x1 carbon电池") == [("x1 carbon", True), ("电池", False)]
    assert m.split("") == []
    assert PhraseMatcher([]).split("abc") == [("abc", False)]
    assert not PhraseMatcher([""])
