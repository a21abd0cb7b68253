"""The login page and the agent-assist sidebar in headless Chromium, against a live uvicorn serving a copy
of the sample KB: suggestions while typing, copy + feedback stored, keyboard, errors, XSS safety."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.kb_service.ui.conftest import SCREENSHOTS, Live, log_in, wait_until

pytestmark = pytest.mark.slow

MESSAGE = "我的笔记本按电源键没反应，开不了机"
XSS = "<img src=x onerror=window.__xss=1>"


def ask(page: Any, text: str) -> dict[str, Any]:
    """Types like an agent (the debounced refresh sends it); returns the suggest answer once it is shown."""
    with page.expect_response(lambda r: r.url.endswith("/suggest") and r.request.method == "POST") as info:
        page.fill("#conversation", text)
    data: dict[str, Any] = info.value.json()
    page.wait_for_function(
        "id => document.getElementById('results').dataset.queryId === id", arg=data["query_id"]
    )
    return data


def reply_for(data: dict[str, Any], index: int) -> str | None:
    article_id = data["articles"][index]["article_id"]
    return next((r["text"] for r in data["replies"] if r["article_id"] == article_id), None)


def test_whoami_and_profile_for_an_agent_key(live: Live) -> None:
    created = live.new_key("agent", kbs=["default"])
    me = live.call("GET", "/v1/whoami", created["key"])
    assert me.status_code == 200 and me.json() == {"name": "ui-agent", "role": "agent", "kbs": ["default"]}
    assert live.call("GET", "/v1/whoami", "kb_wrong").json()["error"]["code"] == "unauthorized"
    profile = live.call("GET", "/v1/kbs/default/profile", created["key"]).json()
    assert profile["slug"] == "default" and profile["language"] == "zh" and "repair" in profile["categories"]
    bot = live.new_key("bot")["key"]
    assert live.call("GET", "/v1/kbs/default/profile", bot).status_code == 403
    assert live.call("GET", "/v1/kbs/nope/profile", created["key"]).status_code == 403  # outside its scope
    assert live.call("GET", "/v1/kbs/nope/profile").status_code == 404


def test_pages_are_served_without_a_build_step(live: Live) -> None:
    for path in ("/ui/login", "/ui/assist"):
        r = httpx.get(live.url + path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["content-security-policy"]
    assert httpx.get(live.url + "/ui/static/assist.js").headers["content-type"].startswith("text/javascript")


def test_login_with_a_wrong_key_shows_the_api_message(page: Any, live: Live) -> None:
    page.goto(live.url + "/ui/assist")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fassist")  # no stored key: off to the login page
    page.fill("#api-key", "kb_not-a-real-key")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    page.click("#login-button")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert "unknown or revoked API key" in error.inner_text()
    assert page.url.endswith("/ui/login?next=%2Fui%2Fassist")


def test_typing_shows_articles_and_replies_copy_and_feedback_are_stored(
    page: Any, live: Live, agent_key: str
) -> None:
    log_in(page, live, agent_key)
    assert page.inner_text("#page-title") == "坐席助手"  # the sample KB is Chinese
    data = ask(page, MESSAGE)
    first = page.locator("#results .suggestion").first
    title = first.locator(".title").inner_text()
    assert title == data["articles"][0]["title"] and "开" in title and "机" in title
    assert first.locator(".snippet mark").count() >= 1
    reply = reply_for(data, 0)
    assert reply and first.locator(".reply-text").inner_text() == reply
    assert page.inner_text("#queue").endswith("repair")
    assert "sentiment-" in (page.get_attribute("#sentiment", "class") or "")
    page.screenshot(path=str(SCREENSHOTS / "assist.png"), full_page=True)

    first.locator("button.copy").click()
    page.wait_for_function("() => document.querySelector('#results .suggestion button.copy.done')")
    assert page.evaluate("navigator.clipboard.readText()") == reply
    first.locator("button.helpful").click()
    first.locator(".feedback-status").filter(has_text="已记录反馈").wait_for()
    article_id = data["articles"][0]["article_id"]
    assert wait_until(lambda: {"used", "helpful"} <= set(live.feedback_events(article_id)))


def test_keyboard_enter_arrows_and_ctrl_enter_copy_the_second_reply(
    page: Any, live: Live, agent_key: str
) -> None:
    log_in(page, live, agent_key)
    page.fill("#conversation", "客户：你好\n客服：您好，请问有什么可以帮您？\n客户：电脑开不了机")
    with page.expect_response(lambda r: r.url.endswith("/suggest")) as info:
        page.press("#conversation", "Enter")  # searches at once, no newline added
    data = info.value.json()
    assert data["query"] == "电脑开不了机"
    page.wait_for_function(
        "id => document.getElementById('results').dataset.queryId === id", arg=data["query_id"]
    )
    assert page.input_value("#conversation").count("\n") == 2
    second = reply_for(data, 1)
    assert second, "the sample KB should give the second article a reply"
    page.press("#conversation", "ArrowDown")
    assert page.get_attribute("#results .suggestion:nth-child(2)", "aria-current") == "true"
    page.press("#conversation", "Control+Enter")
    page.wait_for_function(
        "() => document.querySelector('#results .suggestion:nth-child(2) button.copy.done')"
    )
    assert page.evaluate("navigator.clipboard.readText()") == second


def test_revoked_key_shows_a_visible_message(page: Any, live: Live) -> None:
    created = live.new_key("agent")
    log_in(page, live, created["key"])
    assert live.call("DELETE", f"/v1/keys/{created['id']}").status_code in (200, 204)
    page.fill("#conversation", MESSAGE)
    status = page.locator("#status")
    status.wait_for(state="visible")
    assert "密钥无效" in status.inner_text() and page.locator("#status a.relogin").count() == 1


def test_api_text_is_never_run_as_html(page: Any, live: Live, agent_key: str) -> None:
    question = f"XSS 探针 {XSS} 怎么办"
    article = {"type": "faq", "question": question, "answer": f"回答 {XSS}", "category": "general"}
    created = live.call("POST", "/v1/kbs/default/articles", json=article)
    assert created.status_code == 201, created.text
    assert live.call("POST", f"/v1/kbs/default/articles/{created.json()['id']}/publish").status_code == 200
    log_in(page, live, agent_key)
    data = ask(page, "XSS 探针 怎么办")
    assert data["articles"][0]["title"] == question
    page.wait_for_timeout(300)  # give an injected onerror handler the chance to fire
    assert page.evaluate("window.__xss") is None
    assert page.locator("#results img").count() == 0
    assert XSS in page.locator("#results .suggestion .title").first.inner_text()


def test_english_kb_gets_english_ui(page: Any, live: Live, agent_key: str) -> None:
    r = live.call("POST", "/v1/kbs", json={"slug": "en-help", "name": "English help", "language": "en"})
    assert r.status_code == 201, r.text
    log_in(page, live, agent_key, kb="en-help")
    assert page.inner_text("#page-title") == "Agent assist"
    assert page.get_attribute("#conversation", "placeholder").startswith("Paste or type")


def test_typing_is_debounced_and_filters_are_sent(page: Any, live: Live, agent_key: str) -> None:
    log_in(page, live, agent_key)
    bodies: list[dict[str, Any]] = []
    page.on("request", lambda r: bodies.append(r.post_data_json) if r.url.endswith("/suggest") else None)
    with page.expect_response(lambda r: r.url.endswith("/suggest")):
        page.type("#conversation", "笔记本开不了机", delay=60)  # keystrokes closer than the 300 ms debounce
    assert len(bodies) == 1 and bodies[0]["conversation"] == [{"role": "customer", "text": "笔记本开不了机"}]
    with page.expect_response(lambda r: r.url.endswith("/suggest")):
        page.select_option("#category", "repair")
    with page.expect_response(lambda r: r.url.endswith("/suggest")) as info:
        page.fill("#product", "ThinkPad T14")
    assert bodies[-1]["filters"] == {"category": "repair", "products": ["ThinkPad T14"]}
    assert all(a["category"] == "repair" for a in info.value.json()["articles"])


def test_rate_limit_and_server_errors_are_shown_and_429_is_retried(
    page: Any, live: Live, agent_key: str
) -> None:
    log_in(page, live, agent_key)
    answers = [
        (503, {}, {"error": {"code": "unavailable", "message": "index loading", "details": []}}),
        (
            429,
            {"Retry-After": "1"},
            {"error": {"code": "rate_limited", "message": "slow down", "details": []}},
        ),
    ]

    def fake(route: Any) -> None:
        if not answers:
            return route.continue_()  # type: ignore[no-any-return]
        status, headers, body = answers.pop(0)
        return route.fulfill(status=status, headers=headers, json=body)  # type: ignore[no-any-return]

    page.route("**/suggest", fake)
    status = page.locator("#status")
    page.fill("#conversation", MESSAGE)
    status.filter(has_text="服务出错").filter(has_text="index loading").wait_for()
    page.press("#conversation", "Enter")
    status.filter(has_text="请求太频繁").wait_for()
    page.locator("#results .suggestion").first.wait_for()  # retried after Retry-After, on its own
    assert status.is_hidden()


def test_a_named_product_is_offered_as_the_product_filter(page: Any, live: Live, agent_key: str) -> None:
    log_in(page, live, agent_key)
    data = ask(page, "客户：我的Y9000P没有声音了")
    assert {"text": "Y9000P", "kind": "product", "canonical": "拯救者 Y9000P"} in data["entities"]
    chip = page.locator("#entities button.entity")
    assert chip.count() == 1 and chip.get_attribute("data-product") == "拯救者 Y9000P"
    with page.expect_response(lambda r: r.url.endswith("/suggest")) as info:
        chip.click()
    sent = info.value.request.post_data_json
    assert sent["filters"]["products"] == ["拯救者 Y9000P"]
    assert page.input_value("#product") == "拯救者 Y9000P"
    page.wait_for_function("() => !document.querySelector('#entities button.entity')")  # applied: no chip


def test_pages_ask_for_no_favicon_and_log_no_errors(page: Any, live: Live, agent_key: str) -> None:
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live.url + "/ui/login")
    page.wait_for_load_state("networkidle")
    log_in(page, live, agent_key)
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if u.endswith("/favicon.ico")], requested
    assert errors == []
