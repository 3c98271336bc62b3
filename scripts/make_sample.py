#!/usr/bin/env python3
"""Write the sample week of transcripts in `sample_transcripts/`.

Run from the repository root:

    python scripts/make_sample.py [--out DIR] [--seed N] [--labels FILE]

It writes one canonical JSON Lines file per day (chat and call, 2026-11-16 .. 2026-11-22,
+08:00) and one long CSV with Chinese headers for a second shop, plus a README. The output
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

SHOP_B_FILE = "shop_b_export.csv"
SHOP_B_HEADER = ["会话编号", "客服工号", "发送方", "发送时间", "消息内容"]

# Phrase families the sample is built around (used for the planted labels only).
GREET_WORDS = ["您好", "你好", "欢迎光临", "很高兴为您服务", "歡迎光臨", "很高興為您服務"]
CLOSE_WORDS = [
    "感谢",
    "谢谢您",
    "祝您",
    "再见",
    "欢迎再次光临",
    "感謝",
    "謝謝您",
    "再見",
    "歡迎再次光臨",
]


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


SHOPS_S = {
    "数码": "栗子数码旗舰店",
    "家电": "优品家电专营店",
    "服饰": "森屿服饰旗舰店",
    "家纺": "暖居家纺旗舰店",
}
SHOP_B = "一禾女装旗舰店"
SHOP_TW = "小島生活選物"
CALL_CENTER = "星联通信"

PRODUCTS = {
    "栗子数码旗舰店": ["蓝牙耳机", "机械键盘", "充电宝", "平板电脑", "智能手表"],
    "优品家电专营店": ["空气炸锅", "电热水壶", "破壁机", "扫地机器人", "电饭煲"],
    "森屿服饰旗舰店": ["羽绒服", "卫衣", "牛仔裤", "毛衣", "运动鞋"],
    "暖居家纺旗舰店": ["四件套", "羽绒被", "珊瑚绒毯子", "乳胶枕"],
    SHOP_B: ["针织开衫", "羊毛大衣", "半身裙", "卫衣", "阔腿裤"],
    SHOP_TW: ["馬克杯", "帆布托特包", "香氛蠟燭", "大學T", "亞麻抱枕套"],
}
COURIERS = ["中通", "圆通", "韵达", "申通", "顺丰", "京东物流"]
CITIES = ["杭州", "成都", "武汉", "郑州", "西安", "长沙", "苏州", "合肥", "南宁", "沈阳", "济南"]
ROADS = ["文三路", "人民南路", "解放大道", "中山路", "建设北路", "长江东路", "学院路"]
COMPANIES = [
    "杭州青禾科技有限公司",
    "成都蓝湾贸易有限公司",
    "武汉启明教育咨询有限公司",
    "苏州云帆信息技术有限公司",
    "长沙南山文化传媒有限公司",
]
FABRICS = ["精梳棉", "莫代尔", "羊毛混纺", "新疆长绒棉"]
TW_ADDRS = [
    "台北市大安區復興南路一段{n}號{f}樓",
    "新北市板橋區文化路二段{n}號{f}樓",
    "台中市西屯區台灣大道三段{n}號",
    "高雄市苓雅區四維三路{n}號{f}樓",
]
TW_COMPANIES = ["鴻升設計有限公司", "青田室內裝修有限公司", "晨光貿易股份有限公司"]


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

POOLS = {
    "s": {
        "hello": ["在吗", "你好", "在不在", "有人吗", "客服在吗", "hello", "你好 在吗"],
        "greet_any": [
            "您好，欢迎光临{shop}，客服{nick}很高兴为您服务~",
            "您好~ 很高兴为您服务，我是{nick}",
            "欢迎光临{shop}！我是{nick}，有什么问题尽管问我哦",
        ],
        "greet_ask": [
            "您好，我是客服{nick}，请问有什么可以帮您？",
            "亲，您好！欢迎光临{shop}，请问有什么可以帮到您的呢？",
            "你好亲，客服{nick}在的，请问有什么可以帮您~",
            "您好，欢迎光临{shop}，请问有什么可以帮您？",
        ],
        "greet_bad_hello": [
            "在",
            "在的",
            "说",
            "嗯 请讲",
            "有什么问题我可以帮您处理或解决呢?",
            "在的亲，什么事",
            "亲 有什么问题",
        ],
        "greet_bad_direct": ["单号发一下", "订单号发我", "订单号多少"],
        "anything": [
            "请问还有什么可以帮您的吗？",
            "请问还有其他问题吗？",
            "亲，请问还有什么可以帮您的呢？",
            "请问还有其他问题需要咨询吗？",
            "请问还有其他可以帮到您的吗？",
        ],
        "no_more": [
            "没有了，谢谢",
            "没了",
            "暂时没有了",
            "没有了 谢谢你",
            "好的 没有了",
            "没了没了",
        ],
        "close": [
            "感谢您的支持，祝您生活愉快，再见~",
            "好的，感谢您的耐心，祝您购物愉快！",
            "不客气哦，欢迎再次光临{shop}，祝您生活愉快~",
            "感谢您的咨询，有问题随时找我们，再见！",
            "谢谢您，祝您{wish}愉快~",
            "不客气，感谢您对{shop}的支持，再见~",
        ],
        "close_bad": ["好的", "嗯嗯", "好", "行", "收到", "ok", "好的 就这样"],
        "tail": ["谢谢", "好的", "好的 谢谢", "嗯嗯 拜拜", "谢啦", "OK", "好"],
        "hold": [
            "请稍等，我帮您查一下~",
            "亲，稍等一下，正在为您查询~",
            "好的，我看一下，请稍等",
            "还请您稍等，正在为您查询~",
        ],
        "back": ["久等了，", "让您久等了，", "", ""],
        "empathy": [
            "非常理解您的心情，",
            "给您添麻烦了真的很抱歉，",
            "您先别着急，",
            "实在抱歉让您久等了，非常理解您的心情，",
            "真的很抱歉给您带来不好的体验，您先别着急，",
        ],
        "flat": [
            "按流程走就行，您再等等",
            "系统显示正常，您等着就行",
            "要投诉您就投诉吧",
            "这个不是我们这边的问题",
            "我们也是按规定办的",
            "那您想怎么样",
        ],
        "prod": ["人呢？", "在吗？", "？？", "还在吗"],
        "ok": ["好的", "嗯嗯", "好", "行吧"],
        "noted": ["好的，有问题随时找我", "好的，已经帮您备注了"],
        "mingbai": ["，明白了吗？", " 明白了吗", "，这样说明白了吗？"],
        "meishi": ["没事了吧？", "那没事了吧", "还有别的吗？没事了吧"],
        "vague": ["那个呢", "所以呢", "那我那个怎么弄", "就这？"],
        "shenme": ["什么意思？", "您这是什么意思？", "你说的什么意思？"],
        "buqingchu": [
            (["快递大概几点能送到？"], "几点送我不太清楚，您问问快递员吧"),
            (["这个是哪里生产的？"], "这个我不太清楚"),
            (["保修是全国联保吗？"], "我不太清楚，您收到货看下保修卡"),
            (["你们有线下店吗"], "线下店我不太清楚哎"),
        ],
        "bufuze": [
            (["上次那个订单的退款你帮我看下"], "这不是我负责的，您找售后客服"),
            (["发票能顺便帮我开下吗"], "发票这不是我负责的，您去找财务"),
            (["快递员态度很差，你们管不管"], "快递员的事这不是我负责的，您联系快递公司吧"),
        ],
        "en": [(["我刚付款了"], "嗯"), (["我已经申请退货了"], "哦"), (["订单号刚发你了"], "嗯")],
        "xinshou": ["不好意思，我是新手不熟练，您稍等一下", "我是新手不熟练，我问一下同事"],
        "transfer": [
            "这个问题需要售后专员为您处理，我帮您转接一下，请稍等~",
            "这边帮您转接给专门负责的同事处理，请稍等",
        ],
        "transfer_greet": [
            "您好，我是售后专员{nick}，刚才的情况我已经了解了，马上为您处理",
            "您好，我是{nick}，接下来由我为您服务，您的问题我看到了",
        ],
        "sys_join": ["客服 {agent} 已接入", "客服 {agent} 已接入会话"],
        "sys_transfer": ["会话已转接", "会话已转接至客服 {agent}"],
        "sys_end": ["会话已结束", "顾客超过10分钟未回复，会话已自动关闭"],
    },
    "t": {
        "hello": ["在嗎？", "你好", "請問有人在嗎", "哈囉"],
        "greet_any": [
            "您好～我是客服{nick}，很高興為您服務",
            "歡迎光臨{shop}！我是{nick}，請問需要什麼協助呢？",
        ],
        "greet_ask": [
            "您好，歡迎光臨{shop}，請問有什麼可以幫您？",
            "您好，我是{nick}，請問有什麼需要幫忙的嗎？",
            "歡迎光臨{shop}～請問有什麼可以為您服務的呢？",
        ],
        "greet_bad_hello": ["在", "請說", "什麼問題？", "嗯，要問什麼"],
        "greet_bad_direct": ["訂單編號給我", "訂單號碼多少"],
        "anything": [
            "請問還有什麼可以幫您的嗎？",
            "請問還有其他問題嗎？",
            "還有什麼可以幫您的呢？",
        ],
        "no_more": ["沒有了，謝謝", "沒了～", "暫時沒有了，謝謝你", "沒有囉"],
        "close": [
            "感謝您的支持，祝您有美好的一天，再見～",
            "謝謝您的耐心，歡迎再次光臨喔！",
            "不客氣，祝您購物愉快，再見！",
            "感謝您的詢問，有問題隨時找我們喔～",
        ],
        "close_bad": ["好", "嗯嗯", "OK", "已經處理了"],
        "tail": ["謝謝", "好的", "謝謝～", "好喔"],
        "hold": ["幫您查詢一下，請稍候喔～", "請稍等，我看一下", "好的，請稍候～"],
        "back": ["久等了，", "讓您久等了，", ""],
        "empathy": [
            "非常理解您的心情，給您添麻煩了，真的很抱歉，",
            "您先別著急，",
            "真的很抱歉讓您久等了，非常理解您的心情，",
        ],
        "flat": [
            "物流就是這樣，您再等等",
            "這個要問物流公司",
            "系統顯示正常，您等就是了",
            "我們也是照規定",
        ],
        "prod": ["人呢？", "有人在嗎？", "？？"],
        "ok": ["好", "好喔", "嗯嗯"],
        "noted": ["好的，有問題隨時找我們", "好的，已經幫您備註了"],
        "mingbai": ["，明白了嗎？", "，這樣說明白了嗎？"],
        "meishi": ["沒事了吧？", "那沒事了吧"],
        "vague": ["那個呢？", "所以呢？", "那我那個要怎麼辦"],
        "shenme": ["什麼意思？", "您這是什麼意思？"],
        "buqingchu": [
            (["黑貓大概幾點會到？"], "幾點送達我不太清楚，您再問問黑貓"),
            (["這是哪裡製造的？"], "這個我不太清楚"),
        ],
        "bufuze": [
            (["上次那筆的退款可以順便幫我看嗎？"], "這不是我負責的，您找售後"),
            (["會員點數怎麼沒有加？"], "點數這不是我負責的"),
        ],
        "en": [(["我剛付款了"], "嗯"), (["退貨申請送出了"], "喔")],
        "xinshou": ["不好意思，我是新手不熟練，您稍等一下"],
        "sys_join": ["客服 {agent} 已接入"],
        "sys_end": ["會話已結束"],
    },
    "call": {
        "greet": [
            "您好，这里是星联通信客户服务中心，工号{num}，很高兴为您服务",
            "您好，星联通信客服中心，请问有什么可以帮您",
            "您好，这里是星联通信，工号{num}为您服务，请问有什么可以帮您",
        ],
        "greet_bad": ["喂", "喂 请讲", "星联通信 请讲", "嗯 说吧"],
        "hold": ["好的，请您稍等，我为您查询一下", "请您稍等，我帮您看一下"],
        "hold_bad": ["等一下", "你等会儿"],
        "back": ["很抱歉让您久等了，", "不好意思让您久等了，"],
        "anything": ["请问还有其他可以帮您的吗", "请问还有其他问题吗", "请问还有什么可以帮您"],
        "no_more": ["没有了", "没了 谢谢", "没有了 就这个", "嗯 没有了"],
        "close": [
            "感谢您的来电，祝您生活愉快，再见",
            "好的，感谢您的耐心，祝您生活愉快，再见",
            "感谢您的来电，稍后请对我的服务进行评价，再见",
        ],
        "close_bad": ["好 那就这样", "嗯 挂了啊", "行 没别的事我先挂了", "好的 等通知吧"],
        "tail": ["好 拜拜", "嗯 好", "好的"],
        "empathy": [
            "非常理解您的心情，",
            "给您添麻烦了真的很抱歉，",
            "您先别着急，",
            "请您不要生气，非常理解您的心情，",
        ],
        "flat": [
            "师傅可能在路上，您再等等",
            "这个不是我们这边的问题",
            "我们也是按规定办的",
            "要投诉您就投诉吧",
        ],
        "ok": ["好", "嗯", "好的"],
        "noted": ["好的，已经给您登记了", "好的，有问题您再来电"],
        "mingbai": ["，明白了吗", " 明白了吗"],
        "meishi": ["没事了吧", "那没事了吧"],
        "vague": ["就是那个 那个东西", "那我那个呢"],
        "shenme": ["什么意思", "你说的什么意思"],
        "buqingchu": [
            (["那师傅大概几点到"], "几点到我不太清楚"),
            (["这个费用是哪家收的"], "我不太清楚，您看下短信吧"),
        ],
        "bufuze": [(["上个月营业厅办的业务也有问题"], "营业厅办的这不是我负责的，您去营业厅问")],
        "en": [(["我刚才已经重启过了"], "嗯")],
        "xinshou": ["不好意思，我是新手不熟练，我问一下"],
    },
}


# --------------------------------------------------------------------------------------
# agents
# --------------------------------------------------------------------------------------

LEVELS = {
    "excellent": dict(
        greet=0.0,
        close=0.03,
        anything=0.05,
        refusal=0.0,
        forbidden=0.02,
        slow_first=0.03,
        slow_later=0.03,
        no_empathy=0.05,
        hold_bad=0.0,
        complaint=0.12,
        ask=0.35,
    ),
    "ok": dict(
        greet=0.08,
        close=0.14,
        anything=0.22,
        refusal=0.10,
        forbidden=0.10,
        slow_first=0.12,
        slow_later=0.15,
        no_empathy=0.35,
        hold_bad=0.1,
        complaint=0.18,
        ask=0.4,
    ),
    "poor": dict(
        greet=0.35,
        close=0.45,
        anything=0.55,
        refusal=0.35,
        forbidden=0.4,
        slow_first=0.45,
        slow_later=0.55,
        no_empathy=0.75,
        hold_bad=0.5,
        complaint=0.25,
        ask=0.5,
    ),
    "new": dict(
        greet=0.8,
        close=0.75,
        anything=0.85,
        refusal=0.55,
        forbidden=0.75,
        slow_first=0.8,
        slow_later=0.8,
        no_empathy=0.9,
        hold_bad=0.6,
        complaint=0.3,
        ask=0.5,
    ),
}
# The new agent's rates are the "new" level times this factor on each day of the week.
NEW_AGENT_CURVE = [1.0, 0.75, 0.55, 0.4, 0.27, 0.15, 0.06]

FORBIDDEN_KINDS = ["mingbai", "meishi", "shenme", "buqingchu", "bufuze", "en"]


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


AGENTS = [
    Agent("A1001", "excellent", "小雅", day_off=3),
    Agent("A1002", "excellent", "阿杰", trad_share=0.1, shift=(12, 21), day_off=4),
    Agent("A1003", "ok", "小鹿", trad_share=0.5, day_off=2, quirks={"slow_later": 0.3}),
    Agent("A1004", "ok", "木木", call_share=0.7, day_off=5, quirks={"anything": 0.5, "close": 0.2}),
    Agent(
        "A1005",
        "ok",
        "",
        call_share=1.0,
        shift=(12, 21),
        day_off=1,
        quirks={"forbidden": 0.22},
        forbidden_weights={"buqingchu": 6},
    ),
    Agent(
        "A1006",
        "poor",
        "橙子",
        call_share=0.4,
        shift=(12, 21),
        day_off=6,
        forbidden_weights={"shenme": 4, "mingbai": 4},
    ),
    Agent("A1007", "ok", "小蘋", trad_share=1.0, shift=(10, 19), day_off=0),
    Agent("A1008", "excellent", "", call_share=0.8, day_off=6),
    Agent("A1009", "ok", "小禾", shop_b=True, day_off=2),
    Agent(
        "A1010", "poor", "阿宁", shop_b=True, shift=(12, 21), day_off=5, quirks={"slow_later": 0.7}
    ),
    Agent("A1011", "new", "小七"),  # hired 2026-11-16
]
AGENT_BY_ID = {a.id: a for a in AGENTS}
NEW_AGENT = "A1011"


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


CONTACTS = {
    1: "收件人电话改成13812345678",
    2: "电子发票发我邮箱 lixm_88@163.com 吧，有问题打我电话15967452310",
    3: "快递员联系不上我，我电话是13705718826，也可以发邮件到wangfang2020@outlook.com",
    4: "退款有问题联系我18625093417，邮箱chenyu0915@qq.com",
}
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


README = """\
# Sample transcripts

