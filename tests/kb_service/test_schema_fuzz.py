"""Schemathesis fuzzing of every operation in the app's OpenAPI schema: no 5xx, and every response
matches the schema the app declares for it. The requests carry an admin key and name an existing KB,
article, version and (revocable, throwaway) key, so they reach the real handlers rather than 401 / 404."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kb_service.app import create_app
from kb_service.settings import Settings
from tests.conftest import Api, make_api, pg_database, require_postgres
from tests.kb_service.helpers import FAQ, GUIDE

MAX_EXAMPLES = 15  # per operation; deterministic, no shrinking: a CI run of a few minutes at most


class WithoutLifespan:
    """The app for schemathesis's ASGI client; the TestClient of the fixture owns its lifespan."""

    def __init__(self, app: FastAPI):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":  # returning at once tells the client there is no lifespan
            await self.app(scope, receive, send)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_database(request: pytest.FixtureRequest, postgres_available: bool) -> Iterator[str | None]:
    """None: the default SQLite file in the data dir; else a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    require_postgres(postgres_available)
    with pg_database("kbfuzz") as url:
        yield url


@pytest.fixture(scope="module")
def fuzz_target(
    fuzz_database: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "var"
    unlimited = {f"rate_limit_{role}_per_s": 0.0 for role in ("admin", "editor", "agent", "bot")}
    settings = Settings(
        data_dir=data_dir,
        database_url=fuzz_database,
        load_sample_data=False,
        wait_for_index=True,
        **unlimited,  # type: ignore[arg-type]
    )
    app = create_app(settings)
    with TestClient(app) as client:
        api = make_api(client, data_dir)
        faq = client.post(
            "/v1/kbs/default/articles", json={**FAQ, "status": "published"}, headers=api.headers()
        )
        guide = client.post("/v1/kbs/default/articles", json=GUIDE, headers=api.headers())
        assert faq.status_code == guide.status_code == 201, (faq.text, guide.text)
        throwaway = client.post("/v1/keys", json={"role": "bot", "name": "to revoke"}, headers=api.headers())
        path = {
            "kb": "default",
            "article_id": faq.json()["id"],
            "number": 1,
            "key_id": throwaway.json()["id"],
        }
        found = client.post("/v1/kbs/default/search", json={"query": "开不了机"}, headers=api.headers())
        yield {
            "asgi": WithoutLifespan(app),  # one for the whole run: schemathesis keeps every app it sees
            "admin": api.keys["admin"],
            "path": path,
            "client": client,
            "article": f"/v1/kbs/default/articles/{faq.json()['id']}",
            "query_id": found.json()["query_id"],
        }


STATUSES: Counter[tuple[str, int]] = Counter()  # (operation, status) -> examples, for the summary


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary() -> Iterator[None]:
    yield
    operations = {op for op, _ in STATUSES}
    answered = {op for op, status in STATUSES if status < 300}
    print(f"\nfuzzed {len(operations)} operations, {sum(STATUSES.values())} requests")
    for op in sorted(operations):
        print(f"  {op}: " + ", ".join(f"{s}x{n}" for (o, s), n in sorted(STATUSES.items()) if o == op))
    print(f"operations with a 2xx answer: {len(answered)}")
    STATUSES.clear()
    assert answered == operations, f"fuzzing never got past the errors of {sorted(operations - answered)}"


def _schema() -> Any:
    """The OpenAPI schema of an app that is never started (building the schema needs no lifespan).

    Loaded at import rather than with `schemathesis.pytest.from_fixture`, whose tests set
    `node._nodeid`, which pytest 9 no longer has (schemathesis 4.32)."""
    return schemathesis.openapi.from_dict(create_app(Settings(load_sample_data=False)).openapi())


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_responses_match_the_schema(case: Any, fuzz_target: dict[str, Any]) -> None:
    known = fuzz_target
    for name, value in known["path"].items():  # existing objects, so requests get past the 404s
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.headers = {**headers, "Authorization": f"Bearer {known['admin']}"}
    if isinstance(case.body, dict):  # the current version and a real query_id, to get past 409 / 404
        if "version" in case.body and "article_id" in (case.path_parameters or {}):
            article = known["client"].get(known["article"], headers=case.headers)
            case.body["version"] = article.json()["version"]
        if "query_id" in case.body:
            case.body["query_id"] = known["query_id"]
    response = case.call_and_validate(
        app=known["asgi"], checks=[not_a_server_error, response_schema_conformance]
    )
    STATUSES[(case.operation.label, response.status_code)] += 1


# ---- regressions of what the fuzzing found ------------------------------------------------------


def test_numbers_beyond_the_database_range_are_422_not_500(api: Api) -> None:
    huge = 10**30  # SQLite raised OverflowError, PostgreSQL "bigint out of range": both were 500
    listed = api.client.get(f"/v1/kbs/default/articles?offset={huge}", headers=api.headers("editor"))
    assert listed.status_code == 422 and listed.json()["error"]["code"] == "invalid_input", listed.text
    article = api.client.get(f"/v1/kbs/default/articles/{huge}", headers=api.headers("editor"))
    assert article.status_code == 422 and "out of range" in article.json()["error"]["message"]


def test_a_nul_character_postgresql_cannot_store_is_422_not_500(api: Api) -> None:
    faq = {"question": "开机\x00黑屏怎么办", "answer": "长按电源键十秒。"}
    r = api.client.post("/v1/kbs/default/articles", json=faq, headers=api.headers("editor"))
    postgres = api.client.app.state.engine.dialect.name == "postgresql"  # type: ignore[attr-defined]
    assert r.status_code == (422 if postgres else 201), r.text


def test_error_responses_are_declared_with_the_body_the_service_sends(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)  # FastAPI's `{"detail": ...}`, never sent
    responses = spec["paths"]["/v1/kbs/{kb}/articles/{article_id}"]["put"]["responses"]
    for status in ("401", "404", "409", "422"):
        ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorResponse"
    body = api.client.put(
        "/v1/kbs/default/articles/1", json={"version": "x"}, headers=api.headers("editor")
    ).json()
    assert set(body["error"]) == set(spec["components"]["schemas"]["ErrorInfo"]["required"])
