"""Tables read cell by cell from a PDF page's characters and ruling lines (pdfplumber), one small step each:

captions ("Table 3:") → the table's region (the rules chained from the caption, or the non-prose lines next to
it) → text lines (words clustered by vertical overlap, so sub- and superscripts stay on their line) → value
columns (x-ranges that no body word crosses) → header paths (header words placed over the columns they cover;
spanning headers and cmidrules give multi-level paths) → rows (stub label, row group from section rows, rotated
labels, indentation or an outer stub column) → cells (text, marks, numbers, bold).

Every knob is in `TableSettings`. A table whose body cannot be laid out in columns is returned with no cells and
the reason in `uncertain`, never as an empty grid.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from synth.core.models import TableBlock, TableCell
from synth.papers.parse.table_cells import cell_values, normalise, split_marks

CAPTION = re.compile(r"^(Table|TABLE|Tab\.)\s*(\d+|[A-Z]\.?\d+)\s*[:.|]")
OTHER_FLOAT = re.compile(r"^(Figure|Fig\.|FIGURE|Algorithm)\s*\d+\s*[:.|]")
BARE_NUMBER = re.compile(r"[-+−–]?\d[\d.,/]*[%kKMB]?[*†‡§¶]*")
CONNECTOR = re.compile(r"(^|\s)[/±]$|^[/±]")
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
    def text(self) -> str:
        return join_words(self.words)


@dataclass
class Rule:
    x0: float
    x1: float
    y: float


@dataclass
class ReadCell:
    row: str
    row_group: str | None
    column: list[str]
    text: str
    values: list[float]
    marks: list[str]
    bold: bool
    row_index: int
    column_index: int


@dataclass
class ReadTable:
    label: str
    caption: str
    page: int
    bbox: tuple[float, float, float, float]
    lines: list[str]
    header_rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the stub's header, then each value column's path joined
    cells: list[ReadCell] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ page objects


def page_words(page, settings: TableSettings) -> tuple[list[Word], list[Word]]:
    """Upright words and rotated words (rotated group labels) of a pdfplumber page."""
    upright = page.filter(lambda o: o.get("object_type") != "char" or o.get("upright", True))
    rotated = page.filter(lambda o: o.get("object_type") == "char" and not o.get("upright", True))
    out = []
    for w in upright.extract_words(x_tolerance=1.5, y_tolerance=2.5, extra_attrs=["fontname", "size"],
                                   keep_blank_chars=False, return_chars=True):
        bold = bool(BOLD_FONT.search(w["fontname"]))
        for text, chars in _split_run_together(w["text"], w["chars"]):
            out.append(Word(normalise(_cids(text, w["fontname"])), chars[0]["x0"], chars[-1]["x1"], w["top"],
                            w["bottom"], float(w["size"]), bold))
    turned = []
    for w in rotated.extract_words(x_tolerance=2.5, y_tolerance=2.5, extra_attrs=["size"]):
        turned.append(Word(normalise(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"], float(w["size"])))
    return [w for w in out if w.text], [w for w in turned if w.text]


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
OMS = {0: "−", 3: "*", 6: "±", 14: "◦", 15: "•", 32: "←", 33: "→", 48: "′", 121: "†", 122: "‡", 120: "§", 123: "¶",
       124: "♣", 125: "♢", 126: "♡", 127: "♠"}
CID = re.compile(r"\(cid:(\d+)\)")


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
    return out


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
        if b.x0 - a.x1 <= settings.word_gap_em * line.size + 0.5:
            run += 1
            wordy += bool(PROSE_WORD.match(b.text))
            if run >= settings.prose_words and b.x1 - start >= settings.prose_width and wordy >= 0.6 * run:
                return True
        else:
            run, start, wordy = 1, b.x0, int(bool(PROSE_WORD.match(b.text)))
    return False


# ------------------------------------------------------------------ regions


def split_columns(lines: list[Line], width: float) -> list[Line]:
    """Lines cut where they cross the gutter of a two-column page with a wide gap (a caption beside a figure)."""
    out = []
    mid = width / 2
    for ln in lines:
        left = [w for w in ln.words if w.x1 <= mid + 4]
        right = [w for w in ln.words if w.x1 > mid + 4]
        if left and right and right[0].x0 - left[-1].x1 > 8 and left[-1].x1 < mid + 4 and right[0].x0 > mid - 4:
            out += [Line(left), Line(right)]
        else:
            out.append(ln)
    return sorted(out, key=lambda ln: (ln.top, ln.x0))


def find_captions(lines: list[Line]) -> list[int]:
    return [i for i, ln in enumerate(lines) if CAPTION.match(ln.text)]


def caption_block(lines: list[Line], i: int, band: tuple[float, float]) -> int:
    """Index of the caption's last line: following lines of the same size at line pitch."""
    last = i
    pitch = 1.6 * lines[i].size
    for j in range(i + 1, len(lines)):
        ln = lines[j]
        if not _in_band(ln, band) or ln.top - lines[last].bottom > pitch - (lines[last].bottom - lines[last].top):
            if _in_band(ln, band):
                break
            continue
        if abs(ln.size - lines[i].size) > 0.6 or CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
            break
        last = j
    return last


def _in_band(line: Line, band: tuple[float, float]) -> bool:
    mid = (line.x0 + line.x1) / 2
    return band[0] - 2 <= mid <= band[1] + 2 and line.x0 >= band[0] - 8 and line.x1 <= band[1] + 8


