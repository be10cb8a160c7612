"""One page's lines → running-text lines in reading order, and the captions, footnotes and figure/table lines
beside them (in content-stream order, with whether each continues the previous line's caption or note)."""

from __future__ import annotations

import re

from synth.papers.parse.assemble import Placed
from synth.papers.parse.blocks import classify_blocks, page_blocks, text_roles
from synth.papers.parse.layout import (Line, find_columns, lines_from_runs, lines_from_text, reading_order,
                                      settle_markers)
from synth.papers.parse.sentences import line_ends_sentence
from synth.papers.parse.text import RUN_IN_ABSTRACT, normalise

DEFAULT_HEIGHT = 792.0  # US Letter, when the backend does not say
ABSTRACT_HEADING = re.compile(r"^(?:Abstract|ABSTRACT)\b")


def clean_lines(raw) -> list[Line]:
    """Normalised, whitespace-collapsed, non-empty lines; a run-in "Abstract. We ..." becomes two lines."""
    runs = getattr(raw, "runs", None)
    lines = lines_from_runs(runs) if runs else lines_from_text(raw.text)
    settle_markers(lines)
    out: list[Line] = []
    for line in lines:
        text = " ".join(normalise(line.text).split())
        if not text:
            continue
        prefix = " ".join(normalise(line.bold_prefix).split())
        line.text, line.bold_prefix = text, prefix if text.startswith(prefix) else ""
        m = RUN_IN_ABSTRACT.match(text)
        if m:
            head = Line(**{**line.__dict__, "text": m.group(1), "bold_prefix": ""})
            line.text, line.bold_prefix = m.group(2), ""
            out.append(head)
        out.append(line)
    return out


Aside = tuple[Placed, str, bool]


def place_page(page: int, lines: list[Line], body: float | None, width: float | None,
               height: float | None) -> tuple[list[Placed], list[Aside]]:
    """(running-text lines in reading order, side lines with their role and whether they continue a note)."""
    if lines and body is not None and all(line.has_layout for line in lines):
        return _place_layout(page, lines, body, width, height or DEFAULT_HEIGHT)
    return _place_text(page, lines)


def _place_layout(page: int, lines: list[Line], body: float, width: float | None,
                  height: float) -> tuple[list[Placed], list[Aside]]:
    columns = find_columns(lines, width, body)
    blocks = page_blocks(lines, columns)
    front_above = None
    if page == 0:  # the Abstract heading ends the title block
        tops = [line.y for line in lines if ABSTRACT_HEADING.match(line.text) and line.y is not None]
        front_above = max(tops) - 1.0 if tops else None
    classify_blocks(blocks, body, height, columns, first_page=page == 0, front_above=front_above)
    running: dict[int, Placed] = {}
    aside: list[Aside] = []
    order = 0
    for block_id, block in enumerate(blocks):
        for k, line in enumerate(block.lines):
            item = Placed(page, line, block.role, columns, order, block_id)
            order += 1
            if block.role == "text":
                running[id(line)] = item
            else:
                continues = k > 0 and not (block.role == "footnote" and line.starts_with_marker)
                aside.append((item, block.role, continues))
    ordered = reading_order([item.line for item in running.values()], columns)
    return [running[id(line)] for line in ordered], aside


def _place_text(page: int, lines: list[Line]) -> tuple[list[Placed], list[Aside]]:
    """Plain text: captions and footnotes run on until a line ends a sentence, then the body resumes."""
    roles = text_roles(lines)
    running: list[Placed] = []
    aside: list[Aside] = []
    note: str | None = None
    block = 0
    for i, (line, role) in enumerate(zip(lines, roles)):
        continues = False
        if role == "text" and note is not None and not line_ends_sentence(lines[i - 1].text):
            role, continues = note, True
        if i > 0 and role != roles[i - 1]:
            block += 1
        item = Placed(page, line, role, None, i, block)
        note = role if role in ("caption", "footnote") else None
        if role == "text":
            running.append(item)
        else:
            aside.append((item, role, continues))
    return running, aside
