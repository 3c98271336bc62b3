"""The chats of `chatlogs/`: what is written, when, and where the planted things are."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .base import load_data
from .extra import PLANT_TAGS, REPEAT_Q, ExtraItem, fill_in, plants_of
from .schedule import AGENT_BY_ID

# ---- chat topics (e-commerce, the same shapes as the call topics) ----------------------

_CHAT_TOPICS = load_data("chat_topics")
CHAT_BANK: dict[str, dict] = _CHAT_TOPICS["chat_bank"]

_CHAT_PHRASES = load_data("chat_phrases")
CHAT_GREET = _CHAT_PHRASES["chat_greet"]
CHAT_HELLO = _CHAT_PHRASES["chat_hello"]
CHAT_PUSH = _CHAT_PHRASES["chat_push"]
CHAT_NUDGE = _CHAT_PHRASES["chat_nudge"]
CHAT_ANYONE = _CHAT_PHRASES["chat_anyone"]  # before the greeting is said again
CHAT_GIVE_UP = _CHAT_PHRASES["chat_give_up"]  # after the third repetition
CHAT_ANYTHING = _CHAT_PHRASES["chat_anything"]
CHAT_NO_MORE = _CHAT_PHRASES["chat_no_more"]
CHAT_CLOSE = _CHAT_PHRASES["chat_close"]
CHAT_TAIL = _CHAT_PHRASES["chat_tail"]
CHAT_EMPATHY = _CHAT_PHRASES["chat_empathy"]
CHAT_FLAT = _CHAT_PHRASES["chat_flat"]
RISK_CHAT = _CHAT_PHRASES["risk_chat"]
CHAT_CUSTOMERS = _CHAT_PHRASES["chat_customers"]


@dataclass
class Msg:
    who: str  # agent | customer | system
    text: str
    tags: list[str] = field(default_factory=list)
    at: datetime | None = None


def build_chat(item: ExtraItem, r: random.Random) -> tuple[list[Msg], list[str]]:
    t = CHAT_BANK[item.topic]
    plants = plants_of(item)
    tags: list[str] = []
    for p in item.plants:
        tags += PLANT_TAGS.get(p.split(":")[0], [])
    agent = AGENT_BY_ID[item.agent]
    name = f"客服{item.agent}"

    def A(text: str, **kw) -> Msg:
        return Msg("agent", text, **kw)

    def C(text: str, **kw) -> Msg:
        return Msg("customer", fill_in(text, r), **kw)

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
            C(r.choice(CHAT_ANYONE)),
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
                C(r.choice(CHAT_GIVE_UP)),
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
