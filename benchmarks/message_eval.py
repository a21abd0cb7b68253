"""Real customer messages (`data/eval/*.jsonl`) through the real answer and suggest services.

The sample KB is set up the way `kb serve` sets it up on an empty data dir (the bootstrap loads
`data/` into `default`, published); a prepared work dir is reused, so a re-run embeds nothing new.
Each message gets a fresh bot session: a conversation's customer turns go to `answer` one after the
other (agent turns are the human agent's, not the bot's) and the last turn's decision is judged. The
whole conversation also goes to `suggest` once, whose top article is recorded. `data/eval/README.md`
says what the fields and kinds mean; `answer_eval.py` calls `main` for a folder without a corpus.
"""

from __future__ import annotations

import contextlib
import json
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from kb_service.db import make_engine
from kb_service.indexing import IndexManager
from kb_service.models import Article
from kb_service.schemas.assist import AnswerRequest, SuggestRequest, Turn
from kb_service.schemas.kbs import KbSettings
from kb_service.services import kbs
from kb_service.services.answer import answer
from kb_service.services.bootstrap import bootstrap
from kb_service.services.sessions import SessionStore
from kb_service.services.suggest import suggest
from kb_service.settings import Settings

KB = "default"
CHITCHAT, HANDOFF = "chitchat", "handoff"
SMALL_TALK_KINDS = ("greeting", "thanks", "ack", "presence", "farewell")
ARTICLE_KINDS = (
    "model", "series", "wrapped", "code", "typo", "traditional", "full-width", "colloquial", "english",
    "greeting+question", "long paste",
)  # fmt: skip
KINDS = (*ARTICLE_KINDS, *SMALL_TALK_KINDS, "off-topic", "human", "multi-turn")
HUMAN_KIND = "human"  # explicit requests for a person; every other handoff-expected message is off-topic


def read_messages(folder: Path) -> list[dict[str, Any]]:
    """Every line of every `*.jsonl` file in the folder, files in name order."""
    messages = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            messages += [json.loads(line) for line in fh if line.strip()]
    return messages


def select_messages(
    messages: list[dict[str, Any]], kinds: set[str] | None, limit: int | None
) -> list[dict[str, Any]]:
    picked = [m for m in messages if kinds is None or m["kind"] in kinds]
    return picked[:limit] if limit is not None else picked


def turns_of(message: dict[str, Any]) -> list[dict[str, str]]:
    if "conversation" in message:
        return list(message["conversation"])
    return [{"role": "customer", "text": message["text"]}]


# ---- the service ---------------------------------------------------------------------------------
def prepare(work_dir: Path) -> tuple[IndexManager, KbSettings, dict[int, str]]:
    """The sample KB as `kb serve` has it, with its full index and confidence model loaded."""
    settings = Settings(data_dir=work_dir)
    engine = make_engine(settings.resolved_database_url())
    # the first start prints its admin key: stdout is kept for the results
    with contextlib.redirect_stdout(sys.stderr):
        bootstrap(engine, settings)
    manager = IndexManager(engine, settings)
    manager.start(wait=True)
    status = manager.status(KB)
    if not status["dense"] or status["pending_dense"] or status["calibration"] is None:
        raise SystemExit(f"the index of '{KB}' is not complete: {status}")
    with Session(engine) as session:
        kb_settings = kbs.get_settings(kbs.get_kb(session, KB))
        kb_id = kbs.get_kb(session, KB).id
        rows = session.exec(select(Article.id, Article.external_id).where(Article.kb_id == kb_id)).all()
    return manager, kb_settings, {i: e or "" for i, e in rows if i is not None}


def ask(
    manager: IndexManager, sessions: SessionStore, kb_settings: KbSettings, message: dict[str, Any]
) -> dict[str, Any]:
    """The bot's reply to the message's last customer turn, the earlier ones sent first in one session."""
    session_id, body = f"eval-{uuid.uuid4()}", dict[str, Any]()
    for turn in turns_of(message):
        if turn["role"] == "customer":
            request = AnswerRequest(query=turn["text"], session_id=session_id)
            body, _ = answer(indexes=manager, sessions=sessions, kb=KB, settings=kb_settings, request=request)
    return body


def suggested(manager: IndexManager, kb_settings: KbSettings, message: dict[str, Any]) -> list[int]:
    """Article ids the agents' sidebar shows for the whole conversation (or the one message)."""
    request = SuggestRequest(conversation=[Turn(role=t["role"], text=t["text"]) for t in turns_of(message)])
    body, _, _ = suggest(indexes=manager, kb=KB, settings=kb_settings, request=request)
    return [a["article_id"] for a in body.get("articles", [])]


def record(
    message: dict[str, Any], body: dict[str, Any], articles: list[int], external: dict[int, str]
) -> dict[str, Any]:
    """One dump line: what was asked, what was expected and what the bot and the sidebar did."""
    answered = (body.get("answer") or {}).get("article_id")
    return {
        "id": message["id"],
        "kind": message["kind"],
        "expected": message["expected"],
        "decision": body.get("decision"),
        "answered": external.get(answered) if answered is not None else None,
        "confidence": body.get("confidence"),
        "candidates": [external.get(c.get("article_id"), "") for c in body.get("candidates") or []],
        "message": body.get("message"),
        "suggest_top": external.get(articles[0]) if articles else None,
        "suggest_count": len(articles),
    }


