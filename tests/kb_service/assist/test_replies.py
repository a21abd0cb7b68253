"""Plain-text conversion, extractive step picking and reply composition on the sample knowledge base."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from kb_service.assist import compose_reply, pick_steps, to_plain_text
from kb_service.assist.replies import PLAIN_LIMITS, truncate

SAMPLE_KB = Path(__file__).resolve().parents[3] / "data" / "sample_kb"


@cache
def article(external_id: str) -> dict[str, str]:
    for path in SAMPLE_KB.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["external_id"] == external_id:
                return row
    raise KeyError(external_id)


def numbered_lines(markdown: str) -> list[str]:
    """The guide's numbered steps as to_plain_text renders them, without the number."""
    return [
        re.sub(r"^\d+\. ", "", ln) for ln in to_plain_text(markdown).splitlines() if re.match(r"\d+\. ", ln)
    ]


# --- to_plain_text -------------------------------------------------------------------------


def test_plain_text_of_a_real_guide() -> None:
    body = article("guide-zh-001")["body"]
    plain = to_plain_text(body)
    assert "#" not in plain and "**" not in plain
    assert "\n\n\n" not in plain
    assert "排查步骤\n\n1. 确认电源适配器与插座正常" in plain
    assert "• 切勿自行拆机断开内置电池，否则可能影响保修。" in plain
    assert "请拨打联想服务热线 400-990-8888（每天 8:00-20:00）" in plain


@pytest.mark.parametrize("external_id", ["guide-zh-001", "guide-zh-006", "faq-en-002", "faq-zh-s002"])
def test_plain_text_is_idempotent(external_id: str) -> None:
    row = article(external_id)
    plain = to_plain_text(row.get("body") or row["answer"])
    assert to_plain_text(plain) == plain


def test_plain_text_keeps_paths_and_shortcuts() -> None:
    plain = to_plain_text(article("guide-zh-007")["body"])
    assert "C:\\Windows\\Minidump" in plain
    assert "Win + X" in plain and "sfc /scannow" in plain


def test_plain_text_inline_markup() -> None:
    markdown = (
        "Press **Fn + F2**, then *Enter*; run `wmic bios get serialnumber` (see my_file_name).\n"
        "Visit [the support site](https://support.example.com/warranty) or [call us](tel:4009908888).\n"
        "Also see [https://example.com](https://example.com) and <https://example.org/x>.\n"
        "![photo of the label](https://example.com/label.png)Mail <help@example.com> or "
        "[write](mailto:help@example.com).<br>New line, ~~old~~ \\*literal\\* __strong__."
    )
    assert to_plain_text(markdown) == (
        "Press Fn + F2, then Enter; run wmic bios get serialnumber (see my_file_name).\n"
        "Visit the support site (https://support.example.com/warranty) or call us.\n"
        "Also see https://example.com and https://example.org/x.\n"
        "Mail help@example.com or write (help@example.com).\n"
        "New line, old *literal* strong."
    )


def test_plain_text_blocks() -> None:
    markdown = (
        "Warranty\n========\n\n> Note: **keep** your invoice.\n\n---\n\n"
        "* first\n* second\n  - nested\n3) third\n\n\n\n"
        "| 型号 | 保修 |\n|:---|---:|\n| T14 | 3年 |\n| 小新 | 1年 |\n\n"
        "```\nC:\\> sfc /scannow **not bold**\n```\n"
    )
    assert to_plain_text(markdown) == (
        "Warranty\n\nNote: keep your invoice.\n\n"
        "• first\n• second\n  • nested\n3. third\n\n"
        "型号：T14，保修：3年\n型号：小新，保修：1年\n\n"
        "C:\\> sfc /scannow **not bold**"
    )


def test_plain_text_leaves_plain_text_alone() -> None:
    text = "整机保修1年，主要部件保修2年。\n如需延保，请在购机后180天内购买。"
    assert to_plain_text(text) == text
    assert to_plain_text("") == ""
    assert to_plain_text("a\x000\x00 **b**") == "a0 b"
    # Masking tokens look like HTML tags but are not.
    assert to_plain_text("请回电 <PHONE>，<b>订单</b> <ORDER>") == "请回电 <PHONE>，订单 <ORDER>"


# --- pick_steps ------------------------------------------------------------------------------


def test_pick_steps_extracts_and_keeps_order() -> None:
    body = article("guide-zh-001")["body"]
    steps = pick_steps(body, "电脑按电源键没反应，指示灯也不亮")
    originals = numbered_lines(body)
    assert len(steps) == 4 and len(originals) == 7
    assert all(step in originals for step in steps)  # extractive: verbatim steps only
    assert [originals.index(s) for s in steps] == sorted(originals.index(s) for s in steps)
    assert any("指示灯" in s for s in steps)


def test_pick_steps_matches_a_traditional_query() -> None:
    body = article("guide-zh-010")["body"]
    steps = pick_steps(body, "藍牙耳機連上了但是沒有聲音", max_steps=2)
    assert len(steps) == 2
    assert any(s.startswith("连接成功但没有声音时") for s in steps)


