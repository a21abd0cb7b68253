"""`kb eval` on a small fixed subset of a shared eval set (the full sets are run by hand, see docs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from indexer.filters import Filters
from indexer.metrics import summarise
from kb_service.services.evaluation import (
    EVAL_KB,
    guide_title,
    open_work_dir,
    query_vectors,
    read_beir,
    run_eval,
)

# The shared eval sets sit beside the checkout (../shared/eval); KB_EVAL_DIR points elsewhere.
EVAL = Path(os.environ.get("KB_EVAL_DIR") or Path(__file__).resolve().parents[3] / "shared" / "eval")


def test_guide_title_rule() -> None:
    assert guide_title("Card arrival", "text") == "Card arrival"
    assert guide_title("", "怎么开通花呗？我想用") == "怎么开通花呗"
    assert guide_title("", "长" * 100) == "长" * 40


@pytest.mark.slow
def test_eval_subset_scores_every_mode(tmp_path: Path) -> None:
    dataset = EVAL / "banking77"
    if not dataset.exists():
        pytest.skip(f"no eval data at {dataset} (set KB_EVAL_DIR)")
    result = run_eval(dataset, tmp_path, limit=150)
    json.dumps(result)  # the CLI prints it as one JSON line
    assert result["queries"] == 150 and result["corpus"] == 77
    modes = result["modes"]
    assert set(modes) == {"hybrid", "bm25", "dense"}
    for metrics in modes.values():
        assert 0 < metrics["recall@1"] <= metrics["recall@5"] <= metrics["recall@10"] <= 1
    assert modes["hybrid"]["mrr@10"] >= 0.6
    assert modes["hybrid"]["mrr@10"] >= min(modes["bm25"]["mrr@10"], modes["dense"]["mrr@10"])

    # The analysis scripts reopen the work dir (benchmarks/eval_misses.py): same index, same ranking.
    _, queries, qrels = read_beir(dataset)
    items = list(queries.items())[:150]
    with open_work_dir(tmp_path) as (manager, external):
        assert len(external) == 77
        live = manager.indexes[EVAL_KB].live
        assert live is not None
        vectors = query_vectors(manager, [t for _, t in items])
        runs = []
        for (qid, text), vector in zip(items, vectors, strict=True):
            fused = live.search(text, 10, Filters(), "hybrid", vector).fused
            runs.append(([external[f.article_id] for f in fused], qrels[qid]))
    assert summarise(runs) == modes["hybrid"]
