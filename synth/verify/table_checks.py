"""Claim numbers against the paper's own tables: cells, differences of two cells, row and column averages.

A number that the text states but the table gives slightly differently (abstract 8.4, table 8.3) is an internal
inconsistency of the paper and is reported as such, not as an error of the claim.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import fmean

from synth.core.models import Evidence, NumberCheck, TableBlock, TableCell
from synth.core.numbers import Num, within_rounding

_TERM = re.compile(r"[\w\-]+")


@dataclass
class TableValue:
    value: float
    where: str  # human description: "Table 2 (MNLI, XNLI)"
    direct: bool  # a cell (True) or a derived value (False)
    confident: bool = True  # every cell it comes from was read confidently (TableCell.confident)
    column: str = ""  # the column header of a direct cell


@dataclass
class TableFinding:
    """Per claim number: a matching table value (found) or a near miss (an inconsistency of the paper)."""

    found: dict[int, TableValue] = field(default_factory=dict)
    near: dict[int, TableValue] = field(default_factory=dict)


def _terms(text: str) -> set[str]:
    return {t.lower() for t in _TERM.findall(text)}


def _matches(header: str, terms: set[str]) -> bool:
    """A row/column header naming one of the terms ('MNLI', 'en', 'Cosmos QA', 'ANLI+'), as whole words."""
    if _terms(header) & terms:
        return True
    low = header.lower()
    return any(t in low and re.search(rf"(?<!\w){re.escape(t)}(?!\w)", low) for t in terms if len(t) > 2)


@lru_cache(maxsize=1)
def _metric_of_word() -> dict[str, str]:
    """One-word names of metrics (the claims gazetteer's metrics, lower case) -> the metric's canonical name, so
    that 'acc', 'accuracy' and 'F1-score', 'F1' count as the same metric."""
    from synth.claims.entities import get_gazetteer

    out = {}
    for entry in get_gazetteer().spec.metrics:
        for form in (entry.name, *entry.aliases):
            word = form.lower().rstrip(".")
            if _TERM.fullmatch(word):
                out[word] = entry.name
    return out


# one-letter column headers of P / R / F1 blocks: precision and recall in a table's header, never in prose
_HEADER_LETTERS = {"p": "precision", "r": "recall"}


def _metrics(words) -> set[str]:
    table = _metric_of_word()
    return {table[w] for w in words if w in table}


def _column_metrics(column: str) -> set[str]:
    terms = _terms(column)
    return _metrics(terms) | {_HEADER_LETTERS[t] for t in terms if t in _HEADER_LETTERS}


def _metric_clash(num: Num, column: str) -> bool:
    """The number's own words name a metric and the cell's column names only other metrics: a near miss is only an
    inconsistency between numbers of the same metric (an OOV precision of 21.9% is not a BLEU score of 22.0)."""
    said, shown = _metrics(num.context), _metrics(_terms(column))
    return bool(said and shown and not said & shown)


def _label(table: TableBlock) -> str:
    return table.label or f"table on page {table.page}"


def table_values(table: TableBlock, terms: set[str], restrict: bool) -> list[TableValue]:
    """Relevant cells and simple derived values of one table; `terms` pick rows/columns (all when not restrict)."""
    cells = [c for c in table.cells if c.value is not None]  # dash and blank cells hold no value
    if not cells:
        return []
    rows: dict[str, list[TableCell]] = {}
    cols: dict[str, list[TableCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
        cols.setdefault(cell.column_label, []).append(cell)
    hot_rows = {r for r in rows if _matches(r, terms)}
    hot_cols = {c for c in cols if _matches(c, terms)}
    if not hot_rows and not hot_cols:
        if restrict:
            return []
        hot_rows, hot_cols = set(rows), set(cols)
    name = _label(table)

    def relevant(cell: TableCell) -> bool:
        in_row = cell.row in hot_rows or not hot_rows
        in_col = cell.column_label in hot_cols or not hot_cols
        return in_row and in_col

    out: list[TableValue] = []
    for cell in cells:
        if relevant(cell):  # every number of a paired cell ('86.5/89.4') is a value of the cell
            out.extend(TableValue(v, f"{name} ({cell.row}, {cell.column_label}) = {cell.text}", True,
                                  cell.confident, cell.column_label) for v in cell.values or [cell.value])

    def differences(group: list[TableCell], where: str, other: str) -> None:
        """a - b for every relevant a and every other b of one row or column (e.g. task - baseline)."""
        for a in filter(relevant, group):
            out.extend(TableValue(a.value - b.value,
                                  f"{name} {where}: {_name(a, other)} {a.text} - {_name(b, other)} {b.text}",
                                  False, a.confident and b.confident) for b in group if b is not a)

    for col, group in cols.items():
        differences(group, col, "row")
    for row, group in rows.items():
        if row not in hot_rows and hot_rows:
            continue
        differences(group, row, "column")
        if len(group) >= 2:
            out.append(TableValue(fmean(c.value for c in group), f"{name} average of row {row}", False))
    for col in hot_cols:
        group = cols[col]
        if len(group) >= 2:
            out.append(TableValue(fmean(c.value for c in group), f"{name} average of column {col}", False))
    return out


def check_tables(claim_numbers: list[Num], tables: list[TableBlock], terms: set[str],
                 cited: list[str] | None = None, memo: dict | None = None) -> TableFinding:
    """Look every claim number up in the relevant tables. `cited` ('Table 2') limits the tables searched.

    `found` uses only rows/columns the claim names (a number must be about the same thing); a near miss is
    reported only when no cell or derived value anywhere in the table gives the number exactly. `memo` keeps the
    whole-table values between calls (the caller keeps the tables alive while it uses the memo).
    """
    finding = TableFinding()
    wanted = {c.lower() for c in cited or []}
    chosen = [t for t in tables if t.label and t.label.lower() in wanted] or tables
    relevant: list[TableValue] = []
    everything: list[float] = []  # sorted |value| of every cell and derived value of the chosen tables
    for table in chosen:
        # a table the claim names is searched whole; others only in rows/columns naming the claim's terms
        restrict = not (table.label and table.label.lower() in wanted)
        part_key = (id(table), frozenset(terms), restrict)
        if memo is not None and part_key in memo:
            relevant.extend(memo[part_key])
        else:
            part = table_values(table, terms, restrict=restrict)
            if memo is not None:
                memo[part_key] = part
            relevant.extend(part)
        whole_key = (id(table), "whole")
        if memo is None or whole_key not in memo:
            whole = sorted(abs(v.value) for v in table_values(table, set(), restrict=False))
            if memo is not None:
                memo[whole_key] = whole
        else:
            whole = memo[whole_key]
        everything.extend(whole)
    everything.sort()
    for i, num in enumerate(claim_numbers):
        if num.unit == "x" or num.spelled:
            continue
        target = abs(num.value)
        exact = [v for v in relevant if holds(v.value, num)]
        if exact:
            finding.found[i] = min(exact, key=lambda v: (not v.direct, abs(abs(v.value) - target)))
            continue
        half = 0.5 * 10 ** (-num.decimals) + 1e-9
        at = bisect_left(everything, target - half)
        if at < len(everything) and everything[at] <= target + half:
            continue  # stated somewhere in the table, only not where we looked first: no inconsistency
        # near miss: off by at most two units of the claim's last digit (8.4 vs 8.3); never an average
        step = 10 ** (-num.decimals) if num.decimals else 0.0
        if step and target:
            near = [v for v in relevant if abs(abs(v.value) - target) <= 2 * step + 1e-9
                    and abs(abs(v.value) - target) <= 0.05 * target and "average of" not in v.where
                    and v.confident and not _metric_clash(num, v.column)]
            if near:
                finding.near[i] = min(near, key=lambda v: (not v.direct, abs(abs(v.value) - target)))
    return finding


@dataclass
class TableVerdict:
    """A claim that no sentence states, judged against one table row: label, reason, numbers, the row as quote."""

    label: str
    reason: str
    numbers: list[NumberCheck]
    evidence: Evidence


_SETTING_WORDS = {"single": {"single"}, "ensemble": {"ensemble", "ens", "ens-8", "ensembles"}}
_HEADER_WORD = re.compile(r"[a-z][a-z0-9+\-]*|\d+(?:\.\d+)?")
_WEAK = frozenset("a an the of in on at to for and or with by from is are was were our we its vs".split())


def _words(text: str) -> set[str]:
    return {w for w in _HEADER_WORD.findall(text.lower()) if w not in _WEAK}


def _row_named(row: str, claim_keys: set[str], claim_words: set[str]) -> int:
    """How clearly the claim names this row (0: not at all): a name in the row label ('C2-50k char-bigram',
    'syntax-based (Sennrich and Haddow, 2015)') that the claim uses (3), or all the label's words, as many as
    they are ('character bigrams': 2), but not a lone word a claim uses in passing ('none')."""
    from synth.verify.text_checks import entity_key

    label = re.sub(r"\(.*?\)", " ", row)
    label = re.sub(r"(?i)(?<!\w)w/o?(?!\w)", " ", label)  # an ablation row 'w/o X' is named by X ('dropping X')
    tokens = [t for t in re.split(r"\s+", label) if t]
    if not tokens:
        return 0
    if len(entity_key(tokens[0])) > 2 and entity_key(tokens[0]) in claim_keys:  # 'BPE-60k' of 'BPE-60k BPE'
        return 3
    if any(_ACRONYM.fullmatch(t) and t.lower() in claim_keys for t in tokens):  # 'SOS': 'sentence-order shuffling'
        return 2
    words = {w.rstrip("s") for w in _words(label)}
    if words and words <= claim_words and (len(words) > 1 or not words <= _VAGUE_ROWS):
        return min(len(words), 3)
    return 0


_VAGUE_ROWS = {"none", "all", "total", "other", "average", "mean", "sum"}
_ACRONYM = re.compile(r"[A-Z]{3,6}")


def _claim_names(claim_text: str, names=None) -> tuple[set[str], set[str]]:
    """What a claim can name a table row by: its names' keys (canonical too) and initialisms, and its words."""
    from synth.verify.text_checks import mentions

    canon = names.canonical if names is not None else (lambda k: k)
    keys = {canon(m.key) for m in mentions(claim_text)} | {m.key for m in mentions(claim_text)}
    keys |= initialisms(claim_text)
    return keys, _words(claim_text) | {w.rstrip("s") for w in _words(claim_text)}


def _rows_with_values(table: TableBlock) -> dict[str, list[TableCell]]:
    """A table's cells holding a value, by row (and group: 'QQP' under 'No MLM' is not 'QQP' under 'Full')."""
    rows: dict[str, list[TableCell]] = {}
    for cell in table.cells:
        if cell.value is not None:
            rows.setdefault(cell.row_label, []).append(cell)
    return rows


def initialisms(text: str) -> set[str]:
    """The initials of every run of 3 to 6 consecutive words ('sentence-order shuffling' → 'sos'): how a claim
    that spells a method out names the row a table abbreviates."""
    words = re.findall(r"[A-Za-z]+", text)
    return {"".join(w[0] for w in words[i:i + n]).lower() for n in range(3, 7) for i in range(len(words) - n + 1)}


def _setting_clash(claim_words: set[str], column: str) -> str | None:
    """'single' in the claim against an 'ens-8' column (or the other way round): the named setting."""
    col = _words(column)
    for said, other in (("single", "ensemble"), ("ensemble", "single")):
        if claim_words & _SETTING_WORDS[said] and col & _SETTING_WORDS[other] and not col & _SETTING_WORDS[said]:
            return said
    return None


def table_support(claim_text: str, tables: list[TableBlock], meta, names=None, cut: bool = False
                  ) -> TableVerdict | None:
    """A claim that no sentence states, checked against a table row it names: every number of the claim in that
    row (the column the claim names, when it names one) → supported; the named cell holds another number, or
    the number sits in the other setting's column (single vs ensemble) → contradicted. Decimal numbers only
    (small integers match too many cells by chance)."""
    from synth.core.numbers import extract_numbers
    from synth.verify.text_checks import clause_span, names_in

    from synth.verify.number_checks import said_as_change

    nums = [n for n in extract_numbers(claim_text) if not n.spelled and n.unit != "x"
            and (n.decimals or n.value >= 100 or (n.unit == "%" and n.value >= 10))  # a share is no chance count
            and not re.search(r"[A-Za-z\d]-?$", claim_text[:n.start])  # not the '50k' of 'C2-50k'
            and not said_as_change(n, claim_text)]  # 'improves by 1.3' is no cell value
    if cut:  # a number the claim was cut in is not a cell value
        nums = [n for n in nums if not claim_text.rstrip().endswith(n.text)]
    if not nums:
        return None
    claim_keys, claim_words = _claim_names(claim_text, names)
    claim_words |= {k.lower() for k in names_in(claim_text)}  # canonical names too: German → 'de' columns
    local, alone = {}, {}
    every = extract_numbers(claim_text)
    for n in nums:
        start, end = clause_span(claim_text, n.start)
        part = claim_text[start:end]
        local[n.start] = _words(part) | {w.rstrip("s") for w in _words(part)} | {k.lower() for k in names_in(part)}
        # the only value of its clause ('X ± s' counts once): 'from 79.6 to 66.2' may be gaps, not cells
        values = [m for m in every if start <= m.start < end and "±" not in claim_text[max(0, m.start - 3):m.start]]
        alone[n.start] = len(values) == 1
    best: tuple[float, TableVerdict] | None = None
    for table in tables:
        caption_fit = len(_words(table.caption) & claim_words)
        if not table.cells:
            verdict = raw_row_support(nums, claim_words, table, meta)
            if verdict is not None and (best is None or caption_fit + 0.5 > best[0]):
                best = (caption_fit + 0.5, verdict)
            continue
        rows = _rows_with_values(table)
        fits = {row: _row_named(cells[0].row, claim_keys, claim_words) for row, cells in rows.items()}
        top = max(fits.values(), default=0)
        named = [rows[row] for row, fit in fits.items() if fit and fit == top]  # the rows named most clearly
        if len(named) > 1:  # 'SQuAD reaches 89.38 against 80.52 for the baseline': numbers of several rows
            named = [[c for cells in named for c in cells]]
        for cells in named:
            verdict = _judge_row(nums, cells, claim_words, table, meta, strict=len({c.row_label for c in cells}) == 1,
                                 local_words=local, alone=alone, others=[c for r in rows.values() for c in r],
                                 claim_keys=frozenset(claim_keys))
            if verdict is not None:
                score = caption_fit + (2 if verdict.label == "supported" else 1)
                if best is None or score > best[0]:
                    best = (score, verdict)
    return best[1] if best else None


def _judge_row(nums: list[Num], cells: list[TableCell], claim_words: set[str], table: TableBlock,
               meta, strict: bool = True, local_words: dict[int, set[str]] | None = None,
               alone: dict[int, bool] | None = None, others: list[TableCell] = (),
               claim_keys: frozenset[str] = frozenset()) -> TableVerdict | None:
    """The claim's numbers against the cells of the row(s) it names; `strict` (one row) lets a number the
    row lacks in a column the claim names be a conflict, several rows only support. `local_words`: per number
    (by its offset), the words of its own clause. A number the row lacks may be the value it is compared with
    ('94.46 versus 94.41', '29.1 against 28.4'): a cell of another row in the column of a number the row gives."""
    local_words, alone = local_words or {}, alone or {}
    name = table.label or f"a table on p. {table.page}"
    checks, quoted, compared = [], [], []
    clash = None
    for num in nums:
        # the column the number's own clause names ('… and Yoruba reaches 91.0' names no column of this row)
        local = local_words.get(num.start, claim_words)
        said = _metrics(local)
        of_metric = [c for c in cells if said & _column_metrics(c.column_label)]
        row = of_metric or cells  # the clause names a metric the row has a column for: only those columns count
        named = max(row, key=lambda c: len(_words(c.column_label) & local))
        named_fit = len(_words(named.column_label) & local) + bool(of_metric)
        equal = [c for c in row if any(holds(v, num) for v in _values(c))]
        fit = max((len(_words(c.column_label) & local) for c in equal), default=0)
        # a column the claim names in full ('S2ORC-SciBERT', 'Full / test') while the equal cells' columns are
        # not named: the number is another column's ('77.28' is SciBERT's, '.729' the dev set's)
        whole = [c for c in row if _column_named(c, claim_keys, local)]
        if equal and whole and strict and alone.get(num.start, True) and not any(
                _column_named(c, claim_keys, local) for c in equal):
            named, named_fit = whole[0], 2 * (fit + 1)
        if equal and not (named_fit >= 2 and named_fit > fit + 1):  # not a cell of a column the claim names
            cell = max(equal, key=lambda c: len(_words(c.column_label) & local))
            setting = _setting_clash(claim_words, cell.column_label)
            if setting is not None:
                clash = (num, cell, setting, _counterpart(cells, cell, setting))
            checks.append(NumberCheck(claim=num.text, source=cell.text, status="table" if setting is None
                                      else "table_conflict", note=f"{name} ({cell.row}, {cell.column_label})"))
            quoted.append(cell)
        elif named_fit and strict and alone.get(num.start, True):
            checks.append(NumberCheck(claim=num.text, source=named.text, status="table_conflict",
                                      note=f"{name} ({named.row}, {named.column_label})"))
            quoted.append(named)
        elif others:
            compared.append(num)
        else:
            return None  # this row does not hold the number: not the claim's row
    for num in compared:  # only beside a number the row gives, in that number's column
        own = {c.row_label for c in cells}
        columns = {c.column_label for c in quoted}
        other = next((c for c in others if c.row_label not in own and c.column_label in columns
                      and any(holds(v, num) for v in _values(c))), None)
        if other is None:
            return None  # this row does not hold the number: not the claim's row
        checks.append(NumberCheck(claim=num.text, source=other.text, status="table",
                                  note=f"{name} ({other.row}, {other.column_label})"))
        quoted.append(other)
    evidence = _row_evidence(table, quoted, meta)
    conflicts = [c for c in checks if c.status == "table_conflict"]
    if clash is not None:
        num, cell, setting, other = clash
        alt = f"; the {setting} result is {other.text} ({other.column_label})" if other is not None else ""
        return TableVerdict("contradicted", f"{name} gives {cell.text} for {cell.row} in column {cell.column_label}, "
                            f"not a {setting} result{alt} ({meta.key} p. {table.page})", checks, evidence)
    if conflicts:
        c = conflicts[0]
        return TableVerdict("contradicted", f"source says {c.source}, claim says {c.claim} ({c.note}, "
                            f"{meta.key} p. {table.page})", checks, evidence)
    where = ", ".join(f"{c.text} ({c.row}, {c.column_label})" for c in quoted)
    return TableVerdict("supported", f"{name} of {meta.key} (p. {table.page}) gives {where}; no sentence "
                        "states it", checks, evidence)


def _column_named(cell: TableCell, claim_keys: frozenset[str], words: set[str]) -> bool:
    """The claim names this column in full: the name of its lowest header ('S2ORC-SciBERT'), or every word of
    its path ('Full / test'), when that is more than a lone vague word."""
    from synth.verify.text_checks import entity_key

    if not cell.column:
        return False
    key = entity_key(cell.column[-1])
    if len(key) > 3 and key in claim_keys:
        return True
    path = {w.rstrip("s") for w in _words(cell.column_label)}
    return len(path) >= 2 and path <= words


def raw_row_support(nums: list[Num], claim_words: set[str], table: TableBlock, meta) -> TableVerdict | None:
    """A table whose columns could not be read (logos for headers, text cells): the raw line that shares the
    most words with the claim. All the claim's numbers in it → supported (which column is which is not
    checked, and the reason says so); one other number of the same kind in their place → contradicted."""
    best, best_fit = None, 1
    for line in table.raw.splitlines():
        fit = len({w.rstrip("s") for w in _words(re.sub(r"[\d.]+", " ", line))} & claim_words)
        if fit > best_fit:
            best, best_fit = line, fit
    if best is None:
        return None
    from synth.core.numbers import extract_numbers

    values = extract_numbers(best)
    name = table.label or f"a table on p. {table.page}"
    offset = table.raw.find(best)
    evidence = Evidence(paper=meta.id, version=meta.version, page=table.page, start=table.start + offset,
                        end=table.start + offset + len(best), quote=best, score=1.0, table=table.label)
    hits = [next((v for v in values if holds(v.value, n)), None) for n in nums]
    if all(hits):
        checks = [NumberCheck(claim=n.text, source=v.text, status="table", note=f"{name}, row as printed")
                  for n, v in zip(nums, hits)]
        return TableVerdict("supported", f"{name} of {meta.key} (p. {table.page}) gives "
                            f"{', '.join(v.text for v in hits)} in the row '{best[:60]}'; its columns could not be "
                            "read, so which number belongs to which column is not checked", checks, evidence)
    decimal = [v for v in values if v.decimals]
    if len(nums) == 1 and len(decimal) == 1 and nums[0].decimals and best_fit >= 3:
        v = decimal[0]
        checks = [NumberCheck(claim=nums[0].text, source=v.text, status="table_conflict", note=f"{name}, row")]
        return TableVerdict("contradicted", f"source says {v.text}, claim says {nums[0].text} ({name} of "
                            f"{meta.key}, p. {table.page}, row '{best[:60]}')", checks, evidence)
    return None


def holds(value: float, num: Num) -> bool:
    """A cell value is the claim's number as written, within its rounding, or on the other scale: a share the claim
    gives in percent printed as a fraction ('93%' for 0.93), a fraction the claim gives printed out of 100."""
    value, wanted = abs(value), abs(num.value)
    if within_rounding(value, wanted, num.decimals):
        return True
    if num.unit == "%" and 0 < value <= 1:
        return within_rounding(value * 100, wanted, num.decimals)
    if num.unit == "absolute" and num.decimals >= 2 and 0 < wanted <= 1 < value <= 100:
        return within_rounding(wanted * 100, value, max(0, num.decimals - 2))
    return False


def _values(cell: TableCell) -> list[float]:
    """Every number printed in the cell ('13.5 ± 3.4' → 13.5, 3.4; '86.5/89.4' → 86.5, 89.4)."""
    return cell.values or ([cell.value] if cell.value is not None else [])


def _name(cell: TableCell, side: str) -> str:
    """The cell's row label or column header path, as one string."""
    return cell.row if side == "row" else cell.column_label


def _counterpart(cells: list[TableCell], cell: TableCell, setting: str) -> TableCell | None:
    """The same measure in the other setting's column ('BLEU / ens-8' → 'BLEU / single')."""
    every = _SETTING_WORDS["single"] | _SETTING_WORDS["ensemble"]
    base = _words(cell.column_label) - every
    return next((c for c in cells if c is not cell and _words(c.column_label) & _SETTING_WORDS[setting]
                 and _words(c.column_label) - every == base), None)


def _row_evidence(table: TableBlock, cells: list[TableCell], meta) -> Evidence:
    """The header line(s) and the row's line of the table's raw text, with provenance."""
    lines = table.raw.splitlines()
    rows = list(dict.fromkeys(ln for ln in lines if any(ln.strip().startswith(c.row.split(" (")[0]) for c in cells)))
    quote = "\n".join(rows) if rows else table.raw  # the row as printed; the reason names its headers
    offset = table.raw.find(rows[0]) if rows else 0
    start = table.start + max(offset, 0)
    first = cells[0] if cells else None
    return Evidence(paper=meta.id, version=meta.version, page=table.page, start=start,
                    end=start + len(quote), quote=quote, score=1.0, table=table.label,
                    row=first.row_label if first else None, column=list(first.column) if first else [])


def rows_named(tables: list[TableBlock], claim_text: str, meta, names=None, limit: int = 2) -> list[Evidence]:
    """Result rows the claim names clearly (a name of the row label, or all its words), in tables whose caption
    or headers share a word with the claim: where the right value of a misread cell sits. Best named first."""
    keys, words = _claim_names(claim_text, names)
    words |= {part for w in words for part in w.split("-") if len(part) > 2}  # 'word-level' names 'Word'
    found: list[tuple[int, int, TableBlock, list[TableCell]]] = []
    for t, table in enumerate(tables):
        headers = _words(table.caption) | {w for c in table.cells for part in c.column for w in _words(part)}
        if headers & words:
            found += [(fit, t, table, cells) for cells in _rows_with_values(table).values()
                      if (fit := _row_named(cells[0].row, keys, words)) >= 2]
    found.sort(key=lambda r: (-r[0], r[1]))
    return [_row_evidence(table, cells, meta) for _, _, table, cells in found[:limit]]


def cells_with_numbers(tables: list[TableBlock], nums: list[Num], meta, limit: int = 2) -> list[Evidence]:
    """Table rows holding the most of the claim's numbers (a cell that `holds` each): where a reader
    looks when no sentence settles a claim. At most `limit` rows, best first; numbers of 10 or more, or decimals
    (small integers sit in every table)."""
    wanted = [n for n in nums if not n.spelled and (n.decimals or abs(n.value) >= 10)]
    if not wanted:
        return []
    rows: list[tuple[int, int, TableBlock, list[TableCell]]] = []
    for table in tables:
        by_row: dict[str, tuple[set[int], list[TableCell]]] = {}
        for cell in table.cells:
            held = {i for i, n in enumerate(wanted) for v in _values(cell) if holds(v, n)}
            if held:
                numbers, cells = by_row.setdefault(cell.row_label, (set(), []))
                numbers |= held
                cells.append(cell)
        rows.extend((len(numbers), len(cells), table, cells) for numbers, cells in by_row.values())
    rows.sort(key=lambda r: (-r[0], -r[1]))  # most of the claim's numbers, then most cells
    return [_row_evidence(table, cells, meta) for _, _, table, cells in rows[:limit]]


# metrics where less is better: a header with '↓', or one of these words in it
_LOWER_BETTER = re.compile(r"↓|\b(?:error|errors|err|wer|cer|ter|perplexity|ppl|loss|latency|time|turns)\b", re.I)


def _numeric(cells: list[TableCell]) -> dict[str, float]:
    """Column label → the cell's first number, for a row's cells that hold exactly one."""
    return {c.column_label: c.values[0] for c in cells if len(c.values) == 1}


def _distinctive(rows: list[list[TableCell]]) -> dict[str, set[str]]:
    """Per row label, the words of it no other row label has ('greedy' of 'Ours + greedy' beside 'Ours + top-p'),
    brackets and short or vague words aside: what a claim names one row of a comparison by."""
    words = {cells[0].row: {w.rstrip("s") for w in _words(re.sub(r"\(.*?\)", " ", cells[0].row)) if len(w) > 2}
             - _VAGUE_ROWS for cells in rows}
    seen: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            seen[w] = seen.get(w, 0) + 1
    return {row: {w for w in ws if seen[w] == 1} for row, ws in words.items()}


def _names_row(cells: list[TableCell], own: dict[str, set[str]], keys: set[str], words: set[str]) -> bool:
    """The words name this row: as `_row_named` has it, or by a word only its label has (`_distinctive`)."""
    return _row_named(cells[0].row, keys, words) >= 2 or bool(own[cells[0].row] & words)


def row_comparison(claim_text: str, tables: list[TableBlock], names=None) -> str | None:
    """A comparison the claim makes between two rows of one table ('greedy decoding reaches a lower success rate
    than top-p sampling', 'A outperforms B', 'A falls short of B'), checked in the columns the claim names: the
    finding when every such column says the opposite, else None. The rows are named on either side of the
    comparative (each side naming its row and not the other's); 'better' and 'outperforms' read the column's
    direction ('↓', error, perplexity: less is better), 'higher' and 'more' read the values."""
    from synth.core.numbers import extract_numbers
    from synth.verify.structure import first_comparison

    said = first_comparison(claim_text)
    if said is None:
        return None
    start, end, axis, sign = said
    left_keys, left_words = _claim_names(claim_text[:start], names)
    right_keys, right_words = _claim_names(claim_text[end:], names)
    claim_words = _words(claim_text)
    stated = [n for n in extract_numbers(claim_text) if not n.spelled]
    for table in tables:
        rows = _rows_with_values(table)
        own = _distinctive(list(rows.values()))
        subject = [cells for cells in rows.values() if _names_row(cells, own, left_keys, left_words)
                   and not _names_row(cells, own, right_keys, right_words)]
        objects = [cells for cells in rows.values() if _names_row(cells, own, right_keys, right_words)
                   and not _names_row(cells, own, left_keys, left_words)]
        if len(subject) != 1 or not objects:
            continue
        mine = _numeric(subject[0])
        shared = [col for col in mine if all(col in _numeric(cells) for cells in objects)]
        asked = [col for col in shared if _words(col) & claim_words or _metrics(claim_words) & _column_metrics(col)]
        columns = asked or (shared if len(shared) == 1 else [])
        if stated:  # a claim that gives the subject's value compares the column holding it ('237 unknown tokens')
            columns = [col for col in columns if any(holds(mine[col], n) for n in stated)]
        pairs = [(col, cells) for col in columns for cells in objects]
        if not pairs:
            continue
        opposite = []
        for col, cells in pairs:
            better = -1 if axis == "comparison" and _LOWER_BETTER.search(col) else 1
            theirs = _numeric(cells)[col]
            if (mine[col] - theirs) * better * sign < 0:
                opposite.append(f"{subject[0][0].row} {mine[col]:g} against {cells[0].row} {theirs:g} ({col})")
        if len(opposite) == len(pairs):
            name = table.label or f"the table on p. {table.page}"
            return f"{name} gives the opposite of '{claim_text[start:end]}': " + "; ".join(opposite[:2])
    return None