def column_band(caption: Line, width: float) -> tuple[float, float]:
    """The horizontal band a table lives in: one column of a two-column page or the full width."""
    mid = width / 2
    if caption.x0 < mid - 10 and caption.x1 > mid + 10:
        return (0.0, width)
    return (0.0, mid) if caption.x1 <= mid + 10 else (mid, width)


def table_region(lines: list[Line], rules: list[Rule], cap_first: int, cap_last: int,
                 band: tuple[float, float], settings: TableSettings) -> tuple[float, float, float, float] | None:
    """(x0, top, x1, bottom) of the table a caption belongs to, above or below it."""
    cap_top, cap_bottom = lines[cap_first].top, lines[cap_last].bottom
    band_rules = [r for r in rules if r.x0 >= band[0] - 8 and r.x1 <= band[1] + 8]
    candidates = []
    for direction in (-1, 1):  # above the caption, then below
        region = _region_side(lines, band_rules, cap_top if direction < 0 else cap_bottom, direction, band,
                              {*range(cap_first, cap_last + 1)}, settings)
        if region:
            candidates.append(region)
    if not candidates:
        return None
    # the side with rules close to the caption wins; else the side with more table lines
    return max(candidates, key=lambda r: (r[4], r[5]))[:4]


def _region_side(lines, rules, edge, direction, band, caption_lines, settings):
    near = [r for r in rules if 0 <= (r.y - edge) * direction <= settings.caption_gap]
    chain = []
    if near:
        chain = [min(near, key=lambda r: abs(r.y - edge))]
        for r in sorted(rules, key=lambda r: r.y * direction):
            if (r.y - chain[-1].y) * direction <= 0:
                continue
            between = [ln for ln in lines if _in_band(ln, band) and (ln.top - chain[-1].y) * direction > 0
                       and (r.y - ln.bottom) * direction > 0]
            if (r.y - chain[-1].y) * direction > settings.chain_gap or any(
                    is_prose(ln, settings) or CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text) for ln in between):
                break
            chain.append(r)
    ordered = sorted((i for i, ln in enumerate(lines) if _in_band(ln, band) and i not in caption_lines
                      and (ln.top - edge if direction > 0 else edge - ln.bottom) >= -1),
                     key=lambda i: (lines[i].top - edge) * direction)
    limit = max((abs(r.y - edge) for r in chain), default=0.0)
    # the outermost rule is a rule under the header (no top rule) when numbers follow right under it
    header_above = len(chain) >= 2 and any(
        _numeric_words(ln) >= 2 for ln in lines if _in_band(ln, band)
        and min(chain[-1].y, chain[-2].y) < (ln.top + ln.bottom) / 2 < max(chain[-1].y, chain[-2].y))
    taken, last_edge = [], edge
    for i in ordered:
        ln = lines[i]
        distance = ln.top - edge if direction > 0 else edge - ln.bottom
        inside = distance <= limit
        gap = (ln.top - last_edge) if direction > 0 else (last_edge - ln.bottom)
        if not inside:
            if direction > 0 and (CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text)):
                if taken and _beside(ln, [lines[i] for i in taken]):
                    continue  # the caption of a narrower float beside this one (the other column)
                return None  # what lies between this caption and the next one below belongs to that float
            if is_prose(ln, settings) or CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
                break
            if gap > settings.line_gap_em * ln.size:
                break
            if chain and len(chain) >= 2:  # a ruled table ends at its last rule (a header may sit above the first)
                span = (min(r.x0 for r in chain) - 6, max(r.x1 for r in chain) + 6)
                if direction > 0 or gap > 1.5 * ln.size or ln.x0 < span[0] or ln.x1 > span[1] or (
                        not header_above and _cells_on(ln) < 2):
                    break
        elif CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
            break
        taken.append(i)
        last_edge = ln.bottom if direction > 0 else ln.top
    # the end of a paragraph above a rule-less table is one run of ordinary words: not the table's header
    while taken and _outside(lines[taken[-1]], edge, direction, limit) and _text_line(lines[taken[-1]]):
        taken.pop()
    if not taken:
        return None
    if direction > 0:  # the first caption or prose under the content is a float's caption: that float's content
        end = max(lines[i].bottom for i in taken)
        x0, x1 = min(lines[i].x0 for i in taken), max(lines[i].x1 for i in taken)
        for ln in lines:
            overlap = min(ln.x1, x1) - max(ln.x0, x0)
            if not _in_band(ln, band) or ln.top < end or overlap < 0.5 * min(ln.x1 - ln.x0, x1 - x0):
                continue
            if CAPTION.match(ln.text) and _beside(ln, [lines[i] for i in taken]):
                continue
            if CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
                return None
            if is_prose(ln, settings):
                break
    xs = [lines[i].x0 for i in taken] + [lines[i].x1 for i in taken] + [r.x0 for r in chain] + [r.x1 for r in chain]
    tops = [lines[i].top for i in taken] + [r.y for r in chain]
    bottoms = [lines[i].bottom for i in taken] + [r.y for r in chain]
    closeness = 1 if chain else 0
    return (min(xs), min(tops), max(xs), max(bottoms), closeness, len(taken))


def _outside(ln: Line, edge: float, direction: int, limit: float) -> bool:
    return (ln.top - edge if direction > 0 else edge - ln.bottom) > limit


