"""GET /metrics: Prometheus text with request counts, latency and index state; only for allowed hosts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from kb_service.app import create_app
from kb_service.settings import Settings
from tests.conftest import Api
from tests.kb_service.helpers import FAQ, create

SEARCH = "/v1/kbs/{kb}/search"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_requests_counted_by_route_template_and_status(api: Api) -> None:
    for query in ("开不了机", "蓝屏", "充电"):
        r = api.client.post("/v1/kbs/default/search", json={"query": query}, headers=api.headers("agent"))
        assert r.status_code == 200, r.text
    assert api.client.post("/v1/kbs/default/search", json={"query": "x"}).status_code == 401
    assert api.client.get("/no/such/path").status_code == 404
    samples = scrape(api.client)
    ok = {"method": "POST", "route": SEARCH, "status": "200"}
    assert sample(samples, "kb_http_requests_total", **ok) == 3
    assert sample(samples, "kb_http_requests_total", **{**ok, "status": "401"}) == 1
    assert sample(samples, "kb_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert not any("/v1/kbs/default" in dict(labels).get("route", "") for _, labels in samples)
    assert sample(samples, "kb_http_request_duration_seconds_count", **ok) == 3
    assert sample(samples, "kb_http_request_duration_seconds_bucket", **ok, le="+Inf") == 3
    assert 0 < (sample(samples, "kb_http_request_duration_seconds_sum", **ok) or 0) < 30


def test_index_and_service_gauges(api: Api) -> None:
    article = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{article['id']}/publish"
    assert api.client.post(url, headers=api.headers("editor")).status_code == 200
    status = api.client.get("/v1/kbs/default/index", headers=api.headers("editor")).json()
    samples = scrape(api.client)
    assert sample(samples, "kb_index_articles", kb="default") == status["articles"] == 1
    assert (
        sample(samples, "kb_index_chunks", kb="default") == status["chunks"] > len(FAQ["similar_questions"])
    )
    # Dense embeddings of the new FAQ may land between the two reads: these two may move on.
    assert (sample(samples, "kb_index_generation", kb="default") or 0) >= status["generation"] >= 1
    pending = sample(samples, "kb_index_pending_dense", kb="default")
    assert pending is not None and 0 <= pending <= status["chunks"]
    assert sample(samples, "kb_degraded") == 0
    assert sample(samples, "kb_query_log_pending") is not None
    assert sample(samples, "kb_query_log_dropped_total") == 0
    info = [dict(labels) for name, labels in samples if name == "kb_index_info"]
    assert {"kb": "default", "snapshot": status["snapshot"] or "", "state": status["state"]} in info


def test_metrics_needs_no_key_but_refuses_other_hosts(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 200
    outsider = TestClient(api.client.app, client=("10.0.0.5", 1234))
    r = outsider.get("/metrics")
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden" and "metrics_allow" in r.json()["error"]["message"]


def test_metrics_allow_setting(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", load_sample_data=False, metrics_allow=["10.0.0.5"])
    with TestClient(create_app(settings)) as local:
        assert local.get("/metrics").status_code == 403
        assert TestClient(local.app, client=("10.0.0.5", 1234)).get("/metrics").status_code == 200


def test_each_app_has_its_own_registry(api: Api, tmp_path: Path) -> None:
    api.client.get("/healthz")
    settings = Settings(data_dir=tmp_path / "other", load_sample_data=False)
    with TestClient(create_app(settings)) as other:
        samples = scrape(other)
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    assert sample(samples, "kb_http_requests_total", **health) is None
    assert (sample(scrape(api.client), "kb_http_requests_total", **health) or 0) >= 1
