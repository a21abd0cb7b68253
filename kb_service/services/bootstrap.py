"""First start: schema, the `default` KB, the first admin key, and the sample knowledge base."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from kb_service.auth import Principal
from kb_service.db import migrate
from kb_service.models import ApiKey, Article
from kb_service.schemas.catalogue import Catalogue
from kb_service.schemas.dictionary import Dictionary
from kb_service.schemas.keys import KeyCreate
from kb_service.services import catalogue, imports, kbs, keys
from kb_service.services.listener import NoIndex
from kb_service.settings import Settings

log = logging.getLogger(__name__)
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data"
SYSTEM = Principal(key_id=0, name="system", role="admin", kbs=None, key_hash="")


def ensure_admin_key(session: Session, data_dir: Path) -> str | None:
    """Create an admin key when none exists; print it once and keep it in <data_dir>/admin.key (mode 600)."""
    if session.exec(select(ApiKey).where(ApiKey.role == "admin", ApiKey.revoked_at == None)).first():  # noqa: E711
        return None
    _, token = keys.create_key(session, KeyCreate(role="admin", name="initial-admin"), SYSTEM.actor)
    path = data_dir / "admin.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.chmod(path, 0o600)
    print(f"Created the first admin API key (shown once, also saved to {path}):\n  {token}", flush=True)
    return token


def read_dictionary(folder: Path) -> Dictionary:
    words_file, synonyms_file = folder / "user_dict.txt", folder / "synonyms.txt"
    words = words_file.read_text("utf-8").splitlines() if words_file.exists() else []
    groups = (
        [line.split() for line in synonyms_file.read_text("utf-8").splitlines()]
        if synonyms_file.exists()
        else []
    )
    return Dictionary(
        user_words=[w for w in words if w.strip() and not w.startswith("#")],
        synonyms=[g for g in groups if len(g) >= 2 and not g[0].startswith("#")],
    )


def load_sample(session: Session, settings: Settings, sample_dir: Path = SAMPLE_DIR) -> int:
    """Import the team's sample KB into `default`, published, when that KB is still empty."""
    kb = kbs.ensure_default_kb(session)
    if session.exec(select(func.count()).select_from(Article).where(Article.kb_id == kb.id)).one():
        return 0
    files = sorted((sample_dir / "sample_kb").glob("*.jsonl"))
    created = 0
    for path in files:
        result = imports.run_import(
            session, kb, path.name, path.read_bytes(), SYSTEM, settings, NoIndex(), default_status="published"
        )
        created += result["created"]
    if (sample_dir / "dict").exists():
        kbs.put_dictionary(session, kb, read_dictionary(sample_dir / "dict"), SYSTEM.actor, NoIndex())
    catalogue_file = sample_dir / "dict" / "catalogue.json"
    if catalogue_file.exists():  # the PUT /catalogue body: {"products": [...]}
        products = Catalogue.model_validate_json(catalogue_file.read_bytes())
        catalogue.put_catalogue(session, kb, products, SYSTEM.actor, NoIndex())
    log.info("loaded %d sample articles into the default knowledge base", created)
    return created


def bootstrap(engine: Engine, settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        kbs.ensure_default_kb(session)
        ensure_admin_key(session, settings.data_dir)
        if settings.load_sample_data:
            load_sample(session, settings)
