"""Back up one KB to a single file and restore it: articles with every version, dictionary, product
catalogue, settings, keys.

The file is gzip'd JSON lines. Line 1 is the header (format and kbsearch versions, created_at, source KB,
counts, SHA-256 of the body); each body line is one record: the `kb` (settings and dictionary) first, then
one `article` per line with its versions, then `api_key` metadata. Restore checks the whole file (gzip
stream, checksum, counts, record shapes) before it writes anything, then writes in one transaction.
Article ids are kept when the target database has none of them in use (a restore into a fresh database or
over the same KB with --replace), so the KB's query log, feedback and outside links still point at the
right articles; otherwise (a copy beside the original) the database assigns new ones and the summary says
so. Versions, statuses, authors and timestamps are kept.
Keys travel as SHA-256 hashes, never tokens: every key that could use the KB may use the restored KB (and
only it), so bots and agents keep working after a move to another database.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col, select

from kb_service.auth import Actor
from kb_service.errors import Conflict, InvalidInput
from kb_service.models import ApiKey, Article, ArticleVersion, KnowledgeBase
from kb_service.schemas.kbs import KbCreate
from kb_service.services import audit
from kb_service.services.backup_format import (
    ARTICLE_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    KB_FIELDS,
    KB_OPTIONAL_FIELDS,
    KEY_FIELDS,
    VERSION_FIELDS,
    kb_catalogue,
    plain,
    read_lines,
    record_counts,
    total_counts,
    typed,
    verify,
)

BATCH = 500


# ---- dump -----------------------------------------------------------------------------------------
def dump_records(session: Session, kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """The KB as backup records, streamed in batches of articles."""
    yield {"kind": "kb", "slug": kb.slug, **plain(kb, KB_FIELDS), **plain(kb, tuple(KB_OPTIONAL_FIELDS))}
    last_id = 0
    while True:
        query = select(Article).where(Article.kb_id == kb.id, col(Article.id) > last_id)
        rows = session.exec(query.order_by(col(Article.id)).limit(BATCH)).all()
        if not rows:
            break
        versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
        ids = [row.id for row in rows]
        query_v = select(ArticleVersion).where(col(ArticleVersion.article_id).in_(ids))
        for v in session.exec(query_v.order_by(col(ArticleVersion.article_id), col(ArticleVersion.version))):
            versions[v.article_id].append(plain(v, VERSION_FIELDS))
        for row in rows:
            yield {
                "kind": "article",
                "id": row.id,
                **plain(row, ARTICLE_FIELDS),
                "versions": versions[row.id or 0],
            }
        last_id = ids[-1] or 0
        session.expunge_all()
    for key in session.exec(select(ApiKey).order_by(col(ApiKey.id))):
        if key.kbs is None or kb.slug in key.kbs:
            yield {"kind": "api_key", "id": key.id, "kbs": key.kbs, **plain(key, KEY_FIELDS)}


def write_backup(session: Session, kb: KnowledgeBase, path: Path) -> dict[str, Any]:
    """Write the backup file (mode 600, replaced atomically); returns its header."""
    digest, counts = hashlib.sha256(), Counter[str]()
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as body:
        for record in dump_records(session, kb):
            line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            digest.update(line)
            body.write(line)
            counts.update(record_counts(record))
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kbsearch_version": package_version("kbsearch"),
            "created_at": datetime.now(UTC).isoformat(),
            "kb": kb.slug,
            "counts": total_counts(counts),
            "body_sha256": digest.hexdigest(),
        }
        body.seek(0)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb") as packed:
                    packed.write((json.dumps(header, ensure_ascii=False) + "\n").encode("utf-8"))
                    shutil.copyfileobj(body, packed)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return header


def restore(
    session: Session,
    path: Path,
    *,
    slug: str | None = None,
    replace: bool = False,
    keys: bool = True,
    actor: Actor = Actor("cli"),
) -> dict[str, Any]:
    """Restore a checked backup as KB `slug` (default: its own) in one transaction; returns a summary."""
    header, article_ids = verify(path)
    target = slug or header["kb"]
    try:
        KbCreate(slug=target, name=target)
    except ValidationError as exc:
        raise InvalidInput(f"'{target}' is not a valid knowledge base slug") from exc
    kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == target)).first()
    if kb is not None and not replace:
        raise Conflict(
            f"knowledge base '{target}' already exists; use --replace to overwrite it "
            "or --kb NEW_SLUG to restore beside it"
        )
    summary: Counter[str] = Counter()
    try:
        records = (json.loads(line) for line in read_lines(path))
        next(records)  # the header
        kb = _restore_kb(session, kb, target, next(records))
        keep_ids = _ids_free(session, article_ids)
        batch: list[dict[str, Any]] = []
        for record in records:
            if record["kind"] == "article":
                batch.append(record)
                if len(batch) >= BATCH:
                    summary.update(_insert_articles(session, kb, batch, keep_ids))
                    batch = []
            elif keys:
                summary[_restore_key(session, target, record)] += 1
        summary.update(_insert_articles(session, kb, batch, keep_ids))
        if keep_ids:
            _advance_article_ids(session)
        details = {"source_kb": header["kb"], "backup_created_at": header["created_at"], "replaced": replace}
        details["article_ids"] = "kept" if keep_ids else "renumbered"
        audit.record(session, actor, "restore", "kb", target, kb_id=kb.id, **details, **summary)
        session.commit()
    except (IntegrityError, DataError) as exc:  # e.g. a duplicate external_id, a too long value
        session.rollback()
        problem = f"{path.name} does not fit this database ({exc.orig})"
        raise InvalidInput(f"{problem}; nothing was restored") from exc
    except BaseException:
        session.rollback()
        raise
    return {"kb": target, **details, **summary}


def _restore_kb(
    session: Session, kb: KnowledgeBase | None, slug: str, record: dict[str, Any]
) -> KnowledgeBase:
    if kb is None:
        kb = KnowledgeBase(slug=slug, name=record["name"])
    else:  # --replace: the KB row (and its query log and feedback) stays, its content goes
        old = select(Article.id).where(Article.kb_id == kb.id)
        session.connection().execute(delete(ArticleVersion).where(col(ArticleVersion.article_id).in_(old)))
        session.connection().execute(delete(Article).where(col(Article.kb_id) == kb.id))
    for field, value in (typed(record, KB_FIELDS) | kb_catalogue(record)).items():
        setattr(kb, field, value)
    session.add(kb)
    session.flush()
    return kb


def _ids_free(session: Session, ids: list[object]) -> bool:
    """Whether the backup's article ids are distinct positive integers that no article here uses
    (run after --replace removed the KB's own articles)."""
    if not all(type(i) is int and i > 0 for i in ids) or len(set(ids)) != len(ids):
        return False
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        if session.exec(select(Article.id).where(col(Article.id).in_(chunk)).limit(1)).first() is not None:
            return False
    return True


def _advance_article_ids(session: Session) -> None:
    """PostgreSQL hands out serial ids from a sequence that explicit ids do not move: move it past them
    (SQLite takes the largest id + 1 by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT setval(pg_get_serial_sequence('article', 'id'), (SELECT max(id) FROM article))")
        )


def _insert_articles(
    session: Session, kb: KnowledgeBase, records: list[dict[str, Any]], keep_ids: bool
) -> dict[str, int]:
    assert kb.id is not None
    rows = [
        Article(kb_id=kb.id, id=record["id"] if keep_ids else None, **typed(record, ARTICLE_FIELDS))
        for record in records
    ]
    session.add_all(rows)
    session.flush()  # assigns the new ids (when not kept)
    versions = [
        ArticleVersion(article_id=row.id or 0, **typed(v, VERSION_FIELDS))
        for row, record in zip(rows, records, strict=True)
        for v in record["versions"]
    ]
    session.add_all(versions)
    session.flush()
    for written in (*rows, *versions):  # keep memory flat on large KBs; the transaction stays open
        session.expunge(written)
    return {"articles": len(rows), "versions": len(versions)}


def _restore_key(session: Session, slug: str, record: dict[str, Any]) -> str:
    """A key that could use the backed-up KB may use the restored one: created, or its scope extended."""
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == record["key_hash"])).first()
    if row is None:
        session.add(ApiKey(kbs=[slug], **typed(record, KEY_FIELDS)))
        return "keys_created"
    if row.kbs is None or slug in row.kbs:
        return "keys_unchanged"
    row.kbs = [*row.kbs, slug]
    session.add(row)
    return "keys_extended"


def forget_index(data_dir: Path, slug: str) -> bool:
    """Drop a KB's snapshots so the next start builds from the restored articles (a snapshot holds the
    articles as they were when it was built, under ids that may now name other articles)."""
    folder = data_dir / "index" / slug
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
