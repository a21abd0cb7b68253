"""Turn fused article scores into the hit records clients see: title, matched question, snippet."""

from __future__ import annotations

from indexer.engine import LiveIndex, SearchOutcome
from indexer.highlight import highlight
from indexer.ranking import Hit

SNIPPET_CHARS = 120


def to_hits(index: LiveIndex, outcome: SearchOutcome) -> list[Hit]:
    hits = []
    for fused in outcome.fused:
        article = outcome.state.articles[fused.article_id]
        chunk = index.chunk(outcome.state, fused.chunk)
        if article.type == "faq":
            matched = chunk.text if chunk.kind in ("question", "similar") else article.title
            source = article.answer
        else:
            matched = None
            source = chunk.text if chunk.kind in ("passage", "line") else article.body
        snippet, found = highlight(source, outcome.query_tokens, SNIPPET_CHARS)
        hits.append(
            Hit(
                article_id=article.id,
                type=article.type,
                title=article.title,
                matched_question=matched,
                matched_kind=chunk.kind,
                snippet=snippet,
                highlights=found,
                score=round(fused.fused, 6),
                scores={"bm25": fused.bm25, "dense": fused.dense, "fused": fused.fused},
                category=article.category,
                products=list(article.products),
                tags=list(article.tags),
            )
        )
    return hits
