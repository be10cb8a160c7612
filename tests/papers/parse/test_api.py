"""parse_pdf with another backend behind the PdfBackend protocol; warnings and parser names."""

from __future__ import annotations

from synth.papers.parse import PARSER_VERSION
from synth.papers.parse import parse_pdf
from synth.papers.parse.pdf import PdfBackend, RawPage


class ListBackend:
    """A backend that serves fixed page texts: what a second PDF library would plug in as."""

    name = "listpdf"
    version = "0.1"

    def __init__(self, texts: list[str], broken: set[int] = frozenset()):
        self.texts, self.broken = texts, broken

    def iter_pages(self, path):
        for i, text in enumerate(self.texts, start=1):
            if i in self.broken:
                yield RawPage(i, "", warning=f"page {i}: text extraction failed (bad stream)")
            else:
                yield RawPage(i, text)


def test_other_backend_and_page_warnings(tmp_path):
    backend = ListBackend(["Abstract\nA first sentence. A second one.", "lost", "References\nA. Author. 2020. T."],
                          broken={2})
    assert isinstance(backend, PdfBackend)
    parsed = parse_pdf(tmp_path / "unused.pdf", backend=backend)
    assert parsed.parser == f"listpdf-0.1+{PARSER_VERSION}"
    assert [p.page for p in parsed.pages] == [1, 2, 3]
    assert parsed.pages[1].text == ""
    assert parsed.warnings == ["page 2: text extraction failed (bad stream)"]
    assert [s.text for s in parsed.sentences if s.kind == "body"] == ["A first sentence.", "A second one."]
    assert [s.text for s in parsed.sentences if s.kind == "references"] == ["A. Author. 2020. T."]
