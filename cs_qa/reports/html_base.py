"""The shell every printable page shares: one self-contained HTML document with inline
CSS laid out for A4, no scripts, no network. Pages put their content in `page()`."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cs_qa.reports.i18n import t

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { font-size: 10.5pt; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; color: #1f2933; margin: 0;
       line-height: 1.45; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 186mm; margin: 0 auto; padding: 6mm 0; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 .5rem; border-bottom: 2px solid #d9e2ec;
     padding-bottom: .2rem; break-after: avoid; }
.sub { color: #52606d; margin: 0 0 .8rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; }
th, td { border-bottom: 1px solid #e4e7eb; padding: .25rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.good { color: #0e7c3a; } .bad { color: #c81e1e; font-weight: 600; } .muted { color: #7b8794; }
.row-bad td { background: #fff1f1; }
.tiles { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1rem; }
.tile { flex: 1 1 28mm; border: 1px solid #d9e2ec; border-radius: 6px; padding: .4rem .6rem; }
.tile .label { color: #52606d; font-size: .85rem; }
.tile .value { font-size: 1.5rem; font-weight: 700; }
.tile .target { font-size: .8rem; color: #52606d; }
.warn { background: #c81e1e; color: #fff; padding: .4rem .6rem; border-radius: 4px;
        font-weight: 700; margin: .4rem 0; }
.quote { border-left: 3px solid #f0b429; background: #fffbea; padding: .3rem .5rem;
         margin: .2rem 0 .6rem; break-inside: avoid; }
mark { background: #ffe08a; padding: 0 .1em; }
svg { display: block; max-width: 100%; }
.chart { break-inside: avoid; margin: .3rem 0 .8rem; }
table.kv { width: auto; margin: 0 0 .6rem; }
table.kv th { background: none; padding-right: 1.2rem; white-space: nowrap; }
table.kv td, table.kv th { border: 0; padding: .1rem .4rem .1rem 0; }
table.meta td { padding-right: 2.2rem; }
table.data { font-size: .9rem; }
table.data th, .nowrap { white-space: nowrap; }
h3 { font-size: 1rem; margin: .8rem 0 .2rem; break-after: avoid; }
.conv { break-inside: avoid; }
.note { color: #52606d; font-size: .85rem; margin: .1rem 0 .6rem; }
.tile.bad-tile { border-color: #c81e1e; background: #fff7f7; }
svg text { font-family: inherit; }
footer { color: #7b8794; font-size: .8rem; margin-top: 1.5rem; border-top: 1px solid #e4e7eb;
         padding-top: .3rem; }
/* cs-qa show: one conversation, turn by turn */
table.kv { width: auto; } table.kv th { background: none; padding-right: 1.2rem; }
table.transcript td.speaker { white-space: nowrap; font-weight: 600; }
tr.spk-agent td.speaker { color: #1f5f99; } tr.spk-customer td.speaker { color: #2f7d32; }
tr.spk-system td.speaker, tr.spk-system td .text { color: #7b8794; }
tr.spk-agent td { background: #f5f9ff; } tr.turn.row-bad td { background: #fff1f1; }
.finding { font-size: .9rem; color: #8a5a00; margin: .15rem 0 0 .8rem; }
.finding.fatal { color: #c81e1e; font-weight: 600; } .finding.flag { color: #7a3e9d; }
.finding.overruled { color: #6b7280; text-decoration: line-through; }
"""


def esc(value: object) -> str:
    """Text for HTML (quotes too, so it is safe in attributes)."""
    return escape("" if value is None else str(value), quote=True)


def masking_banner(masked: bool, lang: str) -> str:
    """Nothing when the data is masked; a red banner when it was scored with --no-mask."""
    return "" if masked else f'<div class="warn">{esc(t("not_masked", lang))}</div>'


def page(title: str, body: str, *, lang: str = "zh", masked: bool = True, footer: str = "") -> str:
    """A whole HTML document: `body` is trusted HTML built by the caller with `esc()`."""
    html_lang = "zh-CN" if lang == "zh" else "en"
    foot = f"<footer>{footer}</footer>" if footer else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{masking_banner(masked, lang)}{body}{foot}\n</main>\n</body>\n</html>\n"
    )


def unevaluated_html(rules: Sequence[tuple[str, str, int, str]], lang: str) -> list[str]:
    """Rules that could not be evaluated, as (id, title in `lang`, conversations, error):
    a heading and a list, or nothing when there are none."""
    if not rules:
        return []
    items = "".join(
        f"<li>{esc(rule_id)} {esc(title)}: "
        f"{esc(t('unevaluated_on', lang).format(n=n))} <small>({esc(error)})</small></li>"
        for rule_id, title, n, error in rules
    )
    return [f"<h2>{esc(t('unevaluated_rules', lang))}</h2>", f"<ul>{items}</ul>"]
