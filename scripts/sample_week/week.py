"""The week's JSONL/CSV conversations: one per scheduled slot, with its labels, and the
canonical record it is written as."""

from __future__ import annotations

import re
from datetime import datetime

from .conversation import Builder
from .schedule import Slot, make_schedule
from .turns import texture, time_call, time_chat

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
    """The week's conversations in schedule order: slot, turns, labels, topic and shop."""
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
    """A generated conversation as a canonical JSONL record (DESIGN.md)."""
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
