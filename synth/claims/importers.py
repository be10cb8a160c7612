"""Existing literature reviews (markdown with a claims table) → claims to verify (`origin: imported`).

Every claims table outside fenced code blocks and HTML comments is imported, row by row in document order (a
repeated row stays a claim of its own; a table of numbers under a 'Result' column is left out, with a warning);
a review whose only claims table is inside code or a comment is refused with that reason. A table may be pipe- or
tab-separated; its header names a claim column ('Claim', 'Finding', 'Statement') and optionally the review's verdict ('Verified', 'Verdict', 'Status'), 'Confidence' and 'Source'. Claims cut
off mid-sentence are kept as written and marked `truncated: true`. A references list lets a source cell like
'[2]', 'Phang et al., 2020' or an arXiv id be resolved to the paper the claim is about. A reference (or a source
cell) may name the paper by arXiv id or URL, library id (`local-<sha12>`), PDF file name, DOI or title; all but
arXiv ids are looked up in the library, and an arXiv id whose paper the library holds only as a local PDF (matched
by arXiv stamp, file name, DOI or title) is cited by its library id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from synth.claims.document import claim_id
from synth.claims.entities import find_entities
from synth.core.errors import ClaimsError
from synth.claims.extract import classify_text
from synth.core.models import Claim, Origin, ReportedVerification
from synth.claims.quantities import parse_quantities
from synth.core.yamlio import read_utf8
from synth.papers.library import Library
from synth.papers.library.lookup import PaperFinder

COLUMN_ALIASES = {
    "claim": ("claim", "claims", "finding", "findings", "statement", "statements", "key claim", "key claims",
              "result", "results"),
    "verified": ("verified", "verdict", "status", "verification", "check", "checked", "supported"),
    "confidence": ("confidence", "conf", "conf.", "certainty"),
    "source": ("source", "sources", "paper", "papers", "citation", "cite", "ref", "reference", "references"),
}
VERDICTS = {
    "verified": ("✓", "✔", "☑", "✅", "yes", "y", "true", "verified", "supported", "confirmed", "correct", "ok"),
    "unverified": ("✗", "✘", "❌", "x", "no", "n", "false", "unverified", "not verified", "unsupported",
                   "refuted", "incorrect", "wrong", "contradicted"),
    "partial": ("~", "partial", "partially", "partly", "mixed", "partially verified", "partially supported", "◐"),
}
# Words some reviews use instead of numbers; the mapping is ours and stated here so it is not hidden.
CONFIDENCE_WORDS = {"very high": 0.95, "high": 0.9, "medium": 0.6, "moderate": 0.6, "low": 0.3, "very low": 0.1}

ARXIV_ID = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*)?(?P<id>\d{4}\.\d{4,5})(?P<v>v\d+)?(?:\.pdf)?",
                      re.I)
_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# A 'Result(s)' column also heads tables of numbers (model | XNLI | result): it makes a claims table only when its
# cells read as sentences.
WEAK_CLAIM_COLUMNS = ("result", "results")
MIN_SENTENCE_WORDS = 4
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_TERMINAL = re.compile(r"[.!?)\]\"”'%]\s*$")


@dataclass
class ImportedReview:
    """Claims read from one review document, with the arXiv references it lists."""

    review_id: str
    claims: list[Claim]
    references: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


MAX_CLAIM_CELL_CHARS = 20_000


def slugify(text: str) -> str:
    """'My Review (2024).md' → 'my-review-2024'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "review"


def _split_row(line: str) -> list[str]:
    if "\t" in line and "|" not in line:
        return [c.strip() for c in line.rstrip("\n").split("\t")]
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _column_role(name: str) -> str | None:
    key = re.sub(r"[*_`]", "", name).strip().lower()
    for role, aliases in COLUMN_ALIASES.items():
        if key in aliases:
            return role
    return None


@dataclass
class _Table:
    header_line: int
    roles: dict[str, int]
    rows: list[tuple[int, list[str]]]
    claim_header: str = ""


def hidden_lines(lines: list[str]) -> set[int]:
    """0-based indexes of lines a reader does not see as review text: inside fenced code blocks (``` or ~~~) and
    HTML comments. A table there is an example or a note, not the review's claims."""
    hidden: set[int] = set()
    fence: str | None = None
    in_comment = False
    for i, line in enumerate(lines):
        if fence is not None:
            hidden.add(i)
            m = _FENCE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip(" `~"):
                fence = None
            continue
        if in_comment:
            hidden.add(i)
            in_comment = "-->" not in line
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            hidden.add(i)
            continue
        if "<!--" in line:
            before, _, after = line.partition("<!--")
            if "-->" not in after:
                in_comment = True
            if not before.strip():
                hidden.add(i)
    return hidden


