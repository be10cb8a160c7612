"""Numeric tables: the table lines of a page → cells with their row and column headers, caption linked.

A table is a block of table lines (number-heavy rows and the header lines above them). Rows are read right to
left: the trailing run of values ("20.6", "86.7/85.9", "5.8 ± 1.1", "300 000", "100 m", "-") lines up with
the last column headers; what is left of a row is its label. Header rows: the bottom one names the value
columns (from the runs' positions when the PDF has layout, else from its words); the rows above it are joined
on top ("BLEU / single") by position. A row with fewer values than columns is aligned right and its cells are
marked `confident: False`; rows and tables that cannot be lined up are listed in `TableBlock.uncertain` and get
no cells rather than guessed ones. Captions: the nearest "Table N:" caption below the table (ACL style) or
above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.core.models import TableBlock, TableCell
from synth.papers.parse.table_cells import cell_values

CAPTION = re.compile(r"^(?P<label>(?:Table|Tab\.|Figure|Fig\.)\s*(?:\d+|[A-Z]\.?\d+))\s*[:.|]\s*(?P<rest>.*)$")
NUMBER = re.compile(r"^[(\[]?[-+−–]?\d+(?:[.,]\d+)?%?[)\]]?(?:[*†‡]+)?$")
LINED_UP = "the header words do not line up with the value columns; column names are a guess"
PLUS_MINUS = re.compile(r"\s*±\s*\d+(?:\.\d+)?")
CAPTION_WINDOW = 4  # lines between a table block and its caption (plain text)
DASHES = frozenset({"-", "–", "—", "n/a", "N/A"})
PAIR = re.compile(r"^(?P<a>[-−]?\d+(?:\.\d+)?)/(?P<b>[-−]?\d+(?:\.\d+)?)$")
UNIT_AFTER = frozenset({"m", "k", "K", "M", "B", "%"})
SYMBOL_PREFIX = frozenset({"#", "%", "Δ", "∆"})


def is_number(token: str) -> bool:
    return bool(NUMBER.match(token))


def to_float(token: str) -> float:
    cleaned = token.strip("()[]*†‡%").replace("−", "-").replace("–", "-").replace(",", ".")
    return float(cleaned)


def is_numeric_row(line: str) -> bool:
    """A table row: ends in at least two numbers, and the numbers are at least 3 or half of the tokens."""
    tokens = PLUS_MINUS.sub("", line).split()  # "5.8 ± 1.1" is one value
    trailing = 0
    for token in reversed(tokens):
        if not is_number(token):
            break
        trailing += 1
    return trailing >= 2 and (trailing >= 3 or 2 * trailing >= len(tokens))


@dataclass
class Token:
    text: str
    x: float | None = None  # estimated left edge (PDF points) when the PDF has layout
    exact: bool = False  # x is where a run starts (not estimated from character counts)

    @property
    def value(self) -> bool:
        t = self.text
        if t.count("(") != t.count(")"):
            return False  # "2015)" closes a citation in a row label
        return t in DASHES or bool(PAIR.match(t)) or " ± " in t or _number_part(t) is not None


def _number_part(text: str) -> float | None:
    """The number a value token is worth ('300 000' → 300000, '100 m' → 100, '45.2%' → 45.2), else None."""
    t = text.replace(" ", "") if re.fullmatch(r"\d{1,3}(?: \d{3})+", text) else text.split(" ")[0]
    return to_float(t) if is_number(t) else None


def tokens(text: str, line=None) -> list[Token]:
    """Cell tokens of a row: words, with '300 000', '100 m', '5.8 ± 1.1' and '# tokens' kept together."""
    placed: list[Token] = []
    if line is not None and getattr(line, "cells", None) and line.size:
        glue = False
        for x, run in line.cells:  # each run starts at a known x; words inside it are estimated
            offset = 0
            words = run.split()
            for k, word in enumerate(words):
                if k == 0 and glue and placed and not run[:1].isspace():
                    placed[-1].text += word  # a word drawn in two fonts ("B" + "LEU" in small caps)
                else:
                    placed.append(Token(word, x + offset * 0.42 * line.size, k == 0))
                offset += len(word) + 1
            glue = bool(run) and not run[-1:].isspace()
    else:
        placed = [Token(word) for word in text.split()]
    merged: list[Token] = []
    for tok in placed:
        prev = merged[-1] if merged else None
        if prev is not None and (
                (re.fullmatch(r"\d{3}", tok.text) and _thousands_open(prev.text))
                or (tok.text in UNIT_AFTER and is_number(prev.text))
                or (prev.text.endswith(" ±") and is_number(tok.text))
                or (tok.text == "±" and is_number(prev.text))
                or prev.text in SYMBOL_PREFIX):
            prev.text = f"{prev.text} {tok.text}"
        else:
            merged.append(Token(tok.text, tok.x, tok.exact))
    return merged


def _thousands_open(text: str) -> bool:
    """Whether a 3-digit group can continue `text` as digit groups: '300' → '300 000', '1 750' → '1 750 000'
    ('300 000 500 000' is two numbers: only a one-digit lead takes a third group)."""
    return bool(re.fullmatch(r"\d{1,3}", text) or re.fullmatch(r"\d \d{3}", text))


def _split_values(toks: list[Token]) -> tuple[list[Token], list[Token]]:
    """(label tokens, trailing value tokens)."""
    k = len(toks)
    while k > 0 and toks[k - 1].value:
        k -= 1
    if k == 0 and toks:  # a row of values only: its first token is the label ("2019 81.3 ...")
        k = 1
    return toks[:k], toks[k:]


def _numbers(values: list[Token]) -> int:
    return sum(1 for v in values if v.text not in DASHES)


def read_grid(rows: list[tuple[str, object]]) -> tuple[list[str], list[list[str]], list[TableCell], list[str]]:
    """(header, header_rows, cells, uncertain) of one table's rows [(text, line-with-layout or None)]."""
    parsed = [(text, line, *_split_values(tokens(text, line))) for text, line in rows]
    data = [i for i, (_, _, _, values) in enumerate(parsed) if _numbers(values) >= 2]
    if not data:
        return [], [], [], ["no row with two or more numbers"]
    width = max(len(parsed[i][3]) for i in data)
    head_rows = [i for i in range(data[0]) if _numbers(parsed[i][3]) == 0][-3:]
    header_rows = [[t.text for t in tokens(rows[i][0], rows[i][1])] for i in head_rows]
    uncertain: list[str] = []
    if not head_rows:
        return [], [], [], ["no header row: the columns are unnamed"]
    bottom = tokens(rows[head_rows[-1]][0], rows[head_rows[-1]][1])
    columns, label_header = _value_columns(bottom, width)
    if columns is None:
        return [], header_rows, [], [f"the header has {len(bottom)} cells for {width} value columns"]
    if not _lined_up(columns, [parsed[i][3] for i in data if len(parsed[i][3]) == width]):
        uncertain.append(LINED_UP)
    paths = [[c.text] for c in columns]
    for i in reversed(head_rows[:-1]):  # rows above the bottom one group its columns ("BLEU" over two)
        _stack_upper(tokens(rows[i][0], rows[i][1]), columns, paths)
    names = [" / ".join(p) for p in paths]
    cells: list[TableCell] = []
    group: str | None = None
    for r, (text, _, label_toks, values) in enumerate(parsed):
        if r <= (head_rows[-1] if head_rows else -1):
            continue
        label = " ".join(t.text for t in label_toks)
        if _numbers(values) == 0:
            if len(text.split()) <= 4:
                group = text  # a group row ("Negation") labels the rows under it
            continue
        if len(values) > width or (len(values) < width and _numbers(values) < 2):
            uncertain.append(f"row {label!r}: {len(values)} values for {width} columns; not read")
            continue
        confident = len(values) == width and not uncertain[:1] == [LINED_UP]
        if len(values) != width:
            uncertain.append(f"row {label!r}: {len(values)} values for {width} columns, aligned right")
        offset = width - len(values)
        for k, tok in enumerate(values):
            c = offset + k
            cells.extend(_cells(tok, label, group, paths[c], r, c, confident))
    return [label_header, *names], header_rows, cells, uncertain


