"""The editor console in headless Chromium against a live uvicorn on a copy of the sample KB: writing and
publishing an FAQ that the "test it" box and the assist sidebar then find, guide Markdown preview with
version diff and restore, upload with a dry run and row errors, dictionary and settings, role gating and
the review queue. Every change made on the page is checked through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kb_service.ui.conftest import SCREENSHOTS, Live, log_in

pytestmark = pytest.mark.slow

KB = "/v1/kbs/default"
FAQ_QUESTION = "扫地机器人X9回充时充电座红灯一直闪烁怎么办"
FAQ_SIMILAR = ["扫地机器人找不到充电座", "扫地机回不了充电座红灯闪"]
FAQ_ANSWER = "请清洁充电座的金属触点，并确保充电座两侧各留出0.5米空旷区域，然后长按回充键3秒重新回充。"
CUSTOMER = "你好，我家的扫地机器人回不了充电座，充电座红灯一直闪"


def open_editor(page: Any, live: Live, key: str, kb: str = "default") -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live, key, kb, to="/ui/editor")


def article(live: Live, article_id: int | str, kb: str = "default") -> dict[str, Any]:
    r = live.call("GET", f"/v1/kbs/{kb}/articles/{article_id}")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def new_kb(live: Live, slug: str, language: str = "zh", **settings: Any) -> None:
    r = live.call("POST", "/v1/kbs", json={"slug": slug, "name": f"UI {slug}", "language": language})
    assert r.status_code == 201, r.text
    if settings:
        assert live.call("PUT", f"/v1/kbs/{slug}/settings", json=settings).status_code == 200


@pytest.fixture(scope="module")
def editor_key(live: Live) -> str:
    return str(live.new_key("editor")["key"])


def test_editor_page_and_modules_are_served(live: Live) -> None:
    r = httpx.get(live.url + "/ui/editor")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    modules = ("editor.js", "editor_list.js", "editor_form.js", "editor_fields.js", "markdown_preview.js")
    for name in (*modules, "editor_history.js", "editor_upload.js", "editor_settings.js", "editor_review.js"):
        assert httpx.get(f"{live.url}/ui/static/{name}").status_code == 200, name


def test_create_publish_test_it_and_find_in_the_sidebar(page: Any, live: Live, editor_key: str) -> None:
    open_editor(page, live, editor_key)
    assert page.inner_text("#page-title") == "编辑控制台"
    page.click("#new-faq")
    page.fill("#f-question", FAQ_QUESTION)
    for i, text in enumerate(FAQ_SIMILAR):
        page.click("#f-similar-add")
        page.locator("#f-similar .similar-input").nth(i).fill(text)
    page.click("#f-similar-add")  # an empty extra line is dropped on save
    page.fill("#f-answer", FAQ_ANSWER)
    page.select_option("#f-category", "repair")
    page.click("#f-channels summary")
    page.fill("#f-channel-wechat", "亲，请清洁充电座触点后长按回充键3秒哦～")
    page.click("#f-save")
    page.wait_for_selector('#f-meta[data-version="1"][data-status="draft"]')
    article_id = page.get_attribute("#article-form", "data-id")
    stored = article(live, article_id)
    assert stored["question"] == FAQ_QUESTION and stored["similar_questions"] == FAQ_SIMILAR
    assert stored["answer"] == FAQ_ANSWER and stored["category"] == "repair" and stored["status"] == "draft"
    assert stored["channel_answers"] == {"wechat": "亲，请清洁充电座触点后长按回充键3秒哦～"}
    row = page.locator(f'#article-list tr.article-row[data-id="{article_id}"]')
    assert row.locator(".title").inner_text() == FAQ_QUESTION

    page.click("#f-publish")
    page.wait_for_selector('#f-meta[data-status="published"]')
    verdict = page.locator("#testit-verdict")
    verdict.wait_for(state="visible")
    assert "已能搜到" in verdict.inner_text(), verdict.inner_text()
    assert page.locator(f'#testit-results li.mine[data-article-id="{article_id}"]').count() == 1
    assert article(live, article_id)["status"] == "published"
    page.fill("#testit-query", FAQ_SIMILAR[1])  # another wording finds it too
    with page.expect_response(lambda r: r.url.endswith("/search")):
        page.click("#testit-run")
    page.wait_for_selector("#testit-verdict.success")
    page.screenshot(path=str(SCREENSHOTS / "editor.png"), full_page=True)

    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(live.url + "/ui/assist")  # same tab: the session carries over
    page.wait_for_selector("body.ready")
    with page.expect_response(lambda r: r.url.endswith("/suggest")) as info:
        page.fill("#conversation", CUSTOMER)
    found = [a["article_id"] for a in info.value.json()["articles"]]
    assert int(article_id or 0) in found, found
    card = page.locator("#results .suggestion").filter(has_text=FAQ_QUESTION)
    card.wait_for()
    assert FAQ_ANSWER in card.locator(".reply-text").inner_text()


GUIDE_TITLE = "扫地机器人X9滚刷清洁步骤"
GUIDE_V1 = "## 准备\n\n先关闭电源。\n"
XSS = "<img src=x onerror=window.__xss=1>"
GUIDE_V2 = (
    "## 步骤\n\n1. **关闭电源**，翻转机器\n2. 按下卡扣取下滚刷\n3. 剪断缠绕的毛发\n\n"
    f"- 注意：不要用水冲洗电机\n- {XSS}\n\n[危险链接](javascript:alert(1))\n"
)


def test_guide_markdown_preview_history_diff_and_restore(page: Any, live: Live, editor_key: str) -> None:
    body = {"type": "guide", "title": GUIDE_TITLE, "body": GUIDE_V1, "category": "repair"}
    created = live.call("POST", f"{KB}/articles", json=body).json()
    open_editor(page, live, editor_key)
    with page.expect_response(lambda r: "/articles?" in r.url and "q=" in r.url):
        page.fill("#filter-q", "X9滚刷")
    page.locator(f'#article-list tr.article-row[data-id="{created["id"]}"]').click()
    page.wait_for_selector(f'#article-form[data-id="{created["id"]}"][data-type="guide"]')
    assert page.locator("#f-preview h2").inner_text() == "准备"

    page.fill("#f-body", GUIDE_V2)
    preview = page.locator("#f-preview")
    assert preview.locator("h2").inner_text() == "步骤"
    assert preview.locator("ol > li").all_inner_texts()[1] == "按下卡扣取下滚刷"
    assert preview.locator("ol > li").count() == 3 and preview.locator("ul > li").count() == 2
    assert preview.locator("ol > li strong").inner_text() == "关闭电源"
    assert preview.locator("ul > li").nth(1).inner_text() == XSS  # shown as text, never parsed
    assert preview.locator("img").count() == 0 and preview.locator("a").count() == 0
    assert page.evaluate("window.__xss") is None
    asked: list[str] = []  # opening another article now would drop the edit: the page asks first

    def answer_no(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.click("#new-faq")
    assert asked and "未保存" in asked[0] and page.get_attribute("#article-form", "data-type") == "guide"

    page.click("#f-save")
    page.wait_for_selector('#f-meta[data-version="2"]')
    assert article(live, created["id"])["body"] == GUIDE_V2.strip()
    page.wait_for_selector('#history[data-loaded="2"]')
    assert page.locator("#history .version").count() == 2
    diff = page.locator("#diff")
    assert diff.get_attribute("data-version") == "2"
    assert "先关闭电源。" in diff.locator(".diff-line.del").all_inner_texts()[-1]
    added = " ".join(diff.locator(".diff-line.add").all_inner_texts())
    assert "1. **关闭电源**，翻转机器" in added and XSS in added
    page.click('#history .version[data-version="1"] .show-diff')
    assert page.get_attribute("#diff", "data-version") == "1"

    # Someone else saves meanwhile: the next save here is refused with the API's 409 and a Reload button.
    r = live.call("PUT", f"{KB}/articles/{created['id']}", json={"version": 2, "tags": ["滚刷"]})
    assert r.status_code == 200 and r.json()["version"] == 3
    page.fill("#f-body", GUIDE_V2 + "\n4. 装回滚刷\n")
    page.click("#f-save")
    message = page.locator("#form-message.error")
    message.wait_for()
    assert "已被他人修改" in message.inner_text() and "version 3" in message.inner_text()
    page.click("#f-reload")
    page.wait_for_selector('#f-meta[data-version="3"]')
    assert page.input_value("#f-tags") == "滚刷"
    page.wait_for_selector('#history[data-loaded="3"]')

    page.click('#history .version[data-version="1"] .restore')
    page.wait_for_selector('#f-meta[data-version="4"]')
    restored = article(live, created["id"])
    assert restored["body"].strip() == GUIDE_V1.strip() and restored["title"] == GUIDE_TITLE
    assert restored["version"] == 4 and restored["tags"] == []
    page.wait_for_selector('#history[data-loaded="4"]')
    assert page.locator('#history .version[data-version="4"] .action').inner_text() == "恢复自 v1"
    assert page.locator("#f-preview h2").inner_text() == "准备"


UPLOAD = (
    "标准问题,相似问题,答案,分类\n"
    "扫地机器人X9如何清理尘盒,尘盒怎么倒|尘盒满了怎么办,打开上盖取出尘盒，倒掉垃圾后装回。,after_sales\n"
    "扫地机器人X9不出水怎么办,水箱不出水,,repair\n"
    "扫地机器人X9遥控器怎么配对,遥控器连不上,长按遥控器上的配对键3秒。,after_sales\n"
)
UPLOADED = ["扫地机器人X9如何清理尘盒", "扫地机器人X9遥控器怎么配对"]


def titles(live: Live, q: str) -> list[str]:
    items = live.call("GET", f"{KB}/articles", params={"q": q, "type": "faq", "limit": 50}).json()["items"]
    return sorted(a["question"] for a in items)


def test_upload_dry_run_shows_row_errors_then_imports(
    page: Any, live: Live, editor_key: str, tmp_path: Path
) -> None:
    path = tmp_path / "x9_faq.csv"
    path.write_text(UPLOAD, encoding="utf-8")
    open_editor(page, live, editor_key)
    page.click('#tabs [data-view="upload"]')
    page.set_input_files("#upload-file", str(path))
    with page.expect_response(lambda r: "dry_run=true" in r.url) as info:
        page.click("#upload-preview")
    plan = info.value.json()
    assert plan["created"] == 2 and len(plan["errors"]) == 1 and plan["dry_run"] is True
    bad = plan["errors"][0]
    page.wait_for_selector("#upload-rows:not([hidden])")
    rows = page.locator("#upload-rows tr.upload-row")
    assert rows.count() == 3
    error_row = page.locator(f'#upload-rows tr.row-error[data-row="{bad["row"]}"]')
    assert bad["field"] == "answer" and bad["message"] in error_row.inner_text()
    assert rows.nth(1).get_attribute("data-row") == str(bad["row"])  # in file order, between its neighbours
    created = page.locator('#upload-rows tr[data-action="created"] .row-title').all_inner_texts()
    assert created == UPLOADED
    assert "预览" in page.inner_text("#upload-summary")
    assert not set(UPLOADED) & set(titles(live, "扫地机器人X9"))  # a dry run writes nothing

    apply = page.locator("#upload-apply")
    assert "跳过" in apply.inner_text()
    with page.expect_response(lambda r: "dry_run=false" in r.url and "partial=true" in r.url):
        apply.click()
    page.wait_for_selector("#upload-message.success")
    assert [t for t in titles(live, "扫地机器人X9") if t != FAQ_QUESTION] == UPLOADED

    page.click('#tabs [data-view="articles"]')
    with page.expect_response(lambda r: "/articles?" in r.url and "q=" in r.url):
        page.fill("#filter-q", "扫地机器人X9")
    listed = page.locator("#article-list tr.article-row .title").all_inner_texts()
    assert set(UPLOADED) <= set(listed) and "扫地机器人X9不出水怎么办" not in listed

    # An imported draft through its life: publish, unpublish, archive.
    page.locator("#article-list tr.article-row").filter(has_text=UPLOADED[1]).click()
    page.wait_for_selector('#f-meta[data-status="draft"]')
    article_id = page.get_attribute("#article-form", "data-id")
    for button, status in (
        ("#f-publish", "published"),
        ("#f-unpublish", "draft"),
        ("#f-archive", "archived"),
    ):
        page.click(button)
        page.wait_for_selector(f'#f-meta[data-status="{status}"]')
        assert article(live, article_id)["status"] == status
    page.wait_for_selector(f'#article-list tr.article-row[data-id="{article_id}"][data-status="archived"]')
    page.wait_for_selector('#history[data-loaded="4"]')
    actions = page.locator("#history .version .action").all_inner_texts()
    assert actions == ["归档", "撤回", "发布", "创建"], actions


def test_dictionary_and_settings_are_stored(page: Any, live: Live, editor_key: str) -> None:
    new_kb(live, "editorcfg", language="en")
    open_editor(page, live, editor_key, kb="editorcfg")
    assert page.inner_text("#page-title") == "Editor console"  # the KB's language
    assert page.inner_text('#tabs [data-view="dictionary"]') == "Dictionary"
    assert page.locator('#tabs [data-view="settings"]').is_hidden()  # admins only
    page.click('#tabs [data-view="dictionary"]')
    page.wait_for_selector("#dictionary[data-version]")
    version = int(page.get_attribute("#dictionary", "data-version") or 0)
    words = page.input_value("#dict-words")
    page.fill("#dict-words", (words + "\nX9Pro 10 n").strip())
    page.fill("#dict-synonyms", (page.input_value("#dict-synonyms") + "\n回充，回座、找充电座").strip())
    page.click("#dict-save")
    page.wait_for_selector("#dict-message.success")
    stored = live.call("GET", "/v1/kbs/editorcfg/dictionary").json()
    assert "X9Pro 10 n" in stored["user_words"] and ["回充", "回座", "找充电座"] in stored["synonyms"]
    assert stored["version"] == version + 1
    # another editor saves meanwhile: this page's next save is refused and their words stay
    other = {"user_words": ["另一位编辑的词"], "synonyms": [], "version": version + 1}
    assert live.call("PUT", "/v1/kbs/editorcfg/dictionary", json=other).status_code == 200
    page.fill("#dict-words", "X9Pro 10 n")
    page.click("#dict-save")
    assert f"version {version + 2}" in page.locator("#dict-message.error").inner_text()
    assert live.call("GET", "/v1/kbs/editorcfg/dictionary").json()["user_words"] == ["另一位编辑的词"]

    open_editor(page, live, live.admin, kb="editorcfg")
    page.click('#tabs [data-view="settings"]')
    page.fill("#set-clarify", "0.9")  # above the answer threshold: the API's message is shown
    page.click("#set-save")
    assert "clarify_threshold" in page.locator("#set-message.error").inner_text()
    page.fill("#set-clarify", "0.45")
    page.fill("#set-answer", "0.75")
    billing = page.locator("#queue-map tr.map-row").filter(
        has=page.locator('input.map-category[value="billing"]')
    )
    billing.locator(".map-queue").fill("billing_vip")
    page.click("#map-add")
    page.locator("#queue-map tr.map-row .map-category").last.fill("warranty")
    page.locator("#queue-map tr.map-row .map-queue").last.fill("after_sales")
    page.click("#set-save")
    page.wait_for_selector("#set-message.success")
    settings = live.call("GET", "/v1/kbs/editorcfg/settings").json()
    assert settings["answer_threshold"] == 0.75 and settings["clarify_threshold"] == 0.45
    assert (
        settings["queue_map"]["billing"] == "billing_vip"
        and settings["queue_map"]["warranty"] == "after_sales"
    )
    assert settings["categories"][-1] == "warranty" and settings["require_review"] is False


def test_roles_and_the_review_queue(page: Any, live: Live, editor_key: str, agent_key: str) -> None:
    open_editor(page, live, agent_key)
    forbidden = page.locator("#forbidden")
    assert forbidden.is_visible() and forbidden.inner_text().endswith("agent")
    assert page.locator("#tabs").is_hidden() and page.locator("#new-faq").is_hidden()
    assert page.locator("#article-form button").count() == 0

    new_kb(live, "reviewkb", require_review=True)
    open_editor(page, live, editor_key, kb="reviewkb")
    for view in ("settings", "review"):
        assert page.locator(f'#tabs [data-view="{view}"]').is_hidden()
    page.click("#new-faq")
    page.fill("#f-question", "扫地机器人X9保修多久")
    page.fill("#f-answer", "整机保修一年，电池保修半年。")
    page.click("#f-save")
    page.wait_for_selector('#f-meta[data-version="1"]')
    assert page.locator("#f-publish").count() == 0  # editors submit; admins publish
    article_id = page.get_attribute("#article-form", "data-id")
    page.click("#f-submit")
    page.wait_for_selector("#f-meta:has-text('待审核')")
    submitted = article(live, article_id, kb="reviewkb")
    assert submitted["status"] == "draft" and submitted["review_requested"] is True
    page.click("#new-faq")  # the same question again: the API's 409 message, and no Reload offered
    page.fill("#f-question", "扫地机器人X9保修多久")
    page.fill("#f-answer", "重复的问题")
    page.click("#f-save")
    assert "already has this question" in page.locator("#form-message.error").inner_text()
    assert page.locator("#f-reload").count() == 0

    open_editor(page, live, live.admin, kb="reviewkb")
    page.click('#tabs [data-view="review"]')
    item = page.locator(f'#review-list .review-item[data-id="{article_id}"]')
    assert "整机保修一年" in item.inner_text()
    item.locator(".approve").click()
    page.wait_for_selector("#review-message.success")
    page.wait_for_selector("#review-list .empty")
    assert article(live, article_id, kb="reviewkb")["status"] == "published"


MARKDOWN = """# 标题 <b>x</b>