def _tables(lines: list[str], hidden: set[int]) -> list[_Table]:
    """Every pipe- or tab-separated table whose header has a claim column, in document order (skipping `hidden`)."""
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in hidden or ("|" not in line and "\t" not in line):
            i += 1
            continue
        cells = _split_row(line)
        roles = {}
        for j, cell in enumerate(cells):
            role = _column_role(cell)
            if role and role not in roles:
                roles[role] = j
        if "claim" not in roles or len(cells) < 2:
            i += 1
            continue
        rows: list[tuple[int, list[str]]] = []
        tabbed = "\t" in line and "|" not in line
        k = i + 1
        while k < len(lines):
            row = lines[k]
            if k in hidden or not row.strip() or (tabbed and "\t" not in row) or (not tabbed and "|" not in row):
                break
            if k + 1 < len(lines) and _SEPARATOR_ROW.match(lines[k + 1]) and rows:
                break  # a header row right under the table: the next table starts here, without a blank line
            if not _SEPARATOR_ROW.match(row):
                rows.append((k + 1, _split_row(row)))
            k += 1
        header = re.sub(r"[*_`]", "", cells[roles["claim"]]).strip().lower()
        tables.append(_Table(i + 1, roles, rows, header))
        i = k
    return tables


def _reads_as_sentences(table: _Table) -> bool:
    j = table.roles["claim"]
    texts = [cells[j] for _, cells in table.rows if j < len(cells) and cells[j].strip()]
    wordy = [t for t in texts if len(re.findall(r"[^\W\d_]{2,}", t)) >= MIN_SENTENCE_WORDS]
    return bool(texts) and len(wordy) * 2 > len(texts)


def find_claims_tables(lines: list[str]) -> tuple[list[_Table], list[str]]:
    """Every claims table outside code blocks and comments, and notes on the tables left out (and why)."""
    hidden = hidden_lines(lines)
    tables, notes = [], []
    for t in _tables(lines, hidden):
        if t.claim_header in WEAK_CLAIM_COLUMNS and not _reads_as_sentences(t):
            notes.append(f"line {t.header_line}: table with a '{t.claim_header}' column of numbers or short "
                         "labels, not claims: left out")
            continue
        tables.append(t)
    return tables, notes


def find_claims_table(lines: list[str]) -> _Table | None:
    """The first claims table outside code blocks and comments (see `find_claims_tables` for all of them)."""
    tables, _ = find_claims_tables(lines)
    return tables[0] if tables else None


def parse_references(lines: list[str], finder: PaperFinder | None = None) -> list[tuple[str | None, str]]:
    """(paper id with version if given, the reference text) for each references-list entry, in order (the id is
    None when the entry names no paper: no arXiv id, and nothing in the library when `finder` is given).

    An entry is a list item ('1.', '-', '[1]') under a 'References' heading plus its indented continuation lines.
    """
    entries: list[str] = []
    in_refs = False
    for line in lines:
        if re.match(r"^\s*#+\s*(references|bibliography|sources|works cited)\b", line, re.I):
            in_refs = True
            continue
        if in_refs and re.match(r"^\s*#+\s", line):
            break
        if not in_refs or not line.strip():
            continue
        if re.match(r"^\s*(?:[-*+]|\d+[.)]|\[\d+\])\s+", line):
            entries.append(line.strip())
        elif entries and line[:1].isspace():
            entries[-1] += " " + line.strip()
    return [(_cite_of(entry, finder), entry) for entry in entries]


def _cite_of(text: str, finder: PaperFinder | None) -> str | None:
    """The paper id a reference (or source cell) names: via the library when there is one, else its arXiv id."""
    if finder is not None:
        return finder.resolve(text)
    m = ARXIV_ID.search(text)
    return (m["id"] + (m["v"] or "")) if m else None


def normalise_verdict(raw: str) -> str | None:
    """'✓' → 'verified', 'No' → 'unverified', 'partly' → 'partial', unknown text → 'unknown', empty → None."""
    key = re.sub(r"[*_`]", "", raw).strip().lower().rstrip(".")
    if not key:
        return None
    for verdict, forms in VERDICTS.items():
        if key in forms or key.split()[0] in forms:
            return verdict
    return "unknown"


def parse_confidence(raw: str) -> float | None:
    """'0.85' → 0.85, '85%' → 0.85, 'High' → 0.9 (CONFIDENCE_WORDS), anything else → None."""
    key = re.sub(r"[*_`]", "", raw).strip().lower()
    if not key:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%)?", key)
    if m:
        value = float(m[1])
        value = value / 100 if m[2] or value > 1 else value
        return value if 0 <= value <= 1 else None
    return CONFIDENCE_WORDS.get(key)