def _text_line(ln: Line) -> bool:
    """A line of running words (a paragraph's last line): one piece of text, mostly lower-case words."""
    words = [w.text for w in ln.words]
    return _cells_on(ln) == 1 and len(words) >= 2 and sum(bool(PROSE_WORD.match(w)) for w in words) >= 0.6 * len(
        words)


def _beside(caption: Line, content: list[Line]) -> bool:
    """A caption under less than half of the content's width belongs to a float beside it, not below it."""
    x0, x1 = min(ln.x0 for ln in content), max(ln.x1 for ln in content)
    return min(caption.x1, x1) - max(caption.x0, x0) < 0.5 * (x1 - x0)


# ------------------------------------------------------------------ grid


def label_run(ln: Line, verticals: list[float], settings: TableSettings) -> int:
    """How many leading words of a row are its label: words at word spacing, up to the first number."""
    gap = settings.word_gap_em * ln.size + 0.6
    n = 1
    for a, b in zip(ln.words, ln.words[1:]):
        number = bool(BARE_NUMBER.fullmatch(b.text)) and not a.text.endswith(",")  # "(2015)" ends a name
        if b.x0 - a.x1 < 0.6:  # a glyph touching the label (R³) is part of it
            n += 1
            continue
        if b.x0 - a.x1 > gap or _rule_between(a.x1, b.x0, verticals) or (
                number and any(re.search(r"[A-Za-z]", w.text) for w in ln.words[:n])):
            break
        n += 1
    return n


def value_columns(body: list[Line], verticals: list[float], settings: TableSettings) -> list[tuple[float, float]]:
    """x-ranges of the columns: the row labels' column, then maximal ranges that the other words of body rows
    cover with no empty gap between (a long label spanning several columns does not merge them)."""
    multi = [ln for ln in body if _cells_on(ln) >= 2] or body  # a centred section row would bridge columns
    labels = [ln.words[:label_run(ln, verticals, settings)] for ln in multi]
    rest = [w for ln, lab in zip(multi, labels) for w in ln.words[len(lab):]]
    columns = _project(sorted((w.x0, w.x1) for w in rest), verticals, settings)
    # a number right after a label that no other row has in that place belongs to the label ("MultiWOZ 2.1")
    for col in columns[:1]:
        users = [i for i, ln in enumerate(multi) if any(_overlaps(w, col) for w in ln.words[len(labels[i]):])]
        follow = [i for i in users if len(multi[i].words) > len(labels[i]) and _overlaps(
            multi[i].words[len(labels[i])], col) and multi[i].words[len(labels[i])].x0 - labels[i][-1].x1 <=
            settings.word_gap_em * multi[i].size + 0.6]
        if users and len(users) <= max(1, 0.2 * len(multi)) and follow == users:
            labels = [ln.words[:len(lab) + (i in users)] for i, (ln, lab) in enumerate(zip(multi, labels))]
            rest = [w for ln, lab in zip(multi, labels) for w in ln.words[len(lab):]]
            columns = _project(sorted((w.x0, w.x1) for w in rest), verticals, settings)
    if not columns:
        return _project(sorted((w.x0, w.x1) for ln in multi for w in ln.words), verticals, settings)
    x0 = min(lab[0].x0 for lab in labels)
    if x0 < columns[0][0] - settings.column_gap:
        x1 = max(w.x1 for lab in labels for w in lab)
        columns.insert(0, (x0, min(x1, columns[0][0] - settings.column_gap)))
    # outer labels set on lines of their own, wholly left of every row's label ("OntoNotes" between its rows)
    outer = [w for ln in body if _cells_on(ln) < 2 for w in ln.words if w.x1 < columns[0][0] - settings.column_gap]
    if outer:
        columns.insert(0, (min(w.x0 for w in outer), max(w.x1 for w in outer)))
    return columns


def _project(spans, verticals, settings) -> list[tuple[float, float]]:
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + settings.column_gap and not _rule_between(columns[-1][1], x0, verticals):
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _rule_between(a: float, b: float, verticals: list[float]) -> bool:
    return any(min(a, b) - 0.5 <= v <= max(a, b) + 0.5 for v in verticals)


