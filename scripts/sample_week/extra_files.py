"""Writing the ASR JSON, subtitle and chat-log files and their part of the README."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from .base import CALL_CENTER, DAYS, asr_plain, asr_spaced, rng_for
from .extra import ASR_DIR, LOG_DIR, LOG_FILES, SUB_DIR, TAG_DOC, ExtraItem, plan_extra
from .extra_call import Seg, build_call, call_details, time_segments
from .extra_chat import CHAT_BANK, CHAT_CUSTOMERS, Msg, build_chat, chat_details, time_chat_msgs
from .week import measure_latency

# ---- writing the files -------------------------------------------------------------------

EXTRA_NAME = re.compile(r"call-\d{8}-\d{4}\.(json|vtt|srt)")
FORMAT_NAMES = {
    "asr": "asr-json",
    "asr_alt": "asr-json (segments, bg/ed, spk)",
    "vtt": "webvtt",
    "vtt_alt": "webvtt (<v 坐席 ID>, NOTE blocks)",
    "srt": "srt",
    "srt_alt": "srt (ASCII colons)",
    "lines": "chat-log (one line per message)",
    "blocks": "chat-log (header line, then the message)",
}


def _style(text: str, style: str) -> str:
    if style == "plain":
        return asr_plain(text)
    if style == "spaced":
        return asr_spaced(text)
    return text


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3600000)
    m, rest = divmod(rest, 60000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def asr_text(item: ExtraItem, segs: list[Seg]) -> str:
    alt = item.fmt == "asr_alt"
    name, b, e, ch = (
        ("segments", "bg", "ed", "spk")
        if alt
        else ("sentences", "begin_time", "end_time", "channel_id")
    )
    head = {
        "call_id": item.conversation_id,
        "agent_id": item.agent,
        "started_at": item.start.isoformat(),
    }
    rows = [
        json.dumps(
            {b: s.begin, e: s.end, ch: 0 if s.who == "agent" else 1, "text": s.text},
            ensure_ascii=False,
        )
        for s in segs
    ]
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + f',\n "{name}": [\n  '
        + ",\n  ".join(rows)
        + "]}\n"
    )


def vtt_text(item: ExtraItem, segs: list[Seg]) -> str:
    alt = item.fmt == "vtt_alt"
    notes = [f"NOTE agent_id: {item.agent}", f"NOTE started_at: {item.start.isoformat()}"]
    out = ["WEBVTT", "", *"\n\n".join(notes).split("\n")] if alt else ["WEBVTT", *notes]
    for s in segs:
        if s.who == "agent":
            voice = f"坐席 {item.agent}" if alt else "客服"
        else:
            voice = "顾客" if alt else "客户"
        out += ["", f"{_clock(s.begin, '.')} --> {_clock(s.end, '.')}", f"<v {voice}>{s.text}"]
    return "\n".join(out) + "\n"


def srt_text(item: ExtraItem, segs: list[Seg]) -> str:
    colon = ":" if item.fmt == "srt_alt" else "："
    out = [
        "1",
        f"{_clock(0, ',')} --> {_clock(0, ',')}",
        f"NOTE started_at: {item.start.isoformat()}",
    ]
    for n, s in enumerate(segs, start=2):
        who = f"客服({item.agent})" if s.who == "agent" else "客户"
        out += [
            "",
            str(n),
            f"{_clock(s.begin, ',')} --> {_clock(s.end, ',')}",
            f"{who}{colon}{s.text}",
        ]
    return "\n".join(out) + "\n"


def chatlog_text(fmt: str, chats: list[tuple[ExtraItem, list[Msg], str]]) -> str:
    out = []
    for item, msgs, customer in chats:
        out.append(f"=== 会话 {item.conversation_id} ===")
        for m in msgs:
            name = {"agent": f"客服{item.agent}", "customer": customer, "system": "系统"}[m.who]
            stamp = m.at.strftime("%Y-%m-%d %H:%M:%S")
            if fmt == "lines":
                out.append(f"{stamp} {name}: {m.text}")
            else:
                out += [f"{name} {stamp}", m.text]
    return "\n".join(out) + "\n"


def _dedupe(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def write_extra(out: Path, seed: int, convs: list[dict]) -> tuple[list[dict], dict]:
    """Write asr/, subtitles/ and chatlogs/; return their label rows and a summary."""
    calls, chats = plan_extra(seed, convs)
    for sub in (ASR_DIR, SUB_DIR, LOG_DIR):
        folder = out / sub
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # files a previous run wrote (never anything else)
            if EXTRA_NAME.fullmatch(old.name) or old.name in LOG_FILES.values():
                old.unlink()
    rows: list[dict] = []
    written: list[str] = []
    for item in sorted(calls, key=lambda i: i.conversation_id):
        r = rng_for(seed, "extra", "call", item.conversation_id)
        segs, tags = build_call(item, r)
        time_segments(segs, r)
        style = (
            r.choice(["plain", "plain", "spaced"])
            if item.fmt.startswith("asr")
            else r.choice(["punct", "punct", "plain"])
        )
        for s in segs:
            s.text = _style(s.text, style)
        details = call_details(segs)
        segs.sort(key=lambda s: s.begin)
        if item.fmt.startswith("asr"):
            rel, text = f"{ASR_DIR}/{item.conversation_id}.json", asr_text(item, segs)
        elif item.fmt.startswith("vtt"):
            rel, text = f"{SUB_DIR}/{item.conversation_id}.vtt", vtt_text(item, segs)
        else:
            rel, text = f"{SUB_DIR}/{item.conversation_id}.srt", srt_text(item, segs)
        with open(out / rel, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(rel)
        rows.append(
            {
                "conversation_id": item.conversation_id,
                "file": rel,
                "format": FORMAT_NAMES[item.fmt],
                "agent_id": item.agent,
                "day": DAYS[item.day_index].isoformat(),
                "started_at": item.start.isoformat(),
                "channel": "call",
                "script": "simplified",
                "topic": item.topic,
                "shop": CALL_CENTER,
                "transfer_to": None,
                "asr_style": style,
                "n_turns": len(segs),
                "duration_s": round(max(s.end for s in segs) / 1000, 1),
                "first_response_s": None,
                "max_later_response_s": None,
                "planted": _dedupe(tags),
                "details": details,
            }
        )
    customers = list(CHAT_CUSTOMERS)
    rng_for(seed, "extra", "customers").shuffle(customers)
    by_file: dict[str, list[tuple[ExtraItem, list[Msg], str]]] = {"lines": [], "blocks": []}
    for n, item in enumerate(sorted(chats, key=lambda i: i.start)):
        r = rng_for(seed, "extra", "chat", item.conversation_id)
        msgs, tags = build_chat(item, r)
        time_chat_msgs(item, msgs, r)
        by_file[item.fmt].append((item, msgs, customers[n % len(customers)]))
        turns = [{"speaker": m.who, "at": m.at} for m in msgs]
        first, slowest = measure_latency(turns, "chat")
        if first is not None and first > 20:
            tags.append("slow_first")
        if slowest is not None and slowest > 30:
            tags.append("slow_later")
        rows.append(
            {
                "conversation_id": item.conversation_id,
                "file": f"{LOG_DIR}/{LOG_FILES[item.fmt]}",
                "format": FORMAT_NAMES[item.fmt],
                "agent_id": f"客服{item.agent}",
                "team_agent_id": item.agent,
                "day": DAYS[item.day_index].isoformat(),
                "started_at": item.start.isoformat(),
                "channel": "chat",
                "script": "simplified",
                "topic": item.topic,
                "shop": CHAT_BANK[item.topic]["shop"],
                "transfer_to": None,
                "asr_style": None,
                "n_turns": len(msgs),
                "first_response_s": first,
                "max_later_response_s": slowest,
                "planted": _dedupe(tags),
                "details": chat_details(msgs),
            }
        )
    for fmt, name in LOG_FILES.items():
        with open(out / LOG_DIR / name, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(chatlog_text(fmt, by_file[fmt]))
        written.append(f"{LOG_DIR}/{name}")
    rows.sort(key=lambda row: (row["channel"], row["conversation_id"]))
    return rows, {"files": written, "calls": calls, "chats": chats}


def extra_readme(rows: list[dict]) -> dict[str, str]:
    """The README parts that list what the new formats hold (from the label rows)."""
    calls = [row for row in rows if row["channel"] == "call"]
    chats = [row for row in rows if row["channel"] == "chat"]
    n_fmt = {
        k: sum(1 for row in calls if row["format"].startswith(k)) for k in ("asr", "webvtt", "srt")
    }
    alt = {
        k: ", ".join(row["conversation_id"] for row in calls if row["format"] == FORMAT_NAMES[k])
        for k in ("asr_alt", "vtt_alt", "srt_alt")
    }
    durations = [row["duration_s"] for row in calls]
    sizes = [row["n_turns"] for row in calls]
    team = sorted({row.get("team_agent_id") or row["agent_id"] for row in rows})
    counts = (
        f"- `asr/`, `subtitles/`, `chatlogs/`: {len(calls)} calls ({n_fmt['asr']} "
        f"speech-recognition JSON, {n_fmt['webvtt']} WebVTT, {n_fmt['srt']} SRT; "
        f"{min(sizes)}-{max(sizes)} segments, "
        f"{min(durations) / 60:.1f}-{max(durations) / 60:.1f} minutes) and {len(chats)} chats in "
        f"{len(LOG_FILES)} chat logs, {sum(row['n_turns'] for row in rows)} turns, agents "
        f"{', '.join(team)}."
    )
    table = ["| tag | what | where |", "| --- | --- | --- |"]
    for tag, what in TAG_DOC:
        where = [row for row in rows if tag in row["planted"]]
        if not where:
            continue
        ids = ", ".join(
            f"{row['conversation_id']} ({row.get('team_agent_id') or row['agent_id']})"
            for row in where
        )
        table.append(f"| `{tag}` | {what} | {len(where)}: {ids} |")
    bad = {
        "hold_over_30s",
        "hold_no_apology",
        "silence_over_10s",
        "interruption",
        "fast_speech",
        "short_reply",
        "repetition",
        "unauthorised_promise",
        "complaint_no_empathy",
        "abuse_script:missing_civil",
        "abuse_script:missing_recording",
        "abuse_script:missing_close",
        "abuse_script:out_of_order",
    }
    per_agent: dict[str, int] = {}
    for row in rows:
        agent = row.get("team_agent_id") or row["agent_id"]
        per_agent[agent] = per_agent.get(agent, 0) + sum(1 for tag in row["planted"] if tag in bad)
    spread = ", ".join(
        f"{a} {n}" for a, n in sorted(per_agent.items(), key=lambda x: (-x[1], x[0]))
    )
    mapping = ", ".join(f"客服{a}: {a}" for a in sorted({row["team_agent_id"] for row in chats}))
    return {
        "{extra_counts}": textwrap.fill(counts, width=92, subsequent_indent="  "),
        "{asr_alt}": alt["asr_alt"],
        "{vtt_alt}": alt["vtt_alt"],
        "{srt_alt}": alt["srt_alt"],
        "{lines_file}": LOG_FILES["lines"],
        "{blocks_file}": LOG_FILES["blocks"],
        "{mapping}": mapping,
        "{planted_table}": "\n".join(table),
        "{spread}": textwrap.fill(
            f"Planted faults per agent (calls and chats; passes and measured latency not "
            f"counted): {spread}.",
            width=92,
        ),
    }
