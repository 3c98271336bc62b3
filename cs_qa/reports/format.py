"""How reports write values: missing values, scores, rates, durations, targets, titles,
periods and packs, the same in the terminal, on printable pages and in `cs-qa rules diff`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cs_qa.packs.targets import Target
from cs_qa.reports.i18n import t

MISSING = "—"


def format_offset(seconds: float | None) -> str:
    """Seconds from the start of a conversation as mm:ss (minutes may exceed 59)."""
    if seconds is None or pd.isna(seconds):
        return MISSING
    total = max(0, int(seconds))
    return f"{total // 60:02d}:{total % 60:02d}"


def rule_title(title: str, title_en: str, lang: str) -> str:
    """A rule's title in `lang` (the Chinese title when the pack gives no English one)."""
    return title_en if lang == "en" and title_en else title


def fmt_score(value: float) -> str:
    """A score with one decimal, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value:.1f}"


def fmt_rate(value: float) -> str:
    """A 0..1 rate as a percentage with one decimal, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value * 100:.1f}%"


def fmt_seconds(value: float, lang: str) -> str:
    """Seconds with one decimal and the unit, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value:.1f}{t('seconds', lang)}"


def fmt_goal(key: str, goal: float, lang: str) -> str:
    """A target as read: "≥ 90" for a score, "≥ 95%" for a pass rate, "≤ 20秒" for the
    first-response P90 and "≤ 10%" for a rule's violation rate (any other key)."""
    if key == "score":
        return f"{t('at_least', lang)} {goal:g}"
    if key == "pass_rate":
        return f"{t('at_least', lang)} {goal * 100:g}%"
    if key == "first_response_p90":
        return f"{t('at_most', lang)} {goal:g}{t('seconds', lang)}"
    return f"{t('at_most', lang)} {goal * 100:g}%"


def target_label(target: Target | None, lang: str) -> str:
    """Which targets apply: the team's or a new-agent ramp step's."""
    if target is None:
        return t("no_targets", lang)
    if target.label.startswith("new:"):
        return t("new_agent_target", lang).format(n=target.label.split(":", 1)[1])
    return t("team_target", lang)


def period_label(first: str | None, last: str | None) -> str:
    """ "first – last", one day alone, or "—"."""
    if first is None:
        return MISSING
    return first if first == last else f"{first} – {last}"


def pack_label(pack: dict[str, Any]) -> str:
    """The pack's title, name and version."""
    parts = [str(pack.get(k)) for k in ("title", "name", "version") if pack.get(k)]
    return " ".join(parts) or MISSING


def agent_label(agent_id: str, name: str) -> str:
    """An agent's id followed by their name from the roster, when known."""
    return f"{agent_id} {name}" if name else agent_id


def fmt_signed(value: float, fmt: str, unit: str = "") -> str:
    """A difference with its sign ("+1.5") in format `fmt` with `unit`, "—" when missing."""
    if pd.isna(value):
        return MISSING
    return f"{value:+{fmt}}{unit}"


def fmt_ratio(value: float) -> str:
    """A ratio (violations per conversation) with two decimals, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value:.2f}"


def fmt_deduct(value: float) -> str:
    """A deduction as "-5", "—" when there is none."""
    return MISSING if pd.isna(value) or value == 0 else f"-{value:g}"
