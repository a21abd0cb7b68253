"""The editor console's product catalogue and small-talk replies in headless Chromium against a live
uvicorn on a copy of the sample KB (whose catalogue has 38 products): adding a product and saving it,
another editor's save in between (409, typed rows kept), an alias naming another product (422 beside its
row), an editor's WeChat greeting that /answer then sends, and a page that logs no console errors. Every
change made on the page is checked through the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kb_service.ui.conftest import Live
from tests.kb_service.ui.test_editor_ui import new_kb, open_editor

pytestmark = pytest.mark.slow

KB = "/v1/kbs/default"
SAMPLE = json.loads(
    (Path(__file__).resolve().parents[3] / "data" / "dict" / "catalogue.json").read_text("utf-8")
)
NEW_PRODUCT: dict[str, Any] = {
    "name": "拯救者 Y9000K",
    "series": "拯救者",
    "aliases": ["Y9000K", "9000K", "Legion Y9000K"],
}
# Chromium logs every non-2xx fetch; a test that provokes a 409 or 422 allows exactly those lines
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


@pytest.fixture(scope="module")
def editor_key(live: Live) -> str:
    return str(live.new_key("editor")["key"])


@pytest.fixture
def console(page: Any) -> Iterator[list[str]]:
    """The editor page's console errors (the login page before it is not under test here: its
    /favicon.ico is a 404); each test says which failed requests it expects."""
    errors: list[str] = []

    def record(msg: Any) -> None:
        if msg.type == "error" and "/ui/editor" in page.url:
            errors.append(f"{msg.text} ({msg.location.get('url')})")

    page.on("console", record)
    yield errors


def expect_only_failed_loads(errors: list[str], statuses: set[int]) -> None:
    unexpected = [e for e in errors if not ((m := FAILED_LOAD.search(e)) and int(m.group(1)) in statuses)]
    assert not unexpected, f"console errors: {unexpected}"


def catalogue(live: Live, kb: str = "default") -> dict[str, Any]:
    r = live.call("GET", f"/v1/kbs/{kb}/catalogue")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def open_catalogue(page: Any, live: Live, key: str, kb: str = "default") -> int:
    """Opens the catalogue tab and returns the version the page loaded (the API's current one)."""
    open_editor(page, live, key, kb)
    page.click('#tabs [data-view="catalogue"]')
    page.wait_for_selector("#catalogue[data-version]")
    version = int(page.get_attribute("#catalogue", "data-version") or 0)
    assert version == catalogue(live, kb)["version"]
    return version


def add_row(page: Any, name: str, series: str, aliases: str) -> Any:
    page.click("#cat-add")
    row = page.locator("#catalogue-table tr.cat-row").last
    assert row.locator(".cat-name").evaluate("node => node === document.activeElement")
    row.locator(".cat-name").fill(name)
    row.locator(".cat-series").fill(series)
    row.locator(".cat-aliases").fill(aliases)
    return row


def page_products(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll("#catalogue-table tr.cat-row")].map((tr) => ({
            name: tr.querySelector(".cat-name").value,
            series: tr.querySelector(".cat-series").value,
            aliases: tr.querySelector(".cat-aliases").value,
        }))"""
    )


def test_sample_catalogue_loads_and_a_new_product_is_saved(
    page: Any, live: Live, editor_key: str, console: list[str]
) -> None:
    before = catalogue(live)
    version = open_catalogue(page, live, editor_key)
    assert page.inner_text('#tabs [data-view="catalogue"]') == "产品目录"
    rows = page.locator("#catalogue-table tr.cat-row")
    assert rows.count() == len(before["products"]) == len(SAMPLE["products"]) == 38
    first = SAMPLE["products"][0]
    assert page_products(page)[0] == {
        "name": first["name"],
        "series": first["series"],
        "aliases": ", ".join(first["aliases"]),
    }
    assert f"第 {version} 版" in page.inner_text("#cat-version") and "重建" in page.inner_text("#cat-version")
    assert page.inner_text("#cat-count") == "共 38 个产品"

    # the filter ignores case, width and spaces, and matches names, series and aliases
    page.fill("#cat-filter", "ｌｅｇｉｏｎ y9000")
    visible = page.locator("#catalogue-table tr.cat-row:visible .cat-name")
    assert [visible.nth(i).input_value() for i in range(visible.count())] == ["拯救者 Y9000P"]
    assert page.inner_text("#cat-count") == "显示 1 / 38 个产品"
    page.fill("#cat-filter", "")
    assert rows.count() == 38 and page.locator("#catalogue-table tr.cat-row:visible").count() == 38

    add_row(page, NEW_PRODUCT["name"], NEW_PRODUCT["series"], "Y9000K、9000K， Legion Y9000K")
    add_row(page, "", "", "")  # a blank row is not sent
    page.click("#cat-save")
    page.wait_for_selector("#cat-message.success")
    stored = catalogue(live)
    assert stored["version"] == version + 1
    assert stored["products"] == before["products"] + [NEW_PRODUCT]
    assert page.get_attribute("#catalogue", "data-version") == str(version + 1)
    assert f"第 {version + 1} 版" in page.inner_text("#cat-message")
    assert f"第 {version + 1} 版" in page.inner_text("#cat-version")
    assert rows.count() == 39 and page_products(page)[-1]["aliases"] == "Y9000K, 9000K, Legion Y9000K"

    # removing a row and saving removes the product
    assert page_products(page)[38]["name"] == NEW_PRODUCT["name"]
    rows.nth(38).locator(".cat-remove").click()
    assert page.inner_text("#cat-count") == "共 38 个产品"
    page.click("#cat-save")
    page.wait_for_selector(f'#catalogue[data-version="{version + 2}"]')
    assert catalogue(live) == {"version": version + 2, "products": before["products"]}
    expect_only_failed_loads(console, set())


def test_a_save_in_between_is_refused_and_the_typed_rows_stay(
    page: Any, live: Live, editor_key: str, console: list[str]
) -> None:
    version = open_catalogue(page, live, editor_key)
    mine = add_row(page, "ThinkPad Z13", "ThinkPad", "Z13, Z13 Gen 2")
    page.locator("#catalogue-table tr.cat-row .cat-aliases").first.fill("X1C, X1 Carbon")
    typed = page_products(page)

    # a second editor saves meanwhile, from the same version
    theirs = {"name": "moto g84", "series": "moto", "aliases": ["g84"]}
    other = live.new_key("editor")["key"]
    products = catalogue(live)["products"]
    r = live.call(
        "PUT", f"{KB}/catalogue", key=other, json={"version": version, "products": products + [theirs]}
    )
    assert r.status_code == 200 and r.json()["version"] == version + 1

    page.click("#cat-save")
    message = page.locator("#cat-message.error")
    message.wait_for()
    text = message.inner_text()
    assert "已被他人修改" in text and f"version {version + 1}" in text and f"version {version}" in text
    assert page_products(page) == typed  # nothing typed is lost
    assert mine.locator(".cat-aliases").input_value() == "Z13, Z13 Gen 2"
    assert catalogue(live)["products"] == products + [theirs]  # their save stands
    assert page.get_attribute("#catalogue", "data-version") == str(version)

    # Reload asks first (the page has unsaved rows), then shows their version
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("#cat-reload")
    page.wait_for_selector(f'#catalogue[data-version="{version + 1}"]')
    assert asked and "未保存" in asked[0]
    assert page_products(page)[-1]["name"] == "moto g84" and page.locator("#cat-reload").is_hidden()
    add_row(page, "ThinkPad Z13", "ThinkPad", "Z13")
    page.click("#cat-save")
    page.wait_for_selector(f'#catalogue[data-version="{version + 2}"]')
    names = [p["name"] for p in catalogue(live)["products"]]
    assert names[-2:] == ["moto g84", "ThinkPad Z13"]
    expect_only_failed_loads(console, {409})


def test_an_alias_naming_another_product_is_marked_beside_its_row(
    page: Any, live: Live, editor_key: str, console: list[str]
) -> None:
    version = open_catalogue(page, live, editor_key)
    row = add_row(page, "", "ThinkPad", "T14 2023")  # no name: pydantic's body.products.N.name
    page.click("#cat-save")
    page.locator("#cat-message.error").wait_for()
    name = row.locator(".cat-name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "at least 1 character" in row.locator(".field-error").inner_text()
    assert page.locator("#catalogue-table [aria-invalid]").count() == 1

    name.fill("ThinkPad T14 2023")
    row.locator(".cat-aliases").fill("T14 2023, ｔ１４Ｓ")  # T14s is ThinkPad T14s's alias
    page.fill("#cat-filter", "E16")  # hides the row; the error shows it again
    page.click("#cat-save")
    message = page.locator("#cat-message.error")
    message.wait_for()
    index = len(catalogue(live)["products"])
    path = f"products[{index}].aliases[1]"
    assert "1 处错误" in message.inner_text() and path in message.inner_text()
    aliases = row.locator(".cat-aliases")
    assert row.is_visible() and aliases.get_attribute("aria-invalid") == "true"
    assert "row-error" in (row.get_attribute("class") or "")
    note = row.locator(".field-error")
    assert note.get_attribute("id") == aliases.get_attribute("aria-describedby")
    assert path in note.inner_text() and "'ThinkPad T14s'" in note.inner_text()
    assert name.get_attribute("aria-invalid") is None  # the earlier mark is gone
    assert page.locator("#catalogue-table [aria-invalid]").count() == 1
    assert aliases.evaluate("node => node === document.activeElement")
    assert catalogue(live)["version"] == version  # nothing saved

    aliases.fill("T14 2023")
    page.click("#cat-save")
    page.wait_for_selector(f'#catalogue[data-version="{version + 1}"]')
    assert page.locator("#catalogue-table [aria-invalid]").count() == 0
    assert catalogue(live)["products"][-1] == {
        "name": "ThinkPad T14 2023",
        "series": "ThinkPad",
        "aliases": ["T14 2023"],
    }
    expect_only_failed_loads(console, {422})


def answer(live: Live, query: str, channel: str) -> dict[str, Any]:
    r = live.call("POST", f"{KB}/answer", json={"query": query, "channel": channel})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_an_editor_changes_the_wechat_greeting(
    page: Any, live: Live, editor_key: str, console: list[str]
) -> None:
    settings = live.call("GET", f"{KB}/settings").json()
    greeting = settings["chitchat_replies"]["zh"]["greeting"]
    open_editor(page, live, editor_key)
    assert page.locator('#tabs [data-view="settings"]').is_hidden()  # the other settings stay admin-only
    page.click('#tabs [data-view="replies"]')
    assert page.inner_text("#replies h2") == "回复话术"
    assert page.input_value("#chat-zh-greeting") == greeting
    assert page.input_value("#chat-en-thanks") == settings["chitchat_replies"]["en"]["thanks"]
    wechat = page.locator("#chat-wechat-zh-greeting")
    assert wechat.is_hidden()  # overrides are folded away while none is set
    page.click("#chat-channel-wechat summary")
    assert wechat.get_attribute("placeholder") == greeting  # what it falls back to

    mine = "亲，您好呀～请问有什么可以帮您？"
    wechat.fill(mine)
    page.click("#replies-save")
    page.wait_for_selector("#replies-message.success")
    assert page.inner_text("#chat-channel-wechat summary") == "微信 (已设置 1 条)"
    stored = live.call("GET", f"{KB}/settings").json()
    assert stored["chitchat_channel_replies"] == {"wechat": {"zh": {"greeting": mine}}}
    assert stored["chitchat_replies"] == settings["chitchat_replies"]
    assert {k: v for k, v in stored.items() if not k.startswith("chitchat")} == {
        k: v for k, v in settings.items() if not k.startswith("chitchat")
    }

    reply = answer(live, "你好", "wechat")
    assert reply["decision"] == "chitchat" and reply["message"] == mine
    assert answer(live, "你好", "web")["message"] == greeting

    # a KB-wide text the editor empties falls back to the built-in default
    page.fill("#chat-zh-farewell", "")
    page.fill("#chat-zh-thanks", "不客气～")
    page.click("#replies-save")
    page.wait_for_selector("#replies-message.success")
    stored = live.call("GET", f"{KB}/settings").json()["chitchat_replies"]
    assert "farewell" not in stored["zh"] and stored["zh"]["thanks"] == "不客气～"
    assert answer(live, "谢谢", "app")["message"] == "不客气～"
    assert answer(live, "再见", "app")["message"] == settings["chitchat_replies"]["zh"]["farewell"]
    expect_only_failed_loads(console, set())


def unlabelled(page: Any, box: str) -> list[str]:
    """Inputs in `box` that no label names (aria-label, <label for>, or a wrapping <label>)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(box) => [...document.querySelectorAll(box + " input, " + box + " textarea, " + box + " select")]
            .filter((c) => !(c.getAttribute("aria-label") || c.closest("label")
                || (c.id && document.querySelector(`label[for="${c.id}"]`))))
            .map((c) => c.outerHTML)""",
        box,
    )


def test_panels_follow_the_language_have_labels_and_log_no_errors(
    page: Any, live: Live, editor_key: str, console: list[str]
) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    open_catalogue(page, live, editor_key)
    page.click('#tabs [data-view="replies"]')
    page.click("#chat-channel-phone summary")
    for box in ("#catalogue", "#replies"):
        assert unlabelled(page, box) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    new_kb(live, "catalogue-en", language="en")
    open_catalogue(page, live, live.admin, kb="catalogue-en")
    assert page.inner_text('#tabs [data-view="catalogue"]') == "Product catalogue"
    assert page.inner_text("#catalogue h2") == "Product catalogue"
    assert page.locator("#catalogue-table tr.cat-row").count() == 0
    assert "Version 1 is loaded" in page.inner_text("#cat-version")
    assert page.inner_text("#cat-count") == "Products: 0"
    add_row(page, "Widget 3000", "", "W3000, widget three")
    page.click("#cat-save")
    page.wait_for_selector("#cat-message.success")
    assert "version 2" in page.inner_text("#cat-message")
    assert catalogue(live, "catalogue-en")["products"] == [
        {"name": "Widget 3000", "series": None, "aliases": ["W3000", "widget three"]}
    ]
    # admins keep their settings panel and have the replies panel too
    assert page.locator('#tabs [data-view="settings"]').is_visible()
    page.click('#tabs [data-view="replies"]')
    assert page.inner_text('#tabs [data-view="replies"]') == "Small-talk replies"
    assert page.get_attribute("#chat-en-greeting", "aria-label") == "Greeting · English"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert unlabelled(page, "#replies") == []
    assert console == [] and failed == []
