"""What one printed table cell says: its numbers in order, its footnote marks, and its text without them.

"86.5/89.4" → [86.5, 89.4]; "+ 1.1" → [1.1]; "- 0.8" → [-0.8]; "300K" → [300000]; "5.8 ± 0.3" → [5.8, 0.3];
"45.3%" → [45.3]; "12,345" → [12345]; "5 × 10-4" → [0.0005]; "-", "—", "N/A", "" and word cells ("Mixed")
→ [].
"""

from __future__ import annotations

import re
import unicodedata

MARKS = "†‡*§¶♣♡♠♢♦♥★☆◦∗⋆♯♮"
MARK_RUN = re.compile(f"[{re.escape(MARKS)}]+")
DASHES = frozenset({"-", "–", "—", "−", "n/a", "N/A", "NA", "--", "×", "✗"})
# a signed number, the sign possibly printed apart ("+ 1.1"), thousands grouped by commas, a K/M/B suffix
NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-+−–]\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d*\.\d+|\d+)"
    r"(?P<exp>[eE][-+−]?\d+)?(?P<suffix>[KMB](?![a-zA-Z]))?")
SPACED_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")  # "1 750 000"
SPACED_SUFFIX = re.compile(r"(\d) ?([kmKMB])$")  # "100 m", "15.7k": a count in thousands/millions
NAME_BEFORE = re.compile(r"[A-Za-z@][-−–]?$")
# "5 × 10-4" (the exponent raised, its minus read as a hyphen), "3.2×10^{-6}": a number in scientific notation
TIMES_POWER = re.compile(r"(\d*\.?\d+)\s?[×x·]\s?10\s?\^?\{?\+?([-−–]?)\s?(\d+)\}?(?![\d.])")
SCALE = {"K": 1e3, "M": 1e6, "B": 1e9}


# accents TeX sets as glyphs of their own over the letter before them ('Yoru`ba ́' is 'Yorùbá')
SPACING_ACCENTS = {"`": "\u0300", "´": "\u0301", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303", "ˇ": "\u030c"}
LOOSE_ACCENT = re.compile("([^\\W\\d_])([`´¨ˆ˜ˇ]| ?[\u0300-\u036f])")


def normalise(text: str) -> str:
    """NFKC, one space between words, the Unicode minus read as '-', the increment sign that math fonts print for
    a capital delta read as 'Δ', and accents set apart joined to their letter."""
    text = LOOSE_ACCENT.sub(lambda m: m.group(1) + SPACING_ACCENTS.get(m.group(2), m.group(2).strip()), text)
    return " ".join(unicodedata.normalize("NFKC", text).replace("−", "-").replace("∆", "Δ").split())


def split_marks(text: str) -> tuple[str, list[str]]:
    """The text without footnote marks, and the marks in order ('94.01†' → '94.01', ['†'])."""
    marks = MARK_RUN.findall(text)
    return " ".join(MARK_RUN.sub(" ", text).split()), [m for run in marks for m in run]


def cell_values(text: str) -> list[float]:
    """Every number printed in a cell, in order (see the module docstring for the grammar)."""
    clean, _ = split_marks(normalise(text))
    if clean in DASHES:
        return []
    clean = SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), clean)
    clean = SPACED_SUFFIX.sub(lambda m: m.group(1) + m.group(2).upper(), clean)
    clean = TIMES_POWER.sub(lambda m: f"{m.group(1)}e{'-' if m.group(2) else ''}{m.group(3)}", clean)
    values = []
    for m in NUMBER.finditer(clean):
        before = clean[:m.start()]
        if NAME_BEFORE.search(before):  # "R10@1", "F1", "S-2007", "BLEU-4": part of a name
            continue
        value = float(m.group("num").replace(",", "") + (m.group("exp") or "").replace("−", "-"))
        if m.group("suffix"):
            value *= SCALE[m.group("suffix")]
        sign = (m.group("sign") or "").strip()
        # a "-" after a value ("90.1 / -") or in a range ("1-5", "1K – 20K") is no sign
        if sign in "-−–" and sign and not re.search(r"[\d)%KMB]\s*$", before):
            value = -value
        values.append(round(value, 10))
    return values
