"""The analytics dashboard in headless Chromium against a live uvicorn on a copy of the sample KB: the
query log is seeded with real /answer calls and feedback, then tiles, charts, the unanswered clusters,
"Create FAQ" and the editor-only gate are checked against the analytics API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.kb_service.ui.conftest import SCREENSHOTS, Live, log_in, wait_until

pytestmark = pytest.mark.slow

KB = "/v1/kbs/default"
# One out-of-domain question in three wordings: it should be handed off and cluster together.
OUT_OF_DOMAIN = ["你们公司的股票代码是多少", "请问你们公司的股票代码是多少？", "你们公司的股票代码是多少啊"]
IN_DOMAIN = [
    ("我的笔记本按电源键没反应，开不了机", "web"),
    ("电脑开不了机怎么办", "wechat"),
    ("笔记本开不了机", "app"),
]
TILES = {
    "queries": "count",
    "answer_rate": "rate",
    "clarify_rate": "rate",
    "handoff_rate": "rate",
    "p50_latency_ms": "ms",
    "p95_latency_ms": "ms",
    "helpful_rate": "rate",
    "degraded_rate": "rate",
}


def formatted(value: float | None, kind: str) -> str:
    """The tile text dashboard.js shows for an API value."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "ms":
        return f"{int(value + 0.5)} ms"
    return str(value)


@pytest.fixture(scope="module")
def seeded(live: Live) -> dict[str, Any]:
    """Real /answer calls and feedback; returns the summary once the background writer has flushed."""
    decisions = {}
    for query in OUT_OF_DOMAIN:
        r = live.call("POST", f"{KB}/answer", json={"query": query, "channel": "web"})
        assert r.status_code == 200, r.text
        decisions[query] = r.json()["decision"]
    assert all(d != "answer" for d in decisions.values()), decisions
    answered = []
    for query, channel in IN_DOMAIN:
        r = live.call("POST", f"{KB}/answer", json={"query": query, "channel": channel})
        assert r.status_code == 200, r.text
        answered.append(r.json())
    with_article = [a for a in answered if a["decision"] == "answer"]
    assert len(with_article) >= 2, answered
    for data, event in zip(with_article, ("helpful", "not_helpful"), strict=False):
        body = {"query_id": data["query_id"], "article_id": data["answer"]["article_id"], "event": event}
        assert live.call("POST", f"{KB}/feedback", json=body).status_code == 201
    total = len(OUT_OF_DOMAIN) + len(IN_DOMAIN)
    summary: dict[str, Any] = {}

    def flushed() -> bool:
        summary.update(live.call("GET", f"{KB}/analytics/summary?days=30").json())
        return bool(summary["totals"]["queries"] == total)

    assert wait_until(flushed, seconds=10), summary
    return summary


def open_dashboard(page: Any, live: Live, key: str, kb: str = "default") -> None:
    page.set_viewport_size({"width": 1200, "height": 800})
    log_in(page, live, key, kb, to="/ui/dashboard")


def test_dashboard_page_is_served(live: Live) -> None:
    r = httpx.get(live.url + "/ui/dashboard")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for name in ("dashboard.js", "charts.js", "dashboard.css"):
        assert httpx.get(f"{live.url}/ui/static/{name}").status_code == 200


def test_agent_key_is_told_it_needs_an_editor_key(page: Any, live: Live, agent_key: str) -> None:
    open_dashboard(page, live, agent_key)
    forbidden = page.locator("#forbidden")
    forbidden.wait_for(state="visible")
    assert "编辑" in forbidden.inner_text() and forbidden.inner_text().endswith("agent")
    assert page.locator("#content").is_hidden() and page.locator("#tiles .tile").count() == 0


