"""What a table reader sees on a PDF page: words (font, size, bold, position), ruling lines, text lines, and
the knobs (`TableSettings`). Sub- and superscripts stay on their line; glyphs printed without a gap between
neighbouring columns are read apart; TeX symbol glyphs without a Unicode mapping are mapped."""

from __future__ import annotations

import functools
import math
import re
import statistics
import unicodedata
from dataclasses import dataclass

from synth.papers.parse.table_cells import cell_values, normalise


CAPTION = re.compile(r"^(Table|TABLE|Tab\.)\s*(\d+|[A-Z]\.?\d+)\s*[:.|]")
OTHER_FLOAT = re.compile(r"^(Figure|Fig\.|FIGURE|Algorithm)\s*\d+\s*[:.|]")
BARE_NUMBER = re.compile(r"[-+−–]?\d[\d.,/]*[%kKMB]?[*†‡§¶]*")
BRACKETED_SIZE = re.compile(r"\((?:[nN]=)?\d[\d.,]*[kKMB]?\)")
CONNECTOR = re.compile(r"(^|\s)[/±×]$|^[/±×]")
UNIT = re.compile(r"[kKmMB%]|GB|MB|ms|s|h")
PROSE_WORD = re.compile(r"^[(\[]?[a-z][a-z'’-]*[,.;:)\]]?$")
BOLD_FONT = re.compile(r"Bold|Medi|CMBX|Black|Semibold|Heavy|-BX|bx\d", re.IGNORECASE)


