"""Lines with their layout (position, font size, weight) from the PDF's text runs, and what the layout says.

pypdf reports each run of text with its font, size and position. Runs become `Line`s (pypdf's own line breaks,
or a jump in the baseline); a small raised run after a word is a footnote marker and is taken out of the text
(kept in `Line.markers`). What the rest of the parser reads off a line: its font size against the document's
body size (smaller = footnote, caption or figure/table text), bold or larger type (headings), monospace (code),
rotation (margin stamps), its column (x position against the page width) and indentation (paragraph starts).

Some TeX math fonts ship a broken ToUnicode map (`TeX-matha*`: '±' comes out as '˘', '≥' as 'ě', '(' as 'p');
`FONT_FIXES` maps those glyphs back for runs in those fonts only. Icon fonts (FontAwesome) become "[icon]".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from synth.papers.parse.pdf import Run

# Known broken ToUnicode maps, by font-name prefix: the glyphs as extracted → what is printed.
FONT_FIXES: dict[str, dict[str, str]] = {
    "TeX-matha": {"˘": "±", "ě": "≥", "ď": "≤", "ą": ">", "ă": "<", "p": "(", "q": ")", "{": "/", "Ò": "↓",
                  "Ó": "↑", "ñ": "⇒", "^": "∧"},
}
ICON_FONTS = ("FontAwesome",)
BOLD = re.compile(r"Bold|Medi|Semibold|Black|Heavy|\.B$|-B$|CMBX|BX\d", re.I)
MONO = re.compile(r"Courier|Mono|CMTT|txtt|Consol|Typewriter|LMMono|SFTT", re.I)
MARKER = re.compile(r"^\s*(?:\d{1,2}|[*†‡§¶])\s*$")
MAYBE_MARKER = ("\ue000", "\ue001")  # brackets a raised number after a digit until the page's notes are known
MAYBE = re.compile("\ue000([^\ue001]*)\ue001")
CHAR_WIDTH = 0.42  # average glyph width in em for proportional text fonts (estimates line ends)


@dataclass
class Line:
    """One printed line. Geometry is None for lines that came from plain text (no layout available)."""

    text: str
    x0: float | None = None
    x1: float | None = None  # estimated right end
    y: float | None = None  # baseline
    size: float | None = None  # font size of most of its characters
    bold: bool = False
    mono: bool = False
    upright: bool = True
    markers: list[str] = field(default_factory=list)  # raised footnote markers taken out of the text
    starts_with_marker: bool = False  # a raised marker opens the line: a footnote's first line
    cells: list[tuple[float, str]] = field(default_factory=list)  # (x, text as drawn) of each run
    bold_prefix: str = ""  # leading bold text followed by regular text: a run-in heading candidate

    @property
    def has_layout(self) -> bool:
        return self.y is not None


def lines_from_text(text: str) -> list[Line]:
    """Lines without layout, from extracted plain text."""
    return [Line(line) for line in text.split("\n")]


def _fix(run: Run) -> str:
    text = run.text
    if run.font.startswith(ICON_FONTS):
        return re.sub(r"\S+", "[icon]", text)
    for prefix, table in FONT_FIXES.items():
        if run.font.startswith(prefix):
            return "".join(table.get(ch, ch) for ch in text)
    return text


@dataclass
class _Building:
    runs: list[tuple[Run, str]] = field(default_factory=list)  # (run, fixed text) of one line


def lines_from_runs(runs: tuple[Run, ...]) -> list[Line]:
    """Group runs into printed lines (pypdf's line breaks and baseline jumps) in the content-stream order."""
    lines: list[Line] = []
    current = _Building()
    base_y: float | None = None
    base_size = 0.0
    for run in runs:
        parts = _fix(run).split("\n")
        for k, part in enumerate(parts):
            if k > 0 and current.runs:
                lines.append(_finish(current))
                current, base_y = _Building(), None
            if not part:
                continue
            if base_y is not None and part.strip():
                tolerance = 0.6 * max(base_size, run.size)
                if abs(run.y - base_y) > tolerance:
                    lines.append(_finish(current))
                    current, base_y = _Building(), None
            current.runs.append((run, part))
            if part.strip() and (base_y is None or run.size > base_size):
                base_y, base_size = run.y, run.size
    if current.runs:
        lines.append(_finish(current))
    return [line for line in lines if line.text.strip()]


@lru_cache(maxsize=512)
def _font_flags(font: str) -> tuple[bool, bool]:
    """(bold, monospace) from a font's name ('NimbusRomNo9L-Medi' is bold, 'CMTT10' monospace)."""
    return bool(BOLD.search(font)), bool(MONO.search(font))


def _finish(building: _Building) -> Line:
    """Join the runs of one line; raised small runs after a word are footnote markers."""
    weights: dict[float, int] = {}
    bold_chars = mono_chars = upright_chars = total = 0
    for run, text in building.runs:
        n = len(text.strip())
        key = round(run.size, 1)
        weights[key] = weights.get(key, 0) + n
        total += n
        bold, mono = _font_flags(run.font)
        bold_chars += n * bold
        mono_chars += n * mono
        upright_chars += n * run.upright
    size = max(weights, key=weights.__getitem__) if weights else None
    baseline = next((run.y for run, text in building.runs if text.strip() and size is not None
                     and abs(run.size - size) < 0.3), building.runs[0][0].y)
    parts: list[str] = []
    markers: list[str] = []
    cells: list[tuple[float, str]] = []
    starts_with_marker = False
    bold_prefix: list[str] = []
    prefix_open = True
    spaced = False  # a marker was taken out between two words: keep them apart ("Research" "University")
    for run, text in building.runs:
        raised = size is not None and run.size < 0.85 * size and run.y - baseline > 0.15 * size
        if raised and MARKER.match(text):
            previous = "".join(parts).rstrip()
            if not previous:
                starts_with_marker = True
                markers.append(text.strip())
                continue
            word = previous.split()[-1]
            if (previous[-1].isalpha() and not (len(word) <= 2 and word[-1].isupper())) or \
                    previous[-1] in ".,;:)”’\"'":
                markers.append(text.strip())
                spaced = True
                continue
            # "SST-2" + marker "3", "10" + exponent "6", or a model name "R" + "3" (R³): the page's notes decide
            if previous[-1].isdigit() or previous[-1].isupper():
                parts.append(f"{MAYBE_MARKER[0]}{text.strip()}{MAYBE_MARKER[1]}")
                continue
        if spaced and text[:1].isalnum() and text[:1].isupper():
            text = " " + text
        spaced = False
        parts.append(text)
        if text.strip():
            cells.append((run.x, text))
        if prefix_open:
            if _font_flags(run.font)[0] and text.strip():
                bold_prefix.append(text)
            elif text.strip():
                prefix_open = False
    text = " ".join("".join(parts).split())
    first = building.runs[0][0]
    last_run, last_text = building.runs[-1]
    x1 = last_run.x + CHAR_WIDTH * last_run.size * len(last_text.rstrip())
    prefix = " ".join("".join(bold_prefix).split()) if not prefix_open else ""
    return Line(text=text, x0=first.x, x1=x1, y=baseline, size=size, bold=total > 0 and bold_chars > total / 2,
                mono=total > 0 and mono_chars > total / 2, upright=upright_chars >= total / 2, markers=markers,
                starts_with_marker=starts_with_marker, cells=cells, bold_prefix=prefix)


def body_size(pages: list[list[Line]]) -> float | None:
    """The font size of most characters in the document (the running text), None without layout."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size is not None and line.upright:
                weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else None


@dataclass
class Columns:
    """Where the text columns of a page start (x of the left edge), and the page's middle."""

    lefts: list[float]
    middle: float
    width: float

    def index(self, line: Line) -> int:
        """0 for the left column (or a single column), 1 for the right one, -1 for a line spanning both."""
        if len(self.lefts) < 2 or line.x0 is None:
            return 0
        if line.x0 >= self.middle - 0.02 * self.width:
            return 1
        if line.x1 is not None and line.x1 > self.middle + 0.12 * self.width:
            return -1
        return 0

    def left_of(self, line: Line) -> float | None:
        i = self.index(line)
        return self.lefts[max(i, 0)] if self.lefts else None


def find_columns(lines: list[Line], width: float | None, size: float | None) -> Columns:
    """Two columns when both halves of the page hold several body-size lines starting at a shared x."""
    width = width or 612.0
    middle = width / 2
    starts: dict[int, Counter[float]] = {0: Counter(), 1: Counter()}
    for line in lines:
        if line.x0 is None or (size is not None and line.size is not None and abs(line.size - size) > 0.6):
            continue
        starts[int(line.x0 >= middle - 0.02 * width)][round(line.x0)] += 1
    lefts = []
    for half in (0, 1):
        if starts[half]:
            x, n = starts[half].most_common(1)[0]
            if n >= 4:
                lefts.append(float(x))
    if len(lefts) == 2:
        return Columns(lefts, middle, width)
    return Columns(lefts[:1] or [min((ln.x0 for ln in lines if ln.x0 is not None), default=0.0)], middle, width)


def reading_order(lines: list[Line], columns: Columns) -> list[Line]:
    """Lines of a two-column page in reading order: bands between full-width lines, left column then right.

    Within a column the content-stream order is kept (it is the typesetter's order); columns and full-width
    blocks are placed by their vertical position.
    """
    if len(columns.lefts) < 2 or any(line.y is None for line in lines):
        return lines
    spanning = [line for line in lines if columns.index(line) == -1]
    if not spanning:
        return [ln for ln in lines if columns.index(ln) == 0] + [ln for ln in lines if columns.index(ln) == 1]
    # full-width lines cut the page into bands; a band reads its left column, its right column, then the
    # full-width line that closes it
    cuts = sorted({line.y for line in spanning}, reverse=True)
    by_band: dict[int, list[Line]] = {}
    for line in lines:
        by_band.setdefault(sum(1 for c in cuts if c > line.y + 1), []).append(line)
    out: list[Line] = []
    for b in sorted(by_band):
        group = by_band[b]
        out += [ln for ln in group if columns.index(ln) == 0]
        out += [ln for ln in group if columns.index(ln) == 1]
        out += [ln for ln in group if columns.index(ln) == -1]
    return out


def line_pitch(pages: list[list[Line]], size: float | None) -> float | None:
    """The usual distance between baselines of consecutive body-size lines (paragraph gaps are larger)."""
    if size is None:
        return None
    gaps: Counter[float] = Counter()
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if a.y is not None and b.y is not None and a.size == b.size == size and 0 < a.y - b.y < 2.5 * size:
                gaps[round(a.y - b.y, 1)] += 1
    return gaps.most_common(1)[0][0] if gaps else None


def settle_markers(lines: list[Line]) -> None:
    """A raised number after a digit is a footnote marker when a note of the page starts with it ("SST-2" + "3"),
    else it stays as printed ("10" + "6" → "106", as the text layer has it)."""
    notes = {line.markers[0] for line in lines if line.starts_with_marker and line.markers}
    for line in lines:
        if MAYBE_MARKER[0] in line.text:
            line.text = MAYBE.sub(lambda m: "" if m.group(1) in notes else m.group(1), line.text)
            line.bold_prefix = MAYBE.sub(lambda m: m.group(1), line.bold_prefix)
