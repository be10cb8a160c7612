"""A table's grid: value columns from the body rows (row labels read as a run of words), columns that are one
cell joined, and each column's header path (spanning headers, cmidrules, vertical rules, centred headers)."""

from __future__ import annotations

import re
import statistics
from functools import lru_cache

from synth.papers.parse.table_cells import cell_values
from synth.papers.parse.table_page import (
    BARE_NUMBER, CONNECTOR, Line, Rule, TableSettings, UNIT, Word, cells_on, join_words, rule_between,
)


# '(0.2)', '(+1.2)', '(33.2%)', '± 0.3': a spread, change or share printed after its value
SPREAD = re.compile(r"(?:\(\s*[±+\-−]?\s*\d[\d.,]*\s*%?\s*\)|±\s*\d[\d.,]*)[*†‡]*")


def label_run(ln: Line, verticals: list[float], settings: TableSettings) -> int:
    """How many leading words of a row are its label: words at word spacing, up to the first number."""
    stretch = ln.em / ln.size
    n = 1
    for a, b in zip(ln.words, ln.words[1:]):
        # "(2015)" ends a name; a setting is named by its values ("k = 5", "lr = 10−4, warm-up 4K")
        setting = any(w.text.endswith("=") for w in ln.words[:n])
        number = bool(BARE_NUMBER.fullmatch(b.text)) and not a.text.endswith(",") and not setting
        if b.x0 - a.x1 < 0.6:  # a glyph touching the label (R³) is part of it
            n += 1
            continue
        # a space in the label's own size (the row's numbers may be set smaller: '2.1 ±0.1'); math sets a relation
        # ('τ = 0.2') a wider space apart
        relation = b.text[:1] in "=<>≤≥" or a.text[-1:] in "=<>≤≥"
        gap = (2 if relation else 1) * settings.word_gap_em * max(a.size, b.size) * stretch + 0.6
        if b.x0 - a.x1 > gap or rule_between(a.x1, b.x0, verticals) or (
                number and any(re.search(r"[A-Za-z]", w.text) for w in ln.words[:n])):
            break
        n += 1
    return n


def value_columns(body: list[Line], verticals: list[float], settings: TableSettings) -> list[tuple[float, float]]:
    """x-ranges of the columns: the row labels' column, then maximal ranges that the other words of body rows
    cover with no empty gap between (a long label spanning several columns does not merge them)."""
    multi = [ln for ln in body if cells_on(ln) >= 2] or body  # a centred section row would bridge columns
    labels = [ln.words[:label_run(ln, verticals, settings)] for ln in multi]
    rest = [w for ln, lab in zip(multi, labels) for w in ln.words[len(lab):]]
    columns = _project(sorted((w.x0, w.x1) for w in rest), verticals, settings)
    # a number right after a label that no other row has in that place belongs to the label ("MultiWOZ 2.1")
    for col in columns[:1]:
        users = [i for i, ln in enumerate(multi) if any(_overlaps(w, col) for w in ln.words[len(labels[i]):])]
        follow = [i for i in users if len(multi[i].words) > len(labels[i]) and _overlaps(
            multi[i].words[len(labels[i])], col) and multi[i].words[len(labels[i])].x0 - labels[i][-1].x1 <=
            settings.word_gap_em * multi[i].em + 0.6]
        if users and len(users) <= max(1, 0.2 * len(multi)) and follow == users:
            labels = [ln.words[:len(lab) + (i in users)] for i, (ln, lab) in enumerate(zip(multi, labels))]
            rest = [w for ln, lab in zip(multi, labels) for w in ln.words[len(lab):]]
            columns = _project(sorted((w.x0, w.x1) for w in rest), verticals, settings)
    if not columns:
        return _project(sorted((w.x0, w.x1) for ln in multi for w in ln.words), verticals, settings)
    columns = _split_bridged(columns, [ln.words[len(lab):] for ln, lab in zip(multi, labels)], settings)
    x0 = min(lab[0].x0 for lab in labels)
    if x0 < columns[0][0] - settings.column_gap:
        x1 = max(w.x1 for lab in labels for w in lab)
        columns.insert(0, (x0, min(x1, columns[0][0] - settings.column_gap)))
    # outer labels set on lines of their own, wholly left of every row's label ("OntoNotes" between its rows)
    outer = [w for ln in body if cells_on(ln) < 2 for w in ln.words if w.x1 < columns[0][0] - settings.column_gap]
    if outer:
        columns.insert(0, (min(w.x0 for w in outer), max(w.x1 for w in outer)))
    return columns


