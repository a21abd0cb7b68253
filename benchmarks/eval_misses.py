"""Print a seeded random sample of a `kb eval` run's hybrid misses, for judging them by hand.

A miss is a DEV query whose top hit is not labelled relevant. On sets whose labels are incomplete
(atec, bq, lcqmc: one labelled paraphrase per query, while the corpus holds others) many misses are
right answers; reading a sample says how many. Each line shows the query, the top hit and the first
labelled document with its rank (`-` when it is not in the top 10). No re-embedding: the work dir's
index and embedding cache are reused.

    kb eval ../shared/eval/bq --work-dir var/eval/bq
    OMP_NUM_THREADS=1 python benchmarks/eval_misses.py ../shared/eval/bq var/eval/bq --sample 40 --seed 7

The first lines count the misses and say how many have a distractor first (corpus ids with `-dis`)
and how many another entry (on the pair sets, another intent's canonical question).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from indexer.filters import Filters
from kb_service.services.evaluation import EVAL_KB, open_work_dir, query_vectors, read_beir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work_dir", type=Path, help="the --work-dir of an earlier `kb eval` run")
    parser.add_argument("--sample", type=int, default=40, help="misses to print")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--width", type=int, default=70, help="characters shown per text")
    parser.add_argument(
        "--distractor-id",
        default="-dis",
        help="corpus ids containing this are the eval README's hard-negative distractors (atec, bq, lcqmc)",
    )
    args = parser.parse_args()
    corpus, queries, qrels = read_beir(args.dataset)
    texts = {doc["_id"]: " / ".join(filter(None, (doc.get("title"), doc["text"]))) for doc in corpus}
    with open_work_dir(args.work_dir) as (manager, external):
        live = manager.indexes[EVAL_KB].live
        assert live is not None
        items = list(queries.items())
        vectors = query_vectors(manager, [t for _, t in items])
        misses = []
        for (qid, text), vector in zip(items, vectors, strict=True):
            outcome = live.search(text, 10, Filters(), "hybrid", vector)
            ranked = [external[f.article_id] for f in outcome.fused]
            relevant = [d for d, grade in qrels[qid].items() if grade > 0]
            if ranked and ranked[0] not in relevant:
                rank = next((str(i + 1) for i, d in enumerate(ranked) if d in relevant), "-")
                misses.append((text, ranked[0], relevant[0], rank))
    print(f"{len(misses)} misses of {len(items)} queries ({len(misses) / len(items):.1%})")
    distractors = sum(args.distractor_id in top for _, top, _, _ in misses)
    print(f"top hit is a distractor in {distractors}, another entry in {len(misses) - distractors}")
    w = args.width
    sample = random.Random(args.seed).sample(misses, min(args.sample, len(misses)))
    for n, (text, top, gold, rank) in enumerate(sample):
        print(f"{n:3d} Q: {text[:w]}")
        print(f"    top: {texts[top][:w]}\n    labelled (rank {rank}): {texts[gold][:w]}")


if __name__ == "__main__":
    main()
