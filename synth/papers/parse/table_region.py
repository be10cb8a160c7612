"""Where a captioned table is on its page: the caption's block and column band, then the table's region above or
below it (the ruling lines chained from the caption, or the non-prose lines next to it)."""

from __future__ import annotations

import statistics

from synth.papers.parse.table_page import (
    CAPTION, Line, OTHER_FLOAT, PROSE_WORD, Rule, TableSettings, cells_on, group_lines, is_prose, numeric_words,
)


def split_columns(lines: list[Line], width: float) -> list[Line]:
    """Lines cut where they cross the gutter of a two-column page with a wide gap (a caption beside a figure)."""
    out = []
    mid = width / 2
    for ln in lines:
        left = [w for w in ln.words if w.x1 <= mid + 4]
        right = [w for w in ln.words if w.x1 > mid + 4]
        if left and right and right[0].x0 - left[-1].x1 > 8 and left[-1].x1 < mid + 4 and right[0].x0 > mid - 4:
            out += group_lines(left) + group_lines(right)  # a tall word across the gutter joined two rows
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
        if not in_band(ln, band) or ln.top - lines[last].bottom > pitch - (lines[last].bottom - lines[last].top):
            if in_band(ln, band):
                break
            continue
        if abs(ln.size - lines[i].size) > 0.6 or CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
            break
        last = j
    return last


def in_band(line: Line, band: tuple[float, float]) -> bool:
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
    # rules reaching out of the band across it (a full-width float's): no table of this band runs across one
    crossing = [r.y for r in rules if r not in band_rules and r.x0 < band[1] and r.x1 > band[0]]
    candidates = []
    for direction in (-1, 1):  # above the caption, then below
        region = _region_side(lines, band_rules, cap_top if direction < 0 else cap_bottom, direction, band,
                              {*range(cap_first, cap_last + 1)}, settings, crossing)
        if region:
            candidates.append((direction, region))
    if len(candidates) == 2:
        # a table with another caption right at its far edge is that caption's table, unless that caption has its
        # own table on its other side
        others = [k for k, ln in enumerate(lines) if CAPTION.match(ln.text) and not cap_first <= k <= cap_last
                  and in_band(ln, band)]

        def claimed(d, r) -> bool:
            for k in others:
                ln = lines[k]
                if d < 0 and 0 <= r[1] - ln.bottom <= settings.caption_gap:
                    return not any(0 <= ln.top - rule.y <= settings.caption_gap and rule.x0 < band[1]
                                   and rule.x1 > band[0] for rule in rules)
                if d > 0 and 0 <= ln.top - r[3] <= settings.caption_gap:
                    return not _heads_a_table(lines, k, rules, band, settings)
            return False

        free = [(d, r) for d, r in candidates if not claimed(d, r)]
        candidates = free if len(free) == 1 else candidates
    candidates = [r for _, r in candidates]
    if not candidates:
        return None
    # the side with rules close to the caption wins; else the side with more table lines
    return max(candidates, key=lambda r: (r[4], r[5]))[:4]


