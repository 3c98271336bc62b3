"""Dates, data files, text helpers and fake order numbers shared by the sample generator."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from pathlib import Path

TZ = timezone(timedelta(hours=8))
FIRST_DAY = date(2026, 11, 16)
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(7)]
DEFAULT_SEED = 20261116
# The scenario data (shops, phrasings, agents, call and chat topics, planted slips) are
# JSON files in scripts/sample_data/; the code only draws from them.
DATA = Path(__file__).resolve().parent.parent / "sample_data"


def load_data(name: str) -> dict:
    """One scenario data file, `sample_data/<name>.json`."""
    with open(DATA / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


SHOP_B_FILE = "shop_b_export.csv"
SHOP_B_HEADER = ["会话编号", "客服工号", "发送方", "发送时间", "消息内容"]

# Phrase families the sample is built around (used for the planted labels only).
PLANTS = load_data("plants")  # what is planted where, and the words labels look for
GREET_WORDS = PLANTS["greet_words"]
CLOSE_WORDS = PLANTS["close_words"]


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


class Raw(str):
    """A message that must be written exactly as is (no full-width or ASR rewriting)."""


def fullwidth(text: str) -> str:
    """Turn ASCII letters and digits into their full-width forms (Ｍ码, ２００)."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


_PUNCT = "，。！？、；：~～,.!?;:（）()【】「」“”\"'…"
_PUNCT_RE = re.compile("[" + re.escape(_PUNCT) + "]+")


def asr_plain(text: str) -> str:
    """Speech recognition without punctuation: pauses become spaces."""
    return re.sub(r"\s+", " ", _PUNCT_RE.sub(" ", text)).strip()


def asr_spaced(text: str) -> str:
    """Speech recognition that puts a space between every Chinese character."""
    tokens = re.findall(r"[A-Za-z0-9@._-]+|[^\sA-Za-z0-9@._-]", asr_plain(text))
    return " ".join(tokens)


def id_card(base17: str) -> str:
    """An 18-digit resident ID number with a valid check character (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(base17, weights, strict=True))
    return base17 + "10X98765432"[total % 11]


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join([str(seed), *map(str, parts)]))


# --------------------------------------------------------------------------------------
# content: conversations are built from a topic (opener, answers, follow-ups, a request
# the agent can grant or refuse, complaint lines) plus the shared opening/closing pools
# --------------------------------------------------------------------------------------


@dataclass
class Pair:
    c: list[str]  # customer block (empty: the agent answers the previous block)
    a: list[str]  # agent messages
    hold: bool = False  # the agent first says "please hold", then answers after a lookup


@dataclass
class Topic:
    key: str
    shop: str
    opener: list[str]
    first: Pair
    more: list[Pair]
    ask: tuple[list[str], str, str]  # customer request, positive reply, refusal
    complaints: list[str]
    fix: str
    opener_is_complaint: bool = False
    extra_pairs: list[Pair] = field(default_factory=list)  # planted, always kept


_SHOPS = load_data("shops")
SHOPS_S = _SHOPS["shops_s"]
SHOP_B = _SHOPS["shop_b"]
SHOP_TW = _SHOPS["shop_tw"]
CALL_CENTER = _SHOPS["call_center"]

PRODUCTS = _SHOPS["products"]
COURIERS = _SHOPS["couriers"]
CITIES = _SHOPS["cities"]
ROADS = _SHOPS["roads"]
COMPANIES = _SHOPS["companies"]
FABRICS = _SHOPS["fabrics"]
TW_ADDRS = _SHOPS["tw_addrs"]
TW_COMPANIES = _SHOPS["tw_companies"]
# planted contact details, by the number in a slot's "contact:N"
CONTACTS = {int(n): text for n, text in _SHOPS["contacts"].items()}


class Fake:
    """Order numbers, addresses and the like (short enough not to look like cards/IDs)."""

    def __init__(self, r: random.Random, day: date):
        self.r = r
        self.day = day

    def order(self) -> str:
        return f"26{self.day:%m%d}{self.r.randint(0, 99999999):08d}"[:12]

    def tw_order(self) -> str:
        return f"{self.day:%Y%m%d}{self.r.randint(10000, 99999)}"

    def tracking(self, courier: str) -> str:
        prefix = {
            "顺丰": "SF",
            "京东物流": "JDVA",
            "中通": "7531",
            "圆通": "YT",
            "韵达": "4312",
            "申通": "7730",
        }[courier]
        return prefix + "".join(str(self.r.randint(0, 9)) for _ in range(10))

    def addr(self) -> str:
        city = self.r.choice(CITIES)
        return f"{city}市{self.r.choice(ROADS)}{self.r.randint(3, 388)}号{self.r.randint(1, 12)}栋"

    def tw_addr(self) -> str:
        return self.r.choice(TW_ADDRS).format(n=self.r.randint(2, 260), f=self.r.randint(2, 15))

    def taxid(self) -> str:
        alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        return (
            "91"
            + f"{self.r.randint(110000, 659999)}"
            + "MA"
            + "".join(self.r.choice(alnum) for _ in range(8))
        )

    def size_for(self, jin: int) -> str:
        for limit, size in ((100, "S"), (115, "M"), (130, "L"), (150, "XL")):
            if jin < limit:
                return size
        return "XXL"
