"""PDF → pages, sections, sentences and tables with exact provenance (page, section path, char offsets).

`parse_pdf(path)` is the one entry point; the PDF library sits behind `synth.papers.parse.pdf.PdfBackend`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from synth.core.models import Page, Section, Sentence, TableBlock

# Bump when cleaning, sectioning or sentence splitting changes what is written for the same PDF.
PARSER_VERSION = "synth-1"


@dataclass
class ParsedPaper:
    """Everything parsed from one PDF; `parser` names backend and cleaning versions, e.g. 'pypdf-7.1.1+synth-1'."""

    pages: list[Page]
    sections: list[Section]
    sentences: list[Sentence]
    tables: list[TableBlock]
    parser: str
    warnings: list[str] = field(default_factory=list)


def parse_pdf(path: str | os.PathLike, backend=None) -> ParsedPaper:
    """Parse a PDF file; raises synth.core.errors.PDFError (one-line message) when it cannot be used."""
    from synth.papers.parse.pdf import default_backend

    backend = backend or default_backend()
    return parse_pages(backend.iter_pages(path), parser=f"{backend.name}-{backend.version}+{PARSER_VERSION}")


def parse_pages(raw_pages: Iterable, parser: str = f"text+{PARSER_VERSION}") -> ParsedPaper:
    """Clean already-extracted pages (`RawPage`s with .number and .text) into a ParsedPaper."""
    from synth.papers.parse.sections import HeadingTracker
    from synth.papers.parse.tables import find_tables
    from synth.papers.parse.text import (assemble_page, build_vocabulary, find_furniture, median_line_length,
                                  page_lines, segment_sentences)

    numbers: list[int] = []
    all_lines: list[list[str]] = []
    warnings: list[str] = []
    for raw in raw_pages:  # the backend streams; only the line lists are kept
        numbers.append(raw.number)
        all_lines.append(page_lines(raw.text))
        if getattr(raw, "warning", None):
            warnings.append(raw.warning)
    furniture = find_furniture(all_lines)
    bodies = [[line for i, line in enumerate(lines) if i not in removed]
              for lines, removed in zip(all_lines, furniture.removed)]
    vocab = build_vocabulary(bodies)
    median_len = median_line_length(bodies)
    tracker = HeadingTracker()
    pages: list[Page] = []
    sections: list[Section] = []
    sentences: list[Sentence] = []
    tables: list[TableBlock] = []
    for number, lines, body, removed, printed in zip(numbers, all_lines, bodies, furniture.removed,
                                                    furniture.printed):
        built = assemble_page(body, tracker, vocab, median_len)
        pages.append(Page(page=number, text=built.text, printed_number=printed,
                          removed_lines=[lines[i] for i in sorted(removed)]))
        for heading, start, path in built.headings:
            sections.append(Section(number=heading.number, title=heading.title, level=heading.level, page=number,
                                    start=start, path=path, kind=heading.kind))
        for segment in built.segments:
            for start, end, kind in segment_sentences(built.text, segment):
                sentences.append(Sentence(idx=len(sentences), page=number, start=start, end=end,
                                          text=built.text[start:end], section=segment.section, kind=kind))
        tables.extend(find_tables(number, built.text, built.line_spans, built.line_roles))
    if not any(s.kind == "references" for s in sections):
        warnings.append("no References heading found")
    return ParsedPaper(pages=pages, sections=sections, sentences=sentences, tables=tables, parser=parser,
                       warnings=warnings)


__all__ = ["PARSER_VERSION", "ParsedPaper", "parse_pdf", "parse_pages"]