def merge_text_columns(body: list[Line], columns, verticals, settings: TableSettings):
    """Join neighbouring columns that are one text cell split at word spaces ('Match-LSTM (Wang' | 'and Jiang')."""
    def numeric(col):
        cells = [join_words([w for w in ln.words if _overlaps(w, col)]) for ln in body]
        cells = [c for c in cells if c]
        return len(cells) >= max(2, 0.3 * len(body)) and sum(bool(cell_values(c)) and not re.search(r"[A-Za-z]{3}", c) for c in cells) >= len(cells) / 2

    def cells_of(col):
        return [c for c in (join_words([w for w in ln.words if _overlaps(w, col)]) for ln in body) if c]

    def symbols_only(col):  # "≈", "~", "<": a sign printed apart from the number it qualifies
        cells = cells_of(col)
        return bool(cells) and not any(re.search(r"[\w.]", c) for c in cells)

    def joined_by_connector(left, right):  # "0.74 / 0.05", "5.8 ± 0.3": one cell at word spacing
        pairs = 0
        for ln in body:
            a = [w for w in ln.words if _overlaps(w, left)]
            b = [w for w in ln.words if _overlaps(w, right)]
            if not a and not b:
                continue
            if not a or not b:
                return False
            touching = min(w.x0 for w in b) - max(w.x1 for w in a) <= settings.word_gap_em * ln.size + 0.6
            if not touching or not (CONNECTOR.search(join_words(a)) or CONNECTOR.match(join_words(b))):
                return False
            pairs += 1
        return pairs > 0

    def units_only(col):  # "100 m", "45 %": a unit printed apart from its number
        cells = cells_of(col)
        return bool(cells) and all(UNIT.fullmatch(c) for c in cells)

    merged = [columns[0]] if columns else []
    for col in columns[1:]:
        prev = merged[-1]
        if (symbols_only(prev) or units_only(col) or joined_by_connector(prev, col)) and not _rule_between(
                prev[1], col[0], verticals):
            merged[-1] = (prev[0], col[1])
            continue
        gaps = []
        for ln in body:
            left = [w for w in ln.words if _overlaps(w, prev)]
            right = [w for w in ln.words if _overlaps(w, col)]
            if left and right:
                gaps.append(min(w.x0 for w in right) - max(w.x1 for w in left))
        size = statistics.median(w.size for ln in body for w in ln.words)
        joinable = gaps and max(gaps) <= settings.word_gap_em * size + 0.6 and not numeric(col) and not numeric(prev)
        if joinable and not _rule_between(prev[1], col[0], verticals):
            merged[-1] = (prev[0], col[1])
        else:
            merged.append(col)
    return merged


def _overlaps(w: Word, col: tuple[float, float]) -> bool:
    return min(w.x1, col[1]) - max(w.x0, col[0]) > 0.3 * min(w.x1 - w.x0, col[1] - col[0], 3.0) or (
        col[0] <= w.mid <= col[1])


def boundaries(columns: list[tuple[float, float]]) -> list[float]:
    """Cut points between columns: the middle of each gap."""
    return [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])]


def column_of(x: float, cuts: list[float]) -> int:
    return sum(x > c for c in cuts)


def header_paths(header: list[Line], columns, rules: list[Rule], line_verticals: list[list[float]], first_value: int,
                 settings: TableSettings) -> tuple[list[list[str]], str | None, list[list[str]]]:
    """Per column its header path (top-down), the stub header ('Model', '# langs.'), and the header rows as read."""
    cuts = boundaries(columns)
    n = len(columns)
    levels: list[list[tuple[int, int, str]]] = []  # per header line: (first col, last col, text)
    stub_parts: list[str] = []
    rows_read = []
    level_verticals = []
    for i, (ln, verticals) in enumerate(zip(header, line_verticals)):
        phrases = _phrases(ln, columns, cuts, verticals, settings, bottom=i == len(header) - 1)
        level = []
        for words in phrases:
            text = join_words(words)
            lo, hi = _span(words, columns, cuts)
            rule = _rule_under(words, rules, ln, columns[-1][1] - columns[0][0])
            if rule is not None:  # a cmidrule under a spanning header names its columns exactly
                covered = [k for k, c in enumerate(columns) if rule.x0 - 2 <= (c[0] + c[1]) / 2 <= rule.x1 + 2]
                if covered:
                    lo, hi = min(covered), max(covered)
            if hi < first_value:
                stub_parts.append(text)
                continue
            level.append((max(lo, first_value), hi, text, (words[0].x0 + words[-1].x1) / 2, rule is not None))
        if i < len(header) - 1:
            _centre_spans(level, columns, first_value)
        level = [(lo, hi, text) for lo, hi, text, _, _ in level]
        rows_read.append([t for _, _, t in level])
        if level:
            levels.append(level)
            level_verticals.append(verticals)
    _widen_spans(levels, columns, level_verticals, first_value)
    paths: list[list[str]] = [[] for _ in range(n)]
    spanning = any(a != b for lv in levels for a, b, _ in lv)
    for level in levels:
        for lo, hi, text in level:
            for k in range(lo, hi + 1):
                # in a header of one-column headers only, lines stacked in a column are one wrapped header
                if paths[k] and not spanning:
                    paths[k][-1] = f"{paths[k][-1]} {text}"
                else:
                    paths[k].append(text)
    return paths, " ".join(stub_parts) or None, rows_read


def _centre_spans(level, columns, first_value) -> None:
    """An upper header is centred over its span: grow it by free neighbouring columns while that brings the
    span's middle nearer its own middle."""
    claimed = {k for lo, hi, *_ in level for k in range(lo, hi + 1)}
    for i, (lo, hi, text, centre, ruled) in enumerate(level):
        if ruled:
            continue
        while True:
            now = abs((columns[lo][0] + columns[hi][1]) / 2 - centre)
            options = [(k, lo if k > hi else k, hi if k < lo else k) for k in (lo - 1, hi + 1)
                       if first_value <= k < len(columns) and k not in claimed]
            best = min(options, key=lambda o: abs((columns[o[1]][0] + columns[o[2]][1]) / 2 - centre), default=None)
            if best is None:
                break
            k, a, b = best
            if abs((columns[a][0] + columns[b][1]) / 2 - centre) >= now:
                break
            lo, hi = a, b
            claimed.add(k)
        level[i] = (lo, hi, text, centre, ruled)


