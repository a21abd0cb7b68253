"""`kb bench` on a small synthetic KB: a readable table, then one JSON line with sane figures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from kb_service.cli import app

LATENCY_KEYS = {"p50", "p95", "p99", "max"}


@pytest.fixture(scope="module")
def bench_run() -> tuple[str, dict[str, Any]]:
    args = ["bench", "--chunks", "2000", "--queries", "20", "--encoder-questions", "8"]
    result = CliRunner().invoke(app, [*args, "--encoder-passages", "2", "--publishes", "5"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    return result.stdout, json.loads(lines[-1])


def _latency(figures: dict[str, float]) -> None:
    assert set(figures) == LATENCY_KEYS
    assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"]


def test_prints_a_table_then_the_json_line(bench_run: tuple[str, dict[str, Any]]) -> None:
    stdout, report = bench_run
    assert "| hybrid search, query embedding excluded |" in stdout
    assert "random unit vectors (dim 384)" in stdout
    assert set(report) >= {"chunks", "articles", "build", "memory", "query", "publish", "encoder", "targets"}
    assert 2000 <= report["chunks"] < 2010 and 0 < report["articles"] < report["chunks"]


def test_build_and_memory_figures(bench_run: tuple[str, dict[str, Any]]) -> None:
    build, memory = bench_run[1]["build"], bench_run[1]["memory"]
    assert build["seconds"] > 0 and build["chunks_per_s"] > 0
    assert build["dense_index"]["kind"] == "flat"  # 2,000 chunks: under the HNSW threshold
    assert build["bm25_terms"] > 0 and build["bm25_postings"] > build["bm25_terms"]
    assert memory["rss_after_build_mb"] > memory["rss_start_mb"] > 0
    assert memory["raw_text_bytes_per_chunk"] > 0 and memory["dense_vectors_bytes_per_chunk"] == 384 * 4
    assert memory["beyond_raw_bytes_per_chunk"] > memory["dense_vectors_bytes_per_chunk"]


def test_query_figures(bench_run: tuple[str, dict[str, Any]]) -> None:
    query = bench_run[1]["query"]
    for path in (
        "hybrid",
        "hybrid_with_hits",
        "bm25",
        "dense",
        "tokenize",
        "bm25_top10_raw",
        "dense_top10_raw",
    ):
        _latency(query[path])
    assert query["hybrid_target_in_top10"] >= 0.9  # queries are paraphrases of a known FAQ


def test_publish_is_found_and_removal_is_gone(bench_run: tuple[str, dict[str, Any]]) -> None:
    publish = bench_run[1]["publish"]
    assert publish["found_by_bm25"] and publish["found_by_dense"] and publish["removed_gone"]
    for key in (
        "new_apply_ms",
        "new_found_bm25_ms",
        "edit_found_bm25_ms",
        "remove_gone_ms",
        "found_dense_ms",
    ):
        _latency(publish[key])
    full = publish["full_delta"]
    assert full["delta_chunks"] >= 2000 and full["found_by_bm25"] and full["found_by_dense"]


def test_encoder_and_targets(bench_run: tuple[str, dict[str, Any]]) -> None:
    encoder, targets = bench_run[1]["encoder"], bench_run[1]["targets"]
    assert encoder["available"] and encoder["dim"] == 384
    assert encoder["questions_per_s"] > 0 and encoder["passages_per_s"] > 0
    assert encoder["estimated_build_embedding_s_one_core"] > 0
    _latency(encoder["query_embedding_ms"])
    assert set(targets) == {
        "bm25_top10_p50",
        "dense_top10_p50",
        "hybrid_minus_encoder_p50",
        "publish_found_by_bm25_max",
        "publish_found_by_dense_max",
        "memory_beyond_raw_per_chunk",
    }
    assert all(isinstance(t["pass"], bool) and t["value"] > 0 for t in targets.values())
