"""One JSONL/CSV conversation as beats: who says what, with the planted slips and labels."""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    CALL_CENTER,
    CONTACTS,
    DAYS,
    SHOP_B,
    SHOP_TW,
    SHOPS_S,
    Fake,
    Pair,
    Raw,
    Topic,
    id_card,
    rng_for,
)
from .schedule import AGENT_BY_ID, FORBIDDEN_KINDS, POOLS, Slot
from .topics import CALL, CHAT, CHAT_TW

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
            # the planted ID-card check is a plan change, the abusive caller's a broken line
            special = {"idcard": "plan_change", "abusive": "broadband_fault"}
            key = special.get(self.slot.special) or CALL.pick(r)
            self.shop = CALL_CENTER
            return CALL.build(key, r, self.fake, CALL_CENTER)
        if self.slot.lang == "t":
            self.shop = SHOP_TW
            return CHAT_TW.build(CHAT_TW.pick(r), r, self.fake, SHOP_TW)
        if self.slot.shop_b:
            self.shop = SHOP_B
            special = {"contact:4": "return_refund", "multiline": "address_change"}
            key = special.get(self.slot.special) or CHAT.pick(r, CHAT.shop_b_weights)
            return CHAT.build(key, r, self.fake, SHOP_B)
        special = {"contact:1": "address_change", "contact:2": "invoice", "contact:3": "logistics"}
        key = special.get(self.slot.special) or CHAT.pick(r)
        self.shop = SHOPS_S[r.choice(CHAT.shop_kinds[key])]
        return CHAT.build(key, r, self.fake, self.shop)

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
