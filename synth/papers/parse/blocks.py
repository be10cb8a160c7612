"""What each line of a page is, before the text is assembled: running text, a caption, a footnote, a figure or
table region, or a table row.

With layout (font size and position per line) a page is cut into blocks: consecutive lines in the content
stream with the same font size, in the same column, with line spacing between them. A block is then
  * a caption when it starts "Table N:" / "Figure N:" / "Algorithm N";
  * a footnote when it is set smaller than the body text at the foot of a column, under body text, and is
    short (or opens with a raised marker);
  * running text when it is set at the body size, or slightly smaller and reads as prose (abstracts, reference
    lists, quotes);
  * a table when its lines are number-heavy rows, and otherwise figure or table text ("float"): smaller type
    that does not read as prose, type much larger than the body (figures drawn as embedded pages), rotated text;
  * figure text too when it is set off the text grid: body-size lines that start far from every column's left
    edge (boxes and labels of a diagram, text drawn inside an embedded figure, whose coordinates need not be
    the page's), a block of three or more such lines or of short labels; or a line that starts in the margin.
Without layout (plain text input) the older line rules decide: numeric rows are tables, "Table N:" starts a
caption, a digit glued to a capital starts a footnote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.papers.parse.layout import Columns, Line
from synth.papers.parse.tables import CAPTION, is_numeric_row

FOOTNOTE_TEXT = re.compile(r"^\d{1,2}(?:[A-Z][a-z]|https?://)")  # text-only input: "1See https://..."
ALGORITHM = re.compile(r"^Algorithm \d+\b")
WORD = re.compile(r"[A-Za-z][a-z]+")


@dataclass
class Block:
    lines: list[Line]
    column: int
    role: str = "text"  # text | caption | footnote | float | table

    @property
    def size(self) -> float | None:
        return self.lines[0].size


def _same_block(prev: Line, line: Line, columns: Columns) -> bool:
    if prev.size is None or line.size is None or abs(prev.size - line.size) > 0.3:
        return False
    gap = prev.y - line.y
    if not 0 < gap <= 1.6 * line.size:
        return False
    a, b = columns.index(prev), columns.index(line)
    return a == b or -1 in (a, b)


def page_blocks(lines: list[Line], columns: Columns) -> list[Block]:
    """Consecutive same-size lines with ordinary line spacing, in content-stream order."""
    blocks: list[Block] = []
    for line in lines:
        if blocks and _same_block(blocks[-1].lines[-1], line, columns):
            blocks[-1].lines.append(line)
        else:
            blocks.append(Block([line], columns.index(line)))
    return blocks


def _prose(block: Block) -> bool:
    """Lines of running words (not table cells, axis labels or code): most lines hold five or more words."""
    wordy = 0
    for line in block.lines:
        tokens = line.text.split()
        words = sum(1 for t in tokens if WORD.match(t))
        wordy += len(tokens) >= 5 and words >= 0.6 * len(tokens) and not is_numeric_row(line.text)
    return wordy >= max(1, 0.6 * len(block.lines))


def _numeric(block: Block) -> bool:
    return sum(is_numeric_row(line.text) for line in block.lines) >= max(2, 0.5 * len(block.lines))


def classify_blocks(blocks: list[Block], body: float, page_height: float, columns: Columns,
                    first_page: bool = False, front_above: float | None = None) -> None:
    """Set each block's role from its type size, position and content (see the module docstring)."""
    grid = _grid_lines(blocks, columns)
    for i, block in enumerate(blocks):
        first = block.lines[0]
        size = block.size or body
        if CAPTION.match(first.text) or ALGORITHM.match(first.text):
            block.role = "caption"
        elif not first.upright or size > 1.8 * body or first.y > page_height or first.y < 0:
            block.role = "float"
        elif _off_grid(block, body, page_height, columns, first_page, front_above, grid) and not _in_a_row(
                i, blocks, body):
            block.role = "float"
        elif _numeric(block):
            block.role = "table"
        elif not first_page and _large_labels(block, body):
            block.role = "float"
        elif abs(size - body) <= 0.4 or size > body:
            block.role = "text"
        elif _footnote(block, i, blocks, body, page_height, columns):
            block.role = "footnote"
        elif size >= 0.85 * body and _prose(block):
            block.role = "text"
        else:
            block.role = "float"


OFF_GRID = 30.0  # points from the nearest column's left edge (paragraph indents and bullets stay well inside)
MARGIN = 20.0  # points left of the leftmost column


def _grid_lines(blocks: list[Block], columns: Columns) -> list[tuple[Line, int, float]]:
    """(line, column, baseline) of the lines of three or more words that start on a column's left edge: the
    running text's rows."""
    if len(columns.lefts) < 2:
        return []
    return [(line, columns.index(line), line.y) for block in blocks for line in block.lines
            if line.x0 is not None and line.y is not None and len(line.text.split()) >= 3
            and min(abs(line.x0 - x) for x in columns.lefts) <= OFF_GRID]


