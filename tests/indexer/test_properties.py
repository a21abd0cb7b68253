"""Property tests: the tokenizer, the chunker and fusion take any text and any scores without failing
and keep their invariants (hypothesis generates Unicode of every category, emoji, control
characters, empty strings; a few fixed 100k-character inputs check the cost)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.chunking import chunk_article
from indexer.documents import Article
from indexer.fusion import rrf, weighted_fusion
from indexer.text import normalize
from indexer.tokenizer import Tokenizer, TokenizerConfig

TOKENIZER = Tokenizer(
    TokenizerConfig(user_words=("ThinkPad X1 Carbon", "小新Pro"), synonyms=(("开不了机", "无法开机"),))
)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=("Cs",)), max_size=400)
CJK_MIX = st.text(
    st.sampled_from(list("笔记本电脑开不了机蓝屏0x7B ThinkPad-X1。，！？\n\t#-*1.😀\u200b\x00\x1f")),
    max_size=400,
)
TEXTS = st.one_of(ANY_TEXT, CJK_MIX)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXTS)
def test_tokenizer_takes_any_text(text: str) -> None:
    for tokens in (TOKENIZER.tokenize(text), TOKENIZER.tokenize_query(text)):
        assert all(isinstance(t, str) and t and not t.isspace() for t in tokens)
    assert TOKENIZER.tokenize(text) == TOKENIZER.tokenize(text)  # deterministic
    assert normalize(normalize(text)) == normalize(text)  # normalisation is idempotent


@FAST
@given(
    title=TEXTS, body=TEXTS, answer=TEXTS, similar=st.lists(TEXTS, max_size=5), max_chars=st.integers(1, 600)
)
def test_chunker_takes_any_article(
    title: str, body: str, answer: str, similar: list[str], max_chars: int
) -> None:
    for article in (
        Article(1, "guide", title, body=body),
        Article(2, "faq", title, similar_questions=tuple(similar), answer=answer),
    ):
        chunks = chunk_article(article, max_chars)
        assert chunks == chunk_article(article, max_chars)
        assert [c.position for c in chunks] == list(range(len(chunks)))
        assert all(c.article_id == article.id and c.text.strip() for c in chunks)


@FAST
@given(
    st.lists(st.lists(st.integers(0, 50), max_size=30, unique=True), min_size=1, max_size=4),
    st.integers(1, 200),
)
def test_rrf_is_bounded_and_monotone(rankings: list[list[int]], k: int) -> None:
    scores = rrf(rankings, k=k)
    assert set(scores) == {d for r in rankings for d in r}
    assert all(0 < s <= len(rankings) / (k + 1) + 1e-12 for s in scores.values())
    for ranking in rankings:  # within one list, an earlier item never scores lower from that list
        for a, b in zip(ranking, ranking[1:], strict=False):
            if all((a in r) == (b in r) and (a not in r or r.index(a) < r.index(b)) for r in rankings):
                assert scores[a] >= scores[b]


@FAST
@given(
    st.lists(
        st.dictionaries(st.integers(0, 40), st.floats(-1e6, 1e6, allow_nan=False), max_size=30),
        min_size=1,
        max_size=3,
    )
)
def test_weighted_fusion_is_bounded(maps: list[dict[int, float]]) -> None:
    fused = weighted_fusion(maps, [1.0] * len(maps), "minmax")
    assert set(fused) == {d for m in maps for d in m}
    assert all(-1e-9 <= s <= len(maps) + 1e-9 for s in fused.values())


@pytest.mark.parametrize(
    "text",
    [
        "笔记本开不了机" * 15_000,  # 105k characters of Chinese
        "a" * 100_000,  # one 100k-character "word"
        "😀" * 100_000,
        ("0x0000007B i7-1360P E-102 " * 4_000)[:100_000],
        "\x00\x1f\u200b\n" * 25_000,
    ],
)
def test_long_inputs_stay_fast(text: str) -> None:
    started = time.perf_counter()
    TOKENIZER.tokenize(text)
    chunks = chunk_article(Article(1, "guide", "标题", body=text), 500)
    assert time.perf_counter() - started < 20  # generous on a shared 2-core machine; linear, not quadratic
    assert all(len(c.text) <= 500 + len("标题\n") for c in chunks if c.kind == "passage")


CODE_TEXT = st.text(st.sampled_from(list("ab xX1２Ｂ0x7B-E_.:：型号Ⅻⅰ蓝屏\u200b\n")), max_size=60)


@FAST
@given(CODE_TEXT, CODE_TEXT)
def test_an_articles_code_runs_hold_exactly_the_codes_of_its_text(body: str, query: str) -> None:
    """`article_codes` keeps only runs with a digit and a letter; every query code has both, so it is
    found there exactly when it is found in the article's normalised text."""
    from indexer.codes import article_codes
    from indexer.ranking import query_codes

    article = Article(id=1, type="faq", title="t", answer=body, similar_questions=(query[::-1],))
    text = normalize("\n".join([article.title, *article.similar_questions, article.answer]))
    for code in query_codes(normalize(query + " " + body)):
        assert (code in text) == (code in article_codes(article)), code
