"""The database goes away (PostgreSQL stops accepting connections): searches, suggestions and bot
answers keep working from memory, writes fail with 503 and a clear message, and all recovers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kb_service.app import create_app
from kb_service.settings import Settings
from tests.conftest import PG_ADMIN_URL, _pg_connect, make_api

pytestmark = pytest.mark.postgres

FAQ = {
    "type": "faq",
    "question": "星环X9平板充不进电怎么办",
    "similar_questions": ["星环X9充电没反应", "X9平板无法充电"],
    "answer": "请换用原装充电器并清理充电口，仍不行请联系售后。",
    "category": "repair",
    "status": "published",
}


def set_connections(database: str, allowed: bool) -> None:
    with _pg_connect(PG_ADMIN_URL) as conn:
        conn.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )


@pytest.fixture
def outage_db(postgres_url: str) -> Iterator[str]:
    yield postgres_url
    set_connections(postgres_url.rsplit("/", 1)[1], True)  # so that the fixture can drop it


def test_reads_survive_the_outage_and_writes_get_503(outage_db: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", database_url=outage_db, load_sample_data=False, wait_for_index=True,
        read_cache_ttl_s=0.0,  # every request tries the database first
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        api = make_api(client, tmp_path / "var")
        created = client.post("/v1/kbs/default/articles", json=FAQ, headers=api.headers("editor"))
        assert created.status_code == 201, created.text
        search = {"query": "X9平板充不进电", "top_k": 3}
        assert (
            client.post("/v1/kbs/default/search", json=search, headers=api.headers("agent")).status_code
            == 200
        )

        set_connections(outage_db.rsplit("/", 1)[1], False)
        found = client.post("/v1/kbs/default/search", json=search, headers=api.headers("agent"))
        assert found.status_code == 200 and found.json()["results"][0]["title"] == FAQ["question"]
        answer = client.post(
            "/v1/kbs/default/answer", json={"query": FAQ["question"]}, headers=api.headers("bot")
        )
        assert answer.status_code == 200 and answer.json()["decision"] == "answer", answer.text
        suggest = {"conversation": [{"role": "customer", "text": "星环X9充电没反应"}]}
        assert (
            client.post("/v1/kbs/default/suggest", json=suggest, headers=api.headers("agent")).status_code
            == 200
        )
        write = client.post(
            "/v1/kbs/default/articles", json={**FAQ, "question": "新问题"}, headers=api.headers("editor")
        )
        assert write.status_code == 503, write.text
        assert write.json()["error"]["code"] == "database_unavailable" and write.headers["Retry-After"]

        set_connections(outage_db.rsplit("/", 1)[1], True)
        again = client.post(
            "/v1/kbs/default/articles", json={**FAQ, "question": "新问题"}, headers=api.headers("editor")
        )
        assert again.status_code == 201, again.text
        items = client.get("/v1/kbs/default/articles", headers=api.headers("editor")).json()["items"]
        assert sorted(a["question"] for a in items) == sorted(
            [FAQ["question"], "新问题"]
        )  # nothing lost or doubled