def _inside_text_rows(line: Line, columns: Columns, grid: list[tuple[Line, int, float]], body: float) -> bool:
    """A piece of a text row (the arrow over an inline 'h', a raised index), not a label of its own."""
    column = columns.index(line)
    return any(other is not line and c == column and abs(y - line.y) < 0.9 * body for other, c, y in grid)


def _large_labels(block: Block, body: float) -> bool:
    """Short lines set larger than the body but not bold, that read as no heading: the labels and legends of a
    plot drawn as an embedded figure ("SQuALITY", "Fraction of units"). Headings are bold or numbered."""
    from synth.papers.parse.sections import NAMED, NUMBERED, ROMAN, LETTERED

    size = block.size or body
    if size <= body + 1.5 or any(line.bold for line in block.lines):
        return False
    for line in block.lines:
        text = line.text.strip()
        if len(text.split()) > 6 or text.rstrip(".:").lower() in NAMED or any(
                p.match(text) for p in (NUMBERED, ROMAN, LETTERED)):
            return False
    return True


ROW_WINDOW = 3  # blocks either side in the content stream


def _in_a_row(index: int, blocks: list[Block], body: float) -> bool:
    """A short piece set on the baseline of a nearby text piece in the content stream: the rest of a text row
    broken up by inline math ("( −→ h 1,..., −→ h m), and"), not a figure label."""
    lines = [line for line in blocks[index].lines if line.y is not None]
    if not lines or len(lines) > 2:
        return False
    near = blocks[max(0, index - ROW_WINDOW):index] + blocks[index + 1:index + 1 + ROW_WINDOW]
    return any(len(other.text.split()) >= 3 and other.y is not None and abs(other.y - line.y) < 0.3 * body
               for line in lines for b in near for other in b.lines)


def _off_grid(block: Block, body: float, page_height: float, columns: Columns, first_page: bool,
              front_above: float | None = None, grid: list[tuple[Line, int, float]] | None = None) -> bool:
    """Figure text set at body size: lines starting far from every column's left edge (see the docstring).
    On page 1 the title block (above the Abstract heading, else the top 40%) is centred, not on the grid."""
    lines = block.lines
    if any(line.x0 is None for line in lines):
        return False
    if len(columns.lefts) < 2:
        return False  # one column found: the grid is not known well enough (a page of hanging-indent references)
    left = min(columns.lefts)
    if all(line.x0 < left - MARGIN for line in lines):
        return True
    if first_page and lines[-1].y is not None and lines[-1].y >= (
            front_above if front_above is not None else 0.6 * page_height):
        return False  # the whole block lies in the title block
    off = [min(abs(line.x0 - x) for x in columns.lefts) > OFF_GRID for line in lines]
    if all(len(line.text.split()) <= 4 for line in lines):  # labels: most of them off the grid, between rows
        if grid and any(_inside_text_rows(line, columns, grid, body) for line in lines):
            return False
        return sum(off) >= max(1, 0.6 * len(lines))
    # prose-like lines all off the grid; page 1's abstract is indented on both sides, so not there
    return all(off) and len(lines) >= 3 and not first_page


def _footnote(block: Block, index: int, blocks: list[Block], body: float, page_height: float,
              columns: Columns) -> bool:
    """Small type at the foot of its column, under body-size text of the same column, and short."""
    top, bottom = block.lines[0].y, block.lines[-1].y
    if top > 0.45 * page_height or top - bottom > 0.3 * page_height:
        return False
    column = block.column
    for other in blocks[index + 1:]:  # nothing but more footnotes below it in the same column
        if other.column == column and other.lines[0].y < bottom and other.size is not None and other.size > body - 0.4:
            return False
    above = [b for b in blocks[:index] if b.column in (column, -1) and b.lines[-1].y > top]
    if not above or not any(b.size is not None and abs(b.size - body) <= 0.4 for b in above):
        return False
    return block.lines[0].starts_with_marker or _prose(block)


def text_roles(lines: list[Line]) -> list[str]:
    """Roles of plain-text lines (no layout): numeric runs are tables, 'Table N:' captions, '1See' footnotes."""
    flags = [is_numeric_row(line.text) for line in lines]
    roles = []
    for i, line in enumerate(lines):
        numeric = flags[i] and ((i > 0 and flags[i - 1]) or (i + 1 < len(flags) and flags[i + 1]))
        header = i + 2 < len(lines) and flags[i + 1] and flags[i + 2] and _header_like(line.text)
        if numeric or header:
            roles.append("table")
        elif CAPTION.match(line.text):
            roles.append("caption")
        elif FOOTNOTE_TEXT.match(line.text):
            roles.append("footnote")
        else:
            roles.append("text")
    return roles


def _header_like(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 16 and not re.search(r"[.!?:][\"'”’)\]]*$", line) and not CAPTION.match(line)
