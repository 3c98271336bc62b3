"""One agent's printable scorecard (`cs-qa report --agent --html`): `scorecard_html`
turns a `Scorecard` into one self-contained HTML document (inline CSS from `html_base`,
inline SVG charts, no script, no network), laid out for A4. Every text from the dataset
goes through `esc()`; the page prints only what the dataset stores (evidence is masked
unless the run was scored with --no-mask, and then `html_base.page` puts a red banner on
top)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cs_qa.reports.format import (
    MISSING,
    agent_label,
    fmt_rate,
    fmt_ratio,
    fmt_score,
    fmt_seconds,
    pack_label,
    period_label,
    rule_title,
    target_label,
)
from cs_qa.reports.html_base import esc, page
from cs_qa.reports.html_charts import (
    Marker,
    chart_number,
    nice_step,
    svg_category_bars,
    svg_histogram,
)
from cs_qa.reports.html_parts import (
    ROW_BAD,
    goal_line,
    headline_tiles,
    kv_table,
    page_footer,
    rule_target_cell,
    tile,
    trend_section,
    unevaluated_section,
)
from cs_qa.reports.i18n import t
from cs_qa.reports.records import (
    CategoryRow,
    Evidence,
    Scorecard,
    ScorecardRule,
    goal_of,
    missed_targets,
    worse_than_team,
)


def scorecard_html(card: Scorecard, lang: str = "zh") -> str:
    """One agent's printable scorecard as a whole HTML document."""
    me, target = card.agent, card.target
    title = f"{t('scorecard', lang)} · {agent_label(card.agent_id, card.name)}"
    missed = missed_targets(target, me)
    verdict = ""
    if target is not None and me.conversations:
        verdict = (
            f' <span class="bad">✗ {esc(t("target_missed", lang))}</span>'
            if missed
            else f' <span class="good">✓ {esc(t("target_met", lang))}</span>'
        )
    pairs: list[tuple[str, str]] = [(t("agent", lang), esc(card.agent_id))]
    if card.name:
        pairs.append((t("name", lang), esc(card.name)))
    if card.team_name:
        pairs.append((t("group", lang), esc(card.team_name)))
    if card.hired_on is not None:
        hired = card.hired_on.isoformat()
        if card.tenure_day is not None:
            days = t("tenure_day", lang).format(n=card.tenure_day)
            hired += f"（{days}）" if lang == "zh" else f" ({days})"
        pairs.append((t("hired_on", lang), esc(hired)))
    pairs += [
        (t("period", lang), esc(period_label(card.first_day, card.last_day))),
        (t("conversations", lang), str(me.conversations)),
        (t("pack", lang), esc(pack_label(card.pack))),
        (t("pass_mark", lang), f"{card.pass_mark:g} / {card.base:g}"),
        (t("targets", lang), esc(target_label(target, lang)) + verdict),
    ]
    body = [f"<h1>{esc(title)}</h1>", kv_table(pairs)]

    tiles = headline_tiles(me, target, lang, team=card.team)
    tiles.append(
        tile(
            t("conversations", lang),
            str(me.conversations),
            lines=[f"{esc(t('min_score', lang))} {esc(fmt_score(me.min_score))}"],
        )
    )
    tiles.append(
        tile(
            t("fatal", lang),
            str(me.fatal_count),
            False if me.fatal_count else None,
            [f"{esc(t('flagged', lang))} {me.flagged_count}"],
        )
    )
    body.append(f'<div class="tiles">{"".join(tiles)}</div>')

    body.append(f"<h2>{esc(t('by_category', lang))}</h2>")
    body.append(_categories(card.categories, lang))
    body.append(f"<h2>{esc(t('rules_detail', lang))}</h2>")
    body.append(_scorecard_rules(card.rules, lang))
    body.append(f"<h2>{esc(t('response_distribution', lang))}</h2>")
    body.append(_response_chart(card, lang))
    body.append(f"<h2>{esc(t('trend', lang))}</h2>")
    body.append(trend_section(card.trend, lang, f"{t('trend', lang)} · {card.agent_id}"))
    body.append(f"<h2>{esc(t('worst_conversations', lang))}</h2>")
    body.append(_evidence(card.evidence, card.pass_mark, lang))
    body.extend(unevaluated_section(card.unevaluated, lang))
    if card.overruled:
        body.append(f"<h2>{esc(t('overruled', lang))}</h2>")
        body.extend(
            f'<div class="quote"><strong>{esc(o.conversation_id)} · '
            f"{esc(rule_title(o.rule_title, o.rule_title_en, lang))}</strong> "
            f'<span class="muted">{esc(t("dispute_reason", lang))}: {esc(o.reason)}</span>'
            f"<br><s>「{esc(o.evidence or MISSING)}」</s></div>"
            for o in card.overruled
        )
    return page(
        title,
        "\n".join(body),
        lang=lang,
        masked=card.masked,
        footer=page_footer(card.pack, card.masked, lang),
    )


