"""Shared fixtures: a real app on a real database (SQLite always, PostgreSQL on 127.0.0.1:5432)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PG_ADMIN_URL = os.environ.get("KB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        _pg_connect(PG_ADMIN_URL).close()
        return True
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must be reachable in CI at {PG_ADMIN_URL}: {exc}")
        return False


@contextmanager
def pg_database(prefix: str = "kbtest") -> Iterator[str]:
    """The URL of a new empty PostgreSQL database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _pg_connect(PG_ADMIN_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with _pg_connect(PG_ADMIN_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_postgres(available: bool) -> None:
    if not available:
        pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL} (set CI=true to make this a failure)")


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A throwaway database, dropped after the test."""
    require_postgres(postgres_available)
    with pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def sample_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample KB as `kb serve` builds it on an empty data dir (index, embedding cache), built once."""
    from kb_service.app import create_app
    from kb_service.settings import Settings

    data_dir = tmp_path_factory.mktemp("sample") / "var"
    with TestClient(create_app(Settings(data_dir=data_dir, wait_for_index=True))):
        pass
    return data_dir


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@dataclass
class Api:
    """A TestClient plus ready-made keys for every role."""

    client: TestClient
    data_dir: Path
    keys: dict[str, str]

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def new_key(self, role: str, kbs: list[str] | None = None) -> dict[str, str]:
        r = self.client.post("/v1/keys", json={"role": role, "kbs": kbs}, headers=self.headers())
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['key']}"}


def make_api(client: TestClient, data_dir: Path) -> Api:
    admin = (data_dir / "admin.key").read_text().strip()
    api = Api(client, data_dir, {"admin": admin})
    for role in ("editor", "agent", "bot"):
        api.keys[role] = api.new_key(role)["Authorization"].split(" ", 1)[1]
    return api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with api_on(database_url, tmp_path) as made:
        yield made


@contextmanager
def api_on(database_url: str, tmp_path: Path, **overrides: object) -> Iterator[Api]:
    """A real app on `database_url` (no sample data) with keys for every role; `overrides` are settings."""
    from kb_service.app import create_app
    from kb_service.settings import Settings

    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, database_url=database_url, load_sample_data=False, **overrides)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        yield make_api(client, data_dir)