def test_tiles_and_charts_match_the_summary_api(page: Any, live: Live, seeded: dict[str, Any]) -> None:
    editor = str(live.new_key("editor")["key"])
    open_dashboard(page, live, editor)
    assert page.inner_text("#page-title") == "数据看板"
    totals = seeded["totals"]
    for field, kind in TILES.items():
        text = page.inner_text(f'#tiles .tile[data-field="{field}"] .tile-value')
        assert text == formatted(totals[field], kind), field
    assert page.locator("#volume-chart svg .day").count() == 30
    today = seeded["days"][-1]
    column = page.locator(f'#volume-chart svg .day[data-date="{today["date"]}"]')
    assert column.get_attribute("data-total") == str(today["total"])
    assert column.locator("rect.bar").count() == len(today["by_channel"]) == 3
    points = page.locator("#rates-chart svg circle.point")
    assert points.count() == 2  # today's answer and handoff rates; the other days have no answers
    decided = today["answer"] + today["clarify"] + today["handoff"]
    handoff = page.locator("#rates-chart svg circle.point").nth(1).get_attribute("data-value")
    assert handoff is not None and abs(float(handoff) - today["handoff"] / decided) < 1e-9

    with page.expect_response(lambda r: "summary?days=7" in r.url):
        page.select_option("#period", "7")
    page.wait_for_selector('body[data-days="7"]')
    assert page.locator("#volume-chart svg .day").count() == 7


def test_unanswered_cluster_and_create_faq(page: Any, live: Live, seeded: dict[str, Any]) -> None:
    editor = str(live.new_key("editor")["key"])
    clusters = live.call("GET", f"{KB}/analytics/unanswered?days=30&limit=20").json()["items"]
    cluster = next(c for c in clusters if c["question"] in OUT_OF_DOMAIN)
    assert cluster["count"] == 3
    open_dashboard(page, live, editor)
    row = page.locator("#unanswered tr.cluster").filter(has_text=cluster["question"]).first
    assert row.locator("td.count").inner_text() == "3"
    row.locator("summary").click()  # expands the other wordings
    examples = row.locator(".examples li").all_inner_texts()
    assert examples == cluster["examples"]
    assert page.locator("#top-articles tr.article").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    row.locator("button.create-faq").click()
    dialog = page.locator("#faq-dialog")
    dialog.wait_for(state="visible")
    assert page.input_value("#faq-question") == cluster["question"]
    similar = [e for e in cluster["examples"] if e != cluster["question"]]
    assert page.input_value("#faq-similar").split("\n") == similar
    page.click("#faq-save")  # no answer yet: refused on the page
    page.locator("#faq-message.error").filter(has_text="请填写").wait_for()

    page.fill("#faq-answer", "本公司暂未上市，没有股票代码。")
    page.select_option("#faq-category", "general")

    def conflict(route: Any) -> None:
        error = {"code": "conflict", "message": "an article with this question exists", "details": []}
        route.fulfill(status=409, json={"error": error})

    page.route("**/v1/kbs/default/articles", conflict)
    page.click("#faq-save")
    page.locator("#faq-message.error").filter(has_text="an article with this question exists").wait_for()
    page.unroute("**/v1/kbs/default/articles")

    with page.expect_response(lambda r: r.url.endswith("/articles") and r.request.method == "POST") as info:
        page.click("#faq-save")
    assert info.value.status == 201
    page.locator("#faq-message.success").wait_for()
    article_id = page.get_attribute("#faq-dialog", "data-created-id")
    assert article_id and article_id in page.inner_text("#faq-message")
    article = live.call("GET", f"{KB}/articles/{article_id}").json()
    assert article["type"] == "faq" and article["status"] == "draft"
    assert article["question"] == cluster["question"] and article["category"] == "general"
    assert article["similar_questions"] == similar
    page.click("#faq-cancel")
    assert row.locator("button.create-faq").is_disabled()


def test_english_kb_gets_an_english_dashboard(page: Any, live: Live) -> None:
    r = live.call("POST", "/v1/kbs", json={"slug": "en-dash", "name": "English help", "language": "en"})
    assert r.status_code == 201, r.text
    open_dashboard(page, live, str(live.new_key("editor")["key"]), kb="en-dash")
    assert page.inner_text("#page-title") == "Dashboard"
    assert page.inner_text('#tiles .tile[data-field="queries"]') == "Queries\n0"
    assert page.inner_text("#unanswered tbody") == "No unanswered questions."
    assert page.locator("#volume-chart svg .day").count() == 30
