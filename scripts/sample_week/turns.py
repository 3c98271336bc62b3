"""From beats to turns: when each message is said (chat timestamps, call seconds) and
how it looks (ASR styles, loose punctuation, full-width characters)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .base import Raw, asr_plain, asr_spaced, fullwidth
from .conversation import Beat, Builder

# --------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------


def time_chat(b: Builder, beats: list[Beat]) -> list[dict]:
    """Chat turns with timestamps: answers come after the agent's latency (slow ones as
    planted), and an impatient customer nudges when a reply to a question takes long."""
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
    """Call turns with start and end seconds from the characters and a speaking rate."""
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
    """Rewrite the texts in place: a call's ASR style; a chat's loose punctuation and
    full-width characters (messages written as `Raw` are kept as they are)."""
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