def test_pick_steps_without_overlap_starts_at_step_one() -> None:
    body = article("guide-zh-001")["body"]
    assert pick_steps(body, "hello", max_steps=3) == numbered_lines(body)[:3]
    assert pick_steps(body, "", max_steps=100) == numbered_lines(body)
    assert pick_steps(body, "开机", max_steps=0) == []


def test_pick_steps_on_an_english_answer() -> None:
    answer = article("faq-en-002")["answer"]
    steps = pick_steps(answer, "where do I enter the serial number", max_steps=2)
    assert steps[0].startswith("Find the serial number")
    assert steps[1] == "Enter the serial number and submit."


def test_pick_steps_joins_continuation_lines_and_cleans_markdown() -> None:
    body = (
        "Intro paragraph.\n\n1. Open **Settings**.\n2. Choose *Update*:\n   - check for updates\n"
        "   - install all\n\n   Then restart.\n3. Run `sfc /scannow`.\nTrailing paragraph."
    )
    assert pick_steps(body, "install updates", max_steps=2) == [
        "Open Settings.",
        "Choose Update: check for updates install all Then restart.",
    ]


def test_pick_steps_falls_back_to_bullets_then_sentences() -> None:
    assert pick_steps("## 提示\n\n- 备份数据\n- 更新驱动\n- 联系售后", "驱动怎么更新", 1) == ["更新驱动"]
    faq = article("faq-zh-s001")["answer"]  # prose only, no list
    steps = pick_steps(faq, "延保怎么买", max_steps=2)
    assert steps[0].startswith("我们的笔记本和平板整机保修1年")
    assert steps[1] == "如需更长保障，可在购机后180天内购买延保服务。"


# --- compose_reply ----------------------------------------------------------------------------


def test_compose_guide_steps_for_wechat() -> None:
    steps = pick_steps(article("guide-zh-010")["body"], "蓝牙耳机没有声音", max_steps=3)
    reply = compose_reply("\n".join(steps), language="zh", channel="wechat", kind="guide_steps")
    lines = reply.splitlines()
    assert lines[0] == "您好，请按以下步骤操作："
    assert [ln[:3] for ln in lines[1:4]] == ["1. ", "2. ", "3. "]
    assert lines[-1] == "如还有其他问题，欢迎随时联系我们。"
    assert len(lines) == 5


def test_compose_guide_steps_for_web_keeps_markdown_and_renumbers() -> None:
    body = "3. 按 **Win + X** 打开设备管理器\n5. 重启电脑"
    reply = compose_reply(body, language="zh-CN", channel="web", kind="guide_steps")
    assert reply == (
        "您好，请按以下步骤操作：\n\n1. 按 **Win + X** 打开设备管理器\n2. 重启电脑\n\n"
        "如还有其他问题，欢迎随时联系我们。"
    )


def test_compose_english_faq_for_phone_is_plain() -> None:
    answer = article("faq-en-002")["answer"]
    reply = compose_reply(answer, language="en", channel="phone", kind="faq")
    assert reply.startswith("Hello,\n1. Find the serial number")
    assert reply.endswith("\nIf you have any other questions, feel free to ask.")


def test_compose_english_steps_for_email() -> None:
    reply = compose_reply(
        "- Restart the laptop\n- Update the BIOS", language="en", channel="email", kind="guide_steps"
    )
    assert reply == (
        "Hello,\n\nPlease try the following steps:\n\n1. Restart the laptop\n2. Update the BIOS\n\n"
        "If you have any other questions, feel free to ask."
    )


def test_compose_long_answer_is_cut_at_a_sentence_end_for_wechat() -> None:
    body = article("guide-zh-004")["body"]
    reply = compose_reply(body, language="zh", channel="wechat", kind="faq")
    core = reply.removeprefix("您好，").removesuffix("\n如还有其他问题，欢迎随时联系我们。")
    assert 300 <= len(core) <= PLAIN_LIMITS["wechat"]
    assert core[-1] in "。；！？" and "**" not in core and "#" not in core
    # Markdown channels are not cut.
    assert body.strip() in compose_reply(body, language="zh", channel="app", kind="faq")


def test_compose_sms_is_shorter_and_steps_are_dropped_whole() -> None:
    steps = numbered_lines(article("guide-zh-006")["body"])
    reply = compose_reply("\n".join(steps), language="zh", channel="sms", kind="guide_steps")
    numbered = [ln for ln in reply.splitlines() if re.match(r"\d+\. ", ln)]
    assert 1 <= len(numbered) < len(steps)
    assert all(ln[3:] in steps for ln in numbered)
    assert sum(len(ln) for ln in numbered) <= PLAIN_LIMITS["sms"]


def test_compose_does_not_greet_twice_and_rejects_empty_bodies() -> None:
    reply = compose_reply("您好，整机保修1年。", language="zh", channel="wechat", kind="faq")
    assert reply == "您好，整机保修1年。\n如还有其他问题，欢迎随时联系我们。"
    with pytest.raises(ValueError):
        compose_reply("  \n", language="zh", channel="web", kind="faq")


def test_truncate() -> None:
    assert truncate("短句。", 10) == "短句。"
    assert (
        truncate("第一句话。第二句话很长很长很长", 12) == "第一句话。第二句话很长…"
    )  # no sentence end late enough
    assert truncate("First sentence here. Second one.", 25) == "First sentence here."