def _split_bridged(columns, rows: list[list[Word]], settings: TableSettings) -> list[tuple[float, float]]:
    """A column that most rows leave empty across an x-range, but one or two rows bridge (a value set across two
    columns, '–' centred under both), is two columns: cut it in the middle of that range."""
    out = []
    step = 0.5
    em = statistics.median(w.size for row in rows for w in row) if any(rows) else 10.0
    for a, b in columns:
        spans = [[(w.x0, w.x1) for w in row if min(w.x1, b) - max(w.x0, a) > 0] for row in rows]
        spans = [sp for sp in spans if sp]
        if len(spans) < 5:
            out.append((a, b))
            continue
        xs = [a + step * k for k in range(int((b - a) / step) + 1)]
        cover = [sum(any(x0 <= x <= x1 for x0, x1 in sp) for sp in spans) for x in xs]
        few = max(1, int(0.15 * len(spans)))
        cuts, k = [], 0
        while k < len(xs):
            if cover[k] <= few:
                j = k
                while j + 1 < len(xs) and cover[j + 1] <= few:
                    j += 1
                wide = xs[j] - xs[k] > settings.word_gap_em * em + 0.6  # wider than a space inside a cell
                if wide and max(cover[:k], default=0) >= 3 * few and max(cover[j + 1:], default=0) >= 3 * few:
                    cuts.append((xs[k], xs[j]))
                k = j + 1
            else:
                k += 1
        start = a
        for lo, hi in cuts:
            left = [x for x, c in zip(xs, cover) if start <= x < lo and c > few]
            out.append((start, max(left) if left else lo))
            start = min(x for x, c in zip(xs, cover) if x > hi and c > few)
        out.append((start, b))
    return out


