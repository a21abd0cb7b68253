"""Upgrades of a database made by an earlier release keep its rows and fill the new columns."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from kb_service.auth import Actor
from kb_service.db import alembic_config, make_engine, migrate
from kb_service.models import KnowledgeBase
from kb_service.schemas.catalogue import Catalogue
from kb_service.services.catalogue import put_catalogue
from kb_service.services.listener import NoIndex


def test_0003_gives_existing_kbs_an_empty_catalogue_at_version_1(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0002")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO knowledge_base (slug, name, language, settings, user_words, synonyms, "
                    "dictionary_version, created_at, updated_at) VALUES ('old', 'Old', 'zh', '{}', "
                    "'[\"开不了机\"]', '[]', 4, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        migrate(engine)
        with Session(engine) as session:
            kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == "old")).one()
            assert (kb.catalogue, kb.catalogue_version) == ([], 1)
            assert (kb.user_words, kb.dictionary_version) == (["开不了机"], 4)
            data = Catalogue.model_validate({"products": [{"name": "ThinkPad T14"}], "version": 1})
            assert put_catalogue(session, kb, data, Actor("t"), NoIndex())["version"] == 2
        # a KB created after the upgrade gets the model's defaults
        with Session(engine) as session:
            session.add(KnowledgeBase(slug="new", name="New"))
            session.commit()
            kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == "new")).one()
            assert (kb.catalogue, kb.catalogue_version) == ([], 1)
        command.downgrade(alembic_config(engine), "0002")
        with engine.connect() as conn:
            names = conn.execute(text("SELECT slug FROM knowledge_base ORDER BY slug")).scalars().all()
        assert names == ["new", "old"]
    finally:
        engine.dispose()
