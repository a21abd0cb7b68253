"""indexer.highlight: snippets and matched terms."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.highlight import _find, highlight
from indexer.lexicon import HAN
from indexer.text import normalize_with_offsets
from indexer.tokenizer import Tokenizer, TokenizerConfig


def test_marks_terms_in_the_original_characters() -> None:
    snippet, terms = highlight("我的電腦開不了機，螢幕顯示藍屏", ["电脑", "开", "蓝屏"])
    assert snippet == "我的<em>電腦開</em>不了機，螢幕顯示<em>藍屏</em>"
    assert terms == ["电脑", "开", "蓝屏"]


def test_escapes_html_and_collapses_whitespace() -> None:
    snippet, terms = highlight("Error <b>E-102</b> &\n\n reboot", ["e-102", "reboot"])
    assert snippet == "Error &lt;b&gt;<em>E-102</em>&lt;/b&gt; &amp; <em>reboot</em>"
    assert terms == ["e-102", "reboot"]


def test_latin_terms_need_word_boundaries() -> None:
    snippet, terms = highlight("Pro product pro14 PRO", ["pro"])
    assert snippet == "<em>Pro</em> product pro14 <em>PRO</em>"
    assert terms == ["pro"]


def test_snippet_is_the_densest_window() -> None:
    text = "开头随便说点什么。" * 10 + "电池不充电时请检查电源适配器和电池健康度。" + "结尾的无关内容。" * 10
    snippet, terms = highlight(text, ["电池", "充电", "适配器"], max_len=40)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<em>电池</em>不<em>充电</em>时请检查电源<em>适配器</em>" in snippet
    assert len(snippet.replace("<em>", "").replace("</em>", "").strip("…")) <= 40
    assert terms == ["电池", "充电", "适配器"]


def test_no_match_gives_the_start_of_the_text() -> None:
    assert highlight("没有任何匹配的内容在这里", ["蓝屏"], max_len=5) == ("没有任何匹…", [])
    assert highlight("", ["a"]) == ("", [])
    assert highlight("text", []) == ("text", [])


def test_with_tokenizer_output() -> None:
    config = TokenizerConfig(
        user_words=("thinkpad x1 carbon",), synonyms=(("开不了机", "无法开机"),), char_ngrams=1
    )
    tokenizer = Tokenizer(config)
    query = tokenizer.tokenize_query("ThinkPad X1 Carbon 无法开机")
    snippet, terms = highlight("我的ThinkPad X1 Carbon笔记本无法开机", query)
    assert snippet == "我的<em>ThinkPad X1 Carbon</em>笔记本<em>无法开机</em>"
    assert terms == ["thinkpad x1 carbon", "无法", "开机"]  # features (≡…, #…) are not shown


def _reference_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """The definition, as one regex with look-arounds (slow to compile, so not used at query time)."""
    word = rf"[^\W_{HAN}]"
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        before = rf"(?<!{word})" if re.match(word, term[0]) else ""
        after = rf"(?!{word})" if re.match(word, term[-1]) else ""
        parts.append(before + re.escape(term) + after)
    norm, offsets = normalize_with_offsets(text)
    found = re.compile("|".join(parts)).finditer(norm)
    return [(offsets[m.start()], offsets[m.end() - 1] + 1, m.group()) for m in found]


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="ab1中文_ -。é", max_size=30),
    terms=st.lists(st.text(alphabet="ab1中文_ -", min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_matching_is_leftmost_longest_with_word_boundaries(text: str, terms: list[str]) -> None:
    unique = tuple(dict.fromkeys(terms))
    assert [tuple(s) for s in _find(text, unique)] == _reference_spans(text, unique)