def _widen_spans(levels, columns, level_verticals, first_value) -> None:
    """A spanning header printed shorter than its span (centred) is widened: to the vertical rules around it
    when the table has them, else over the uncovered columns between it and its neighbouring headers."""
    centres = [(a + b) / 2 for a, b in columns]
    for depth in range(len(levels) - 2, -1, -1):  # bottom-up: a header covers the whole headers under it
        level, lower = levels[depth], levels[depth + 1]
        for i, (lo, hi, text) in enumerate(level):
            under = [(a, b) for a, b, _ in lower if a <= hi and b >= lo]
            level[i] = (min([lo, *[a for a, _ in under]]), max([hi, *[b for _, b in under]]), text)
    for level, verticals in zip(levels[:-1], level_verticals):
        if not any(lo != hi for lo, hi, _ in level) and not verticals:
            continue
        level.sort()
        for i, (lo, hi, text) in enumerate(level):
            left = [v for v in verticals if v < columns[lo][0]]
            right = [v for v in verticals if v > columns[hi][1]]
            if left or right:
                a = max(left) if left else columns[lo][0] - 0.1  # no rule on a side: no widening there
                b = min(right) if right else columns[hi][1] + 0.1
                floor = level[i - 1][1] + 1 if i else first_value
                ceil = level[i + 1][0] - 1 if i + 1 < len(level) else len(columns) - 1
                ks = [k for k in range(floor, ceil + 1) if a < centres[k] < b]
                level[i] = (min([lo, *ks]), max([hi, *ks]), text)
        for i in range(len(level) - 1):  # columns left between two spanning headers go to the nearer one
            (lo1, hi1, t1), (lo2, hi2, t2) = level[i], level[i + 1]
            if hi1 == lo1 or hi2 == lo2:
                continue
            for k in range(hi1 + 1, lo2):
                if centres[k] - columns[hi1][1] <= columns[lo2][0] - centres[k]:
                    hi1 = k
                else:
                    lo2 = min(lo2, k)
                    break
            level[i], level[i + 1] = (lo1, hi1, t1), (lo2, hi2, t2)
        for i in range(len(level) - 1):
            lo1, hi1, t1 = level[i]
            lo2 = level[i + 1][0]
            if hi1 != lo1 and lo2 - hi1 > 1 and level[i + 1][1] != lo2:
                level[i] = (lo1, lo2 - 1, t1)


def _phrases(ln: Line, columns, cuts, verticals, settings, bottom: bool = False) -> list[list[Word]]:
    """A header line's words grouped into headers: words in one column join; above the bottom header line, a
    word that straddles a column boundary (a spanning header) joins its neighbours at word spacing."""
    groups: list[list[Word]] = []
    for w in ln.words:
        if groups:
            prev = groups[-1]
            last = prev[-1]
            gap = w.x0 - last.x1
            same = column_of(last.mid, cuts) == column_of(w.mid, cuts) and gap <= 3 * ln.size
            spanning = not bottom and (_straddles(w, cuts) or any(_straddles(p, cuts) for p in prev)) and (
                gap <= settings.word_gap_em * ln.size + 0.6)
            spaced = gap <= settings.word_gap_em * ln.size + 0.6
            symbol = spaced and not (re.search(r"\w", w.text) and re.search(r"\w", last.text))  # "↑", "# tokens"
            upper = spaced and not bottom  # an upper header line's words at word spacing are one header
            if (same or spanning or symbol or upper or gap < 0.6) and not _rule_between(last.x1, w.x0, verticals):
                prev.append(w)
                continue
        groups.append([w])
    return groups


def _straddles(w: Word, cuts: list[float]) -> bool:
    return any(w.x0 + 0.25 * (w.x1 - w.x0) < c < w.x1 - 0.25 * (w.x1 - w.x0) for c in cuts)


def _span(words: list[Word], columns, cuts) -> tuple[int, int]:
    """The columns a header covers: those whose share of the page (cut to cut) holds a fifth of its width."""
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    edges = [float("-inf"), *cuts, float("inf")]
    covered = [k for k in range(len(columns)) if min(x1, edges[k + 1]) - max(x0, edges[k]) > 0.2 * (x1 - x0)]
    if not covered:
        k = column_of((x0 + x1) / 2, cuts)
        return k, k
    return min(covered), max(covered)


def _rule_under(words: list[Word], rules: list[Rule], ln: Line, table_width: float) -> Rule | None:
    """A partial rule (cmidrule) right under a header: narrower than the table, wider than the header's words."""
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    for r in rules:
        if ln.bottom - 1 <= r.y <= ln.bottom + 6 and r.x0 <= x0 + 2 and r.x1 >= x1 - 2 and (
                r.x1 - r.x0 < 0.8 * table_width):
            return r
    return None


# ------------------------------------------------------------------ rows


