"""The printable pages in a real browser: headless Chromium prints the agent and team
pages of the sample week to PDF (A4) and takes A4-sized screenshots; poppler reads the
PDFs back.

Skips when chromium or poppler-utils are missing, except in CI (CI=true), where a
missing tool fails: `.ci/run` installs chromium, fonts-noto-cjk and poppler-utils.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from browser import A4_WINDOW, Job, find_chromium, read_png, render
from conftest import ROOT

from cs_qa.dataset.reader import load_dataset
from cs_qa.packs.targets import parse_roster
from cs_qa.reports.html_charts import AGENT_COLOUR
from cs_qa.reports.html_scorecard import scorecard_html
from cs_qa.reports.html_team import team_html
from cs_qa.reports.scorecard import agent_scorecard
from cs_qa.reports.team import team_summary

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
INSTALL = "apt-get install chromium fonts-noto-cjk poppler-utils"
AGENT = "A1011"
MAX_AGENT_PAGES = 4  # one agent's scorecard must stay a short printout
MAX_TEAM_PAGES = 6
A4_POINTS = (595, 842)


def _require(tool: str, path: str | None) -> str:
    """The tool's path; skip (fail in CI) with the reason when it is missing."""
    if path:
        return path
    reason = f"{tool} is not installed ({INSTALL})"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    """Chromium and the poppler tools; skips (fails in CI) when one is missing."""
    found = {"chromium": _require("chromium", find_chromium())}
    for name in ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm"):
        found[name] = _require(name, shutil.which(name))
    return found


