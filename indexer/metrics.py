"""Retrieval metrics over ranked id lists (BEIR-style: recall is the share of relevant ids found)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    return next((1.0 / rank for rank, doc in enumerate(ranked[:k], start=1) if doc in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def summarise(runs: Sequence[tuple[Sequence[str], Mapping[str, int]]]) -> dict[str, float]:
    """Mean recall@1/5/10, MRR@10 and nDCG@10 over (ranking, relevant) pairs."""
    n = max(1, len(runs))
    out = {f"recall@{k}": sum(recall_at(r, rel, k) for r, rel in runs) / n for k in (1, 5, 10)}
    out["mrr@10"] = sum(mrr_at(r, rel, 10) for r, rel in runs) / n
    out["ndcg@10"] = sum(ndcg_at(r, rel, 10) for r, rel in runs) / n
    return {k: round(v, 4) for k, v in out.items()}
