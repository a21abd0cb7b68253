"""Database tables (SQLModel). JSON columns hold lists and nested content; indexed columns hold filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class KnowledgeBase(SQLModel, table=True):
    __tablename__ = "knowledge_base"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    language: str = Field(default="zh", max_length=8)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    user_words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    synonyms: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    dictionary_version: int = 1
    # products editors maintain: [{name, series, aliases: [...]}]; saved with compare-and-set on its version
    catalogue: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    catalogue_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Article(SQLModel, table=True):
    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("kb_id", "external_id", name="uq_article_kb_external_id"),
        Index("ix_article_kb_status", "kb_id", "status"),
        Index("ix_article_kb_title", "kb_id", "title"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kb_id: int = Field(foreign_key="knowledge_base.id")
    type: str = Field(max_length=8)
    external_id: str | None = Field(default=None, max_length=200)
    title: str = Field(max_length=500)  # FAQ: standard question; guide: title
    status: str = Field(default="draft", max_length=16)
    review_requested: bool = False
    category: str | None = Field(default=None, max_length=64)
    products: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)
    updated_by: str | None = Field(default=None, max_length=200)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic concurrency: every UPDATE says `WHERE version = <the version read>`, so of two
        # saves of the same version the second matches no row (StaleDataError → 409), never both.
        table: Any = cls.__table__  # type: ignore[attr-defined]
        return {"version_id_col": table.c.version, "version_id_generator": False}


class ArticleVersion(SQLModel, table=True):
    """A full copy of the article as it was after each save; any of them can be restored."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_article_version"),)
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    version: int
    action: str = Field(max_length=32)
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    kbs: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    key_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class ImportRecord(SQLModel, table=True):
    __tablename__ = "import_record"
    id: int | None = Field(default=None, primary_key=True)
    kb_id: int = Field(foreign_key="knowledge_base.id", index=True)
    filename: str = Field(max_length=500)
    size_bytes: int
    sha256: str = Field(max_length=64)
    dry_run: bool = False
    partial: bool = False
    succeeded: bool = False
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)


class QueryLog(SQLModel, table=True):
    __tablename__ = "query_log"
    __table_args__ = (Index("ix_query_log_kb_created", "kb_id", "created_at"),)
    id: str = Field(primary_key=True, max_length=36)  # the query_id handed to clients
    kb_id: int = Field(foreign_key="knowledge_base.id")
    endpoint: str = Field(max_length=16)  # search / suggest / answer
    role: str = Field(max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    query: str = Field(sa_column=Column(Text, nullable=False))
    normalized_query: str = Field(sa_column=Column(Text, nullable=False))
    decision: str | None = Field(default=None, max_length=16)
    top_article_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    top_scores: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confidence: float | None = None
    latency_ms: float = 0.0
    degraded: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    __tablename__ = "feedback"
    id: int | None = Field(default=None, primary_key=True)
    kb_id: int = Field(foreign_key="knowledge_base.id", index=True)
    query_id: str = Field(max_length=36, index=True)
    article_id: int | None = None
    event: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)


class AuditEvent(SQLModel, table=True):
    """Who (which key) did what: article changes, imports, dictionary and key changes."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    kb_id: int | None = Field(default=None, index=True)
    actor: str | None = Field(default=None, max_length=200)
    actor_key_id: int | None = Field(default=None, index=True)  # None: the service or the command line
    action: str = Field(max_length=32)
    target_type: str = Field(max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
