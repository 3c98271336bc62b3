"""Speaker labels of real exports mapped onto agent / customer / system."""

from __future__ import annotations

from collections.abc import Mapping

# Labels seen in Chinese exports (Simplified and Traditional) and English ones. Keys are
# lower-case and trimmed; look-ups normalise the same way. Deliberately not included:
# shop-specific nicknames such as 店小二, which could be a person or a bot, so an
# export using them must say so with an explicit speaker mapping.
_ALIASES: dict[str, str] = {
    "agent": """
        agent seller staff waiter operator service support csr
        客服 坐席 座席 人工客服 人工 客服人员 客服代表 客服专员 售后 售前 卖家 商家 话务员 接线员
        賣家 售後 客服人員 話務員 接線員
    """,
    "customer": """
        customer user buyer client visitor caller
        顾客 客户 买家 用户 访客 来电人 来电者 消费者 会员 游客
        顧客 客戶 買家 用戶 訪客 來電人 來電者 消費者 會員 遊客
    """,
    "system": """
        system bot robot chatbot ivr
        系统 机器人 智能客服 系统消息 自动回复 智能助手
        系統 機器人 系統消息 自動回覆 自動回复
    """,
}

SPEAKER_ALIASES: dict[str, str] = {
    label: speaker for speaker, labels in _ALIASES.items() for label in labels.split()
}


def normalize_speaker(label: str) -> str | None:
    """Return agent / customer / system for a speaker label, or None when unknown."""
    return SPEAKER_ALIASES.get(str(label).strip().lower())


def resolve_speaker(raw: object, overrides: Mapping[str, str] | None = None) -> str | None:
    """Map a raw cell or JSON value to a speaker; a mapping's explicit values win.

    `overrides` keys are trimmed and lower-case (as `ColumnMapping` stores them), so `0`,
    `"0"` and `" 0 "` all hit `0=customer`.
    """
    if not overrides and raw.__class__ is str:
        found = SPEAKER_ALIASES.get(raw)  # the common case: an exact label such as agent
        if found is not None:
            return found
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # Parquet/pandas turn a 0/1 column into 0.0/1.0
    label = str(raw).strip()
    if overrides:
        hit = overrides.get(label.lower())
        if hit is not None:
            return hit
    return SPEAKER_ALIASES.get(label.lower())
