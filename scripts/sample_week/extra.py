"""The calls and chats written as ASR JSON, subtitles and chat logs: the plan.

The calls are built in extra_call.py, the chats in extra_chat.py, and both are written by
extra_files.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .base import CITIES, COMPANIES, DAYS, PLANTS, ROADS, TZ, load_data, rng_for
from .schedule import AGENT_BY_ID, Slot

# --------------------------------------------------------------------------------------
# more input formats (docs/formats.md): speech-recognition JSON in `asr/`, WebVTT and SRT
# in `subtitles/`, plain-text chat-log exports in `chatlogs/`. These conversations follow
# a fixed plan (who, which day, which topic, what is planted: CALL_PLAN, CHAT_PLAN) and
# draw every random choice from their own streams (`rng_for(seed, "extra", ...)`), so
# the JSONL and CSV files stay byte-identical whatever is changed here.
# --------------------------------------------------------------------------------------

ASR_DIR = "asr"
SUB_DIR = "subtitles"
LOG_DIR = "chatlogs"
LOG_FILES = {
    "lines": f"nuanju_{DAYS[0].isoformat()}_{DAYS[-1].day:02d}.txt",
    "blocks": f"lizi_{DAYS[0].isoformat()}_{DAYS[-1].day:02d}.txt",
}

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


def plants_of(item: ExtraItem) -> dict[str, str]:
    """plant name -> its argument ('' when none): short:嗯 -> {'short': '嗯'}."""
    out = {}
    for p in item.plants:
        name, _, arg = p.partition(":")
        out[name] = arg
    return out


def fill_in(text: str, r: random.Random) -> str:
    """A caller's or customer's text with {addr} and {company} drawn from `r`."""
    if "{addr}" in text:
        text = text.replace(
            "{addr}",
            f"{r.choice(CITIES)}{r.choice(ROADS)}{r.randint(3, 388)}号{r.randint(1, 12)}栋",
        )
    if "{company}" in text:
        text = text.replace("{company}", r.choice(COMPANIES))
    return text


# the caller's / customer's question that a repeated sentence answers, by topic
REPEAT_Q = load_data("chat_phrases")["repeat_q"]
