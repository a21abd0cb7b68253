"""Exact matching of model numbers and error codes: which candidate articles contain a query's codes
(`ranking.query_codes`), from each live article's code-like runs kept in memory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from indexer.documents import Article
from indexer.text import code_runs

_HAS_DIGIT, _HAS_LETTER = re.compile(r"\d"), re.compile(r"[a-z]")


def article_codes(article: Article) -> str:
    """The code-like runs (`code_runs` with a digit and an ASCII letter) of all searchable text of an
    article, joined by spaces. A query code (`ranking.query_codes`) has a digit and a letter, so it
    occurs in the article's normalised text iff it occurs in one of these runs; plain English words
    are left out (they would copy an English KB's text into memory).
    """
    parts = [article.title, *article.similar_questions, article.answer, article.body, *article.products]
    runs = code_runs("\n".join(parts)).split(" ")
    return " ".join(r for r in runs if _HAS_DIGIT.search(r) and _HAS_LETTER.search(r))


class ArticleCodes:
    """The code-like runs of every live article, by id. Computed when the index loads (0.7 s for 19k
    FAQs) and on publish: computing them for a code query's ~200 candidates on first use cost ~7 ms
    per query at 100k chunks."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._runs = {a.id: (a.version, article_codes(a)) for a in articles}

    def update(self, upserts: Iterable[Article], removals: Iterable[int]) -> None:
        for article_id in removals:
            self._runs.pop(article_id, None)
        self._runs.update({a.id: (a.version, article_codes(a)) for a in upserts})

    def hits(
        self, articles: Mapping[int, Article], codes: tuple[str, ...], article_ids: Iterable[int]
    ) -> dict[int, tuple[str, ...]]:
        """The `codes` each of `article_ids` contains (articles with none are left out)."""
        if not codes:
            return {}
        out = {}
        for article_id in article_ids:
            runs = self._of(articles[article_id])
            found = tuple(c for c in codes if c in runs)
            if found:
                out[article_id] = found
        return out

    def _of(self, article: Article) -> str:
        version, runs = self._runs.get(article.id, (None, ""))
        if version != article.version:  # a state older or newer than the last update: kept from now on
            runs = article_codes(article)
            self._runs[article.id] = (article.version, runs)
        return runs
