"""Masking of personal data: what is masked, in what shape, and what must stay."""

from __future__ import annotations

import pytest

from cs_qa.core.mask import mask

MASKED = [
    # mobiles: first three and last four digits stay, separators and +86 too
    ("我的手机13812345678谢谢", "我的手机138****5678谢谢"),
    ("电话 138 1234 5678", "电话 138 **** 5678"),
    ("138-1234-5678", "138-****-5678"),
    ("+86 13912345678", "+86 139****5678"),
    ("008613912345678", "0086139****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    # landlines: area code and last four stay
    ("座机010-62345678", "座机010-****5678"),
    ("0755 2345678", "0755 ***5678"),
    ("075523456789", "0755****6789"),
    ("（０２１）６２３４５６７８", "（０２１）****５６７８"),
    # ID cards
    ("身份证110101199003071234", "身份证1101**********1234"),
    ("身份证号 11010119900307123X。", "身份证号 1101**********123X。"),
    ("11010119900307123x", "1101**********123x"),
    ("旧身份证110101900307123", "旧身份证1101*******7123"),
    # bank cards: only the last four, whatever the grouping
    ("卡号6222021234567890123", "卡号****0123"),
    ("卡号 6222 0212 3456 7890", "卡号 ****7890"),
    ("4392-2500-1234-5678", "****5678"),
    # e-mail
    ("邮箱 zhang.san@example.com 谢谢", "邮箱 z***@example.com 谢谢"),
    ("a@qq.com", "a***@qq.com"),
    # several in one text
    (
        "手机13812345678，邮箱 li@163.com，卡 6222021234567890",
        "手机138****5678，邮箱 l***@163.com，卡 ****7890",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MASKED, ids=[t for t, _ in MASKED])
def test_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


UNCHANGED = [
    "您好，请问有什么可以帮您？",
    "买了 5 件，共 12345 元",
    "￥299.00",
    "价格 1399.00 元，优惠 200",
    "2026-11-21 09:00",
    "2026-11-21 09:00:03 到货",
    "20261121 090003",
    "订单[订单x]，金额[金额x]，电话[数字x]",
    "客服热线 400-123-4567",
    "热线4001234567或800-820-8820",
    "138123456789",  # 12 digits: not a mobile, and no slice of it is masked
    "订单 12345678901234567890",  # 20 digits: too long for a card
    "01234",
    "@客服小王 在吗",
    "請問這個商品還有貨嗎？",
    "",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_unchanged(text: str) -> None:
    assert mask(text) == text


def test_idempotent() -> None:
    once = mask("手机13812345678 身份证110101199003071234 卡6222021234567890 邮箱a@b.cn")
    assert mask(once) == once
