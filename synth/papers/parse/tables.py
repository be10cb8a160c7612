"""Numeric tables from the text layer: runs of number-heavy lines near a "Table N:" caption.

Every block keeps its raw text. When the grid is regular (every row ends in the same number of values and
the header names them) it is also parsed into cells: (row label, column, value).
"""

from __future__ import annotations

import re

from synth.core.models import TableBlock, TableCell

CAPTION = re.compile(r"^(?P<label>(?:Table|Tab\.|Figure|Fig\.)\s*(?:\d+|[A-Z]\.?\d+))\s*[:.|]\s*(?P<rest>.*)$")
NUMBER = re.compile(r"^[(\[]?[-+−–]?\d+(?:[.,]\d+)?%?[)\]]?(?:[*†‡]+)?$")
CAPTION_WINDOW = 4  # lines between a table block and its caption


def is_number(token: str) -> bool:
    return bool(NUMBER.match(token))


def to_float(token: str) -> float:
    cleaned = token.strip("()[]*†‡%").replace("−", "-").replace("–", "-").replace(",", ".")
    return float(cleaned)


def is_numeric_row(line: str) -> bool:
    """A table row: ends in at least two numbers, and the numbers are at least 3 or half of the tokens."""
    tokens = line.split()
    trailing = 0
    for token in reversed(tokens):
        if not is_number(token):
            break
        trailing += 1
    return trailing >= 2 and (trailing >= 3 or 2 * trailing >= len(tokens))


def find_tables(page: int, text: str, spans: list[tuple[int, int]], roles: list[str]) -> list[TableBlock]:
    """Table blocks on one page: maximal runs of lines with role 'table', with the nearest Table caption."""
    blocks: list[TableBlock] = []
    i = 0
    while i < len(roles):
        if roles[i] != "table":
            i += 1
            continue
        j = i
        while j + 1 < len(roles) and roles[j + 1] == "table":
            j += 1
        rows = [text[a:b] for a, b in spans[i:j + 1]]
        if sum(is_numeric_row(r) for r in rows) >= 2:
            label, caption = _caption(text, spans, i, j)
            header, cells = _grid(rows)
            blocks.append(TableBlock(label=label, caption=caption, page=page, start=spans[i][0], end=spans[j][1],
                                     raw="\n".join(rows), header=header, cells=cells))
        i = j + 1
    return blocks


def _caption(text: str, spans: list[tuple[int, int]], first: int, last: int) -> tuple[str | None, str]:
    """Nearest 'Table N:' line after the block (ACL puts captions below) or else before it."""
    after = range(last + 1, min(len(spans), last + 1 + CAPTION_WINDOW))
    before = range(first - 1, max(-1, first - 1 - CAPTION_WINDOW), -1)
    for k in (*after, *before):
        line = text[spans[k][0]:spans[k][1]]
        m = CAPTION.match(line)
        if m and m["label"].startswith(("Table", "Tab")):
            # The caption runs on to the end of its paragraph (the next newline in the cleaned text).
            end = text.find("\n", spans[k][0])
            caption = text[spans[k][0]:end if end >= 0 else len(text)]
            return _label(m["label"]), caption[m.start("rest"):].strip()
    return None, ""


def _label(label: str) -> str:
    number = re.sub(r"^(?:Table|Tab\.)\s*", "", label)
    return f"Table {number}"


def _grid(rows: list[str]) -> tuple[list[str], list[TableCell]]:
    """Header and cells when every numeric row has the same number of trailing values."""
    header_tokens: list[str] = []
    if not is_numeric_row(rows[0]):
        header_tokens, rows = rows[0].split(), rows[1:]
    parsed = []
    for row in rows:
        tokens = row.split()
        k = 0
        while k < len(tokens) and is_number(tokens[-1 - k]):
            k += 1
        parsed.append((" ".join(tokens[: len(tokens) - k]), tokens[len(tokens) - k:]))
    widths = {len(values) for _, values in parsed}
    if len(widths) != 1:
        return header_tokens, []
    width = widths.pop()
    if len(header_tokens) == width + 1:
        header = header_tokens
    elif len(header_tokens) == width:
        header = ["", *header_tokens]
    else:
        return header_tokens, []
    cells = [TableCell(row=label, column=header[c + 1], value=to_float(v), text=v)
             for label, values in parsed for c, v in enumerate(values)]
    return header, cells
