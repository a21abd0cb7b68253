"""The query log writer on SQLite and PostgreSQL: batches, exists(), close, masking, outages, retention."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from kb_service.db import make_engine, migrate
from kb_service.models import Feedback, KnowledgeBase, QueryLog, utcnow
from kb_service.schemas.kbs import KbSettings
from kb_service.services.query_log import QueryLogEntry, QueryLogWriter, purge_expired


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def make_kb(engine: Engine, slug: str, **settings: Any) -> int:
    with Session(engine) as session:
        kb = KnowledgeBase(slug=slug, name=slug, settings=KbSettings(**settings).model_dump())
        session.add(kb)
        session.commit()
        assert kb.id is not None
        return kb.id


def entry(kb_id: int, query: str = "怎么转人工", **fields: Any) -> QueryLogEntry:
    return QueryLogEntry(
        id=str(uuid.uuid4()), kb_id=kb_id, endpoint="search", role="agent", query=query, **fields
    )


def stored(engine: Engine) -> list[QueryLog]:
    with Session(engine) as session:
        return list(session.exec(select(QueryLog)).all())


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_flush_writes_in_batches_one_transaction_each(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine, batch_size=3)
    entries = [entry(kb, f"问题 {i}", top_article_ids=[i, i + 1], top_scores=[0.9, 0.5]) for i in range(7)]
    assert all(writer.record(e) for e in entries)
    assert writer.pending == 7 and stored(engine) == []
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    assert writer.flush() is True
    assert len(commits) == 3 and writer.pending == 0 and writer.written == 7
    rows = {r.id: r for r in stored(engine)}
    assert set(rows) == {e.id for e in entries}
    row = rows[entries[2].id]
    assert (row.endpoint, row.role, row.kb_id, row.top_article_ids, row.top_scores) == (
        "search",
        "agent",
        kb,
        [2, 3],
        [0.9, 0.5],
    )
    assert row.normalized_query == "问题 2" and row.created_at.tzinfo is not None


def test_exists_covers_pending_and_stored_ids_of_the_same_kb_only(engine: Engine) -> None:
    kb, other = make_kb(engine, "a"), make_kb(engine, "b")
    writer = QueryLogWriter(engine)
    e = entry(kb)
    writer.record(e)
    assert writer.exists(kb, e.id) and not writer.exists(other, e.id)
    assert not writer.exists(kb, str(uuid.uuid4()))
    writer.flush()
    assert writer.pending == 0
    assert writer.exists(kb, e.id) and not writer.exists(other, e.id)


def test_background_thread_writes_on_interval_and_when_a_batch_is_full(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine, flush_interval_s=0.05)
    writer.start()
    writer.record(entry(kb))
    wait_for(lambda: len(stored(engine)) == 1)
    writer.close()
    full = QueryLogWriter(engine, batch_size=4, flush_interval_s=60)
    full.start()
    for _ in range(4):
        full.record(entry(kb))
    wait_for(lambda: len(stored(engine)) == 5)  # a full batch wakes the thread long before 60 s
    full.close()


def test_close_flushes_and_stops_the_thread(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine, flush_interval_s=60)
    writer.start()
    for _ in range(3):
        writer.record(entry(kb))
    writer.close()
    assert len(stored(engine)) == 3 and writer.pending == 0
    assert not writer.running


def test_personal_data_is_masked_before_it_is_queued(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine)
    writer.record(entry(kb, "我的手机13812345678，邮箱 zhang.san@example.com，退款到哪了"))
    writer.record(entry(kb, "订单", normalized_query="订单 联系 13912345678"))
    queued = " ".join(str(row) for row in writer._queue)
    assert "13812345678" not in queued and "zhang.san@example.com" not in queued
    writer.flush()
    texts = " ".join(r.query + " " + r.normalized_query for r in stored(engine))
    assert "退款到哪了" in texts
    for secret in ("13812345678", "zhang.san@example.com", "13912345678"):
        assert secret not in texts


def test_full_queue_drops_new_entries_and_counts_them(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine, max_pending=3)
    results = [writer.record(entry(kb)) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert writer.pending == 3 and writer.dropped == 2
    writer.flush()
    assert len(stored(engine)) == 3 and writer.record(entry(kb)) is True


def test_rows_the_database_rejects_do_not_block_the_others(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    writer = QueryLogWriter(engine)
    good, duplicate = entry(kb), entry(kb)
    writer.record(good)
    writer.record(entry(999_999))  # no such KB: foreign key violation
    writer.record(duplicate)
    writer.record(QueryLogEntry(**{**duplicate.__dict__, "query": "again"}))  # same query_id twice
    assert writer.flush() is True
    assert {r.id for r in stored(engine)} == {good.id, duplicate.id}
    assert (writer.written, writer.rejected, writer.pending) == (2, 2, 0)


def test_survives_a_database_outage_and_retries(engine: Engine) -> None:
    kb = make_kb(engine, "a")
    table = SQLModel.metadata.tables["query_log"]
    writer = QueryLogWriter(engine, flush_interval_s=0.02, retry_delay_s=0.02)
    writer.start()
    table.drop(engine)
    first, second = entry(kb), entry(kb)
    writer.record(first)
    writer.record(second)
    wait_for(lambda: writer.failures >= 2)
    assert writer.pending == 2 and writer.exists(kb, first.id)
    assert writer.running
    table.create(engine)
    wait_for(lambda: writer.pending == 0)
    assert {r.id for r in stored(engine)} == {first.id, second.id}
    writer.close()


def _seed_old_rows(engine: Engine, kb_id: int, ages_days: list[int]) -> None:
    now = utcnow()
    with Session(engine) as session:
        for age in ages_days:
            qid = str(uuid.uuid4())
            when = now - timedelta(days=age)
            session.add(
                QueryLog(
                    id=qid,
                    kb_id=kb_id,
                    endpoint="answer",
                    role="bot",
                    query=f"{age}",
                    normalized_query="x",
                    created_at=when,
                )
            )
            session.add(Feedback(kb_id=kb_id, query_id=qid, event="click", created_at=when))
        session.commit()


def _ages(engine: Engine, kb_id: int) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(QueryLog.query).where(QueryLog.kb_id == kb_id)).all())


def test_purge_expired_uses_each_kbs_retention(engine: Engine) -> None:
    default, short = make_kb(engine, "a"), make_kb(engine, "b", log_retention_days=7)
    _seed_old_rows(engine, default, [100, 30, 1])
    _seed_old_rows(engine, short, [10, 3])
    with Session(engine) as session:
        assert purge_expired(session, utcnow()) == {"query_log": 2, "feedback": 2}
    assert _ages(engine, default) == ["1", "30"] and _ages(engine, short) == ["3"]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Feedback)).one() == 3
        assert purge_expired(session) == {"query_log": 0, "feedback": 0}


def test_writer_purges_once_at_start(engine: Engine) -> None:
    kb = make_kb(engine, "a", log_retention_days=5)
    _seed_old_rows(engine, kb, [6, 2])
    writer = QueryLogWriter(engine, flush_interval_s=0.05)
    writer.start()
    wait_for(lambda: _ages(engine, kb) == ["2"])
    writer.close()