def _categories(rows: Sequence[CategoryRow], lang: str) -> str:
    if not rows:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    chart = svg_category_bars(rows, label=t("by_category", lang), lang=lang)
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in (
            "violations",
            "violation_rate",
            "team_rate",
            "per_conversation",
            "team_per_conversation",
        )
    )
    body = []
    for row in rows:
        worse = worse_than_team(row.per_conversation, row.team_per_conversation)
        body.append(
            f"<tr><td>{esc(row.category or MISSING)}</td>"
            f'<td class="num">{row.violations}</td>'
            f'<td class="num">{esc(fmt_rate(row.rate))}</td>'
            f'<td class="num">{esc(fmt_rate(row.team_rate))}</td>'
            f'<td class="num{" bad" if worse else ""}">{fmt_ratio(row.per_conversation)}</td>'
            f'<td class="num">{fmt_ratio(row.team_per_conversation)}</td></tr>'
        )
    return (
        f'<div class="chart">{chart}</div>'
        f'<table class="data categories"><thead><tr><th>{esc(t("category", lang))}</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _scorecard_rules(rules: Sequence[ScorecardRule], lang: str) -> str:
    if not rules:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in ("applicable", "violations", "violation_rate", "team_rate", "target")
    )
    body = []
    for rule in rules:
        goal_cell, missed = rule_target_cell(rule.rate, rule.target, lang)
        worse = worse_than_team(rule.rate, rule.team_rate)
        body.append(
            f"<tr{ROW_BAD if missed else ''}>"
            f"<td>{esc(rule_title(rule.title, rule.title_en, lang))} "
            f'<span class="muted">{esc(rule.rule_id)}</span></td>'
            f"<td>{esc(rule.category or MISSING)}</td>"
            f'<td class="num">{rule.applicable}</td><td class="num">{rule.violations}</td>'
            f'<td class="num{" bad" if worse or missed else ""}">{esc(fmt_rate(rule.rate))}</td>'
            f'<td class="num">{esc(fmt_rate(rule.team_rate))}</td>'
            f'<td class="num">{goal_cell}</td></tr>'
        )
    return (
        f'<table class="data rules"><thead><tr><th>{esc(t("rule", lang))}</th>'
        f"<th>{esc(t('category', lang))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _response_chart(card: Scorecard, lang: str) -> str:
    values = [v for v in card.first_responses if not math.isnan(v)]
    if not values:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    goal = goal_of(card.target, "first_response_p90")
    p90 = card.agent.first_response_p90
    span = max([*values, goal or 0.0, 0 if math.isnan(p90) else p90]) * 1.05
    step = nice_step(span)
    edges = [step * i for i in range(math.ceil(span / step) + 1)]
    if len(edges) < 2:
        edges = [0.0, step]
    markers = [
        Marker(
            p90,
            f"{t('agent_p90', lang)} {chart_number(round(p90, 1))}",
            target=False,
            colour="#1f2933",
        )
    ]
    if goal is not None:
        markers.append(Marker(goal, f"{t('p90_target', lang)} {chart_number(goal)}"))
    seconds = t("seconds", lang)
    chart = svg_histogram(
        values,
        edges,
        label=t("response_distribution", lang),
        x_label=f"{t('first_response', lang)} ({seconds})",
        y_label=t("count", lang),
        markers=markers,
    )
    note = (
        f"n = {len(values)} · P50 {esc(fmt_seconds(card.agent.first_response_p50, lang))}"
        f" · P90 {esc(fmt_seconds(p90, lang))}"
    )
    line = goal_line(card.target, "first_response_p90", p90, lang)
    if line:
        note += f" · {line}"
    return f'<div class="chart">{chart}</div><p class="note">{note}</p>'


def _evidence(quotes: Sequence[Evidence], pass_mark: float, lang: str) -> str:
    if not quotes:
        return f'<p class="note">{esc(t("no_violations", lang))}</p>'
    blocks: list[str] = []
    current: str | None = None
    for q in quotes:
        key = f"{q.conversation_id}\0{q.day}"
        if key != current:
            if current is not None:
                blocks.append("</div>")
            current = key
            below = not math.isnan(q.score) and q.score < pass_mark
            blocks.append(
                f'<div class="conv"><h3>{esc(t("conversation", lang))} '
                f"{esc(q.conversation_id)} · {esc(q.started or q.day or MISSING)} · "
                f'{esc(t("score", lang))} <span class="{"bad" if below else ""}">'
                f"{esc(fmt_score(q.score))}</span></h3>"
            )
        deduct = (
            t("fatal", lang)
            if q.fatal
            else (f"-{q.deduct:g}" if not math.isnan(q.deduct) and q.deduct else "")
        )
        matched = f" · {esc(t('matched', lang))}: {esc(q.matched)}" if q.matched else ""
        blocks.append(
            f'<div class="quote"><strong>[{esc(q.at)}] '
            f"{esc(rule_title(q.rule_title, q.rule_title_en, lang))}</strong> "
            f'<span class="bad">{esc(deduct)}</span>'
            f'<span class="muted">{matched}</span><br>「{esc(q.evidence or MISSING)}」</div>'
        )
    blocks.append("</div>")
    return "".join(blocks)
