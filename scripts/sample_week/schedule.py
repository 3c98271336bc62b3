"""The team (agents and their slip rates) and who handles which conversation when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .base import DAYS, PLANTS, TZ, load_data, rng_for

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

FORBIDDEN_KINDS = PLANTS["forbidden_kinds"]


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
