"""The calls of `asr/` and `subtitles/`: what is said, when (in ms), and where the planted
things are."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .base import load_data
from .extra import PLANT_TAGS, REPEAT_Q, ExtraItem, fill_in, plants_of

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
CALL_ANYWAY = _CALL_PHRASES["call_anyway"]  # the caller after an interruption
CALL_BACKCHANNEL = _CALL_PHRASES["call_backchannel"]
CALL_GIVE_UP = _CALL_PHRASES["call_give_up"]  # after the third repetition
CALL_TITLE = _CALL_PHRASES["call_title"]  # 先生 / 女士 in the abuse script
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


def _spoken(text: str) -> int:
    """Letters and digits: what speech rate counts (no spaces, no punctuation)."""
    return sum(1 for ch in text if ch.isalnum())


def build_call(item: ExtraItem, r: random.Random) -> tuple[list[Seg], list[str]]:
    t = CALL_BANK[item.topic]
    plants = plants_of(item)
    tags: list[str] = []
    for p in item.plants:
        name = p.split(":")[0]
        tags += PLANT_TAGS.get(name, [])
    title = r.choice(CALL_TITLE)

    def A(text: str, **kw) -> Seg:
        return Seg("agent", text, **kw)

    def C(text: str, **kw) -> Seg:
        return Seg("customer", fill_in(text, r), **kw)

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
                C(r.choice(CALL_ANYWAY)),
                A(t["long_reply"]),
            ]
        )
    if "backchannel" in plants:
        extra.append(
            [
                C(t["long"]),
                A(r.choice(CALL_BACKCHANNEL), inside=True, tags=["backchannel_overlap"]),
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
                C(r.choice(CALL_GIVE_UP)),
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
        block = [Seg(who, fill_in(text, r).format(num=item.agent[1:])) for who, text in pair]
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
