"""Render HTML pages in headless Chromium (PNG screenshot, PDF print) and read the results.

Used by tests/test_render_browser.py and to make the README's screenshot:

    .venv/bin/python tests/browser.py out/agent-A1011.html docs/scorecard.png

Needs Debian's `chromium` (and poppler-utils for the PDF checks); `find_chromium()` is
None without it. `read_png` is a small PNG decoder (8-bit RGB/RGBA/grey, all five row
filters) so that tests can look at pixels without Pillow.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

A4_WINDOW = (1240, 1754)  # A4 at 150 dpi
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """The Chromium binary on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class Job:
    """One Chromium run: `html` to `out` (.png screenshot or .pdf print)."""

    html: Path
    out: Path
    window: tuple[int, int] = A4_WINDOW
    scale: float = 1.0  # device scale factor (screenshots only)


def _command(chromium: str, job: Job, profile: str) -> list[str]:
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}"]
    if job.out.suffix == ".pdf":
        cmd += [f"--print-to-pdf={job.out}", "--no-pdf-header-footer"]
    else:
        width, height = job.window
        cmd += [f"--screenshot={job.out}", f"--window-size={width},{height}"]
        if job.scale != 1.0:
            cmd.append(f"--force-device-scale-factor={job.scale}")
    cmd.append(job.html.resolve().as_uri())
    return cmd


def render(jobs: list[Job], chromium: str | None = None, timeout: float = 60) -> None:
    """Run every job at once (one Chromium each, each with a fresh profile directory) and
    raise RuntimeError naming the job when one fails or writes nothing."""
    binary = chromium or find_chromium()
    if binary is None:
        raise RuntimeError("chromium not found")
    with tempfile.TemporaryDirectory(prefix="cs-qa-chromium-") as tmp:
        running = []
        for n, job in enumerate(jobs):
            job.out.unlink(missing_ok=True)
            profile = Path(tmp) / f"profile-{n}"
            proc = subprocess.Popen(
                _command(binary, job, str(profile)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            running.append((job, proc))
        for job, proc in running:
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise RuntimeError(f"chromium timed out rendering {job.html}") from None
            if proc.returncode != 0 or not job.out.is_file() or job.out.stat().st_size == 0:
                tail = output.decode("utf-8", "replace")[-2000:]
                raise RuntimeError(
                    f"chromium failed on {job.html} -> {job.out} (exit {proc.returncode}):\n{tail}"
                )


# ---------------------------------------------------------------------------- PNG reading

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> channels (8-bit, no palette)


def read_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA) to an array of
    shape (height, width, channels), undoing all five row filters.

    The filters are undone along anti-diagonals (a pixel needs its left, upper and
    upper-left neighbours, all on earlier diagonals), so each step is one numpy operation
    over up to `height` pixels: a full A4 screenshot decodes in well under a second.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat = 8, []
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in _CHANNELS or interlace:
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
            channels = _CHANNELS[colour]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if not width or not idat:
        raise ValueError("PNG without IHDR or IDAT")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = 1 + width * channels
    if raw.size != height * stride:
        raise ValueError(f"PNG data is {raw.size} bytes, expected {height * stride}")
    rows = raw.reshape(height, stride)
    kinds = rows[:, 0].astype(np.int16)
    if kinds.max() > 4:
        raise ValueError("PNG with an unknown row filter")
    filtered = rows[:, 1:].reshape(height, width, channels).astype(np.int16)
    # one row and one column of zeros above and left of the image
    out = np.zeros((height + 1, width + 1, channels), dtype=np.int16)
    if kinds.max() <= 2:  # None / Sub / Up only: row by row, vectorised along the row
        for r in range(height):
            line = filtered[r]
            if kinds[r] == 1:
                line = np.cumsum(line, axis=0)
            elif kinds[r] == 2:
                line = line + out[r, 1:]
            out[r + 1, 1:] = line % 256
        return out[1:, 1:].astype(np.uint8)
    for k in range(height + width - 1):
        r = np.arange(max(0, k - width + 1), min(height - 1, k) + 1)
        c = k - r
        a = out[r + 1, c]  # left
        b = out[r, c + 1]  # up
        ul = out[r, c]  # upper left
        kind = kinds[r][:, None]
        p = a + b - ul
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - ul)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, ul))
        predictor = np.select(
            [kind == 0, kind == 1, kind == 2, kind == 3], [0, a, b, (a + b) // 2], paeth
        )
        out[r + 1, c + 1] = (filtered[r, c] + predictor) % 256
    return out[1:, 1:].astype(np.uint8)


def main(argv: list[str]) -> int:
    """`browser.py PAGE.html OUT.png [WIDTH]`: a screenshot of the page's first screen,
    the A4 column filling WIDTH pixels (1240 by default)."""
    if len(argv) not in (2, 3):
        print(main.__doc__, file=sys.stderr)
        return 2
    html, out = Path(argv[0]), Path(argv[1])
    width = int(argv[2]) if len(argv) == 3 else A4_WINDOW[0]
    # The page's column is 186 mm (~703 CSS px) plus margins: a 780 px window scaled up
    # to `width` pixels gives a sharp image of the printed column.
    css_width = 780
    scale = width / css_width
    render([Job(html, out, window=(css_width, round(css_width * 297 / 210)), scale=scale)])
    print(f"{out}: {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
