"""Bot decisions and confidence calibration on a BEIR folder, through the real answer service.

Each corpus entry becomes one published FAQ (standard question: the entry's title, or its text when
the title is empty; similar questions: the other lines of its text), imported through the normal
JSONL import; the index is built and calibrated the way the service does after a full build. Every
DEV query then goes through `services.answer.answer` (no session) and, for clinc150, so do the
out-of-scope queries (`queries_oos.jsonl`). Prints the decision shares at the KB's default
thresholds, the expected calibration error of `confidence` (label: the top article is relevant),
and the precision / coverage curve. The last stdout line is one JSON object.

    OMP_NUM_THREADS=1 python benchmarks/answer_eval.py ../shared/eval/clinc150 --work-dir /tmp/ae/clinc150

A folder with no `corpus.jsonl` but `*.jsonl` message files (`data/eval`) runs the messages mode
instead (`message_eval.py`): real customer messages against the sample KB, as `kb serve` loads it.

    OMP_NUM_THREADS=1 python benchmarks/answer_eval.py data/eval --work-dir /tmp/ae/messages --dump m.jsonl
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import Session, select

from indexer.calibration import expected_calibration_error
from kb_service.auth import Actor
from kb_service.db import make_engine
from kb_service.indexing import IndexManager
from kb_service.models import Article
from kb_service.schemas.assist import AnswerRequest
from kb_service.schemas.kbs import KbCreate, KbSettings
from kb_service.services import imports, kbs
from kb_service.services.answer import answer
from kb_service.services.bootstrap import SYSTEM, bootstrap
from kb_service.services.evaluation import read_beir
from kb_service.services.listener import NoIndex
from kb_service.services.sessions import SessionStore
from kb_service.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
import message_eval  # noqa: E402

KB = "answer-eval"


def faq_jsonl(corpus: list[dict[str, Any]]) -> bytes:
    rows = []
    for doc in corpus:
        lines = [line.strip() for line in doc["text"].splitlines() if line.strip()]
        question = (doc.get("title") or "").strip() or lines.pop(0)
        rows.append(
            {
                "type": "faq",
                "external_id": doc["_id"],
                "question": question[:500],
                "similar_questions": [s[:500] for s in lines[:200]],
                "answer": question,
            }
        )
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8") + b"\n"


def build(folder: Path, work_dir: Path, language: str) -> tuple[IndexManager, dict[int, str]]:
    corpus, _, _ = read_beir(folder)
    for stale in ("kb.sqlite3", "kb.sqlite3-wal", "kb.sqlite3-shm", "index"):
        path = work_dir / stale
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    settings = Settings(data_dir=work_dir, load_sample_data=False)
    engine = make_engine(settings.resolved_database_url())
    bootstrap(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        kb = kbs.create_kb(session, KbCreate(slug=KB, name=folder.name, language=language), Actor("eval"))
        limits = {"max_import_rows": len(corpus) + 1, "max_upload_bytes": 1 << 31}
        imports.run_import(
            session, kb, "corpus.jsonl", faq_jsonl(corpus), SYSTEM, settings.model_copy(update=limits),
            NoIndex(), default_status="published",
        )  # fmt: skip
        external = {
            a.id: a.external_id or "" for a in session.exec(select(Article).where(Article.kb_id == kb.id))
        }
    manager = IndexManager(engine, settings)
    manager.start(wait=True)
    return manager, {k: v for k, v in external.items() if k is not None}


def run(manager: IndexManager, queries: dict[str, str], language: str) -> list[dict[str, Any]]:
    settings, sessions, out = KbSettings(language=language), SessionStore(), []  # type: ignore[arg-type]
    for qid, text in queries.items():
        body, hits = answer(indexes=manager, sessions=sessions, kb=KB, settings=settings,
                            request=AnswerRequest(query=text))  # fmt: skip
        top = body["answer"]["article_id"] if body["answer"] else (hits[0].article_id if hits else None)
        out.append({"id": qid, "decision": body["decision"], "confidence": body["confidence"], "top": top})
    return out


def report(folder: Path, work_dir: Path, language: str) -> dict[str, Any]:
    _, queries, qrels = read_beir(folder)
    manager, external = build(folder, work_dir, language)
    runs = run(manager, queries, language)
    correct = np.array([external.get(r["top"], "") in qrels[r["id"]] for r in runs], dtype=float)
    conf = np.array([r["confidence"] for r in runs])
    decisions = [r["decision"] for r in runs]
    answered = np.array([d == "answer" for d in decisions])
    result: dict[str, Any] = {
        "dataset": folder.name,
        "queries": len(runs),
        "calibration": manager.indexes[KB].calibrator.stats,
        "in_scope": {
            "answered_correct": round(float((answered & (correct == 1)).mean()), 4),
            "answered_wrong": round(float((answered & (correct == 0)).mean()), 4),
            "clarify": round(decisions.count("clarify") / len(runs), 4),
            "handoff": round(decisions.count("handoff") / len(runs), 4),
            "top1_accuracy": round(float(correct.mean()), 4),
        },
        "ece": round(expected_calibration_error(conf, correct), 4),
        "mean_confidence": round(float(conf.mean()), 4),
    }
    oos_file = folder / "queries_oos.jsonl"
    oos_conf = np.array([])
    if oos_file.exists():
        oos = {q["_id"]: q["text"] for q in map(json.loads, oos_file.open(encoding="utf-8"))}
        oos_runs = run(manager, oos, language)
        oos_decisions = [r["decision"] for r in oos_runs]
        oos_conf = np.array([r["confidence"] for r in oos_runs])
        result["out_of_scope"] = {
            "queries": len(oos_runs),
            "handoff": round(oos_decisions.count("handoff") / len(oos_runs), 4),
            "clarify": round(oos_decisions.count("clarify") / len(oos_runs), 4),
            "answered": round(oos_decisions.count("answer") / len(oos_runs), 4),
        }
    result["curve"] = [
        {
            "threshold": t,
            "coverage": round(float((conf >= t).mean()), 4),
            "precision": round(float(correct[conf >= t].mean()), 4) if (conf >= t).any() else None,
            "oos_accepted": round(float((oos_conf >= t).mean()), 4) if len(oos_conf) else None,
        }
        for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    ]
    manager.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--language", choices=["zh", "en"], default=None)
    parser.add_argument("--dump", type=Path, help="messages mode: one JSON line per message to this file")
    parser.add_argument("--limit", type=int, help="messages mode: only the first N messages")
    parser.add_argument("--kinds", help="messages mode: only these kinds (comma-separated)")
    args = parser.parse_args()
    if not (args.dataset / "corpus.jsonl").exists() and any(args.dataset.glob("*.jsonl")):
        message_eval.main(args.dataset, args.work_dir, args.dump, args.limit, args.kinds)
        return
    with open(args.dataset / "queries.jsonl", encoding="utf-8") as fh:
        first = json.loads(next(fh))["text"]
    language = args.language or ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in first) else "en")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    result = report(args.dataset, args.work_dir, language)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