@pytest.fixture(scope="module")
def rendered(tools, sample_run, tmp_path_factory) -> dict[str, Path]:
    """The sample week's team page and A1011's scorecard, each as PNG and PDF."""
    ds = load_dataset(sample_run.out)
    roster = parse_roster((ROOT / "examples" / "roster.csv").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("browser")
    pages = {
        "agent": scorecard_html(agent_scorecard(ds, AGENT, roster=roster)),
        "team": team_html(team_summary(ds, roster=roster)),
    }
    files: dict[str, Path] = {}
    jobs = []
    for name, html in pages.items():
        source = folder / f"{name}.html"
        source.write_text(html, encoding="utf-8")
        for suffix in ("png", "pdf"):
            files[f"{name}.{suffix}"] = folder / f"{name}.{suffix}"
            jobs.append(Job(source, files[f"{name}.{suffix}"]))
    render(jobs, chromium=tools["chromium"])
    return files


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


def _pdf_pages(path: Path) -> tuple[int, tuple[float, float]]:
    info = _run("pdfinfo", str(path))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size, info
    return pages, (float(size.group(1)), float(size.group(2)))


@pytest.mark.parametrize(("page", "most"), [("agent", MAX_AGENT_PAGES), ("team", MAX_TEAM_PAGES)])
def test_pdf_is_a4_and_a_few_pages(rendered, page: str, most: int) -> None:
    pages, (width, height) = _pdf_pages(rendered[f"{page}.pdf"])
    assert 1 <= pages <= most, f"{page}: {pages} pages"
    assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2


@pytest.mark.parametrize(
    ("page", "labels"),
    [
        (
            "agent",
            (
                "客服质检评分卡",
                "孙悦",
                "各类别违规",
                "首次响应时间分布",
                "每日趋势",
                "最差会话及证据",
            ),
        ),
        ("team", ("团队质检报告", "客服排名", "得分分布", "最常违反的规则", "未达标客服")),
    ],
)
def test_chinese_text_is_in_the_pdf_with_embedded_fonts(rendered, page, labels) -> None:
    text = _run("pdftotext", "-enc", "UTF-8", str(rendered[f"{page}.pdf"]), "-")
    for label in labels:
        assert label in text, label
    # Chromium embeds the CJK (CFF) font as Type 3 glyph programs, so the font has no
    # name in the PDF: check that every font is embedded, and that the page's first
    # font family is a CJK font installed on this machine (not a fallback with boxes).
    fonts = _run("pdffonts", str(rendered[f"{page}.pdf"])).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    assert all(re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", f) for f in fonts), fonts


def test_a_cjk_font_is_installed_for_the_pages() -> None:
    _require("fc-match", shutil.which("fc-match"))
    family = _run("fc-match", "-f", "%{family}", "Noto Sans CJK SC:lang=zh-cn")
    if "Noto Sans CJK" not in family:
        reason = f"no Noto Sans CJK font (fc-match gives {family!r}; {INSTALL})"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def _ink(image: np.ndarray) -> float:
    """Share of pixels that are not (near) white."""
    rgb = image[..., :3].astype(np.int16)
    return float((rgb.min(axis=2) < 200).mean())


def _near(image: np.ndarray, colour: str, tolerance: int = 40) -> int:
    """How many pixels are close to `colour` (#rrggbb)."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    rgb = image[..., :3].astype(np.int16)
    return int((np.abs(rgb - target).max(axis=2) < tolerance).sum())


@pytest.mark.parametrize("page", ["agent", "team"])
def test_screenshot_shows_text_and_charts(rendered, page: str) -> None:
    image = read_png(rendered[f"{page}.png"].read_bytes())
    assert image.shape[:2] == (A4_WINDOW[1], A4_WINDOW[0])
    ink = _ink(image)
    assert 0.02 < ink < 0.5, f"{page}: {ink:.1%} of the screenshot is ink"
    # the SVG charts drew their bars (the agent colour) and the targets (red) show
    assert _near(image, AGENT_COLOUR) > 2000, "no chart bars"
    assert _near(image, "#c81e1e") > 200, "nothing below target in red"


@pytest.mark.parametrize("page", ["agent", "team"])
def test_every_pdf_page_has_content(rendered, page: str, tmp_path: Path) -> None:
    _run("pdftoppm", "-png", "-r", "40", str(rendered[f"{page}.pdf"]), str(tmp_path / "p"))
    images = sorted(tmp_path.glob("p-*.png"))
    assert images
    for image in images:
        assert _ink(read_png(image.read_bytes())) > 0.005, image.name


# ------------------------------------------------------------------ the PNG reader itself


def _png(rows: list[tuple[int, bytes]], width: int, channels: int = 3) -> bytes:
    """A PNG from already filtered rows (filter type, bytes)."""
    colour = {1: 0, 3: 2, 4: 6}[channels]

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, len(rows), 8, colour, 0, 0, 0)
    data = b"".join(bytes([kind]) + body for kind, body in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(data))
        + chunk(b"IEND", b"")
    )


def _filter(kind: int, row: np.ndarray, prev: np.ndarray) -> bytes:
    """PNG filter `kind` applied to one row of pixels (reference implementation)."""
    flat, up = row.astype(int).ravel(), prev.astype(int).ravel()
    bpp = row.shape[1]
    out = []
    for i, x in enumerate(flat):
        a = flat[i - bpp] if i >= bpp else 0
        b = up[i]
        c = up[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = a
        elif kind == 2:
            pred = b
        elif kind == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out.append((x - pred) % 256)
    return bytes(out)


@pytest.mark.parametrize("channels", [3, 4])
def test_read_png_undoes_every_filter(channels: int) -> None:
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(10, 9, channels), dtype=np.uint8)
    kinds = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]
    rows, prev = [], np.zeros_like(image[0])
    for kind, row in zip(kinds, image, strict=True):
        rows.append((kind, _filter(kind, row, prev)))
        prev = row
    assert np.array_equal(read_png(_png(rows, 9, channels)), image)
    # rows with None/Sub/Up filters only take the row-by-row path
    simple = []
    prev = np.zeros_like(image[0])
    for kind, row in zip([k % 3 for k in kinds], image, strict=True):
        simple.append((kind, _filter(kind, row, prev)))
        prev = row
    assert np.array_equal(read_png(_png(simple, 9, channels)), image)


def test_read_png_rejects_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        read_png(b"GIF89a")
    broken = _png([(0, b"\x00" * 3)], 1)
    with pytest.raises(ValueError):
        read_png(broken.replace(b"IDAT", b"IDAX"))
