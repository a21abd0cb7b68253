"""What the product catalogue's tokenizer words alone do to BM25 on the sample KB.

Every FAQ phrasing of the sample KB is asked with its own chunk hidden (as in heldout_phrasings.py),
BM25 only, once as written and once with a model glued on the way customers type it (the first
alias of a catalogue product, spaces removed, in front: "X1C电脑开不了机怎么办"; the products rotate).
The index is built with the KB's dictionary (data/dict) alone, then with the dictionary plus the
words of data/dict/catalogue.json, exactly as `kb_service.indexing.source.tokenizer_config` unions
them. The entity ranking that uses the catalogue at query time is not involved.

    OMP_NUM_THREADS=1 python benchmarks/catalogue_tokens.py
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from indexer.build import build_segment
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer
from kb_service.indexing import source
from kb_service.models import KnowledgeBase
from kb_service.schemas.catalogue import Catalogue, Product
from kb_service.services.bootstrap import SAMPLE_DIR, read_dictionary


def sample_articles(folder: Path) -> list[Article]:
    rows = [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    return [
        Article(n, "faq", r["question"], tuple(r.get("similar_questions", ())), r["answer"])
        if r["type"] == "faq"
        else Article(n, "guide", r["title"], body=r.get("body", ""))
        for n, r in enumerate(rows, start=1)
    ]


def held_out(live: LiveIndex, asked: list[tuple[int, str, int]], glue: list[str]) -> dict[str, float]:
    top1, reciprocal = 0, 0.0
    for n, (position, text, article_id) in enumerate(asked):
        query = (glue[n % len(glue)] + text) if glue else text
        found = live.search(query, 10, mode="bm25", hold_out=frozenset([position])).fused
        ids = [f.article_id for f in found]
        top1 += bool(ids) and ids[0] == article_id
        reciprocal += 1 / (ids.index(article_id) + 1) if article_id in ids else 0.0
    return {"top1": round(top1 / len(asked), 4), "mrr@10": round(reciprocal / len(asked), 4)}


def main() -> None:
    dictionary = read_dictionary(SAMPLE_DIR / "dict")
    products: list[Product] = Catalogue.model_validate_json(
        (SAMPLE_DIR / "dict" / "catalogue.json").read_bytes()
    ).products
    glue = [(p.aliases[0] if p.aliases else p.name).replace(" ", "") for p in products]
    articles = sample_articles(SAMPLE_DIR / "sample_kb")
    stored = [p.model_dump() for p in products]
    for label, catalogue in (("dictionary", []), ("dictionary+catalogue", stored)):
        kb = KnowledgeBase(
            slug="sample", name="sample", user_words=dictionary.user_words, synonyms=dictionary.synonyms
        )
        kb.catalogue = catalogue
        config = replace(IndexConfig(), tokenizer=source.tokenizer_config(kb, IndexConfig().tokenizer))
        tokenizer = Tokenizer(config.tokenizer)
        segment = build_segment(articles, config, tokenizer, None)
        live = LiveIndex(segment, {a.id: a for a in articles}, config, tokenizer, "none")
        chunks = enumerate(segment.chunks)
        asked = [(i, c.text, c.article_id) for i, c in chunks if c.kind in ("question", "similar")]
        result = {
            "index": label,
            "user_words": len(config.tokenizer.user_words),
            "phrasings": len(asked),
            "as_written": held_out(live, asked, []),
            "model_glued": held_out(live, asked, glue),
        }
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
