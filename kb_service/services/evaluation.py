"""`kb eval`: run a BEIR folder through the real pipeline (JSONL import → index → search) and score it."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from indexer.embedding_cache import embed_with_cache
from indexer.filters import Filters
from indexer.metrics import summarise
from kb_service.auth import Actor
from kb_service.db import make_engine
from kb_service.indexing import IndexManager
from kb_service.models import Article
from kb_service.schemas.kbs import KbCreate
from kb_service.services import imports, kbs
from kb_service.services.bootstrap import SYSTEM, bootstrap
from kb_service.services.listener import NoIndex
from kb_service.settings import Settings

EVAL_KB = "eval"
SENTENCE_END = re.compile(r"[。！？!?.\n]")
MODES = ("hybrid", "bm25", "dense")


def guide_title(title: str, text: str) -> str:
    """The entry's title, or the start of its text up to the first sentence end (at most 40 characters)."""
    if title.strip():
        return title.strip()
    head = SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    return head[:40]


def read_beir(folder: Path) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, int]]]:
    with open(folder / "corpus.jsonl", encoding="utf-8") as fh:
        corpus = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        queries = {q["_id"]: q["text"] for q in (json.loads(line) for line in fh if line.strip())}
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return corpus, {q: t for q, t in queries.items() if q in qrels}, qrels


def corpus_jsonl(corpus: list[dict[str, Any]]) -> bytes:
    lines = [
        json.dumps(
            {
                "type": "guide",
                "external_id": doc["_id"],
                "title": guide_title(doc.get("title", ""), doc["text"]),
                "body": doc["text"],
            },
            ensure_ascii=False,
        )
        for doc in corpus
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def run_eval(
    folder: Path, work_dir: Path, modes: tuple[str, ...] = MODES, limit: int | None = None
) -> dict[str, Any]:
    """Import the corpus as guides into a throwaway KB, build its index, score each query in each mode."""
    corpus, queries, qrels = read_beir(folder)
    for stale in ("kb.sqlite3", "kb.sqlite3-wal", "kb.sqlite3-shm", "index"):
        path = work_dir / stale
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    settings = Settings(data_dir=work_dir, load_sample_data=False)  # embeddings.sqlite3 survives re-runs
    engine = make_engine(settings.resolved_database_url())
    bootstrap(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        kb = kbs.create_kb(session, KbCreate(slug=EVAL_KB, name=folder.name), Actor("eval"))
        imports.run_import(
            session,
            kb,
            "corpus.jsonl",
            corpus_jsonl(corpus),
            SYSTEM,
            settings.model_copy(update={"max_import_rows": len(corpus) + 1, "max_upload_bytes": 1 << 31}),
            NoIndex(),
            default_status="published",
        )
        external = {a.id: a.external_id for a in session.exec(_articles(kb.id))}
    manager = IndexManager(engine, settings)
    manager.start(wait=True)
    live = manager.indexes[EVAL_KB].live
    assert live is not None
    items = list(queries.items())[:limit]
    vectors = query_vectors(manager, [t for _, t in items]) if any(m != "bm25" for m in modes) else None
    results: dict[str, Any] = {}
    for mode in modes:
        runs = []
        for i, (qid, text) in enumerate(items):
            vector = vectors[i] if vectors is not None and mode != "bm25" else None
            outcome = live.search(text, 10, Filters(), mode, vector)  # type: ignore[arg-type]
            runs.append(([external[f.article_id] or "" for f in outcome.fused], qrels[qid]))
        results[mode] = summarise(runs)
    manager.close()
    return {"dataset": folder.name, "queries": len(items), "corpus": len(corpus), "modes": results}


def _articles(kb_id: int | None) -> Any:
    return select(Article).where(Article.kb_id == kb_id)


@contextmanager
def open_work_dir(work_dir: Path) -> Iterator[tuple[IndexManager, dict[int, str]]]:
    """The index of an earlier `kb eval` run (no re-import, no re-embedding) and each article's
    external id, for offline analyses of its results (benchmarks/fusion_dump.py, eval_misses.py)."""
    settings = Settings(data_dir=work_dir, load_sample_data=False)
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        external = {a.id: a.external_id or "" for a in session.exec(select(Article)) if a.id is not None}
    manager = IndexManager(engine, settings)
    manager.start(wait=True)
    try:
        live = manager.indexes[EVAL_KB].live
        if live is None or live.state.main.dense is None:
            raise ValueError(f"{work_dir} holds no `kb eval` index with vectors: run `kb eval` on it first")
        yield manager, external
    finally:
        manager.close()


def query_vectors(manager: IndexManager, texts: list[str]) -> Any:
    encoder = manager.embedder.encoder
    if encoder is None:
        return None
    return embed_with_cache(
        manager.embedder.cache, texts, encoder.encode_queries, encoder_name=encoder.name, kind="query"
    )