def _value_columns(bottom: list[Token], width: int) -> tuple[list[Token] | None, str]:
    """The header tokens of the value columns (the last `width` ones) and the label column's header."""
    if len(bottom) >= width + 1:
        return bottom[-width:], " ".join(t.text for t in bottom[:-width])
    if len(bottom) == width:
        return bottom, ""
    return None, ""


def _lined_up(columns: list[Token], full_rows: list[list[Token]]) -> bool:
    """Where both a header word and a value of its column start a run (exact x), they sit near each other."""
    for c, head in enumerate(columns):
        if not head.exact:
            continue
        xs = [row[c].x for row in full_rows if row[c].exact and row[c].x is not None]
        if xs and min(abs(head.x - x) for x in xs) > 30:
            return False
    return True


def _stack_upper(upper: list[Token], columns: list[Token], paths: list[list[str]]) -> None:
    """Put each upper header cell on the value columns it sits over (nearest centre; by count without layout)."""
    if not upper:
        return
    if any(t.x is None for t in upper) or any(c.x is None for c in columns):
        if len(upper) == len(columns):
            for path, tok in zip(paths, upper):
                path.insert(0, tok.text)
        return
    spans = _header_spans(upper)
    for path, col in zip(paths, columns):
        best = min(spans, key=lambda s: abs(s[1] - col.x))
        if abs(best[1] - col.x) <= best[2] + 20:
            path.insert(0, best[0])


def _header_spans(upper: list[Token]) -> list[tuple[str, float, float]]:
    """Upper header words grouped into cells by the gaps between them: (text, centre x, half width)."""
    cells: list[list[Token]] = []
    for tok in upper:
        if cells and tok.x - (cells[-1][-1].x + 4.5 * len(cells[-1][-1].text)) < 9:
            cells[-1].append(tok)
        else:
            cells.append([tok])
    out = []
    for group in cells:
        left, right = group[0].x, group[-1].x + 4.0 * len(group[-1].text)
        out.append((" ".join(t.text for t in group), (left + right) / 2, (right - left) / 2))
    return out