def _project(spans, verticals, settings) -> list[tuple[float, float]]:
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + settings.column_gap and not rule_between(columns[-1][1], x0, verticals):
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def merge_text_columns(body: list[Line], columns, verticals, settings: TableSettings):
    """Join neighbouring columns that are one text cell split at word spaces ('Match-LSTM (Wang' | 'and Jiang')."""
    def numeric(col):
        cells = [join_words([w for w in ln.words if _overlaps(w, col)]) for ln in body]
        cells = [c for c in cells if c]
        numbers = sum(bool(cell_values(c)) and not re.search(r"[A-Za-z]{3}", c) for c in cells)
        return len(cells) >= max(2, 0.3 * len(body)) and numbers >= len(cells) / 2

    def cells_of(col):
        return [c for c in (join_words([w for w in ln.words if _overlaps(w, col)]) for ln in body) if c]

    def symbols_only(col):  # "≈", "~", "<": a sign printed apart from the number it qualifies
        cells = cells_of(col)
        return bool(cells) and not any(re.search(r"[\w.]", c) for c in cells)

    def joined_by_connector(left, right):  # "0.74 / 0.05", "5.8 ± 0.3", "84.3 (0.2)": one cell at word spacing
        pairs, alone, times = 0, False, True
        for ln in body:
            a = [w for w in ln.words if _overlaps(w, left)]
            b = [w for w in ln.words if _overlaps(w, right)]
            if len(a + b) == 1 and (a + b)[0].text in ("-", "–", "—"):
                continue  # '–' centred in a cell that is '79.8 ± 0.4' in other rows
            if not a:  # '5 × 10-4' in a column of whole numbers ('512'): the mantissa may sit in a column of its own
                alone = alone or bool(b)
                continue
            if not b:
                return False
            times = times and join_words(b).startswith("×")
            # a connector or a bracketed spread may sit a wider space (in a smaller font) from its number
            touching = min(w.x0 for w in b) - max(w.x1 for w in a) <= 2 * settings.word_gap_em * ln.em + 0.6
            left_text = join_words(a)
            opened = any(left_text.count(o) > left_text.count(c) for o, c in ("[]", "()"))  # '[0.06,' | '0.14]'
            joined = CONNECTOR.search(left_text) or CONNECTOR.match(join_words(b)) or opened or (
                cell_values(left_text) and SPREAD.fullmatch(join_words(b)))
            if not touching or not joined:
                return False
            pairs += 1
        return pairs > 0 and (times or not alone)

    def units_only(col):  # "100 m", "45 %": a unit printed apart from its number
        cells = cells_of(col)
        return bool(cells) and all(UNIT.fullmatch(c) for c in cells)

    merged = [columns[0]] if columns else []
    for col in columns[1:]:
        prev = merged[-1]
        if (symbols_only(prev) or units_only(col) or joined_by_connector(prev, col)) and not rule_between(
                prev[1], col[0], verticals):
            merged[-1] = (prev[0], col[1])
            continue
        gaps = []
        for ln in body:
            left = [w for w in ln.words if _overlaps(w, prev)]
            right = [w for w in ln.words if _overlaps(w, col)]
            if left and right:
                gaps.append(min(w.x0 for w in right) - max(w.x1 for w in left))
        size = statistics.median(ln.em for ln in body)
        joinable = gaps and max(gaps) <= settings.word_gap_em * size + 0.6 and not numeric(col) and not numeric(prev)
        if joinable and not rule_between(prev[1], col[0], verticals):
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
    level_centres: list[dict[str, float]] = []  # per level: header text -> its printed centre
    raw_levels = []
    for i, (ln, verticals) in enumerate(zip(header, line_verticals)):
        phrases = _phrases(ln, columns, cuts, verticals, settings, bottom=i == len(header) - 1)
        level = []
        for words in phrases:
            text = join_words(words)
            lo, hi = _span(words, columns, cuts)
            rule = _rule_under(words, rules, ln, columns[-1][1] - columns[0][0])
            if rule is not None and any(other is not words and rule.x0 <= (other[0].x0 + other[-1].x1) / 2 <= rule.x1
                                        for other in phrases):
                rule = None  # one rule under two headers ('\cline{3-6}') names neither one's columns
            if rule is not None:  # a cmidrule under a spanning header names its columns exactly
                covered = [k for k, c in enumerate(columns) if rule.x0 - 2 <= (c[0] + c[1]) / 2 <= rule.x1 + 2]
                if covered:
                    lo, hi = min(covered), max(covered)
            if hi < first_value:
                stub_parts.append(text)
                continue
            level.append((max(lo, first_value), hi, text, (words[0].x0 + words[-1].x1) / 2, rule is not None))
        raw_levels.append((level, verticals))
    raw_levels = _straddled(raw_levels)
    for i, (level, verticals) in enumerate(raw_levels):
        if i < len(raw_levels) - 1:
            _centre_spans(level, columns, first_value)
        rows_read.append([t for _, _, t, _, _ in level])
        if level:
            levels.append([(lo, hi, text) for lo, hi, text, _, _ in level])
            level_centres.append({text: centre for _, _, text, centre, _ in level})
            level_verticals.append(verticals)
    _repeated_blocks(levels)
    _widen_spans(levels, columns, level_verticals, first_value, level_centres)
    paths: list[list[str]] = [[] for _ in range(n)]
    spanning = any(a != b for lv in levels for a, b, _ in lv)
    # one sub-header under every header ('F1 / EM' under each dataset) is a level of its own, not the second line
    # of wrapped headers ('Library / Size', 'Program / Length')
    bottom = {text for _, _, text in levels[-1]} if len(levels) > 1 and len(levels[-1]) > 1 else set()
    # metrics under distinct names ('MNLI' over 'Acc', 'QQP' over 'F1') are a level of their own too ('Dev' printed
    # over each of 'EM' and 'F1' is part of each column's own header: 'Dev EM')
    names = [t for _, _, t in levels[-2]] if len(levels) > 1 else []
    metrics = bool(names) and len(set(names)) == len(names) and all(_metric(t) for _, _, t in levels[-1]) and not any(
        _metric(t) for t in names)
    spanning = spanning or len(bottom) == 1 or metrics
    for level in levels:
        for lo, hi, text in level:
            for k in range(lo, hi + 1):
                # in a header of one-column headers only, lines stacked in a column are one wrapped header
                if paths[k] and not spanning:
                    paths[k][-1] = f"{paths[k][-1]} {text}"
                else:
                    paths[k].append(text)
    return paths, " ".join(stub_parts) or None, rows_read


@lru_cache(maxsize=1)
def _metric_names() -> tuple[frozenset[str], frozenset[str], tuple[re.Pattern, ...]]:
    """The gazetteer's metric names: exact aliases, case-folded aliases, and name patterns."""
    from synth.core.gazetteer import load_gazetteer_file

    spec = load_gazetteer_file()
    exact = frozenset(a for e in spec.metrics if not e.ignore_case for a in e.aliases)
    folded = frozenset(a.lower() for e in spec.metrics if e.ignore_case for a in e.aliases)
    return exact, folded, tuple(re.compile(p) for p in spec.patterns.get("metrics", []))


def _metric(text: str) -> bool:
    """A header that is a metric's name and nothing else ('Acc', 'F1 ↑', 'pass@1'), by the gazetteer."""
    name = re.sub(r"[\s↑↓*†‡(%)]+$", "", text)
    exact, folded, patterns = _metric_names()
    return name in exact or name.lower() in folded or any(p.fullmatch(name) for p in patterns)


