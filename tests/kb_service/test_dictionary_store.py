"""The dictionary save is a compare-and-set on the stored version, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kb_service.auth import Actor
from kb_service.db import make_engine, migrate
from kb_service.errors import Conflict
from kb_service.models import KnowledgeBase
from kb_service.schemas.dictionary import Dictionary
from kb_service.services.kbs import put_dictionary
from kb_service.services.listener import NoIndex


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(KnowledgeBase(slug="dict", name="dict"))
        session.commit()
    yield engine
    engine.dispose()


def load(session: Session) -> KnowledgeBase:
    return session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == "dict")).one()


def test_a_save_that_commits_after_this_one_read_the_row_wins_and_this_one_is_refused(engine: Engine) -> None:
    """Request A reads the row, request B saves, then A saves without naming a version: A must not
    overwrite B (the version check alone, done on A's stale copy, would let it through)."""
    with Session(engine) as a, Session(engine) as b:
        stale = load(a)
        assert stale.dictionary_version == 1
        put_dictionary(b, load(b), Dictionary(user_words=["开不了机"]), Actor("editor-b"), NoIndex())
        with pytest.raises(Conflict, match="version 2"):
            put_dictionary(a, stale, Dictionary(user_words=["蓝屏"]), Actor("editor-a"), NoIndex())
        assert stale.dictionary_version == 2  # refreshed, so a retry reads what B saved
    with Session(engine) as c:
        kb = load(c)
        assert (kb.user_words, kb.dictionary_version) == (["开不了机"], 2)
        saved = put_dictionary(
            c, kb, Dictionary(user_words=["开不了机", "蓝屏"], version=2), Actor("a"), NoIndex()
        )
        assert saved["version"] == 3 and saved["user_words"] == ["开不了机", "蓝屏"]