def _region_side(lines, rules, edge, direction, band, caption_lines, settings, crossing=()):
    body = statistics.median(w.size for ln in lines for w in ln.words)  # the page's running-text size
    near = [r for r in rules if 0 <= (r.y - edge) * direction <= settings.caption_gap]
    chain = []
    if near:
        chain = [min(near, key=lambda r: abs(r.y - edge))]
        for r in sorted(rules, key=lambda r: r.y * direction):
            if (r.y - chain[-1].y) * direction <= 0:
                continue
            # running text in the body's size between two rules is the page's text, not the table's; smaller
            # running text (an examples table's snippets) is the table's
            between = [ln for ln in lines if in_band(ln, band)
                       and min(chain[-1].y, r.y) < (ln.top + ln.bottom) / 2 < max(chain[-1].y, r.y)]
            if r.x0 < chain[0].x0 - 6 or r.x1 > chain[0].x1 + 6:
                break  # wider than the table's first rule: another float's rule
            if any(0 < (y - chain[-1].y) * direction < (r.y - chain[-1].y) * direction for y in crossing):
                break  # a wider float's rule lies between
            if not between and (r.x1 - r.x0) < (chain[-1].x1 - chain[-1].x0) - 20:
                break  # a narrower rule right after a rule, nothing between: the next float's top rule
            if not between and abs(r.y - chain[-1].y) > body:
                break  # an empty band between two rules: the first closed this table, the second opens another
            if (r.y - chain[-1].y) * direction > settings.chain_gap or any(
                    (_running(ln, settings) and ln.size >= 0.95 * body) or CAPTION.match(ln.text)
                    or OTHER_FLOAT.match(ln.text) for ln in between):
                break
            chain.append(r)
    ordered = sorted((i for i, ln in enumerate(lines) if in_band(ln, band) and i not in caption_lines
                      and (ln.top - edge if direction > 0 else edge - ln.bottom) >= -1),
                     key=lambda i: (lines[i].top - edge) * direction)
    limit = max((abs(r.y - edge) for r in chain), default=0.0)
    # the outermost rule is a rule under the header (no top rule) when numbers follow right under it
    header_above = len(chain) >= 2 and any(
        numeric_words(ln) >= 2 for ln in lines if in_band(ln, band)
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
                if _heads_a_table(lines, i, rules, band, settings):
                    break  # a caption above its own table: what lies above it was this caption's
                return None  # what lies between this caption and the next one below belongs to that float
            if _running(ln, settings) or CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
                break
            if gap > settings.line_gap_em * ln.size:
                break
            if chain and len(chain) >= 2:  # a ruled table ends at its last rule (a header may sit above the first)
                span = (min(r.x0 for r in chain) - 6, max(r.x1 for r in chain) + 6)
                if direction > 0 or gap > 1.5 * ln.size or ln.x0 < span[0] or ln.x1 > span[1] or (
                        not header_above and cells_on(ln) < 2):
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
        # a ruled table ends at its bottom rule; the next rule under it with nothing between is another float's
        # top rule, and what follows belongs to that float
        fence = float("inf")
        if len(chain) >= 2:
            bottom_rule = max(r.y for r in chain)
            below = sorted(r.y for r in rules if r.y > bottom_rule + 1)
            if below and not any(in_band(ln, band) and ln.bottom > bottom_rule + 1 and ln.top < below[0] - 1
                                 for ln in lines):
                fence = below[0]
        for ln in lines:
            overlap = min(ln.x1, x1) - max(ln.x0, x0)
            if not in_band(ln, band) or ln.top < end or overlap < 0.5 * min(ln.x1 - ln.x0, x1 - x0):
                continue
            if ln.top > fence:
                break
            if CAPTION.match(ln.text) and _beside(ln, [lines[i] for i in taken]):
                continue
            if CAPTION.match(ln.text) and _heads_a_table(lines, lines.index(ln), rules, band, settings):
                break
            if CAPTION.match(ln.text) or OTHER_FLOAT.match(ln.text):
                return None
            if is_prose(ln, settings):
                break
    xs = [lines[i].x0 for i in taken] + [lines[i].x1 for i in taken] + [r.x0 for r in chain] + [r.x1 for r in chain]
    tops = [lines[i].top for i in taken] + [r.y for r in chain]
    bottoms = [lines[i].bottom for i in taken] + [r.y for r in chain]
    closeness = 1 if chain else 0
    return (min(xs), min(tops), max(xs), max(bottoms), closeness, len(taken))


def _heads_a_table(lines: list[Line], i: int, rules, band, settings) -> bool:
    """The caption starting at line i sits above its own table: a rule right under the caption's last line."""
    if not CAPTION.match(lines[i].text):
        return False
    last = lines[i]
    for ln in lines[i + 1:]:
        if not in_band(ln, band):
            continue
        if ln.top - last.bottom > 0.6 * ln.size or CAPTION.match(ln.text):
            break
        last = ln
    return any(0 <= r.y - last.bottom <= settings.caption_gap and r.x0 < band[1] and r.x1 > band[0] for r in rules)


def _running(ln: Line, settings: TableSettings) -> bool:
    """A line of the page's running text: prose in one piece. Prose set in three or more pieces across the
    column is an examples table's row ('(4)  there is a house big on the hill   big   amod   acl')."""
    return is_prose(ln, settings) and cells_on(ln) < 3


def _outside(ln: Line, edge: float, direction: int, limit: float) -> bool:
    return (ln.top - edge if direction > 0 else edge - ln.bottom) > limit


def _text_line(ln: Line) -> bool:
    """A line of running words (a paragraph's last line): one piece of text, mostly lower-case words."""
    words = [w.text for w in ln.words]
    return cells_on(ln) == 1 and len(words) >= 2 and sum(bool(PROSE_WORD.match(w)) for w in words) >= 0.6 * len(
        words)


def _beside(caption: Line, content: list[Line]) -> bool:
    """A caption under less than half of the content's width belongs to a float beside it, not below it."""
    x0, x1 = min(ln.x0 for ln in content), max(ln.x1 for ln in content)
    return min(caption.x1, x1) - max(caption.x0, x0) < 0.5 * (x1 - x0)