def run(work_dir: Path, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    manager, kb_settings, external = prepare(work_dir)
    sessions, records = SessionStore(), []
    try:
        for message in messages:
            body = ask(manager, sessions, kb_settings, message)
            records.append(record(message, body, suggested(manager, kb_settings, message), external))
    finally:
        manager.close()
    return records


# ---- scoring -------------------------------------------------------------------------------------
def is_article(expected: str) -> bool:
    return expected not in (CHITCHAT, HANDOFF)


def outcome(r: dict[str, Any]) -> str:
    """right / wrong / confirm_right / other, for an article-expected record."""
    if r["decision"] == "answer":
        return "right" if r["answered"] == r["expected"] else "wrong"
    if r["decision"] == "clarify" and r["candidates"] == [r["expected"]]:
        return "confirm_right"
    return "other"


def share(items: list[Any], test: Any) -> float | None:
    """The share of items passing the test (4 decimals); None when there are no items to judge."""
    return round(sum(1 for i in items if test(i)) / len(items), 4) if items else None


def figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one group of records; each share only over the records it applies to."""
    arts = [r for r in records if is_article(r["expected"])]
    chat = [r for r in records if r["expected"] == CHITCHAT]
    hand = [r for r in records if r["expected"] == HANDOFF]
    out: dict[str, Any] = {"messages": len(records)}
    if arts:
        for key in ("right", "wrong", "confirm_right"):
            out[key] = share(arts, lambda r, k=key: outcome(r) == k)
        out["suggest_top1"] = share(arts, lambda r: r["suggest_top"] == r["expected"])
    if chat:
        out["chitchat_ok"] = share(chat, lambda r: r["decision"] == CHITCHAT)
        out["suggest_empty"] = share(chat, lambda r: r["suggest_count"] == 0)
    if hand:
        out["answered"] = share(hand, lambda r: r["decision"] == "answer")
        out["handoff"] = share(hand, lambda r: r["decision"] == HANDOFF)
    return out


def score(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The result object: overall shares and the figures per kind."""
    arts = [r for r in records if is_article(r["expected"])]
    chat = [r for r in records if r["expected"] == CHITCHAT]
    offtopic = [r for r in records if r["expected"] == HANDOFF and r["kind"] != HUMAN_KIND]
    human = [r for r in records if r["expected"] == HANDOFF and r["kind"] == HUMAN_KIND]
    kinds = sorted(
        {r["kind"] for r in records}, key=lambda k: (k not in KINDS, KINDS.index(k) if k in KINDS else 0, k)
    )
    return {
        "messages": len(records),
        "right": share(arts, lambda r: outcome(r) == "right"),
        "wrong": share(arts, lambda r: outcome(r) == "wrong"),
        "confirm_right": share(arts, lambda r: outcome(r) == "confirm_right"),
        "chitchat_ok": share(chat, lambda r: r["decision"] == CHITCHAT),
        "offtopic_answered": share(offtopic, lambda r: r["decision"] == "answer"),
        "handoff_ok": share(human, lambda r: r["decision"] == HANDOFF),
        "suggest_top1": share(arts, lambda r: r["suggest_top"] == r["expected"]),
        "suggest_empty_for_chitchat": share(chat, lambda r: r["suggest_count"] == 0),
        "kinds": {k: figures([r for r in records if r["kind"] == k]) for k in kinds},
    }


COLUMNS = (
    "messages", "right", "wrong", "confirm_right", "suggest_top1", "chitchat_ok", "suggest_empty",
    "answered", "handoff",
)  # fmt: skip


def table(result: dict[str, Any]) -> str:
    """A readable table per kind (a dash where a figure does not apply), then the overall line."""
    head = f"{'kind':<18}" + "".join(f"{c:>14}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for kind, figs in result["kinds"].items():
        cells = "".join(f"{_cell(figs.get(c)):>14}" for c in COLUMNS)
        lines.append(f"{kind:<18}{cells}")
    overall = {k: v for k, v in result.items() if k != "kinds"}
    lines.append("-" * len(head))
    lines.append("overall: " + ", ".join(f"{k} {_cell(v)}" for k, v in overall.items()))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def write_dump(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(folder: Path, work_dir: Path, dump: Path | None, limit: int | None, kinds: str | None) -> None:
    wanted = {k.strip() for k in kinds.split(",") if k.strip()} if kinds else None
    messages = select_messages(read_messages(folder), wanted, limit)
    if not messages:
        raise SystemExit(f"no messages to run in {folder} (kinds {sorted(wanted or [])}, limit {limit})")
    work_dir.mkdir(parents=True, exist_ok=True)
    records = run(work_dir, messages)
    if dump is not None:
        write_dump(dump, records)
    result = score(records)
    print(table(result))
    print(json.dumps(result, ensure_ascii=False))