@dataclass(frozen=True)
class TableSettings:
    """Knobs of the reader, in PDF points or multiples of the font size (em)."""

    rule_max_thickness: float = 1.6  # a filled rectangle thinner than this is a ruling line
    rule_min_length: float = 15.0
    caption_gap: float = 30.0  # farthest a table's first rule or line may sit from its caption
    chain_gap: float = 260.0  # farthest apart two rules of one table may be
    line_gap_em: float = 2.4  # a vertical gap above this many em ends a rule-less table
    prose_words: int = 7  # a run of this many closely spaced words spanning prose_width is running text
    prose_width: float = 150.0
    word_gap_em: float = 0.33  # a gap up to this is a space inside a cell
    column_gap: float = 1.0  # narrowest empty x-range that separates two columns
    indent: float = 3.0  # a stub label starting this far right of its column is an indented sub-row
    mark_size: float = 0.8  # a word this much smaller than its line and raised is a footnote mark


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    xscale: float | None = None  # how much wider than their font size its digits are printed (None: no digits)

    @property
    def mid(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @property
    def em(self) -> float:
        """The line's em across the page: its font size, times the horizontal stretch its digits show when
        the text was printed scaled in one direction only (a table squeezed to the column width)."""
        scales = [w.xscale for w in self.words if w.xscale is not None]
        scale = statistics.median(scales) if scales else 1.0
        return self.size * (scale if not 0.85 <= scale <= 1.2 else 1.0)

    @property
    def text(self) -> str:
        return join_words(self.words)


@dataclass
class Rule:
    x0: float
    x1: float
    y: float


def _digit_scale(chars) -> float | None:
    """Digits are half an em wide in the fonts papers use: their printed width over half their size says how
    much the text was stretched across the page."""
    widths = [(c["x1"] - c["x0"]) / (0.5 * c["size"]) for c in chars if c["text"].isdigit() and c["size"] > 0]
    return statistics.median(widths) if widths else None


def _level(char) -> bool:
    """A glyph set level: pdfminer calls text turned by less than 90 degrees (\\rotatebox{60}) upright too, and
    its slanting boxes would run the lines they cross together."""
    return char.get("upright", True) and abs(char.get("matrix", (1, 0))[1]) < 0.1


def turned_upright(page):
    """The page as its reader sees it: a page whose text is nearly all turned by 90 degrees (a sidewaystable, a
    landscape page) turned back upright (its own width and height swapped); any other page as it is."""
    chars = page.chars
    turned = [c for c in chars if abs(c["matrix"][0]) < 0.1 * (math.hypot(*c["matrix"][:2]) or 1.0)]
    if len(turned) < 50 or len(turned) < 0.8 * len(chars):
        return page
    return _turned_page_class()(page, clockwise=sum(c["matrix"][1] < 0 for c in turned) > len(turned) / 2)


@functools.cache
def _turned_page_class():
    from pdfplumber.page import DerivedPage  # pdfplumber is loaded only when tables are read

    class TurnedPage(DerivedPage):
        def __init__(self, parent, clockwise: bool):
            self.bbox = (0, 0, float(parent.height), float(parent.width))
            self.clockwise = clockwise
            super().__init__(parent)

        @property
        def objects(self):
            if not hasattr(self, "_objects"):
                self._objects = {kind: [t for t in map(self._turn, objs) if t is not None]
                                 for kind, objs in self.parent_page.objects.items()}
            return self._objects

        def _turn(self, o):
            if not all(k in o for k in ("x0", "x1", "top", "bottom")):
                return o
            width, height = float(self.parent_page.width), float(self.parent_page.height)
            if self.clockwise:  # read top to bottom: the page's top is the line's start, its right the table's top
                x0, x1, top, bottom = o["top"], o["bottom"], width - o["x1"], width - o["x0"]
            else:  # read bottom to top
                x0, x1, top, bottom = height - o["bottom"], height - o["top"], o["x0"], o["x1"]
            out = {**o, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "y0": width - bottom, "y1": width - top,
                   "doctop": self.initial_doctop + top, "width": x1 - x0, "height": bottom - top}
            if o.get("object_type") == "char":
                a, b, _, _, e, f = o["matrix"]
                size = math.hypot(a, b) or 1.0
                if abs(a) >= 0.1 * size:
                    return None  # a glyph the page sets upright (its number) is turned in this view: left out
                out.update(upright=True, matrix=(size, 0.0, 0.0, size, e, f), size=size)
            return out

    return TurnedPage


def page_words(page, settings: TableSettings) -> tuple[list[Word], list[Word]]:
    """Upright words and rotated words (rotated group labels) of a pdfplumber page."""
    upright = page.filter(lambda o: o.get("object_type") != "char" or _level(o))
    rotated = page.filter(lambda o: o.get("object_type") == "char" and not _level(o))
    out = []
    for w in upright.extract_words(x_tolerance=1.5, y_tolerance=2.5, extra_attrs=["fontname", "size"],
                                   keep_blank_chars=False, return_chars=True):
        bold = bool(BOLD_FONT.search(w["fontname"]))
        text = w["text"]
        if len(text) == len(w["chars"]) and any("TeX-matha" in c["fontname"] for c in w["chars"]):
            text = "".join(MATHA.get(t, t) if "TeX-matha" in c["fontname"] else t for t, c in zip(text, w["chars"]))
        for text, chars in _split_run_together(text, w["chars"]):
            out.append(Word(normalise(_cids(text, w["fontname"])), chars[0]["x0"], chars[-1]["x1"], w["top"],
                            w["bottom"], float(w["size"]), bold, _digit_scale(chars)))
    turned = [Word(normalise(text), *box) for text, box in _turned_runs(rotated.chars)]
    return [w for w in out if w.text], [w for w in turned if w.text]


def _turned_runs(chars) -> list[tuple[str, tuple[float, float, float, float, float]]]:
    """Text turned on the page (\\rotatebox{90}, {60}), run by run: glyphs along one baseline (same direction, same
    offset across it) in reading order, a space where the gap along it is wider than a fifth of an em, with the
    box of its glyphs (a turned header's box is centred over its column)."""
    placed = []
    for c in chars:
        a, b, _, _, e, f = c["matrix"]
        norm = math.hypot(a, b) or 1.0
        a, b = round(a / norm, 2), round(b / norm, 2)
        placed.append(((a, b), -b * e + a * f, a * e + b * f, c))
    placed.sort(key=lambda p: (p[0], p[1], p[2]))
    lines: list[list] = []
    for p in placed:
        if lines and lines[-1][-1][0] == p[0] and abs(p[1] - lines[-1][-1][1]) <= 1.5:
            lines[-1].append(p)
        else:
            lines.append([p])
    def gap(prev, p) -> float:  # empty distance along the baseline between two glyphs
        return p[2] - prev[2] - float(prev[3]["adv"] or 0)

    runs = []
    for line in lines:
        line.sort(key=lambda p: p[2])
        size = 2 * statistics.median(float(p[3]["adv"] or 0) for p in line) or 8.0
        parts = [[line[0]]]
        for prev, p in zip(line, line[1:]):
            if gap(prev, p) > 1.5 * size:  # another header on the same baseline
                parts.append([p])
            else:
                parts[-1].append(p)
        for part in parts:
            text = part[0][3]["text"] + "".join((" " if gap(prev, p) > 0.2 * size else "") + p[3]["text"]
                                                for prev, p in zip(part, part[1:]))
            glyphs = [p[3] for p in part]
            box = (min(g["x0"] for g in glyphs), max(g["x1"] for g in glyphs), min(g["top"] for g in glyphs),
                   max(g["bottom"] for g in glyphs), size)
            runs.append((text, box))
    return runs


def page_rules(page, settings: TableSettings) -> tuple[list[Rule], list[tuple[float, float, float]]]:
    """Horizontal rules (lines and thin rectangles) and the x positions of vertical rules."""
    rules, verticals = [], []
    for obj in list(page.lines) + list(page.rects):
        w, h = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
        if h <= settings.rule_max_thickness and w >= settings.rule_min_length:
            rules.append(Rule(obj["x0"], obj["x1"], (obj["top"] + obj["bottom"]) / 2))
        elif w <= settings.rule_max_thickness and h >= 4:
            verticals.append(((obj["x0"] + obj["x1"]) / 2, obj["top"], obj["bottom"]))
    rules.sort(key=lambda r: (r.y, r.x0))
    return rules, sorted(verticals)


# glyphs of TeX's math symbol fonts (CMSY, OMS encoding) that PDFs often leave without a Unicode mapping
OMS = {0: "−", 3: "*", 6: "±", 14: "◦", 15: "•", 32: "←", 33: "→", 48: "′", 120: "§", 121: "†", 122: "‡",
       123: "¶", 124: "♣", 125: "♢", 126: "♡", 127: "♠"}
CID = re.compile(r"\(cid:(\d+)\)")
# newtxmath's 'matha' font, whose glyphs PDFs often map to the wrong Unicode characters ('5.8 ˘ 1.1')
MATHA = {"˘": "±", "ě": "≥", "ą": ">", "p": "(", "q": ")", "Ò": "↓", "Ó": "↑", "ñ": "⇒", "^": "∧"}


def _cids(text: str, font: str) -> str:
    """'(cid:48)' in a TeX symbol font is a prime; unknown glyphs are dropped rather than printed as codes."""
    symbol = "CMSY" in font.upper() or "SYMBOL" in font.upper()
    return CID.sub(lambda m: OMS.get(int(m.group(1)), "") if symbol else "", text)


RUN_TOGETHER = [re.compile(rf"(?:\d{{1,3}}\.\d{{{k}}})" + "{2,}") for k in (2, 1, 3)] + [
    re.compile(r"(?:\d+(?:\.\d+)?[KMk])" + "{2,}")]


def _split_run_together(text: str, chars: list) -> list[tuple[str, list]]:
    """Numbers of neighbouring columns printed without a gap ('10.1310.1110.11', '500K500K') read apart."""
    if len(text) == len(chars):
        for pattern in RUN_TOGETHER:
            if pattern.fullmatch(text):
                unit = pattern.pattern[: pattern.pattern.rindex("{2,}")]
                spans = [m.span() for m in re.finditer(unit, text)]
                return [(text[a:b], chars[a:b]) for a, b in spans]
    return [(text, chars)]


def join_words(words: list[Word]) -> str:
    """Words of one cell or line, left to right; glyph runs that touch (R, 10, @1) join without a space."""
    out = ""
    prev = None
    for w in sorted(words, key=lambda w: w.x0):
        if prev is not None:
            out += "" if w.x0 - prev.x1 < 0.6 else " "
        out += w.text
        prev = w
    return normalise(out) if any(unicodedata.combining(c) for c in out) else out


def group_lines(words: list[Word]) -> list[Line]:
    """Words clustered into text lines by vertical overlap (a subscript overlaps its line; the next line does not)."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        height = w.bottom - w.top
        for line in reversed(lines[-3:]):
            overlap = min(line.bottom, w.bottom) - max(line.top, w.top)
            if overlap > 0.5 * min(height, line.bottom - line.top):
                line.words.append(w)
                break
        else:
            lines.append(Line([w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return sorted(lines, key=lambda ln: ln.top)


def is_prose(line: Line, settings: TableSettings) -> bool:
    """Running text: a long run of words at word spacing (table rows have wide gaps between cells)."""
    run, start, wordy = 1, line.words[0].x0, int(bool(PROSE_WORD.match(line.words[0].text)))
    for a, b in zip(line.words, line.words[1:]):
        if b.x0 - a.x1 <= settings.word_gap_em * line.em + 0.5:
            run += 1
            wordy += bool(PROSE_WORD.match(b.text))
            if run >= settings.prose_words and b.x1 - start >= settings.prose_width and wordy >= 0.6 * run:
                return True
        else:
            run, start, wordy = 1, b.x0, int(bool(PROSE_WORD.match(b.text)))
    return False


def cells_on(ln: Line, gap_em: float = 1.0) -> int:
    """Separate pieces of text on a line (gaps wider than `gap_em` em)."""
    return 1 + sum(b.x0 - a.x1 > gap_em * ln.em for a, b in zip(ln.words, ln.words[1:]))


def numeric_words(ln: Line) -> int:
    """Numbers on a line, glyph runs that touch read as one token ('R' '10' '@1' is a name, not a number)."""
    tokens, prev = [], None
    for w in ln.words:
        if prev is not None and w.x0 - prev.x1 < 0.6:
            tokens[-1] += w.text
        else:
            tokens.append(w.text)
        prev = w
    return sum(bool(cell_values(t)) and not re.search(r"[A-Za-z]{2}|[A-Za-z]-?\d|@", t) for t in tokens)


def numbered_header(ln: Line) -> bool:
    """A header line of numbers: whole numbers repeated under each group ('100 200 300 Mean 100 200 300', '6L 12L
    24L 6L 12L 24L'), or sizes rising along the line."""
    numbers = [w.text for w in ln.words if re.fullmatch(r"\d+[A-Za-z]{0,2}", w.text)]
    if len(numbers) >= 4 and len(set(numbers)) <= len(numbers) / 2:
        return True
    # sizes rising along the line ('1K 4K 16K 32K 64K', '125M 350M 1.3B'): the columns' settings, not a row
    sizes = [w.text for w in ln.words if re.fullmatch(r"\d+(?:\.\d+)?[kKMBL]", w.text)]
    values = [v for t in sizes for v in cell_values(t)]
    if len(sizes) >= 3 and len(sizes) >= numeric_words(ln) and all(a < b for a, b in zip(values, values[1:])):
        return True
    # sizes in brackets under the column names ('(160K) (610K) (207K)', 'Train (14.2K) (10.5K)'): a stub label at
    # most, then bracketed counts only (a row of values has values, and a spread sits under them, not above)
    bracketed = [w for w in ln.words if BRACKETED_SIZE.fullmatch(w.text)]
    rest = [w for w in ln.words if w not in bracketed]
    return len(bracketed) >= 2 and (not rest or (len(rest) == 1 and rest[0] is ln.words[0]
                                                 and re.fullmatch(r"[A-Za-z]\S*", rest[0].text) is not None))


def rule_between(a: float, b: float, verticals: list[float]) -> bool:
    return any(min(a, b) - 0.5 <= v <= max(a, b) + 0.5 for v in verticals)
