"""Searches, answers and suggestions compute in a bounded pool of their own; writes never wait for it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kb_service.app import create_app
from tests.conftest import make_api
from tests.kb_service.conftest import sample_settings
from tests.kb_service.helpers import create

READS = {
    "search": ("agent", {"query": "开不了机"}),
    "answer": ("bot", {"query": "开不了机"}),
    "suggest": ("agent", {"conversation": [{"role": "customer", "text": "开不了机"}]}),
}


@pytest.mark.parametrize("endpoint", sorted(READS))
def test_a_publish_goes_through_while_every_search_slot_is_taken(sample_dir: Path, endpoint: str) -> None:
    role, body = READS[endpoint]
    with TestClient(create_app(sample_settings(sample_dir, search_threads=1))) as client:
        api = make_api(client, sample_dir)
        limiter = client.app.state.search_limiter  # type: ignore[attr-defined]
        holder = object()
        assert client.portal is not None
        client.portal.call(limiter.acquire_on_behalf_of, holder)  # the only slot is busy
        with ThreadPoolExecutor(1) as pool:
            url = f"/v1/kbs/default/{endpoint}"
            waiting = pool.submit(api.client.post, url, json=body, headers=api.headers(role))
            time.sleep(0.3)
            assert not waiting.done(), "the read should wait for a search slot"
            question = f"压测插队问题{endpoint}：路由器指示灯一直闪烁"
            faq = {"type": "faq", "question": question, "answer": "请断电重启路由器。", "status": "published"}
            created = create(api, faq)  # a write completes meanwhile
            assert not waiting.done()
            client.portal.call(limiter.release_on_behalf_of, holder)
            response = waiting.result(timeout=60)
        assert response.status_code == 200, response.text
        found = _search(api, question)
        assert found[0]["article_id"] == created["id"]


def _search(api: Any, query: str) -> list[dict[str, Any]]:
    r = api.client.post("/v1/kbs/default/search", json={"query": query}, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def test_search_threads_is_validated() -> None:
    with pytest.raises(ValueError, match="search_threads"):
        sample_settings(Path("/nonexistent"), search_threads=0)