def read_table(lines: list[Line], rotated: list[Word], rules: list[Rule], verticals: list[float],
               region: tuple[float, float, float, float], settings: TableSettings):
    """Header rows as read, header (stub header + joined column paths), cells and doubts of one table."""
    x0, top, x1, bottom = region
    inner = [r for r in rules if top - 1 <= r.y <= bottom + 1 and r.x1 - r.x0 >= 0.8 * (x1 - x0)]
    split = _header_split(lines, inner)
    header, body = lines[:split], lines[split:]
    if not body:
        return [], [], [], ["no body rows under the header"]
    segments = [(x, a, b) for x, a, b in verticals if x0 - 1 <= x <= x1 + 1
                and min(b, bottom) - max(a, top) > 0.5 * min(b - a, bottom - top)]
    verticals = sorted({round(x, 1) for x, _, _ in segments})
    columns = merge_text_columns(body, value_columns(body, verticals, settings), verticals, settings)
    if len(columns) < 2:
        return [], [], [], ["the rows do not fall into columns (one column of text)"]
    cuts = boundaries(columns)
    grid = [_row_cells(ln, cuts, len(columns), label_run(ln, verticals, settings) if _cells_on(ln) >= 2 else 0)
            for ln in body]
    body, grid = _join_split_labels(body, grid)
    n_stub = _stub_columns(grid)
    # a header line is split only by the vertical rules that cross it (a grid's spanning cell has none inside)
    header_verticals = [sorted({round(x, 1) for x, a, b in segments if a - 1 <= (ln.top + ln.bottom) / 2 <= b + 1})
                        for ln in header]
    paths, stub_header, header_rows = header_paths(header, columns, rules, header_verticals, n_stub, settings)
    cells, doubts = _cells(body, grid, n_stub, paths, columns, rotated, rules, settings)
    if not any(paths[k] for k in range(n_stub, len(columns))):
        doubts.append("no header row: the columns are unnamed")
    header = [stub_header or "", *(" / ".join(paths[k]) for k in range(n_stub, len(columns)))]
    return header_rows, header, cells, doubts


def _header_split(lines: list[Line], inner: list[Rule]) -> int:
    """Number of header lines: those above the last full-width rule before the first line of numbers (a header
    may have rules of its own), else those above the first line of numbers; a table of words: those above its
    first full-width rule with text on both sides."""
    first_numbers = next((i for i, ln in enumerate(lines) if _numeric_words(ln) >= 2 and not _numbered_header(ln)),
                         None)
    if first_numbers is not None:
        first = lines[first_numbers]
        above = [sum(ln.bottom <= r.y + 1 for ln in lines) for r in inner if r.y <= (first.top + first.bottom) / 2]
        above = sorted({a for a in above if 0 < a <= first_numbers})
        if not above:
            return first_numbers
        split = above[0]
        for a in above[1:]:  # header lines between rules have several cells; a section row ("En-Fr") has one
            if all(_cells_on(ln) < 2 for ln in lines[split:a]):
                break
            split = a
        return split
    for r in inner:
        above = sum(ln.bottom <= r.y + 1 for ln in lines)
        if 0 < above < len(lines):
            return above
    return 0


def _numbered_header(ln: Line) -> bool:
    """A header line of numbers: whole numbers repeated under each group ('100 200 300 Mean 100 200 300')."""
    numbers = [w.text for w in ln.words if re.fullmatch(r"\d+", w.text)]
    return len(numbers) >= 4 and len(set(numbers)) <= len(numbers) / 2


def _cells_on(ln: Line) -> int:
    """Separate pieces of text on a line (gaps wider than one em)."""
    return 1 + sum(b.x0 - a.x1 > ln.size for a, b in zip(ln.words, ln.words[1:]))


def _numeric_words(ln: Line) -> int:
    """Numbers on a line, glyph runs that touch read as one token ('R' '10' '@1' is a name, not a number)."""
    tokens, prev = [], None
    for w in ln.words:
        if prev is not None and w.x0 - prev.x1 < 0.6:
            tokens[-1] += w.text
        else:
            tokens.append(w.text)
        prev = w
    return sum(bool(cell_values(t)) and not re.search(r"[A-Za-z]{2}|[A-Za-z]-?\d|@", t) for t in tokens)


def _row_cells(ln: Line, cuts: list[float], n: int, label: int) -> list[list[Word]]:
    """Words of a row by column; the row's label words stay together in the first column."""
    cells: list[list[Word]] = [[] for _ in range(n)]
    for i, w in enumerate(ln.words):
        k = column_of(w.mid, cuts)
        cells[0 if i < label and column_of(ln.words[0].mid, cuts) == 0 else k].append(w)
    return cells


def _stub_columns(grid: list[list[list[Word]]]) -> int:
    """Row-label columns: the first, and a second one when the first is an outer label printed once per group
    (blank below it) and the second is words in almost every row."""
    n = len(grid[0])
    if n < 3:
        return 1
    first = [bool(row[0]) for row in grid]
    second = [join_words(row[1]) for row in grid if any(row[2:])]
    wordy_first = sum(bool(re.search(r"[A-Za-z]{2}", join_words(row[0]))) for row in grid if row[0])
    printed_once = sum(first) >= 1 and first.count(False) >= 0.3 * len(grid)  # an outer label per group
    labels = sum(bool(t) for t in second) >= 0.7 * len(second) and sum(
        bool(re.search(r"[A-Za-z]{2}", t)) for t in second) >= 0.6 * len(second)
    # a third column of words too: the words are attributes of the rows (data), not a second label
    third = [join_words(row[2]) for row in grid if row[2]]
    attributes = bool(third) and sum(bool(re.search(r"[A-Za-z]{2}", t)) for t in third) >= 0.6 * len(third)
    every_row = wordy_first >= 0.9 * len(grid)  # two label columns filled on every row ('En-Fr' | 'EU proc.')
    filled = sum(bool(t) for t in second) >= 0.9 * len(second)  # under an outer label printed once, the next
    return 2 if (labels and every_row and not attributes) or (printed_once and filled) else 1  # column names rows