def _cells(tok: Token, label: str, group: str | None, path: list[str], r: int, c: int,
           confident: bool) -> list[TableCell]:
    """The cell of one value token ('86.7/85.9' is one cell with two values); dashes keep an empty cell."""
    values = [] if tok.text in DASHES else cell_values(tok.text)
    if tok.text not in DASHES and not values:
        return []
    return [TableCell(row=label, row_group=group, column=path, text=tok.text, value=values[0] if values else None,
                      values=values, row_index=r, column_index=c, confident=confident)]


def find_tables(page: int, text: str, table_lines: list, captions: list) -> list[TableBlock]:
    """Table blocks of one page: its table lines grouped by block, read into cells, with their captions.

    `table_lines`: (start, end, Placed) per line in page-text order; `captions`: (start, end, first Placed, last
    Placed) per caption segment (see synth.papers.parse.assemble.PageText)."""
    groups: list[list[tuple[int, int, object]]] = []
    for start, end, item in table_lines:
        if groups and _same_region(groups[-1][-1][2], item):
            groups[-1].append((start, end, item))
        else:
            groups.append([(start, end, item)])
    used: set[int] = set()
    blocks: list[TableBlock] = []
    for group in groups:
        rows = [(text[a:b], item.line if item.line.has_layout else None) for a, b, item in group]
        grid = sum(is_numeric_row(row) for row, _ in rows) >= 2
        found = _caption(group, captions, used)
        if not grid and found is None:
            continue  # figure text, or lines that are not a table
        if grid:
            header, header_rows, cells, uncertain = read_grid(rows)
            if not cells and found is None:
                continue  # numbers in a figure, not a table
        else:
            header, header_rows, cells = [], [], []
            uncertain = ["not a grid of numbers under one header row (text cells, icons or merged rows); raw only"]
        label = caption = None
        cap_start = cap_end = None
        if found is not None:
            used.add(found)
            cap_start, cap_end = captions[found][0], captions[found][1]
            m = CAPTION.match(text[cap_start:cap_end])
            label, caption = _label(m["label"]), m["rest"].strip()
        start, end = group[0][0], group[-1][1]
        blocks.append(TableBlock(
            label=label, caption=caption or "", caption_page=page if found is not None else None,
            caption_start=cap_start, caption_end=cap_end, page=page, start=start, end=end, raw=text[start:end],
            header=header, header_rows=header_rows, cells=cells, uncertain=uncertain, bbox=_bbox(group)))
    return blocks


def _same_region(prev, item) -> bool:
    """Lines of one table: the same block, or (with layout) the next block just below, overlapping it."""
    if prev.block == item.block:
        return True
    a, b = prev.line, item.line
    if not (a.has_layout and b.has_layout) or item.block != prev.block + 1:
        return False
    size = max(a.size or 0, b.size or 0)
    return 0 < a.y - b.y <= 2.5 * size and b.x0 <= a.x1 and b.x1 >= a.x0


def _caption(group: list, captions: list, used: set[int]) -> int | None:
    """Index of the nearest unused 'Table N' caption: below the table first (ACL style), else above it."""
    first, last = group[0][2], group[-1][2]
    best: tuple[float, int] | None = None
    for i, (_, _, cap_first, cap_last) in enumerate(captions):
        if i in used or not cap_first.line.text.startswith(("Table", "Tab")):
            continue
        if first.line.has_layout and cap_first.line.has_layout:
            below = last.line.y - cap_first.line.y
            above = cap_last.line.y - first.line.y
            if not _overlap(group, cap_first):
                continue
            distance = below if below > 0 else (above + 0.5 if above > 0 else None)
            limit = 90.0
        else:
            after = cap_first.order - last.order
            before = first.order - cap_last.order
            distance = after if after > 0 else (before + 0.5 if before > 0 else None)
            limit = CAPTION_WINDOW + 0.5
        if distance is not None and distance <= limit and (best is None or distance < best[0]):
            best = (distance, i)
    return best[1] if best else None


def _overlap(group: list, caption) -> bool:
    xs = [item.line.x0 for _, _, item in group] + [item.line.x1 for _, _, item in group]
    return caption.line.x0 <= max(xs) and caption.line.x1 >= min(xs)


def _bbox(group: list) -> list[float] | None:
    lines = [item.line for _, _, item in group]
    if not all(line.has_layout for line in lines):
        return None
    size = max(line.size or 0 for line in lines)
    return [round(min(ln.x0 for ln in lines), 1), round(min(ln.y for ln in lines), 1),
            round(max(ln.x1 for ln in lines), 1), round(max(ln.y for ln in lines) + size, 1)]


def _label(label: str) -> str:
    number = re.sub(r"^(?:Table|Tab\.)\s*", "", label)
    return f"Table {number}"
