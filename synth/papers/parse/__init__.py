"""PDF → pages, sections, sentences and tables with exact provenance (page, section path, char offsets).

`parse_pdf(path)` is the one entry point; the PDF library sits behind `synth.papers.parse.pdf.PdfBackend`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from synth.core.models import Page, Section, Sentence, TableBlock

# Bump when cleaning, sectioning or sentence splitting changes what is written for the same PDF.
# synth-2: layout-aware (fonts and positions of the text runs): issue 12.
# synth-3: headings need heading type and place; two-line headings; figure text off the column grid: issue 23.
PARSER_VERSION = "synth-3"
TABLE_CAPTION = re.compile(r"(?m)^\s*(?:Table|TABLE|Tab\.)\s*(?:\d+|[A-Z]\.?\d+)\s*[:.|]")


@dataclass
class ParsedPaper:
    """Everything parsed from one PDF; `parser` names backend and cleaning versions, e.g. 'pypdf-7.1.1+synth-1'."""

    pages: list[Page]
    sections: list[Section]
    sentences: list[Sentence]
    tables: list[TableBlock]
    parser: str
    warnings: list[str] = field(default_factory=list)


def parse_pdf(path: str | os.PathLike, backend=None, tables: bool = True) -> ParsedPaper:
    """Parse a PDF file; raises synth.core.errors.PDFError (one-line message) when it cannot be used.

    Tables are then read cell by cell from the characters and rules of the pages that carry a table caption
    (synth.papers.parse.table_reader); `tables=False` keeps the text reader's tables (what benchmarks compare)."""
    from synth.papers.parse.pdf import default_backend

    backend = backend or default_backend()
    parsed = parse_pages(backend.iter_pages(path), parser=f"{backend.name}-{backend.version}+{PARSER_VERSION}")
    pages = sorted({p.page for p in parsed.pages if TABLE_CAPTION.search(p.text)}) if tables else []
    if pages:
        from synth.papers.parse.table_reader import ENGINE, merge_tables, read_pdf_tables

        try:
            read = read_pdf_tables(path, pages)
        except Exception as exc:  # noqa: BLE001 - a table engine failure must not lose the parsed text
            parsed.warnings.append(f"tables: {ENGINE} could not read the pages ({type(exc).__name__}); "
                                   "the text reader's tables are kept")
        else:
            parsed.tables = merge_tables(parsed.pages, parsed.tables, read, pages)
            parsed.parser += f"+{ENGINE}"
    return parsed


def parse_pages(raw_pages: Iterable, parser: str = f"text+{PARSER_VERSION}") -> ParsedPaper:
    """Clean extracted pages (`RawPage`s: .number, .text, and .runs when the backend has layout) into a
    ParsedPaper. With runs the layout decides reading order, footnotes, captions and figure/table text; without
    them plain-text rules do (see synth.papers.parse.blocks)."""
    from synth.papers.parse.assemble import Flow, add_side, page_texts, split_across_pages
    from synth.papers.parse.layout import body_size, line_pitch
    from synth.papers.parse.pages import clean_lines, place_page
    from synth.papers.parse.tables import find_tables
    from synth.papers.parse.text import build_vocabulary, find_furniture, median_line_length

    numbers: list[int] = []
    all_lines = []
    sizes: list[tuple[float | None, float | None]] = []
    warnings: list[str] = []
    for raw in raw_pages:  # the backend streams; only the lines are kept
        numbers.append(raw.number)
        all_lines.append(clean_lines(raw))
        sizes.append((getattr(raw, "width", None), getattr(raw, "height", None)))
        if getattr(raw, "warning", None):
            warnings.append(raw.warning)
    furniture = find_furniture([[line.text for line in lines] for lines in all_lines])
    bodies = [[line for i, line in enumerate(lines) if i not in removed]
              for lines, removed in zip(all_lines, furniture.removed)]
    texts = [[line.text for line in lines] for lines in bodies]
    body = body_size(bodies)
    flow = Flow(build_vocabulary(texts), median_line_length(texts), body, line_pitch(bodies, body))
    side: dict[int, list] = {}
    for p, lines in enumerate(bodies):
        start_section = (flow.tracker.path, flow.tracker.kind)
        running, aside = place_page(p, lines, body, *sizes[p])
        placed_at: dict[int, tuple[list[str], str]] = {}
        for item in running:
            flow.add(item)
            placed_at[item.order] = (flow.tracker.path, flow.tracker.kind)
        for item, role, continues in aside:
            before = [o for o in placed_at if o < item.order]
            section, kind = placed_at[max(before)] if before else start_section
            add_side(side, item, role, kind, section, continues)
    split_across_pages(flow.paras)
    built = page_texts(len(numbers), flow.paras, side)

    pages: list[Page] = []
    sections: list[Section] = []
    sentences: list[Sentence] = []
    tables: list[TableBlock] = []
    for p, (number, page) in enumerate(zip(numbers, built)):
        removed = furniture.removed[p]
        pages.append(Page(page=number, text=page.text, printed_number=furniture.printed[p],
                          removed_lines=[all_lines[p][i].text for i in sorted(removed)]))
        for heading, start, path in page.headings:
            sections.append(Section(number=heading.number, title=heading.title, level=heading.level, page=number,
                                    start=start, path=path, kind=heading.kind))
        for segment in page.segments:
            for start, end, kind in segment_sentences(page.text, segment):
                sentences.append(Sentence(idx=len(sentences), page=number, start=start, end=end,
                                          text=page.text[start:end], section=segment.section, kind=kind))
        tables.extend(find_tables(number, page.text, page.table_lines, page.captions))
    if not any(s.kind == "references" for s in sections):
        warnings.append("no References heading found")
    return ParsedPaper(pages=pages, sections=sections, sentences=sentences, tables=tables, parser=parser,
                       warnings=warnings)


NO_SENTENCES = frozenset({"heading", "table", "float", "runin"})


def segment_sentences(text: str, segment) -> list[tuple[int, int, str]]:
    """(start, end, sentence kind) of the sentences of one segment; headings and table/figure lines have none."""
    from synth.papers.parse.sentences import split_references, split_sentences

    if segment.role in NO_SENTENCES or segment.start >= segment.end:
        return []
    chunk = text[segment.start:segment.end]
    if segment.kind == "references" and segment.role in ("text", "bullet"):
        kind, spans = "references", split_references(chunk)
    else:
        kind = {"caption": "caption", "front": "front", "footnote": "footnote"}.get(segment.role, "body")
        spans = split_sentences(chunk)
    return [(segment.start + a, segment.start + b, kind) for a, b in spans]


__all__ = ["PARSER_VERSION", "ParsedPaper", "parse_pdf", "parse_pages"]