def _outer_by_block(body, grid, n_stub, rules, columns) -> dict[int, str]:
    """Outer labels set on lines of their own between their rows, where rules cut the body into blocks: each
    row takes the label of its block ('OntoNotes' centred beside its 'Sentence' and 'Char' rows)."""
    width = columns[-1][1] - columns[0][0]
    cuts = sorted(r.y for r in rules if r.x1 - r.x0 >= 0.8 * width and body[0].top < r.y < body[-1].bottom)
    if not cuts:
        return {}
    def block(ln):
        return sum(c < (ln.top + ln.bottom) / 2 for c in cuts)
    labels = {block(ln): _label(row[0]) for ln, row in zip(body, grid)
              if row[0] and not any(row[1:])}
    if not labels:
        return {}
    return {i: labels[block(ln)] for i, ln in enumerate(body) if block(ln) in labels}


def _cells(body, grid, n_stub, paths, columns, rotated, rules, settings):
    cells: list[ReadCell] = []
    doubts: list[str] = []
    label_x = min((row[n_stub - 1][0].x0 for row in grid if row[n_stub - 1]), default=0.0)
    group: str | None = None
    outer: str | None = None
    label: str | None = None
    parent: str | None = None
    row_index = -1
    prev_data_line = None
    blocks = _outer_by_block(body, grid, n_stub, rules, columns) if n_stub >= 2 else {}
    for i, (ln, row) in enumerate(zip(body, grid)):
        has_data = any(row[k] for k in range(n_stub, len(row)))
        if i in blocks:
            outer = blocks[i]
        if has_data and _cells_on(ln) == 1 and not _numeric_words(ln) and len(row) > n_stub + 1:
            group, parent = _label(ln.words), None  # a section row set across the value columns ("En-Fr")
            continue
        stub_words = [w for k in range(n_stub) for w in row[k]]
        if not has_data:
            if not stub_words:
                continue
            text = _label(stub_words)
            continuation = prev_data_line is not None and (text[:1].islower() or text[:1] in "(["
                                                           ) and ln.top - prev_data_line.bottom < 0.8 * ln.size
            if continuation and cells:
                label = f"{cells[-1].row} {text}"
                for c in cells:
                    if c.row_index == row_index:
                        c.row = label
            elif n_stub >= 2 and row[0] and not any(row[k] for k in range(1, n_stub)):
                if not blocks:
                    outer = text  # an outer label set between its rows (a vertically centred merged cell)
            else:
                group, parent = text, None
            continue
        row_index += 1
        if n_stub >= 2 and row[0]:
            outer = _label(row[0])
        inner_words = row[n_stub - 1]
        if inner_words:
            text = _label(inner_words)
            if inner_words[0].x0 - label_x >= settings.indent and label is not None and parent is None:
                parent = label
            elif inner_words[0].x0 - label_x < settings.indent:
                parent = None
            label = text
        row_group = _rotated_group(ln, rotated) or (outer if n_stub >= 2 else None) or (
            parent if parent and inner_words and inner_words[0].x0 - label_x >= settings.indent else None) or group
        for k in range(n_stub, len(row)):
            words = row[k]
            text = join_words(_no_marks(words, ln, settings))
            marks_text = join_words(words)
            clean, marks = split_marks(marks_text)
            cells.append(ReadCell(row=label or "", row_group=row_group, column=paths[k], text=marks_text,
                                  values=cell_values(clean or text), marks=marks,
                                  bold=any(w.bold for w in words) or _underlined(words, rules),
                                  row_index=row_index, column_index=k - n_stub))
        prev_data_line = ln
    return cells, doubts


