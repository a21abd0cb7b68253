"""Dump every DEV query's fusion inputs from a `kb eval` work dir, for fusion experiments offline.

`kb eval` builds the index and caches the embeddings in its work dir; this script opens that index
(no re-embedding), asks each query's BM25 and dense candidates exactly as `LiveIndex.search` does and
writes one JSON line per query: the query's tokens, the relevant external ids and, per candidate
article, its BM25 and dense scores, whether it has line chunks, and the tokens of its best chunk.

    kb eval ../shared/eval/lcqmc --work-dir var/eval/lcqmc
    OMP_NUM_THREADS=1 python benchmarks/fusion_dump.py ../shared/eval/lcqmc var/eval/lcqmc out.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from indexer.candidates import bm25_side, dense_articles, dense_fetch, dense_side
from indexer.filters import Filters
from indexer.ranking import best_per_article
from kb_service.indexing import IndexManager
from kb_service.services.evaluation import EVAL_KB, open_work_dir, query_vectors, read_beir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work_dir", type=Path, help="the --work-dir of an earlier `kb eval` run")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    _, queries, qrels = read_beir(args.dataset)
    with open_work_dir(args.work_dir) as (manager, external):
        dump(manager, external, queries, qrels, args.out)


def dump(
    manager: IndexManager,
    external: dict[int, str],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    out_path: Path,
) -> None:
    index = manager.indexes[EVAL_KB]
    live = index.live
    assert live is not None
    s = live.state
    items = list(queries.items())
    vectors = query_vectors(manager, [t for _, t in items])
    depth = live.config.fusion.depth
    lines = s.phrasing_articles
    with open(out_path, "w", encoding="utf-8") as out:
        for (qid, text), vector in zip(items, vectors, strict=True):
            tokens = live.tokenizer.tokenize_query(text)
            bm25 = best_per_article(bm25_side(s, tokens, depth, Filters(), None).hits)
            dense_chunks = dense_side(s, vector, dense_fetch(s, depth, Filters()), None).hits
            dense, _ = dense_articles(s, vector, dense_chunks, depth)
            cands = {}
            for article_id in bm25.keys() | dense.keys():
                b, d = bm25.get(article_id), dense.get(article_id)
                chunk = live.chunk(s, (b or d).chunk)  # type: ignore[union-attr]
                cands[external[article_id]] = {
                    "bm25": b.score if b else None,
                    "dense": d.score if d else None,
                    "lines": article_id in lines,
                    "tokens": index.tokenizer.tokenize(chunk.sparse_text or chunk.text),
                }
            line = {"qid": qid, "tokens": tokens, "relevant": qrels[qid], "candidates": cands}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
