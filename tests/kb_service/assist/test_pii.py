"""Masking personal data while keeping product models, error codes and service numbers."""

from __future__ import annotations

import pytest

from kb_service.assist import mask_pii
from kb_service.assist.pii import find_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的手机13812345678，麻烦回电", "我的手机<PHONE>，麻烦回电"),
        ("电话 138-1234-5678", "电话 <PHONE>"),
        ("电话 138 1234 5678", "电话 <PHONE>"),
        ("call me on +86 138 1234 5678 please", "call me on <PHONE> please"),
        ("+8619912345678", "<PHONE>"),
        ("手机：１３８１２３４５６７８，谢谢", "手机：<PHONE>，谢谢"),  # full-width digits
        ("手机 １３８－１２３４－５６７８", "手机 <PHONE>"),
        ("维修完成于 2024-11-20 13812345678 联系", "维修完成于 2024-11-20 <PHONE> 联系"),
        ("座机0755-86001234", "座机<PHONE>"),
        ("办公室 (010) 12345678 转 8", "办公室 <PHONE> 转 8"),
        ("010-87654321-801", "<PHONE>"),
    ],
)
def test_phone_numbers(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号11010519491231002X", "身份证号<ID>"),
        ("身份证 11010519491231002x 姓名张三", "身份证 <ID> 姓名张三"),
        ("id 440308199001011239.", "id <ID>."),
        ("身份证４４０３０８１９９００１０１１２３９", "身份证<ID>"),
        # A mistyped check digit with a valid date of birth is still an ID number.
        ("身份证440308199001011238", "身份证<ID>"),
    ],
)
def test_id_cards(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退款到卡号6222021234567890128", "退款到卡号<CARD>"),
        ("card 4111 1111 1111 1111 exp 12/27", "card <CARD> exp 12/27"),
        ("卡号 4367-4201-2345-6781", "卡号 <CARD>"),
        ("6217 0000 0012 3456 786", "<CARD>"),
        ("amex 377812345678901", "amex <CARD>"),
        ("卡号６２２２０２１２３４５６７８９０１２８", "卡号<CARD>"),
    ],
)
def test_bank_cards_pass_luhn(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


def test_luhn_invalid_numbers_are_not_cards() -> None:
    assert mask_pii("4111 1111 1111 1112") == "<ORDER>"  # still a long number, masked as such
    assert mask_pii("6222021234567890129") == "<ORDER>"
    assert "<CARD>" not in mask_pii("卡号 4111111111111112")
    assert mask_pii("4111 1111 111") == "4111 1111 111"  # too short for a card or an order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("邮箱 zhang.san+kb@example.com.cn 收发票", "邮箱 <EMAIL> 收发票"),
        ("mail me at John_Doe@Mail.Example.org.", "mail me at <EMAIL>."),
        ("邮箱ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱<EMAIL>"),
    ],
)
def test_emails(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订单号：AB20241120001，还没发货", "订单号：<ORDER>，还没发货"),
        ("訂單號 ＡＢ２０２４１１２０００１", "訂單號 <ORDER>"),  # traditional keyword, full-width value
        ("我的订单123456789怎么还没到", "我的订单<ORDER>怎么还没到"),
        ("单号是 SF1234567890", "单号是 <ORDER>"),
        ("order number: 1234567890", "order number: <ORDER>"),
        ("Order #A12345678 is late", "Order #<ORDER> is late"),
        ("order no. 99887766", "order no. <ORDER>"),
        ("快递 775512345678901 到哪了", "快递 <ORDER> 到哪了"),  # bare run of >= 12 digits
    ],
)
def test_order_numbers(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ThinkPad X1 Carbon Gen 11, i7-1360P, 32GB",
        "蓝屏代码 0x0000007B",
        "风扇报错 E-102",
        "拯救者 Y9000P RTX 4060",
        "请拨打联想服务热线 400-990-8888（每天 8:00-20:00）",
        "免费热线 800-820-8820 或 4009908888",
        "2024-11-20 送修，2024/12/01 取回",
        "价格 ¥12,999.00，优惠 1500 元",
        "BIOS 版本 N3XET45W，序列号 PF3ABCDE",
        "order ThinkPad T14 in black",
        "reorder 123456 border 987654",
        "订单已经发货了",
        "",
    ],
)
def test_keeps_non_personal_text(text: str) -> None:
    assert mask_pii(text) == text


def test_mixed_message_keeps_everything_else_verbatim() -> None:
    text = "我是張三，手機１３８１２３４５６７８，郵箱 a.b@qq.com，訂單號 202411200001，X1 藍屏 0x0000007B。"
    expected = "我是張三，手機<PHONE>，郵箱 <EMAIL>，訂單號 <ORDER>，X1 藍屏 0x0000007B。"
    assert mask_pii(text) == expected


def test_spans_do_not_overlap() -> None:
    spans = find_pii("13812345678 11010519491231002X 4111111111111111 x@y.cn 订单号 1234567890123")
    assert [token for *_, token in spans] == ["<PHONE>", "<ID>", "<CARD>", "<EMAIL>", "<ORDER>"]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
