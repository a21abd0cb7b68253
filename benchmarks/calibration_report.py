"""Confidence figures answer_eval.py does not print, per half of a BEIR set's DEV queries.

Builds the KB and runs every DEV query (and clinc150's out-of-scope ones) through the answer
service exactly as `benchmarks/answer_eval.py` does (its `build` and `run`), then prints, for the
queries with even ids, odd ids and all of them: the answered share and its precision, wrong answers
at confidence >= 0.9 (as a share of answered queries, and the precision at >= 0.9), ECE, and the
out-of-scope share not answered. Tune on one half, report the other: the DEV labels are not fitted.

`--oracle` adds the ceiling of the confidence features: a logistic model fitted on the even half's
*labels* (what calibration must never do) and scored on the odd half; no calibration of the same
features can separate right from wrong top answers better than that on these labels.

    OMP_NUM_THREADS=1 python benchmarks/calibration_report.py ../shared/eval/atec --work-dir /tmp/ae/atec
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answer_eval import KB, build, run  # noqa: E402

from indexer.calibration import expected_calibration_error, fit_logistic, outcome_features  # noqa: E402
from indexer.filters import Filters  # noqa: E402
from kb_service.indexing import IndexManager  # noqa: E402
from kb_service.services.evaluation import read_beir  # noqa: E402

ANSWER, HIGH = 0.7, 0.9  # the KB's default answer threshold; "confident" for the wrong-answer figure


def figures(conf: np.ndarray, correct: np.ndarray, answered: np.ndarray) -> dict[str, Any]:
    """Decision and calibration figures of one group of in-scope queries."""
    high = conf >= HIGH
    n_answered = int(answered.sum())
    wrong_high = int((answered & high & (correct == 0)).sum())
    return {
        "queries": len(conf),
        "top1_accuracy": round(float(correct.mean()), 4),
        "mean_confidence": round(float(conf.mean()), 4),
        "ece": round(expected_calibration_error(conf, correct), 4),
        "answered": round(float(answered.mean()), 4),
        "answered_correct": round(float((answered & (correct == 1)).mean()), 4),
        "answered_precision": round(float(correct[answered].mean()), 4) if n_answered else None,
        "wrong_high_of_answered": round(wrong_high / max(n_answered, 1), 4),
        "precision_high": round(float(correct[high].mean()), 4) if high.any() else None,
        "high": int(high.sum()),
    }


def query_half(query_id: str) -> int:
    digits = re.findall(r"\d+", query_id)
    return int(digits[-1]) % 2 if digits else 0


def feature_rows(manager: IndexManager, queries: dict[str, str]) -> np.ndarray:
    """The confidence features of each query's top answer, as the bot's search sees it."""
    live = manager.indexes[KB].live
    assert live is not None
    rows: list[np.ndarray] = []
    for text in queries.values():
        _, outcome = manager.search(KB, text, 5, Filters(), "hybrid")
        row = outcome_features(live, outcome)
        rows.append(row if row is not None else np.zeros(len(rows[0]) if rows else 8))
    return np.vstack(rows)


def oracle(x: np.ndarray, correct: np.ndarray, half: np.ndarray) -> dict[str, Any]:
    """Fit on the even half's labels, score the odd half (the features' ceiling, not a calibration)."""
    model = fit_logistic(x[half == 0], correct[half == 0])
    conf = model.predict(x[half == 1])
    return figures(conf, correct[half == 1], conf >= ANSWER)


def report(
    folder: Path, work_dir: Path, language: str, dump: Path | None, with_oracle: bool
) -> dict[str, Any]:
    _, queries, qrels = read_beir(folder)
    manager, external = build(folder, work_dir, language)
    runs = run(manager, queries, language)
    correct = np.array([external.get(r["top"], "") in qrels[r["id"]] for r in runs], dtype=float)
    conf = np.array([r["confidence"] for r in runs])
    answered = np.array([r["decision"] == "answer" for r in runs])
    half = np.array([query_half(r["id"]) for r in runs])
    result: dict[str, Any] = {"dataset": folder.name, "calibration": manager.indexes[KB].calibrator.stats}
    for name, mask in (("even", half == 0), ("odd", half == 1), ("all", half >= 0)):
        result[name] = figures(conf[mask], correct[mask], answered[mask])
    oos_file = folder / "queries_oos.jsonl"
    if oos_file.exists():
        oos = {q["_id"]: q["text"] for q in map(json.loads, oos_file.open(encoding="utf-8"))}
        oos_runs = run(manager, oos, language)
        oos_half = np.array([query_half(r["id"]) for r in oos_runs])
        not_answered = np.array([r["decision"] != "answer" for r in oos_runs])
        result["out_of_scope_not_answered"] = {
            "even": round(float(not_answered[oos_half == 0].mean()), 4),
            "odd": round(float(not_answered[oos_half == 1].mean()), 4),
            "all": round(float(not_answered.mean()), 4),
        }
    if with_oracle:
        result["oracle_odd"] = oracle(feature_rows(manager, queries), correct, half)
    if dump is not None:
        with dump.open("w", encoding="utf-8") as fh:
            for r, ok in zip(runs, correct, strict=True):
                fh.write(json.dumps({**r, "correct": bool(ok), "top": external.get(r["top"])}) + "\n")
    manager.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--language", choices=["zh", "en"], default=None)
    parser.add_argument("--dump", type=Path, help="one JSON line per query (decision, confidence, correct)")
    parser.add_argument("--oracle", action="store_true", help="also the features' ceiling on the DEV labels")
    args = parser.parse_args()
    with open(args.dataset / "queries.jsonl", encoding="utf-8") as fh:
        first = json.loads(next(fh))["text"]
    language = args.language or ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in first) else "en")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    result = report(args.dataset, args.work_dir, language, args.dump, args.oracle)
    for name in ("even", "odd", "all"):
        print(name, json.dumps(result[name]), file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