def _resolve_cites(cell: str, refs: list[tuple[str | None, str]], finder: PaperFinder | None = None) -> list[str]:
    cites: list[str] = []
    for m in ARXIV_ID.finditer(cell):
        cites.append(_cite_of(m.group(0), finder) or m["id"] + (m["v"] or ""))
    for m in re.finditer(r"\[(\d+)\]|^\s*(\d+)\s*$", cell):
        n = int(m[1] or m[2])
        if 1 <= n <= len(refs) and refs[n - 1][0]:
            cites.append(refs[n - 1][0])
    if not cites:
        for name, year in re.findall(r"([A-Z][A-Za-z\-]+)(?: et al\.?| and [A-Z][A-Za-z\-]+)?,?\s*\(?((?:19|20)\d{2})",
                                     cell):
            for ref_id, line in refs:
                if ref_id and name in line and year in line:
                    cites.append(ref_id)
    if not cites and finder is not None and cell.strip():
        found = finder.resolve(cell)  # a library id, file name, DOI or title written in the cell itself
        cites.extend([found] if found else [])
    if not cites and len(refs) == 1 and refs[0][0]:
        cites.append(refs[0][0])  # a single-source review is about that source
    return list(dict.fromkeys(cites))


def _is_truncated(text: str) -> tuple[str, bool]:
    stripped = text.rstrip()
    for ellipsis in ("…", "..."):
        if stripped.endswith(ellipsis):
            return stripped[: -len(ellipsis)].rstrip(), True
    return stripped, not _TERMINAL.search(stripped)


ACTIVE = "active"  # import_review's default: the library of the active settings, when it exists


def _finder(library: "Library | str | None") -> PaperFinder | None:
    if library == ACTIVE:
        from synth.core.settings import get_settings

        active = Library.open(get_settings())
        library = active if active.papers_dir.is_dir() else None
    return PaperFinder(library) if isinstance(library, Library) else None


def import_review(path: str | Path, review_id: str | None = None,
                  library: "Library | str | None" = ACTIVE) -> ImportedReview:
    """Read a markdown review into imported claims `<review>-cNN` (row order), with reported verdicts and cites.

    References are resolved against `library` (default: the active settings' library, if there is one; None:
    arXiv ids only), so a review can cite papers the library holds as local PDFs.
    """
    path = Path(path)
    finder = _finder(library)
    text = read_utf8(path, ClaimsError)
    lines = text.splitlines()
    tables, notes = find_claims_tables(lines)
    if not tables:
        inside = [t for t in _tables(lines, set()) if t.header_line - 1 in hidden_lines(lines)]
        why = (f"; the only one (line {inside[0].header_line}) is inside a code block or an HTML comment: move it "
               "out to import it") if inside else ""
        raise ClaimsError(f"{path}: no claims table found (expected a markdown or tab-separated table with a "
                          f"'Claim' column){why}")
    rid = slugify(review_id or path.stem)
    refs = parse_references(lines, finder)
    claims: list[Claim] = []
    warnings: list[str] = [f"{path}:{note}" for note in notes]
    if len(tables) > 1:
        warnings.append(f"{path}: {len(tables)} claims tables (lines "
                        f"{', '.join(str(t.header_line) for t in tables)}): every row of each is imported, "
                        "numbered in document order")
    seen: dict[str, int] = {}
    for table, line_no, cells in ((t, n, c) for t in tables for n, c in t.rows):
        def cell(role: str) -> str:
            j = table.roles.get(role)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        raw_text = re.sub(r"\s+", " ", cell("claim")).strip()
        if not raw_text:
            warnings.append(f"{path}:{line_no}: row without claim text skipped")
            continue
        if len(raw_text) > MAX_CLAIM_CELL_CHARS:  # not a claim: a pasted document (and slow to store)
            warnings.append(f"{path}:{line_no}: claim cell of {len(raw_text):,} characters skipped (a claim is at "
                            f"most {MAX_CLAIM_CELL_CHARS:,})")
            continue
        claim_text, truncated = _is_truncated(raw_text)
        if claim_text.lower() in seen:  # kept: each row is a claim the review makes (verified on its own)
            warnings.append(f"{path}:{line_no}: the same claim as line {seen[claim_text.lower()]}; imported as a "
                            "claim of its own")
        seen.setdefault(claim_text.lower(), line_no)
        verdict_raw, conf_raw = cell("verified"), cell("confidence")
        reported = None
        if verdict_raw or conf_raw:
            reported = ReportedVerification(verdict=normalise_verdict(verdict_raw), raw=verdict_raw or None,
                                            confidence=parse_confidence(conf_raw))
        cites = _resolve_cites(cell("source"), refs, finder)
        if not cites:
            warnings.append(f"{path}:{line_no}: claim cites no paper synth can fetch; it cannot be verified")
        claims.append(Claim(
            id=claim_id(rid, len(claims) + 1),
            text=claim_text,
            origin=Origin.imported,
            type=classify_text(claim_text),
            cites=cites,
            quantities=parse_quantities(claim_text),
            entities=find_entities(claim_text),
            truncated=truncated,
            reported_verification=reported,
        ))
    if not claims:
        raise ClaimsError(f"{path}:{tables[0].header_line}: the claims table has no rows")
    for n, (cite, entry) in enumerate(refs, 1):
        if cite is None:
            where = "nor any paper in the library" if finder is not None else "(no library to look it up in)"
            warnings.append(f"{path}: reference {n} names no arXiv id {where}: {entry[:80]}")
    return ImportedReview(rid, claims, [r for r, _ in refs if r], warnings)
