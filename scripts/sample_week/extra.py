"""The calls and chats written as ASR JSON, subtitles and chat logs: plan and contents."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .base import CITIES, COMPANIES, DAYS, PLANTS, ROADS, SHOPS_S, TZ, load_data, rng_for
from .schedule import AGENT_BY_ID, Slot

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


CALL_PLAN = PLANTS["call_plan"]

CHAT_PLAN = PLANTS["chat_plan"]

PLANT_TAGS = PLANTS["plant_tags"]
# what each tag means, for the README (in this order)
TAG_DOC = PLANTS["tag_doc"]


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
