"""Conversation topics: what customers ask and agents answer, with drawn order numbers."""

from __future__ import annotations

import random

from .base import (
    CITIES,
    COMPANIES,
    COURIERS,
    FABRICS,
    PRODUCTS,
    SHOP_TW,
    TW_COMPANIES,
    Fake,
    Pair,
    Topic,
)

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
