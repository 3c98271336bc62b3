#!/usr/bin/env python3
"""Write the sample week of transcripts in `sample_transcripts/`.

Run from the repository root:

    python scripts/make_sample.py [--out DIR] [--seed N] [--labels FILE]

It writes one canonical JSON Lines file per day (chat and call, 2026-11-16 .. 2026-11-22,
+08:00) and one long CSV with Chinese headers for a second shop; for the same week, calls as
speech-recognition JSON (`asr/`) and as WebVTT / SRT subtitles (`subtitles/`) and two
plain-text chat-log exports (`chatlogs/`) in the formats of docs/formats.md, with holds,
silences, interruptions, fast speech, bare replies, repetition, promises, abusive callers
and complaint threats planted; plus a README that lists what is where. The output
is deterministic: the same seed gives byte-identical files (every random choice comes from
a `random.Random` seeded by a string, nothing depends on the clock or on hash ordering).

`--labels FILE` also writes what was planted in each conversation (JSON), for checking a
rule pack against the sample; it is not written unless asked for.

Only the standard library is used. All texts are written for this sample.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

TZ = timezone(timedelta(hours=8))
FIRST_DAY = date(2026, 11, 16)
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(7)]
DEFAULT_SEED = 20261116
# The scenario data (shops, phrasings, agents, call and chat topics, planted slips) are
# JSON files beside this script; the code below only draws from them.
DATA = Path(__file__).resolve().parent / "sample_data"


def load_data(name: str) -> dict:
    """One scenario data file, `sample_data/<name>.json`."""
    with open(DATA / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


SHOP_B_FILE = "shop_b_export.csv"
SHOP_B_HEADER = ["会话编号", "客服工号", "发送方", "发送时间", "消息内容"]

# Phrase families the sample is built around (used for the planted labels only).
_PLANTS = load_data("plants")
GREET_WORDS = _PLANTS["greet_words"]
CLOSE_WORDS = _PLANTS["close_words"]


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


# ---- simplified-Chinese chat topics ---------------------------------------------------


def t_order_status(r: random.Random, f: Fake, shop: str) -> Topic:
    product = r.choice(PRODUCTS[shop])
    order, courier, city = f.order(), r.choice(COURIERS), r.choice(CITIES)
    opener = r.choice(
        [
            [f"我前天拍的{product}怎么还没发货", f"订单号{order}"],
            [f"你好，订单{order}什么时候发货啊"],
            ["拍了两天了还没发货？", order],
            [f"请问我买的{product}发了吗"],
        ]
    )
    first = Pair(
        [],
        [f"查到了，您的{product}已经在仓库打包了，今天{r.choice([15, 16, 17])}点前会发出哦"],
        hold=True,
    )
    more = [
        r.choice(
            [
                Pair(
                    ["今天能发出吗", "有点急用"],
                    [f"今天一定给您发出，{city}的话一般发出后2到3天就能到"],
                ),
                Pair([f"大概几天能到{city}"], [f"{city}一般发出后2到3天能到，偏远地区会慢一点"]),
            ]
        ),
        Pair(["发什么快递"], [f"默认发{courier}哦，发出后物流单号会同步到订单里"]),
        Pair(["发货后会有短信吗"], ["会的，发货后系统会自动短信通知您，订单页面也能看到物流"]),
    ]
    ask = (
        ["能不能给我发顺丰"],
        f"可以的，顺丰需要补{r.choice([8, 10, 12])}元运费差价，您补完我给您备注发顺丰",
        r.choice(
            [
                f"不可以，我们只发{courier}",
                f"没办法，仓库只合作{courier}",
                "这个我做不了，快递在系统里改不了",
            ]
        ),
    )
    return Topic(
        "order_status",
        shop,
        opener,
        first,
        more,
        ask,
        [
            "拍了三天还不发货，太慢了吧",
            "什么破服务，说好48小时发货的",
            "再不发货我就申请退款，顺便给个差评",
        ],
        "我马上联系仓库给您加急，今天下班前一定发出",
    )


def t_logistics(r: random.Random, f: Fake, shop: str) -> Topic:
    courier, city = r.choice(COURIERS), r.choice(CITIES)
    tracking = f.tracking(courier)
    n = r.choice(["1到2", "2", "2到3"])
    opener = r.choice(
        [
            ["物流三天没更新了", f"单号{tracking}"],
            [f"我的快递怎么一直在{city}转运中心不动"],
            ["快递到哪了", f"显示昨天就到{city}了还没派送"],
            [f"订单{f.order()}的物流怎么不动了"],
        ]
    )
    first = Pair(
        [],
        [f"查到了，包裹目前在{city}转运中心，这两天件量比较大有些延误，预计{n}天内派送"],
        hold=True,
    )
    more = [
        r.choice(
            [
                Pair(["能帮我催一下吗"], ["已经给快递提交催件了，有进展我们会第一时间联系您"]),
                Pair(
                    ["会不会丢了啊"],
                    ["您放心，物流轨迹是正常的，只是中转慢了一点，我这边会持续帮您跟进"],
                ),
            ]
        ),
        Pair(["派送前会打电话吗"], [f"{courier}的快递员派送前一般会电话或者短信联系您的"]),
        Pair(["那我再等等吧"], ["好的，给您添麻烦了，我这边也帮您盯着"]),
    ]
    ask = (
        ["要是丢件了怎么办"],
        "如果确认丢件，我们会第一时间给您补发或者全额退款，您放心",
        r.choice(["丢件了我们也没办法，得您自己找快递", "这个我做不了，您找快递公司吧"]),
    )
    return Topic(
        "logistics",
        shop,
        opener,
        first,
        more,
        ask,
        [
            "都五天了还没到，太慢了吧",
            "你们这物流什么破服务",
            "气死了，说好昨天到的",
            "再不到我就打12315了",
        ],
        "我现在就给快递提交加急催件，今天之内给您回复进度",
    )


def t_return(r: random.Random, f: Fake, shop: str) -> Topic:
    product = r.choice(PRODUCTS[shop])
    opener = r.choice(
        [
            [f"{product}收到了不合适，想退"],
            ["我要退货退款", f"订单{f.order()}"],
            [f"收到的{product}有点小", "能换大一码吗"],
        ]
    )
    first = Pair(
        [], ["可以的亲，支持七天无理由退换，您在订单页点申请售后就可以了，商品和吊牌保持完好哦"]
    )
    more = [
        Pair(
            ["运费谁出"],
            [f"您下单时有运费险的话，退回后会自动理赔{r.choice([8, 10, 12])}元到您的账户"],
        ),
        Pair(["退款多久到账"], ["仓库收到货验完一般24小时内处理，原路退回"]),
        Pair(["寄什么快递"], ["您在申请页面选上门取件就行，快递员会联系您"]),
    ]
    ask = (
        ["吊牌已经剪了还能退吗"],
        "吊牌剪了会影响二次销售，不过如果是质量问题可以给您走售后，您拍个照片我帮您看看",
        r.choice(["这个我们不能退，吊牌剪了就不可以退了", "剪了吊牌没办法退的"]),
    )
    return Topic(
        "return_refund",
        shop,
        opener,
        first,
        more,
        ask,
        ["第二次收到有问题的了，气死了", "退个货这么麻烦，什么破服务", "再不给我退我就投诉了"],
        "我这边给您优先处理，仓库收到当天就退款",
    )


def t_size(r: random.Random, f: Fake, shop: str) -> Topic:
    product = r.choice([p for p in PRODUCTS[shop] if p != "运动鞋"])
    h, jin = r.randint(152, 186), r.randint(88, 170)
    size = f.size_for(jin)
    opener = r.choice(
        [
            [f"身高{h} 体重{jin}斤穿什么码"],
            [f"{h}cm {jin}斤，这件{product}选哪个码合适"],
            [f"这件{product}偏大还是偏小", f"我{h}，{jin}斤"],
        ]
    )
    first = Pair([], [f"按您的身材建议选{size}码哦，这款版型偏宽松"])
    quality = r.choice(
        [
            Pair(["会不会起球啊"], [f"这款是{r.choice(FABRICS)}面料，正常洗涤不会起球的"]),
            Pair(["洗了会掉色吗"], ["我们做过色牢度测试，这款不会褪色，第一次洗建议冷水手洗"]),
            Pair(["洗了会缩水吗"], ["面料出厂前做过预缩，正常洗涤不会缩水的"]),
        ]
    )
    more = [quality, Pair([f"好的 那我拍{size}的"], ["好的，今天16点前拍下当天发出哦"])]
    x, y = r.choice([(199, 20), (299, 30), (399, 50)])
    ask = (
        ["能便宜点吗"],
        f"现在店铺有满{x}减{y}的券，领了再下单更划算哦",
        r.choice(["不可以，已经是最低价了", "没办法，价格都是统一的"]),
    )
    return Topic(
        "size",
        shop,
        opener,
        first,
        more,
        ask,
        ["上次你们推荐的尺码穿不了，还得我自己寄回去，气死了", "回个消息这么久，太慢了吧"],
        "这次我帮您仔细核对尺码，要是还不合适，来回运费我们承担",
    )


def t_invoice(r: random.Random, f: Fake, shop: str) -> Topic:
    product = r.choice(PRODUCTS[shop])
    opener = r.choice(
        [
            ["能开发票吗", "要公司抬头的"],
            ["我要开个公司抬头的发票"],
            [f"订单{f.order()}的发票在哪里看"],
        ]
    )
    first = Pair([], ["可以的，我们开的是电子普通发票，麻烦提供一下公司抬头和税号"])
    more = [
        Pair(
            [f"抬头{r.choice(COMPANIES)}，税号{f.taxid()}"],
            ["好的已登记，确认收货后24小时内开具，在订单详情里就能下载"],
        ),
        Pair(["发票内容能写办公用品吗"], [f"发票内容按商品实际名称开具，会显示{product}哦"]),
    ]
    ask = (
        ["能开增值税专票吗"],
        "专票需要您提供开票资料和营业执照，我帮您提交给财务，3个工作日内寄出",
        r.choice(["专票我们不能开", "这个我做不了，得找财务"]),
    )
    return Topic(
        "invoice",
        shop,
        opener,
        first,
        more,
        ask,
        ["发票要了三次了还没给，什么破服务", "报销就等这张发票了，太慢了"],
        "我现在就给财务加急，今天下班前把发票发到您的订单里",
    )


def t_address(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = r.choice(
        [
            ["我地址填错了 能改吗"],
            ["帮我改下收货地址", f"订单{f.order()}"],
            ["收货地址能改吗 我搬家了"],
        ]
    )
    first = Pair([], ["可以的，麻烦提供一下新地址和联系电话，我看下订单状态"])
    more = [
        Pair(
            [f"{f.addr()}，电话不变"], ["订单还没出库，已经帮您改好了，您刷新订单看一下"], hold=True
        ),
        Pair(["好的 那什么时候发"], ["今天就能发出，改地址不影响发货时间"]),
    ]
    ask = (
        ["另一单已经发货了也能改吗"],
        "已发货的我帮您联系快递拦截改派，可能会晚一天到，您看可以吗",
        r.choice(["已经发货了改不了，没办法", "发了货的我做不了"]),
    )
    return Topic(
        "address_change",
        shop,
        opener,
        first,
        more,
        ask,
        ["昨天就让改了今天还是旧地址，气死了", "改个地址问了三遍了，什么破服务"],
        "我现在直接联系快递改派，改好了马上告诉您",
    )


def t_coupon(r: random.Random, f: Fake, shop: str) -> Topic:
    x, y = r.choice([(199, 20), (299, 30), (399, 50)])
    amt = x - r.randint(3, 25)
    y2 = r.choice([5, 10])
    opener = r.choice(
        [["我领的券怎么用不了"], [f"下单怎么没有减{y}啊"], ["满减活动还有吗", "怎么领券"]]
    )
    first = Pair([], [f"亲，这张券需要满{x}元才能用，您现在订单金额是{amt}元"])
    more = [
        Pair(["差一点 那怎么办"], [f"您可以再凑一件小东西，或者用店铺的{y2}元无门槛券哦"]),
        Pair(["好的 我再看看"], [f"好的，券的有效期到本月{r.randint(25, 30)}号，别错过哦"]),
    ]
    ask = (
        ["能不能帮我补个差价"],
        f"活动已经结束了，我帮您申请一张{y2}元的店铺券作为补偿，您看可以吗",
        r.choice(["不能补，活动已经结束了", "不可以的，系统不支持补差价"]),
    )
    d = r.choice([20, 30, 50])
    return Topic(
        "coupon",
        shop,
        opener,
        first,
        more,
        ask,
        [f"昨天买的今天就降价{d}块，气死了", "你们这活动什么破规则"],
        f"我帮您申请价保，差价{d}元会退回到您的支付账户",
    )


def t_appliance(r: random.Random, f: Fake, shop: str) -> Topic:
    if r.random() < 0.65:
        opener = r.choice(
            [
                ["我买的滚筒洗衣机什么时候送", "要预约安装吗"],
                ["滚筒洗衣机到了，师傅什么时候来装"],
                ["这款滚筒洗衣机能放进60公分的柜子吗"],
            ]
        )
        first = Pair(
            [], ["大家电是物流直送，到了当地会提前电话联系您预约时间，安装师傅送货后24小时内上门"]
        )
        more = [
            Pair(
                ["需要我自己拆运输螺栓吗"],
                ["不需要的，师傅安装时会帮您拆，滚筒洗衣机第一次用之前一定要拆掉螺栓哦"],
            ),
            Pair(["安装要收费吗"], ["基础安装免费，如果需要加长水管会按标准收费"]),
            Pair(["噪音大不大"], ["这款是变频电机，脱水时也比较安静，放心用"]),
        ]
    else:
        opener = r.choice([["空气炸锅第一次用有股味道，正常吗"], ["这个空气炸锅的涂层安全吗"]])
        first = Pair([], ["新机第一次使用有轻微气味是正常的，建议先空烧10分钟再用"])
        more = [
            Pair(["涂层会掉吗"], ["这款是食品级不粘涂层，正常使用不会掉涂层的"]),
            Pair(["能放锡纸吗"], ["可以放，锡纸不要盖住底部的出风口就行"]),
        ]
    ask = (
        ["能今天送吗"],
        "今天的排班已经满了，我帮您备注优先安排明天上午送，您看可以吗",
        r.choice(["今天送不了，没办法", "不可以加急的"]),
    )
    return Topic(
        "appliance",
        shop,
        opener,
        first,
        more,
        ask,
        ["约好今天送装，等了一天没人来，气死了", "师傅迟到三个小时，什么破服务"],
        "我马上联系当地网点，半小时内给您回电确认时间",
    )


def t_electronics(r: random.Random, f: Fake, shop: str) -> Topic:
    kind = r.choice(["phone", "laptop", "pad"])
    if kind == "phone":
        opener = r.choice([["手机死机了，开不了机"], ["刚买的手机死机了", "按什么都没反应"]])
    elif kind == "laptop":
        opener = r.choice(
            [["笔记本死机好几次了，是不是质量问题"], ["笔记本死机", "打游戏的时候卡住不动"]]
        )
    else:
        opener = ["新买的平板老是死机", "刚买一周"]
    first = Pair([], ["给您添麻烦了，您先长按电源键15秒强制重启试一下"])
    more = [
        Pair(["试了，还是死机"], ["那建议您申请售后检测，确认是质量问题的话15天内可以直接换新"]),
        Pair(["要寄回去吗"], ["是的，我们提供上门取件，运费我们承担"]),
    ]
    if kind == "laptop":
        more.insert(
            1,
            Pair(
                ["是不是系统的问题"],
                ["笔记本死机一般是驱动或者系统问题，您可以先在官网更新一下驱动"],
            ),
        )
    ask = (
        ["能直接给我换新的吗 不想等检测"],
        "我理解您着急用，我帮您申请加急检测，到货当天出结果",
        r.choice(["不可以，必须先检测", "直接换新我做不了"]),
    )
    return Topic(
        "electronics",
        shop,
        opener,
        first,
        more,
        ask,
        ["刚买一周就死机，什么破质量", "修了两次还死机，我要投诉", "气死了，明天出差要用"],
        "我帮您申请优先处理，检测确认后直接给您换新机",
    )


def t_quality(r: random.Random, f: Fake, shop: str) -> Topic:
    product = r.choice(PRODUCTS[shop])
    fabric = r.choice(FABRICS)
    variant = r.choice(["color", "pill", "cotton"])
    if variant == "color":
        opener = [f"这个{product}洗了会不会掉色"]
        ans = f"这款是{fabric}，做过固色处理，正常洗涤不会褪色的"
    elif variant == "pill":
        opener = [f"{product}会起球吗"]
        ans = f"这款用的{fabric}，表面做过抗起球处理，正常穿用不会起球"
    else:
        opener = [f"{product}是纯棉的吗", "宝宝皮肤敏感"]
        ans = f"是{fabric}的，亲肤透气，不会刺激皮肤，宝宝也可以用"
    first = Pair([], [ans])
    more = [
        Pair(["第一次洗要注意什么"], ["建议冷水手洗，不要暴晒，这样能用得更久"]),
        Pair(["有味道吗"], ["出厂前都晾晒过，基本没有异味，收到后洗一次就可以用了"]),
    ]
    ask = (
        ["能送个赠品吗"],
        "现在下单送同款收纳袋，我给您备注上哦",
        r.choice(["不可以，没有赠品", "赠品没办法送"]),
    )
    return Topic(
        "product_quality",
        shop,
        opener,
        first,
        more,
        ask,
        ["上次买的洗一次就起球了，气死了", "客服回复这么慢，太慢了吧"],
        "上次的问题我帮您登记售后，给您换一件新的",
    )


CHAT_TOPICS_S = [  # (builder, weight, shop kinds)
    (t_order_status, 3, ["数码", "服饰", "家纺", "家电"]),
    (t_logistics, 4, ["数码", "服饰", "家纺", "家电"]),
    (t_return, 3, ["服饰", "家纺", "数码"]),
    (t_size, 2, ["服饰"]),
    (t_invoice, 2, ["数码", "家电"]),
    (t_address, 2, ["数码", "服饰", "家纺", "家电"]),
    (t_coupon, 2, ["服饰", "家纺", "数码"]),
    (t_appliance, 2, ["家电"]),
    (t_electronics, 2, ["数码"]),
    (t_quality, 2, ["服饰", "家纺"]),
]
SHOP_B_TOPICS = [
    (t_order_status, 2),
    (t_logistics, 3),
    (t_return, 3),
    (t_size, 4),
    (t_address, 1),
    (t_coupon, 2),
    (t_quality, 3),
]


# ---- traditional-Chinese chat topics (a Taiwan shop) -----------------------------------


def tw_order(r: random.Random, f: Fake, shop: str) -> Topic:
    order, product = f.tw_order(), r.choice(PRODUCTS[SHOP_TW])
    opener = r.choice(
        [
            ["請問一下，我前天下的訂單什麼時候會出貨？", f"訂單編號{order}"],
            [f"你好，訂單{order}還沒出貨嗎？"],
            [f"我買的{product}出貨了嗎？"],
        ]
    )
    first = Pair([], ["您的訂單目前在揀貨中，預計明天出貨，宅配大約1～2個工作天會送達"], hold=True)
    more = [
        Pair(
            ["好，那可以指定晚上送嗎？"],
            ["可以的，我幫您在訂單備註「晚上六點後配送」，黑貓出發前會再跟您聯繫"],
        ),
        Pair(["出貨會通知我嗎？"], ["會的，出貨後系統會寄簡訊和Email給您，裡面有貨件查詢號碼"]),
    ]
    ask = (
        ["可以今天就幫我出貨嗎？我後天要出國"],
        "我幫您跟倉庫申請優先出貨，下午四點前回覆您結果，您看這樣可以嗎？",
        r.choice(["不可以，倉庫都是按順序出貨的", "沒辦法，今天的出貨已經排滿了"]),
    )
    return Topic(
        "order_status",
        shop,
        opener,
        first,
        more,
        ask,
        ["都下單五天了還沒出貨，太慢了吧", "什麼破服務，問了三次都沒下文", "再不出貨我要給差評了"],
        "我馬上請倉庫幫您加急，今天一定安排出貨",
    )


def tw_logistics(r: random.Random, f: Fake, shop: str) -> Topic:
    store = r.choice(["7-11", "全家"])
    opener = r.choice(
        [
            [f"我選{store}取貨，顯示已出貨三天了，怎麼還沒到店？"],
            ["請問超商取貨的包裹到哪了？", f"訂單{f.tw_order()}"],
        ]
    )
    first = Pair(
        [], ["包裹目前在物流中心理貨，明天會配送到您指定的門市，到店後會傳簡訊通知您"], hold=True
    )
    more = [
        Pair(["取貨要帶什麼？"], ["帶手機簡訊上的取貨驗證碼就可以了，取貨期限是7天喔"]),
        Pair([f"好，我選的{store}是公司樓下那間"], ["對的，就是您下單時選的那間門市"]),
    ]
    ask = (
        ["可以改成宅配到家嗎？"],
        "我幫您看看最快的方式：包裹到店後如果您不方便取，我們再免費幫您改寄宅配，您覺得呢？",
        r.choice(["已經出貨了不能改，沒辦法", "這個我做不了，出貨後系統改不了"]),
    )
    return Topic(
        "logistics",
        shop,
        opener,
        first,
        more,
        ask,
        ["等了一個禮拜還沒到，太慢了吧", "氣死了，說好昨天到店的", "什麼破服務，物流一直不更新"],
        "我馬上跟物流中心確認，今天內回覆您包裹的位置",
    )


def tw_return(r: random.Random, f: Fake, shop: str) -> Topic:
    if r.random() < 0.5:
        opener = r.choice([["收到的馬克杯有裂痕，可以換貨嗎？"], ["香氛蠟燭的玻璃瓶收到就破了"]])
        first = Pair([], ["非常抱歉造成您的困擾，麻煩您拍一張照片給我們看一下"])
        more = [
            Pair(
                ["照片傳了"],
                ["收到了，確實是運送途中碰撞造成的，我們馬上幫您寄一個新的，原商品不用寄回"],
            ),
            Pair(["大概多久會收到？"], ["今天會安排出貨，大約兩天內到貨"]),
        ]
        ask = (
            ["可以直接退款就好嗎？"],
            "可以的，幫您辦理全額退款，款項會在3～5個工作天退回原付款方式",
            r.choice(["這個我們不能退，只能換貨", "不可以，破損只能換貨"]),
        )
    else:
        opener = r.choice([["衣服太小了，想退貨"], ["大學T尺寸不合，可以退嗎？"]])
        first = Pair([], ["商品在七天鑑賞期內、吊牌完整都可以退貨，請在訂單頁面點選「申請退貨」"])
        more = [
            Pair(["運費要自己出嗎？"], ["退貨運費由我們負擔，物流會到府收件"]),
            Pair(["退款多久會收到？"], ["收到退貨後3～5個工作天退款喔"]),
        ]
        ask = (
            ["吊牌剪掉了還可以退嗎？"],
            "吊牌剪掉會影響再次銷售，如果是尺寸問題，我們可以幫您換一件合適的尺寸，您看好嗎？",
            r.choice(["吊牌剪掉就不可以退了，這個我們不能退", "剪了吊牌沒辦法退"]),
        )
    return Topic(
        "return_refund",
        shop,
        opener,
        first,
        more,
        ask,
        ["第二次收到破的了，氣死了", "退個貨這麼麻煩，什麼破服務", "再不處理我要投訴了"],
        "我幫您優先處理，今天就安排",
    )


def tw_size(r: random.Random, f: Fake, shop: str) -> Topic:
    h, kg = r.randint(150, 185), r.randint(42, 85)
    size = f.size_for(kg * 2)
    opener = r.choice(
        [
            [f"身高{h}、體重{kg}公斤，這件大學T要穿哪個尺寸？"],
            [f"{h}公分{kg}公斤，帽T選哪個尺寸比較好？"],
        ]
    )
    first = Pair([], [f"建議您選{size}號，這款是落肩寬鬆版型"])
    more = [
        r.choice(
            [
                Pair(["會不會起毛球？"], ["這款是精梳棉，正常洗滌不會起毛球喔"]),
                Pair(["洗了會不會褪色？"], ["有做過固色處理，不會褪色，第一次洗建議冷水手洗"]),
            ]
        ),
        Pair(
            [f"好，那我買{size}號，今天下單什麼時候到？"],
            ["下午三點前下單當天出貨，明後天就能收到囉"],
        ),
    ]
    ask = (
        ["可以算便宜一點嗎？"],
        "目前全館滿NT$1,000折100，結帳時輸入折價碼就可以使用喔",
        r.choice(["不可以，已經是最低價了", "沒辦法，價格都是統一的"]),
    )
    return Topic(
        "size",
        shop,
        opener,
        first,
        more,
        ask,
        ["上次尺寸建議錯了還要自己寄回，氣死了", "回個訊息這麼久，太慢了吧"],
        "這次我幫您仔細核對，如果還是不合適，來回運費我們負擔",
    )


def tw_invoice(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = r.choice([["請問可以開統編嗎？"], ["發票要打統編，要怎麼填？"]])
    first = Pair([], ["可以的，麻煩提供統一編號和公司抬頭，我們會開立電子發票"])
    more = [
        Pair(
            [f"統編{r.randint(10000000, 99999999)}，抬頭{r.choice(TW_COMPANIES)}"],
            ["好的，已經幫您備註，發票會在出貨後寄到您的電子信箱"],
        ),
        Pair(["可以用手機載具嗎？"], ["打統編的發票會寄到信箱，就不會存到載具裡喔"]),
    ]
    ask = (
        ["上個月那筆可以補打統編嗎？"],
        "可以的，我幫您把上一筆改開成有統編的發票，改好後再寄到您信箱",
        r.choice(["已經開立的發票不能改，沒辦法", "這個我做不了"]),
    )
    return Topic(
        "invoice",
        shop,
        opener,
        first,
        more,
        ask,
        ["發票要了三次還沒收到，什麼破服務", "報帳就等這張發票，太慢了"],
        "我現在就請會計加急，今天下班前寄到您信箱",
    )


def tw_address(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = ["我收件地址打錯了，可以幫我改嗎？"]
    first = Pair([], ["請提供訂單編號和正確的地址，我幫您確認是否已經出貨"])
    more = [
        Pair(
            [f"{f.tw_order()}，改成{f.tw_addr()}"],
            ["還沒出貨，已經幫您修改好了，您可以重新整理訂單確認一下"],
            hold=True,
        ),
        Pair(["好，那一樣明天出貨嗎？"], ["是的，改地址不影響出貨時間"]),
    ]
    ask = (
        ["另一筆已經出貨的也能改嗎？"],
        "已出貨的部分我幫您聯繫物流改送，可能會晚一天送達，可以嗎？",
        r.choice(["已經出貨就不能改了，我做不了", "出貨了沒辦法改"]),
    )
    return Topic(
        "address_change",
        shop,
        opener,
        first,
        more,
        ask,
        ["昨天就說要改了今天還是舊地址，氣死了", "改個地址問了三次，什麼破服務"],
        "我現在直接聯繫物流改送，改好馬上通知您",
    )


def tw_coupon(r: random.Random, f: Fake, shop: str) -> Topic:
    x = r.choice([800, 1000, 1500])
    amt = x - r.randint(20, 120)
    opener = r.choice([["折價券怎麼不能用？"], ["我領的滿額折價券結帳時沒折到"]])
    first = Pair([], [f"這張折價券需要滿NT${x}才能使用，您目前的金額是NT${amt}"])
    more = [
        Pair(["差一點點耶，怎麼辦？"], ["可以再加購一件小物湊單，或使用會員的NT$50無門檻折價券喔"]),
        Pair(["好，我再看看"], ["好的，折價券用到本月底，別錯過囉"]),
    ]
    ask = (
        ["可以幫我直接折嗎？"],
        "我幫您申請一張NT$50的補償折價券，下單時就能使用，您看可以嗎？",
        r.choice(["不可以，系統不能手動折", "沒辦法，折價券一定要滿額"]),
    )
    return Topic(
        "coupon",
        shop,
        opener,
        first,
        more,
        ask,
        ["昨天買今天就降價，氣死了", "你們這活動什麼破規則"],
        "我幫您申請差價退款，三個工作天內退回",
    )


CHAT_TOPICS_T = [
    (tw_order, 3),
    (tw_logistics, 3),
    (tw_return, 3),
    (tw_size, 2),
    (tw_invoice, 1),
    (tw_address, 1),
    (tw_coupon, 1),
]


# ---- call-center topics (simplified, speech recognised) --------------------------------


def c_billing(r: random.Random, f: Fake, shop: str) -> Topic:
    amt, fee = r.choice([(128, 30), (96, 20), (158, 25), (113, 15)])
    opener = [f"喂 你好 我想问一下我这个月话费怎么扣了{amt}块", "平时就五十多"]
    first = Pair([], [f"查到您本月有一笔视频会员的增值业务费{fee}元"], hold=True)
    more = [
        Pair(
            ["我没开过这个业务啊"],
            ["我这边帮您退订，并申请退还本月的费用，3到5个工作日退回到您的话费账户"],
        ),
        Pair(["以后还会扣吗"], ["退订后下个月就不会再扣了，我再给您发一条退订成功的短信"]),
    ]
    ask = (
        ["能把前几个月的也退了吗"],
        "前几个月的扣费我帮您提交核查，有结果会短信通知您",
        r.choice(["之前的不能退，没办法", "前几个月的我做不了"]),
    )
    return Topic(
        "billing",
        shop,
        opener,
        first,
        more,
        ask,
        ["莫名其妙扣我钱 我要投诉", "你们这什么破服务 乱扣费", "再不退我就打12315"],
        "我马上帮您加急处理退费",
    )


def c_broadband(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = r.choice(
        [["我家宽带又断了", "从早上到现在都上不了网"], ["宽带网速特别慢 看视频一直卡"]]
    )
    first = Pair([], ["给您添麻烦了，请问光猫上的LOS灯是不是红灯在闪"])
    more = [
        Pair(["对 红灯一直闪"], ["这是光信号中断了，我这边给您派维修单，师傅会在24小时内上门"]),
        Pair(["师傅来之前会打电话吗"], ["会的，师傅上门前会先电话联系您"]),
    ]
    ask = (
        ["能不能今天就来"],
        "我给您备注加急，尽量安排今天下午上门，师傅出发前会联系您",
        r.choice(["今天不可以，师傅都排满了", "加急我做不了"]),
    )
    return Topic(
        "broadband_fault",
        shop,
        opener,
        first,
        more,
        ask,
        ["一个月断三次了 什么破服务", "气死了 在家办公全耽误了", "我要投诉你们"],
        "我给您加急派单，并申请这几天的宽带费用减免",
    )


def c_install_complaint(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = r.choice(
        [
            ["我要投诉", "你们师傅约好今天上午来装宽带 到现在都没来"],
            ["我要投诉你们装维师傅", "上门装完网线乱拉 还收了我一百块材料费"],
        ]
    )
    first = Pair([], ["我马上帮您联系装维师傅确认情况，半小时内给您回电"])
    more = [
        Pair(["半小时内一定要回"], ["好的，我已经登记了加急工单，会有专人给您回电"]),
        Pair(["那费用呢"], ["费用的情况我一并核实，不合理的收费会退还给您"]),
    ]
    ask = (
        ["能给我点补偿吗"],
        "我给您申请一个月的宽带费用减免，审核通过后短信通知您",
        r.choice(["补偿不可以", "这个没办法，我们没有补偿"]),
    )
    return Topic("complaint", shop, opener, first, more, ask, [], "", opener_is_complaint=True)


def c_phone_fault(r: random.Random, f: Fake, shop: str) -> Topic:
    opener = r.choice(
        [["我手机死机了以后重启", "卡就没信号了"], ["手机死机了好几次", "现在打不了电话"]]
    )
    first = Pair([], ["请您先把手机卡拔出来，擦一下金属面再插回去试试"])
    more = [
        Pair(["还是没信号"], ["那可能是卡损坏了，您带身份证到就近营业厅可以免费补卡"]),
        Pair(["补卡号码会变吗"], ["号码不会变的，套餐和余额都保留"]),
    ]
    ask = (
        ["能不能寄一张新卡给我"],
        "可以的，我帮您申请线上补卡，实名核验后两天内寄到",
        r.choice(["不可以，只能去营业厅", "寄卡我们做不了"]),
    )
    return Topic(
        "phone_fault",
        shop,
        opener,
        first,
        more,
        ask,
        ["折腾一上午了 气死了", "你们这信号什么破服务"],
        "我帮您申请加急补卡",
    )


def c_plan(r: random.Random, f: Fake, shop: str) -> Topic:
    plan, plan2, gb = r.choice([(129, 79, 30), (99, 59, 20), (159, 99, 40)])
    opener = ["我想把套餐改便宜一点的"]
    first = Pair([], [f"您现在是{plan}元套餐，可以改成{plan2}元的，每月包含{gb}G流量"], hold=True)
    more = [
        Pair(["什么时候生效"], ["下个月1号生效，本月还是按原套餐"]),
        Pair(["有合约吗"], ["这个套餐没有合约期，随时可以再改"]),
    ]
    ask = (
        ["能这个月就生效吗"],
        "本月已经出账了，我帮您把本月超出的流量费申请减免，您看可以吗",
        r.choice(["这个月不能改，没办法", "当月生效不可以"]),
    )
    return Topic(
        "plan_change",
        shop,
        opener,
        first,
        more,
        ask,
        ["上次办的时候没人说有合约期 什么破服务", "改个套餐这么麻烦 太慢了"],
        "我帮您把情况登记，优先处理",
    )


CALL_TOPICS = [
    (c_billing, 3),
    (c_broadband, 4),
    (c_install_complaint, 1.5),
    (c_phone_fault, 1.5),
    (c_plan, 2),
]


# ---- shared pools ----------------------------------------------------------------------

_POOLS = load_data("pools")
POOLS = _POOLS["pools"]


# --------------------------------------------------------------------------------------
# agents
# --------------------------------------------------------------------------------------

_AGENTS = load_data("agents")
LEVELS = _AGENTS["levels"]
# The new agent's rates are the "new" level times this factor on each day of the week.
NEW_AGENT_CURVE = _AGENTS["new_agent_curve"]

FORBIDDEN_KINDS = _PLANTS["forbidden_kinds"]


@dataclass
class Agent:
    id: str
    level: str
    nick: str
    call_share: float = 0.0
    trad_share: float = 0.0
    shift: tuple[int, int] = (9, 18)
    day_off: int | None = None
    shop_b: bool = False
    quirks: dict[str, float] = field(default_factory=dict)
    forbidden_weights: dict[str, int] = field(default_factory=dict)

    def rates(self, day_index: int) -> dict[str, float]:
        rates = dict(LEVELS[self.level])
        rates.update(self.quirks)
        if self.level == "new":
            k = NEW_AGENT_CURVE[day_index]
            rates = {
                key: (v * k if key not in ("complaint", "ask") else v) for key, v in rates.items()
            }
        return rates


AGENTS = [Agent(**a) for a in _AGENTS["agents"]]
AGENT_BY_ID = {a.id: a for a in AGENTS}
NEW_AGENT = _AGENTS["new_agent"]  # hired 2026-11-16


# --------------------------------------------------------------------------------------
# schedule: who handles what, when
# --------------------------------------------------------------------------------------


@dataclass
class Slot:
    day_index: int
    agent: str
    start: datetime
    channel: str  # chat | call
    lang: str  # s | t
    shop_b: bool
    special: str = ""  # abusive | contact:N | idcard | boundary_first | boundary_later
    transfer_to: str = ""
    conversation_id: str = ""
    forced: dict[str, bool] = field(default_factory=dict)  # the new agent's planned slips


def make_schedule(seed: int) -> list[Slot]:
    slots: list[Slot] = []
    for di, day in enumerate(DAYS):
        weekend = day.weekday() >= 5
        for agent in AGENTS:
            if agent.day_off == di:
                continue
            r = rng_for(seed, "schedule", agent.id, day.isoformat())
            if agent.level == "new":
                n = r.randint(5, 6)
            elif agent.shop_b:
                n = r.randint(3, 5) + (1 if weekend else 0)
            else:
                n = r.randint(4, 6) + (1 if weekend and agent.call_share < 0.5 else 0)
            h0, h1 = agent.shift
            minutes = sorted(r.sample(range(0, (h1 - h0) * 60 - 30, 7), n))
            for m in minutes:
                start = datetime(day.year, day.month, day.day, h0, 0, 0, tzinfo=TZ) + timedelta(
                    minutes=m, seconds=r.randint(0, 59)
                )
                channel = "call" if r.random() < agent.call_share else "chat"
                lang = "t" if channel == "chat" and r.random() < agent.trad_share else "s"
                slots.append(Slot(di, agent.id, start, channel, lang, agent.shop_b))

    def pick(agent: str, di: int, channel: str, lang: str = "s", nth: int = 0) -> Slot:
        found = [
            s
            for s in slots
            if s.agent == agent
            and s.day_index == di
            and s.channel == channel
            and s.lang == lang
            and not s.special
        ]
        return found[min(nth, len(found) - 1)]

    pick("A1006", 1, "chat").special = "abusive"
    pick("A1006", 3, "call").special = "abusive"
    pick("A1010", 2, "chat").special = "abusive"
    pick("A1001", 0, "chat").special = "contact:1"
    pick("A1002", 3, "chat").special = "contact:2"
    pick("A1011", 5, "chat").special = "contact:3"
    pick("A1009", 4, "chat").special = "contact:4"
    pick("A1008", 3, "call").special = "idcard"
    pick("A1009", 1, "chat", nth=1).special = "multiline"
    pick("A1002", 5, "chat").special = "boundary_first"
    pick("A1001", 2, "chat").special = "boundary_later"

    # about 3% transfers: chat conversations in the JSONL files handed to a stronger colleague
    r = rng_for(seed, "transfers")
    plan = [
        ("A1011", 3, ["A1001", "A1002"]),
        ("A1006", 2, ["A1001", "A1002"]),
        ("A1003", 2, ["A1001", "A1002"]),
        ("A1001", 1, ["A1003"]),
        ("A1002", 1, ["A1003"]),
        ("A1004", 1, ["A1002"]),
    ]
    for agent, count, targets in plan:
        candidates = [
            s
            for s in slots
            if s.agent == agent and s.channel == "chat" and s.lang == "s" and not s.special
        ]
        for s in r.sample(candidates, count):
            s.transfer_to = r.choice(targets)

    plan_new_agent(slots, seed)
    slots.sort(key=lambda s: (s.start, s.agent))
    per_day: dict[tuple[int, bool], int] = {}
    for s in slots:
        key = (s.day_index, s.shop_b)
        per_day[key] = per_day.get(key, 0) + 1
        prefix = "sb" if s.shop_b else "c"
        s.conversation_id = f"{prefix}-{DAYS[s.day_index]:%Y%m%d}-{per_day[key]:04d}"
    return slots


PLANNED_KEYS = ["greet", "close", "anything", "refusal", "forbidden", "slow_first", "slow_later"]


def plan_new_agent(slots: list[Slot], seed: int) -> None:
    """Spread the new agent's slips so that each day has about its expected number.

    Independent draws on five conversations a day are too noisy to show a learning curve,
    so each day's total is fixed (sum of the day's rates times conversations, rounded) and
    shared out over the kinds of slip by largest remainder, then over the conversations.
    """
    agent = AGENT_BY_ID[NEW_AGENT]
    for di in range(len(DAYS)):
        day_slots = sorted(
            (s for s in slots if s.agent == NEW_AGENT and s.day_index == di), key=lambda s: s.start
        )
        if not day_slots:
            continue
        rates = agent.rates(di)
        quota = {k: rates[k] * len(day_slots) for k in PLANNED_KEYS}
        total = int(sum(quota.values()) + 0.5)
        counts = {k: int(q) for k, q in quota.items()}
        by_remainder = sorted(
            PLANNED_KEYS, key=lambda k: (-(quota[k] - counts[k]), PLANNED_KEYS.index(k))
        )
        for k in by_remainder[: max(0, total - sum(counts.values()))]:
            counts[k] += 1
        r = rng_for(seed, "new-agent-plan", di)
        for k in PLANNED_KEYS:
            # after a transfer the colleague ends the conversation: plan those slips elsewhere
            pool = (
                day_slots
                if k in ("greet", "slow_first")
                else [s for s in day_slots if not s.transfer_to]
            )
            chosen = r.sample(pool, min(counts[k], len(pool)))
            for s in day_slots:
                s.forced[k] = any(s is c for c in chosen)


# --------------------------------------------------------------------------------------
# building one conversation
# --------------------------------------------------------------------------------------


@dataclass
class Beat:
    who: str  # customer | agent | system
    msgs: list[str]
    hold: bool = False  # agent: long pause after msgs[0]
    agent: str = ""  # agent turns after a transfer
    latency: int = 0  # seconds to answer the customer block before it (set when timing)


CONTACTS = {int(n): text for n, text in _SHOPS["contacts"].items()}
ID_CARD = id_card("33010619920418302")


class Builder:
    def __init__(self, seed: int, slot: Slot):
        self.slot = slot
        self.r = rng_for(seed, "conv", slot.conversation_id)
        self.agent = AGENT_BY_ID[slot.agent]
        self.rates = self.agent.rates(slot.day_index)
        self.labels: list[str] = []
        self.fake = Fake(self.r, DAYS[slot.day_index])
        self.is_call = slot.channel == "call"
        self.lang = "call" if self.is_call else slot.lang
        self.pool = POOLS[self.lang]
        self.forced = dict(slot.forced)

    # -- utilities
    def p(self, key: str) -> bool:
        draw = self.r.random()
        if key in self.forced:
            return self.forced[key]
        return draw < self.rates[key]

    def pick(self, key: str) -> str:
        return self.r.choice(self.pool[key])

    def fmt(self, text: str, nick: str = "") -> str:
        day = DAYS[self.slot.day_index]
        wish = "周末" if day.weekday() >= 5 else self.r.choice(["生活", "购物", "工作"])
        return text.format(
            shop=self.shop,
            nick=nick or self.agent.nick or "小星",
            wish=wish,
            num=self.agent.id[1:],
            agent=self.agent.id,
        )

    def choose_topic(self) -> Topic:
        r = self.r
        if self.is_call:
            builders = [b for b, _ in CALL_TOPICS]
            weights = [w for _, w in CALL_TOPICS]
            if self.slot.special == "idcard":
                fn = c_plan
            elif self.slot.special == "abusive":
                fn = c_broadband
            else:
                fn = r.choices(builders, weights)[0]
            self.shop = CALL_CENTER
            return fn(r, self.fake, CALL_CENTER)
        if self.slot.lang == "t":
            self.shop = SHOP_TW
            fn = r.choices([b for b, _ in CHAT_TOPICS_T], [w for _, w in CHAT_TOPICS_T])[0]
            return fn(r, self.fake, SHOP_TW)
        if self.slot.shop_b:
            self.shop = SHOP_B
            special = {"contact:4": t_return, "multiline": t_address}.get(self.slot.special)
            fn = (
                special
                or r.choices([b for b, _ in SHOP_B_TOPICS], [w for _, w in SHOP_B_TOPICS])[0]
            )
            return fn(r, self.fake, SHOP_B)
        special = {"contact:1": t_address, "contact:2": t_invoice, "contact:3": t_logistics}
        if self.slot.special in special:
            fn = special[self.slot.special]
            kinds = next(k for b, _, k in CHAT_TOPICS_S if b is fn)
        else:
            fn, _, kinds = r.choices(CHAT_TOPICS_S, [w for _, w, _ in CHAT_TOPICS_S])[0]
        self.shop = SHOPS_S[r.choice(kinds)]
        return fn(r, self.fake, self.shop)

    # -- the conversation as beats
    def build(self) -> list[Beat]:
        r = self.r
        topic = self.choose_topic()
        self.topic = topic
        beats: list[Beat] = []
        special = self.slot.special

        # personal data the customer gives
        if special.startswith("contact:"):
            n = int(special.split(":")[1])
            if topic.key == "address_change":
                target = topic.more[0]
                target.c = [Raw(target.c[0].replace("电话不变", CONTACTS[n]))]
            else:
                topic.extra_pairs.append(Pair([Raw(CONTACTS[n])], ["好的，已经帮您备注了联系方式"]))
            self.labels.append("pii_contact")
        if special == "idcard":
            topic.extra_pairs.append(
                Pair(["好的"], ["为了保障您的账户安全，请提供一下机主的身份证号码"])
            )
            topic.extra_pairs.append(
                Pair([Raw(f"身份证号是{ID_CARD}")], ["好的，核实通过了，已经帮您提交套餐变更"])
            )
            self.labels.append("pii_idcard")
        if special == "multiline":
            target = topic.more[0]
            target.c = [Raw(f"新地址：\n{self.fake.addr()}\n电话不变")]

        # -- opening
        if self.is_call:
            self.add_greeting(beats, direct=False)
            beats.append(Beat("customer", list(topic.opener)))
        else:
            direct = r.random() < 0.65
            if not direct:
                beats.append(Beat("customer", [self.pick("hello")]))
                self.maybe_join(beats)
                self.add_greeting(beats, direct=False)
                beats.append(Beat("customer", list(topic.opener)))
            else:
                beats.append(Beat("customer", list(topic.opener)))
                self.maybe_join(beats)
                self.add_greeting(beats, direct=True, topic=topic)

        # the answer to the opener
        if topic.opener_is_complaint:
            self.labels.append("complaint")
            self.answer_complaint(beats, topic.first.a[0], topic)
        else:
            self.add_pair(beats, topic.first, answer_only=True)

        if special == "abusive":
            self.abusive_end(beats, topic)
            return beats

        end_agent = self.agent
        if self.slot.transfer_to:
            self.labels.append("transfer")
            other = AGENT_BY_ID[self.slot.transfer_to]
            beats.append(Beat("agent", [self.pick("transfer")]))
            if r.random() < 0.5:
                beats.append(Beat("customer", [r.choice(["好的", "好"])]))
            sys_text = self.pick("sys_transfer").format(agent=other.id)
            beats.append(Beat("system", [sys_text]))
            greet = self.pick("transfer_greet").format(nick=other.nick)
            beats.append(Beat("agent", [greet], agent=other.id))
            end_agent = other
            self.rates = other.rates(self.slot.day_index)
            self.forced = {k: v for k, v in self.forced.items() if k == "slow_first"}
        tag = end_agent.id if self.slot.transfer_to else ""

        # -- middle: follow-ups plus whatever is planted
        k = r.randint(1, len(topic.more)) if topic.more else 0
        chosen = sorted(r.sample(range(len(topic.more)), k))
        followups = [self.pair_beats(topic.more[i], tag) for i in chosen]
        groups: list[list[Beat]] = list(followups)
        if special == "idcard":  # identity check first, then the rest of the call
            groups.insert(
                0, [b for extra in topic.extra_pairs for b in self.pair_beats(extra, tag)]
            )
        else:
            groups += [self.pair_beats(extra, tag) for extra in topic.extra_pairs]

        refusal = self.p("refusal")
        if refusal or self.p("ask"):
            c, good, bad = topic.ask
            if refusal:
                self.labels.append("refusal")
            groups.insert(
                r.randint(min(1, len(groups)), len(groups)),
                [Beat("customer", list(c)), Beat("agent", [bad if refusal else good], agent=tag)],
            )

        if topic.complaints and self.p("complaint"):
            self.labels.append("complaint")
            group: list[Beat] = [Beat("customer", [r.choice(topic.complaints)])]
            self.answer_complaint(group, topic.fix, topic, tag)
            groups.insert(0 if r.random() < 0.7 else r.randint(0, len(groups)), group)

        forbidden = self.p("forbidden")
        kind = ""
        if forbidden:
            weights = [self.agent.forbidden_weights.get(k, 2) for k in FORBIDDEN_KINDS]
            kind = r.choices(FORBIDDEN_KINDS, weights)[0]
            if self.agent.level == "new" and self.slot.day_index <= 2 and r.random() < 0.4:
                kind = "xinshou"
            self.labels.append(f"forbidden:{kind}")
            self.plant_forbidden(kind, groups, beats, tag)

        # keep 6..20 turns: the ending takes at most 5, drop plain follow-ups if needed
        def size(bs: list[Beat]) -> int:
            return sum(len(b.msgs) for b in bs)

        while size(beats) + sum(size(g) for g in groups) > 15:
            spare = [g for g in groups if any(g is f for f in followups)]
            if spare:
                groups.remove(spare[-1])
                continue
            multi = [
                b
                for g in groups
                for b in g
                if b.who == "customer"
                and len(b.msgs) > 1
                and not any(isinstance(m, Raw) for m in b.msgs)
            ]
            if not multi:
                break
            multi[0].msgs.pop()
        if size(beats) + sum(size(g) for g in groups) < 4:
            groups.append(
                [
                    Beat("customer", [self.pick("ok")]),
                    Beat("agent", [self.pick("noted")], agent=tag),
                ]
            )
        for g in groups:
            beats.extend(g)
        self.ending(beats, meishi=(kind == "meishi"), tag=tag)
        return beats

    def maybe_join(self, beats: list[Beat]) -> None:
        if not self.slot.shop_b and self.r.random() < 0.3 and "sys_join" in self.pool:
            beats.append(Beat("system", [self.pick("sys_join").format(agent=self.agent.id)]))

    def add_greeting(self, beats: list[Beat], direct: bool, topic: Topic | None = None) -> None:
        bad = self.p("greet")
        if bad:
            self.labels.append("no_greeting")
        if self.is_call:
            text = self.pick("greet_bad") if bad else self.fmt(self.pick("greet"))
            beats.append(Beat("agent", [text]))
            return
        if not direct:
            text = self.pick("greet_bad_hello") if bad else self.fmt(self.pick("greet_ask"))
            beats.append(Beat("agent", [text]))
            return
        if bad:
            has_number = topic is not None and any(ch.isdigit() for m in topic.opener for ch in m)
            if not has_number and self.r.random() < 0.6:
                beats.append(Beat("agent", [self.pick("greet_bad_direct")]))
                order = self.fake.tw_order() if self.slot.lang == "t" else self.fake.order()
                beats.append(Beat("customer", [order]))
            # otherwise straight into business: the answer below is the first agent turn
            return
        beats.append(
            Beat(
                "agent", [self.fmt(self.r.choice(self.pool["greet_any"] + self.pool["greet_ask"]))]
            )
        )

    def pair_beats(self, pair: Pair, tag: str = "") -> list[Beat]:
        out: list[Beat] = []
        if pair.c:
            out.append(Beat("customer", list(pair.c)))
        out.append(self.agent_answer(pair, tag))
        return out

    def add_pair(self, beats: list[Beat], pair: Pair, answer_only: bool = False) -> None:
        if pair.c and not answer_only:
            beats.append(Beat("customer", list(pair.c)))
        beat = self.agent_answer(pair)
        if beats and beats[-1].who == "agent" and not beats[-1].hold and not beat.hold:
            beats[-1].msgs.extend(beat.msgs)  # the greeting and the first answer, one after another
        else:
            beats.append(beat)

    def agent_answer(self, pair: Pair, tag: str = "") -> Beat:
        if not pair.hold:
            return Beat("agent", list(pair.a), agent=tag)
        if self.is_call:
            if self.p("hold_bad"):
                self.labels.append("hold_long_no_apology")
                return Beat("agent", [self.pick("hold_bad"), pair.a[0]], hold=True, agent=tag)
            return Beat(
                "agent", [self.pick("hold"), self.pick("back") + pair.a[0]], hold=True, agent=tag
            )
        return Beat(
            "agent", [self.pick("hold"), self.pick("back") + pair.a[0]], hold=True, agent=tag
        )

    def answer_complaint(self, beats: list[Beat], fix: str, topic: Topic, tag: str = "") -> None:
        if self.p("no_empathy"):
            self.labels.append("complaint_no_empathy")
            beats.append(Beat("agent", [self.pick("flat")], agent=tag))
        else:
            self.labels.append("complaint_empathy")
            beats.append(Beat("agent", [self.pick("empathy") + fix], agent=tag))

    def plant_forbidden(
        self, kind: str, groups: list[list[Beat]], beats: list[Beat], tag: str
    ) -> None:
        r = self.r
        pool = self.pool
        if kind == "mingbai":
            targets = [b for g in groups for b in g if b.who == "agent" and len(b.msgs[-1]) >= 14]
            if not targets:
                targets = [b for b in beats if b.who == "agent" and len(b.msgs[-1]) >= 14] or [
                    b for b in beats if b.who == "agent"
                ]
            target = r.choice(targets)
            target.msgs[-1] = target.msgs[-1].rstrip("。~～！") + r.choice(pool["mingbai"])
        elif kind == "meishi":
            pass  # the ending asks 没事了吧 instead of offering more help
        elif kind == "shenme":
            g = [
                Beat("customer", [r.choice(pool["vague"])]),
                Beat("agent", [r.choice(pool["shenme"])], agent=tag),
            ]
            groups.insert(r.randint(0, len(groups)), g)
        elif kind == "xinshou":
            g = [Beat("agent", [r.choice(pool["xinshou"])], agent=tag)]
            target = r.randint(0, len(groups))
            if target < len(groups) and groups[target][0].who == "customer":
                groups[target].insert(1, g[0])
            else:
                groups.insert(target, [Beat("customer", [r.choice(["好", "嗯"])]), g[0]])
        else:  # buqingchu, bufuze, en: a question the agent answers badly
            c, a = r.choice([item for item in pool[kind] if self.fits(item[0][0])])
            groups.insert(
                r.randint(0, len(groups)),
                [Beat("customer", list(c)), Beat("agent", [a], agent=tag)],
            )

    def fits(self, question: str) -> bool:
        """Whether a planted side question makes sense in this conversation."""
        key = self.topic.key
        if any(w in question for w in ("发票", "退款", "退貨", "點數")) and key in (
            "invoice",
            "return_refund",
        ):
            return False
        if "保修" in question:
            return self.shop in (SHOPS_S["数码"], SHOPS_S["家电"])
        return True

    def ending(self, beats: list[Beat], meishi: bool, tag: str) -> None:
        r = self.r
        pool = self.pool
        skip_anything = meishi or self.p("anything")
        bad_close = self.p("close")
        if meishi:
            beats.append(Beat("agent", [self.pick("meishi")], agent=tag))
            beats.append(Beat("customer", [self.pick("no_more")]))
        elif not skip_anything:
            beats.append(Beat("agent", [self.pick("anything")], agent=tag))
            beats.append(Beat("customer", [self.pick("no_more")]))
        else:
            if not self.is_call or r.random() < 0.5:
                beats.append(Beat("customer", [self.pick("ok")]))
        if skip_anything and not self.is_call:
            self.labels.append("no_anything_else")
        if bad_close:
            self.labels.append("no_close")
            if r.random() < 0.6 or beats[-1].who != "customer":
                beats.append(Beat("agent", [self.pick("close_bad")], agent=tag))
        else:
            beats.append(Beat("agent", [self.fmt(self.pick("close"))], agent=tag))
            if r.random() < 0.3:
                beats.append(Beat("customer", [self.pick("tail")]))
        if not self.is_call and not self.slot.shop_b and "sys_end" in pool and r.random() < 0.12:
            beats.append(Beat("system", [self.pick("sys_end")]))

    def abusive_end(self, beats: list[Beat], topic: Topic) -> None:
        self.labels += ["abusive", "complaint", "complaint_no_empathy", "no_close"]
        if not self.is_call:
            self.labels.append("no_anything_else")
        r = self.r
        if self.is_call:
            beats += [
                Beat("customer", ["你们什么破服务", "一个月断三次网 你们是干什么吃的"]),
                Beat("agent", ["你吼什么吼 神经病"]),
                Beat("customer", ["你骂谁呢", "我要投诉你 你工号多少"]),
                Beat("agent", ["投诉去吧 随便你"]),
            ]
        elif self.slot.shop_b:
            beats += [
                Beat("customer", ["问了半天也没个结果", "你们到底会不会做生意 太慢了"]),
                Beat("agent", ["嫌慢就滚，别在这烦我"]),
                Beat("customer", ["什么态度", "等着差评吧"]),
            ]
        else:
            c, _, bad = topic.ask
            beats += [
                Beat("customer", list(c)),
                Beat("agent", [bad]),
                Beat("customer", ["你们就是骗子吧", "什么垃圾店"]),
                Beat("agent", [r.choice(["你有病吧，不买就别买", "有病就去治，别在这闹"])]),
                Beat("customer", ["什么态度", "我要投诉你"]),
                Beat("agent", ["随便"]),
            ]
            self.labels.append("refusal")


# --------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------


def time_chat(b: Builder, beats: list[Beat]) -> list[dict]:
    r = b.r
    slot = b.slot
    level = b.agent.level
    # which agent beats answer a customer block, and which of them are slow
    answering = []
    pending = False
    for i, beat in enumerate(beats):
        if beat.who == "customer":
            pending = True
        elif beat.who == "agent":
            if pending:
                answering.append(i)
            pending = False
    first_idx = answering[0] if answering else None
    later = answering[1:]
    # replies in the ending (to 没有了) are not the interesting slow ones
    slow_later: list[int] = []
    if later and b.p("slow_later"):
        slow_later.append(r.choice(later[:-1] or later))
        if level in ("poor", "new") and len(later) > 2 and r.random() < 0.35:
            extra = r.choice(later)
            if extra not in slow_later:
                slow_later.append(extra)
    slow_first = first_idx is not None and b.p("slow_first")
    boundary_later = r.choice(later) if slot.special == "boundary_later" and later else None

    def latency(i: int, tag: str) -> int:
        if i == first_idx:
            if slot.special == "boundary_first":
                return 20
            if slow_first:
                return r.randint(30, 95) if level in ("poor", "new") else r.randint(22, 45)
            return r.randint(3, 12) if level == "excellent" else r.randint(4, 18)
        if i == boundary_later:
            return 30
        if i in slow_later:
            return r.randint(40, 120) if level in ("poor", "new") else r.randint(32, 60)
        if level == "excellent" or tag:
            return r.randint(4, 15)
        return r.randint(5, 22) if level == "ok" else r.randint(8, 25)

    turns: list[dict] = []
    t = slot.start
    last: datetime | None = None
    last_who = ""
    block_first: datetime | None = None
    sec = timedelta(seconds=1)
    for i, beat in enumerate(beats):
        if beat.who == "customer":
            msgs = list(beat.msgs)
            for j, m in enumerate(msgs):
                if last is None:
                    ts = t
                elif j == 0:
                    if last_who == "agent":
                        ts = last + r.randint(6, 45) * sec
                    else:
                        ts = last + r.randint(2, 8) * sec
                else:
                    ts = last + r.randint(2, 5) * sec
                if block_first is None:
                    block_first = ts
                turns.append({"speaker": "customer", "text": m, "at": ts})
                last, last_who = ts, "customer"
            # an impatient customer nudges when the reply takes long
            nxt = beats[i + 1] if i + 1 < len(beats) else None
            if nxt is not None and nxt.who == "agent":
                lat = latency(i + 1, nxt.agent)
                nxt.latency = lat
                question = any(re.search("[吗嗎？?呢么麼几幾能]", m) for m in msgs)
                room = len(turns) + sum(len(x.msgs) for x in beats[i + 1 :]) < 20
                if lat > 55 and block_first is not None and question and room:
                    ts = block_first + r.randint(30, 45) * sec
                    if ts > last:
                        turns.append({"speaker": "customer", "text": b.pick("prod"), "at": ts})
                        last = ts
        elif beat.who == "system":
            ts = (last or t) + r.randint(1, 3) * sec
            for m in beat.msgs:
                turns.append({"speaker": "system", "text": m, "at": ts})
                last = ts
                ts += sec
        else:
            for j, m in enumerate(beat.msgs):
                if j == 0 and block_first is not None:
                    lat = beat.latency or latency(i, beat.agent)
                    ts = max(block_first + lat * sec, (last or t) + 2 * sec)
                elif j == 0:
                    ts = (last or t) + r.randint(3, 15) * sec
                elif beat.hold and j == 1:
                    ts = last + r.randint(18, 55) * sec
                else:
                    ts = last + r.randint(4, 15) * sec
                turn = {"speaker": "agent", "text": m, "at": ts}
                if beat.agent:
                    turn["agent_id"] = beat.agent
                turns.append(turn)
                last, last_who = ts, "agent"
                block_first = None
    return turns


def time_call(b: Builder, beats: list[Beat]) -> list[dict]:
    r = b.r
    t = round(r.uniform(0.3, 1.2), 1)
    turns = []
    prev_who = ""
    for beat in beats:
        for j, m in enumerate(beat.msgs):
            if turns:
                if beat.who == "agent" and beat.hold and j == 1:
                    gap = (
                        r.uniform(36, 72)
                        if "hold_long_no_apology" in b.labels
                        else r.uniform(8, 24)
                    )
                elif beat.who == prev_who:
                    gap = r.uniform(0.3, 0.9)
                else:
                    gap = r.uniform(0.3, 1.6)
                t = turns[-1]["end"] + gap
            chars = len(re.sub(r"\s", "", m))
            dur = max(0.8, chars / r.uniform(3.8, 5.2)) + 0.2
            start = round(t, 1)
            end = round(t + dur, 1)
            if turns and start <= turns[-1]["start"]:
                start = round(turns[-1]["start"] + 0.1, 1)
            if end <= start:
                end = round(start + 0.8, 1)
            turns.append({"speaker": beat.who, "text": m, "start": start, "end": end})
            prev_who = beat.who
    return turns


# --------------------------------------------------------------------------------------
# texture: ASR styles, full-width characters
# --------------------------------------------------------------------------------------


def texture(b: Builder, turns: list[dict]) -> None:
    r = b.r
    if b.is_call:
        style = (
            "punct"
            if b.slot.special == "idcard"
            else r.choices(["punct", "plain", "spaced"], [4, 3, 3])[0]
        )
        b.asr_style = style
        for turn in turns:
            if isinstance(turn["text"], Raw):
                continue
            if style == "plain":
                turn["text"] = asr_plain(turn["text"])
            elif style == "spaced":
                turn["text"] = (
                    asr_spaced(turn["text"]) if r.random() < 0.75 else asr_plain(turn["text"])
                )
        return
    b.asr_style = ""
    # customers are loose with punctuation
    for turn in turns:
        text = turn["text"]
        if turn["speaker"] != "customer" or isinstance(text, Raw):
            continue
        x = r.random()
        if x < 0.25 and text.rstrip("？。"):
            turn["text"] = text.rstrip("？。")
        elif x < 0.35 and b.slot.lang == "s":
            turn["text"] = text.replace("？", "?")
    if r.random() < 0.14:
        b.labels.append("fullwidth")
        for turn in turns:
            if turn["speaker"] == "customer" and not isinstance(turn["text"], Raw):
                turn["text"] = fullwidth(turn["text"])
    if r.random() < 0.05:
        b.labels.append("fullwidth_agent")
        for turn in turns:
            if turn["speaker"] == "agent" and re.search(r"[0-9]", turn["text"]):
                turn["text"] = fullwidth(turn["text"])
                break


# --------------------------------------------------------------------------------------
# labels (what the sample contains, for checking a rule pack)
# --------------------------------------------------------------------------------------


def measure_latency(turns: list[dict], channel: str) -> tuple[float | None, float | None]:
    """First and slowest later response (DESIGN.md "Response time"), chat only."""
    if channel != "chat":
        return None, None
    times = []
    block: datetime | None = None
    for turn in turns:
        if turn["speaker"] == "customer":
            if block is None:
                block = turn["at"]
        elif turn["speaker"] == "agent":
            if block is not None:
                times.append((turn["at"] - block).total_seconds())
            block = None
    if not times:
        return None, None
    return times[0], max(times[1:]) if len(times) > 1 else None


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------


def generate(seed: int) -> list[dict]:
    convs = []
    for slot in make_schedule(seed):
        b = Builder(seed, slot)
        beats = b.build()
        if b.is_call:
            turns = time_call(b, beats)
        else:
            turns = time_chat(b, beats)
        texture(b, turns)
        first, slowest = measure_latency(turns, slot.channel)
        labels = list(b.labels)
        if first is not None and first > 20:
            labels.append("slow_first")
        if slowest is not None and slowest > 30:
            labels.append("slow_later")
        texts = "".join(t["text"] for t in turns)
        if re.search("滚 ?筒|死 ?机", texts):
            labels.append("harmless_trap")
        if any(re.search("不 ?[会會]", t["text"]) for t in turns if t["speaker"] == "agent"):
            labels.append("bu_hui_statement")
        convs.append(
            {
                "slot": slot,
                "turns": turns,
                "labels": labels,
                "topic": b.topic.key,
                "shop": b.shop,
                "first_response_s": first,
                "max_later_response_s": slowest,
                "asr_style": b.asr_style,
            }
        )
    return convs


def canonical(conv: dict) -> dict:
    slot: Slot = conv["slot"]
    turns_out = []
    for turn in conv["turns"]:
        out: dict = {"speaker": turn["speaker"], "text": str(turn["text"])}
        if slot.channel == "chat":
            out["ts"] = turn["at"].isoformat()
        else:
            out["start"] = turn["start"]
            out["end"] = turn["end"]
        if "agent_id" in turn:
            out["agent_id"] = turn["agent_id"]
        turns_out.append(out)
    started = conv["turns"][0]["at"] if slot.channel == "chat" else slot.start
    return {
        "conversation_id": slot.conversation_id,
        "channel": slot.channel,
        "agent_id": slot.agent,
        "started_at": started.isoformat(),
        "turns": turns_out,
    }


# --------------------------------------------------------------------------------------
# more input formats (docs/formats.md): speech-recognition JSON in `asr/`, WebVTT and SRT
# in `subtitles/`, plain-text chat-log exports in `chatlogs/`. These conversations follow
# a fixed plan (who, which day, which topic, what is planted: CALL_PLAN, CHAT_PLAN) and
# draw every random choice from their own streams (`rng_for(seed, "extra", ...)`), so
# the JSONL and CSV files above stay byte-identical whatever is changed here.
# --------------------------------------------------------------------------------------

ASR_DIR = "asr"
SUB_DIR = "subtitles"
LOG_DIR = "chatlogs"
SHOP_LOG_LINES = SHOPS_S["家纺"]  # chatlogs/nuanju_2026-11-16_22.txt, one line per message
SHOP_LOG_BLOCKS = SHOPS_S["数码"]  # chatlogs/lizi_2026-11-16_22.txt, header line + text
LOG_FILES = {
    "lines": f"nuanju_{DAYS[0].isoformat()}_{DAYS[-1].day:02d}.txt",
    "blocks": f"lizi_{DAYS[0].isoformat()}_{DAYS[-1].day:02d}.txt",
}

# ---- call topics: what the caller asks and what the agent says ------------------------
# check: the agent's question before the lookup and the caller's answer; hold: the agent
# announces a lookup (always with 请您稍等); found: the result (said after the hold, or
# straight away when no hold is planted); long: a long caller sentence that a backchannel
# or an interruption lands in, cut_in the interrupting agent sentence and long_reply the
# normal answer; remark: a caller statement a bare 嗯 can answer; promise: per planted
# phrase, the caller's doubt and the agent's unauthorised promise; honest: the same with
# 尽量 / 尽快; repeat: the sentence a weak agent keeps saying; grievance / fix: the
# caller's anger before a complaint threat and the fix after the empathy.
# Agent texts avoid 稍等, 查询 and 查一下 except in the hold announcement.

_CALL_TOPICS = load_data("call_topics")
CALL_BANK: dict[str, dict] = _CALL_TOPICS["call_bank"]

# a restatement to confirm (DOMAIN §6): 我跟您确认一下，您是想…，对吗
CALL_SUMMARY = _CALL_TOPICS["call_summary"]
# exchanges any call can have (they make some calls longer)
_CALL_PHRASES = load_data("call_phrases")
CALL_EXTRA = _CALL_PHRASES["call_extra"]
CALL_IDENTITY = _CALL_PHRASES["call_identity"]

CALL_GREET = _CALL_PHRASES["call_greet"]
CALL_HELLO_AGAIN = _CALL_PHRASES["call_hello_again"]
CALL_BACK_SORRY = _CALL_PHRASES["call_back_sorry"]
CALL_BACK_PLAIN = _CALL_PHRASES["call_back_plain"]
CALL_PUSH = _CALL_PHRASES["call_push"]
CALL_SAY_AGAIN = _CALL_PHRASES["call_say_again"]
CALL_LET_ME = _CALL_PHRASES["call_let_me"]
CALL_SORRY_GO_ON = _CALL_PHRASES["call_sorry_go_on"]
CALL_ANYTHING = _CALL_PHRASES["call_anything"]
CALL_NO_MORE = _CALL_PHRASES["call_no_more"]
CALL_CLOSE = _CALL_PHRASES["call_close"]
CALL_TAIL = _CALL_PHRASES["call_tail"]
CALL_FAST = _CALL_PHRASES["call_fast"]
CALL_EMPATHY = _CALL_PHRASES["call_empathy"]
CALL_FLAT = _CALL_PHRASES["call_flat"]
RISK_CALL = _CALL_PHRASES["risk_call"]
# 004 #11: an abusive caller gets 1. 文明用语, 2. 录音 … 请您自重, 3. a polite close.
ABUSE_LINES = _CALL_PHRASES["abuse_lines"]
ABUSE_CIVIL = _CALL_PHRASES["abuse_civil"]
ABUSE_RECORD = _CALL_PHRASES["abuse_record"]
ABUSE_CLOSE = _CALL_PHRASES["abuse_close"]
ABUSE_HANGUP = _CALL_PHRASES["abuse_hangup"]

# ---- chat topics (e-commerce, the same shapes as the call topics) ----------------------

_CHAT_TOPICS = load_data("chat_topics")
CHAT_BANK: dict[str, dict] = _CHAT_TOPICS["chat_bank"]

_CHAT_PHRASES = load_data("chat_phrases")
CHAT_GREET = _CHAT_PHRASES["chat_greet"]
CHAT_HELLO = _CHAT_PHRASES["chat_hello"]
CHAT_PUSH = _CHAT_PHRASES["chat_push"]
CHAT_NUDGE = _CHAT_PHRASES["chat_nudge"]
CHAT_ANYTHING = _CHAT_PHRASES["chat_anything"]
CHAT_NO_MORE = _CHAT_PHRASES["chat_no_more"]
CHAT_CLOSE = _CHAT_PHRASES["chat_close"]
CHAT_TAIL = _CHAT_PHRASES["chat_tail"]
CHAT_EMPATHY = _CHAT_PHRASES["chat_empathy"]
CHAT_FLAT = _CHAT_PHRASES["chat_flat"]
RISK_CHAT = _CHAT_PHRASES["risk_chat"]
CHAT_CUSTOMERS = _CHAT_PHRASES["chat_customers"]

# the caller's / customer's question the repeated sentence answers
REPEAT_Q = _CHAT_PHRASES["repeat_q"]

# ---- the plan ---------------------------------------------------------------------------
# Plants (each adds the tags in PLANT_TAGS):
#   hold_ok          请您稍等 … back in 12-28 s with 让您久等了 / 感谢您的耐心等待
#   hold_30s         back after exactly 30.000 s, with an apology (must pass)
#   hold_long        back after 31-60 s, with an apology
#   hold_long_noapo  back after 35-60 s, no apology
#   hold_noapo       back after 15-25 s, no apology
#   silence          an unannounced gap of 11.5-17.5 s before an agent answer
#   silence_10       an unannounced gap of exactly 10.000 s (must pass)
#   interrupt        the agent starts >= 2.3 s before the caller's segment ends (>= 4 chars)
#   interrupt_2s     the same with exactly 2.000 s of overlap (counts: >= 2 s)
#   backchannel      嗯 / 好的 inside a long caller segment (must not count)
#   touch            the agent starts exactly when the caller's segment ends (must not count)
#   fast             an agent turn of 40+ characters at 400-470 characters a minute
#   short:X          a whole agent reply that is only X (嗯, 哦, 嗯嗯～, 在, 好)
#   repeat           the same agent sentence three times in a row of answers
#   greet2           the greeting said twice (must not count as repetition)
#   promise:X        an unauthorised promise with X (保证今天到, 肯定能退, 一定给您办好, 百分之百)
#   promise_ok       an honest one with 尽量 / 尽快 (must not count)
#   risk:X:emp|noemp the customer threatens X (我要投诉, 打12315, 给差评, 曝光, 找媒体); the
#                    agent answers with empathy or flatly
#   abuse:K          an abusive caller; K: full (文明用语, 录音…请您自重, polite close, in that
#                    order), no_civil, no_record, no_close, out_of_order (录音 before 文明用语)
#   multiline        a chat message over several lines


@dataclass
class ExtraItem:
    agent: str
    day_index: int
    fmt: str  # asr | asr_alt | vtt | vtt_alt | srt | srt_alt | lines | blocks
    topic: str
    plants: list[str]
    start: datetime | None = None
    conversation_id: str = ""


CALL_PLAN = _PLANTS["call_plan"]

CHAT_PLAN = _PLANTS["chat_plan"]

PLANT_TAGS = _PLANTS["plant_tags"]
# what each tag means, for the README (in this order)
TAG_DOC = _PLANTS["tag_doc"]


def plan_extra(seed: int, convs: list[dict]) -> tuple[list[ExtraItem], list[ExtraItem]]:
    """The planned calls and chats with start times that keep clear of the agent's other
    conversations (20 minutes either side), and their ids (by day, in time order)."""
    busy: dict[tuple[str, int], list[datetime]] = {}
    for c in convs:
        slot: Slot = c["slot"]
        busy.setdefault((slot.agent, slot.day_index), []).append(slot.start)
    calls = [ExtraItem(*row) for row in CALL_PLAN]
    chats = [ExtraItem(*row) for row in CHAT_PLAN]
    for n, item in enumerate(calls + chats):
        r = rng_for(seed, "extra", "start", n)
        agent = AGENT_BY_ID[item.agent]
        assert agent.day_off != item.day_index, (item.agent, item.day_index)
        h0, h1 = agent.shift
        day = DAYS[item.day_index]
        taken = busy.setdefault((item.agent, item.day_index), [])
        for _ in range(500):
            start = datetime(day.year, day.month, day.day, h0, tzinfo=TZ) + timedelta(
                minutes=r.randrange(5, (h1 - h0) * 60 - 25), seconds=r.randint(0, 59)
            )
            if all(abs((start - t).total_seconds()) > 20 * 60 for t in taken):
                break
        else:
            raise RuntimeError(f"no free time for {item}")
        item.start = start
        taken.append(start)
    for group, prefix, first in ((calls, "call", 101), (chats, "cl", 1)):
        per_day: dict[int, int] = {}
        for item in sorted(group, key=lambda i: (i.start, i.agent)):
            k = per_day.get(item.day_index, first)
            per_day[item.day_index] = k + 1
            item.conversation_id = f"{prefix}-{DAYS[item.day_index]:%Y%m%d}-{k:04d}"
    return calls, chats


def _spoken(text: str) -> int:
    """Letters and digits: what speech rate counts (no spaces, no punctuation)."""
    return sum(1 for ch in text if ch.isalnum())


def _fill(text: str, r: random.Random) -> str:
    if "{addr}" in text:
        text = text.replace(
            "{addr}",
            f"{r.choice(CITIES)}{r.choice(ROADS)}{r.randint(3, 388)}号{r.randint(1, 12)}栋",
        )
    if "{company}" in text:
        text = text.replace("{company}", r.choice(COMPANIES))
    return text


# ---- building a call ---------------------------------------------------------------------


@dataclass
class Seg:
    who: str  # agent | customer
    text: str
    gap: int | None = None  # ms after the latest end so far (None: a natural pause)
    dur: int | None = None  # ms (None: from the characters and a speaking rate)
    overlap: int = 0  # start this many ms before the last caller segment ends
    inside: bool = False  # a backchannel inside the last caller segment
    tags: list[str] = field(default_factory=list)
    begin: int = 0
    end: int = 0


def _plants(item: ExtraItem) -> dict[str, str]:
    """plant name -> its argument ('' when none): short:嗯 -> {'short': '嗯'}."""
    out = {}
    for p in item.plants:
        name, _, arg = p.partition(":")
        out[name] = arg
    return out


def build_call(item: ExtraItem, r: random.Random) -> tuple[list[Seg], list[str]]:
    t = CALL_BANK[item.topic]
    plants = _plants(item)
    tags: list[str] = []
    for p in item.plants:
        name = p.split(":")[0]
        tags += PLANT_TAGS.get(name, [])
    title = r.choice(["先生", "女士"])

    def A(text: str, **kw) -> Seg:
        return Seg("agent", text, **kw)

    def C(text: str, **kw) -> Seg:
        return Seg("customer", _fill(text, r), **kw)

    segs: list[Seg] = []
    greet = r.choice(CALL_GREET).format(num=item.agent[1:])
    segs.append(A(greet))
    if "greet2" in plants:
        segs += [C(r.choice(CALL_HELLO_AGAIN)), A(greet, tags=["greeting_twice"])]
    segs += [C(x) for x in t["opener"]]
    q, a = t["check"]
    segs += [A(q), C(a)]
    # how many optional exchanges this call gets (some calls are long, some short)
    n_extra = r.choice([0, 0, 1, 2, 3, 4, 5])
    if n_extra >= 3:
        surname, full = r.choice(CALL_IDENTITY)
        segs += [
            A("为了保障您的账户安全，需要跟您核对一下机主的姓名"),
            C(f"姓{surname} {full}"),
            A("好的，核对无误，谢谢您"),
        ]
    hold = next((p for p in plants if p.startswith("hold")), "")
    if hold:
        ms = {
            "hold_ok": r.randint(1200, 2800) * 10,
            "hold_30s": 30000,
            "hold_long": r.randint(3100, 6000) * 10,
            "hold_long_noapo": r.randint(3500, 6000) * 10,
            "hold_noapo": r.randint(1500, 2500) * 10,
        }[hold]
        sorry = hold in ("hold_ok", "hold_30s", "hold_long")
        back = r.choice(CALL_BACK_SORRY if sorry else CALL_BACK_PLAIN)
        segs.append(A(t["hold"]))
        segs.append(A(back + t["found"], gap=ms, tags=PLANT_TAGS[hold]))
    else:
        segs.append(A(t["found"]))

    # the middle: follow-up questions plus what is planted, in a random order
    follow = list(t["follow"])
    repeat_q = REPEAT_Q[item.topic]
    follow = [f for f in follow if f[0] != repeat_q]
    busy = sum(1 for p in plants if p not in ("fast", "greet2") and not p.startswith("hold"))
    keep = len(follow) if busy <= 1 else max(2, len(follow) - 1)
    follow = [follow[i] for i in sorted(r.sample(range(len(follow)), keep))]
    blocks: list[list[Seg]] = [[C(c), A(a)] for c, a in follow]
    plain = list(range(len(blocks)))  # follow-up blocks not yet changed by a plant
    r.shuffle(plain)
    for name, gap in (("silence", r.randint(1150, 1750) * 10), ("silence_10", 10000), ("touch", 0)):
        if name in plants:
            seg = blocks[plain.pop()][1]
            seg.gap = gap
            seg.tags += PLANT_TAGS[name]
    extra: list[list[Seg]] = []
    if "interrupt" in plants or "interrupt_2s" in plants:
        exact = "interrupt_2s" in plants
        extra.append(
            [
                C(t["long"]),
                A(t["cut_in"], overlap=2000 if exact else -1, tags=["interruption"]),
                C(r.choice(CALL_LET_ME)),
                A(r.choice(CALL_SORRY_GO_ON)),
                C(r.choice(["反正你们得给我解决", "反正就是这么个情况", "你们得给我个说法"])),
                A(t["long_reply"]),
            ]
        )
    if "backchannel" in plants:
        extra.append(
            [
                C(t["long"]),
                A(r.choice(["嗯", "好的", "嗯嗯"]), inside=True, tags=["backchannel_overlap"]),
                A(t["long_reply"]),
            ]
        )
    if "repeat" in plants:
        again = r.choice(CALL_SAY_AGAIN)
        extra.append(
            [
                C(repeat_q),
                A(t["repeat"]),
                C(again[0]),
                A(t["repeat"]),
                C(again[1]),
                A(t["repeat"], tags=["repetition"]),
                C(r.choice(["行吧", "算了算了", "好吧 那就这样"])),
            ]
        )
    if "promise" in plants:
        doubt, said = t["promise"][plants["promise"]]
        extra.append([C(doubt), A(said, tags=["unauthorised_promise"])])
    if "promise_ok" in plants:
        ask, said = t["honest"]
        extra.append([C(ask), A(said, tags=["honest_promise"])])
    if "risk" in plants:
        phrase, mood = plants["risk"].split(":")
        tags += ["complaint_risk", "complaint_empathy" if mood == "emp" else "complaint_no_empathy"]
        answer = r.choice(CALL_EMPATHY) + t["fix"] if mood == "emp" else r.choice(CALL_FLAT)
        extra.append(
            [C(t["grievance"]), C(r.choice(RISK_CALL[phrase]), tags=["complaint_risk"]), A(answer)]
        )
    for block in extra:
        blocks.insert(r.randint(0, len(blocks)), block)
    if n_extra >= 2:
        blocks.insert(
            0, [A(f"我跟您确认一下，您是想{CALL_SUMMARY[item.topic]}，对吗"), C("对 是的")]
        )
    tail = 4 + (3 if "short" in plants else 0) + (1 if "fast" in plants else 0)
    tail += 10 if "abuse" in plants else 0
    for pair in r.sample(CALL_EXTRA, len(CALL_EXTRA))[: max(0, n_extra - 1)]:
        size = len(segs) + sum(len(b) for b in blocks) + tail
        if size + len(pair) > 30:
            break
        block = [Seg(who, _fill(text, r).format(num=item.agent[1:])) for who, text in pair]
        blocks.insert(r.randint(0, len(blocks)), block)
    if "short" in plants:
        # a remark, a bare reply and the caller's push, then a follow-up question
        at = r.choice([i for i, b in enumerate(blocks) if b[0].who == "customer"])
        blocks.insert(
            at,
            [
                C(t["remark"]),
                A(plants["short"], tags=["short_reply"]),
                C(r.choice(CALL_PUSH)),
            ],
        )
        nxt = blocks[at + 1]
        if nxt[0].who != "customer":
            raise RuntimeError(f"short reply not followed by a question: {item}")
    for block in blocks:
        segs += block

    if "abuse" in plants:
        kind = plants["abuse"]
        tags += [
            "customer_abuse",
            {
                "full": "abuse_script:complete",
                "no_civil": "abuse_script:missing_civil",
                "no_record": "abuse_script:missing_recording",
                "no_close": "abuse_script:missing_close",
                "out_of_order": "abuse_script:out_of_order",
            }[kind],
            "no_anything_else",
        ]
        civil = A(r.choice(ABUSE_CIVIL).format(title=title), tags=["abuse_step:civil"])
        record = A(r.choice(ABUSE_RECORD).format(title=title), tags=["abuse_step:recording"])
        close = A(r.choice(ABUSE_CLOSE), tags=["abuse_step:close"])
        hangup = A(r.choice(ABUSE_HANGUP))
        steps = {
            "full": [civil, record, close],
            "no_civil": [record, close],
            "no_record": [civil, close],
            "no_close": [civil, record, hangup],
            "out_of_order": [record, civil, close],
        }[kind]
        # the first insult is an unmistakable one (骗子, 有病吧, 废物); a bare 滚 comes later, so
        # what the planted script tag says does not depend on how a checker treats 滚
        first = r.choice([x for x in ABUSE_LINES if "滚" not in "".join(x)])
        lines = [first, *r.sample([x for x in ABUSE_LINES if x is not first], len(steps) - 1)]
        segs.append(C(t["grievance"]))
        for abuse, step in zip(lines, steps, strict=True):
            segs += [C(x, tags=["customer_abuse"]) for x in abuse]
            segs.append(step)
        return segs, tags

    if "fast" in plants:
        segs.append(A(r.choice(CALL_FAST), dur=-1, tags=["fast_speech"]))
    segs.append(A(r.choice(CALL_ANYTHING)))
    segs.append(C(r.choice(CALL_NO_MORE)))
    segs.append(A(r.choice(CALL_CLOSE)))
    if r.random() < 0.4:
        segs.append(C(r.choice(CALL_TAIL)))
    return segs, tags


def time_segments(segs: list[Seg], r: random.Random) -> None:
    """Begin and end (ms) of every segment: agents speak 185-245 characters a minute,
    callers 170-270; natural pauses are 0.25-2.2 s (a caller sometimes takes 2.5-6 s);
    planted gaps, overlaps and fast turns as asked. Everything is a multiple of 10 ms."""

    def ten(x: float) -> int:
        return round(x / 10.0) * 10

    latest = 0  # the latest end so far
    last_who = ""  # who spoke the segment that ended last
    last_c: Seg | None = None
    for n, s in enumerate(segs):
        chars = _spoken(s.text)
        if s.dur == -1:  # planted fast speech
            s.dur = ten(chars * 60000 / r.uniform(400, 470))
        rate = r.uniform(185, 245) if s.who == "agent" else r.uniform(170, 270)
        dur = s.dur or max(400, ten(chars * 60000 / rate))
        if s.inside:
            assert last_c is not None
            span = last_c.end - last_c.begin
            begin = last_c.begin + ten(span * r.uniform(0.35, 0.55))
            dur = max(ten(r.uniform(350, 700)), ten(chars * 60000 / r.uniform(150, 220)))
            assert begin + dur < last_c.end - 1000
        elif s.overlap:
            assert last_c is not None
            want = s.overlap if s.overlap > 0 else ten(r.uniform(2300, 3500))
            want = min(want, dur - 300) if s.overlap < 0 else want
            assert dur > want >= 2000, (s.text, dur, want)
            begin = last_c.end - want
        else:
            if n == 0:
                gap = ten(r.uniform(300, 1200))
            elif s.gap is not None:
                gap = s.gap
            elif last_who == s.who:
                gap = ten(r.uniform(250, 900))
            elif s.who == "agent":
                gap = ten(r.uniform(400, 1500))
            elif r.random() < 0.12:  # the caller thinks or looks something up
                gap = ten(r.uniform(2500, 6000))
            else:
                gap = ten(r.uniform(500, 2200))
            begin = latest + gap
        s.begin, s.end = begin, begin + dur
        if s.end >= latest:
            latest, last_who = s.end, s.who
        if s.who == "customer":
            last_c = s


def call_details(segs: list[Seg]) -> list[dict]:
    """Where each planted thing is, measured on the timed segments (output order)."""
    order = sorted(range(len(segs)), key=lambda i: (segs[i].begin, i))
    pos = {i: k for k, i in enumerate(order)}
    out = []
    for i, s in enumerate(segs):
        for tag in s.tags:
            d: dict = {"tag": tag, "segment": pos[i], "begin_ms": s.begin, "speaker": s.who}
            prev = segs[i - 1] if i else None
            if tag.startswith("hold") and prev is not None:
                d["hold_ms"] = s.begin - prev.end
            elif tag.startswith("silence") or tag == "touching_segments":
                d["gap_ms"] = s.begin - max(x.end for x in segs[:i])
            elif tag in ("interruption", "backchannel_overlap"):
                c = next(x for x in reversed(segs[:i]) if x.who == "customer")
                d["overlap_ms"] = min(s.end, c.end) - s.begin
                d["text"] = s.text
            elif tag == "fast_speech":
                d["chars"] = _spoken(s.text)
                d["chars_per_minute"] = round(_spoken(s.text) * 60000 / (s.end - s.begin))
            else:
                d["text"] = s.text
            out.append(d)
    return out


# ---- building a chat ---------------------------------------------------------------------


@dataclass
class Msg:
    who: str  # agent | customer | system
    text: str
    tags: list[str] = field(default_factory=list)
    at: datetime | None = None


def build_chat(item: ExtraItem, r: random.Random) -> tuple[list[Msg], list[str]]:
    t = CHAT_BANK[item.topic]
    plants = _plants(item)
    tags: list[str] = []
    for p in item.plants:
        tags += PLANT_TAGS.get(p.split(":")[0], [])
    agent = AGENT_BY_ID[item.agent]
    name = f"客服{item.agent}"

    def A(text: str, **kw) -> Msg:
        return Msg("agent", text, **kw)

    def C(text: str, **kw) -> Msg:
        return Msg("customer", _fill(text, r), **kw)

    msgs: list[Msg] = []
    greet = r.choice(CHAT_GREET).format(shop=t["shop"], nick=agent.nick)
    hello = r.choice(CHAT_HELLO)
    if plants.get("short") == "在":
        tags.append("no_greeting")
        msgs += [C(hello), A("在", tags=["short_reply"])]
        msgs += [C(x) for x in t["opener"]]
    elif "greet2" in plants:
        msgs += [
            C(hello),
            A(greet),
            C(r.choice(["人呢", "在不在啊", "有人吗"])),
            A(greet, tags=["greeting_twice"]),
        ]
        msgs += [C(x) for x in t["opener"]]
    elif r.random() < 0.5:
        msgs += [C(hello), A(greet)] + [C(x) for x in t["opener"]]
    else:
        msgs += [C(x) for x in t["opener"]] + [A(greet)]
    if item.fmt == "lines" and r.random() < 0.4:
        msgs.insert(1, Msg("system", f"{name} 已接入"))
    msgs.append(A(t["answer"]))
    if "multiline" in plants:
        msgs.append(A(t["multiline"], tags=["multiline"]))

    follow = [f for f in t["follow"] if f[0] != REPEAT_Q[item.topic]]
    busy = sum(1 for p in plants if p not in ("greet2", "multiline", "short"))
    keep = len(follow) if busy <= 1 else max(2, len(follow) - 1)
    follow = [follow[i] for i in sorted(r.sample(range(len(follow)), keep))]
    blocks: list[list[Msg]] = [[C(c), A(a)] for c, a in follow]
    extra: list[list[Msg]] = []
    if "repeat" in plants:
        n1, n2 = r.choice(CHAT_NUDGE)
        extra.append(
            [
                C(REPEAT_Q[item.topic]),
                A(t["repeat"]),
                C(n1),
                A(t["repeat"]),
                C(n2),
                A(t["repeat"], tags=["repetition"]),
                C(r.choice(["行吧", "算了", "服了"])),
            ]
        )
    if "promise" in plants:
        doubt, said = t["promise"][plants["promise"]]
        extra.append([C(doubt), A(said, tags=["unauthorised_promise"])])
    if "promise_ok" in plants:
        ask, said = t["honest"]
        extra.append([C(ask), A(said, tags=["honest_promise"])])
    if "risk" in plants:
        phrase, mood = plants["risk"].split(":")
        tags += ["complaint_risk", "complaint_empathy" if mood == "emp" else "complaint_no_empathy"]
        answer = r.choice(CHAT_EMPATHY) + t["fix"] if mood == "emp" else r.choice(CHAT_FLAT)
        extra.append(
            [C(t["grievance"]), C(r.choice(RISK_CHAT[phrase]), tags=["complaint_risk"]), A(answer)]
        )
    for block in extra:
        blocks.insert(r.randint(0, len(blocks)), block)
    short = plants.get("short", "")
    if short and short != "在":
        at = r.randint(0, len(blocks) - 1)
        blocks.insert(at, [C(t["remark"]), A(short, tags=["short_reply"]), C(r.choice(CHAT_PUSH))])
    for block in blocks:
        msgs += block
    msgs += [A(r.choice(CHAT_ANYTHING)), C(r.choice(CHAT_NO_MORE))]
    msgs.append(A(r.choice(CHAT_CLOSE).format(shop=t["shop"])))
    if r.random() < 0.35:
        msgs.append(C(r.choice(CHAT_TAIL)))
    return msgs, tags


def time_chat_msgs(item: ExtraItem, msgs: list[Msg], r: random.Random) -> None:
    """Timestamps (whole seconds): replies come 3-18 s after the customer's block for most
    agents; the weak and the new agent are slower, and the new one improves over the week."""
    agent = AGENT_BY_ID[item.agent]
    sec = timedelta(seconds=1)
    assert item.start is not None

    def latency() -> int:
        if agent.level == "excellent":
            return r.randint(3, 12)
        if agent.level == "ok":
            return r.randint(4, 18)
        if agent.level == "new" and item.day_index >= 4:
            return r.randint(4, 16)
        return r.randint(25, 60) if r.random() < 0.25 else r.randint(6, 19)

    last: datetime | None = None
    prev = ""
    for m in msgs:
        if last is None:
            ts = item.start
        elif m.who == "system":
            ts = last + r.randint(1, 3) * sec
        elif m.who == "agent":
            ts = (
                last + (latency() if prev != "agent" else r.randint(3, 10) + len(m.text) // 8) * sec
            )
        else:
            ts = last + (r.randint(6, 40) if prev == "agent" else r.randint(2, 8)) * sec
        m.at = ts
        last = ts
        if m.who != "system":
            prev = m.who


def chat_details(msgs: list[Msg]) -> list[dict]:
    out = []
    for k, m in enumerate(msgs):
        for tag in m.tags:
            assert m.at is not None
            out.append(
                {"tag": tag, "message": k, "at": m.at.isoformat(), "speaker": m.who, "text": m.text}
            )
    return out


# ---- writing the files -------------------------------------------------------------------

EXTRA_NAME = re.compile(r"call-\d{8}-\d{4}\.(json|vtt|srt)")
FORMAT_NAMES = {
    "asr": "asr-json",
    "asr_alt": "asr-json (segments, bg/ed, spk)",
    "vtt": "webvtt",
    "vtt_alt": "webvtt (<v 坐席 ID>, NOTE blocks)",
    "srt": "srt",
    "srt_alt": "srt (ASCII colons)",
    "lines": "chat-log (one line per message)",
    "blocks": "chat-log (header line, then the message)",
}


def _style(text: str, style: str) -> str:
    if style == "plain":
        return asr_plain(text)
    if style == "spaced":
        return asr_spaced(text)
    return text


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3600000)
    m, rest = divmod(rest, 60000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def asr_text(item: ExtraItem, segs: list[Seg]) -> str:
    alt = item.fmt == "asr_alt"
    name, b, e, ch = (
        ("segments", "bg", "ed", "spk")
        if alt
        else ("sentences", "begin_time", "end_time", "channel_id")
    )
    head = {
        "call_id": item.conversation_id,
        "agent_id": item.agent,
        "started_at": item.start.isoformat(),
    }
    rows = [
        json.dumps(
            {b: s.begin, e: s.end, ch: 0 if s.who == "agent" else 1, "text": s.text},
            ensure_ascii=False,
        )
        for s in segs
    ]
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + f',\n "{name}": [\n  '
        + ",\n  ".join(rows)
        + "]}\n"
    )


def vtt_text(item: ExtraItem, segs: list[Seg]) -> str:
    alt = item.fmt == "vtt_alt"
    notes = [f"NOTE agent_id: {item.agent}", f"NOTE started_at: {item.start.isoformat()}"]
    out = ["WEBVTT", "", *"\n\n".join(notes).split("\n")] if alt else ["WEBVTT", *notes]
    for s in segs:
        if s.who == "agent":
            voice = f"坐席 {item.agent}" if alt else "客服"
        else:
            voice = "顾客" if alt else "客户"
        out += ["", f"{_clock(s.begin, '.')} --> {_clock(s.end, '.')}", f"<v {voice}>{s.text}"]
    return "\n".join(out) + "\n"


def srt_text(item: ExtraItem, segs: list[Seg]) -> str:
    colon = ":" if item.fmt == "srt_alt" else "："
    out = [
        "1",
        f"{_clock(0, ',')} --> {_clock(0, ',')}",
        f"NOTE started_at: {item.start.isoformat()}",
    ]
    for n, s in enumerate(segs, start=2):
        who = f"客服({item.agent})" if s.who == "agent" else "客户"
        out += [
            "",
            str(n),
            f"{_clock(s.begin, ',')} --> {_clock(s.end, ',')}",
            f"{who}{colon}{s.text}",
        ]
    return "\n".join(out) + "\n"


def chatlog_text(fmt: str, chats: list[tuple[ExtraItem, list[Msg], str]]) -> str:
    out = []
    for item, msgs, customer in chats:
        out.append(f"=== 会话 {item.conversation_id} ===")
        for m in msgs:
            name = {"agent": f"客服{item.agent}", "customer": customer, "system": "系统"}[m.who]
            stamp = m.at.strftime("%Y-%m-%d %H:%M:%S")
            if fmt == "lines":
                out.append(f"{stamp} {name}: {m.text}")
            else:
                out += [f"{name} {stamp}", m.text]
    return "\n".join(out) + "\n"


def _dedupe(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def write_extra(out: Path, seed: int, convs: list[dict]) -> tuple[list[dict], dict]:
    """Write asr/, subtitles/ and chatlogs/; return their label rows and a summary."""
    calls, chats = plan_extra(seed, convs)
    for sub in (ASR_DIR, SUB_DIR, LOG_DIR):
        folder = out / sub
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # files a previous run wrote (never anything else)
            if EXTRA_NAME.fullmatch(old.name) or old.name in LOG_FILES.values():
                old.unlink()
    rows: list[dict] = []
    written: list[str] = []
    for item in sorted(calls, key=lambda i: i.conversation_id):
        r = rng_for(seed, "extra", "call", item.conversation_id)
        segs, tags = build_call(item, r)
        time_segments(segs, r)
        style = (
            r.choice(["plain", "plain", "spaced"])
            if item.fmt.startswith("asr")
            else r.choice(["punct", "punct", "plain"])
        )
        for s in segs:
            s.text = _style(s.text, style)
        details = call_details(segs)
        segs.sort(key=lambda s: s.begin)
        if item.fmt.startswith("asr"):
            rel, text = f"{ASR_DIR}/{item.conversation_id}.json", asr_text(item, segs)
        elif item.fmt.startswith("vtt"):
            rel, text = f"{SUB_DIR}/{item.conversation_id}.vtt", vtt_text(item, segs)
        else:
            rel, text = f"{SUB_DIR}/{item.conversation_id}.srt", srt_text(item, segs)
        with open(out / rel, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(rel)
        rows.append(
            {
                "conversation_id": item.conversation_id,
                "file": rel,
                "format": FORMAT_NAMES[item.fmt],
                "agent_id": item.agent,
                "day": DAYS[item.day_index].isoformat(),
                "started_at": item.start.isoformat(),
                "channel": "call",
                "script": "simplified",
                "topic": item.topic,
                "shop": CALL_CENTER,
                "transfer_to": None,
                "asr_style": style,
                "n_turns": len(segs),
                "duration_s": round(max(s.end for s in segs) / 1000, 1),
                "first_response_s": None,
                "max_later_response_s": None,
                "planted": _dedupe(tags),
                "details": details,
            }
        )
    customers = list(CHAT_CUSTOMERS)
    rng_for(seed, "extra", "customers").shuffle(customers)
    by_file: dict[str, list[tuple[ExtraItem, list[Msg], str]]] = {"lines": [], "blocks": []}
    for n, item in enumerate(sorted(chats, key=lambda i: i.start)):
        r = rng_for(seed, "extra", "chat", item.conversation_id)
        msgs, tags = build_chat(item, r)
        time_chat_msgs(item, msgs, r)
        by_file[item.fmt].append((item, msgs, customers[n % len(customers)]))
        turns = [{"speaker": m.who, "at": m.at} for m in msgs]
        first, slowest = measure_latency(turns, "chat")
        if first is not None and first > 20:
            tags.append("slow_first")
        if slowest is not None and slowest > 30:
            tags.append("slow_later")
        rows.append(
            {
                "conversation_id": item.conversation_id,
                "file": f"{LOG_DIR}/{LOG_FILES[item.fmt]}",
                "format": FORMAT_NAMES[item.fmt],
                "agent_id": f"客服{item.agent}",
                "team_agent_id": item.agent,
                "day": DAYS[item.day_index].isoformat(),
                "started_at": item.start.isoformat(),
                "channel": "chat",
                "script": "simplified",
                "topic": item.topic,
                "shop": CHAT_BANK[item.topic]["shop"],
                "transfer_to": None,
                "asr_style": None,
                "n_turns": len(msgs),
                "first_response_s": first,
                "max_later_response_s": slowest,
                "planted": _dedupe(tags),
                "details": chat_details(msgs),
            }
        )
    for fmt, name in LOG_FILES.items():
        with open(out / LOG_DIR / name, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(chatlog_text(fmt, by_file[fmt]))
        written.append(f"{LOG_DIR}/{name}")
    rows.sort(key=lambda row: (row["channel"], row["conversation_id"]))
    return rows, {"files": written, "calls": calls, "chats": chats}


def extra_readme(rows: list[dict]) -> dict[str, str]:
    """The README parts that list what the new formats hold (from the label rows)."""
    calls = [row for row in rows if row["channel"] == "call"]
    chats = [row for row in rows if row["channel"] == "chat"]
    n_fmt = {
        k: sum(1 for row in calls if row["format"].startswith(k)) for k in ("asr", "webvtt", "srt")
    }
    alt = {
        k: ", ".join(row["conversation_id"] for row in calls if row["format"] == FORMAT_NAMES[k])
        for k in ("asr_alt", "vtt_alt", "srt_alt")
    }
    durations = [row["duration_s"] for row in calls]
    sizes = [row["n_turns"] for row in calls]
    team = sorted({row.get("team_agent_id") or row["agent_id"] for row in rows})
    counts = (
        f"- `asr/`, `subtitles/`, `chatlogs/`: {len(calls)} calls ({n_fmt['asr']} "
        f"speech-recognition JSON, {n_fmt['webvtt']} WebVTT, {n_fmt['srt']} SRT; "
        f"{min(sizes)}-{max(sizes)} segments, "
        f"{min(durations) / 60:.1f}-{max(durations) / 60:.1f} minutes) and {len(chats)} chats in "
        f"{len(LOG_FILES)} chat logs, {sum(row['n_turns'] for row in rows)} turns, agents "
        f"{', '.join(team)}."
    )
    table = ["| tag | what | where |", "| --- | --- | --- |"]
    for tag, what in TAG_DOC:
        where = [row for row in rows if tag in row["planted"]]
        if not where:
            continue
        ids = ", ".join(
            f"{row['conversation_id']} ({row.get('team_agent_id') or row['agent_id']})"
            for row in where
        )
        table.append(f"| `{tag}` | {what} | {len(where)}: {ids} |")
    bad = {
        "hold_over_30s",
        "hold_no_apology",
        "silence_over_10s",
        "interruption",
        "fast_speech",
        "short_reply",
        "repetition",
        "unauthorised_promise",
        "complaint_no_empathy",
        "abuse_script:missing_civil",
        "abuse_script:missing_recording",
        "abuse_script:missing_close",
        "abuse_script:out_of_order",
    }
    per_agent: dict[str, int] = {}
    for row in rows:
        agent = row.get("team_agent_id") or row["agent_id"]
        per_agent[agent] = per_agent.get(agent, 0) + sum(1 for tag in row["planted"] if tag in bad)
    spread = ", ".join(
        f"{a} {n}" for a, n in sorted(per_agent.items(), key=lambda x: (-x[1], x[0]))
    )
    mapping = ", ".join(f"客服{a}: {a}" for a in sorted({row["team_agent_id"] for row in chats}))
    return {
        "{extra_counts}": textwrap.fill(counts, width=92, subsequent_indent="  "),
        "{asr_alt}": alt["asr_alt"],
        "{vtt_alt}": alt["vtt_alt"],
        "{srt_alt}": alt["srt_alt"],
        "{lines_file}": LOG_FILES["lines"],
        "{blocks_file}": LOG_FILES["blocks"],
        "{mapping}": mapping,
        "{planted_table}": "\n".join(table),
        "{spread}": textwrap.fill(
            f"Planted faults per agent (calls and chats; passes and measured latency not "
            f"counted): {spread}.",
            width=92,
        ),
    }


README = (DATA / "README.template.md").read_text(encoding="utf-8")


def write_all(out: Path, convs: list[dict], extra_rows: list[dict]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    by_day: dict[int, list[str]] = {i: [] for i in range(len(DAYS))}
    csv_convs = []
    for conv in convs:
        slot: Slot = conv["slot"]
        if slot.shop_b:
            csv_convs.append(conv)
        else:
            by_day[slot.day_index].append(json.dumps(canonical(conv), ensure_ascii=False))
    for i, day in enumerate(DAYS):
        path = out / f"chat_{day.isoformat()}.jsonl"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join(by_day[i]) + "\n")
        files.append(path.name)
    path = out / SHOP_B_FILE
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(SHOP_B_HEADER)
        for conv in csv_convs:
            slot = conv["slot"]
            for turn in conv["turns"]:
                who = {"agent": "客服", "customer": "顾客"}[turn["speaker"]]
                w.writerow(
                    [
                        slot.conversation_id,
                        slot.agent,
                        who,
                        turn["at"].strftime("%Y-%m-%d %H:%M:%S"),
                        str(turn["text"]),
                    ]
                )
    files.append(path.name)

    agents = sorted({c["slot"].agent for c in convs})
    n_chat = sum(1 for c in convs if c["slot"].channel == "chat")
    n_call = len(convs) - n_chat
    n_trad = sum(1 for c in convs if c["slot"].lang == "t")
    counts = (
        f"- {len(convs)} conversations ({n_chat} chat, {n_call} call; {len(csv_convs)} of the "
        f"chats in the CSV), {n_trad} in Traditional characters, "
        f"{sum(len(c['turns']) for c in convs)} turns, {len(agents)} agents "
        f"({', '.join(agents)})."
    )
    counts = textwrap.fill(counts, width=92, subsequent_indent="  ")
    readme = README.replace("{counts}", counts)
    for key, value in extra_readme(extra_rows).items():
        readme = readme.replace(key, value)
    with open(out / "README.md", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(readme)
    return {
        "files": files,
        "conversations": len(convs),
        "agents": agents,
        "chat": n_chat,
        "call": n_call,
        "traditional": n_trad,
        "csv": len(csv_convs),
    }


def write_labels(path: Path, convs: list[dict], extra_rows: list[dict]) -> None:
    rows = []
    for c in convs:
        slot: Slot = c["slot"]
        rows.append(
            {
                "conversation_id": slot.conversation_id,
                "file": SHOP_B_FILE
                if slot.shop_b
                else f"chat_{DAYS[slot.day_index].isoformat()}.jsonl",
                "agent_id": slot.agent,
                "day": DAYS[slot.day_index].isoformat(),
                "channel": slot.channel,
                "script": "traditional" if slot.lang == "t" else "simplified",
                "topic": c["topic"],
                "shop": c["shop"],
                "transfer_to": slot.transfer_to or None,
                "asr_style": c["asr_style"] or None,
                "n_turns": len(c["turns"]),
                "first_response_s": c["first_response_s"],
                "max_later_response_s": c["max_later_response_s"],
                "planted": c["labels"],
            }
        )
    rows += extra_rows
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", default="sample_transcripts", help="output folder (default: %(default)s)"
    )
    ap.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    ap.add_argument(
        "--labels", default=None, help="also write the planted labels to this JSON file"
    )
    args = ap.parse_args(argv)
    convs = generate(args.seed)
    extra_rows, extra = write_extra(Path(args.out), args.seed, convs)
    summary = write_all(Path(args.out), convs, extra_rows)
    if args.labels:
        write_labels(Path(args.labels), convs, extra_rows)
    print(
        f"wrote {len(summary['files'])} files to {args.out}: "
        f"{summary['conversations']} conversations "
        f"({summary['chat']} chat, {summary['call']} call, {summary['traditional']} traditional, "
        f"{summary['csv']} in {SHOP_B_FILE}), {len(summary['agents'])} agents "
        f"({summary['agents'][0]}..{summary['agents'][-1]}); "
        f"{len(extra['files'])} more in {ASR_DIR}/, {SUB_DIR}/ and {LOG_DIR}/: "
        f"{len(extra['calls'])} calls, {len(extra['chats'])} chats"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