A small customer-service team's week, 2026-11-16 (Monday) .. 2026-11-22 (+08:00), written
by `scripts/make_sample.py` for trying `cs-qa` end to end. Everything here is made up for
the sample: shops, people, phone numbers and e-mail addresses are fictitious.

## Files

- `chat_2026-11-16.jsonl` .. `chat_2026-11-22.jsonl`: one canonical JSONL file per day
  (DESIGN.md, "Canonical transcript"), chat and call conversations together. Chat turns
  carry `ts` (ISO 8601, +08:00); call turns carry `start`/`end` in seconds from the start of
  the call, as speech recognition gives them, and some calls have spaces between the
  characters or no punctuation (ASR output).
- `shop_b_export.csv`: the same week for a second shop (two agents, chat only) as a long
  table exported with Chinese headers, UTF-8 with BOM, one message per row:
  `会话编号,客服工号,发送方,发送时间,消息内容` (发送方 is 客服 or 顾客, 发送时间 is local time
  `YYYY-MM-DD HH:MM:SS`). One message contains line breaks inside a quoted field.

Conversation ids are unique across all files (`c-YYYYMMDD-NNNN` in the JSONL files,
`sb-YYYYMMDD-NNNN` in the CSV).

## What is in it

{counts}

- Topics: e-commerce chat (order status, logistics, returns and refunds, sizes, invoices,
  address changes, coupons, product questions, appliances, devices that freeze) for four
  mainland shops, a Taiwan shop written entirely in Traditional characters (about 15% of
  conversations), and call-center calls for a telecom operator (billing, broadband faults,
  complaints, SIM problems, plan changes).
