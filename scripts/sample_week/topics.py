"""Conversation topics: what customers ask and agents answer, read from data files.

The topics are in `scripts/sample_data/topics/`: `chat.json` (the Simplified-Chinese
shops, also the CSV shop), `chat_tw.json` (the Taiwan shop) and `call.json` (the call
centre). A file holds `weights` (topic -> how often it is picked; `chat.json` also has
`shop_kinds`, the kinds of shop in shops.json a topic is used for, and `shop_b_weights`
for the CSV shop) and `topics` (topic key -> its steps).

A topic is an object whose keys are steps, run from top to bottom. Each step evaluates
its value, and every random draw is made from the conversation's stream where it stands,
so THE ORDER OF THE KEYS IS THE ORDER OF THE DRAWS (the sample is byte-identical only as
long as that order is kept). A step is either a part of the topic (`base.Topic`):

    opener       the customer's first messages (a list of texts)
    first        the answer to them: a pair {"c": [customer texts], "a": [agent texts],
                 "hold": true}; "c" may be left out, "hold" (a lookup first) too
    more         follow-up pairs
    ask          a request: {"c": [customer texts], "yes": granted, "no": refused}
    complaints   complaint lines (a list; default none), fix: the promise after the
                 empathy (default ""), opener_is_complaint: true when the opener is one

or a variable, named by any other key, for the texts of the steps below it; "x,y" takes
apart a drawn pair. A value is

    "text {name}"    the text with its {name} placeholders filled in; a text that is only
                     "{name}" is the variable's value itself (a number stays a number)
    a number, true/false, null
    [a, b, ...]      each element evaluated in order; one that comes out null is left out
    {"choice": [a, b, ...]}   random.choice: EVERY alternative is evaluated first, in
                     order, and then one is drawn (as Python builds the whole list before
                     random.choice picks from it, nested draws included)
    {"choice": "cities", "except": [...]}   from a list in shops.json ("products": the
                     shop's products), leaving out the values in "except"
    {"randint": [lo, hi]}     random.randint(lo, hi)
    {"chance": p, "then": a, "else": b}     a if random.random() < p, otherwise b
    {"case": "name", "v1": a, "v2": b, "else": c}   only the branch for the variable's
                     value is evaluated ("else" when there is none for it)
    {"fake": "order"}         a `base.Fake` helper (order, tw_order, addr, tw_addr,
                     taxid: draws; tracking, size_for: with "of", their argument)
    {"minus": [a, b]}, {"times": [a, b]}    a - b, a * b
    {...}            any other object: a record, its values evaluated in key order (so
                     write "c" before "a", and "c", "yes", "no" in that order)
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import (
    CITIES,
    COMPANIES,
    COURIERS,
    FABRICS,
    PRODUCTS,
    TW_COMPANIES,
    Fake,
    Pair,
    Topic,
    load_data,
)

PARTS = ("opener", "first", "more", "ask", "complaints", "fix", "opener_is_complaint")
REQUIRED_PARTS = ("opener", "first", "more", "ask")
LISTS = {
    "couriers": COURIERS,
    "cities": CITIES,
    "fabrics": FABRICS,
    "companies": COMPANIES,
    "tw_companies": TW_COMPANIES,
}
FAKES: dict[str, Callable[..., Any]] = {
    "order": Fake.order,
    "tw_order": Fake.tw_order,
    "addr": Fake.addr,
    "tw_addr": Fake.tw_addr,
    "taxid": Fake.taxid,
    "tracking": Fake.tracking,
    "size_for": Fake.size_for,
}
RECORD_KEYS = ("c", "a", "hold", "yes", "no")  # pairs and requests
OPERATIONS = ("choice", "randint", "chance", "case", "fake", "minus", "times")
_ONLY_A_NAME = re.compile(r"\{(\w+)\}")


@dataclass
class Draw:
    """What a topic's values are evaluated with: the conversation's random stream and
    fake numbers, its shop, and the variables drawn so far."""

    r: random.Random
    fake: Fake
    shop: str
    names: dict[str, Any]

    def value(self, spec: Any) -> Any:
        """`spec` evaluated (see the module's docstring), drawing as it goes."""
        if isinstance(spec, str):
            whole = _ONLY_A_NAME.fullmatch(spec)
            return self.names[whole.group(1)] if whole else spec.format_map(self.names)
        if isinstance(spec, list):
            return [v for v in map(self.value, spec) if v is not None]
        if not isinstance(spec, dict):
            return spec
        op = next((k for k in OPERATIONS if k in spec), None)
        if op is None:
            return {key: self.value(v) for key, v in spec.items()}
        return getattr(self, f"op_{op}")(spec)

    def op_choice(self, spec: dict) -> Any:
        alternatives = spec["choice"]
        if isinstance(alternatives, str):
            named = PRODUCTS[self.shop] if alternatives == "products" else LISTS[alternatives]
            left_out = spec.get("except", [])
            return self.r.choice([v for v in named if v not in left_out])
        return self.r.choice([self.value(v) for v in alternatives])

    def op_randint(self, spec: dict) -> int:
        lo, hi = (self.value(v) for v in spec["randint"])
        return self.r.randint(lo, hi)

    def op_chance(self, spec: dict) -> Any:
        return self.value(spec["then"] if self.r.random() < spec["chance"] else spec["else"])

    def op_case(self, spec: dict) -> Any:
        key = str(self.names[spec["case"]])
        return self.value(spec[key] if key in spec else spec["else"])

    def op_fake(self, spec: dict) -> Any:
        args = [self.value(spec["of"])] if "of" in spec else []
        return FAKES[spec["fake"]](self.fake, *args)

    def op_minus(self, spec: dict) -> Any:
        a, b = (self.value(v) for v in spec["minus"])
        return a - b

    def op_times(self, spec: dict) -> Any:
        a, b = (self.value(v) for v in spec["times"])
        return a * b


def pair(record: dict) -> Pair:
    """A pair record ({"c": ..., "a": ..., "hold": ...}) as a `Pair`."""
    return Pair(record.get("c", []), record["a"], record.get("hold", False))


@dataclass(frozen=True)
class TopicBank:
    """One topics file: its topics (key -> steps) and the weights they are picked with."""

    name: str
    topics: dict[str, dict]
    weights: dict[str, float]
    shop_kinds: dict[str, list[str]]
    shop_b_weights: dict[str, float]

    def pick(self, r: random.Random, weights: dict[str, float] | None = None) -> str:
        """A topic key drawn with `weights` (default: the bank's)."""
        weights = weights or self.weights
        return r.choices(list(weights), list(weights.values()))[0]

    def build(self, key: str, r: random.Random, fake: Fake, shop: str) -> Topic:
        """Topic `key` for `shop`: its steps run top to bottom, drawing from `r`."""
        draw = Draw(r, fake, shop, {})
        parts: dict[str, Any] = {}
        for name, spec in self.topics[key].items():
            value = draw.value(spec)
            if name in PARTS:
                parts[name] = value
            elif "," in name:
                draw.names.update(zip(name.split(","), value, strict=True))
            else:
                draw.names[name] = value
        ask = parts["ask"]
        return Topic(
            key,
            shop,
            parts["opener"],
            pair(parts["first"]),
            [pair(p) for p in parts["more"]],
            (ask["c"], ask["yes"], ask["no"]),
            parts.get("complaints", []),
            parts.get("fix", ""),
            opener_is_complaint=parts.get("opener_is_complaint", False),
        )


def check_spec(spec: Any, where: str) -> list[str]:
    """Problems in one value: unknown keys, fakes and lists."""
    problems = []
    if isinstance(spec, list):
        for v in spec:
            problems += check_spec(v, where)
    elif isinstance(spec, dict):
        op = next((k for k in OPERATIONS if k in spec), None)
        if op is None:
            problems += [f"{where}: unknown key {k!r}" for k in spec if k not in RECORD_KEYS]
        elif op == "fake" and spec["fake"] not in FAKES:
            problems.append(f"{where}: unknown fake {spec['fake']!r}")
        elif op == "choice" and isinstance(spec["choice"], str):
            if spec["choice"] not in (*LISTS, "products"):
                problems.append(f"{where}: unknown list {spec['choice']!r}")
            return problems
        for key, v in spec.items():
            if key != "case":  # the name of a variable, not a text
                problems += check_spec(v, where)
    return problems


def topic_bank(name: str, data: dict) -> TopicBank:
    """The topics file `name` (its parsed JSON), checked: every problem is reported at once."""
    bank = TopicBank(
        name,
        data["topics"],
        data["weights"],
        data.get("shop_kinds", {}),
        data.get("shop_b_weights", {}),
    )
    problems = []
    for key, steps in bank.topics.items():
        where = f"topics/{name}.json: {key}"
        problems += [f"{where}: no {part}" for part in REQUIRED_PARTS if part not in steps]
        problems += check_spec(list(steps.values()), where)
    for table in ("weights", "shop_kinds", "shop_b_weights"):
        problems += [
            f"topics/{name}.json: {table}: no topic {key!r}"
            for key in getattr(bank, table)
            if key not in bank.topics
        ]
    if problems:
        raise ValueError("\n".join(problems))
    return bank


def load_topics(name: str) -> TopicBank:
    """`sample_data/topics/<name>.json`, checked."""
    return topic_bank(name, load_data(f"topics/{name}"))


CHAT = load_topics("chat")  # the Simplified-Chinese shops (JSONL) and the CSV shop
CHAT_TW = load_topics("chat_tw")  # the Taiwan shop
CALL = load_topics("call")  # the call centre
