"""Masking of personal data in stored and printed text (DESIGN.md, "Personal data").

What is masked, keeping the shape readable:
- mainland mobile numbers, also grouped (138 1234 5678) or with +86 / 0086: 138****5678
- landlines with an area code (010-12345678, 0755 1234567, (021)12345678): 010-****5678
- 18-digit ID cards (last character may be X) and 15-digit old ones: 1101**********123X
- bank cards, 16 to 19 digits, possibly grouped by spaces or dashes: ****1234
- e-mail addresses: z***@example.com
Full-width digits (０-９) count as digits; kept digits keep their original form.

Deliberately not masked:
- 400/800 hotlines (400-123-4567): they are companies' public numbers, and QA wants to
  see that the agent gave the right one. They never match the patterns above because
  mainland landlines start with 0 and mobiles with 1.
- numbers inside longer digit runs: every pattern needs a non-digit on both sides, so an
  order number never loses a phone-shaped slice from its middle.
- short numbers, prices (￥299.00), dates and times (2026-11-21 09:00), JD placeholders
  such as [数字x].
Any other 16-19 digit number (e.g. an 18-19 digit Taobao order number) is masked as a
card: without a checksum the two cannot be told apart, and masking is the safe side.
"""

from __future__ import annotations

import re

# Full-width digits and signs -> ASCII, one character for one, so that positions in the
# translated text are positions in the original.
_HALF = str.maketrans("０１２３４５６７８９＋－（）＠．\u3000", "0123456789+-()@. ")

_ID18 = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_ID15 = r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_CARD = r"\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?"
_MOBILE = r"(?:(?:\+|00)86[ -]?)?(?P<mobile_number>1[3-9]\d(?:[ -]?\d{4}){2})"
# The leading 0 of the area code keeps dates, prices and 400/800 hotlines out.
_LANDLINE = r"\(?0[1-9]\d{1,2}\)?[ -]?(?P<landline_number>[1-9]\d{6,7})"
_EMAIL = r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"

# One pass over the text. Longer shapes come first so that an 18-digit ID is not read as
# a card; the digit lookarounds stop partial matches inside longer digit runs (and make
# the engine fall through to the next alternative when a shape is too short or too long).
_PATTERN = re.compile(
    rf"(?=[\d+(])(?<!\d)(?:(?P<id18>{_ID18})|(?P<card>{_CARD})|(?P<id15>{_ID15})"
    rf"|(?P<mobile>{_MOBILE})|(?P<landline>{_LANDLINE}))(?!\d)"
    rf"|(?P<email>{_EMAIL})",
    re.ASCII,
)
# Cheap pre-checks: five digits anywhere (the shortest shape has more), and whether any
# full-width character needs translating at all (str.translate is slow on CJK text).
_FIVE_DIGITS = re.compile(r"[0-9０-９](?:[^0-9０-９]*[0-9０-９]){4}")
_FULL_WIDTH = re.compile("[０-９＋－（）＠．\u3000]")


def _star_digits(original: str, half: str, keep: set[int]) -> str:
    """Replace the digits of `original` by '*' except those whose digit index is in `keep`
    (negative indices count from the end); separators stay."""
    n = sum(c.isdigit() for c in half)
    out: list[str] = []
    index = 0
    for o, h in zip(original, half, strict=True):
        if h.isdigit():
            out.append(o if index in keep or index - n in keep else "*")
            index += 1
        else:
            out.append(o)
    return "".join(out)


# ID cards show their first four and last four characters; the last one (the check
# character, maybe X) is handled apart, so three digits are kept before it.
_ID_KEEP = {0, 1, 2, 3, -3, -2, -1}


def _replacement(m: re.Match[str], text: str) -> str:
    start, end = m.span()
    original = text[start:end]
    half = m.string[start:end]
    kind = m.lastgroup
    if kind in ("id18", "id15"):
        # The X check character is not a digit; keep it like the last digits.
        return _star_digits(original[:-1], half[:-1], _ID_KEEP) + original[-1]
    if kind == "card":
        last4 = [o for o, h in zip(original, half, strict=True) if h.isdigit()][-4:]
        return "****" + "".join(last4)
    if kind == "email":
        local, _, domain = original.partition("@")
        if local == original:  # full-width ＠
            local, _, domain = original.partition("＠")
        return f"{local[0]}***@{domain}"
    group = "mobile_number" if kind == "mobile" else "landline_number"
    g_start, g_end = m.span(group)
    keep = {0, 1, 2, -4, -3, -2, -1} if kind == "mobile" else {-4, -3, -2, -1}
    masked = _star_digits(text[g_start:g_end], m.string[g_start:g_end], keep)
    return text[start:g_start] + masked + text[g_end:end]


def mask(text: str) -> str:
    """Mask phone, ID-card, bank-card numbers and e-mail addresses in `text`."""
    # Most turns hold no personal data: skip them before any translation or regex pass.
    if "@" not in text and "＠" not in text and _FIVE_DIGITS.search(text) is None:
        return text
    half = text.translate(_HALF) if _FULL_WIDTH.search(text) else text
    pieces: list[str] = []
    last = 0
    for m in _PATTERN.finditer(half):
        pieces.append(text[last : m.start()])
        pieces.append(_replacement(m, text))
        last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