- Some conversations have system turns (客服 … 已接入, 会话已转接, 会话已结束); about 3% are
  transfers, where the later agent turns carry their own `agent_id`.
- Some customer texts use full-width letters and digits; a few customers give a phone number
  or an e-mail address, and one caller gives an ID-card number, so masking can be seen.

## Agents

- Strong: A1001, A1002 (chat) and A1008 (mostly calls) greet, offer more help, close
  politely, answer fast and show empathy when a customer complains.
- Average: A1003 (chat, half of it for the Taiwan shop; sometimes slow), A1004 (mostly calls;
  often forgets to offer more help), A1005 (calls; tends to say 我不太清楚), A1007 (Taiwan
  shop, Traditional characters) and A1009 (shop B).
- Weak: A1006 (chat and calls) and A1010 (shop B, slow): missing greetings and closings,
  refusals, forbidden phrases, slow replies, little empathy, and rare abusive language.
- New: A1011, hired 2026-11-16, starts the week weak and improves day by day.

## Regenerate

    python scripts/make_sample.py            # writes this folder
    python scripts/make_sample.py --out DIR --seed N --labels labels.json

The same seed gives byte-identical files. `--labels` writes, outside this folder, what was
planted in each conversation (for checking a rule pack).
"""


def write_all(out: Path, convs: list[dict]) -> dict:
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
    with open(out / "README.md", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(README.replace("{counts}", counts))
    return {
        "files": files,
        "conversations": len(convs),
        "agents": agents,
        "chat": n_chat,
        "call": n_call,
        "traditional": n_trad,
        "csv": len(csv_convs),
    }


def write_labels(path: Path, convs: list[dict]) -> None:
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
    summary = write_all(Path(args.out), convs)
    if args.labels:
        write_labels(Path(args.labels), convs)
    print(
        f"wrote {len(summary['files'])} files to {args.out}: "
        f"{summary['conversations']} conversations "
        f"({summary['chat']} chat, {summary['call']} call, {summary['traditional']} traditional, "
        f"{summary['csv']} in {SHOP_B_FILE}), {len(summary['agents'])} agents "
        f"({summary['agents'][0]}..{summary['agents'][-1]})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
