"""Calibrated answer confidence: P(the top article answers the question), fitted per KB from the KB.

Raw fusion scores are not probabilities (min-max fusion always gives the top hit the same score), so
a small logistic model maps features of one search outcome (how close the best article is in the
dense space, how far ahead of the next one it is on each side, how many query tokens its matched
chunk covers, whether both sides agree, how many other articles are about as close) to a probability.
It is fitted on the KB itself after every full build (`indexer.calibration_questions`): held-out FAQ
phrasings where the KB has enough of them, otherwise rewrites of its own questions asked with and
without their article, plus bundled out-of-domain questions labelled 0. A second model covers
BM25-only (degraded) outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from indexer import calibration_questions as questions
from indexer.calibration_questions import TrainingQuestion, out_of_domain_queries
from indexer.engine import LiveIndex, SearchOutcome
from indexer.lexicon import SYNONYM_PREFIX

__all__ = ["Calibrator", "LogisticModel", "fit_calibrator", "out_of_domain_queries", "outcome_features"]

FEATURES = (
    "dense_top",
    "dense_margin",
    "bm25_margin",
    "fused_margin",
    "coverage",
    "agree_dense",
    "agree_bm25",
    "crowd",
)
LEGACY_FEATURES = FEATURES[:7]  # what models stored before `LogisticModel.features` existed use
MIN_POSITIVES, MIN_NEGATIVES = 10, 5
# Fewer held-out phrasings than this (FAQs with similar questions are rare or absent): the KB's own
# questions are rewritten instead (`calibration_questions.synthetic`).
MIN_HELD_OUT = 100
CROWD_GAP = 0.02  # another article within this dense score of the top one is a close competitor
SYNTHETIC_SOURCES = ("rewrite", "near_miss", "answer_lead")
# The bundled out-of-domain questions stand for the small share of off-topic traffic a bot sees; at
# full weight (120 of ~520 questions) they pulled in-scope confidence down (clinc150 DEV, even ids:
# in-scope ECE 0.075 -> 0.033 at 0.25, out-of-scope answered 5.3 % -> 8.3 %).
OUT_OF_DOMAIN_WEIGHT = 0.25
# Rewrites are easier to match than customers' own wordings, so a model fitted on them alone is sure of
# itself only where they are: on the sample KB with its similar questions set aside (asked with their
# FAQ indexed: top-1 78.5 %), it answered 25 % at full near-miss weight and the default penalty. Near
# misses weigh less and the fit is shrunk harder (chosen on that KB and atec / bq DEV even ids).
NEAR_MISS_WEIGHT = 0.25
SYNTHETIC_L2 = 10.0


@dataclass(frozen=True)
class LogisticModel:
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    features: tuple[str, ...] = LEGACY_FEATURES  # the columns of an `outcome_features` row it reads

    def predict(self, x: np.ndarray) -> np.ndarray:
        columns = [FEATURES.index(name) for name in self.features]
        z = (np.atleast_2d(x)[:, columns] - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))


@dataclass(frozen=True)
class Calibrator:
    """One model for outcomes with a dense side, one for BM25-only outcomes; None = not enough data."""

    hybrid: LogisticModel | None
    bm25: LogisticModel | None
    stats: dict[str, Any]

    def confidence(self, features: np.ndarray, mode: str) -> float:
        model = self.bm25 if mode == "bm25" else self.hybrid
        model = model or (DEFAULT_BM25 if mode == "bm25" else DEFAULT_HYBRID)
        return float(model.predict(features)[0])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        def model(d: dict[str, Any] | None) -> LogisticModel | None:
            if d is None:
                return None
            names = tuple(d.get("features", LEGACY_FEATURES))
            unknown = [n for n in names if n not in FEATURES]
            if unknown or len(names) != len(d["weights"]):
                raise ValueError(f"calibration model with unknown features {unknown}")
            weights = (tuple(d["mean"]), tuple(d["scale"]), tuple(d["weights"]))
            return LogisticModel(*weights, float(d["bias"]), names)

        return cls(model(data["hybrid"]), model(data["bm25"]), dict(data["stats"]))


def outcome_features(index: LiveIndex, outcome: SearchOutcome) -> np.ndarray | None:
    """The feature row of an outcome (`FEATURES`, in order; None when nothing was found)."""
    if not outcome.fused:
        return None
    top, rest = outcome.fused[0], outcome.fused[1:]
    dense = [f.dense for f in outcome.fused if f.dense is not None]
    dense_top = top.dense if top.dense is not None else (min(dense) if dense else 0.0)
    other_dense = max((f.dense for f in rest if f.dense is not None), default=dense_top - 0.2)
    b_top = top.bm25 or 0.0
    b_other = max((f.bm25 or 0.0 for f in rest), default=0.0)
    chunk_tokens = set(index.tokenizer.tokenize(index.chunk(outcome.state, top.chunk).text))
    query_tokens = {t for t in outcome.query_tokens if not t.startswith(SYNONYM_PREFIX)}
    coverage = len(query_tokens & chunk_tokens) / len(query_tokens) if query_tokens else 0.0
    crowd = sum(1 for f in rest if f.dense is not None and f.dense >= dense_top - CROWD_GAP)
    return np.array(
        [
            dense_top,
            float(np.clip(dense_top - other_dense, -0.5, 0.5)),
            (b_top - b_other) / max(b_top, b_other, 1e-9),
            top.fused - (rest[0].fused if rest else 0.0),
            coverage,
            float(bool(dense) and top.dense is not None and top.dense >= max(dense)),
            float(top.bm25 is not None and b_top >= b_other),
            float(crowd),
        ]
    )


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1.0,
    iterations: int = 50,
    features: tuple[str, ...] = FEATURES,
    weights: np.ndarray | None = None,
) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method on standardised `features` columns.

    Args:
        x: feature rows (`outcome_features`, all columns).
        y: labels (1: the top article answers the question).
        l2: the penalty on the weights (not on the bias).
        iterations: Newton steps at most.
        features: the columns the model uses.
        weights: per-row weights (default 1).
    """
    x = np.atleast_2d(x)[:, [FEATURES.index(n) for n in features]]
    w_rows = np.ones(len(x)) if weights is None else np.asarray(weights, float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (w_rows * (p - y)) + penalty * w
        hessian = (z * (w_rows * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return LogisticModel(
        tuple(mean.tolist()), tuple(scale.tolist()), tuple(w[:-1].tolist()), float(w[-1]), features
    )


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Weighted mean |accuracy - confidence| over equal-width confidence bins."""
    probabilities, labels = np.asarray(probabilities, float), np.asarray(labels, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(labels[mask].mean() - probabilities[mask].mean())
    return total / max(len(labels), 1)


def training_questions(
    index: LiveIndex, max_questions: int = 400, seed: int = 0
) -> tuple[list[TrainingQuestion], str]:
    """This KB's calibration questions and where its positives come from (`held_out` / `synthetic`)."""
    held = questions.held_out(index, max_questions, seed)
    if len(held) >= MIN_HELD_OUT:
        return held + questions.out_of_domain(), "held_out"
    rewritten = questions.synthetic(index, max(0, max_questions - len(held)) // 2, seed)
    return held + rewritten + questions.out_of_domain(), "synthetic"


def fit_calibrator(
    index: LiveIndex,
    embed_queries: Callable[[list[str]], np.ndarray] | None,
    max_questions: int = 400,
    seed: int = 0,
) -> Calibrator:
    """Fit both models on this index's training questions (`training_questions`)."""
    asked, source = training_questions(index, max_questions, seed)
    texts = list(dict.fromkeys(q.text for q in asked))  # a near miss shares its rewrite's vector
    vectors = embed_queries(texts) if embed_queries is not None and texts else None
    counts: dict[str, int] = {}
    for q in asked:
        counts[q.source] = counts.get(q.source, 0) + 1
    stats: dict[str, Any] = {
        "source": source,
        "held_out_questions": counts.get("held_out", 0),
        "synthetic_questions": sum(counts.get(s, 0) for s in SYNTHETIC_SOURCES),
        "out_of_domain": counts.get("out_of_domain", 0),
        "questions": counts,
    }
    models: dict[str, LogisticModel | None] = {}
    shares: dict[int, float] = {}  # filled by the hybrid pass, used by the BM25 one (no dense crowd)
    for mode in ("hybrid", "bm25"):
        if mode == "hybrid" and vectors is None:
            models[mode] = None
            continue
        by_text = dict(zip(texts, vectors, strict=True)) if mode == "hybrid" and vectors is not None else {}
        rows, targets, weights = _training_rows(index, asked, mode, by_text, shares)
        positives = float(targets.sum())
        stats[mode] = {"positives": round(positives, 1), "negatives": round(len(targets) - positives, 1)}
        enough = positives >= MIN_POSITIVES and len(targets) - positives >= MIN_NEGATIVES
        features, l2 = MODEL_FEATURES[mode], L2[source]
        models[mode] = fit_logistic(rows, targets, l2, features=features, weights=weights) if enough else None
    return Calibrator(models["hybrid"], models["bm25"], stats)


def _training_rows(
    index: LiveIndex,
    asked: list[TrainingQuestion],
    mode: str,
    vectors: dict[str, np.ndarray],
    shares: dict[int, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, targets and weights of the training questions asked in `mode`.

    The target is 1 when the question's article comes first, 0 otherwise, except for a synthetic
    question that finds its article among others about as close (`crowd`): those are duplicates as
    far as the question can tell, and which of them the customer meant is a guess, so the target is
    1 / (1 + crowd) (an exported FAQ list often holds the same request several times). `shares`
    keeps that fraction per question from a dense pass for a BM25 pass, which has no dense crowd.
    """
    rows, targets, weights = [], [], []
    crowd = FEATURES.index("crowd")
    for i, q in enumerate(asked):
        outcome = index.search(q.text, SEARCH_DEPTH, None, mode, vectors.get(q.text), hold_out=q.hold)  # type: ignore[arg-type]
        row = outcome_features(index, outcome)
        if row is None:
            continue
        hit = float(q.answer is not None and outcome.fused[0].article_id == q.answer)
        if q.source in SYNTHETIC_SOURCES:
            share = shares.setdefault(i, 1.0 / (1.0 + row[crowd])) if vectors else shares.get(i, 1.0)
            hit *= share
        rows.append(row)
        targets.append(hit)
        weights.append(SOURCE_WEIGHTS.get(q.source, 1.0))
    width = len(FEATURES)
    return np.vstack(rows) if rows else np.zeros((0, width)), np.asarray(targets), np.asarray(weights)


SOURCE_WEIGHTS = {"out_of_domain": OUT_OF_DOMAIN_WEIGHT, "near_miss": NEAR_MISS_WEIGHT}
L2 = {"held_out": 1.0, "synthetic": SYNTHETIC_L2}
SEARCH_DEPTH = 5  # the bot's search depth (`kb_service.services.answer`): features see what it sees
MODEL_FEATURES = {"hybrid": FEATURES, "bm25": LEGACY_FEATURES}

# Used until a KB has enough FAQ phrasings to fit its own: the fit on the sample KB (2026-11-24,
# 800 held-out questions + 120 out-of-domain ones), rounded.
DEFAULT_HYBRID = LogisticModel(
    mean=(0.911, 0.0141, 0.0816, 0.368, 0.513, 0.837, 0.655),
    scale=(0.0348, 0.0166, 0.298, 0.281, 0.277, 0.369, 0.475),
    weights=(1.084, 1.620, 0.218, 0.382, -0.124, -0.155, -0.382),
    bias=1.068,
)
DEFAULT_BM25 = LogisticModel(
    mean=(0.0, 0.2, 0.192, 7.24, 0.603, 0.0, 1.0),
    scale=(1.0, 1.0, 0.164, 7.49, 0.223, 1.0, 1.0),
    weights=(0.0, 0.0, 0.286, 0.463, 0.500, 0.0, 0.0),
    bias=-0.195,
)
