from __future__ import annotations

import math

from indexer.metrics import mrr_at, ndcg_at, recall_at, summarise


def test_metrics_by_hand() -> None:
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, {"c": 1, "z": 1}, 3) == 0.5
    assert mrr_at(ranked, {"c": 1}, 10) == 1 / 3 and mrr_at(ranked, {"c": 1}, 2) == 0.0
    assert math.isclose(ndcg_at(ranked, {"b": 1}, 10), 1 / math.log2(3))
    assert ndcg_at(ranked, {"a": 1}, 10) == 1.0
    summary = summarise([(ranked, {"a": 1}), (ranked, {"z": 1})])
    assert summary == {"recall@1": 0.5, "recall@5": 0.5, "recall@10": 0.5, "mrr@10": 0.5, "ndcg@10": 0.5}