def _straddled(levels: list) -> list:
    """Two-line headers set around a line of one-line headers centred beside them ('Language' over
    'Understanding ↑' beside 'Success Rate ↑' and 'Turns ↓'): the lines above and below name the same single
    columns, which the middle line leaves free. Those are one wrapped header each, on the middle line's level
    (metrics under names, 'MNLI' over 'Acc', are two levels of a header instead)."""
    i = 1
    while i < len(levels) - 1:
        above, middle, below = levels[i - 1][0], levels[i][0], levels[i + 1][0]
        cols = [lo for lo, hi, *_ in above]
        free = not any(lo <= k <= hi for k in cols for lo, hi, *_ in middle)
        if above and middle and free and all(lo == hi for lo, hi, *_ in above + below) \
                and sorted(cols) == sorted(lo for lo, *_ in below) and len(set(cols)) == len(cols) \
                and not all(_metric(text) for _, _, text, *_ in below):  # 'MNLI' over 'Acc': two levels
            under = {lo: text for lo, _, text, *_ in below}
            merged = [(lo, hi, f"{text} {under[lo]}", centre, ruled) for lo, hi, text, centre, ruled in above]
            levels[i - 1:i + 2] = [(sorted(middle + merged), levels[i][1])]
        i += 1
    return levels


def _repeated_blocks(levels) -> None:
    """Sub-headers repeated block after block ('EM F1 EM F1') under one header per block set flush left or right
    ('Dev' over 'EM', 'Test' over the second 'F1'): each header spans its block."""
    for upper, lower in zip(levels, levels[1:]):
        if not upper or any(lo != hi for lo, hi, _ in upper) or any(lo != hi for lo, hi, _ in lower):
            continue
        texts = [text for _, _, text in sorted(lower)]
        first = min(lo for lo, _, _ in lower)
        if [lo for lo, _, _ in sorted(lower)] != list(range(first, first + len(texts))):
            continue  # not one sub-header per column
        period = len(texts) // len(upper)
        if period < 2 or period * len(upper) != len(texts) or any(
                texts[i] != texts[i % period] for i in range(len(texts))):
            continue
        blocks = [(first + b * period, first + (b + 1) * period - 1) for b in range(len(upper))]
        spans = [next((blk for blk in blocks if blk[0] <= lo <= blk[1]), None) for lo, _, _ in sorted(upper)]
        if None in spans or len(set(spans)) != len(spans):
            continue
        upper[:] = [(a, b, text) for (a, b), (_, _, text) in zip(spans, sorted(upper))]


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


def _widen_spans(levels, columns, level_verticals, first_value, level_centres) -> None:
    """A spanning header printed shorter than its span (centred) is widened: to the vertical rules around it
    when the table has them (a rule on one side only: as far again on the other side of its centre), else over
    the uncovered columns between it and its neighbouring headers."""
    centres = [(a + b) / 2 for a, b in columns]
    for depth in range(len(levels) - 2, -1, -1):  # bottom-up: a header covers the whole headers under it
        level, lower = levels[depth], levels[depth + 1]
        for i, (lo, hi, text) in enumerate(level):
            under = [(a, b) for a, b, _ in lower if a <= hi and b >= lo]
            level[i] = (min([lo, *[a for a, _ in under]]), max([hi, *[b for _, b in under]]), text)
    for level, verticals, centre_of in zip(levels[:-1], level_verticals, level_centres):
        if not any(lo != hi for lo, hi, _ in level) and not verticals:
            continue
        level.sort()
        for i, (lo, hi, text) in enumerate(level):
            left = [v for v in verticals if v < columns[lo][0]]
            right = [v for v in verticals if v > columns[hi][1]]
            if left or right:
                a = max(left) if left else columns[lo][0] - 0.1  # no rule on a side: no widening there
                b = min(right) if right else columns[hi][1] + 0.1
                centre = centre_of.get(text)
                if centre is not None and left and not right:  # a centred header: its span is symmetric
                    b = max(b, 2 * centre - a)
                elif centre is not None and right and not left:
                    a = min(a, 2 * centre - b)
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
            same = column_of(last.mid, cuts) == column_of(w.mid, cuts) and gap <= 3 * ln.em
            spanning = not bottom and (_straddles(w, cuts) or any(_straddles(p, cuts) for p in prev)) and (
                gap <= settings.word_gap_em * ln.em + 0.6)
            spaced = gap <= settings.word_gap_em * ln.em + 0.6
            symbol = spaced and not (re.search(r"\w", w.text) and re.search(r"\w", last.text))  # "↑", "# tokens"
            upper = spaced and not bottom  # an upper header line's words at word spacing are one header
            if (same or spanning or symbol or upper or gap < 0.6) and not rule_between(last.x1, w.x0, verticals):
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
    printed = [k for k in covered if min(x1, columns[k][1]) - max(x0, columns[k][0]) > 0]
    if printed:  # a header reaching into a column's share, not over its values ('# langs.' right-aligned)
        covered = printed
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