第一段 **粗体** 和 *斜体*、`a<b>` 与 [文档](https://example.com/a?b=1)。
[坏链接](javascript:alert(1))

1. 第一步
2. 第二步

> 引用 **强调**

```
<script>alert(1)</script>
```
---"""
MARKDOWN_HTML = (
    "<h1>标题 &lt;b&gt;x&lt;/b&gt;</h1>"
    "<p>第一段 <strong>粗体</strong> 和 <em>斜体</em>、<code>a&lt;b&gt;</code> 与 "
    '<a href="https://example.com/a?b=1" rel="noopener noreferrer" target="_blank">文档</a>。\n'
    "[坏链接](javascript:alert(1))</p>"
    "<ol><li>第一步</li><li>第二步</li></ol>"
    "<blockquote><p>引用 <strong>强调</strong></p></blockquote>"
    "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></pre><hr>"
)


def test_markdown_renderer_and_line_diff_modules(page: Any, live: Live) -> None:
    page.goto(live.url + "/ui/login")
    html = page.evaluate(
        """async (source) => {
            const { renderMarkdown } = await import("/ui/static/markdown_preview.js");
            const box = document.createElement("div");
            box.append(renderMarkdown(source));
            return box.innerHTML;
        }""",
        MARKDOWN,
    )
    assert html == MARKDOWN_HTML
    diff = page.evaluate(
        """async () => {
            const { lineDiff } = await import("/ui/static/editor_history.js");
            return lineDiff(["a", "b", "c", "d"], ["a", "c", "x", "d"]).map((d) => d.op + d.text);
        }"""
    )
    assert diff == [" a", "-b", " c", "+x", " d"]