def _label(words: list[Word]) -> str:
    """A label's words line by line, top to bottom ('GLAD' over '(Zhong et al., 2018)')."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in lines:  # a superscript overlaps its line
            top, bottom = min(x.top for x in line), max(x.bottom for x in line)
            if min(bottom, w.bottom) - max(top, w.top) > 0.3 * min(bottom - top, w.bottom - w.top):
                line.append(w)
                break
        else:
            lines.append([w])
    return split_marks(" ".join(join_words(line) for line in lines))[0]


def _join_split_labels(body: list[Line], grid, n_stub: int = 1):
    """A label printed on lines of its own around its row's numbers (the numbers vertically centred between
    'GLAD' and '(Zhong et al., 2018)') joins that row instead of reading as a section row."""
    def data(row):
        return any(row[n_stub:])

    def centre(ln):
        return (ln.top + ln.bottom) / 2

    keep = [True] * len(body)
    rows = [list(map(list, row)) for row in grid]
    labelled = [any(re.search(r"[A-Za-z]", w.text) for cell in row for w in cell) for row in rows]
    for i, (ln, row) in enumerate(zip(body, rows)):
        if data(row) or not row[n_stub - 1]:  # an outer label between its rows is a group, not a split label
            continue
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(body) and keep[j] and data(rows[j])
                and abs(centre(body[j]) - centre(ln)) < 0.75 * (ln.bottom - ln.top)]
        near = [j for j in near if not labelled[j] or j < i]
        if not near:
            continue
        j = min(near, key=lambda j: abs(centre(body[j]) - centre(ln)))
        for k in range(n_stub):
            rows[j][k] += row[k]
        labelled[j] = True
        keep[i] = False
    return [ln for ln, k in zip(body, keep) if k], [row for row, k in zip(rows, keep) if k]


def _no_marks(words, ln, settings):
    size = ln.size
    return [w for w in words if not (w.size < settings.mark_size * size and w.bottom < ln.bottom - 1.5)]


def _rotated_group(ln: Line, rotated: list[Word]) -> str | None:
    mid = (ln.top + ln.bottom) / 2
    for w in rotated:
        if w.top - 2 <= mid <= w.bottom + 2 and w.x1 <= ln.x0 + 2:
            return w.text
    return None


def _underlined(words: list[Word], rules: list[Rule]) -> bool:
    if not words:
        return False
    x0, x1, bottom = min(w.x0 for w in words), max(w.x1 for w in words), max(w.bottom for w in words)
    return any(bottom - 1 <= r.y <= bottom + 2.5 and abs(r.x0 - x0) < 3 and abs(r.x1 - x1) < 3 for r in rules)


# ------------------------------------------------------------------ page → tables


def read_page_tables(page, number: int, settings: TableSettings = TableSettings()) -> list[ReadTable]:
    """Every captioned table of one pdfplumber page."""
    words, rotated = page_words(page, settings)
    rules, verticals = page_rules(page, settings)
    lines = split_columns(group_lines(words), float(page.width))
    tables = []
    for i in find_captions(lines):
        band = column_band(lines[i], float(page.width))
        last = caption_block(lines, i, band)
        caption = " ".join(lines[j].text for j in range(i, last + 1) if _in_band(lines[j], band))
        m = CAPTION.match(caption)
        label = f"Table {m.group(2)}"
        rest = caption[m.end():].strip()
        region = table_region(lines, rules, i, last, band, settings)
        if region is None:
            tables.append(ReadTable(label, rest, number, (0, 0, 0, 0), [], uncertain=["no table found next to its caption"]))
            continue
        x0, top, x1, bottom = region
        inside = [w for w in words if x0 - 1 <= w.mid <= x1 + 1 and top - 1 <= (w.top + w.bottom) / 2 <= bottom + 1]
        cap_ids = {id(w) for j in range(i, last + 1) for w in lines[j].words}
        inside = [w for w in inside if id(w) not in cap_ids]
        table_lines = group_lines(inside)
        turned = [w for w in rotated if x0 - 30 <= w.mid <= x1 and top - 2 <= w.bottom and w.top <= bottom + 2]
        if not table_lines:
            tables.append(ReadTable(label, rest, number, region, [], uncertain=["no text in the table region"]))
            continue
        header_rows, header, cells, doubts = read_table(table_lines, turned, rules, verticals, region, settings)
        tables.append(ReadTable(label, rest, number, region, [ln.text for ln in table_lines], header_rows, header,
                                cells, doubts))
    return tables


# ------------------------------------------------------------------ PDF → TableBlocks

ENGINE = "pdfplumber"


def to_block(table: ReadTable) -> TableBlock:
    """The typed table (tables.jsonl) of one read table; offsets into the page text are set by the caller."""
    cells = [TableCell(row=c.row, row_group=c.row_group, column=c.column, text=c.text,
                       value=c.values[0] if c.values else None, values=c.values, marks=c.marks, bold=c.bold,
                       row_index=c.row_index, column_index=c.column_index) for c in table.cells]
    x0, top, x1, bottom = table.bbox
    return TableBlock(label=table.label, caption=table.caption, caption_page=table.page, page=table.page, start=0,
                      end=0, raw="\n".join(table.lines), header=table.header, header_rows=table.header_rows,
                      cells=cells,
                      uncertain=table.uncertain, bbox=[round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)])


def read_pdf_tables(path, pages: list[int], settings: TableSettings = TableSettings()) -> list[TableBlock]:
    """The captioned tables of the given 1-based pages of a PDF, read cell by cell (one page in memory at a time)."""
    import pdfplumber

    blocks: list[TableBlock] = []
    with pdfplumber.open(path) as pdf:
        for number in pages:
            if 1 <= number <= len(pdf.pages):
                page = pdf.pages[number - 1]
                blocks.extend(to_block(t) for t in read_page_tables(page, number, settings))
                page.close()
    return blocks


def merge_tables(pages, text_tables: list[TableBlock], read: list[TableBlock], read_pages: list[int]) -> list[TableBlock]:
    """The cell reader's tables, placed in the page text where the text reader found the same caption (offsets
    kept); the text reader's tables stay only on pages the cell reader did not read."""
    by_key = {(t.page, t.label): t for t in text_tables}
    texts = {p.page: p.text for p in pages}
    out = []
    for block in read:
        old = by_key.get((block.page, block.label))
        if old is not None:
            block = block.model_copy(update={"start": old.start, "end": old.end, "raw": old.raw,
                                             "caption_start": old.caption_start, "caption_end": old.caption_end,
                                             "caption": old.caption or block.caption})
        else:
            at = texts.get(block.page, "").find(block.label)
            if at >= 0:
                block = block.model_copy(update={"start": at, "end": at, "caption_start": at,
                                                 "caption_end": at + len(block.label)})
        out.append(block)
    out += [t for t in text_tables if t.page not in read_pages]
    return sorted(out, key=lambda t: (t.page, t.start))
