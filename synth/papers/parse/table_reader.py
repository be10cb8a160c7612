"""Tables read cell by cell from a PDF page's characters and ruling lines (pdfplumber), one small step each:

captions ("Table 3:") → the table's region (the rules chained from the caption, or the non-prose lines next to
it) → text lines (words clustered by vertical overlap, so sub- and superscripts stay on their line) → value
columns (x-ranges that no body word crosses) → header paths (header words placed over the columns they cover;
spanning headers and cmidrules give multi-level paths) → rows (stub label, row group from section rows, rotated
labels, indentation or an outer stub column) → cells (text, marks, numbers, bold).

Every knob is in `TableSettings`. A table whose body cannot be laid out in columns is returned with no cells and
the reason in `uncertain`, never as an empty grid. The steps live in table_page (words, rules, lines),
table_region (caption → region), table_grid (columns, header paths) and here (rows, cells, the entry points).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field, replace

from synth.core.models import TableBlock, TableCell
from synth.papers.parse.table_cells import cell_values, split_marks
from synth.papers.parse.table_page import (
    BARE_NUMBER, CAPTION, Line, Rule, TableSettings, Word, cells_on, group_lines, join_words, numbered_header,
    numeric_words, page_rules, page_words, turned_upright,
)
from synth.papers.parse.table_region import (
    caption_block, column_band, find_captions, in_band, split_columns, table_region,
)
from synth.papers.parse.table_grid import (
    SPREAD, boundaries, column_of, header_paths, label_run, merge_text_columns, value_columns,
)


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


def read_table(lines: list[Line], rotated: list[Word], rules: list[Rule], verticals: list[float],
               region: tuple[float, float, float, float], settings: TableSettings):
    """Header rows as read, header (stub header + joined column paths), cells and doubts of one table."""
    x0, top, x1, bottom = region
    subs = _sub_tables(lines, rules, region)
    halves = _side_by_side(lines, settings)
    if subs is not None:  # sub-tables (a) and (b) set side by side under one caption, each with its own rules
        left, right = (read_table(sub, rotated, rules, verticals, box, settings) for sub, box in subs)
    elif halves is not None:  # 'Parameter Value Parameter Value': the right half's rows continue the left half's
        left, right = (read_table(half, rotated, rules, verticals, region, settings) for half in halves)
    if subs is not None or halves is not None:
        shift = 1 + max((c.row_index for c in left[2]), default=-1)
        moved = [replace(c, row_index=c.row_index + shift) for c in right[2]]
        return left[0], left[1], left[2] + moved, list(dict.fromkeys(left[3] + right[3]))
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
    # a header line is split only by the vertical rules that cross it (a grid's spanning cell has none inside)
    header_verticals = [sorted({round(x, 1) for x, a, b in segments if a - 1 <= (ln.top + ln.bottom) / 2 <= b + 1})
                        for ln in header]
    rows, grid, n_stub = _grid(body, columns, verticals, settings)
    paths, stub_header, header_rows = header_paths(header, columns, rules, header_verticals, n_stub, settings)
    if n_stub == 1 and len(columns) > 2 and not paths[1] and _label_runs_on(rows, grid, settings):
        columns = [(columns[0][0], columns[1][1]), *columns[2:]]  # 'LLaMA-2 | 7B' under 'Model': one label
        rows, grid, n_stub = _grid(body, columns, verticals, settings)
        paths, stub_header, header_rows = header_paths(header, columns, rules, header_verticals, n_stub, settings)
    body = rows
    _turned_headers(paths, rotated, body, columns, n_stub)
    cells = _cells(body, grid, n_stub, paths, stub_header, columns, rotated, rules, settings)
    doubts = [] if any(paths[k] for k in range(n_stub, len(columns))) else ["no header row: the columns are unnamed"]
    header = [stub_header or "", *(" / ".join(paths[k]) for k in range(n_stub, len(columns)))]
    return header_rows, header, cells, doubts


def _grid(body: list[Line], columns, verticals: list[float], settings: TableSettings):
    """The body's rows (split labels and stacked spreads joined), their words by column, and how many columns
    name the rows."""
    cuts = boundaries(columns)
    # a row of several cells (set at least two word spaces apart: tight columns sit closer than an em) keeps its
    # label's words together
    grid = [_row_cells(ln, cuts, len(columns), label_run(ln, verticals, settings) if cells_on(
        ln, 2 * settings.word_gap_em) >= 2 else 0) for ln in body]
    body, grid = _wrapped_cells(*_join_split_labels(*_stacked_spreads(body, grid)))
    n_stub = _stub_columns(grid)
    return body, [_spanning_cells(ln, row, columns, n_stub, settings) for ln, row in zip(body, grid)], n_stub


_ENUMERATOR = re.compile(r"\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[).:]?|#\d{1,2}")  # '(1)', '2.', 'a)', '(iv)', '#3'


def _wrapped_cells(body: list[Line], grid):
    """Sentences wrapped inside the cells of an examples table ('(1) | I can't believe they cancelled | 0.83' over
    '| the show after one season, ab-'): a line with no label and no number, under a row numbered by an
    enumerator, continues the cells of that row it has words in."""
    keep = [True] * len(body)
    rows = [list(map(list, row)) for row in grid]
    numbered = [i for i, row in enumerate(rows) if row[0] and _ENUMERATOR.fullmatch(join_words(row[0]))]
    if len(numbered) < 2 or len(numbered) < 0.3 * len(rows):
        return body, grid
    last = None
    for i, row in enumerate(rows):
        filled = [k for k in range(len(row)) if row[k]]
        if i in numbered:
            last = i
        elif last is not None and filled and filled[0] > 0 and all(
                rows[last][k] and not cell_values(join_words(row[k])) for k in filled):
            for k in filled:
                rows[last][k] += row[k]
            keep[i] = False
    return [ln for ln, k in zip(body, keep) if k], [row for row, k in zip(rows, keep) if k]


def _label_runs_on(body: list[Line], grid, settings: TableSettings) -> bool:
    """The column after the labels has no header and its words follow the label on most rows, at word spacing
    (a size after a name, 'LLaMA-2 7B') or, holding no number, at the stretched spaces of a label justified in a
    paragraph column ('Multilingual   BERT'): it is the rest of the label."""
    pairs = [(ln, row[0], row[1]) for ln, row in zip(body, grid) if row[0] and row[1]]
    wordy = all(not cell_values(join_words(row[1])) for row in grid if row[1])
    return len(pairs) >= max(2, 0.6 * sum(bool(row[1]) for row in grid)) and (wordy or all(
        min(w.x0 for w in b) - max(w.x1 for w in a) <= 2 * settings.word_gap_em * ln.em + 0.6 for ln, a, b in pairs))


def _turned_headers(paths: list[list[str]], rotated: list[Word], body: list[Line], columns, n_stub: int) -> None:
    """Headers printed turned (\\rotatebox{90}) above narrow value columns: the lowest level of the column they
    stand over."""
    top = body[0].top
    cuts = boundaries(columns)
    above = [w for w in rotated if w.bottom <= top + 1 and columns[0][0] - 2 <= w.mid <= columns[-1][1] + 2]
    for k in range(n_stub, len(columns)):
        over = [w for w in above if column_of(w.mid, cuts) == k]
        if over:
            text = " ".join(w.text for w in sorted(over, key=lambda w: -w.bottom))
            if text not in paths[k]:
                paths[k].append(text)


def _runs(words: list[Word], em: float, settings: TableSettings) -> list[list[Word]]:
    """Words in x order grouped into runs at word spacing (a gap up to a space of `em`)."""
    runs: list[list[Word]] = []
    for w in words:
        if runs and w.x0 - runs[-1][-1].x1 <= settings.word_gap_em * em + 0.6:
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


SUBCAPTION = re.compile(r"^\([a-z]\)\s")


def _sub_tables(lines: list[Line], rules: list[Rule], region):
    """Two tables side by side in one float (sub-tables): an empty gutter at least 2.5 em wide near the middle
    that no rule crosses, with rules of their own on both sides. Each side's lines (its sub-caption, '(a) ...',
    left out) and x-range, or None."""
    x0, top, x1, bottom = region
    words = [w for ln in lines for w in ln.words]
    em = statistics.median(w.size for w in words)
    inside = [r for r in rules if top - 1 <= r.y <= bottom + 1 and r.x1 > x0 and r.x0 < x1]
    spans = sorted((w.x0, w.x1) for w in words)
    reach = spans[0][1]
    for a, b in spans[1:]:
        g0, g1 = reach, a
        reach = max(reach, b)
        if g1 - g0 < 2.5 * em or not x0 + 0.2 * (x1 - x0) < (g0 + g1) / 2 < x1 - 0.2 * (x1 - x0):
            continue
        left = [r for r in inside if r.x1 < g1]  # a rule runs a little past its table's text
        right = [r for r in inside if r.x0 > g0]
        if any(r.x0 < g0 and r.x1 > g1 for r in inside) or len(left) < 2 or len(right) < 2:
            continue
        sides = [[ln for ln in group_lines([w for w in words if keep(w)]) if not SUBCAPTION.match(ln.text)]
                 for keep in (lambda w: w.x1 <= g0 + 0.5, lambda w: w.x0 >= g1 - 0.5)]
        return (sides[0], (x0, top, g0, bottom)), (sides[1], (g1, top, x1, bottom))
    return None


def _side_by_side(lines: list[Line], settings: TableSettings) -> tuple[list[Line], list[Line]] | None:
    """A table printed as two halves side by side under one header said twice ('Parameter Value Parameter
    Value'): the lines of each half, or None. No word may straddle the seam."""
    if len(lines) < 2:
        return None
    head = lines[0]
    phrases = _runs(head.words, head.em, settings)
    texts = [join_words(p) for p in phrases]
    n = len(texts)
    if n < 4 or n % 2 or texts[:n // 2] != texts[n // 2:]:
        return None
    seam = phrases[n // 2][0].x0 - 0.5
    words = [w for ln in lines for w in ln.words]
    if any(w.x0 < seam < w.x1 for w in words):
        return None
    return group_lines([w for w in words if w.x1 <= seam]), group_lines([w for w in words if w.x0 >= seam])


def _header_split(lines: list[Line], inner: list[Rule]) -> int:
    """Number of header lines: those above the last full-width rule before the first line of numbers (a header
    may have rules of its own), else those above the first line of numbers; a table of words: those above its
    first full-width rule with text on both sides."""
    first_numbers = next((i for i, ln in enumerate(lines) if numeric_words(ln) >= 2 and not numbered_header(ln)
                          and not _named_versions(ln)), None)
    if first_numbers == 0:  # numbers in the header itself ('125M 350M 1.3B', 'SQuAD 1.1'): the first inner rule
        for r in inner:      # with a short header above it and the body below it splits them
            above = sum(ln.bottom <= r.y + 1 for ln in lines)
            if 0 < above <= min(3, len(lines) // 2) and _header_like(lines[:above]):
                return above
    if first_numbers is not None:
        first = lines[first_numbers]
        above = [sum(ln.bottom <= r.y + 1 for ln in lines) for r in inner if r.y <= (first.top + first.bottom) / 2]
        above = sorted({a for a in above if 0 < a <= first_numbers})
        if not above:
            return first_numbers
        split = above[0]
        for a in above[1:]:  # header lines between rules have several cells; a section row ("En-Fr") has one
            if all(cells_on(ln) < 2 for ln in lines[split:a]):
                break
            split = a
        return split
    for r in inner:
        above = sum(ln.bottom <= r.y + 1 for ln in lines)
        if 0 < above < len(lines):
            return above
    return 0


def _named_versions(ln: Line) -> bool:
    """A line whose every number follows a name at word spacing ('SQuAD 2.0 NQ SQuAD 2.0 NQ'): dataset names
    with their versions, a header line, not a row of values."""
    pairs = list(zip(ln.words, ln.words[1:]))
    numbers = [(a, b) for a, b in pairs if BARE_NUMBER.fullmatch(b.text)]
    return len(numbers) >= 2 and not BARE_NUMBER.fullmatch(ln.words[0].text) and all(
        re.search(r"[A-Za-z]{2}", a.text) and b.x0 - a.x1 <= TableSettings.word_gap_em * ln.em + 0.6
        for a, b in numbers)


def _header_like(lines: list[Line]) -> bool:
    """No line reads as a body row (a word label followed by numbers only)."""
    return all(not numeric_words(ln) or not re.search(r"[A-Za-z]{2}", ln.words[0].text) or numeric_words(ln) <
               len(ln.words) - 1 for ln in lines)


def _row_cells(ln: Line, cuts: list[float], n: int, label: int) -> list[list[Word]]:
    """Words of a row by column; the row's label words stay together in the column the label starts in (a
    sub-row label of a second stub column: '+char+bichar LSTM')."""
    cells: list[list[Word]] = [[] for _ in range(n)]
    start = column_of(ln.words[0].mid, cuts) if ln.words else 0
    for i, w in enumerate(ln.words):
        k = column_of(w.mid, cuts)
        cells[start if i < label and (start == 0 or k == start + 1) else k].append(w)
    return cells


def _spanning_cells(ln: Line, row: list[list[Word]], columns, n_stub: int, settings: TableSettings):
    """A value set across columns (\\multicolumn) is the cell of each column it spans: words at word spacing,
    one of them a word, that cover the middles of two or more columns ('did not converge'), or one value centred in
    the gap between two columns (a number shared by both)."""
    values = [w for k in range(n_stub, len(row)) for w in row[k]]
    out = [list(cell) for cell in row]
    for words in _runs(values, ln.em, settings):
        x0, x1 = words[0].x0, words[-1].x1
        covered = [k for k in range(n_stub, len(columns)) if x0 <= (columns[k][0] + columns[k][1]) / 2 <= x1]
        wordy = len(words) == 1 or any(re.search(r"[A-Za-z]{2}", w.text) for w in words)
        between = [k for k in range(n_stub, len(columns) - 1)
                   if columns[k][1] - 1 <= x0 and x1 <= columns[k + 1][0] + 1]
        spans = covered if len(covered) >= 2 and wordy else ([between[0], between[0] + 1] if between else [])
        if spans:
            for k in range(n_stub, len(out)):
                out[k] = [w for w in out[k] if w not in words]
            for k in spans:
                out[k] += words
    return out


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
    firsts = [join_words(row[0]) for row in grid if row[0]]
    # two label columns filled on every row, the first repeating ('En-Fr' | 'EU proc.', 'En-Fr' | 'UN proc.'): only
    # the pair names a row. A first column of distinct names names its rows alone ('XNLI' | 'NLI' is a name and its
    # task), and the words beside it are data.
    every_row = wordy_first >= 0.9 * len(grid) and len(set(firsts)) < len(firsts)
    filled = sum(bool(t) for t in second) >= 0.9 * len(second)  # under an outer label printed once, the next
    # column names rows. Beside a name printed on every row, a column of quantities ('16GB', '110M') is data.
    quantities = sum(bool(re.match(r"[<>~≈]?\d", t)) for t in second if t) >= 0.5 * max(1, sum(map(bool, second)))
    return 2 if (labels and every_row and not attributes and not quantities) or (printed_once and filled) else 1


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


def _outer_by_centre(body, grid, n_stub) -> dict[int, str]:
    """Outer labels vertically centred on their rows (a multirow cell), told apart from labels set on the first
    row of their group by the first data row having none: each data row takes the nearest outer label."""
    def data(row):
        return any(row[k] for k in range(n_stub, len(row)))

    rows = [i for i, row in enumerate(grid) if data(row)]
    if not rows or grid[rows[0]][0]:
        return {}  # the first row carries its label: labels open their groups
    mid = [(ln.top + ln.bottom) / 2 for ln in body]
    placed = [(mid[i], _label(row[0])) for i, row in enumerate(grid) if row[0]]
    if not placed:
        return {}
    return {i: min(placed, key=lambda p: (abs(p[0] - mid[i]), -p[0]))[1] for i in rows}


def _cells(body, grid, n_stub, paths, stub_header, columns, rotated, rules, settings) -> list[ReadCell]:
    """The body's cells, row by row: label, group (section row, outer label, indented parent, rotated label)."""
    cells: list[ReadCell] = []
    label_x = min((row[n_stub - 1][0].x0 for row in grid if row[n_stub - 1]), default=0.0)
    group: str | None = None
    outer: str | None = None
    label: str | None = None
    parent: str | None = None
    row_index = -1
    prev_data_line = None
    blocks = _outer_by_block(body, grid, n_stub, rules, columns) if n_stub >= 2 else {}
    if n_stub >= 2 and not blocks:
        blocks = _outer_by_centre(body, grid, n_stub)
    for i, (ln, row) in enumerate(zip(body, grid)):
        has_data = any(row[k] for k in range(n_stub, len(row)))
        if i in blocks:
            outer = blocks[i]
        if has_data and cells_on(ln) == 1 and not numeric_words(ln) and len(row) > n_stub + 1:
            group, parent = _label(ln.words), None  # a section row set across the value columns ("En-Fr")
            continue
        stub_words = [w for k in range(n_stub) for w in row[k]]
        if has_data and stub_header and stub_words and _label(stub_words).casefold() == stub_header.casefold():
            # the header repeated over a stacked sub-table ('Model 1 2 3 ≥4' under '(b)'): it names the columns
            # of the rows under it
            paths = [[_text(row[k])] if row[k] else paths[k] for k in range(len(row))]
            continue
        if not has_data:
            if not stub_words:
                continue
            text = _label(stub_words)
            opened = bool(cells) and cells[-1].row.count("(") > cells[-1].row.count(")") and ")" in text
            continuation = prev_data_line is not None and (text[:1].islower() or text[:1] in "([" or opened
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
        if n_stub >= 2 and row[0] and i not in blocks:
            outer = _label(row[0])
        inner_words = row[n_stub - 1]
        if inner_words:
            text = _label(inner_words)
            if inner_words[0].x0 - label_x >= settings.indent and label is not None and parent is None:
                parent = label
            elif inner_words[0].x0 - label_x < settings.indent:
                parent = None
            label = text
        row_group = _rotated_group(ln, rotated, rules) or (outer if n_stub >= 2 else None) or (
            parent if parent and inner_words and inner_words[0].x0 - label_x >= settings.indent else None) or group
        for k in range(n_stub, len(row)):
            words = row[k]
            text = _text(_no_marks(words, ln, settings))
            marks_text = _text(words)
            clean, marks = split_marks(marks_text)
            cells.append(ReadCell(row=label or "", row_group=row_group, column=paths[k], text=marks_text,
                                  values=cell_values(clean or text), marks=marks,
                                  bold=any(w.bold for w in words) or _underlined(words, rules),
                                  row_index=row_index, column_index=k - n_stub))
        prev_data_line = ln
    return cells


def _label(words: list[Word]) -> str:
    """A label's words line by line, top to bottom ('GLAD' over '(Zhong et al., 2018)'), without a footnote
    mark raised after it ('splitting⁴', 'Delexᵃ'; a name's own superscript, 'R³', stays)."""
    return split_marks(_text([w for w in words if not _footnote_number(w, words)]))[0]


def _text(words: list[Word]) -> str:
    """Words of a cell line by line, top to bottom (a cell printed on two lines: '73.2' over '(0.5)')."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in lines:  # a superscript overlaps its line
            top, bottom = min(x.top for x in line), max(x.bottom for x in line)
            if min(bottom, w.bottom) - max(top, w.top) > 0.3 * min(bottom - top, w.bottom - w.top):
                line.append(w)
                break
        else:
            lines.append([w])
    text = " ".join(join_words(line) for line in lines)
    return re.sub(r"(?<=[a-z])- (?=[a-z])", "", text) if len(lines) > 1 else text  # 'ab- solutely': absolutely


def _stacked_spreads(body: list[Line], grid):
    """A spread printed under its value (a two-line cell: '73.2' over '(0.5)') joins its value's cell, and the
    label printed between the two lines (centred on the cell) is that row's label."""
    keep = [True] * len(body)
    rows = [list(map(list, row)) for row in grid]

    def filled(row):
        return [k for k in range(1, len(row)) if row[k]]

    for i, row in enumerate(rows):
        if row[0] or not filled(row) or not all(SPREAD.fullmatch(join_words(row[k])) for k in filled(row)):
            continue
        above = [j for j in range(i) if keep[j] and filled(rows[j])]
        if not above or filled(rows[above[-1]]) != filled(row):
            continue
        j = above[-1]
        between = [m for m in range(j + 1, i) if keep[m] and rows[m][0]]
        if len(between) > 1 or between and rows[j][0]:
            continue
        for k in filled(row):
            rows[j][k] += row[k]
        keep[i] = False
        for m in between:
            rows[j][0] += rows[m][0]
            keep[m] = False
    return [ln for ln, k in zip(body, keep) if k], [row for row, k in zip(rows, keep) if k]


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


def _footnote_number(w: Word, words: list[Word]) -> bool:
    """A footnote number raised after a lower-case word ('splitting⁴'), or a raised letter after a name
    ('Delexᵃ', 'McProjᵇ': a mark the caption explains)."""
    before = [v for v in words if v is not w and abs(v.x1 - w.x0) < 0.6]
    raised = bool(before) and w.size < TableSettings.mark_size * before[0].size and w.bottom < before[0].bottom - 1.5
    return raised and (w.text.isdigit() and re.fullmatch(r"[a-z]{4,}", before[0].text) is not None
                       or re.fullmatch(r"[a-z]\)?", w.text) is not None and re.search(r"[A-Za-z]{2}$", before[0].text)
                       is not None)


def _no_marks(words, ln, settings):
    size = ln.size
    return [w for w in words if not (w.size < settings.mark_size * size and w.bottom < ln.bottom - 1.5)]


def _rotated_group(ln: Line, rotated: list[Word], rules: list[Rule]) -> str | None:
    """The turned label left of a row that is nearest to it with no rule between (a \\multirow group label is
    centred on its block, shorter than the block)."""
    mid = (ln.top + ln.bottom) / 2

    def distance(w: Word) -> float:
        return max(w.top - mid, mid - w.bottom, 0.0)

    left = [w for w in rotated if w.x1 <= ln.x0 + 2 and distance(w) <= 4 * ln.size and not any(
        r.x0 <= w.x1 and r.x1 >= ln.x0 and min(mid, (w.top + w.bottom) / 2) < r.y < max(mid, (w.top + w.bottom) / 2)
        and not w.top <= r.y <= w.bottom for r in rules)]
    return min(left, key=distance).text if left else None


def _underlined(words: list[Word], rules: list[Rule]) -> bool:
    if not words:
        return False
    x0, x1, bottom = min(w.x0 for w in words), max(w.x1 for w in words), max(w.bottom for w in words)
    return any(bottom - 1 <= r.y <= bottom + 2.5 and abs(r.x0 - x0) < 3 and abs(r.x1 - x1) < 3 for r in rules)


def read_page_tables(page, number: int, settings: TableSettings = TableSettings()) -> list[ReadTable]:
    """Every captioned table of one pdfplumber page (a page set turned, a sidewaystable, read turned back)."""
    page = turned_upright(page)
    words, rotated = page_words(page, settings)
    rules, verticals = page_rules(page, settings)
    lines = split_columns(group_lines(words), float(page.width))
    tables = []
    for i in find_captions(lines):
        band = column_band(lines[i], float(page.width))
        last = caption_block(lines, i, band)
        caption = " ".join(lines[j].text for j in range(i, last + 1) if in_band(lines[j], band))
        m = CAPTION.match(caption)
        label = f"Table {m.group(2)}"
        rest = caption[m.end():].strip()
        region = table_region(lines, rules, i, last, band, settings)
        if region is None:
            tables.append(ReadTable(label, rest, number, (0, 0, 0, 0), [],
                                    uncertain=["no table found next to its caption"]))
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


ENGINE = "pdfplumber"  # named in ParsedPaper.parser when the cell reader ran


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


def merge_tables(pages, text_tables: list[TableBlock], read: list[TableBlock],
                 read_pages: list[int]) -> list[TableBlock]:
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
