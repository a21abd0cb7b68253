"""Calibrated answer confidence: P(the top article answers the question), fitted per KB from the KB.

Raw fusion scores are not probabilities (min-max fusion always gives the top hit the same score), so
a small logistic model maps features of one search outcome (how close the best article is in the
dense space, how far ahead of the next one it is on each side, how many query tokens its matched
chunk covers, whether both sides agree) to a probability. It is fitted on the KB itself after every
full build: each FAQ question is asked against the rest of the KB (its own chunk held out, the
FAQ's other phrasings still indexed), labelled 1 when the FAQ comes first, plus bundled
out-of-domain questions labelled 0. A second model covers BM25-only (degraded) outcomes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import numpy as np

from indexer.engine import LiveIndex, SearchOutcome

FEATURES = (
    "dense_top",
    "dense_margin",
    "bm25_margin",
    "fused_margin",
    "coverage",
    "agree_dense",
    "agree_bm25",
)
MIN_POSITIVES, MIN_NEGATIVES = 10, 5


@dataclass(frozen=True)
class LogisticModel:
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - np.asarray(self.mean)) / np.asarray(self.scale)
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
            return LogisticModel(tuple(d["mean"]), tuple(d["scale"]), tuple(d["weights"]), float(d["bias"]))

        return cls(model(data["hybrid"]), model(data["bm25"]), dict(data["stats"]))


def outcome_features(index: LiveIndex, outcome: SearchOutcome) -> np.ndarray | None:
    """The feature row of an outcome (None when nothing was found)."""
    if not outcome.fused:
        return None
    top, rest = outcome.fused[0], outcome.fused[1:]
    dense = [f.dense for f in outcome.fused if f.dense is not None]
    dense_top = top.dense if top.dense is not None else (min(dense) if dense else 0.0)
    other_dense = max((f.dense for f in rest if f.dense is not None), default=dense_top - 0.2)
    b_top = top.bm25 or 0.0
    b_other = max((f.bm25 or 0.0 for f in rest), default=0.0)
    chunk_tokens = set(index.tokenizer.tokenize(index.chunk(outcome.state, top.chunk).text))
    query_tokens = {t for t in outcome.query_tokens if not t.startswith("≡")}
    coverage = len(query_tokens & chunk_tokens) / len(query_tokens) if query_tokens else 0.0
    return np.array(
        [
            dense_top,
            float(np.clip(dense_top - other_dense, -0.5, 0.5)),
            (b_top - b_other) / max(b_top, b_other, 1e-9),
            top.fused - (rest[0].fused if rest else 0.0),
            coverage,
            float(bool(dense) and top.dense is not None and top.dense >= max(dense)),
            float(top.bm25 is not None and b_top >= b_other),
        ]
    )


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return LogisticModel(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w[:-1].tolist()), float(w[-1]))


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


def out_of_domain_queries() -> list[str]:
    text = resources.files("indexer").joinpath("resources/out_of_domain_queries.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def held_out_questions(index: LiveIndex, limit: int, seed: int = 0) -> list[tuple[str, int, int]]:
    """(question text, main chunk position, FAQ id) for FAQ questions whose FAQ has another phrasing."""
    main = index.state.main
    by_article: dict[int, list[int]] = {}
    for position, chunk in enumerate(main.chunks):
        if chunk.kind in ("question", "similar") and position not in index.state.tombstones:
            by_article.setdefault(chunk.article_id, []).append(position)
    items = [
        (main.chunks[p].text, p, article_id)
        for article_id, positions in by_article.items()
        if len(positions) > 1
        for p in positions
    ]
    random.Random(seed).shuffle(items)
    return items[:limit]


def fit_calibrator(
    index: LiveIndex,
    embed_queries: Callable[[list[str]], np.ndarray] | None,
    max_questions: int = 400,
    seed: int = 0,
) -> Calibrator:
    """Fit both models on held-out FAQ questions and out-of-domain questions of this index."""
    held = held_out_questions(index, max_questions, seed)
    ood = out_of_domain_queries()
    texts = [t for t, _, _ in held] + ood
    holds = [frozenset({p}) for _, p, _ in held] + [frozenset()] * len(ood)
    answers = [a for _, _, a in held] + [None] * len(ood)
    vectors = embed_queries(texts) if embed_queries is not None and texts else None
    stats: dict[str, Any] = {"held_out_questions": len(held), "out_of_domain": len(ood)}
    models: dict[str, LogisticModel | None] = {}
    for mode in ("hybrid", "bm25"):
        if mode == "hybrid" and vectors is None:
            models[mode] = None
            continue
        rows, labels = [], []
        for i, (text, hold, answer) in enumerate(zip(texts, holds, answers, strict=True)):
            vector = vectors[i] if mode == "hybrid" and vectors is not None else None
            outcome = index.search(text, 10, None, mode, vector, hold_out=hold)  # type: ignore[arg-type]
            row = outcome_features(index, outcome)
            if row is not None:
                rows.append(row)
                labels.append(float(answer is not None and outcome.fused[0].article_id == answer))
        y = np.asarray(labels)
        stats[mode] = {"positives": int(y.sum()), "negatives": int(len(y) - y.sum())}
        enough = y.sum() >= MIN_POSITIVES and len(y) - y.sum() >= MIN_NEGATIVES
        models[mode] = fit_logistic(np.vstack(rows), y) if enough else None
    return Calibrator(models["hybrid"], models["bm25"], stats)


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
